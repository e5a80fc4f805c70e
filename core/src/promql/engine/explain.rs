//! Explain: a query as a tree of what each node does, with the node's
//! text, its span, how many series it gives at the evaluation time, the
//! first few of them and the work it did — what the Explain view draws.
//!
//! Each node is evaluated on its own as an instant query at `t`, so a
//! node's figures are exactly what that part of the query gives there;
//! `elapsed_work` is the node's own work (its subtree's minus its
//! children's).

use super::eval::{Data, Evaluator, Series};
use super::{EngineOptions, EvalError, NoInterrupt};
use crate::clock::{Millis, Timestamp};
use crate::diagnostic::Span;
use crate::duration::format_duration;
use crate::labels::{Labels, METRIC_NAME};
use crate::promql::ast::{
    AggregateOp, AtModifier, BinaryOp, Duration, Expr, UnaryOp, VectorMatchCardinality,
    VectorSelector,
};
use crate::tsdb::Querier;

/// How many series a node shows.
pub const SAMPLE_SIZE: usize = 5;

/// One node of an explained query.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExplainNode {
    /// One line saying what the node does.
    pub description: String,
    /// The same line in Korean.
    #[serde(default)]
    pub description_ko: String,
    /// The node's text, as formatted.
    pub expr: String,
    pub span: Span,
    /// Series (or one for a scalar or a string) the node gives at `t`.
    pub series: usize,
    /// The first few series with their value (for a range vector, its last
    /// sample).
    pub sample: Vec<(Labels, f64)>,
    pub children: Vec<ExplainNode>,
    /// Samples read and values computed by this node itself.
    pub elapsed_work: u64,
}

/// Explains `expr` evaluated at `t` with the default options.
pub fn explain(querier: &dyn Querier, expr: &Expr, t: Timestamp) -> Result<ExplainNode, EvalError> {
    explain_with(querier, &EngineOptions::default(), expr, t)
}

/// Explains `expr` with the given options.
pub fn explain_with(
    querier: &dyn Querier,
    options: &EngineOptions,
    expr: &Expr,
    t: Timestamp,
) -> Result<ExplainNode, EvalError> {
    let children = children(expr)
        .into_iter()
        .map(|c| explain_with(querier, options, c, t))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ev = Evaluator::new(querier, options, t, t, 1, &NoInterrupt);
    let data = ev.eval(expr)?;
    let (series, sample) = summarize(data);
    let below: u64 = children.iter().map(subtree_work).sum();
    let (description, description_ko) = describe(expr, options);
    Ok(ExplainNode {
        description,
        description_ko,
        expr: expr.to_string(),
        span: expr.span(),
        series,
        sample,
        elapsed_work: ev.work.saturating_sub(below),
        children,
    })
}

fn subtree_work(n: &ExplainNode) -> u64 {
    n.elapsed_work + n.children.iter().map(subtree_work).sum::<u64>()
}

fn summarize(data: Data) -> (usize, Vec<(Labels, f64)>) {
    let shown = |series: Vec<Series>| {
        let n = series.len();
        let sample = series
            .into_iter()
            .take(SAMPLE_SIZE)
            .map(|mut s| {
                if s.drop_name {
                    super::eval::remove_metadata_labels(&mut s.labels);
                }
                let v = s.points.last().map_or(f64::NAN, |p| p.1);
                (s.labels, v)
            })
            .collect();
        (n, sample)
    };
    match data {
        Data::Scalar(v) => (
            1,
            vec![(Labels::new(), v.first().copied().unwrap_or(f64::NAN))],
        ),
        Data::String(_) => (1, Vec::new()),
        Data::Vector(s) | Data::Matrix(s) => shown(s),
    }
}

/// The nodes evaluated below `expr`.
fn children(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::VectorSelector(_)
        | Expr::MatrixSelector(_) => Vec::new(),
        Expr::Subquery(sq) => vec![&sq.expr],
        Expr::Paren(p) => vec![&p.expr],
        Expr::Unary(u) => vec![&u.expr],
        Expr::Binary(b) => vec![&b.lhs, &b.rhs],
        Expr::Aggregate(a) => a.param.iter().map(|p| &**p).chain([&*a.expr]).collect(),
        Expr::Call(c) => c.args.iter().collect(),
    }
}

