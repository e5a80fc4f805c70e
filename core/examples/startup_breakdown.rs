//! Where a lab's start-up time goes: rendering pages, parsing them, and
//! ingesting them.
use promlab_core::exposition;
use promlab_core::sim::Cluster;
use std::time::{Duration, Instant};

fn main() {
    let mut cluster = Cluster::new(1);
    let targets = cluster.targets();
    let (mut render, mut parse) = (Duration::ZERO, Duration::ZERO);
    let mut samples = 0;
    let start = 1_767_225_600_000i64 - 3_600_000;
    for step in 0..240 {
        let t = start + step * 15_000;
        for target in &targets {
            let a = Instant::now();
            let page = cluster
                .fetch(&target.address, &target.metrics_path, t)
                .unwrap_or_default();
            render += a.elapsed();
            let b = Instant::now();
            let p = exposition::parse(&page).unwrap();
            parse += b.elapsed();
            samples += p.samples.len();
        }
    }
    println!("{samples} samples: render {render:?}, parse {parse:?}");
}
