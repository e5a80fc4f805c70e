//! The lab's pages, one module each, named as the Prometheus UI names them.

pub mod alertmanager;
pub mod alerts;
pub mod config;
pub mod playground;
pub mod rules;
pub mod service_discovery;
pub mod targets;
pub mod tsdb_status;
