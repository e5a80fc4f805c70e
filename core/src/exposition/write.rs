//! Printing [`MetricFamily`]s in either format, so that parsing the result
//! gives the same samples back.
//!
//! Names that are not legacy names (`[a-zA-Z_:][a-zA-Z0-9_:]*`, no colons
//! for labels) are quoted as Prometheus 3 reads them: `{"my.metric",
//! "a.b"="x"}`.

use super::number::{format_float, format_ms_as_seconds};
use super::{Exemplar, FamilySample, MetricFamily, MetricType};
use crate::labels::{Labels, METRIC_NAME};

/// Writes families in the text format, HELP and TYPE first. Exemplars and
/// units have no place in this format and are left out; timestamps are
/// written in milliseconds (the format has no negative timestamps, so a
/// negative one does not read back).
pub fn write(families: &[MetricFamily]) -> String {
    let mut out = String::new();
    for family in families {
        out.push_str("# HELP ");
        push_metadata_name(&mut out, &family.name);
        out.push(' ');
        push_escaped(&mut out, &family.help, false);
        out.push_str("\n# TYPE ");
        push_metadata_name(&mut out, &family.name);
        out.push(' ');
        out.push_str(family.metric_type.text_name());
        out.push('\n');
        for sample in &family.samples {
            push_series(&mut out, sample.labels.metric_name(), &sample.labels);
            out.push(' ');
            out.push_str(&format_float(sample.value));
            if let Some(t) = sample.timestamp {
                out.push(' ');
                out.push_str(&t.to_string());
            }
            out.push('\n');
        }
    }
    out
}

/// Writes families as OpenMetrics 1.0 text, ending with `# EOF`.
///
/// A counter family is named without `_total` and its samples with it: a
/// counter sample named like the family gets `_total` added (so the text
/// format's `requests` or `requests_total` both come out as
/// `requests_total`), `_created` samples stay as they are. An info family's
/// plain samples get `_info`. Timestamps are written in seconds. A unit is
/// written when the family's name ends in `_<unit>`, as OpenMetrics
/// requires; otherwise the `# UNIT` line would fail the page and is left out.
pub fn write_openmetrics(families: &[MetricFamily]) -> String {
    let mut out = String::new();
    for family in families {
        let base = match family.metric_type {
            MetricType::Counter => family.name.strip_suffix("_total"),
            MetricType::Info => family.name.strip_suffix("_info"),
            _ => None,
        }
        .unwrap_or(&family.name);
        if !family.help.is_empty() {
            out.push_str("# HELP ");
            push_metadata_name(&mut out, base);
            out.push(' ');
            push_escaped(&mut out, &family.help, true);
            out.push('\n');
        }
        out.push_str("# TYPE ");
        push_metadata_name(&mut out, base);
        out.push(' ');
        out.push_str(family.metric_type.openmetrics_name());
        out.push('\n');
        let unit_fits = base
            .strip_suffix(family.unit.as_str())
            .is_some_and(|rest| rest.ends_with('_'));
        if !family.unit.is_empty() && unit_fits {
            out.push_str("# UNIT ");
            push_metadata_name(&mut out, base);
            out.push(' ');
            out.push_str(&family.unit);
            out.push('\n');
        }
        for sample in &family.samples {
            push_openmetrics_sample(&mut out, family, base, sample);
        }
    }
    out.push_str("# EOF\n");
    out
}

fn push_openmetrics_sample(
    out: &mut String,
    family: &MetricFamily,
    base: &str,
    sample: &FamilySample,
) {
    let name = sample.labels.metric_name();
    let plain = name == base || name == family.name;
    let renamed = match family.metric_type {
        MetricType::Counter if plain => Some(format!("{base}_total")),
        MetricType::Info if plain => Some(format!("{base}_info")),
        _ => None,
    };
    push_series(out, renamed.as_deref().unwrap_or(name), &sample.labels);
    out.push(' ');
    out.push_str(&format_float(sample.value));
    if let Some(t) = sample.timestamp {
        out.push(' ');
        out.push_str(&format_ms_as_seconds(t));
    }
    if let Some(exemplar) = &sample.exemplar {
        push_exemplar(out, exemplar);
    }
    out.push('\n');
}

fn push_exemplar(out: &mut String, exemplar: &Exemplar) {
    out.push_str(" # {");
    push_label_pairs(out, &exemplar.labels, false);
    out.push_str("} ");
    out.push_str(&format_float(exemplar.value));
    if let Some(t) = exemplar.timestamp {
        out.push(' ');
        out.push_str(&format_float(t));
    }
}

/// `name{a="1",b="2"}`, or `{"odd.name",a="1"}` when the name must be
/// quoted; no blanks, which OpenMetrics does not allow inside braces.
fn push_series(out: &mut String, name: &str, labels: &Labels) {
    let has_labels = labels.iter().any(|l| l.name != METRIC_NAME);
    if is_legacy_metric_name(name) {
        out.push_str(name);
        if has_labels {
            out.push('{');
            push_label_pairs(out, labels, true);
            out.push('}');
        }
    } else {
        out.push_str("{\"");
        push_escaped(out, name, true);
        out.push('"');
        if has_labels {
            out.push(',');
            push_label_pairs(out, labels, true);
        }
        out.push('}');
    }
}

fn push_label_pairs(out: &mut String, labels: &Labels, skip_name: bool) {
    let mut first = true;
    for label in labels.iter() {
        if skip_name && label.name == METRIC_NAME {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        if is_legacy_label_name(&label.name) {
            out.push_str(&label.name);
        } else {
            out.push('"');
            push_escaped(out, &label.name, true);
            out.push('"');
        }
        out.push_str("=\"");
        push_escaped(out, &label.value, true);
        out.push('"');
    }
}

fn push_metadata_name(out: &mut String, name: &str) {
    if is_legacy_metric_name(name) {
        out.push_str(name);
    } else {
        out.push('"');
        push_escaped(out, name, true);
        out.push('"');
    }
}

/// Escapes `\` and line breaks, and `"` when `quotes` (label values, quoted
/// names, OpenMetrics help; the text format's help keeps `"` as is).
fn push_escaped(out: &mut String, text: &str, quotes: bool) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quotes => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

fn is_legacy_metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_' || c == b':')
        && bytes.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b':')
}

fn is_legacy_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && bytes.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}
