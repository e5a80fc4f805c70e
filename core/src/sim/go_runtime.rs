//! The metrics every Go program instrumented with the Prometheus client
//! library serves without being asked: the Go runtime (`go_*`), the process
//! (`process_*`) and the `/metrics` handler itself (`promhttp_*`).
//!
//! A [`GoProcess`] is one running program. Its counters (CPU seconds,
//! allocated bytes, garbage collections) grow from its start time, so a
//! restart is a counter reset and moves `process_start_time_seconds`. The
//! heap follows Go's garbage collector: it grows with allocation until it
//! is about twice the live heap, then drops back.

use super::dynamics::{cycles, floor_to, seconds, Key, Level, Rate, MINUTE, SECOND};
use super::page::Family;
use crate::clock::{Millis, Timestamp};
use crate::exposition::{MetricFamily, MetricType};

/// Go forces a garbage collection at least this often.
const FORCED_GC: Millis = 2 * MINUTE;

/// The average size of a heap object, to turn bytes into object counts.
const OBJECT_BYTES: f64 = 96.0;

/// What kind of program runs: sizes and rates its runtime metrics revolve
/// around.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoProfile {
    pub go_version: &'static str,
    pub goroutines: f64,
    pub threads: f64,
    /// Bytes still reachable after a garbage collection.
    pub live_heap: f64,
    /// Bytes allocated per second.
    pub alloc_rate: f64,
    /// CPU seconds used per second.
    pub cpu_rate: f64,
    /// Resident memory beyond the Go heap and stacks (binary, C heap).
    pub resident_extra: f64,
    pub virtual_bytes: f64,
    pub open_fds: f64,
    pub max_fds: f64,
    /// `GOMAXPROCS`: the node's CPU count, as Go sees it in a container
    /// without CPU limits.
    pub gomaxprocs: u32,
    /// Whether the handler was built with a registry and so also serves
    /// `promhttp_metric_handler_errors_total` (node_exporter does; the
    /// default `promhttp.Handler()` does not).
    pub handler_errors: bool,
}

/// One running Go program.
#[derive(Debug, Clone, PartialEq)]
pub struct GoProcess {
    key: Key,
    profile: GoProfile,
    started: Timestamp,
    /// `/metrics` requests answered since the start.
    scrapes: u64,
}

impl GoProcess {
    pub fn new(key: Key, profile: GoProfile, started: Timestamp) -> GoProcess {
        GoProcess {
            key,
            profile,
            started,
            scrapes: 0,
        }
    }

    pub fn started(&self) -> Timestamp {
        self.started
    }

    pub fn profile(&self) -> GoProfile {
        self.profile
    }

    /// The process exits and a new one starts at `t`: counters begin
    /// again from zero.
    pub fn restart(&mut self, t: Timestamp) {
        self.started = t;
        self.scrapes = 0;
        // A new process draws new noise, as a real restart would.
        self.key = self.key.child(&t.to_string());
    }

    /// Count one answered `/metrics` request (after it was served: the
    /// client library increments the counter when the handler returns).
    pub fn scraped(&mut self) {
        self.scrapes = self.scrapes.saturating_add(1);
    }

    fn alloc_curve(&self) -> Rate {
        Rate::new(self.key.child("alloc"), self.profile.alloc_rate).noise(0.4, 30 * SECOND)
    }

    /// How long one garbage collection cycle lasts.
    fn gc_period(&self) -> Millis {
        let p = &self.profile;
        let seconds = if p.alloc_rate > 0.0 {
            p.live_heap / p.alloc_rate
        } else {
            f64::INFINITY
        };
        ((seconds * 1000.0) as Millis).clamp(SECOND, FORCED_GC)
    }

    /// The live heap after the `n`-th collection.
    fn live_heap(&self, n: u64) -> f64 {
        self.profile.live_heap * self.key.child("live").range(n as i64, 0.97, 1.03)
    }

