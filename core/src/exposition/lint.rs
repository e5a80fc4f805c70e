//! The lints `promtool check metrics` makes on a page (the rules of
//! client_golang's `promlint`, as Prometheus 3.5.3's promtool ships them),
//! over a page this module's parent has already parsed, plus the parser's
//! own [`Lint`]s.
//!
//! promlint reads a text-format page into metric families the way the Go
//! text parser does and checks each family: help text, the `_total` suffix
//! of counters, the suffixes and labels reserved for histograms and
//! summaries, a type or an abbreviated or non-base unit in the name, `:` in
//! the name, camelCase names and label names, and the same label set twice.
//! [`lint`] builds the same families from a [`Page`] — a sample joins the
//! family of its exact name, else the summary of its name less `_count` or
//! `_sum`, else the histogram of its name less `_count`, `_sum` or
//! `_bucket`, else starts an untyped family; a summary's `quantile` and a
//! histogram's `le` are not labels; samples of a summary or histogram with
//! the same labels are one metric — and reports each finding with
//! promtool's wording, in promtool's order (by metric name, then text).
//!
//! [`lint_with`] lints an OpenMetrics page under the names its families
//! have in the text format, the names promlint's rules are written for: a
//! counter `foo` is linted as `foo_total`, an info `foo` as the gauge
//! `foo_info`, a stateset as a gauge, a gauge histogram as a histogram; the
//! `_created` samples are left out.
//!
//! What a parsed page no longer holds, the lints cannot see: the order of a
//! line's labels (promlint calls `a{x="1",y="2"}` and `a{y="2",x="1"}`
//! different metrics; here they are the same), labels with an empty value
//! (the page drops them, as Prometheus does), and where metadata stood
//! relative to samples (metadata is taken as declared before them).
//!
//! ```
//! use promlab_core::exposition::{self, lint};
//! let page = exposition::parse("# TYPE requests counter\nrequests 3\n").unwrap();
//! let found: Vec<String> = lint::lint(&page).iter().map(|f| f.to_string()).collect();
//! assert_eq!(found, [
//!     "requests: counter metrics should have \"_total\" suffix",
//!     "requests: no help text",
//! ]);
//! ```

use super::{Format, Lint, LintKind, MetricType, Page, Sample};
use crate::diagnostic::{Diagnostic, Span};
use crate::labels::Labels;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// One thing to fix: the family (or, for the parser's lints, the metric) it
/// is about, promtool's text for it, where it is in the page, and its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct LintFinding {
    /// The metric family's name, as promtool prints it.
    pub metric: String,
    /// promtool's message (the parser's message for [`Finding::Exposition`]).
    pub text: String,
    /// The line the finding points at: the family's first sample, the
    /// sample of the metric with the label, the repeated sample, or the
    /// parser's span.
    pub span: Option<Span>,
    pub kind: Finding,
}

