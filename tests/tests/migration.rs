//! Google Authenticator exports split over several QR codes, built here with
//! a protobuf wire encoder written for this test (independent of the prost
//! structs the core decodes with).

use data_encoding::BASE64;
use tessera_core::otp::Algorithm;
use tessera_core::uri::{MigrationImport, TokenKind, UriError, parse_migration};
use tessera_tests::varint;

fn field_varint(out: &mut Vec<u8>, tag: u64, v: u64) {
    varint(out, tag << 3);
    varint(out, v);
}

fn field_bytes(out: &mut Vec<u8>, tag: u64, bytes: &[u8]) {
    varint(out, (tag << 3) | 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

struct Entry<'a> {
    secret: &'a [u8],
    name: &'a str,
    issuer: &'a str,
    algorithm: u64,
    digits: u64,
    kind: u64,
    counter: u64,
}

fn export(entries: &[Entry<'_>], size: u64, index: u64, id: u64) -> String {
    let mut payload = Vec::new();
    for e in entries {
        let mut p = Vec::new();
        field_bytes(&mut p, 1, e.secret);
        field_bytes(&mut p, 2, e.name.as_bytes());
        field_bytes(&mut p, 3, e.issuer.as_bytes());
        field_varint(&mut p, 4, e.algorithm);
        field_varint(&mut p, 5, e.digits);
        field_varint(&mut p, 6, e.kind);
        field_varint(&mut p, 7, e.counter);
        field_bytes(&mut payload, 1, &p);
    }
    field_varint(&mut payload, 2, 1);
    field_varint(&mut payload, 3, size);
    field_varint(&mut payload, 4, index);
    field_varint(&mut payload, 5, id);
    // Percent-encoded as Google Authenticator does (+, / and = escaped).
    let b64 = BASE64
        .encode(&payload)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    format!("otpauth-migration://offline?data={b64}")
}

fn entry<'a>(name: &'a str, issuer: &'a str, secret: &'a [u8]) -> Entry<'a> {
    Entry {
        secret,
        name,
        issuer,
        algorithm: 1,
        digits: 1,
        kind: 2,
        counter: 0,
    }
}

#[test]
fn a_split_export_imports_in_any_order() {
    let b0 = export(
        &[entry("Bank:alice", "Bank", b"0123456789abcdefghij")],
        3,
        0,
        77,
    );
    let b1 = export(
        &[Entry {
            algorithm: 2,
            digits: 2,
            kind: 1,
            counter: 42,
            ..entry("mail:bob", "", b"abcdefghijklmnopqrst")
        }],
        3,
        1,
        77,
    );
    let b2 = export(
        &[
            Entry {
                algorithm: 4,
                ..entry("Old:md5", "Old", b"01234567890123456789")
            },
            Entry {
                algorithm: 3,
                ..entry("carol", "Shop", &[0xff; 64])
            },
        ],
        3,
        2,
        77,
    );
    let mut import = MigrationImport::new();
    import.add(&b2).unwrap();
    import.add(&b0).unwrap();
    assert_eq!(import.missing(), vec![1]);
    let mut incomplete = MigrationImport::new();
    incomplete.add(&b0).unwrap();
    match incomplete.finish() {
        Err(e @ UriError::IncompleteExport { .. }) => {
            assert_eq!(
                e,
                UriError::IncompleteExport {
                    missing: vec![1, 2],
                    size: 3
                }
            );
            assert!(e.to_string().contains("batch 2, 3 of 3"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // Another export's batch, or the same batch twice, is refused.
    let stranger = export(&[entry("x", "", b"0123456789abcdefghij")], 3, 1, 78);
    assert!(matches!(
        import.add(&stranger),
        Err(UriError::BatchMismatch(_))
    ));
    assert!(matches!(import.add(&b0), Err(UriError::BatchMismatch(_))));
    import.add(&b1).unwrap();

    let (tokens, skipped) = import.finish().unwrap();
    assert_eq!(tokens.len(), 3);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].name, "Old:md5");
    assert!(skipped[0].reason.contains("MD5"));

    assert_eq!(tokens[0].issuer.as_deref(), Some("Bank"));
    assert_eq!(tokens[0].account, "alice");
    assert_eq!(tokens[0].secret.expose(), b"0123456789abcdefghij");

    // No issuer field: the label's prefix is used.
    assert_eq!(tokens[1].issuer.as_deref(), Some("mail"));
    assert_eq!(tokens[1].account, "bob");
    assert_eq!(tokens[1].kind, TokenKind::Hotp { counter: 42 });
    assert_eq!(
        (tokens[1].algorithm, tokens[1].digits),
        (Algorithm::Sha256, 8)
    );

    assert_eq!(tokens[2].issuer.as_deref(), Some("Shop"));
    assert_eq!(tokens[2].algorithm, Algorithm::Sha512);
    assert_eq!(tokens[2].kind, TokenKind::Totp { period: 30 });
}

#[test]
fn odd_entries_are_skipped_with_a_reason() {
    let uri = export(
        &[
            Entry {
                kind: 0,
                ..entry("untyped", "", b"0123456789abcdefghij")
            },
            Entry {
                digits: 9,
                ..entry("nine", "", b"0123456789abcdefghij")
            },
            entry("empty", "", b""),
            entry("good", "", b"0123456789abcdefghij"),
        ],
        1,
        0,
        5,
    );
    let batch = parse_migration(&uri).unwrap();
    assert_eq!(batch.tokens.len(), 1);
    assert_eq!(batch.tokens[0].account, "good");
    let reasons: Vec<_> = batch
        .skipped
        .iter()
        .map(|s| (s.name.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[0].1.contains("type"), "{reasons:?}");
    assert!(reasons[1].1.contains("digit"), "{reasons:?}");
    assert!(reasons[2].1.contains("empty"), "{reasons:?}");
}

#[test]
fn url_safe_and_unpadded_base64_are_read() {
    let standard = export(&[entry("a", "", &[0xfb; 20])], 1, 0, 1);
    let data = standard
        .split("data=")
        .nth(1)
        .unwrap()
        .replace("%2B", "+")
        .replace("%2F", "/")
        .replace("%3D", "");
    let url_safe = format!(
        "otpauth-migration://offline?data={}",
        data.replace('+', "-").replace('/', "_")
    );
    let batch = parse_migration(&url_safe).unwrap();
    assert_eq!(batch.tokens[0].secret.expose(), &[0xfb; 20]);
    // A batch index outside the batch size is refused.
    assert!(parse_migration(&export(&[], 2, 2, 1)).is_err());
}

/// C27: an export entry whose name would render as another account is
/// skipped, and the name shown for it is made inert (U+FFFD).
#[test]
fn entries_with_bidi_overrides_are_skipped_and_shown_inert() {
    let uri = export(
        &[
            entry(
                "Bank:alice\u{202E}moc.elgoog",
                "Bank",
                b"12345678901234567890",
            ),
            entry("carol", "Shop\u{2066}", b"12345678901234567890"),
            entry("dave", "Shop", b"12345678901234567890"),
        ],
        1,
        0,
        7,
    );
    let batch = parse_migration(&uri).unwrap();
    assert_eq!(batch.tokens.len(), 1);
    assert_eq!(batch.tokens[0].account, "dave");
    assert_eq!(batch.skipped.len(), 2);
    assert_eq!(batch.skipped[0].name, "Bank:alice\u{FFFD}moc.elgoog");
    assert!(batch.skipped[0].reason.contains("bidirectional"));
    assert_eq!(batch.skipped[1].name, "carol");
}
