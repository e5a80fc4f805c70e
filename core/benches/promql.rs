//! PromQL benchmarks: dashboard queries (`dashboard/queries.txt`) over the
//! simulated cluster's data (about 2,000 series scraped every 15 s for two
//! hours), as instant queries and as 1h range queries at a 15 s step,
//! through the lab's API as the UI asks; and parsing the same queries.
//!
//! `cargo bench -p promlab-core --bench promql`; `cargo xtask bench-promql`
//! runs the same queries against the real Prometheus and in WebAssembly.

use criterion::{criterion_group, criterion_main, Criterion};
use promlab_core::api::ApiResponse;
use promlab_core::promql;
use std::hint::black_box;
use std::time::Duration;

mod dashboard;

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("promql_parse");
    group
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(300));
    for (name, q) in dashboard::queries() {
        assert!(promql::parse(q).is_ok(), "{q}");
        group.bench_function(name, |b| b.iter(|| black_box(promql::parse(black_box(q)))));
    }
    group.finish();
}

fn eval(c: &mut Criterion) {
    let mut lab = dashboard::lab();
    let mut group = c.benchmark_group("promql");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for (name, kind, request) in dashboard::requests() {
        let resp = lab.api(&request);
        assert!(
            matches!(resp, ApiResponse::Success { .. }),
            "{name}: {resp:?}"
        );
        group.bench_function(format!("{name}/{kind}"), |b| {
            b.iter(|| black_box(lab.api(black_box(&request))))
        });
    }
    group.finish();
}

criterion_group!(benches, parse, eval);
criterion_main!(benches);
