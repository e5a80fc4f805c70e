//! Reading scrape configs: the table in `testdata/scrape_configs.yml` (one
//! case for each kind of mistake, with the first line of its error), the
//! defaults Prometheus fills in, and writing a config back as YAML.

use promlab_core::scrape::config::{ConfigErrorKind, PrometheusConfig};
use serde::Deserialize;
use wasm_bindgen_test::wasm_bindgen_test;

const CASES: &str = include_str!("testdata/scrape_configs.yml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    config: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default, rename = "promtool_accepts")]
    _promtool_accepts: Option<bool>,
}

fn kind_name(kind: &ConfigErrorKind) -> String {
    let debug = format!("{kind:?}");
    debug.split('(').next().unwrap_or_default().to_string()
}

#[wasm_bindgen_test(unsupported = test)]
fn config_table() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    let mut failures = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    for case in &cases {
        let got = PrometheusConfig::parse(&case.config);
        match (&got, &case.error) {
            (Ok(_), None) => {}
            (Err(e), Some(want)) => {
                let rendered = e.render(&case.config);
                let first = rendered.lines().next().unwrap_or_default();
                let kind = kind_name(&e.kind);
                kinds.insert(kind.clone());
                if first != want || Some(&kind) != case.kind.as_ref() {
                    failures.push(format!(
                        "{}:\n  got  {kind} {first:?}\n  want {:?} {want:?}",
                        case.name, case.kind
                    ));
                }
            }
            (Ok(_), Some(want)) => failures.push(format!("{}: accepted, want {want:?}", case.name)),
            (Err(e), None) => failures.push(format!(
                "{}: refused: {}",
                case.name,
                e.render(&case.config)
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every kind of mistake has a case.
    for kind in [
        "Syntax",
        "UnknownField",
        "UnsupportedField",
        "InvalidType",
        "DuplicateKey",
        "InvalidDuration",
        "NullSection",
        "EmptyJobName",
        "DuplicateJobName",
        "TimeoutGreaterThanInterval",
        "InvalidLabelName",
        "Relabel",
        "Target",
    ] {
        assert!(kinds.contains(kind), "no case for {kind}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn defaults_are_prometheus_defaults() {
    let cfg = PrometheusConfig::parse("scrape_configs:\n  - job_name: a\n").unwrap();
    assert_eq!(cfg.global.scrape_interval, 60_000);
    assert_eq!(cfg.global.scrape_timeout, 10_000);
    assert_eq!(cfg.global.evaluation_interval, 60_000);
    let job = &cfg.scrape_configs[0];
    assert_eq!(job.scrape_interval, 60_000);
    assert_eq!(job.scrape_timeout, 10_000);
    assert_eq!(job.metrics_path, "/metrics");
    assert_eq!(job.scheme, "http");
    assert!(!job.honor_labels);
    assert!(job.honor_timestamps);
    assert_eq!(job.sample_limit, 0);
    // A short global interval caps the default timeout.
    let cfg = PrometheusConfig::parse(
        "global:\n  scrape_interval: 4s\nscrape_configs:\n  - job_name: a\n",
    )
    .unwrap();
    assert_eq!(cfg.global.scrape_timeout, 4_000);
    assert_eq!(cfg.scrape_configs[0].scrape_timeout, 4_000);
    // A job's own short interval caps the global timeout too.
    let cfg =
        PrometheusConfig::parse("scrape_configs:\n  - job_name: a\n    scrape_interval: 3s\n")
            .unwrap();
    assert_eq!(cfg.scrape_configs[0].scrape_timeout, 3_000);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_config_is_written_with_every_default() {
    let cfg = PrometheusConfig::parse(
        "global:\n  scrape_interval: 15s\n  external_labels: {cluster: lab}\nscrape_configs:\n  - job_name: node\n    params: {module: [cpu]}\n    static_configs:\n      - targets: [a:1, b:1]\n        labels: {team: x}\n      - targets: ['c:1']\n    relabel_configs:\n      - action: labeldrop\n        regex: tmp_.*\n      - action: keepequal\n        source_labels: [a]\n        target_label: b\n      - source_labels: [__address__]\n        target_label: host\n",
    )
    .unwrap();
    expect_test::expect![[r#"
        global:
          scrape_interval: 15s
          scrape_timeout: 10s
          evaluation_interval: 1m
          external_labels:
            cluster: lab
        scrape_configs:
        - job_name: node
          honor_labels: false
          honor_timestamps: true
          params:
            module:
            - cpu
          scrape_interval: 15s
          scrape_timeout: 10s
          metrics_path: /metrics
          scheme: http
          static_configs:
          - targets:
            - a:1
            - b:1
            labels:
              team: x
          - targets:
            - c:1
          relabel_configs:
          - regex: tmp_.*
            action: labeldrop
          - source_labels:
            - a
            target_label: b
            action: keepequal
          - source_labels:
            - __address__
            separator: ;
            regex: (.*)
            target_label: host
            replacement: $1
            action: replace
    "#]]
    .assert_eq(&cfg.to_yaml());
}

#[wasm_bindgen_test(unsupported = test)]
fn no_prefix_or_mangling_of_a_config_panics() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    let mut parsed = 0;
    for case in &cases {
        let text = &case.config;
        for (i, _) in text.char_indices().step_by(9) {
            // Every prefix, and the text with one character doubled or a
            // quote, bracket or colon put in its place.
            let _ = PrometheusConfig::parse(&text[..i]);
            for insert in ["'", "[", ":", "~"] {
                let mangled = format!("{}{insert}{}", &text[..i], &text[i..]);
                if let Err(e) = PrometheusConfig::parse(&mangled) {
                    // Every error renders, with a position inside the text.
                    assert!(e.span.start <= mangled.len() && e.span.end <= mangled.len());
                    let _ = e.render(&mangled);
                }
                parsed += 1;
            }
        }
    }
    assert!(parsed > 500);
}

#[wasm_bindgen_test(unsupported = test)]
fn no_prefix_of_a_regex_panics() {
    use promlab_core::regexp::Regexp;
    let patterns = [
        r"(?P<host>[^:]+)(?::\d+)?;(\d+)",
        r"[[:^alpha:]\d\x{41}-\x{5A}\p{Greek}]+\Qa.b\E{2,3}",
        r"(?i:a|b)\b\B\A\z\pL\PN\101\0",
        r"[]a-z\-\]\\\\[]",
    ];
    for p in patterns {
        for (i, _) in p.char_indices() {
            if let Ok(re) = Regexp::new(&p[..i]) {
                let _ = re.is_match("abc");
            }
        }
    }
}