/// The kinds of [`LintFinding`]: one per promlint message, and the parser's
/// own lints.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// A family without `# HELP`, or with a blank one.
    NoHelp,
    /// A unit in the name that is not the base unit (`milliseconds`).
    NonBaseUnit { unit: String, base: &'static str },
    /// A counter whose name does not end in `_total`.
    CounterWithoutTotal,
    /// A gauge, histogram or summary whose name ends in `_total`.
    TotalNotCounter,
    /// A name ending in `_bucket` that is not a histogram's.
    BucketNotHistogram,
    /// A name ending in `_count` that is not a histogram's or a summary's.
    CountNotHistogramOrSummary,
    /// A name ending in `_sum` that is not a histogram's or a summary's.
    SumNotHistogramOrSummary,
    /// An `le` label outside a histogram.
    LeNotHistogram,
    /// A `quantile` label outside a summary.
    QuantileNotSummary,
    /// The family's own type (`counter`, `gauge`, `summary`, `histogram`)
    /// as a word of its name.
    TypeInName(&'static str),
    /// A `:` in the name (reserved for recording rules).
    ReservedChar,
    /// A lower-case letter followed by an upper-case one in the name.
    CamelCaseName,
    /// The same in a label name.
    CamelCaseLabel { label: String },
    /// An abbreviated unit (`ms`, `s`, `b`, ...) as a word of the name.
    AbbreviatedUnit(&'static str),
    /// A second metric in the family with the same labels.
    DuplicateMetric,
    /// One of the parser's lints ([`Page::lints`]).
    Exposition(LintKind),
}

impl Finding {
    /// Whether promtool reports this one (everything but the parser's lints).
    pub fn is_promlint(&self) -> bool {
        !matches!(self, Finding::Exposition(_))
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::NoHelp => f.write_str("no help text"),
            Finding::NonBaseUnit { unit, base } => {
                write!(f, "use base unit \"{base}\" instead of \"{unit}\"")
            }
            Finding::CounterWithoutTotal => {
                f.write_str("counter metrics should have \"_total\" suffix")
            }
            Finding::TotalNotCounter => {
                f.write_str("non-counter metrics should not have \"_total\" suffix")
            }
            Finding::BucketNotHistogram => {
                f.write_str("non-histogram metrics should not have \"_bucket\" suffix")
            }
            Finding::CountNotHistogramOrSummary => f.write_str(
                "non-histogram and non-summary metrics should not have \"_count\" suffix",
            ),
            Finding::SumNotHistogramOrSummary => {
                f.write_str("non-histogram and non-summary metrics should not have \"_sum\" suffix")
            }
            Finding::LeNotHistogram => {
                f.write_str("non-histogram metrics should not have \"le\" label")
            }
            Finding::QuantileNotSummary => {
                f.write_str("non-summary metrics should not have \"quantile\" label")
            }
            Finding::TypeInName(t) => write!(f, "metric name should not include type '{t}'"),
            Finding::ReservedChar => f.write_str("metric names should not contain ':'"),
            Finding::CamelCaseName => {
                f.write_str("metric names should be written in 'snake_case' not 'camelCase'")
            }
            Finding::CamelCaseLabel { .. } => {
                f.write_str("label names should be written in 'snake_case' not 'camelCase'")
            }
            Finding::AbbreviatedUnit(_) => {
                f.write_str("metric names should not contain abbreviated units")
            }
            Finding::DuplicateMetric => f.write_str("metric not unique"),
            Finding::Exposition(kind) => kind.fmt(f),
        }
    }
}

impl LintFinding {
    fn new(metric: &str, span: Option<Span>, kind: Finding) -> Self {
        LintFinding {
            metric: metric.to_string(),
            text: kind.to_string(),
            span,
            kind,
        }
    }

    /// The common diagnostic form, as a warning; `None` without a span.
    pub fn to_diagnostic(&self) -> Option<Diagnostic> {
        let message = match &self.kind {
            Finding::Exposition(_) => self.text.clone(),
            _ => self.to_string(),
        };
        self.span.map(|span| Diagnostic::warning(span, message))
    }
}

impl fmt::Display for LintFinding {
    /// `metric: text`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.metric, self.text)
    }
}

/// The findings for a text-format page: promtool's, in promtool's order,
/// then the parser's lints in page order.
pub fn lint(page: &Page) -> Vec<LintFinding> {
    lint_with(page, Format::Text004)
}

/// The findings for a page parsed in `format`.
pub fn lint_with(page: &Page, format: Format) -> Vec<LintFinding> {
    let families = match format {
        Format::Text004 => Families::text(page),
        Format::OpenMetrics1 => Families::openmetrics(page),
    };
    let mut found = Vec::new();
    for family in families.list.iter().filter(|f| !f.metrics.is_empty()) {
        family.lint(&mut found);
    }
    // promlint sorts by metric, then text, keeping the order of equals.
    found.sort_by(|a, b| (&a.metric, &a.text).cmp(&(&b.metric, &b.text)));
    found.extend(page.lints.iter().map(|l| exposition_finding(page, l)));
    found
}

/// A parser lint as a finding, named after its family or its sample.
fn exposition_finding(page: &Page, lint: &Lint) -> LintFinding {
    let named = match &lint.kind {
        LintKind::DuplicateMetadata { name, .. }
        | LintKind::MetadataAfterSamples { name }
        | LintKind::InterleavedFamily { name }
        | LintKind::MissingInfBucket { name }
        | LintKind::CounterWithoutTotal { name }
        | LintKind::ExemplarNotAllowed { name } => Some(name.as_str()),
        LintKind::NotAFloat { .. } | LintKind::ExemplarTooLong { .. } => None,
    };
    // The samples are in page order: the first one ending at or after the
    // lint's start is the one holding it, if any does.
    let metric = named.unwrap_or_else(|| {
        let i = page
            .samples
            .partition_point(|s| s.span.end < lint.span.start);
        page.samples
            .get(i)
            .filter(|s| s.span.start <= lint.span.start)
            .map_or("", |s| s.labels.metric_name())
    });
    LintFinding::new(
        metric,
        Some(lint.span),
        Finding::Exposition(lint.kind.clone()),
    )
}

// ---- families as promlint sees them ---------------------------------------

