//! NVIDIA's DCGM exporter on a GPU node, as the GPU Operator deploys it:
//! the default counters (`DCGM_FI_DEV_*`, from dcgm-exporter's
//! `default-counters.csv`) for every GPU, labelled `gpu`, `UUID`,
//! `pci_bus_id`, `device`, `modelName`, `Hostname` (the node's name) and
//! `DCGM_FI_DRIVER_VERSION`. In Kubernetes mode the exporter also labels a
//! GPU held by a pod with the pod's `namespace`, `pod` and `container`.
//!
//! The node's inference server keeps the first GPU busy (its load follows
//! the working day); the other GPUs idle. Power, temperature and clocks
//! follow utilisation; the energy counter is the integral of the power
//! since the node booted. The exporter writes its own page, without the Go
//! client library's metrics.

use super::dynamics::{Key, Rate, MINUTE, SECOND};
use super::page::Family;
use super::topology::uuid;
use super::StateView;
use crate::clock::Timestamp;
use crate::exposition::{self, MetricFamily};

/// The port dcgm-exporter listens on.
pub const PORT: u16 = 9400;

pub const MODEL: &str = "NVIDIA A100 80GB PCIe";
pub const DRIVER_VERSION: &str = "550.127.05";
/// Framebuffer memory in MiB, and what the driver reserves of it.
const FB_TOTAL: f64 = 81_920.0;
const FB_RESERVED: f64 = 535.0;
const IDLE_WATTS: f64 = 46.0;
/// Watts per percent of utilisation above idle.
const WATTS_PER_PERCENT: f64 = 2.3;

/// One GPU's curves.
struct Gpu {
    /// Utilisation in percent, as a rate so power (and so energy) can be
    /// integrated exactly.
    util: Rate,
    idle: Rate,
    busy: bool,
}

impl Gpu {
    fn new(key: Key, busy: bool) -> Gpu {
        let util = if busy {
            Rate::new(key.child("util"), 62.0)
                .daily(0.35)
                .noise(0.6, 30 * SECOND)
        } else {
            Rate::constant(0.0)
        };
        Gpu {
            util,
            idle: Rate::new(key.child("idle"), IDLE_WATTS).noise(0.05, MINUTE),
            busy,
        }
    }

    fn utilization(&self, t: Timestamp) -> f64 {
        self.util.at(t).clamp(0.0, 100.0).round()
    }

    fn power(&self, t: Timestamp) -> f64 {
        self.idle.at(t) + WATTS_PER_PERCENT * self.util.at(t)
    }

    /// Millijoules since `since`.
    fn energy(&self, since: Timestamp, t: Timestamp) -> f64 {
        let joules =
            self.idle.integral(since, t) + WATTS_PER_PERCENT * self.util.integral(since, t);
        (joules * 1000.0).floor()
    }
}

/// How one field's value follows from a GPU and its index.
type Field<'a> = Box<dyn Fn(&Gpu, usize) -> f64 + 'a>;

/// The exporter's page for GPU node `node` at `t`.
pub(crate) fn page(view: &StateView, node: usize, t: Timestamp) -> String {
    exposition::write(&families(view, node, t))
}

