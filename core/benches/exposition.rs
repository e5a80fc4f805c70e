//! Parse throughput of a node_exporter-like page of 10,000 lines, in bytes
//! and samples per second, for both formats, and the cost of writing it.
//! Run with `cargo bench -p promlab-core --bench exposition`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use promlab_core::exposition::{self, FamilySample, Format, MetricFamily, MetricType};
use promlab_core::labels::Labels;
use std::hint::black_box;

/// Families shaped like node_exporter's: per-CPU counters, per-device
/// gauges with long label values, histograms and a Go summary, until the
/// text page has `lines` lines.
fn node_exporter_like(lines: usize) -> Vec<MetricFamily> {
    let mut families = Vec::new();
    let mut written = 0;
    let mut i = 0u32;
    while written < lines {
        let (name, metric_type, samples) = match i % 4 {
            0 => {
                let name = format!("node_cpu_{i}_seconds_total");
                let samples = (0..16)
                    .flat_map(|cpu| {
                        [
                            "idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user",
                        ]
                        .into_iter()
                        .map(move |mode| (cpu, mode))
                    })
                    .map(|(cpu, mode)| {
                        let labels = Labels::from_pairs([
                            ("__name__", name.clone()),
                            ("cpu", cpu.to_string()),
                            ("mode", mode.to_string()),
                        ]);
                        FamilySample::new(labels, 1234.56 * f64::from(cpu + 1))
                    })
                    .collect();
                (name, MetricType::Counter, samples)
            }
            1 => {
                let name = format!("node_filesystem_{i}_avail_bytes");
                let samples = (0..40)
                    .map(|d| {
                        let labels = Labels::from_pairs([
                            ("__name__", name.clone()),
                            ("device", format!("/dev/mapper/vg0-lv{d}")),
                            ("fstype", "ext4".to_string()),
                            (
                                "mountpoint",
                                format!("/var/lib/kubelet/pods/{d:08x}-volume"),
                            ),
                        ]);
                        FamilySample::new(labels, 1.2345e10 + f64::from(d))
                    })
                    .collect();
                (name, MetricType::Gauge, samples)
            }
            2 => {
                let name = format!("node_disk_{i}_io_time_seconds");
                let mut samples = Vec::new();
                for le in [
                    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "+Inf",
                ] {
                    let labels = Labels::from_pairs([
                        ("__name__", format!("{name}_bucket")),
                        ("device", "nvme0n1".to_string()),
                        ("le", le.to_string()),
                    ]);
                    samples.push(FamilySample::new(labels, 42.0));
                }
                for (suffix, v) in [("_sum", 3.75), ("_count", 42.0)] {
                    let labels = Labels::from_pairs([
                        ("__name__", format!("{name}{suffix}")),
                        ("device", "nvme0n1".to_string()),
                    ]);
                    samples.push(FamilySample::new(labels, v));
                }
                (name, MetricType::Histogram, samples)
            }
            _ => {
                let name = format!("go_gc_{i}_duration_seconds");
                let mut samples: Vec<FamilySample> = ["0", "0.25", "0.5", "0.75", "1.0"]
                    .into_iter()
                    .map(|q| {
                        let labels = Labels::from_pairs([
                            ("__name__", name.clone()),
                            ("quantile", q.to_string()),
                        ]);
                        FamilySample::new(labels, 2.9e-5)
                    })
                    .collect();
                for (suffix, v) in [("_sum", 0.011), ("_count", 311.0)] {
                    let labels = Labels::from_pairs([("__name__", format!("{name}{suffix}"))]);
                    samples.push(FamilySample::new(labels, v));
                }
                (name, MetricType::Summary, samples)
            }
        };
        written += samples.len() + 2;
        families.push(MetricFamily {
            help: format!("Help text for {name}, as long as node_exporter's usually are."),
            name,
            unit: String::new(),
            metric_type,
            samples,
        });
        i += 1;
    }
    families
}

fn bench(c: &mut Criterion) {
    let families = node_exporter_like(10_000);
    let text = exposition::write(&families);
    let om = exposition::write_openmetrics(&families);
    let samples = exposition::parse(&text)
        .map(|p| p.samples.len())
        .unwrap_or(0) as u64;
    assert!(samples > 9_000, "the page has {samples} samples");

    let mut group = c.benchmark_group("exposition");
    group.sample_size(20);
    for (format, page) in [(Format::Text004, &text), (Format::OpenMetrics1, &om)] {
        group.throughput(Throughput::Bytes(page.len() as u64));
        group.bench_function(format!("parse {format:?} bytes"), |b| {
            b.iter(|| exposition::parse_with(black_box(page), format))
        });
        group.throughput(Throughput::Elements(samples));
        group.bench_function(format!("parse {format:?} samples"), |b| {
            b.iter(|| exposition::parse_with(black_box(page), format))
        });
    }
    group.throughput(Throughput::Elements(samples));
    group.bench_function("write Text004 samples", |b| {
        b.iter(|| exposition::write(black_box(&families)))
    });
    group.bench_function("write OpenMetrics1 samples", |b| {
        b.iter(|| exposition::write_openmetrics(black_box(&families)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
