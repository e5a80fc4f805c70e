//! Prometheus's own PromQL test scripts run against the lab's engine, as a
//! ratchet: `promqltest_expected.txt` records, per script, how many evals
//! pass, how many there are, and which (by line). The test fails when a
//! recorded eval stops passing (or, when the script changed, when fewer
//! pass than recorded), and notes when more pass, so the record can be
//! raised: `UPDATE_EXPECT=1 cargo test -p promlab-core --test
//! promqltest_conformance` rewrites it.
//!
//! The scripts come with Prometheus's source (`cargo xtask reference`
//! fetches them); `PROMLAB_PROMQLTEST_DIR` points elsewhere.
//!
//! The lab's own scripts in the same format, under `tests/promql/`, must
//! pass completely.
#![cfg(not(target_arch = "wasm32"))]

use promlab_core::promql::promqltest::{run_source, Outcome, Report, RunOptions, Status};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const EXPECTED_FILE: &str = "tests/promqltest_expected.txt";

const EXPECTED_HEADER: &str = "\
# Prometheus's PromQL test scripts run against the lab's engine (see
# promqltest_conformance.rs): script, passing evals, evals, then the lines
# of the passing evals. UPDATE_EXPECT=1 rewrites this file.
";

/// Where the xtask unpacks Prometheus's source package, unless
/// `PROMLAB_PROMQLTEST_DIR` says otherwise.
fn scripts_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PROMLAB_PROMQLTEST_DIR") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache
        .join("promlab-reference/root/usr/share/gocode/src/github.com/prometheus/prometheus")
        .join("promql/promqltest/testdata")
}

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The `*.test` files of `dir`, by name.
fn scripts(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "test"))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// Runs one script; a script that does not parse fails the test.
fn run_file(path: &Path) -> Report {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    run_source(&text, &RunOptions::default())
        .unwrap_or_else(|e| panic!("{} does not parse:\n{}", path.display(), e.render(&text)))
}

fn passing_lines(report: &Report) -> BTreeSet<usize> {
    report
        .evals
        .iter()
        .filter(|e| e.status() == Status::Passed)
        .map(|e| e.line)
        .collect()
}

#[derive(Debug)]
struct Recorded {
    passed: usize,
    total: usize,
    lines: BTreeSet<usize>,
}

fn parse_expected(text: &str) -> BTreeMap<String, Recorded> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let number = |s: &str| -> usize {
            s.parse()
                .unwrap_or_else(|_| panic!("{EXPECTED_FILE}:{}: {s:?} is not a count", i + 1))
        };
        assert!(
            fields.len() >= 3,
            "{EXPECTED_FILE}:{}: expected `file.test passed total [lines…]`",
            i + 1
        );
        let lines: BTreeSet<usize> = fields[3..].iter().map(|s| number(s)).collect();
        let recorded = Recorded {
            passed: number(fields[1]),
            total: number(fields[2]),
            lines,
        };
        assert_eq!(
            recorded.passed,
            recorded.lines.len(),
            "{EXPECTED_FILE}:{}: the count and the listed lines disagree",
            i + 1
        );
        out.insert(fields[0].to_string(), recorded);
    }
    out
}

fn format_expected(results: &[(String, Report)]) -> String {
    let mut out = EXPECTED_HEADER.to_string();
    for (name, report) in results {
        write!(out, "{name} {} {}", report.passed(), report.evals.len()).unwrap();
        for line in passing_lines(report) {
            write!(out, " {line}").unwrap();
        }
        out.push('\n');
    }
    out
}

/// `file:line: query: reason` for the evals at `lines` that do not pass.
fn describe_failures(name: &str, report: &Report, lines: &BTreeSet<usize>) -> String {
    let mut out = String::new();
    for e in report.evals.iter().filter(|e| lines.contains(&e.line)) {
        if let Outcome::Failed(f) = &e.outcome {
            writeln!(out, "  {name}:{}: {}\n      {f}", e.line, e.query).unwrap();
        }
    }
    out
}

#[test]
fn prometheus_scripts_pass_at_least_the_recorded_evals() {
    let dir = scripts_dir();
    assert!(
        dir.join("functions.test").is_file(),
        "Prometheus's PromQL test scripts are not in {}: run `cargo xtask reference` \
         (or set PROMLAB_PROMQLTEST_DIR)",
        dir.display()
    );
    let results: Vec<(String, Report)> = scripts(&dir)
        .iter()
        .map(|p| (file_name(p), run_file(p)))
        .collect();

    let expected_path = manifest_path(EXPECTED_FILE);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_path, format_expected(&results)).unwrap();
    }
    let recorded = parse_expected(&std::fs::read_to_string(&expected_path).unwrap_or_default());

    let mut regressions = String::new();
    let mut notes = String::new();
    let (mut passed, mut total) = (0, 0);
    for (name, report) in &results {
        let now = passing_lines(report);
        passed += now.len();
        total += report.evals.len();
        println!("{name}: {} passed of {}", now.len(), report.evals.len());
        let Some(rec) = recorded.get(name) else {
            writeln!(notes, "{name} is not recorded yet").unwrap();
            continue;
        };
        if rec.total == report.evals.len() {
            // The same script: every recorded eval must still pass.
            let lost: BTreeSet<usize> = rec.lines.difference(&now).copied().collect();
            if !lost.is_empty() {
                writeln!(
                    regressions,
                    "{name}: {} recorded eval(s) no longer pass:\n{}",
                    lost.len(),
                    describe_failures(name, report, &lost)
                )
                .unwrap();
            }
        } else if now.len() < rec.passed {
            // The script changed under the record: compare counts only.
            let failing: BTreeSet<usize> = report.evals.iter().map(|e| e.line).collect();
            writeln!(
                regressions,
                "{name} changed ({} evals, {} recorded) and passes {} instead of {}; failing now:\n{}",
                report.evals.len(),
                rec.total,
                now.len(),
                rec.passed,
                describe_failures(name, report, &failing)
            )
            .unwrap();
        }
        if now.len() > rec.passed || rec.total != report.evals.len() {
            writeln!(
                notes,
                "{name}: {} of {} pass now, {} of {} recorded",
                now.len(),
                report.evals.len(),
                rec.passed,
                rec.total
            )
            .unwrap();
        }
    }
    for name in recorded.keys() {
        if !results.iter().any(|(n, _)| n == name) {
            writeln!(notes, "{name} is recorded but not among the scripts").unwrap();
        }
    }
    println!("PromQL conformance: {passed} of {total} evals pass");
    if !notes.is_empty() {
        println!(
            "note: {EXPECTED_FILE} is out of date; record the new numbers with \
             UPDATE_EXPECT=1 cargo test -p promlab-core --test promqltest_conformance\n{notes}"
        );
    }
    assert!(
        regressions.is_empty(),
        "PromQL conformance went down:\n{regressions}"
    );
}

#[test]
fn our_scripts_pass_completely() {
    let files = scripts(&manifest_path("tests/promql"));
    assert!(files.len() >= 3, "{files:?}");
    let mut failures = String::new();
    for path in &files {
        let name = file_name(path);
        let report = run_file(path);
        assert!(!report.evals.is_empty(), "{name} has no evals");
        for e in &report.load_errors {
            writeln!(failures, "  {name}: {e}").unwrap();
        }
        let all: BTreeSet<usize> = report.evals.iter().map(|e| e.line).collect();
        failures.push_str(&describe_failures(&name, &report, &all));
    }
    assert!(failures.is_empty(), "failing evals:\n{failures}");
}
