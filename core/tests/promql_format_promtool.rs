//! The parser and printer against the real `promtool promql format`: the
//! queries of the `eval` lines of Prometheus's PromQL test scripts (every
//! third one; all with `PROMLAB_PROMTOOL_ALL=1`), plus invalid queries of
//! our own, go through both. Where promtool prints a
//! query we must print the same text; where it rejects one we must reject it
//! at the same `line:col`.
//!
//! promtool is found in `$PROMLAB_REFERENCE_BIN` (default
//! `~/.cache/promlab-reference/bin`), the scripts in
//! `$PROMLAB_PROMQLTEST_DIR`; `cargo xtask reference` installs both.

#![cfg(not(target_arch = "wasm32"))]

use promlab_core::promql::{format_pretty, parse_with, ParseOptions};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn reference_dir() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("promlab-reference")
}

fn promtool() -> PathBuf {
    let bin = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| reference_dir().join("bin"));
    let promtool = bin.join("promtool");
    assert!(
        promtool.is_file(),
        "promtool not found at {}: run `cargo xtask reference`",
        promtool.display()
    );
    promtool
}

fn promqltest_dir() -> PathBuf {
    let dir = std::env::var_os("PROMLAB_PROMQLTEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            reference_dir().join(
                "root/usr/share/gocode/src/github.com/prometheus/prometheus/promql/promqltest/testdata",
            )
        });
    assert!(
        dir.is_dir(),
        "PromQL test scripts not found at {}: run `cargo xtask reference`",
        dir.display()
    );
    dir
}

/// The expression of an `eval` line: after `instant [at T]` or
/// `range from A to B step S`.
fn eval_expr(line: &str) -> Option<String> {
    let line = line.trim();
    let (cmd, rest) = line.split_once(char::is_whitespace)?;
    if !cmd.starts_with("eval") {
        return None;
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    let skip = match *words.first()? {
        "instant" if words.get(1) == Some(&"at") => 3,
        "instant" => 1,
        "range" => 7,
        _ => return None,
    };
    // Cut the same number of words off the original text, keeping the
    // query's own spacing.
    let mut text = rest.trim_start();
    for _ in 0..skip {
        let (_, after) = text.split_once(char::is_whitespace)?;
        text = after.trim_start();
    }
    Some(text.to_string())
}

/// Invalid (and a few odd but valid) queries, to compare where errors are
/// reported.
const OWN_CASES: &[&str] = &[
    "",
    "   ",
    "# only a comment",
    "sum(foo bar)",
    "sum(rate(foo[5m]) +)",
    "rate(foo bar)",
    "foo[5m x]",
    "foo[5m 5m]",
    "foo[5m:1m 1m]",
    "foo offset 5m + 1",
    "foo offset -5m ^ 2",
    "-2^2",
    "- - 2",
    "-foo offset 5m",
    "0b101",
    "0x1p3",
    "1__0",
    "1e500",
    "1e-500",
    "0x",
    "0xFFFFFFFFFFFFFFFFFF",
    "1.5m",
    "1e5m",
    "1y1y",
    "1hs",
    "1m1h",
    "99999999999y",
    "foo @ 1e3",
    "foo @ -1.5",
    "foo @ 5m",
    "foo @ start",
    "foo @ ",
    "foo @ inf",
    "foo @ 1e20",
    "foo @ 1 @ 2",
    "foo @ end() @ start()",
    "{\"my.metric\"}",
    "{\"my.metric\", \"a.b\"=\"x\"}",
    "sum by (\"a.b\") (foo)",
    "foo / on(\"a.b\") group_left(\"c\") bar",
    "foo ! bar",
    "foo != ",
    "sum(foo",
    "foo[5",
    "foo{a=\"\\q\"}",
    "\"\\xZZ\"",
    "foo(1) $",
    "foo offset 1m offset 1m $",
    "foo offset 5m[5m]",
    "(foo)[5m]",
    "foo[5m][5m]",
    "foo[5m:1m][1m:]",
    "foo[5m:1m] offset 1m @ 100",
    "foo offset 0s",
    "foo[0s]",
    "foo[5]",
    "foo[1.5]",
    "foo[5m:0s]",
    "foo offset (5m + 1m)",
    "foo[5m+1m]",
    "limitk(1, foo)",
    "sum without (a, b,) (foo)",
    "sum by (a) (foo) by (b)",
    "foo and on(a) group_left bar",
    "1 > 2",
    "1 > bool 2",
    "foo + bool bar",
    "rate(foo)",
    "rate(foo[5m], 1)",
    "round(foo, 1, 2)",
    "time(1)",
    "\"a\" + 1",
    "info(foo, {a=\"b\"})",
    "info(foo, bar)",
    "sum + 1",
    "by",
    "on",
    "bool",
    "foo and and",
    "sum by (a b) (x)",
    "sum by (1) (x)",
    "sum by a (x)",
    "sum by (a,,b) (x)",
    "sum by (without) (x)",
    "sum by (a:b) (x)",
    "sum by (\"\") (x)",
    "foo)",
    "foo]",
    "foo[5m:1m:]",
    "foo[:5m]",
    "foo{a=\"b\" c}",
    "{a,}",
    "{a=1}",
    "{,}",
    "foo{\"a.b\"=\"x\", \"c\"}",
    "f(a,)",
    "rate(foo[5m],)",
    "rate(foo, %)",
    "rate(foo, bar",
    "1 offset 5m",
    "sum(foo) offset 5m",
    "foo offset 0 offset 5m",
    "foo * ignoring() group_left bar",
    "foo * on() group_left bar",
    "1 + on(a) foo",
    "foo and on(a) group_left(a) bar",
    "foo * on(a) group_left(a) bar",
    "-foo[5m]",
    "-\"a\"",
    "\"a\"[5m]",
    "\"a\"[5m:]",
    "sum(\"a\")",
    "topk(foo, bar)",
    "count_values(1, foo)",
    "label_replace(foo, 1, \"a\", \"b\", \"c\")",
    "foo{}",
    "{a=~\".*\"}",
    "foo{__name__=\"bar\"}",
    "foo{a=~\"(\"}",
    "nosuchfunction(foo)",
    "sum()",
    "topk(foo)",
    "foo +",
    "(foo",
    "foo\n  +\n  bar baz",
    "sum(\n  rate(x[5m]\n)",
    "foo offset",
    "foo offset bar",
    "foo[",
    "foo[]",
    "foo[5m:1m",
    "x[5m] @ start() offset -1m",
    "foo or bar and baz unless qux",
    "2 ^ 3 ^ 2",
    "a - b - c / d % e atan2 f",
    "-a ^ b",
    "a ^ -b * c",
    "sum(a) by (b) / on(b) group_left(c) count without (d) (e)",
];

fn queries() -> Vec<String> {
    let mut set = BTreeSet::new();
    let dir = promqltest_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        set.extend(text.lines().filter_map(eval_expr));
    }
    // promtool is a process per query: by default every third query of the
    // scripts; `PROMLAB_PROMTOOL_ALL=1` takes them all.
    let every = if std::env::var_os("PROMLAB_PROMTOOL_ALL").is_some() {
        1
    } else {
        3
    };
    let mut all: Vec<String> = set.into_iter().step_by(every).collect();
    all.extend(OWN_CASES.iter().map(|s| s.to_string()));
    all
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Formatted(String),
    /// `line:col`, or what promtool says instead of a position.
    Rejected(String),
}