    /// The `go_*`, `process_*` and `promhttp_*` families at `t`, given the
    /// bytes the process has received and sent over the network.
    pub fn families(&self, t: Timestamp, network: (f64, f64)) -> Vec<MetricFamily> {
        let p = &self.profile;
        let t = t.max(self.started);
        let key = self.key;
        let period = self.gc_period();
        let gcs = cycles(self.started, t, period, self.started);
        let last_gc = self
            .started
            .saturating_add(period.saturating_mul(gcs.min(i64::MAX as u64) as i64));
        let alloc = self.alloc_curve();
        // A freshly started program has already allocated about a live
        // heap's worth while initialising.
        let allocated_at = |when: Timestamp| p.live_heap + alloc.integral(self.started, when);
        let allocated = allocated_at(t).floor();
        let live = self.live_heap(gcs);
        // What the last collection freed stays freed: everything allocated
        // before it except the live heap. Counting frees from that (rather
        // than from the heap) keeps the counter from ever going back.
        let freed = (allocated_at(last_gc) - live).max(0.0).floor();
        let heap = (allocated - freed).floor();
        let mallocs = (allocated / OBJECT_BYTES).floor();
        let frees = (freed / OBJECT_BYTES).floor().min(mallocs);
        let objects = mallocs - frees;
        let page = |b: f64| (b / 8192.0).ceil() * 8192.0;
        let heap_inuse = page(heap * 1.12);
        let heap_idle = page(p.live_heap * 1.6);
        let heap_released = page(heap_idle * 0.8);
        let heap_sys = heap_inuse + heap_idle;
        let goroutines = Level::new(key.child("goroutines"), p.goroutines)
            .noise(0.15, MINUTE)
            .at(t)
            .round()
            .max(1.0);
        let stack = page(goroutines * 4.0 * 8192.0);
        let mspan_inuse = page(heap_sys / 90.0);
        let mcache_inuse = 1200.0 * f64::from(p.gomaxprocs);
        let buck_hash = 1_445_651.0;
        let gc_sys = page(heap_sys * 0.05 + 1_500_000.0);
        let other_sys = 370_000.0 + (key.unit(1) * 200_000.0).round();
        let sys =
            heap_sys + stack + 16_072.0 + mspan_inuse + 16_320.0 + buck_hash + gc_sys + other_sys;

        let pause = 4e-5 * key.child("pause").range(gcs as i64, 0.6, 1.8);
        let quantiles: [(&str, f64); 5] = [
            ("0", 0.35),
            ("0.25", 0.7),
            ("0.5", 1.0),
            ("0.75", 1.6),
            ("1", 5.0),
        ];
        let mut gc_duration = Family::new(
            "go_gc_duration_seconds",
            MetricType::Summary,
            "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.",
        );
        for (q, k) in quantiles {
            let v = if gcs == 0 { 0.0 } else { pause * k };
            gc_duration.add(&[("quantile", q)], v);
        }
        gc_duration.add_named("go_gc_duration_seconds_sum", &[], gcs as f64 * 5.5e-5);
        gc_duration.add_named("go_gc_duration_seconds_count", &[], gcs as f64);

        let cpu = Rate::new(key.child("cpu"), p.cpu_rate).noise(0.5, MINUTE);
        let resident = page(heap_sys - heap_released + stack + p.resident_extra);
        let virtual_bytes = page(p.virtual_bytes + heap_sys);
        let open_fds = Level::new(key.child("fds"), p.open_fds)
            .noise(0.1, 5 * MINUTE)
            .at(t)
            .round();

        let mut out = vec![
            gc_duration.build(),
            Family::gauge(
                "go_gc_gogc_percent",
                "Heap size target percentage configured by the user, otherwise 100. This value is set by the GOGC environment variable, and the runtime/debug.SetGCPercent function. Sourced from /gc/gogc:percent.",
            )
            .with(100.0)
            .build(),
            Family::gauge(
                "go_gc_gomemlimit_bytes",
                "Go runtime memory limit configured by the user, otherwise math.MaxInt64. This value is set by the GOMEMLIMIT environment variable, and the runtime/debug.SetMemoryLimit function. Sourced from /gc/gomemlimit:bytes.",
            )
            .with(i64::MAX as f64)
            .build(),
            Family::gauge("go_goroutines", "Number of goroutines that currently exist.")
                .with(goroutines)
                .build(),
            {
                let mut f = Family::gauge("go_info", "Information about the Go environment.");
                f.add(&[("version", p.go_version)], 1.0);
                f.build()
            },
            mem_gauge("go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use. Equals to /memory/classes/heap/objects:bytes.", heap),
            Family::counter("go_memstats_alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already. Equals to /gc/heap/allocs:bytes.").with(allocated).build(),
            mem_gauge("go_memstats_buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table. Equals to /memory/classes/profiling/buckets:bytes.", buck_hash),
            Family::counter("go_memstats_frees_total", "Total number of heap objects frees. Equals to /gc/heap/frees:objects + /gc/heap/tiny/allocs:objects.").with(frees).build(),
            mem_gauge("go_memstats_gc_sys_bytes", "Number of bytes used for garbage collection system metadata. Equals to /memory/classes/metadata/other:bytes.", gc_sys),
            mem_gauge("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use, same as go_memstats_alloc_bytes. Equals to /memory/classes/heap/objects:bytes.", heap),
            mem_gauge("go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used. Equals to /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", heap_idle),
            mem_gauge("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes", heap_inuse),
            mem_gauge("go_memstats_heap_objects", "Number of currently allocated objects. Equals to /gc/heap/objects:objects.", objects),
            mem_gauge("go_memstats_heap_released_bytes", "Number of heap bytes released to OS. Equals to /memory/classes/heap/released:bytes.", heap_released),
            mem_gauge("go_memstats_heap_sys_bytes", "Number of heap bytes obtained from system. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes + /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", heap_sys),
            mem_gauge(
                "go_memstats_last_gc_time_seconds",
                "Number of seconds since 1970 of last garbage collection.",
                if gcs == 0 { 0.0 } else { seconds(last_gc) },
            ),
            Family::counter("go_memstats_mallocs_total", "Total number of heap objects allocated, both live and gc-ed. Semantically a counter version for go_memstats_heap_objects gauge. Equals to /gc/heap/allocs:objects + /gc/heap/tiny/allocs:objects.").with(mallocs).build(),
            mem_gauge("go_memstats_mcache_inuse_bytes", "Number of bytes in use by mcache structures. Equals to /memory/classes/metadata/mcache/inuse:bytes.", mcache_inuse),
            mem_gauge("go_memstats_mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system. Equals to /memory/classes/metadata/mcache/inuse:bytes + /memory/classes/metadata/mcache/free:bytes.", 16_072.0),
            mem_gauge("go_memstats_mspan_inuse_bytes", "Number of bytes in use by mspan structures. Equals to /memory/classes/metadata/mspan/inuse:bytes.", mspan_inuse),
            mem_gauge("go_memstats_mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system. Equals to /memory/classes/metadata/mspan/inuse:bytes + /memory/classes/metadata/mspan/free:bytes.", mspan_inuse + 16_320.0),
            mem_gauge("go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place. Equals to /gc/heap/goal:bytes.", (2.0 * live).round()),
            mem_gauge("go_memstats_other_sys_bytes", "Number of bytes used for other system allocations. Equals to /memory/classes/other:bytes.", other_sys),
            mem_gauge("go_memstats_stack_inuse_bytes", "Number of bytes obtained from system for stack allocator in non-CGO environments. Equals to /memory/classes/heap/stacks:bytes.", stack),
            mem_gauge("go_memstats_stack_sys_bytes", "Number of bytes obtained from system for stack allocator. Equals to /memory/classes/heap/stacks:bytes + /memory/classes/os-stacks:bytes.", stack),
            mem_gauge("go_memstats_sys_bytes", "Number of bytes obtained from system. Equals to /memory/classes/total:byte.", sys),
            Family::gauge("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously. Sourced from /sched/gomaxprocs:threads.").with(f64::from(p.gomaxprocs)).build(),
            Family::gauge("go_threads", "Number of OS threads created.").with(p.threads).build(),
            Family::counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
                .with(floor_to(cpu.integral(self.started, t), 100.0))
                .build(),
            Family::gauge("process_max_fds", "Maximum number of open file descriptors.").with(p.max_fds).build(),
            Family::counter("process_network_receive_bytes_total", "Number of bytes received by the process over the network.").with(network.0.floor()).build(),
            Family::counter("process_network_transmit_bytes_total", "Number of bytes sent by the process over the network.").with(network.1.floor()).build(),
            Family::gauge("process_open_fds", "Number of open file descriptors.").with(open_fds).build(),
            Family::gauge("process_resident_memory_bytes", "Resident memory size in bytes.").with(resident).build(),
            // The kernel reports the start in clock ticks of 10 ms.
            Family::gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
                .with(floor_to(seconds(self.started), 100.0))
                .build(),
            Family::gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").with(virtual_bytes).build(),
            Family::gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.").with(u64::MAX as f64).build(),
            // The request being served is in flight; it is counted once it
            // has been answered.
            Family::gauge("promhttp_metric_handler_requests_in_flight", "Current number of scrapes being served.").with(1.0).build(),
            {
                let mut f = Family::counter("promhttp_metric_handler_requests_total", "Total number of scrapes by HTTP status code.");
                f.add(&[("code", "200")], self.scrapes as f64);
                f.add(&[("code", "500")], 0.0);
                f.add(&[("code", "503")], 0.0);
                f.build()
            },
        ];
        if p.handler_errors {
            let mut f = Family::counter(
                "promhttp_metric_handler_errors_total",
                "Total number of internal errors encountered by the promhttp metric handler.",
            );
            f.add(&[("cause", "encoding")], 0.0);
            f.add(&[("cause", "gathering")], 0.0);
            out.push(f.build());
        }
        out
    }
}

