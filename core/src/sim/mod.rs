//! The simulated Kubernetes cluster: the lab's default data source.
//!
//! A [`Cluster`] holds a few nodes (by default a control-plane node, a
//! worker and a node with two GPUs) and the exporters a
//! kube-prometheus-stack installation scrapes on them:
//!
//! - node_exporter on every node ([`node_exporter`]),
//! - kube-state-metrics, once ([`kube_state_metrics`]),
//! - NVIDIA's DCGM exporter on every GPU node ([`dcgm`]),
//! - the training material's example app `prom-example` ([`ping_app`]).
//!
//! Each answers an HTTP GET ([`Cluster::fetch`]) with the exposition text
//! the real program would serve, computed from the cluster's state and the
//! virtual time. [`Cluster::targets`] lists them with the labels the
//! Prometheus Operator's ServiceMonitors attach. Values come from
//! deterministic curves ([`dynamics`]) keyed by the seed: the same seed and
//! the same fetch times give byte-identical pages. [`Cluster::apply`] runs
//! a [`Scenario`]: reboot a node, make one NotReady, stop an exporter, send
//! pings, restart the app.
//!
//! The cluster comes into being when it is first observed: the first
//! [`Cluster::fetch`] or [`Cluster::apply`] fixes "now", and the nodes' boot
//! times, the pods' creation times and the processes' start times are
//! placed before it (nodes have been up for weeks, the app for days).
//!
//! ```
//! use promlab_core::sim::Cluster;
//! let mut cluster = Cluster::new(1);
//! let t = 1_767_225_600_000;
//! for target in cluster.targets() {
//!     let page = cluster.fetch(&target.address, &target.metrics_path, t).unwrap();
//!     assert!(promlab_core::exposition::parse(&page).is_ok());
//! }
//! ```

pub mod dcgm;
pub mod dynamics;
pub mod go_runtime;
pub mod kube_state_metrics;
pub mod node_exporter;
mod page;
pub mod ping_app;
pub mod scenario;
pub mod topology;

pub use ping_app::PingApp;
pub use scenario::{Exporter, Scenario, ScenarioError};

use crate::clock::{Millis, Timestamp};
use crate::labels::Labels;
use dynamics::{Key, DAY, MINUTE, SECOND};
use go_runtime::GoProcess;
use serde::{Deserialize, Serialize};
use std::fmt;
use topology::Topology;

/// Why a simulated fetch failed, as an HTTP client would report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Nothing listens at this address.
    ConnectionRefused(String),
    /// Something listens, but not at this path.
    NotFound { address: String, path: String },
    /// The host does not answer at all (it is down or rebooting); the
    /// scrape runs into its timeout.
    Timeout(String),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::ConnectionRefused(addr) => {
                write!(f, "dial tcp {addr}: connect: connection refused")
            }
            FetchError::NotFound { .. } => f.write_str("server returned HTTP status 404 Not Found"),
            FetchError::Timeout(_) => f.write_str("context deadline exceeded"),
        }
    }
}

/// A scrape target the cluster offers, with the labels service discovery
/// would attach to it.
#[derive(Debug, Clone, PartialEq)]
pub struct SimTarget {
    /// The job this target belongs to.
    pub job: String,
    /// `host:port`
    pub address: String,
    pub metrics_path: String,
    /// Target labels beyond `job` and `instance` (namespace, pod, ...).
    pub labels: Labels,
    /// Whether the ServiceMonitor sets `honorLabels: true` (the page's
    /// labels win over the target's on conflict), as kube-prometheus-stack
    /// does for kube-state-metrics.
    pub honor_labels: bool,
    /// The interval the ServiceMonitor asks for, or Prometheus's default
    /// in kube-prometheus-stack (30s) when it sets none.
    pub scrape_interval: Millis,
}

/// The shape of a cluster. Values out of range are clamped: 1 to
/// [`topology::MAX_NODES`] nodes, at most `nodes` GPU nodes, 1 to
/// [`topology::MAX_GPUS_PER_NODE`] GPUs per GPU node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterOptions {
    pub nodes: usize,
    /// How many of the nodes (the last ones) carry GPUs.
    pub gpu_nodes: usize,
    pub gpus_per_node: usize,
    /// Fixes every random choice of the simulation.
    pub seed: u64,
}

