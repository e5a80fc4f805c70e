//! What Prometheus's Kubernetes service discovery would find in the
//! simulated cluster: for the `endpoints` role, one target per Service
//! endpoint address and port (and per pod port the Service does not
//! cover), for the `pod` role one per container port, each with the
//! `__meta_kubernetes_*` labels Prometheus 3.5 attaches.
//!
//! The lab writes these targets into `static_configs` in place of
//! `kubernetes_sd_configs`, so the relabelling the operator generates
//! runs on exactly the labels it would see in a real cluster.

use super::cluster::ClusterObjects;
use super::objects::*;
use crate::labels::Labels;

/// A discovered target: its address and its labels before relabelling
/// (without `__address__`).
#[derive(Debug, Clone, PartialEq)]
pub struct Discovered {
    pub address: String,
    pub labels: Labels,
}

/// A label name as Prometheus makes one from a Kubernetes label or
/// annotation name: every character other than a letter, digit or `_`
/// becomes `_`.
pub fn sanitize_label_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn in_namespaces(ns: &str, namespaces: Option<&[String]>) -> bool {
    namespaces.is_none_or(|list| list.iter().any(|n| n == ns))
}

fn add_map(labels: &mut Labels, prefix: &str, map: &StringMap) {
    for (k, v) in map {
        let name = sanitize_label_name(k);
        labels.set(format!("{prefix}_{name}"), v.clone());
        labels.set(format!("{prefix}present_{name}"), "true");
    }
}

fn pod_labels(labels: &mut Labels, pod: &Pod) {
    let p = "__meta_kubernetes_pod";
    labels.set(format!("{p}_name"), pod.metadata.name.clone());
    labels.set(
        format!("{p}_ip"),
        pod.status.pod_ip.clone().unwrap_or_default(),
    );
    add_map(labels, &format!("{p}_label"), &pod.metadata.labels);
    add_map(
        labels,
        &format!("{p}_annotation"),
        &pod.metadata.annotations,
    );
    labels.set(
        format!("{p}_node_name"),
        pod.spec.node_name.clone().unwrap_or_default(),
    );
    labels.set(
        format!("{p}_host_ip"),
        pod.status.host_ip.clone().unwrap_or_default(),
    );
    labels.set(
        format!("{p}_uid"),
        pod.metadata.uid.clone().unwrap_or_default(),
    );
    let running = pod.status.phase == PodPhase::Running;
    labels.set(format!("{p}_ready"), if running { "true" } else { "false" });
    labels.set(format!("{p}_phase"), pod.status.phase.as_str());
    if let Some(owner) = &pod.owner {
        labels.set(format!("{p}_controller_kind"), owner.kind.clone());
        labels.set(format!("{p}_controller_name"), owner.name.clone());
    }
}

fn container_labels(labels: &mut Labels, c: &Container, port: &ContainerPort) {
    let p = "__meta_kubernetes_pod_container";
    labels.set(format!("{p}_init"), "false");
    labels.set(format!("{p}_name"), c.name.clone());
    labels.set(format!("{p}_image"), c.image.clone());
    labels.set(
        format!("{p}_port_name"),
        port.name.clone().unwrap_or_default(),
    );
    labels.set(format!("{p}_port_number"), port.container_port.to_string());
    labels.set(format!("{p}_port_protocol"), port.protocol.as_str());
}

