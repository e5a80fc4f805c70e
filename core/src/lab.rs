//! The facade over the whole engine: a [`Lab`] owns the clock, the simulated
//! cluster, the scrape manager, the TSDB, the PromQL engine, the rule
//! manager and an Alertmanager, and answers [`Request`]s. The web app
//! (directly or through a Web Worker), the CLI and the tests all drive a
//! `Lab`; nothing else reaches inside it.
//!
//! On the virtual clock, in time order: scrapes, the Alertmanager's timers,
//! rule evaluations (an instant's scrapes first, so the rules see their
//! samples). The alerts an evaluation sends are posted to the Alertmanager
//! at the evaluation's time (delivery takes no virtual time); its webhook
//! notifications become [`WebhookDelivery`] requests the driver may send.
//! Kubernetes manifests go through the Prometheus Operator's model
//! ([`Lab::apply_manifests`]); what happened can be recorded as a
//! [`crate::timeline`].
//!
//! ```
//! use promlab_core::api::{ApiRequest, ApiResponse, ApiData, QueryResult, LabRequest};
//! use promlab_core::lab::{Lab, LabOptions};
//! let mut lab = Lab::new(LabOptions::default());
//! lab.lab(&LabRequest::Ping { count: 6 });
//! lab.lab(&LabRequest::Step { ms: 15_000 });
//! let resp = lab.api(&ApiRequest::Query { query: "ping_request_count".into(), time: None });
//! let ApiResponse::Success { data: ApiData::Query(QueryResult::Vector(v)), .. } = resp else { panic!() };
//! assert_eq!(v[0].value.v, 6.0);
//! ```

use crate::alertmanager::alert::PostableAlert;
use crate::alertmanager::api::AlertFilter;
use crate::alertmanager::config::AlertmanagerConfig;
use crate::alertmanager::matchers::{matcher_string, parse_matchers};
use crate::alertmanager::notify::{Notification, NotifyReason};
use crate::alertmanager::silence::SilenceMatcher;
use crate::alertmanager::Alertmanager;
use crate::api::{
    format_rfc3339, ActiveTarget, ApiData, ApiError, ApiRequest, ApiResponse, ConfigData,
    DroppedTarget, ErrorType, LabRequest, LabResponse, LabStatus, ManifestText, ManifestsApplied,
    MatrixSeries, MetricMetadata, NameValue, Point, QueryResult, Request, Response, RuleFileInfo,
    RuleFileText, ScrapeRequest, ScrapeResponse, StringPoint, TargetsData, TsdbHeadStats,
    TsdbStatus, VectorSample, WebhookDelivery,
};
use crate::clock::{Clock, Millis, Timestamp};
use crate::diagnostic::Span;
use crate::duration::format_duration;
use crate::exposition;
use crate::labels::{Labels, MatchOp, Matcher};
use crate::operator::cluster::ClusterObjects;
use crate::operator::load::{FieldValidation, LoadOptions};
use crate::operator::render::RenderOptions;
use crate::operator::{self, ManifestFile};
use crate::promql::{self, Engine, Expr, Value};
use crate::rules::alerting::{AlertState, AlertToSend};
use crate::rules::config::{parse_rule_file, RuleFile};
use crate::rules::group::Rule;
use crate::rules::manager::{AlertBatch, ManagerOptions, RuleManager};
use crate::scrape::relabel::{process_builder, Builder};
use crate::scrape::{
    Health, PrometheusConfig, RelabelConfig, ScrapeConfig, ScrapeManager, ScrapeOutcome,
};
use crate::sim::topology::Topology;
use crate::sim::{Cluster, ClusterOptions, Scenario};
use crate::timeline::{EventKind, SentAlert, TimelineEvent, MAX_EVENTS};
use crate::tsdb::{Head, Querier};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The most points a range query may return per series, as in Prometheus.
pub const MAX_POINTS_PER_SERIES: i64 = 11_000;

/// The longest jump of virtual time one request may ask for; longer jumps
/// are refused rather than freezing the page while they run.
pub const MAX_STEP: Millis = 7 * 24 * 3_600_000;

/// The most real time one tick may account for. A tab the browser put to
/// sleep reports a long gap when it wakes; the clock skips it instead of
/// simulating it all at once.
pub const MAX_TICK_REAL_MS: f64 = 1_000.0;

/// How a lab starts.
#[derive(Debug, Clone, PartialEq)]
pub struct LabOptions {
    /// The virtual time the lab starts at.
    pub start: Timestamp,
    /// How much history to simulate before `start`, so graphs are not
    /// empty at first.
    pub history: Millis,
    /// The simulated cluster's shape and seed (the seed fixes every random
    /// choice of the simulation).
    pub cluster: ClusterOptions,
    /// Scrape every simulated target at this interval instead of the one
    /// its ServiceMonitor asks for.
    pub scrape_interval: Option<Millis>,
    /// How long samples are kept (Prometheus's `--storage.tsdb.retention.time`);
    /// older chunks are dropped as the clock moves on.
    pub retention: Millis,
}

/// Samples are kept a day by default: a lab's day of data for the default
/// cluster is some tens of megabytes in a browser tab.
pub const DEFAULT_RETENTION: Millis = 24 * 3_600_000;

/// How often (in virtual time) old data is dropped.
const RETENTION_CHECK_EVERY: Millis = 3_600_000;

impl Default for LabOptions {
    /// 2026-01-01T00:00:00Z, an hour of history, the default cluster
    /// (three nodes, one with two GPUs, seed 1).
    fn default() -> Self {
        LabOptions {
            start: 1_767_225_600_000,
            history: 3_600_000,
            cluster: ClusterOptions::default(),
            scrape_interval: None,
            retention: DEFAULT_RETENTION,
        }
    }
}

/// The engine and everything it runs.
pub struct Lab {
    clock: Clock,
    cluster: Cluster,
    /// Addresses the simulated cluster answers; every other target is
    /// fetched over HTTP by the driver.
    sim_addresses: HashSet<String>,
    scrape: ScrapeManager,
    head: Head,
    engine: Engine,
    /// HTTP scrapes handed to the driver and not answered yet, by request
    /// id: the target's job and URL, and the scrape time.
    in_flight: BTreeMap<u64, (String, String, Timestamp)>,
    /// HTTP scrapes due and not yet taken by the driver.
    outbox: Vec<ScrapeRequest>,
    next_request_id: u64,
    retention: Millis,
    /// When old data was last dropped.
    last_retention_check: Timestamp,
    /// Recording and alerting rules, evaluated as the clock passes their
    /// groups' times.
    rules: RuleManager,
    /// The rule files loaded, as given.
    rule_files: Vec<(RuleFileText, RuleFile)>,
    /// Alerts the rules produced, not yet taken (they are also posted to
    /// the lab's Alertmanager).
    alert_batches: Vec<AlertBatch>,
    /// The lab's Alertmanager, which the rules' alerts are posted to.
    alertmanager: Alertmanager,
    /// Its timers' next time when running it there changed nothing (so
    /// the loop does not spin on it).
    alertmanager_idle_at: Option<Timestamp>,
    /// Webhook POSTs not yet taken by the driver.
    webhooks: Vec<WebhookDelivery>,
    /// The last notification of each (receiver, group key), for the
    /// timeline's reasons.
    last_notified: BTreeMap<(String, String), Timestamp>,
    /// The simulated API server the manifests are applied to.
    objects: ClusterObjects,
    /// The jobs the operator generated for the simulated cluster as it
    /// came, replaced when manifests are applied.
    builtin_jobs: Vec<String>,
    /// The jobs of monitors that came with the cluster and were not
    /// applied from manifests: the timeline leaves their scrapes out, so
    /// it shows what the user brought.
    quiet_jobs: HashSet<String>,
    /// What the notifier does to alerts before they reach the
    /// Alertmanager, from the generated `prometheus.yml`.
    alert_labels: AlertLabels,
    /// `LabOptions::scrape_interval`, for the jobs manifests generate too.
    scrape_override: Option<Millis>,
    /// The jobs generated from the last manifests applied.
    generated_jobs: Vec<String>,
    /// The timeline, while it is being recorded.
    timeline: Option<Vec<TimelineEvent>>,
}

