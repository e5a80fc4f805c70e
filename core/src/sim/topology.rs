//! The cluster's shape, as the Kubernetes API would list it: nodes with
//! their hardware, the pods on them with their containers and resource
//! requests, and the Deployments that own some of the pods.
//!
//! The shape follows the training material's setup: kube-prometheus-stack
//! installed as the Helm release `qks-monitoring` in the namespace of the
//! same name (node_exporter as a DaemonSet, kube-state-metrics, Prometheus,
//! Alertmanager, Grafana), the example app `prom-example` in that
//! namespace, flannel as the network plugin, and the NVIDIA GPU Operator's
//! DCGM exporter on GPU nodes, which run an inference server using one GPU
//! each.
//!
//! Names, addresses and identifiers do not depend on the seed, so lessons
//! can refer to them; the seed only moves the dynamics.

use super::dynamics::{Key, DAY, HOUR, MINUTE};
use super::ClusterOptions;
use crate::clock::Millis;

/// The most nodes a cluster may have; more would make pages too large for
/// a browser tab to scrape every few seconds.
pub const MAX_NODES: usize = 32;
/// The most GPUs one node may carry.
pub const MAX_GPUS_PER_NODE: usize = 8;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const MIB: f64 = 1024.0 * 1024.0;

/// The Kubernetes version every node runs.
pub const KUBELET_VERSION: &str = "v1.31.4";
pub const CONTAINER_RUNTIME: &str = "containerd://1.7.24";
pub const KERNEL_RELEASE: &str = "6.8.0-51-generic";
pub const KERNEL_VERSION: &str = "#52-Ubuntu SMP PREEMPT_DYNAMIC Thu Dec  5 13:09:44 UTC 2024";
pub const OS_IMAGE: &str = "Ubuntu 24.04.1 LTS";

/// What a node is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Runs the API server, etcd, the scheduler and the controller manager;
    /// tainted so ordinary workloads go elsewhere.
    ControlPlane,
    Worker,
    /// A worker with GPUs.
    Gpu,
}

/// A block device.
#[derive(Debug, Clone, PartialEq)]
pub struct Disk {
    pub device: &'static str,
    pub major: u32,
    pub minor: u32,
    pub bytes: f64,
    /// How busy the disk is compared with the node's usual load.
    pub weight: f64,
}

/// A mounted filesystem.
#[derive(Debug, Clone, PartialEq)]
pub struct Filesystem {
    pub device: String,
    pub fstype: &'static str,
    pub mountpoint: &'static str,
    pub major: u32,
    pub minor: u32,
    pub bytes: f64,
    /// The fraction in use at the start.
    pub used: f64,
    /// How fast use grows and is cleaned up again over a day (log files
    /// and images), as a fraction of the size.
    pub daily_growth: f64,
    pub inodes: f64,
}

/// A network interface.
#[derive(Debug, Clone, PartialEq)]
pub struct Interface {
    pub device: &'static str,
    pub mac: String,
    pub mtu: f64,
    /// Link speed in bytes per second, if the device has one.
    pub speed: Option<f64>,
    /// Received bytes per second on average.
    pub rx: f64,
    /// Sent bytes per second on average.
    pub tx: f64,
}

/// One machine.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSpec {
    pub name: String,
    pub role: Role,
    pub ip: String,
    pub pod_cidr: String,
    pub cpus: u32,
    /// `MemTotal`: the physical memory less what the kernel reserves.
    pub memory: f64,
    pub gpus: u32,
    pub system_uuid: String,
    pub disks: Vec<Disk>,
    pub filesystems: Vec<Filesystem>,
    pub interfaces: Vec<Interface>,
    /// How busy the node usually is: the mean fraction of CPU time used.
    pub load: f64,
    /// The fraction of memory applications use on average.
    pub memory_used: f64,
    /// How long before the cluster was first observed the node joined.
    pub age: Millis,
}

/// Who created a pod, as `kube_pod_info`'s `created_by_kind` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKind {
    ReplicaSet,
    DaemonSet,
    StatefulSet,
    /// A static pod the kubelet runs from a manifest file.
    Node,
}

impl OwnerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::ReplicaSet => "ReplicaSet",
            OwnerKind::DaemonSet => "DaemonSet",
            OwnerKind::StatefulSet => "StatefulSet",
            OwnerKind::Node => "Node",
        }
    }
}

