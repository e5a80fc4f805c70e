//! The aggregation operators over instant vectors, with `by`/`without`:
//! `sum avg count min max group stddev stdvar quantile` (one series per
//! group), `topk bottomk limitk limit_ratio` (some of the input series per
//! group) and `count_values` (one series per group and value).
//!
//! Each input series' group is found once; each step then only adds values
//! into the groups' accumulators.

use super::annotations;
use super::eval::{Collector, Data, Evaluator, Series, StepReader};
use super::functions::kernels;
use super::EvalError;
use crate::labels::{Labels, METRIC_NAME};
use crate::promql::ast::{Aggregate, AggregateOp, Expr};
use std::collections::HashMap;

/// The labels of a series' group: only the `by` labels, or all but the
/// `without` labels and the metric name.
pub fn group_labels(labels: &Labels, grouping: &[String], without: bool) -> Labels {
    Labels::from_pairs(
        labels
            .iter()
            .filter(|l| {
                let listed = grouping.contains(&l.name);
                if without {
                    !listed && l.name != METRIC_NAME
                } else {
                    listed
                }
            })
            .map(|l| (l.name.clone(), l.value.clone())),
    )
}

/// Each series' group index, and each group's labels and first series.
struct Groups {
    of_series: Vec<usize>,
    labels: Vec<Labels>,
    first: Vec<usize>,
}

fn groups(input: &[Series], grouping: &[String], without: bool) -> Groups {
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut g = Groups {
        of_series: Vec::with_capacity(input.len()),
        labels: Vec::new(),
        first: Vec::new(),
    };
    for (i, s) in input.iter().enumerate() {
        let key = group_labels(&s.labels, grouping, without);
        let n = g.labels.len();
        let id = *index.entry(key.clone()).or_insert(n);
        if id == n {
            g.labels.push(key);
            g.first.push(i);
        }
        g.of_series.push(id);
    }
    g
}

fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        other => other,
    }
}

pub fn eval_aggregate(ev: &mut Evaluator, a: &Aggregate) -> Result<Data, EvalError> {
    let mut grouping = a.grouping.clone();
    grouping.sort();
    if a.op == AggregateOp::CountValues {
        let label = match a.param.as_deref().map(unparen) {
            Some(Expr::StringLiteral(s)) => s.value.clone(),
            Some(other) => match ev.eval(other)? {
                Data::String(s) => s,
                _ => String::new(),
            },
            None => String::new(),
        };
        if !super::functions::valid_label_name(&label) {
            return Err(EvalError::BadArgument {
                message: format!("invalid label name {label:?}"),
                span: a.param.as_ref().map_or(a.span, |p| p.span()),
            });
        }
        if !a.without {
            grouping.push(label.clone());
            grouping.sort();
        }
        let input = ev.eval_vector(&a.expr)?;
        let consumed: usize = input.iter().map(|s| s.points.len()).sum();
        let out = count_values(ev, &input, &grouping, a.without, &label)?;
        ev.release(consumed);
        let out = Data::Vector(out);
        ev.hold(out.points())?;
        return Ok(out);
    }
    let param = match (&a.param, a.op.has_param()) {
        (Some(p), true) => Some(ev.eval_scalar(p)?),
        _ => None,
    };
    let input = ev.eval_vector(&a.expr)?;
    let consumed: usize = input.iter().map(|s| s.points.len()).sum();
    let g = groups(&input, &grouping, a.without);
    let param_span = a.param.as_ref().map_or(a.span, |p| p.span());
    let out = match a.op {
        AggregateOp::Topk
        | AggregateOp::Bottomk
        | AggregateOp::Limitk
        | AggregateOp::LimitRatio => select_k(
            ev,
            a.op,
            &input,
            &g,
            param.as_deref().unwrap_or(&[]),
            param_span,
        )?,
        _ => {
            if a.op == AggregateOp::Quantile {
                let qs = param.as_deref().unwrap_or(&[]);
                if qs.iter().any(|q| q.is_nan()) {
                    ev.annotations
                        .add(annotations::invalid_quantile(f64::NAN, param_span));
                }
                let max = qs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let min = qs.iter().copied().fold(f64::INFINITY, f64::min);
                if max > 1.0 {
                    ev.annotations
                        .add(annotations::invalid_quantile(max, param_span));
                }
                if min < 0.0 {
                    ev.annotations
                        .add(annotations::invalid_quantile(min, param_span));
                }
            }
            per_group(ev, a.op, &input, g, param.as_deref())?
        }
    };
    ev.release(consumed);
    let out = Data::Vector(out);
    ev.hold(out.points())?;
    Ok(out)
}

/// One group's accumulator at one step.
#[derive(Clone, Default)]
struct Acc {
    stamp: usize,
    value: f64,
    c: f64,
    mean: f64,
    count: f64,
    incremental: bool,
    values: Vec<f64>,
}

