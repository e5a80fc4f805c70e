//! The warnings and infos an evaluation attaches to its result, worded as
//! Prometheus 3.5 words them (`util/annotations`), each with the span of
//! the part of the query it is about.
//!
//! Annotations are deduplicated by their text, as Prometheus deduplicates
//! them; they render with the query position (`... (1:6)`) for the API and
//! without it for the test scripts, which compare the bare text.

use crate::diagnostic::{Diagnostic, Span};
use std::collections::BTreeMap;
use std::fmt;

/// Whether an annotation is a warning (the result may be wrong) or an info
/// (the result is right but the query may not mean what it says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnnotationKind {
    Warning,
    Info,
}

/// One annotation: its kind, its text (starting `PromQL warning: ` or
/// `PromQL info: `) and the span of the query it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub kind: AnnotationKind,
    pub message: String,
    pub span: Span,
}

impl Annotation {
    /// The text with the position of its span in `query` appended, as the
    /// Prometheus API returns it: `PromQL info: ... (1:6)`.
    pub fn render(&self, query: &str) -> String {
        let pos = Diagnostic::error(self.span, "").position(query);
        format!("{} ({pos})", self.message)
    }
}

impl fmt::Display for Annotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn warning(span: Span, text: String) -> Annotation {
    Annotation {
        kind: AnnotationKind::Warning,
        message: format!("PromQL warning: {text}"),
        span,
    }
}

fn info(span: Span, text: String) -> Annotation {
    Annotation {
        kind: AnnotationKind::Info,
        message: format!("PromQL info: {text}"),
        span,
    }
}

/// Go's `%g` for the values annotations quote: shortest form, `NaN`,
/// `+Inf`, `-Inf`, exponents as `1e+06`.
pub(crate) fn go_g(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let exp = v.abs().log10().floor() as i32;
    if !(-4..6).contains(&exp) {
        // Rust's `{:e}` gives `1e6`; Go writes `1e+06`.
        let s = format!("{v:e}");
        if let Some((mantissa, e)) = s.split_once('e') {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            return format!("{mantissa}e{sign}{digits:0>2}");
        }
        return s;
    }
    format!("{v}")
}

pub(crate) fn invalid_quantile(q: f64, span: Span) -> Annotation {
    warning(
        span,
        format!("quantile value should be between 0 and 1, got {}", go_g(q)),
    )
}

pub(crate) fn invalid_ratio(r: f64, to: f64, span: Span) -> Annotation {
    warning(
        span,
        format!(
            "ratio value should be between -1 and 1, got {}, capping to {}",
            go_g(r),
            go_g(to)
        ),
    )
}

pub(crate) fn bad_bucket_label(metric: &str, le: &str, span: Span) -> Annotation {
    warning(
        span,
        format!(
            "bucket label \"le\" is missing or has a malformed value of {le:?} for metric name {metric:?}"
        ),
    )
}

pub(crate) fn possible_non_counter(metric: &str, span: Span) -> Annotation {
    info(
        span,
        format!(
            "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: {metric:?}"
        ),
    )
}

pub(crate) fn forced_monotonicity(metric: &str, span: Span) -> Annotation {
    info(
        span,
        format!(
            "input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name {metric:?}"
        ),
    )
}

/// The lab's own: a function of native histograms met float samples only,
/// because the lab stores no native histograms.
pub(crate) fn native_histograms_unsupported(function: &str, span: Span) -> Annotation {
    info(
        span,
        format!(
            "{function}() reads native histograms, which this lab does not store; float samples are ignored"
        ),
    )
}

/// The annotations of one evaluation, deduplicated by text, in the order
/// of their text (Prometheus returns them from a map, in no order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annotations {
    by_text: BTreeMap<String, Annotation>,
}

impl Annotations {
    pub fn add(&mut self, a: Annotation) {
        self.by_text.entry(a.message.clone()).or_insert(a);
    }

    pub fn extend(&mut self, other: Annotations) {
        for (_, a) in other.by_text {
            self.add(a);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Annotation> {
        self.by_text.values()
    }

    pub fn of_kind(&self, kind: AnnotationKind) -> impl Iterator<Item = &Annotation> {
        self.iter().filter(move |a| a.kind == kind)
    }

    pub fn is_empty(&self) -> bool {
        self.by_text.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn values_print_as_go_s_percent_g() {
        let cases = [
            (1.1, "1.1"),
            (-1.1, "-1.1"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (1e6, "1e+06"),
            (1e21, "1e+21"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
        ];
        for (v, want) in cases {
            assert_eq!(go_g(v), want, "{v}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn annotations_deduplicate_by_text_and_render_with_a_position() {
        let mut a = Annotations::default();
        a.add(possible_non_counter("x", Span::new(5, 10)));
        a.add(possible_non_counter("x", Span::new(20, 30)));
        a.add(invalid_quantile(2.0, Span::new(0, 1)));
        assert_eq!(a.iter().count(), 2);
        assert_eq!(a.of_kind(AnnotationKind::Warning).count(), 1);
        let info = a.of_kind(AnnotationKind::Info).next().unwrap();
        assert_eq!(
            info.render("rate(x[5m])"),
            "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"x\" (1:6)"
        );
    }
}
