//! Targets as Prometheus 3.5 makes them from a scrape config: the discovered
//! labels of each static target, `relabel_configs` applied to them, the
//! checks that can refuse a target, the `job`/`instance` labels, the scrape
//! URL and the scrape offset within the interval.
//!
//! ```
//! use promlab_core::labels::Labels;
//! use promlab_core::scrape::config::ScrapeConfig;
//! use promlab_core::scrape::target::{discovered_labels, populate_labels};
//! let mut cfg = ScrapeConfig::new("node");
//! cfg.params.insert("module".into(), vec!["cpu".into()]);
//! let discovered = discovered_labels(&cfg, "node-1:9100", &Labels::new());
//! assert_eq!(discovered.get("__param_module"), "cpu");
//! let labels = populate_labels(&discovered, &cfg).unwrap().unwrap();
//! assert_eq!(labels.get("instance"), "node-1:9100");
//! assert_eq!(labels.get("job"), "node");
//! ```

use super::config::ScrapeConfig;
use super::relabel;
use super::Health;
use crate::clock::{Millis, Timestamp};
use crate::duration::{format_duration, parse_duration};
use crate::labels::Labels;
use crate::tsdb::SeriesRef;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::hash::Hasher;

/// The label that holds a target's `host:port`.
pub const ADDRESS_LABEL: &str = "__address__";
pub const SCHEME_LABEL: &str = "__scheme__";
pub const METRICS_PATH_LABEL: &str = "__metrics_path__";
pub const SCRAPE_INTERVAL_LABEL: &str = "__scrape_interval__";
pub const SCRAPE_TIMEOUT_LABEL: &str = "__scrape_timeout__";
/// `__param_<name>` labels become URL query parameters.
pub const PARAM_LABEL_PREFIX: &str = "__param_";
/// Labels of service discovery, deleted after relabelling.
pub const META_LABEL_PREFIX: &str = "__meta_";
/// Labels starting with `__` are internal and never stored with a series.
pub const RESERVED_LABEL_PREFIX: &str = "__";

/// Why relabelling left a target that cannot be scraped, as Prometheus
/// words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    /// `__address__` is empty.
    NoAddress,
    /// `__address__` contains a `/`: a URL where a `host:port` belongs.
    InvalidAddress(String),
    /// `__scrape_interval__` is not a duration.
    InvalidInterval(String),
    ZeroInterval,
    /// `__scrape_timeout__` is not a duration.
    InvalidTimeout(String),
    ZeroTimeout,
    /// The timeout is longer than the interval: (timeout, interval).
    TimeoutGreaterThanInterval(String, String),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::NoAddress => f.write_str("no address"),
            TargetError::InvalidAddress(a) => write!(f, "{a:?} is not a valid hostname"),
            TargetError::InvalidInterval(e) => write!(f, "error parsing scrape interval: {e}"),
            TargetError::ZeroInterval => f.write_str("scrape interval cannot be 0"),
            TargetError::InvalidTimeout(e) => write!(f, "error parsing scrape timeout: {e}"),
            TargetError::ZeroTimeout => f.write_str("scrape timeout cannot be 0"),
            TargetError::TimeoutGreaterThanInterval(t, i) => write!(
                f,
                "scrape timeout cannot be greater than scrape interval ({t:?} > {i:?})"
            ),
        }
    }
}

impl std::error::Error for TargetError {}

/// Prometheus's check of a target address: for now only that it is not a
/// URL.
pub fn check_target_address(address: &str) -> Result<(), TargetError> {
    if address.contains('/') {
        return Err(TargetError::InvalidAddress(address.to_string()));
    }
    Ok(())
}

/// The labels of a static target before relabelling: its group's labels,
/// `__address__`, and then, where not already set, `job`,
/// `__scrape_interval__`, `__scrape_timeout__`, `__metrics_path__`,
/// `__scheme__` and a `__param_<name>` for each URL parameter.
pub fn discovered_labels(cfg: &ScrapeConfig, address: &str, group_labels: &Labels) -> Labels {
    let mut lset = group_labels.clone();
    lset.set(ADDRESS_LABEL, address);
    let defaults = [
        ("job", cfg.job_name.clone()),
        (SCRAPE_INTERVAL_LABEL, format_duration(cfg.scrape_interval)),
        (SCRAPE_TIMEOUT_LABEL, format_duration(cfg.scrape_timeout)),
        (METRICS_PATH_LABEL, cfg.metrics_path.clone()),
        (SCHEME_LABEL, cfg.scheme.clone()),
    ];
    for (name, value) in defaults {
        if !lset.contains(name) {
            lset.set(name, value);
        }
    }
    for (k, v) in &cfg.params {
        let name = format!("{PARAM_LABEL_PREFIX}{k}");
        if let Some(first) = v.first() {
            if !lset.contains(&name) {
                lset.set(name, first.clone());
            }
        }
    }
    lset
}

