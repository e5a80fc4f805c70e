//! PromQL: the lexer, the parser with its spanned syntax tree, the values a
//! query produces, and the engine that evaluates a tree against a
//! [`Querier`](crate::tsdb::Querier).
//!
//! ```
//! use promlab_core::promql;
//! let expr = promql::parse("up{job=\"node\"}").unwrap();
//! assert_eq!(expr.to_string(), "up{job=\"node\"}");
//! ```

pub mod ast;
pub mod engine;
pub mod lexer;
pub mod parser;
pub mod promqltest;
pub mod value;

pub use ast::{Expr, ValueType};
pub use engine::{Engine, EngineOptions, EvalError};
pub use parser::{parse, ParseError, ParseErrorKind};
pub use value::{InstantSample, RangeSeries, Value};