impl Default for ClusterOptions {
    /// Three nodes, the last one with two GPUs, seed 1.
    fn default() -> Self {
        ClusterOptions {
            nodes: 3,
            gpu_nodes: 1,
            gpus_per_node: 2,
            seed: 1,
        }
    }
}

/// How long a rebooting host does not answer at all, and then how long
/// until the exporters on it listen again.
pub const REBOOT_UNREACHABLE: Millis = 30 * SECOND;
pub const REBOOT_SERVICES_UP: Millis = 45 * SECOND;

/// How long the node controller waits for a kubelet's status before it
/// marks the node's conditions Unknown (`--node-monitor-grace-period`).
pub const NODE_MONITOR_GRACE: Millis = 40 * SECOND;

/// A node's state beyond its spec.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeState {
    pub boot: Timestamp,
    /// When the kubelet stopped posting status, if it has.
    pub kubelet_stopped: Option<Timestamp>,
    /// Until when the host answers nothing (while it reboots).
    pub unreachable_until: Timestamp,
    pub key: Key,
}

impl NodeState {
    /// Whether the node controller has marked the node's conditions
    /// Unknown by `t`.
    pub fn unknown_at(&self, t: Timestamp) -> bool {
        self.kubelet_stopped
            .is_some_and(|since| t >= since.saturating_add(NODE_MONITOR_GRACE))
    }
}

/// A container's state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ContainerState {
    pub restarts: u32,
    /// When the current run started (or will start, after a reboot).
    pub started: Timestamp,
    /// False while the container is stopped (crashing).
    pub running: bool,
}

impl ContainerState {
    pub fn running_at(&self, t: Timestamp) -> bool {
        self.running && t >= self.started
    }
}

/// What listens at an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    NodeExporter(usize),
    KubeStateMetrics,
    Dcgm(usize),
    PingApp,
}

/// One exporter instance: what it is, its pod and port.
#[derive(Debug, Clone, PartialEq)]
struct Instance {
    endpoint: Endpoint,
    pod: usize,
    address: String,
}

/// The simulated cluster and everything running in it.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub ping_app: PingApp,
    options: ClusterOptions,
    topology: Topology,
    nodes: Vec<NodeState>,
    /// Container states, by pod then container.
    containers: Vec<Vec<ContainerState>>,
    /// node_exporter's Go process on each node.
    node_exporters: Vec<GoProcess>,
    instances: Vec<Instance>,
    /// The first time the cluster was observed; `None` before that.
    epoch: Option<Timestamp>,
    now: Timestamp,
}

impl Cluster {
    /// The default cluster ([`ClusterOptions::default`]) with `seed`.
    pub fn new(seed: u64) -> Self {
        Cluster::with_options(ClusterOptions {
            seed,
            ..ClusterOptions::default()
        })
    }

