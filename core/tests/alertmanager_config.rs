//! Reading `alertmanager.yml`: the table in `alertmanager/configs.yml` (one
//! case for each kind of mistake, with the first line of its error), the
//! defaults Alertmanager fills in, the notes on what the lab does not
//! simulate, and writing a config back.

use promlab_core::alertmanager::config::{
    AlertmanagerConfig, ConfigErrorKind, IntegrationKind, NoteKind,
};
use promlab_core::alertmanager::route::RouteTree;
use serde::Deserialize;
use wasm_bindgen_test::wasm_bindgen_test;

const CASES: &str = include_str!("alertmanager/configs.yml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    config: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[wasm_bindgen_test(unsupported = test)]
fn config_table() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    assert!(cases.len() >= 50, "{}", cases.len());
    let mut failures = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    for case in &cases {
        let got = AlertmanagerConfig::parse(&case.config);
        match (&got, &case.kind) {
            (Ok(_), None) => {}
            (Err(e), Some(want_kind)) => {
                let rendered = e.render(&case.config);
                let first = rendered.lines().next().unwrap_or_default();
                let kind = format!("{:?}", e.kind);
                kinds.insert(kind.clone());
                if &kind != want_kind || case.error.as_deref() != Some(first) {
                    failures.push(format!(
                        "{}:\n  got  {kind} {first:?}\n  want {want_kind} {:?}",
                        case.name, case.error
                    ));
                }
            }
            (Ok(_), Some(want)) => failures.push(format!("{}: accepted, want {want}", case.name)),
            (Err(e), None) => failures.push(format!(
                "{}: refused: {}",
                case.name,
                e.render(&case.config)
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    use ConfigErrorKind::*;
    for kind in [
        Syntax,
        UnknownField,
        InvalidType,
        DuplicateKey,
        InvalidDuration,
        InvalidMatcher,
        InvalidLabelName,
        NoRoute,
        RootRouteWithoutReceiver,
        RootRouteWithMatchers,
        RootRouteWithTimeIntervals,
        RootRouteContinue,
        UndefinedReceiver,
        DuplicateReceiver,
        MissingReceiverName,
        GroupByAllWithLabels,
        DuplicateGroupBy,
        ZeroGroupInterval,
        ZeroRepeatInterval,
        InvalidUrl,
        IntegrationRequirement,
        UndefinedTimeInterval,
        DuplicateTimeInterval,
        InvalidTimeInterval,
    ] {
        assert!(kinds.contains(&format!("{kind:?}")), "no case for {kind:?}");
    }
}

fn case(name: &str) -> String {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    cases
        .into_iter()
        .find(|c| c.name == name)
        .map(|c| c.config)
        .unwrap_or_else(|| panic!("no case {name}"))
}

#[wasm_bindgen_test(unsupported = test)]
fn defaults_are_alertmanagers() {
    let cfg = AlertmanagerConfig::parse(&case("minimal")).unwrap();
    assert_eq!(cfg.global.resolve_timeout, 300_000);
    let tree = RouteTree::new(&cfg.route);
    let root = tree.root();
    assert_eq!(
        (root.group_wait, root.group_interval, root.repeat_interval),
        (30_000, 300_000, 4 * 3_600_000)
    );
    assert!(root.group_by.is_empty() && !root.group_by_all);
    assert_eq!(root.key, "{}");

    let cfg = AlertmanagerConfig::parse(&case("every modelled field")).unwrap();
    let db = cfg.receiver("db").unwrap();
    assert!(!db.webhook_configs[0].send_resolved);
    assert_eq!(db.webhook_configs[0].max_alerts, 5);
    assert_eq!(db.webhook_configs[0].timeout, 10_000);
    assert!(
        db.webhook_configs[1].send_resolved,
        "webhooks send resolved alerts by default"
    );
    assert_eq!(
        cfg.inhibit_rules[1].name.as_deref(),
        Some("node-down-mutes-node")
    );
    let tree = RouteTree::new(&cfg.route);
    let keys: Vec<(&str, &str)> = tree
        .routes()
        .iter()
        .map(|r| (r.receiver.as_str(), r.key.as_str()))
        .collect();
    expect_test::expect![[r#"
        [
            (
                "team",
                "{}",
            ),
            (
                "blackhole",
                "{}/{alertname=\"Watchdog\"}",
            ),
            (
                "db",
                "{}/{severity=~\"warn|crit\",team=\"db\"}",
            ),
            (
                "pager",
                "{}/{severity=~\"warn|crit\",team=\"db\"}/{env!=\"dev\",region=~\"eu-.*\"}",
            ),
            (
                "web",
                "{}/{service=~\"^(?:front|back)$\",team=\"web\"}",
            ),
        ]
    "#]]
    .assert_debug_eq(&keys);
}

#[wasm_bindgen_test(unsupported = test)]
fn what_is_not_simulated_is_noted() {
    let cfg = AlertmanagerConfig::parse(&case("every other integration")).unwrap();
    let all = cfg.receiver("all").unwrap();
    let kinds: Vec<IntegrationKind> = all.integrations.iter().map(|i| i.kind).collect();
    assert_eq!(kinds.len(), 17);
    assert!(all.webhook_configs.is_empty());
    let email = &all.integrations[0];
    assert_eq!(email.kind, IntegrationKind::Email);
    assert!(
        !email.send_resolved,
        "email does not send resolved alerts by default"
    );
    let slack = all
        .integrations
        .iter()
        .find(|i| i.kind == IntegrationKind::Slack)
        .unwrap();
    assert!(slack.send_resolved);
    assert!(cfg
        .notes
        .iter()
        .all(|n| n.kind == NoteKind::IntegrationNotSent));
    assert_eq!(cfg.notes.len(), 17);

    let src = case("matchers only the classic parser reads");
    let cfg = AlertmanagerConfig::parse(&src).unwrap();
    let notes: Vec<String> = cfg
        .notes
        .iter()
        .map(|n| format!("{:?} {}: {}", n.kind, n.span.slice(&src), n.message))
        .collect();
    expect_test::expect![[r#"
        [
            "ClassicMatcherSyntax \"summary=disk is full\": Alertmanager reads \"summary=disk is full\" only with its classic parser (13:15: unexpected is: expected a comma or close brace); it suggests summary=\"disk is full\"",
            "ClassicMatcherSyntax 'path=\\\"/var\\\"': Alertmanager reads \"path=\\\\\\\"/var\\\\\\\"\" only with its classic parser (5:6: \\: invalid input); it suggests path=\"\\\"/var\\\"\"",
        ]
    "#]]
    .assert_debug_eq(&notes);

    let cfg = AlertmanagerConfig::parse(&case("time intervals")).unwrap();
    assert_eq!(cfg.time_intervals.len(), 2);
    assert!(cfg
        .notes
        .iter()
        .any(|n| n.kind == NoteKind::TimeIntervalsNotSimulated));
}

#[wasm_bindgen_test(unsupported = test)]
fn written_back_it_reads_the_same() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    for case in cases.iter().filter(|c| c.kind.is_none()) {
        let cfg = AlertmanagerConfig::parse(&case.config).unwrap();
        let written = cfg.to_yaml();
        let back = AlertmanagerConfig::parse(&written)
            .unwrap_or_else(|e| panic!("{}:\n{written}\n{}", case.name, e.render(&written)));
        assert_eq!(
            RouteTree::new(&back.route).to_node(),
            RouteTree::new(&cfg.route).to_node(),
            "{}",
            case.name
        );
        assert_eq!(back.receivers.len(), cfg.receivers.len(), "{}", case.name);
        for (a, b) in back.receivers.iter().zip(&cfg.receivers) {
            assert_eq!(a.name, b.name);
            assert_eq!(a.webhook_configs, b.webhook_configs, "{}", case.name);
            assert_eq!(a.integrations, b.integrations, "{}", case.name);
        }
        assert_eq!(back.inhibit_rules.len(), cfg.inhibit_rules.len());
        for (a, b) in back.inhibit_rules.iter().zip(&cfg.inhibit_rules) {
            assert_eq!(
                (&a.source_matchers, &a.target_matchers, &a.equal),
                (&b.source_matchers, &b.target_matchers, &b.equal)
            );
        }
        assert_eq!(back.global, cfg.global, "{}", case.name);
        let by_name = |c: &AlertmanagerConfig| {
            let mut t = c.time_intervals.clone();
            t.sort_by(|a, b| a.name.cmp(&b.name));
            t
        };
        assert_eq!(by_name(&back), by_name(&cfg), "{}", case.name);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn hostile_input_is_an_error_not_a_panic() {
    for text in [
        "route: {receiver: r, group_wait: 99999999999999999999y}\nreceivers: [{name: r}]",
        "route: {receiver: r, routes: [~, ~]}\nreceivers: [{name: r}]",
        "route: {receiver: r}\nreceivers: [~]",
        "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'http://[::1'}]}]",
        "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: x, timeout: 99999999999h}]}]",
        "route: {receiver: r, routes: [{matchers: ['\"\\xff\"=x', '\"\\u00e9\"=\"\\U0001F600\"']}]}\nreceivers: [{name: r}]",
        "route: {receiver: r}\nreceivers: [{name: r}]\ntime_intervals: [{name: x, time_intervals: [{times: [{start_time: 'é:00', end_time: 1}]}]}]",
        "\u{feff}route: &a {receiver: r, routes: [*a]}\nreceivers: [{name: r}]",
        "- 1\n- 2",
        "route: {receiver: r}\nreceivers: [{name: r}]\ninhibit_rules: [{source_match_re: {a: '\\'}}]",
    ] {
        let _ = AlertmanagerConfig::parse(text).map(|c| c.to_yaml());
    }
}
