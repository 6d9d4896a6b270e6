//! What may be shown to the user: no control or direction-changing
//! characters, so "100 EUR to Alice" cannot be made to render as something
//! else. One rule for every module that displays text it did not write.

/// Characters that change how surrounding text renders without being
/// visible: bidi embeddings, overrides and isolates, marks, zero-width
/// characters, line and paragraph separators. Refused in everything shown
/// to the user: mosaic fields (`mosaic`), token labels from Key URIs and
/// exports (`uri`), and token labels in the vault.
pub(crate) fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// Whether `s` has a character that [`is_forbidden`].
pub(crate) fn has_forbidden(s: &str) -> bool {
    s.chars().any(is_forbidden)
}

/// `s` with every forbidden character replaced by U+FFFD, for showing text
/// that was refused (what was wrong stays visible, and inert).
pub(crate) fn neutralise(s: &str) -> String {
    s.chars()
        .map(|c| if is_forbidden(c) { '\u{FFFD}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_found_and_neutralised() {
        assert!(!has_forbidden("Café Müller & Söhne 😀"));
        for bad in [
            "Al\u{202E}ice",
            "A\nB",
            "A\u{200B}B",
            "A\u{FEFF}B",
            "A\u{061C}B",
        ] {
            assert!(has_forbidden(bad), "{bad:?}");
            let shown = neutralise(bad);
            assert!(!has_forbidden(&shown), "{shown:?}");
            assert!(shown.contains('\u{FFFD}'), "{shown:?}");
        }
        assert_eq!(neutralise("plain"), "plain");
    }
}
