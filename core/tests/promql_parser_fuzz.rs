//! Random queries made of PromQL's tokens: the parser must answer every one
//! with a tree or an error whose span lies in the query, never panic; and
//! every query it accepts must print (one-line and indented) to text that
//! parses back to the same tree. A fixed seed keeps failures reproducible;
//! a failing query is printed so it can become a regular test case.

use promlab_core::promql::ast::{Duration, Expr, VectorMatchCardinality};
use promlab_core::promql::{format_pretty, parse, parse_with, ParseOptions};
use wasm_bindgen_test::wasm_bindgen_test;

/// A small xorshift generator: deterministic on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const TOKENS: &[&str] = &[
    "up",
    "foo",
    "job",
    "x:y",
    "le",
    "__name__",
    "sum",
    "avg",
    "count",
    "topk",
    "quantile",
    "count_values",
    "limitk",
    "limit_ratio",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "and",
    "or",
    "unless",
    "atan2",
    "start",
    "end",
    "rate",
    "abs",
    "round",
    "time",
    "vector",
    "scalar",
    "label_replace",
    "histogram_quantile",
    "sort_by_label",
    "info",
    "mad_over_time",
    "absent",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "=",
    "!=",
    "=~",
    "!~",
    "==",
    "<",
    "<=",
    ">",
    ">=",
    ",",
    ":",
    "5m",
    "1h30m",
    "30s",
    "90s",
    "1d",
    "2w",
    "0x1F",
    "1e3",
    ".5",
    "1.5",
    "Inf",
    "NaN",
    "0",
    "1",
    "2",
    "-1",
    "1_000",
    "017",
    "+",
    "-",
    "*",
    "/",
    "^",
    "%",
    "@",
    " ",
    " ",
    " ",
    "\n",
    "#c\n",
    "\"a\"",
    "'b'",
    "`c`",
    "\"a.b\"",
    "\"\"",
    "\".*\"",
    "\"x\\ny\"",
    "\"\\u00e9\"",
    "é",
    "(foo)",
    "{job=\"a\"}",
    "[5m]",
    "[1h:5m]",
    "[10m:]",
    "sum(",
    "rate(",
    "foo[5m]",
    " offset 1m",
    " @ 100",
    " @ start()",
];

/// Sorts every selector's matchers and clears spans: Prometheus prints
/// matchers sorted, so only their set survives a round trip.
fn normalize(e: &Expr) -> Expr {
    let mut e = e.without_spans();
    sort_matchers(&mut e);
    e
}

fn sort_matchers(e: &mut Expr) {
    let key = |m: &promlab_core::labels::Matcher| {
        (m.name.clone(), m.op.as_str().to_string(), m.value.clone())
    };
    match e {
        Expr::VectorSelector(vs) => vs.matchers.sort_by_key(key),
        Expr::MatrixSelector(ms) => ms.selector.matchers.sort_by_key(key),
        Expr::Subquery(sq) => sort_matchers(&mut sq.expr),
        Expr::Paren(p) => sort_matchers(&mut p.expr),
        Expr::Unary(u) => sort_matchers(&mut u.expr),
        Expr::Binary(b) => {
            sort_matchers(&mut b.lhs);
            sort_matchers(&mut b.rhs);
        }
        Expr::Aggregate(a) => {
            sort_matchers(&mut a.expr);
            if let Some(p) = &mut a.param {
                sort_matchers(p);
            }
        }
        Expr::Call(c) => c.args.iter_mut().for_each(sort_matchers),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => {}
    }
}

