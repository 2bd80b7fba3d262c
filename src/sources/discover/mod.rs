//! Resolves SOURCE arguments (file, directory, glob, `-`) and the default Claude Code folders
//! into the files to read.

use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use walkdir::WalkDir;

/// What kind of argument a source came from; decides how it is rescanned while following.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// One file, followed by path (it may be rotated or recreated).
    File,
    /// A directory: every `*.jsonl` below it.
    Dir,
    /// A glob pattern over paths.
    Glob,
    /// Standard input (`-`).
    Stdin,
}

/// One SOURCE argument and the files it stands for right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The argument as given (a directory found by default: its path); `stdin` for `-`.
    pub name: String,
    /// What the argument is.
    pub kind: SourceKind,
    /// Files it matched, sorted (empty for stdin).
    pub files: Vec<PathBuf>,
}

impl Source {
    /// Lists the files the source stands for now (new files and sub-folders included);
    /// a single file's list is itself, whether it exists or not.
    pub(crate) fn rescan(&self) -> Result<Vec<PathBuf>, DiscoverError> {
        match self.kind {
            SourceKind::File => Ok(vec![PathBuf::from(&self.name)]),
            SourceKind::Stdin => Ok(Vec::new()),
            SourceKind::Dir => list_dir(Path::new(&self.name)),
            SourceKind::Glob => list_glob(&self.name),
        }
    }

    /// The folder whose changes can bring new data: the directory, the glob's literal
    /// prefix, a file's parent; `None` for stdin.
    pub(crate) fn watch_root(&self) -> Option<PathBuf> {
        let root = match self.kind {
            SourceKind::Stdin => return None,
            SourceKind::Dir => PathBuf::from(&self.name),
            SourceKind::Glob => literal_prefix(&self.name),
            SourceKind::File => Path::new(&self.name)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        };
        Some(if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        })
    }
}

/// Why a SOURCE could not be resolved; each names the path or pattern.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// Nothing exists at the path.
    #[error("{}: no such file or directory", .0.display())]
    Missing(PathBuf),
    /// The path exists but cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The pattern is not a valid glob.
    #[error("invalid glob {pattern}: {source}")]
    BadGlob {
        /// The pattern as given.
        pattern: String,
        /// What is wrong with it.
        source: globset::Error,
    },
    /// No SOURCE was given and no Claude Code folder exists.
    #[error("no Claude Code folder found (looked in {})", list(.0))]
    NoDefaultFolders(Vec<PathBuf>),
}

fn list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

/// The resolved sources and the arguments that could not be resolved.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Sources to read, in argument order.
    pub sources: Vec<Source>,
    /// Problems, each naming its path; the other sources are still usable.
    pub errors: Vec<DiscoverError>,
}

/// Resolves SOURCE arguments; with none, the Claude Code folders that exist.
pub fn discover<S: AsRef<str>>(args: &[S]) -> Discovery {
    let mut found = Discovery::default();
    if args.is_empty() {
        let candidates = default_locations();
        for dir in candidates.iter().filter(|d| d.is_dir()) {
            push(&mut found, dir_source(dir.display().to_string()));
        }
        if found.sources.is_empty() && found.errors.is_empty() {
            found
                .errors
                .push(DiscoverError::NoDefaultFolders(candidates));
        }
        return found;
    }
    for arg in args {
        let arg = arg.as_ref();
        let path = Path::new(arg);
        let resolved = if arg == "-" {
            Ok(Source {
                name: "stdin".to_owned(),
                kind: SourceKind::Stdin,
                files: Vec::new(),
            })
        } else if let Ok(meta) = path.metadata() {
            if meta.is_dir() {
                dir_source(arg.to_owned())
            } else {
                Ok(Source {
                    name: arg.to_owned(),
                    kind: SourceKind::File,
                    files: vec![path.to_path_buf()],
                })
            }
        } else if is_glob(arg) {
            list_glob(arg).map(|files| Source {
                name: arg.to_owned(),
                kind: SourceKind::Glob,
                files,
            })
        } else {
            Err(missing_or_unreadable(path))
        };
        push(&mut found, resolved);
    }
    found
}

