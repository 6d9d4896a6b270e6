//! Writes the seed corpora of the fuzz targets (`fuzz/seeds/<target>/`):
//! real mosaics, a real vault body, small QR frames of every pixel format,
//! QR module grids and real exports. Run it when a format changes:
//!
//! ```text
//! cargo run -p tessera-tests --example fuzz_seeds
//! ```
//!
//! The URI and OCRA seeds are plain text files written by hand.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use qrcode::{EcLevel, QrCode};
use ring::rand::SystemRandom;
use tessera_core::mosaic::{
    ActivationCode, ActivationOffer, Challenge, OtpParams, TokenId, TokenKeys,
};
use tessera_core::otp::{Algorithm, OtpKey};
use tessera_core::secret::SecretBytes;
use tessera_core::vault::testing::FakePlatform;
use tessera_core::vault::{MosaicBinding, NewToken, Passcode, TokenKind, Vault, VaultConfig};
use tessera_tests::varint;

const NOW: u64 = 1_764_400_000;
/// The fixed challenge key of the mosaic fuzz targets.
const KEY: [u8; 32] = [0x22; 32];

fn dir(target: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds")
        .join(target);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    std::fs::write(dir(target).join(name), bytes).unwrap();
}

fn login() -> Challenge {
    tessera_tests::sample_login(NOW)
}

fn transfer() -> Challenge {
    let mut challenge = tessera_tests::sample_transfer(NOW);
    if let Some(t) = challenge.transaction.as_mut() {
        t.text = Some("Merci".into());
    }
    challenge
}