/// CPU in cores, memory in bytes, GPUs as a count.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Resources {
    pub cpu: Option<f64>,
    pub memory: Option<f64>,
    pub gpu: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContainerSpec {
    pub name: &'static str,
    pub image: String,
    pub image_id: String,
    pub container_id: String,
    pub requests: Resources,
    pub limits: Resources,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PodSpec {
    pub namespace: &'static str,
    pub name: String,
    pub uid: String,
    pub node: usize,
    pub ip: String,
    pub host_network: bool,
    pub owner_kind: OwnerKind,
    pub owner_name: String,
    pub priority_class: &'static str,
    pub containers: Vec<ContainerSpec>,
    /// How long before the cluster was first observed the pod was created.
    pub age: Millis,
    /// The Deployment that owns the pod through its ReplicaSet.
    pub deployment: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentSpec {
    pub namespace: &'static str,
    pub name: &'static str,
    pub replicas: u32,
    pub age: Millis,
}

/// Which pods are the exporters the cluster's targets point at.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExporterPods {
    /// node_exporter's pod on each node, by node index.
    pub node_exporter: Vec<usize>,
    pub kube_state_metrics: usize,
    /// The DCGM exporter's pod on each GPU node: (node index, pod index).
    pub dcgm: Vec<(usize, usize)>,
    pub ping_app: usize,
}

/// Everything the API server knows about.
#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    pub nodes: Vec<NodeSpec>,
    pub pods: Vec<PodSpec>,
    pub deployments: Vec<DeploymentSpec>,
    pub exporters: ExporterPods,
}

/// Identifiers are drawn from this key, not the seed: the same cluster
/// shape always has the same names.
fn ids() -> Key {
    Key::new(0, "ids")
}

fn hex(key: Key, words: usize) -> String {
    (0..words)
        .map(|i| format!("{:016x}", key.bits(i as i64)))
        .collect()
}

/// A UUID (version 4 layout) drawn from `name`.
pub fn uuid(name: &str) -> String {
    let h = hex(ids().child(name), 2);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// The characters Kubernetes uses for generated name suffixes.
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn suffix(name: &str, len: usize) -> String {
    let key = ids().child(name);
    (0..len)
        .map(|i| SAFE[(key.bits(i as i64) % SAFE.len() as u64) as usize] as char)
        .collect()
}

fn mac(name: &str) -> String {
    let b = ids().child(name).bits(0).to_be_bytes();
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        (b[0] & 0xfe) | 0x02,
        b[1],
        b[2],
        b[3],
        b[4],
        b[5]
    )
}

impl Topology {
    pub fn build(options: &ClusterOptions) -> Topology {
        let count = options.nodes.clamp(1, MAX_NODES);
        let gpu_nodes = options.gpu_nodes.min(count);
        let gpus = options.gpus_per_node.clamp(1, MAX_GPUS_PER_NODE) as u32;
        let mut nodes = Vec::with_capacity(count);
        let (mut workers, mut gpu_seen) = (0, 0);
        for i in 0..count {
            let is_gpu = i >= count - gpu_nodes;
            let (role, name) = if is_gpu {
                gpu_seen += 1;
                (Role::Gpu, format!("qks-gpu-{gpu_seen}"))
            } else if i == 0 {
                (Role::ControlPlane, "qks-master-1".to_string())
            } else {
                workers += 1;
                (Role::Worker, format!("qks-worker-{workers}"))
            };
            nodes.push(node_spec(i, role, name, if is_gpu { gpus } else { 0 }));
        }
        let mut b = Builder {
            nodes,
            pods: Vec::new(),
            deployments: Vec::new(),
            next_ip: vec![20; count],
        };
        let exporters = b.populate();
        Topology {
            nodes: b.nodes,
            pods: b.pods,
            deployments: b.deployments,
            exporters,
        }
    }

    /// The index of the node called `name`.
    pub fn node_index(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }
}

