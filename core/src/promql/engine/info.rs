//! `info(v, [data-label-selector])`, Prometheus 3.5's experimental
//! function: adds to each series of `v` the data labels of the info series
//! (`target_info` unless the selector names others with `__name__`) that
//! share its identifying labels, `instance` and `job`.
//!
//! ```text
//! info(rate(http_requests_total[5m]), {k8s_cluster_name=~".+"})
//! ```
//!
//! At each step the newest info sample (within the lookback window) of an
//! info metric wins for a given `instance`/`job`; two with the same time are
//! an error. The selector's other matchers pick the info series and say
//! which data labels are added; a label already on the series is kept as
//! it is. A series whose metric is one of the info metrics passes
//! unchanged, and a series with no info labels to add is kept, unless a
//! selector matcher requires a label (does not match the empty value).

use super::eval::{Data, Evaluator, Series, StepReader, StepValue};
use super::EvalError;
use crate::clock::Timestamp;
use crate::labels::{Labels, Matcher, METRIC_NAME};
use crate::promql::ast::{Call, Expr, VectorSelector};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// The info metric used when the selector names none.
pub const TARGET_INFO: &str = "target_info";

/// The labels an info series and a series must share; fixed, as in
/// Prometheus, so no knowledge of individual info metrics is needed.
pub const IDENTIFYING_LABELS: [&str; 2] = ["instance", "job"];

/// Why `info()` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfoError {
    /// Two series of one info metric with the same identifying labels and
    /// samples at the same time.
    DuplicateSeries { metric: String },
    /// Two info metrics give a series different values for one label.
    ConflictingLabel { label: String },
}

impl fmt::Display for InfoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InfoError::DuplicateSeries { metric } => {
                write!(f, "found duplicate series for info metric {metric}")
            }
            InfoError::ConflictingLabel { label } => write!(f, "conflicting label: {label}"),
        }
    }
}

