//! `check metrics` finds what the real `promtool check metrics` finds: on
//! the table of small pages, on the real node_exporter's `/metrics` and on
//! the real Prometheus's own. The comparison is exact: the same findings
//! (metric and message), as many times, in the same order. The parser's
//! own lints are ours alone and left out.
//!
//! The reference binaries are found in `PROMLAB_REFERENCE_BIN`, by default
//! `$HOME/.cache/promlab-reference/bin`; `cargo xtask reference` installs
//! them. The programs listen on free loopback ports, every wait is bounded
//! and every process is killed on the way out.
#![cfg(not(target_arch = "wasm32"))]

mod check_metrics_cases;

use check_metrics_cases::{Promtool, CASES};
use promlab_core::exposition::{self, lint, Format};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// What promtool said: its findings as `metric: text`, or its error.
fn promtool(page: &str) -> Result<Vec<String>, String> {
    let mut child = Command::new(reference_bin("promtool"))
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting promtool");
    let mut stdin = child.stdin.take().expect("promtool's stdin");
    let input = page.to_string();
    // Written from a thread so a large page cannot block on a full pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("promtool's output");
    writer
        .join()
        .expect("the writer thread")
        .expect("writing promtool's stdin");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    match out.status.code() {
        // 0: no problems; 3: lint problems, one per line as `metric text`.
        Some(0 | 3) => Ok(stderr
            .lines()
            .map(|l| match l.split_once(' ') {
                Some((metric, text)) => format!("{metric}: {text}"),
                None => l.to_string(),
            })
            .collect()),
        _ => Err(stderr),
    }
}

/// Our findings that promtool would also report, as `metric: text`.
fn ours(page: &str, format: Format) -> Vec<String> {
    let parsed = exposition::parse_with(page, format)
        .unwrap_or_else(|e| panic!("the page does not parse:\n{}", e.render(page)));
    lint::lint_with(&parsed, format)
        .iter()
        .filter(|f| f.kind.is_promlint())
        .map(|f| f.to_string())
        .collect()
}

#[test]
fn promtool_finds_the_same_on_every_small_page() {
    let mut failures = Vec::new();
    for case in CASES {
        let ours = ours(case.page, case.format);
        let theirs = promtool(case.page);
        let verdict = match (&case.promtool, theirs) {
            (Promtool::NotText, _) => continue,
            (Promtool::Same, Ok(theirs)) if theirs == ours => continue,
            (Promtool::Differs(want), Ok(theirs)) if theirs == *want && theirs != ours => continue,
            (Promtool::Rejects(want), Err(e))
                if e.starts_with("error while linting:") && e.contains(want) =>
            {
                continue
            }
            (_, Ok(theirs)) => format!("promtool finds {theirs:#?}"),
            (_, Err(e)) => format!("promtool fails: {e}"),
        };
        failures.push(format!("{}: we find {ours:#?}; {verdict}", case.name));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A started program, killed when dropped, and its scratch directory.
struct Guard {
    child: Child,
    dir: Option<PathBuf>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn spawn(bin: &str, args: &[String], dir: Option<PathBuf>) -> Guard {
    let child = Command::new(reference_bin(bin))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {bin}: {e}"));
    Guard { child, dir }
}

/// A plain HTTP/1.0 GET of `/metrics` in the text format: the body of a
/// 200 answer.
fn get_metrics(port: u16) -> std::io::Result<Option<String>> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: text/plain;version=0.0.4\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let raw = String::from_utf8(raw)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    Ok(raw
        .split_once("\r\n\r\n")
        .filter(|(head, _)| head.split_whitespace().nth(1) == Some("200"))
        .map(|(_, body)| body.to_string()))
}

/// `/metrics` of the program on `port`, waiting for it to come up.
fn fetch_when_up(guard: &mut Guard, port: u16) -> String {
    let start = Instant::now();
    loop {
        if let Ok(Some(body)) = get_metrics(port) {
            return body;
        }
        if let Ok(Some(status)) = guard.child.try_wait() {
            panic!("the program exited before serving /metrics: {status}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no /metrics on port {port} after 30s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn assert_same_findings(what: &str, page: &str) -> usize {
    let ours = ours(page, Format::Text004);
    let theirs = promtool(page).unwrap_or_else(|e| panic!("promtool fails on {what}: {e}"));
    assert_eq!(ours, theirs, "{what}: ours, then promtool's");
    ours.len()
}

#[test]
fn promtool_finds_the_same_on_node_exporters_page() {
    let port = free_port();
    let mut node = spawn(
        "prometheus-node-exporter",
        &[format!("--web.listen-address=127.0.0.1:{port}")],
        None,
    );
    let page = fetch_when_up(&mut node, port);
    drop(node);
    let found = assert_same_findings("node_exporter's /metrics", &page);
    // node_exporter keeps the kernel's names (`node_memory_MemFree_bytes`):
    // the comparison is not between two empty lists.
    assert!(found > 10, "only {found} findings on node_exporter's page");
}

#[test]
fn promtool_finds_the_same_on_prometheus_own_page() {
    let port = free_port();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "promlab-check-metrics-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let config = dir.join("prometheus.yml");
    // No scrape configs: Prometheus only serves its own page.
    std::fs::write(&config, "global:\n  scrape_interval: 1h\n").expect("the config");
    let mut prometheus = spawn(
        "prometheus",
        &[
            format!("--config.file={}", config.display()),
            format!("--web.listen-address=127.0.0.1:{port}"),
            format!("--storage.tsdb.path={}", dir.join("data").display()),
        ],
        Some(dir.clone()),
    );
    let page = fetch_when_up(&mut prometheus, port);
    drop(prometheus);
    assert!(
        page.contains("prometheus_build_info"),
        "not Prometheus's page"
    );
    assert_same_findings("Prometheus's /metrics", &page);
}