    pub fn with_options(options: ClusterOptions) -> Self {
        let topology = Topology::build(&options);
        let seed = options.seed;
        let nodes = topology
            .nodes
            .iter()
            .map(|n| NodeState {
                boot: 0,
                kubelet_stopped: None,
                unreachable_until: Timestamp::MIN,
                key: Key::new(seed, &format!("node/{}", n.name)),
            })
            .collect::<Vec<_>>();
        let containers = topology
            .pods
            .iter()
            .map(|p| {
                p.containers
                    .iter()
                    .map(|_| ContainerState {
                        restarts: 0,
                        started: 0,
                        running: true,
                    })
                    .collect()
            })
            .collect();
        let node_exporters = topology
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                GoProcess::new(
                    nodes[i].key.child("node_exporter"),
                    node_exporter::profile(n.cpus),
                    0,
                )
            })
            .collect();
        // The training material's app comes first: it is the lab's main
        // subject.
        let app_pod = topology.exporters.ping_app;
        let mut instances = vec![Instance {
            endpoint: Endpoint::PingApp,
            pod: app_pod,
            address: ping_app::ADDRESS.to_string(),
        }];
        for (node, &pod) in topology.exporters.node_exporter.iter().enumerate() {
            instances.push(Instance {
                endpoint: Endpoint::NodeExporter(node),
                pod,
                address: format!("{}:{}", topology.pods[pod].ip, node_exporter::PORT),
            });
        }
        let ksm = topology.exporters.kube_state_metrics;
        instances.push(Instance {
            endpoint: Endpoint::KubeStateMetrics,
            pod: ksm,
            address: format!("{}:{}", topology.pods[ksm].ip, kube_state_metrics::PORT),
        });
        for &(node, pod) in &topology.exporters.dcgm {
            instances.push(Instance {
                endpoint: Endpoint::Dcgm(node),
                pod,
                address: format!("{}:{}", topology.pods[pod].ip, dcgm::PORT),
            });
        }
        let app_cpus = topology.nodes[topology.pods[app_pod].node].cpus;
        Cluster {
            ping_app: PingApp::with_seed(seed, 0, app_cpus),
            options,
            topology,
            nodes,
            containers,
            node_exporters,
            instances,
            epoch: None,
            now: Timestamp::MIN,
        }
    }

    pub fn options(&self) -> ClusterOptions {
        self.options
    }

    /// The names of the nodes, in order.
    pub fn node_names(&self) -> Vec<&str> {
        self.topology
            .nodes
            .iter()
            .map(|n| n.name.as_str())
            .collect()
    }

    /// When `node` last booted, once the cluster has been observed.
    pub fn boot_time(&self, node: &str) -> Option<Timestamp> {
        let i = self.topology.node_index(node)?;
        self.epoch.map(|_| self.nodes[i].boot)
    }

    /// Every target the cluster exposes, as the Prometheus Operator's
    /// ServiceMonitor for each would discover it.
    pub fn targets(&self) -> Vec<SimTarget> {
        self.instances.iter().map(|i| self.target(i)).collect()
    }

    fn target(&self, instance: &Instance) -> SimTarget {
        let pod = &self.topology.pods[instance.pod];
        let container = pod.containers.first().map_or("", |c| c.name);
        let labels = |service: &str, endpoint: &str| {
            Labels::from_pairs([
                ("container", container),
                ("endpoint", endpoint),
                ("namespace", pod.namespace),
                ("pod", pod.name.as_str()),
                ("service", service),
            ])
        };
        let (job, labels, honor_labels, interval) = match instance.endpoint {
            // kube-prometheus-stack names the job after the Service's
            // `jobLabel: node-exporter` label.
            Endpoint::NodeExporter(_) => (
                "node-exporter",
                labels("qks-monitoring-prometheus-node-exporter", "http-metrics"),
                false,
                30_000,
            ),
            Endpoint::KubeStateMetrics => (
                "kube-state-metrics",
                labels("qks-monitoring-kube-state-metrics", "http"),
                true,
                30_000,
            ),
            Endpoint::Dcgm(_) => (
                "nvidia-dcgm-exporter",
                labels("nvidia-dcgm-exporter", "gpu-metrics"),
                false,
                15_000,
            ),
            Endpoint::PingApp => return self.ping_app.target(),
        };
        SimTarget {
            job: job.into(),
            address: instance.address.clone(),
            metrics_path: "/metrics".into(),
            labels,
            honor_labels,
            scrape_interval: interval,
        }
    }

    /// Answers an HTTP GET of `path` at `address` at virtual time `t`.
    /// Fetching has the effects a real request has (`/metrics` requests
    /// are counted by the handler, `/ping` counts a ping), so call it with
    /// non-decreasing times.
    pub fn fetch(&mut self, address: &str, path: &str, t: Timestamp) -> Result<String, FetchError> {
        self.observe(t);
        let Some(instance) = self
            .instances
            .iter()
            .find(|i| i.address == address)
            .cloned()
        else {
            return Err(FetchError::ConnectionRefused(address.to_string()));
        };
        self.reachable(instance.pod, address, t)?;
        let not_found = || FetchError::NotFound {
            address: address.to_string(),
            path: path.to_string(),
        };
        match instance.endpoint {
            Endpoint::PingApp => self.ping_app.handle(path, t).ok_or_else(not_found),
            _ if path != "/metrics" => Err(not_found()),
            Endpoint::NodeExporter(node) => {
                let body = page::render_sorted(self.node_view(node).families(t));
                self.node_exporters[node].scraped();
                Ok(body)
            }
            Endpoint::KubeStateMetrics => Ok(kube_state_metrics::page(&self.state_view(), t)),
            Endpoint::Dcgm(node) => Ok(dcgm::page(&self.state_view(), node, t)),
        }
    }

    /// Whether the process in `pod` answers at `t`: its host must be up
    /// and its container running.
    fn reachable(&self, pod: usize, address: &str, t: Timestamp) -> Result<(), FetchError> {
        let node = self.topology.pods[pod].node;
        if t < self.nodes[node].unreachable_until {
            return Err(FetchError::Timeout(address.to_string()));
        }
        let up = self.containers[pod]
            .first()
            .is_some_and(|c| c.running_at(t));
        if up {
            Ok(())
        } else {
            Err(FetchError::ConnectionRefused(address.to_string()))
        }
    }

    fn node_view(&self, node: usize) -> node_exporter::NodeView<'_> {
        node_exporter::NodeView {
            spec: &self.topology.nodes[node],
            key: self.nodes[node].key,
            boot: self.nodes[node].boot,
            process: &self.node_exporters[node],
        }
    }

    fn state_view(&self) -> StateView<'_> {
        StateView {
            topology: &self.topology,
            nodes: &self.nodes,
            containers: &self.containers,
            epoch: self.epoch.unwrap_or(self.now),
        }
    }

    /// Moves the cluster's notion of now to `t` (never back), placing the
    /// cluster's history before `t` the first time.
    fn observe(&mut self, t: Timestamp) {
        if self.epoch.is_none() {
            self.anchor(t);
        }
        self.now = self.now.max(t);
        self.ping_app.observe(t);
    }

    /// Places boot, creation and start times before `epoch`, the first
    /// time the cluster is observed.
    fn anchor(&mut self, epoch: Timestamp) {
        self.epoch = Some(epoch);
        for (i, node) in self.nodes.iter_mut().enumerate() {
            // Nodes were last rebooted for patches some weeks ago.
            let days = node.key.child("uptime").range(0, 9.0, 34.0);
            let uptime = (days * DAY as f64) as Millis + (i as Millis) * 7 * MINUTE;
            node.boot = epoch.saturating_sub(uptime);
        }
        for (p, pod) in self.topology.pods.iter().enumerate() {
            let boot = self.nodes[pod.node].boot;
            let created = epoch.saturating_sub(pod.age);
            for (c, state) in self.containers[p].iter_mut().enumerate() {
                if created < boot {
                    // The pod survived the node's last reboot: its
                    // containers were restarted once the node was back.
                    state.restarts = 1;
                    state.started = boot
                        .saturating_add(REBOOT_SERVICES_UP)
                        .saturating_add(c as Millis * SECOND);
                } else {
                    state.started = created.saturating_add(20 * SECOND);
                }
            }
        }
        for (node, &pod) in self.topology.exporters.node_exporter.iter().enumerate() {
            let started = self.containers[pod].first().map_or(epoch, |c| c.started);
            self.node_exporters[node] = GoProcess::new(
                self.nodes[node].key.child("node_exporter"),
                node_exporter::profile(self.topology.nodes[node].cpus),
                started,
            );
        }
        let app = self.topology.exporters.ping_app;
        let started = self.containers[app].first().map_or(epoch, |c| c.started);
        self.ping_app.set_started(started);
    }

    /// Runs a scenario at `t`; see [`Scenario`] for what each does. A
    /// scenario that cannot run changes nothing.
    pub fn apply(&mut self, scenario: &Scenario, t: Timestamp) -> Result<(), ScenarioError> {
        // Resolve names first, so a refused scenario leaves no trace.
        let target = match scenario {
            Scenario::RebootNode { node }
            | Scenario::NodeNotReady { node }
            | Scenario::NodeReady { node } => self.node(node)?,
            Scenario::StopExporter(exporter) | Scenario::StartExporter(exporter) => {
                self.exporter_pod(exporter)?
            }
            Scenario::Pings { count } if *count > scenario::MAX_PINGS => {
                return Err(ScenarioError::TooManyPings { count: *count });
            }
            Scenario::Pings { .. } => {
                let pod = self.topology.exporters.ping_app;
                // A ping is a request: it fails while the app is down.
                self.reachable(pod, ping_app::ADDRESS, t.max(self.now))
                    .map_err(ScenarioError::PingFailed)?;
                pod
            }
            Scenario::RestartApp => self.topology.exporters.ping_app,
        };
        self.observe(t);
        let t = self.now;
        match scenario {
            Scenario::RebootNode { .. } => self.reboot(target, t),
            Scenario::NodeNotReady { .. } => {
                let state = &mut self.nodes[target];
                state.kubelet_stopped = state.kubelet_stopped.or(Some(t));
            }
            Scenario::NodeReady { .. } => self.nodes[target].kubelet_stopped = None,
            Scenario::StopExporter(_) => {
                if let Some(c) = self.containers[target].first_mut() {
                    c.running = false;
                }
            }
            Scenario::StartExporter(_) => {
                let was_stopped = self.containers[target].first().is_some_and(|c| !c.running);
                if was_stopped {
                    self.restart_container(target, t);
                }
            }
            Scenario::Pings { count } => {
                for _ in 0..*count {
                    self.ping_app.ping();
                }
            }
            Scenario::RestartApp => self.restart_container(target, t),
        }
        Ok(())
    }

    fn node(&self, name: &str) -> Result<usize, ScenarioError> {
        self.topology
            .node_index(name)
            .ok_or_else(|| ScenarioError::UnknownNode {
                name: name.to_string(),
                known: self.node_names().join(", "),
            })
    }

    fn exporter_pod(&self, exporter: &Exporter) -> Result<usize, ScenarioError> {
        let e = &self.topology.exporters;
        match exporter {
            Exporter::NodeExporter { node } => Ok(e.node_exporter[self.node(node)?]),
            Exporter::KubeStateMetrics => Ok(e.kube_state_metrics),
            Exporter::Dcgm { node } => {
                let i = self.node(node)?;
                e.dcgm
                    .iter()
                    .find(|(n, _)| *n == i)
                    .map(|(_, pod)| *pod)
                    .ok_or_else(|| ScenarioError::NoGpus {
                        node: node.to_string(),
                    })
            }
            Exporter::PingApp => Ok(e.ping_app),
        }
    }

    /// The container restarts at `t`: its restart count goes up, and the
    /// process in it starts afresh.
    fn restart_container(&mut self, pod: usize, t: Timestamp) {
        for c in &mut self.containers[pod] {
            c.restarts = c.restarts.saturating_add(1);
            c.started = t;
            c.running = true;
        }
        self.process_started(pod, t);
    }

    /// The exporter process in `pod` (if it is one) starts at `t`.
    fn process_started(&mut self, pod: usize, t: Timestamp) {
        let e = &self.topology.exporters;
        if pod == e.ping_app {
            self.ping_app.restart(t);
        }
        if let Some(node) = e.node_exporter.iter().position(|&p| p == pod) {
            self.node_exporters[node].restart(t);
        }
    }

    /// The node reboots at `t`: the kernel's counters start again from zero,
    /// the host does not answer for [`REBOOT_UNREACHABLE`], and its
    /// containers are restarted [`REBOOT_SERVICES_UP`] after `t`.
    fn reboot(&mut self, node: usize, t: Timestamp) {
        let up = t.saturating_add(REBOOT_SERVICES_UP);
        let state = &mut self.nodes[node];
        state.boot = t;
        state.unreachable_until = t.saturating_add(REBOOT_UNREACHABLE);
        // The kubelet comes back with the node and posts its status again.
        state.kubelet_stopped = None;
        let pods: Vec<usize> = (0..self.topology.pods.len())
            .filter(|&p| self.topology.pods[p].node == node)
            .collect();
        for pod in pods {
            for c in &mut self.containers[pod] {
                c.restarts = c.restarts.saturating_add(1);
                c.started = up;
                c.running = true;
            }
            self.process_started(pod, up);
        }
    }
}

