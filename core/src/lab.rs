//! The facade over the whole engine: a [`Lab`] owns the clock, the simulated
//! cluster, the scrape manager, the TSDB and the PromQL engine, and answers
//! [`Request`]s. The web app (directly or through a Web Worker), the CLI
//! and the tests all drive a `Lab`; nothing else reaches inside it.
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

use crate::api::{
    format_rfc3339, ActiveTarget, ApiData, ApiError, ApiRequest, ApiResponse, ConfigData,
    DroppedTarget, ErrorType, LabRequest, LabResponse, LabStatus, MatrixSeries, MetricMetadata,
    NameValue, Point, QueryResult, Request, Response, RuleFileInfo, RuleFileText, ScrapeRequest,
    ScrapeResponse, StringPoint, TargetsData, TsdbHeadStats, TsdbStatus, VectorSample,
};
use crate::clock::{Clock, Millis, Timestamp};
use crate::duration::format_duration;
use crate::exposition;
use crate::labels::{Labels, Matcher};
use crate::promql::{self, Engine, Expr, Value};
use crate::rules::config::{parse_rule_file, RuleFile};
use crate::rules::manager::{AlertBatch, ManagerOptions, RuleManager};
use crate::scrape::{PrometheusConfig, ScrapeConfig, ScrapeManager, ScrapeOutcome};
use crate::sim::{Cluster, ClusterOptions, Scenario};
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
    /// Alerts the rules produced for an Alertmanager, not yet taken.
    alert_batches: Vec<AlertBatch>,
}

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

impl Lab {
    /// A lab with the default simulated cluster, its history already
    /// scraped up to `options.start`.
    pub fn new(options: LabOptions) -> Self {
        let history = options.history.clamp(0, MAX_STEP);
        let begin = options.start - history;
        let cluster = Cluster::with_options(options.cluster);
        let mut configs: Vec<ScrapeConfig> = Vec::new();
        for t in cluster.targets() {
            let i = match configs.iter().position(|c| c.job_name == t.job) {
                Some(i) => i,
                None => {
                    // As the Prometheus Operator turns each ServiceMonitor
                    // endpoint into a scrape config.
                    let mut cfg = ScrapeConfig::new(t.job.clone());
                    let interval = options
                        .scrape_interval
                        .unwrap_or(t.scrape_interval)
                        .clamp(1_000, MAX_STEP);
                    cfg.scrape_interval = interval;
                    cfg.scrape_timeout = cfg.scrape_timeout.min(interval);
                    cfg.metrics_path = t.metrics_path.clone();
                    cfg.honor_labels = t.honor_labels;
                    configs.push(cfg);
                    configs.len() - 1
                }
            };
            configs[i]
                .targets
                .push((t.address.clone(), t.labels.clone()));
        }
        let sim_addresses = cluster.targets().into_iter().map(|t| t.address).collect();
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
        };
        lab.advance_to(options.start);
        lab
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
            let (index, due) = match (scrape_due, rules_due) {
                // A scrape at the same instant as an evaluation comes
                // first, so the rules see the samples stamped then.
                (Some((index, due)), r) if r.is_none_or(|r| due <= r) => (index, due),
                (_, Some(r)) => {
                    let _ = self.clock.set(r.max(self.clock.now()));
                    let batches = self.rules.evaluate_due(r, &mut self.engine, &mut self.head);
                    self.alert_batches.extend(batches);
                    continue;
                }
                _ => break,
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
            self.scrape.ingest(index, due, outcome, &mut self.head);
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
            self.scrape.ingest(index, due, outcome, &mut self.head);
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
        }
    }

    /// Loads rule files (name and YAML), replacing those loaded before as
    /// a reload of Prometheus does: unchanged groups go on as they were,
    /// changed ones keep their alerts, removed ones have their series
    /// marked stale. On an error nothing changes; the message names the
    /// file, the line and column, and what is wrong, for every error.
    pub fn load_rules(&mut self, files: &[RuleFileText]) -> Result<(), String> {
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
        if !errors.is_empty() {
            return Err(errors);
        }
        let named: Vec<(String, RuleFile)> = parsed
            .iter()
            .map(|(t, rf)| (t.name.clone(), rf.clone()))
            .collect();
        self.rules.load(&named, self.clock.now());
        self.rule_files = parsed;
        Ok(())
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
