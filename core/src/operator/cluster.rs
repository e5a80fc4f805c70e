//! A simulated Kubernetes API: the objects of the simulated cluster
//! ([`crate::sim::topology`]: namespaces, Deployments, pods with their
//! labels, IPs and container ports, the Services of kube-prometheus-stack,
//! its Prometheus and Alertmanager) plus whatever manifests are applied.
//!
//! [`ClusterObjects::apply`] adds or replaces objects by kind, namespace
//! and name, as `kubectl apply` does, and plays the controllers the lab
//! needs: a new Deployment gets its pods (scheduled on a worker, with an
//! IP), a changed one passes its template's labels and containers to the
//! pods it owns (they keep their names, which the simulation refers to),
//! a Service gets a cluster IP. [`ClusterObjects::endpoints`] is what the
//! Endpoints controller computes: the ready pods behind a Service, port by
//! port.
//!
//! ```
//! use promlab_core::operator::cluster::ClusterObjects;
//! use promlab_core::operator::objects::Kind;
//! let cluster = ClusterObjects::simulated();
//! let app = cluster.pods().find(|p| p.metadata.name.starts_with("prom-example-")).unwrap();
//! assert_eq!(app.status.pod_ip.as_deref(), Some("10.244.1.17"));
//! assert_eq!(app.metadata.labels["app"], "prom-example");
//! assert!(cluster.of_kind(Kind::Prometheus).count() == 1);
//! ```

use super::load::{load, LoadOptions};
use super::objects::*;
use super::select::matches_labels;
use crate::sim::topology::{self, OwnerKind, Role, Topology};
use crate::sim::ClusterOptions;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The kube-prometheus-stack Prometheus and Alertmanager of the simulated
/// cluster, as manifests.
pub const DEFAULT_RESOURCES: &str = include_str!("defaults.yaml");

/// The ServiceMonitors that come with the simulated cluster: those of
/// kube-prometheus-stack (node-exporter, kube-state-metrics), the GPU
/// operator's DCGM exporter and the training material's example app. Each
/// is named after the Service it selects. The operator turns them into
/// the scrape jobs of the lab's built-in targets, so applying manifests
/// keeps those targets scraped with the same labels.
pub const SERVICE_MONITORS: &str = include_str!("service_monitors.yaml");

/// A node, as the scheduler needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeInfo {
    pub name: String,
    pub ip: String,
    pub index: usize,
    pub schedulable: bool,
}

/// The objects the simulated API server holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterObjects {
    objects: BTreeMap<ObjectKey, Object>,
    /// Objects that came with the simulated cluster, not from manifests.
    builtin: BTreeSet<ObjectKey>,
    /// Objects applied from manifests (a built-in one applied again is
    /// both).
    applied: BTreeSet<ObjectKey>,
    nodes: Vec<NodeInfo>,
}

/// What applying an object did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyAction {
    Created,
    Configured,
    Unchanged,
}

impl ApplyAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplyAction::Created => "created",
            ApplyAction::Configured => "configured",
            ApplyAction::Unchanged => "unchanged",
        }
    }
}

/// Why an object could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyError {
    /// Its namespace does not exist.
    NamespaceNotFound(String),
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::NamespaceNotFound(ns) => write!(f, "namespaces {ns:?} not found"),
        }
    }
}

/// The outcome of applying one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub key: ObjectKey,
    pub result: Result<ApplyAction, ApplyError>,
}

impl fmt::Display for Applied {
    /// As kubectl prints it: `servicemonitor.monitoring.coreos.com/x created`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.result {
            Ok(a) => write!(
                f,
                "{}/{} {}",
                self.key.kind.resource(),
                self.key.name,
                a.as_str()
            ),
            Err(e) => write!(
                f,
                "error applying {}/{}: {e}",
                self.key.kind.resource(),
                self.key.name
            ),
        }
    }
}

/// One address of a Service's endpoints: a pod, the Service port and the
/// pod port it maps to.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointAddress<'a> {
    pub pod: &'a Pod,
    pub port: &'a ServicePort,
    /// The port number on the pod.
    pub target_port: i64,
    /// The container with a port of that number, if any.
    pub container: Option<(&'a Container, &'a ContainerPort)>,
}

impl ClusterObjects {
    /// An API server with nothing in it and no nodes.
    pub fn empty() -> Self {
        ClusterObjects {
            objects: BTreeMap::new(),
            builtin: BTreeSet::new(),
            applied: BTreeSet::new(),
            nodes: Vec::new(),
        }
    }

    /// The default simulated cluster's objects.
    pub fn simulated() -> Self {
        Self::from_topology(&Topology::build(&ClusterOptions::default()))
    }