/// One metric of a family: its labels without the name (and without a
/// summary's `quantile` or a histogram's `le`), and its first line.
struct Metric {
    labels: Labels,
    span: Span,
}

struct Family<'p> {
    name: String,
    /// `None` until a `# TYPE` or a sample fixes it; a sample makes it
    /// untyped.
    metric_type: Option<MetricType>,
    help: Option<&'p str>,
    metrics: Vec<Metric>,
    /// The labels seen, for summaries and histograms, whose lines with the
    /// same labels make one metric.
    by_labels: HashSet<Labels>,
}

impl Family<'_> {
    fn metric_type(&self) -> MetricType {
        self.metric_type.unwrap_or(MetricType::Untyped)
    }

    fn add(&mut self, sample: &Sample) {
        let t = self.metric_type();
        let mut labels = sample.labels.without_metric_name();
        match t {
            MetricType::Summary => {
                labels.remove("quantile");
            }
            MetricType::Histogram => {
                labels.remove("le");
            }
            _ => {}
        }
        let merged = matches!(t, MetricType::Summary | MetricType::Histogram);
        if merged && !self.by_labels.insert(labels.clone()) {
            return;
        }
        self.metrics.push(Metric {
            labels,
            span: sample.span,
        });
    }

    /// promlint's rules, in its order.
    fn lint(&self, out: &mut Vec<LintFinding>) {
        let name = self.name.as_str();
        let first = self.metrics.first().map(|m| m.span);
        let mut push = |span: Option<Span>, kind| out.push(LintFinding::new(name, span, kind));
        let t = self.metric_type();

        // Help.
        if self
            .help
            .is_none_or(|h| h.chars().all(|c| c == ' ' || c == '\t'))
        {
            push(first, Finding::NoHelp);
        }

        // Units.
        if let Some((unit, base)) = metric_unit(name) {
            if unit != base {
                let unit = unit.to_string();
                push(first, Finding::NonBaseUnit { unit, base });
            }
        }

        // Counters.
        let total = name.ends_with("_total");
        match t {
            MetricType::Counter if !total => push(first, Finding::CounterWithoutTotal),
            MetricType::Counter | MetricType::Untyped => {}
            _ if total => push(first, Finding::TotalNotCounter),
            _ => {}
        }

        // Histogram and summary reserved names and labels.
        if t != MetricType::Untyped {
            let histogram = t == MetricType::Histogram;
            let summary = t == MetricType::Summary;
            if !histogram && name.ends_with("_bucket") {
                push(first, Finding::BucketNotHistogram);
            }
            if !histogram && !summary && name.ends_with("_count") {
                push(first, Finding::CountNotHistogramOrSummary);
            }
            if !histogram && !summary && name.ends_with("_sum") {
                push(first, Finding::SumNotHistogramOrSummary);
            }
            for m in &self.metrics {
                for label in m.labels.iter() {
                    if !histogram && label.name == "le" {
                        push(Some(m.span), Finding::LeNotHistogram);
                    }
                    if !summary && label.name == "quantile" {
                        push(Some(m.span), Finding::QuantileNotSummary);
                    }
                }
            }
        }

        // The family's own type in the name (`requests_counter`).
        let lower = name.to_lowercase();
        if t != MetricType::Untyped && has_word(&lower, t.as_str()) {
            push(first, Finding::TypeInName(t.as_str()));
        }

        // Reserved characters.
        if name.contains(':') {
            push(first, Finding::ReservedChar);
        }

        // camelCase.
        if is_camel_case(name) {
            push(first, Finding::CamelCaseName);
        }
        for m in &self.metrics {
            for label in m.labels.iter().filter(|l| is_camel_case(&l.name)) {
                let label = label.name.clone();
                push(Some(m.span), Finding::CamelCaseLabel { label });
            }
        }

        // Abbreviated units.
        for abbreviation in UNIT_ABBREVIATIONS {
            if has_word(&lower, abbreviation) {
                push(first, Finding::AbbreviatedUnit(abbreviation));
            }
        }

        // The same labels twice: one finding per repeat, at the repeat.
        // Summaries and histograms merge such lines into one metric.
        let mut seen = HashSet::new();
        for m in &self.metrics {
            if !seen.insert(&m.labels) {
                push(Some(m.span), Finding::DuplicateMetric);
            }
        }
    }
}

/// The families of a page, in order of first appearance.
struct Families<'p> {
    list: Vec<Family<'p>>,
    by_name: HashMap<String, usize>,
}

