//! Claude Code-shaped transcript lines with unique keys: the same line with a different key
//! and output per `n` ([`line`]), and varied responses streamed in chunks ([`cc_line`]) whose
//! models, tiers, cache TTLs and stop reasons change with `n`.

/// A real Claude Code assistant line (v2.1.126 shape) whose `message.id`, `requestId` and
/// `output_tokens` are derived from `n`, so every line has its own key.
pub fn line(n: u64) -> String {
    format!(
        r#"{{"parentUuid":"1ff742f9-960a-4061-a7d1-b5daa8a30591","isSidechain":false,"message":{{"model":"claude-sonnet-4-6","id":"msg_{n:024}","type":"message","role":"assistant","content":[{{"type":"tool_use","id":"toolu_01G67VDs2nmkqzpTD72GihFS","name":"Bash","input":{{"command":"cargo test"}},"caller":{{"type":"direct"}}}}],"stop_reason":"tool_use","stop_sequence":null,"stop_details":null,"usage":{{"input_tokens":3,"cache_creation_input_tokens":2849,"cache_read_input_tokens":9493,"output_tokens":{n},"server_tool_use":{{"web_search_requests":0,"web_fetch_requests":0}},"service_tier":"standard","cache_creation":{{"ephemeral_1h_input_tokens":2849,"ephemeral_5m_input_tokens":0}},"inference_geo":"","iterations":[],"speed":"standard"}},"diagnostics":null}},"requestId":"req_{n:024}","type":"assistant","uuid":"a6a9cbc3-6456-43fd-85e8-b1d3e1a08361","timestamp":"2026-05-04T01:50:18.499Z","userType":"external","entrypoint":"sdk-cli","cwd":"/home/me/dev/app","sessionId":"dac472d2-1379-4e28-be38-cf9abf4ac4f0","version":"2.1.126","gitBranch":"main"}}"#
    )
}

/// Lines `range` joined, each with its newline.
pub fn lines(range: std::ops::Range<u64>) -> String {
    range.map(|n| line(n) + "\n").collect()
}

const MODELS: [&str; 4] = [
    "claude-sonnet-4-6",
    "claude-opus-4-6",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-1-20250805",
];

/// One streamed chunk of API response `n`: its output so far, and whether it is the last.
#[derive(Debug, Clone, Copy)]
pub struct Chunk {
    /// Response number: key, model, tier, cache split and time derive from it.
    pub n: u64,
    /// Output tokens on this line.
    pub output: u64,
    /// The final chunk carries a stop reason; earlier ones carry `null`.
    pub last: bool,
}

/// The complete record of response `n` (its output derives from `n`).
pub fn record(n: u64) -> Chunk {
    Chunk {
        n,
        output: output_of(n),
        last: true,
    }
}

/// The output tokens of response `n`'s complete record.
pub fn output_of(n: u64) -> u64 {
    10 + (n * 37) % 5000
}

/// A Claude Code assistant line (v2.1.126 shape) for `c`, newline included. Models, tiers,
/// cache TTLs, stop reasons and minutes vary with `n` so every pane has something to show.
pub fn cc_line(c: Chunk) -> String {
    let n = c.n;
    let model = MODELS[(n % 4) as usize];
    let tier = if n.is_multiple_of(5) {
        "batch"
    } else {
        "standard"
    };
    let (w5, w1) = if n.is_multiple_of(2) {
        (1200 + n % 97, 0)
    } else {
        (0, 2849)
    };
    let stop = if !c.last {
        "null".to_string()
    } else if n.is_multiple_of(7) {
        "\"max_tokens\"".to_string()
    } else {
        "\"tool_use\"".to_string()
    };
    let secs = n * 13;
    let ts = format!(
        "2026-05-04T{:02}:{:02}:{:02}.499Z",
        1 + secs / 3600 % 20,
        secs / 60 % 60,
        secs % 60
    );
    format!(
        concat!(
            r#"{{"parentUuid":"1ff742f9-960a-4061-a7d1-b5daa8a30591","isSidechain":false,"message":{{"model":"{model}","id":"msg_{n:024}","type":"message","role":"assistant","content":[{{"type":"tool_use","id":"toolu_01G67VDs2nmkqzpTD72GihFS","name":"Bash","input":{{"command":"cargo test"}},"caller":{{"type":"direct"}}}}],"stop_reason":{stop},"stop_sequence":null,"stop_details":null,"#,
            r#""usage":{{"input_tokens":{input},"cache_creation_input_tokens":{w},"cache_read_input_tokens":{read},"output_tokens":{out},"server_tool_use":{{"web_search_requests":0,"web_fetch_requests":0}},"service_tier":"{tier}","cache_creation":{{"ephemeral_1h_input_tokens":{w1},"ephemeral_5m_input_tokens":{w5}}},"inference_geo":"","iterations":[],"speed":"standard"}},"diagnostics":null}},"#,
            r#""requestId":"req_{n:024}","type":"assistant","uuid":"a6a9cbc3-6456-43fd-85e8-b1d3e1a08361","timestamp":"{ts}","userType":"external","entrypoint":"sdk-cli","cwd":"/home/me/dev/app{p}","sessionId":"dac472d2-1379-4e28-be38-cf9abf4ac4f0","version":"2.1.126","gitBranch":"main"}}"#,
            "\n"
        ),
        model = model,
        n = n,
        stop = stop,
        input = 3 + n % 11,
        w = w5 + w1,
        read = 9493 + n * 3,
        out = c.output,
        tier = tier,
        w1 = w1,
        w5 = w5,
        ts = ts,
        p = n % 3,
    )
}

/// Complete records for every `n` in `range`, one line each.
pub fn records(range: std::ops::Range<u64>) -> String {
    range.map(|n| cc_line(record(n))).collect()
}