    /// The objects of a simulated cluster of this shape.
    pub fn from_topology(t: &Topology) -> Self {
        let mut c = ClusterObjects::empty();
        c.nodes = t
            .nodes
            .iter()
            .enumerate()
            .map(|(index, n)| NodeInfo {
                name: n.name.clone(),
                ip: n.ip.clone(),
                index,
                schedulable: n.role != Role::ControlPlane,
            })
            .collect();
        let mut namespaces: BTreeSet<&str> =
            ["default", "kube-system", "kube-public", "kube-node-lease"].into();
        namespaces.extend(t.pods.iter().map(|p| p.namespace));
        for ns in namespaces {
            c.insert_builtin(Object::Namespace(Namespace {
                metadata: meta(
                    Kind::Namespace,
                    "",
                    ns,
                    &[("kubernetes.io/metadata.name", ns)],
                ),
            }));
        }
        for p in &t.pods {
            let pod = sim_pod(p, t);
            c.insert_builtin(Object::Pod(pod));
        }
        for (i, d) in t.deployments.iter().enumerate() {
            let first = t.pods.iter().find(|p| p.deployment == Some(i));
            let Some(first) = first else { continue };
            let mut labels = sim_pod_labels(first, t);
            labels.remove("pod-template-hash");
            let selector = LabelSelector {
                match_labels: labels.clone(),
                match_expressions: Vec::new(),
            };
            c.insert_builtin(Object::Deployment(Deployment {
                metadata: meta(Kind::Deployment, d.namespace, d.name, &[]),
                replicas: i64::from(d.replicas),
                selector,
                template: PodTemplate {
                    labels,
                    annotations: StringMap::new(),
                    spec: PodSpec {
                        containers: sim_containers(first),
                        node_name: None,
                        host_network: first.host_network,
                    },
                },
            }));
        }
        let has = |ns: &str, prefix: &str| {
            t.pods
                .iter()
                .any(|p| p.namespace == ns && p.name.starts_with(prefix))
        };
        let mut ip = 0;
        for s in SERVICES {
            if let Some(prefix) = s.requires {
                if !has(s.namespace, prefix) {
                    continue;
                }
            }
            ip += 1;
            let cluster_ip = match s.name {
                "kubernetes" => "10.96.0.1".to_string(),
                "kube-dns" => "10.96.0.10".to_string(),
                _ => format!("10.96.{}.{}", 100 + ip / 250, ip % 250 + 1),
            };
            c.insert_builtin(Object::Service(Service {
                metadata: meta(Kind::Service, s.namespace, s.name, s.labels),
                selector: s.selector.map(|sel| {
                    sel.iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect()
                }),
                ports: s
                    .ports
                    .iter()
                    .map(|&(name, port, target, protocol)| ServicePort {
                        name: Some(name.to_string()),
                        protocol,
                        port,
                        target_port: Some(match target.parse::<i64>() {
                            Ok(n) => IntOrString::Int(n),
                            Err(_) => IntOrString::Str(target.to_string()),
                        }),
                    })
                    .collect(),
                type_: ServiceType::ClusterIp,
                cluster_ip: Some(cluster_ip),
            }));
        }
        let defaults = load(DEFAULT_RESOURCES, &LoadOptions::default());
        for l in defaults.objects {
            c.insert_builtin(l.object);
        }
        // The ServiceMonitors of what the cluster runs; one whose Service
        // is not there (no GPU node, no DCGM exporter) is left out.
        let monitors = load(SERVICE_MONITORS, &LoadOptions::default());
        for l in monitors.objects {
            let service = ObjectKey {
                kind: Kind::Service,
                namespace: l.object.key().namespace,
                name: l.object.key().name,
            };
            if c.objects.contains_key(&service) {
                c.insert_builtin(l.object);
            }
        }
        c
    }

