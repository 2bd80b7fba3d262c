//! The real dashboard in a real terminal (tmux): Ctrl-Z gives the terminal back and `fg`
//! redraws it whole, a storm of resizes ends in a correct screen, and SIGHUP (a dropped ssh
//! session) ends costtop cleanly with the terminal restored. "Restored" is what the shell
//! sees: its prompt is back and `stty -a` shows `icanon` and `echo`.
//!
//! Needs tmux (`.ci/run` installs it); without it the tests say so and pass, unless
//! `COSTTOP_REQUIRE_TOOLS=1` makes them fail.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::tools::tool;

const BIN: &str = env!("CARGO_BIN_EXE_costtop");
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sample");
/// The dashboard's title bar, and its footer of key hints.
const HEADER: &str = " costtop  window all";
const FOOTER: &str = " q quit";

/// A tmux server of the test's own (its own socket), killed when dropped; also drives Claude
/// Code through the proxy (`proxy::claude`).
pub(crate) struct Tmux {
    socket: String,
    home: tempfile::TempDir,
}

impl Tmux {
    /// A server with one 80×24 window running `command`; `None` without tmux.
    fn start(command: &str) -> Option<Tmux> {
        Tmux::start_sized(command, 80, 24)
    }

    /// A server with one `width`×`height` window running `command` (through `sh -c`, in an
    /// empty environment but for HOME, PATH and TERM); `None` without tmux.
    pub(crate) fn start_sized(command: &str, width: u16, height: u16) -> Option<Tmux> {
        static N: AtomicUsize = AtomicUsize::new(0);
        if !tool("tmux") {
            return None;
        }
        let socket = format!(
            "costtop-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let home = tempfile::tempdir().expect("home");
        let t = Tmux { socket, home };
        let env = format!(
            "env -i HOME={} PATH=/usr/bin:/bin TERM=xterm-256color PS1='PROMPT$ ' ",
            t.home.path().display()
        );
        t.run(&[
            "new",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-s",
            "t",
            &format!("{env}{command}"),
        ]);
        Some(t)
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        assert!(
            out.status.success() || args[0] == "kill-server",
            "tmux {args:?}: {out:?}"
        );
        out
    }

    pub(crate) fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    pub(crate) fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-t", "t", "-p"]).stdout).into_owned()
    }

