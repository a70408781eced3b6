//! `sim`'s source layout: three layers that import downhill only (DESIGN.md section 2).
//!
//! A top-level module of `sim/src` is a file or folder directly under it (`lib.rs` aside). An
//! edge A -> B is a `crate::B` path in A's files, comments left out. This fails on a cycle
//! among the top-level modules, on an import that goes up the layers, and on toolkit code that
//! reaches the runtime other than through its primitive interface.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first: a module may import its own layer (acyclically) and those below.
const LAYERS: &[(&str, &[&str])] = &[
    ("model", &["model"]),
    ("runtime", &["rt"]),
    (
        "facades",
        &[
            "builder", "rand", "schedule", "sim", "task", "time", "trace",
        ],
    ),
    ("toolkit", &["asyncio", "channel", "concurrency", "sync"]),
    ("simulated I/O", &["fs", "host", "net"]),
];

/// The toolkit's only way into the runtime.
const PRIMITIVES: &str = "rt::primitives";

fn sim_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sim/src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("sim/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without `//` comments (doc comments included; no string in `sim` holds `//`
/// followed by a `crate::` path).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Every path that follows `crate::`, as written (`rt::primitives::WaitSlot`, `{a, b::c}`
/// groups split into one path each).
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::` in a macro, or part of a longer name
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(
                inner
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string),
            );
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            out.push(rest[..end].trim_end_matches(':').to_string());
        }
    }
    out
}

struct Layout {
    /// Module -> the top-level modules it imports.
    edges: BTreeMap<String, BTreeSet<String>>,
    /// Module -> every `crate::` path in it, with the file.
    paths: BTreeMap<String, Vec<(String, String)>>,
}

fn layout() -> Layout {
    let root = sim_src();
    let modules: BTreeSet<String> = fs::read_dir(&root)
        .expect("sim/src is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|m| m != "lib")
        .collect();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut paths: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&root).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = first.trim_end_matches(".rs").to_string();
        if top == "lib" {
            continue;
        }
        let text = fs::read_to_string(&file).expect("a readable source file");
        for path in crate_paths(&code(&text)) {
            let target = ident(&path).to_string();
            if modules.contains(&target) && target != top {
                edges.entry(top.clone()).or_default().insert(target);
            }
            paths
                .entry(top.clone())
                .or_default()
                .push((rel.display().to_string(), path));
        }
        edges.entry(top).or_default();
    }
    Layout { edges, paths }
}

fn layer_of(module: &str) -> Option<(usize, &'static str)> {
    LAYERS
        .iter()
        .enumerate()
        .find(|(_, (_, ms))| ms.contains(&module))
        .map(|(i, (name, _))| (i, *name))
}

/// The modules on a cycle through `start`, if any (depth-first search).
fn cycle_from(edges: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn visit(
        edges: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in edges.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if visit(edges, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    visit(edges, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_parser_finds_paths_and_groups_and_skips_comments() {
    let src = "use crate::rt::primitives::{Handed, WaitSlot};\n\
               use crate::{model, task::TaskId};\n\
               // crate::net in a comment\n\
               /// [`crate::fs`] in a doc comment\n\
               $crate::trace::log!();\n";
    assert_eq!(
        crate_paths(&code(src)),
        ["rt::primitives", "model", "task::TaskId"]
    );
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(cycle_from(&edges, "a"), Some(vec!["a".into(), "b".into()]));
    edges.insert("b".to_string(), BTreeSet::new());
    assert_eq!(cycle_from(&edges, "a"), None);
}

#[test]
fn sim_has_no_import_cycle_among_its_top_level_modules() {
    let l = layout();
    assert!(
        l.edges.len() > 10,
        "sim/src was found: {:?}",
        l.edges.keys()
    );
    for m in l.edges.keys() {
        if let Some(cycle) = cycle_from(&l.edges, m) {
            panic!(
                "import cycle among sim's top-level modules: {} -> {m}; move what both need \
                 down a layer (see the layers in this test and DESIGN.md section 2)",
                cycle.join(" -> ")
            );
        }
    }
}

#[test]
fn every_import_goes_down_the_layers() {
    let l = layout();
    for (m, targets) in &l.edges {
        let Some((rank, layer)) = layer_of(m) else {
            panic!("sim/src/{m} is in no layer: add it to LAYERS in this test");
        };
        for t in targets {
            let (trank, tlayer) = layer_of(t).expect("every module has a layer");
            assert!(
                trank <= rank,
                "{m} ({layer}) imports {t} ({tlayer}), a layer above it"
            );
        }
    }
    assert!(
        l.edges["model"].is_empty(),
        "model imports {:?}: it must import nothing from the rest of sim",
        l.edges["model"]
    );
}

#[test]
fn the_toolkit_reaches_the_runtime_only_through_its_primitive_interface() {
    let l = layout();
    let toolkit = LAYERS.iter().find(|(n, _)| *n == "toolkit").unwrap().1;
    for m in toolkit {
        for (file, path) in l.paths.get(*m).into_iter().flatten() {
            if ident(path) == "rt" {
                assert!(
                    path.starts_with(PRIMITIVES),
                    "sim/src/{file} uses crate::{path}: the toolkit may use only crate::{PRIMITIVES}"
                );
            }
        }
    }
}
