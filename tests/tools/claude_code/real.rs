//! costtop against a real, pinned Claude Code (`scripts/install-claude-code.sh`) talking to
//! the tests' own mock Messages API: reports equal exactly what the mock served for the
//! requests the transcripts hold; resumed and forked sessions are not double counted; a
//! sub-agent's calls count once with or without their file; `watch` sees each request of a
//! running Claude Code within a second of its transcript line.
//!
//! Every expected figure comes from the mock's own record of what it served (priced with
//! `costtop::pricing`), never from a hand-copied number; which requests a transcript holds is
//! read from the transcripts (Claude Code makes side calls, e.g. session titles, that it does
//! not write down).

use crate::support::claude_code::{
    self, ClaudeHome, MockApi, MockOptions, Purpose, START_SUBAGENT, expected_totals, ids, install,
    report_json, report_totals,
};

/// One `claude -p`: the report over its folder counts every request the transcript holds,
/// once, at costtop's price for the usage served, under the session Claude Code named.
#[test]
fn report_counts_each_request_the_transcript_holds_once_at_its_price() {
    let Some(claude) = install::claude_or_skip() else {
        return;
    };
    let mock = MockApi::start(MockOptions::default());
    let home = ClaudeHome::new();
    let answer = home.print(&claude, &mock, "Say hello to costtop.", &[]);
    assert!(answer.contains("Hello from the mock"), "{answer}");

    let served = mock.served();
    let held = home.held(&served);
    eprintln!("served {:?}\nheld {:?}", ids(&served), ids(&held));
    let prompt = served
        .iter()
        .find(|s| s.purpose == Purpose::Main)
        .expect("the prompt reached the mock");
    assert!(
        held.iter().any(|h| h.request_id == prompt.request_id),
        "the prompt's request is not in the transcript: {:?}",
        home.transcripts()
    );
    assert_eq!(report_totals(&home.projects()), expected_totals(&held));

    let sessions = home.sessions();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(prompt.session_id.as_deref(), Some(sessions[0].as_str()));
    let by_session = report_json(&home.projects(), &["--by", "session"]);
    let row = &by_session["rows"][0];
    assert_eq!(row["key"], sessions[0].as_str(), "{by_session}");
    assert_eq!(row["requests"], held.len());
}

/// `--resume` appends to the session's transcript; `--resume --fork-session` copies its
/// history, request ids included, into a new transcript. Neither counts a request twice.
#[test]
fn resumed_and_forked_sessions_are_not_double_counted() {
    let Some(claude) = install::claude_or_skip() else {
        return;
    };
    let mock = MockApi::start(MockOptions::default());
    let home = ClaudeHome::new();
    home.print(&claude, &mock, "First question.", &[]);
    let session = home.sessions().pop().expect("a session transcript");
    let first = home.held(&mock.served());
    assert_eq!(report_totals(&home.projects()), expected_totals(&first));

    home.print(&claude, &mock, "Second question.", &["--resume", &session]);
    let resumed = home.held(&mock.served());
    assert!(
        resumed.len() > first.len(),
        "the resumed turn is not in a transcript"
    );
    assert_eq!(
        home.sessions(),
        vec![session.clone()],
        "--resume kept one session"
    );
    assert_eq!(report_totals(&home.projects()), expected_totals(&resumed));

    let args = ["--resume", session.as_str(), "--fork-session"];
    home.print(&claude, &mock, "Third question, in a fork.", &args);
    assert_eq!(
        home.sessions().len(),
        2,
        "--fork-session wrote a new session"
    );
    let mentions = home.mentions(&mock.served());
    assert!(
        mentions.iter().any(|(_, n)| *n > 1),
        "the fork repeats no request id, so this test proves nothing: {mentions:?}"
    );
    let all = home.held(&mock.served());
    eprintln!("held after the fork {:?}", ids(&all));
    assert_eq!(report_totals(&home.projects()), expected_totals(&all));
}

/// A run whose main agent starts a sub-agent: counted once with the sub-agent's own file, and
/// still exactly what the remaining transcript holds once `<session>/subagents/` is deleted.
#[test]
fn sub_agent_run_counts_once_with_or_without_the_sub_agent_file() {
    let Some(claude) = install::claude_or_skip() else {
        return;
    };
    let (mock, home) = run_with_subagent(&claude);

    let served = mock.served();
    assert!(
        served.iter().any(|s| s.purpose == Purpose::SubAgent),
        "no sub-agent request reached the mock: {:?}",
        ids(&served)
    );
    let held = home.held(&served);
    eprintln!("served {:?}\nheld {:?}", ids(&served), ids(&held));
    assert!(
        held.iter().any(|s| s.purpose == Purpose::SubAgent),
        "no transcript holds the sub-agent's request: {:?}",
        home.transcripts()
    );
    assert_eq!(report_totals(&home.projects()), expected_totals(&held));

    let session = home.sessions().pop().expect("a session");
    let project = home
        .transcripts()
        .into_iter()
        .find(|p| p.file_stem().is_some_and(|s| *s == *session))
        .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
        .expect("the session's project folder");
    let subagents = project.join(&session).join("subagents");
    assert!(
        subagents.is_dir(),
        "{} was not written",
        subagents.display()
    );
    std::fs::remove_dir_all(&subagents).expect("delete subagents/");
    let without = home.held(&served);
    eprintln!("held without subagents/ {:?}", ids(&without));
    assert_eq!(report_totals(&home.projects()), expected_totals(&without));
}

