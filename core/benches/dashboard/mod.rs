//! The dashboard queries every PromQL benchmark runs (read from
//! `dashboard/queries.txt`), the data they run over, and a timer that
//! reports medians. Shared by the criterion bench and by the
//! `promql_bench` (native) and `promql_bench_wasm` (WebAssembly) entries of
//! `cargo xtask bench-promql`, so all of them, and the real Prometheus it
//! compares with, run the same queries over the same data.

// Each user includes this file as a module and uses part of it.
#![allow(dead_code)]

use promlab_core::api::{ApiRequest, ApiResponse};
use promlab_core::lab::{Lab, LabOptions};

/// `name<TAB>query` per line; `#` starts a comment.
pub const QUERIES_TXT: &str = include_str!("queries.txt");

/// The data ends at 2026-01-01T00:00:00Z …
pub const END: i64 = 1_767_225_600_000;
/// … and spans the two hours before, scraped every 15 s: what
/// `promlab export --duration 2h --interval 15s --end 2026-01-01T00:00:00Z`
/// writes.
pub const HISTORY: i64 = 2 * 3_600_000;
pub const INTERVAL: i64 = 15_000;
/// Range queries cover the last hour at a 15 s step (241 points).
pub const RANGE: i64 = 3_600_000;
pub const STEP: i64 = 15_000;

/// The queries as (name, query).
pub fn queries() -> Vec<(&'static str, &'static str)> {
    QUERIES_TXT
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect()
}

/// The simulated cluster's lab with the benchmark's data.
pub fn lab() -> Lab {
    Lab::new(LabOptions {
        start: END,
        history: HISTORY,
        scrape_interval: Some(INTERVAL),
        retention: HISTORY + 3_600_000,
        ..LabOptions::default()
    })
}

/// Each query as an instant query at the end of the data and as a range
/// query over its last hour: (name, "instant" or "range", request).
pub fn requests() -> Vec<(&'static str, &'static str, ApiRequest)> {
    let mut out = Vec::new();
    for (name, q) in queries() {
        out.push((
            name,
            "instant",
            ApiRequest::Query {
                query: q.to_string(),
                time: Some(END),
            },
        ));
        out.push((
            name,
            "range",
            ApiRequest::QueryRange {
                query: q.to_string(),
                start: END - RANGE,
                end: END,
                step: STEP,
            },
        ));
    }
    out
}

/// The median time of one call of `f`, in milliseconds by `now`: `runs`
/// samples, each repeating `f` until at least `min_sample_ms` have passed
/// (so a coarse clock, as a browser's, still measures fast queries).
pub fn median_ms(
    now: &dyn Fn() -> f64,
    runs: usize,
    min_sample_ms: f64,
    f: &mut dyn FnMut(),
) -> f64 {
    f();
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = now();
        let mut calls = 0u32;
        loop {
            f();
            calls += 1;
            if now() - start >= min_sample_ms {
                break;
            }
        }
        samples.push((now() - start) / f64::from(calls));
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Times every request on `lab`; one `name<TAB>kind<TAB>ms` line each.
/// A query that fails is reported as an error line instead.
pub fn time_all(lab: &mut Lab, now: &dyn Fn() -> f64, runs: usize) -> String {
    let mut out = String::new();
    for (name, kind, request) in requests() {
        if let ApiResponse::Error(e) = lab.api(&request) {
            out.push_str(&format!("{name}\t{kind}\terror: {}\n", e.error));
            continue;
        }
        let ms = median_ms(now, runs, 2.0, &mut || {
            std::hint::black_box(lab.api(std::hint::black_box(&request)));
        });
        out.push_str(&format!("{name}\t{kind}\t{ms:.6}\n"));
    }
    out
}