    fn insert_builtin(&mut self, mut object: Object) {
        let key = object.key();
        let m = object.metadata_mut();
        if m.uid.is_none() {
            m.uid = Some(uid_for(&key));
        }
        self.builtin.insert(key.clone());
        self.objects.insert(key, object);
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Object> {
        self.objects.get(key)
    }

    /// Whether the object came with the simulated cluster.
    pub fn is_builtin(&self, key: &ObjectKey) -> bool {
        self.builtin.contains(key)
    }

    /// Whether the object was applied from a manifest.
    pub fn is_applied(&self, key: &ObjectKey) -> bool {
        self.applied.contains(key)
    }

    /// Every object, ordered by kind, namespace and name.
    pub fn iter(&self) -> impl Iterator<Item = &Object> {
        self.objects.values()
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Object> {
        self.objects
            .range(
                ObjectKey {
                    kind,
                    namespace: String::new(),
                    name: String::new(),
                }..,
            )
            .take_while(move |(k, _)| k.kind == kind)
            .map(|(_, o)| o)
    }

    pub fn nodes(&self) -> &[NodeInfo] {
        &self.nodes
    }

    /// The labels of namespace `ns`, if it exists.
    pub fn namespace_labels(&self, ns: &str) -> Option<&StringMap> {
        self.objects
            .get(&ObjectKey {
                kind: Kind::Namespace,
                namespace: String::new(),
                name: ns.to_string(),
            })
            .map(|o| &o.metadata().labels)
    }

    pub fn namespace_names(&self) -> impl Iterator<Item = &str> {
        self.of_kind(Kind::Namespace)
            .map(|o| o.metadata().name.as_str())
    }

    pub fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.of_kind(Kind::Pod).filter_map(|o| match o {
            Object::Pod(p) => Some(p),
            _ => None,
        })
    }

    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.of_kind(Kind::Service).filter_map(|o| match o {
            Object::Service(s) => Some(s),
            _ => None,
        })
    }

    pub fn prometheuses(&self) -> impl Iterator<Item = &Prometheus> {
        self.of_kind(Kind::Prometheus).filter_map(|o| match o {
            Object::Prometheus(p) => Some(p),
            _ => None,
        })
    }

    pub fn alertmanagers(&self) -> impl Iterator<Item = &Alertmanager> {
        self.of_kind(Kind::Alertmanager).filter_map(|o| match o {
            Object::Alertmanager(a) => Some(a),
            _ => None,
        })
    }

    /// Applies objects as `kubectl apply` does: Namespaces first, then the
    /// rest in order. An object whose namespace does not exist is refused.
    pub fn apply(&mut self, objects: impl IntoIterator<Item = Object>) -> Vec<Applied> {
        let (namespaces, rest): (Vec<Object>, Vec<Object>) = objects
            .into_iter()
            .partition(|o| o.kind() == Kind::Namespace);
        namespaces
            .into_iter()
            .chain(rest)
            .map(|o| self.apply_one(o))
            .collect()
    }

    fn apply_one(&mut self, mut object: Object) -> Applied {
        let key = object.key();
        if key.kind.namespaced() && self.namespace_labels(&key.namespace).is_none() {
            return Applied {
                result: Err(ApplyError::NamespaceNotFound(key.namespace.clone())),
                key,
            };
        }
        let existing = self.objects.get(&key);
        let uid = existing
            .and_then(|e| e.metadata().uid.clone())
            .or_else(|| object.metadata().uid.clone())
            .unwrap_or_else(|| uid_for(&key));
        object.metadata_mut().uid = Some(uid);
        match &mut object {
            Object::Namespace(ns) => {
                let name = ns.metadata.name.clone();
                ns.metadata
                    .labels
                    .insert("kubernetes.io/metadata.name".into(), name);
            }
            Object::Pod(pod) => match existing {
                Some(Object::Pod(old)) => {
                    pod.status = old.status.clone();
                    pod.owner = old.owner.clone();
                    if pod.spec.node_name.is_none() {
                        pod.spec.node_name = old.spec.node_name.clone();
                    }
                }
                _ => self.schedule(pod),
            },
            Object::Service(svc) if svc.cluster_ip.is_none() => {
                svc.cluster_ip = match existing {
                    Some(Object::Service(old)) => old.cluster_ip.clone(),
                    _ => Some(self.next_cluster_ip()),
                };
            }
            _ => {}
        }
        let action = match existing {
            None => ApplyAction::Created,
            Some(old) if *old == object => ApplyAction::Unchanged,
            Some(_) => ApplyAction::Configured,
        };
        let deployment = match &object {
            Object::Deployment(d) => Some(d.clone()),
            _ => None,
        };
        self.objects.insert(key.clone(), object);
        self.applied.insert(key.clone());
        if let Some(d) = deployment {
            self.reconcile_deployment(&d);
        }
        Applied {
            key,
            result: Ok(action),
        }
    }

    /// A free cluster IP in the Service range.
    fn next_cluster_ip(&self) -> String {
        let used: BTreeSet<&str> = self
            .services()
            .filter_map(|s| s.cluster_ip.as_deref())
            .collect();
        (0..u32::MAX)
            .map(|i| format!("10.96.{}.{}", 200 + i / 250 % 50, i % 250 + 1))
            .find(|ip| !used.contains(ip.as_str()))
            .unwrap_or_else(|| "10.96.255.254".into())
    }

