//! The source tree keeps its shape: no import cycle between files, and the aggregator imported
//! only where one is started or driven.
//!
//! Every `src/**/*.rs` of the library is parsed (the module tree is followed from `lib.rs`, `#[path]`
//! included); each `use` leaf and each `crate::`/`super::`/`self::` path in code (macro bodies too)
//! is resolved through modules and re-exports to the file that defines the item. That gives a
//! graph of files; a strongly connected component of two or more files is a cycle.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// One module: a file, or an inline `mod name { … }` inside one.
#[derive(Default)]
struct Module {
    file: PathBuf,
    parent: Option<usize>,
    child_dir: PathBuf,
    children: HashMap<String, usize>,
    defined: BTreeSet<String>,
    /// `use` leaves by the name they bind: the path, read from this module.
    imports: HashMap<String, Vec<Vec<String>>>,
    globs: Vec<Vec<String>>,
}

/// A path found in a file, to resolve once every module is known.
struct Reference {
    module: usize,
    path: Vec<String>,
}

#[derive(Default)]
struct Crate {
    modules: Vec<Module>,
    references: Vec<Reference>,
}

impl Crate {
    fn load(root: &Path) -> Crate {
        let mut krate = Crate::default();
        krate.modules.push(Module {
            file: root.to_path_buf(),
            child_dir: root.parent().unwrap().to_path_buf(),
            ..Module::default()
        });
        krate.read_file(0);
        krate
    }

    fn read_file(&mut self, module: usize) {
        let file = &self.modules[module].file;
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let parsed = syn::parse_file(&text)
            .unwrap_or_else(|e| panic!("cannot parse {}: {e}", file.display()));
        self.read_items(module, &parsed.items);
    }

    fn read_items(&mut self, module: usize, items: &[syn::Item]) {
        for item in items {
            match item {
                syn::Item::Mod(m) => self.read_mod(module, m),
                syn::Item::Use(u) => self.read_use(module, &u.tree, Vec::new()),
                _ => {
                    if let Some(name) = defined_name(item) {
                        self.modules[module].defined.insert(name);
                    }
                    let mut paths = Paths::default();
                    paths.visit_item(item);
                    for (path, is_use) in paths.found {
                        self.add_reference(module, path, is_use);
                    }
                }
            }
        }
    }

    fn read_mod(&mut self, parent: usize, m: &syn::ItemMod) {
        let name = m.ident.to_string();
        let dir = self.modules[parent].child_dir.clone();
        let id = self.modules.len();
        let mut module = Module {
            parent: Some(parent),
            ..Module::default()
        };
        if let Some((_, items)) = &m.content {
            module.file.clone_from(&self.modules[parent].file);
            module.child_dir = dir.join(&name);
            self.modules.push(module);
            self.modules[parent].children.insert(name, id);
            self.read_items(id, items);
            return;
        }
        let explicit = m.attrs.iter().find_map(|a| {
            let syn::Meta::NameValue(nv) = &a.meta else {
                return None;
            };
            if !nv.path.is_ident("path") {
                return None;
            }
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
            else {
                return None;
            };
            Some(s.value())
        });
        let parent_file = self.modules[parent].file.clone();
        let file = if let Some(p) = explicit {
            parent_file.parent().unwrap().join(p)
        } else if dir.join(format!("{name}.rs")).exists() {
            dir.join(format!("{name}.rs"))
        } else {
            dir.join(&name).join("mod.rs")
        };
        module.child_dir = if file.file_name().unwrap() == "mod.rs" {
            file.parent().unwrap().to_path_buf()
        } else {
            file.with_extension("")
        };
        module.file = file;
        self.modules.push(module);
        self.modules[parent].children.insert(name, id);
        self.read_file(id);
    }

