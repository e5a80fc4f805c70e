//! node_exporter 1.11 on one node: the metric families, types, HELP texts
//! and label names of the real exporter (checked against the real binary by
//! `core/tests/sim_node_exporter_real.rs`), with values computed from the
//! node's hardware, its boot time and the virtual time.
//!
//! Counters the kernel keeps (CPU seconds, bytes on disks and interfaces,
//! TCP segments, context switches) count from the node's boot, so a reboot
//! resets them; they are integrals of [`Rate`] curves and never decrease
//! between reboots. Gauges (memory, load, sockets, filesystems) follow
//! [`Level`] curves around values that fit the node's role. The collectors
//! are those kube-prometheus-stack's node_exporter runs by default on a
//! Linux node, less the ones with hardware-specific metrics (hwmon, thermal
//! zones, RAPL) and per-CPU softnet statistics.

use super::dynamics::{
    exp, floor_to, sawtooth, seconds, Key, Level, Rate, DAY, HOUR, MINUTE, SECOND,
};
use super::go_runtime::{GoProcess, GoProfile};
use super::page::Family;
use super::topology::{NodeSpec, Role, KERNEL_RELEASE, KERNEL_VERSION};
use crate::clock::Timestamp;
use crate::exposition::MetricFamily;

/// The port node_exporter listens on.
pub const PORT: u16 = 9100;

/// The Go runtime of node_exporter 1.11.
pub fn profile(cpus: u32) -> GoProfile {
    GoProfile {
        go_version: "go1.25.5",
        goroutines: 8.0,
        threads: 9.0,
        live_heap: 3.3e6,
        alloc_rate: 118_000.0,
        cpu_rate: 0.0045,
        resident_extra: 13.5e6,
        virtual_bytes: 1.27e9,
        open_fds: 10.0,
        max_fds: 1_048_576.0,
        gomaxprocs: cpus,
        handler_errors: true,
    }
}

/// CPU modes and the share of busy time each takes. `idle` is what is left.
const CPU_MODES: [(&str, f64); 7] = [
    ("iowait", 0.05),
    ("irq", 0.004),
    ("nice", 0.01),
    ("softirq", 0.035),
    ("steal", 0.0),
    ("system", 0.25),
    ("user", 0.651),
];

/// The collectors whose metrics this page carries, with their typical
/// duration in seconds.
const COLLECTORS: [(&str, f64); 21] = [
    ("conntrack", 0.00008),
    ("cpu", 0.0006),
    ("diskstats", 0.0004),
    ("entropy", 0.00005),
    ("filefd", 0.00004),
    ("filesystem", 0.0011),
    ("loadavg", 0.00004),
    ("meminfo", 0.0002),
    ("netclass", 0.0035),
    ("netdev", 0.0004),
    ("netstat", 0.0009),
    ("os", 0.00006),
    ("pressure", 0.0001),
    ("sockstat", 0.0002),
    ("stat", 0.0002),
    ("textfile", 0.00002),
    ("time", 0.0001),
    ("timex", 0.00003),
    ("udp_queues", 0.0002),
    ("uname", 0.00002),
    ("vmstat", 0.0003),
];

/// Everything node_exporter's page depends on.
pub struct NodeView<'a> {
    pub spec: &'a NodeSpec,
    /// The node's random streams (its name under the cluster's seed).
    pub key: Key,
    pub boot: Timestamp,
    pub process: &'a GoProcess,
}

