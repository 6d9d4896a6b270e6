//! Google Authenticator exports: `otpauth-migration://offline?data=...` on
//! arbitrary text, and the batch collector. Input bytes that are not a URI
//! are also wrapped as the base64 `data` of one, so the protobuf decoder and
//! the entry conversion see arbitrary payloads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::uri::{MigrationImport, parse_migration};

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
        for i in 0..=chunk.len() {
            out.push(char::from(BASE64URL[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let owned;
    let uri = match data.split_first() {
        Some((0, payload)) => {
            owned = format!("otpauth-migration://offline?data={}", base64url(payload));
            owned.as_str()
        }
        _ => match std::str::from_utf8(data) {
            Ok(s) => s,
            Err(_) => return,
        },
    };
    if let Ok(batch) = parse_migration(uri) {
        assert!(batch.batch_index < batch.batch_size);
        for t in &batch.tokens {
            assert!((6..=8).contains(&t.digits));
            let _ = t.code(1_700_000_000);
            let _ = t.to_key_uri();
        }
    }
    let mut import = MigrationImport::new();
    if import.add(uri).is_ok() {
        let _ = import.missing();
        let _ = import.add(uri);
        let _ = import.finish();
    }
});
