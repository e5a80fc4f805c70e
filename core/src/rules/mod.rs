//! Recording and alerting rules as Prometheus 3.5 runs them, on the lab's
//! virtual clock.
//!
//! - [`config`]: rule files, read and checked as Prometheus and
//!   `promtool check rules` do.
//! - [`template`]: the Go templates of alerts' labels and annotations
//!   (with Go's number formatting in [`gofmt`]).
//! - [`query`]: [`QueryFn`], the one way rules reach the PromQL evaluator.
//! - [`recording`], [`alerting`]: one evaluation of a rule; alerts and
//!   their states.
//! - [`group`]: a group's rules evaluated in order at its interval, stale
//!   markers, `for` state restoration.
//! - [`manager`]: [`RuleManager`], the groups evaluated when due, reloads,
//!   the alerts to send.
//! - [`api`]: what `/api/v1/rules` and `/api/v1/alerts` show.
//! - [`unittest`]: rule unit tests in `promtool test rules`'s format.
//!
//! The module knows PromQL through [`crate::promql::parse`], the syntax
//! tree and [`QueryFn`]; storage through [`crate::tsdb::Head`] (appends)
//! and [`crate::tsdb::Querier`]. It never reads a clock: every time comes
//! from the caller.

pub mod alerting;
pub mod api;
pub mod config;
pub mod gofmt;
pub mod group;
pub mod manager;
pub mod query;
pub mod recording;
pub mod template;
pub mod unittest;

pub use alerting::{Alert, AlertState, AlertToSend, RuleHealth};
pub use config::{parse_rule_file, RuleFile, RuleFileError};
pub use manager::{ManagerOptions, RuleManager};
pub use query::{QueryError, QueryErrorKind, QueryFn};