impl NodeView<'_> {
    /// The node's CPU busy fraction for CPU `cpu` in `mode`.
    fn cpu_rate(&self, cpu: u32, mode: &str, share: f64) -> Rate {
        let k = self.key.child("cpu");
        let weight = k.range(i64::from(cpu), 0.75, 1.25);
        Rate::new(
            k.child(&format!("{cpu}/{mode}")),
            self.spec.load * weight * share,
        )
        .daily(0.35)
        .noise(0.5, MINUTE)
    }

    fn role_factor(&self) -> f64 {
        match self.spec.role {
            Role::ControlPlane => 1.0,
            Role::Worker => 1.3,
            Role::Gpu => 1.6,
        }
    }

    fn disk_rates(&self, device: &str, weight: f64) -> DiskRates {
        let k = self.key.child(device);
        let master = if self.spec.role == Role::ControlPlane {
            1.6
        } else {
            1.0
        };
        let nvme = device.starts_with("nvme");
        let reads = Rate::new(k.child("reads"), 7.0 * weight)
            .daily(0.4)
            .noise(0.7, MINUTE)
            .bursts(HOUR, 4 * MINUTE, 23 * MINUTE, 60.0 * weight);
        // etcd on the control plane syncs its log constantly.
        let writes = Rate::new(k.child("writes"), 38.0 * weight * master)
            .daily(0.3)
            .noise(0.6, MINUTE);
        DiskRates {
            reads,
            writes,
            read_size: if nvme { 48_000.0 } else { 26_000.0 },
            write_size: if nvme { 22_000.0 } else { 14_500.0 },
            read_latency: if nvme { 0.00012 } else { 0.00045 },
            write_latency: if nvme { 0.00004 } else { 0.0009 },
        }
    }

    fn interface_rates(&self, device: &str, rx: f64, tx: f64) -> (Rate, Rate) {
        let k = self.key.child(device);
        (
            Rate::new(k.child("rx"), rx).daily(0.45).noise(0.5, MINUTE),
            Rate::new(k.child("tx"), tx).daily(0.45).noise(0.5, MINUTE),
        )
    }

    /// Bytes received and sent on every interface since boot: what a
    /// process in the host's network namespace reports as its own.
    pub fn network_totals(&self, t: Timestamp) -> (f64, f64) {
        let mut totals = (0.0, 0.0);
        for i in &self.spec.interfaces {
            let (rx, tx) = self.interface_rates(i.device, i.rx, i.tx);
            totals.0 += rx.integral(self.boot, t).floor();
            totals.1 += tx.integral(self.boot, t).floor();
        }
        totals
    }

    /// The page's families at `t`.
    pub fn families(&self, t: Timestamp) -> Vec<MetricFamily> {
        let t = t.max(self.boot);
        let mut out = self.process.families(t, self.network_totals(t));
        self.system(t, &mut out);
        self.cpu(t, &mut out);
        self.memory(t, &mut out);
        self.disks(t, &mut out);
        self.filesystems(t, &mut out);
        self.network(t, &mut out);
        self.netstat(t, &mut out);
        self.sockstat(t, &mut out);
        self.info(t, &mut out);
        out
    }

    fn system(&self, t: Timestamp, out: &mut Vec<MetricFamily>) {
        let s = self.spec;
        let k = self.key;
        let f = self.role_factor();
        let cpus = f64::from(s.cpus);
        let load = |name: &str, span| {
            Level::new(k.child(name), cpus * s.load * 1.15)
                .daily(0.35)
                .noise(0.3, span)
                .at(t)
                .max(0.0)
        };
        // The kernel prints load averages with two decimals.
        let two = |v: f64| (v * 100.0).round() / 100.0;
        out.push(
            Family::gauge("node_load1", "1m load average.")
                .with(two(load("load1", MINUTE)))
                .build(),
        );
        out.push(
            Family::gauge("node_load5", "5m load average.")
                .with(two(load("load5", 5 * MINUTE)))
                .build(),
        );
        out.push(
            Family::gauge("node_load15", "15m load average.")
                .with(two(load("load15", 15 * MINUTE)))
                .build(),
        );
        let running = Level::new(k.child("running"), cpus * s.load * 0.6 + 1.0)
            .noise(0.6, 15 * SECOND)
            .at(t)
            .round()
            .max(1.0);
        out.push(
            Family::gauge(
                "node_procs_running",
                "Number of processes in runnable state.",
            )
            .with(running)
            .build(),
        );
        let blocked = Level::new(k.child("blocked"), 0.4)
            .noise(1.0, 20 * SECOND)
            .at(t)
            .round()
            .max(0.0);
        out.push(
            Family::gauge(
                "node_procs_blocked",
                "Number of processes blocked waiting for I/O to complete.",
            )
            .with(blocked)
            .build(),
        );
        let counter = |name: &str, help: &str, rate: Rate| {
            Family::counter(name, help)
                .with(rate.integral(self.boot, t).floor())
                .build()
        };
        let activity = |name: &str, mean: f64| {
            Rate::new(k.child(name), mean)
                .daily(0.35)
                .noise(0.5, MINUTE)
        };
        out.push(counter(
            "node_context_switches_total",
            "Total number of context switches.",
            activity("ctxt", cpus * 950.0 * f * s.load / 0.3),
        ));
        out.push(counter(
            "node_intr_total",
            "Total number of interrupts serviced.",
            activity("intr", cpus * 620.0 * f),
        ));
        out.push(counter(
            "node_forks_total",
            "Total number of forks.",
            activity("forks", 7.5 * f),
        ));
        out.push(
            Family::gauge("node_boot_time_seconds", "Node boot time, in unixtime.")
                .with(seconds(self.boot).floor())
                .build(),
        );
        out.push(
            Family::gauge(
                "node_time_seconds",
                "System time in seconds since epoch (1970).",
            )
            .with(seconds(t))
            .build(),
        );
        let mut tz = Family::gauge(
            "node_time_zone_offset_seconds",
            "System time zone offset in seconds.",
        );
        tz.add(&[("time_zone", "UTC")], 0.0);
        out.push(tz.build());
        let mut available = Family::gauge(
            "node_time_clocksource_available_info",
            "Available clocksources read from '/sys/devices/system/clocksource'.",
        );
        for source in ["acpi_pm", "hpet", "tsc"] {
            available.add(&[("clocksource", source), ("device", "0")], 1.0);
        }
        out.push(available.build());
        let mut current = Family::gauge(
            "node_time_clocksource_current_info",
            "Current clocksource read from '/sys/devices/system/clocksource'.",
        );
        current.add(&[("clocksource", "tsc"), ("device", "0")], 1.0);
        out.push(current.build());

        // chrony keeps the clock within a fraction of a millisecond.
        let offset = Level::new(k.child("ntp"), 2e-4)
            .noise(1.0, 5 * MINUTE)
            .at(t)
            - 2e-4;
        let timex: [(&str, &str, f64); 7] = [
            (
                "node_timex_estimated_error_seconds",
                "Estimated error in seconds.",
                1.2e-5,
            ),
            (
                "node_timex_frequency_adjustment_ratio",
                "Local clock frequency adjustment.",
                1.000_006_2,
            ),
            (
                "node_timex_maxerror_seconds",
                "Maximum error in seconds.",
                Level::new(k.child("maxerror"), 0.12)
                    .noise(0.8, 10 * MINUTE)
                    .at(t),
            ),
            (
                "node_timex_offset_seconds",
                "Time offset in between local system and reference clock.",
                offset,
            ),
            (
                "node_timex_status",
                "Value of the status array bits.",
                8193.0,
            ),
            (
                "node_timex_sync_status",
                "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
                1.0,
            ),
            (
                "node_timex_tick_seconds",
                "Seconds between clock ticks.",
                0.01,
            ),
        ];
        for (name, help, v) in timex {
            out.push(Family::gauge(name, help).with(v).build());
        }

        let fds = Level::new(k.child("filefd"), 2400.0 * f)
            .daily(0.1)
            .noise(0.1, 5 * MINUTE);
        out.push(
            Family::gauge(
                "node_filefd_allocated",
                "File descriptor statistics: allocated.",
            )
            .with(fds.at(t).round())
            .build(),
        );
        out.push(
            Family::gauge(
                "node_filefd_maximum",
                "File descriptor statistics: maximum.",
            )
            .with(i64::MAX as f64)
            .build(),
        );
        out.push(
            Family::gauge("node_entropy_available_bits", "Bits of available entropy.")
                .with(256.0)
                .build(),
        );
        out.push(
            Family::gauge("node_entropy_pool_size_bits", "Bits of entropy pool.")
                .with(256.0)
                .build(),
        );

        let pressure: [(&str, &str, f64); 5] = [
            (
                "node_pressure_cpu_waiting_seconds_total",
                "Total time in seconds that processes have waited for CPU time",
                0.3 * s.load * s.load * f,
            ),
            (
                "node_pressure_io_stalled_seconds_total",
                "Total time in seconds no process could make progress due to IO congestion",
                0.006,
            ),
            (
                "node_pressure_io_waiting_seconds_total",
                "Total time in seconds that processes have waited due to IO congestion",
                0.011,
            ),
            (
                "node_pressure_memory_stalled_seconds_total",
                "Total time in seconds no process could make progress due to memory congestion",
                0.0002,
            ),
            (
                "node_pressure_memory_waiting_seconds_total",
                "Total time in seconds that processes have waited for memory",
                0.0004,
            ),
        ];
        for (name, help, mean) in pressure {
            let rate = Rate::new(k.child(name), mean).daily(0.5).noise(0.8, MINUTE);
            out.push(
                Family::counter(name, help)
                    .with(floor_to(rate.integral(self.boot, t), 1e6))
                    .build(),
            );
        }

        let conntrack = Level::new(k.child("conntrack"), 1800.0 * f)
            .daily(0.3)
            .noise(0.2, 2 * MINUTE);
        out.push(
            Family::gauge(
                "node_nf_conntrack_entries",
                "Number of currently allocated flow entries for connection tracking.",
            )
            .with(conntrack.at(t).round())
            .build(),
        );
        out.push(
            Family::gauge(
                "node_nf_conntrack_entries_limit",
                "Maximum size of connection tracking table.",
            )
            .with(if s.cpus >= 8 { 262_144.0 } else { 131_072.0 })
            .build(),
        );

        let vm_rate = |name: &str, mean: f64| {
            Rate::new(k.child(name), mean)
                .daily(0.35)
                .noise(0.6, MINUTE)
        };
        let (mut read, mut written) = (0.0, 0.0);
        for d in &s.disks {
            let r = self.disk_rates(d.device, d.weight);
            read += r.reads.scaled(r.read_size).integral(self.boot, t);
            written += r.writes.scaled(r.write_size).integral(self.boot, t);
        }
        let vmstat: [(&str, f64); 7] = [
            ("oom_kill", 0.0),
            (
                "pgfault",
                vm_rate("pgfault", cpus * 520.0 * f).integral(self.boot, t),
            ),
            (
                "pgmajfault",
                vm_rate("pgmajfault", 0.35).integral(self.boot, t),
            ),
            // Kilobytes paged in and out: the disks' traffic.
            ("pgpgin", read / 1024.0),
            ("pgpgout", written / 1024.0),
            ("pswpin", 0.0),
            ("pswpout", 0.0),
        ];
        for (field, v) in vmstat {
            out.push(
                Family::untyped(
                    &format!("node_vmstat_{field}"),
                    &format!("/proc/vmstat information field {field}."),
                )
                .with(v.floor())
                .build(),
            );
        }
    }

    fn cpu(&self, t: Timestamp, out: &mut Vec<MetricFamily>) {
        let mut family = Family::counter(
            "node_cpu_seconds_total",
            "Seconds the CPUs spent in each mode.",
        );
        let elapsed = t.saturating_sub(self.boot) as f64 / 1000.0;
        for cpu in 0..self.spec.cpus {
            let label = cpu.to_string();
            let mut busy = 0.0;
            for (mode, share) in CPU_MODES {
                let v = if share == 0.0 {
                    0.0
                } else {
                    self.cpu_rate(cpu, mode, share).integral(self.boot, t)
                };
                busy += v;
                family.add(&[("cpu", &label), ("mode", mode)], floor_to(v, 100.0));
            }
            family.add(
                &[("cpu", &label), ("mode", "idle")],
                floor_to((elapsed - busy).max(0.0), 100.0),
            );
        }
        out.push(family.build());
        let mut guest = Family::counter(
            "node_cpu_guest_seconds_total",
            "Seconds the CPUs spent in guests (VMs) for each mode.",
        );
        for cpu in 0..self.spec.cpus {
            let label = cpu.to_string();
            guest.add(&[("cpu", &label), ("mode", "nice")], 0.0);
            guest.add(&[("cpu", &label), ("mode", "user")], 0.0);
        }
        out.push(guest.build());
    }

    fn memory(&self, t: Timestamp, out: &mut Vec<MetricFamily>) {
        let s = self.spec;
        let k = self.key.child("memory");
        let total = s.memory;
        let kib = |v: f64| (v.max(0.0) / 1024.0).floor() * 1024.0;
        let used = Level::new(k.child("used"), s.memory_used)
            .daily(0.08)
            .noise(0.06, 10 * MINUTE)
            .at(t)
            .clamp(0.05, 0.85);
        let anon = total * used * 0.9;
        let slab = total
            * Level::new(k.child("slab"), 0.034)
                .noise(0.1, 30 * MINUTE)
                .at(t);
        let buffers = total
            * Level::new(k.child("buffers"), 0.011)
                .noise(0.2, 20 * MINUTE)
                .at(t);
        let page_tables = total * 0.0045;
        let kernel_stack = f64::from(s.cpus) * 1.1e6 + 9e6;
        let shmem = total * 0.012;
        // The page cache fills over the hours after boot, up to what the
        // applications leave.
        let uptime_hours = t.saturating_sub(self.boot) as f64 / HOUR as f64;
        let cache_goal = total
            * 0.3
            * (1.0 - exp(-uptime_hours / 6.0))
            * Level::new(k.child("cache"), 1.0)
                .noise(0.08, 15 * MINUTE)
                .at(t);
        let reserve = total * 0.04;
        let room = (total - anon - slab - buffers - page_tables - kernel_stack - reserve).max(0.0);
        // Shared memory is counted in the page cache.
        let cached = (cache_goal + shmem).min(room);
        let free = total - anon - slab - buffers - page_tables - kernel_stack - cached;
        let sreclaimable = slab * 0.62;
        let available = (free + (cached - shmem) * 0.9 + buffers + sreclaimable * 0.8
            - total * 0.006)
            .clamp(0.0, total);
        let dirty = Level::new(k.child("dirty"), 2.4e6)
            .noise(1.0, 30 * SECOND)
            .at(t);
        let fields: [(&str, f64); 22] = [
            ("Active_bytes", anon * 0.72 + cached * 0.48),
            ("AnonPages_bytes", anon),
            ("Buffers_bytes", buffers),
            ("Cached_bytes", cached),
            ("CommitLimit_bytes", total / 2.0),
            ("Committed_AS_bytes", anon * 1.7),
            ("Dirty_bytes", dirty),
            ("Inactive_bytes", anon * 0.28 + cached * 0.52 + buffers),
            ("KernelStack_bytes", kernel_stack),
            ("Mapped_bytes", cached * 0.14 + anon * 0.05),
            ("MemAvailable_bytes", available),
            ("MemFree_bytes", free),
            ("MemTotal_bytes", total),
            ("PageTables_bytes", page_tables),
            ("SReclaimable_bytes", sreclaimable),
            ("SUnreclaim_bytes", slab - sreclaimable),
            ("Shmem_bytes", shmem),
            ("Slab_bytes", slab),
            // Kubernetes nodes run without swap.
            ("SwapCached_bytes", 0.0),
            ("SwapFree_bytes", 0.0),
            ("SwapTotal_bytes", 0.0),
            ("Writeback_bytes", 0.0),
        ];
        for (field, v) in fields {
            out.push(
                Family::gauge(
                    &format!("node_memory_{field}"),
                    &format!("Memory information field {field}."),
                )
                .with(kib(v))
                .build(),
            );
        }
    }

    fn disks(&self, t: Timestamp, out: &mut Vec<MetricFamily>) {
        let help: [(&str, &str); 11] = [
            (
                "node_disk_io_time_seconds_total",
                "Total seconds spent doing I/Os.",
            ),
            (
                "node_disk_io_time_weighted_seconds_total",
                "The weighted # of seconds spent doing I/Os.",
            ),
            (
                "node_disk_read_bytes_total",
                "The total number of bytes read successfully.",
            ),
            (
                "node_disk_read_time_seconds_total",
                "The total number of seconds spent by all reads.",
            ),
            (
                "node_disk_reads_completed_total",
                "The total number of reads completed successfully.",
            ),
            (
                "node_disk_reads_merged_total",
                "The total number of reads merged.",
            ),
            (
                "node_disk_write_time_seconds_total",
                "This is the total number of seconds spent by all writes.",
            ),
            (
                "node_disk_writes_completed_total",
                "The total number of writes completed successfully.",
            ),
            (
                "node_disk_writes_merged_total",
                "The number of writes merged.",
            ),
            (
                "node_disk_written_bytes_total",
                "The total number of bytes written successfully.",
            ),
            (
                "node_disk_io_now",
                "The number of I/Os currently in progress.",
            ),
        ];
        let mut families: Vec<Family> = help
            .iter()
            .map(|(name, help)| {
                if name.ends_with("_total") {
                    Family::counter(name, help)
                } else {
                    Family::gauge(name, help)
                }
            })
            .collect();
        let mut info = Family::gauge("node_disk_info", "Info of /sys/block/<block_device>.");
        for d in &self.spec.disks {
            let r = self.disk_rates(d.device, d.weight);
            let i = |rate: Rate| rate.integral(self.boot, t);
            let reads = i(r.reads);
            let writes = i(r.writes);
            let read_time = i(r.reads.scaled(r.read_latency));
            let write_time = i(r.writes.scaled(r.write_latency));
            // Requests overlap, so the disk is busy for less than the sum.
            let io_time = (read_time + write_time) * 0.82;
            let io_now = Level::new(self.key.child(d.device).child("inflight"), 0.3)
                .noise(1.0, 10 * SECOND)
                .at(t)
                .round()
                .max(0.0);
            let values = [
                floor_to(io_time, 1000.0),
                floor_to(read_time + write_time, 1000.0),
                i(r.reads.scaled(r.read_size)).floor(),
                floor_to(read_time, 1000.0),
                reads.floor(),
                i(r.reads.scaled(0.08)).floor(),
                floor_to(write_time, 1000.0),
                writes.floor(),
                i(r.writes.scaled(0.45)).floor(),
                i(r.writes.scaled(r.write_size)).floor(),
                io_now,
            ];
            for (family, v) in families.iter_mut().zip(values) {
                family.add(&[("device", d.device)], v);
            }
            let nvme = d.device.starts_with("nvme");
            let (major, minor) = (d.major.to_string(), d.minor.to_string());
            let serial = format!("S{:X}", self.key.child(d.device).bits(0) % 0xFFFF_FFFF_FFFF);
            info.add(
                &[
                    ("device", d.device),
                    ("major", &major),
                    ("minor", &minor),
                    (
                        "model",
                        if nvme {
                            "SAMSUNG MZQL2960HCJR-00A07"
                        } else {
                            "Samsung SSD 870 EVO 250GB"
                        },
                    ),
                    (
                        "path",
                        if nvme {
                            "pci-0000:65:00.0-nvme-1"
                        } else {
                            "pci-0000:00:17.0-ata-1"
                        },
                    ),
                    ("revision", if nvme { "GDC5602Q" } else { "SVT02B6Q" }),
                    ("rotational", "0"),
                    ("serial", &serial),
                ],
                1.0,
            );
        }
        out.extend(families.into_iter().map(Family::build));
        out.push(info.build());
    }

    fn filesystems(&self, t: Timestamp, out: &mut Vec<MetricFamily>) {
        let names: [(&str, &str); 7] = [
            (
                "node_filesystem_avail_bytes",
                "Filesystem space available to non-root users in bytes.",
            ),
            (
                "node_filesystem_device_error",
                "Whether an error occurred while getting statistics for the given device.",
            ),
            ("node_filesystem_files", "Filesystem total file nodes."),
            (
                "node_filesystem_files_free",
                "Filesystem total free file nodes.",
            ),
            (
                "node_filesystem_free_bytes",
                "Filesystem free space in bytes.",
            ),
            ("node_filesystem_readonly", "Filesystem read-only status."),
            ("node_filesystem_size_bytes", "Filesystem size in bytes."),
        ];
        let mut families: Vec<Family> = names.iter().map(|(n, h)| Family::gauge(n, h)).collect();
        let mut mounts = Family::gauge(
            "node_filesystem_mount_info",
            "Filesystem mount information.",
        );
        for fs in &self.spec.filesystems {
            let k = self.key.child(fs.mountpoint);
            // Logs and images grow through the day and are cleaned up at
            // midnight in Seoul (15:00 UTC).
            let grown = fs.daily_growth * sawtooth(t, DAY, 15 * HOUR);
            let wobble = Level::new(k, 1.0).noise(0.002, 5 * MINUTE).at(t);
            let used_fraction = ((fs.used + grown) * wobble).clamp(0.0, 0.99);
            let block = 4096.0;
            let size = (fs.bytes / block).floor() * block;
            let free = (size * (1.0 - used_fraction) / block).floor() * block;
            // ext4 keeps 5% for root; the others do not reserve.
            let reserved = if fs.fstype == "ext4" {
                (size * 0.05 / block).floor() * block
            } else {
                0.0
            };
            let avail = (free - reserved).max(0.0);
            let files_free = (fs.inodes * (1.0 - used_fraction * 0.18)).floor();
            let values = [avail, 0.0, fs.inodes, files_free, free, 0.0, size];
            let labels = [
                ("device", fs.device.as_str()),
                ("fstype", fs.fstype),
                ("mountpoint", fs.mountpoint),
            ];
            for (family, v) in families.iter_mut().zip(values) {
                family.add(&labels, v);
            }
            let (major, minor) = (fs.major.to_string(), fs.minor.to_string());
            mounts.add(
                &[
                    ("device", fs.device.as_str()),
                    ("major", &major),
                    ("minor", &minor),
                    ("mountpoint", fs.mountpoint),
                ],
                1.0,
            );
        }
        out.extend(families.into_iter().map(Family::build));
        out.push(mounts.build());
    }

    fn network(&self, t: Timestamp, out: &mut Vec<MetricFamily>) {
        let stats: [(&str, bool); 8] = [
            ("receive_bytes", true),
            ("receive_drop", true),
            ("receive_errs", true),
            ("receive_packets", true),
            ("transmit_bytes", false),
            ("transmit_drop", false),
            ("transmit_errs", false),
            ("transmit_packets", false),
        ];
        let mut families: Vec<Family> = stats
            .iter()
            .map(|(stat, _)| {
                Family::counter(
                    &format!("node_network_{stat}_total"),
                    &format!("Network device statistic {stat}."),
                )
            })
            .collect();
        let mut up = Family::gauge(
            "node_network_up",
            "Value is 1 if operstate is 'up', 0 otherwise.",
        );
        let mut carrier = Family::gauge("node_network_carrier", "Network device property: carrier");
        let mut mtu = Family::gauge(
            "node_network_mtu_bytes",
            "Network device property: mtu_bytes",
        );
        let mut speed = Family::gauge(
            "node_network_speed_bytes",
            "Network device property: speed_bytes",
        );
        let mut queue = Family::gauge(
            "node_network_transmit_queue_length",
            "Network device property: transmit_queue_length",
        );
        let mut info = Family::gauge(
            "node_network_info",
            "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
        );
        for iface in &self.spec.interfaces {
            let dev = iface.device;
            let (rx, tx) = self.interface_rates(dev, iface.rx, iface.tx);
            let packet = match dev {
                "lo" => 2_400.0,
                "eth0" => 910.0,
                _ => 640.0,
            };
            let k = self.key.child(dev);
            let drops = if dev == "eth0" {
                Rate::new(k.child("drop"), 0.012).noise(0.9, 5 * MINUTE)
            } else {
                Rate::constant(0.0)
            };
            let i = |rate: Rate| rate.integral(self.boot, t).floor();
            let values = [
                i(rx),
                i(drops),
                0.0,
                i(rx.scaled(1.0 / packet)),
                i(tx),
                0.0,
                0.0,
                i(tx.scaled(1.0 / (packet * 0.85))),
            ];
            for (family, v) in families.iter_mut().zip(values) {
                family.add(&[("device", dev)], v);
            }
            // The loopback and flannel's VXLAN device report an unknown
            // operational state.
            let state = if matches!(dev, "lo" | "flannel.1") {
                "unknown"
            } else {
                "up"
            };
            up.add(&[("device", dev)], if state == "up" { 1.0 } else { 0.0 });
            carrier.add(&[("device", dev)], 1.0);
            mtu.add(&[("device", dev)], iface.mtu);
            if let Some(s) = iface.speed {
                speed.add(&[("device", dev)], s);
            }
            queue.add(
                &[("device", dev)],
                if dev == "flannel.1" { 0.0 } else { 1000.0 },
            );
            let broadcast = if dev == "lo" {
                "00:00:00:00:00:00"
            } else {
                "ff:ff:ff:ff:ff:ff"
            };
            info.add(
                &[
                    ("address", iface.mac.as_str()),
                    ("adminstate", "up"),
                    ("broadcast", broadcast),
                    ("device", dev),
                    ("duplex", if dev == "eth0" { "full" } else { "" }),
                    ("ifalias", ""),
                    ("operstate", state),
                ],
                1.0,
            );
        }
        out.extend(families.into_iter().map(Family::build));
        for f in [up, carrier, mtu, speed, queue, info] {
            out.push(f.build());
        }
    }

    fn netstat(&self, t: Timestamp, out: &mut Vec<MetricFamily>) {
        let k = self.key.child("netstat");
        let f = self.role_factor();
        let eth = self.spec.interfaces.iter().find(|i| i.device == "eth0");
        let (eth_rx, eth_tx) = eth.map_or((0.0, 0.0), |i| (i.rx, i.tx));
        let (rx, tx) = self.interface_rates("eth0", eth_rx, eth_tx);
        let rate =
            |name: &str, mean: f64| Rate::new(k.child(name), mean).daily(0.4).noise(0.5, MINUTE);
        let i = |r: Rate| r.integral(self.boot, t).floor();
        let out_segs = rate("OutSegs", 1150.0 * f);
        let estab = Level::new(k.child("estab"), self.estab_mean())
            .daily(0.25)
            .noise(0.15, 2 * MINUTE)
            .at(t)
            .round();
        let stats: [(&str, f64); 19] = [
            ("IpExt_InOctets", i(rx.scaled(1.03))),
            ("IpExt_OutOctets", i(tx.scaled(1.03))),
            ("TcpExt_ListenDrops", 0.0),
            ("TcpExt_ListenOverflows", 0.0),
            ("TcpExt_TCPSynRetrans", i(rate("SynRetrans", 0.015))),
            ("Tcp_ActiveOpens", i(rate("ActiveOpens", 11.0 * f))),
            ("Tcp_CurrEstab", estab),
            ("Tcp_InErrs", i(rate("InErrs", 0.0004))),
            ("Tcp_InSegs", i(rate("InSegs", 1100.0 * f))),
            ("Tcp_OutRsts", i(rate("OutRsts", 1.6 * f))),
            ("Tcp_OutSegs", i(out_segs)),
            ("Tcp_PassiveOpens", i(rate("PassiveOpens", 8.5 * f))),
            ("Tcp_RetransSegs", i(out_segs.scaled(0.0018))),
            ("Udp_InDatagrams", i(rate("UdpIn", 46.0 * f))),
            ("Udp_InErrors", 0.0),
            ("Udp_NoPorts", i(rate("NoPorts", 0.05))),
            ("Udp_OutDatagrams", i(rate("UdpOut", 48.0 * f))),
            ("Udp_RcvbufErrors", 0.0),
            ("Udp_SndbufErrors", 0.0),
        ];
        for (stat, v) in stats {
            let help = format!("Statistic {}.", stat.replace('_', ""));
            out.push(
                Family::untyped(&format!("node_netstat_{stat}"), &help)
                    .with(v)
                    .build(),
            );
        }
        let mut queues = Family::gauge(
            "node_udp_queues",
            "Number of allocated memory in the kernel for UDP datagrams in bytes.",
        );
        for ip in ["v4", "v6"] {
            for q in ["rx", "tx"] {
                queues.add(&[("ip", ip), ("queue", q)], 0.0);
            }
        }
        out.push(queues.build());
    }

    fn estab_mean(&self) -> f64 {
        match self.spec.role {
            Role::ControlPlane => 410.0,
            Role::Worker => 240.0,
            Role::Gpu => 170.0,
        }
    }

    fn sockstat(&self, t: Timestamp, out: &mut Vec<MetricFamily>) {
        let k = self.key.child("sockstat");
        let f = self.role_factor();
        let estab = Level::new(self.key.child("netstat").child("estab"), self.estab_mean())
            .daily(0.25)
            .noise(0.15, 2 * MINUTE)
            .at(t)
            .round();
        let tw = Level::new(k.child("tw"), 95.0 * f)
            .daily(0.5)
            .noise(0.4, MINUTE)
            .at(t)
            .round()
            .max(0.0);
        let inuse = (estab * 1.08 + 38.0).round();
        let orphan = Level::new(k.child("orphan"), 0.6)
            .noise(1.0, 30 * SECOND)
            .at(t)
            .round()
            .max(0.0);
        let mem = (inuse * 0.7 + tw * 0.02).round();
        let udp = 11.0;
        let sockets = (inuse + tw + udp + 420.0 * f).round();
        let values: [(&str, f64); 20] = [
            ("FRAG6_inuse", 0.0),
            ("FRAG6_memory", 0.0),
            ("FRAG_inuse", 0.0),
            ("FRAG_memory", 0.0),
            ("RAW6_inuse", 1.0),
            ("RAW_inuse", 0.0),
            ("TCP6_inuse", 17.0),
            ("TCP_alloc", inuse + orphan + 6.0),
            ("TCP_inuse", inuse),
            ("TCP_mem", mem),
            ("TCP_mem_bytes", mem * 4096.0),
            ("TCP_orphan", orphan),
            ("TCP_tw", tw),
            ("UDP6_inuse", 4.0),
            ("UDPLITE6_inuse", 0.0),
            ("UDPLITE_inuse", 0.0),
            ("UDP_inuse", udp),
            ("UDP_mem", 6.0),
            ("UDP_mem_bytes", 24_576.0),
            ("sockets_used", sockets),
        ];
        for (name, v) in values {
            let help = if name == "sockets_used" {
                "Number of IPv4 sockets in use.".to_string()
            } else {
                let (proto, state) = name.split_once('_').unwrap_or((name, ""));
                format!("Number of {proto} sockets in state {state}.")
            };
            out.push(
                Family::gauge(&format!("node_sockstat_{name}"), &help)
                    .with(v)
                    .build(),
            );
        }
    }

    fn info(&self, t: Timestamp, out: &mut Vec<MetricFamily>) {
        let mut uname = Family::gauge(
            "node_uname_info",
            "Labeled system information as provided by the uname system call.",
        );
        uname.add(
            &[
                ("domainname", "(none)"),
                ("machine", "x86_64"),
                ("nodename", self.spec.name.as_str()),
                ("release", KERNEL_RELEASE),
                ("sysname", "Linux"),
                ("version", KERNEL_VERSION),
            ],
            1.0,
        );
        out.push(uname.build());
        let mut os = Family::gauge(
            "node_os_info",
            "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
        );
        os.add(
            &[
                ("id", "ubuntu"),
                ("id_like", "debian"),
                ("name", "Ubuntu"),
                ("pretty_name", super::topology::OS_IMAGE),
                ("version", "24.04.1 LTS (Noble Numbat)"),
                ("version_codename", "noble"),
                ("version_id", "24.04"),
            ],
            1.0,
        );
        out.push(os.build());
        let mut version = Family::gauge(
            "node_os_version",
            "Metric containing the major.minor part of the OS version.",
        );
        version.add(
            &[("id", "ubuntu"), ("id_like", "debian"), ("name", "Ubuntu")],
            24.04,
        );
        out.push(version.build());
        let mut build = Family::gauge(
            "node_exporter_build_info",
            "A metric with a constant '1' value labeled by version, revision, branch, goversion from which node_exporter was built, and the goos and goarch for the build.",
        );
        build.add(
            &[
                ("branch", "HEAD"),
                ("goarch", "amd64"),
                ("goos", "linux"),
                ("goversion", profile(1).go_version),
                ("revision", "3f0bbb6d7ba1e9a9b5e4f1e4bf2a1ffb6d3c1c4e"),
                ("tags", "netgo osusergo static_build"),
                ("version", "1.11.1"),
            ],
            1.0,
        );
        out.push(build.build());
        out.push(
            Family::gauge(
                "node_textfile_scrape_error",
                "1 if there was an error opening or reading a file, 0 otherwise",
            )
            .with(0.0)
            .build(),
        );
        let mut duration = Family::gauge(
            "node_scrape_collector_duration_seconds",
            "node_exporter: Duration of a collector scrape.",
        );
        let mut success = Family::gauge(
            "node_scrape_collector_success",
            "node_exporter: Whether a collector succeeded.",
        );
        let second = t.div_euclid(SECOND);
        for (collector, typical) in COLLECTORS {
            let jitter = self.key.child(collector).range(second, 0.6, 1.9);
            duration.add(&[("collector", collector)], typical * jitter);
            success.add(&[("collector", collector)], 1.0);
        }
        out.push(duration.build());
        out.push(success.build());
    }
}

/// A disk's operations per second and what each costs.
struct DiskRates {
    reads: Rate,
    writes: Rate,
    read_size: f64,
    write_size: f64,
    read_latency: f64,
    write_latency: f64,
}
