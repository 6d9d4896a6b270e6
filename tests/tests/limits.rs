//! C27: every input from outside is size-checked before it is decoded, at
//! the boundary of each entry point: the largest accepted size passes the
//! check, one byte more is refused with the size error (never a decoding
//! error, and at once, whatever the content).

#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::{Duration, Instant};

use tessera_core::authenticator::{AuthError, Authenticator, AuthenticatorConfig};
use tessera_core::mosaic::{Envelope, MAX_MOSAIC_LEN, MosaicError};
use tessera_core::otp::OcraSuite;
use tessera_core::scan::{Detection, Frame, MAX_DIMENSION, MAX_PAYLOAD_LEN, ScanError};
use tessera_core::uri::{
    MAX_MIGRATION_URI_LEN, MAX_URI_LEN, UriError, parse_key_uri, parse_migration,
};
use tessera_core::vault::testing::FakePlatform;
use tessera_core::vault::{BLOB_NAME, Vault, VaultConfig, VaultError};

/// A prefix that would decode as far as possible, padded to `len` bytes.
fn padded(prefix: &[u8], len: usize) -> Vec<u8> {
    let mut v = prefix.to_vec();
    v.resize(len, b'A');
    v
}

#[test]
fn mosaics_over_1_kib_are_refused_before_decoding() {
    // A CBOR array header for a valid-looking envelope, then padding.
    let at_limit = padded(&[0x83, 0x01, 0x02], MAX_MOSAIC_LEN);
    assert!(!matches!(
        Envelope::parse(&at_limit),
        Err(MosaicError::TooLarge { .. })
    ));
    let over = padded(&[0x83, 0x01, 0x02], MAX_MOSAIC_LEN + 1);
    assert_eq!(
        Envelope::parse(&over).err(),
        Some(MosaicError::TooLarge {
            len: MAX_MOSAIC_LEN + 1,
            max: MAX_MOSAIC_LEN
        })
    );
}

#[test]
fn key_uris_over_4_kib_and_exports_over_8_kib_are_refused_before_parsing() {
    let uri = |len| String::from_utf8(padded(b"otpauth://totp/x?secret=", len)).unwrap();
    assert!(!matches!(
        parse_key_uri(&uri(MAX_URI_LEN)),
        Err(UriError::TooLong { .. })
    ));
    assert!(matches!(
        parse_key_uri(&uri(MAX_URI_LEN + 1)),
        Err(UriError::TooLong {
            len: 4097,
            max: MAX_URI_LEN
        })
    ));
    let export =
        |len| String::from_utf8(padded(b"otpauth-migration://offline?data=", len)).unwrap();
    assert!(!matches!(
        parse_migration(&export(MAX_MIGRATION_URI_LEN)),
        Err(UriError::TooLong { .. })
    ));
    assert!(matches!(
        parse_migration(&export(MAX_MIGRATION_URI_LEN + 1)),
        Err(UriError::TooLong {
            len: 8193,
            max: MAX_MIGRATION_URI_LEN
        })
    ));
}

#[test]
fn platform_payloads_over_a_qr_code_are_refused_by_the_authenticator() {
    assert!(Detection::from_platform(vec![b'x'; MAX_PAYLOAD_LEN]).is_ok());
    let auth = Authenticator::new(
        FakePlatform::new().platform(),
        AuthenticatorConfig::default(),
    )
    .unwrap();
    let start = Instant::now();
    for payload in [
        padded(b"otpauth-migration://offline?data=", MAX_PAYLOAD_LEN + 1),
        padded(b"otpauth://totp/x?secret=", 10 * 1024 * 1024),
        padded(&[0x83, 0x01, 0x02], MAX_PAYLOAD_LEN + 1),
    ] {
        assert!(
            matches!(
                auth.read(&payload),
                Err(AuthError::Scan(ScanError::PayloadTooLarge { .. }))
            ),
            "{}",
            payload.len()
        );
    }
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn ocra_suites_over_64_characters_are_refused() {
    let at_limit = format!("OCRA-1:HOTP-SHA1-6:QN08{}", "-".repeat(64 - 23));
    assert_eq!(at_limit.len(), 64);
    let over = format!("{at_limit}-");
    for s in [at_limit, over] {
        assert!(s.parse::<OcraSuite>().is_err());
    }
    let err = format!("OCRA-1:HOTP-SHA1-6:QN08{}", "-T1M".repeat(20))
        .parse::<OcraSuite>()
        .unwrap_err();
    assert!(err.to_string().contains("longer than 64"), "{err}");
}

#[test]
fn frames_larger_than_the_maximum_are_refused_before_any_pixel_is_read() {
    let tiny = [0u8; 16];
    for (w, h) in [
        (MAX_DIMENSION + 1, 1),
        (1, MAX_DIMENSION + 1),
        (u32::MAX, u32::MAX),
        (0, 1),
    ] {
        assert!(matches!(
            Frame::luma(w, h, &tiny, w as usize),
            Err(ScanError::InvalidFrame(_))
        ));
    }
    // Strides whose products overflow are refused, not wrapped.
    assert!(matches!(
        Frame::rgba(MAX_DIMENSION, MAX_DIMENSION, &tiny, usize::MAX),
        Err(ScanError::InvalidFrame(_))
    ));
    assert!(matches!(
        Frame::i420(MAX_DIMENSION, MAX_DIMENSION, &tiny, usize::MAX / 2),
        Err(ScanError::InvalidFrame(_))
    ));
}

#[test]
fn vault_files_over_16_mib_are_refused_before_the_device_key_sees_them() {
    let fp = FakePlatform::new();
    let mut blob = b"TSRV\x01\x00".to_vec();
    blob.resize(16 * 1024 * 1024 + 1, 0);
    fp.storage.put(BLOB_NAME, blob);
    // The keystore has no key: reaching it would say DeviceKeyLost.
    assert!(matches!(
        Vault::open(fp.platform(), VaultConfig::floor()),
        Err(VaultError::Corrupted(m)) if m.contains("bytes")
    ));
}

/// C29: with a budget, the authenticator's scan of a worst-case frame (RGBA
/// noise: every view, every sample) stops soon after the budget, measured on
/// the platform's monotonic clock; without one it runs to its work caps.
#[test]
fn the_authenticator_scans_within_its_budget() {
    use std::sync::Arc;
    use tessera_core::platform::{Clock, Platform};

    struct RealClock(Instant);
    impl Clock for RealClock {
        fn now_unix(&self) -> u64 {
            1_764_400_000
        }
        fn monotonic_nanos(&self) -> u64 {
            u64::try_from(self.0.elapsed().as_nanos()).unwrap_or(u64::MAX)
        }
    }
    let (w, h) = (640usize, 480usize);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: Vec<u8> = (0..w * h * 4)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let frame = Frame::rgba(w as u32, h as u32, &noise, w * 4).unwrap();
    let fake = FakePlatform::new();
    let platform = Platform {
        clock: Arc::new(RealClock(Instant::now())),
        ..fake.platform()
    };
    let scan_time = |budget| {
        let config = AuthenticatorConfig {
            scan_budget_ms: budget,
            ..AuthenticatorConfig::default()
        };
        let auth = Authenticator::new(platform.clone(), config).unwrap();
        let start = Instant::now();
        assert!(auth.scan(&frame).is_empty());
        start.elapsed()
    };
    let unbounded = scan_time(None);
    let bounded = scan_time(Some(1));
    // The deadline is checked between steps (a view's projection and
    // binarisation is one step): the budget cuts the work short.
    assert!(bounded < unbounded / 2, "{bounded:?} vs {unbounded:?}");
}
