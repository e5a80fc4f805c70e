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
//! Groups are evaluated at Prometheus's own times, not at aligned ones:
//! each group has a slot within its interval derived from the hash of its
//! file and name (`group::first_evaluation`), so two groups with the same
//! interval are evaluated at different instants, and an alert's `activeAt`
//! in the lab has the same shape as in a real Prometheus. Aligned times
//! would read better but would hide why a real alert's timestamps look
//! "random". Within a group, rules run in file order and a rule sees the
//! series written by the rules before it at the same evaluation. In the
//! lab, a scrape due at the same instant as an evaluation is ingested
//! first. Clock jumps are caught up evaluation by evaluation (up to
//! [`manager::MAX_CATCH_UP`] per group, the rest counted as missed).
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
