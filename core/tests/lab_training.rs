//! The training material's example, end to end in the lab: its manifests
//! applied to the simulated cluster (the lab's default Prometheus and
//! Alertmanager select their labels), six pings, the alert pending then
//! firing after `for: 10s` at the evaluation interval, one webhook
//! notification grouped by `job` after `groupWait: 30s`, and after the app
//! restarts, the resolved notification that the `send_resolved` typo lets
//! through (the API server drops the misspelt field, so webhooks keep
//! their default `send_resolved: true`). Every virtual time and every
//! reason is asserted.

use expect_test::expect;
use promlab_core::alertmanager::silence::{PostableSilence, SilenceMatcher};
use promlab_core::api::{
    format_rfc3339, ApiData, ApiRequest, ApiResponse, LabRequest, LabResponse, ManifestText,
    Request, Response,
};
use promlab_core::lab::{Lab, LabOptions};
use promlab_core::operator::load::FieldValidation;
use promlab_core::sim::Scenario;
use promlab_core::timeline::{EventKind, TimelineEvent};
use wasm_bindgen_test::wasm_bindgen_test;

fn training() -> Vec<ManifestText> {
    [
        (
            "Deployment.yaml",
            include_str!("operator/training/Deployment.yaml"),
        ),
        (
            "Service.yaml",
            include_str!("operator/training/Service.yaml"),
        ),
        (
            "ServiceMonitor.yaml",
            include_str!("operator/training/ServiceMonitor.yaml"),
        ),
        (
            "alertmanagerconfig.yaml",
            include_str!("operator/training/alertmanagerconfig.yaml"),
        ),
        (
            "prometheusrule.yaml",
            include_str!("operator/training/prometheusrule.yaml"),
        ),
    ]
    .into_iter()
    .map(|(name, text)| ManifestText {
        name: name.into(),
        text: text.into(),
    })
    .collect()
}

/// A lab started at 2026-01-01T00:00:00Z with the example applied as the
/// lab applies it after showing the issue (validation `warn`).
fn lab() -> Lab {
    let mut lab = Lab::new(LabOptions {
        history: 0,
        ..LabOptions::default()
    });
    let applied = lab.lab(&LabRequest::ApplyManifests {
        files: training(),
        validation: FieldValidation::Warn,
    });
    let LabResponse::ManifestsApplied(applied) = applied else {
        panic!("{applied:?}")
    };
    // The example's job, and those of the cluster's own ServiceMonitors.
    assert_eq!(
        applied.jobs,
        [
            "serviceMonitor/gpu-operator/nvidia-dcgm-exporter/0",
            "serviceMonitor/qks-monitoring/prom-example/0",
            "serviceMonitor/qks-monitoring/qks-monitoring-kube-state-metrics/0",
            "serviceMonitor/qks-monitoring/qks-monitoring-prometheus-node-exporter/0",
        ]
    );
    assert!(applied.refused.is_empty(), "{:?}", applied.refused);
    assert!(
        applied.not_selected.is_empty(),
        "{:?}",
        applied.not_selected
    );
    assert_eq!(applied.issues.len(), 1);
    assert!(applied.issues[0].contains("did you mean \"sendResolved\"?"));
    lab
}

/// Time since the lab's start, `m:ss.mmm`.
fn at(start: i64, t: i64) -> String {
    let ms = t - start;
    format!(
        "{}:{:02}.{:03}",
        ms / 60_000,
        ms % 60_000 / 1_000,
        ms % 1_000
    )
}

/// One line per event: when, what, and why. Scrapes and evaluations after
/// the first two of each are left out (their spacing is asserted apart).
fn render(start: i64, events: &[TimelineEvent]) -> String {
    let mut out = String::new();
    let (mut scrapes, mut evaluations) = (0, 0);
    for e in events {
        let what = match &e.kind {
            EventKind::Scrape { job, up, .. } => {
                scrapes += 1;
                if scrapes > 2 {
                    continue;
                }
                format!("scrape {job} up={up}")
            }
            EventKind::Evaluation { group, .. } => {
                evaluations += 1;
                if evaluations > 2 {
                    continue;
                }
                format!("evaluation {group:?}")
            }
            EventKind::AlertState {
                alertname,
                from,
                to,
                ..
            } => format!("{alertname} {} -> {}", from.as_str(), to.as_str()),
            EventKind::AlertsSent { alerts, .. } => {
                let list: Vec<String> = alerts
                    .iter()
                    .map(|a| {
                        let state = if a.resolved { "resolved" } else { "firing" };
                        format!("{} {state}", a.alertname)
                    })
                    .collect();
                format!("sent {}", list.join(", "))
            }
            EventKind::Notification {
                receiver, payload, ..
            } => format!(
                "notify {receiver} {:?} {} alert(s) by {:?}",
                payload.status,
                payload.alerts.len(),
                payload.group_labels
            ),
        };
        out.push_str(&format!(
            "{} {what}\n    why: {}\n",
            at(start, e.time),
            e.why
        ));
    }
    out
}

