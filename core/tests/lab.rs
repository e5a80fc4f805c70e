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
            let t = &t.active_targets[0];
            assert_eq!(t.health, "up");
            assert_eq!(t.scrape_pool, "prom-example");
            assert_eq!(t.scrape_url, "http://10.244.1.17:8090/metrics");
            assert_eq!(t.scrape_interval, "15s");
            assert_eq!(t.discovered_labels.get("__address__"), "10.244.1.17:8090");
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
