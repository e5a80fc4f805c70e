//! PromQL benchmarks: dashboard queries over the simulated cluster's data
//! (about 2,000 series scraped every 15 s), as instant queries and as 1h
//! range queries at a 15 s step, through the lab's API as the UI asks.
//!
//! `cargo bench -p promlab-core --bench promql`

use criterion::{criterion_group, criterion_main, Criterion};
use promlab_core::api::{ApiRequest, ApiResponse};
use promlab_core::lab::{Lab, LabOptions};
use std::hint::black_box;
use std::time::Duration;

const QUERIES: &[(&str, &str)] = &[
    (
        "cpu_by_instance",
        r#"sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))"#,
    ),
    (
        "latency_p90",
        "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
    ),
    (
        "join_node_info",
        r#"node_load1 * on (instance) group_left (node) label_replace(kube_node_info, "instance", "$1:9100", "internal_ip", "(.*)")"#,
    ),
    (
        "subquery_max_rate",
        "max_over_time(rate(node_network_receive_bytes_total[1m])[30m:1m])",
    ),
];

fn check(resp: ApiResponse, q: &str) -> ApiResponse {
    assert!(matches!(resp, ApiResponse::Success { .. }), "{q}: {resp:?}");
    resp
}

fn bench(c: &mut Criterion) {
    let mut lab = Lab::new(LabOptions {
        history: 2 * 3_600_000,
        ..LabOptions::default()
    });
    let now = lab.now();
    let mut group = c.benchmark_group("promql");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for (name, q) in QUERIES {
        let instant = ApiRequest::Query {
            query: q.to_string(),
            time: Some(now),
        };
        check(lab.api(&instant), q);
        group.bench_function(format!("{name}/instant"), |b| {
            b.iter(|| black_box(lab.api(black_box(&instant))))
        });
        let range = ApiRequest::QueryRange {
            query: q.to_string(),
            start: now - 3_600_000,
            end: now,
            step: 15_000,
        };
        check(lab.api(&range), q);
        group.bench_function(format!("{name}/range_1h_15s"), |b| {
            b.iter(|| black_box(lab.api(black_box(&range))))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
