//! Measures how long a lab takes to start (backfilling its history).
fn main() {
    let t = std::time::Instant::now();
    let lab = promlab_core::lab::Lab::new(promlab_core::lab::LabOptions::default());
    let s = lab.status();
    println!(
        "{} series, {} samples in {:?}",
        s.series,
        s.samples,
        t.elapsed()
    );
}
