//! Real pages from the real programs: node_exporter's and Prometheus's own
//! `/metrics`, fetched once asking for the text format and once for
//! OpenMetrics, parse without error and give one sample per sample line. Then the same
//! Prometheus scrapes a set of odd and broken pages served from here, and
//! for each the parser must accept exactly the pages Prometheus accepts.
//!
//! The reference binaries are found in `PROMLAB_REFERENCE_BIN`, by default
//! `$HOME/.cache/promlab-reference/bin`; `cargo xtask reference` installs
//! them. Every wait is bounded and every process is killed on the way out.
#![cfg(not(target_arch = "wasm32"))]

use promlab_core::exposition::{self, FamilySample, Format, MetricFamily, MetricType};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const OPENMETRICS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0";
const TEXT_ACCEPT: &str = "text/plain;version=0.0.4";

fn reference_bin(name: &str) -> PathBuf {
    let dir = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/promlab-reference/bin"))
        })
        .unwrap_or_default();
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: run `cargo xtask reference` to install the reference binaries \
         (or point PROMLAB_REFERENCE_BIN at a directory holding them)",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A started program, killed when dropped; a scratch directory removed.
struct Guard {
    child: Option<Child>,
    dir: Option<PathBuf>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn spawn(bin: &str, args: &[String]) -> Guard {
    let child = Command::new(reference_bin(bin))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {bin}: {e}"));
    Guard {
        child: Some(child),
        dir: None,
    }
}

fn scratch_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "promlab-exposition-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

struct Response {
    status: u16,
    content_type: String,
    body: String,
}

/// A plain HTTP/1.1 GET; the body may be chunked.
fn get(port: u16, path: &str, accept: &str) -> std::io::Result<Response> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status"))?;
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body).ok_or_else(|| bad("bad chunked body"))?;
    }
    Ok(Response {
        status,
        content_type: header("content-type").unwrap_or_default(),
        body: String::from_utf8(body).map_err(|_| bad("body is not UTF-8"))?,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// Polls `path` until it answers 200, for at most `limit`.
fn wait_until_up(port: u16, path: &str, limit: Duration) {
    let start = Instant::now();
    loop {
        if let Ok(r) = get(port, path, "*/*") {
            if r.status == 200 {
                return;
            }
        }
        assert!(
            start.elapsed() < limit,
            "127.0.0.1:{port}{path} did not answer within {limit:?}"
        );
        thread::sleep(Duration::from_millis(100));
    }
}

/// Fetches a page asking for each format and checks it parses, in the
/// format its `Content-Type` names, to one sample per sample line. (Neither
/// node_exporter 1.11 nor Prometheus 3.5 turns on OpenMetrics for its own
/// `/metrics`: both answer an OpenMetrics request with the text format, as
/// a scraper must then read it.) The page is then written as OpenMetrics
/// and read back, to run the OpenMetrics parser over real names and values.
fn check_real_page(program: &str, port: u16) {
    for accept in [TEXT_ACCEPT, OPENMETRICS_ACCEPT] {
        let response = get(port, "/metrics", accept).expect("GET /metrics");
        assert_eq!(response.status, 200, "{program} with Accept {accept}");
        let format = Format::from_content_type(&response.content_type);
        let page = &response.body;
        let parsed = exposition::parse_with(page, format)
            .unwrap_or_else(|e| panic!("{program} {format:?}: {}", e.render(page)));
        let sample_lines = page
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .count();
        assert!(
            sample_lines > 50,
            "{program} {format:?}: only {sample_lines} samples"
        );
        assert_eq!(
            parsed.samples.len(),
            sample_lines,
            "{program} {format:?}: samples parsed vs sample lines"
        );
        assert!(!parsed.metadata.is_empty());
        let lints: Vec<String> = parsed
            .lints
            .iter()
            .map(|l| l.to_diagnostic().render(page))
            .collect();
        assert!(lints.is_empty(), "{program} {format:?}: {lints:#?}");

        let om = exposition::write_openmetrics(&families(&parsed));
        let reread = exposition::parse_with(&om, Format::OpenMetrics1)
            .unwrap_or_else(|e| panic!("{program} as OpenMetrics: {}", e.render(&om)));
        let key = |s: &exposition::Sample| (s.labels.clone(), s.value.to_bits(), s.timestamp);
        let want: Vec<_> = parsed.samples.iter().map(key).collect();
        let got: Vec<_> = reread.samples.iter().map(key).collect();
        assert_eq!(got, want, "{program} as OpenMetrics:\n{om}");
    }
}

/// Groups a parsed page's samples into families by its metadata.
fn families(page: &exposition::Page) -> Vec<MetricFamily> {
    let mut out: Vec<MetricFamily> = Vec::new();
    for sample in &page.samples {
        let name = sample.labels.metric_name();
        let continues = out.last().is_some_and(|f| name.starts_with(&f.name));
        if !continues {
            let meta = page.metadata.iter().find(|m| {
                name.strip_prefix(m.name.as_str()).is_some_and(|rest| {
                    ["", "_bucket", "_sum", "_count", "_total", "_created"].contains(&rest)
                })
            });
            out.push(MetricFamily {
                name: meta.map_or(name, |m| m.name.as_str()).to_string(),
                help: meta.and_then(|m| m.help.clone()).unwrap_or_default(),
                unit: String::new(),
                metric_type: meta
                    .and_then(|m| m.metric_type)
                    .unwrap_or(MetricType::Unknown),
                samples: Vec::new(),
            });
        }
        if let Some(family) = out.last_mut() {
            family.samples.push(FamilySample {
                timestamp: sample.timestamp,
                ..FamilySample::new(sample.labels.clone(), sample.value)
            });
        }
    }
    out
}

/// Pages whose fate in a Prometheus 3.5 scrape the parser must match: the
/// format, a name, the page. Odd pages Prometheus accepts and broken pages
/// it rejects, for both formats.
const CASES: &[(Format, &str, &str)] = &[
    (Format::Text004, "t_dup_type", "# TYPE up gauge\n# TYPE up gauge\nup 1\n"),
    (Format::Text004, "t_tab_escape", "up{a=\"x\\ty\"} 1\n"),
    (Format::Text004, "t_le_nonfloat", "# TYPE h histogram\nh_bucket{le=\"abc\"} 1\nh_sum 1\nh_count 1\n"),
    (Format::Text004, "t_type_trailing_space", "# TYPE up counter \nup 1\n"),
    (Format::Text004, "t_three_tokens", "up 1 2 3\n"),
    (Format::Text004, "t_plus_nan", "up +nan\n"),
    (Format::Text004, "t_overflow", "up 1e400\n"),
    (Format::Text004, "t_type_dash", "# TYPE up-counter\nup 1\n"),
    (Format::Text004, "t_space_in_labels", "up{ a = \"1\" , b=\"2\" , } 1\n"),
    (Format::Text004, "t_missing_comma", "up{a=\"1\" b=\"2\"} 1\n"),
    (Format::Text004, "t_newline_in_value", "up{a=\"x\ny\"} 1\n"),
    (Format::Text004, "t_escaped_newline_raw", "up{a=\"x\\\ny\"} 1\n"),
    (Format::Text004, "t_quoted_name", "{\"my.metric\", \"a.b\"=\"x\"} 1\n"),
    (Format::Text004, "t_interleaved", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n"),
    (Format::Text004, "t_empty_quoted_name", "{\"\"} 1\n"),
    (Format::Text004, "t_empty_label_name", "{\"up\", \"\"=\"x\"} 1\n"),
    (Format::Text004, "t_name_twice", "up{\"x\"} 1\n"),
    (Format::Text004, "t_no_name", "{} 1\n"),
    (Format::Text004, "t_hex", "up 0x10\n"),
    (Format::Text004, "t_negative_ts", "up 1 -5\n"),
    (Format::Text004, "t_ts_overflow", "up 1 99999999999999999999\n"),
    (Format::Text004, "t_dup_label", "up{a=\"1\",a=\"2\"} 1\n"),
    (Format::Text004, "t_dup_name_label", "up{__name__=\"x\"} 1\n"),
    (Format::Text004, "t_crlf", "up 1\r\n"),
    (Format::Text004, "t_crlf_comment", "# hi\r\nup 1\n"),
    (Format::Text004, "t_label_colon", "up{b:c=\"1\"} 1\n"),
    (Format::Text004, "t_unicode_unquoted", "\u{fc} 1\n"),
    (Format::Text004, "t_help_blank", "# HELP \nup 1\n"),
    (Format::Text004, "t_no_newline", "up 1"),
    (Format::Text004, "t_value_brace", "up 1{\n"),
    (Format::OpenMetrics1, "o_interleaved", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n# EOF\n"),
    (Format::OpenMetrics1, "o_meta_after", "a 1\n# TYPE a gauge\n# EOF\n"),
    (Format::OpenMetrics1, "o_no_inf", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_blank_line", "a 1\n\n# EOF\n"),
    (Format::OpenMetrics1, "o_no_eof", "a 1\n"),
    (Format::OpenMetrics1, "o_after_eof", "a 1\n# EOF\nb 1\n"),
    (Format::OpenMetrics1, "o_eof_no_newline", "a 1\n# EOF"),
    (Format::OpenMetrics1, "o_eof_space", "a 1\n# EOF \n"),
    (Format::OpenMetrics1, "o_counter_no_total", "# TYPE foo counter\nfoo 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_trailing_space", "foo 1 \n# EOF\n"),
    (Format::OpenMetrics1, "o_unit_mismatch", "# TYPE foo gauge\n# UNIT foo seconds\nfoo 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_comment", "# hello\nfoo 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_untyped", "# TYPE a untyped\na 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_ts_nan", "a 1 NaN\n# EOF\n"),
    (Format::OpenMetrics1, "o_exemplar_gauge", "# TYPE a gauge\na 1 # {t=\"1\"} 2\n# EOF\n"),
    (Format::OpenMetrics1, "o_exemplar_ts", "# TYPE a counter\na_total 1 1700000000.5 # {t=\"1\"} 2 1.5\n# EOF\n"),
    (Format::OpenMetrics1, "o_exemplar_name_only", "# TYPE a counter\na_total 1 # {\"t\"} 2\n# EOF\n"),
    (Format::OpenMetrics1, "o_exemplar_ts_nan", "# TYPE a counter\na_total 1 # {t=\"1\"} 2 NaN\n# EOF\n"),
    (Format::OpenMetrics1, "o_space_in_labels", "a{x=\"1\", y=\"2\"} 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_two_spaces", "a  1\n# EOF\n"),
    (Format::OpenMetrics1, "o_tab", "a\t1\n# EOF\n"),
    (Format::OpenMetrics1, "o_help_no_text", "# HELP a\na 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_all_types", "# TYPE g gaugehistogram\ng_bucket{le=\"+Inf\"} 1\ng_gcount 1\ng_gsum 1\n# TYPE i info\ni_info{v=\"1\"} 1\n# TYPE s stateset\ns{s=\"a\"} 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_quoted", "# TYPE \"a.b\" gauge\n{\"a.b\",\"c.d\"=\"x\"} 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_trailing_comma", "a{x=\"1\",} 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_empty_body", ""),
    (Format::OpenMetrics1, "o_type_crlf", "# TYPE a gauge\r\na 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_name_brace_space", "a {x=\"1\"} 1\n# EOF\n"),
    (Format::OpenMetrics1, "o_meta_no_newline", "a 1\n# TYPE a gauge"),
    (Format::OpenMetrics1, "o_value_hex", "a 0x1\n# EOF\n"),
];

/// Serves `CASES[i]` at `/case/i` until `stop` is set.
fn serve_cases(listener: TcpListener, stop: Arc<AtomicBool>) {
    let _ = listener.set_nonblocking(true);
    while !stop.load(Ordering::Relaxed) {
        let Ok((mut stream, _)) = listener.accept() else {
            thread::sleep(Duration::from_millis(5));
            continue;
        };
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let request = String::from_utf8_lossy(&request);
        let case = request
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.strip_prefix("/case/"))
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| CASES.get(i));
        let response = match case {
            Some((format, _, body)) => format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                format.content_type(),
                body.len()
            ),
            None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
        };
        let _ = stream.write_all(response.as_bytes());
    }
}

#[test]
fn real_pages_parse_and_the_parser_agrees_with_prometheus() {
    let node_port = free_port();
    let _node = spawn(
        "prometheus-node-exporter",
        &[format!("--web.listen-address=127.0.0.1:{node_port}")],
    );

    let cases = TcpListener::bind("127.0.0.1:0").expect("a loopback listener");
    let cases_port = cases.local_addr().expect("its address").port();
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let stop = stop.clone();
        thread::spawn(move || serve_cases(cases, stop))
    };
    struct StopServer(Arc<AtomicBool>);
    impl Drop for StopServer {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let stop_server = StopServer(stop);

    let prom_port = free_port();
    let dir = scratch_dir("prometheus");
    let mut config =
        String::from("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n");
    config.push_str(&format!(
        "  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:{prom_port}']\n"
    ));
    for (i, (_, name, _)) in CASES.iter().enumerate() {
        config.push_str(&format!(
            "  - job_name: {name}\n    metrics_path: /case/{i}\n    static_configs:\n      - targets: ['127.0.0.1:{cases_port}']\n"
        ));
    }
    let config_path = dir.join("prometheus.yml");
    std::fs::write(&config_path, config).expect("writing the config");
    let mut prometheus = spawn(
        "prometheus",
        &[
            format!("--config.file={}", config_path.display()),
            format!("--web.listen-address=127.0.0.1:{prom_port}"),
            format!("--storage.tsdb.path={}", dir.join("data").display()),
        ],
    );
    prometheus.dir = Some(dir);

    wait_until_up(node_port, "/metrics", Duration::from_secs(10));
    wait_until_up(prom_port, "/-/ready", Duration::from_secs(10));
    check_real_page("node_exporter", node_port);
    check_real_page("prometheus", prom_port);

    // Wait until Prometheus has scraped every case once.
    let start = Instant::now();
    let health = loop {
        let targets = get(prom_port, "/api/v1/targets", "application/json")
            .ok()
            .and_then(|r| serde_json::from_str::<serde_json::Value>(&r.body).ok());
        let health: Vec<(String, String, String)> = targets
            .as_ref()
            .and_then(|t| t["data"]["activeTargets"].as_array())
            .map(|targets| {
                targets
                    .iter()
                    .map(|t| {
                        let field = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
                        (
                            field(&t["labels"]["job"]),
                            field(&t["health"]),
                            field(&t["lastError"]),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let scraped = health.iter().filter(|(_, h, _)| h != "unknown").count();
        if scraped == CASES.len() + 1 {
            break health;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "Prometheus scraped {scraped} of {} targets in 15s",
            CASES.len() + 1
        );
        thread::sleep(Duration::from_millis(200));
    };

    let mut disagreements = Vec::new();
    for (format, name, body) in CASES {
        let Some((_, h, last_error)) = health.iter().find(|(job, _, _)| job == name) else {
            disagreements.push(format!("{name}: no target"));
            continue;
        };
        let ours = exposition::parse_with(body, *format);
        let prometheus_accepts = h == "up";
        if ours.is_ok() != prometheus_accepts {
            let ours = match ours {
                Ok(_) => "accepted".to_string(),
                Err(e) => e.render(body),
            };
            disagreements.push(format!(
                "{name} {body:?}: Prometheus {h} ({last_error}), parser {ours}"
            ));
        }
    }
    drop(stop_server);
    let _ = server.join();
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
