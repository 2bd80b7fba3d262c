//! Claude Code transcript lines (`~/.claude/projects/**/*.jsonl`): one assistant line per
//! streamed chunk of an API response, with `message.usage`, `requestId` and attribution.

use std::sync::{Arc, LazyLock};

use super::Parsed;
use super::fields::{self, schema};
use super::lenient::{Obj, Scalar};
use super::raw::{RawLine, RawMessage, text};
use crate::usage::{Attribution, EventKind, UsageEvent, dedupe_key, request_key};

/// Tag keys, shared by every event instead of allocated per line.
static AGENT: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("agent"));
static GIT_BRANCH: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("git_branch"));
static SIDECHAIN: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("sidechain"));

/// The model Claude Code writes for messages it made up itself (no API call, no cost).
const SYNTHETIC_MODEL: &str = "<synthetic>";

/// Reads an assistant line (`type == "assistant"`, `message` an object) into a request.
///
/// A line whose message has no usage, or whose model is `<synthetic>`, is not usage.
pub(crate) fn parse(line: &RawLine<'_>, message: &RawMessage<'_>) -> Parsed {
    let usage = match &message.usage {
        None => return Parsed::NotUsage,
        Some(Obj::NotMap) => return Parsed::Invalid(schema("message.usage", "not an object")),
        Some(Obj::Map(usage)) => usage,
    };
    if text(message.model.as_ref()) == Some(SYNTHETIC_MODEL) {
        return Parsed::NotUsage;
    }
    match build(line, message, usage) {
        Ok(event) => Parsed::Usage(event),
        Err(error) => Parsed::Invalid(error),
    }
}

fn build(
    line: &RawLine<'_>,
    message: &RawMessage<'_>,
    usage: &super::raw::RawUsage<'_>,
) -> Result<UsageEvent, super::ParseError> {
    let model = fields::model(message.model.as_ref(), "message.model")?;
    let timestamp = match &line.timestamp {
        Some(value) => fields::time(value, "timestamp")?,
        None => return Err(schema("timestamp", "missing")),
    };
    let tokens = fields::tokens(usage, "message.usage")?;
    let stop_reason = fields::stop_reason(message.stop_reason.as_ref());
    Ok(UsageEvent {
        key: key(message.id.as_ref(), line.request_id.as_ref()),
        rank: fields::rank(&tokens, stop_reason),
        timestamp,
        model,
        tokens,
        tier: fields::tier(usage, None),
        modifiers: fields::modifiers(usage),
        stop_reason,
        kind: EventKind::Request,
        attribution: attribution(line),
        iterations: Vec::new(),
        estimate: None,
    })
}

/// `request_key(requestId)` when the line has a request id (the identity an OTLP
/// `api_request` event of the same request shares), else `dedupe_key(message.id)`.
fn key(message_id: Option<&Scalar<'_>>, request_id: Option<&Scalar<'_>>) -> Option<u64> {
    if let Some(r) = text(request_id).filter(|s| !s.is_empty()) {
        return Some(request_key(r));
    }
    text(message_id)
        .filter(|s| !s.is_empty())
        .map(|m| dedupe_key(&[m.as_bytes()]))
}

/// Project (`cwd`), session (`sessionId`), and tags `agent` and `git_branch`.
fn attribution(line: &RawLine<'_>) -> Attribution {
    let mut tags: Vec<(Arc<str>, Arc<str>)> = Vec::with_capacity(2);
    let sidechain = matches!(line.is_sidechain, Some(Scalar::Bool(true)));
    if let Some(agent) = fields::label(line.agent_id.as_ref()) {
        tags.push((Arc::clone(&AGENT), agent));
    } else if sidechain {
        tags.push((Arc::clone(&AGENT), Arc::clone(&SIDECHAIN)));
    }
    if let Some(branch) = fields::label(line.git_branch.as_ref()) {
        tags.push((Arc::clone(&GIT_BRANCH), branch));
    }
    Attribution {
        project: fields::label(line.cwd.as_ref()),
        session: fields::label(line.session_id.as_ref()),
        tags,
    }
}