fn node_spec(index: usize, role: Role, name: String, gpus: u32) -> NodeSpec {
    let (cpus, memory_gib, load, memory_used) = match role {
        Role::ControlPlane => (4, 8.0, 0.22, 0.52),
        Role::Worker => (8, 32.0, 0.35, 0.58),
        Role::Gpu => (16, 128.0, 0.28, 0.41),
    };
    // The kernel keeps about 2.5% of the memory for itself.
    let memory = (memory_gib * GIB * 0.975 / 4096.0).floor() * 4096.0;
    let (root_disk, root_part, root_bytes, major) = match role {
        Role::Gpu => ("nvme0n1", "/dev/nvme0n1p2", 960e9, 259),
        Role::ControlPlane => ("sda", "/dev/sda2", 100.0 * GIB, 8),
        Role::Worker => ("sda", "/dev/sda2", 200.0 * GIB, 8),
    };
    let efi = match role {
        Role::Gpu => "/dev/nvme0n1p1",
        _ => "/dev/sda1",
    };
    let mut disks = vec![Disk {
        device: root_disk,
        major,
        minor: 0,
        bytes: root_bytes,
        weight: 1.0,
    }];
    let mut filesystems = vec![
        Filesystem {
            device: root_part.into(),
            fstype: "ext4",
            mountpoint: "/",
            major,
            minor: 2,
            bytes: (root_bytes - GIB) * 0.98,
            used: match role {
                Role::ControlPlane => 0.31,
                Role::Worker => 0.47,
                Role::Gpu => 0.38,
            },
            daily_growth: 0.012,
            inodes: (root_bytes / 16384.0).floor(),
        },
        Filesystem {
            device: efi.into(),
            fstype: "vfat",
            mountpoint: "/boot/efi",
            major,
            minor: 1,
            bytes: 1_124_999_168.0,
            used: 0.0058,
            daily_growth: 0.0,
            inodes: 0.0,
        },
        Filesystem {
            device: "tmpfs".into(),
            fstype: "tmpfs",
            mountpoint: "/run",
            major: 0,
            minor: 26,
            bytes: (memory / 10.0 / 4096.0).floor() * 4096.0,
            used: 0.0016,
            daily_growth: 0.0002,
            inodes: (memory / 10.0 / 4096.0 / 4.0).floor(),
        },
    ];
    if role == Role::Gpu {
        disks.push(Disk {
            device: "nvme1n1",
            major: 259,
            minor: 1,
            bytes: 3.84e12,
            weight: 2.5,
        });
        filesystems.push(Filesystem {
            device: "/dev/nvme1n1".into(),
            fstype: "xfs",
            mountpoint: "/data",
            major: 259,
            minor: 1,
            bytes: 3.84e12 * 0.995,
            used: 0.62,
            daily_growth: 0.004,
            inodes: 375_000_000.0,
        });
    }
    let traffic = match role {
        Role::ControlPlane => 1.0,
        Role::Worker => 1.6,
        Role::Gpu => 4.0,
    };
    let interfaces = vec![
        Interface {
            device: "cni0",
            mac: mac(&format!("{name}/cni0")),
            mtu: 1450.0,
            speed: None,
            rx: 260e3 * traffic,
            tx: 410e3 * traffic,
        },
        Interface {
            device: "eth0",
            mac: mac(&format!("{name}/eth0")),
            mtu: 1500.0,
            speed: Some(1.25e9),
            rx: 1.9e6 * traffic,
            tx: 1.3e6 * traffic,
        },
        Interface {
            device: "flannel.1",
            mac: mac(&format!("{name}/flannel.1")),
            mtu: 1450.0,
            speed: None,
            rx: 180e3 * traffic,
            tx: 150e3 * traffic,
        },
        Interface {
            device: "lo",
            mac: "00:00:00:00:00:00".into(),
            mtu: 65536.0,
            speed: None,
            rx: if role == Role::ControlPlane {
                3.2e6
            } else {
                240e3
            },
            tx: if role == Role::ControlPlane {
                3.2e6
            } else {
                240e3
            },
        },
    ];
    NodeSpec {
        system_uuid: uuid(&format!("node/{name}")),
        ip: format!("10.0.0.{}", 11 + index),
        pod_cidr: format!("10.244.{index}.0/24"),
        name,
        role,
        cpus,
        memory,
        gpus,
        disks,
        filesystems,
        interfaces,
        load,
        memory_used,
        age: match role {
            Role::ControlPlane => 41 * DAY + 2 * HOUR,
            Role::Worker => 41 * DAY + HOUR - index as Millis * 10 * MINUTE,
            Role::Gpu => 20 * DAY + 3 * HOUR - index as Millis * 10 * MINUTE,
        },
    }
}

