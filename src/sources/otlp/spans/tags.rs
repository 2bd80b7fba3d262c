//! Tags from an LLM span's own attributes: the keys a team sets on its spans (by default
//! `feature`, `team`, `user`, `tenant`, and every `costtop.tag.KEY` as `KEY`), OpenLLMetry's
//! association properties (`traceloop.association.properties.KEY`), OpenInference's `metadata`
//! (a JSON object) and `tag.tags` (a list), and the GenAI agent and operation names.

use std::sync::Arc;

use opentelemetry_proto::tonic::common::v1::any_value::Value;

use super::super::attrs::Attrs;

/// Span attributes copied to tags under their own name unless configured otherwise.
pub const DEFAULT_SPAN_TAGS: [&str; 4] = ["feature", "team", "user", "tenant"];

/// Attributes copied under a name of their own: `costtop.tag.KEY` → `KEY`, OpenLLMetry's
/// `traceloop.association.properties.KEY` → `KEY`.
const PREFIXES: [&str; 2] = ["costtop.tag.", "traceloop.association.properties."];

/// GenAI attributes kept as tags (who and what kind of call).
const GENAI_TAGS: [&str; 2] = ["gen_ai.agent.name", "gen_ai.operation.name"];

/// Longest `metadata` JSON read for tags (larger values are not attribution).
const MAX_METADATA: usize = 16 * 1024;

/// The tags of a span: configured keys first, then prefixed keys, OpenInference's metadata
/// and tags, the GenAI names (an earlier source of a key wins over a later one).
pub(super) fn span_tags(a: Attrs<'_>, keys: &[String], out: &mut Vec<(Arc<str>, Arc<str>)>) {
    for key in keys {
        if let Some(v) = text_of(a.get(key)) {
            out.push((Arc::from(key.as_str()), Arc::from(v.as_str())));
        }
    }
    for kv in a.0 {
        if let Some(name) = PREFIXES.iter().find_map(|p| kv.key.strip_prefix(p))
            && !name.is_empty()
            && let Some(v) = text_of(kv.value.as_ref().and_then(|v| v.value.as_ref()))
        {
            out.push((Arc::from(name), Arc::from(v.as_str())));
        }
    }
    if let Some(json) = a.text("metadata").filter(|j| j.len() <= MAX_METADATA)
        && let Ok(serde_json::Value::Object(map)) = serde_json::from_str(json)
    {
        for (k, v) in map {
            let v = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            if !k.is_empty() && !v.is_empty() {
                out.push((Arc::from(k.as_str()), Arc::from(v.as_str())));
            }
        }
    }
    if let Some(Value::ArrayValue(list)) = a.get("tag.tags") {
        let mut plain = Vec::new();
        for v in &list.values {
            let Some(Value::StringValue(s)) = &v.value else {
                continue;
            };
            match s.split_once(['=', ':']) {
                Some((k, v)) if !k.is_empty() && !v.is_empty() => {
                    out.push((Arc::from(k.trim()), Arc::from(v.trim())));
                }
                _ if !s.is_empty() => plain.push(s.as_str()),
                _ => {}
            }
        }
        if !plain.is_empty() {
            out.push((Arc::from("tags"), Arc::from(plain.join(",").as_str())));
        }
    }
    for key in GENAI_TAGS {
        if let Some(v) = a.text(key) {
            out.push((Arc::from(key), Arc::from(v)));
        }
    }
}

/// A scalar attribute value as tag text.
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::StringValue(s) if !s.is_empty() => Some(s.clone()),
        Value::IntValue(n) => Some(n.to_string()),
        Value::BoolValue(b) => Some(b.to_string()),
        Value::DoubleValue(f) if f.is_finite() => Some(f.to_string()),
        _ => None,
    }
}
