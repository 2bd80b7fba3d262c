//! Model id normalisation (PRICES.md §3): every spelling providers use for one model maps to
//! one table id, and what the spelling itself says about the price (a Bedrock multi-region
//! prefix, fast mode written into the id) is kept beside it.

/// A model id as logged, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModelId {
    /// The normalised id the price table is keyed by (matched whole, never by prefix).
    pub(crate) id: String,
    /// A Bedrock cross-region prefix that bills ×1.1 (`us`, `eu`, `apac`, `au`, `jp`).
    pub(crate) region: Option<String>,
    /// Fast mode spelled in the id (`anthropic/claude-opus-5-fast`).
    pub(crate) fast: bool,
}

/// Bedrock inference-profile prefixes that are regional or multi-region (PRICES.md §2.6);
/// `global.` is the global endpoint and bills ×1.
const REGIONAL_PREFIXES: [&str; 5] = ["us", "eu", "apac", "au", "jp"];

/// Reduces a model id to the form the price table uses: lower case, without provider prefixes
/// (`anthropic/`, `bedrock/`, Bedrock `anthropic.` and its region prefixes), version suffixes
/// (`-v1:0`), Vertex `@date` / `@default`, the `[1m]` context marker, `-latest`, a date
/// suffix (`-20250929`) or a `-fast` suffix, with dots in versions written as dashes.
pub(crate) fn normalize_model(raw: &str) -> String {
    parse_model_id(raw).id
}

/// Normalises `raw` (see [`normalize_model`]) and reports what its spelling says.
pub(crate) fn parse_model_id(raw: &str) -> ModelId {
    let mut id = raw.trim().to_ascii_lowercase();
    if let Some(pos) = id.find("[1m]") {
        id.replace_range(pos..pos + 4, "");
    }
    if let Some(pos) = id.find('@') {
        id.truncate(pos);
    }
    if let Some(pos) = id.rfind('/') {
        id.drain(..=pos);
    }
    // Bedrock: `anthropic.claude-…-v1:0`, possibly behind a region prefix (`us.`, `global.`).
    let mut region = None;
    if let Some(pos) = id.find("anthropic.") {
        let prefix = id[..pos].trim_end_matches('.');
        if REGIONAL_PREFIXES.contains(&prefix) {
            region = Some(prefix.to_string());
        }
        id.drain(..pos + "anthropic.".len());
    }
    strip_version_suffix(&mut id);
    // Gateways write versions with dots: `claude-sonnet-5.5`.
    if id.contains('.') {
        id = id.replace('.', "-");
    }
    if let Some(stripped) = id.strip_suffix("-latest") {
        id.truncate(stripped.len());
    }
    strip_date_suffix(&mut id);
    let fast = id.ends_with("-fast");
    if fast {
        id.truncate(id.len() - "-fast".len());
    }
    ModelId { id, region, fast }
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
    use super::{normalize_model, parse_model_id};

    #[test]
    fn provider_spellings_normalise_to_one_id() {
        for raw in [
            "claude-sonnet-4-5-20250929",
            "claude-sonnet-4-5",
            "anthropic/claude-sonnet-4-5",
            "anthropic/claude-sonnet-4.5",
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
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
        assert_eq!(
            normalize_model("claude-3-5-sonnet-v2@20241022"),
            "claude-3-5-sonnet"
        );
        assert_eq!(
            normalize_model("anthropic.claude-opus-4-6-v1"),
            "claude-opus-4-6"
        );
    }

    #[test]
    fn todays_spellings_normalise_and_keep_what_they_say_about_price() {
        for (raw, id, region, fast) in [
            (
                "anthropic/claude-sonnet-5.5",
                "claude-sonnet-5-5",
                None,
                false,
            ),
            (
                "claude-sonnet-5-5@default",
                "claude-sonnet-5-5",
                None,
                false,
            ),
            (
                "global.anthropic.claude-opus-5",
                "claude-opus-5",
                None,
                false,
            ),
            (
                "us.anthropic.claude-fable-5-2",
                "claude-fable-5-2",
                Some("us"),
                false,
            ),
            (
                "eu.anthropic.claude-opus-4-7",
                "claude-opus-4-7",
                Some("eu"),
                false,
            ),
            ("anthropic/claude-opus-5-fast", "claude-opus-5", None, true),
            ("claude-opus-5-5[1m]", "claude-opus-5-5", None, false),
            ("claude-fable-5-1[1m]", "claude-fable-5-1", None, false),
        ] {
            let m = parse_model_id(raw);
            assert_eq!(m.id, id, "{raw}");
            assert_eq!(m.region.as_deref(), region, "{raw}");
            assert_eq!(m.fast, fast, "{raw}");
        }
    }

    #[test]
    fn a_longer_version_is_never_cut_to_a_shorter_one() {
        assert_eq!(normalize_model("claude-opus-5-5"), "claude-opus-5-5");
        assert_eq!(normalize_model("claude-fable-5-1"), "claude-fable-5-1");
        assert_eq!(normalize_model("claude-opus-6"), "claude-opus-6");
    }
}