fn duration(d: &Duration) -> String {
    match d.millis(true) {
        Ok(ms) => format_duration(ms),
        Err(_) => d_text(d),
    }
}

fn d_text(d: &Duration) -> String {
    match d {
        Duration::Millis(ms) => format_duration(*ms),
        Duration::Expr(_) => "a computed duration".into(),
    }
}

fn selector_name(vs: &VectorSelector) -> String {
    let others: Vec<String> = vs
        .matchers
        .iter()
        .filter(|m| !(m.name == METRIC_NAME && vs.name.as_deref() == Some(m.value.as_str())))
        .map(|m| format!("{}{}{:?}", m.name, m.op.as_str(), m.value))
        .collect();
    let name = vs.name.clone().unwrap_or_default();
    if others.is_empty() {
        name
    } else {
        format!("{name}{{{}}}", others.join(", "))
    }
}

fn modifiers(offset: &Option<Duration>, at: &Option<AtModifier>) -> String {
    let mut out = String::new();
    if let Some(o) = offset {
        out.push_str(&format!(", shifted back by {}", duration(o)));
    }
    match at {
        Some(AtModifier::Timestamp(t)) => {
            out.push_str(&format!(", at the fixed time {}", *t as f64 / 1000.0))
        }
        Some(AtModifier::Start) => out.push_str(", at the query's start"),
        Some(AtModifier::End) => out.push_str(", at the query's end"),
        None => {}
    }
    out
}

fn grouping(labels: &[String], without: bool) -> String {
    match (labels.is_empty(), without) {
        (true, false) => String::new(),
        (_, true) => format!(" without ({})", labels.join(", ")),
        (false, false) => format!(" by ({})", labels.join(", ")),
    }
}

fn range_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Paren(p) => range_of(&p.expr),
        Expr::MatrixSelector(ms) => Some(duration(&ms.range)),
        Expr::Subquery(sq) => Some(duration(&sq.range)),
        _ => None,
    }
}

