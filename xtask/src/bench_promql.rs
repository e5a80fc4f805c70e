//! `cargo xtask bench-promql [--runs N] [--no-wasm]`: the engine's speed
//! next to the real Prometheus 3.5's, on the same data and queries.
//!
//! The dashboard queries of `core/benches/dashboard/queries.txt` run as
//! instant queries at the end of two hours of the simulated cluster and as
//! range queries over its last hour (15 s step):
//!
//! - in Prometheus, which serves the data after `promlab export` and
//!   `promtool tsdb create-blocks-from openmetrics`; its own timings come
//!   from the query stats (`stats=all`: `evalTotalTime`, `execTotalTime`);
//! - in the engine natively (the `promql_bench` example, release build,
//!   timed in-process);
//! - in the engine compiled to WebAssembly in headless Chromium (the
//!   `promql_bench_wasm` example, timed with `performance.now()`).
//!
//! Each figure is the median of N runs. The table ends with the ratios
//! ours/Prometheus (against `execTotalTime`) and wasm/native.

use crate::{project_root, reference, run, step, tools, Failure};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The data: as `core/benches/dashboard/mod.rs` builds it (two hours
/// ending 2026-01-01T00:00:00Z, scraped every 15 s).
const END_SECONDS: i64 = 1_767_225_600;
const EXPORT_ARGS: [&str; 6] = [
    "--duration",
    "2h",
    "--interval",
    "15s",
    "--end",
    "2026-01-01T00:00:00Z",
];
/// Range queries: the last hour at a 15 s step.
const RANGE_SECONDS: i64 = 3_600;
const STEP_SECONDS: i64 = 15;

/// Milliseconds per (query name, kind).
type Timings = BTreeMap<(String, String), f64>;

/// The running Prometheus; killed when dropped, also on an error.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn bench_promql(args: &[String]) -> Result<(), Failure> {
    let mut runs = 15usize;
    let mut wasm = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => {
                runs = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| Failure::new("--runs needs a positive number"))?
            }
            "--no-wasm" => wasm = false,
            other => {
                return Err(Failure::new(format!(
                    "unknown argument {other:?}; usage: cargo xtask bench-promql [--runs N] [--no-wasm]"
                )))
            }
        }
    }
    let root = project_root();
    let queries = read_queries(&root)?;
    let bin = reference::ensure_reference()?;

    step("building promlab and the native benchmark (release)");
    run(Command::new("cargo").current_dir(&root).args([
        "build",
        "--release",
        "-p",
        "promlab-core",
        "--bin",
        "promlab",
        "--example",
        "promql_bench",
    ]))?;
    let release = root.join("target").join("release");
    let work = root.join("target").join("bench-promql");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| io_failure(&work, e))?;

    let (server, addr) = start_prometheus(&bin, &release.join("promlab"), &work)?;
    step(&format!(
        "Prometheus: {} queries x 2 kinds x {runs} runs",
        queries.len()
    ));
    let (prom_eval, prom_exec) = time_prometheus(addr, &queries, runs)?;
    drop(server);

    step("the engine natively (release build, in-process)");
    let out = Command::new(release.join("examples").join("promql_bench"))
        .arg(runs.to_string())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Failure::new(format!("cannot run promql_bench: {e}")))?;
    if !out.status.success() {
        return Err(Failure::new(format!(
            "promql_bench exited with {}",
            out.status
        )));
    }
    let native = parse_timings(&String::from_utf8_lossy(&out.stdout))?;

    let wasm_timings = if wasm {
        Some(time_wasm(&root, &work, runs)?)
    } else {
        None
    };
    print_table(
        &queries,
        &prom_eval,
        &prom_exec,
        &native,
        wasm_timings.as_ref(),
    );
    Ok(())
}

fn io_failure(path: &Path, e: std::io::Error) -> Failure {
    Failure::new(format!("{}: {e}", path.display()))
}

/// (name, query) per line of the shared list.
fn read_queries(root: &Path) -> Result<Vec<(String, String)>, Failure> {
    let path = root.join("core/benches/dashboard/queries.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| io_failure(&path, e))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(n, q)| (n.to_string(), q.to_string()))
        .collect())
}