fn per_group(
    ev: &mut Evaluator,
    op: AggregateOp,
    input: &[Series],
    g: Groups,
    param: Option<&[f64]>,
) -> Result<Vec<Series>, EvalError> {
    let mut out: Vec<Series> = g
        .labels
        .into_iter()
        .zip(&g.first)
        .map(|(labels, &first)| Series {
            labels,
            points: Vec::new(),
            drop_name: input.get(first).is_some_and(|s| s.drop_name),
        })
        .collect();
    let mut accs = vec![Acc::default(); out.len()];
    let mut reader = StepReader::new(input);
    let grid = ev.grid;
    for (step, t) in grid.times().enumerate() {
        let stamp = step + 1;
        let mut read = 0;
        for (i, &gi) in g.of_series.iter().enumerate() {
            let Some(f) = reader.value(i, t) else {
                continue;
            };
            read += 1;
            let acc = &mut accs[gi];
            if acc.stamp != stamp {
                acc.stamp = stamp;
                acc.value = f;
                acc.mean = f;
                acc.c = 0.0;
                acc.count = 1.0;
                acc.incremental = false;
                acc.values.clear();
                match op {
                    AggregateOp::Stddev | AggregateOp::Stdvar => {
                        acc.value = if f.is_nan() || f.is_infinite() {
                            f64::NAN
                        } else {
                            0.0
                        };
                    }
                    AggregateOp::Quantile => acc.values.push(f),
                    AggregateOp::Group => acc.value = 1.0,
                    _ => {}
                }
                continue;
            }
            match op {
                AggregateOp::Sum => {
                    (acc.value, acc.c) = kernels::kahan_sum_inc(f, acc.value, acc.c);
                }
                AggregateOp::Avg => {
                    acc.count += 1.0;
                    if !acc.incremental {
                        let (v, c) = kernels::kahan_sum_inc(f, acc.value, acc.c);
                        if !v.is_infinite() {
                            acc.value = v;
                            acc.c = c;
                            continue;
                        }
                        // The sum would overflow: go on with the mean.
                        acc.incremental = true;
                        acc.mean = acc.value / (acc.count - 1.0);
                        acc.c /= acc.count - 1.0;
                    }
                    let q = (acc.count - 1.0) / acc.count;
                    (acc.mean, acc.c) =
                        kernels::kahan_sum_inc(f / acc.count, q * acc.mean, q * acc.c);
                }
                AggregateOp::Max if acc.value < f || acc.value.is_nan() => acc.value = f,
                AggregateOp::Min if acc.value > f || acc.value.is_nan() => acc.value = f,
                AggregateOp::Count => acc.count += 1.0,
                AggregateOp::Stddev | AggregateOp::Stdvar => {
                    acc.count += 1.0;
                    let delta = f - acc.mean;
                    acc.mean += delta / acc.count;
                    acc.value += delta * (f - acc.mean);
                }
                AggregateOp::Quantile => acc.values.push(f),
                _ => {}
            }
        }
        ev.work(read)?;
        for (gi, acc) in accs.iter_mut().enumerate() {
            if acc.stamp != stamp {
                continue;
            }
            let v = match op {
                AggregateOp::Sum => acc.value + acc.c,
                AggregateOp::Avg if acc.incremental => acc.mean + acc.c,
                AggregateOp::Avg => acc.value / acc.count + acc.c / acc.count,
                AggregateOp::Count => acc.count,
                AggregateOp::Stdvar => acc.value / acc.count,
                AggregateOp::Stddev => (acc.value / acc.count).sqrt(),
                AggregateOp::Quantile => {
                    let q = param.and_then(|p| p.get(step)).copied().unwrap_or(f64::NAN);
                    kernels::quantile(q, &mut acc.values)
                }
                _ => acc.value,
            };
            out[gi].points.push((t, v));
        }
    }
    Ok(out.into_iter().filter(|s| !s.points.is_empty()).collect())
}

/// Go's check that a float converts to an int64.
fn fits_i64(v: f64) -> bool {
    v <= i64::MAX as f64 && v >= i64::MIN as f64
}

/// Go's `%v` of a float64.
fn go_v(v: f64) -> String {
    annotations::go_g(v)
}

