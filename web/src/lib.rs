//! The PromLab web app. Components draw state and send requests; every
//! computation happens in the engine (`promlab-core`), which the app reaches
//! only through [`bridge::LabClient`] with Prometheus-API-shaped requests.
//!
//! - [`app`]: the root component, the clock loop and the shared context.
//! - [`bridge`]: the one way to the engine.
//! - [`worker`]: the Web Worker the engine runs in.
//! - [`pages`]: one module per page.
//! - [`components`]: reusable widgets (clock, query box, result table,
//!   graph).
//! - [`i18n`]: the UI's languages; [`storage`]: what survives a reload.

pub mod app;
pub mod bridge;
pub mod components;
pub mod hooks;
pub mod i18n;
pub mod pages;
pub mod storage;
pub mod worker;

// The unit tests that need a window run in the browser, as the app does.
#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Starts the app in the page's `<body>`.
pub fn run() {
    // A panic shows in the console as an error (end-to-end tests fail on
    // console errors) instead of an opaque "unreachable" trap.
    console_error_panic_hook::set_once();
    yew::Renderer::<app::App>::new().render();
}
