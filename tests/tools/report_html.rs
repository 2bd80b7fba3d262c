//! The HTML report of the demo's recording (`costtop demo --record`, started here through the
//! library as the dashboard starts it) as the field sees it: html5lib (the HTML5 parsing
//! algorithm, strict) finds no parse error, and a real headless Chromium renders it to a PNG
//! (light and dark, kept under `target/tmp/report-html/` to look at) while every host name
//! fails to resolve and every proxied request is refused; its net log shows no request from
//! the page.
//!
//! Chromium (Debian's `chromium`) and html5lib (in the venv `.ci/run` builds, found through
//! `COSTTOP_OTEL_PYTHON`) are installed by `.ci/run`; without them these tests print a notice
//! and pass, unless `COSTTOP_REQUIRE_TOOLS=1` makes them fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use costtop::app::{start_demo, story_start};
use costtop::cli::{CommonArgs, DemoArgs, FollowArgs, UiArgs};
use costtop::sources::demo::{DemoFeed, Scenario};
use costtop::time::{Window, Zone};
use serde_json::Value;

use crate::support::costtop;
use crate::support::tools::{self, tool};

fn utc() -> Zone {
    Zone::Named(chrono_tz::UTC)
}

/// Runs the demo with `--record` until its history and a little of its live part are read,
/// and returns the recording.
async fn demo_recording(dir: &Path) -> PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(&config, "").expect("config");
    let record = dir.join("demo-record.jsonl");
    let args = DemoArgs {
        speed: 150.0,
        seed: 7,
        common: CommonArgs {
            config: Some(config),
            tz: Some(utc()),
            ..CommonArgs::default()
        },
        follow: FollowArgs {
            record: Some(record.clone()),
            window: Some(Window::All),
            ..FollowArgs::default()
        },
        ui: UiArgs::default(),
    };
    // The history the demo writes before its tail starts: every record up to the story's start.
    let history = DemoFeed::new(Scenario::new(7, story_start(&utc(), Utc::now())))
        .due(story_start(&utc(), Utc::now()))
        .len() as u64;
    let run = start_demo(&args).await.expect("demo starts");
    tokio::time::sleep(Duration::from_secs(1)).await;
    run.writer.abort();
    // The tail has drained when the history is in and two snapshots in a row agree.
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut last = None;
    loop {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let snap = run.handle.snapshot_now(None).await.expect("snapshot");
        if snap.totals.requests >= history && last == Some(snap.totals) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the demo's history ({history} records) was not read: {:?}",
            snap.totals
        );
        last = Some(snap.totals);
    }
    drop(run);
    record
}

/// `costtop report --format html` of the recording: by feature, per session, and the
/// night compared with the early morning (the recording runs from midnight to ~13:00, and a
/// `--since` after the file was last written would skip it, so both periods start before now).
fn html_report(record: &Path, out: &Path) {
    let day = story_start(&utc(), Utc::now()).date_naive();
    let at = |h: u32| {
        day.and_hms_opt(h, 0, 0)
            .expect("an hour")
            .and_utc()
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    };
    let output = costtop()
        .arg("report")
        .arg(record)
        .args(["--format", "html", "--tz", "UTC", "--by", "tag:feature"])
        .args(["--per", "tag:session", "--compare"])
        .arg(format!("{}..{}", at(0), at(4)))
        .arg(format!("{}..{}", at(4), at(8)))
        .output()
        .expect("costtop runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = String::from_utf8(output.stdout).expect("utf-8");
    assert!(html.contains("What changed and why"));
    assert!(!html.contains("no records"), "an empty report");
    assert!(html.contains("Spend per session"));
    std::fs::write(out, html).expect("page written");
}

/// The venv's Python with html5lib (`COSTTOP_OTEL_PYTHON`, else `python3`).
fn html5lib_python() -> Option<String> {
    let python = std::env::var("COSTTOP_OTEL_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import html5lib"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        tools::missing(&format!("{python} lacks html5lib"));
    }
    ok.then_some(python)
}

const PARSE: &str = r"
import sys, html5lib
p = html5lib.HTMLParser(strict=False)
p.parse(open(sys.argv[1], 'rb').read().decode('utf-8'))
for pos, code, data in p.errors:
    print(pos, code, data)
";

/// Where the pictures are kept to be looked at.
fn keep_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp/report-html");
    std::fs::create_dir_all(&dir).expect("target/tmp");
    dir
}