/// Exports the data, backfills it and starts Prometheus on a free loopback
/// port; returns once it is ready.
fn start_prometheus(
    bin: &Path,
    promlab: &Path,
    work: &Path,
) -> Result<(Server, SocketAddr), Failure> {
    step("exporting two hours of the simulated cluster and backfilling it with promtool");
    let om = work.join("cluster.om");
    let file = std::fs::File::create(&om).map_err(|e| io_failure(&om, e))?;
    run(Command::new(promlab)
        .arg("export")
        .args(EXPORT_ARGS)
        .stdout(file))?;
    let data = work.join("data");
    run(Command::new(bin.join("promtool"))
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&om)
        .arg(&data)
        .stdout(Stdio::null()))?;
    let _ = std::fs::remove_file(&om);
    let config = work.join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 15s\n")
        .map_err(|e| io_failure(&config, e))?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Failure::new(format!("no free loopback port: {e}")))?;
    let child = Command::new(bin.join("prometheus"))
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg("--storage.tsdb.retention.time=100y")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Failure::new(format!("cannot start prometheus: {e}")))?;
    let mut server = Server(child);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(status)) = server.0.try_wait() {
            return Err(Failure::new(format!(
                "prometheus exited with {status} before it was ready"
            )));
        }
        if matches!(get(addr, "/-/ready"), Ok((200, _))) {
            return Ok((server, addr));
        }
        if Instant::now() > deadline {
            return Err(Failure::new("prometheus was not ready within 60 s"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A plain HTTP/1.0 GET: the status and the body.
fn get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no HTTP header"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no HTTP status"))?;
    Ok((status, body.to_string()))
}

/// Percent-encodes a query parameter's value.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The number after `"key":` in a JSON text.
fn json_number(json: &str, key: &str) -> Option<f64> {
    let at = json.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = &json[at..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E' | '+')))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Prometheus's own medians of `evalTotalTime` and `execTotalTime`, in
/// milliseconds.
fn time_prometheus(
    addr: SocketAddr,
    queries: &[(String, String)],
    runs: usize,
) -> Result<(Timings, Timings), Failure> {
    let (mut eval, mut exec) = (Timings::new(), Timings::new());
    for (name, q) in queries {
        let q = encode(q);
        for (kind, path) in [
            (
                "instant",
                format!("/api/v1/query?query={q}&time={END_SECONDS}&stats=all"),
            ),
            (
                "range",
                format!(
                    "/api/v1/query_range?query={q}&start={}&end={END_SECONDS}&step={STEP_SECONDS}&stats=all",
                    END_SECONDS - RANGE_SECONDS
                ),
            ),
        ] {
            let (mut evals, mut execs) = (Vec::new(), Vec::new());
            // One more run than measured: the first warms the caches.
            for i in 0..=runs {
                let (status, body) = get(addr, &path)
                    .map_err(|e| Failure::new(format!("GET {path}: {e}")))?;
                if status != 200 || !body.starts_with("{\"status\":\"success\"") {
                    return Err(Failure::new(format!("{name} ({kind}): {status} {body}")));
                }
                let (Some(e), Some(x)) = (
                    json_number(&body, "evalTotalTime"),
                    json_number(&body, "execTotalTime"),
                ) else {
                    return Err(Failure::new(format!("{name} ({kind}): no timings in {body}")));
                };
                if i > 0 {
                    evals.push(e * 1000.0);
                    execs.push(x * 1000.0);
                }
            }
            let key = (name.clone(), kind.to_string());
            eval.insert(key.clone(), median(evals));
            exec.insert(key, median(execs));
        }
    }
    Ok((eval, exec))
}

/// Reads `name<TAB>kind<TAB>ms` lines; other lines (`data ready …`) are
/// shown as they are.
fn parse_timings(text: &str) -> Result<Timings, Failure> {
    let mut out = Timings::new();
    for line in text.lines() {
        let mut parts = line.split('\t');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(name), Some(kind), Some(ms)) => {
                let ms = ms
                    .parse()
                    .map_err(|_| Failure::new(format!("{name} ({kind}): {ms}")))?;
                out.insert((name.to_string(), kind.to_string()), ms);
            }
            _ => step(line),
        }
    }
    Ok(out)
}

/// Builds the WebAssembly entry, binds it for the web and runs it in
/// headless Chromium.
fn time_wasm(root: &Path, work: &Path, runs: usize) -> Result<Timings, Failure> {
    tools::ensure_wasm_target()?;
    tools::ensure_wasm_bindgen()?;
    tools::ensure_npm_packages()?;
    tools::ensure_chromium()?;
    step("the engine in WebAssembly (release build) in headless Chromium");
    let path = tools::tool_path();
    run(Command::new("cargo")
        .current_dir(root)
        .env("PATH", &path)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "promlab-core",
            "--example",
            "promql_bench_wasm",
        ]))?;
    let wasm: PathBuf = root
        .join("target/wasm32-unknown-unknown/release/examples")
        .join("promql_bench_wasm.wasm");
    let site = work.join("wasm");
    run(Command::new("wasm-bindgen")
        .env("PATH", &path)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&site)
        .arg(&wasm))?;
    let index = site.join("index.html");
    std::fs::write(&index, "<!doctype html><title>PromQL benchmark</title>\n")
        .map_err(|e| io_failure(&index, e))?;
    let out = Command::new("node")
        .current_dir(tools::js_dir())
        .arg("bench-wasm.mjs")
        .arg(&site)
        .arg(runs.to_string())
        .env("CHROMIUM", tools::CHROMIUM)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Failure::new(format!("cannot run node: {e}")))?;
    if !out.status.success() {
        return Err(Failure::new(format!(
            "bench-wasm.mjs exited with {}",
            out.status
        )));
    }
    parse_timings(&String::from_utf8_lossy(&out.stdout))
}

