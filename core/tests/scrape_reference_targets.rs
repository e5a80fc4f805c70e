//! The real Prometheus makes the same targets: a config with relabelling
//! that exercises every action and the places where Go's regexes and
//! Rust's differ is loaded into Prometheus 3.5 (on loopback), and its
//! `/api/v1/targets` is compared with the lab's targets: labels, scrape
//! URLs, intervals and dropped targets.
//!
//! Every address left after relabelling is on 127.0.0.1 and the interval
//! is an hour, so Prometheus sends nothing off the machine.

#![cfg(not(target_arch = "wasm32"))]

use promlab_core::labels::Labels;
use promlab_core::scrape::config::PrometheusConfig;
use promlab_core::scrape::ScrapeManager;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CONFIG: &str = r#"
global:
  scrape_interval: 1h
scrape_configs:
  - job_name: go-regex
    static_configs:
      - targets: ['127.0.0.1:9', '127.0.0.1:10']
        labels:
          digits: "٤٢"
          word: "café"
          space: "a\u00a0b"
          env: PROD
          city: "straße"
          __meta_pod_label_app: web
          __meta_pod_label_tier: db
    relabel_configs:
      - source_labels: [digits]
        regex: '\d+'
        target_label: digits_ascii
        replacement: "yes"
      - source_labels: [digits]
        regex: '\pN+'
        target_label: digits_unicode
        replacement: "yes"
      - source_labels: [word]
        regex: '\w+'
        target_label: word_ascii
        replacement: "yes"
      - source_labels: [word]
        regex: 'caf\b.*'
        target_label: word_boundary
        replacement: "yes"
      - source_labels: [space]
        regex: 'a\sb'
        target_label: space_ascii
        replacement: "yes"
      - source_labels: [word]
        regex: '[[:alpha:]]+[^a-z]'
        target_label: posix
        replacement: "yes"
      - source_labels: [env]
        target_label: env_lower
        action: lowercase
      - source_labels: [city]
        target_label: city_upper
        action: uppercase
      - action: labelmap
        regex: '__meta_pod_label_(.+)'
        replacement: 'pod_$1'
      - source_labels: [__address__]
        modulus: 7
        target_label: shard
        action: hashmod
      - source_labels: [__address__]
        regex: '(.*):(\d+)'
        target_label: port
        replacement: '${2}x$1-$1x'
      - source_labels: [__address__, env]
        separator: '|'
        regex: '(?i)(.*)\|prod'
        target_label: 'addr_${1}'
        replacement: seen
      - action: labeldrop
        regex: 'space|digits'
  - job_name: drops
    metrics_path: /probe
    params:
      module: [a b]
      x: ['1', '2']
    static_configs:
      - targets: ['127.0.0.1:11', '127.0.0.1:12', '127.0.0.1:13', 'example.com:80']
        labels:
          same: "127.0.0.1:13"
    relabel_configs:
      - source_labels: [__address__]
        regex: '.*:12'
        action: drop
      - source_labels: [__address__]
        regex: '127\.0\.0\.1:.*'
        action: keep
      - source_labels: [__address__]
        target_label: same
        action: dropequal
      - source_labels: [__address__]
        target_label: __param_target
      - target_label: __scrape_interval__
        replacement: 2h
      - action: labelkeep
        regex: '__.*|job|instance'
"#;

fn prometheus() -> PathBuf {
    let dir = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/promlab-reference/bin"))
        })
        .expect("set PROMLAB_REFERENCE_BIN or HOME");
    let bin = dir.join("prometheus");
    assert!(
        bin.exists(),
        "prometheus not found at {}: run `cargo xtask reference`",
        bin.display()
    );
    bin
}

/// Stops the server when the test ends, passing or not.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let (head, body) = out.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.0 200").then(|| body.to_string())
}

fn labels(v: &serde_json::Value) -> Labels {
    Labels::from_pairs(
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())),
    )
}

#[test]
fn prometheus_makes_the_same_targets() {
    let dir =
        std::env::temp_dir().join(format!("promlab-reference-targets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("prometheus.yml");
    std::fs::write(&config, CONFIG).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Server(
        Command::new(prometheus())
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    let ours = ScrapeManager::from_config(&PrometheusConfig::parse(CONFIG).unwrap(), 0);
    let want_active: BTreeSet<String> = ours
        .targets()
        .iter()
        .map(|t| {
            format!(
                "{} {} {} {}",
                t.scrape_pool,
                t.labels,
                t.scrape_url(),
                t.interval
            )
        })
        .collect();
    let want_dropped: BTreeSet<String> = ours
        .dropped_targets()
        .iter()
        .map(|t| format!("{} {}", t.scrape_pool, t.discovered_labels))
        .collect();
    assert_eq!(want_active.len(), 3);
    assert_eq!(want_dropped.len(), 3);

    // Discovery reaches the scrape manager a few seconds after start.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (active, dropped) = loop {
        assert!(
            Instant::now() < deadline,
            "Prometheus did not list the targets in time"
        );
        std::thread::sleep(Duration::from_millis(500));
        let Some(body) = get(port, "/api/v1/targets?state=any") else {
            continue;
        };
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let data = &json["data"];
        let active: BTreeSet<String> = data["activeTargets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let interval =
                    promlab_core::duration::parse_duration(t["scrapeInterval"].as_str().unwrap())
                        .unwrap();
                format!(
                    "{} {} {} {interval}",
                    t["scrapePool"].as_str().unwrap(),
                    labels(&t["labels"]),
                    t["scrapeUrl"].as_str().unwrap()
                )
            })
            .collect();
        let dropped: BTreeSet<String> = data["droppedTargets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let d = labels(&t["discoveredLabels"]);
                format!("{} {d}", d.get("job"))
            })
            .collect();
        if active.len() == want_active.len() && dropped.len() == want_dropped.len() {
            break (active, dropped);
        }
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(active, want_active);
    assert_eq!(dropped, want_dropped);
}
