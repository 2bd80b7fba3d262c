//! Tag keys as Prometheus label names, and the checks of `--metrics-label`.

/// A tag key as a Prometheus label name: characters outside `[a-zA-Z0-9_]` become `_`, and a
/// leading digit gets a `_` in front (`user.email` → `user_email`).
pub(crate) fn label_name(key: &str) -> String {
    let mut name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// Label names every series already has, which a `--metrics-label` may not take.
pub(crate) const RESERVED_LABELS: [&str; 5] = ["model", "tier", "speed", "type", "le"];

/// Checks the `--metrics-label` keys: distinct label names, none reserved.
pub(crate) fn check_labels(keys: &[String]) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for key in keys {
        let name = label_name(key);
        if RESERVED_LABELS.contains(&name.as_str()) || name.starts_with("__") {
            return Err(format!(
                "--metrics-label {key}: the label name {name:?} is reserved"
            ));
        }
        if !seen.insert(name.clone()) {
            return Err(format!(
                "--metrics-label {key}: two tag keys map to the label {name:?}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_keys_become_valid_label_names() {
        assert_eq!(label_name("user.email"), "user_email");
        assert_eq!(label_name("9lives"), "_9lives");
        assert!(check_labels(&["feature".into(), "team".into()]).is_ok());
        assert!(check_labels(&["model".into()]).is_err());
        assert!(check_labels(&["a.b".into(), "a-b".into()]).is_err());
    }
}
