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

pub mod app;
pub mod bridge;
pub mod components;
pub mod hooks;
pub mod pages;
pub mod worker;

/// Starts the app in the page's `<body>`.
pub fn run() {
    // A panic shows in the console as an error (end-to-end tests fail on
    // console errors) instead of an opaque "unreachable" trap.
    console_error_panic_hook::set_once();
    yew::Renderer::<app::App>::new().render();
}
