//! The library read as a graph of files: its module tree followed from `lib.rs` (`#[path]`
//! included), and each `use` leaf and each `crate::`/`super::`/`self::` path in code (macro
//! bodies too) resolved through modules and re-exports to the file that defines the item.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// File → file, with the names the first takes from the second.
pub(crate) type Edges = BTreeMap<(String, String), BTreeSet<String>>;

/// One module: a file, or an inline `mod name { … }` inside one.
#[derive(Default)]
struct Module {
    file: PathBuf,
    parent: Option<usize>,
    /// Where the files of its `mod name;` children are.
    child_dir: PathBuf,
    children: HashMap<String, usize>,
    /// Items it defines (functions, types, constants, macros).
    defined: BTreeSet<String>,
    /// What its `use` lines bind: name → paths, read from this module.
    imports: HashMap<String, Vec<Vec<String>>>,
    globs: Vec<Vec<String>>,
}

/// A path written in a module, resolved once every module is known.
struct Reference {
    module: usize,
    path: Vec<String>,
}

/// What one `use` leaf does: binds `name` to `path`, or (a glob) brings in all of `path`.
struct Binding {
    name: Option<String>,
    path: Vec<String>,
}

/// The library's modules and every path its files write.
#[derive(Default)]
pub(crate) struct Crate {
    modules: Vec<Module>,
    references: Vec<Reference>,
}

impl Crate {
    /// Reads the crate whose root file is `root`, following its `mod` lines.
    pub(crate) fn load(root: &Path) -> Crate {
        let mut krate = Crate::default();
        krate.modules.push(Module {
            file: root.to_path_buf(),
            child_dir: root.parent().unwrap().to_path_buf(),
            ..Module::default()
        });
        krate.read_file(0);
        krate
    }

    /// Every file a `mod` line reaches.
    pub(crate) fn files(&self) -> BTreeSet<PathBuf> {
        self.modules.iter().map(|m| m.file.clone()).collect()
    }

    /// File → file edges (files named `src/…` from `src`), each with the names that tie them.
    pub(crate) fn edges(&self, src: &Path) -> Edges {
        let mut edges = Edges::new();
        for r in &self.references {
            let Some(target) = self.resolve(r.module, &r.path, 0) else {
                continue;
            };
            let from = &self.modules[r.module].file;
            if *from != target {
                let name = r.path.last().cloned().unwrap_or_default();
                edges
                    .entry((relative(from, src), relative(&target, src)))
                    .or_default()
                    .insert(name);
            }
        }
        edges
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
                syn::Item::Use(u) => {
                    for b in bindings(&u.tree, Vec::new()) {
                        let m = &mut self.modules[module];
                        match b.name {
                            Some(name) => m.imports.entry(name).or_default().push(b.path.clone()),
                            None => m.globs.push(b.path.clone()),
                        }
                        self.add_reference(module, b.path, true);
                    }
                }
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
        let file = match path_attribute(m) {
            Some(p) => self.modules[parent].file.parent().unwrap().join(p),
            None if dir.join(format!("{name}.rs")).exists() => dir.join(format!("{name}.rs")),
            None => dir.join(&name).join("mod.rs"),
        };
        module.child_dir = if file.ends_with("mod.rs") {
            file.parent().unwrap().to_path_buf()
        } else {
            file.with_extension("")
        };
        module.file = file;
        self.modules.push(module);
        self.modules[parent].children.insert(name, id);
        self.read_file(id);
    }