/// Where Prometheus's own printer writes text that does not read back to
/// the same tree; we print as Prometheus does, so such trees are exempt.
fn prometheus_printer_limit(e: &Expr, printed: &str, query: &str) -> Option<&'static str> {
    if printed.contains('\u{FFFD}') && !query.contains('\u{FFFD}') {
        return Some("invalid UTF-8 from escapes");
    }
    // Printed bare, a label must read back as a label name.
    let bare_label_ok = |l: &str| {
        !l.is_empty()
            && l.char_indices()
                .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()))
            && !["without", "inf", "nan"].contains(&l.to_ascii_lowercase().as_str())
    };
    let mut limit = None;
    e.walk(&mut |n| {
        let offset = match n {
            Expr::Binary(b) => {
                // `x offset (1m) - y` reads back as `x offset ((1m) - y)`:
                // the offset is printed last and arithmetic continues it.
                if matches!(rightmost_offset(&b.lhs), Some(Duration::Expr(_))) {
                    limit = Some("offset arithmetic followed by an operator");
                }
                if let Some(m) = &b.matching {
                    if !m.labels.iter().chain(&m.include).all(|l| bare_label_ok(l)) {
                        limit = Some("on/ignoring/group labels are printed unquoted");
                    }
                    if m.labels.is_empty()
                        && !m.on
                        && m.card != VectorMatchCardinality::OneToOne
                        && m.card != VectorMatchCardinality::ManyToMany
                    {
                        limit = Some("ignoring () drops group_left/group_right");
                    }
                }
                None
            }
            Expr::Aggregate(a) => {
                if a.grouping
                    .iter()
                    .any(|l| ["without", "inf", "nan"].contains(&l.to_ascii_lowercase().as_str()))
                {
                    limit = Some("grouping labels that read back as keywords or numbers");
                }
                None
            }
            Expr::VectorSelector(vs) if vs.matchers.is_empty() => {
                limit = Some("an empty selector prints as nothing");
                None
            }
            Expr::VectorSelector(vs) => vs.offset.as_ref(),
            Expr::MatrixSelector(ms) => ms.selector.offset.as_ref(),
            Expr::Subquery(sq) => sq.offset.as_ref(),
            _ => None,
        };
        // `offset (1m) + 5` prints as `offset 1m + 5`, which reads as
        // `(x offset 1m) + 5`.
        if let Some(Duration::Expr(d)) = offset {
            let text = d.to_string();
            let unsigned = text.trim_start_matches(['-', '+']);
            if unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
                limit = Some("offset arithmetic that starts with a bare number");
            }
        }
    });
    limit
}

/// A query from a small grammar of PromQL, so that long, deeply nested
/// queries (which the indented printer splits) come up too.
fn grammar_query(rng: &mut Rng, depth: u32) -> String {
    let selector = |rng: &mut Rng| {
        let name = rng.pick(&["up", "http_requests_total", "x:y:z", "sum", "by", ""]);
        let n = rng.next() % 3;
        let matchers: Vec<String> = (0..n)
            .map(|_| {
                format!(
                    "{}{}{}",
                    rng.pick(&["job", "a", "\"a.b\"", "by", "le"]),
                    rng.pick(&["=", "!=", "=~", "!~"]),
                    rng.pick(&["\"x\"", "'y'", "`z`", "\".+\"", "\"a\\nb\""])
                )
            })
            .collect();
        if matchers.is_empty() && !name.is_empty() {
            name.to_string()
        } else {
            format!("{name}{{{}}}", matchers.join(", "))
        }
    };
    let duration = |rng: &mut Rng| rng.pick(&["5m", "1h30m", "30s", "1d", "300", "1.5", "90s"]);
    let r = rng.next() % 100;
    if depth > 5 || r < 25 {
        let mut s = selector(rng);
        if rng.next().is_multiple_of(3) {
            s = format!("{s}[{}]", duration(rng));
        }
        if rng.next().is_multiple_of(5) {
            s.push_str(rng.pick(&[" offset 5m", " offset -1h", " offset (1m * 2)"]));
        }
        if rng.next().is_multiple_of(5) {
            s.push_str(rng.pick(&[" @ 100", " @ -1.5", " @ start()", " @ end()"]));
        }
        return s;
    }
    let sub = |rng: &mut Rng| grammar_query(rng, depth + 1);
    match r {
        25..=34 => rng
            .pick(&[
                "1", "-2", "0x10", "1e3", "Inf", "NaN", ".5", "5m", "\"s\"", "1_000",
            ])
            .to_string(),
        35..=54 => {
            let op = rng.pick(&[
                "+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "and", "or",
                "unless", "atan2",
            ]);
            let mut m = String::new();
            if rng.next().is_multiple_of(4) {
                m.push_str(" bool");
            }
            if rng.next().is_multiple_of(3) {
                m.push_str(rng.pick(&[" on(job)", " ignoring(a, b)", " on()"]));
                if rng.next().is_multiple_of(2) {
                    m.push_str(rng.pick(&[" group_left", " group_right(c)"]));
                }
            }
            format!("{} {op}{m} {}", sub(rng), sub(rng))
        }
        55..=69 => {
            let (op, param) = match rng.next() % 5 {
                0 => ("topk", "3, "),
                1 => ("quantile", "0.9, "),
                2 => ("count_values", "\"v\", "),
                3 => ("limitk", "2, "),
                _ => (rng.pick(&["sum", "avg", "max", "group", "stddev"]), ""),
            };
            let grouping = rng.pick(&[
                "",
                " by (job)",
                " without (a, b)",
                " by ()",
                " BY (\"a.b\")",
            ]);
            if rng.next().is_multiple_of(2) {
                format!("{op}{grouping} ({param}{})", sub(rng))
            } else {
                format!("{op}({param}{}){grouping}", sub(rng))
            }
        }
        70..=84 => match rng.next() % 6 {
            0 => format!("rate({}[{}])", selector(rng), duration(rng)),
            1 => format!("histogram_quantile(0.9, {})", sub(rng)),
            2 => format!(
                "label_replace({}, \"dst\", \"$1\", \"src\", \"(.*)\")",
                sub(rng)
            ),
            3 => format!("round({}, 0.5)", sub(rng)),
            4 => format!("clamp({}, -1, 1)", sub(rng)),
            _ => "time()".to_string(),
        },
        85..=91 => format!("({})", sub(rng)),
        92..=95 => format!("-{}", sub(rng)),
        _ => format!(
            "({})[{}:{}]",
            sub(rng),
            duration(rng),
            rng.pick(&["", "1m", "10s"])
        ),
    }
}

