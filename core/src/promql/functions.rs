//! The PromQL function table: every function of Prometheus 3.5 with its
//! argument types, how many extra arguments it takes, its return type and
//! whether it is experimental. The parser type-checks calls against this
//! table; the engine keys its implementations by the same names.
//!
//! ```
//! use promlab_core::promql::functions::function_by_name;
//! use promlab_core::promql::ValueType;
//! let rate = function_by_name("rate").unwrap();
//! assert_eq!(rate.arg_types, &[ValueType::Matrix]);
//! assert_eq!(rate.return_type, ValueType::Vector);
//! ```

use super::ast::ValueType;

/// How many arguments past the fixed ones a function accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variadic {
    /// Exactly `arg_types.len()` arguments.
    No,
    /// The last argument type is optional and may repeat up to this many
    /// times (Prometheus's `Variadic: n`, `n > 0`): `round(v)` or
    /// `round(v, 1)`.
    UpTo(usize),
    /// The last argument type repeats any number of times, at least zero
    /// (Prometheus's `Variadic: -1`): `label_join(v, "dst", ",", "a", "b")`.
    Unbounded,
}

/// One PromQL function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FunctionDef {
    pub name: &'static str,
    pub arg_types: &'static [ValueType],
    pub variadic: Variadic,
    pub return_type: ValueType,
    /// Parsed only with experimental functions enabled
    /// (`--enable-feature=promql-experimental-functions`).
    pub experimental: bool,
}

impl FunctionDef {
    /// The fewest arguments a call takes.
    pub fn min_args(&self) -> usize {
        match self.variadic {
            Variadic::No => self.arg_types.len(),
            Variadic::UpTo(_) | Variadic::Unbounded => self.arg_types.len().saturating_sub(1),
        }
    }

    /// The most arguments a call takes; `None` for no limit.
    pub fn max_args(&self) -> Option<usize> {
        match self.variadic {
            Variadic::No => Some(self.arg_types.len()),
            Variadic::UpTo(n) => Some(self.min_args() + n),
            Variadic::Unbounded => None,
        }
    }

    /// The type expected for argument `i`: extra arguments of a variadic
    /// function take the last type; `None` past the end of a fixed list.
    pub fn arg_type(&self, i: usize) -> Option<ValueType> {
        match self.arg_types.get(i) {
            Some(t) => Some(*t),
            None if self.variadic != Variadic::No => self.arg_types.last().copied(),
            None => None,
        }
    }
}

use ValueType::{Matrix as M, Scalar as S, String as Str, Vector as V};

const fn f(
    name: &'static str,
    arg_types: &'static [ValueType],
    return_type: ValueType,
) -> FunctionDef {
    FunctionDef {
        name,
        arg_types,
        variadic: Variadic::No,
        return_type,
        experimental: false,
    }
}

const fn variadic(
    name: &'static str,
    arg_types: &'static [ValueType],
    variadic: Variadic,
    experimental: bool,
) -> FunctionDef {
    FunctionDef {
        name,
        arg_types,
        variadic,
        return_type: V,
        experimental,
    }
}

const fn experimental(name: &'static str, arg_types: &'static [ValueType]) -> FunctionDef {
    FunctionDef {
        name,
        arg_types,
        variadic: Variadic::No,
        return_type: V,
        experimental: true,
    }
}

