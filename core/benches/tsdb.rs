//! TSDB benchmarks: append throughput and bytes per sample on six hours of
//! synthetic node_exporter-like data at 15 s, and selection latency over
//! 100k series.
//!
//! `cargo bench -p promlab-core --bench tsdb`

#[path = "../tests/tsdb_support/node_data.rs"]
mod node_data;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use node_data::{node_workload, Workload};
use promlab_core::labels::{MatchOp, Matcher};
use promlab_core::tsdb::{Head, Querier};
use std::hint::black_box;
use std::time::Duration;

/// 2023-11-15 00:00 UTC, on a 2-hour boundary.
const START: i64 = 1_700_006_400_000;

fn fill_by_ref(data: &Workload) -> Head {
    let mut head = Head::new();
    let refs: Vec<usize> = data
        .series
        .iter()
        .map(|l| head.get_or_create(l).unwrap_or_default())
        .collect();
    for step in 0..data.steps {
        for (i, t, v) in data.step(step) {
            let _ = head.append_ref(refs[i], t, v);
        }
    }
    head
}

fn fill_by_labels(data: &Workload) -> Head {
    let mut head = Head::new();
    for step in 0..data.steps {
        for (i, t, v) in data.step(step) {
            let _ = head.append(&data.series[i], t, v);
        }
    }
    head
}

fn append(c: &mut Criterion) {
    // Ten nodes, six hours at 15 s.
    let data = node_workload(10, 6 * 240, START, 1);
    let head = fill_by_ref(&data);
    let stats = head.stats();
    println!(
        "append workload: {} series, {} samples, {} chunks, {} bytes of chunks: {:.3} bytes/sample",
        stats.series, stats.samples, stats.chunks, stats.chunk_bytes, stats.bytes_per_sample
    );
    let mut group = c.benchmark_group("append");
    group.throughput(Throughput::Elements(data.num_samples() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("6h_node_data_by_ref", |b| {
        b.iter_with_large_drop(|| fill_by_ref(black_box(&data)))
    });
    group.bench_function("6h_node_data_by_labels", |b| {
        b.iter_with_large_drop(|| fill_by_labels(black_box(&data)))
    });
    group.finish();
}

fn select(c: &mut Criterion) {
    // 443 nodes of 226 series: 100,118 series, an hour of samples each.
    let data = node_workload(443, 240, START, 2);
    let head = fill_by_ref(&data);
    println!("select workload: {} series", head.num_series());
    let re =
        |n: &str, v: &str| Matcher::new(n, MatchOp::Regex, v).unwrap_or_else(|e| panic!("{e}"));
    let nre =
        |n: &str, v: &str| Matcher::new(n, MatchOp::NotRegex, v).unwrap_or_else(|e| panic!("{e}"));
    let cases: Vec<(&str, Vec<Matcher>)> = vec![
        ("instance_regex", vec![re("instance", "node-0[0-4].*")]),
        ("name_regex", vec![re("__name__", "node_(load|procs)_?.*")]),
        (
            "name_and_mode_alternation",
            vec![
                Matcher::equal("__name__", "node_cpu_seconds_total"),
                re("mode", "user|system"),
            ],
        ),
        (
            "name_regex_without_instances",
            vec![
                re("__name__", "node_network_.*_bytes_total"),
                nre("instance", "node-1.*"),
            ],
        ),
    ];
    let mut group = c.benchmark_group("select_100k_series");
    group.sample_size(20);
    for (name, matchers) in &cases {
        let n = head.select_series(matchers, START, START + 3_600_000).len();
        println!("{name}: {n} series");
        group.bench_function(format!("{name}/series"), |b| {
            b.iter(|| {
                head.select_series(black_box(matchers), START, START + 3_600_000)
                    .len()
            })
        });
        // The last five minutes of every selected series, decoded.
        let mint = START + 3_300_000;
        group.bench_function(format!("{name}/last_5m_samples"), |b| {
            b.iter(|| {
                head.select(black_box(matchers), mint, START + 3_600_000)
                    .iter()
                    .map(|s| s.samples.len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, append, select);
criterion_main!(benches);
