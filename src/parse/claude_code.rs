//! Claude Code transcript lines (`~/.claude/projects/**/*.jsonl`): one assistant line per
//! streamed chunk of an API response, with `message.usage`, `requestId` and attribution; the
//! sub-agent calls Claude Code copies into the parent transcript as `progress` lines; and the
//! assistant events of `claude -p --output-format stream-json`, which carry no time.

use std::sync::{Arc, LazyLock};

use super::fields::{self, schema};
use super::lenient::{Obj, Scalar};
use super::parsed::{LineContext, ParseError, Parsed};
use super::raw::{RawLine, RawMessage, RawProgress, RawUsage, text};
use super::times;
use crate::usage::{Attribution, EventKind, UsageEvent, request_keys};

/// Tag keys, shared by every event instead of allocated per line.
static AGENT: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("agent"));
static GIT_BRANCH: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("git_branch"));
static SIDECHAIN: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("sidechain"));

/// The model Claude Code writes for messages it made up itself (no API call, no cost).
const SYNTHETIC_MODEL: &str = "<synthetic>";

/// Where one API call's fields are in a line: a transcript line has them at the top level, a
/// `progress` line under `data.message`.
struct Call<'l, 'a> {
    message: &'l RawMessage<'a>,
    request_id: Option<&'l Scalar<'a>>,
    timestamp: Option<&'l Scalar<'a>>,
    /// The sub-agent that made the call, when known.
    agent: Option<&'l Scalar<'a>>,
    /// The call was a sub-agent's (tagged `agent`, `sidechain` when it has no id).
    sidechain: bool,
    /// Claude Code's own cost figure for the call (`costUSD`).
    estimate: Option<&'l Scalar<'a>>,
    /// Field paths for error messages.
    paths: &'static Paths,
}

/// Field paths of one shape, named in error messages.
struct Paths {
    model: &'static str,
    usage: &'static str,
    timestamp: &'static str,
}

const TOP: Paths = Paths {
    model: "message.model",
    usage: "message.usage",
    timestamp: "timestamp",
};

const EMBEDDED: Paths = Paths {
    model: "data.message.message.model",
    usage: "data.message.message.usage",
    timestamp: "data.message.timestamp",
};

/// Reads an assistant line (`type == "assistant"`, or no `type` and `message.role ==
/// "assistant"` as older versions wrote) into a request.
///
/// A line whose message has no usage, whose model is `<synthetic>` or that Claude Code marks
/// as an API error is not usage: no API call was billed.
pub(crate) fn parse(line: &RawLine<'_>, message: &RawMessage<'_>, ctx: &LineContext<'_>) -> Parsed {
    if matches!(line.is_api_error, Some(Scalar::Bool(true))) {
        return Parsed::NotUsage;
    }
    let call = Call {
        message,
        request_id: line.request_id.as_ref(),
        timestamp: line.timestamp.as_ref(),
        agent: line.agent_id.as_ref(),
        sidechain: matches!(line.is_sidechain, Some(Scalar::Bool(true)))
            || text(line.parent_tool_use_id.as_ref()).is_some(),
        estimate: line.cost_usd.as_ref(),
        paths: &TOP,
    };
    read(line, &call, ctx)
}