/// Applies the config's `relabel_configs` to `discovered` and checks the
/// result as Prometheus does. `Ok(None)` when relabelling drops the target;
/// otherwise every label of the target, `__`-prefixed ones included (but
/// no `__meta_*`), with `instance` defaulting to the address.
pub fn populate_labels(
    discovered: &Labels,
    cfg: &ScrapeConfig,
) -> Result<Option<Labels>, TargetError> {
    let mut b = relabel::Builder::new(discovered.clone());
    if !relabel::process_builder(&mut b, &cfg.relabel_configs) {
        return Ok(None);
    }
    let addr = b.get(ADDRESS_LABEL).to_string();
    if addr.is_empty() {
        return Err(TargetError::NoAddress);
    }
    check_target_address(&addr)?;
    let (interval_text, timeout_text) = (
        b.get(SCRAPE_INTERVAL_LABEL).to_string(),
        b.get(SCRAPE_TIMEOUT_LABEL).to_string(),
    );
    let interval = parse_duration(&interval_text).map_err(TargetError::InvalidInterval)?;
    if interval == 0 {
        return Err(TargetError::ZeroInterval);
    }
    let timeout = parse_duration(&timeout_text).map_err(TargetError::InvalidTimeout)?;
    if timeout == 0 {
        return Err(TargetError::ZeroTimeout);
    }
    if timeout > interval {
        return Err(TargetError::TimeoutGreaterThanInterval(
            timeout_text,
            interval_text,
        ));
    }
    for l in b.range() {
        if l.name.starts_with(META_LABEL_PREFIX) {
            b.del(&l.name);
        }
    }
    if b.get("instance").is_empty() {
        b.set("instance", &addr);
    }
    Ok(Some(b.labels()))
}

/// The labels stored with every series of a target: all but the
/// `__`-prefixed ones.
pub fn public_labels(all: &Labels) -> Labels {
    Labels::from_pairs(
        all.iter()
            .filter(|l| !l.name.starts_with(RESERVED_LABEL_PREFIX))
            .map(|l| (l.name.clone(), l.value.clone())),
    )
}

/// The scrape URL of a target, as Go's `url.URL` prints it:
/// `scheme://address/path?query`, with the config's parameters and the
/// `__param_*` labels (a label replaces the first value of its parameter).
pub fn scrape_url(all: &Labels, params: &BTreeMap<String, Vec<String>>) -> String {
    let mut query = params.clone();
    for l in all.iter() {
        if let Some(k) = l.name.strip_prefix(PARAM_LABEL_PREFIX) {
            let values = query.entry(k.to_string()).or_default();
            match values.first_mut() {
                Some(first) => first.clone_from(&l.value),
                None => values.push(l.value.clone()),
            }
        }
    }
    let mut url = String::new();
    let scheme = all.get(SCHEME_LABEL);
    let host = all.get(ADDRESS_LABEL);
    let path = all.get(METRICS_PATH_LABEL);
    if !scheme.is_empty() {
        url.push_str(scheme);
        url.push(':');
    }
    if !scheme.is_empty() || !host.is_empty() {
        url.push_str("//");
        url.push_str(host);
    }
    if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
        url.push('/');
    }
    url.push_str(&escape(path, false));
    let encoded: Vec<String> = query
        .iter()
        .flat_map(|(k, vs)| {
            vs.iter()
                .map(move |v| format!("{}={}", escape(k, true), escape(v, true)))
        })
        .collect();
    if !encoded.is_empty() {
        url.push('?');
        url.push_str(&encoded.join("&"));
    }
    url
}