    /// Puts a new pod on a node and gives it an IP, as the scheduler and
    /// the network plugin would.
    fn schedule(&self, pod: &mut Pod) {
        let node = match &pod.spec.node_name {
            Some(name) => self.nodes.iter().find(|n| &n.name == name),
            None => {
                let schedulable: Vec<&NodeInfo> =
                    self.nodes.iter().filter(|n| n.schedulable).collect();
                let count = self.pods().count();
                schedulable
                    .get(count % schedulable.len().max(1))
                    .copied()
                    .or(self.nodes.first())
            }
        };
        let Some(node) = node else {
            // No nodes: the pod stays Pending without an address.
            pod.status = PodStatus::default();
            return;
        };
        pod.spec.node_name = Some(node.name.clone());
        let ip = if pod.spec.host_network {
            node.ip.clone()
        } else {
            let prefix = format!("10.244.{}.", node.index);
            let used: BTreeSet<u32> = self
                .pods()
                .filter_map(|p| p.status.pod_ip.as_deref())
                .filter_map(|ip| ip.strip_prefix(&prefix))
                .filter_map(|last| last.parse().ok())
                .collect();
            // The next address after the node's highest, as the network
            // plugin hands them out; the first free one once they run out.
            let next = used.iter().next_back().map_or(2, |n| n + 1);
            let last = if next < 255 {
                next
            } else {
                (2..255).find(|n| !used.contains(n)).unwrap_or(254)
            };
            format!("{prefix}{last}")
        };
        pod.status = PodStatus {
            phase: PodPhase::Running,
            pod_ip: Some(ip),
            host_ip: Some(node.ip.clone()),
        };
    }

    /// Gives a Deployment `replicas` pods carrying its template.
    fn reconcile_deployment(&mut self, d: &Deployment) {
        let ns = &d.metadata.namespace;
        let prefix = format!("{}-", d.metadata.name);
        let owned: Vec<ObjectKey> = self
            .pods()
            .filter(|p| {
                &p.metadata.namespace == ns
                    && p.owner.as_ref().is_some_and(|o| {
                        o.kind == "ReplicaSet"
                            && o.name
                                .strip_prefix(&prefix)
                                .is_some_and(|hash| !hash.contains('-'))
                    })
            })
            .map(|p| ObjectKey {
                kind: Kind::Pod,
                namespace: p.metadata.namespace.clone(),
                name: p.metadata.name.clone(),
            })
            .collect();
        let replica_set = match owned.first().and_then(|k| self.objects.get(k)) {
            Some(Object::Pod(p)) => p.owner.as_ref().map(|o| o.name.clone()),
            _ => None,
        }
        .unwrap_or_else(|| {
            format!(
                "{}{}",
                prefix,
                name_suffix(&format!("rs/{ns}/{}", d.metadata.name), 10)
            )
        });
        let hash = replica_set.strip_prefix(&prefix).unwrap_or("").to_string();
        let want = usize::try_from(d.replicas).unwrap_or(0);
        // Surplus pods go, newest names last.
        for key in owned.iter().skip(want) {
            self.objects.remove(key);
        }
        for key in owned.iter().take(want) {
            if let Some(Object::Pod(p)) = self.objects.get_mut(key) {
                p.metadata.labels = d.template.labels.clone();
                p.metadata
                    .labels
                    .insert("pod-template-hash".into(), hash.clone());
                p.metadata.annotations = d.template.annotations.clone();
                p.spec.containers = d.template.spec.containers.clone();
                p.spec.host_network = d.template.spec.host_network;
            }
        }
        for i in owned.len()..want {
            let name = format!(
                "{replica_set}-{}",
                name_suffix(&format!("{replica_set}/{i}"), 5)
            );
            let mut labels = d.template.labels.clone();
            labels.insert("pod-template-hash".into(), hash.clone());
            let key = ObjectKey {
                kind: Kind::Pod,
                namespace: ns.clone(),
                name: name.clone(),
            };
            let mut pod = Pod {
                metadata: ObjectMeta {
                    name,
                    namespace: ns.clone(),
                    labels,
                    annotations: d.template.annotations.clone(),
                    uid: Some(uid_for(&key)),
                },
                spec: d.template.spec.clone(),
                status: PodStatus::default(),
                owner: Some(OwnerReference {
                    kind: "ReplicaSet".into(),
                    name: replica_set.clone(),
                }),
            };
            self.schedule(&mut pod);
            self.objects.insert(key, Object::Pod(pod));
        }
    }

