//! A scanned QR payload as a mosaic: the envelope parser, then the
//! challenge opener with a fixed key (any change must fail authentication or
//! the protocol's checks, never panic). Activation offers are parsed only:
//! opening one runs Argon2id (19 MiB), far too slow per input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::mosaic::{Challenge, Envelope, MAX_MOSAIC_LEN, MosaicError, MosaicKind};

/// The challenge key of the seed mosaics (tests/tests/mosaic.rs).
const KEY: [u8; 32] = [0x22; 32];

fuzz_target!(|data: &[u8]| {
    let envelope = match Envelope::parse(data) {
        Ok(e) => e,
        Err(MosaicError::TooLarge { .. }) => {
            assert!(data.len() > MAX_MOSAIC_LEN);
            return;
        }
        Err(_) => return,
    };
    assert!(data.len() <= MAX_MOSAIC_LEN);
    let _ = envelope.token_id();
    let _ = envelope.nonce();
    if envelope.kind() == MosaicKind::Activation {
        assert!(Challenge::open(&envelope, &KEY).is_err());
        return;
    }
    if let Ok(challenge) = Challenge::open(&envelope, &KEY) {
        // What opens must seal back to exactly the same bytes (strict form).
        assert_eq!(challenge.seal(&KEY).as_deref().ok(), Some(data));
        let _ = challenge.check_time(challenge.issued_at, 120);
    }
});