/// Each alerting rule's alerts by group file, group, rule and labels.
type AlertStates = BTreeMap<(String, String, String, Labels), AlertState>;
/// Each group's last evaluation, by file and name.
type GroupTimes = BTreeMap<(String, String), Option<Timestamp>>;

/// The lab's Alertmanager configuration until one is loaded: every alert
/// goes to a receiver that sends nothing, grouped by namespace, with
/// Alertmanager's default timers (kube-prometheus-stack's default).
pub const DEFAULT_ALERTMANAGER_YML: &str = r#"route:
  receiver: "null"
  group_by: [namespace]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 12h
receivers:
  - name: "null"
"#;

/// How many alert batches and webhook requests wait for a driver that
/// never takes them before the oldest are dropped.
const MAX_PENDING: usize = 1_000;

/// The rule manager's settings in the lab: Prometheus's, except the
/// default evaluation interval, which is the Prometheus Operator's (30s)
/// as the lab runs Prometheus the way the Operator configures it.
pub fn rule_manager_options() -> ManagerOptions {
    ManagerOptions {
        evaluation_interval: 30_000,
        ..ManagerOptions::default()
    }
}

/// The job HTTP targets join when the user names none.
pub const DEFAULT_EXTERNAL_JOB: &str = "external";

/// The `prometheus.yml` the operator generated, read once for its scrape
/// jobs and its notifier's settings; empty when no Prometheus was
/// generated.
fn read_generated(generated: &operator::Generated) -> Result<PrometheusConfig, String> {
    match generated.prometheus_yml() {
        Some(yaml) => PrometheusConfig::parse(yaml)
            .map_err(|e| format!("the generated prometheus.yml: {}", e.render(yaml))),
        None => Ok(PrometheusConfig::default()),
    }
}

