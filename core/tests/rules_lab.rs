//! Rules in the lab: rule files loaded through `LabRequest::LoadRules`,
//! groups evaluated as virtual time passes, `/api/v1/rules` and
//! `/api/v1/alerts` in Prometheus's shapes, and the alerts for an
//! Alertmanager with their send times.

use promlab_core::api::{
    ApiData, ApiRequest, ApiResponse, LabRequest, LabResponse, RuleData, RuleFileText,
};
use promlab_core::lab::{Lab, LabOptions};
use promlab_core::rules::AlertState;
use wasm_bindgen_test::wasm_bindgen_test;

/// The training material's PrometheusRule, as the Operator writes it into
/// a rule file for Prometheus (its `spec`).
const TRAINING_RULES: &str = "\
groups:
  - name: Count greater than 5
    rules:
      - alert: CountGreaterThan5
        expr: ping_request_count > 5
        for: 10s
";

const FILE: &str = "monitoring-prometheus-example-rules.yaml";

fn load(lab: &mut Lab, yaml: &str) -> LabResponse {
    lab.lab(&LabRequest::LoadRules {
        files: vec![RuleFileText {
            name: FILE.to_string(),
            yaml: yaml.to_string(),
        }],
    })
}

fn alerts(lab: &mut Lab) -> Vec<(AlertState, String)> {
    match lab.api(&ApiRequest::Alerts) {
        ApiResponse::Success {
            data: ApiData::Alerts(a),
            ..
        } => a
            .alerts
            .into_iter()
            .map(|a| (a.state, a.active_at))
            .collect(),
        other => panic!("{other:?}"),
    }
}

fn rules_json(lab: &mut Lab) -> String {
    serde_json::to_string_pretty(&lab.api(&ApiRequest::Rules)).unwrap()
}

