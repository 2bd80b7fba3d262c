//! An isolated home for one real Claude Code: `HOME` and `CLAUDE_CONFIG_DIR` in a temp dir, a
//! working folder, a runner for `claude -p` pointed at the mock, and what its transcripts hold.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::mock::{MockApi, Served};

/// The model every run asks for (priced in `data/prices.toml`).
pub(crate) const MODEL: &str = "claude-sonnet-4-6";

/// Longest one `claude -p` may take before the test fails (with what the mock served).
pub(crate) const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// A key of the right shape; the mock accepts any.
pub(crate) const API_KEY: &str = "sk-ant-api03-costtop-mock-key-0000000000000000";

/// A temp dir holding `home/` (`HOME`), `home/.claude/` (`CLAUDE_CONFIG_DIR`) and `work/`
/// (the folder Claude Code runs in). Deleted when dropped.
pub(crate) struct ClaudeHome {
    _tmp: tempfile::TempDir,
    /// `HOME`.
    pub home: PathBuf,
    /// `CLAUDE_CONFIG_DIR`: transcripts go to its `projects/`.
    pub config_dir: PathBuf,
    /// The working folder of every run.
    pub cwd: PathBuf,
    /// Environment set on every run after the defaults of [`ClaudeHome::claude`]; an empty
    /// value removes the variable. For OTLP telemetry: `CLAUDE_CODE_ENABLE_TELEMETRY=1`,
    /// `OTEL_LOGS_EXPORTER=otlp`, `OTEL_EXPORTER_OTLP_PROTOCOL=http/json` (or `http/protobuf`),
    /// `OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:PORT` (2.1.197 exports with
    /// `DISABLE_TELEMETRY=1` still set).
    pub env: Vec<(String, String)>,
}

impl ClaudeHome {
    /// A fresh, empty home with its `projects/` folder created (so a watcher can start first).
    pub(crate) fn new() -> ClaudeHome {
        let tmp = tempfile::Builder::new()
            .prefix("costtop-claude-")
            .tempdir()
            .expect("tempdir");
        let home = tmp.path().join("home");
        let config_dir = home.join(".claude");
        let cwd = tmp.path().join("work");
        for dir in [&config_dir.join("projects"), &cwd] {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        ClaudeHome {
            _tmp: tmp,
            home,
            config_dir,
            cwd,
            env: Vec::new(),
        }
    }

    /// Where Claude Code writes transcripts.
    pub(crate) fn projects(&self) -> PathBuf {
        self.config_dir.join("projects")
    }

    /// `claude` with a clean environment pointed at `mock`: `HOME`, `CLAUDE_CONFIG_DIR`,
    /// `ANTHROPIC_BASE_URL`, a key, no auto-updater, telemetry and error reports off; then
    /// [`ClaudeHome::env`].
    pub(crate) fn claude(&self, bin: &Path, mock: &MockApi) -> Command {
        let mut cmd = Command::new(bin);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("CLAUDE_CONFIG_DIR", &self.config_dir)
            .env("ANTHROPIC_BASE_URL", mock.base_url())
            .env("ANTHROPIC_API_KEY", API_KEY)
            .env("DISABLE_AUTOUPDATER", "1")
            .env("DISABLE_TELEMETRY", "1")
            .env("DISABLE_ERROR_REPORTING", "1")
            .current_dir(&self.cwd)
            .stdin(Stdio::null());
        for (name, value) in &self.env {
            if value.is_empty() {
                cmd.env_remove(name);
            } else {
                cmd.env(name, value);
            }
        }
        cmd
    }

    /// `claude -p PROMPT --model MODEL ARGS…`, started (not awaited).
    pub(crate) fn spawn_print(
        &self,
        bin: &Path,
        mock: &MockApi,
        prompt: &str,
        args: &[&str],
    ) -> Child {
        self.claude(bin, mock)
            .args(["-p", prompt, "--model", MODEL])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start claude")
    }

    /// `claude -p PROMPT --model MODEL ARGS…` to the end; panics unless it succeeds in
    /// [`RUN_TIMEOUT`]. Returns its stdout.
    pub(crate) fn print(&self, bin: &Path, mock: &MockApi, prompt: &str, args: &[&str]) -> String {
        let child = self.spawn_print(bin, mock, prompt, args);
        let out = finish(child, RUN_TIMEOUT);
        assert!(
            out.status.success(),
            "claude -p failed ({}): {}\nstdout: {}\nmock served: {:#?}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout),
            mock.served()
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Every `*.jsonl` below `projects/`, sorted (sessions and sub-agent files).
    pub(crate) fn transcripts(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(self.projects())
            .into_iter()
            .filter_map(Result::ok)
            .map(walkdir::DirEntry::into_path)
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        files.sort();
        files
    }

    /// How many times each served request's id is written in the transcripts (any line shape:
    /// assistant lines, sub-agent files, copies in forked sessions or parent transcripts).
    pub(crate) fn mentions(&self, served: &[Served]) -> Vec<(Served, usize)> {
        let texts: Vec<String> = self
            .transcripts()
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .collect();
        served
            .iter()
            .map(|s| {
                let quoted = format!("\"{}\"", s.request_id);
                let n = texts.iter().map(|t| t.matches(&quoted).count()).sum();
                (s.clone(), n)
            })
            .collect()
    }

    /// The served requests the transcripts hold (their request id is written somewhere).
    pub(crate) fn held(&self, served: &[Served]) -> Vec<Served> {
        self.mentions(served)
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, _)| s)
            .collect()
    }

    /// The session ids Claude Code wrote (transcript file names under a project folder).
    pub(crate) fn sessions(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .transcripts()
            .iter()
            .filter(|p| p.parent().and_then(Path::parent) == Some(&self.projects()))
            .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
            .collect();
        ids.sort();
        ids
    }

    /// Pre-accepts the first-run dialogs of an interactive Claude Code (onboarding, the API
    /// key, trust of the working folder), in `$HOME/.claude.json` and the config dir's copy.
    pub(crate) fn accept_first_run_dialogs(&self) {
        let tail = &API_KEY[API_KEY.len() - 20..];
        let state = serde_json::json!({
            "hasCompletedOnboarding": true,
            "customApiKeyResponses": {"approved": [tail], "rejected": []},
            "projects": {self.cwd.to_string_lossy(): {"hasTrustDialogAccepted": true}},
        });
        for path in [
            self.home.join(".claude.json"),
            self.config_dir.join(".claude.json"),
        ] {
            std::fs::write(path, state.to_string()).expect("write .claude.json");
        }
    }
}

/// Waits for `child` at most `timeout` (killing it past that), collecting its output. The
/// pipes are drained meanwhile, so a chatty child cannot block on a full pipe.
pub(crate) fn finish(mut child: Child, timeout: Duration) -> Output {
    fn drain(
        pipe: Option<impl std::io::Read + Send + 'static>,
    ) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll child") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            break child.wait().expect("reap child");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}
