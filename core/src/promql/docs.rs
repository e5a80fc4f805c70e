//! One-line documentation of PromQL's functions, aggregations, operator
//! keywords and modifiers, in English and Korean, with each one's signature
//! as Prometheus's documentation writes it. The editor shows these next to
//! completions; the lessons link to them. Every function of
//! [`FUNCTIONS`](super::FUNCTIONS) has an entry (a test keeps it so).

/// What kind of word a [`Doc`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    Function,
    Aggregation,
    /// `by`, `on`, `offset`, `bool`, `and`, …
    Keyword,
}

/// The documentation of one word of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doc {
    pub name: &'static str,
    pub kind: DocKind,
    /// How a call is written, with argument names and types.
    pub signature: &'static str,
    pub en: &'static str,
    pub ko: &'static str,
}

/// A language for user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Doc {
    /// The description in `lang`.
    pub fn text(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Ko => self.ko,
        }
    }
}

/// The documentation of `name` (a function, aggregation or keyword), if
/// the language has such a word.
pub fn doc(name: &str) -> Option<&'static Doc> {
    DOCS.iter().find(|d| d.name == name)
}

const fn func(
    name: &'static str,
    signature: &'static str,
    en: &'static str,
    ko: &'static str,
) -> Doc {
    Doc {
        name,
        kind: DocKind::Function,
        signature,
        en,
        ko,
    }
}

const fn aggr(
    name: &'static str,
    signature: &'static str,
    en: &'static str,
    ko: &'static str,
) -> Doc {
    Doc {
        name,
        kind: DocKind::Aggregation,
        signature,
        en,
        ko,
    }
}

const fn kw(
    name: &'static str,
    signature: &'static str,
    en: &'static str,
    ko: &'static str,
) -> Doc {
    Doc {
        name,
        kind: DocKind::Keyword,
        signature,
        en,
        ko,
    }
}