impl<'p> Families<'p> {
    fn new() -> Self {
        Families {
            list: Vec::new(),
            by_name: HashMap::new(),
        }
    }

    fn create(&mut self, name: &str) -> usize {
        self.list.push(Family {
            name: name.to_string(),
            metric_type: None,
            help: None,
            metrics: Vec::new(),
            by_labels: HashSet::new(),
        });
        let i = self.list.len() - 1;
        self.by_name.insert(name.to_string(), i);
        i
    }

    fn type_of(&self, i: usize) -> Option<MetricType> {
        self.list.get(i).and_then(|f| f.metric_type)
    }

    /// The family a text-format line named `name` belongs to, as the Go
    /// text parser finds it: the exact name, else a summary for `_count`
    /// and `_sum`, else a histogram for those and `_bucket`.
    fn find_text(&self, name: &str) -> Option<usize> {
        if let Some(&i) = self.by_name.get(name) {
            return Some(i);
        }
        for (suffix, summary_too) in [("_count", true), ("_sum", true), ("_bucket", false)] {
            let Some(base) = name.strip_suffix(suffix).filter(|b| !b.is_empty()) else {
                continue;
            };
            let i = *self.by_name.get(base)?;
            return match self.type_of(i) {
                Some(MetricType::Histogram) => Some(i),
                Some(MetricType::Summary) if summary_too => Some(i),
                _ => None,
            };
        }
        None
    }

    fn text(page: &'p Page) -> Self {
        let mut families = Families::new();
        for meta in &page.metadata {
            let i = match families.find_text(&meta.name) {
                Some(i) => i,
                None => families.create(&meta.name),
            };
            if let Some(family) = families.list.get_mut(i) {
                family.help = family.help.or(meta.help.as_deref());
                family.metric_type = family.metric_type.or(meta.metric_type);
            }
        }
        for sample in &page.samples {
            let name = sample.labels.metric_name();
            let i = match families.find_text(name) {
                Some(i) => i,
                None => families.create(name),
            };
            if let Some(family) = families.list.get_mut(i) {
                family.metric_type.get_or_insert(MetricType::Untyped);
                family.add(sample);
            }
        }
        families
    }

    /// The families of an OpenMetrics page, named and typed as the text
    /// format names and types them.
    fn openmetrics(page: &'p Page) -> Self {
        let mut families = Families::new();
        // OpenMetrics name → index, for the samples to find their family.
        let mut declared: HashMap<&str, usize> = HashMap::new();
        for meta in &page.metadata {
            let t = meta.metric_type.unwrap_or(MetricType::Unknown);
            let (name, text_type) = match t {
                MetricType::Counter => (format!("{}_total", meta.name), MetricType::Counter),
                MetricType::Info => (format!("{}_info", meta.name), MetricType::Gauge),
                MetricType::StateSet => (meta.name.clone(), MetricType::Gauge),
                MetricType::GaugeHistogram => (meta.name.clone(), MetricType::Histogram),
                MetricType::Unknown | MetricType::Untyped => {
                    (meta.name.clone(), MetricType::Untyped)
                }
                MetricType::Gauge | MetricType::Histogram | MetricType::Summary => {
                    (meta.name.clone(), t)
                }
            };
            let i = families.create(&name);
            if let Some(family) = families.list.get_mut(i) {
                family.help = meta.help.as_deref();
                family.metric_type = Some(text_type);
            }
            declared.insert(meta.name.as_str(), i);
        }
        let types: HashMap<&str, MetricType> = page
            .metadata
            .iter()
            .filter_map(|m| Some((m.name.as_str(), m.metric_type?)))
            .collect();
        for sample in &page.samples {
            let name = sample.labels.metric_name();
            let declared_family = match declared.get(name) {
                Some(&i) => Some(i),
                None => match om_family(name, &types) {
                    // A `_created` sample has no place in the text format.
                    Some((_, "_created")) => continue,
                    Some((base, _)) => declared.get(base).copied(),
                    None => None,
                },
            };
            let i = match declared_family.or_else(|| families.by_name.get(name).copied()) {
                Some(i) => i,
                None => families.create(name),
            };
            if let Some(family) = families.list.get_mut(i) {
                family.metric_type.get_or_insert(MetricType::Untyped);
                family.add(sample);
            }
        }
        families
    }
}