    /// Waits (30 s at most) until the screen satisfies `ok`; returns it.
    fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_up_to(Duration::from_secs(30), what, ok)
    }

    /// Waits (`patience` at most) until the screen satisfies `ok`; returns it.
    pub(crate) fn wait_up_to(
        &self,
        patience: Duration,
        what: &str,
        ok: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + patience;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(Instant::now() < deadline, "never saw {what}:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits for the dashboard with the sample's records on it.
    fn dashboard(&self) -> String {
        self.wait("the dashboard", loaded)
    }

    /// The pid of the pane's first process.
    fn pane_pid(&self) -> u32 {
        let out = self.run(&["list-panes", "-t", "t", "-F", "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("pane pid")
    }

    /// Runs `stty -a` in the pane's shell and checks the terminal is back in cooked mode.
    fn assert_terminal_restored(&self) {
        self.keys(&["clear; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e echo -e -icanon -e -echo | sort | tr '\\n' ' '; echo MO''DES", "Enter"]);
        let screen = self.wait("stty's answer", |s| s.lines().any(|l| l.ends_with("MODES")));
        assert!(
            screen.contains("echo icanon MODES"),
            "terminal not restored:\n{screen}"
        );
        assert!(screen.contains("PROMPT$"), "no shell prompt:\n{screen}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// The dashboard is on screen with the sample's records read.
fn loaded(s: &str) -> bool {
    s.lines().next().is_some_and(|l| l.starts_with(HEADER))
        && s.lines().any(|l| l.starts_with(FOOTER))
        && s.contains("claude-opus-4-6")
}

fn costtop_command() -> String {
    format!("{BIN} {SAMPLE} --since 2000-01-01 --window all")
}

/// The costtop process that is a child of `parent`.
fn child_costtop(parent: u32) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            let Some((comm, rest)) = stat.split_once(") ") else {
                continue;
            };
            let parent_pid = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok());
            if comm.ends_with("(costtop") && parent_pid == Some(parent) {
                return pid;
            }
        }
        assert!(Instant::now() < deadline, "no costtop under {parent}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn gone(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"));
    stat.map_or(true, |s| {
        s.rsplit(')')
            .next()
            .and_then(|r| r.split_whitespace().next())
            .is_some_and(|state| state == "Z" || state == "X")
    })
}

#[test]
fn ctrl_z_gives_the_terminal_back_and_fg_draws_the_dashboard_again() {
    let Some(t) = Tmux::start("bash --norc --noprofile") else {
        return;
    };
    t.keys(&[&costtop_command(), "Enter"]);
    t.dashboard();
    t.keys(&["C-z"]);
    t.wait("the job stopped", |s| s.contains("Stopped"));
    t.assert_terminal_restored();
    t.keys(&["clear; fg", "Enter"]);
    let screen = t.dashboard();
    assert!(
        !screen.contains("MODES"),
        "the old screen shows through:\n{screen}"
    );
    t.keys(&["q"]);
    t.wait("the prompt after quitting", |s| s.contains("PROMPT$"));
    t.assert_terminal_restored();
}

#[test]
fn a_storm_of_resizes_ends_in_a_whole_screen_of_the_final_size() {
    let Some(t) = Tmux::start(&costtop_command()) else {
        return;
    };
    t.dashboard();
    for i in 0..20u16 {
        let (w, h) = (50 + (i * 37) % 120, 12 + (i * 11) % 40);
        t.run(&[
            "resize-window",
            "-t",
            "t",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ]);
    }
    t.run(&["resize-window", "-t", "t", "-x", "120", "-y", "40"]);
    let screen = t.wait("the dashboard at 120×40", |s| {
        let lines: Vec<&str> = s.lines().collect();
        lines.len() == 40
            && loaded(s)
            // The clock sits at the right end of the 120-column title bar.
            && lines[0].trim_end().chars().count() > 100
            && lines[39].starts_with(FOOTER)
    });
    // Every pane's frame is whole and nothing is left over from the storm: the same frame
    // characters as a dashboard started at 120×40.
    let Some(fresh) = Tmux::start(&costtop_command()) else {
        return;
    };
    fresh.run(&["resize-window", "-t", "t", "-x", "120", "-y", "40"]);
    let expected = fresh.wait("a fresh dashboard at 120×40", |s| {
        s.lines().count() == 40 && loaded(s)
    });
    assert_eq!(
        frames(&screen),
        frames(&expected),
        "after the storm:\n{screen}\nstarted at 120×40:\n{expected}"
    );
}

/// How many of each frame-drawing character a screen holds.
fn frames(screen: &str) -> std::collections::BTreeMap<char, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for c in screen.chars().filter(|c| "─│╭╮╰╯━┃┏┓┗┛".contains(*c)) {
        *counts.entry(c).or_insert(0) += 1;
    }
    counts
}

#[test]
fn sighup_ends_costtop_cleanly_and_restores_the_terminal() {
    let Some(t) = Tmux::start("bash --norc --noprofile") else {
        return;
    };
    t.keys(&[&costtop_command(), "Enter"]);
    t.dashboard();
    let pid = child_costtop(t.pane_pid());
    let hup = Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(hup.success());
    t.wait("the prompt after SIGHUP", |s| s.contains("PROMPT$"));
    t.keys(&["echo \"exit=$?\"", "Enter"]);
    t.wait("costtop's exit status", |s| s.contains("exit=0"));
    t.assert_terminal_restored();
}

#[test]
fn a_terminal_that_goes_away_ends_costtop() {
    let Some(t) = Tmux::start(&costtop_command()) else {
        return;
    };
    t.dashboard();
    let pid = t.pane_pid();
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    // The window closes as an ssh session would: the pty is gone and SIGHUP arrives.
    t.run(&["kill-session", "-t", "t"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !gone(pid) {
        assert!(Instant::now() < deadline, "costtop {pid} still running");
        std::thread::sleep(Duration::from_millis(50));
    }
}
