//! Small pages and what `check metrics` finds in them, shared by the
//! table test (`check_metrics.rs`) and the comparison with the real
//! promtool (`check_metrics_promtool.rs`).

#![allow(dead_code)]

use promlab_core::exposition::Format;

pub struct Case {
    pub name: &'static str,
    pub format: Format,
    pub page: &'static str,
    /// Everything `lint_with` reports, as `metric: text`: promtool's
    /// findings in promtool's order, then the parser's lints in page order.
    pub findings: &'static [&'static str],
    /// What the real promtool says about the same page.
    pub promtool: Promtool,
}

pub enum Promtool {
    /// The same promlint findings (the parser's lints are ours alone).
    Same,
    /// promtool's parser refuses the page (`error while linting: ...`,
    /// exit 1) where Prometheus's scrape accepts it; the message contains
    /// this.
    Rejects(&'static str),
    /// promtool finds these instead: what a parsed page cannot tell.
    Differs(&'static [&'static str]),
    /// An OpenMetrics page, which promtool does not read.
    NotText,
}

use Promtool::*;

const TEXT: Format = Format::Text004;
const OM: Format = Format::OpenMetrics1;

pub const CASES: &[Case] = &[
    Case {
        name: "a clean page",
        format: TEXT,
        page: "# HELP room_temperature_celsius The temperature.\n\
               # TYPE room_temperature_celsius gauge\n\
               room_temperature_celsius{room=\"a\"} 21.5\n\
               # HELP http_requests_total Requests served.\n\
               # TYPE http_requests_total counter\n\
               http_requests_total{code=\"200\"} 7\n",
        findings: &[],
        promtool: Same,
    },
    Case {
        name: "no help, and a blank help",
        format: TEXT,
        page: "# TYPE up gauge\n\
               up 1\n\
               # HELP ready \n\
               # TYPE ready gauge\n\
               ready 1\n",
        findings: &[
            "ready: no help text",
            "up: no help text",
        ],
        promtool: Same,
    },
    Case {
        name: "counters and _total",
        format: TEXT,
        page: "# HELP requests Requests.\n\
               # TYPE requests counter\n\
               requests 1\n\
               # HELP in_flight_total In flight.\n\
               # TYPE in_flight_total gauge\n\
               in_flight_total 2\n\
               # HELP legacy_total Untyped.\n\
               legacy_total 3\n",
        findings: &[
            "in_flight_total: non-counter metrics should not have \"_total\" suffix",
            "requests: counter metrics should have \"_total\" suffix",
        ],
        promtool: Same,
    },
    Case {
        name: "suffixes reserved for histograms and summaries",
        format: TEXT,
        page: "# HELP queue_bucket A gauge.\n\
               # TYPE queue_bucket gauge\n\
               queue_bucket 1\n\
               # HELP queue_count A gauge.\n\
               # TYPE queue_count gauge\n\
               queue_count 1\n\
               # HELP queue_sum A counter.\n\
               # TYPE queue_sum counter\n\
               queue_sum 1\n\
               # HELP rpc A summary.\n\
               # TYPE rpc summary\n\
               rpc_bucket 1\n\
               rpc_count 1\n\
               # HELP loose_count Untyped.\n\
               loose_count 1\n",
        findings: &[
            "queue_bucket: non-histogram metrics should not have \"_bucket\" suffix",
            "queue_count: non-histogram and non-summary metrics should not have \"_count\" suffix",
            "queue_sum: counter metrics should have \"_total\" suffix",
            "queue_sum: non-histogram and non-summary metrics should not have \"_sum\" suffix",
            "rpc_bucket: no help text",
        ],
        promtool: Same,
    },
    Case {
        name: "le and quantile outside their types",
        format: TEXT,
        page: "# HELP g A gauge.\n\
               # TYPE g gauge\n\
               g{le=\"1\",quantile=\"0.5\"} 1\n\
               g{le=\"2\"} 1\n\
               # HELP s A summary.\n\
               # TYPE s summary\n\
               s{quantile=\"0.5\",le=\"1\"} 1\n\
               s{quantile=\"0.9\",le=\"1\"} 1\n\
               s_sum{le=\"1\"} 1\n\
               s_count{le=\"1\"} 1\n\
               # HELP h A histogram.\n\
               # TYPE h histogram\n\
               h_bucket{le=\"+Inf\",quantile=\"1\"} 1\n\
               h_sum{quantile=\"1\"} 1\n\
               h_count{quantile=\"1\"} 1\n\
               # HELP u Untyped.\n\
               u{le=\"1\",quantile=\"1\"} 1\n",
        findings: &[
            "g: non-histogram metrics should not have \"le\" label",
            "g: non-histogram metrics should not have \"le\" label",
            "g: non-summary metrics should not have \"quantile\" label",
            "h: non-summary metrics should not have \"quantile\" label",
            "s: non-histogram metrics should not have \"le\" label",
        ],
        promtool: Same,
    },
    Case {
        name: "the family's own type in its name",
        format: TEXT,
        page: "# HELP temp_gauge A gauge.\n\
               # TYPE temp_gauge gauge\n\
               temp_gauge 1\n\
               # HELP hits_counter_total A counter.\n\
               # TYPE hits_counter_total counter\n\
               hits_counter_total 1\n\
               # HELP native_histogram_limit A gauge named after another type.\n\
               # TYPE native_histogram_limit gauge\n\
               native_histogram_limit 1\n\
               # HELP lat_Summary A summary.\n\
               # TYPE lat_Summary summary\n\
               lat_Summary_count 1\n\
               # HELP raw_gauge Untyped.\n\
               raw_gauge 1\n\
               # HELP size_histogram A histogram.\n\
               # TYPE size_histogram histogram\n\
               size_histogram_bucket{le=\"+Inf\"} 1\n",
        findings: &[
            "hits_counter_total: metric name should not include type 'counter'",
            "lat_Summary: metric name should not include type 'summary'",
            "size_histogram: metric name should not include type 'histogram'",
            "temp_gauge: metric name should not include type 'gauge'",
        ],
        promtool: Same,
    },
    Case {
        name: "colons and camelCase",
        format: TEXT,
        page: "# HELP job:requests:rate5m A recording rule's name.\n\
               # TYPE job:requests:rate5m gauge\n\
               job:requests:rate5m 1\n\
               # HELP memFree Free memory.\n\
               # TYPE memFree gauge\n\
               memFree{nodeName=\"a\",zone=\"b\"} 1\n\
               memFree{nodeName=\"b\",podName=\"c\"} 1\n\
               # HELP wait_seconds A histogram.\n\
               # TYPE wait_seconds histogram\n\
               wait_seconds_bucket{le=\"1\",hostName=\"a\"} 1\n\
               wait_seconds_bucket{le=\"+Inf\",hostName=\"a\"} 1\n\
               wait_seconds_sum{hostName=\"a\"} 1\n\
               wait_seconds_count{hostName=\"a\"} 1\n\
               wait_seconds_count{hostName=\"b\"} 1\n\
               # HELP node_netstat_Tcp_ActiveOpens Upper case after an underscore is fine, lower then upper is not.\n\
               # TYPE node_netstat_Tcp_ActiveOpens untyped\n\
               node_netstat_Tcp_ActiveOpens 1\n\
               # HELP ALL_CAPS Fine.\n\
               # TYPE ALL_CAPS gauge\n\
               ALL_CAPS 1\n",
        findings: &[
            "job:requests:rate5m: metric names should not contain ':'",
            "memFree: label names should be written in 'snake_case' not 'camelCase'",
            "memFree: label names should be written in 'snake_case' not 'camelCase'",
            "memFree: label names should be written in 'snake_case' not 'camelCase'",
            "memFree: metric names should be written in 'snake_case' not 'camelCase'",
            "node_netstat_Tcp_ActiveOpens: metric names should be written in 'snake_case' not 'camelCase'",
            "wait_seconds: label names should be written in 'snake_case' not 'camelCase'",
            "wait_seconds: label names should be written in 'snake_case' not 'camelCase'",
        ],
        promtool: Same,
    },
    Case {
        name: "abbreviated and non-base units",
        format: TEXT,
        page: "# HELP latency_ms Abbreviated.\n\
               # TYPE latency_ms gauge\n\
               latency_ms 1\n\
               # HELP io_s_ms Two abbreviations.\n\
               # TYPE io_s_ms gauge\n\
               io_s_ms 1\n\
               # HELP disk_MB_free Upper case.\n\
               # TYPE disk_MB_free gauge\n\
               disk_MB_free 1\n\
               # HELP duration_milliseconds Prefixed.\n\
               # TYPE duration_milliseconds gauge\n\
               duration_milliseconds 1\n\
               # HELP transferred_kilobytes_total Prefixed, on a counter.\n\
               # TYPE transferred_kilobytes_total counter\n\
               transferred_kilobytes_total 1\n\
               # HELP uptime_hours_seconds The first unit word counts.\n\
               # TYPE uptime_hours_seconds gauge\n\
               uptime_hours_seconds 1\n\
               # HELP oven_fahrenheit Not a base unit.\n\
               # TYPE oven_fahrenheit gauge\n\
               oven_fahrenheit 1\n\
               # HELP thermometers Not a unit.\n\
               # TYPE thermometers gauge\n\
               thermometers 1\n\
               # HELP link_bits Bits.\n\
               # TYPE link_bits gauge\n\
               link_bits 1\n\
               # HELP msg_sent Not a word of its own.\n\
               # TYPE msg_sent gauge\n\
               msg_sent 1\n",
        findings: &[
            "disk_MB_free: metric names should not contain abbreviated units",
            "duration_milliseconds: use base unit \"seconds\" instead of \"milliseconds\"",
            "io_s_ms: metric names should not contain abbreviated units",
            "io_s_ms: metric names should not contain abbreviated units",
            "latency_ms: metric names should not contain abbreviated units",
            "link_bits: use base unit \"bytes\" instead of \"bits\"",
            "oven_fahrenheit: use base unit \"celsius\" instead of \"fahrenheit\"",
            "transferred_kilobytes_total: use base unit \"bytes\" instead of \"kilobytes\"",
            "uptime_hours_seconds: use base unit \"seconds\" instead of \"hours\"",
        ],
        promtool: Same,
    },
    Case {
        name: "the same labels twice",
        format: TEXT,
        page: "# HELP jobs Jobs.\n\
               # TYPE jobs gauge\n\
               jobs{q=\"a\"} 1\n\
               jobs{q=\"a\"} 2\n\
               jobs{q=\"b\"} 1\n\
               jobs{q=\"a\"} 3\n\
               # HELP h A histogram's lines with the same labels are one metric.\n\
               # TYPE h histogram\n\
               h_bucket{le=\"+Inf\"} 1\n\
               h_bucket{le=\"+Inf\"} 1\n\
               h_count 1\n",
        findings: &[
            "jobs: metric not unique",
            "jobs: metric not unique",
        ],
        promtool: Same,
    },
    Case {
        name: "families by name as the Go text parser finds them",
        format: TEXT,
        page: "# HELP lat_count Declared before the summary: its own family.\n\
               # TYPE lat summary\n\
               # HELP lat A summary.\n\
               lat_count 1\n\
               lat_sum 1\n\
               # HELP orphan_total Metadata without samples is no family.\n\
               # TYPE orphan_total gauge\n",
        findings: &[],
        promtool: Same,
    },
    Case {
        name: "what Prometheus accepts with a lint and promtool too",
        format: TEXT,
        page: "# HELP a A.\n\
               # TYPE a gauge\n\
               a{x=\"1\"} 1\n\
               # HELP b B.\n\
               # TYPE b gauge\n\
               b 1\n\
               a{x=\"2\"} 1\n\
               # HELP h No +Inf bucket.\n\
               # TYPE h histogram\n\
               h_bucket{le=\"1\"} 1\n\
               h_count 1\n\
               c 1\n\
               # HELP c Help after the samples.\n",
        findings: &[
            "a: samples of \"a\" after another family: a family's lines should be together",
            "h: histogram \"h\" has no bucket with le=\"+Inf\"",
            "c: metadata for \"c\" after its samples",
        ],
        promtool: Same,
    },
    Case {
        name: "a second HELP line",
        format: TEXT,
        page: "# HELP a One.\n\
               # HELP a Two.\n\
               # TYPE a gauge\n\
               a 1\n",
        findings: &[
            "a: second HELP line for metric family \"a\"",
        ],
        promtool: Rejects("second HELP line for metric name \"a\""),
    },
    Case {
        name: "TYPE after the samples",
        format: TEXT,
        page: "# HELP a A.\n\
               a 1\n\
               # TYPE a gauge\n",
        findings: &[
            "a: metadata for \"a\" after its samples",
        ],
        promtool: Rejects("TYPE reported after samples"),
    },
    Case {
        name: "a quoted UTF-8 name",
        format: TEXT,
        page: "# HELP \"http.requests\" Requests.\n\
               # TYPE \"http.requests\" counter\n\
               {\"http.requests\",\"code\"=\"200\"} 1\n",
        findings: &[
            "http.requests: counter metrics should have \"_total\" suffix",
        ],
        promtool: Rejects("invalid metric name"),
    },
    Case {
        name: "the order of labels and empty values are gone after parsing",
        format: TEXT,
        page: "# HELP a A.\n\
               # TYPE a gauge\n\
               a{x=\"1\",y=\"2\"} 1\n\
               a{y=\"2\",x=\"1\"} 1\n\
               # HELP b B.\n\
               # TYPE b gauge\n\
               b{z=\"\"} 1\n\
               b 1\n\
               b{fooBar=\"\"} 1\n",
        findings: &[
            "a: metric not unique",
            "b: metric not unique",
            "b: metric not unique",
        ],
        promtool: Differs(&["b: label names should be written in 'snake_case' not 'camelCase'"]),
    },
    Case {
        name: "OpenMetrics families under their text-format names",
        format: OM,
        page: "# TYPE requests counter\n\
               # HELP requests Requests.\n\
               requests_total 1\n\
               requests_created 1700000000\n\
               # TYPE build info\n\
               build_info{version=\"1\"} 1\n\
               # TYPE queue_total gauge\n\
               # HELP queue_total A gauge.\n\
               queue_total 1\n\
               # TYPE wait_milliseconds histogram\n\
               # UNIT wait_milliseconds milliseconds\n\
               # HELP wait_milliseconds A histogram.\n\
               wait_milliseconds_bucket{le=\"+Inf\"} 1\n\
               wait_milliseconds_count 1\n\
               wait_milliseconds_sum 1\n\
               wait_milliseconds_created 1700000000\n\
               # TYPE state stateset\n\
               # HELP state A stateset.\n\
               state{state=\"a\"} 1\n\
               # TYPE memFree unknown\n\
               memFree 1\n\
               # TYPE events counter\n\
               # HELP events A counter without _total, which the parser notes.\n\
               events 1\n\
               # EOF\n",
        findings: &[
            "build_info: no help text",
            "memFree: metric names should be written in 'snake_case' not 'camelCase'",
            "memFree: no help text",
            "queue_total: non-counter metrics should not have \"_total\" suffix",
            "wait_milliseconds: use base unit \"seconds\" instead of \"milliseconds\"",
            "events: counter sample \"events\" should end in _total",
        ],
        promtool: NotText,
    },
];