    fn read_use(&mut self, module: usize, tree: &syn::UseTree, mut prefix: Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.read_use(module, &p.tree, prefix);
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name == "self" {
                    let bound = prefix.last().cloned().unwrap_or_default();
                    self.bind(module, bound, prefix);
                } else {
                    prefix.push(name.clone());
                    self.bind(module, name, prefix);
                }
            }
            syn::UseTree::Rename(r) => {
                let name = r.ident.to_string();
                if name != "self" {
                    prefix.push(name);
                }
                self.bind(module, r.rename.to_string(), prefix);
            }
            syn::UseTree::Glob(_) => {
                self.modules[module].globs.push(prefix.clone());
                self.add_reference(module, prefix, true);
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.read_use(module, t, prefix.clone());
                }
            }
        }
    }

    fn bind(&mut self, module: usize, name: String, path: Vec<String>) {
        self.modules[module]
            .imports
            .entry(name)
            .or_default()
            .push(path.clone());
        self.add_reference(module, path, true);
    }

    fn add_reference(&mut self, module: usize, path: Vec<String>, is_use: bool) {
        let first = path.first().map(String::as_str);
        let local = matches!(first, Some("crate" | "super" | "self"));
        // A use path may start at a child module (2018 paths); so may a path in code.
        let child = first.is_some_and(|f| self.modules[module].children.contains_key(f));
        if local || (child && (is_use || path.len() > 1)) {
            self.references.push(Reference { module, path });
        }
    }

    /// The file that defines what `path`, read from `module`, names (`None`: outside the crate).
    fn resolve(&self, module: usize, path: &[String], depth: usize) -> Option<PathBuf> {
        if depth > 32 {
            return Some(self.modules[module].file.clone());
        }
        let mut at = module;
        let mut rest = path;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                at = 0;
                rest = &rest[1..];
            }
            Some("self") => rest = &rest[1..],
            Some("super") => {
                while rest.first().map(String::as_str) == Some("super") {
                    at = self.modules[at].parent?;
                    rest = &rest[1..];
                }
            }
            _ => {}
        }
        for segment in rest {
            if let Some(&child) = self.modules[at].children.get(segment) {
                at = child;
                continue;
            }
            return Some(
                self.resolve_item(at, segment, depth)
                    .unwrap_or_else(|| self.modules[at].file.clone()),
            );
        }
        Some(self.modules[at].file.clone())
    }

    /// Where the item `name` of module `at` is defined, following `use` and globs.
    fn resolve_item(&self, at: usize, name: &str, depth: usize) -> Option<PathBuf> {
        let module = &self.modules[at];
        if module.defined.contains(name) {
            return Some(module.file.clone());
        }
        if let Some(paths) = module.imports.get(name) {
            return paths
                .iter()
                .find_map(|p| self.resolve_local(at, p, depth + 1));
        }
        module.globs.iter().find_map(|g| {
            let target = self.module_of(at, g)?;
            self.resolve_item(target, name, depth + 1)
        })
    }

    fn resolve_local(&self, at: usize, path: &[String], depth: usize) -> Option<PathBuf> {
        let first = path.first()?.as_str();
        let local = matches!(first, "crate" | "super" | "self")
            || self.modules[at].children.contains_key(first);
        if local {
            self.resolve(at, path, depth)
        } else {
            None
        }
    }

    /// The module a glob's path names, when it is one of the crate's.
    fn module_of(&self, module: usize, path: &[String]) -> Option<usize> {
        let mut at = module;
        for (i, segment) in path.iter().enumerate() {
            at = match segment.as_str() {
                "crate" if i == 0 => 0,
                "self" if i == 0 => at,
                "super" => self.modules[at].parent?,
                s => *self.modules[at].children.get(s)?,
            };
        }
        Some(at)
    }

    /// File → file edges, each with the names that tie them.
    fn edges(&self, src: &Path) -> BTreeMap<(String, String), BTreeSet<String>> {
        let mut edges: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for r in &self.references {
            let Some(target) = self.resolve(r.module, &r.path, 0) else {
                continue;
            };
            let from = &self.modules[r.module].file;
            if *from == target {
                continue;
            }
            let name = r.path.last().cloned().unwrap_or_default();
            edges
                .entry((relative(from, src), relative(&target, src)))
                .or_default()
                .insert(name);
        }
        edges
    }
}

fn relative(file: &Path, src: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap_or(file);
    format!("src/{}", rel.display())
}

fn defined_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Const(i) => &i.ident,
        syn::Item::Enum(i) => &i.ident,
        syn::Item::Fn(i) => &i.sig.ident,
        syn::Item::Static(i) => &i.ident,
        syn::Item::Struct(i) => &i.ident,
        syn::Item::Trait(i) => &i.ident,
        syn::Item::TraitAlias(i) => &i.ident,
        syn::Item::Type(i) => &i.ident,
        syn::Item::Union(i) => &i.ident,
        syn::Item::Macro(i) => i.ident.as_ref()?,
        _ => return None,
    };
    Some(ident.to_string())
}

/// Every path in an item's code, and in the token bodies of its macro calls.
#[derive(Default)]
struct Paths {
    found: Vec<(Vec<String>, bool)>,
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.found.push((segments, false));
        syn::visit::visit_path(self, path);
    }

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {
        // `pub(super)` and `pub(in crate::x)` name who may see an item, not what it uses.
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut leaves = Vec::new();
        use_leaves(&u.tree, Vec::new(), &mut leaves);
        self.found.extend(leaves.into_iter().map(|l| (l, true)));
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        macro_paths(mac.tokens.clone(), &mut self.found);
        syn::visit::visit_macro(self, mac);
    }
}