/// The requests a page made in a Chromium net log: those started on behalf of a `file://`
/// page (Chromium's own background requests are the browser's, with no such page).
fn page_requests(log: &Value) -> Vec<String> {
    let Some(start) = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64() else {
        panic!("no URL_REQUEST_START_JOB in the net log's constants");
    };
    let events = log["events"].as_array().map_or(&[][..], Vec::as_slice);
    events
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start))
        .map(|e| &e["params"])
        .filter(|p| {
            p["network_isolation_key"]
                .as_str()
                .is_some_and(|k| k.starts_with("file://"))
        })
        .filter_map(|p| p["url"].as_str().map(str::to_string))
        .collect()
}

/// Renders `page` to `png` in headless Chromium with nothing reachable beyond the machine,
/// and returns the URLs the page asked for.
fn render(page: &Path, png: &Path, scratch: &Path, extra: &[&str]) -> Vec<String> {
    let netlog = scratch.join(format!(
        "{}.netlog.json",
        page.file_stem().and_then(|s| s.to_str()).unwrap_or("page")
    ));
    let _ = std::fs::remove_file(png);
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1200,7200",
            // Nothing outside the file can load: no name resolves, and a proxy that refuses.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
        ])
        .args(extra)
        .arg(format!(
            "--user-data-dir={}",
            scratch.join("profile").display()
        ))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success() && png.exists(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: Value =
        serde_json::from_slice(&std::fs::read(&netlog).expect("net log")).expect("net log JSON");
    page_requests(&log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_recording_renders_offline_in_chromium_and_parses_as_html5() {
    let python = html5lib_python();
    let chromium = tool("chromium");
    if python.is_none() && !chromium {
        return;
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let record = demo_recording(scratch.path()).await;
    let page = scratch.path().join("report.html");
    html_report(&record, &page);

    if let Some(python) = python {
        let out = Command::new(python)
            .args(["-c", PARSE])
            .arg(&page)
            .output()
            .expect("python runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let errors = String::from_utf8_lossy(&out.stdout);
        assert!(errors.trim().is_empty(), "HTML5 parse errors:\n{errors}");
    }
    if !chromium {
        return;
    }
    // The check sees a page's requests: a page with a remote image and a remote background.
    let control = scratch.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><title>c</title><img src=http://example.com/a.png alt=a>\
         <div style='background:url(https://example.org/b.png)'>b</div>",
    )
    .expect("control page");
    let asked = render(
        &control,
        &scratch.path().join("control.png"),
        scratch.path(),
        &[],
    );
    assert!(
        asked.iter().any(|u| u.starts_with("http://example.com/")),
        "the net log check misses a page's request: {asked:?}"
    );

    let keep = keep_dir();
    let png = keep.join("demo-report.png");
    let asked = render(&page, &png, scratch.path(), &[]);
    assert!(asked.is_empty(), "the report asked for {asked:?}");
    // And as a reader who prefers dark sees it.
    let dark = keep.join("demo-report-dark.png");
    let asked = render(
        &page,
        &dark,
        scratch.path(),
        &["--blink-settings=preferredColorScheme=0"],
    );
    assert!(asked.is_empty(), "the dark report asked for {asked:?}");
    // A PNG, and not a blank one: a full page of charts is far larger than an empty picture.
    let bytes = std::fs::read(&png).expect("png");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(bytes.len() > 50_000, "{} bytes: a blank page?", bytes.len());
    std::fs::copy(&page, keep.join("demo-report.html")).expect("page kept");
}
