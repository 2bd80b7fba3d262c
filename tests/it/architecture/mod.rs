//! The source tree keeps its shape: no import cycle between files, every file a module of the
//! library, and the aggregator imported only where one is started or driven.
//!
//! `src/` is read as a graph of files ([`graph`]): an edge for each path one file takes from
//! another, re-exports followed to the file that defines the item. A strongly connected
//! component of two or more files is a cycle. Tests count too: a unit test that needs the
//! folder's entry point belongs in the folder's `tests.rs`.

mod graph;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use graph::{Crate, Edges, relative};
use petgraph::algo::tarjan_scc;
use petgraph::graphmap::DiGraphMap;

/// Files outside `src/aggregate/` that may import it, and why.
const AGGREGATOR_USERS: [(&str, &str); 6] = [
    ("src/lib.rs", "declares it"),
    ("src/app/", "starts aggregators"),
    ("src/sources/replay/", "drives a `State` with event time"),
    ("src/config/", "builds the aggregator's `Settings`"),
    ("src/listener/", "asks the running aggregator for snapshots"),
    (
        "src/outputs/watch.rs",
        "asks the running aggregator for snapshots",
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Cycles of the graph, each with the edges inside it, in words.
fn cycles(edges: &Edges) -> Vec<String> {
    let graph: DiGraphMap<&str, ()> = edges
        .keys()
        .map(|(from, to)| (from.as_str(), to.as_str()))
        .collect();
    let mut found: Vec<Vec<&str>> = tarjan_scc(&graph)
        .into_iter()
        .filter(|c| c.len() > 1)
        .collect();
    for c in &mut found {
        c.sort_unstable();
    }
    found.sort();
    found
        .iter()
        .map(|files| {
            let mut text = files.join(", ");
            for ((from, to), names) in edges {
                if files.contains(&from.as_str()) && files.contains(&to.as_str()) {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    let _ = write!(text, "\n  {from} -> {to}: {}", names.join(", "));
                }
            }
            text
        })
        .collect()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[test]
fn no_import_cycle_between_files() {
    let src = src();
    let found = cycles(&Crate::load(&src.join("lib.rs")).edges(&src));
    assert!(
        found.is_empty(),
        "files that import each other:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_cycle_is_found_and_named_with_what_ties_it() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("lib.rs", "mod a;\nmod b;\npub use a::A;\n");
    write("a.rs", "pub struct A(pub super::b::B);\n");
    write("b.rs", "pub struct B;\nfn f() -> crate::A { todo!() }\n");
    let found = cycles(&Crate::load(&dir.path().join("lib.rs")).edges(dir.path()));
    assert_eq!(
        found,
        ["src/a.rs, src/b.rs\n  src/a.rs -> src/b.rs: B\n  src/b.rs -> src/a.rs: A"]
    );
}

#[test]
fn every_source_file_is_a_module_of_the_library() {
    let src = src();
    let modules = Crate::load(&src.join("lib.rs")).files();
    let stray: BTreeSet<String> = walk(&src)
        .into_iter()
        .filter(|f| !f.ends_with("main.rs") && !modules.contains(f))
        .map(|f| relative(&f, &src))
        .collect();
    assert!(stray.is_empty(), "files no `mod` line reaches: {stray:?}");
}

#[test]
fn the_aggregator_is_imported_only_where_one_is_started_or_driven() {
    let src = src();
    let outside: Vec<String> = Crate::load(&src.join("lib.rs"))
        .edges(&src)
        .into_iter()
        .filter(|((from, to), _)| {
            to.starts_with("src/aggregate/")
                && !from.starts_with("src/aggregate/")
                && !AGGREGATOR_USERS.iter().any(|(a, _)| from.starts_with(a))
        })
        .map(|((from, to), names)| format!("{from} -> {to}: {names:?}"))
        .collect();
    assert!(
        outside.is_empty(),
        "imports of the aggregator outside {:?}:\n{}",
        AGGREGATOR_USERS.map(|(a, _)| a),
        outside.join("\n")
    );
}
