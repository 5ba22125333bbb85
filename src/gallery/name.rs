//! Person names: what a user may type, and when two names are the same person.

pub const MAX_NAME_CHARS: usize = 40;

/// Trims `raw` and checks it: 1 to 40 characters, any script, no control characters.
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
            "{name:?} has {count} characters; at most {MAX_NAME_CHARS} are allowed"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("{name:?} contains control characters"));
    }
    Ok(name.to_string())
}

/// Names differ only in case are the same person.
pub fn same_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
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
    fn sameness_ignores_case() {
        assert!(same_name("Ada LOVELACE", "ada lovelace"));
        assert!(same_name("ÉMILE", "émile"));
        assert!(!same_name("Ada", "Adam"));
    }
}
