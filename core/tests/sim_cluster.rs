//! The simulated cluster as a whole: every page parses for several cluster
//! shapes, counters never decrease over a day of fetches, gauges stay in
//! their physical ranges, and the same seed with the same fetch times gives
//! byte-identical pages.

mod sim_common;

use promlab_core::sim::{Cluster, ClusterOptions, Scenario};
use sim_common::*;
use std::collections::HashMap;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test(unsupported = test)]
fn every_page_parses_for_every_cluster_shape() {
    // (nodes, gpu nodes, GPUs per node)
    let shapes = [(3, 1, 2), (1, 0, 1), (1, 1, 8), (5, 2, 4), (4, 0, 3)];
    for (nodes, gpu_nodes, gpus) in shapes {
        let mut cluster = Cluster::with_options(ClusterOptions {
            nodes,
            gpu_nodes,
            gpus_per_node: gpus,
            seed: 42,
        });
        let targets = cluster.targets();
        let count = |job: &str| targets.iter().filter(|t| t.job == job).count();
        let shape = format!("{nodes} nodes, {gpu_nodes} with {gpus} GPUs");
        assert_eq!(count("node-exporter"), nodes, "{shape}");
        assert_eq!(count("kube-state-metrics"), 1, "{shape}");
        assert_eq!(count("nvidia-dcgm-exporter"), gpu_nodes, "{shape}");
        assert_eq!(count("prom-example"), 1, "{shape}");
        for target in &targets {
            let page = scrape(&mut cluster, target, T0).unwrap();
            assert!(!page.samples.is_empty(), "{shape}: {}", target.address);
            if target.job == "nvidia-dcgm-exporter" {
                assert_eq!(
                    samples(&page, "DCGM_FI_DEV_GPU_UTIL").count(),
                    gpus,
                    "{shape}"
                );
            }
            if target.job == "node-exporter" {
                let cpus = samples(&page, "node_cpu_seconds_total")
                    .filter(|(l, _)| l.contains("mode=\"idle\""))
                    .count();
                assert!(cpus >= 4, "{shape}");
            }
        }
        let ksm_target = target(&cluster, "kube-state-metrics", 0);
        let ksm = scrape(&mut cluster, &ksm_target, T0).unwrap();
        assert_eq!(
            samples(&ksm, "kube_node_info").count(),
            nodes,
            "{shape}: one kube_node_info per node"
        );
        let gpu_capacity: f64 = samples(&ksm, "kube_node_status_capacity")
            .filter(|(l, _)| l.contains("nvidia_com_gpu"))
            .map(|(_, v)| v)
            .sum();
        assert_eq!(gpu_capacity, (gpu_nodes * gpus) as f64, "{shape}");
    }
}

/// Fetch times over a day: every 40 minutes (off any round number), plus
/// bursts of fetches a millisecond, a second and a scrape interval apart.
fn day_of_fetch_times() -> Vec<i64> {
    let mut times = Vec::new();
    for k in 0..36 {
        let t = T0 + k * 40 * MINUTE + (k * k % 17) * 1_013;
        times.push(t);
        if k % 6 == 0 {
            times.extend([t + 1, t + SECOND, t + 15 * SECOND]);
        }
    }
    times
}

#[wasm_bindgen_test(unsupported = test)]
fn counters_never_decrease_and_gauges_stay_in_range_over_a_day() {
    let mut cluster = Cluster::new(3);
    let targets = cluster.targets();
    let mut last: HashMap<(String, String), f64> = HashMap::new();
    let mut checked = 0;
    for (i, t) in day_of_fetch_times().into_iter().enumerate() {
        // Pings now and then, so the app's histogram and summary move too.
        cluster
            .apply(
                &Scenario::Pings {
                    count: (i % 4) as u32,
                },
                t,
            )
            .unwrap();
        for target in &targets {
            let page = scrape(&mut cluster, target, t).unwrap();
            for s in &page.samples {
                let name = s.labels.metric_name();
                if !is_cumulative(&page, name) {
                    continue;
                }
                let key = (target.address.clone(), s.labels.to_string());
                if let Some(before) = last.insert(key, s.value) {
                    assert!(
                        s.value >= before,
                        "{} {} went from {before} to {} at {t}",
                        target.address,
                        s.labels,
                        s.value
                    );
                    checked += 1;
                }
            }
            check_ranges(&target.job, &page, t);
        }
    }
    assert!(checked > 30_000, "only {checked} comparisons");
}

