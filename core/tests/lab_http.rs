//! HTTP targets end to end on loopback: the lab hands due scrapes to the
//! driver, the native HTTP client fetches them, and the results land in the
//! TSDB with Prometheus's health and errors — against a tiny server of the
//! test's own and against the real node_exporter.
#![cfg(not(target_arch = "wasm32"))]

use promlab_core::api::{ApiData, ApiRequest, ApiResponse, LabRequest, LabResponse, QueryResult};
use promlab_core::http::run_pending_scrapes;
use promlab_core::lab::{Lab, LabOptions};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Serves one canned answer per connection until the test ends.
fn serve(
    status: &'static str,
    content_type: &'static str,
    body: &'static str,
    delay: Duration,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let _ = stream.read(&mut buf);
                std::thread::sleep(delay);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    format!("http://{addr}/metrics")
}

fn lab() -> Lab {
    Lab::new(LabOptions {
        history: 0,
        ..LabOptions::default()
    })
}

/// Lets `ms` of virtual time pass a second at a time, fetching what falls due.
fn run(lab: &mut Lab, ms: i64) {
    for _ in 0..ms / 1000 {
        lab.lab(&LabRequest::Step { ms: 1000 });
        run_pending_scrapes(lab);
    }
}

fn instant(lab: &mut Lab, q: &str) -> Vec<(String, f64)> {
    match lab.api(&ApiRequest::Query {
        query: q.into(),
        time: None,
    }) {
        ApiResponse::Success {
            data: ApiData::Query(QueryResult::Vector(v)),
            ..
        } => v
            .into_iter()
            .map(|s| (s.metric.to_string(), s.value.v))
            .collect(),
        other => panic!("{q}: {other:?}"),
    }
}

