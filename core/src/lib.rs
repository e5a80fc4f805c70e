//! The PromLab engine, free of any browser dependency: the Prometheus
//! exposition format, the scrape model, an in-memory TSDB, PromQL, the
//! simulated cluster, chart drawing over any plotters backend, and the
//! [`lab::Lab`] facade that answers Prometheus-API-shaped requests.
//!
//! Data flows in this order: a simulated exporter ([`sim`]) serves
//! exposition text ([`exposition`]); the scrape manager ([`scrape`]) parses
//! it on the virtual clock ([`clock`]) and appends samples to the TSDB
//! ([`tsdb`]); PromQL ([`promql`]) evaluates queries against the TSDB; the
//! [`lab`] answers [`api`] requests with the results; a UI draws them with
//! [`chart`]. The [`operator`] module reads the Prometheus Operator's
//! resources and renders the configuration the operator would generate;
//! the [`alertmanager`] routes, groups and notifies the alerts posted to it
//! on the same virtual time.

pub mod alertmanager;
pub mod api;
pub mod chart;
pub mod clock;
pub mod dashboard;
pub mod diagnostic;
pub mod duration;
pub mod exposition;
#[cfg(not(target_arch = "wasm32"))]
pub mod http;
pub mod lab;
pub mod labels;
pub mod operator;
pub mod promql;
pub mod regexp;
pub mod rules;
pub mod scrape;
pub mod sim;
pub mod timeline;
pub mod tsdb;