fn mem_gauge(name: &str, help: &str, value: f64) -> MetricFamily {
    Family::gauge(name, help).with(value).build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition;
    use crate::sim::dynamics::HOUR;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn profile() -> GoProfile {
        GoProfile {
            go_version: "go1.22.1",
            goroutines: 8.0,
            threads: 7.0,
            live_heap: 2e6,
            alloc_rate: 5e4,
            cpu_rate: 0.002,
            resident_extra: 9e6,
            virtual_bytes: 1.2e9,
            open_fds: 10.0,
            max_fds: 1_048_576.0,
            gomaxprocs: 8,
            handler_errors: false,
        }
    }

    fn value(families: &[MetricFamily], name: &str) -> f64 {
        families
            .iter()
            .flat_map(|f| &f.samples)
            .find(|s| s.labels.metric_name() == name)
            .map(|s| s.value)
            .unwrap_or(f64::NAN)
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_heap_saws_and_counters_grow_until_a_restart() {
        let start = 1_767_225_600_000;
        let mut p = GoProcess::new(Key::new(1, "app"), profile(), start);
        let mut last_alloc = 0.0;
        let mut last_frees = 0.0;
        let mut heaps = Vec::new();
        for i in 0..240 {
            let t = start + i * 15_000;
            let f = p.families(t, (0.0, 0.0));
            let alloc = value(&f, "go_memstats_alloc_bytes_total");
            let frees = value(&f, "go_memstats_frees_total");
            assert!(alloc >= last_alloc && frees >= last_frees, "at {i}");
            let heap = value(&f, "go_memstats_heap_alloc_bytes");
            assert!(heap > 0.0 && heap <= 2.5 * 2e6, "heap {heap}");
            heaps.push(heap);
            last_alloc = alloc;
            last_frees = frees;
        }
        // The collector runs: the heap drops at least once an hour.
        assert!(heaps.windows(2).any(|w| w[1] < w[0]));
        let before = p.families(start + HOUR, (0.0, 0.0));
        assert!(value(&before, "go_gc_duration_seconds_count") >= 30.0);
        p.restart(start + HOUR);
        let after = p.families(start + HOUR, (0.0, 0.0));
        assert_eq!(value(&after, "process_cpu_seconds_total"), 0.0);
        assert_eq!(value(&after, "process_start_time_seconds"), 1_767_229_200.0);
        let page = exposition::write(&after);
        assert!(exposition::parse(&page).is_ok(), "{page}");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_handler_counts_answered_scrapes() {
        let mut p = GoProcess::new(Key::new(1, "app"), profile(), 0);
        p.scraped();
        p.scraped();
        let f = p.families(60_000, (0.0, 0.0));
        let served = f
            .iter()
            .find(|f| f.name == "promhttp_metric_handler_requests_total")
            .map(|f| f.samples[0].value);
        assert_eq!(served, Some(2.0));
        assert!(!f
            .iter()
            .any(|f| f.name == "promhttp_metric_handler_errors_total"));
    }
}
