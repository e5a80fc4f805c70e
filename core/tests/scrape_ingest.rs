//! What a scrape writes, as Prometheus 3.5 writes it: target labels and
//! `honor_labels`, `honor_timestamps`, metric relabelling, the limits that
//! fail a scrape, the synthetic series and staleness; and the targets a
//! config makes (relabelling, dropped targets, URLs, offsets).

use promlab_core::labels::{Labels, Matcher};
use promlab_core::scrape::config::PrometheusConfig;
use promlab_core::scrape::{Health, ScrapeManager, ScrapeOutcome};
use promlab_core::tsdb::{is_stale_marker, Head, Querier};
use wasm_bindgen_test::wasm_bindgen_test;

fn manager(yaml: &str) -> ScrapeManager {
    let cfg = PrometheusConfig::parse(yaml).unwrap_or_else(|e| panic!("{}", e.render(yaml)));
    ScrapeManager::from_config(&cfg, 1_000_000)
}

fn job(extra: &str) -> ScrapeManager {
    manager(&format!(
        "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n    static_configs:\n      - targets: ['app:8080']\n{extra}"
    ))
}

fn ok(body: &str) -> ScrapeOutcome {
    ScrapeOutcome {
        body: Ok(body.into()),
        content_type: None,
        duration: 0.01,
    }
}

/// Every series of `name` as `labels => [(t, v)]`, stale markers as "stale".
fn dump(head: &Head, name: &str) -> Vec<String> {
    head.select(&[Matcher::equal("__name__", name)], i64::MIN, i64::MAX)
        .into_iter()
        .map(|s| {
            let points: Vec<String> = s
                .samples
                .iter()
                .map(|p| {
                    if is_stale_marker(p.v) {
                        format!("{}:stale", p.t)
                    } else {
                        format!("{}:{}", p.t, p.v)
                    }
                })
                .collect();
            format!("{} {}", s.labels, points.join(" "))
        })
        .collect()
}

fn value(head: &Head, name: &str, t: i64) -> f64 {
    head.select(&[Matcher::equal("__name__", name)], t, t)
        .first()
        .and_then(|s| s.samples.last())
        .map_or(f64::NAN, |p| p.v)
}