struct Builder {
    nodes: Vec<NodeSpec>,
    pods: Vec<PodSpec>,
    deployments: Vec<DeploymentSpec>,
    next_ip: Vec<u32>,
}

/// A container to add, before identifiers are drawn.
struct C {
    name: &'static str,
    image: &'static str,
    requests: Resources,
    limits: Resources,
}

fn c(name: &'static str, image: &'static str) -> C {
    C {
        name,
        image,
        requests: Resources::default(),
        limits: Resources::default(),
    }
}

impl C {
    fn requests(mut self, cpu: f64, memory_mib: f64) -> C {
        self.requests.cpu = Some(cpu);
        self.requests.memory = Some(memory_mib * MIB);
        self
    }

    fn memory_limit(mut self, memory_mib: f64) -> C {
        self.limits.memory = Some(memory_mib * MIB);
        self
    }

    fn cpu_limit(mut self, cpu: f64) -> C {
        self.limits.cpu = Some(cpu);
        self
    }

    fn gpus(mut self, n: u32) -> C {
        // The API server copies limits of extended resources into requests.
        self.requests.gpu = Some(n);
        self.limits.gpu = Some(n);
        self
    }
}

/// A DaemonSet: one pod on each node it covers.
struct DaemonSet {
    namespace: &'static str,
    name: &'static str,
    host_network: bool,
    priority_class: &'static str,
    age: Millis,
}

/// Where a pod goes and who owns it.
struct P {
    namespace: &'static str,
    name: String,
    node: usize,
    owner: OwnerKind,
    owner_name: String,
    host_network: bool,
    priority_class: &'static str,
    age: Millis,
    deployment: Option<usize>,
    ip: Option<String>,
}

