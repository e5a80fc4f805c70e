//! The functions that change labels: `label_replace` (Go's regular
//! expressions, fully anchored, with `$1`/`${name}` expansion) and
//! `label_join`; and the labels `absent` and `absent_over_time` give their
//! one result.
//!
//! Setting a label to the empty string removes it, as in Prometheus. Label
//! names are checked as Prometheus 3 checks them (any non-empty UTF-8
//! text); a bad name or regex is a [`KernelError`] with Prometheus's text.
//! Whether the results of a whole vector collide is the evaluator's check.
//!
//! ```
//! use promlab_core::labels::Labels;
//! use promlab_core::promql::kernels::labels::label_replace;
//! let l = Labels::from_pairs([("__name__", "up"), ("instance", "node-1:9100")]);
//! let out = label_replace(&l, "host", "$1", "instance", "(.*):.*").unwrap();
//! assert_eq!(out.get("host"), "node-1");
//! ```

use super::{KernelError, LabelFunction};
use crate::labels::{Labels, MatchOp, Matcher, METRIC_NAME};
use crate::regexp::Regexp;

/// Whether `name` may name a label: Prometheus 3 accepts any non-empty
/// UTF-8 string (and Rust strings are always UTF-8).
pub fn is_valid_label_name(name: &str) -> bool {
    !name.is_empty()
}

/// A compiled `label_replace(v, dst, replacement, src, regex)`, to apply to
/// every series of `v`.
#[derive(Debug, Clone)]
pub struct LabelReplace {
    dst: String,
    replacement: String,
    src: String,
    regex: Regexp,
}

impl LabelReplace {
    /// Compiles the regex and checks the destination name, in Prometheus's
    /// order (the regex first).
    pub fn new(dst: &str, replacement: &str, src: &str, regex: &str) -> Result<Self, KernelError> {
        let regex = Regexp::new(regex).map_err(|_| KernelError::InvalidRegex {
            regex: regex.to_string(),
        })?;
        if !is_valid_label_name(dst) {
            return Err(KernelError::InvalidDestinationLabel {
                function: LabelFunction::LabelReplace,
                name: dst.to_string(),
            });
        }
        Ok(LabelReplace {
            dst: dst.to_string(),
            replacement: replacement.to_string(),
            src: src.to_string(),
            regex,
        })
    }

    /// The series' labels after the replacement: when the regex matches the
    /// whole value of `src` (the empty string if absent), `dst` is set to
    /// the expanded replacement (removed if that is empty); otherwise the
    /// labels are unchanged.
    pub fn apply(&self, labels: &Labels) -> Labels {
        let mut out = labels.clone();
        if let Some(value) = self.regex.expand(&self.replacement, labels.get(&self.src)) {
            out.set(self.dst.as_str(), value);
        }
        out
    }

    /// Whether the result keeps the metric name even in functions that drop
    /// it: `label_replace` into `__name__` sets a new one.
    pub fn sets_metric_name(&self) -> bool {
        self.dst == METRIC_NAME
    }
}

/// `label_replace` of one series' labels; see [`LabelReplace`].
pub fn label_replace(
    labels: &Labels,
    dst: &str,
    replacement: &str,
    src: &str,
    regex: &str,
) -> Result<Labels, KernelError> {
    Ok(LabelReplace::new(dst, replacement, src, regex)?.apply(labels))
}

/// A checked `label_join(v, dst, separator, src…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelJoin {
    dst: String,
    separator: String,
    srcs: Vec<String>,
}

impl LabelJoin {
    /// Checks the source names, then the destination name, as Prometheus
    /// does.
    pub fn new<S: AsRef<str>>(dst: &str, separator: &str, srcs: &[S]) -> Result<Self, KernelError> {
        if let Some(bad) = srcs.iter().find(|s| !is_valid_label_name(s.as_ref())) {
            return Err(KernelError::InvalidSourceLabel {
                name: bad.as_ref().to_string(),
            });
        }
        if !is_valid_label_name(dst) {
            return Err(KernelError::InvalidDestinationLabel {
                function: LabelFunction::LabelJoin,
                name: dst.to_string(),
            });
        }
        Ok(LabelJoin {
            dst: dst.to_string(),
            separator: separator.to_string(),
            srcs: srcs.iter().map(|s| s.as_ref().to_string()).collect(),
        })
    }

    /// The series' labels with `dst` set to the source values (empty for
    /// absent ones) joined by the separator; removed if that is empty.
    pub fn apply(&self, labels: &Labels) -> Labels {
        let values: Vec<&str> = self.srcs.iter().map(|s| labels.get(s)).collect();
        let mut out = labels.clone();
        out.set(self.dst.as_str(), values.join(&self.separator));
        out
    }

    /// Whether the result keeps the metric name: see
    /// [`LabelReplace::sets_metric_name`].
    pub fn sets_metric_name(&self) -> bool {
        self.dst == METRIC_NAME
    }
}

/// `label_join` of one series' labels; see [`LabelJoin`].
pub fn label_join<S: AsRef<str>>(
    labels: &Labels,
    dst: &str,
    separator: &str,
    srcs: &[S],
) -> Result<Labels, KernelError> {
    Ok(LabelJoin::new(dst, separator, srcs)?.apply(labels))
}

/// The labels of the sample `absent(x{…})` and `absent_over_time(x{…}[r])`
/// return: the labels that the selector's matchers pin to exactly one
/// value. A label with an equality matcher is kept unless another matcher
/// names it after that; the metric name is never kept. Anything but a
/// plain selector gives no labels.
pub fn absent_labels(matchers: &[Matcher]) -> Labels {
    let mut out = Labels::new();
    let mut seen: Vec<&str> = Vec::new();
    for m in matchers {
        if m.name == METRIC_NAME {
            continue;
        }
        if m.op == MatchOp::Equal && !seen.contains(&m.name.as_str()) {
            out.set(m.name.as_str(), m.value.as_str());
            seen.push(&m.name);
        } else {
            out.remove(&m.name);
        }
    }
    out
}