#[wasm_bindgen_test(unsupported = test)]
fn clashing_labels_become_exported_unless_honoured() {
    let page = "m{job=\"inner\",instance=\"x\",exported_job=\"e\"} 1\n";
    let mut head = Head::new();
    let mut m = job("");
    m.ingest(0, 1_000, ok(page), &mut head);
    assert_eq!(
        dump(&head, "m"),
        // `exported_job` is taken by the page, so the page's `job` moves on
        // to `exported_exported_job`.
        [
            r#"m{exported_exported_job="inner", exported_instance="x", exported_job="e", instance="app:8080", job="app"} 1000:1"#
        ]
    );
    let mut head = Head::new();
    let mut m = job("    honor_labels: true\n");
    m.ingest(0, 1_000, ok(page), &mut head);
    assert_eq!(
        dump(&head, "m"),
        [r#"m{exported_job="e", instance="x", job="inner"} 1000:1"#]
    );
    // The synthetic series always carry the target's own labels.
    assert_eq!(
        dump(&head, "up"),
        [r#"up{instance="app:8080", job="app"} 1000:1"#]
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn page_timestamps_are_used_only_when_honoured() {
    let mut head = Head::new();
    job("").ingest(0, 5_000, ok("a 1 4000\n"), &mut head);
    assert_eq!(
        dump(&head, "a"),
        [r#"a{instance="app:8080", job="app"} 4000:1"#]
    );
    let mut head = Head::new();
    job("    honor_timestamps: false\n").ingest(0, 5_000, ok("a 1 4000\n"), &mut head);
    assert_eq!(
        dump(&head, "a"),
        [r#"a{instance="app:8080", job="app"} 5000:1"#]
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn series_with_their_own_timestamps_are_not_marked_stale() {
    let mut head = Head::new();
    let mut m = job("");
    m.ingest(0, 5_000, ok("a 1 4000\nb 1\n"), &mut head);
    m.ingest(0, 20_000, ok(""), &mut head);
    assert_eq!(
        dump(&head, "a"),
        [r#"a{instance="app:8080", job="app"} 4000:1"#]
    );
    assert_eq!(
        dump(&head, "b"),
        [r#"b{instance="app:8080", job="app"} 5000:1 20000:stale"#]
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn metric_relabelling_drops_and_rewrites_samples() {
    let mut head = Head::new();
    let mut m = job(
        "    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: 'go_.*'\n        action: drop\n      - source_labels: [path]\n        regex: '/api/(.*)'\n        target_label: endpoint\n      - action: labeldrop\n        regex: path\n",
    );
    let page = "go_goroutines 10\ngo_threads 5\nhttp_requests_total{path=\"/api/users\"} 3\n";
    m.ingest(0, 1_000, ok(page), &mut head);
    assert_eq!(dump(&head, "go_goroutines"), Vec::<String>::new());
    assert_eq!(
        dump(&head, "http_requests_total"),
        [r#"http_requests_total{endpoint="users", instance="app:8080", job="app"} 1000:3"#]
    );
    assert_eq!(value(&head, "scrape_samples_scraped", 1_000), 3.0);
    assert_eq!(
        value(&head, "scrape_samples_post_metric_relabeling", 1_000),
        1.0
    );
    assert_eq!(value(&head, "scrape_series_added", 1_000), 1.0);
    assert_eq!(value(&head, "up", 1_000), 1.0);
}

#[wasm_bindgen_test(unsupported = test)]
fn sample_limit_fails_the_whole_scrape() {
    let mut head = Head::new();
    let mut m = job(
        "    sample_limit: 2\n    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: dropped\n        action: drop\n",
    );
    // Within the limit after relabelling: fine.
    m.ingest(0, 1_000, ok("a 1\nb 1\ndropped 1\n"), &mut head);
    assert_eq!(m.targets()[0].health, Health::Up);
    // Over it: nothing of the page is stored, earlier series go stale.
    m.ingest(0, 16_000, ok("a 2\nb 2\nc 2\ndropped 2\n"), &mut head);
    let t = &m.targets()[0];
    assert_eq!(t.health, Health::Down);
    assert_eq!(t.last_error, "sample limit exceeded");
    assert_eq!(
        dump(&head, "a"),
        [r#"a{instance="app:8080", job="app"} 1000:1 16000:stale"#]
    );
    assert_eq!(dump(&head, "c"), Vec::<String>::new());
    assert_eq!(value(&head, "up", 16_000), 0.0);
    assert_eq!(value(&head, "scrape_samples_scraped", 16_000), 4.0);
    assert_eq!(
        value(&head, "scrape_samples_post_metric_relabeling", 16_000),
        3.0
    );
    // Of the two samples appended before the limit, none was new.
    assert_eq!(value(&head, "scrape_series_added", 16_000), 0.0);
}

#[wasm_bindgen_test(unsupported = test)]
fn label_limits_fail_the_scrape_with_prometheus_messages() {
    let long = "v".repeat(60);
    let cases = [
        (
            "    label_limit: 3\n",
            "m{a=\"1\",b=\"2\"} 1\n".to_string(),
            "label_limit exceeded (metric: m, number of labels: 5, limit: 3)".to_string(),
        ),
        (
            // `__name__` counts too, so the limit is above its 8 bytes.
            "    label_name_length_limit: 8\n",
            "m{abcdefghi=\"1\"} 1\n".to_string(),
            "label_name_length_limit exceeded (metric: m, label name: abcdefghi, length: 9, limit: 8)".to_string(),
        ),
        (
            "    label_value_length_limit: 10\n",
            format!("m{{a=\"{long}\"}} 1\n"),
            format!(
                "label_value_length_limit exceeded (metric: m, label name: a, value: \"{}\", length: 60, limit: 10)",
                &long[..50]
            ),
        ),
        (
            "    metric_relabel_configs:\n      - action: labeldrop\n        regex: __name__\n",
            "m 1\n".to_string(),
            "missing metric name (__name__ label)".to_string(),
        ),
    ];
    for (extra, page, error) in cases {
        let mut head = Head::new();
        let mut m = job(extra);
        m.ingest(0, 1_000, ok(&page), &mut head);
        let t = &m.targets()[0];
        assert_eq!(t.health, Health::Down, "{extra}");
        assert_eq!(t.last_error, error);
        assert_eq!(dump(&head, "m"), Vec::<String>::new());
        assert_eq!(value(&head, "up", 1_000), 0.0);
        assert_eq!(value(&head, "scrape_samples_scraped", 1_000), 1.0);
        assert_eq!(
            value(&head, "scrape_samples_post_metric_relabeling", 1_000),
            0.0
        );
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn a_parse_error_counts_the_samples_before_it() {
    let mut head = Head::new();
    let mut m = job("");
    m.ingest(0, 1_000, ok("a 1\nb 2\nc{ 3\n"), &mut head);
    let t = &m.targets()[0];
    assert_eq!(t.health, Health::Down);
    assert!(t.last_error.starts_with("3:"), "{}", t.last_error);
    assert_eq!(value(&head, "scrape_samples_scraped", 1_000), 2.0);
    assert_eq!(dump(&head, "a"), Vec::<String>::new());
}

#[wasm_bindgen_test(unsupported = test)]
fn a_slow_scrape_times_out() {
    let mut head = Head::new();
    let mut m = job("    scrape_timeout: 2s\n");
    m.ingest(
        0,
        1_000,
        ScrapeOutcome {
            body: Ok("a 1\n".into()),
            content_type: None,
            duration: 3.5,
        },
        &mut head,
    );
    let t = &m.targets()[0];
    assert_eq!(t.health, Health::Down);
    assert_eq!(
        t.last_error,
        "Get \"http://app:8080/metrics\": context deadline exceeded"
    );
    assert_eq!(t.last_scrape_duration, 2.0);
    assert_eq!(value(&head, "scrape_duration_seconds", 1_000), 2.0);
}

#[wasm_bindgen_test(unsupported = test)]
fn series_added_counts_series_new_since_the_last_scrape() {
    let mut head = Head::new();
    let mut m = job("");
    m.ingest(0, 1_000, ok("a 1\nb 1\n"), &mut head);
    m.ingest(0, 16_000, ok("a 1\nb 1\nc 1\n"), &mut head);
    assert_eq!(value(&head, "scrape_series_added", 1_000), 2.0);
    assert_eq!(value(&head, "scrape_series_added", 16_000), 1.0);
}

#[wasm_bindgen_test(unsupported = test)]
fn targets_are_relabelled_dropped_and_given_urls() {
    let m = manager(
        r#"
scrape_configs:
  - job_name: blackbox
    metrics_path: /probe
    scrape_interval: 30s
    params:
      module: [http_2xx]
    static_configs:
      - targets: ["https://example.com", "http://skip.me"]
        labels:
          __meta_env: prod
    relabel_configs:
      - source_labels: [__address__]
        regex: '.*skip.*'
        action: drop
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__address__]
        target_label: instance
      - target_label: __address__
        replacement: blackbox:9115
      - action: labelmap
        regex: '__meta_(.*)'
      - target_label: __scrape_interval__
        replacement: 1m
"#,
    );
    let t = &m.targets()[0];
    assert_eq!(
        t.labels.to_string(),
        r#"{env="prod", instance="https://example.com", job="blackbox"}"#
    );
    assert_eq!(
        t.scrape_url(),
        "http://blackbox:9115/probe?module=http_2xx&target=https%3A%2F%2Fexample.com"
    );
    assert_eq!(t.address, "blackbox:9115");
    assert_eq!(t.interval, 60_000);
    assert_eq!(t.timeout, 10_000);
    assert_eq!(
        t.discovered_labels.to_string(),
        r#"{__address__="https://example.com", __meta_env="prod", __metrics_path__="/probe", __param_module="http_2xx", __scheme__="http", __scrape_interval__="30s", __scrape_timeout__="10s", job="blackbox"}"#
    );
    assert!(!t.all_labels.contains("__meta_env"));
    assert_eq!(t.all_labels.get("__param_target"), "https://example.com");
    let dropped = m.dropped_targets();
    assert_eq!(dropped.len(), 1);
    assert_eq!(
        dropped[0].discovered_labels.get("__address__"),
        "http://skip.me"
    );
    assert_eq!(m.targets().len(), 1);
}

#[wasm_bindgen_test(unsupported = test)]
fn offsets_spread_targets_and_follow_the_external_labels() {
    let yaml = |ext: &str| {
        format!("global:\n  external_labels: {{replica: '{ext}'}}\nscrape_configs:\n  - job_name: a\n    scrape_interval: 15s\n    static_configs:\n      - targets: [a:1, b:1, c:1, d:1]\n")
    };
    let first =
        |m: &ScrapeManager| -> Vec<i64> { m.targets().iter().map(|t| t.next_scrape).collect() };
    let a = first(&manager(&yaml("0")));
    assert_eq!(a, first(&manager(&yaml("0"))), "deterministic");
    assert!(a.iter().all(|&t| t > 1_000_000 && t <= 1_015_000), "{a:?}");
    let distinct: std::collections::HashSet<_> = a.iter().collect();
    assert!(distinct.len() > 1, "{a:?}");
    assert_ne!(a, first(&manager(&yaml("1"))));
}

#[wasm_bindgen_test(unsupported = test)]
fn labels_set_by_code_still_work() {
    let mut cfg = promlab_core::scrape::ScrapeConfig::new("app");
    cfg.targets
        .push(("x:1".into(), Labels::from_pairs([("job", "other")])));
    let m = ScrapeManager::new(&[cfg], 0);
    // A static `job` label wins over the job name, as in Prometheus.
    assert_eq!(m.targets()[0].labels.get("job"), "other");
    assert_eq!(m.targets()[0].scrape_pool, "app");
}
