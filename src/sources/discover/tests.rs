//! SOURCE arguments resolved against real folders: files, directories, globs, the default
//! Claude Code locations, and the errors that name what could not be read.

use std::fs;

use super::*;

fn touch(root: &Path, rel: &str) -> PathBuf {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
    fs::write(&path, b"{}\n").expect("write");
    path
}

fn names(root: &Path, files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|f| {
            f.strip_prefix(root)
                .expect("below root")
                .display()
                .to_string()
        })
        .collect()
}

#[test]
fn directory_lists_jsonl_recursively_sorted_without_subagent_journals() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    touch(root, "b/s2.jsonl");
    touch(root, "a/s1.jsonl");
    touch(root, "a/s1/subagents/agent-1.jsonl");
    touch(root, "a/s1/subagents/journal.jsonl");
    touch(root, "a/journal.jsonl");
    touch(root, "a/notes.txt");
    let found = discover(&[root.display().to_string()]);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let [source] = &found.sources[..] else {
        panic!("one source expected: {:?}", found.sources);
    };
    assert_eq!(source.kind, SourceKind::Dir);
    assert_eq!(
        names(root, &source.files),
        [
            "a/journal.jsonl",
            "a/s1/subagents/agent-1.jsonl",
            "a/s1.jsonl",
            "b/s2.jsonl"
        ]
    );
}

#[test]
fn glob_matches_below_its_literal_prefix() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    touch(root, "logs/app-1.jsonl");
    touch(root, "logs/deep/app-2.jsonl");
    touch(root, "logs/other.jsonl");
    touch(root, "elsewhere/app-3.jsonl");
    let one_level = format!("{}/logs/app-*.jsonl", root.display());
    let any_depth = format!("{}/logs/**/app-*.jsonl", root.display());
    let found = discover(&[one_level.clone(), any_depth]);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert_eq!(found.sources[0].kind, SourceKind::Glob);
    assert_eq!(names(root, &found.sources[0].files), ["logs/app-1.jsonl"]);
    assert_eq!(
        names(root, &found.sources[1].files),
        ["logs/app-1.jsonl", "logs/deep/app-2.jsonl"]
    );
    assert_eq!(literal_prefix(&one_level), root.join("logs"));
}

#[test]
fn missing_path_error_names_the_path_and_others_still_resolve() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = touch(tmp.path(), "one.jsonl");
    let missing = tmp.path().join("nope.jsonl");
    let found = discover(&[missing.display().to_string(), file.display().to_string()]);
    assert_eq!(found.sources.len(), 1);
    assert_eq!(found.sources[0].kind, SourceKind::File);
    assert_eq!(found.sources[0].files, vec![file]);
    let [err] = &found.errors[..] else {
        panic!("one error expected: {:?}", found.errors);
    };
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );
}

#[test]
fn dash_means_stdin() {
    let found = discover(&["-"]);
    assert_eq!(found.sources[0].kind, SourceKind::Stdin);
    assert_eq!(found.sources[0].name, "stdin");
}

#[test]
fn invalid_glob_is_an_error_naming_the_pattern() {
    let found = discover(&["/nonexistent/[a.jsonl"]);
    assert!(found.sources.is_empty());
    assert!(found.errors[0].to_string().contains("[a.jsonl"));
}

#[test]
fn claude_config_dir_entries_replace_the_defaults() {
    let home = Path::new("/home/me");
    assert_eq!(
        locations_from(Some("/a, ~/b,"), Some(home)),
        [
            PathBuf::from("/a/projects"),
            PathBuf::from("/home/me/b/projects")
        ]
    );
    assert_eq!(
        locations_from(None, Some(home)),
        [
            PathBuf::from("/home/me/.claude/projects"),
            PathBuf::from("/home/me/.config/claude/projects")
        ]
    );
    assert_eq!(locations_from(Some(" "), Some(home)).len(), 2);
}

#[test]
fn rescan_finds_files_in_new_subfolders() {
    let tmp = tempfile::tempdir().expect("tempdir");
    touch(tmp.path(), "a.jsonl");
    let found = discover(&[tmp.path().display().to_string()]);
    touch(tmp.path(), "new/b.jsonl");
    let files = found.sources[0].rescan().expect("rescan");
    assert_eq!(names(tmp.path(), &files), ["a.jsonl", "new/b.jsonl"]);
}