/// Where a node is, as a UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeCondition {
    Ready,
    /// The kubelet stopped posting status; the node controller has not
    /// marked the node yet (its grace period runs).
    KubeletStopped,
    /// The conditions are `Unknown`: `kubectl` shows `NotReady`.
    NotReady,
    /// The host reboots: it does not answer, or its containers are not
    /// back yet.
    Rebooting,
}

/// A node at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeOverview {
    pub name: String,
    pub gpus: u32,
    pub condition: NodeCondition,
}

/// An exporter at a moment: what a scenario can stop or start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExporterOverview {
    pub exporter: Exporter,
    /// `host:port`.
    pub address: String,
    /// Stopped by a scenario (it stays down until started).
    pub stopped: bool,
    /// Answering scrapes now.
    pub up: bool,
}

/// The cluster's nodes and exporters at a moment, for the controls that
/// run scenarios on them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClusterOverview {
    pub nodes: Vec<NodeOverview>,
    pub exporters: Vec<ExporterOverview>,
}

impl Cluster {
    /// The nodes and exporters as they are at `t`.
    pub fn overview(&self, t: Timestamp) -> ClusterOverview {
        let nodes = self
            .topology
            .nodes
            .iter()
            .zip(&self.nodes)
            .enumerate()
            .map(|(i, (spec, state))| {
                let booting = self
                    .topology
                    .exporters
                    .node_exporter
                    .get(i)
                    .and_then(|&pod| self.containers.get(pod))
                    .and_then(|c| c.first())
                    .is_some_and(|c| c.running && t < c.started);
                let condition = if t < state.unreachable_until || booting {
                    NodeCondition::Rebooting
                } else if state.unknown_at(t) {
                    NodeCondition::NotReady
                } else if state.kubelet_stopped.is_some() {
                    NodeCondition::KubeletStopped
                } else {
                    NodeCondition::Ready
                };
                NodeOverview {
                    name: spec.name.clone(),
                    gpus: spec.gpus,
                    condition,
                }
            })
            .collect();
        let name = |node: usize| {
            self.topology
                .nodes
                .get(node)
                .map(|n| n.name.clone())
                .unwrap_or_default()
        };
        let exporters = self
            .instances
            .iter()
            .map(|i| {
                let exporter = match i.endpoint {
                    Endpoint::NodeExporter(n) => Exporter::NodeExporter { node: name(n) },
                    Endpoint::KubeStateMetrics => Exporter::KubeStateMetrics,
                    Endpoint::Dcgm(n) => Exporter::Dcgm { node: name(n) },
                    Endpoint::PingApp => Exporter::PingApp,
                };
                let container = self.containers.get(i.pod).and_then(|c| c.first());
                ExporterOverview {
                    exporter,
                    address: i.address.clone(),
                    stopped: container.is_some_and(|c| !c.running),
                    up: self.reachable(i.pod, &i.address, t).is_ok(),
                }
            })
            .collect();
        ClusterOverview { nodes, exporters }
    }
}

