//! The simulated node_exporter against the real one: every family the
//! simulation serves must exist in the real node_exporter 1.11's output
//! with the same type and HELP text, and every simulated sample must carry
//! the label names the real exporter gives that family.
//!
//! The real binary comes from `cargo xtask reference` (or the directory in
//! `PROMLAB_REFERENCE_BIN`); it is started on a free loopback port and
//! killed when the test ends.
#![cfg(not(target_arch = "wasm32"))]

mod sim_common;

use promlab_core::exposition::{self, MetricType, Page};
use promlab_core::sim::Cluster;
use sim_common::*;
use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Collectors whose families only appear where the kernel or hardware has
/// what they read (PSI, the conntrack module, a NIC reporting its speed);
/// where the real exporter lacks them they cannot be compared.
const CONDITIONAL: [&str; 4] = [
    "node_pressure_",
    "node_nf_conntrack_",
    "node_network_speed_bytes",
    "node_time_clocksource_",
];

fn reference_binary() -> PathBuf {
    let dir = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/promlab-reference/bin"))
        })
        .unwrap_or_default();
    let bin = dir.join("prometheus-node-exporter");
    assert!(
        bin.is_file(),
        "the real node_exporter is not at {}: run `cargo xtask reference`",
        bin.display()
    );
    bin
}

/// The running exporter; killed when dropped, even if the test fails.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A plain HTTP/1.0 GET, bounded by timeouts.
fn get(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(2)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    match response.split_once("\r\n\r\n") {
        Some((head, body))
            if head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200") =>
        {
            Ok(body.to_string())
        }
        _ => Err(std::io::Error::other(format!(
            "unexpected response: {}",
            response.lines().next().unwrap_or("")
        ))),
    }
}

fn real_page() -> String {
    let bin = reference_binary();
    let port = free_port();
    let child = Command::new(&bin)
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let mut running = Running(child);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(Some(status)) = running.0.try_wait() {
            panic!("node_exporter exited with {status} before answering");
        }
        match get(addr, "/metrics") {
            Ok(body) => return body,
            Err(e) if Instant::now() > deadline => panic!("node_exporter did not answer: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// The label names of every sample line, empty values included (the
/// parser drops labels with empty values, as Prometheus does, but the real
/// exporter writes some).
fn label_names(page: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut out = Vec::new();
    for line in page.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let name_end = line.find(['{', ' ']).unwrap_or(line.len());
        let name = line[..name_end].to_string();
        let mut names = BTreeSet::new();
        if line[name_end..].starts_with('{') {
            let mut chars = line[name_end + 1..].chars().peekable();
            loop {
                let label: String = chars.by_ref().take_while(|c| *c != '=').collect();
                if label.is_empty() {
                    break;
                }
                names.insert(label.trim_start_matches(',').trim().to_string());
                chars.next(); // the opening quote
                let mut escaped = false;
                for c in chars.by_ref() {
                    match (escaped, c) {
                        (false, '\\') => escaped = true,
                        (false, '"') => break,
                        _ => escaped = false,
                    }
                }
                if chars.peek() == Some(&'}') {
                    break;
                }
            }
        }
        out.push((name, names));
    }
    out
}

/// The family a sample name belongs to on `page`.
fn family_of<'a>(page: &Page, sample: &'a str) -> &'a str {
    if page.metadata.iter().any(|m| m.name == sample) {
        return sample;
    }
    for suffix in ["_bucket", "_sum", "_count"] {
        if let Some(base) = sample.strip_suffix(suffix) {
            if page.metadata.iter().any(|m| {
                m.name == base
                    && matches!(
                        m.metric_type,
                        Some(MetricType::Histogram | MetricType::Summary)
                    )
            }) {
                return base;
            }
        }
    }
    sample
}

#[test]
fn simulated_node_exporter_matches_the_real_one() {
    let real_text = real_page();
    let real = exposition::parse(&real_text)
        .unwrap_or_else(|e| panic!("the real page does not parse: {}", e.render(&real_text)));
    let real_meta: HashMap<&str, (Option<MetricType>, Option<&str>)> = real
        .metadata
        .iter()
        .map(|m| (m.name.as_str(), (m.metric_type, m.help.as_deref())))
        .collect();
    // Per sample name: the label names with a value on every sample (the
    // simulation must have them), and the names on any sample, empty
    // values included (the simulation may have them: the real exporter
    // leaves some empty on this machine, such as a virtual disk's model).
    let mut always: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut ever: HashMap<String, BTreeSet<String>> = HashMap::new();
    let lines = label_names(&real_text);
    assert_eq!(lines.len(), real.samples.len());
    for ((name, names), sample) in lines.into_iter().zip(&real.samples) {
        let valued: BTreeSet<String> = sample
            .labels
            .without_metric_name()
            .iter()
            .map(|l| l.name.clone())
            .collect();
        always
            .entry(name.clone())
            .and_modify(|a| a.retain(|n| valued.contains(n)))
            .or_insert(valued);
        ever.entry(name).or_default().extend(names);
    }

    let mut cluster = Cluster::new(1);
    let mut problems = Vec::new();
    let mut checked = BTreeSet::new();
    let mut skipped = BTreeSet::new();
    for target in cluster
        .targets()
        .into_iter()
        .filter(|t| t.job == "node-exporter")
    {
        let text = cluster
            .fetch(&target.address, &target.metrics_path, T0)
            .unwrap();
        let ours = exposition::parse(&text).unwrap();
        for meta in &ours.metadata {
            let name = meta.name.as_str();
            match real_meta.get(name) {
                Some((metric_type, help)) => {
                    if *metric_type != meta.metric_type {
                        problems.push(format!(
                            "{name}: type {:?}, real {metric_type:?}",
                            meta.metric_type
                        ));
                    }
                    if *help != meta.help.as_deref() {
                        problems.push(format!("{name}: HELP {:?}, real {help:?}", meta.help));
                    }
                    checked.insert(name.to_string());
                }
                None if CONDITIONAL.iter().any(|p| name.starts_with(p)) => {
                    skipped.insert(name.to_string());
                }
                None => problems.push(format!("{name}: not served by the real node_exporter")),
            }
        }
        for (name, names) in label_names(&text) {
            let family = family_of(&ours, &name);
            if skipped.contains(family) {
                continue;
            }
            let (Some(required), Some(allowed)) = (always.get(&name), ever.get(&name)) else {
                problems.push(format!("{name}: no such samples in the real output"));
                continue;
            };
            if !required.is_subset(&names) || !names.is_subset(allowed) {
                problems.push(format!(
                    "{name}{names:?}: the real exporter has {required:?} on every sample and {allowed:?} in all"
                ));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
    if !skipped.is_empty() {
        eprintln!(
            "not served by the real node_exporter on this machine, so not compared: {skipped:?}"
        );
    }
    assert!(
        checked.len() >= 150,
        "only {} families compared",
        checked.len()
    );
}
