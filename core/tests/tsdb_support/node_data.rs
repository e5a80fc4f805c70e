//! Synthetic node_exporter-like data for the TSDB's tests and benchmarks:
//! for each node, the families node_exporter serves (CPU seconds per core
//! and mode, memory, filesystems, network and disk counters, load, netstat
//! and vmstat counters, the exporter's own Go metrics) and the scrape's
//! synthetic series, scraped every 15 s. Counters grow at realistic rates
//! and resolutions, gauges wander, and many series are constant, as on a
//! real machine. A fixed seed makes every run the same data.

#![allow(dead_code)]

use promlab_core::clock::Timestamp;
use promlab_core::exposition::MetricType;
use promlab_core::labels::Labels;
use promlab_core::tsdb::Metadata;

/// The scrape interval.
pub const INTERVAL: Timestamp = 15_000;

/// A deterministic xorshift generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// How one series' value evolves from scrape to scrape.
#[derive(Debug, Clone)]
enum Gen {
    Constant(f64),
    /// Grows by about `rate` a second, in steps of `resolution`.
    Counter {
        value: f64,
        rate: f64,
        resolution: f64,
    },
    /// Wanders by up to `step` each scrape within `[min, max]`, in steps of
    /// `resolution`.
    Gauge {
        value: f64,
        step: f64,
        min: f64,
        max: f64,
        resolution: f64,
    },
    /// A fresh random value each scrape (a duration, a quantile).
    Noise {
        base: f64,
        spread: f64,
    },
    /// The node's clock in seconds.
    Time,
}

impl Gen {
    fn next(&mut self, rng: &mut Rng, t: Timestamp) -> f64 {
        match self {
            Gen::Constant(v) => *v,
            Gen::Counter {
                value,
                rate,
                resolution,
            } => {
                let inc = *rate * 15.0 * (0.5 + rng.unit());
                *value += (inc / *resolution).round() * *resolution;
                round_to(*value, *resolution)
            }
            Gen::Gauge {
                value,
                step,
                min,
                max,
                resolution,
            } => {
                let d = (rng.unit() * 2.0 - 1.0) * *step;
                *value = (*value + d).clamp(*min, *max);
                round_to(*value, *resolution)
            }
            Gen::Noise { base, spread } => *base + rng.unit() * *spread,
            Gen::Time => t as f64 / 1000.0,
        }
    }
}

fn round_to(v: f64, resolution: f64) -> f64 {
    if resolution >= 1.0 {
        (v / resolution).round() * resolution
    } else {
        // Decimal resolutions: round in decimal, as an exporter prints them.
        let digits = (-resolution.log10()).round() as i32;
        let scale = 10f64.powi(digits);
        (v * scale).round() / scale
    }
}

/// Series, their metadata and every sample, scrape by scrape.
pub struct Workload {
    pub series: Vec<Labels>,
    pub metadata: Vec<(String, Metadata)>,
    pub steps: usize,
    /// Timestamps of each node's scrapes, `[node][step]`.
    pub times: Vec<Vec<Timestamp>>,
    /// Which node each series belongs to.
    pub node_of: Vec<usize>,
    /// Values `[step * series.len() + series]`.
    pub values: Vec<f64>,
}

impl Workload {
    pub fn num_samples(&self) -> usize {
        self.values.len()
    }

    /// The samples of scrape `step`: (series index, timestamp, value).
    pub fn step(&self, step: usize) -> impl Iterator<Item = (usize, Timestamp, f64)> + '_ {
        let n = self.series.len();
        self.values[step * n..(step + 1) * n]
            .iter()
            .enumerate()
            .map(move |(i, &v)| (i, self.times[self.node_of[i]][step], v))
    }
}

struct Family {
    name: &'static str,
    metric_type: MetricType,
    help: &'static str,
    unit: &'static str,
}