fn use_leaves(tree: &syn::UseTree, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
        }
        syn::UseTree::Name(n) => {
            if n.ident != "self" {
                prefix.push(n.ident.to_string());
            }
            out.push(prefix);
        }
        syn::UseTree::Rename(r) => {
            if r.ident != "self" {
                prefix.push(r.ident.to_string());
            }
            out.push(prefix);
        }
        syn::UseTree::Glob(_) => out.push(prefix),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_leaves(t, prefix.clone(), out);
            }
        }
    }
}

/// `crate :: a :: b` (and `super`, `self`, `$crate`) runs in a macro's tokens.
fn macro_paths(tokens: TokenStream, out: &mut Vec<(Vec<String>, bool)>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => macro_paths(g.stream(), out),
            TokenTree::Ident(id)
                if matches!(id.to_string().as_str(), "crate" | "super" | "self") =>
            {
                let mut path = vec![id.to_string()];
                let mut j = i + 1;
                while let (
                    Some(TokenTree::Punct(a)),
                    Some(TokenTree::Punct(b)),
                    Some(TokenTree::Ident(next)),
                ) = (tokens.get(j), tokens.get(j + 1), tokens.get(j + 2))
                {
                    if a.as_char() != ':' || b.as_char() != ':' {
                        break;
                    }
                    path.push(next.to_string());
                    j += 3;
                }
                if path.len() > 1 {
                    out.push((path, false));
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Strongly connected components of two or more files (Tarjan).
fn cycles(
    nodes: &BTreeSet<String>,
    edges: &BTreeMap<(String, String), BTreeSet<String>>,
) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        next: &'a BTreeMap<String, Vec<String>>,
        index: HashMap<String, usize>,
        low: HashMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        out: Vec<Vec<String>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: &str) {
            let i = self.index.len();
            self.index.insert(v.to_owned(), i);
            self.low.insert(v.to_owned(), i);
            self.stack.push(v.to_owned());
            self.on_stack.insert(v.to_owned());
            for w in self.next.get(v).into_iter().flatten() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v.to_owned(), low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v.to_owned(), low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(&w);
                    let done = w == v;
                    component.push(w);
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.out.push(component);
                }
            }
        }
    }
    let mut next: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from.clone()).or_default().push(to.clone());
    }
    let mut t = Tarjan {
        next: &next,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for n in nodes {
        if !t.index.contains_key(n) {
            t.visit(n);
        }
    }
    t.out
}

#[test]
fn no_import_cycle_between_files() {
    let src = src();
    let krate = Crate::load(&src.join("lib.rs"));
    let edges = krate.edges(&src);
    let nodes: BTreeSet<String> = krate
        .modules
        .iter()
        .map(|m| relative(&m.file, &src))
        .collect();
    let found = cycles(&nodes, &edges);
    let mut report = String::new();
    for (n, component) in found.iter().enumerate() {
        let _ = writeln!(report, "cycle {}: {}", n + 1, component.join(", "));
        for ((from, to), names) in &edges {
            if component.contains(from) && component.contains(to) {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let _ = writeln!(report, "  {from} -> {to}: {}", names.join(", "));
            }
        }
    }
    assert!(found.is_empty(), "files that import each other:\n{report}");
}

#[test]
fn every_source_file_is_a_module_of_the_library() {
    let src = src();
    let krate = Crate::load(&src.join("lib.rs"));
    let modules: BTreeSet<PathBuf> = krate.modules.iter().map(|m| m.file.clone()).collect();
    let stray: Vec<String> = walk(&src)
        .into_iter()
        .filter(|f| f.file_name().unwrap() != "main.rs" && !modules.contains(f))
        .map(|f| relative(&f, &src))
        .collect();
    assert!(stray.is_empty(), "files no `mod` line reaches: {stray:?}");
}

/// Files outside `src/aggregate/` that may import it, and why.
const AGGREGATOR_USERS: [(&str, &str); 6] = [
    ("src/lib.rs", "declares it"),
    ("src/app/", "starts aggregators"),
    ("src/sources/replay/", "drives a `State` with event time"),
    (
        "src/config/",
        "builds the aggregator's `Settings` from the file",
    ),
    (
        "src/listener/",
        "asks the running aggregator for fresh snapshots",
    ),
    (
        "src/outputs/watch.rs",
        "asks the running aggregator for fresh snapshots",
    ),
];

#[test]
fn the_aggregator_is_imported_only_where_one_is_started_or_driven() {
    let src = src();
    let krate = Crate::load(&src.join("lib.rs"));
    let outside: Vec<String> = krate
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
