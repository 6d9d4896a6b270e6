//! The plaintext behind a mosaic's authentication tag: arbitrary bytes are
//! sealed as a login or transaction body under a fixed key, so the strict
//! CBOR body reader and every field check of `Challenge::open` see them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::mosaic::fuzzing::seal_raw;
use tessera_core::mosaic::{Challenge, Envelope, MosaicKind, TokenId};

const KEY: [u8; 32] = [0x22; 32];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let kind = if selector & 1 == 0 {
        MosaicKind::Login
    } else {
        MosaicKind::Transaction
    };
    let token = (selector & 2 == 0).then(|| TokenId::from_bytes([1, 2, 3, 4, 5, 6, 7, 8]));
    let Ok(sealed) = seal_raw(kind, &KEY, token, &[0x5a; 12], body) else {
        return;
    };
    let Ok(envelope) = Envelope::parse(&sealed) else {
        // Sealing may exceed the 1 KiB limit; nothing else may fail.
        assert!(sealed.len() > tessera_core::mosaic::MAX_MOSAIC_LEN);
        return;
    };
    if let Ok(challenge) = Challenge::open(&envelope, &KEY) {
        assert_eq!(challenge.kind(), kind);
        // An accepted body passes the same checks when sealed again.
        let again = challenge.seal(&KEY).unwrap();
        let reopened = Challenge::open(&Envelope::parse(&again).unwrap(), &KEY).unwrap();
        assert_eq!(reopened, challenge);
    }
});