/// `nodes` nodes scraped `steps` times from `start`.
pub fn node_workload(nodes: usize, steps: usize, start: Timestamp, seed: u64) -> Workload {
    let mut rng = Rng::new(seed);
    let mut series = Vec::new();
    let mut gens = Vec::new();
    let mut node_of = Vec::new();
    let mut families: Vec<Family> = Vec::new();
    let mut times: Vec<Vec<Timestamp>> = Vec::new();
    for node in 0..nodes {
        let instance = format!("node-{node:03}:9100");
        let mut add = |name: &'static str,
                       mt: MetricType,
                       extra: &[(&str, String)],
                       g: Gen,
                       families: &mut Vec<Family>| {
            let mut labels = Labels::from_pairs([
                ("__name__", name.to_string()),
                ("job", "node".to_string()),
                ("instance", instance.clone()),
            ]);
            for (k, v) in extra {
                labels.set(*k, v.clone());
            }
            if node == 0 && !families.iter().any(|f| f.name == name) {
                families.push(Family {
                    name,
                    metric_type: mt,
                    help: "Synthetic node_exporter-like data.",
                    unit: if name.ends_with("_bytes") {
                        "bytes"
                    } else if name.ends_with("_seconds") {
                        "seconds"
                    } else {
                        ""
                    },
                });
            }
            series.push(labels);
            gens.push(g);
            node_of.push(node);
        };
        use MetricType::{Counter, Gauge, Summary};
        let cpus = 4;
        for cpu in 0..cpus {
            for (mode, rate) in [
                ("idle", 0.9),
                ("iowait", 0.002),
                ("irq", 0.0),
                ("nice", 0.0),
                ("softirq", 0.003),
                ("steal", 0.0),
                ("system", 0.02),
                ("user", 0.07),
            ] {
                let g = if rate == 0.0 {
                    Gen::Constant(0.0)
                } else {
                    Gen::Counter {
                        value: 100_000.0 * rate + rng.unit() * 1000.0,
                        rate,
                        resolution: 0.01,
                    }
                };
                add(
                    "node_cpu_seconds_total",
                    Counter,
                    &[("cpu", cpu.to_string()), ("mode", mode.to_string())],
                    g,
                    &mut families,
                );
            }
            add(
                "node_cpu_scaling_frequency_hertz",
                Gauge,
                &[("cpu", cpu.to_string())],
                Gen::Gauge {
                    value: 2.4e9,
                    step: 4e8,
                    min: 8e8,
                    max: 3.6e9,
                    resolution: 1e6,
                },
                &mut families,
            );
        }
        let mem_total = 16.0 * 1024.0 * 1024.0 * 1024.0;
        for (name, wanders) in [
            ("node_memory_MemTotal_bytes", false),
            ("node_memory_MemFree_bytes", true),
            ("node_memory_MemAvailable_bytes", true),
            ("node_memory_Buffers_bytes", true),
            ("node_memory_Cached_bytes", true),
            ("node_memory_SwapCached_bytes", false),
            ("node_memory_Active_bytes", true),
            ("node_memory_Inactive_bytes", true),
            ("node_memory_Active_anon_bytes", true),
            ("node_memory_Inactive_anon_bytes", true),
            ("node_memory_Active_file_bytes", true),
            ("node_memory_Inactive_file_bytes", true),
            ("node_memory_Unevictable_bytes", false),
            ("node_memory_Mlocked_bytes", false),
            ("node_memory_SwapTotal_bytes", false),
            ("node_memory_SwapFree_bytes", false),
            ("node_memory_Dirty_bytes", true),
            ("node_memory_Writeback_bytes", false),
            ("node_memory_AnonPages_bytes", true),
            ("node_memory_Mapped_bytes", true),
            ("node_memory_Shmem_bytes", true),
            ("node_memory_Slab_bytes", true),
            ("node_memory_SReclaimable_bytes", true),
            ("node_memory_SUnreclaim_bytes", true),
            ("node_memory_KernelStack_bytes", true),
            ("node_memory_PageTables_bytes", true),
            ("node_memory_NFS_Unstable_bytes", false),
            ("node_memory_Bounce_bytes", false),
            ("node_memory_WritebackTmp_bytes", false),
            ("node_memory_CommitLimit_bytes", false),
            ("node_memory_Committed_AS_bytes", true),
            ("node_memory_VmallocTotal_bytes", false),
            ("node_memory_VmallocUsed_bytes", false),
            ("node_memory_VmallocChunk_bytes", false),
            ("node_memory_HardwareCorrupted_bytes", false),
            ("node_memory_AnonHugePages_bytes", false),
            ("node_memory_HugePages_Total", false),
            ("node_memory_HugePages_Free", false),
            ("node_memory_Hugepagesize_bytes", false),
            ("node_memory_DirectMap4k_bytes", false),
            ("node_memory_DirectMap2M_bytes", false),
        ] {
            let base = (rng.unit() * 0.5 * mem_total / 4096.0).round() * 4096.0;
            let g = if wanders {
                Gen::Gauge {
                    value: base,
                    step: 4096.0 * 64.0,
                    min: 0.0,
                    max: mem_total,
                    resolution: 4096.0,
                }
            } else if name.contains("Total") {
                Gen::Constant(mem_total)
            } else {
                Gen::Constant(base)
            };
            add(name, Gauge, &[], g, &mut families);
        }
        for (device, mountpoint, fstype, size) in [
            ("/dev/sda1", "/", "ext4", 100e9),
            ("/dev/sda2", "/var", "ext4", 400e9),
            ("tmpfs", "/run", "tmpfs", 1.6e9),
        ] {
            let fs = [
                ("device", device.to_string()),
                ("mountpoint", mountpoint.to_string()),
                ("fstype", fstype.to_string()),
            ];
            let size = (size / 4096.0_f64).round() * 4096.0;
            let avail = (size * (0.3 + rng.unit() * 0.5) / 4096.0).round() * 4096.0;
            let slow = Gen::Gauge {
                value: avail,
                step: 4096.0 * 16.0,
                min: 0.0,
                max: size,
                resolution: 4096.0,
            };
            add(
                "node_filesystem_size_bytes",
                Gauge,
                &fs,
                Gen::Constant(size),
                &mut families,
            );
            add(
                "node_filesystem_avail_bytes",
                Gauge,
                &fs,
                slow.clone(),
                &mut families,
            );
            add(
                "node_filesystem_free_bytes",
                Gauge,
                &fs,
                slow,
                &mut families,
            );
            add(
                "node_filesystem_files",
                Gauge,
                &fs,
                Gen::Constant(6_553_600.0),
                &mut families,
            );
            add(
                "node_filesystem_files_free",
                Gauge,
                &fs,
                Gen::Gauge {
                    value: 6_000_000.0,
                    step: 3.0,
                    min: 0.0,
                    max: 6_553_600.0,
                    resolution: 1.0,
                },
                &mut families,
            );
            add(
                "node_filesystem_readonly",
                Gauge,
                &fs,
                Gen::Constant(0.0),
                &mut families,
            );
            add(
                "node_filesystem_device_error",
                Gauge,
                &fs,
                Gen::Constant(0.0),
                &mut families,
            );
        }
        for (device, busy) in [("eth0", 1.0), ("lo", 0.05), ("docker0", 0.0)] {
            let d = [("device", device.to_string())];
            for (name, rate, resolution) in [
                ("node_network_receive_bytes_total", 200_000.0, 1.0),
                ("node_network_transmit_bytes_total", 120_000.0, 1.0),
                ("node_network_receive_packets_total", 300.0, 1.0),
                ("node_network_transmit_packets_total", 250.0, 1.0),
                ("node_network_receive_errs_total", 0.0, 1.0),
                ("node_network_transmit_errs_total", 0.0, 1.0),
                ("node_network_receive_drop_total", 0.001, 1.0),
                ("node_network_transmit_drop_total", 0.0, 1.0),
            ] {
                let rate = rate * busy;
                let g = if rate == 0.0 {
                    Gen::Constant(0.0)
                } else {
                    Gen::Counter {
                        value: (rate * 86_400.0 * rng.unit()).round(),
                        rate,
                        resolution,
                    }
                };
                add(name, Counter, &d, g, &mut families);
            }
            add(
                "node_network_up",
                Gauge,
                &d,
                Gen::Constant(1.0),
                &mut families,
            );
            add(
                "node_network_mtu_bytes",
                Gauge,
                &d,
                Gen::Constant(1500.0),
                &mut families,
            );
        }
        for device in ["sda", "sdb"] {
            let d = [("device", device.to_string())];
            for (name, rate, resolution) in [
                ("node_disk_reads_completed_total", 5.0, 1.0),
                ("node_disk_writes_completed_total", 20.0, 1.0),
                ("node_disk_read_bytes_total", 80_000.0, 512.0),
                ("node_disk_written_bytes_total", 400_000.0, 512.0),
                ("node_disk_io_time_seconds_total", 0.02, 0.001),
                ("node_disk_read_time_seconds_total", 0.004, 0.001),
                ("node_disk_write_time_seconds_total", 0.03, 0.001),
                ("node_disk_io_now", 0.0, 1.0),
            ] {
                let g = if rate == 0.0 {
                    Gen::Constant(0.0)
                } else {
                    Gen::Counter {
                        value: round_to(rate * 1e6 * rng.unit(), resolution),
                        rate,
                        resolution,
                    }
                };
                add(name, Counter, &d, g, &mut families);
            }
        }
        for (name, value) in [
            ("node_load1", 0.8),
            ("node_load5", 0.7),
            ("node_load15", 0.6),
        ] {
            add(
                name,
                Gauge,
                &[],
                Gen::Gauge {
                    value,
                    step: 0.05,
                    min: 0.0,
                    max: 8.0,
                    resolution: 0.01,
                },
                &mut families,
            );
        }
        for (name, rate) in [
            ("node_context_switches_total", 2_000.0),
            ("node_intr_total", 1_500.0),
            ("node_forks_total", 3.0),
        ] {
            add(
                name,
                Counter,
                &[],
                Gen::Counter {
                    value: (rate * 1e5 * rng.unit()).round(),
                    rate,
                    resolution: 1.0,
                },
                &mut families,
            );
        }
        // netstat and vmstat: many counters, a third of them idle.
        for i in 0..45 {
            let name: &'static str = NETSTAT[i % NETSTAT.len()];
            let rate = if i % 3 == 0 { 0.0 } else { 10.0 * rng.unit() };
            let g = if rate == 0.0 {
                Gen::Constant((1e4 * rng.unit()).round())
            } else {
                Gen::Counter {
                    value: (1e6 * rng.unit()).round(),
                    rate,
                    resolution: 1.0,
                }
            };
            add(
                name,
                MetricType::Untyped,
                &[("slot", (i / NETSTAT.len()).to_string())],
                g,
                &mut families,
            );
        }
        for (name, value, step) in [
            ("node_procs_running", 2.0, 2.0),
            ("node_procs_blocked", 0.0, 1.0),
            ("node_entropy_available_bits", 3_500.0, 30.0),
            ("node_filefd_allocated", 2_000.0, 10.0),
            ("node_sockstat_TCP_inuse", 40.0, 2.0),
            ("node_sockstat_sockets_used", 300.0, 4.0),
            ("go_goroutines", 8.0, 1.0),
            ("go_memstats_alloc_bytes", 3e6, 2e5),
            ("go_memstats_heap_inuse_bytes", 5e6, 8192.0 * 8.0),
            ("process_resident_memory_bytes", 2e7, 4096.0 * 4.0),
        ] {
            add(
                name,
                Gauge,
                &[],
                Gen::Gauge {
                    value,
                    step,
                    min: 0.0,
                    max: value * 4.0 + 10.0,
                    resolution: 1.0,
                },
                &mut families,
            );
        }
        for (name, v) in [
            ("node_filefd_maximum", 9.2e18),
            ("node_boot_time_seconds", 1.7e9),
            ("process_max_fds", 1_048_576.0),
            ("go_threads", 7.0),
            ("node_exporter_build_info", 1.0),
            ("node_uname_info", 1.0),
            ("node_os_info", 1.0),
            ("up", 1.0),
            ("scrape_samples_scraped", 380.0),
            ("scrape_samples_post_metric_relabeling", 380.0),
            ("scrape_series_added", 0.0),
        ] {
            add(name, Gauge, &[], Gen::Constant(v), &mut families);
        }
        add("node_time_seconds", Gauge, &[], Gen::Time, &mut families);
        add(
            "process_cpu_seconds_total",
            Counter,
            &[],
            Gen::Counter {
                value: 1_000.0,
                rate: 0.01,
                resolution: 0.01,
            },
            &mut families,
        );
        add(
            "scrape_duration_seconds",
            Gauge,
            &[],
            Gen::Noise {
                base: 0.01,
                spread: 0.02,
            },
            &mut families,
        );
        for q in ["0", "0.25", "0.5", "0.75", "1"] {
            add(
                "go_gc_duration_seconds",
                Summary,
                &[("quantile", q.to_string())],
                Gen::Noise {
                    base: 2e-5,
                    spread: 1e-4,
                },
                &mut families,
            );
        }
        for (name, rate, resolution) in [
            ("go_gc_duration_seconds_sum", 1e-4, 1e-6),
            ("go_gc_duration_seconds_count", 0.05, 1.0),
        ] {
            add(
                name,
                Summary,
                &[],
                Gen::Counter {
                    value: 10.0,
                    rate,
                    resolution,
                },
                &mut families,
            );
        }
        // Each node is scraped at its own offset; Prometheus aligns
        // timestamps within 2 ms of the interval, so only a few scrapes
        // that ran late carry their own milliseconds.
        let offset = (rng.below(INTERVAL as u64)) as Timestamp;
        times.push(
            (0..steps)
                .map(|s| {
                    let t = start + offset + s as Timestamp * INTERVAL;
                    if rng.below(100) < 3 {
                        t + 3 + rng.below(40) as Timestamp
                    } else {
                        t
                    }
                })
                .collect(),
        );
    }
    let mut values = Vec::with_capacity(series.len() * steps);
    for step in 0..steps {
        let now: Vec<Timestamp> = times.iter().map(|ts| ts[step]).collect();
        for (g, &node) in gens.iter_mut().zip(&node_of) {
            values.push(g.next(&mut rng, now[node]));
        }
    }
    let mut metadata: Vec<(String, Metadata)> = families
        .into_iter()
        .map(|f| {
            (
                f.name.to_string(),
                Metadata {
                    metric_type: f.metric_type,
                    help: f.help.to_string(),
                    unit: f.unit.to_string(),
                },
            )
        })
        .collect();
    // The summary's family, not its `_sum` and `_count` series.
    metadata.retain(|(n, _)| !n.ends_with("_sum") && !n.ends_with("_count"));
    Workload {
        series,
        metadata,
        steps,
        times,
        node_of,
        values,
    }
}

const NETSTAT: &[&str] = &[
    "node_netstat_Tcp_ActiveOpens",
    "node_netstat_Tcp_PassiveOpens",
    "node_netstat_Tcp_RetransSegs",
    "node_netstat_Tcp_InSegs",
    "node_netstat_Tcp_OutSegs",
    "node_netstat_Udp_InDatagrams",
    "node_netstat_Udp_OutDatagrams",
    "node_netstat_Udp_InErrors",
    "node_netstat_TcpExt_ListenDrops",
    "node_netstat_TcpExt_SyncookiesSent",
    "node_netstat_Icmp_InMsgs",
    "node_netstat_Icmp_OutMsgs",
    "node_netstat_IpExt_InOctets",
    "node_netstat_IpExt_OutOctets",
    "node_vmstat_pgfault",
];