fn push(found: &mut Discovery, resolved: Result<Source, DiscoverError>) {
    match resolved {
        Ok(source) => found.sources.push(source),
        Err(e) => found.errors.push(e),
    }
}

fn dir_source(name: String) -> Result<Source, DiscoverError> {
    let files = list_dir(Path::new(&name))?;
    Ok(Source {
        name,
        kind: SourceKind::Dir,
        files,
    })
}

fn missing_or_unreadable(path: &Path) -> DiscoverError {
    match path.metadata() {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => DiscoverError::Unreadable {
            path: path.to_path_buf(),
            source: e,
        },
        _ => DiscoverError::Missing(path.to_path_buf()),
    }
}

/// Every folder costtop looks in when no SOURCE is given, whether it exists or not:
/// `<dir>/projects` for each entry of `CLAUDE_CONFIG_DIR` (comma-separated), else
/// `~/.claude/projects` and `~/.config/claude/projects`.
pub(crate) fn default_locations() -> Vec<PathBuf> {
    let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
    let config = std::env::var("CLAUDE_CONFIG_DIR").ok();
    locations_from(config.as_deref(), home.as_deref())
}

fn locations_from(config_dir: Option<&str>, home: Option<&Path>) -> Vec<PathBuf> {
    let expand = |entry: &str| match (entry.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(entry),
    };
    let configured: Vec<PathBuf> = config_dir
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| expand(e).join("projects"))
        .collect();
    if !configured.is_empty() {
        return configured;
    }
    home.map(|h| {
        vec![
            h.join(".claude").join("projects"),
            h.join(".config").join("claude").join("projects"),
        ]
    })
    .unwrap_or_default()
}

/// `*.jsonl` files below `root`, sorted, without sub-agent journals.
fn list_dir(root: &Path) -> Result<Vec<PathBuf>, DiscoverError> {
    std::fs::read_dir(root).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => DiscoverError::Missing(root.to_path_buf()),
        _ => DiscoverError::Unreadable {
            path: root.to_path_buf(),
            source,
        },
    })?;
    let mut files: Vec<PathBuf> = WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl") && !is_subagent_journal(p))
        .collect();
    files.sort();
    Ok(files)
}

/// `subagents/**/journal.jsonl` is bookkeeping, not usage (DESIGN.md §2).
pub(crate) fn is_subagent_journal(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "journal.jsonl")
        && path
            .parent()
            .is_some_and(|dir| dir.components().any(|c| c.as_os_str() == "subagents"))
}

fn is_glob(arg: &str) -> bool {
    arg.contains(['*', '?', '[', '{'])
}

/// Files matching a glob, walking only below its longest literal directory prefix.
fn list_glob(pattern: &str) -> Result<Vec<PathBuf>, DiscoverError> {
    let matcher = compile(pattern)?;
    let base = literal_prefix(pattern);
    let walk_root = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base.as_path()
    };
    let mut files: Vec<PathBuf> = WalkDir::new(walk_root)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .map(|p| {
            if base.as_os_str().is_empty() {
                p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p)
            } else {
                p
            }
        })
        .filter(|p| matcher.is_match(p) && !is_subagent_journal(p))
        .collect();
    files.sort();
    Ok(files)
}

fn compile(pattern: &str) -> Result<GlobMatcher, DiscoverError> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|source| DiscoverError::BadGlob {
            pattern: pattern.to_owned(),
            source,
        })
}

/// The directories of `pattern` before the first component holding a glob character.
fn literal_prefix(pattern: &str) -> PathBuf {
    let mut base = PathBuf::new();
    let path = Path::new(pattern);
    let count = path.components().count();
    for (i, component) in path.components().enumerate() {
        let text = component.as_os_str().to_string_lossy();
        if i + 1 == count || (matches!(component, Component::Normal(_)) && is_glob(&text)) {
            break;
        }
        base.push(component);
    }
    base
}

#[cfg(test)]
mod tests;
