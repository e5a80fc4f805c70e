//! The training material's app, as its `/metrics` page reads at a fixed
//! time after one scrape and three pings: `ping_request_count`, the latency
//! histogram and summary, and the Go client library's default metrics.

mod sim_common;

use expect_test::expect;
use promlab_core::exposition;
use promlab_core::sim::PingApp;
use sim_common::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test(unsupported = test)]
fn the_app_page_after_a_scrape_and_three_pings() {
    let mut app = PingApp::with_seed(1, T0 - 2 * HOUR, 8);
    app.handle("/metrics", T0 - MINUTE).unwrap();
    app.observe(T0 - 30 * SECOND);
    for _ in 0..3 {
        app.ping();
    }
    let page = app.serve("/metrics", T0).unwrap();
    assert!(exposition::parse(&page).is_ok());
    expect![[r##"
        # HELP go_gc_duration_seconds A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.
        # TYPE go_gc_duration_seconds summary
        go_gc_duration_seconds{quantile="0"} 0.000018740653581249943
        go_gc_duration_seconds{quantile="0.25"} 0.000037481307162499885
        go_gc_duration_seconds{quantile="0.5"} 0.000053544724517856985
        go_gc_duration_seconds{quantile="0.75"} 0.00008567155922857118
        go_gc_duration_seconds{quantile="1"} 0.0002677236225892849
        go_gc_duration_seconds_sum 0.0033
        go_gc_duration_seconds_count 60
        # HELP go_gc_gogc_percent Heap size target percentage configured by the user, otherwise 100. This value is set by the GOGC environment variable, and the runtime/debug.SetGCPercent function. Sourced from /gc/gogc:percent.
        # TYPE go_gc_gogc_percent gauge
        go_gc_gogc_percent 100
        # HELP go_gc_gomemlimit_bytes Go runtime memory limit configured by the user, otherwise math.MaxInt64. This value is set by the GOMEMLIMIT environment variable, and the runtime/debug.SetMemoryLimit function. Sourced from /gc/gomemlimit:bytes.
        # TYPE go_gc_gomemlimit_bytes gauge
        go_gc_gomemlimit_bytes 9223372036854776000
        # HELP go_goroutines Number of goroutines that currently exist.
        # TYPE go_goroutines gauge
        go_goroutines 7
        # HELP go_info Information about the Go environment.
        # TYPE go_info gauge
        go_info{version="go1.22.1"} 1
        # HELP go_memstats_alloc_bytes Number of bytes allocated in heap and currently in use. Equals to /memory/classes/heap/objects:bytes.
        # TYPE go_memstats_alloc_bytes gauge
        go_memstats_alloc_bytes 1360918
        # HELP go_memstats_alloc_bytes_total Total number of bytes allocated in heap until now, even if released already. Equals to /gc/heap/allocs:bytes.
        # TYPE go_memstats_alloc_bytes_total counter
        go_memstats_alloc_bytes_total 31629291
        # HELP go_memstats_buck_hash_sys_bytes Number of bytes used by the profiling bucket hash table. Equals to /memory/classes/profiling/buckets:bytes.
        # TYPE go_memstats_buck_hash_sys_bytes gauge
        go_memstats_buck_hash_sys_bytes 1445651
        # HELP go_memstats_frees_total Total number of heap objects frees. Equals to /gc/heap/frees:objects + /gc/heap/tiny/allocs:objects.
        # TYPE go_memstats_frees_total counter
        go_memstats_frees_total 315295
        # HELP go_memstats_gc_sys_bytes Number of bytes used for garbage collection system metadata. Equals to /memory/classes/metadata/other:bytes.
        # TYPE go_memstats_gc_sys_bytes gauge
        go_memstats_gc_sys_bytes 1695744
        # HELP go_memstats_heap_alloc_bytes Number of heap bytes allocated and currently in use, same as go_memstats_alloc_bytes. Equals to /memory/classes/heap/objects:bytes.
        # TYPE go_memstats_heap_alloc_bytes gauge
        go_memstats_heap_alloc_bytes 1360918
        # HELP go_memstats_heap_idle_bytes Number of heap bytes waiting to be used. Equals to /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.
        # TYPE go_memstats_heap_idle_bytes gauge
        go_memstats_heap_idle_bytes 2244608
        # HELP go_memstats_heap_inuse_bytes Number of heap bytes that are in use. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes
        # TYPE go_memstats_heap_inuse_bytes gauge
        go_memstats_heap_inuse_bytes 1531904
        # HELP go_memstats_heap_objects Number of currently allocated objects. Equals to /gc/heap/objects:objects.
        # TYPE go_memstats_heap_objects gauge
        go_memstats_heap_objects 14176
        # HELP go_memstats_heap_released_bytes Number of heap bytes released to OS. Equals to /memory/classes/heap/released:bytes.
        # TYPE go_memstats_heap_released_bytes gauge
        go_memstats_heap_released_bytes 1802240
        # HELP go_memstats_heap_sys_bytes Number of heap bytes obtained from system. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes + /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.
        # TYPE go_memstats_heap_sys_bytes gauge
        go_memstats_heap_sys_bytes 3776512
        # HELP go_memstats_last_gc_time_seconds Number of seconds since 1970 of last garbage collection.
        # TYPE go_memstats_last_gc_time_seconds gauge
        go_memstats_last_gc_time_seconds 1767225600
        # HELP go_memstats_mallocs_total Total number of heap objects allocated, both live and gc-ed. Semantically a counter version for go_memstats_heap_objects gauge. Equals to /gc/heap/allocs:objects + /gc/heap/tiny/allocs:objects.
        # TYPE go_memstats_mallocs_total counter
        go_memstats_mallocs_total 329471
        # HELP go_memstats_mcache_inuse_bytes Number of bytes in use by mcache structures. Equals to /memory/classes/metadata/mcache/inuse:bytes.
        # TYPE go_memstats_mcache_inuse_bytes gauge
        go_memstats_mcache_inuse_bytes 9600
        # HELP go_memstats_mcache_sys_bytes Number of bytes used for mcache structures obtained from system. Equals to /memory/classes/metadata/mcache/inuse:bytes + /memory/classes/metadata/mcache/free:bytes.
        # TYPE go_memstats_mcache_sys_bytes gauge
        go_memstats_mcache_sys_bytes 16072
        # HELP go_memstats_mspan_inuse_bytes Number of bytes in use by mspan structures. Equals to /memory/classes/metadata/mspan/inuse:bytes.
        # TYPE go_memstats_mspan_inuse_bytes gauge
        go_memstats_mspan_inuse_bytes 49152
        # HELP go_memstats_mspan_sys_bytes Number of bytes used for mspan structures obtained from system. Equals to /memory/classes/metadata/mspan/inuse:bytes + /memory/classes/metadata/mspan/free:bytes.
        # TYPE go_memstats_mspan_sys_bytes gauge
        go_memstats_mspan_sys_bytes 65472
        # HELP go_memstats_next_gc_bytes Number of heap bytes when next garbage collection will take place. Equals to /gc/heap/goal:bytes.
        # TYPE go_memstats_next_gc_bytes gauge
        go_memstats_next_gc_bytes 2721835
        # HELP go_memstats_other_sys_bytes Number of bytes used for other system allocations. Equals to /memory/classes/other:bytes.
        # TYPE go_memstats_other_sys_bytes gauge
        go_memstats_other_sys_bytes 408867
        # HELP go_memstats_stack_inuse_bytes Number of bytes obtained from system for stack allocator in non-CGO environments. Equals to /memory/classes/heap/stacks:bytes.
        # TYPE go_memstats_stack_inuse_bytes gauge
        go_memstats_stack_inuse_bytes 229376
        # HELP go_memstats_stack_sys_bytes Number of bytes obtained from system for stack allocator. Equals to /memory/classes/heap/stacks:bytes + /memory/classes/os-stacks:bytes.
        # TYPE go_memstats_stack_sys_bytes gauge
        go_memstats_stack_sys_bytes 229376
        # HELP go_memstats_sys_bytes Number of bytes obtained from system. Equals to /memory/classes/total:byte.
        # TYPE go_memstats_sys_bytes gauge
        go_memstats_sys_bytes 7637694
        # HELP go_sched_gomaxprocs_threads The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously. Sourced from /sched/gomaxprocs:threads.
        # TYPE go_sched_gomaxprocs_threads gauge
        go_sched_gomaxprocs_threads 8
        # HELP go_threads Number of OS threads created.
        # TYPE go_threads gauge
        go_threads 8
        # HELP http_request_duration_seconds Duration of HTTP requests in seconds, by handler.
        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="0.0005",method="get"} 0
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="0.001",method="get"} 0
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="0.0025",method="get"} 1
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="0.005",method="get"} 1
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="0.01",method="get"} 1
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="0.025",method="get"} 1
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="0.05",method="get"} 1
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="0.1",method="get"} 1
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="0.25",method="get"} 1
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="0.5",method="get"} 1
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="1",method="get"} 1
        http_request_duration_seconds_bucket{code="200",handler="/metrics",le="+Inf",method="get"} 1
        http_request_duration_seconds_sum{code="200",handler="/metrics",method="get"} 0.0022962401533017773
        http_request_duration_seconds_count{code="200",handler="/metrics",method="get"} 1
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="0.0005",method="get"} 0
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="0.001",method="get"} 0
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="0.0025",method="get"} 2
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="0.005",method="get"} 3
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="0.01",method="get"} 3
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="0.025",method="get"} 3
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="0.05",method="get"} 3
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="0.1",method="get"} 3
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="0.25",method="get"} 3
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="0.5",method="get"} 3
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="1",method="get"} 3
        http_request_duration_seconds_bucket{code="200",handler="/ping",le="+Inf",method="get"} 3
        http_request_duration_seconds_sum{code="200",handler="/ping",method="get"} 0.007706096197310219
        http_request_duration_seconds_count{code="200",handler="/ping",method="get"} 3
        # HELP ping_request_count No of request handled by Ping handler
        # TYPE ping_request_count counter
        ping_request_count 3
        # HELP ping_request_duration_seconds Latency of the /ping handler in seconds.
        # TYPE ping_request_duration_seconds summary
        ping_request_duration_seconds{quantile="0.5"} 0.0018558619546373166
        ping_request_duration_seconds{quantile="0.9"} 0.004164267738643424
        ping_request_duration_seconds{quantile="0.99"} 0.004164267738643424
        ping_request_duration_seconds_sum 0.007706096197310219
        ping_request_duration_seconds_count 3
        # HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
        # TYPE process_cpu_seconds_total counter
        process_cpu_seconds_total 4.32
        # HELP process_max_fds Maximum number of open file descriptors.
        # TYPE process_max_fds gauge
        process_max_fds 1048576
        # HELP process_network_receive_bytes_total Number of bytes received by the process over the network.
        # TYPE process_network_receive_bytes_total counter
        process_network_receive_bytes_total 562
        # HELP process_network_transmit_bytes_total Number of bytes sent by the process over the network.
        # TYPE process_network_transmit_bytes_total counter
        process_network_transmit_bytes_total 12280
        # HELP process_open_fds Number of open file descriptors.
        # TYPE process_open_fds gauge
        process_open_fds 9
        # HELP process_resident_memory_bytes Resident memory size in bytes.
        # TYPE process_resident_memory_bytes gauge
        process_resident_memory_bytes 9306112
        # HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
        # TYPE process_start_time_seconds gauge
        process_start_time_seconds 1767218400
        # HELP process_virtual_memory_bytes Virtual memory size in bytes.
        # TYPE process_virtual_memory_bytes gauge
        process_virtual_memory_bytes 1243783168
        # HELP process_virtual_memory_max_bytes Maximum amount of virtual memory available in bytes.
        # TYPE process_virtual_memory_max_bytes gauge
        process_virtual_memory_max_bytes 18446744073709552000
        # HELP promhttp_metric_handler_requests_in_flight Current number of scrapes being served.
        # TYPE promhttp_metric_handler_requests_in_flight gauge
        promhttp_metric_handler_requests_in_flight 1
        # HELP promhttp_metric_handler_requests_total Total number of scrapes by HTTP status code.
        # TYPE promhttp_metric_handler_requests_total counter
        promhttp_metric_handler_requests_total{code="200"} 1
        promhttp_metric_handler_requests_total{code="500"} 0
        promhttp_metric_handler_requests_total{code="503"} 0
    "##]].assert_eq(&page);
}