/// The cluster's state as the exporters that report on it see it.
pub(crate) struct StateView<'a> {
    pub topology: &'a Topology,
    pub nodes: &'a [NodeState],
    pub containers: &'a [Vec<ContainerState>],
    /// When the cluster was first observed.
    pub epoch: Timestamp,
}

impl StateView<'_> {
    /// When the node joined the cluster.
    pub fn node_created(&self, node: usize) -> Timestamp {
        self.epoch.saturating_sub(self.topology.nodes[node].age)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition;
    use wasm_bindgen_test::wasm_bindgen_test;

    const T0: Timestamp = 1_767_225_600_000;

    #[wasm_bindgen_test(unsupported = test)]
    fn every_target_answers_with_a_page_that_parses() {
        let mut cluster = Cluster::new(1);
        let targets = cluster.targets();
        let jobs: Vec<&str> = targets.iter().map(|t| t.job.as_str()).collect();
        assert_eq!(
            jobs,
            [
                "prom-example",
                "node-exporter",
                "node-exporter",
                "node-exporter",
                "kube-state-metrics",
                "nvidia-dcgm-exporter",
            ]
        );
        for target in &targets {
            let page = cluster
                .fetch(&target.address, &target.metrics_path, T0)
                .unwrap();
            if let Err(e) = exposition::parse(&page) {
                panic!("{}: {}", target.address, e.render(&page));
            }
        }
        assert_eq!(
            cluster.fetch("10.0.0.99:9100", "/metrics", T0),
            Err(FetchError::ConnectionRefused("10.0.0.99:9100".into()))
        );
        assert!(matches!(
            cluster.fetch(&targets[0].address, "/nope", T0),
            Err(FetchError::NotFound { .. })
        ));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn node_exporter_targets_carry_the_operator_labels() {
        let cluster = Cluster::new(1);
        let t = &cluster.targets()[2];
        assert_eq!(t.address, "10.0.0.12:9100");
        assert_eq!(t.labels.get("namespace"), "qks-monitoring");
        assert_eq!(
            t.labels.get("service"),
            "qks-monitoring-prometheus-node-exporter"
        );
        assert_eq!(t.labels.get("container"), "node-exporter");
        assert_eq!(t.labels.get("endpoint"), "http-metrics");
        assert!(t
            .labels
            .get("pod")
            .starts_with("qks-monitoring-prometheus-node-exporter-"));
        assert_eq!(cluster.ping_app.target(), cluster.targets()[0]);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_history_is_placed_before_the_first_observation() {
        let mut cluster = Cluster::new(1);
        assert_eq!(cluster.boot_time("qks-master-1"), None);
        cluster.fetch(ping_app::ADDRESS, "/metrics", T0).unwrap();
        for name in ["qks-master-1", "qks-worker-1", "qks-gpu-1"] {
            let boot = cluster.boot_time(name).unwrap();
            assert!((T0 - 35 * DAY..T0 - 9 * DAY).contains(&boot), "{name}");
        }
        assert!(cluster.ping_app.started() < T0 - DAY);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_overview_follows_the_scenarios() {
        let mut cluster = Cluster::new(1);
        cluster.fetch(ping_app::ADDRESS, "/metrics", T0).unwrap();
        let conditions = |c: &Cluster, t| {
            c.overview(t)
                .nodes
                .iter()
                .map(|n| (n.name.clone(), n.condition))
                .collect::<Vec<_>>()
        };
        let ready = |n: &str| (n.to_string(), NodeCondition::Ready);
        assert_eq!(
            conditions(&cluster, T0),
            [
                ready("qks-master-1"),
                ready("qks-worker-1"),
                ready("qks-gpu-1")
            ]
        );
        let gpu_node = &cluster.overview(T0).nodes[2];
        assert_eq!(gpu_node.gpus, 2);

        let reboot = Scenario::RebootNode {
            node: "qks-worker-1".into(),
        };
        cluster.apply(&reboot, T0).unwrap();
        let not_ready = Scenario::NodeNotReady {
            node: "qks-master-1".into(),
        };
        cluster.apply(&not_ready, T0).unwrap();
        let stop = Scenario::StopExporter(Exporter::KubeStateMetrics);
        cluster.apply(&stop, T0).unwrap();
        // (time after T0, master, worker)
        let cases = [
            (0, NodeCondition::KubeletStopped, NodeCondition::Rebooting),
            (
                REBOOT_UNREACHABLE,
                NodeCondition::KubeletStopped,
                NodeCondition::Rebooting,
            ),
            (
                NODE_MONITOR_GRACE,
                NodeCondition::NotReady,
                NodeCondition::Rebooting,
            ),
            (
                REBOOT_SERVICES_UP,
                NodeCondition::NotReady,
                NodeCondition::Ready,
            ),
        ];
        for (after, master, worker) in cases {
            let got = conditions(&cluster, T0 + after);
            assert_eq!((got[0].1, got[1].1), (master, worker), "at +{after}ms");
        }
        let ksm = cluster
            .overview(T0)
            .exporters
            .into_iter()
            .find(|e| e.exporter == Exporter::KubeStateMetrics)
            .unwrap();
        assert!(ksm.stopped && !ksm.up);
        let exporters = cluster.overview(T0 + REBOOT_SERVICES_UP).exporters;
        assert_eq!(exporters[0].exporter, Exporter::PingApp);
        assert!(exporters.iter().filter(|e| !e.up).count() == 1);
        assert_eq!(
            exporters
                .iter()
                .filter(|e| matches!(e.exporter, Exporter::Dcgm { .. }))
                .count(),
            1
        );
    }
}