fn times(events: &[TimelineEvent], kind: &str) -> Vec<i64> {
    events
        .iter()
        .filter(|e| e.kind.name() == kind)
        .map(|e| e.time)
        .collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn the_training_example_fires_notifies_and_resolves_on_the_virtual_clock() {
    let mut lab = lab();
    let start = lab.now();
    lab.record_timeline(true);
    lab.lab(&LabRequest::Ping { count: 6 });
    lab.advance_to(start + 5 * 60_000);
    lab.lab(&LabRequest::Scenario(Scenario::RestartApp));
    lab.advance_to(start + 10 * 60_000);
    let events = lab.take_timeline();

    // The app is scraped every 15 s, the group evaluated every 30 s.
    let scrapes = times(&events, "scrape");
    assert_eq!(scrapes.len(), 40);
    assert!(scrapes.windows(2).all(|w| w[1] - w[0] == 15_000));
    let evaluations = times(&events, "evaluation");
    assert_eq!(evaluations.len(), 20);
    assert!(evaluations.windows(2).all(|w| w[1] - w[0] == 30_000));

    expect![[r#"
        0:09.017 scrape prom-example up=true
            why: first scrape: at the target's offset in its scrape_interval 15s (a hash of its labels spreads targets over the interval)
        0:13.674 evaluation "Count greater than 5"
            why: first evaluation: at the group's offset in its evaluation_interval 30s (a hash of its file and name)
        0:13.674 CountGreaterThan5 inactive -> pending
            why: `ping_request_count > 5` returned this series at the evaluation (evaluation_interval 30s); pending until it has held for 10s (for)
        0:24.017 scrape prom-example up=true
            why: scrape_interval 15s of job "prom-example"
        0:43.674 evaluation "Count greater than 5"
            why: evaluation_interval 30s of group "Count greater than 5"
        0:43.674 CountGreaterThan5 pending -> firing
            why: pending since 2026-01-01T00:00:13.674Z: held for 30s >= for 10s, at the first evaluation after that (evaluation_interval 30s)
        0:43.674 sent CountGreaterThan5 firing
            why: fired at this evaluation: sent at once
        1:13.674 notify qks-monitoring/config-example/webhook Firing 1 alert(s) by {"job": "prom-example"}
            why: group_wait 30s: the group's first notification waits 30s after its first alert (at 2026-01-01T00:00:43.674Z) for others to join it
        2:13.674 sent CountGreaterThan5 firing
            why: still firing: sent again at the first evaluation more than the 1m resend delay after the last send
        3:43.674 sent CountGreaterThan5 firing
            why: still firing: sent again at the first evaluation more than the 1m resend delay after the last send
        5:13.674 CountGreaterThan5 firing -> inactive
            why: `ping_request_count > 5` no longer returned this series at the evaluation (evaluation_interval 30s): resolved
        5:13.674 sent CountGreaterThan5 resolved
            why: resolved at this evaluation: sent at once
        6:13.674 notify qks-monitoring/config-example/webhook Resolved 1 alert(s) by {"job": "prom-example"}
            why: group_interval 5m: all alerts resolved since the group's previous notification at 2026-01-01T00:01:13.674Z; changes wait for the next tick
        6:43.674 sent CountGreaterThan5 resolved
            why: resolved: sent again after the 1m resend delay (Prometheus resends resolved alerts while it keeps them, 15m)
        8:13.674 sent CountGreaterThan5 resolved
            why: resolved: sent again after the 1m resend delay (Prometheus resends resolved alerts while it keeps them, 15m)
        9:43.674 sent CountGreaterThan5 resolved
            why: resolved: sent again after the 1m resend delay (Prometheus resends resolved alerts while it keeps them, 15m)
    "#]]
    .assert_eq(&render(start, &events));

    // The delays the reasons name, between the events themselves.
    let state = |to: &str| {
        events
            .iter()
            .find(|e| matches!(&e.kind, EventKind::AlertState { to: t, .. } if t.as_str() == to))
            .map(|e| e.time)
    };
    let (pending, firing, resolved) = (state("pending"), state("firing"), state("inactive"));
    let (pending, firing, resolved) = (pending.unwrap(), firing.unwrap(), resolved.unwrap());
    assert_eq!(
        firing - pending,
        30_000,
        "for: 10s, held until the next evaluation"
    );
    let notified = times(&events, "notification");
    assert_eq!(notified, [firing + 30_000, notified[0] + 5 * 60_000]);
    assert!(notified[1] > resolved);

    // The Alertmanager's log: the firing notification, grouped by job,
    // and the resolved one, each as a webhook POST for the driver.
    let webhooks = lab.take_webhook_requests();
    let sent: Vec<i64> = webhooks.iter().map(|w| w.time).collect();
    assert_eq!(sent, notified);
    assert!(webhooks[0].body.contains(r#""status":"firing""#));
    assert!(webhooks[1].body.contains(r#""status":"resolved""#));
    assert!(webhooks.iter().all(|w| w.url
        == "https://webhook.site/6016d666-7cc1-4f81-bb8f-442ef2a9a400"
        && w.content_type == "application/json"));
    assert_eq!(format_rfc3339(start), "2026-01-01T00:00:00Z");
}

#[wasm_bindgen_test(unsupported = test)]
fn strict_validation_refuses_the_alertmanagerconfig_and_nothing_is_notified() {
    let mut lab = Lab::new(LabOptions {
        history: 0,
        ..LabOptions::default()
    });
    let LabResponse::ManifestsApplied(applied) = lab.lab(&LabRequest::ApplyManifests {
        files: training(),
        validation: FieldValidation::Strict,
    }) else {
        panic!("not applied")
    };
    assert_eq!(
        applied.refused,
        ["alertmanagerconfig.monitoring.coreos.com/config-example in alertmanagerconfig.yaml: 1 error(s)"]
    );
    lab.lab(&LabRequest::Ping { count: 6 });
    lab.advance_to(lab.now() + 5 * 60_000);
    // The alert fires and reaches the Alertmanager, whose only receiver
    // is the default "null".
    let LabResponse::AlertmanagerAlerts { alerts } =
        lab.lab(&LabRequest::AlertmanagerAlerts { filter: vec![] })
    else {
        panic!("no alerts")
    };
    assert_eq!(alerts.len(), 1);
    assert!(lab.take_webhook_requests().is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn a_clash_with_a_job_of_the_lab_keeps_the_previous_state() {
    let mut lab = lab();
    // A second apply replaces the generated jobs: no clash.
    let again = lab.lab(&LabRequest::ApplyManifests {
        files: training(),
        validation: FieldValidation::Warn,
    });
    assert!(
        matches!(again, LabResponse::ManifestsApplied(_)),
        "{again:?}"
    );
    // A fresh lab with an HTTP target under the name of the job a new
    // ServiceMonitor would generate.
    let job = "serviceMonitor/qks-monitoring/extra/0";
    let mut lab = Lab::new(LabOptions {
        history: 0,
        ..LabOptions::default()
    });
    lab.add_target("http://127.0.0.1:9100/metrics", Some(job), None)
        .unwrap();
    let before = lab.status();
    let mut files = training();
    files.push(ManifestText {
        name: "extra.yaml".into(),
        text: "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: extra\n  labels: {release: qks-monitoring}\nspec:\n  selector: {matchLabels: {app: extra}}\n  endpoints: [{port: metrics}]\n".into(),
    });
    let refused = lab.lab(&LabRequest::ApplyManifests {
        files,
        validation: FieldValidation::Warn,
    });
    assert_eq!(
        refused,
        LabResponse::Error {
            message: format!("a scrape config with job name {job:?} already exists in the lab")
        }
    );
    assert_eq!(lab.status(), before);
    assert!(lab.status().rule_files.is_empty());
}

/// Applying manifests regenerates the cluster's own jobs too: every
/// target the lab scraped before is scraped after, with the same labels.
#[wasm_bindgen_test(unsupported = test)]
fn applying_manifests_keeps_the_clusters_own_targets() {
    fn targets(lab: &mut Lab) -> Vec<String> {
        let resp = lab.api(&ApiRequest::Targets);
        let ApiResponse::Success {
            data: ApiData::Targets(t),
            ..
        } = resp
        else {
            panic!("{resp:?}")
        };
        let mut all: Vec<String> = t
            .active_targets
            .iter()
            .map(|t| format!("{} every {}", t.labels, t.scrape_interval))
            .collect();
        all.sort();
        all
    }
    let mut lab = Lab::new(LabOptions {
        history: 0,
        ..LabOptions::default()
    });
    let before = targets(&mut lab);
    assert_eq!(before.len(), 6, "{before:#?}");
    lab.lab(&LabRequest::ApplyManifests {
        files: training(),
        validation: FieldValidation::Warn,
    });
    assert_eq!(targets(&mut lab), before);
}

#[wasm_bindgen_test(unsupported = test)]
fn the_alertmanager_answers_through_the_lab() {
    let mut lab = lab();
    lab.lab(&LabRequest::Ping { count: 6 });
    lab.advance_to(lab.now() + 60_000);
    let LabResponse::Routes { tree } = lab.lab(&LabRequest::Routes) else {
        panic!("no routes")
    };
    assert_eq!(
        tree.children[0].receiver,
        "qks-monitoring/config-example/webhook"
    );
    assert_eq!(tree.children[0].timers.group_wait, 30_000);
    let LabResponse::AlertmanagerGroups { groups } =
        lab.lab(&LabRequest::AlertmanagerGroups { filter: vec![] })
    else {
        panic!("no groups")
    };
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].labels["job"], "prom-example");
    // A silence for the alert: created, listed, expired.
    let silence = PostableSilence {
        id: None,
        matchers: vec![SilenceMatcher::equal("alertname", "CountGreaterThan5")],
        starts_at: format_rfc3339(lab.now()),
        ends_at: format_rfc3339(lab.now() + 3_600_000),
        created_by: "test".into(),
        comment: "quiet".into(),
    };
    let LabResponse::SilenceCreated { id } = lab.lab(&LabRequest::CreateSilence { silence }) else {
        panic!("not created")
    };
    let LabResponse::Silences { silences } = lab.lab(&LabRequest::Silences) else {
        panic!("no silences")
    };
    assert_eq!(silences.len(), 1);
    assert_eq!(silences[0].id, id);
    lab.advance_to(lab.now() + 60_000);
    // The silence mutes the group's first notification.
    let LabResponse::Notifications { notifications } = lab.lab(&LabRequest::Notifications) else {
        panic!("no log")
    };
    assert!(notifications.is_empty(), "{notifications:?}");
    let expired = lab.lab(&LabRequest::ExpireSilence { id: id.clone() });
    assert!(matches!(expired, LabResponse::Status(_)), "{expired:?}");
    let again = lab.lab(&LabRequest::ExpireSilence { id });
    assert!(matches!(again, LabResponse::Error { .. }), "{again:?}");
    let LabResponse::AlertmanagerStatus(status) = lab.lab(&LabRequest::AlertmanagerStatus) else {
        panic!("no status")
    };
    assert!(status
        .config
        .original
        .contains("qks-monitoring/config-example/webhook"));
    let bad = lab.lab(&LabRequest::LoadAlertmanagerConfig {
        yaml: "route: {receiver: nobody}\n".into(),
    });
    let LabResponse::Error { message } = bad else {
        panic!("{bad:?}")
    };
    assert!(message.contains("nobody"), "{message}");
}

#[wasm_bindgen_test(unsupported = test)]
fn the_new_requests_and_answers_cross_a_worker_as_json() {
    let mut lab = lab();
    lab.record_timeline(true);
    lab.lab(&LabRequest::Ping { count: 6 });
    lab.advance_to(lab.now() + 2 * 60_000);
    let requests = [
        LabRequest::ApplyManifests {
            files: training(),
            validation: FieldValidation::Warn,
        },
        LabRequest::TakeTimeline,
        LabRequest::AlertmanagerAlerts { filter: vec![] },
        LabRequest::AlertmanagerGroups {
            filter: vec!["job=\"prom-example\"".into()],
        },
        LabRequest::Silences,
        LabRequest::AlertmanagerStatus,
        LabRequest::Notifications,
        LabRequest::Routes,
        LabRequest::TakeWebhookRequests,
    ];
    for request in requests {
        let request = Request::Lab(request);
        let json = serde_json::to_string(&request).unwrap();
        assert_eq!(serde_json::from_str::<Request>(&json).unwrap(), request);
        let response = lab.handle(&request);
        assert!(
            !matches!(response, Response::Lab(LabResponse::Error { .. })),
            "{response:?}"
        );
        let json = serde_json::to_string(&response).unwrap();
        assert_eq!(
            serde_json::from_str::<Response>(&json).unwrap(),
            response,
            "{json}"
        );
    }
}
