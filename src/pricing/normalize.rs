//! Model id normalisation: every spelling providers use for one model maps to one table id.

/// Reduces a model id to the form the price table uses: lower case, without provider prefixes
/// (`anthropic/`, Bedrock `anthropic.` and its region prefixes), version suffixes (`-v1:0`),
/// Vertex `@date`, the `[1m]` context marker, `-latest`, or a date suffix (`-20250929`).
pub fn normalize_model(raw: &str) -> String {
    let mut id = raw.trim().to_ascii_lowercase();
    if let Some(pos) = id.find("[1m]") {
        id.replace_range(pos..pos + 4, "");
    }
    if let Some(pos) = id.find('@') {
        id.truncate(pos);
    }
    if let Some(rest) = id.rsplit('/').next()
        && rest.len() != id.len()
    {
        id = rest.to_string();
    }
    // Bedrock: `anthropic.claude-…-v1:0`, possibly behind a region prefix (`us.`, `eu.`,
    // `apac.`, `global.`).
    if let Some(pos) = id.find("anthropic.") {
        id = id[pos + "anthropic.".len()..].to_string();
    }
    strip_version_suffix(&mut id);
    if let Some(stripped) = id.strip_suffix("-latest") {
        id = stripped.to_string();
    }
    strip_date_suffix(&mut id);
    id
}

/// `-v1:0`, `-v2`, `:0`.
fn strip_version_suffix(id: &mut String) {
    if let Some(pos) = id.rfind(':')
        && id[pos + 1..].bytes().all(|b| b.is_ascii_digit())
    {
        id.truncate(pos);
    }
    if let Some(pos) = id.rfind("-v")
        && pos + 2 < id.len()
        && id[pos + 2..].bytes().all(|b| b.is_ascii_digit())
    {
        id.truncate(pos);
    }
}

/// `-20250929` (eight digits).
fn strip_date_suffix(id: &mut String) {
    if let Some(pos) = id.rfind('-') {
        let tail = &id[pos + 1..];
        if tail.len() == 8 && tail.bytes().all(|b| b.is_ascii_digit()) {
            id.truncate(pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_model;

    #[test]
    fn provider_spellings_normalise_to_one_id() {
        for raw in [
            "claude-sonnet-4-5-20250929",
            "claude-sonnet-4-5",
            "anthropic/claude-sonnet-4-5",
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "claude-sonnet-4-5@20250929",
            "claude-sonnet-4-5[1m]",
            "Claude-Sonnet-4-5-20250929",
        ] {
            assert_eq!(normalize_model(raw), "claude-sonnet-4-5", "{raw}");
        }
        assert_eq!(
            normalize_model("claude-3-5-haiku-latest"),
            "claude-3-5-haiku"
        );
        assert_eq!(
            normalize_model("claude-opus-4-1-20250805"),
            "claude-opus-4-1"
        );
    }
}
