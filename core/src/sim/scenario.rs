//! Things a user can make happen in the simulated cluster, to see how the
//! metrics (and later the alerts) react. [`crate::sim::Cluster::apply`]
//! runs them at a virtual time.
//!
//! What each scenario does, and why:
//!
//! - [`Scenario::RebootNode`]: the machine restarts at `t`.
//!   `node_boot_time_seconds` becomes `t`, and every counter the kernel
//!   keeps (CPU seconds, disk and network bytes, context switches) starts
//!   again near zero: a counter reset, which `rate()` and `increase()`
//!   handle. The host answers nothing for
//!   [`crate::sim::REBOOT_UNREACHABLE`] (scrapes time out), then refuses
//!   connections until its containers are back
//!   [`crate::sim::REBOOT_SERVICES_UP`] after `t`; every container on it
//!   counts a restart. The kubelet is back before the node controller's
//!   grace period ends, so the node stays Ready.
//! - [`Scenario::NodeNotReady`]: the node's kubelet stops posting status
//!   (it crashed, or its certificate expired). After the node controller's
//!   grace period ([`crate::sim::NODE_MONITOR_GRACE`], 40 s) every
//!   condition of the node becomes `Unknown` — the state `kubectl` shows as
//!   `NotReady` — the node gets the `unreachable` taints, and its pods are
//!   marked not ready. The machine itself keeps running, so node_exporter
//!   and the other exporters on it go on answering: NotReady is about the
//!   kubelet, not the host. (Evicting the pods after five minutes is not
//!   simulated.)
//! - [`Scenario::NodeReady`]: the kubelet posts status again.
//! - [`Scenario::StopExporter`]: the exporter's container stops (it
//!   crashes and stays down): its address refuses connections, so `up`
//!   becomes 0, and kube-state-metrics shows the container waiting in
//!   `CrashLoopBackOff`.
//! - [`Scenario::StartExporter`]: a stopped container runs again, counting
//!   one restart; the process starts afresh. (Starting a running exporter
//!   changes nothing.)
//! - [`Scenario::Pings`]: `count` requests to the app's `/ping`; they fail,
//!   and count nothing, while the app is stopped or its node reboots.
//! - [`Scenario::RestartApp`]: the app's container restarts:
//!   `ping_request_count` is 0 again and `process_start_time_seconds`
//!   moves to `t`.

use super::FetchError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most pings one scenario may send.
pub const MAX_PINGS: u32 = 100_000;

/// An exporter a scenario can stop or start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "exporter", rename_all = "snake_case")]
pub enum Exporter {
    /// node_exporter on the node called `node`.
    NodeExporter {
        node: String,
    },
    KubeStateMetrics,
    /// The DCGM exporter on the GPU node called `node`.
    Dcgm {
        node: String,
    },
    /// The training material's app, `prom-example`.
    PingApp,
}

/// Something to make happen in the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scenario", rename_all = "snake_case")]
pub enum Scenario {
    RebootNode { node: String },
    NodeNotReady { node: String },
    NodeReady { node: String },
    StopExporter(Exporter),
    StartExporter(Exporter),
    Pings { count: u32 },
    RestartApp,
}

/// Why a scenario could not run; the cluster is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    /// No node has this name; `known` lists the names there are.
    UnknownNode { name: String, known: String },
    /// The node has no GPUs, so no DCGM exporter.
    NoGpus { node: String },
    /// More pings than [`MAX_PINGS`] at once.
    TooManyPings { count: u32 },
    /// The app does not answer (it is stopped, or its node is rebooting).
    PingFailed(FetchError),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::UnknownNode { name, known } => {
                write!(f, "no node named {name:?}: expected one of {known}")
            }
            ScenarioError::NoGpus { node } => {
                write!(
                    f,
                    "node {node:?} has no GPUs, so no DCGM exporter runs on it"
                )
            }
            ScenarioError::TooManyPings { count } => write!(
                f,
                "cannot send {count} pings at once: expected at most {MAX_PINGS}"
            ),
            ScenarioError::PingFailed(e) => {
                write!(f, "Get \"http://{}/ping\": {e}", super::ping_app::ADDRESS)
            }
        }
    }
}

impl std::error::Error for ScenarioError {}
