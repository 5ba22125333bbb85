//! Person names: what a user may type, and when two names are the same person.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

pub const MAX_NAME_CHARS: usize = 40;

/// Trims `raw` and checks it: 1 to 40 characters, any script, no control characters and no
/// invisible format characters (zero-width spaces, bidi overrides), which would let two names
/// that look the same, or a name that reads backwards, into the list.
/// Names never become paths (faces are filed under generated ids), so no name can escape the
/// gallery folder.
pub fn clean_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    let count = name.chars().count();
    if count == 0 {
        return Err("a name needs at least one character".into());
    }
    if count > MAX_NAME_CHARS {
        return Err(format!(
            "{} has {count} characters; at most {MAX_NAME_CHARS} are allowed",
            shown(name)
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("{} contains control characters", shown(name)));
    }
    if let Some(c) = name.chars().find(|&c| is_invisible(c)) {
        return Err(format!(
            "{} contains the invisible character U+{:04X}; type the name without it",
            shown(name),
            c as u32
        ));
    }
    Ok(name.to_string())
}

/// Unicode's format characters (category Cf: U+200B zero-width space, U+202E right-to-left
/// override, U+FEFF ...): they draw as nothing, or reorder what is drawn around them.
fn is_invisible(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
}

/// Two names are the same person when they are equal after compatibility normalisation
/// (NFKC: "ｄｏｎａｌｄ" is "donald") and case folding (upper- then lower-casing, which folds
/// "ß" and "SS" together too).
pub fn same_name(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

fn fold(name: &str) -> String {
    let normal: String = name.trim().nfkc().collect();
    normal.to_uppercase().to_lowercase().nfkc().collect()
}

/// `name` quoted for a message, cut to the length a name may have: a pasted 3 MB "name" is
/// refused without being echoed whole.
pub fn shown(name: &str) -> String {
    let mut chars = name.chars();
    let head: String = chars.by_ref().take(MAX_NAME_CHARS).collect();
    if chars.next().is_some() {
        format!("{:?}", format!("{head}…"))
    } else {
        format!("{head:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_unicode_and_trims() {
        assert_eq!(clean_name("  Zoë Ångström ").unwrap(), "Zoë Ångström");
        assert_eq!(clean_name("李小龍").unwrap(), "李小龍");
        assert_eq!(clean_name("../../etc/passwd").unwrap(), "../../etc/passwd");
    }

    #[test]
    fn refuses_empty_long_and_control() {
        assert!(clean_name("   ").is_err());
        assert!(clean_name(&"é".repeat(41)).is_err());
        assert!(clean_name(&"é".repeat(40)).is_ok());
        assert!(clean_name("a\nb").is_err());
    }

    #[test]
    fn refuses_invisible_characters() {
        for name in [
            "Donald\u{200B}",
            "Don\u{200D}ald",
            "\u{202E}dlanoD",
            "\u{FEFF}Donald",
        ] {
            let e = clean_name(name).unwrap_err();
            assert!(e.contains("invisible"), "{name:?}: {e}");
        }
    }

    #[test]
    fn a_long_name_is_cut_in_messages() {
        let e = clean_name(&"x".repeat(3_000_000)).unwrap_err();
        assert!(e.len() < 200, "{} bytes", e.len());
        assert!(e.contains("3000000 characters"), "{e}");
    }

    #[test]
    fn sameness_ignores_case_and_compatibility_forms() {
        assert!(same_name("Ada LOVELACE", "ada lovelace"));
        assert!(same_name("ÉMILE", "émile"));
        assert!(same_name("ｄｏｎａｌｄ", "Donald"));
        assert!(same_name("Strauß", "STRAUSS"));
        // "é" as one character and as "e" plus a combining accent.
        assert!(same_name("Zo\u{e9}", "Zoe\u{301}"));
        assert!(!same_name("Ada", "Adam"));
    }
}
