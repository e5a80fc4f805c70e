//! Routing: the receivers each alert of `alertmanager/routes.yml` reaches,
//! and the route tree as a UI gets it.

use promlab_core::alertmanager::config::AlertmanagerConfig;
use promlab_core::alertmanager::route::RouteTree;
use promlab_core::labels::Labels;
use serde::Deserialize;
use std::collections::BTreeMap;
use wasm_bindgen_test::wasm_bindgen_test;

const CASES: &str = include_str!("alertmanager/routes.yml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    config: String,
    alerts: Vec<AlertCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertCase {
    labels: BTreeMap<String, String>,
    receivers: Vec<String>,
}

#[wasm_bindgen_test(unsupported = test)]
fn routes_table() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    let mut checked = 0;
    for case in &cases {
        let cfg = AlertmanagerConfig::parse(&case.config)
            .unwrap_or_else(|e| panic!("{}: {}", case.name, e.render(&case.config)));
        let tree = RouteTree::new(&cfg.route);
        for alert in &case.alerts {
            let labels = Labels::from_pairs(alert.labels.clone());
            assert_eq!(
                tree.receivers(&labels),
                alert.receivers,
                "{}: {labels}",
                case.name
            );
            checked += 1;
        }
    }
    assert!(checked >= 20);
}

#[wasm_bindgen_test(unsupported = test)]
fn the_tree_as_data() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    let cfg = AlertmanagerConfig::parse(&cases[0].config).unwrap();
    let node = RouteTree::new(&cfg.route).to_node();
    expect_test::expect![[r#"
        {
          "receiver": "default",
          "matchers": [],
          "groupBy": [
            "alertname",
            "namespace"
          ],
          "timers": {
            "groupWait": 30000,
            "groupInterval": 300000,
            "repeatInterval": 14400000
          },
          "continue": false,
          "key": "{}",
          "children": [
            {
              "receiver": "blackhole",
              "matchers": [
                "alertname=\"Watchdog\""
              ],
              "groupBy": [
                "alertname",
                "namespace"
              ],
              "timers": {
                "groupWait": 30000,
                "groupInterval": 300000,
                "repeatInterval": 14400000
              },
              "continue": false,
              "key": "{}/{alertname=\"Watchdog\"}",
              "children": []
            }
          ]
        }"#]]
    .assert_eq(&{
        let mut first = node.clone();
        first.children.truncate(1);
        serde_json::to_string_pretty(&first).unwrap()
    });
    assert_eq!(node.children.len(), 4);
    assert_eq!(node.children[2].children[1].receiver, "platform-alerts");
}
