//! kube-state-metrics v2: the Kubernetes API's view of the cluster's
//! nodes, pods and Deployments as metrics, with the names, HELP texts and
//! label names kube-state-metrics writes.
//!
//! Only its main port is scraped (kube-prometheus-stack leaves the
//! self-monitoring port off), so the page has no `go_*` or `process_*`
//! metrics. kube-state-metrics writes each family's header, then the
//! family's samples object by object, without sorting.

use super::dynamics::seconds;
use super::page::Family;
use super::topology::{
    Resources, Role, CONTAINER_RUNTIME, KERNEL_RELEASE, KUBELET_VERSION, OS_IMAGE,
};
use super::StateView;
use crate::clock::Timestamp;
use crate::exposition::{self, MetricFamily};

/// The port of kube-state-metrics' metrics endpoint.
pub const PORT: u16 = 8080;

/// The node conditions the kubelet reports, in its order.
const CONDITIONS: [&str; 4] = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"];

/// `kube_node_status_condition`'s three statuses for one condition.
fn statuses(status: &str) -> [(&'static str, f64); 3] {
    [
        ("false", f64::from(u8::from(status == "false"))),
        ("true", f64::from(u8::from(status == "true"))),
        ("unknown", f64::from(u8::from(status == "unknown"))),
    ]
}

fn bool_value(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// The page at `t`.
pub(crate) fn page(view: &StateView, t: Timestamp) -> String {
    let mut families = deployments(view, t);
    families.extend(nodes(view, t));
    families.extend(pods(view, t));
    exposition::write(&families)
}

/// Whether pod `p` is ready at `t`: its containers run and its node's
/// kubelet still reports (the node controller marks the pods of a node
/// that went Unknown as not ready).
fn pod_ready(view: &StateView, p: usize, t: Timestamp) -> bool {
    let node = view.topology.pods[p].node;
    view.containers[p].iter().all(|c| c.running_at(t)) && !view.nodes[node].unknown_at(t)
}

fn deployments(view: &StateView, t: Timestamp) -> Vec<MetricFamily> {
    let mut spec = Family::gauge(
        "kube_deployment_spec_replicas",
        "Number of desired pods for a deployment.",
    );
    let mut replicas = Family::gauge(
        "kube_deployment_status_replicas",
        "The number of replicas per deployment.",
    );
    let mut available = Family::gauge(
        "kube_deployment_status_replicas_available",
        "The number of available replicas per deployment.",
    );
    let mut ready = Family::gauge(
        "kube_deployment_status_replicas_ready",
        "The number of ready replicas per deployment.",
    );
    let mut unavailable = Family::gauge(
        "kube_deployment_status_replicas_unavailable",
        "The number of unavailable replicas per deployment.",
    );
    let mut updated = Family::gauge(
        "kube_deployment_status_replicas_updated",
        "The number of updated replicas per deployment.",
    );
    let mut created = Family::gauge("kube_deployment_created", "Unix creation timestamp");
    for (d, deployment) in view.topology.deployments.iter().enumerate() {
        let labels = [
            ("deployment", deployment.name),
            ("namespace", deployment.namespace),
        ];
        let pods: Vec<usize> = (0..view.topology.pods.len())
            .filter(|&p| view.topology.pods[p].deployment == Some(d))
            .collect();
        let n = pods.len() as f64;
        let ok = pods.iter().filter(|&&p| pod_ready(view, p, t)).count() as f64;
        spec.add(&labels, f64::from(deployment.replicas));
        replicas.add(&labels, n);
        available.add(&labels, ok);
        ready.add(&labels, ok);
        unavailable.add(&labels, f64::from(deployment.replicas) - ok);
        updated.add(&labels, n);
        created.add(
            &labels,
            seconds(view.epoch.saturating_sub(deployment.age)).floor(),
        );
    }
    [
        created,
        spec,
        replicas,
        available,
        ready,
        unavailable,
        updated,
    ]
    .into_iter()
    .map(Family::build)
    .collect()
}

fn nodes(view: &StateView, t: Timestamp) -> Vec<MetricFamily> {
    let mut created = Family::gauge("kube_node_created", "Unix creation timestamp");
    let mut info = Family::gauge("kube_node_info", "Information about a cluster node.");
    let mut labels_family = Family::gauge(
        "kube_node_labels",
        "Kubernetes labels converted to Prometheus labels.",
    );
    let mut role = Family::gauge("kube_node_role", "The role of a cluster node.");
    let mut taint = Family::gauge("kube_node_spec_taint", "The taint of a cluster node.");
    let mut unschedulable = Family::gauge(
        "kube_node_spec_unschedulable",
        "Whether a node can schedule new pods.",
    );
    let mut allocatable = Family::gauge(
        "kube_node_status_allocatable",
        "The allocatable for different resources of a node that are available for scheduling.",
    );
    let mut capacity = Family::gauge(
        "kube_node_status_capacity",
        "The capacity for different resources of a node.",
    );
    let mut condition = Family::gauge(
        "kube_node_status_condition",
        "The condition of a cluster node.",
    );
    for (i, node) in view.topology.nodes.iter().enumerate() {
        let name = node.name.as_str();
        created.add(&[("node", name)], seconds(view.node_created(i)).floor());
        info.add(
            &[
                ("container_runtime_version", CONTAINER_RUNTIME),
                ("internal_ip", node.ip.as_str()),
                ("kernel_version", KERNEL_RELEASE),
                ("kubelet_version", KUBELET_VERSION),
                // Kubernetes 1.31 no longer reports a kube-proxy version.
                ("kubeproxy_version", ""),
                ("node", name),
                ("os_image", OS_IMAGE),
                ("pod_cidr", node.pod_cidr.as_str()),
                ("provider_id", ""),
                ("system_uuid", node.system_uuid.as_str()),
            ],
            1.0,
        );
        labels_family.add(&[("node", name)], 1.0);
        if node.role == Role::ControlPlane {
            role.add(&[("node", name), ("role", "control-plane")], 1.0);
            taint.add(
                &[
                    ("effect", "NoSchedule"),
                    ("key", "node-role.kubernetes.io/control-plane"),
                    ("node", name),
                    ("value", ""),
                ],
                1.0,
            );
        }
        let unknown = view.nodes[i].unknown_at(t);
        if unknown {
            for effect in ["NoSchedule", "NoExecute"] {
                taint.add(
                    &[
                        ("effect", effect),
                        ("key", "node.kubernetes.io/unreachable"),
                        ("node", name),
                        ("value", ""),
                    ],
                    1.0,
                );
            }
        }
        unschedulable.add(&[("node", name)], 0.0);
        let cpus = f64::from(node.cpus);
        let root = node
            .filesystems
            .first()
            .map_or(0.0, |f| (f.bytes / 4096.0).floor() * 4096.0);
        let mut resources: Vec<(&str, &str, f64, f64)> = vec![
            ("cpu", "core", cpus, cpus),
            ("ephemeral_storage", "byte", root, (root * 0.9).floor()),
            ("hugepages_1Gi", "byte", 0.0, 0.0),
            ("hugepages_2Mi", "byte", 0.0, 0.0),
            // The kubelet holds back 100Mi for its eviction threshold.
            (
                "memory",
                "byte",
                node.memory,
                node.memory - 100.0 * 1024.0 * 1024.0,
            ),
        ];
        if node.gpus > 0 {
            let gpus = f64::from(node.gpus);
            resources.push(("nvidia_com_gpu", "integer", gpus, gpus));
        }
        resources.push(("pods", "integer", 110.0, 110.0));
        for (resource, unit, cap, alloc) in resources {
            let labels = [("node", name), ("resource", resource), ("unit", unit)];
            allocatable.add(&labels, alloc);
            capacity.add(&labels, cap);
        }
        for c in CONDITIONS {
            let status = match (unknown, c) {
                (true, _) => "unknown",
                (false, "Ready") => "true",
                (false, _) => "false",
            };
            for (s, v) in statuses(status) {
                condition.add(&[("condition", c), ("node", name), ("status", s)], v);
            }
        }
    }
    [
        created,
        info,
        labels_family,
        role,
        taint,
        unschedulable,
        allocatable,
        capacity,
        condition,
    ]
    .into_iter()
    .map(Family::build)
    .collect()
}

fn add_resources(family: &mut Family, base: &[(&str, &str)], r: &Resources) {
    let mut add = |resource: &str, unit: &str, v: f64| {
        let mut labels = base.to_vec();
        labels.push(("resource", resource));
        labels.push(("unit", unit));
        family.add(&labels, v);
    };
    if let Some(cpu) = r.cpu {
        add("cpu", "core", cpu);
    }
    if let Some(memory) = r.memory {
        add("memory", "byte", memory);
    }
    if let Some(gpu) = r.gpu {
        add("nvidia_com_gpu", "integer", f64::from(gpu));
    }
}

fn joined<'a>(
    base: &[(&'a str, &'a str)],
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut l = base.to_vec();
    l.extend_from_slice(extra);
    l
}

fn pods(view: &StateView, t: Timestamp) -> Vec<MetricFamily> {
    let mut container_info = Family::gauge(
        "kube_pod_container_info",
        "Information about a container in a pod.",
    );
    let mut limits = Family::gauge(
        "kube_pod_container_resource_limits",
        "The number of requested limit resource by a container. It is recommended to use the kube_pod_resource_limits metric exposed by kube-scheduler instead, as it is more precise.",
    );
    let mut requests = Family::gauge(
        "kube_pod_container_resource_requests",
        "The number of requested request resource by a container. It is recommended to use the kube_pod_resource_requests metric exposed by kube-scheduler instead, as it is more precise.",
    );
    let mut started = Family::gauge(
        "kube_pod_container_state_started",
        "Start time in unix timestamp for a pod container.",
    );
    let mut container_ready = Family::gauge(
        "kube_pod_container_status_ready",
        "Describes whether the containers readiness check succeeded.",
    );
    let mut restarts = Family::counter(
        "kube_pod_container_status_restarts_total",
        "The number of container restarts per container.",
    );
    let mut running = Family::gauge(
        "kube_pod_container_status_running",
        "Describes whether the container is currently in running state.",
    );
    let mut terminated = Family::gauge(
        "kube_pod_container_status_terminated",
        "Describes whether the container is currently in terminated state.",
    );
    let mut waiting = Family::gauge(
        "kube_pod_container_status_waiting",
        "Describes whether the container is currently in waiting state.",
    );
    let mut waiting_reason = Family::gauge(
        "kube_pod_container_status_waiting_reason",
        "Describes the reason the container is currently in waiting state.",
    );
    let mut created = Family::gauge("kube_pod_created", "Unix creation timestamp");
    let mut info = Family::gauge("kube_pod_info", "Information about pod.");
    let mut owner = Family::gauge("kube_pod_owner", "Information about the Pod's owner.");
    let mut start_time = Family::gauge(
        "kube_pod_start_time",
        "Start time in unix timestamp for a pod.",
    );
    let mut phase = Family::gauge("kube_pod_status_phase", "The pods current phase.");
    let mut ready = Family::gauge(
        "kube_pod_status_ready",
        "Describes whether the pod is ready to serve requests.",
    );
    let mut scheduled = Family::gauge(
        "kube_pod_status_scheduled",
        "Describes the status of the scheduling process for the pod.",
    );
    for (p, pod) in view.topology.pods.iter().enumerate() {
        let node = &view.topology.nodes[pod.node];
        let base = [
            ("namespace", pod.namespace),
            ("pod", pod.name.as_str()),
            ("uid", pod.uid.as_str()),
        ];
        let created_at = view.epoch.saturating_sub(pod.age);
        created.add(&base, seconds(created_at).floor());
        start_time.add(&base, seconds(created_at).floor() + 1.0);
        let host_network = if pod.host_network { "true" } else { "false" };
        info.add(
            &joined(
                &base,
                &[
                    ("created_by_kind", pod.owner_kind.as_str()),
                    ("created_by_name", pod.owner_name.as_str()),
                    ("host_ip", node.ip.as_str()),
                    ("host_network", host_network),
                    ("node", node.name.as_str()),
                    ("pod_ip", pod.ip.as_str()),
                    ("priority_class", pod.priority_class),
                ],
            ),
            1.0,
        );
        owner.add(
            &joined(
                &base,
                &[
                    ("owner_is_controller", "true"),
                    ("owner_kind", pod.owner_kind.as_str()),
                    ("owner_name", pod.owner_name.as_str()),
                ],
            ),
            1.0,
        );
        for (s, v) in [
            ("Failed", 0.0),
            ("Pending", 0.0),
            ("Running", 1.0),
            ("Succeeded", 0.0),
            ("Unknown", 0.0),
        ] {
            phase.add(&joined(&base, &[("phase", s)]), v);
        }
        let is_ready = pod_ready(view, p, t);
        for (s, v) in statuses(if is_ready { "true" } else { "false" }) {
            ready.add(&joined(&base, &[("condition", s)]), v);
        }
        for (s, v) in statuses("true") {
            scheduled.add(&joined(&base, &[("condition", s)]), v);
        }
        for (c, container) in pod.containers.iter().enumerate() {
            let Some(state) = view.containers[p].get(c) else {
                continue;
            };
            let name = container.name;
            container_info.add(
                &joined(
                    &base,
                    &[
                        ("container", name),
                        ("container_id", container.container_id.as_str()),
                        ("image", container.image.as_str()),
                        ("image_id", container.image_id.as_str()),
                        ("image_spec", container.image.as_str()),
                    ],
                ),
                1.0,
            );
            let resource_base = joined(&base, &[("container", name), ("node", node.name.as_str())]);
            add_resources(&mut requests, &resource_base, &container.requests);
            add_resources(&mut limits, &resource_base, &container.limits);
            let runs = state.running_at(t);
            let c_labels = joined(&base, &[("container", name)]);
            restarts.add(&c_labels, f64::from(state.restarts));
            running.add(&c_labels, bool_value(runs));
            container_ready.add(&c_labels, bool_value(runs && is_ready));
            terminated.add(&c_labels, 0.0);
            waiting.add(&c_labels, bool_value(!runs));
            if runs {
                started.add(&c_labels, seconds(state.started).floor());
            } else {
                let reason = if state.running {
                    "ContainerCreating"
                } else {
                    "CrashLoopBackOff"
                };
                waiting_reason.add(
                    &joined(&base, &[("container", name), ("reason", reason)]),
                    1.0,
                );
            }
        }
    }
    [
        container_info,
        limits,
        requests,
        started,
        container_ready,
        restarts,
        running,
        terminated,
        waiting,
        waiting_reason,
        created,
        info,
        owner,
        start_time,
        phase,
        ready,
        scheduled,
    ]
    .into_iter()
    .map(Family::build)
    .collect()
}