    /// The ready pods behind a Service, port by port, as the Endpoints
    /// controller lists them. A Service without a selector has none.
    pub fn endpoints<'a>(&'a self, svc: &'a Service) -> Vec<EndpointAddress<'a>> {
        let Some(selector) = &svc.selector else {
            return Vec::new();
        };
        let sel = LabelSelector {
            match_labels: selector.clone(),
            match_expressions: Vec::new(),
        };
        let pods: Vec<&Pod> = self
            .pods()
            .filter(|p| p.metadata.namespace == svc.metadata.namespace)
            .filter(|p| p.status.phase == PodPhase::Running && p.status.pod_ip.is_some())
            .filter(|p| !selector.is_empty() && matches_labels(&sel, &p.metadata.labels))
            .collect();
        let mut out = Vec::new();
        for port in &svc.ports {
            for &pod in &pods {
                let number = match &port.target_port {
                    None => Some(port.port),
                    Some(IntOrString::Int(n)) => Some(*n),
                    Some(IntOrString::Str(name)) => pod
                        .spec
                        .containers
                        .iter()
                        .flat_map(|c| &c.ports)
                        .find(|cp| cp.name.as_deref() == Some(name.as_str()))
                        .map(|cp| cp.container_port),
                };
                let Some(number) = number else { continue };
                let container = pod.spec.containers.iter().find_map(|c| {
                    c.ports
                        .iter()
                        .find(|cp| cp.container_port == number && cp.protocol == port.protocol)
                        .map(|cp| (c, cp))
                });
                out.push(EndpointAddress {
                    pod,
                    port,
                    target_port: number,
                    container,
                });
            }
        }
        out
    }
}

/// A stable identifier for an object the lab creates.
pub fn uid_for(key: &ObjectKey) -> String {
    topology::uuid(&format!("{}/{}/{}", key.kind, key.namespace, key.name))
}

/// Kubernetes-style random suffix, drawn from `seed` so it is stable.
fn name_suffix(seed: &str, len: usize) -> String {
    const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let hex = topology::uuid(seed).replace('-', "");
    hex.as_bytes()
        .chunks(2)
        .take(len)
        .map(|pair| {
            let v = pair
                .iter()
                .fold(0usize, |acc, b| acc * 31 + usize::from(*b));
            SAFE[v % SAFE.len()] as char
        })
        .collect()
}

fn meta(kind: Kind, namespace: &str, name: &str, labels: &[(&str, &str)]) -> ObjectMeta {
    ObjectMeta {
        name: name.to_string(),
        namespace: if kind.namespaced() {
            namespace.to_string()
        } else {
            String::new()
        },
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        annotations: StringMap::new(),
        uid: None,
    }
}

fn sim_pod(p: &topology::PodSpec, t: &Topology) -> Pod {
    let node = t.nodes.get(p.node);
    Pod {
        metadata: ObjectMeta {
            name: p.name.clone(),
            namespace: p.namespace.to_string(),
            labels: sim_pod_labels(p, t),
            annotations: StringMap::new(),
            uid: Some(p.uid.clone()),
        },
        spec: PodSpec {
            containers: sim_containers(p),
            node_name: node.map(|n| n.name.clone()),
            host_network: p.host_network,
        },
        status: PodStatus {
            phase: PodPhase::Running,
            pod_ip: Some(p.ip.clone()),
            host_ip: node.map(|n| n.ip.clone()),
        },
        owner: Some(OwnerReference {
            kind: p.owner_kind.as_str().to_string(),
            name: p.owner_name.clone(),
        }),
    }
}

const MON: &str = "qks-monitoring";

