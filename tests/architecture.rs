//! The folders show the architecture only while nothing loops back: no
//! import cycle between top-level modules, and none among the console's
//! parts. Read from the source: every `crate::…` and `super::…` path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/console/components/feed.rs` → `[console, components, feed]`;
/// a `mod.rs` is its folder.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path in `code` that starts at `crate` or `super`, made absolute
/// (segments below the crate root). `use a::{b, c::d}` gives `a::b` and `a::c`.
fn paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts = |w: &str| {
            code_at(&bytes, i, w) && (i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != ':')
        };
        if !(starts("crate::") || starts("super::")) {
            i += 1;
            continue;
        }
        // Read `seg::seg::…` and an optional `{…}` group.
        let mut segs = Vec::new();
        let mut j = i;
        loop {
            let s = j;
            while j < bytes.len() && is_ident(bytes[j]) {
                j += 1;
            }
            segs.push(bytes[s..j].iter().collect::<String>());
            if code_at(&bytes, j, "::") {
                j += 2;
                if j < bytes.len() && bytes[j] == '{' {
                    let close = (j..bytes.len()).find(|&k| bytes[k] == '}').unwrap_or(j);
                    let inner: String = bytes[j + 1..close].iter().collect();
                    for item in inner.split(',') {
                        let first = item.trim().split("::").next().unwrap_or("").trim();
                        if !first.is_empty() && first != "self" && first != "*" {
                            let mut p = segs.clone();
                            p.push(first.to_string());
                            out.extend(absolute(&p, module));
                        }
                    }
                    segs.clear();
                    j = close;
                    break;
                }
            } else {
                break;
            }
        }
        if !segs.is_empty() {
            out.extend(absolute(&segs, module));
        }
        i = j.max(i + 1);
    }
    out
}

fn code_at(chars: &[char], i: usize, w: &str) -> bool {
    w.chars()
        .enumerate()
        .all(|(k, c)| chars.get(i + k) == Some(&c))
}

fn absolute(segs: &[String], module: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String> = Vec::new();
    let mut rest = segs;
    match segs.first().map(String::as_str) {
        Some("crate") => rest = &segs[1..],
        Some("super") => {
            base = module.to_vec();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    base.extend(rest.iter().filter(|s| !s.is_empty()).cloned());
    Some(base)
}

/// Module-to-module edges at one level of the tree: under `parent` (empty
/// for the top level), which child uses which other child.
fn edges(parent: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let depth = parent.len();
    let under = |m: &[String]| m.len() > depth && m.iter().zip(parent).all(|(a, b)| a == b);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let module = module_of(&src, &file);
        if !under(&module) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // A file's unit tests may reach anywhere.
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
        let from = module[depth].clone();
        for p in paths(code, &module) {
            if under(&p) && p[depth] != from {
                graph
                    .entry(from.clone())
                    .or_default()
                    .insert(p[depth].clone());
            }
        }
    }
    graph
}

/// A cycle in `graph`, if there is one, as the modules on it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| s == n) {
            let mut c = stack[at..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for next in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, graph, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_reader_finds_imports_of_every_form() {
    let module: Vec<String> = ["console", "components", "feed"].map(String::from).to_vec();
    let code = "use super::{Component, scroll::Scroller};\nuse crate::console::{fmt, dialogs::Dialog};\nlet x = super::super::app::run();\nuse crate::model::Incident;";
    let found: BTreeSet<String> = paths(code, &module).iter().map(|p| p.join("::")).collect();
    for want in [
        "console::components::Component",
        "console::components::scroll",
        "console::fmt",
        "console::dialogs",
        "console::app::run",
        "model::Incident",
    ] {
        assert!(found.contains(want), "{want} not in {found:?}");
    }
    // And a cycle is found when there is one.
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    assert!(cycle(&g).is_some());
}

#[test]
fn no_cycle_between_top_level_modules() {
    let graph = edges(&[]);
    assert!(
        graph.contains_key("console") && graph.contains_key("server"),
        "{graph:?}"
    );
    assert!(
        !graph
            .get("model")
            .is_some_and(|d| d.iter().any(|m| m != "model")),
        "model is pure and a leaf: {:?}",
        graph.get("model")
    );
    if let Some(c) = cycle(&graph) {
        panic!("import cycle: {}\n{graph:#?}", c.join(" → "));
    }
}

#[test]
fn no_cycle_among_the_consoles_parts() {
    let graph = edges(&["console"]);
    assert!(
        graph.contains_key("app") && graph.contains_key("components"),
        "{graph:?}"
    );
    if let Some(c) = cycle(&graph) {
        panic!("import cycle in src/console: {}\n{graph:#?}", c.join(" → "));
    }
    // And inside each of its folders.
    for folder in ["app", "components", "dialogs", "widgets"] {
        let graph = edges(&["console", folder]);
        if let Some(c) = cycle(&graph) {
            panic!("import cycle in src/console/{folder}: {}", c.join(" → "));
        }
    }
}