#[wasm_bindgen_test(unsupported = test)]
fn six_pings_make_the_training_alert_pending_then_firing() {
    let mut lab = Lab::new(LabOptions::default());
    let start = lab.now();
    let LabResponse::Status(status) = load(&mut lab, TRAINING_RULES) else {
        panic!("not loaded")
    };
    assert_eq!(status.rule_files.len(), 1);
    assert_eq!(status.rule_files[0].rules, 1);
    lab.lab(&LabRequest::Ping { count: 6 });

    // Step a second at a time and note when the alert changes state.
    let mut transitions = Vec::new();
    let mut last = AlertState::Inactive;
    for _ in 0..120 {
        lab.lab(&LabRequest::Step { ms: 1_000 });
        let state = alerts(&mut lab)
            .first()
            .map_or(AlertState::Inactive, |a| a.0);
        if state != last {
            transitions.push((state, lab.now() - start));
            last = state;
        }
    }
    let rule = lab.rules().groups()[0].clone();
    assert_eq!(rule.interval, 30_000, "the Operator's evaluation interval");
    let [(AlertState::Pending, seen_pending), (AlertState::Firing, seen_firing)] = transitions[..]
    else {
        panic!("{transitions:?}")
    };
    // The exact times: the alert's activeAt and the time it was sent
    // firing, each within the second the steps saw them in.
    let batches = lab.take_alert_notifications();
    assert_eq!(batches.len(), 1, "{batches:?}");
    let pending = match lab.api(&ApiRequest::Alerts) {
        ApiResponse::Success {
            data: ApiData::Alerts(a),
            ..
        } => promlab_core::api::parse_time(&a.alerts[0].active_at).unwrap() - start,
        other => panic!("{other:?}"),
    };
    let firing = batches[0].sent_at - start;
    assert_eq!(batches[0].alerts[0].starts_at - start, firing);
    assert!(pending <= seen_pending && seen_pending < pending + 1_000);
    assert!(firing <= seen_firing && seen_firing < firing + 1_000);
    // Pending at the first evaluation that sees 6 pings scraped; firing at
    // the next one, 30s later, as `for: 10s` has passed by then.
    assert_eq!(firing - pending, 30_000);
    // The group's evaluations fall on its slot: Prometheus's offset of the
    // group within the interval, from the hash of its file and name.
    assert_eq!((start + pending) % 30_000, rule.next_eval % 30_000);
    let got = format!(
        "pending at +{}ms ({}), firing at +{}ms ({})",
        pending,
        promlab_core::api::format_rfc3339(start + pending),
        firing,
        promlab_core::api::format_rfc3339(start + firing)
    );
    expect_test::expect!["pending at +32756ms (2026-01-01T00:00:32.756Z), firing at +62756ms (2026-01-01T00:01:02.756Z)"].assert_eq(&got);

    // ALERTS and ALERTS_FOR_STATE were written at the evaluations.
    let resp = lab.api(&ApiRequest::Query {
        query: "ALERTS".into(),
        time: None,
    });
    let json = serde_json::to_string(&resp).unwrap();
    assert!(json.contains(r#""alertstate":"firing""#), "{json}");

    // The alert went to the Alertmanager when it fired, with its times.
    let posted = serde_json::to_string_pretty(&batches[0].alerts).unwrap();
    expect_test::expect![[r#"
        [
          {
            "labels": {
              "alertname": "CountGreaterThan5",
              "container": "mymetric",
              "endpoint": "metrics",
              "instance": "10.244.1.17:8090",
              "job": "prom-example",
              "namespace": "qks-monitoring",
              "pod": "prom-example-5d8c7b9f4-x2x7q",
              "service": "prom-example"
            },
            "annotations": {},
            "startsAt": "2026-01-01T00:01:02.756Z",
            "endsAt": "2026-01-01T00:05:02.756Z",
            "generatorURL": "/graph?g0.expr=ping_request_count+%3E+5&g0.tab=1"
          }
        ]"#]]
    .assert_eq(&posted);
    assert!(lab.take_alert_notifications().is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn firing_alerts_are_sent_again_after_the_resend_delay() {
    let mut lab = Lab::new(LabOptions::default());
    load(&mut lab, TRAINING_RULES);
    lab.lab(&LabRequest::Ping { count: 6 });
    lab.lab(&LabRequest::Step { ms: 5 * 60_000 });
    let times: Vec<i64> = lab
        .take_alert_notifications()
        .iter()
        .map(|b| b.sent_at)
        .collect();
    // Every evaluation is 30s apart; a firing alert is sent again at the
    // first evaluation more than 1m after the last send: every 90s.
    let gaps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(times.len() >= 3, "{times:?}");
    assert!(gaps.iter().all(|g| *g == 90_000), "{gaps:?}");
}

#[wasm_bindgen_test(unsupported = test)]
fn recording_rules_write_series_and_the_rules_api_shows_them() {
    let mut lab = Lab::new(LabOptions::default());
    let yaml = "\
groups:
  - name: pings
    interval: 15s
    rules:
      - record: job:ping_request_count:sum
        expr: sum by (job) (ping_request_count)
      - record: broken
        expr: ping_request_count + on(job) group_left ping_request_count
      - alert: NeverFires
        expr: vector(1) < 0
        labels:
          severity: none
        annotations:
          summary: 'value {{ $value }}'
";
    assert!(matches!(load(&mut lab, yaml), LabResponse::Status(_)));
    lab.lab(&LabRequest::Ping { count: 3 });
    lab.lab(&LabRequest::Step { ms: 60_000 });
    let resp = lab.api(&ApiRequest::Query {
        query: "job:ping_request_count:sum".into(),
        time: None,
    });
    let json = serde_json::to_string(&resp).unwrap();
    assert!(json.contains(r#""job":"prom-example""#), "{json}");
    assert!(json.contains(r#""3""#), "{json}");

    let ApiResponse::Success {
        data: ApiData::Rules(rules),
        ..
    } = lab.api(&ApiRequest::Rules)
    else {
        panic!()
    };
    let g = &rules.groups[0];
    assert_eq!(
        (g.name.as_str(), g.file.as_str(), g.interval),
        ("pings", FILE, 15.0)
    );
    let health: Vec<String> = g
        .rules
        .iter()
        .map(|r| match r {
            RuleData::Recording(r) => format!("{} {:?} {:?}", r.name, r.health, r.last_error),
            RuleData::Alerting(r) => {
                format!("{} {:?} {:?} {:?}", r.name, r.health, r.state, r.last_error)
            }
        })
        .collect();
    expect_test::expect![[r#"
        [
            "job:ping_request_count:sum Good None",
            "broken Good None",
            "NeverFires Good Inactive None",
        ]
    "#]]
    .assert_debug_eq(&health);
    // The API's JSON as Prometheus writes it, read back by the endpoint.
    let text = rules_json(&mut lab);
    assert!(text.contains(r#""type": "recording""#), "{text}");
    assert!(text.contains(r#""health": "ok""#), "{text}");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_bad_rule_file_is_refused_with_file_line_and_field() {
    let mut lab = Lab::new(LabOptions::default());
    let yaml = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up ==\n        for: 1x\n";
    let LabResponse::Error { message } = load(&mut lab, yaml) else {
        panic!()
    };
    expect_test::expect![[r#"
        monitoring-prometheus-example-rules.yaml:6:14: unknown unit "x" in duration "1x"
                  for: 1x
                       ^^
    "#]]
    .assert_eq(&message);
    // Nothing was loaded.
    let LabResponse::Status(status) = lab.lab(&LabRequest::ListRules) else {
        panic!()
    };
    assert!(status.rule_files.is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn a_long_jump_with_a_tiny_interval_evaluates_a_bounded_number_of_times() {
    let mut lab = Lab::new(LabOptions::default());
    let yaml = "groups:\n  - name: fast\n    interval: 1ms\n    rules:\n      - record: r\n        expr: vector(1)\n";
    assert!(matches!(load(&mut lab, yaml), LabResponse::Status(_)));
    // An hour at 1ms is 3.6 million evaluations; the lab evaluates the last
    // ten thousand.
    lab.lab(&LabRequest::Step { ms: 3_600_000 });
    let g = &lab.rules().groups()[0];
    assert!(g.iterations_missed > 0);
    assert_eq!(g.last_evaluation, Some(lab.now()));
}
