//! Label sets and label matchers: the identity of a series and the way
//! queries pick series.
//!
//! [`Labels`] is a set of name/value pairs kept sorted by name, with the
//! metric name stored as the label `__name__`, as in Prometheus. It prints as
//! `name{a="1", b="2"}` and serializes as a JSON object, as the Prometheus
//! HTTP API does. [`Matcher`] is one `name op "value"` condition; the TSDB
//! selects series with a list of them.

use crate::regexp::Regexp;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The label that holds the metric name.
pub const METRIC_NAME: &str = "__name__";

/// One name/value pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    pub name: String,
    pub value: String,
}

/// A set of labels, sorted by name, without empty values (an empty value
/// means the label is absent, as in Prometheus).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Labels(Vec<Label>);

impl Labels {
    pub fn new() -> Self {
        Labels(Vec::new())
    }

    /// Builds a label set from pairs; later pairs win over earlier ones with
    /// the same name, and empty values are dropped.
    pub fn from_pairs<N: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        let mut labels = Labels::new();
        for (n, v) in pairs {
            labels.set(n, v);
        }
        labels
    }

    /// Sets `name` to `value`, or removes it when `value` is empty.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        match self.0.binary_search_by(|l| l.name.as_str().cmp(&name)) {
            Ok(i) if value.is_empty() => {
                self.0.remove(i);
            }
            Ok(i) => self.0[i].value = value,
            Err(_) if value.is_empty() => {}
            Err(i) => self.0.insert(i, Label { name, value }),
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<String> {
        let i = self
            .0
            .binary_search_by(|l| l.name.as_str().cmp(name))
            .ok()?;
        Some(self.0.remove(i).value)
    }

    /// The value of `name`, or `""` when absent (Prometheus's convention).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .binary_search_by(|l| l.name.as_str().cmp(name))
            .map_or("", |i| self.0[i].value.as_str())
    }

    pub fn contains(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    /// The metric name, `""` when the set has none.
    pub fn metric_name(&self) -> &str {
        self.get(METRIC_NAME)
    }

    /// The same set without `__name__`.
    pub fn without_metric_name(&self) -> Labels {
        Labels(
            self.0
                .iter()
                .filter(|l| l.name != METRIC_NAME)
                .cloned()
                .collect(),
        )
    }

    pub fn iter(&self) -> impl Iterator<Item = &Label> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Labels {
    /// `name{a="1", b="2"}`, values escaped as in PromQL strings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.metric_name();
        f.write_str(name)?;
        let rest: Vec<&Label> = self.0.iter().filter(|l| l.name != METRIC_NAME).collect();
        if rest.is_empty() && !name.is_empty() {
            return Ok(());
        }
        f.write_str("{")?;
        for (i, l) in rest.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}=\"{}\"", l.name, escape_label_value(&l.value))?;
        }
        f.write_str("}")
    }
}

/// Escapes `\`, `"` and newlines as the text format and PromQL strings do.
pub fn escape_label_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for l in &self.0 {
            map.serialize_entry(&l.name, &l.value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LabelsVisitor;
        impl<'de> Visitor<'de> for LabelsVisitor {
            type Value = Labels;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of label names to string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Labels, A::Error> {
                let mut labels = Labels::new();
                while let Some((k, v)) = access.next_entry::<String, String>()? {
                    labels.set(k, v);
                }
                Ok(labels)
            }
        }
        deserializer.deserialize_map(LabelsVisitor)
    }
}

/// The four ways a matcher compares a label value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~`
    Regex,
    /// `!~`
    NotRegex,
}

impl MatchOp {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }
}

/// One label condition, such as `job="node"` or `instance=~"10\\..*"`.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    /// Compiled for the regex operators with Go's syntax, anchored at both
    /// ends as Prometheus anchors them.
    regex: Option<Regexp>,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl Matcher {
    /// A matcher; fails with the regex engine's message when a regex
    /// operator's pattern does not compile.
    pub fn new(
        name: impl Into<String>,
        op: MatchOp,
        value: impl Into<String>,
    ) -> Result<Self, String> {
        let value = value.into();
        let regex = match op {
            MatchOp::Regex | MatchOp::NotRegex => Some(
                // Prometheus reports Go's message as it is.
                Regexp::new(&value).map_err(|e| format!("error parsing regexp: {}", e.reason))?,
            ),
            MatchOp::Equal | MatchOp::NotEqual => None,
        };
        Ok(Matcher {
            name: name.into(),
            op,
            value,
            regex,
        })
    }

    /// `name="value"`, which cannot fail.
    pub fn equal(name: impl Into<String>, value: impl Into<String>) -> Self {
        Matcher {
            name: name.into(),
            op: MatchOp::Equal,
            value: value.into(),
            regex: None,
        }
    }

    /// Whether a label value (`""` for an absent label) satisfies this
    /// matcher.
    pub fn matches(&self, value: &str) -> bool {
        match (self.op, &self.regex) {
            (MatchOp::Equal, _) => value == self.value,
            (MatchOp::NotEqual, _) => value != self.value,
            (MatchOp::Regex, Some(re)) => re.is_match(value),
            (MatchOp::NotRegex, Some(re)) => !re.is_match(value),
            // Construction guarantees a regex for the regex operators.
            (MatchOp::Regex | MatchOp::NotRegex, None) => false,
        }
    }

    /// Whether this matcher also selects series that lack the label.
    pub fn matches_empty(&self) -> bool {
        self.matches("")
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}\"{}\"",
            self.name,
            self.op.as_str(),
            escape_label_value(&self.value)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn labels_stay_sorted_and_drop_empty_values() {
        let mut l = Labels::from_pairs([("job", "app"), ("__name__", "up"), ("a", "")]);
        l.set("instance", "x:1");
        assert_eq!(l.to_string(), r#"up{instance="x:1", job="app"}"#);
        l.set("job", "");
        assert_eq!(l.to_string(), r#"up{instance="x:1"}"#);
        assert_eq!(l.get("missing"), "");
        assert_eq!(Labels::from_pairs([("__name__", "up")]).to_string(), "up");
        assert_eq!(
            Labels::from_pairs([("a", "x\"y\n")]).to_string(),
            r#"{a="x\"y\n"}"#
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn labels_round_trip_through_json_objects() {
        let l = Labels::from_pairs([("b", "2"), ("a", "1")]);
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(json, r#"{"a":"1","b":"2"}"#);
        assert_eq!(serde_json::from_str::<Labels>(&json).unwrap(), l);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn regex_matchers_are_fully_anchored() {
        let m = Matcher::new("job", MatchOp::Regex, "no.e").unwrap();
        assert!(m.matches("node"));
        assert!(!m.matches("nodes"));
        assert!(!m.matches("a node"));
        let m = Matcher::new("job", MatchOp::NotRegex, "").unwrap();
        assert!(m.matches("x"));
        assert!(!m.matches_empty());
        assert!(Matcher::new("job", MatchOp::Regex, "(").is_err());
        // Go's RE2 classes: `\d` is ASCII only, as in Prometheus.
        let m = Matcher::new("code", MatchOp::Regex, r"5\d\d").unwrap();
        assert!(m.matches("503"));
        assert!(!m.matches("5٠٣"));
    }
}