/// The offset printed last in `e`, if the text of `e` ends with one.
fn rightmost_offset(e: &Expr) -> Option<&Duration> {
    match e {
        Expr::VectorSelector(vs) => vs.offset.as_ref(),
        Expr::MatrixSelector(ms) => ms.selector.offset.as_ref(),
        Expr::Subquery(sq) => sq.offset.as_ref(),
        Expr::Binary(b) => rightmost_offset(&b.rhs),
        Expr::Unary(u) => rightmost_offset(&u.expr),
        _ => None,
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn random_queries_parse_or_fail_cleanly_and_print_back() {
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let (mut parsed, mut round_trips, mut exempt, mut long) = (0, 0, 0, 0);
    for i in 0..25_000 {
        // 20000 from tokens, 5000 from the grammar.
        let q: String = if i < 20_000 {
            let len = 1 + (rng.next() % 16) as usize;
            (0..len).map(|_| rng.pick(TOKENS)).collect()
        } else {
            grammar_query(&mut rng, 0)
        };
        if q.len() > 100 {
            long += 1;
        }
        let e = match parse(&q) {
            Ok(e) => e,
            Err(err) => {
                assert!(
                    err.span.start <= err.span.end && err.span.end <= q.len(),
                    "span {:?} for {q:?}",
                    err.span
                );
                let _ = err.render(&q);
                continue;
            }
        };
        parsed += 1;
        let want = normalize(&e);
        for printed in [e.to_string(), format_pretty(&e)] {
            if prometheus_printer_limit(&e, &printed, &q).is_some() {
                exempt += 1;
                continue;
            }
            match parse(&printed) {
                Ok(back) => assert_eq!(
                    normalize(&back),
                    want,
                    "{q:?} printed as {printed:?} reads back differently"
                ),
                Err(err) => panic!(
                    "{q:?} printed as {printed:?}, which does not parse: {}",
                    err.render(&printed)
                ),
            }
            round_trips += 1;
        }
    }
    println!("{parsed} parsed, {round_trips} round trips, {exempt} exempt, {long} long");
    // The alphabet must produce enough valid queries to mean something.
    assert!(parsed > 3_000, "only {parsed} of 25000 parsed");
    assert!(long > 500, "only {long} queries longer than a line");
    assert!(
        round_trips > 2 * 900,
        "only {round_trips} round trips ({exempt} exempt)"
    );
}

/// Prometheus's defaults (experimental parts off) never accept more than
/// the lab's switches do.
#[wasm_bindgen_test(unsupported = test)]
fn the_default_options_accept_a_subset() {
    let mut rng = Rng(0x0dd_ba11_5eed_1234);
    for _ in 0..5_000 {
        let len = 1 + (rng.next() % 12) as usize;
        let q: String = (0..len).map(|_| rng.pick(TOKENS)).collect();
        if parse_with(&q, &ParseOptions::default()).is_ok() {
            assert!(parse(&q).is_ok(), "{q:?}");
        }
    }
}
