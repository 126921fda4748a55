//! The import graph of this crate, checked: its top-level modules stand in layers (below),
//! each may use its own layer and those under it, and no chain of imports comes back to
//! where it started. A new module has to be given a layer here, which is the moment to decide
//! what it may know. The README's "Layout" section explains the layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Lowest first. `lib.rs` (the router, which names every page) is above them all.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundations",
        &[
            "error",
            "enums",
            "format",
            "policy",
            "db",
            "tokens",
            "sms",
            "workers",
            "password",
            "places",
            "pdf_text",
            "pdf_font",
            "export",
            "dns",
            "components",
            "calls",
            "money",
            "address",
        ],
    ),
    ("the server's world", &["state", "request"]),
    ("what every change writes", &["mail", "activity"]),
    ("access control", &["access"]),
    ("the account", &["account"]),
    (
        "the account's security",
        &["sessions", "lockout", "credentials", "two_factor"],
    ),
    (
        "signing in and taking an account back",
        &["sign_in", "recovery"],
    ),
    ("products", &["tags", "products"]),
    ("billing", &["billing"]),
    ("the shop", &["shop"]),
    ("domains", &["domains"]),
    ("mail services", &["mailboxes"]),
    ("people", &["invitations"]),
    ("the partner program", &["partners"]),
    ("organizations", &["organizations"]),
    ("the frame and the demo", &["layout", "demo"]),
];

/// Every `crate::name` a source text refers to, comments left out.
fn references(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the names at the group's own level.
            let mut depth = 0;
            let mut name = String::new();
            let mut expecting = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => expecting = true,
                    c if depth == 0 && expecting && (c.is_alphanumeric() || c == '_') => {
                        name.push(c)
                    }
                    _ => {
                        if !name.is_empty() {
                            found.insert(std::mem::take(&mut name));
                        }
                        if depth == 0 && !c.is_whitespace() {
                            expecting = false;
                        }
                    }
                }
            }
            if !name.is_empty() {
                found.insert(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
        }
    }
    found
}

fn module_of(relative: &Path) -> String {
    let first = relative.components().next().expect("a path");
    let first = first.as_os_str().to_string_lossy();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

fn sources(dir: &Path, into: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// `module → modules it refers to`, for the crate's top-level modules.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| module_of(f.strip_prefix(&root).expect("inside")))
        .filter(|m| m != "lib")
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(file.strip_prefix(&root).expect("inside"));
        if module == "lib" || module == "layers" {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("readable");
        let uses = graph.entry(module.clone()).or_default();
        for name in references(&text) {
            if name != module && modules.contains(&name) {
                uses.insert(name);
            }
        }
    }
    graph
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, members)| members.contains(&module))
}

#[test]
fn every_module_has_a_layer_and_uses_none_above_it() {
    let mut wrong = Vec::new();
    for (module, uses) in graph() {
        let Some(mine) = layer_of(&module) else {
            wrong.push(format!("{module} has no layer in app/src/layers.rs"));
            continue;
        };
        for used in uses {
            match layer_of(&used) {
                Some(theirs) if theirs > mine => wrong.push(format!(
                    "{module} ({}) uses {used}, which is above it ({})",
                    LAYERS[mine].0, LAYERS[theirs].0
                )),
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_chain_of_imports_comes_back_to_its_start() {
    let graph = graph();
    // Depth-first search; a module met again while still on the path closes a circle.
    fn visit<'a>(
        module: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| *m == module) {
            let mut circle: Vec<String> = path[at..].iter().map(|m| m.to_string()).collect();
            circle.push(module.to_owned());
            return Some(circle);
        }
        if !done.insert(module) {
            return None;
        }
        path.push(module);
        for used in graph.get(module).into_iter().flatten() {
            if let Some(circle) = visit(used, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        if let Some(circle) = visit(module, &graph, &mut Vec::new(), &mut done) {
            panic!("import circle: {}", circle.join(" → "));
        }
    }
}

#[test]
fn references_are_read_from_paths_and_groups_not_comments() {
    let text = "use crate::{a, b::c, d::{e, f}};\nlet x = crate::g::h();\n// crate::comment\n";
    let found: Vec<String> = references(text).into_iter().collect();
    assert_eq!(found, ["a", "b", "d", "g"]);
}