fn families(view: &StateView, node: usize, t: Timestamp) -> Vec<MetricFamily> {
    let spec = &view.topology.nodes[node];
    let state = &view.nodes[node];
    let t = t.max(state.boot);
    // The GPU pod on this node holds GPU 0.
    let holder = view
        .topology
        .pods
        .iter()
        .position(|p| p.node == node && p.containers.iter().any(|c| c.limits.gpu.is_some()));
    let mut defs: Vec<(Family, Field)> = vec![
        (
            Family::gauge("DCGM_FI_DEV_SM_CLOCK", "SM clock frequency (in MHz)."),
            Box::new(|g: &Gpu, _| {
                if g.utilization(t) > 0.0 {
                    1410.0 - (g.util.at(t) - 80.0).max(0.0) * 1.5
                } else {
                    210.0
                }
                .round()
            }),
        ),
        (
            Family::gauge("DCGM_FI_DEV_MEM_CLOCK", "Memory clock frequency (in MHz)."),
            Box::new(|_, _| 1512.0),
        ),
        (
            Family::gauge("DCGM_FI_DEV_MEMORY_TEMP", "Memory temperature (in C)."),
            Box::new(|g: &Gpu, i| (temperature(g, i, t) + 4.0).round()),
        ),
        (
            Family::gauge("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C)."),
            Box::new(|g: &Gpu, i| temperature(g, i, t).round()),
        ),
        (
            Family::gauge("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W)."),
            Box::new(|g: &Gpu, _| (g.power(t) * 1000.0).round() / 1000.0),
        ),
        (
            Family::counter(
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
                "Total energy consumption since boot (in mJ).",
            ),
            Box::new(|g: &Gpu, _| g.energy(state.boot, t)),
        ),
        (
            Family::counter(
                "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
                "Total number of PCIe retries.",
            ),
            Box::new(|_, _| 0.0),
        ),
        (
            Family::gauge("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %)."),
            Box::new(|g: &Gpu, _| g.utilization(t)),
        ),
        (
            Family::gauge("DCGM_FI_DEV_MEM_COPY_UTIL", "Memory utilization (in %)."),
            Box::new(|g: &Gpu, _| (g.util.at(t) * 0.42).clamp(0.0, 100.0).round()),
        ),
        (
            Family::gauge("DCGM_FI_DEV_ENC_UTIL", "Encoder utilization (in %)."),
            Box::new(|_, _| 0.0),
        ),
        (
            Family::gauge("DCGM_FI_DEV_DEC_UTIL", "Decoder utilization (in %)."),
            Box::new(|_, _| 0.0),
        ),
        (
            Family::gauge(
                "DCGM_FI_DEV_XID_ERRORS",
                "Value of the last XID error encountered.",
            ),
            Box::new(|_, _| 0.0),
        ),
        (
            Family::gauge("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB)."),
            Box::new(|g: &Gpu, _| FB_TOTAL - FB_RESERVED - framebuffer_used(g)),
        ),
        (
            Family::gauge("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB)."),
            Box::new(|g: &Gpu, _| framebuffer_used(g)),
        ),
        (
            Family::counter(
                "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
                "Number of remapped rows for uncorrectable errors",
            ),
            Box::new(|_, _| 0.0),
        ),
        (
            Family::counter(
                "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS",
                "Number of remapped rows for correctable errors",
            ),
            Box::new(|_, _| 0.0),
        ),
        (
            Family::gauge(
                "DCGM_FI_DEV_ROW_REMAP_FAILURE",
                "Whether remapping of rows has failed",
            ),
            Box::new(|_, _| 0.0),
        ),
    ];
    let gpus: Vec<Gpu> = (0..spec.gpus)
        .map(|i| {
            Gpu::new(
                state.key.child(&format!("gpu{i}")),
                i == 0 && holder.is_some(),
            )
        })
        .collect();
    for (i, gpu) in gpus.iter().enumerate() {
        let index = i.to_string();
        let device = format!("nvidia{i}");
        let id = format!("GPU-{}", uuid(&format!("gpu/{}/{i}", spec.name)));
        let bus = format!("00000000:{:02X}:00.0", 0x17 + 0x1a * i);
        let mut labels: Vec<(&str, &str)> = vec![
            ("DCGM_FI_DRIVER_VERSION", DRIVER_VERSION),
            ("Hostname", spec.name.as_str()),
            ("UUID", id.as_str()),
            ("device", device.as_str()),
            ("gpu", index.as_str()),
            ("modelName", MODEL),
            ("pci_bus_id", bus.as_str()),
        ];
        if let (true, Some(p)) = (gpu.busy, holder) {
            let pod = &view.topology.pods[p];
            let container = pod
                .containers
                .iter()
                .find(|c| c.limits.gpu.is_some())
                .map_or("", |c| c.name);
            labels.push(("container", container));
            labels.push(("namespace", pod.namespace));
            labels.push(("pod", pod.name.as_str()));
        }
        for (family, value) in &mut defs {
            family.add(&labels, value(gpu, i));
        }
    }
    defs.into_iter().map(|(f, _)| f.build()).collect()
}

/// The inference server keeps its model in 90% of the memory; an idle GPU
/// holds almost nothing.
fn framebuffer_used(g: &Gpu) -> f64 {
    if g.busy {
        73_737.0
    } else {
        1.0
    }
}

/// Degrees Celsius: about 32 idle, up to about 75 under full load, with a
/// little difference between boards.
fn temperature(g: &Gpu, i: usize, t: Timestamp) -> f64 {
    let board = i as f64 * 1.5;
    (31.0 + board + g.util.at(t).clamp(0.0, 100.0) * 0.42).clamp(30.0, 85.0)
}