/// The declared OpenMetrics family an OpenMetrics sample name belongs to by
/// a suffix its type allows (`foo_total` of the counter `foo`), and the
/// suffix.
fn om_family<'n>(
    name: &'n str,
    types: &HashMap<&str, MetricType>,
) -> Option<(&'n str, &'static str)> {
    const SUFFIXES: [&str; 8] = [
        "_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info",
    ];
    SUFFIXES.into_iter().find_map(|suffix| {
        let base = name.strip_suffix(suffix)?;
        let t = types.get(base)?;
        t.sample_suffixes()
            .contains(&suffix)
            .then_some((base, suffix))
    })
}

// ---- the rules' tables ----------------------------------------------------

/// Abbreviations promlint discourages as words of a name.
const UNIT_ABBREVIATIONS: [&str; 14] = [
    "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d",
];

/// Units promlint recognises, each with its base unit.
const UNITS: [(&str, &str); 24] = [
    ("amperes", "amperes"),
    ("bytes", "bytes"),
    ("celsius", "celsius"),
    ("grams", "grams"),
    ("joules", "joules"),
    ("kelvin", "kelvin"),
    ("meters", "meters"),
    ("metres", "metres"),
    ("seconds", "seconds"),
    ("volts", "volts"),
    ("minutes", "seconds"),
    ("hours", "seconds"),
    ("days", "seconds"),
    ("weeks", "seconds"),
    ("kelvins", "kelvin"),
    ("fahrenheit", "celsius"),
    ("rankine", "celsius"),
    ("inches", "meters"),
    ("yards", "meters"),
    ("miles", "meters"),
    ("bits", "bytes"),
    ("calories", "joules"),
    ("pounds", "grams"),
    ("ounces", "grams"),
];

/// Prefixes a unit may carry, in the order promlint tries them.
const UNIT_PREFIXES: [&str; 18] = [
    "pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega",
    "mibi", "giga", "gibi", "tera", "tebi", "peta", "pebi",
];

fn base_unit(word: &str) -> Option<&'static str> {
    UNITS.iter().find(|(u, _)| *u == word).map(|(_, b)| *b)
}

/// The first word of the name (split at `_`) that is a unit, with or
/// without a prefix, and its base unit.
fn metric_unit(name: &str) -> Option<(&str, &'static str)> {
    name.split('_').find_map(|word| {
        if let Some(base) = base_unit(word) {
            return Some((word, base));
        }
        UNIT_PREFIXES.iter().find_map(|prefix| {
            let base = base_unit(word.strip_prefix(prefix)?)?;
            Some((word, base))
        })
    })
}

/// Whether `word` stands between underscores in `name`, or ends it after
/// one.
fn has_word(name: &str, word: &str) -> bool {
    name.match_indices(word).any(|(i, _)| {
        let before = name.get(..i).is_some_and(|b| b.ends_with('_'));
        let after = name.get(i + word.len()..).unwrap_or("");
        before && (after.is_empty() || after.starts_with('_'))
    })
}

/// promlint's `[a-z][A-Z]`.
fn is_camel_case(name: &str) -> bool {
    name.as_bytes()
        .windows(2)
        .any(|w| matches!(w, [a, b] if a.is_ascii_lowercase() && b.is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn units_are_found_word_by_word_with_prefixes() {
        let cases = [
            ("request_duration_seconds", Some(("seconds", "seconds"))),
            (
                "request_duration_milliseconds",
                Some(("milliseconds", "seconds")),
            ),
            ("disk_kilobytes_total", Some(("kilobytes", "bytes"))),
            ("uptime_hours_seconds", Some(("hours", "seconds"))),
            ("thermometers", None),
            ("distance_kilometers", Some(("kilometers", "meters"))),
            ("size_decabits", Some(("decabits", "bytes"))),
            ("nothing_here", None),
        ];
        for (name, want) in cases {
            assert_eq!(metric_unit(name), want, "{name}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn words_stand_between_underscores() {
        let cases = [
            ("foo_ms", "ms", true),
            ("foo_ms_total", "ms", true),
            ("ms_foo", "ms", false),
            ("foo_msx", "ms", false),
            ("foo_xms", "ms", false),
            ("foo_x_ms_ms", "ms", true),
            ("a_gauge_histogram", "gauge", true),
            ("a_gauge_histogram", "histogram", true),
            ("a_gaugehistogram", "histogram", false),
        ];
        for (name, word, want) in cases {
            assert_eq!(has_word(name, word), want, "{name} {word}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn camel_case_is_a_lower_then_an_upper_letter() {
        assert!(is_camel_case("fooBar"));
        assert!(is_camel_case("node_memory_MemFree_bytes"));
        assert!(!is_camel_case("node_netstat_Tcp"));
        assert!(!is_camel_case("FOO_BAR"));
        assert!(!is_camel_case("foo_Bar"));
    }
}
