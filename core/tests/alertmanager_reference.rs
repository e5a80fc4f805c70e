//! The real Alertmanager (0.33.1) runs the scenarios of
//! `alertmanager/scenarios/` in real time on loopback, posting its
//! webhooks to a small HTTP server here; the lab runs the same scenarios
//! in virtual time from the same start. Both must send the same
//! notifications: per receiver URL and group, the same sequence of
//! messages (status, reason, alerts with their labels, annotations,
//! times and fingerprints, group labels, common labels and annotations,
//! group key, truncation), and each real one within a tolerance of the
//! time the lab sent it.
//!
//! The scenarios run in parallel, each against its own Alertmanager, in
//! about 20 s. The binary is found in `$PROMLAB_REFERENCE_BIN`; without
//! it the test prints a notice and passes.
//!
//! Debian's Alertmanager reads its default templates from
//! `/usr/share/prometheus/alertmanager`; when they are not installed
//! there, it runs in a private mount namespace (`unshare`) with the
//! reference's own `usr/share` bound in their place.

#![cfg(not(target_arch = "wasm32"))]

mod alertmanager_support;

use alertmanager_support::{
    load, offset, relative, relative_json, run_virtual_with_api, ApiListing, Scenario,
};
use promlab_core::alertmanager::api::{AlertGroupInfo, AlertmanagerStatus, GettableAlert};
use promlab_core::alertmanager::notify::WebhookMessage;
use promlab_core::alertmanager::silence::GettableSilence;
use promlab_core::clock::Timestamp;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const SCENARIOS: [(&str, &str); 3] = [
    (
        "grouping",
        include_str!("alertmanager/scenarios/grouping.yml"),
    ),
    ("muting", include_str!("alertmanager/scenarios/muting.yml")),
    (
        "receivers",
        include_str!("alertmanager/scenarios/receivers.yml"),
    ),
];

const EXTERNAL_URL: &str = "http://alertmanager.example:9093";

/// How far a real notification may arrive from the lab's virtual time.
/// The scenarios keep posts 300 ms away from every flush.
const TOLERANCE_MS: i64 = 250;

fn wall_ms() -> Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as Timestamp)
        .unwrap_or(0)
}

fn alertmanager_bin() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("PROMLAB_REFERENCE_BIN") else {
        eprintln!(
            "notice: PROMLAB_REFERENCE_BIN is not set; skipping the comparison with the real Alertmanager"
        );
        return None;
    };
    let bin = PathBuf::from(dir).join("prometheus-alertmanager");
    assert!(
        bin.exists(),
        "prometheus-alertmanager not found at {}: run `cargo xtask reference`",
        bin.display()
    );
    Some(bin)
}