    fn add_reference(&mut self, module: usize, path: Vec<String>, is_use: bool) {
        let first = path.first().map(String::as_str);
        let local = matches!(first, Some("crate" | "super" | "self"));
        // A path may start at a child module (2018 paths): `use child::Item`, `child::f()`.
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
            Some("crate") => (at, rest) = (0, &rest[1..]),
            Some("self") => rest = &rest[1..],
            _ => {}
        }
        while rest.first().map(String::as_str) == Some("super") {
            at = self.modules[at].parent?;
            rest = &rest[1..];
        }
        for segment in rest {
            let Some(&child) = self.modules[at].children.get(segment) else {
                let file = self.resolve_item(at, segment, depth);
                return Some(file.unwrap_or_else(|| self.modules[at].file.clone()));
            };
            at = child;
        }
        Some(self.modules[at].file.clone())
    }

    /// Where the item `name` of module `at` is defined, following `use` lines and globs.
    fn resolve_item(&self, at: usize, name: &str, depth: usize) -> Option<PathBuf> {
        let module = &self.modules[at];
        if module.defined.contains(name) {
            return Some(module.file.clone());
        }
        if let Some(paths) = module.imports.get(name) {
            return paths.iter().find_map(|p| {
                let first = p.first()?.as_str();
                let local = matches!(first, "crate" | "super" | "self")
                    || module.children.contains_key(first);
                local.then(|| self.resolve(at, p, depth + 1)).flatten()
            });
        }
        module.globs.iter().find_map(|g| {
            let target = self.module_of(at, g)?;
            self.resolve_item(target, name, depth + 1)
        })
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
}

/// `file` as `src/…`, the way the reports name files.
pub(crate) fn relative(file: &Path, src: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap_or(file);
    format!("src/{}", rel.display())
}

/// The value of a `#[path = "…"]` attribute.
fn path_attribute(m: &syn::ItemMod) -> Option<String> {
    m.attrs.iter().find_map(|a| {
        let syn::Meta::NameValue(nv) = &a.meta else {
            return None;
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &nv.value
        else {
            return None;
        };
        nv.path.is_ident("path").then(|| s.value())
    })
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

/// The leaves of a `use` tree: `a::{b, c as d, self, *}`.
fn bindings(tree: &syn::UseTree, mut prefix: Vec<String>) -> Vec<Binding> {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            bindings(&p.tree, prefix)
        }
        syn::UseTree::Name(n) if n.ident == "self" => vec![Binding {
            name: prefix.last().cloned(),
            path: prefix,
        }],
        syn::UseTree::Name(n) => {
            prefix.push(n.ident.to_string());
            vec![Binding {
                name: Some(n.ident.to_string()),
                path: prefix,
            }]
        }
        syn::UseTree::Rename(r) => {
            if r.ident != "self" {
                prefix.push(r.ident.to_string());
            }
            vec![Binding {
                name: Some(r.rename.to_string()),
                path: prefix,
            }]
        }
        syn::UseTree::Glob(_) => vec![Binding {
            name: None,
            path: prefix,
        }],
        syn::UseTree::Group(g) => g
            .items
            .iter()
            .flat_map(|t| bindings(t, prefix.clone()))
            .collect(),
    }
}

/// Every path in an item's code (with whether it is a `use`), macro bodies included.
#[derive(Default)]
struct Paths {
    found: Vec<(Vec<String>, bool)>,
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.found.push((segments, false));
        syn::visit::visit_path(self, path);
    }

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {
        // `pub(super)` and `pub(in crate::x)` name who may see an item, not what it uses.
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let leaves = bindings(&u.tree, Vec::new()).into_iter();
        self.found.extend(leaves.map(|b| (b.path, true)));
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        macro_paths(mac.tokens.clone(), &mut self.found);
        syn::visit::visit_macro(self, mac);
    }
}

/// `crate :: a :: b` runs (and `super`, `self`, `$crate`) in a macro's tokens.
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
                while let (
                    Some(TokenTree::Punct(a)),
                    Some(TokenTree::Punct(b)),
                    Some(TokenTree::Ident(next)),
                ) = (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3))
                {
                    if a.as_char() != ':' || b.as_char() != ':' {
                        break;
                    }
                    path.push(next.to_string());
                    i += 3;
                }
                if path.len() > 1 {
                    out.push((path, false));
                }
            }
            _ => {}
        }
        i += 1;
    }
}
