//! Prometheus's PromQL test scripts, run against this engine: the script
//! language of Prometheus's `promql/promqltest` package (its `load`, `clear`
//! and `eval` commands and `expect` lines), a runner that loads the series
//! into a [`Head`](crate::tsdb::Head) and compares each query's answer
//! with the script's, and a report of every eval.
//!
//! The same scripts pin Prometheus's own engine, so running them here
//! measures how much of PromQL this engine gets right, eval by eval.
//!
//! ```
//! use promlab_core::promql::promqltest::{parse_script, run, RunOptions};
//! let script = parse_script(
//!     "load 1m\n  up{job=\"a\"} 1 0 1\n\neval instant at 1m up\n  up{job=\"a\"} 0\n",
//! )
//! .unwrap();
//! let report = run(&script, &RunOptions::default());
//! assert_eq!((report.passed(), report.failed()), (1, 0));
//! ```
//!
//! The module owns the script syntax ([`script`], with series
//! descriptions in [`series`]) and the comparison ([`run`]); it knows the
//! engine only through [`parse`](crate::promql::parse),
//! [`Engine`](crate::promql::Engine) and [`Value`](crate::promql::Value),
//! and storage only through `Head::append`.

pub mod run;
pub mod script;
pub mod series;

pub use run::{
    almost_equal, check_annotations, run, EvalReport, Failure, LoadError, Outcome, Report,
    RunOptions, Status,
};
pub use script::{
    parse_script, AnnotationExpectation, Command, Eval, EvalKind, Expectations, ExpectedResult,
    ExpectedSeries, Load, LoadSeries, Script, ScriptError, ScriptErrorKind, TextMatch,
};
pub use series::{parse_series_desc, SequenceValue, SeriesDesc, SeriesError, SeriesErrorKind};

/// Parses `source` and runs it.
pub fn run_source(source: &str, options: &RunOptions) -> Result<Report, ScriptError> {
    Ok(run(&parse_script(source)?, options))
}
