//! Recording and alerting rules as Prometheus 3.5 runs them: rule files
//! ([`config`]), the Go templates of alert labels and annotations
//! ([`template`], with Go's number formatting in [`gofmt`]).
//!
//! The module knows PromQL only through [`crate::promql::parse`] and the
//! syntax tree; it never reaches into the evaluator.

pub mod config;
pub mod gofmt;
pub mod template;