/// The webhook receiver: accepts POSTs on loopback and records when each
/// arrived, its path and its body.
struct Hooks {
    port: u16,
    received: Arc<Mutex<Vec<(Timestamp, String, String)>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Hooks {
    fn start() -> Hooks {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (received.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let r = r.clone();
                        std::thread::spawn(move || serve(stream, &r));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Hooks {
            port,
            received,
            stop,
            thread: Some(thread),
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Hooks {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves the requests of one connection (Go keeps connections alive).
fn serve(stream: TcpStream, received: &Mutex<Vec<(Timestamp, String, String)>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_string();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let at = wall_ms();
        received
            .lock()
            .unwrap()
            .push((at, path, String::from_utf8_lossy(&body).into_owned()));
        if writer
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .is_err()
        {
            return;
        }
    }
}

/// A running Alertmanager, killed and its data removed when dropped.
struct RealAlertmanager {
    child: Child,
    data: PathBuf,
    url: String,
}

impl Drop for RealAlertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl RealAlertmanager {
    fn start(bin: &Path, name: &str, config: &str) -> RealAlertmanager {
        let data =
            std::env::temp_dir().join(format!("promlab-am-ref-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).unwrap();
        let config_file = data.join("alertmanager.yml");
        std::fs::write(&config_file, config).unwrap();
        let port = free_port();
        let args = [
            format!("--config.file={}", config_file.display()),
            format!("--storage.path={}", data.join("data").display()),
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--cluster.listen-address=".to_string(),
            format!("--web.external-url={EXTERNAL_URL}"),
            "--log.level=warn".to_string(),
        ];
        let log = std::fs::File::create(data.join("log")).unwrap();
        let mut cmd = if Path::new("/usr/share/prometheus/alertmanager/default.tmpl").exists() {
            Command::new(bin)
        } else {
            // The reference unpacks Debian's package: usr/bin holds the
            // binary (bin/ links to it), usr/share its templates.
            let real = std::fs::canonicalize(bin).unwrap();
            let share = real
                .parent()
                .and_then(Path::parent)
                .map(|usr| usr.join("share"))
                .unwrap();
            let mut c = Command::new("unshare");
            c.args([
                "-rm",
                "sh",
                "-c",
                "mount --bind \"$0\" /usr/share && exec \"$@\"",
            ])
            .arg(share)
            .arg(real);
            c
        };
        cmd.args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        let child = cmd.spawn().expect("start prometheus-alertmanager");
        let am = RealAlertmanager {
            child,
            data,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if ureq::get(&format!("{}/-/ready", am.url)).call().is_ok() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{name}: Alertmanager did not get ready: {}",
                std::fs::read_to_string(am.data.join("log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        am
    }

    /// `GET path`, decoded into the lab's type for that endpoint and
    /// written back as JSON.
    fn get<T: serde::de::DeserializeOwned + serde::Serialize>(
        &self,
        path: &str,
    ) -> serde_json::Value {
        let body = ureq::get(&format!("{}{path}", self.url))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .body_mut()
            .read_to_string()
            .unwrap();
        let decoded: T = serde_json::from_str(&body).unwrap_or_else(|e| {
            panic!("GET {path}: the lab's type does not read it ({e}): {body}")
        });
        serde_json::to_value(decoded).unwrap()
    }

    fn listing(&self, at: &str) -> ApiListing {
        ApiListing {
            at: at.to_string(),
            alerts: self.get::<Vec<GettableAlert>>("/api/v2/alerts"),
            groups: self.get::<Vec<AlertGroupInfo>>("/api/v2/alerts/groups"),
            silences: self.get::<Vec<GettableSilence>>("/api/v2/silences"),
        }
    }

    fn post(&self, path: &str, body: &str) -> String {
        let mut resp = ureq::post(&format!("{}{path}", self.url))
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        resp.body_mut().read_to_string().unwrap_or_default()
    }

    /// Fails the test when Alertmanager logged an error (a config it did
    /// not apply, a webhook it could not deliver).
    fn errors(&self) -> String {
        std::fs::read_to_string(self.data.join("log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("level=ERROR"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// What a real run gave: its start, what the webhooks received, the API's
/// listings and the silences' identifiers.
struct RealRun {
    t0: Timestamp,
    received: Vec<(Timestamp, String, String)>,
    listings: Vec<ApiListing>,
    silences: Vec<String>,
}

/// Runs a scenario on the real Alertmanager in real time.
fn run_real(bin: &Path, s: &Scenario) -> RealRun {
    let hooks = Hooks::start();
    let am = RealAlertmanager::start(bin, &s.name, &s.config_for(&hooks.base()));
    let t0 = wall_ms();
    let mut silences: Vec<String> = Vec::new();
    let sleep_until = |t: Timestamp| {
        let now = wall_ms();
        if t > now {
            std::thread::sleep(Duration::from_millis((t - now) as u64));
        }
    };
    let mut api_at: Vec<&String> = s.api_at.iter().collect();
    api_at.sort_by_key(|a| offset(a));
    let mut api_at = api_at.into_iter().peekable();
    let mut listings = Vec::new();
    for step in s.steps_in_order() {
        while let Some(at) = api_at.next_if(|a| offset(a) <= offset(&step.at)) {
            sleep_until(t0 + offset(at));
            listings.push(am.listing(at));
        }
        sleep_until(t0 + offset(&step.at));
        if !step.post.is_empty() {
            let alerts: Vec<_> = step.post.iter().map(|a| a.postable(t0)).collect();
            am.post("/api/v2/alerts", &serde_json::to_string(&alerts).unwrap());
        }
        if let Some(sil) = &step.silence {
            let answer = am.post(
                "/api/v2/silences",
                &serde_json::to_string(&sil.postable(t0)).unwrap(),
            );
            let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
            silences.push(v["silenceID"].as_str().unwrap().to_string());
        }
        if let Some(i) = step.expire {
            ureq::delete(&format!("{}/api/v2/silence/{}", am.url, silences[i]))
                .call()
                .unwrap();
        }
    }
    for at in api_at {
        sleep_until(t0 + offset(at));
        listings.push(am.listing(at));
    }
    // The status answer decodes too.
    am.get::<AlertmanagerStatus>("/api/v2/status");
    sleep_until(t0 + offset(&s.until));
    let errors = am.errors();
    assert!(
        errors.is_empty(),
        "{}: Alertmanager logged:\n{errors}",
        s.name
    );
    drop(am);
    let received = hooks.received.lock().unwrap().clone();
    RealRun {
        t0,
        received,
        listings,
        silences,
    }
}

/// A message as compared: times relative to the start and rounded to
/// 100 ms (every time a scenario sets is a multiple of 100 ms; times the
/// real Alertmanager sets itself, from resolve_timeout, lag a little).
fn comparable(m: &WebhookMessage, t0: Timestamp) -> String {
    let mut m = relative(m, t0);
    let round = |s: &mut String| {
        if let Some(ms) = s.strip_suffix("ms").and_then(|n| n.parse::<i64>().ok()) {
            *s = format!("{:+}ms", (ms as f64 / 100.0).round() as i64 * 100);
        }
    };
    for a in &mut m.alerts {
        round(&mut a.starts_at);
        round(&mut a.ends_at);
    }
    serde_json::to_string_pretty(&m).unwrap()
}

/// Compares one scenario; returns what differs.
fn compare(bin: &Path, name: &str, yaml: &str) -> Vec<String> {
    let s = load(yaml);
    let run = run_real(bin, &s);
    let (t0, real) = (run.t0, &run.received);
    let hooks_base = "http://hooks";
    let (ours, our_listings, our_silences) = run_virtual_with_api(&s, t0, hooks_base, EXTERNAL_URL);
    // Per webhook path and group: the sequence of messages, each with
    // when it came.
    type Streams = BTreeMap<(String, String), Vec<(Timestamp, String)>>;
    let mut want: Streams = BTreeMap::new();
    for n in &ours {
        let path = n
            .url
            .as_deref()
            .and_then(|u| u.strip_prefix(hooks_base))
            .unwrap_or("")
            .to_string();
        want.entry((path, n.payload.group_key.clone()))
            .or_default()
            .push((n.time - t0, comparable(&n.payload, t0)));
    }
    let mut got: Streams = BTreeMap::new();
    for (at, path, body) in real {
        let m: WebhookMessage = serde_json::from_str(body)
            .unwrap_or_else(|e| panic!("{name}: undecodable webhook body ({e}): {body}"));
        got.entry((path.clone(), m.group_key.clone()))
            .or_default()
            .push((at - t0, comparable(&m, t0)));
    }
    let mut diffs = Vec::new();
    for key in want
        .keys()
        .chain(got.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let w = want.get(key).map(Vec::as_slice).unwrap_or_default();
        let g = got.get(key).map(Vec::as_slice).unwrap_or_default();
        if w.len() != g.len() {
            diffs.push(format!(
                "{name} {key:?}: the lab sent {} notifications at {:?}, Alertmanager {} at {:?}",
                w.len(),
                w.iter().map(|x| x.0).collect::<Vec<_>>(),
                g.len(),
                g.iter().map(|x| x.0).collect::<Vec<_>>()
            ));
        }
        for (i, ((wt, wm), (gt, gm))) in w.iter().zip(g).enumerate() {
            if wm != gm {
                diffs.push(format!(
                    "{name} {key:?} #{i}: the lab sent\n{wm}\nAlertmanager sent\n{gm}"
                ));
            }
            if (wt - gt).abs() > TOLERANCE_MS {
                diffs.push(format!(
                    "{name} {key:?} #{i}: the lab sent it at +{wt}ms, Alertmanager at +{gt}ms"
                ));
            }
        }
    }
    for (w, g) in our_listings.iter().zip(&run.listings) {
        for (what, wv, gv) in [
            ("/api/v2/alerts", &w.alerts, &g.alerts),
            ("/api/v2/alerts/groups", &w.groups, &g.groups),
            ("/api/v2/silences", &w.silences, &g.silences),
        ] {
            let wv = serde_json::to_string_pretty(&relative_json(wv, t0, &our_silences)).unwrap();
            let gv = serde_json::to_string_pretty(&relative_json(gv, t0, &run.silences)).unwrap();
            if wv != gv {
                diffs.push(format!(
                    "{name} {what} at {}: the lab lists\n{wv}\nAlertmanager lists\n{gv}",
                    w.at
                ));
            }
        }
    }
    eprintln!(
        "{name}: {} notifications from the lab, {} from Alertmanager",
        ours.len(),
        real.len()
    );
    diffs
}

#[test]
fn the_real_alertmanager_sends_the_same_notifications() {
    let Some(bin) = alertmanager_bin() else {
        return;
    };
    let handles: Vec<_> = SCENARIOS
        .iter()
        .map(|(name, yaml)| {
            let bin = bin.clone();
            std::thread::spawn(move || compare(&bin, name, yaml))
        })
        .collect();
    let mut diffs = Vec::new();
    for h in handles {
        match h.join() {
            Ok(d) => diffs.extend(d),
            Err(_) => diffs.push("a scenario panicked (see above)".into()),
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n\n"));
}