/// The generated jobs of monitors that came with the cluster and were not
/// applied from manifests.
fn quiet_jobs(generated: &operator::Generated, objects: &ClusterObjects) -> HashSet<String> {
    generated
        .prometheus
        .first()
        .map(|p| {
            p.jobs
                .iter()
                .filter(|j| objects.is_builtin(&j.source) && !objects.is_applied(&j.source))
                .map(|j| j.config.job_name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Sets every config's interval to `interval`, when one is given.
fn override_interval(configs: &mut [ScrapeConfig], interval: Option<Millis>) {
    if let Some(interval) = interval {
        for cfg in configs {
            cfg.scrape_interval = interval;
            cfg.scrape_timeout = cfg.scrape_timeout.min(interval);
        }
    }
}

impl Lab {
    /// A lab with the default simulated cluster, its history already
    /// scraped up to `options.start`.
    pub fn new(options: LabOptions) -> Self {
        let history = options.history.clamp(0, MAX_STEP);
        let begin = options.start - history;
        let cluster = Cluster::with_options(options.cluster);
        // The built-in jobs are what the Prometheus Operator generates from
        // the simulated cluster's ServiceMonitors, as in a cluster running
        // kube-prometheus-stack; applying manifests later regenerates them.
        let objects = ClusterObjects::from_topology(&Topology::build(&options.cluster));
        let scrape_override = options.scrape_interval.map(|i| i.clamp(1_000, MAX_STEP));
        let generated = operator::generate(&objects, &RenderOptions::default());
        // For the lab's own objects this is not input: a test checks that
        // it parses and covers every simulated target for several cluster
        // shapes, so an error here leaves the lab without jobs rather than
        // stopping it.
        let config = read_generated(&generated).unwrap_or_default();
        let alert_labels = AlertLabels::of(&config);
        let mut configs = config.scrape_configs;
        override_interval(&mut configs, scrape_override);
        let quiet_jobs = quiet_jobs(&generated, &objects);
        let sim_addresses = cluster.targets().into_iter().map(|t| t.address).collect();
        let builtin_jobs = configs.iter().map(|c| c.job_name.clone()).collect();
        // A constant, not input: every lab the tests build parses it.
        #[allow(clippy::expect_used)]
        let am_config = AlertmanagerConfig::parse(DEFAULT_ALERTMANAGER_YML)
            .expect("the default alertmanager.yml parses");
        let mut lab = Lab {
            clock: Clock::new(begin),
            cluster,
            sim_addresses,
            scrape: ScrapeManager::new(&configs, begin),
            head: Head::new(),
            engine: Engine::default(),
            in_flight: BTreeMap::new(),
            outbox: Vec::new(),
            next_request_id: 1,
            retention: options.retention.max(60_000),
            last_retention_check: begin,
            rules: RuleManager::new(rule_manager_options()),
            rule_files: Vec::new(),
            alert_batches: Vec::new(),
            alertmanager: Alertmanager::new(am_config, begin),
            alertmanager_idle_at: None,
            webhooks: Vec::new(),
            last_notified: BTreeMap::new(),
            objects,
            builtin_jobs,
            quiet_jobs,
            alert_labels,
            scrape_override,
            generated_jobs: Vec::new(),
            timeline: None,
        };
        lab.advance_to(options.start);
        lab
    }

    /// Gives the engine a real clock (milliseconds from any origin), so a
    /// query that runs past the engine's timeout (Prometheus's
    /// `--query.timeout`, 2 minutes) stops with a timeout error instead of
    /// holding the lab. The lab itself never reads a clock.
    pub fn set_query_clock(&mut self, clock: promql::engine::ClockFn) {
        self.engine = std::mem::take(&mut self.engine).with_clock(clock);
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Read access to the stored series.
    pub fn querier(&self) -> &dyn Querier {
        &self.head
    }

    /// Runs every scrape due up to and including `t`, in time order, and
    /// leaves the clock at `t`. Times in the past are ignored. Simulated
    /// targets are scraped on the spot; HTTP targets become
    /// [`ScrapeRequest`]s for the driver ([`Lab::take_scrape_requests`]).
    pub fn advance_to(&mut self, t: Timestamp) {
        // A long jump evaluates at most the last evaluations of each group.
        self.rules.skip_missed(t);
        loop {
            let scrape_due = self.scrape.next_due().filter(|(_, due)| *due <= t);
            let rules_due = self.rules.next_evaluation().filter(|due| *due <= t);
            let am_due = Some(self.alertmanager.next_wakeup())
                .filter(|w| *w <= t && self.alertmanager_idle_at != Some(*w));
            // At one instant: the scrapes first, so the rules see the
            // samples stamped then; then the Alertmanager's timers; then
            // the rules (whose alerts the Alertmanager takes after its
            // timers of that instant ran).
            let first = [scrape_due.map(|(_, d)| d), am_due, rules_due]
                .into_iter()
                .flatten()
                .min();
            let Some(first) = first else { break };
            let (index, due) = match scrape_due {
                Some((index, due)) if due == first => (index, due),
                _ => {
                    let _ = self.clock.set(first.max(self.clock.now()));
                    if am_due == Some(first) {
                        let sent = self.alertmanager.advance_to(first);
                        if self.alertmanager.next_wakeup() <= first {
                            self.alertmanager_idle_at = Some(first);
                        }
                        self.deliver(sent);
                    } else {
                        self.evaluate_rules(first);
                    }
                    continue;
                }
            };
            // `due` is never before the clock: targets are scheduled from it.
            let _ = self.clock.set(due);
            let Some(target) = self.scrape.targets().get(index) else {
                break;
            };
            if !self.sim_addresses.contains(&target.address) {
                self.request_scrape(index, due);
                continue;
            }
            let body = self
                .cluster
                .fetch(&target.address, &target.metrics_path, due)
                .map_err(|e| format!("Get \"{}\": {e}", target.scrape_url()));
            // A simulated scrape costs a deterministic few milliseconds,
            // growing with the page, so the duration series has a shape.
            let duration = 0.002 + body.as_ref().map_or(0, String::len) as f64 * 2e-7;
            let outcome = ScrapeOutcome {
                body,
                content_type: None,
                duration,
            };
            let first_scrape = target.last_scrape.is_none();
            self.scrape.ingest(index, due, outcome, &mut self.head);
            if self.timeline.is_some() {
                self.record_scrape(index, due, first_scrape);
            }
        }
        let _ = self.clock.set(t.max(self.clock.now()));
        let now = self.clock.now();
        if now.saturating_sub(self.last_retention_check) >= RETENTION_CHECK_EVERY {
            self.last_retention_check = now;
            self.head
                .truncate_before(now.saturating_sub(self.retention));
        }
    }

    /// Adds the scrape configs of a `prometheus.yml` (its `global` and
    /// `scrape_configs`). Targets at the simulated cluster's addresses are
    /// scraped in the lab; the others over HTTP by the driver. Returns the
    /// jobs added, or the configuration's first error rendered with its
    /// line and column; on an error nothing changes.
    pub fn load_config(&mut self, yaml: &str) -> Result<Vec<String>, String> {
        let config = PrometheusConfig::parse(yaml).map_err(|e| e.render(yaml))?;
        for cfg in &config.scrape_configs {
            if self
                .scrape
                .configs()
                .iter()
                .any(|c| c.job_name == cfg.job_name)
            {
                return Err(format!(
                    "a scrape config with job name {:?} already exists in the lab",
                    cfg.job_name
                ));
            }
        }
        let now = self.clock.now();
        let mut jobs = Vec::new();
        for cfg in config.scrape_configs {
            jobs.push(cfg.job_name.clone());
            self.scrape.add_config(cfg, now);
        }
        Ok(jobs)
    }

    /// Loads samples written as OpenMetrics with timestamps (what
    /// `promlab export` and `promtool tsdb dump-openmetrics` write).
    pub fn import_openmetrics(&mut self, text: &str) -> Result<String, String> {
        let summary = self
            .head
            .import_openmetrics(text)
            .map_err(|e| e.render(text))?;
        Ok(format!(
            "imported {} samples of {} series ({} metric families)",
            summary.samples, summary.series, summary.families
        ))
    }

    /// Hands the scrape of HTTP target `index` due at `due` to the driver,
    /// unless its previous scrape is still in flight (Prometheus never
    /// overlaps two scrapes of one target; that interval is skipped).
    fn request_scrape(&mut self, index: usize, due: Timestamp) {
        self.scrape.begin_scrape(index, due);
        let Some(target) = self.scrape.targets().get(index) else {
            return;
        };
        let url = target.scrape_url();
        let busy = self
            .in_flight
            .values()
            .any(|(job, u, _)| *job == target.scrape_pool && *u == url);
        if busy {
            return;
        }
        let id = self.next_request_id;
        self.next_request_id += 1;
        self.in_flight
            .insert(id, (target.scrape_pool.clone(), url.clone(), due));
        self.outbox.push(ScrapeRequest {
            id,
            job: target.scrape_pool.clone(),
            url,
            accept: exposition::ACCEPT.to_string(),
            timeout: target.timeout,
            due,
        });
    }

    /// The HTTP scrapes that fell due since the last call. The driver
    /// fetches each (the browser with `fetch`, the command line with its
    /// HTTP client) and answers with [`Lab::complete_scrape`].
    pub fn take_scrape_requests(&mut self) -> Vec<ScrapeRequest> {
        std::mem::take(&mut self.outbox)
    }

    /// Stores the result of an HTTP scrape at the time it was due. An
    /// answer to an unknown or already answered request is ignored.
    pub fn complete_scrape(&mut self, response: ScrapeResponse) {
        let Some((job, url, due)) = self.in_flight.remove(&response.id) else {
            return;
        };
        let index = self
            .scrape
            .targets()
            .iter()
            .position(|t| t.scrape_pool == job && t.scrape_url() == url);
        if let Some(index) = index {
            let outcome = ScrapeOutcome {
                body: response.body,
                content_type: response.content_type,
                duration: response.duration,
            };
            let first = self
                .scrape
                .targets()
                .get(index)
                .is_some_and(|t| t.last_scrape.is_none());
            self.scrape.ingest(index, due, outcome, &mut self.head);
            if self.timeline.is_some() {
                self.record_scrape(index, due, first);
            }
        }
    }

    /// Adds an HTTP target: `url` is scraped every `interval` (default
    /// 15s) as job `job` (default `external`).
    pub fn add_target(
        &mut self,
        url: &str,
        job: Option<&str>,
        interval: Option<Millis>,
    ) -> Result<(), String> {
        let parsed =
            url::Url::parse(url).map_err(|e| format!("invalid target URL {url:?}: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "invalid target URL {url:?}: expected an http:// or https:// URL, got scheme {:?}",
                parsed.scheme()
            ));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| format!("invalid target URL {url:?}: expected a host"))?;
        let address = match parsed.port_or_known_default() {
            Some(port) if parsed.port().is_some() => format!("{host}:{port}"),
            _ => host.to_string(),
        };
        let job = job.unwrap_or(DEFAULT_EXTERNAL_JOB).trim();
        if job.is_empty() {
            return Err("the job name must not be empty".into());
        }
        if self.scrape.configs().iter().any(|c| c.job_name == job) {
            return Err(format!(
                "a scrape config with job name {job:?} already exists"
            ));
        }
        let interval = interval.unwrap_or(15_000);
        if !(1_000..=MAX_STEP).contains(&interval) {
            return Err(format!(
                "invalid scrape interval {}: expected between 1s and {}",
                format_duration(interval),
                format_duration(MAX_STEP)
            ));
        }
        let mut cfg = ScrapeConfig::new(job);
        cfg.scheme = parsed.scheme().to_string();
        cfg.metrics_path = match parsed.path() {
            "" | "/" => "/metrics".to_string(),
            p => p.to_string(),
        };
        for (k, v) in parsed.query_pairs() {
            cfg.params
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        cfg.scrape_interval = interval;
        cfg.scrape_timeout = cfg.scrape_timeout.min(interval);
        cfg.targets = vec![(address, Labels::new())];
        self.scrape.add_config(cfg, self.clock.now());
        Ok(())
    }

    /// Answers any request.
    pub fn handle(&mut self, request: &Request) -> Response {
        match request {
            Request::Api(r) => Response::Api(self.api(r)),
            Request::Lab(r) => Response::Lab(self.lab(r)),
        }
    }

    /// Answers a lab control request.
    pub fn lab(&mut self, request: &LabRequest) -> LabResponse {
        match request {
            LabRequest::Status => {}
            LabRequest::Tick { real_ms } => {
                let target = self
                    .clock
                    .real_elapsed(real_ms.clamp(0.0, MAX_TICK_REAL_MS));
                self.advance_to(target);
            }
            LabRequest::Play => self.clock.play(),
            LabRequest::Pause => self.clock.pause(),
            LabRequest::SetSpeed { speed } => {
                if let Err(e) = self.clock.set_speed(*speed) {
                    return LabResponse::Error {
                        message: e.to_string(),
                    };
                }
            }
            LabRequest::Step { ms } => {
                if !(0..=MAX_STEP).contains(ms) {
                    return LabResponse::Error {
                        message: format!(
                            "cannot step the clock by {}: expected a step between 0s and {}",
                            format_duration(*ms),
                            format_duration(MAX_STEP)
                        ),
                    };
                }
                self.advance_to(self.clock.now() + ms);
            }
            LabRequest::Ping { count } => {
                let pings = Scenario::Pings { count: *count };
                if let Err(e) = self.cluster.apply(&pings, self.clock.now()) {
                    return LabResponse::Error {
                        message: e.to_string(),
                    };
                }
            }
            LabRequest::Scenario(scenario) => {
                if let Err(e) = self.cluster.apply(scenario, self.clock.now()) {
                    return LabResponse::Error {
                        message: e.to_string(),
                    };
                }
            }
            LabRequest::AddTarget { url, job, interval } => {
                if let Err(message) = self.add_target(url, job.as_deref(), *interval) {
                    return LabResponse::Error { message };
                }
            }
            LabRequest::LoadConfig { yaml } => {
                if let Err(message) = self.load_config(yaml) {
                    return LabResponse::Error { message };
                }
            }
            LabRequest::ImportOpenMetrics { text } => {
                if let Err(message) = self.import_openmetrics(text) {
                    return LabResponse::Error { message };
                }
            }
            LabRequest::ExportOpenMetrics {
                selector,
                start,
                end,
            } => {
                let end = end.unwrap_or_else(|| self.clock.now());
                let start = start.unwrap_or_else(|| end.saturating_sub(3_600_000));
                if start > end {
                    return LabResponse::Error {
                        message: "the export's start is after its end".into(),
                    };
                }
                return match parse_match_params(std::slice::from_ref(selector)) {
                    Ok(mut sets) => {
                        let matchers = sets.pop().unwrap_or_default();
                        LabResponse::Page {
                            body: crate::tsdb::export_openmetrics(
                                &self.head, &matchers, start, end,
                            ),
                        }
                    }
                    Err(e) => LabResponse::Error {
                        message: e.error.replacen(
                            "invalid parameter \"match[]\"",
                            "the selector",
                            1,
                        ),
                    },
                };
            }
            LabRequest::LoadRules { files } => {
                if let Err(message) = self.load_rules(files) {
                    return LabResponse::Error { message };
                }
            }
            LabRequest::ListRules => {}
            LabRequest::TakeScrapeRequests => {
                return LabResponse::ScrapeRequests {
                    requests: self.take_scrape_requests(),
                }
            }
            LabRequest::CompleteScrape(response) => self.complete_scrape(response.clone()),
            LabRequest::Explain { query, time } => {
                let t = time.unwrap_or(self.clock.now());
                let explained = parse_query(query).and_then(|expr| {
                    promql::engine::explain::explain_with(
                        &self.head,
                        &self.engine.options,
                        &expr,
                        t,
                    )
                    .map_err(execution_error)
                });
                return match explained {
                    Ok(tree) => LabResponse::Explain { tree },
                    Err(e) => LabResponse::Error { message: e.error },
                };
            }
            LabRequest::LoadAlertmanagerConfig { yaml } => {
                if let Err(message) = self.load_alertmanager_config(yaml) {
                    return LabResponse::Error { message };
                }
            }
            LabRequest::ApplyManifests { files, validation } => {
                return match self.apply_manifests(files, *validation) {
                    Ok(applied) => LabResponse::ManifestsApplied(applied),
                    Err(message) => LabResponse::Error { message },
                };
            }
            LabRequest::AlertmanagerAlerts { filter } => {
                self.sync_alertmanager();
                let filter = AlertFilter {
                    filter: filter.clone(),
                    ..AlertFilter::default()
                };
                return match self.alertmanager.api_alerts(&filter) {
                    Ok(alerts) => LabResponse::AlertmanagerAlerts { alerts },
                    Err(e) => LabResponse::Error {
                        message: e.to_string(),
                    },
                };
            }
            LabRequest::AlertmanagerGroups { filter } => {
                self.sync_alertmanager();
                let filter = AlertFilter {
                    filter: filter.clone(),
                    ..AlertFilter::default()
                };
                return match self.alertmanager.api_alert_groups(&filter) {
                    Ok(groups) => LabResponse::AlertmanagerGroups { groups },
                    Err(e) => LabResponse::Error {
                        message: e.to_string(),
                    },
                };
            }
            LabRequest::Silences => {
                self.sync_alertmanager();
                return LabResponse::Silences {
                    silences: self.alertmanager.silences(),
                };
            }
            LabRequest::CreateSilence { silence } => {
                self.sync_alertmanager();
                self.alertmanager_idle_at = None;
                return match self.alertmanager.create_silence(silence) {
                    Ok(id) => LabResponse::SilenceCreated { id },
                    Err(e) => LabResponse::Error {
                        message: e.to_string(),
                    },
                };
            }
            LabRequest::ExpireSilence { id } => {
                self.sync_alertmanager();
                self.alertmanager_idle_at = None;
                if let Err(e) = self.alertmanager.expire_silence(id) {
                    return LabResponse::Error {
                        message: e.to_string(),
                    };
                }
            }
            LabRequest::AlertmanagerStatus => {
                self.sync_alertmanager();
                return LabResponse::AlertmanagerStatus(self.alertmanager.api_status());
            }
            LabRequest::Notifications => {
                self.sync_alertmanager();
                return LabResponse::Notifications {
                    notifications: self.alertmanager.notifications().to_vec(),
                };
            }
            LabRequest::Routes => {
                return LabResponse::Routes {
                    tree: self.alertmanager.routes().to_node(),
                }
            }
            LabRequest::TestRoutes { labels } => {
                return match route_test_labels(labels) {
                    Ok(l) => LabResponse::RoutesTested(self.alertmanager.routes().test(&l)),
                    Err((message, span)) => LabResponse::InputError { message, span },
                };
            }
            LabRequest::ParseMatchers { input } => {
                return match parse_matchers(input) {
                    Ok(parsed) => LabResponse::Matchers {
                        matchers: parsed
                            .matchers
                            .iter()
                            .map(SilenceMatcher::from_matcher)
                            .collect(),
                        warning: parsed.fallback_warning.map(|w| {
                            format!(
                                "only Alertmanager's classic parser reads this ({w}); quote values and regular expressions"
                            )
                        }),
                    },
                    Err(e) => LabResponse::InputError {
                        message: e.message,
                        span: e.span,
                    },
                };
            }
            LabRequest::TakeWebhookRequests => {
                return LabResponse::WebhookRequests {
                    requests: self.take_webhook_requests(),
                }
            }
            LabRequest::RecordTimeline { on } => self.record_timeline(*on),
            LabRequest::TakeTimeline => {
                return LabResponse::Timeline {
                    events: self.take_timeline(),
                }
            }
            LabRequest::TargetPage { scrape_url } => {
                let Some(target) = self
                    .scrape
                    .targets()
                    .iter()
                    .find(|t| &t.scrape_url() == scrape_url)
                else {
                    return LabResponse::Error {
                        message: format!("no target with scrape URL {scrape_url:?}"),
                    };
                };
                return match self.cluster.fetch(
                    &target.address,
                    &target.metrics_path,
                    self.clock.now(),
                ) {
                    Ok(body) => LabResponse::Page { body },
                    Err(e) => LabResponse::Error {
                        message: e.to_string(),
                    },
                };
            }
        }
        LabResponse::Status(self.status())
    }

    pub fn status(&self) -> LabStatus {
        LabStatus {
            now: self.clock.now(),
            running: self.clock.is_running(),
            speed: self.clock.speed(),
            series: self.head.num_series(),
            samples: self.head.num_samples(),
            ping_count: self.cluster.ping_app.count(),
            pending_scrapes: self.outbox.len(),
            http_jobs: self
                .scrape
                .targets()
                .iter()
                .filter(|t| !self.sim_addresses.contains(&t.address))
                .map(|t| t.scrape_pool.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            rule_files: self
                .rule_files
                .iter()
                .map(|(text, file)| RuleFileInfo {
                    name: text.name.clone(),
                    groups: file.groups.len(),
                    rules: file.rule_count(),
                })
                .collect(),
            pending_alert_batches: self.alert_batches.len(),
            pending_webhooks: self.webhooks.len(),
            alertmanager_alerts: self
                .alertmanager
                .alerts()
                .filter(|a| !a.resolved_at(self.clock.now()))
                .count(),
            cluster: self.cluster.overview(self.clock.now()),
        }
    }

    /// Loads rule files (name and YAML), replacing those loaded before as
    /// a reload of Prometheus does: unchanged groups go on as they were,
    /// changed ones keep their alerts, removed ones have their series
    /// marked stale. On an error nothing changes; the message names the
    /// file, the line and column, and what is wrong, for every error.
    pub fn load_rules(&mut self, files: &[RuleFileText]) -> Result<(), String> {
        let parsed = parse_rule_texts(files)?;
        self.commit_rules(parsed);
        Ok(())
    }

    fn commit_rules(&mut self, parsed: Vec<(RuleFileText, RuleFile)>) {
        let named: Vec<(String, RuleFile)> = parsed
            .iter()
            .map(|(t, rf)| (t.name.clone(), rf.clone()))
            .collect();
        self.rules.load(&named, self.clock.now());
        self.rule_files = parsed;
    }

    /// The rule files loaded, as given.
    pub fn rule_files(&self) -> impl Iterator<Item = &RuleFileText> {
        self.rule_files.iter().map(|(t, _)| t)
    }

    /// The rule manager: groups, rules, alerts.
    pub fn rules(&self) -> &RuleManager {
        &self.rules
    }

    /// The alerts the rules sent since the last call, evaluation by
    /// evaluation with their send time, as Alertmanager v2 postable
    /// alerts (with Prometheus's resend delay of 1m: a firing alert is
    /// sent again at the first evaluation more than 1m after the last).
    pub fn take_alert_notifications(&mut self) -> Vec<AlertBatch> {
        std::mem::take(&mut self.alert_batches)
    }

    /// Evaluates the rule groups due at `t`, posts the alerts they send to
    /// the Alertmanager at `t`, and records what changed.
    fn evaluate_rules(&mut self, t: Timestamp) {
        let before = self.timeline.as_ref().map(|_| {
            let times: GroupTimes = self
                .rules
                .groups()
                .iter()
                .map(|g| ((g.file.clone(), g.name.clone()), g.last_evaluation))
                .collect();
            (times, self.alert_states())
        });
        let batches = self.rules.evaluate_due(t, &mut self.engine, &mut self.head);
        if let Some(before) = before {
            self.record_evaluations(t, &before);
        }
        for batch in &batches {
            let alerts: Vec<PostableAlert> = batch
                .alerts
                .iter()
                .filter_map(|a| self.alert_labels.apply(a))
                .collect();
            // Alerts from rules always have a name and valid times; a
            // refused one is dropped as Alertmanager drops it.
            let _ = self.alertmanager.receive(&alerts, t);
            self.alertmanager_idle_at = None;
            if !alerts.is_empty() {
                let sent = batch
                    .alerts
                    .iter()
                    .map(|a| SentAlert {
                        alertname: a.labels.get("alertname").to_string(),
                        resolved: a.ends_at <= batch.sent_at,
                    })
                    .collect();
                let why = sent_why(&batch.alerts, t);
                self.record(
                    t,
                    EventKind::AlertsSent {
                        group: batch.group.clone(),
                        alerts: sent,
                    },
                    why,
                );
            }
        }
        self.alert_batches.extend(batches);
        if self.alert_batches.len() > MAX_PENDING {
            let excess = self.alert_batches.len() - MAX_PENDING;
            self.alert_batches.drain(..excess);
        }
    }

    /// Logs the Alertmanager's notifications and queues their webhooks.
    fn deliver(&mut self, sent: Vec<Notification>) {
        for n in sent {
            if let Some(req) = n.http_request() {
                self.webhooks.push(WebhookDelivery {
                    time: n.time,
                    receiver: n.receiver.clone(),
                    url: req.url,
                    content_type: req.content_type.to_string(),
                    body: req.body,
                });
                if self.webhooks.len() > MAX_PENDING {
                    self.webhooks.drain(..MAX_PENDING / 10);
                }
            }
            let key = (n.receiver.clone(), n.payload.group_key.clone());
            let previous = self.last_notified.insert(key, n.time);
            if self.timeline.is_some() {
                let why = self.notification_why(&n, previous);
                self.record(
                    n.time,
                    EventKind::Notification {
                        receiver: n.receiver.clone(),
                        integration: n.integration.as_str().to_string(),
                        url: n.url.clone(),
                        reason: n.reason.as_str().to_string(),
                        payload: Box::new(n.payload),
                    },
                    why,
                );
            }
        }
    }

    /// The timer behind a notification's time, from the route its group
    /// belongs to.
    fn notification_why(&self, n: &Notification, previous: Option<Timestamp>) -> String {
        let route = self
            .alertmanager
            .routes()
            .routes()
            .iter()
            .filter(|r| {
                r.receiver == n.receiver
                    && n.payload
                        .group_key
                        .strip_prefix(&r.key)
                        .is_some_and(|rest| rest.starts_with(':'))
            })
            .max_by_key(|r| r.key.len());
        let Some(route) = route else {
            return format!("{} of group {}", n.reason.as_str(), n.payload.group_key);
        };
        match (n.reason, previous) {
            (NotifyReason::FirstNotification, _) | (_, None) => format!(
                "group_wait {}: the group's first notification waits {} after its first alert (at {}) for others to join it",
                format_duration(route.group_wait),
                format_duration(route.group_wait),
                format_rfc3339(n.time.saturating_sub(route.group_wait))
            ),
            (NotifyReason::RepeatIntervalElapsed, Some(_)) => format!(
                "repeat_interval {}: the same alerts are notified again once it has passed, at the group's next group_interval ({}) tick",
                format_duration(route.repeat_interval),
                format_duration(route.group_interval)
            ),
            (reason, Some(prev)) => format!(
                "group_interval {}: {} since the group's previous notification at {}; changes wait for the next tick",
                format_duration(route.group_interval),
                reason.as_str(),
                format_rfc3339(prev)
            ),
        }
    }

    /// Every alerting rule's alerts and their states (a resolved alert
    /// counts as inactive), keyed by group, rule and labels.
    fn alert_states(&self) -> AlertStates {
        let mut out = BTreeMap::new();
        for g in self.rules.groups() {
            for rule in &g.rules {
                let Rule::Alerting(r) = rule else { continue };
                for (labels, a) in &r.active {
                    let state = if a.resolved_at.is_some() {
                        AlertState::Inactive
                    } else {
                        a.state
                    };
                    let key = (
                        g.file.clone(),
                        g.name.clone(),
                        r.name.clone(),
                        labels.clone(),
                    );
                    out.insert(key, state);
                }
            }
        }
        out
    }

    /// Records the evaluations at `t` and the alert states they changed.
    fn record_evaluations(&mut self, t: Timestamp, (previous, before): &(GroupTimes, AlertStates)) {
        let after = self.alert_states();
        let mut events = Vec::new();
        for g in self.rules.groups() {
            if g.last_evaluation != Some(t) {
                continue;
            }
            let interval = format_duration(g.interval);
            let why = match previous.get(&(g.file.clone(), g.name.clone())) {
                Some(Some(_)) => format!("evaluation_interval {interval} of group {:?}", g.name),
                _ => format!(
                    "first evaluation: at the group's offset in its evaluation_interval {interval} (a hash of its file and name)"
                ),
            };
            events.push((
                EventKind::Evaluation {
                    file: g.file.clone(),
                    group: g.name.clone(),
                },
                why,
            ));
            for rule in &g.rules {
                let Rule::Alerting(r) = rule else { continue };
                let keys: BTreeSet<&Labels> = r
                    .active
                    .keys()
                    .chain(
                        before
                            .keys()
                            .filter(|k| k.0 == g.file && k.1 == g.name && k.2 == r.name)
                            .map(|k| &k.3),
                    )
                    .collect();
                for labels in keys {
                    let key = (
                        g.file.clone(),
                        g.name.clone(),
                        r.name.clone(),
                        labels.clone(),
                    );
                    let from = before.get(&key).copied().unwrap_or_default();
                    let to = after.get(&key).copied().unwrap_or_default();
                    if from == to {
                        continue;
                    }
                    let expr = r.expr.to_string();
                    let hold = format_duration(r.hold);
                    let why = match to {
                        AlertState::Pending => format!(
                            "`{expr}` returned this series at the evaluation (evaluation_interval {interval}); pending until it has held for {hold} (for)"
                        ),
                        AlertState::Firing if from == AlertState::Pending => {
                            let since = r.active.get(labels).map_or(t, |a| a.active_at);
                            format!(
                                "pending since {}: held for {} >= for {hold}, at the first evaluation after that (evaluation_interval {interval})",
                                format_rfc3339(since),
                                format_duration(t.saturating_sub(since))
                            )
                        }
                        AlertState::Firing => format!(
                            "`{expr}` returned this series at the evaluation (evaluation_interval {interval}) and the rule has no for: firing at once"
                        ),
                        AlertState::Inactive => format!(
                            "`{expr}` no longer returned this series at the evaluation (evaluation_interval {interval}): resolved"
                        ),
                    };
                    events.push((
                        EventKind::AlertState {
                            alertname: r.name.clone(),
                            labels: labels.clone(),
                            from,
                            to,
                        },
                        why,
                    ));
                }
            }
        }
        for (kind, why) in events {
            self.record(t, kind, why);
        }
    }

    /// Records the scrape of target `index` at `t`.
    fn record_scrape(&mut self, index: usize, t: Timestamp, first: bool) {
        let Some(target) = self.scrape.targets().get(index) else {
            return;
        };
        if self.quiet_jobs.contains(&target.scrape_pool) {
            return;
        }
        let interval = format_duration(target.interval);
        let why = if first {
            format!(
                "first scrape: at the target's offset in its scrape_interval {interval} (a hash of its labels spreads targets over the interval)"
            )
        } else {
            format!(
                "scrape_interval {interval} of job {:?}",
                target.labels.get("job")
            )
        };
        let kind = EventKind::Scrape {
            job: target.labels.get("job").to_string(),
            instance: target.labels.get("instance").to_string(),
            up: target.health == Health::Up,
        };
        self.record(t, kind, why);
    }

    fn record(&mut self, time: Timestamp, kind: EventKind, why: String) {
        if let Some(events) = &mut self.timeline {
            if events.len() >= MAX_EVENTS {
                // The oldest tenth goes at once, so each event is moved
                // a few times at most.
                events.drain(..MAX_EVENTS / 10);
            }
            events.push(TimelineEvent { time, kind, why });
        }
    }

    /// Starts recording the timeline (keeping what was recorded), or
    /// stops and drops it.
    pub fn record_timeline(&mut self, on: bool) {
        match (on, self.timeline.is_some()) {
            (true, false) => self.timeline = Some(Vec::new()),
            (false, _) => self.timeline = None,
            (true, true) => {}
        }
    }

    /// The timeline recorded since the last call, in time order.
    pub fn take_timeline(&mut self) -> Vec<TimelineEvent> {
        self.timeline
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Runs the Alertmanager's timers up to the lab's time, so what it
    /// answers and what it is told happen "now".
    fn sync_alertmanager(&mut self) {
        let sent = self.alertmanager.advance_to(self.clock.now());
        self.deliver(sent);
    }

    /// The lab's Alertmanager.
    pub fn alertmanager(&self) -> &Alertmanager {
        &self.alertmanager
    }

    /// Loads an `alertmanager.yml` as Alertmanager reloads one (silences
    /// and the notification log stay). On an error nothing changes; the
    /// message has the line and column.
    pub fn load_alertmanager_config(&mut self, yaml: &str) -> Result<(), String> {
        let config = AlertmanagerConfig::parse(yaml).map_err(|e| e.render(yaml))?;
        self.sync_alertmanager();
        self.alertmanager.reload(config);
        self.alertmanager_idle_at = None;
        Ok(())
    }

    /// The webhook POSTs the Alertmanager sent since the last call, for
    /// the driver to perform (the lab does no I/O).
    pub fn take_webhook_requests(&mut self) -> Vec<WebhookDelivery> {
        std::mem::take(&mut self.webhooks)
    }

    /// Applies Kubernetes manifests to the lab's simulated cluster as
    /// `kubectl apply` does (documents with errors are refused, the rest
    /// applied) and runs what the Prometheus Operator generates for the
    /// Prometheus and Alertmanager resources applied, or the lab's
    /// defaults: the generated scrape jobs replace the simulated cluster's
    /// built-in ones (and those of manifests applied before), the
    /// generated rule files replace the rules, the generated
    /// `alertmanager.yml` is loaded. When a generated file does not load,
    /// nothing changes and the error says which.
    pub fn apply_manifests(
        &mut self,
        files: &[ManifestText],
        validation: FieldValidation,
    ) -> Result<ManifestsApplied, String> {
        let files: Vec<ManifestFile> = files
            .iter()
            .map(|f| ManifestFile::new(f.name.clone(), f.text.clone()))
            .collect();
        let mut objects = self.objects.clone();
        let options = LoadOptions {
            validation,
            ..LoadOptions::default()
        };
        let applied = operator::apply(&mut objects, &files, &options);
        let generated = operator::generate(&objects, &RenderOptions::default());
        let config = read_generated(&generated)?;
        let alert_labels = AlertLabels::of(&config);
        let mut scrape = config.scrape_configs;
        override_interval(&mut scrape, self.scrape_override);
        let kept: Vec<ScrapeConfig> = self
            .scrape
            .configs()
            .iter()
            .filter(|c| {
                !self.builtin_jobs.contains(&c.job_name)
                    && !self.generated_jobs.contains(&c.job_name)
            })
            .cloned()
            .collect();
        if let Some(clash) = scrape
            .iter()
            .find(|c| kept.iter().any(|k| k.job_name == c.job_name))
        {
            return Err(format!(
                "a scrape config with job name {:?} already exists in the lab",
                clash.job_name
            ));
        }
        let rule_texts: Vec<RuleFileText> = generated
            .rule_files()
            .iter()
            .map(|r| RuleFileText {
                name: r.name.clone(),
                yaml: r.yaml.clone(),
            })
            .collect();
        let rules = parse_rule_texts(&rule_texts)?;
        let am_config = match generated.alertmanager_yml() {
            Some(yaml) => Some(
                AlertmanagerConfig::parse(yaml)
                    .map_err(|e| format!("the generated alertmanager.yml: {}", e.render(yaml)))?,
            ),
            None => None,
        };

        let quiet = quiet_jobs(&generated, &objects);
        // Everything loads: commit.
        let report = operator::Report {
            files,
            issues: applied.issues,
            refused: applied.refused,
            applied: applied.applied,
            prometheus: generated.prometheus,
            alertmanager: generated.alertmanager,
            default_prometheus: generated.default_prometheus,
            default_alertmanager: generated.default_alertmanager,
        };
        let now = self.clock.now();
        self.generated_jobs = scrape.iter().map(|c| c.job_name.clone()).collect();
        self.quiet_jobs = quiet;
        self.alert_labels = alert_labels;
        let configs: Vec<ScrapeConfig> = kept.into_iter().chain(scrape).collect();
        // A new scrape manager: the replaced jobs' targets go, the kept
        // ones start their schedule again.
        self.scrape = ScrapeManager::new(&configs, now);
        self.commit_rules(rules);
        if let Some(config) = am_config {
            self.sync_alertmanager();
            self.alertmanager.reload(config);
            self.alertmanager_idle_at = None;
        }
        self.objects = objects;
        Ok(manifests_applied(&report, &configs))
    }

    /// Answers a Prometheus API request.
    pub fn api(&mut self, request: &ApiRequest) -> ApiResponse {
        let answer = match request {
            ApiRequest::Query { .. } | ApiRequest::QueryRange { .. } => self.query(request),
            other => self.try_api(other).map(ApiResponse::success),
        };
        answer.unwrap_or_else(ApiResponse::Error)
    }

    /// Answers a query with its value and the engine's warnings and infos
    /// (with their positions in the query, as Prometheus words them).
    fn query(&self, request: &ApiRequest) -> Result<ApiResponse, ApiError> {
        let (query, evaluation) = match request {
            ApiRequest::Query { query, time } => {
                let expr = parse_query(query)?;
                let t = time.unwrap_or(self.clock.now());
                let evaluation = self
                    .engine
                    .instant(&self.head, &expr, t)
                    .map_err(execution_error)?;
                (query, evaluation)
            }
            ApiRequest::QueryRange {
                query,
                start,
                end,
                step,
            } => {
                let expr = parse_query(query)?;
                if end < start {
                    return Err(ApiError::new(
                        ErrorType::BadData,
                        "end timestamp must not be before start time",
                    ));
                }
                if *step <= 0 {
                    return Err(ApiError::new(
                        ErrorType::BadData,
                        "zero or negative query resolution step widths are not accepted. Try a positive integer",
                    ));
                }
                if (i128::from(*end) - i128::from(*start)) / i128::from(*step)
                    > i128::from(MAX_POINTS_PER_SERIES)
                {
                    return Err(ApiError::new(
                        ErrorType::BadData,
                        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
                    ));
                }
                let evaluation = self
                    .engine
                    .range(&self.head, &expr, *start, *end, *step)
                    .map_err(execution_error)?;
                (query, evaluation)
            }
            other => return self.try_api(other).map(ApiResponse::success),
        };
        Ok(ApiResponse::Success {
            warnings: evaluation.warnings(query),
            infos: evaluation.infos(query),
            data: ApiData::Query(to_result(evaluation.value)),
        })
    }

    fn try_api(&self, request: &ApiRequest) -> Result<ApiData, ApiError> {
        match request {
            ApiRequest::Query { .. } | ApiRequest::QueryRange { .. } => {
                match self.query(request)? {
                    ApiResponse::Success { data, .. } => Ok(data),
                    ApiResponse::Error(e) => Err(e),
                }
            }
            ApiRequest::Series {
                matchers,
                start,
                end,
            } => {
                if matchers.is_empty() {
                    return Err(ApiError::new(
                        ErrorType::BadData,
                        "no match[] parameter provided",
                    ));
                }
                let (mint, maxt) = (start.unwrap_or(i64::MIN), end.unwrap_or(i64::MAX));
                let mut out = BTreeSet::new();
                for set in parse_match_params(matchers)? {
                    out.extend(
                        self.head
                            .select(&set, mint, maxt)
                            .into_iter()
                            .map(|s| s.labels),
                    );
                }
                Ok(ApiData::Series(out.into_iter().collect()))
            }
            ApiRequest::Labels { matchers, .. } => {
                let mut names = BTreeSet::new();
                if matchers.is_empty() {
                    names.extend(self.head.label_names(&[]));
                }
                for set in parse_match_params(matchers)? {
                    names.extend(self.head.label_names(&set));
                }
                Ok(ApiData::Strings(names.into_iter().collect()))
            }
            ApiRequest::LabelValues { name, matchers, .. } => {
                let mut values = BTreeSet::new();
                if matchers.is_empty() {
                    values.extend(self.head.label_values(name, &[]));
                }
                for set in parse_match_params(matchers)? {
                    values.extend(self.head.label_values(name, &set));
                }
                Ok(ApiData::Strings(values.into_iter().collect()))
            }
            ApiRequest::Targets => Ok(ApiData::Targets(TargetsData {
                active_targets: self
                    .scrape
                    .targets()
                    .iter()
                    .map(|t| ActiveTarget {
                        discovered_labels: t.discovered_labels.clone(),
                        labels: t.labels.clone(),
                        scrape_pool: t.scrape_pool.clone(),
                        scrape_url: t.scrape_url(),
                        global_url: t.scrape_url(),
                        last_error: t.last_error.clone(),
                        last_scrape: t
                            .last_scrape
                            .map_or_else(|| "0001-01-01T00:00:00Z".to_string(), format_rfc3339),
                        last_scrape_duration: t.last_scrape_duration,
                        health: t.health.as_str().to_string(),
                        scrape_interval: format_duration(t.interval),
                        scrape_timeout: format_duration(t.timeout),
                    })
                    .collect(),
                dropped_targets: self
                    .scrape
                    .dropped_targets()
                    .iter()
                    .map(|d| DroppedTarget {
                        discovered_labels: d.discovered_labels.clone(),
                    })
                    .collect(),
            })),
            ApiRequest::Rules => Ok(ApiData::Rules(self.rules.rule_groups())),
            ApiRequest::Alerts => Ok(ApiData::Alerts(self.rules.alerts())),
            ApiRequest::TsdbStatus => {
                let st = self.head.stats();
                let rows = |v: &[crate::tsdb::StatEntry]| {
                    v.iter()
                        .map(|e| NameValue {
                            name: e.name.clone(),
                            value: e.value,
                        })
                        .collect()
                };
                Ok(ApiData::TsdbStatus(TsdbStatus {
                    head_stats: TsdbHeadStats {
                        num_series: st.series as u64,
                        num_label_pairs: st.label_pairs as u64,
                        chunk_count: st.chunks as u64,
                        // Prometheus's values for an empty head.
                        min_time: st.min_time.unwrap_or(i64::MAX),
                        max_time: st.max_time.unwrap_or(i64::MIN),
                        num_samples: st.samples as u64,
                        chunk_bytes: st.chunk_bytes as u64,
                        bytes_per_sample: st.bytes_per_sample,
                    },
                    series_count_by_metric_name: rows(&st.series_count_by_metric_name),
                    label_value_count_by_label_name: rows(&st.label_value_count_by_label_name),
                    memory_in_bytes_by_label_name: rows(&st.memory_in_bytes_by_label_name),
                    series_count_by_label_value_pair: rows(&st.series_count_by_label_value_pair),
                }))
            }
            ApiRequest::StatusConfig => {
                // The scrape configs as Prometheus would be configured to run
                // them: the simulated cluster's jobs (as the Operator
                // generates them) and the ones added since.
                let config = PrometheusConfig {
                    scrape_configs: self.scrape.configs().to_vec(),
                    ..PrometheusConfig::default()
                };
                Ok(ApiData::Config(ConfigData {
                    yaml: config.to_yaml(),
                }))
            }
            ApiRequest::Metadata { metric, limit } => {
                let mut out = std::collections::BTreeMap::new();
                for (name, md) in self.head.all_metadata() {
                    if metric.as_deref().is_some_and(|m| m != name) {
                        continue;
                    }
                    if limit.is_some_and(|l| out.len() >= l) {
                        break;
                    }
                    out.insert(
                        name.to_string(),
                        vec![MetricMetadata {
                            metric_type: md.metric_type.as_str().to_string(),
                            help: md.help.clone(),
                            unit: md.unit.clone(),
                        }],
                    );
                }
                Ok(ApiData::Metadata(out))
            }
            ApiRequest::FormatQuery { query } => {
                let expr = parse_query(query)?;
                Ok(ApiData::Text(promql::format_pretty(&expr)))
            }
        }
    }
}

/// Parses rule files; every error with its file, line and column.
/// The labels of a route test: matchers in Alertmanager's syntax, each
/// an equality (`amtool config routes test` refuses the others).
fn route_test_labels(input: &str) -> Result<Labels, (String, Span)> {
    let parsed = parse_matchers(input).map_err(|e| (e.message, e.span))?;
    let mut labels = Labels::new();
    for m in parsed.matchers {
        if m.op != MatchOp::Equal {
            return Err((
                format!(
                    "labels must be given as name=value pairs, not {}",
                    matcher_string(&m)
                ),
                Span::new(0, input.len()),
            ));
        }
        labels.set(m.name, m.value);
    }
    Ok(labels)
}

fn parse_rule_texts(files: &[RuleFileText]) -> Result<Vec<(RuleFileText, RuleFile)>, String> {
    let mut parsed = Vec::new();
    let mut errors = String::new();
    for f in files {
        if files.iter().filter(|o| o.name == f.name).count() > 1 {
            errors.push_str(&format!("{}: the file is given twice\n", f.name));
            continue;
        }
        match parse_rule_file(&f.yaml) {
            Ok(rf) => parsed.push((f.clone(), rf)),
            Err(errs) => {
                for e in errs {
                    errors.push_str(&format!("{}:{}", f.name, e.render(&f.yaml)));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

/// Why Prometheus posts these alerts at `t`: they changed at this
/// evaluation, or the resend delay passed.
fn sent_why(alerts: &[AlertToSend], t: Timestamp) -> String {
    let mut reasons = BTreeSet::new();
    for a in alerts {
        reasons.insert(if a.ends_at == t {
            "resolved at this evaluation: sent at once"
        } else if a.ends_at < t {
            "resolved: sent again after the 1m resend delay (Prometheus resends resolved alerts while it keeps them, 15m)"
        } else if a.starts_at == t {
            "fired at this evaluation: sent at once"
        } else {
            "still firing: sent again at the first evaluation more than the 1m resend delay after the last send"
        });
    }
    reasons.into_iter().collect::<Vec<_>>().join("; ")
}

/// The notifier's relabelling: `global.external_labels` added to each
/// alert where it lacks them, then `alerting.alert_relabel_configs` and the
/// Alertmanager's own `alert_relabel_configs`. (kube-prometheus-stack's
/// Prometheus adds `prometheus` and `prometheus_replica`, and drops the
/// replica so both replicas' alerts are one.)
#[derive(Debug, Clone, Default)]
struct AlertLabels {
    external: Labels,
    relabel: Vec<RelabelConfig>,
}

impl AlertLabels {
    fn of(config: &PrometheusConfig) -> Self {
        let mut relabel = config.alerting.alert_relabel_configs.clone();
        if let Some(am) = config.alerting.alertmanagers.first() {
            relabel.extend(am.alert_relabel_configs.iter().cloned());
        }
        AlertLabels {
            external: config.global.external_labels.clone(),
            relabel,
        }
    }

    /// The alert as posted, or `None` when relabelling drops it.
    fn apply(&self, a: &AlertToSend) -> Option<PostableAlert> {
        let mut b = Builder::new(a.labels.clone());
        for l in self.external.iter() {
            if b.get(&l.name).is_empty() {
                b.set(&l.name, &l.value);
            }
        }
        if !process_builder(&mut b, &self.relabel) {
            return None;
        }
        let labels = b.labels();
        Some(postable(a, &labels))
    }
}

/// A rule evaluation's alert as Prometheus's notifier posts it, with its
/// labels after relabelling.
fn postable(a: &AlertToSend, labels: &Labels) -> PostableAlert {
    PostableAlert {
        labels: labels
            .iter()
            .map(|l| (l.name.clone(), l.value.clone()))
            .collect(),
        annotations: a.annotations.clone().into_iter().collect(),
        starts_at: Some(format_rfc3339(a.starts_at)),
        ends_at: Some(format_rfc3339(a.ends_at)),
        generator_url: a.generator_url.clone(),
    }
}

/// The operator's report in words, with the lab's jobs after it.
fn manifests_applied(report: &operator::Report, configs: &[ScrapeConfig]) -> ManifestsApplied {
    let name = |i: usize| report.files.get(i).map_or("", |f| f.name.as_str());
    let mut not_selected = Vec::new();
    for p in &report.prometheus {
        let s = &p.selection;
        for d in s
            .service_monitors
            .iter()
            .chain(&s.pod_monitors)
            .chain(&s.rules)
        {
            if !d.selected() {
                not_selected.push(format!("{}: {}", d.object, d.reasons.join("; and ")));
            }
        }
    }
    for a in &report.alertmanager {
        for d in &a.selection {
            if !d.selected() {
                not_selected.push(format!("{}: {}", d.object, d.reasons.join("; and ")));
            }
        }
    }
    ManifestsApplied {
        issues: report
            .issues
            .iter()
            .filter_map(|fi| {
                let f = report.files.get(fi.file)?;
                Some(fi.issue.render(&f.text, &f.name).trim_end().to_string())
            })
            .collect(),
        refused: report
            .refused
            .iter()
            .map(|(i, r)| format!("{r} in {}: {} error(s)", name(*i), r.errors))
            .collect(),
        applied: report.applied.iter().map(ToString::to_string).collect(),
        not_selected,
        jobs: configs.iter().map(|c| c.job_name.clone()).collect(),
        rule_files: report
            .prometheus
            .first()
            .map(|p| p.rule_files.iter().map(|r| r.name.clone()).collect())
            .unwrap_or_default(),
        report: report.to_text(),
    }
}

/// Parses a query parameter, with Prometheus's error and the span.
fn parse_query(query: &str) -> Result<Expr, ApiError> {
    promql::parse(query).map_err(|e| {
        let pos = e.to_diagnostic().position(query);
        ApiError {
            error_type: ErrorType::BadData,
            error: format!("invalid parameter \"query\": {pos}: {e}"),
            span: Some(e.span),
        }
    })
}

/// Parses `match[]` parameters; each must be a vector selector.
fn parse_match_params(params: &[String]) -> Result<Vec<Vec<Matcher>>, ApiError> {
    params
        .iter()
        .map(|p| match promql::parse(p) {
            Ok(Expr::VectorSelector(vs)) => Ok(vs.matchers),
            Ok(other) => Err(ApiError {
                error_type: ErrorType::BadData,
                error: format!(
                    "invalid parameter \"match[]\": 1:1: parse error: expected a series selector, got {}",
                    other.value_type().describe()
                ),
                span: Some(other.span()),
            }),
            Err(e) => Err(ApiError {
                error_type: ErrorType::BadData,
                error: format!(
                    "invalid parameter \"match[]\": {}: {e}",
                    e.to_diagnostic().position(p)
                ),
                span: Some(e.span),
            }),
        })
        .collect()
}

fn execution_error(e: promql::EvalError) -> ApiError {
    let error_type = match e {
        promql::EvalError::Stopped(promql::engine::StopReason::Timeout) => ErrorType::Timeout,
        promql::EvalError::Stopped(promql::engine::StopReason::Cancelled) => ErrorType::Canceled,
        _ => ErrorType::Execution,
    };
    ApiError::new(error_type, e.to_string())
}

fn to_result(value: Value) -> QueryResult {
    match value {
        Value::Scalar { t, v } => QueryResult::Scalar(Point { t, v }),
        Value::String { t, v } => QueryResult::String(StringPoint { t, v }),
        Value::Vector(samples) => QueryResult::Vector(
            samples
                .into_iter()
                .map(|s| VectorSample {
                    metric: s.labels,
                    value: Point { t: s.t, v: s.v },
                })
                .collect(),
        ),
        Value::Matrix(series) => QueryResult::Matrix(
            series
                .into_iter()
                .map(|s| MatrixSeries {
                    metric: s.labels,
                    values: s.points.into_iter().map(|(t, v)| Point { t, v }).collect(),
                })
                .collect(),
        ),
    }
}