/// A minimal CBOR writer for the bodies (independent of the core's).
enum V<'a> {
    U(u64),
    T(&'a str),
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend([m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend((n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend((n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend(n.to_be_bytes());
        }
    }
}

fn cbor_map(entries: &[(u64, V<'_>)]) -> Vec<u8> {
    let mut out = Vec::new();
    head(&mut out, 5, entries.len() as u64);
    for (k, v) in entries {
        head(&mut out, 0, *k);
        match v {
            V::U(n) => head(&mut out, 0, *n),
            V::T(s) => {
                head(&mut out, 3, s.len() as u64);
                out.extend(s.as_bytes());
            }
        }
    }
    out
}

fn mosaic_seeds() {
    write("mosaic_envelope", "login", &login().seal(&KEY).unwrap());
    write(
        "mosaic_envelope",
        "transaction",
        &transfer().seal(&KEY).unwrap(),
    );
    let rng = SystemRandom::new();
    let offer = ActivationOffer {
        token_id: TokenId::from_bytes([1, 2, 3, 4, 5, 6, 7, 8]),
        user_id: "alice.martin".into(),
        origin: "https://portal.example.lu".into(),
        params: OtpParams::default(),
        issued_at: NOW,
        expires_at: NOW + 86_400,
        nonce: [0x77; 12],
        keys: TokenKeys {
            ocra: SecretBytes::from_slice(&[0x11; 32]),
            challenge: SecretBytes::from_slice(&[0x22; 32]),
        },
    };
    let code = ActivationCode::parse("ABCD-EFGH-JKMN-PQRS").unwrap();
    write(
        "mosaic_envelope",
        "activation",
        &offer.seal(&code, &rng).unwrap(),
    );
    write(
        "mosaic_envelope",
        "not-a-mosaic",
        b"otpauth://totp/A?secret=AAAAAAAA",
    );

    let base = [
        (2, V::T("https://portal.example.lu")),
        (3, V::T("alice.martin")),
        (4, V::U(NOW)),
        (5, V::U(120)),
    ];
    let mut login_body = vec![0u8];
    login_body.extend(cbor_map(&base));
    write("mosaic_body", "login", &login_body);
    let mut tx = vec![1u8];
    let mut entries: Vec<(u64, V<'_>)> = base.into_iter().collect();
    entries.extend([
        (6, V::T("120.50")),
        (7, V::T("EUR")),
        (8, V::T("Boulangerie Schmit")),
        (9, V::T("LU280019400644750000")),
        (10, V::T("Facture 2026-1187")),
        (11, V::T("Merci")),
    ]);
    tx.extend(cbor_map(&entries));
    write("mosaic_body", "transaction", &tx);
}

fn vault_seeds() {
    let fp = FakePlatform::new();
    fp.keystore.record_plaintexts(true);
    let pass = Passcode::new(b"k7#pQ2!vSEEDPW".to_vec());
    let vault = Vault::create(fp.platform(), VaultConfig::floor(), &pass).unwrap();
    let unlocked = vault.unlock_with_passcode(&pass).unwrap();
    unlocked
        .add_token(NewToken {
            issuer: Some("Example".into()),
            account: "alice@example.com".into(),
            kind: TokenKind::Totp {
                algorithm: Algorithm::Sha1,
                digits: 6,
                period: 30,
            },
            key: OtpKey::new(b"12345678901234567890".to_vec()).unwrap(),
            challenge_key: None,
        })
        .unwrap();
    unlocked
        .add_token(NewToken {
            issuer: None,
            account: "counter".into(),
            kind: TokenKind::Hotp {
                algorithm: Algorithm::Sha256,
                digits: 8,
                counter: 7,
            },
            key: OtpKey::new(vec![7; 32]).unwrap(),
            challenge_key: None,
        })
        .unwrap();
    unlocked
        .add_token(NewToken {
            issuer: Some("Portal".into()),
            account: "alice.martin".into(),
            kind: TokenKind::Mosaic(MosaicBinding {
                params: OtpParams::default(),
                portal_origin: "https://portal.example.lu".into(),
                user_id: "alice.martin".into(),
                portal_token_id: TokenId::from_bytes([1, 2, 3, 4, 5, 6, 7, 8]),
            }),
            key: OtpKey::new(vec![0x11; 32]).unwrap(),
            challenge_key: Some(SecretBytes::from_slice(&KEY)),
        })
        .unwrap();
    let _ = vault.unlock_with_passcode(&Passcode::new(b"wrong-passcode".to_vec()));
    let plain = fp.keystore.plaintexts();
    // Mode byte: odd = body inside the device layer; generation in the
    // high bits (0: never ahead of the body).
    for (name, body) in [
        ("body-empty", &plain[0]),
        ("body-three-tokens", plain.last().unwrap()),
    ] {
        let mut seed = vec![1u8];
        seed.extend(body);
        write("vault", name, &seed);
    }
    let mut raw = vec![0u8];
    raw.extend(fp.storage.get(tessera_core::vault::BLOB_NAME).unwrap());
    write("vault", "blob-sealed", &raw);
    let mut wiped = vec![0xfe_u8];
    wiped.extend(b"TSRV\x01\x01");
    wiped.extend(NOW.to_be_bytes());
    write("vault", "blob-wiped", &wiped);
}

fn scan_seeds() {
    let code =
        QrCode::with_error_correction_level(b"otpauth://totp/A?secret=AAAA", EcLevel::L).unwrap();
    let modules = code.to_colors();
    let n = code.width();
    let scale = 2;
    let side = (n + 8) * scale;
    assert!(side <= 96, "{side}");
    let mut bits = vec![0u8; (side * side).div_ceil(8)];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
            let dark = mx < n && my < n && modules[my * n + mx] == qrcode::Color::Dark;
            if dark {
                let i = y * side + x;
                bits[i / 8] |= 0x80 >> (i % 8);
            }
        }
    }
    let names = ["luma", "rgba", "bgra", "nv21", "nv12", "i420", "planes"];
    for (format, name) in names.iter().enumerate() {
        let mut seed = vec![format as u8, (side - 1) as u8, (side - 1) as u8, 0, 1];
        seed.extend(&bits);
        write("scan", &format!("qr-{name}"), &seed);
    }
    // check C29's crafted bits (docs/threat-model.md), at the largest size the target makes.
    let mut c29 = vec![0, 95, 95, 0, 1];
    c29.extend(
        data_encoding::HEXLOWER
            .decode(b"2e10000000015d805d5df75d3a2e5d40ff5d")
            .unwrap(),
    );
    write("scan", "c29-crafted", &c29);
}

/// Real module grids for `qr_decode` (versions 1, 3, 5 and 10; levels L, M
/// and H), each without erasures, with a rectangle of inverted modules
/// marked as erased, and with an erasure plane.
fn qr_decode_seeds() {
    for (name, len, level) in [
        ("v1-l", 10usize, EcLevel::L),
        ("v3-m", 40, EcLevel::M),
        ("v10-m", 200, EcLevel::M),
        ("v5-h", 40, EcLevel::H),
    ] {
        let payload: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
        let code = QrCode::with_error_correction_level(&payload, level).unwrap();
        let n = code.width();
        let version = (n - 17) / 4;
        let mut plane = vec![0u8; (n * n).div_ceil(8)];
        for (i, c) in code.to_colors().iter().enumerate() {
            if *c == qrcode::Color::Dark {
                plane[i / 8] |= 0x80 >> (i % 8);
            }
        }
        // The header's version byte v gives version 1 + v % 40.
        let header = |mode: u8, rect: [u8; 4]| {
            let mut seed = vec![(version - 1) as u8, mode];
            seed.extend(rect);
            seed.extend(&plane);
            seed
        };
        write("qr_decode", &format!("{name}-plain"), &header(0, [0; 4]));
        // The rectangle's modules inverted: wrong, and marked as erased.
        let third = n / 3;
        let mut seed = header(
            1,
            [third as u8, third as u8, third as u8, (third / 2) as u8],
        );
        for y in third..third + third / 2 {
            for x in third..2 * third {
                let i = y * n + x;
                seed[6 + i / 8] ^= 0x80 >> (i % 8);
            }
        }
        write("qr_decode", &format!("{name}-rect"), &seed);
        // An erasure plane: every module of the first data columns.
        let mut seed = header(2, [0; 4]);
        let mut erased = vec![0u8; plane.len()];
        for y in 0..n {
            for x in n - 4..n {
                let i = y * n + x;
                erased[i / 8] |= 0x80 >> (i % 8);
            }
        }
        seed.extend(erased);
        write("qr_decode", &format!("{name}-plane"), &seed);
    }
}

fn migration_seeds() {
    write(
        "migration",
        "sample",
        b"otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC",
    );
    // Raw payload mode (first byte 0): two entries, batch 1 of 2.
    let mut payload = Vec::new();
    for (secret, name, issuer, alg, digits, kind) in [
        (
            &b"12345678901234567890"[..],
            "alice@example.com",
            "Example",
            1,
            1,
            2,
        ),
        (&[7u8; 32][..], "Bank:bob", "", 2, 2, 1),
    ] {
        let mut p = Vec::new();
        for (tag, bytes) in [(1u64, secret), (2, name.as_bytes()), (3, issuer.as_bytes())] {
            varint(&mut p, (tag << 3) | 2);
            varint(&mut p, bytes.len() as u64);
            p.extend(bytes);
        }
        for (tag, v) in [(4u64, alg), (5, digits), (6, kind), (7, 5)] {
            varint(&mut p, tag << 3);
            varint(&mut p, v);
        }
        varint(&mut payload, (1 << 3) | 2);
        varint(&mut payload, p.len() as u64);
        payload.extend(p);
    }
    for (tag, v) in [(2u64, 1u64), (3, 2), (4, 1), (5, 42)] {
        varint(&mut payload, tag << 3);
        varint(&mut payload, v);
    }
    let mut seed = vec![0u8];
    seed.extend(payload);
    write("migration", "payload-two-entries", &seed);
}

fn main() {
    mosaic_seeds();
    vault_seeds();
    scan_seeds();
    qr_decode_seeds();
    migration_seeds();
}
