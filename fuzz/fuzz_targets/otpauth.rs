//! `otpauth://` Key URIs: the parser on arbitrary text, and for every
//! accepted URI, format → parse gives the same token back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::uri::{MAX_URI_LEN, parse_key_uri};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = parse_key_uri(text) else {
        return;
    };
    let t = &parsed.token;
    assert!((6..=8).contains(&t.digits));
    let _ = t.code(1_700_000_000);
    let _ = t.label();
    let uri = t.to_key_uri();
    if uri.len() > MAX_URI_LEN {
        // Percent-encoding can make a valid URI's re-encoding too long.
        return;
    }
    let back = parse_key_uri(&uri)
        .unwrap_or_else(|e| panic!("{text:?} -> {:?} does not parse: {e}", uri.as_str()))
        .token;
    assert_eq!(back.kind, t.kind, "{text:?}");
    assert_eq!(back.issuer, t.issuer, "{text:?}");
    assert_eq!(back.account, t.account, "{text:?}");
    assert_eq!(back.algorithm, t.algorithm, "{text:?}");
    assert_eq!(back.digits, t.digits, "{text:?}");
    assert_eq!(back.secret.expose(), t.secret.expose(), "{text:?}");
});
