//! The requests the web app's status pages send beyond the Prometheus and
//! Alertmanager APIs: matchers read for a silence (errors with their
//! position), the route tester, and the cluster's overview in the status.

use promlab_core::alertmanager::silence::SilenceMatcher;
use promlab_core::api::{LabRequest, LabResponse};
use promlab_core::lab::{Lab, LabOptions};
use promlab_core::sim::{Exporter, NodeCondition, Scenario};
use wasm_bindgen_test::wasm_bindgen_test;

fn lab() -> Lab {
    Lab::new(LabOptions {
        history: 60_000,
        ..LabOptions::default()
    })
}

const ALERTMANAGER_YML: &str = r#"
route:
  receiver: team
  group_by: [alertname]
  routes:
    - matchers: [severity="critical"]
      receiver: pager
      continue: true
    - matchers: [team="db"]
      receiver: db
receivers: [{name: team}, {name: pager}, {name: db}]
"#;

#[wasm_bindgen_test(unsupported = test)]
fn matchers_parse_or_point_at_the_mistake() {
    let mut lab = lab();
    // (input, matchers as name op value, or the error's span and message)
    type Want = Result<
        &'static [(&'static str, &'static str, &'static str)],
        ((usize, usize), &'static str),
    >;
    let cases: [(&str, Want); 5] = [
        (
            r#"alertname="CountGreaterThan5", instance=~".+""#,
            Ok(&[
                ("alertname", "=", "CountGreaterThan5"),
                ("instance", "=~", ".+"),
            ]),
        ),
        (r#"{job!="x"}"#, Ok(&[("job", "!=", "x")])),
        ("alertname=", Ok(&[("alertname", "=", "")])),
        ("=x", Err(((0, 2), "bad matcher format"))),
        (
            r#"a=~"(""#,
            Err(((0, 6), "error parsing regexp: missing closing )")),
        ),
    ];
    for (input, want) in cases {
        let got = lab.lab(&LabRequest::ParseMatchers {
            input: input.to_string(),
        });
        match (want, got) {
            (Ok(want), LabResponse::Matchers { matchers, .. }) => {
                let got: Vec<(String, &str, String)> = matchers
                    .iter()
                    .map(|m: &SilenceMatcher| {
                        let op = match (m.is_equal, m.is_regex) {
                            (true, false) => "=",
                            (false, false) => "!=",
                            (true, true) => "=~",
                            (false, true) => "!~",
                        };
                        (m.name.clone(), op, m.value.clone())
                    })
                    .collect();
                let want: Vec<(String, &str, String)> = want
                    .iter()
                    .map(|(n, o, v)| (n.to_string(), *o, v.to_string()))
                    .collect();
                assert_eq!(got, want, "{input}");
            }
            (Err(((start, end), message)), LabResponse::InputError { message: m, span }) => {
                assert_eq!((span.start, span.end), (start, end), "{input}: {m}");
                assert!(m.contains(message), "{input}: {m}");
            }
            (want, got) => panic!("{input}: expected {want:?}, got {got:?}"),
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn the_route_tester_answers_as_amtool() {
    let mut lab = lab();
    assert!(matches!(
        lab.lab(&LabRequest::LoadAlertmanagerConfig {
            yaml: ALERTMANAGER_YML.into()
        }),
        LabResponse::Status(_)
    ));
    // (labels, receivers, the routes matched as paths)
    type Case = (
        &'static str,
        &'static [&'static str],
        &'static [&'static [usize]],
    );
    let cases: [Case; 4] = [
        (
            "severity=critical, team=db",
            &["pager", "db"],
            &[&[0], &[1]],
        ),
        (r#"{team="db"}"#, &["db"], &[&[1]]),
        ("alertname=X", &["team"], &[&[]]),
        ("", &["team"], &[&[]]),
    ];
    for (labels, receivers, matched) in cases {
        let LabResponse::RoutesTested(t) = lab.lab(&LabRequest::TestRoutes {
            labels: labels.into(),
        }) else {
            panic!("{labels}: not tested");
        };
        assert_eq!(t.receivers, receivers, "{labels}");
        let matched: Vec<Vec<usize>> = matched.iter().map(|p| p.to_vec()).collect();
        assert_eq!(t.matched, matched, "{labels}");
        assert!(t.amtool.starts_with("Matching routes:"), "{}", t.amtool);
    }
    for (labels, message) in [
        (
            "team!=db",
            "labels must be given as name=value pairs, not team!=\"db\"",
        ),
        ("team=\"db", "matcher value contains unescaped double quote"),
    ] {
        match lab.lab(&LabRequest::TestRoutes {
            labels: labels.into(),
        }) {
            LabResponse::InputError { message: m, span } => {
                assert!(m.contains(message), "{labels}: {m}");
                assert!(span.end <= labels.len(), "{labels}: {span:?}");
            }
            other => panic!("{labels}: {other:?}"),
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn the_status_carries_the_clusters_nodes_and_exporters() {
    let mut lab = lab();
    let status = |lab: &mut Lab| match lab.lab(&LabRequest::Status) {
        LabResponse::Status(s) => s,
        other => panic!("{other:?}"),
    };
    let s = status(&mut lab);
    assert_eq!(s.cluster.nodes.len(), 3);
    assert!(s
        .cluster
        .nodes
        .iter()
        .all(|n| n.condition == NodeCondition::Ready));
    assert!(s.cluster.exporters.iter().all(|e| e.up && !e.stopped));
    lab.lab(&LabRequest::Scenario(Scenario::StopExporter(
        Exporter::PingApp,
    )));
    lab.lab(&LabRequest::Scenario(Scenario::RebootNode {
        node: "qks-gpu-1".into(),
    }));
    let s = status(&mut lab);
    let app = &s.cluster.exporters[0];
    assert_eq!(app.exporter, Exporter::PingApp);
    assert!(app.stopped && !app.up);
    assert_eq!(s.cluster.nodes[2].condition, NodeCondition::Rebooting);
    // The status survives the JSON the worker sends it in.
    let json = serde_json::to_string(&LabResponse::Status(s.clone())).unwrap();
    assert_eq!(
        serde_json::from_str::<LabResponse>(&json).unwrap(),
        LabResponse::Status(s)
    );
}