/// Every function, sorted by name.
pub static FUNCTIONS: &[FunctionDef] = &[
    f("abs", &[V], V),
    f("absent", &[V], V),
    f("absent_over_time", &[M], V),
    f("acos", &[V], V),
    f("acosh", &[V], V),
    f("asin", &[V], V),
    f("asinh", &[V], V),
    f("atan", &[V], V),
    f("atanh", &[V], V),
    f("avg_over_time", &[M], V),
    f("ceil", &[V], V),
    f("changes", &[M], V),
    f("clamp", &[V, S, S], V),
    f("clamp_max", &[V, S], V),
    f("clamp_min", &[V, S], V),
    f("cos", &[V], V),
    f("cosh", &[V], V),
    f("count_over_time", &[M], V),
    variadic("day_of_month", &[V], Variadic::UpTo(1), false),
    variadic("day_of_week", &[V], Variadic::UpTo(1), false),
    variadic("day_of_year", &[V], Variadic::UpTo(1), false),
    variadic("days_in_month", &[V], Variadic::UpTo(1), false),
    f("deg", &[V], V),
    f("delta", &[M], V),
    f("deriv", &[M], V),
    experimental("double_exponential_smoothing", &[M, S, S]),
    f("exp", &[V], V),
    f("floor", &[V], V),
    f("histogram_avg", &[V], V),
    f("histogram_count", &[V], V),
    f("histogram_fraction", &[S, S, V], V),
    f("histogram_quantile", &[S, V], V),
    f("histogram_stddev", &[V], V),
    f("histogram_stdvar", &[V], V),
    f("histogram_sum", &[V], V),
    variadic("hour", &[V], Variadic::UpTo(1), false),
    f("idelta", &[M], V),
    f("increase", &[M], V),
    variadic("info", &[V, V], Variadic::UpTo(1), true),
    f("irate", &[M], V),
    variadic(
        "label_join",
        &[V, Str, Str, Str],
        Variadic::Unbounded,
        false,
    ),
    f("label_replace", &[V, Str, Str, Str, Str], V),
    f("last_over_time", &[M], V),
    f("ln", &[V], V),
    f("log10", &[V], V),
    f("log2", &[V], V),
    experimental("mad_over_time", &[M]),
    f("max_over_time", &[M], V),
    f("min_over_time", &[M], V),
    variadic("minute", &[V], Variadic::UpTo(1), false),
    variadic("month", &[V], Variadic::UpTo(1), false),
    f("pi", &[], S),
    f("predict_linear", &[M, S], V),
    f("present_over_time", &[M], V),
    f("quantile_over_time", &[S, M], V),
    f("rad", &[V], V),
    f("rate", &[M], V),
    f("resets", &[M], V),
    variadic("round", &[V, S], Variadic::UpTo(1), false),
    f("scalar", &[V], S),
    f("sgn", &[V], V),
    f("sin", &[V], V),
    f("sinh", &[V], V),
    f("sort", &[V], V),
    variadic("sort_by_label", &[V, Str], Variadic::Unbounded, true),
    variadic("sort_by_label_desc", &[V, Str], Variadic::Unbounded, true),
    f("sort_desc", &[V], V),
    f("sqrt", &[V], V),
    f("stddev_over_time", &[M], V),
    f("stdvar_over_time", &[M], V),
    f("sum_over_time", &[M], V),
    f("tan", &[V], V),
    f("tanh", &[V], V),
    f("time", &[], S),
    f("timestamp", &[V], V),
    experimental("ts_of_last_over_time", &[M]),
    experimental("ts_of_max_over_time", &[M]),
    experimental("ts_of_min_over_time", &[M]),
    f("vector", &[S], V),
    variadic("year", &[V], Variadic::UpTo(1), false),
];

/// The function called `name` (case-sensitive, as in Prometheus).
pub fn function_by_name(name: &str) -> Option<&'static FunctionDef> {
    FUNCTIONS
        .binary_search_by(|f| f.name.cmp(name))
        .ok()
        .and_then(|i| FUNCTIONS.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn the_table_is_sorted_so_lookups_find_every_function() {
        for w in FUNCTIONS.windows(2) {
            assert!(w[0].name < w[1].name, "{} before {}", w[0].name, w[1].name);
        }
        for def in FUNCTIONS {
            assert_eq!(function_by_name(def.name).map(|d| d.name), Some(def.name));
        }
        assert!(function_by_name("Rate").is_none());
        assert!(function_by_name("nope").is_none());
        assert_eq!(FUNCTIONS.len(), 80);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn argument_counts_follow_the_variadic_kind() {
        let count = |n: &str| {
            let d = function_by_name(n).unwrap();
            (d.min_args(), d.max_args())
        };
        assert_eq!(count("rate"), (1, Some(1)));
        assert_eq!(count("time"), (0, Some(0)));
        assert_eq!(count("round"), (1, Some(2)));
        assert_eq!(count("hour"), (0, Some(1)));
        assert_eq!(count("label_join"), (3, None));
        assert_eq!(count("info"), (1, Some(2)));
        let lj = function_by_name("label_join").unwrap();
        assert_eq!(lj.arg_type(7), Some(ValueType::String));
        assert_eq!(function_by_name("rate").unwrap().arg_type(1), None);
    }
}
