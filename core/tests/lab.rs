//! The thin slice through the engine, end to end: pings reach the app, a
//! scrape on the virtual clock stores them, and the API answers queries,
//! natively and under wasm32.

use promlab_core::api::{
    ApiData, ApiRequest, ApiResponse, ErrorType, LabRequest, LabResponse, QueryResult, Request,
    Response,
};
use promlab_core::lab::{Lab, LabOptions};
use wasm_bindgen_test::wasm_bindgen_test;

/// A lab with 20 minutes of history: enough for every query here, and
/// quick to build in a debug build under WebAssembly.
fn lab() -> Lab {
    Lab::new(LabOptions {
        history: 20 * 60_000,
        ..LabOptions::default()
    })
}

fn vector(resp: ApiResponse) -> Vec<(String, f64)> {
    match resp {
        ApiResponse::Success {
            data: ApiData::Query(QueryResult::Vector(v)),
            ..
        } => v
            .into_iter()
            .map(|s| (s.metric.to_string(), s.value.v))
            .collect(),
        other => panic!("expected a vector, got {other:?}"),
    }
}

fn query(lab: &mut Lab, q: &str) -> ApiResponse {
    lab.api(&ApiRequest::Query {
        query: q.into(),
        time: None,
    })
}

#[wasm_bindgen_test(unsupported = test)]
fn six_pings_and_one_scrape_interval_later_the_counter_reads_six() {
    let mut lab = lab();
    assert_eq!(vector(query(&mut lab, "ping_request_count"))[0].1, 0.0);
    lab.lab(&LabRequest::Ping { count: 6 });
    // Not scraped yet: still the old value.
    let before = lab.now();
    lab.lab(&LabRequest::Step { ms: 15_000 });
    assert_eq!(lab.now(), before + 15_000);
    let got = vector(query(&mut lab, "ping_request_count"));
    assert_eq!(
        got,
        vec![(
            "ping_request_count{container=\"mymetric\", endpoint=\"metrics\", instance=\"10.244.1.17:8090\", \
             job=\"prom-example\", namespace=\"qks-monitoring\", pod=\"prom-example-5d8c7b9f4-x2x7q\", \
             service=\"prom-example\"}"
                .to_string(),
            6.0
        )]
    );
    assert_eq!(
        vector(query(&mut lab, "up{job=\"prom-example\"}"))[0].1,
        1.0
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn history_is_scraped_every_fifteen_seconds() {
    let mut lab = Lab::new(LabOptions::default());
    let now = lab.now();
    let resp = lab.api(&ApiRequest::QueryRange {
        query: "ping_request_count".into(),
        start: now - 900_000,
        end: now,
        step: 15_000,
    });
    let ApiResponse::Success {
        data: ApiData::Query(QueryResult::Matrix(m)),
        ..
    } = resp
    else {
        panic!("{resp:?}")
    };
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].values.len(), 61);
    // An hour of history: one `up` sample per scrape, every 15 s for the
    // app, every 30 s for the cluster's exporters.
    for job in ["prom-example", "node-exporter", "kube-state-metrics"] {
        let resp = lab.api(&ApiRequest::QueryRange {
            query: format!("up{{job=\"{job}\"}}"),
            start: now - 3_600_000 + 1,
            end: now,
            step: 1_000,
        });
        let ApiResponse::Success {
            data: ApiData::Query(QueryResult::Matrix(m)),
            ..
        } = resp
        else {
            panic!("{resp:?}")
        };
        // Every target answered every scrape, so `up` has no gap: 3600
        // one-second steps after the first scrape of each.
        assert!(!m.is_empty(), "{job}");
        for series in &m {
            assert!(series.values.iter().all(|p| p.v == 1.0), "{job}");
            assert!(
                series.values.len() > 3_600 - 31_000 / 1_000,
                "{job}: {}",
                series.values.len()
            );
        }
    }
    let status = match lab.lab(&LabRequest::Status) {
        LabResponse::Status(s) => s,
        other => panic!("{other:?}"),
    };
    assert!(status.series > 1_000, "{}", status.series);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_bad_query_is_an_error_with_a_span_and_the_lab_keeps_working() {
    let mut lab = lab();
    let resp = query(&mut lab, "ping_request_count{");
    let ApiResponse::Error(e) = resp else {
        panic!("{resp:?}")
    };
    assert_eq!(e.error_type, ErrorType::BadData);
    assert_eq!(
        e.error,
        "invalid parameter \"query\": 1:20: parse error: unexpected end of input inside braces"
    );
    assert_eq!(e.span.map(|s| (s.start, s.end)), Some((19, 19)));
    assert_eq!(vector(query(&mut lab, "ping_request_count")).len(), 1);
}

#[wasm_bindgen_test(unsupported = test)]
fn range_queries_are_validated_as_prometheus_does() {
    let mut lab = lab();
    let now = lab.now();
    let cases = [
        (now, now - 1, 15_000, "end timestamp must not be before start time"),
        (now - 1000, now, 0, "zero or negative query resolution step widths are not accepted. Try a positive integer"),
        (
            now - 86_400_000,
            now,
            1,
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        ),
    ];
    for (start, end, step, msg) in cases {
        let resp = lab.api(&ApiRequest::QueryRange {
            query: "up".into(),
            start,
            end,
            step,
        });
        let ApiResponse::Error(e) = resp else {
            panic!("{resp:?}")
        };
        assert_eq!(e.error, msg);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn metadata_endpoints_list_series_labels_and_targets() {
    let mut lab = lab();
    let names = match lab.api(&ApiRequest::Labels {
        matchers: vec![],
        start: None,
        end: None,
    }) {
        ApiResponse::Success {
            data: ApiData::Strings(v),
            ..
        } => v,
        other => panic!("{other:?}"),
    };
    // The target labels the Prometheus Operator attaches, and the labels
    // the exporters' pages carry.
    for name in [
        "__name__",
        "container",
        "endpoint",
        "instance",
        "job",
        "namespace",
        "pod",
        "service",
        "cpu",
        "mode",
        "node",
        "gpu",
        "UUID",
    ] {
        assert!(names.contains(&name.to_string()), "{name} in {names:?}");
    }
    assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted");
    let metrics = match lab.api(&ApiRequest::LabelValues {
        name: "__name__".into(),
        matchers: vec!["{job=\"prom-example\",__name__=~\"ping.*|up|scrape.*\"}".into()],
        start: None,
        end: None,
    }) {
        ApiResponse::Success {
            data: ApiData::Strings(v),
            ..
        } => v,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        metrics,
        [
            "ping_request_count",
            "ping_request_duration_seconds",
            "ping_request_duration_seconds_count",
            "ping_request_duration_seconds_sum",
            "scrape_duration_seconds",
            "scrape_samples_post_metric_relabeling",
            "scrape_samples_scraped",
            "scrape_series_added",
            "up"
        ]
    );
    match lab.api(&ApiRequest::Series {
        matchers: vec!["{__name__=~\"scrape_.*\", job=\"prom-example\"}".into()],
        start: None,
        end: None,
    }) {
        ApiResponse::Success {
            data: ApiData::Series(s),
            ..
        } => assert_eq!(s.len(), 4),
        other => panic!("{other:?}"),
    }
    match lab.api(&ApiRequest::Series {
        matchers: vec![],
        start: None,
        end: None,
    }) {
        ApiResponse::Error(e) => assert_eq!(e.error, "no match[] parameter provided"),
        other => panic!("{other:?}"),
    }
    match lab.api(&ApiRequest::Targets) {
        ApiResponse::Success {
            data: ApiData::Targets(t),
            ..
        } => {
            // The operator's job for the example's ServiceMonitor.
            let t = t
                .active_targets
                .iter()
                .find(|t| t.labels.get("job") == "prom-example")
                .expect("the example app is a target");
            assert_eq!(t.health, "up");
            assert_eq!(
                t.scrape_pool,
                "serviceMonitor/qks-monitoring/prom-example/0"
            );
            assert_eq!(t.scrape_url, "http://10.244.1.17:8090/metrics");
            assert_eq!(t.scrape_interval, "15s");
            assert_eq!(t.discovered_labels.get("__address__"), "10.244.1.17:8090");
            assert_eq!(
                t.discovered_labels.get("__meta_kubernetes_service_name"),
                "prom-example"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn the_clock_runs_at_its_speed_and_refuses_bad_settings() {
    let mut lab = lab();
    let t0 = lab.now();
    lab.lab(&LabRequest::SetSpeed { speed: 60.0 });
    lab.lab(&LabRequest::Tick { real_ms: 500.0 });
    assert_eq!(lab.now(), t0 + 30_000);
    lab.lab(&LabRequest::Pause);
    lab.lab(&LabRequest::Tick { real_ms: 500.0 });
    assert_eq!(lab.now(), t0 + 30_000);
    // A tab waking after an hour does not simulate the hour in one tick.
    lab.lab(&LabRequest::Play);
    lab.lab(&LabRequest::Tick {
        real_ms: 3_600_000.0,
    });
    assert_eq!(lab.now(), t0 + 90_000);
    for bad in [
        LabRequest::SetSpeed { speed: f64::NAN },
        LabRequest::SetSpeed { speed: -1.0 },
        LabRequest::Step { ms: -5 },
        LabRequest::Step {
            ms: 365 * 86_400_000,
        },
        LabRequest::TargetPage {
            scrape_url: "http://nowhere/metrics".into(),
        },
    ] {
        assert!(
            matches!(lab.lab(&bad), LabResponse::Error { .. }),
            "{bad:?}"
        );
    }
    assert_eq!(lab.now(), t0 + 90_000);
}

#[wasm_bindgen_test(unsupported = test)]
fn requests_and_responses_survive_serialization() {
    // The worker boundary carries these as JSON.
    let mut lab = lab();
    let req = Request::Lab(LabRequest::Ping { count: 2 });
    let json = serde_json::to_string(&req).unwrap();
    let back: Request = serde_json::from_str(&json).unwrap();
    let resp = lab.handle(&back);
    let json = serde_json::to_string(&resp).unwrap();
    let Response::Lab(LabResponse::Status(s)) = serde_json::from_str::<Response>(&json).unwrap()
    else {
        panic!("{json}")
    };
    assert_eq!(s.ping_count, 2);
}

#[wasm_bindgen_test(unsupported = test)]
fn the_same_options_give_the_same_run() {
    let run = || {
        let mut lab = lab();
        lab.lab(&LabRequest::Ping { count: 3 });
        lab.lab(&LabRequest::Step { ms: 600_000 });
        let now = lab.now();
        lab.api(&ApiRequest::QueryRange {
            query: "{job=\"prom-example\"}".into(),
            start: now - 3_600_000,
            end: now,
            step: 1_000,
        })
        .to_json()
    };
    assert_eq!(run(), run());
}

#[wasm_bindgen_test(unsupported = test)]
fn tsdb_status_and_metadata_answer_as_prometheus_does() {
    let mut lab = lab();
    let ApiResponse::Success {
        data: ApiData::TsdbStatus(st),
        ..
    } = lab.api(&ApiRequest::TsdbStatus)
    else {
        panic!()
    };
    assert!(st.head_stats.num_series > 1_000);
    assert!(st.head_stats.chunk_count >= st.head_stats.num_series);
    assert!(st.head_stats.bytes_per_sample > 0.5 && st.head_stats.bytes_per_sample < 16.0);
    assert!(st.head_stats.min_time < st.head_stats.max_time);
    // The biggest metric by series count is first.
    let top = &st.series_count_by_metric_name;
    assert!(top.windows(2).all(|w| w[0].value >= w[1].value));
    assert_eq!(top[0].name, "node_cpu_seconds_total");
    let json = ApiResponse::success(ApiData::TsdbStatus(st.clone())).to_json();
    assert!(json.contains("\"headStats\":{\"numSeries\":"), "{json}");
    assert!(
        json.contains("\"seriesCountByMetricName\":[{\"name\":\"node_cpu_seconds_total\""),
        "{json}"
    );
    assert_eq!(
        ApiRequest::TsdbStatus.decode_response(&json),
        Ok(ApiResponse::success(ApiData::TsdbStatus(st)))
    );

    let req = ApiRequest::Metadata {
        metric: Some("ping_request_count".into()),
        limit: None,
    };
    let ApiResponse::Success {
        data: ApiData::Metadata(md),
        ..
    } = lab.api(&req)
    else {
        panic!()
    };
    assert_eq!(md.len(), 1);
    assert_eq!(md["ping_request_count"][0].metric_type, "counter");
    assert_eq!(
        md["ping_request_count"][0].help,
        "No of request handled by Ping handler"
    );
    let req = ApiRequest::Metadata {
        metric: None,
        limit: Some(5),
    };
    let ApiResponse::Success {
        data: ApiData::Metadata(md),
        ..
    } = lab.api(&req)
    else {
        panic!()
    };
    assert_eq!(md.len(), 5);
    assert_eq!(ApiRequest::from_url(&req.to_url()), Ok(req));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_prometheus_yml_adds_jobs_and_bad_ones_say_where() {
    let mut lab = lab();
    let yaml = "scrape_configs:\n  - job_name: app-again\n    scrape_interval: 5s\n    static_configs:\n      - targets: ['10.244.1.17:8090']\n        labels: {team: lab}\n";
    assert_eq!(lab.load_config(yaml), Ok(vec!["app-again".to_string()]));
    lab.lab(&LabRequest::Step { ms: 10_000 });
    // The simulated app answers the new job too, in the lab.
    let got = vector(query(&mut lab, "up{job=\"app-again\"}"));
    assert_eq!(
        got,
        vec![(
            "up{instance=\"10.244.1.17:8090\", job=\"app-again\", team=\"lab\"}".to_string(),
            1.0
        )]
    );
    let err = lab.load_config(yaml).unwrap_err();
    assert_eq!(
        err,
        "a scrape config with job name \"app-again\" already exists in the lab"
    );
    let err = lab
        .load_config("scrape_configs:\n  - job_name: x\n    scrape_interval: 5 s\n")
        .unwrap_err();
    assert!(err.starts_with("3:22: "), "{err}");
    let resp = lab.lab(&LabRequest::LoadConfig {
        yaml: "scrape_configs: [".into(),
    });
    assert!(matches!(resp, LabResponse::Error { .. }));
}

#[wasm_bindgen_test(unsupported = test)]
fn old_data_is_dropped_after_the_retention_time() {
    let mut lab = Lab::new(LabOptions {
        history: 20 * 60_000,
        retention: 30 * 60_000,
        ..LabOptions::default()
    });
    let start = lab.now() - 20 * 60_000;
    lab.lab(&LabRequest::Step { ms: 2 * 3_600_000 });
    let ApiResponse::Success {
        data: ApiData::TsdbStatus(st),
        ..
    } = lab.api(&ApiRequest::TsdbStatus)
    else {
        panic!()
    };
    // Whole chunks older than the retention time are gone; what is left
    // starts within a chunk's span (up to two hours) of the limit.
    assert!(
        st.head_stats.min_time > start,
        "{} <= {start}",
        st.head_stats.min_time
    );
    assert!(st.head_stats.min_time >= lab.now() - 30 * 60_000 - 2 * 3_600_000);
}

#[wasm_bindgen_test(unsupported = test)]
fn exported_data_imports_into_another_lab() {
    let mut a = lab();
    a.lab(&LabRequest::Ping { count: 3 });
    a.lab(&LabRequest::Step { ms: 15_000 });
    let now = a.now();
    let text = promlab_core::tsdb::export_openmetrics(
        a.querier(),
        &[promlab_core::labels::Matcher::equal("job", "prom-example")],
        now - 600_000,
        now,
    );
    let mut b = Lab::new(LabOptions {
        history: 0,
        start: now,
        ..LabOptions::default()
    });
    let resp = b.lab(&LabRequest::ImportOpenMetrics { text: text.clone() });
    assert!(matches!(resp, LabResponse::Status(_)), "{resp:?}");
    let got = vector(b.api(&ApiRequest::Query {
        query: "ping_request_count".into(),
        time: Some(now),
    }));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, 3.0);
    let resp = b.lab(&LabRequest::ImportOpenMetrics {
        text: "garbage\n".into(),
    });
    let LabResponse::Error { message } = resp else {
        panic!()
    };
    assert!(message.starts_with("1:"), "{message}");
}

#[wasm_bindgen_test(unsupported = test)]
fn queries_answer_with_prometheus_s_warnings_and_infos() {
    let mut lab = lab();
    match query(&mut lab, "sum(rate(up[5m]))") {
        ApiResponse::Success {
            warnings, infos, ..
        } => {
            assert!(warnings.is_empty(), "{warnings:?}");
            assert_eq!(
                infos,
                ["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"up\" (1:10)"]
            );
        }
        other => panic!("{other:?}"),
    }
    match query(&mut lab, "quantile(1.5, up)") {
        ApiResponse::Success { warnings, .. } => assert_eq!(
            warnings,
            ["PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:10)"]
        ),
        other => panic!("{other:?}"),
    }
    // A clean query has neither, and the JSON leaves them out.
    let clean = query(&mut lab, "sum(up)");
    assert!(!clean.to_json().contains("warnings"), "{}", clean.to_json());
    assert!(!clean.to_json().contains("infos"), "{}", clean.to_json());
}

#[wasm_bindgen_test(unsupported = test)]
fn format_query_answers_as_prometheus_does() {
    let mut lab = lab();
    let req = ApiRequest::FormatQuery {
        query: "sum by(job)(rate(up[5m]))>0".into(),
    };
    assert_eq!(ApiRequest::from_url(&req.to_url()), Ok(req.clone()));
    let resp = lab.api(&req);
    assert_eq!(
        resp.to_json(),
        r#"{"status":"success","data":"sum by (job) (rate(up[5m])) > 0"}"#
    );
    // The JSON decodes back to the same answer, as from a server.
    assert_eq!(req.decode_response(&resp.to_json()), Ok(resp));
    match lab.api(&ApiRequest::FormatQuery {
        query: "sum(up".into(),
    }) {
        ApiResponse::Error(e) => {
            assert_eq!(e.error_type, ErrorType::BadData);
            assert!(e.error.contains("1:7: parse error"), "{}", e.error);
            assert_eq!(e.span.map(|s| s.start), Some(6));
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn explain_gives_each_sub_expression_with_its_series() {
    let mut lab = lab();
    let resp = lab.handle(&Request::Lab(LabRequest::Explain {
        query: "sum by (job) (up) > 0".into(),
        time: None,
    }));
    let Response::Lab(LabResponse::Explain { tree }) = resp else {
        panic!("{resp:?}");
    };
    assert_eq!(tree.expr, "sum by (job) (up) > 0");
    assert_eq!(tree.children.len(), 2);
    let sum = &tree.children[0];
    assert_eq!(sum.expr, "sum by (job) (up)");
    let up = &sum.children[0];
    assert!(up.series > sum.series, "{} > {}", up.series, sum.series);
    assert_eq!(tree.series, sum.series);
    // It survives the worker's serialization.
    let json = serde_json::to_string(&LabResponse::Explain { tree: tree.clone() }).unwrap();
    let back: LabResponse = serde_json::from_str(&json).unwrap();
    assert_eq!(back, LabResponse::Explain { tree });
    let resp = lab.handle(&Request::Lab(LabRequest::Explain {
        query: "sum(".into(),
        time: None,
    }));
    assert!(
        matches!(&resp, Response::Lab(LabResponse::Error { message }) if message.contains("parse error")),
        "{resp:?}"
    );
}

/// An export is OpenMetrics that a fresh lab imports back: the same
/// series answer the same values at the export's end.
#[wasm_bindgen_test(unsupported = test)]
fn an_export_imports_back_with_the_same_answers() {
    let mut a = lab();
    a.lab(&LabRequest::Ping { count: 4 });
    a.lab(&LabRequest::Step { ms: 60_000 });
    let end = a.now();
    let LabResponse::Page { body } = a.lab(&LabRequest::ExportOpenMetrics {
        selector: r#"{job="prom-example", __name__=~"ping_request_count|up"}"#.into(),
        start: Some(end - 10 * 60_000),
        end: None,
    }) else {
        panic!("no export")
    };
    assert!(body.ends_with("# EOF\n"), "{body}");
    // OpenMetrics counters end in _total, so this one is written as
    // unknown, as Prometheus writes it.
    assert!(
        body.contains("# TYPE ping_request_count unknown\n"),
        "{body}"
    );
    let mut b = Lab::new(LabOptions {
        start: end,
        history: 0,
        ..LabOptions::default()
    });
    let resp = b.lab(&LabRequest::ImportOpenMetrics { text: body });
    assert!(matches!(resp, LabResponse::Status(_)), "{resp:?}");
    let q = r#"max_over_time(ping_request_count{job="prom-example"}[10m])"#;
    let at = |lab: &mut Lab| {
        vector(lab.api(&ApiRequest::Query {
            query: q.into(),
            time: Some(end),
        }))
    };
    assert_eq!(at(&mut b), at(&mut a));
    assert_eq!(at(&mut a)[0].1, 4.0);
    // A bad selector says where and what.
    let LabResponse::Error { message } = a.lab(&LabRequest::ExportOpenMetrics {
        selector: "{job=}".into(),
        start: None,
        end: None,
    }) else {
        panic!("accepted a bad selector")
    };
    assert!(message.starts_with("the selector: 1:6: "), "{message}");
}

/// With a real clock, a query that runs past the engine's timeout stops
/// with Prometheus's timeout error.
#[wasm_bindgen_test(unsupported = test)]
fn a_query_past_the_timeout_stops_with_an_error() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    let mut lab = lab();
    // A clock that jumps a minute each time it is read.
    let ticks = Arc::new(AtomicU64::new(0));
    let clock = ticks.clone();
    lab.set_query_clock(Arc::new(move || {
        clock.fetch_add(60_000, Ordering::Relaxed) as f64
    }));
    match query(&mut lab, "sum_over_time(node_cpu_seconds_total[20m:1s])") {
        ApiResponse::Error(e) => {
            assert_eq!(e.error, "query timed out in expression evaluation");
        }
        other => panic!("{other:?}"),
    }
    assert!(ticks.load(Ordering::Relaxed) >= 3 * 60_000);
}
