//! Binary operators: between scalars, between a vector and a scalar, and
//! between two vectors with one-to-one, many-to-one and one-to-many
//! matching (`on`/`ignoring`, `group_left`/`group_right`) and the set
//! operators `and`, `or`, `unless`, with Prometheus's errors.
//!
//! The matching signature of every input series is computed once and
//! interned to a number; each step then only looks numbers up in a table
//! stamped with the step, and a result series' labels are built once per
//! pair of input series.

use super::eval::{Collector, Data, Evaluator, Series, StepReader};
use super::EvalError;
use crate::labels::{Labels, METRIC_NAME};
use crate::promql::ast::{Binary, BinaryOp, VectorMatchCardinality, VectorMatching};
use std::collections::HashMap;

/// `op` applied to two values: the value and whether a comparison keeps
/// the sample (always true for arithmetic).
pub fn apply(op: BinaryOp, l: f64, r: f64) -> (f64, bool) {
    match op {
        BinaryOp::Add => (l + r, true),
        BinaryOp::Sub => (l - r, true),
        BinaryOp::Mul => (l * r, true),
        BinaryOp::Div => (l / r, true),
        BinaryOp::Mod => (l % r, true),
        BinaryOp::Pow => (l.powf(r), true),
        BinaryOp::Atan2 => (l.atan2(r), true),
        BinaryOp::Eql => (l, l == r),
        BinaryOp::Neq => (l, l != r),
        BinaryOp::Gtr => (l, l > r),
        BinaryOp::Lss => (l, l < r),
        BinaryOp::Gte => (l, l >= r),
        BinaryOp::Lte => (l, l <= r),
        // Set operators never reach value arithmetic.
        BinaryOp::And | BinaryOp::Or | BinaryOp::Unless => (l, true),
    }
}

fn changes_schema(op: BinaryOp) -> bool {
    !op.is_comparison() && !op.is_set_operator()
}