/// Reads a `progress` line: a sub-agent's API call copied into the parent transcript
/// (`data.message.message`, its request `data.message.requestId`, its time
/// `data.message.timestamp`, the sub-agent `data.agentId`). Attributed to the sub-agent and
/// to the parent's project and session; keyed like the same call in the sub-agent's own file,
/// so whichever copies exist, it counts once.
pub(crate) fn parse_progress(
    line: &RawLine<'_>,
    data: &RawProgress<'_>,
    ctx: &LineContext<'_>,
) -> Parsed {
    let Some(Obj::Map(envelope)) = &data.message else {
        // Hook and tool progress, or a payload costtop cannot recognise as a call.
        return Parsed::NotUsage;
    };
    let message = match &envelope.message {
        Some(Obj::Map(message)) => message,
        Some(Obj::NotMap) if text(envelope.kind.as_ref()) == Some("assistant") => {
            return Parsed::Invalid(schema("data.message.message", "not an object"));
        }
        _ => return Parsed::NotUsage,
    };
    let call = Call {
        message,
        request_id: envelope.request_id.as_ref(),
        // A copy without its own time takes the progress line's.
        timestamp: envelope.timestamp.as_ref().or(line.timestamp.as_ref()),
        agent: data.agent_id.as_ref(),
        sidechain: true,
        estimate: None,
        paths: &EMBEDDED,
    };
    read(line, &call, ctx)
}

fn read(line: &RawLine<'_>, call: &Call<'_, '_>, ctx: &LineContext<'_>) -> Parsed {
    let usage = match &call.message.usage {
        None => return Parsed::NotUsage,
        Some(Obj::NotMap) => return Parsed::Invalid(schema(call.paths.usage, "not an object")),
        Some(Obj::Map(usage)) => usage,
    };
    if text(call.message.model.as_ref()) == Some(SYNTHETIC_MODEL) {
        return Parsed::NotUsage;
    }
    match build(line, call, usage, ctx) {
        Ok(event) => Parsed::Usage(event),
        Err(error) => Parsed::Invalid(error),
    }
}

fn build(
    line: &RawLine<'_>,
    call: &Call<'_, '_>,
    usage: &RawUsage<'_>,
    ctx: &LineContext<'_>,
) -> Result<UsageEvent, ParseError> {
    let message = call.message;
    let model = fields::model(message.model.as_ref(), call.paths.model)?;
    let timestamp = match call.timestamp {
        Some(value) => times::time(value, call.paths.timestamp)?,
        // stream-json events carry no time: the file's, as for the other undated formats.
        None if line.stream_session_id.is_some() => ctx.fallback_time,
        None => return Err(schema(call.paths.timestamp, "missing")),
    };
    let tokens = fields::tokens(usage, call.paths.usage)?;
    let stop_reason = fields::stop_reason(message.stop_reason.as_ref());
    let iterations = fields::iterations(usage, &model, call.paths.usage)?;
    let (key, alt_key) = request_keys(
        text(call.request_id).filter(|s| !s.is_empty()),
        text(message.id.as_ref()),
    );
    Ok(UsageEvent {
        key,
        alt_key,
        rank: fields::rank(&tokens, stop_reason),
        timestamp,
        model,
        tokens,
        tier: fields::tier(usage, None),
        modifiers: fields::modifiers(usage),
        stop_reason,
        kind: EventKind::Request,
        attribution: attribution(line, call),
        iterations,
        // A check, not a price: a figure that is not a plain amount is dropped, the usage kept.
        estimate: call
            .estimate
            .and_then(|value| fields::dollars(value, "costUSD").ok()),
    })
}

/// Project (`cwd`), session (`sessionId`, or stream-json's `session_id`), and tags `agent` and
/// `git_branch`.
fn attribution(line: &RawLine<'_>, call: &Call<'_, '_>) -> Attribution {
    let mut tags: Vec<(Arc<str>, Arc<str>)> = Vec::with_capacity(2);
    if let Some(agent) = fields::label(call.agent) {
        tags.push((Arc::clone(&AGENT), agent));
    } else if call.sidechain {
        tags.push((Arc::clone(&AGENT), Arc::clone(&SIDECHAIN)));
    }
    if let Some(branch) = fields::label(line.git_branch.as_ref()) {
        tags.push((Arc::clone(&GIT_BRANCH), branch));
    }
    Attribution {
        project: fields::label(line.cwd.as_ref()),
        session: fields::label(line.session_id.as_ref())
            .or_else(|| fields::label(line.stream_session_id.as_ref())),
        tags,
    }
}
