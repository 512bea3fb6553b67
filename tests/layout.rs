//! The crates depend on each other in one direction only (docs/architecture.md).

use std::collections::BTreeMap;

/// Each crate's folder and the omnimix crates it may depend on (normal dependencies).
const ALLOWED: [(&str, &[&str]); 8] = [
    ("sim", &[]),
    ("data", &["omnimix-sim"]),
    ("optimizer", &["omnimix-sim"]),
    ("attribution", &[]),
    (
        "studies",
        &[
            "omnimix-sim",
            "omnimix-optimizer",
            "omnimix-attribution",
            "omnimix-data",
        ],
    ),
    ("reports", &["omnimix-sim", "omnimix-studies"]),
    (
        "serve",
        &[
            "omnimix-sim",
            "omnimix-optimizer",
            "omnimix-studies",
            "omnimix-reports",
        ],
    ),
    (
        "benches",
        &[
            "omnimix-sim",
            "omnimix-optimizer",
            "omnimix-attribution",
            "omnimix-studies",
        ],
    ),
];

fn omnimix_dependencies(folder: &str) -> Vec<String> {
    let path = format!("{}/{folder}/Cargo.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("a crate manifest");
    let manifest: toml::Table = text.parse().expect("valid TOML");
    let deps: BTreeMap<String, toml::Value> = manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.clone().into_iter().collect())
        .unwrap_or_default();
    deps.into_keys()
        .filter(|k| k.starts_with("omnimix"))
        .collect()
}

#[test]
fn crates_depend_only_downward() {
    for (folder, allowed) in ALLOWED {
        for dep in omnimix_dependencies(folder) {
            assert!(
                allowed.contains(&dep.as_str()),
                "{folder} depends on {dep}; allowed: {allowed:?} (see docs/architecture.md)"
            );
        }
    }
}

#[test]
fn the_pure_crates_write_no_files() {
    // file output lives in omnimix-reports: the cores and the workflows never open a file
    for folder in ["sim", "optimizer", "attribution", "studies"] {
        let dir = format!("{}/{folder}/src", env!("CARGO_MANIFEST_DIR"));
        for entry in walk(std::path::Path::new(&dir)) {
            let text = std::fs::read_to_string(&entry).unwrap();
            // code only: doc examples may print
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for needle in ["std::fs::", "File::create", "println!", "eprintln!"] {
                assert!(
                    !code.contains(needle),
                    "{} uses {needle}: {folder} is pure",
                    entry.display()
                );
            }
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// Every file of the repository's sources, scenarios and docs (not `target/`).
fn project_files() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "out" {
                    stack.push(p);
                }
            } else if ["rs", "toml", "md"]
                .iter()
                .any(|x| p.extension().is_some_and(|e| e == *x))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn model_citations_name_sections_of_docs_model_md() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = std::fs::read_to_string(root.join("docs/model.md")).unwrap();
    // a section is cited by its heading without the trailing "(`file.rs`)"
    let sections: Vec<String> = model
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(|h| h.split(" (").next().unwrap_or(h).trim().to_string())
        .collect();
    let missing_file = ["MODEL", ".md"].concat(); // not spelt out, so this file passes
    let mut cited = 0;
    for f in project_files() {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains(&missing_file),
            "{} cites {missing_file}, which is not in the repository: cite docs/model.md",
            f.display()
        );
        let marker = "docs/model.md, \"";
        for (at, _) in text.match_indices(marker) {
            let rest = &text[at + marker.len()..];
            let name = &rest[..rest.find('"').unwrap_or(rest.len())];
            assert!(
                sections.iter().any(|s| s == name),
                "{} cites docs/model.md, \"{name}\": no such section (sections: {sections:?})",
                f.display()
            );
            cited += 1;
        }
    }
    assert!(cited >= 20, "only {cited} citations found");
}
