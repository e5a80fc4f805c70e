//! The native half of `cargo xtask bench-promql`: builds the benchmark's
//! data (the same lab `promlab export` writes for Prometheus) and prints,
//! per dashboard query and kind, the median time of one evaluation through
//! the lab's API: `name<TAB>instant|range<TAB>milliseconds`.
//!
//! `cargo run --release -p promlab-core --example promql_bench [RUNS]`

#[path = "../benches/dashboard/mod.rs"]
mod dashboard;

fn main() {
    let runs = std::env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(15);
    let origin = std::time::Instant::now();
    let now = move || origin.elapsed().as_secs_f64() * 1000.0;
    let mut lab = dashboard::lab();
    eprintln!("data ready in {:.0} ms", now());
    print!("{}", dashboard::time_all(&mut lab, &now, runs));
}