fn promtool_outcome(promtool: &PathBuf, q: &str) -> Outcome {
    let out = Command::new(promtool)
        .args([
            "--experimental",
            "--enable-feature=promql-experimental-functions",
            "promql",
            "format",
            "--",
            q,
        ])
        .output()
        .unwrap_or_else(|e| panic!("running promtool: {e}"));
    if out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout);
        return Outcome::Formatted(text.strip_suffix('\n').unwrap_or(&text).to_string());
    }
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    // The position is the text before the first ": parse error:".
    let pos = match err.split_once(": parse error:") {
        Some((pos, _)) => pos.lines().last().unwrap_or("").to_string(),
        None => "no position".to_string(),
    };
    Outcome::Rejected(pos)
}

fn our_outcome(q: &str) -> (Outcome, String) {
    let options = ParseOptions {
        experimental_functions: true,
        // promtool cannot switch duration expressions on.
        experimental_duration_expressions: false,
    };
    match parse_with(q, &options) {
        Ok(e) => (Outcome::Formatted(format_pretty(&e)), String::new()),
        Err(e) => (
            Outcome::Rejected(e.position(q)),
            e.render(q).lines().next().unwrap_or("").to_string(),
        ),
    }
}

#[test]
fn formatting_and_errors_agree_with_promtool() {
    let promtool = promtool();
    let queries = queries();
    assert!(queries.len() > 400, "only {} queries", queries.len());
    let (mut same_text, mut same_error, mut invalid_utf8, mut differ) = (0, 0, 0, Vec::new());
    // Two threads: promtool is a process per query.
    let halves: Vec<Vec<(String, Outcome)>> = std::thread::scope(|s| {
        let (a, b) = queries.split_at(queries.len() / 2);
        let handles: Vec<_> = [a, b]
            .into_iter()
            .map(|part| {
                let promtool = &promtool;
                s.spawn(move || {
                    part.iter()
                        .map(|q| (q.clone(), promtool_outcome(promtool, q)))
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for (q, theirs) in halves.into_iter().flatten() {
        let (ours, our_message) = our_outcome(&q);
        match (&theirs, &ours) {
            (Outcome::Formatted(a), Outcome::Formatted(b)) if a == b => same_text += 1,
            // Escapes that make invalid UTF-8 (`"\xff"`): Prometheus keeps
            // the bytes and prints them escaped; a Rust string holds the
            // replacement character instead.
            (Outcome::Formatted(_), Outcome::Formatted(b))
                if b.contains('\u{FFFD}') && !q.contains('\u{FFFD}') =>
            {
                invalid_utf8 += 1
            }
            // promtool panics on info() with a non-selector second argument
            // and then reports no position; we reject it with one.
            (Outcome::Rejected(a), Outcome::Rejected(_)) if a == "no position" => same_error += 1,
            (Outcome::Rejected(a), Outcome::Rejected(b)) if a == b => same_error += 1,
            _ => differ.push(format!(
                "{q:?}\n  promtool: {theirs:?}\n  ours:     {ours:?} {our_message}"
            )),
        }
    }
    println!(
        "promtool agreement: {same_text} formatted alike, {same_error} rejected at the same line:col, \
         {invalid_utf8} differ only in invalid UTF-8 from escapes, {} differ",
        differ.len()
    );
    assert!(
        differ.is_empty(),
        "{} of {} queries differ:\n{}",
        differ.len(),
        same_text + same_error + invalid_utf8 + differ.len(),
        differ.join("\n")
    );
}