/// `topk`, `bottomk`, `limitk`, `limit_ratio`: per step and group, the
/// series to keep.
fn select_k(
    ev: &mut Evaluator,
    op: AggregateOp,
    input: &[Series],
    g: &Groups,
    param: &[f64],
    param_span: crate::diagnostic::Span,
) -> Result<Vec<Series>, EvalError> {
    let max = param.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = param.iter().copied().fold(f64::INFINITY, f64::min);
    if op == AggregateOp::LimitRatio {
        if max == 0.0 && min == 0.0 {
            return Ok(Vec::new());
        }
        if max > 1.0 {
            ev.annotations
                .add(annotations::invalid_ratio(max, 1.0, param_span));
        }
        if min < -1.0 {
            ev.annotations
                .add(annotations::invalid_ratio(min, -1.0, param_span));
        }
    } else if max < 1.0 {
        return Ok(Vec::new());
    }
    let hashes: Vec<f64> = if op == AggregateOp::LimitRatio {
        input.iter().map(|s| ratio_offset(&s.labels)).collect()
    } else {
        Vec::new()
    };
    let mut ids: Vec<Option<usize>> = vec![None; input.len()];
    let mut out = Collector::default();
    let mut reader = StepReader::new(input);
    let mut per_group: Vec<Vec<(usize, f64)>> = vec![Vec::new(); g.labels.len()];
    let grid = ev.grid;
    for (step, t) in grid.times().enumerate() {
        let p = param.get(step).copied().unwrap_or(f64::NAN);
        for v in &mut per_group {
            v.clear();
        }
        let mut any = false;
        for (i, &gi) in g.of_series.iter().enumerate() {
            if let Some(v) = reader.value(i, t) {
                per_group[gi].push((i, v));
                any = true;
            }
        }
        if !any {
            continue;
        }
        let mut k = usize::MAX;
        let mut ratio = 0.0;
        if op == AggregateOp::LimitRatio {
            if p.is_nan() {
                return Err(EvalError::BadArgument {
                    message: format!("Ratio value {} is NaN", go_v(p)),
                    span: param_span,
                });
            }
            if p == 0.0 {
                continue;
            }
            ratio = p.clamp(-1.0, 1.0);
        } else {
            if !fits_i64(p) {
                return Err(EvalError::BadArgument {
                    message: format!("Scalar value {} overflows int64", go_v(p)),
                    span: param_span,
                });
            }
            let kk = p as i64;
            if kk < 1 {
                continue;
            }
            k = usize::try_from(kk).unwrap_or(usize::MAX).min(input.len());
        }
        let mut work = 0;
        for members in &mut per_group {
            work += members.len();
            match op {
                AggregateOp::Topk => {
                    // NaN sorts last; ties keep input order, as Prometheus's
                    // heap keeps the earlier series.
                    members.sort_by(|a, b| desc_nan_last(a.1, b.1));
                    members.truncate(k);
                }
                AggregateOp::Bottomk => {
                    members.sort_by(|a, b| asc_nan_last(a.1, b.1));
                    members.truncate(k);
                }
                AggregateOp::Limitk => members.truncate(k),
                _ => members.retain(|&(i, _)| {
                    let offset = hashes.get(i).copied().unwrap_or(0.0);
                    (ratio >= 0.0 && offset < ratio) || (ratio < 0.0 && offset >= 1.0 + ratio)
                }),
            }
            for &(i, v) in members.iter() {
                let id = match ids[i] {
                    Some(id) => id,
                    None => {
                        let id = out.id(input[i].labels.clone(), input[i].drop_name);
                        ids[i] = Some(id);
                        id
                    }
                };
                out.push(id, t, v)?;
            }
        }
        ev.work(work)?;
    }
    Ok(out.finish())
}

fn desc_nan_last(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => b.partial_cmp(&a).unwrap_or(std::cmp::Ordering::Equal),
    }
}

fn asc_nan_last(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal),
    }
}

/// Prometheus's deterministic sampling offset of a series: the xxHash64
/// of its labels (as `Labels.Hash()` computes it) over the largest u64.
fn ratio_offset(labels: &Labels) -> f64 {
    let mut bytes = Vec::new();
    for l in labels.iter() {
        bytes.extend_from_slice(l.name.as_bytes());
        bytes.push(0xff);
        bytes.extend_from_slice(l.value.as_bytes());
        bytes.push(0xff);
    }
    xxhash_rust::xxh64::xxh64(&bytes, 0) as f64 / u64::MAX as f64
}

/// Go's `strconv.FormatFloat(v, 'f', -1, 64)`.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

fn count_values(
    ev: &mut Evaluator,
    input: &[Series],
    grouping: &[String],
    without: bool,
    label: &str,
) -> Result<Vec<Series>, EvalError> {
    let mut out = Collector::default();
    let mut cache: HashMap<(usize, u64), usize> = HashMap::new();
    let mut reader = StepReader::new(input);
    let mut counts: HashMap<usize, f64> = HashMap::new();
    let mut order: Vec<usize> = Vec::new();
    let grid = ev.grid;
    for t in grid.times() {
        counts.clear();
        order.clear();
        for (i, s) in input.iter().enumerate() {
            let Some(v) = reader.value(i, t) else {
                continue;
            };
            let id = match cache.get(&(i, v.to_bits())) {
                Some(&id) => id,
                None => {
                    let mut labels = s.labels.clone();
                    labels.set(label.to_string(), format_value(v));
                    let id = out.id(group_labels(&labels, grouping, without), false);
                    cache.insert((i, v.to_bits()), id);
                    id
                }
            };
            let c = counts.entry(id).or_insert(0.0);
            if *c == 0.0 {
                order.push(id);
            }
            *c += 1.0;
        }
        ev.work(order.len())?;
        for &id in &order {
            out.push(id, t, counts.get(&id).copied().unwrap_or(0.0))?;
        }
    }
    Ok(out.finish())
}