/// Go's `url.PathEscape`-like escaping of a path (`query == false`) and
/// `url.QueryEscape` (`query == true`, a space becomes `+`).
fn escape(s: &str, query: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (!query
                && matches!(
                    b,
                    b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'@'
                ));
        if keep {
            out.push(b as char);
        } else if query && b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The hostname the lab's Prometheus runs under; with the external labels it
/// seeds the scrape offsets, as a real server's hostname does.
pub const HOSTNAME: &str = "prometheus";

/// Prometheus's offset seed: FNV-1a of the hostname followed by the external
/// labels printed as `{a="b", c="d"}`. Two servers with different external
/// labels scrape the same target at different times.
pub fn offset_seed(hostname: &str, external_labels: &Labels) -> u64 {
    let mut h = fnv::FnvHasher::default();
    h.write(hostname.as_bytes());
    h.write(go_labels_string(external_labels).as_bytes());
    h.finish()
}

/// `labels.Labels.String()` in Go: `{a="b", c="d"}`, values quoted as Go
/// quotes strings.
fn go_labels_string(labels: &Labels) -> String {
    let parts: Vec<String> = labels
        .iter()
        .map(|l| format!("{}={}", l.name, go_quote(&l.value)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// Go's `strconv.Quote` for the characters label values hold.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A target's identity hash, as Prometheus's `Target.hash()`: FNV-1a of the
/// xxHash64 of all its labels (printed as a zero-padded 16-digit decimal)
/// followed by its scrape URL.
pub fn target_hash(all: &Labels, url: &str) -> u64 {
    // `labels.Labels.Hash()`: xxHash64 of name, 0xff, value, 0xff, … in
    // name order.
    let mut bytes = Vec::new();
    for l in all.iter() {
        bytes.extend_from_slice(l.name.as_bytes());
        bytes.push(0xff);
        bytes.extend_from_slice(l.value.as_bytes());
        bytes.push(0xff);
    }
    let labels_hash = xxhash_rust::xxh64::xxh64(&bytes, 0);
    let mut h = fnv::FnvHasher::default();
    h.write(format!("{labels_hash:016}").as_bytes());
    h.write(url.as_bytes());
    h.finish()
}

/// The first scrape time after `start`, as Prometheus's `Target.offset()`
/// places it. Prometheus works in nanoseconds: a target's scrapes fall
/// where `time mod interval == (hash XOR seed) mod interval`, pinned to
/// absolute time so that restarts keep the phase, and the first one comes
/// within (start, start + interval]. Every later scrape is one interval on.
pub fn first_scrape(start: Timestamp, interval: Millis, hash: u64, seed: u64) -> Timestamp {
    const NS_PER_MS: i128 = 1_000_000;
    let interval_ns = i128::from(interval.max(1)) * NS_PER_MS;
    let now = i128::from(start) * NS_PER_MS;
    let base = interval_ns - now.rem_euclid(interval_ns);
    // In i128 so that no interval, however long, wraps to a zero modulus.
    let offset = i128::from(hash ^ seed) % interval_ns;
    let mut next = base + offset;
    if next > interval_ns {
        next -= interval_ns;
    }
    let t = (now + next).div_euclid(NS_PER_MS);
    Timestamp::try_from(t).unwrap_or(Timestamp::MAX)
}

/// One scrape target and its scrape state.
#[derive(Debug, Clone)]
pub struct Target {
    /// The job (scrape pool) the target belongs to.
    pub scrape_pool: String,
    /// Labels before relabelling: `__address__`, `__metrics_path__`,
    /// `__scheme__`, `__scrape_interval__`, `__scrape_timeout__`,
    /// `__param_*`, `job` and the static labels.
    pub discovered_labels: Labels,
    /// Labels attached to every series of the target: `job`, `instance`
    /// and the others relabelling left, without `__`-prefixed ones.
    pub labels: Labels,
    /// Every label after relabelling, `__`-prefixed ones included.
    pub all_labels: Labels,
    pub address: String,
    pub metrics_path: String,
    pub scheme: String,
    pub interval: Millis,
    pub timeout: Millis,
    pub health: Health,
    pub last_error: String,
    pub last_scrape: Option<Timestamp>,
    /// Seconds the last scrape took.
    pub last_scrape_duration: f64,
    /// When the next scrape is due.
    pub next_scrape: Timestamp,
    /// Index of the scrape config in the manager.
    pub(crate) config: usize,
    url: String,
    /// Series the last scrape wrote without their own timestamps, for
    /// staleness.
    pub(crate) last_series: HashSet<SeriesRef>,
    /// Prometheus's scrape cache: for each series of the last successful
    /// scrape, keyed by its labels as the page wrote them, the labels it
    /// is stored under and its series. It saves relabelling and label
    /// hashing on every scrape, and its misses are `scrape_series_added`.
    pub(crate) cache: HashMap<Labels, CachedSeries>,
}

/// A scrape cache entry.
#[derive(Debug, Clone)]
pub(crate) struct CachedSeries {
    /// The stored labels; `None` when metric relabelling drops the series.
    pub(crate) labels: Option<Labels>,
    /// The series in the head, once appended.
    pub(crate) series: Option<SeriesRef>,
}

impl Target {
    /// Builds a target from its labels after relabelling.
    pub(crate) fn new(
        cfg: &ScrapeConfig,
        config: usize,
        discovered: Labels,
        all: Labels,
        start: Timestamp,
        seed: u64,
    ) -> Self {
        let url = scrape_url(&all, &cfg.params);
        // populate_labels checked both; the fallbacks are never used.
        let interval = parse_duration(all.get(SCRAPE_INTERVAL_LABEL))
            .unwrap_or(cfg.scrape_interval)
            .max(1);
        let timeout = parse_duration(all.get(SCRAPE_TIMEOUT_LABEL)).unwrap_or(cfg.scrape_timeout);
        let next_scrape = first_scrape(start, interval, target_hash(&all, &url), seed);
        Target {
            scrape_pool: cfg.job_name.clone(),
            discovered_labels: discovered,
            labels: public_labels(&all),
            address: all.get(ADDRESS_LABEL).to_string(),
            metrics_path: all.get(METRICS_PATH_LABEL).to_string(),
            scheme: all.get(SCHEME_LABEL).to_string(),
            all_labels: all,
            interval,
            timeout,
            health: Health::Unknown,
            last_error: String::new(),
            last_scrape: None,
            last_scrape_duration: 0.0,
            next_scrape,
            config,
            url,
            last_series: HashSet::new(),
            cache: HashMap::new(),
        }
    }

    /// `scheme://address/path?params`.
    pub fn scrape_url(&self) -> String {
        self.url.clone()
    }

    /// Prometheus's identity of the target within its pool.
    pub fn hash(&self) -> u64 {
        target_hash(&self.all_labels, &self.url)
    }
}

/// A target that relabelling dropped, kept for the Targets page.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedTarget {
    pub scrape_pool: String,
    pub discovered_labels: Labels,
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn urls_print_as_go_prints_them() {
        let mut params = BTreeMap::new();
        params.insert("module".to_string(), vec!["http 2xx".into(), "b".into()]);
        params.insert("a*".to_string(), vec!["~x".into()]);
        let all = Labels::from_pairs([
            (SCHEME_LABEL, "https"),
            (ADDRESS_LABEL, "blackbox:9115"),
            (METRICS_PATH_LABEL, "probe path"),
            ("__param_target", "example.com"),
            ("__param_module", "tcp"),
        ]);
        assert_eq!(
            scrape_url(&all, &params),
            "https://blackbox:9115/probe%20path?a%2A=~x&module=tcp&module=b&target=example.com"
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn first_scrape_is_in_the_interval_after_start_and_pinned_to_absolute_time() {
        let interval = 15_000;
        for (hash, seed) in [(0u64, 0u64), (1, 2), (u64::MAX, 7), (123_456_789_012, 0)] {
            let a = first_scrape(1_000_000, interval, hash, seed);
            assert!(a > 1_000_000 && a <= 1_015_000, "{a}");
            // Starting later keeps the phase.
            let b = first_scrape(1_003_333, interval, hash, seed);
            assert_eq!((b - a).rem_euclid(interval), 0);
        }
        // Offset 0 at a start on the grid: one whole interval later.
        assert_eq!(first_scrape(30_000, interval, 0, 0), 45_000);
        // The ends of the time range do not overflow.
        assert!(first_scrape(i64::MAX - 5, interval, 9, 9) >= i64::MAX - 5);
        assert!(first_scrape(i64::MIN, interval, 9, 9) > i64::MIN);
        // An interval whose nanoseconds are a multiple of 2^64.
        let huge = 1 << 58;
        assert!(first_scrape(0, huge, u64::MAX, 0) <= huge);
    }
}
