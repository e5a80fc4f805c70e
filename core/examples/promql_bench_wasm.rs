//! The WebAssembly half of `cargo xtask bench-promql`: the same data and
//! timing as the `promql_bench` example, exported to JavaScript with
//! wasm-bindgen and timed with the page's `performance.now()`.
//!
//! `cargo build --release --target wasm32-unknown-unknown -p promlab-core
//! --example promql_bench_wasm`, then `wasm-bindgen --target web`.

#[cfg(target_arch = "wasm32")]
#[path = "../benches/dashboard/mod.rs"]
mod dashboard;

#[cfg(target_arch = "wasm32")]
mod entry {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance)]
        fn now() -> f64;
    }

    /// Builds the data and times every query; the lines `promql_bench`
    /// prints, after a `data ready in N ms` line.
    #[wasm_bindgen]
    pub fn run(runs: usize) -> String {
        let start = now();
        let mut lab = super::dashboard::lab();
        let ready = now() - start;
        let timings = super::dashboard::time_all(&mut lab, &|| now(), runs);
        format!("data ready in {ready:.0} ms\n{timings}")
    }
}