fn check_ranges(job: &str, page: &promlab_core::exposition::Page, t: i64) {
    match job {
        "node-exporter" => {
            let total = value(page, "node_memory_MemTotal_bytes");
            let free = value(page, "node_memory_MemFree_bytes");
            let available = value(page, "node_memory_MemAvailable_bytes");
            assert!(
                0.0 < free && free < available && available < total,
                "memory at {t}"
            );
            for (labels, size) in samples(page, "node_filesystem_size_bytes") {
                let free = value(page, &format!("node_filesystem_free_bytes{labels}"));
                let avail = value(page, &format!("node_filesystem_avail_bytes{labels}"));
                assert!(
                    0.0 <= avail && avail <= free && free <= size,
                    "{labels} at {t}"
                );
            }
            for load in ["node_load1", "node_load5", "node_load15"] {
                let v = value(page, load);
                assert!((0.0..64.0).contains(&v), "{load} = {v}");
            }
            // Every CPU spends the whole uptime in some mode.
            let uptime = t as f64 / 1000.0 - value(page, "node_boot_time_seconds");
            for (labels, _) in samples(page, "node_cpu_seconds_total") {
                if !labels.contains("idle") {
                    continue;
                }
                let cpu = labels.split('"').nth(1).unwrap_or("");
                let spent = sum(page, "node_cpu_seconds_total", &format!("cpu=\"{cpu}\","));
                assert!(
                    (spent - uptime).abs() < 1.1,
                    "cpu {cpu} spent {spent} of {uptime}"
                );
            }
        }
        "nvidia-dcgm-exporter" => {
            for (labels, temp) in samples(page, "DCGM_FI_DEV_GPU_TEMP") {
                assert!((30.0..=85.0).contains(&temp), "{labels}: {temp} °C");
                let util = value(page, &format!("DCGM_FI_DEV_GPU_UTIL{labels}"));
                assert!((0.0..=100.0).contains(&util), "{util}%");
                let used = value(page, &format!("DCGM_FI_DEV_FB_USED{labels}"));
                let free = value(page, &format!("DCGM_FI_DEV_FB_FREE{labels}"));
                assert!(used + free <= 81_920.0, "{used} + {free} MiB");
                let watts = value(page, &format!("DCGM_FI_DEV_POWER_USAGE{labels}"));
                assert!((30.0..=300.0).contains(&watts), "{watts} W");
            }
        }
        _ => {}
    }
}

fn run(seed: u64) -> Vec<String> {
    let mut cluster = Cluster::new(seed);
    let targets = cluster.targets();
    let mut pages = Vec::new();
    for (i, t) in [
        T0,
        T0 + 15 * SECOND,
        T0 + 7 * HOUR + 3,
        T0 + 7 * HOUR + 30 * SECOND,
    ]
    .into_iter()
    .enumerate()
    {
        if i == 2 {
            cluster.apply(&Scenario::Pings { count: 5 }, t).unwrap();
            cluster
                .apply(
                    &Scenario::RebootNode {
                        node: "qks-master-1".into(),
                    },
                    t,
                )
                .unwrap();
        }
        for target in &targets {
            pages.push(
                match cluster.fetch(&target.address, &target.metrics_path, t) {
                    Ok(body) => body,
                    Err(e) => e.to_string(),
                },
            );
        }
    }
    pages
}

#[wasm_bindgen_test(unsupported = test)]
fn the_same_seed_and_times_give_byte_identical_pages() {
    let first = run(7);
    assert_eq!(first, run(7));
    let other = run(8);
    let differing = first.iter().zip(&other).filter(|(a, b)| a != b).count();
    // Everything with dynamics differs; the seed does not change names.
    assert!(
        differing >= first.len() / 2,
        "{differing} of {}",
        first.len()
    );
    let index = Cluster::new(7)
        .targets()
        .iter()
        .position(|t| t.job == "kube-state-metrics")
        .unwrap();
    let ksm = |pages: &[String]| {
        pages[index]
            .lines()
            .filter(|l| l.starts_with("kube_pod_info"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(ksm(&first), ksm(&other));
}

/// A digest of every page of a short run. The simulation computes its
/// sines and exponentials with portable code, so the pages are the same
/// bytes natively and in WebAssembly: this snapshot holds on both.
#[wasm_bindgen_test(unsupported = test)]
fn the_pages_are_the_same_on_every_platform() {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for page in run(7) {
        for b in page.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    expect_test::expect!["a2d972ede2f55a65"].assert_eq(&format!("{h:016x}"));
}