fn target_error(lab: &mut Lab, job: &str) -> (String, String) {
    match lab.api(&ApiRequest::Targets) {
        ApiResponse::Success {
            data: ApiData::Targets(t),
            ..
        } => t
            .active_targets
            .into_iter()
            .find(|t| t.scrape_pool == job)
            .map(|t| (t.health, t.last_error))
            .unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_http_target_is_scraped_into_the_tsdb() {
    let url = serve(
        "200 OK",
        "text/plain; version=0.0.4",
        "# TYPE hits counter\nhits_total{path=\"/\"} 7\n",
        Duration::ZERO,
    );
    let mut lab = lab();
    assert!(matches!(
        lab.lab(&LabRequest::AddTarget {
            url: url.clone(),
            job: Some("web".into()),
            interval: Some(5_000)
        }),
        LabResponse::Status(_)
    ));
    run(&mut lab, 12_000);
    let hits = instant(&mut lab, "hits_total");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].1, 7.0);
    let instance = url
        .trim_start_matches("http://")
        .trim_end_matches("/metrics");
    assert_eq!(
        hits[0].0,
        format!("hits_total{{instance=\"{instance}\", job=\"web\", path=\"/\"}}")
    );
    assert_eq!(instant(&mut lab, "up{job=\"web\"}")[0].1, 1.0);
    assert_eq!(
        target_error(&mut lab, "web"),
        ("up".to_string(), String::new())
    );
    // Two or three scrapes in 12 s at a 5 s interval.
    let n = match lab.api(&ApiRequest::Query {
        query: "up{job=\"web\"}".into(),
        time: None,
    }) {
        ApiResponse::Success { .. } => {
            let now = lab.now();
            match lab.api(&ApiRequest::QueryRange {
                query: "up{job=\"web\"}".into(),
                start: now - 12_000,
                end: now,
                step: 1_000,
            }) {
                ApiResponse::Success {
                    data: ApiData::Query(QueryResult::Matrix(m)),
                    ..
                } => m[0].values.len(),
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    };
    assert!(n >= 7, "{n}");
}

#[test]
fn openmetrics_answers_are_parsed_as_openmetrics() {
    let url = serve(
        "200 OK",
        "application/openmetrics-text; version=1.0.0; charset=utf-8",
        "# TYPE jobs counter\njobs_total 3 1.5\n# EOF\n",
        Duration::ZERO,
    );
    let mut lab = lab();
    lab.add_target(&url, Some("om"), Some(5_000)).unwrap();
    run(&mut lab, 6_000);
    assert_eq!(
        target_error(&mut lab, "om"),
        ("up".to_string(), String::new())
    );
    // The page's own timestamp (1.5 s after the epoch) is honoured.
    let resp = lab.api(&ApiRequest::Series {
        matchers: vec!["jobs_total".into()],
        start: Some(1_000),
        end: Some(2_000),
    });
    match resp {
        ApiResponse::Success {
            data: ApiData::Series(s),
            ..
        } => assert_eq!(s.len(), 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn failures_are_reported_as_prometheus_words_them() {
    let not_found = serve("404 Not Found", "text/plain", "nope", Duration::ZERO);
    let slow = serve(
        "200 OK",
        "text/plain",
        "a 1\n",
        Duration::from_millis(2_500),
    );
    let bad = serve("200 OK", "text/plain", "a 1\nb{ 2\n", Duration::ZERO);
    // A port nothing listens on: bind one, then free it.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/metrics", l.local_addr().unwrap())
    };
    let mut lab = lab();
    lab.add_target(&not_found, Some("notfound"), Some(5_000))
        .unwrap();
    lab.add_target(&slow, Some("slow"), Some(2_000)).unwrap();
    lab.add_target(&bad, Some("bad"), Some(5_000)).unwrap();
    lab.add_target(&closed, Some("closed"), Some(5_000))
        .unwrap();
    run(&mut lab, 6_000);
    assert_eq!(
        target_error(&mut lab, "notfound"),
        (
            "down".into(),
            "server returned HTTP status 404 Not Found".into()
        )
    );
    let (health, error) = target_error(&mut lab, "slow");
    assert_eq!(health, "down");
    assert!(error.ends_with("context deadline exceeded"), "{error}");
    let (health, error) = target_error(&mut lab, "bad");
    assert_eq!(health, "down");
    assert_eq!(error, "2:4: expected a label name or '}', found '2'");
    let (health, error) = target_error(&mut lab, "closed");
    assert_eq!(health, "down");
    assert!(
        error.contains("onnection refused") || error.contains("connect"),
        "{error}"
    );
    for job in ["notfound", "slow", "bad", "closed"] {
        assert_eq!(
            instant(&mut lab, &format!("up{{job=\"{job}\"}}"))[0].1,
            0.0,
            "{job}"
        );
    }
}

#[test]
fn bad_target_urls_are_refused_and_the_lab_keeps_its_state() {
    let mut lab = lab();
    let before = lab.status();
    for (url, job, want) in [
        ("not a url", None, "invalid target URL \"not a url\": relative URL without a base"),
        ("ftp://x/metrics", None, "invalid target URL \"ftp://x/metrics\": expected an http:// or https:// URL, got scheme \"ftp\""),
        ("http://127.0.0.1:9/metrics", Some("serviceMonitor/qks-monitoring/prom-example/0"), "a scrape config with job name \"serviceMonitor/qks-monitoring/prom-example/0\" already exists"),
        ("http://127.0.0.1:9/metrics", Some("  "), "the job name must not be empty"),
    ] {
        let resp = lab.lab(&LabRequest::AddTarget { url: url.into(), job: job.map(str::to_string), interval: None });
        assert_eq!(resp, LabResponse::Error { message: want.into() }, "{url}");
    }
    let resp = lab.lab(&LabRequest::AddTarget {
        url: "http://127.0.0.1:9/".into(),
        job: None,
        interval: Some(10),
    });
    assert!(matches!(resp, LabResponse::Error { .. }));
    assert_eq!(lab.status(), before);
}

/// The real node_exporter on a free loopback port.
struct NodeExporter(Child);

impl Drop for NodeExporter {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn reference_bin(name: &str) -> std::path::PathBuf {
    let dir = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(".cache/promlab-reference/bin")
        });
    let bin = dir.join(name);
    assert!(
        bin.exists(),
        "{} is missing: run `cargo xtask reference`",
        bin.display()
    );
    bin
}

#[test]
fn the_real_node_exporter_is_scraped_like_prometheus_does() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(reference_bin("prometheus-node-exporter"))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = NodeExporter(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "node_exporter did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut lab = lab();
    lab.add_target(
        &format!("http://127.0.0.1:{port}/metrics"),
        Some("node"),
        Some(5_000),
    )
    .unwrap();
    run(&mut lab, 6_000);
    assert_eq!(
        target_error(&mut lab, "node"),
        ("up".to_string(), String::new())
    );
    assert_eq!(instant(&mut lab, "up{job=\"node\"}")[0].1, 1.0);
    assert!(!instant(&mut lab, "node_boot_time_seconds").is_empty());
    let scraped = instant(&mut lab, "scrape_samples_scraped{job=\"node\"}")[0].1;
    let stored = match lab.api(&ApiRequest::Series {
        matchers: vec!["{job=\"node\",__name__!~\"up|scrape_.*\"}".into()],
        start: None,
        end: None,
    }) {
        ApiResponse::Success {
            data: ApiData::Series(s),
            ..
        } => s.len(),
        other => panic!("{other:?}"),
    };
    assert!(scraped > 200.0, "{scraped}");
    assert_eq!(
        stored as f64, scraped,
        "every scraped sample is a stored series"
    );
}