fn host_port(ip: &str, port: i64) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// The `endpoints` role: every Service in `namespaces` (all when `None`).
pub fn endpoints_targets(
    cluster: &ClusterObjects,
    namespaces: Option<&[String]>,
) -> Vec<Discovered> {
    let mut out = Vec::new();
    for svc in cluster.services() {
        let ns = &svc.metadata.namespace;
        if !in_namespaces(ns, namespaces) {
            continue;
        }
        let mut base = Labels::new();
        base.set("__meta_kubernetes_namespace", ns.clone());
        base.set(
            "__meta_kubernetes_endpoints_name",
            svc.metadata.name.clone(),
        );
        // The Endpoints object carries the Service's labels.
        add_map(
            &mut base,
            "__meta_kubernetes_endpoints_label",
            &svc.metadata.labels,
        );
        base.set("__meta_kubernetes_service_name", svc.metadata.name.clone());
        add_map(
            &mut base,
            "__meta_kubernetes_service_label",
            &svc.metadata.labels,
        );
        add_map(
            &mut base,
            "__meta_kubernetes_service_annotation",
            &svc.metadata.annotations,
        );
        let endpoints = cluster.endpoints(svc);
        let mut seen: Vec<(&str, i64, Protocol)> = Vec::new();
        for e in &endpoints {
            let ip = e.pod.status.pod_ip.as_deref().unwrap_or("");
            let mut l = base.clone();
            l.set(
                "__meta_kubernetes_endpoint_port_name",
                e.port.name.clone().unwrap_or_default(),
            );
            l.set(
                "__meta_kubernetes_endpoint_port_protocol",
                e.port.protocol.as_str(),
            );
            l.set("__meta_kubernetes_endpoint_ready", "true");
            l.set("__meta_kubernetes_endpoint_address_target_kind", "Pod");
            l.set(
                "__meta_kubernetes_endpoint_address_target_name",
                e.pod.metadata.name.clone(),
            );
            if let Some(node) = &e.pod.spec.node_name {
                l.set("__meta_kubernetes_endpoint_node_name", node.clone());
            }
            pod_labels(&mut l, e.pod);
            if let Some((c, cp)) = e.container {
                container_labels(&mut l, c, cp);
                seen.push((e.pod.metadata.name.as_str(), cp.container_port, cp.protocol));
            }
            out.push(Discovered {
                address: host_port(ip, e.target_port),
                labels: l,
            });
        }
        // Prometheus also lists the other ports of the pods behind the
        // Service, without endpoint port labels.
        let pods: std::collections::BTreeMap<&str, &Pod> = endpoints
            .iter()
            .map(|e| (e.pod.metadata.name.as_str(), e.pod))
            .collect();
        for pod in pods.into_values() {
            let ip = pod.status.pod_ip.as_deref().unwrap_or("");
            for c in &pod.spec.containers {
                for cp in &c.ports {
                    let key = (pod.metadata.name.as_str(), cp.container_port, cp.protocol);
                    if seen.contains(&key) {
                        continue;
                    }
                    let mut l = base.clone();
                    pod_labels(&mut l, pod);
                    container_labels(&mut l, c, cp);
                    out.push(Discovered {
                        address: host_port(ip, cp.container_port),
                        labels: l,
                    });
                }
            }
        }
    }
    out
}

/// The `pod` role: every container port of every pod in `namespaces`
/// (all when `None`); a container without ports gives one target at the
/// pod's IP.
pub fn pod_targets(cluster: &ClusterObjects, namespaces: Option<&[String]>) -> Vec<Discovered> {
    let mut out = Vec::new();
    for pod in cluster.pods() {
        let ns = &pod.metadata.namespace;
        if !in_namespaces(ns, namespaces) {
            continue;
        }
        let Some(ip) = pod.status.pod_ip.as_deref() else {
            continue;
        };
        let mut base = Labels::new();
        base.set("__meta_kubernetes_namespace", ns.clone());
        pod_labels(&mut base, pod);
        for c in &pod.spec.containers {
            if c.ports.is_empty() {
                let mut l = base.clone();
                l.set("__meta_kubernetes_pod_container_init", "false");
                l.set("__meta_kubernetes_pod_container_name", c.name.clone());
                l.set("__meta_kubernetes_pod_container_image", c.image.clone());
                out.push(Discovered {
                    address: ip.to_string(),
                    labels: l,
                });
            }
            for cp in &c.ports {
                let mut l = base.clone();
                container_labels(&mut l, c, cp);
                out.push(Discovered {
                    address: host_port(ip, cp.container_port),
                    labels: l,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn label_names_are_sanitized_as_prometheus_does() {
        assert_eq!(
            sanitize_label_name("app.kubernetes.io/name"),
            "app_kubernetes_io_name"
        );
        assert_eq!(sanitize_label_name("jobLabel"), "jobLabel");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn node_exporter_endpoints_carry_service_and_pod_metadata() {
        let c = ClusterObjects::simulated();
        let ns = vec!["qks-monitoring".to_string()];
        let targets = endpoints_targets(&c, Some(&ns));
        let t = targets
            .iter()
            .find(|t| {
                t.labels.get("__meta_kubernetes_service_name")
                    == "qks-monitoring-prometheus-node-exporter"
                    && t.labels.get("__meta_kubernetes_pod_node_name") == "qks-master-1"
            })
            .unwrap();
        assert_eq!(t.address, "10.0.0.11:9100");
        for (name, value) in [
            ("__meta_kubernetes_endpoint_port_name", "http-metrics"),
            ("__meta_kubernetes_service_label_jobLabel", "node-exporter"),
            ("__meta_kubernetes_service_labelpresent_release", "true"),
            ("__meta_kubernetes_pod_container_name", "node-exporter"),
            ("__meta_kubernetes_pod_controller_kind", "DaemonSet"),
            ("__meta_kubernetes_pod_host_ip", "10.0.0.11"),
        ] {
            assert_eq!(t.labels.get(name), value, "{name}");
        }
        assert!(targets
            .iter()
            .all(|t| t.labels.get("__meta_kubernetes_namespace") == "qks-monitoring"));
    }
}