/// `costtop statusline` fed the status JSON of a real session shows what the mock served for
/// the requests its transcripts hold (sub-agent included), and today's total over the folder.
#[test]
fn statusline_shows_the_served_cost_of_a_real_session() {
    let Some(claude) = install::claude_or_skip() else {
        return;
    };
    let (mock, home) = run_with_subagent(&claude);
    home.print(&claude, &mock, "Another session.", &[]);
    let served = mock.served();
    let sessions = home.sessions();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let first = served
        .iter()
        .find(|s| s.purpose == Purpose::SubAgent)
        .and_then(|s| s.session_id.clone())
        .expect("the sub-agent's session");
    let mine: Vec<_> = home
        .held(&served)
        .into_iter()
        .filter(|s| s.session_id.as_deref() == Some(first.as_str()))
        .collect();
    let transcript = home
        .transcripts()
        .into_iter()
        .find(|p| p.file_stem().is_some_and(|s| *s == *first))
        .expect("the session's transcript");
    let status = serde_json::json!({
        "session_id": first,
        "transcript_path": transcript,
        "model": {"id": claude_code::MODEL, "display_name": "Sonnet 4.6"},
        "cost": {"total_cost_usd": 0.01},
    });
    let line = claude_code::statusline(
        &home,
        &status.to_string(),
        &["--format", "{session}|{today}"],
    );
    let today = claude_code::expected_cost(&home.held(&served));
    assert_eq!(
        line,
        format!("{}|{today}", claude_code::expected_cost(&mine)),
        "held by the session: {:?}",
        ids(&mine)
    );
}

/// One `claude -p` whose main agent starts a sub-agent, in a fresh home against a fresh mock.
fn run_with_subagent(claude: &std::path::Path) -> (MockApi, ClaudeHome) {
    let mock = MockApi::start(MockOptions::default());
    let home = ClaudeHome::new();
    let prompt = format!("Survey this folder with a sub-agent. {START_SUBAGENT}");
    let answer = home.print(claude, &mock, &prompt, &[]);
    assert!(answer.contains("reported back"), "{answer}");
    (mock, home)
}

/// The mock itself, without Claude Code: a non-streaming request gets the whole message as
/// JSON and a streamed one the SSE events in order, both with the usage it records as served.
#[test]
fn mock_answers_json_and_sse_with_the_usage_it_records() {
    let mock = MockApi::start(MockOptions::default());
    let body = r#"{"model":"claude-sonnet-4-6","max_tokens":64,"tools":[{"name":"Read"}],
        "messages":[{"role":"user","content":"hi"}]}"#;
    let (head, json) = post(mock.base_url(), body);
    let served = mock.served();
    assert_eq!(served.len(), 1);
    assert!(
        head.contains(&format!("request-id: {}", served[0].request_id)),
        "{head}"
    );
    let message: serde_json::Value = serde_json::from_str(&json).expect("JSON answer");
    assert_eq!(message["id"], served[0].message_id.as_str());
    assert_eq!(message["usage"]["output_tokens"], served[0].usage.output);
    assert_eq!(
        message["usage"]["cache_creation"]["ephemeral_1h_input_tokens"],
        served[0].usage.cache_write_1h
    );
    assert_eq!(served[0].purpose, Purpose::Main);

    let (_, sse) = post(
        mock.base_url(),
        &body.replacen('{', r#"{"stream":true,"#, 1),
    );
    let events: Vec<&str> = sse
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .collect();
    assert_eq!(
        events,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    let second = &mock.served()[1];
    assert!(second.stream && second.usage != served[0].usage);
    assert!(sse.contains(&format!("\"output_tokens\":{}", second.usage.output)));
}

/// A minimal HTTP/1.1 POST to `/v1/messages`; returns the response head and body.
fn post(base: &str, body: &str) -> (String, String) {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to the mock");
    write!(
        stream,
        "POST /v1/messages?beta=true HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    (head.to_owned(), body.to_owned())
}
