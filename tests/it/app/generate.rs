//! `costtop completions SHELL` and `costtop man` as a packager runs them: scripts a shell accepts
//! and that complete every subcommand, a man page that names every subcommand.

use std::process::Command;

use clap::CommandFactory;
use costtop::cli::Cli;

fn costtop(args: &[&str]) -> String {
    let out = crate::support::costtop().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "costtop {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every subcommand a user can type, from the definition that parses them.
fn subcommands() -> Vec<String> {
    let names: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    assert!(names.len() >= 11, "{names:?}");
    names
}

#[test]
fn every_shell_gets_a_script_naming_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = costtop(&["completions", shell]);
        for name in subcommands() {
            assert!(script.contains(&name), "{shell} script lacks {name}");
        }
    }
}

#[test]
fn bash_accepts_the_script_and_completes_subcommands_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("costtop.bash");
    std::fs::write(&path, costtop(&["completions", "bash"])).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        syntax.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    // Load it and ask it, as bash does on Tab: `costtop rep<Tab>`, `costtop report --f<Tab>`.
    let complete = |words: &str| {
        let script = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _costtop costtop \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path.display()
        );
        let out = Command::new("bash").arg("-c").arg(script).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut words: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        words.sort();
        words
    };
    assert_eq!(complete("costtop rep"), ["replay", "report"]);
    assert_eq!(complete("costtop report --f"), ["--format"]);
    assert_eq!(
        complete("costtop report --format ''"),
        ["csv", "html", "json", "table"]
    );
}

#[test]
fn man_page_is_roff_naming_every_subcommand() {
    let page = costtop(&["man"]);
    // clap_mangen opens with a string definition (`.ie`/`.el`), then the title.
    let first_request = page
        .lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"))
        .unwrap();
    assert!(
        first_request.starts_with(".TH costtop 1"),
        "{first_request}"
    );
    let subcommands_section = page.split(".SH SUBCOMMANDS").nth(1).unwrap();
    for name in subcommands() {
        let entry = format!("costtop\\-{}(1)", name.replace('-', "\\-"));
        assert!(subcommands_section.contains(&entry), "no {entry}");
    }
    assert!(!subcommands_section.contains("costtop\\-help(1)"));
}

#[test]
fn man_out_writes_one_page_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    costtop(&["man", "--out", out.to_str().unwrap()]);
    let mut expected: Vec<String> = subcommands()
        .iter()
        .map(|name| format!("costtop-{name}.1"))
        .collect();
    expected.push("costtop.1".to_string());
    expected.sort();
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, expected);
    let report = std::fs::read_to_string(out.join("costtop-report.1")).unwrap();
    assert!(
        report.contains(".TH costtop-report 1  \"costtop "),
        "{report}"
    );
    assert!(report.contains("\\-\\-since"));
}
