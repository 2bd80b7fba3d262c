//! Restart is exact: `costtop watch` killed with SIGKILL in the middle of following (a streamed
//! response half written, more lines arriving while it is dead, a resumed session repeating
//! old lines, a last line not finished) and started again shows exactly what a fresh `report`
//! of the same files shows: no record lost, none counted twice.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::files::append;

const BIN: &str = env!("CARGO_BIN_EXE_costtop");

/// One Claude Code assistant line of request `n`: a streamed placeholder (output 1, no stop
/// reason) or the final copy (output `100 + n`).
fn line(n: u64, last: bool) -> String {
    let (output, stop) = if last {
        (100 + n, r#""end_turn""#)
    } else {
        (1, "null")
    };
    format!(
        r#"{{"parentUuid":null,"isSidechain":false,"message":{{"model":"claude-sonnet-4-5","id":"msg_{n:08}","type":"message","role":"assistant","content":[{{"type":"text","text":"ok"}}],"stop_reason":{stop},"usage":{{"input_tokens":3,"cache_creation_input_tokens":200,"cache_read_input_tokens":{read},"output_tokens":{output},"service_tier":"standard","cache_creation":{{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":200}}}}}},"requestId":"req_{n:08}","type":"assistant","uuid":"u{n}","timestamp":"2026-11-20T10:{m:02}:{s:02}.000Z","cwd":"/home/me/app","sessionId":"s-{session}","version":"2.1.126"}}"#,
        read = 1000 + n,
        m = (n / 60) % 60,
        s = n % 60,
        session = n % 3,
    ) + "\n"
}

fn costtop(home: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env("HOME", home)
        .env_remove("CLAUDE_CONFIG_DIR");
    c
}

/// Reads `watch` lines until one shows at least `requests`.
fn wait_for_requests(lines: &mut impl Iterator<Item = String>, requests: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    for line in lines.by_ref() {
        let snap: serde_json::Value = serde_json::from_str(&line).expect("json");
        if snap["totals"]["requests"].as_u64() >= Some(requests) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "watch stuck at {}",
            snap["totals"]
        );
    }
    panic!("watch ended before {requests} requests");
}

fn totals(out: &[u8]) -> (serde_json::Value, serde_json::Value) {
    let snap: serde_json::Value = serde_json::from_slice(out).expect("json");
    (snap["totals"].clone(), snap["by_model"].clone())
}

#[test]
fn killed_mid_follow_and_started_again_shows_what_a_fresh_report_shows() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("projects");
    std::fs::create_dir_all(dir.join("app")).expect("mkdir");
    let (first, second) = (dir.join("app/s1.jsonl"), dir.join("app/s2.jsonl"));
    let dir_arg = dir.display().to_string();
    let live = [
        "watch",
        &dir_arg,
        "--interval",
        "100ms",
        "--since",
        "2000-01-01",
        "--window",
        "all",
    ];

    append(&first, &(0..200).map(|n| line(n, true)).collect::<String>());
    let mut watch: Child = costtop(tmp.path(), &live)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("watch starts");
    let mut lines = BufReader::new(watch.stdout.take().expect("stdout"))
        .lines()
        .map_while(Result::ok);
    wait_for_requests(&mut lines, 200);
    // Half of a streamed response: its placeholders are counted…
    append(
        &first,
        &(200..250).map(|n| line(n, false)).collect::<String>(),
    );
    wait_for_requests(&mut lines, 250);
    // …and then costtop is killed.
    watch.kill().expect("SIGKILL");
    watch.wait().expect("reaped");

    // While it is dead: the final copies, new requests, a resumed session repeating old
    // lines verbatim, and a last line not finished yet.
    append(
        &first,
        &(200..250).map(|n| line(n, true)).collect::<String>(),
    );
    append(
        &second,
        &(250..300).map(|n| line(n, true)).collect::<String>(),
    );
    append(&second, &(0..50).map(|n| line(n, true)).collect::<String>());
    let unfinished = line(300, true);
    append(&second, &unfinished[..unfinished.len() / 2]);

    let restarted = costtop(
        tmp.path(),
        &[
            "watch",
            &dir_arg,
            "--once",
            "--since",
            "2000-01-01",
            "--window",
            "all",
        ],
    )
    .output()
    .expect("watch --once");
    assert!(restarted.status.success(), "{restarted:?}");
    let report = costtop(
        tmp.path(),
        &[
            "report",
            &dir_arg,
            "--since",
            "2000-01-01",
            "--format",
            "json",
        ],
    )
    .output()
    .expect("report");
    assert!(report.status.success(), "{report:?}");
    let (live_totals, live_models) = totals(&restarted.stdout);
    let (report_totals, report_models) = totals(&report.stdout);
    assert_eq!(live_totals, report_totals);
    assert_eq!(live_models, report_models);
    // And both are the exact figures: 300 requests, each counted once at its final output.
    assert_eq!(live_totals["requests"], 300);
    let output: u64 = (0..300).map(|n| 100 + n).sum();
    assert_eq!(live_totals["output_tokens"], output);
}