fn ms(v: Option<&f64>) -> String {
    match v {
        Some(v) if *v >= 100.0 => format!("{v:.0}"),
        Some(v) if *v >= 1.0 => format!("{v:.2}"),
        Some(v) => format!("{v:.3}"),
        None => "-".to_string(),
    }
}

fn ratio(a: Option<&f64>, b: Option<&f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if *b > 0.0 => format!("{:.2}x", a / b),
        _ => "-".to_string(),
    }
}

fn print_table(
    queries: &[(String, String)],
    prom_eval: &Timings,
    prom_exec: &Timings,
    native: &Timings,
    wasm: Option<&Timings>,
) {
    println!();
    println!("milliseconds, median; Prometheus's own query stats; ours through the lab's API");
    println!(
        "{:<24} {:<8} {:>10} {:>10} {:>10} {:>10} {:>13} {:>12}",
        "query", "kind", "prom eval", "prom exec", "native", "wasm", "native/prom", "wasm/native"
    );
    for (name, _) in queries {
        for kind in ["instant", "range"] {
            let key = (name.clone(), kind.to_string());
            let w = wasm.and_then(|w| w.get(&key));
            println!(
                "{:<24} {:<8} {:>10} {:>10} {:>10} {:>10} {:>13} {:>12}",
                name,
                kind,
                ms(prom_eval.get(&key)),
                ms(prom_exec.get(&key)),
                ms(native.get(&key)),
                ms(w),
                ratio(native.get(&key), prom_exec.get(&key)),
                ratio(w, native.get(&key)),
            );
        }
    }
    let total = |t: &Timings| -> f64 { t.values().sum() };
    let wasm_total = wasm.map(total);
    println!(
        "{:<24} {:<8} {:>10} {:>10} {:>10} {:>10} {:>13} {:>12}",
        "total",
        "",
        ms(Some(&total(prom_eval))),
        ms(Some(&total(prom_exec))),
        ms(Some(&total(native))),
        ms(wasm_total.as_ref()),
        ratio(Some(&total(native)), Some(&total(prom_exec))),
        ratio(wasm_total.as_ref(), Some(&total(native))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_timings_from_prometheus_stats() {
        let body = r#"{"status":"success","data":{"resultType":"vector","result":[],"stats":{"timings":{"evalTotalTime":0.000123,"resultSortTime":0,"queryPreparationTime":1.5e-05,"innerEvalTime":9.9e-05,"execQueueTime":2e-06,"execTotalTime":0.00015}}}}"#;
        assert_eq!(json_number(body, "evalTotalTime"), Some(0.000123));
        assert_eq!(json_number(body, "execTotalTime"), Some(0.00015));
        assert_eq!(json_number(body, "queryPreparationTime"), Some(1.5e-5));
        assert_eq!(json_number(body, "missing"), None);
    }

    #[test]
    fn encodes_queries_for_urls() {
        assert_eq!(
            encode(r#"sum by (le) (rate(x{a!="b"}[5m]))"#),
            "sum%20by%20%28le%29%20%28rate%28x%7Ba%21%3D%22b%22%7D%5B5m%5D%29%29"
        );
    }

    #[test]
    fn reads_the_benchmarks_lines() {
        let t = parse_timings("data ready in 5 ms\na\tinstant\t0.5\na\trange\t2\n").unwrap();
        assert_eq!(t.get(&("a".into(), "range".into())), Some(&2.0));
        assert_eq!(t.len(), 2);
        assert!(parse_timings("a\tinstant\terror: bad\n").is_err());
    }

    #[test]
    fn the_shared_query_list_is_not_empty() {
        let queries = read_queries(&project_root()).unwrap();
        assert!(queries.len() >= 10, "{queries:?}");
        assert!(queries.iter().any(|(_, q)| q.contains("group_left")));
    }
}