/// The labels the cluster's charts and manifests give each pod.
fn sim_pod_labels(p: &topology::PodSpec, t: &Topology) -> StringMap {
    let owner = match p.deployment.and_then(|d| t.deployments.get(d)) {
        Some(d) => d.name,
        None => p.owner_name.as_str(),
    };
    let container = p.containers.first().map_or("", |c| c.name);
    let mut l: Vec<(&str, String)> = match (p.owner_kind, owner) {
        (OwnerKind::Node, _) => vec![
            ("component", container.to_string()),
            ("tier", "control-plane".into()),
        ],
        (_, "kube-proxy") => vec![("k8s-app", "kube-proxy".into())],
        (_, "kube-flannel-ds") => vec![("app", "flannel".into()), ("tier", "node".into())],
        (_, "coredns") => vec![("k8s-app", "kube-dns".into())],
        (_, "qks-monitoring-prometheus-node-exporter") => vec![
            ("app.kubernetes.io/component", "metrics".into()),
            ("app.kubernetes.io/instance", MON.into()),
            ("app.kubernetes.io/managed-by", "Helm".into()),
            ("app.kubernetes.io/name", "prometheus-node-exporter".into()),
            (
                "app.kubernetes.io/part-of",
                "prometheus-node-exporter".into(),
            ),
            ("jobLabel", "node-exporter".into()),
            ("release", MON.into()),
        ],
        (_, "qks-monitoring-kube-state-metrics") => vec![
            ("app.kubernetes.io/instance", MON.into()),
            ("app.kubernetes.io/name", "kube-state-metrics".into()),
            ("release", MON.into()),
        ],
        (_, "qks-monitoring-kube-promet-operator") => vec![
            ("app", "kube-prometheus-stack-operator".into()),
            ("app.kubernetes.io/instance", MON.into()),
            ("release", MON.into()),
        ],
        (_, "qks-monitoring-grafana") => vec![
            ("app.kubernetes.io/instance", MON.into()),
            ("app.kubernetes.io/name", "grafana".into()),
        ],
        (_, "prometheus-qks-monitoring-kube-promet-prometheus") => vec![
            (
                "app.kubernetes.io/instance",
                "qks-monitoring-kube-promet-prometheus".into(),
            ),
            ("app.kubernetes.io/managed-by", "prometheus-operator".into()),
            ("app.kubernetes.io/name", "prometheus".into()),
            (
                "operator.prometheus.io/name",
                "qks-monitoring-kube-promet-prometheus".into(),
            ),
            ("operator.prometheus.io/shard", "0".into()),
            ("prometheus", "qks-monitoring-kube-promet-prometheus".into()),
        ],
        (_, "alertmanager-qks-monitoring-kube-promet-alertmanager") => vec![
            (
                "alertmanager",
                "qks-monitoring-kube-promet-alertmanager".into(),
            ),
            (
                "app.kubernetes.io/instance",
                "qks-monitoring-kube-promet-alertmanager".into(),
            ),
            ("app.kubernetes.io/managed-by", "prometheus-operator".into()),
            ("app.kubernetes.io/name", "alertmanager".into()),
        ],
        // The training material's Deployment template.
        (_, "prom-example") => vec![("app", "prom-example".into()), ("release", MON.into())],
        (_, other) => vec![("app", other.to_string())],
    };
    match p.owner_kind {
        OwnerKind::ReplicaSet => {
            let hash = p.owner_name.rsplit('-').next().unwrap_or("");
            l.push(("pod-template-hash", hash.to_string()));
        }
        OwnerKind::StatefulSet => {
            l.push(("statefulset.kubernetes.io/pod-name", p.name.clone()));
        }
        OwnerKind::DaemonSet => l.push(("pod-template-generation", "1".into())),
        OwnerKind::Node => {}
    }
    l.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The ports each container of the simulated cluster listens on.
fn container_ports(container: &str) -> &'static [(&'static str, i64, Protocol)] {
    match container {
        "node-exporter" => &[("http-metrics", 9100, Protocol::Tcp)],
        "kube-state-metrics" => &[
            ("http", 8080, Protocol::Tcp),
            ("telemetry", 8081, Protocol::Tcp),
        ],
        "nvidia-dcgm-exporter" => &[("metrics", 9400, Protocol::Tcp)],
        "mymetric" => &[("metrics", 8090, Protocol::Tcp)],
        "prometheus" => &[("http-web", 9090, Protocol::Tcp)],
        "config-reloader" => &[("reloader-web", 8080, Protocol::Tcp)],
        "alertmanager" => &[
            ("http-web", 9093, Protocol::Tcp),
            ("mesh-tcp", 9094, Protocol::Tcp),
            ("mesh-udp", 9094, Protocol::Udp),
        ],
        "grafana" => &[("grafana", 3000, Protocol::Tcp)],
        "kube-prometheus-stack" => &[("https", 10250, Protocol::Tcp)],
        "coredns" => &[
            ("dns", 53, Protocol::Udp),
            ("dns-tcp", 53, Protocol::Tcp),
            ("metrics", 9153, Protocol::Tcp),
        ],
        "vllm" => &[("http", 8000, Protocol::Tcp)],
        _ => &[],
    }
}

fn sim_containers(p: &topology::PodSpec) -> Vec<Container> {
    p.containers
        .iter()
        .map(|c| Container {
            name: c.name.to_string(),
            image: c.image.clone(),
            ports: container_ports(c.name)
                .iter()
                .map(|&(name, port, protocol)| ContainerPort {
                    name: Some(name.to_string()),
                    container_port: port,
                    protocol,
                })
                .collect(),
        })
        .collect()
}