impl Builder {
    fn workers(&self) -> Vec<usize> {
        let w: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].role == Role::Worker)
            .collect();
        if !w.is_empty() {
            return w;
        }
        let any: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].role != Role::ControlPlane)
            .collect();
        if any.is_empty() {
            vec![0]
        } else {
            any
        }
    }

    fn add(&mut self, p: P, containers: Vec<C>) -> usize {
        let node = p.node.min(self.nodes.len() - 1);
        // No pod is older than its node: DaemonSet pods are created when the
        // node joins.
        let age = p.age.min(self.nodes[node].age - 2 * MINUTE);
        let ip = match p.ip {
            Some(ip) => ip,
            None if p.host_network => self.nodes[node].ip.clone(),
            None => {
                let n = self.next_ip[node];
                self.next_ip[node] = n + 1;
                format!("10.244.{node}.{n}")
            }
        };
        let id = format!("{}/{}", p.namespace, p.name);
        let containers = containers
            .into_iter()
            .map(|c| {
                let cid = ids().child(&format!("{id}/{}", c.name));
                let repo = c.image.split(':').next().unwrap_or(c.image);
                ContainerSpec {
                    name: c.name,
                    image: c.image.to_string(),
                    image_id: format!("{repo}@sha256:{}", hex(ids().child(c.image), 4)),
                    container_id: format!("containerd://{}", hex(cid, 4)),
                    requests: c.requests,
                    limits: c.limits,
                }
            })
            .collect();
        self.pods.push(PodSpec {
            namespace: p.namespace,
            uid: uuid(&format!("pod/{id}")),
            name: p.name,
            node,
            ip,
            host_network: p.host_network,
            owner_kind: p.owner,
            owner_name: p.owner_name,
            priority_class: p.priority_class,
            containers,
            age,
            deployment: p.deployment,
        });
        self.pods.len() - 1
    }

    fn daemon(&mut self, set: &DaemonSet, node: usize, containers: Vec<C>) -> usize {
        let name = format!(
            "{}-{}",
            set.name,
            suffix(&format!("{}/{}", set.name, self.nodes[node].name), 5)
        );
        self.add(
            P {
                namespace: set.namespace,
                name,
                node,
                owner: OwnerKind::DaemonSet,
                owner_name: set.name.to_string(),
                host_network: set.host_network,
                priority_class: set.priority_class,
                age: set.age,
                deployment: None,
                ip: None,
            },
            containers,
        )
    }

    /// Adds a Deployment and its pods on `nodes` (one replica each).
    fn deployment(
        &mut self,
        namespace: &'static str,
        name: &'static str,
        nodes: &[usize],
        age: Millis,
        priority_class: &'static str,
        containers: impl Fn() -> Vec<C>,
    ) -> Vec<usize> {
        let index = self.deployments.len();
        self.deployments.push(DeploymentSpec {
            namespace,
            name,
            replicas: nodes.len() as u32,
            age,
        });
        let hash = suffix(&format!("rs/{namespace}/{name}"), 9);
        let replicaset = format!("{name}-{hash}");
        nodes
            .iter()
            .enumerate()
            .map(|(i, &node)| {
                let pod = format!("{replicaset}-{}", suffix(&format!("{replicaset}/{i}"), 5));
                self.add(
                    P {
                        namespace,
                        name: pod,
                        node,
                        owner: OwnerKind::ReplicaSet,
                        owner_name: replicaset.clone(),
                        host_network: false,
                        priority_class,
                        age,
                        deployment: Some(index),
                        ip: None,
                    },
                    containers(),
                )
            })
            .collect()
    }

    fn stateful(
        &mut self,
        namespace: &'static str,
        set: &str,
        node: usize,
        age: Millis,
        containers: Vec<C>,
    ) {
        self.add(
            P {
                namespace,
                name: format!("{set}-0"),
                node,
                owner: OwnerKind::StatefulSet,
                owner_name: set.to_string(),
                host_network: false,
                priority_class: "",
                age,
                deployment: None,
                ip: None,
            },
            containers,
        );
    }

    /// Fills the cluster with its pods and returns where the exporters are.
    fn populate(&mut self) -> ExporterPods {
        const MON: &str = "qks-monitoring";
        let cluster_age = 41 * DAY;
        let n = self.nodes.len();
        let workers = self.workers();
        let worker = |k: usize| workers[k % workers.len()];
        let master = 0;
        let master_name = self.nodes[master].name.clone();

        // The control plane's static pods.
        let statics: [(&str, &str, f64, f64); 4] = [
            ("etcd", "registry.k8s.io/etcd:3.5.15-0", 0.1, 100.0),
            (
                "kube-apiserver",
                "registry.k8s.io/kube-apiserver:v1.31.4",
                0.25,
                0.0,
            ),
            (
                "kube-controller-manager",
                "registry.k8s.io/kube-controller-manager:v1.31.4",
                0.2,
                0.0,
            ),
            (
                "kube-scheduler",
                "registry.k8s.io/kube-scheduler:v1.31.4",
                0.1,
                0.0,
            ),
        ];
        for (component, image, cpu, mem) in statics {
            let mut container = c(component, image);
            container.requests.cpu = Some(cpu);
            if mem > 0.0 {
                container.requests.memory = Some(mem * MIB);
            }
            self.add(
                P {
                    namespace: "kube-system",
                    name: format!("{component}-{master_name}"),
                    node: master,
                    owner: OwnerKind::Node,
                    owner_name: master_name.clone(),
                    host_network: true,
                    priority_class: "system-node-critical",
                    age: cluster_age,
                    deployment: None,
                    ip: None,
                },
                vec![container],
            );
        }
        self.deployment(
            "kube-system",
            "coredns",
            &[master, worker(0)],
            cluster_age,
            "system-cluster-critical",
            || {
                vec![c("coredns", "registry.k8s.io/coredns/coredns:v1.11.3")
                    .requests(0.1, 70.0)
                    .memory_limit(170.0)]
            },
        );

        // Per node: networking, node_exporter, and the GPU operator's pods.
        let mut node_exporter = Vec::with_capacity(n);
        let mut dcgm = Vec::new();
        for node in 0..n {
            self.daemon(
                &DaemonSet {
                    namespace: "kube-system",
                    name: "kube-proxy",
                    host_network: true,
                    priority_class: "system-node-critical",
                    age: cluster_age,
                },
                node,
                vec![c("kube-proxy", "registry.k8s.io/kube-proxy:v1.31.4")],
            );
            self.daemon(
                &DaemonSet {
                    namespace: "kube-flannel",
                    name: "kube-flannel-ds",
                    host_network: true,
                    priority_class: "system-node-critical",
                    age: cluster_age - HOUR,
                },
                node,
                vec![c("kube-flannel", "ghcr.io/flannel-io/flannel:v0.26.2").requests(0.1, 50.0)],
            );
            node_exporter.push(self.daemon(
                &DaemonSet {
                    namespace: MON,
                    name: "qks-monitoring-prometheus-node-exporter",
                    host_network: true,
                    priority_class: "",
                    age: 9 * DAY + 3 * HOUR,
                },
                node,
                vec![c("node-exporter", "quay.io/prometheus/node-exporter:v1.11.1")
                    .requests(0.01, 32.0)
                    .memory_limit(64.0)],
            ));
            if self.nodes[node].role == Role::Gpu {
                self.daemon(
                    &DaemonSet {
                        namespace: "gpu-operator",
                        name: "nvidia-device-plugin-daemonset",
                        host_network: false,
                        priority_class: "system-node-critical",
                        age: 20 * DAY,
                    },
                    node,
                    vec![c(
                        "nvidia-device-plugin",
                        "nvcr.io/nvidia/k8s-device-plugin:v0.17.0",
                    )],
                );
                let pod = self.daemon(
                    &DaemonSet {
                        namespace: "gpu-operator",
                        name: "nvidia-dcgm-exporter",
                        host_network: false,
                        priority_class: "system-node-critical",
                        age: 20 * DAY,
                    },
                    node,
                    vec![c(
                        "nvidia-dcgm-exporter",
                        "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.9-3.6.1-ubuntu22.04",
                    )],
                );
                dcgm.push((node, pod));
            }
        }

        // The monitoring stack.
        self.deployment(
            MON,
            "qks-monitoring-kube-promet-operator",
            &[worker(0)],
            9 * DAY + 3 * HOUR,
            "",
            || {
                vec![c(
                    "kube-prometheus-stack",
                    "quay.io/prometheus-operator/prometheus-operator:v0.79.2",
                )
                .requests(0.1, 100.0)
                .memory_limit(200.0)]
            },
        );
        let ksm = self.deployment(
            MON,
            "qks-monitoring-kube-state-metrics",
            &[worker(0)],
            9 * DAY + 3 * HOUR,
            "",
            || {
                vec![c(
                    "kube-state-metrics",
                    "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.14.0",
                )
                .requests(0.01, 32.0)
                .memory_limit(128.0)]
            },
        );
        self.deployment(
            MON,
            "qks-monitoring-grafana",
            &[worker(1)],
            9 * DAY + 3 * HOUR,
            "",
            || {
                vec![
                    c(
                        "grafana-sc-dashboard",
                        "quay.io/kiwigrid/k8s-sidecar:1.28.0",
                    ),
                    c(
                        "grafana-sc-datasources",
                        "quay.io/kiwigrid/k8s-sidecar:1.28.0",
                    ),
                    c("grafana", "docker.io/grafana/grafana:11.4.0")
                        .requests(0.1, 128.0)
                        .memory_limit(512.0),
                ]
            },
        );
        self.stateful(
            MON,
            "prometheus-qks-monitoring-kube-promet-prometheus",
            worker(0),
            9 * DAY + 3 * HOUR,
            vec![
                c("prometheus", "quay.io/prometheus/prometheus:v3.5.0")
                    .requests(0.5, 2048.0)
                    .memory_limit(4096.0),
                c(
                    "config-reloader",
                    "quay.io/prometheus-operator/prometheus-config-reloader:v0.79.2",
                )
                .requests(0.01, 25.0)
                .memory_limit(50.0)
                .cpu_limit(0.01),
            ],
        );
        self.stateful(
            MON,
            "alertmanager-qks-monitoring-kube-promet-alertmanager",
            worker(1),
            9 * DAY + 3 * HOUR,
            vec![
                c("alertmanager", "quay.io/prometheus/alertmanager:v0.28.0").requests(0.05, 64.0),
                c(
                    "config-reloader",
                    "quay.io/prometheus-operator/prometheus-config-reloader:v0.79.2",
                )
                .requests(0.01, 25.0)
                .memory_limit(50.0)
                .cpu_limit(0.01),
            ],
        );

        // The training material's app. Its pod address is fixed (the lab and
        // lessons refer to it); it runs on the first worker.
        let app_node = if n > 1 { 1 } else { 0 };
        let app_index = self.deployments.len();
        self.deployments.push(DeploymentSpec {
            namespace: MON,
            name: "prom-example",
            replicas: 1,
            age: 3 * DAY + 5 * HOUR,
        });
        let ping_app = self.add(
            P {
                namespace: MON,
                name: "prom-example-5d8c7b9f4-x2x7q".into(),
                node: app_node,
                owner: OwnerKind::ReplicaSet,
                owner_name: "prom-example-5d8c7b9f4".into(),
                host_network: false,
                priority_class: "",
                age: 3 * DAY + 5 * HOUR,
                deployment: Some(app_index),
                ip: Some(
                    super::ping_app::ADDRESS
                        .split(':')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                ),
            },
            vec![c(
                "mymetric",
                "registry.smg.quantumcns.io/qms/prom_example:v0.2",
            )
            .requests(0.05, 64.0)
            .memory_limit(128.0)
            .cpu_limit(0.2)],
        );

        // An inference server on each GPU node, holding one GPU.
        let gpu_nodes: Vec<usize> = (0..n)
            .filter(|&i| self.nodes[i].role == Role::Gpu)
            .collect();
        if !gpu_nodes.is_empty() {
            self.deployment(
                "ai-serving",
                "llm-inference",
                &gpu_nodes,
                6 * DAY + 20 * MINUTE,
                "",
                || {
                    vec![c("vllm", "docker.io/vllm/vllm-openai:v0.6.4")
                        .requests(4.0, 16384.0)
                        .memory_limit(32768.0)
                        .gpus(1)]
                },
            );
        }

        ExporterPods {
            node_exporter,
            kube_state_metrics: ksm.first().copied().unwrap_or(0),
            dcgm,
            ping_app,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn the_default_cluster_has_a_master_a_worker_and_a_gpu_node() {
        let t = Topology::build(&ClusterOptions::default());
        let nodes: Vec<(&str, Role, u32)> = t
            .nodes
            .iter()
            .map(|n| (n.name.as_str(), n.role, n.gpus))
            .collect();
        assert_eq!(
            nodes,
            vec![
                ("qks-master-1", Role::ControlPlane, 0),
                ("qks-worker-1", Role::Worker, 0),
                ("qks-gpu-1", Role::Gpu, 2),
            ]
        );
        let app = &t.pods[t.exporters.ping_app];
        assert_eq!((app.ip.as_str(), app.node), ("10.244.1.17", 1));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn names_and_addresses_are_unique() {
        for options in [
            ClusterOptions::default(),
            ClusterOptions {
                nodes: 6,
                gpu_nodes: 2,
                gpus_per_node: 4,
                seed: 9,
            },
            ClusterOptions {
                nodes: 1,
                gpu_nodes: 0,
                gpus_per_node: 1,
                seed: 0,
            },
        ] {
            let t = Topology::build(&options);
            let names: HashSet<String> = t
                .pods
                .iter()
                .map(|p| format!("{}/{}", p.namespace, p.name))
                .collect();
            assert_eq!(names.len(), t.pods.len());
            let ips: HashSet<&str> = t
                .pods
                .iter()
                .filter(|p| !p.host_network)
                .map(|p| p.ip.as_str())
                .collect();
            assert_eq!(ips.len(), t.pods.iter().filter(|p| !p.host_network).count());
            let uids: HashSet<&str> = t.pods.iter().map(|p| p.uid.as_str()).collect();
            assert_eq!(uids.len(), t.pods.len());
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn options_out_of_range_are_clamped() {
        let t = Topology::build(&ClusterOptions {
            nodes: 10_000,
            gpu_nodes: 20_000,
            gpus_per_node: 0,
            seed: 1,
        });
        assert_eq!(t.nodes.len(), MAX_NODES);
        assert!(t.nodes.iter().all(|n| n.gpus == 1));
        let t = Topology::build(&ClusterOptions {
            nodes: 0,
            gpu_nodes: 0,
            gpus_per_node: 99,
            seed: 1,
        });
        assert_eq!(t.nodes.len(), 1);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn identifiers_look_like_kubernetes_ones() {
        let id = uuid("x");
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        let t = Topology::build(&ClusterOptions::default());
        let ne = &t.pods[t.exporters.node_exporter[0]];
        assert!(ne
            .name
            .starts_with("qks-monitoring-prometheus-node-exporter-"));
        assert_eq!(
            ne.name.len(),
            "qks-monitoring-prometheus-node-exporter-".len() + 5
        );
        assert!(ne.containers[0].container_id.starts_with("containerd://"));
        assert_eq!(
            ne.containers[0].container_id.len(),
            "containerd://".len() + 64
        );
    }
}