fn btof(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

pub fn eval_binary(ev: &mut Evaluator, b: &Binary) -> Result<Data, EvalError> {
    let lhs = ev.eval(&b.lhs)?;
    let rhs = ev.eval(&b.rhs)?;
    let consumed = lhs.points() + rhs.points();
    let out = match (lhs, rhs) {
        (Data::Scalar(l), Data::Scalar(r)) => Data::Scalar(
            l.into_iter()
                .zip(r)
                .map(|(l, r)| {
                    let (v, keep) = apply(b.op, l, r);
                    if b.op.is_comparison() {
                        btof(keep)
                    } else {
                        v
                    }
                })
                .collect(),
        ),
        (Data::Vector(v), Data::Scalar(s)) => Data::Vector(vector_scalar(ev, b, v, &s, false)?),
        (Data::Scalar(s), Data::Vector(v)) => Data::Vector(vector_scalar(ev, b, v, &s, true)?),
        (Data::Vector(l), Data::Vector(r)) => {
            let default = VectorMatching {
                card: if b.op.is_set_operator() {
                    VectorMatchCardinality::ManyToMany
                } else {
                    VectorMatchCardinality::OneToOne
                },
                labels: Vec::new(),
                on: false,
                include: Vec::new(),
            };
            let matching = b.matching.as_ref().unwrap_or(&default);
            if b.op.is_set_operator() {
                Data::Vector(set_operation(ev, b.op, matching, l, r)?)
            } else {
                Data::Vector(vector_vector(ev, b, matching, l, r)?)
            }
        }
        (l, r) => {
            return Err(EvalError::Unsupported(format!(
                "the operator {} between a {} and a {}",
                b.op.as_str(),
                super::eval::data_kind(&l),
                super::eval::data_kind(&r)
            )))
        }
    };
    ev.release(consumed);
    ev.hold(out.points())?;
    Ok(out)
}

fn vector_scalar(
    ev: &mut Evaluator,
    b: &Binary,
    mut series: Vec<Series>,
    scalar: &[f64],
    scalar_on_left: bool,
) -> Result<Vec<Series>, EvalError> {
    let grid = ev.grid;
    let mut work = 0;
    for s in &mut series {
        let mut kept = Vec::with_capacity(s.points.len());
        for &(t, v) in &s.points {
            let step = usize::try_from((t - grid.start) / grid.step).unwrap_or(0);
            let k = scalar.get(step).copied().unwrap_or(f64::NAN);
            let (l, r) = if scalar_on_left { (k, v) } else { (v, k) };
            let (mut value, mut keep) = apply(b.op, l, r);
            // A comparison keeps the vector's value, whichever side it is on.
            if b.op.is_comparison() && scalar_on_left {
                value = v;
            }
            if b.return_bool {
                value = btof(keep);
                keep = true;
            }
            if keep {
                kept.push((t, value));
            }
        }
        work += s.points.len();
        s.points = kept;
        if changes_schema(b.op) || b.return_bool {
            ev.drop_name(s);
        }
    }
    ev.work(work)?;
    series.retain(|s| !s.points.is_empty());
    Ok(series)
}

/// The labels two series must share to match: those of `on (...)`, or all
/// but those of `ignoring (...)` and the metric name.
fn signature(labels: &Labels, matching: &VectorMatching) -> String {
    let mut sig = String::new();
    for l in labels.iter() {
        let listed = matching.labels.contains(&l.name);
        let include = if matching.on {
            listed
        } else {
            !listed && l.name != METRIC_NAME
        };
        if include {
            sig.push_str(&l.name);
            sig.push('\u{ff}');
            sig.push_str(&l.value);
            sig.push('\u{ff}');
        }
    }
    sig
}

/// The labels of a match group, as Prometheus prints them in errors.
fn match_labels(labels: &Labels, matching: &VectorMatching) -> Labels {
    Labels::from_pairs(
        labels
            .iter()
            .filter(|l| {
                let listed = matching.labels.contains(&l.name);
                if matching.on {
                    listed
                } else {
                    !listed && l.name != METRIC_NAME
                }
            })
            .map(|l| (l.name.clone(), l.value.clone())),
    )
}

/// Go's `labels.String()`: every label in braces, the name included.
pub fn go_labels(labels: &Labels) -> String {
    let inner: Vec<String> = labels
        .iter()
        .map(|l| format!("{}={:?}", l.name, l.value))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

/// Interned signatures of both sides.
fn signatures(
    lhs: &[Series],
    rhs: &[Series],
    matching: &VectorMatching,
) -> (Vec<usize>, Vec<usize>, usize) {
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut intern = |s: &Series| {
        let sig = signature(&s.labels, matching);
        let n = ids.len();
        *ids.entry(sig).or_insert(n)
    };
    let l: Vec<usize> = lhs.iter().map(&mut intern).collect();
    let r: Vec<usize> = rhs.iter().map(&mut intern).collect();
    let n = ids.len();
    (l, r, n)
}

fn set_operation(
    ev: &mut Evaluator,
    op: BinaryOp,
    matching: &VectorMatching,
    lhs: Vec<Series>,
    rhs: Vec<Series>,
) -> Result<Vec<Series>, EvalError> {
    let (lsig, rsig, nsig) = signatures(&lhs, &rhs, matching);
    let grid = ev.grid;
    // `seen[sig] == step + 1`: the signature is present at this step on the
    // side that decides.
    let mut seen = vec![0usize; nsig];
    let mut lids: Vec<Option<usize>> = vec![None; lhs.len()];
    let mut rids: Vec<Option<usize>> = vec![None; rhs.len()];
    let mut out = Collector::default();
    let mut lr = StepReader::new(&lhs);
    let mut rr = StepReader::new(&rhs);
    let mut lvals: Vec<(usize, f64)> = Vec::new();
    let mut rvals: Vec<(usize, f64)> = Vec::new();
    for (step, t) in grid.times().enumerate() {
        let stamp = step + 1;
        lvals.clear();
        rvals.clear();
        lvals.extend((0..lhs.len()).filter_map(|i| lr.value(i, t).map(|v| (i, v))));
        rvals.extend((0..rhs.len()).filter_map(|i| rr.value(i, t).map(|v| (i, v))));
        ev.work(lvals.len() + rvals.len())?;
        let mut emit = |side: &[Series], ids: &mut Vec<Option<usize>>, i: usize, v: f64| {
            let id = match ids[i] {
                Some(id) => id,
                None => {
                    let s = &side[i];
                    let id = out.id(s.labels.clone(), s.drop_name);
                    ids[i] = Some(id);
                    id
                }
            };
            out.push(id, t, v)
        };
        match op {
            BinaryOp::And => {
                if lvals.is_empty() || rvals.is_empty() {
                    continue;
                }
                for &(i, _) in &rvals {
                    seen[rsig[i]] = stamp;
                }
                for &(i, v) in &lvals {
                    if seen[lsig[i]] == stamp {
                        emit(&lhs, &mut lids, i, v)?;
                    }
                }
            }
            BinaryOp::Or => {
                for &(i, v) in &lvals {
                    seen[lsig[i]] = stamp;
                    emit(&lhs, &mut lids, i, v)?;
                }
                for &(i, v) in &rvals {
                    if seen[rsig[i]] != stamp {
                        emit(&rhs, &mut rids, i, v)?;
                    }
                }
            }
            _ => {
                for &(i, _) in &rvals {
                    seen[rsig[i]] = stamp;
                }
                for &(i, v) in &lvals {
                    if seen[lsig[i]] != stamp {
                        emit(&lhs, &mut lids, i, v)?;
                    }
                }
            }
        }
    }
    Ok(out.finish())
}

fn vector_vector(
    ev: &mut Evaluator,
    b: &Binary,
    matching: &VectorMatching,
    lhs: Vec<Series>,
    rhs: Vec<Series>,
) -> Result<Vec<Series>, EvalError> {
    // One-to-many is many-to-one with the sides swapped.
    let swapped = matching.card == VectorMatchCardinality::OneToMany;
    let (many, one) = if swapped { (rhs, lhs) } else { (lhs, rhs) };
    let (msig, osig, nsig) = signatures(&many, &one, matching);
    let grid = ev.grid;
    // For each signature, the "one" side's series at this step.
    let mut one_at: Vec<(usize, usize)> = vec![(0, 0); nsig];
    // For one-to-one, whether the signature matched at this step.
    let mut matched: Vec<usize> = vec![0; nsig];
    // For many-to-one, the result series already filled per signature at
    // this step.
    let mut filled: HashMap<(usize, usize), usize> = HashMap::new();
    let mut pair_ids: HashMap<(usize, usize), usize> = HashMap::new();
    let mut out = Collector::default();
    let mut mr = StepReader::new(&many);
    let mut or = StepReader::new(&one);
    let mut one_vals: Vec<f64> = vec![0.0; one.len()];
    let drop_name_now = changes_schema(b.op);
    for (step, t) in grid.times().enumerate() {
        let stamp = step + 1;
        let mut any_one = false;
        let mut read = 0;
        for j in 0..one.len() {
            let Some(v) = or.value(j, t) else { continue };
            read += 1;
            any_one = true;
            one_vals[j] = v;
            let sig = osig[j];
            if one_at[sig].0 == stamp {
                let dup = one_at[sig].1;
                let side = if swapped { "left" } else { "right" };
                return Err(EvalError::ManyToMany(format!(
                    "found duplicate series for the match group {} on the {side} hand-side of the operation: [{}, {}];many-to-many matching not allowed: matching labels must be unique on one side",
                    go_labels(&match_labels(&one[j].labels, matching)),
                    go_labels(&one[j].labels),
                    go_labels(&one[dup].labels),
                )));
            }
            one_at[sig] = (stamp, j);
        }
        for i in 0..many.len() {
            let Some(mv) = mr.value(i, t) else { continue };
            read += 1;
            if !any_one {
                continue;
            }
            let sig = msig[i];
            if one_at[sig].0 != stamp {
                continue;
            }
            let j = one_at[sig].1;
            let ov = one_vals[j];
            let (l, r) = if swapped { (ov, mv) } else { (mv, ov) };
            let (mut value, keep) = apply(b.op, l, r);
            if b.return_bool {
                value = btof(keep);
            } else if !keep {
                continue;
            }
            let id = match pair_ids.get(&(i, j)) {
                Some(&id) => id,
                None => {
                    let labels =
                        result_labels(&many[i].labels, &one[j].labels, matching, drop_name_now);
                    let id = out.id(labels, false);
                    if b.return_bool {
                        if let Some(s) = out.series.get_mut(id) {
                            ev.drop_name(s);
                        }
                    }
                    pair_ids.insert((i, j), id);
                    id
                }
            };
            if matching.card == VectorMatchCardinality::OneToOne {
                if matched[sig] == stamp {
                    return Err(EvalError::MultipleMatches(
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)".into(),
                    ));
                }
                matched[sig] = stamp;
            } else {
                match filled.get(&(sig, id)) {
                    Some(&s) if s == stamp => return Err(EvalError::MultipleMatches(
                        "multiple matches for labels: grouping labels must ensure unique matches"
                            .into(),
                    )),
                    _ => {
                        filled.insert((sig, id), stamp);
                    }
                }
            }
            out.push(id, t, value)?;
        }
        ev.work(read)?;
    }
    Ok(out.finish())
}

/// The labels of a result: the "many" side's, restricted to the `on`
/// labels or without the `ignoring` ones for one-to-one matching, with the
/// `group_x` labels copied from the "one" side, and without the metric
/// name for arithmetic.
fn result_labels(
    many: &Labels,
    one: &Labels,
    matching: &VectorMatching,
    drop_name: bool,
) -> Labels {
    let mut labels = many.clone();
    if drop_name {
        super::eval::remove_metadata_labels(&mut labels);
    }
    if matching.card == VectorMatchCardinality::OneToOne {
        let names: Vec<String> = labels.iter().map(|l| l.name.clone()).collect();
        for name in names {
            let listed = matching.labels.contains(&name);
            if listed != matching.on {
                labels.remove(&name);
            }
        }
    }
    for name in &matching.include {
        let v = one.get(name);
        if v.is_empty() {
            labels.remove(name);
        } else {
            labels.set(name.clone(), v.to_string());
        }
    }
    labels
}