/// A Service of the simulated cluster.
struct SimService {
    namespace: &'static str,
    name: &'static str,
    labels: &'static [(&'static str, &'static str)],
    selector: Option<&'static [(&'static str, &'static str)]>,
    /// Name, port, target port (a number or a name), protocol.
    ports: &'static [(&'static str, i64, &'static str, Protocol)],
    /// Present only when a pod of this name prefix exists in the namespace.
    requires: Option<&'static str>,
}

const SERVICES: &[SimService] = &[
    SimService {
        namespace: "default",
        name: "kubernetes",
        labels: &[("component", "apiserver"), ("provider", "kubernetes")],
        selector: None,
        ports: &[("https", 443, "6443", Protocol::Tcp)],
        requires: None,
    },
    SimService {
        namespace: "kube-system",
        name: "kube-dns",
        labels: &[("k8s-app", "kube-dns"), ("kubernetes.io/name", "CoreDNS")],
        selector: Some(&[("k8s-app", "kube-dns")]),
        ports: &[
            ("dns", 53, "53", Protocol::Udp),
            ("dns-tcp", 53, "53", Protocol::Tcp),
            ("metrics", 9153, "9153", Protocol::Tcp),
        ],
        requires: None,
    },
    SimService {
        namespace: MON,
        name: "qks-monitoring-prometheus-node-exporter",
        labels: &[
            ("app.kubernetes.io/component", "metrics"),
            ("app.kubernetes.io/instance", MON),
            ("app.kubernetes.io/managed-by", "Helm"),
            ("app.kubernetes.io/name", "prometheus-node-exporter"),
            ("app.kubernetes.io/part-of", "prometheus-node-exporter"),
            ("jobLabel", "node-exporter"),
            ("release", MON),
        ],
        selector: Some(&[
            ("app.kubernetes.io/instance", MON),
            ("app.kubernetes.io/name", "prometheus-node-exporter"),
        ]),
        ports: &[("http-metrics", 9100, "9100", Protocol::Tcp)],
        requires: None,
    },
    SimService {
        namespace: MON,
        name: "qks-monitoring-kube-state-metrics",
        labels: &[
            ("app.kubernetes.io/instance", MON),
            ("app.kubernetes.io/name", "kube-state-metrics"),
            ("release", MON),
        ],
        selector: Some(&[
            ("app.kubernetes.io/instance", MON),
            ("app.kubernetes.io/name", "kube-state-metrics"),
        ]),
        ports: &[("http", 8080, "http", Protocol::Tcp)],
        requires: None,
    },
    SimService {
        namespace: MON,
        name: "qks-monitoring-grafana",
        labels: &[
            ("app.kubernetes.io/instance", MON),
            ("app.kubernetes.io/name", "grafana"),
        ],
        selector: Some(&[
            ("app.kubernetes.io/instance", MON),
            ("app.kubernetes.io/name", "grafana"),
        ]),
        ports: &[("http-web", 80, "3000", Protocol::Tcp)],
        requires: None,
    },
    SimService {
        namespace: MON,
        name: "qks-monitoring-kube-promet-prometheus",
        labels: &[
            ("app", "kube-prometheus-stack-prometheus"),
            ("release", MON),
            ("self-monitor", "true"),
        ],
        selector: Some(&[
            ("app.kubernetes.io/name", "prometheus"),
            (
                "operator.prometheus.io/name",
                "qks-monitoring-kube-promet-prometheus",
            ),
        ]),
        ports: &[
            ("http-web", 9090, "9090", Protocol::Tcp),
            ("reloader-web", 8080, "reloader-web", Protocol::Tcp),
        ],
        requires: None,
    },
    SimService {
        namespace: MON,
        name: "qks-monitoring-kube-promet-alertmanager",
        labels: &[
            ("app", "kube-prometheus-stack-alertmanager"),
            ("release", MON),
            ("self-monitor", "true"),
        ],
        selector: Some(&[
            ("alertmanager", "qks-monitoring-kube-promet-alertmanager"),
            ("app.kubernetes.io/name", "alertmanager"),
        ]),
        ports: &[
            ("http-web", 9093, "9093", Protocol::Tcp),
            ("reloader-web", 8080, "reloader-web", Protocol::Tcp),
        ],
        requires: None,
    },
    SimService {
        namespace: MON,
        name: "qks-monitoring-kube-promet-operator",
        labels: &[("app", "kube-prometheus-stack-operator"), ("release", MON)],
        selector: Some(&[("app", "kube-prometheus-stack-operator"), ("release", MON)]),
        ports: &[("https", 443, "https", Protocol::Tcp)],
        requires: None,
    },
    // The training material's Service.yaml, as if applied to the
    // namespace of the stack.
    SimService {
        namespace: MON,
        name: "prom-example",
        labels: &[("app", "prom-example"), ("release", MON)],
        selector: Some(&[("app", "prom-example"), ("release", MON)]),
        ports: &[("metrics", 8090, "metrics", Protocol::Tcp)],
        requires: Some("prom-example"),
    },
    SimService {
        namespace: "gpu-operator",
        name: "nvidia-dcgm-exporter",
        labels: &[("app", "nvidia-dcgm-exporter")],
        selector: Some(&[("app", "nvidia-dcgm-exporter")]),
        ports: &[("gpu-metrics", 9400, "9400", Protocol::Tcp)],
        requires: Some("nvidia-dcgm-exporter"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn the_default_resources_load_without_issues() {
        let out = load(DEFAULT_RESOURCES, &LoadOptions::default());
        assert_eq!(out.issues, []);
        assert_eq!(out.objects.len(), 2);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn services_of_the_stack_have_endpoints_at_their_pods() {
        let c = ClusterObjects::simulated();
        let found: Vec<String> = c
            .services()
            .map(|s| {
                let eps: Vec<String> = c
                    .endpoints(s)
                    .iter()
                    .map(|e| {
                        format!(
                            "{}:{}",
                            e.pod.status.pod_ip.as_deref().unwrap_or("?"),
                            e.target_port
                        )
                    })
                    .collect();
                format!(
                    "{}/{} {}",
                    s.metadata.namespace,
                    s.metadata.name,
                    eps.join(" ")
                )
            })
            .collect();
        expect_test::expect![[r#"
            [
                "default/kubernetes ",
                "gpu-operator/nvidia-dcgm-exporter 10.244.2.21:9400",
                "kube-system/kube-dns 10.244.0.20:53 10.244.1.20:53 10.244.0.20:53 10.244.1.20:53 10.244.0.20:9153 10.244.1.20:9153",
                "qks-monitoring/prom-example 10.244.1.17:8090",
                "qks-monitoring/qks-monitoring-grafana 10.244.1.23:3000",
                "qks-monitoring/qks-monitoring-kube-promet-alertmanager 10.244.1.25:9093 10.244.1.25:8080",
                "qks-monitoring/qks-monitoring-kube-promet-operator 10.244.1.21:10250",
                "qks-monitoring/qks-monitoring-kube-promet-prometheus 10.244.1.24:9090 10.244.1.24:8080",
                "qks-monitoring/qks-monitoring-kube-state-metrics 10.244.1.22:8080",
                "qks-monitoring/qks-monitoring-prometheus-node-exporter 10.0.0.13:9100 10.0.0.12:9100 10.0.0.11:9100",
            ]
        "#]]
        .assert_debug_eq(&found);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn applying_a_deployment_creates_its_pods_and_updates_them() {
        let mut c = ClusterObjects::simulated();
        let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          ports: [{name: http, containerPort: 80}]\n";
        let out = load(yaml, &LoadOptions::default());
        assert_eq!(out.issues, []);
        let applied = c.apply(out.objects.into_iter().map(|l| l.object));
        assert_eq!(applied[0].to_string(), "deployment.apps/web created");
        let pods: Vec<&Pod> = c
            .pods()
            .filter(|p| p.metadata.labels.get("app").map(String::as_str) == Some("web"))
            .collect();
        assert_eq!(pods.len(), 2);
        assert!(pods.iter().all(|p| p.status.pod_ip.is_some()));
        assert_ne!(pods[0].status.pod_ip, pods[1].status.pod_ip);
        // Applying the same manifest again changes nothing.
        let again = load(yaml, &LoadOptions::default());
        let applied = c.apply(again.objects.into_iter().map(|l| l.object));
        assert_eq!(applied[0].result, Ok(ApplyAction::Unchanged));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn objects_in_a_missing_namespace_are_refused() {
        let mut c = ClusterObjects::simulated();
        let out = load(
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: team-b}\nspec: {ports: [{port: 80}]}\n",
            &LoadOptions::default(),
        );
        assert_eq!(out.issues, []);
        let applied: Vec<String> = c
            .apply(out.objects.into_iter().map(|l| l.object))
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            applied,
            [
                "namespace/team-a created",
                "error applying service/a: namespaces \"team-b\" not found"
            ]
        );
        assert_eq!(
            c.namespace_labels("team-a").unwrap()["kubernetes.io/metadata.name"],
            "team-a"
        );
    }
}