/// Every documented word, functions first (by name), then aggregations,
/// then keywords.
pub static DOCS: &[Doc] = &[
    func("abs", "abs(v instant-vector)", "Absolute value of every sample.", "모든 샘플 값의 절댓값."),
    func("absent", "absent(v instant-vector)", "1 with the selector's equality labels when the vector is empty, nothing otherwise: alert on a series that is gone.", "벡터가 비어 있으면 셀렉터의 일치 레이블을 단 값 1을, 아니면 아무것도 돌려줍니다. 사라진 시계열을 알림으로 잡을 때 씁니다."),
    func("absent_over_time", "absent_over_time(v range-vector)", "1 when no series has a sample in the range, nothing otherwise.", "범위 안에 샘플이 하나도 없으면 1, 있으면 아무것도 돌려주지 않습니다."),
    func("acos", "acos(v instant-vector)", "Arccosine of every sample, in radians.", "모든 샘플의 아크코사인(라디안)."),
    func("acosh", "acosh(v instant-vector)", "Inverse hyperbolic cosine of every sample.", "모든 샘플의 역쌍곡코사인."),
    func("asin", "asin(v instant-vector)", "Arcsine of every sample, in radians.", "모든 샘플의 아크사인(라디안)."),
    func("asinh", "asinh(v instant-vector)", "Inverse hyperbolic sine of every sample.", "모든 샘플의 역쌍곡사인."),
    func("atan", "atan(v instant-vector)", "Arctangent of every sample, in radians.", "모든 샘플의 아크탄젠트(라디안)."),
    func("atanh", "atanh(v instant-vector)", "Inverse hyperbolic tangent of every sample.", "모든 샘플의 역쌍곡탄젠트."),
    func("avg_over_time", "avg_over_time(v range-vector)", "Average of each series' samples in the range.", "범위 안 각 시계열 샘플의 평균."),
    func("ceil", "ceil(v instant-vector)", "Rounds every sample up to the nearest integer.", "모든 샘플을 가장 가까운 정수로 올림합니다."),
    func("changes", "changes(v range-vector)", "How many times each series' value changed in the range.", "범위 안에서 각 시계열 값이 바뀐 횟수."),
    func("clamp", "clamp(v instant-vector, min scalar, max scalar)", "Limits every sample to [min, max].", "모든 샘플을 [min, max] 사이로 제한합니다."),
    func("clamp_max", "clamp_max(v instant-vector, max scalar)", "Limits every sample to at most max.", "모든 샘플을 max 이하로 제한합니다."),
    func("clamp_min", "clamp_min(v instant-vector, min scalar)", "Limits every sample to at least min.", "모든 샘플을 min 이상으로 제한합니다."),
    func("cos", "cos(v instant-vector)", "Cosine of every sample (radians).", "모든 샘플의 코사인(라디안)."),
    func("cosh", "cosh(v instant-vector)", "Hyperbolic cosine of every sample.", "모든 샘플의 쌍곡코사인."),
    func("count_over_time", "count_over_time(v range-vector)", "Number of samples of each series in the range.", "범위 안 각 시계열의 샘플 수."),
    func("day_of_month", "day_of_month(v=vector(time()) instant-vector)", "Day of the month (1–31) of each sample's value read as a Unix time, in UTC.", "샘플 값을 유닉스 시각으로 읽은 날짜의 일(1–31, UTC)."),
    func("day_of_week", "day_of_week(v=vector(time()) instant-vector)", "Day of the week (0 = Sunday) of each value read as a Unix time, in UTC.", "샘플 값을 유닉스 시각으로 읽은 요일(0 = 일요일, UTC)."),
    func("day_of_year", "day_of_year(v=vector(time()) instant-vector)", "Day of the year (1–366) of each value read as a Unix time, in UTC.", "샘플 값을 유닉스 시각으로 읽은 연중 일(1–366, UTC)."),
    func("days_in_month", "days_in_month(v=vector(time()) instant-vector)", "Number of days in the month of each value read as a Unix time, in UTC.", "샘플 값을 유닉스 시각으로 읽은 달의 일수(UTC)."),
    func("deg", "deg(v instant-vector)", "Converts radians to degrees.", "라디안을 도(degree)로 바꿉니다."),
    func("delta", "delta(v range-vector)", "Difference between the first and last value of each gauge in the range, extrapolated to the range's ends.", "범위의 처음과 마지막 값의 차이(게이지용), 범위 양끝으로 외삽합니다."),
    func("deriv", "deriv(v range-vector)", "Per-second derivative of each gauge, by simple linear regression.", "단순 선형 회귀로 구한 게이지의 초당 변화율."),
    func("double_exponential_smoothing", "double_exponential_smoothing(v range-vector, sf scalar, tf scalar)", "Smoothed value of each gauge by double exponential smoothing (experimental).", "이중 지수 평활로 구한 게이지의 평활값(실험 기능)."),
    func("exp", "exp(v instant-vector)", "e raised to every sample.", "모든 샘플에 대한 e의 거듭제곱."),
    func("floor", "floor(v instant-vector)", "Rounds every sample down to the nearest integer.", "모든 샘플을 가장 가까운 정수로 내림합니다."),
    func("histogram_avg", "histogram_avg(v instant-vector)", "Average of the observations of each native histogram.", "네이티브 히스토그램 관측값의 평균."),
    func("histogram_count", "histogram_count(v instant-vector)", "Number of observations of each native histogram.", "네이티브 히스토그램의 관측 수."),
    func("histogram_fraction", "histogram_fraction(lower scalar, upper scalar, b instant-vector)", "Estimated fraction of observations between lower and upper.", "lower와 upper 사이에 든 관측값의 추정 비율."),
    func("histogram_quantile", "histogram_quantile(φ scalar, b instant-vector)", "The φ-quantile (0 ≤ φ ≤ 1) from histogram buckets; classic buckets need the le label, so keep le in by (…).", "히스토그램 버킷에서 구한 φ 분위수(0 ≤ φ ≤ 1). 클래식 버킷에는 le 레이블이 필요하니 by (…)에 le를 남기세요."),
    func("histogram_stddev", "histogram_stddev(v instant-vector)", "Estimated standard deviation of each native histogram's observations.", "네이티브 히스토그램 관측값의 추정 표준편차."),
    func("histogram_stdvar", "histogram_stdvar(v instant-vector)", "Estimated variance of each native histogram's observations.", "네이티브 히스토그램 관측값의 추정 분산."),
    func("histogram_sum", "histogram_sum(v instant-vector)", "Sum of the observations of each native histogram.", "네이티브 히스토그램 관측값의 합."),
    func("hour", "hour(v=vector(time()) instant-vector)", "Hour of the day (0–23) of each value read as a Unix time, in UTC.", "샘플 값을 유닉스 시각으로 읽은 시(0–23, UTC)."),
    func("idelta", "idelta(v range-vector)", "Difference between the last two samples of each gauge in the range.", "범위 안 마지막 두 샘플의 차이(게이지용)."),
    func("increase", "increase(v range-vector)", "Increase of each counter over the range, with resets handled and extrapolated to the range's ends, so it can be a non-integer.", "범위 동안 카운터의 증가량. 리셋을 보정하고 양끝으로 외삽하므로 정수가 아닐 수 있습니다."),
    func("info", "info(v instant-vector, [data-label-selector instant-vector])", "Adds the labels of matching info series (target_info by default) to each series (experimental).", "일치하는 info 시계열(기본 target_info)의 레이블을 각 시계열에 붙입니다(실험 기능)."),
    func("irate", "irate(v range-vector)", "Per-second rate from the last two samples of each counter: reacts fast, shows spikes.", "각 카운터의 마지막 두 샘플로 구한 초당 증가율. 빠르게 반응하고 순간 변화를 보여 줍니다."),
    func("label_join", "label_join(v instant-vector, dst_label string, separator string, src_label_1 string, …)", "Joins the values of the source labels with the separator into dst_label.", "원본 레이블들의 값을 구분자로 이어 dst_label에 씁니다."),
    func("label_replace", "label_replace(v instant-vector, dst_label string, replacement string, src_label string, regex string)", "Where regex matches src_label's whole value, sets dst_label to replacement ($1, $2 … are the groups).", "regex가 src_label 값 전체와 일치하면 dst_label을 replacement로 설정합니다($1, $2 …는 캡처 그룹)."),
    func("last_over_time", "last_over_time(v range-vector)", "The most recent sample of each series in the range.", "범위 안 각 시계열의 가장 최근 샘플."),
    func("ln", "ln(v instant-vector)", "Natural logarithm of every sample.", "모든 샘플의 자연로그."),
    func("log10", "log10(v instant-vector)", "Decimal logarithm of every sample.", "모든 샘플의 상용로그."),
    func("log2", "log2(v instant-vector)", "Binary logarithm of every sample.", "모든 샘플의 이진 로그."),
    func("mad_over_time", "mad_over_time(v range-vector)", "Median absolute deviation of each series' samples in the range (experimental).", "범위 안 샘플의 중앙값 절대 편차(실험 기능)."),
    func("max_over_time", "max_over_time(v range-vector)", "Largest sample of each series in the range.", "범위 안 각 시계열의 최댓값."),
    func("min_over_time", "min_over_time(v range-vector)", "Smallest sample of each series in the range.", "범위 안 각 시계열의 최솟값."),
    func("minute", "minute(v=vector(time()) instant-vector)", "Minute of the hour (0–59) of each value read as a Unix time, in UTC.", "샘플 값을 유닉스 시각으로 읽은 분(0–59, UTC)."),
    func("month", "month(v=vector(time()) instant-vector)", "Month (1–12) of each value read as a Unix time, in UTC.", "샘플 값을 유닉스 시각으로 읽은 월(1–12, UTC)."),
    func("pi", "pi()", "The number π.", "원주율 π."),
    func("predict_linear", "predict_linear(v range-vector, t scalar)", "Value of each gauge t seconds from now, by linear regression over the range: \"disk full in 4h?\"", "범위에 대한 선형 회귀로 t초 뒤 게이지 값을 예측합니다. \"4시간 뒤 디스크가 찰까?\""),
    func("present_over_time", "present_over_time(v range-vector)", "1 for every series with a sample in the range.", "범위 안에 샘플이 있는 모든 시계열에 대해 1."),
    func("quantile_over_time", "quantile_over_time(φ scalar, v range-vector)", "The φ-quantile of each series' samples in the range.", "범위 안 각 시계열 샘플의 φ 분위수."),
    func("rad", "rad(v instant-vector)", "Converts degrees to radians.", "도(degree)를 라디안으로 바꿉니다."),
    func("rate", "rate(v range-vector)", "Average per-second increase of each counter over the range, resets handled; give the range at least four scrape intervals.", "범위 동안 카운터의 초당 평균 증가율(리셋 보정). 범위는 스크레이프 간격의 네 배 이상으로 잡으세요."),
    func("resets", "resets(v range-vector)", "How many times each counter reset in the range.", "범위 안에서 카운터가 리셋된 횟수."),
    func("round", "round(v instant-vector, to_nearest=1 scalar)", "Rounds every sample to the nearest multiple of to_nearest.", "모든 샘플을 to_nearest의 가장 가까운 배수로 반올림합니다."),
    func("scalar", "scalar(v instant-vector)", "The value of a one-element vector as a scalar; NaN otherwise.", "원소가 하나인 벡터의 값을 스칼라로, 아니면 NaN."),
    func("sgn", "sgn(v instant-vector)", "Sign of every sample: 1, -1 or 0.", "모든 샘플의 부호: 1, -1 또는 0."),
    func("sin", "sin(v instant-vector)", "Sine of every sample (radians).", "모든 샘플의 사인(라디안)."),
    func("sinh", "sinh(v instant-vector)", "Hyperbolic sine of every sample.", "모든 샘플의 쌍곡사인."),
    func("sort", "sort(v instant-vector)", "Sorts by value, ascending (instant queries only).", "값 오름차순으로 정렬합니다(인스턴트 쿼리에서만)."),
    func("sort_by_label", "sort_by_label(v instant-vector, label string, …)", "Sorts by the given labels' values, ascending (experimental).", "주어진 레이블 값으로 오름차순 정렬합니다(실험 기능)."),
    func("sort_by_label_desc", "sort_by_label_desc(v instant-vector, label string, …)", "Sorts by the given labels' values, descending (experimental).", "주어진 레이블 값으로 내림차순 정렬합니다(실험 기능)."),
    func("sort_desc", "sort_desc(v instant-vector)", "Sorts by value, descending (instant queries only).", "값 내림차순으로 정렬합니다(인스턴트 쿼리에서만)."),
    func("sqrt", "sqrt(v instant-vector)", "Square root of every sample.", "모든 샘플의 제곱근."),
    func("stddev_over_time", "stddev_over_time(v range-vector)", "Population standard deviation of each series' samples in the range.", "범위 안 샘플의 모표준편차."),
    func("stdvar_over_time", "stdvar_over_time(v range-vector)", "Population variance of each series' samples in the range.", "범위 안 샘플의 모분산."),
    func("sum_over_time", "sum_over_time(v range-vector)", "Sum of each series' samples in the range.", "범위 안 각 시계열 샘플의 합."),
    func("tan", "tan(v instant-vector)", "Tangent of every sample (radians).", "모든 샘플의 탄젠트(라디안)."),
    func("tanh", "tanh(v instant-vector)", "Hyperbolic tangent of every sample.", "모든 샘플의 쌍곡탄젠트."),
    func("time", "time()", "The evaluation time, in seconds since 1970-01-01 UTC.", "평가 시각(1970-01-01 UTC부터의 초)."),
    func("timestamp", "timestamp(v instant-vector)", "The timestamp of each sample, in seconds since 1970-01-01 UTC.", "각 샘플의 타임스탬프(1970-01-01 UTC부터의 초)."),
    func("ts_of_last_over_time", "ts_of_last_over_time(v range-vector)", "Timestamp of each series' last sample in the range (experimental).", "범위 안 마지막 샘플의 타임스탬프(실험 기능)."),
    func("ts_of_max_over_time", "ts_of_max_over_time(v range-vector)", "Timestamp of each series' largest sample in the range (experimental).", "범위 안 최댓값 샘플의 타임스탬프(실험 기능)."),
    func("ts_of_min_over_time", "ts_of_min_over_time(v range-vector)", "Timestamp of each series' smallest sample in the range (experimental).", "범위 안 최솟값 샘플의 타임스탬프(실험 기능)."),
    func("vector", "vector(s scalar)", "The scalar as a vector with one series and no labels.", "스칼라를 레이블 없는 시계열 하나짜리 벡터로 바꿉니다."),
    func("year", "year(v=vector(time()) instant-vector)", "Year of each value read as a Unix time, in UTC.", "샘플 값을 유닉스 시각으로 읽은 연도(UTC)."),
    aggr("sum", "sum [by|without (label, …)] (v instant-vector)", "Sum over the series, per group of the by/without labels.", "by/without 레이블로 나눈 그룹마다 시계열 값을 합합니다."),
    aggr("avg", "avg [by|without (label, …)] (v instant-vector)", "Average over the series of each group.", "그룹마다 시계열 값의 평균."),
    aggr("count", "count [by|without (label, …)] (v instant-vector)", "Number of series in each group.", "그룹마다 시계열의 개수."),
    aggr("min", "min [by|without (label, …)] (v instant-vector)", "Smallest value in each group.", "그룹마다 최솟값."),
    aggr("max", "max [by|without (label, …)] (v instant-vector)", "Largest value in each group.", "그룹마다 최댓값."),
    aggr("group", "group [by|without (label, …)] (v instant-vector)", "1 for each group: lists the distinct label combinations.", "그룹마다 1. 서로 다른 레이블 조합을 나열할 때 씁니다."),
    aggr("stddev", "stddev [by|without (label, …)] (v instant-vector)", "Population standard deviation over each group.", "그룹마다 모표준편차."),
    aggr("stdvar", "stdvar [by|without (label, …)] (v instant-vector)", "Population variance over each group.", "그룹마다 모분산."),
    aggr("topk", "topk [by|without (label, …)] (k scalar, v instant-vector)", "The k largest series of each group, with their labels.", "그룹마다 값이 가장 큰 k개 시계열(레이블 유지)."),
    aggr("bottomk", "bottomk [by|without (label, …)] (k scalar, v instant-vector)", "The k smallest series of each group, with their labels.", "그룹마다 값이 가장 작은 k개 시계열(레이블 유지)."),
    aggr("count_values", "count_values [by|without (label, …)] (label string, v instant-vector)", "Counts the series having each distinct value; the value goes into the given label.", "값이 같은 시계열의 수를 셉니다. 값은 주어진 레이블에 들어갑니다."),
    aggr("quantile", "quantile [by|without (label, …)] (φ scalar, v instant-vector)", "The φ-quantile of the values of each group.", "그룹마다 값들의 φ 분위수."),
    aggr("limitk", "limitk [by|without (label, …)] (k scalar, v instant-vector)", "Some k series of each group, chosen deterministically (experimental).", "그룹마다 결정적으로 고른 k개 시계열(실험 기능)."),
    aggr("limit_ratio", "limit_ratio [by|without (label, …)] (r scalar, v instant-vector)", "A deterministic sample of about the ratio r of each group's series (experimental).", "그룹마다 시계열의 약 r 비율을 결정적으로 골라냅니다(실험 기능)."),
    kw("by", "… by (label, …)", "Aggregate keeping only these labels.", "이 레이블들만 남기고 집계합니다."),
    kw("without", "… without (label, …)", "Aggregate dropping these labels, keeping the others.", "이 레이블들을 빼고 나머지를 남긴 채 집계합니다."),
    kw("on", "a <op> on (label, …) b", "Match the two sides' series on these labels only.", "양쪽 시계열을 이 레이블들로만 짝짓습니다."),
    kw("ignoring", "a <op> ignoring (label, …) b", "Match the two sides' series on all labels but these.", "이 레이블들을 뺀 나머지 레이블로 짝짓습니다."),
    kw("group_left", "a <op> on (…) group_left (label, …) b", "Many-to-one matching: many series on the left per series on the right; copies the listed labels from the right.", "다대일 매칭: 오른쪽 한 시계열에 왼쪽 여러 시계열이 짝지어지며, 나열한 레이블을 오른쪽에서 가져옵니다."),
    kw("group_right", "a <op> on (…) group_right (label, …) b", "One-to-many matching: many series on the right per series on the left.", "일대다 매칭: 왼쪽 한 시계열에 오른쪽 여러 시계열이 짝지어집니다."),
    kw("bool", "a <comparison> bool b", "A comparison returns 0 or 1 instead of filtering.", "비교 결과로 걸러 내는 대신 0 또는 1을 돌려줍니다."),
    kw("offset", "v offset 5m", "Read the data as it was this long before the evaluation time.", "평가 시각보다 이만큼 이전의 데이터를 읽습니다."),
    kw("and", "a and b", "The series of a that have a match in b.", "b에 짝이 있는 a의 시계열."),
    kw("or", "a or b", "All series of a, plus those of b with no match in a.", "a의 모든 시계열과, a에 짝이 없는 b의 시계열."),
    kw("unless", "a unless b", "The series of a that have no match in b.", "b에 짝이 없는 a의 시계열."),
    kw("atan2", "a atan2 b", "The arctangent of a/b, per matched pair, in radians.", "짝지은 시계열마다 a/b의 아크탄젠트(라디안)."),
    kw("start", "v @ start()", "With @: the start of the range query (or the instant of an instant query).", "@와 함께: 범위 쿼리의 시작 시각(인스턴트 쿼리면 평가 시각)."),
    kw("end", "v @ end()", "With @: the end of the range query (or the instant of an instant query).", "@와 함께: 범위 쿼리의 끝 시각(인스턴트 쿼리면 평가 시각)."),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::FUNCTIONS;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn every_function_and_aggregation_is_documented_once() {
        for f in FUNCTIONS {
            let d = doc(f.name).unwrap_or_else(|| panic!("{} has no doc", f.name));
            assert_eq!(d.kind, DocKind::Function, "{}", f.name);
            assert!(
                d.signature.starts_with(&format!("{}(", f.name)),
                "{}",
                d.signature
            );
        }
        let functions = DOCS.iter().filter(|d| d.kind == DocKind::Function).count();
        assert_eq!(functions, FUNCTIONS.len(), "a doc names no function");
        let mut names: Vec<_> = DOCS.iter().map(|d| d.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DOCS.len(), "a word is documented twice");
        for d in DOCS {
            assert!(!d.en.is_empty() && !d.ko.is_empty(), "{}", d.name);
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn every_aggregation_keyword_is_documented() {
        use crate::promql::lexer::{Keyword, KeywordClass};
        for word in [
            "sum",
            "avg",
            "count",
            "min",
            "max",
            "group",
            "stddev",
            "stdvar",
            "topk",
            "bottomk",
            "count_values",
            "quantile",
            "limitk",
            "limit_ratio",
        ] {
            let k = Keyword::from_word(word).unwrap();
            assert_eq!(k.class(), KeywordClass::Aggregator);
            assert_eq!(
                doc(word).map(|d| d.kind),
                Some(DocKind::Aggregation),
                "{word}"
            );
        }
    }
}