/// What the node does, in English and in Korean (PromQL's own words —
/// `by`, `on`, `group_left` — stay as written in both).
fn describe(expr: &Expr, options: &EngineOptions) -> (String, String) {
    let lookback: Millis = options.lookback_delta;
    let both = |en: &str, ko: &str| (en.to_string(), ko.to_string());
    match expr {
        Expr::NumberLiteral(n) => (
            format!("the number {}", n.value),
            format!("숫자 {}", n.value),
        ),
        Expr::StringLiteral(s) => (
            format!("the string {:?}", s.value),
            format!("문자열 {:?}", s.value),
        ),
        Expr::VectorSelector(vs) => {
            let (name, window) = (selector_name(vs), format_duration(lookback));
            let mods = modifiers(&vs.offset, &vs.at);
            (
                format!("selects series of {name} from the last {window}{mods}"),
                format!("{name} 시리즈를 최근 {window} 안에서 선택{mods}"),
            )
        }
        Expr::MatrixSelector(ms) => {
            let (name, range) = (selector_name(&ms.selector), duration(&ms.range));
            let mods = modifiers(&ms.selector.offset, &ms.selector.at);
            (
                format!("selects the samples of {name} in {range} windows{mods}"),
                format!("{name}의 샘플을 {range} 구간으로 선택{mods}"),
            )
        }
        Expr::Subquery(sq) => {
            let step = sq
                .step
                .as_ref()
                .map_or_else(|| format_duration(options.default_subquery_step), duration);
            let (range, mods) = (duration(&sq.range), modifiers(&sq.offset, &sq.at));
            (
                format!("evaluates its expression every {step} over {range} windows{mods}"),
                format!("식을 {step}마다 {range} 구간에 걸쳐 평가{mods}"),
            )
        }
        Expr::Paren(_) => both("groups its expression", "식을 괄호로 묶음"),
        Expr::Unary(u) => match u.op {
            UnaryOp::Minus => both("negates every value", "모든 값의 부호를 바꿈"),
            UnaryOp::Plus => both("keeps every value", "모든 값을 그대로 둠"),
        },
        Expr::Binary(b) => {
            let (en, ko) = match b.op {
                BinaryOp::Add => both("adds the right side to the left", "왼쪽에 오른쪽을 더함"),
                BinaryOp::Sub => both(
                    "subtracts the right side from the left",
                    "왼쪽에서 오른쪽을 뺌",
                ),
                BinaryOp::Mul => both("multiplies the two sides", "양쪽을 곱함"),
                BinaryOp::Div => both(
                    "divides the left side by the right",
                    "왼쪽을 오른쪽으로 나눔",
                ),
                BinaryOp::Mod => both(
                    "takes the remainder of left divided by right",
                    "왼쪽을 오른쪽으로 나눈 나머지",
                ),
                BinaryOp::Pow => both(
                    "raises the left side to the power of the right",
                    "왼쪽을 오른쪽만큼 거듭제곱",
                ),
                BinaryOp::Atan2 => both(
                    "takes the arc tangent of left and right",
                    "왼쪽과 오른쪽의 아크탄젠트",
                ),
                BinaryOp::And => both(
                    "keeps the left series that have a match on the right",
                    "오른쪽에 짝이 있는 왼쪽 시리즈만 남김",
                ),
                BinaryOp::Or => both(
                    "joins the left series with the unmatched right ones",
                    "왼쪽 시리즈에 짝이 없는 오른쪽 시리즈를 더함",
                ),
                BinaryOp::Unless => both(
                    "keeps the left series without a match on the right",
                    "오른쪽에 짝이 없는 왼쪽 시리즈만 남김",
                ),
                op if b.return_bool => (
                    format!("gives 1 where left {} right, else 0", op.as_str()),
                    format!("왼쪽 {} 오른쪽이면 1, 아니면 0", op.as_str()),
                ),
                op => (
                    format!("keeps the samples where left {} right", op.as_str()),
                    format!("왼쪽 {} 오른쪽인 샘플만 남김", op.as_str()),
                ),
            };
            let (matching_en, matching_ko) = match &b.matching {
                Some(m) if !m.labels.is_empty() || m.on => {
                    let how = if m.on { "on" } else { "ignoring" };
                    let labels = m.labels.join(", ");
                    (
                        format!(", matching {how} ({labels})"),
                        format!(", {how} ({labels})로 매칭"),
                    )
                }
                _ => Default::default(),
            };
            let (card_en, card_ko) = match b.matching.as_ref().map(|m| m.card) {
                Some(VectorMatchCardinality::ManyToOne) => {
                    (", many-to-one (group_left)", ", 다대일 (group_left)")
                }
                Some(VectorMatchCardinality::OneToMany) => {
                    (", one-to-many (group_right)", ", 일대다 (group_right)")
                }
                _ => ("", ""),
            };
            (
                format!("{en}{matching_en}{card_en}"),
                format!("{ko}{matching_ko}{card_ko}"),
            )
        }
        Expr::Aggregate(a) => {
            let g = grouping(&a.grouping, a.without);
            let p = a.param.as_ref().map(|p| p.to_string()).unwrap_or_default();
            let (en, ko) = match a.op {
                AggregateOp::Sum => ("sums".to_string(), "합계".to_string()),
                AggregateOp::Avg => both("averages", "평균"),
                AggregateOp::Count => both("counts series", "시리즈 수"),
                AggregateOp::Min => both("takes the minimum", "최솟값"),
                AggregateOp::Max => both("takes the maximum", "최댓값"),
                AggregateOp::Group => both("groups series", "시리즈를 묶음"),
                AggregateOp::Stddev => both("takes the standard deviation", "표준편차"),
                AggregateOp::Stdvar => both("takes the variance", "분산"),
                AggregateOp::Topk => (
                    format!("keeps the {p} largest"),
                    format!("가장 큰 {p}개만 남김"),
                ),
                AggregateOp::Bottomk => (
                    format!("keeps the {p} smallest"),
                    format!("가장 작은 {p}개만 남김"),
                ),
                AggregateOp::Limitk => {
                    (format!("keeps {p} series"), format!("시리즈 {p}개만 남김"))
                }
                AggregateOp::LimitRatio => (
                    format!("keeps a {p} share of the series"),
                    format!("시리즈의 {p} 비율만 남김"),
                ),
                AggregateOp::CountValues => (
                    format!("counts series per value into label {p}"),
                    format!("값별 시리즈 수를 레이블 {p}에 담음"),
                ),
                AggregateOp::Quantile => (format!("takes the {p} quantile"), format!("{p} 분위수")),
            };
            let tail = if a.op == AggregateOp::Group {
                " (value 1)"
            } else {
                ""
            };
            let tail_ko = if a.op == AggregateOp::Group {
                " (값 1)"
            } else {
                ""
            };
            (format!("{en}{g}{tail}"), format!("{ko}{g}{tail_ko}"))
        }
        Expr::Call(c) => {
            let w = c.args.iter().find_map(range_of).unwrap_or_default();
            let name = c.func.name;
            match name {
                "rate" => (
                    format!("per-second rate over {w} windows"),
                    format!("{w} 구간의 초당 증가율"),
                ),
                "irate" => (
                    format!("per-second rate of the last two samples in {w} windows"),
                    format!("{w} 구간 마지막 두 샘플의 초당 증가율"),
                ),
                "increase" => (
                    format!("increase over {w} windows"),
                    format!("{w} 구간의 증가량"),
                ),
                "delta" => (
                    format!("change over {w} windows"),
                    format!("{w} 구간의 변화량"),
                ),
                "idelta" => (
                    format!("change between the last two samples in {w} windows"),
                    format!("{w} 구간 마지막 두 샘플 사이의 변화량"),
                ),
                "histogram_quantile" => {
                    let q = c.args.first().map(|a| a.to_string()).unwrap_or_default();
                    (
                        format!("the {q} quantile of each histogram's le buckets"),
                        format!("각 히스토그램 le 버킷의 {q} 분위수"),
                    )
                }
                "histogram_fraction" => both(
                    "the fraction of observations between two bounds",
                    "두 경계 사이에 든 관측값의 비율",
                ),
                "label_replace" => both(
                    "sets a label from a regex match on another",
                    "다른 레이블의 정규식 매치로 레이블을 설정",
                ),
                "label_join" => both(
                    "sets a label by joining others",
                    "다른 레이블들을 이어 붙여 레이블을 설정",
                ),
                "absent" => both(
                    "1 when the selector finds no series",
                    "셀렉터가 시리즈를 찾지 못하면 1",
                ),
                "vector" => both(
                    "the scalar as a series without labels",
                    "스칼라를 레이블 없는 시리즈로",
                ),
                "scalar" => both(
                    "the single series' value as a scalar (NaN otherwise)",
                    "하나뿐인 시리즈의 값을 스칼라로 (아니면 NaN)",
                ),
                "time" => both("the evaluation time in seconds", "평가 시각(초)"),
                "timestamp" => both("the time of each sample in seconds", "각 샘플의 시각(초)"),
                _ if name.ends_with("_over_time") => {
                    let what = name.trim_end_matches("_over_time");
                    (
                        format!("{what} of each series over {w} windows"),
                        format!("{w} 구간에서 각 시리즈의 {what}"),
                    )
                }
                _ => (format!("applies {name}()"), format!("{name}() 적용")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::parse;
    use crate::tsdb::Head;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn head() -> Head {
        let mut h = Head::new();
        for (job, inst, per_step) in [("api", "a", 1.0), ("api", "b", 2.0), ("db", "c", 4.0)] {
            let l = Labels::from_pairs([
                ("__name__", "ping_request_count"),
                ("job", job),
                ("instance", inst),
            ]);
            for k in 0..=20 {
                h.append(&l, k * 15_000, k as f64 * per_step).unwrap();
            }
        }
        h
    }

    fn render(n: &ExplainNode, depth: usize, out: &mut String) {
        let sample: Vec<String> = n
            .sample
            .iter()
            .map(|(l, v)| {
                format!(
                    "{} {v}",
                    if l.is_empty() {
                        "{}".into()
                    } else {
                        l.to_string()
                    }
                )
            })
            .collect();
        out.push_str(&format!(
            "{}{} — {} [{}..{}] series={} work={} sample={:?}\n",
            "  ".repeat(depth),
            n.expr,
            n.description,
            n.span.start,
            n.span.end,
            n.series,
            n.elapsed_work,
            sample
        ));
        for c in &n.children {
            render(c, depth + 1, out);
        }
    }

    /// Every node has its line in both languages.
    #[wasm_bindgen_test(unsupported = test)]
    fn every_node_is_described_in_english_and_korean() {
        fn walk(n: &ExplainNode, out: &mut Vec<String>) {
            out.push(format!("{} | {}", n.description, n.description_ko));
            for c in &n.children {
                walk(c, out);
            }
        }
        let q = "sum by (job) (rate(ping_request_count[5m])) / on (job) group_left count by (job) (ping_request_count > 10)";
        let tree = explain(&head(), &parse(q).unwrap(), 300_000).unwrap();
        let mut lines = Vec::new();
        walk(&tree, &mut lines);
        expect_test::expect![[r#"
            [
                "divides the left side by the right, matching on (job), many-to-one (group_left) | 왼쪽을 오른쪽으로 나눔, on (job)로 매칭, 다대일 (group_left)",
                "sums by (job) | 합계 by (job)",
                "per-second rate over 5m windows | 5m 구간의 초당 증가율",
                "selects the samples of ping_request_count in 5m windows | ping_request_count의 샘플을 5m 구간으로 선택",
                "counts series by (job) | 시리즈 수 by (job)",
                "keeps the samples where left > right | 왼쪽 > 오른쪽인 샘플만 남김",
                "selects series of ping_request_count from the last 5m | ping_request_count 시리즈를 최근 5m 안에서 선택",
                "the number 10 | 숫자 10",
            ]
        "#]].assert_debug_eq(&lines);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn explain_tree_of_a_dashboard_query() {
        let q = "sum by (job) (rate(ping_request_count[5m])) / on (job) group_left count by (job) (ping_request_count > 10)";
        let tree = explain(&head(), &parse(q).unwrap(), 300_000).unwrap();
        let mut out = String::new();
        render(&tree, 0, &mut out);
        expect_test::expect![[r#"
            sum by (job) (rate(ping_request_count[5m])) / on (job) group_left () count by (job) (ping_request_count > 10) — divides the left side by the right, matching on (job), many-to-one (group_left) [0..106] series=2 work=5 sample=["{job=\"api\"} 0.1", "{job=\"db\"} 0.26666666666666666"]
              sum by (job) (rate(ping_request_count[5m])) — sums by (job) [0..43] series=2 work=4 sample=["{job=\"api\"} 0.2", "{job=\"db\"} 0.26666666666666666"]
                rate(ping_request_count[5m]) — per-second rate over 5m windows [14..42] series=3 work=63 sample=["{instance=\"a\", job=\"api\"} 0.06666666666666667", "{instance=\"b\", job=\"api\"} 0.13333333333333333", "{instance=\"c\", job=\"db\"} 0.26666666666666666"]
                  ping_request_count[5m] — selects the samples of ping_request_count in 5m windows [19..41] series=3 work=61 sample=["ping_request_count{instance=\"a\", job=\"api\"} 20", "ping_request_count{instance=\"b\", job=\"api\"} 40", "ping_request_count{instance=\"c\", job=\"db\"} 80"]
              count by (job) (ping_request_count > 10) — counts series by (job) [66..106] series=2 work=4 sample=["{job=\"api\"} 2", "{job=\"db\"} 1"]
                ping_request_count > 10 — keeps the samples where left > right [82..105] series=3 work=4 sample=["ping_request_count{instance=\"a\", job=\"api\"} 20", "ping_request_count{instance=\"b\", job=\"api\"} 40", "ping_request_count{instance=\"c\", job=\"db\"} 80"]
                  ping_request_count — selects series of ping_request_count from the last 5m [82..100] series=3 work=64 sample=["ping_request_count{instance=\"a\", job=\"api\"} 20", "ping_request_count{instance=\"b\", job=\"api\"} 40", "ping_request_count{instance=\"c\", job=\"db\"} 80"]
                  10 — the number 10 [103..105] series=1 work=1 sample=["{} 10"]
        "#]]
        .assert_eq(&out);
    }
}
