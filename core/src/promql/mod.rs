//! PromQL: the lexer, the parser with its spanned syntax tree and
//! Prometheus's static type check, the function table, the printer, the
//! values a query produces, and the engine that evaluates a tree against a
//! [`Querier`](crate::tsdb::Querier).
//!
//! ```
//! use promlab_core::promql;
//! let expr = promql::parse("up{job=\"node\"}").unwrap();
//! assert_eq!(expr.to_string(), "up{job=\"node\"}");
//! ```

pub mod ast;
pub mod engine;
pub mod format;
pub mod functions;
pub mod kernels;
pub mod lexer;
pub mod parser;
pub mod promqltest;
pub mod value;

pub use ast::{Expr, ValueType, VectorSelector};
pub use engine::{
    explain, Annotation, AnnotationKind, Annotations, Engine, EngineOptions, EvalError, Evaluation,
    ExplainNode,
};
pub use format::format_pretty;
pub use functions::{function_by_name, FunctionDef, FUNCTIONS};
pub use parser::{parse, parse_with, ParseError, ParseErrorKind, ParseOptions};
pub use value::{InstantSample, RangeSeries, Value};