/// An info metric's name with the identifying labels a series has: the
/// key that pairs series with info series.
type Signature = (String, Vec<(&'static str, String)>);

fn signature(metric: &str, labels: &Labels) -> Signature {
    let ids = IDENTIFYING_LABELS
        .iter()
        .filter_map(|&l| {
            let v = labels.get(l);
            (!v.is_empty()).then(|| (l, v.to_string()))
        })
        .collect();
    (metric.to_string(), ids)
}

/// Evaluates `info(...)`.
pub fn eval_info(ev: &mut Evaluator, call: &Call) -> Result<Data, EvalError> {
    let Some(arg) = call.args.first() else {
        return Ok(Data::Vector(Vec::new()));
    };
    let base = ev.eval_vector(arg)?;
    let selector = match call.args.get(1) {
        None => None,
        Some(Expr::VectorSelector(vs)) => Some(vs),
        // The parser refuses anything else.
        Some(_) => {
            return Err(EvalError::Unsupported(
                "an info() label selector that is not a selector".into(),
            ))
        }
    };
    let default_name = Matcher::equal(METRIC_NAME, TARGET_INFO);
    let (name_matchers, data_matchers): (Vec<&Matcher>, Vec<&Matcher>) = match selector {
        Some(vs) => vs.matchers.iter().partition(|m| m.name == METRIC_NAME),
        None => (Vec::new(), Vec::new()),
    };
    // The series that are info series themselves are not enriched.
    let info_names: Vec<&Matcher> = if selector.is_some() {
        name_matchers.clone()
    } else {
        vec![&default_name]
    };
    let ignored: Vec<bool> = base
        .iter()
        .map(|s| {
            let name = s.labels.metric_name();
            info_names.iter().any(|m| m.matches(name))
        })
        .collect();

    let info = select_info(ev, arg, selector, &base, &ignored, &default_name)?;
    let held: usize = base.iter().chain(&info).map(|s| s.points.len()).sum();
    let out = combine(ev, &base, &ignored, &info, &data_matchers);
    ev.release(held);
    out
}

/// The info series over the grid, each point's value the time (in
/// milliseconds) of the info sample it stands for.
fn select_info(
    ev: &mut Evaluator,
    arg: &Expr,
    selector: Option<&VectorSelector>,
    base: &[Series],
    ignored: &[bool],
    default_name: &Matcher,
) -> Result<Vec<Series>, EvalError> {
    // The identifying label values the info series must have.
    let mut wanted: Vec<(&str, HashSet<&str>)> = Vec::new();
    for (s, _) in base.iter().zip(ignored).filter(|(_, &ig)| !ig) {
        for l in IDENTIFYING_LABELS {
            let v = s.labels.get(l);
            if v.is_empty() {
                continue;
            }
            match wanted.iter_mut().find(|(name, _)| *name == l) {
                Some((_, values)) => {
                    values.insert(v);
                }
                None => wanted.push((l, HashSet::from([v]))),
            }
        }
    }
    if wanted.is_empty() || ev.grid.is_empty() {
        return Ok(Vec::new());
    }
    let mut matchers: Vec<Matcher> = Vec::new();
    let names_metric = selector.is_some_and(|vs| vs.matchers.iter().any(|m| m.name == METRIC_NAME));
    if !names_metric {
        matchers.push(default_name.clone());
    }
    if let Some(vs) = selector {
        matchers.extend(vs.matchers.iter().cloned());
    }
    // Prometheus selects the info series over the query's range moved by
    // the offset (or fixed by the `@`) of the first selector in the
    // argument, then looks them up at the step times themselves.
    let (offset, at) = first_selector_modifiers(ev, arg)?;
    let (start, end) = match at {
        Some(t) => (t, t),
        None => (ev.grid.start, ev.grid.time(ev.grid.len() - 1)),
    };
    let mint = start
        .saturating_sub(ev.options.lookback_delta)
        .saturating_add(1)
        .saturating_sub(offset);
    let maxt = end.saturating_sub(offset);
    let selected: Vec<_> = ev
        .querier
        .select_series(&matchers, mint, maxt)
        .into_iter()
        .filter(|s| {
            wanted
                .iter()
                .all(|(name, values)| values.contains(s.labels.get(name)))
        })
        .collect();
    ev.sample_steps(selected, 0, None, StepValue::Millis)
}

/// The offset and `@` time of the first selector in `expr` (parents
/// before children, left to right).
fn first_selector_modifiers(
    ev: &Evaluator,
    expr: &Expr,
) -> Result<(i64, Option<Timestamp>), EvalError> {
    let mut first: Option<&VectorSelector> = None;
    expr.walk(&mut |e| {
        if first.is_none() {
            match e {
                Expr::VectorSelector(vs) => first = Some(vs),
                Expr::MatrixSelector(ms) => first = Some(&ms.selector),
                _ => {}
            }
        }
    });
    let Some(vs) = first else {
        return Ok((0, None));
    };
    let offset = match &vs.offset {
        Some(d) => super::eval::duration_millis(d, true, vs.span)?,
        None => 0,
    };
    Ok((offset, ev.at_time(vs.at)))
}

/// Adds the info series' data labels to the base series, step by step.
fn combine(
    ev: &mut Evaluator,
    base: &[Series],
    ignored: &[bool],
    info: &[Series],
    data_matchers: &[&Matcher],
) -> Result<Data, EvalError> {
    let info_metrics: Vec<&str> = {
        let mut names: Vec<&str> = info.iter().map(|s| s.labels.metric_name()).collect();
        names.sort_unstable();
        names.dedup();
        names
    };
    let base_sigs: Vec<Vec<(&str, Signature)>> = base
        .iter()
        .map(|s| {
            info_metrics
                .iter()
                .map(|&name| (name, signature(name, &s.labels)))
                .collect()
        })
        .collect();
    let info_sigs: Vec<Signature> = info
        .iter()
        .map(|s| signature(s.labels.metric_name(), &s.labels))
        .collect();
    let data_label_names: HashSet<&str> = data_matchers.iter().map(|m| m.name.as_str()).collect();
    let requires_label = data_matchers.iter().any(|m| !m.matches(""));

    let mut out = super::eval::Collector::default();
    let mut base_steps = StepReader::new(base);
    let mut info_steps = StepReader::new(info);
    let grid = ev.grid;
    for t in grid.times() {
        // The newest info sample per signature at this step.
        let mut newest: HashMap<&Signature, (f64, usize)> = HashMap::new();
        for (j, sig) in info_sigs.iter().enumerate() {
            let Some(sample_time) = info_steps.value(j, t) else {
                continue;
            };
            match newest.get(sig) {
                Some(&(seen, _)) if seen > sample_time => {}
                Some(&(seen, _)) if seen == sample_time => {
                    return Err(EvalError::Info(InfoError::DuplicateSeries {
                        metric: sig.0.clone(),
                    }));
                }
                _ => {
                    newest.insert(sig, (sample_time, j));
                }
            }
        }
        for (i, s) in base.iter().enumerate() {
            let Some(v) = base_steps.value(i, t) else {
                continue;
            };
            ev.work(1)?;
            if ignored.get(i).copied().unwrap_or(false) {
                let id = out.id(s.labels.clone(), s.drop_name);
                out.push(id, t, v)?;
                continue;
            }
            let mut added = Labels::new();
            for (_, sig) in base_sigs.get(i).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(&(_, j)) = newest.get(sig) else {
                    continue;
                };
                let Some(info_series) = info.get(j) else {
                    continue;
                };
                for l in info_series.labels.iter() {
                    if l.name == METRIC_NAME
                        || (!data_label_names.is_empty()
                            && !data_label_names.contains(l.name.as_str()))
                    {
                        continue;
                    }
                    let have = added.get(&l.name);
                    if !have.is_empty() && have != l.value {
                        return Err(EvalError::Info(InfoError::ConflictingLabel {
                            label: l.name.clone(),
                        }));
                    }
                    if s.labels.contains(&l.name) {
                        continue;
                    }
                    added.set(l.name.clone(), l.value.clone());
                }
            }
            if added.is_empty() && requires_label {
                continue;
            }
            let mut labels = s.labels.clone();
            for l in added.iter() {
                labels.set(l.name.clone(), l.value.clone());
            }
            let id = out.id(labels, s.drop_name);
            out.push(id, t, v)?;
        }
    }
    let series = out.finish();
    let points: usize = series.iter().map(|s| s.points.len()).sum();
    ev.hold(points)?;
    Ok(Data::Vector(series))
}
