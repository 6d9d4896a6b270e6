//! What may be shown to the user: no control, direction-changing,
//! invisible or overlaid characters, so "100 EUR to Alice" cannot be made to
//! render as something else; and a flag for strings that mix scripts or
//! imitate Latin text in another script (Unicode UTS #39), which the
//! approval screens show. One rule for every module that displays text it
//! did not write.

use unicode_security::general_security_profile::IdentifierType;
use unicode_security::{
    GeneralSecurityProfile, MixedScript, is_potential_mixed_script_confusable_char,
};

/// Characters that change how surrounding text renders without being
/// visible, or change a neighbour's look: controls; bidi embeddings,
/// overrides, isolates and marks; every default-ignorable code point (zero
/// widths, soft hyphen, variation selectors, fillers, tag characters, …);
/// format characters (interlinear annotations, prepended concatenation
/// marks); combining overlays (a stroke or slash drawn over a letter);
/// line and paragraph separators. Refused in everything shown to the user:
/// mosaic fields (`mosaic`), token labels from Key URIs and exports
/// (`uri`), and token labels in the vault.
pub(crate) fn is_forbidden(c: char) -> bool {
    c.is_control()
        || c.identifier_type() == Some(IdentifierType::Default_Ignorable)
        || matches!(c,
            // Bidi marks and controls, zero widths, separators (also listed
            // here in case a default-ignorable table ever drops one).
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
            // Format characters that are not default-ignorable.
            | '\u{0600}'..='\u{0605}' | '\u{06DD}' | '\u{070F}' | '\u{0890}'..='\u{0891}' | '\u{08E2}'
            | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}' | '\u{13430}'..='\u{1343F}'
            // Combining overlays.
            | '\u{0334}'..='\u{0338}' | '\u{20D2}'..='\u{20D3}' | '\u{20D8}'..='\u{20DA}'
            | '\u{20E5}'..='\u{20E6}' | '\u{20EA}'..='\u{20EB}'
        )
}

/// Whether `s` may imitate other text: it mixes scripts (a Cyrillic "а" in
/// a Latin name), or it is written in another script entirely with letters
/// that all pass for Latin ones ("раураі" in Cyrillic). Latin text with
/// accents ("Café Müller") is not flagged. UTS #39's mixed-script
/// resolution and its list of characters confusable across scripts; not its
/// full skeletons, whose tables would add half a megabyte to the phone's
/// library for the few strings only they catch.
pub fn looks_deceptive(s: &str) -> bool {
    if !s.is_single_script() {
        return true;
    }
    let mut letters = s.chars().filter(|c| c.is_alphabetic()).peekable();
    letters.peek().is_some()
        && letters
            .all(|c| !c.is_ascii() && !is_latin(c) && is_potential_mixed_script_confusable_char(c))
}

/// Latin letters beyond ASCII (Latin-1 Supplement to Latin Extended
/// Additional): their skeletons are ASCII by design and are not deceptive.
fn is_latin(c: char) -> bool {
    matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
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

    /// The review's invisible and look-alike characters (finding L3).
    #[test]
    fn invisible_format_and_overlay_characters_are_forbidden() {
        for c in [
            '\u{00AD}',
            '\u{034F}',
            '\u{180E}',
            '\u{3164}',
            '\u{FE0F}',
            '\u{FFF9}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{0338}',
            '\u{20D2}',
            '\u{0600}',
            '\u{FFA0}',
            '\u{115F}',
            '\u{1D173}',
        ] {
            assert!(is_forbidden(c), "U+{:04X}", c as u32);
        }
        for c in [
            'a', 'é', 'ß', 'Ж', 'ع', '中', '😀', '€', '-', ' ', '\u{0301}',
        ] {
            assert!(!is_forbidden(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn mixed_scripts_and_whole_script_look_alikes_are_flagged() {
        for deceptive in [
            "\u{0410}lice Martin",                       // Cyrillic A in a Latin name
            "Boulangerie Schmi\u{0442}",                 // Cyrillic te
            "\u{0420}\u{0430}\u{0443}\u{0440}\u{0430}l", // "Paypal" from Cyrillic and one l
            "\u{0440}\u{0430}\u{0443}\u{0440}\u{0430}\u{0456}", // all Cyrillic, skeleton "paypai"
        ] {
            assert!(looks_deceptive(deceptive), "{deceptive}");
        }
        for plain in [
            "Alice Martin",
            "Café Müller & Söhne",
            "Boulangerie Schmit 2026",
            "Łukasz Żółć",
            "Дмитрий Иванов",
            "東京 太郎",
            "さくら銀行",
            "محمد علي",
        ] {
            assert!(!looks_deceptive(plain), "{plain}");
        }
    }
}
