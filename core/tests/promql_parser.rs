//! The PromQL parser as data: tables of queries with the tree they parse to
//! (kind, byte span and canonical text of every node) or the error they
//! give (Prometheus's first line, and the text under the caret). Run with
//! `UPDATE_EXPECT=1` to rewrite the snapshots, then review the diff.

use expect_test::{expect, Expect};
use promlab_core::promql::format::format_tree;
use promlab_core::promql::parser::{MAX_DEPTH, MAX_NESTING};
use promlab_core::promql::{format_pretty, parse, parse_with, ParseErrorKind, ParseOptions};
use wasm_bindgen_test::wasm_bindgen_test;

fn trees(queries: &[&str], want: Expect) {
    let mut out = String::new();
    for q in queries {
        out.push_str(&format!("{q}\n"));
        match parse(q) {
            Ok(e) => out.push_str(&format_tree(&e)),
            Err(e) => out.push_str(&format!("ERROR {}\n", e.render(q).trim_end())),
        }
        out.push('\n');
    }
    want.assert_eq(&out);
}

fn errors(queries: &[&str], options: &ParseOptions, want: Expect) {
    let mut out = String::new();
    for q in queries {
        match parse_with(q, options) {
            Ok(e) => out.push_str(&format!("{q:?}\n  parsed: {e}\n")),
            Err(e) => {
                let rendered = e.render(q);
                let first = rendered.lines().next().unwrap_or("");
                out.push_str(&format!(
                    "{q:?}\n  {first}\n  under the caret: {:?}\n",
                    e.span.slice(q)
                ));
            }
        }
    }
    want.assert_eq(&out);
}

#[wasm_bindgen_test(unsupported = test)]
fn selectors_and_literals() {
    trees(
        &[
            r#"up{job="node" , instance=~'10\\..*',}"#,
            r#"{"my.metric", "a.b"="x"}"#,
            r#"job:rate5m{by="x", offset!~"y"} # comment"#,
            "http_requests_total[5m] offset -1h30m @ 1609746000",
            "foo @ start() offset 1m",
            "foo offset 1m @ end()",
            "sum offset 5m",
            "by",
            "1_000.5 + 0x1F + 017 + .5e-3 + Inf + -nan",
            "5m",
            r#"label_replace(x, 'dst', `raw\n`, "src\t", "(.*)")"#,
            "-5m",
            "0x1F offset 5m",
        ],
        expect![[r##"
            up{job="node" , instance=~'10\\..*',}
            VectorSelector 0..37 up{instance=~"10\\..*",job="node"}

            {"my.metric", "a.b"="x"}
            VectorSelector 0..24 {"a.b"="x",__name__="my.metric"}

            job:rate5m{by="x", offset!~"y"} # comment
            VectorSelector 0..31 job:rate5m{by="x",offset!~"y"}

            http_requests_total[5m] offset -1h30m @ 1609746000
            MatrixSelector 0..50 http_requests_total[5m] @ 1609746000.000 offset -1h30m

            foo @ start() offset 1m
            VectorSelector 0..23 foo @ start() offset 1m

            foo offset 1m @ end()
            VectorSelector 0..21 foo @ end() offset 1m

            sum offset 5m
            VectorSelector 0..13 sum offset 5m

            by
            VectorSelector 0..2 by

            1_000.5 + 0x1F + 017 + .5e-3 + Inf + -nan
            Binary + 0..41 1000.5 + 31 + 15 + 0.0005 + +Inf + NaN
              Binary + 0..34 1000.5 + 31 + 15 + 0.0005 + +Inf
                Binary + 0..28 1000.5 + 31 + 15 + 0.0005
                  Binary + 0..20 1000.5 + 31 + 15
                    Binary + 0..14 1000.5 + 31
                      NumberLiteral 0..7 1000.5
                      NumberLiteral 10..14 31
                    NumberLiteral 17..20 15
                  NumberLiteral 23..28 0.0005
                NumberLiteral 31..34 +Inf
              NumberLiteral 37..41 NaN

            5m
            NumberLiteral 0..2 5m

            label_replace(x, 'dst', `raw\n`, "src\t", "(.*)")
            Call label_replace 0..49 label_replace(x, "dst", "raw\\n", "src\t", "(.*)")
              VectorSelector 14..15 x
              StringLiteral 17..22 "dst"
              StringLiteral 24..31 "raw\\n"
              StringLiteral 33..40 "src\t"
              StringLiteral 42..48 "(.*)"

            -5m
            NumberLiteral 0..3 -5m

            0x1F offset 5m
            ERROR 1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery
              0x1F offset 5m
              ^^^^

        "##]],
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn operators_bind_as_in_prometheus() {
    trees(
        &[
            "-2^2",
            "- - 2",
            "-a ^ b",
            "-a * b",
            "a ^ -b * c",
            "2 ^ 3 ^ 2",
            "a - b - c",
            "a or b and c unless d",
            "a + b * c atan2 d % e",
            "a > bool 1 == b",
            "a / on(job) group_left(instance) b",
            "a + ignoring(x, \"y.z\") group_right b",
            "a and on() b",
            "1 + b offset 5m",
            "a @ 5 + b",
            "-(a)",
        ],
        expect![[r##"
            -2^2
            Unary - 0..4 -2 ^ 2
              Binary ^ 1..4 2 ^ 2
                NumberLiteral 1..2 2
                NumberLiteral 3..4 2

            - - 2
            NumberLiteral 0..5 2

            -a ^ b
            Unary - 0..6 -a ^ b
              Binary ^ (one-to-one) 1..6 a ^ b
                VectorSelector 1..2 a
                VectorSelector 5..6 b

            -a * b
            Binary * (one-to-one) 0..6 -a * b
              Unary - 0..2 -a
                VectorSelector 1..2 a
              VectorSelector 5..6 b

            a ^ -b * c
            Binary * (one-to-one) 0..10 a ^ -b * c
              Binary ^ (one-to-one) 0..6 a ^ -b
                VectorSelector 0..1 a
                Unary - 4..6 -b
                  VectorSelector 5..6 b
              VectorSelector 9..10 c

            2 ^ 3 ^ 2
            Binary ^ 0..9 2 ^ 3 ^ 2
              NumberLiteral 0..1 2
              Binary ^ 4..9 3 ^ 2
                NumberLiteral 4..5 3
                NumberLiteral 8..9 2

            a - b - c
            Binary - (one-to-one) 0..9 a - b - c
              Binary - (one-to-one) 0..5 a - b
                VectorSelector 0..1 a
                VectorSelector 4..5 b
              VectorSelector 8..9 c

            a or b and c unless d
            Binary or (many-to-many) 0..21 a or b and c unless d
              VectorSelector 0..1 a
              Binary unless (many-to-many) 5..21 b and c unless d
                Binary and (many-to-many) 5..12 b and c
                  VectorSelector 5..6 b
                  VectorSelector 11..12 c
                VectorSelector 20..21 d

            a + b * c atan2 d % e
            Binary + (one-to-one) 0..21 a + b * c atan2 d % e
              VectorSelector 0..1 a
              Binary % (one-to-one) 4..21 b * c atan2 d % e
                Binary atan2 (one-to-one) 4..17 b * c atan2 d
                  Binary * (one-to-one) 4..9 b * c
                    VectorSelector 4..5 b
                    VectorSelector 8..9 c
                  VectorSelector 16..17 d
                VectorSelector 20..21 e

            a > bool 1 == b
            Binary == (one-to-one) 0..15 a > bool 1 == b
              Binary > 0..10 a > bool 1
                VectorSelector 0..1 a
                NumberLiteral 9..10 1
              VectorSelector 14..15 b

            a / on(job) group_left(instance) b
            Binary / (many-to-one) 0..34 a / on (job) group_left (instance) b
              VectorSelector 0..1 a
              VectorSelector 33..34 b

            a + ignoring(x, "y.z") group_right b
            Binary + (one-to-many) 0..36 a + ignoring (x, y.z) group_right () b
              VectorSelector 0..1 a
              VectorSelector 35..36 b

            a and on() b
            Binary and (many-to-many) 0..12 a and on () b
              VectorSelector 0..1 a
              VectorSelector 11..12 b

            1 + b offset 5m
            Binary + 0..15 1 + b offset 5m
              NumberLiteral 0..1 1
              VectorSelector 4..15 b offset 5m

            a @ 5 + b
            Binary + (one-to-one) 0..9 a @ 5.000 + b
              VectorSelector 0..5 a @ 5.000
              VectorSelector 8..9 b

            -(a)
            Unary - 0..4 -(a)
              Paren 1..4 (a)
                VectorSelector 2..3 a

        "##]],
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn aggregations_calls_and_subqueries() {
    trees(
        &[
            "sum by (job) (rate(http_requests_total[5m]))",
            "SUM(x) BY (job, \"a.b\",)",
            "avg without () (x)",
            "topk(3, x)",
            "quantile(0.9, x)",
            "count_values(\"version\", build_info)",
            "limitk(2, x)",
            "limit_ratio(0.5, x) by (job)",
            "histogram_quantile(0.9, sum by (le) (rate(b[5m])))",
            "label_join(x, \"dst\", \",\", \"a\", \"b\", \"c\")",
            "round(x)",
            "time()",
            "max_over_time(rate(x[5m])[1h:1m])",
            "(a + b)[30m:] offset 1m @ 100",
            "x[1h30m:5m]",
        ],
        expect![[r##"
            sum by (job) (rate(http_requests_total[5m]))
            Aggregate sum 0..44 sum by (job) (rate(http_requests_total[5m]))
              Call rate 14..43 rate(http_requests_total[5m])
                MatrixSelector 19..42 http_requests_total[5m]

            SUM(x) BY (job, "a.b",)
            Aggregate sum 0..23 sum by (job, "a.b") (x)
              VectorSelector 4..5 x

            avg without () (x)
            Aggregate avg 0..18 avg without () (x)
              VectorSelector 16..17 x

            topk(3, x)
            Aggregate topk 0..10 topk(3, x)
              NumberLiteral 5..6 3
              VectorSelector 8..9 x

            quantile(0.9, x)
            Aggregate quantile 0..16 quantile(0.9, x)
              NumberLiteral 9..12 0.9
              VectorSelector 14..15 x

            count_values("version", build_info)
            Aggregate count_values 0..35 count_values("version", build_info)
              StringLiteral 13..22 "version"
              VectorSelector 24..34 build_info

            limitk(2, x)
            Aggregate limitk 0..12 limitk(2, x)
              NumberLiteral 7..8 2
              VectorSelector 10..11 x

            limit_ratio(0.5, x) by (job)
            Aggregate limit_ratio 0..28 limit_ratio by (job) (0.5, x)
              NumberLiteral 12..15 0.5
              VectorSelector 17..18 x

            histogram_quantile(0.9, sum by (le) (rate(b[5m])))
            Call histogram_quantile 0..50 histogram_quantile(0.9, sum by (le) (rate(b[5m])))
              NumberLiteral 19..22 0.9
              Aggregate sum 24..49 sum by (le) (rate(b[5m]))
                Call rate 37..48 rate(b[5m])
                  MatrixSelector 42..47 b[5m]

            label_join(x, "dst", ",", "a", "b", "c")
            Call label_join 0..40 label_join(x, "dst", ",", "a", "b", "c")
              VectorSelector 11..12 x
              StringLiteral 14..19 "dst"
              StringLiteral 21..24 ","
              StringLiteral 26..29 "a"
              StringLiteral 31..34 "b"
              StringLiteral 36..39 "c"

            round(x)
            Call round 0..8 round(x)
              VectorSelector 6..7 x

            time()
            Call time 0..6 time()

            max_over_time(rate(x[5m])[1h:1m])
            Call max_over_time 0..33 max_over_time(rate(x[5m])[1h:1m])
              Subquery 14..32 rate(x[5m])[1h:1m]
                Call rate 14..25 rate(x[5m])
                  MatrixSelector 19..24 x[5m]

            (a + b)[30m:] offset 1m @ 100
            Subquery 0..29 (a + b)[30m:] @ 100.000 offset 1m
              Paren 0..7 (a + b)
                Binary + (one-to-one) 1..6 a + b
                  VectorSelector 1..2 a
                  VectorSelector 5..6 b

            x[1h30m:5m]
            Subquery 0..11 x[1h30m:5m]
              VectorSelector 0..1 x

        "##]],
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn duration_arithmetic_when_enabled() {
    trees(
        &[
            "x[5m + 30s]",
            "x[2m * (10 + 5)]",
            "x[-5m + 35m]",
            "x[1h:(2m * 2)]",
            "x offset (1h / 2)",
            "x offset -(1m)",
            "x offset 5m + 1",
            "x offset (1m) + 5",
            "x[5]",
            "x[1.5]",
        ],
        expect![[r##"
            x[5m + 30s]
            MatrixSelector 0..11 x[5m + 30s]

            x[2m * (10 + 5)]
            MatrixSelector 0..16 x[2m * (10 + 5)]

            x[-5m + 35m]
            MatrixSelector 0..12 x[-5m + 35m]

            x[1h:(2m * 2)]
            Subquery 0..14 x[1h:(2m * 2)]
              VectorSelector 0..1 x

            x offset (1h / 2)
            VectorSelector 0..17 x offset (1h / 2)

            x offset -(1m)
            VectorSelector 0..14 x offset -1m

            x offset 5m + 1
            Binary + 0..15 x offset 5m + 1
              VectorSelector 0..11 x offset 5m
              NumberLiteral 14..15 1

            x offset (1m) + 5
            VectorSelector 0..17 x offset 1m + 5

            x[5]
            MatrixSelector 0..4 x[5s]

            x[1.5]
            MatrixSelector 0..6 x[1s500ms]

        "##]],
    );
}

/// Syntax errors name the construct Prometheus names, at the token it
/// reports.
#[wasm_bindgen_test(unsupported = test)]
fn syntax_errors() {
    errors(
        &[
            "",
            "# nothing",
            "foo{",
            "sum(foo",
            "foo[5",
            "foo)",
            "foo ! bar",
            "foo{a=1}",
            "foo{a=\"\\q\"}",
            "\"abc",
            "1y1y",
            "é",
            "foo +",
            "foo bar",
            "sum(foo bar)",
            "sum by a (x)",
            "sum by (a b) (x)",
            "sum by (1) (x)",
            "sum by (a,,b) (x)",
            "foo{a}",
            "foo{a=}",
            "foo{a=\"b\" c}",
            "{,}",
            "foo offset",
            "foo offset bar",
            "foo @",
            "foo @ start",
            "foo @ -bar",
            "foo[5m 5m]",
            "foo[5m:1m 1m]",
            "foo[:5m]",
            "foo[]",
            "on",
            "sum(a) by (b) by (c)",
            "a + on b",
            "line1 +\n  line2 line3",
        ],
        &ParseOptions::LAB,
        expect![[r##"
            ""
              unknown position: parse error: no expression found in input
              under the caret: ""
            "# nothing"
              1:1: parse error: no expression found in input
              under the caret: ""
            "foo{"
              1:5: parse error: unexpected end of input inside braces
              under the caret: ""
            "sum(foo"
              1:8: parse error: unclosed left parenthesis
              under the caret: ""
            "foo[5"
              1:6: parse error: unclosed left bracket
              under the caret: ""
            "foo)"
              1:5: parse error: unexpected right parenthesis ')'
              under the caret: ""
            "foo ! bar"
              1:5: parse error: unexpected character after '!': ' '
              under the caret: "! "
            "foo{a=1}"
              1:7: parse error: unexpected character inside braces: '1'
              under the caret: "1"
            "foo{a=\"\\q\"}"
              1:7: parse error: unknown escape sequence U+0071 'q'
              under the caret: "\"\\q"
            "\"abc"
              1:1: parse error: unterminated quoted string
              under the caret: "\"abc"
            "1y1y"
              1:1: parse error: bad number or duration syntax: "1y1"
              under the caret: "1y1"
            "é"
              1:1: parse error: unexpected character: 'é'
              under the caret: "é"
            "foo +"
              1:6: parse error: unexpected end of input
              under the caret: ""
            "foo bar"
              1:5: parse error: unexpected identifier "bar"
              under the caret: "bar"
            "sum(foo bar)"
              1:9: parse error: unexpected identifier "bar" in aggregation
              under the caret: "bar"
            "sum by a (x)"
              1:8: parse error: unexpected identifier "a" in grouping opts, expected "("
              under the caret: "a"
            "sum by (a b) (x)"
              1:11: parse error: unexpected identifier "b" in grouping opts, expected "," or ")"
              under the caret: "b"
            "sum by (1) (x)"
              1:9: parse error: unexpected number "1" in grouping opts, expected label
              under the caret: "1"
            "sum by (a,,b) (x)"
              1:11: parse error: unexpected "," in grouping opts, expected label
              under the caret: ","
            "foo{a}"
              1:6: parse error: unexpected "}" in label matching, expected label matching operator
              under the caret: "}"
            "foo{a=}"
              1:7: parse error: unexpected "}" in label matching, expected string
              under the caret: "}"
            "foo{a=\"b\" c}"
              1:11: parse error: unexpected identifier "c" in label matching, expected "," or "}"
              under the caret: "c"
            "{,}"
              1:2: parse error: unexpected "," in label matching, expected identifier or "}"
              under the caret: ","
            "foo offset"
              1:11: parse error: unexpected end of input in offset, expected number or duration
              under the caret: ""
            "foo offset bar"
              1:12: parse error: unexpected identifier "bar" in offset, expected number or duration
              under the caret: "bar"
            "foo @"
              1:6: parse error: unexpected end of input in @, expected timestamp
              under the caret: ""
            "foo @ start"
              1:12: parse error: unexpected end of input in @, expected timestamp
              under the caret: ""
            "foo @ -bar"
              1:8: parse error: unexpected identifier "bar" in @, expected timestamp
              under the caret: "bar"
            "foo[5m 5m]"
              1:8: parse error: unexpected duration "5m" in subquery or range, expected ":" or "]"
              under the caret: "5m"
            "foo[5m:1m 1m]"
              1:11: parse error: unexpected duration "1m" in subquery selector, expected "]"
              under the caret: "1m"
            "foo[:5m]"
              1:6: parse error: unexpected colon before duration in duration expression
              under the caret: ""
            "foo[]"
              1:5: parse error: unexpected "]" in subquery selector, expected number or duration
              under the caret: "]"
            "on"
              1:1: parse error: unexpected <on>
              under the caret: "on"
            "sum(a) by (b) by (c)"
              1:15: parse error: unexpected <by>
              under the caret: "by"
            "a + on b"
              1:8: parse error: unexpected identifier "b" in grouping opts, expected "("
              under the caret: "b"
            "line1 +\n  line2 line3"
              2:9: parse error: unexpected identifier "line3"
              under the caret: "line3"
        "##]],
    );
}

/// Errors found while parsing, and Prometheus's type check.
#[wasm_bindgen_test(unsupported = test)]
fn semantic_and_type_errors() {
    errors(
        &[
            "foo{}",
            "{a=~\".*\"}",
            "foo{__name__=\"bar\"}",
            "foo{a=~\"(\"}",
            "nosuchfunction(foo)",
            "f(a,)",
            "sum()",
            "topk(foo)",
            "sum by (\"\") (x)",
            "1e500",
            "1.5m",
            "99999999999y",
            "foo offset 5m[5m]",
            "foo @ 1 [5m]",
            "(foo)[5m]",
            "foo[0s]",
            "foo[5m:0s]",
            "x[1m / 0]",
            "foo offset 1m offset 1m",
            "foo @ 1 @ 2",
            "1 offset 5m",
            "sum(foo) @ 5",
            "foo @ 1e20",
            "rate(foo)",
            "rate(foo[5m], 1)",
            "round(foo, 1, 2)",
            "label_join(foo)",
            "time(1)",
            "\"a\" + 1",
            "1 > 2",
            "foo + bool bar",
            "foo and on(a) group_left bar",
            "1 and foo",
            "1 + on(a) foo",
            "foo * on(a) group_left(a) bar",
            "-foo[5m]",
            "\"a\"[5m:]",
            "sum(\"a\")",
            "topk(foo, bar)",
            "count_values(1, foo)",
            "info(foo, bar)",
            "info(foo, sum(bar))",
            "info(foo, {})",
        ],
        &ParseOptions::LAB,
        expect![[r#"
            "foo{}"
              parsed: foo
            "{a=~\".*\"}"
              1:1: parse error: vector selector must contain at least one non-empty matcher
              under the caret: "{a=~\".*\"}"
            "foo{__name__=\"bar\"}"
              1:1: parse error: metric name must not be set twice: "foo" or "bar"
              under the caret: "foo{__name__=\"bar\"}"
            "foo{a=~\"(\"}"
              1:5: parse error: error parsing regexp: missing closing ): `(`
              under the caret: "a=~\"(\""
            "nosuchfunction(foo)"
              1:1: parse error: unknown function with name "nosuchfunction"
              under the caret: "nosuchfunction"
            "f(a,)"
              1:4: parse error: trailing commas not allowed in function call args
              under the caret: ","
            "sum()"
              1:1: parse error: no arguments for aggregate expression provided
              under the caret: "sum()"
            "topk(foo)"
              1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1
              under the caret: "topk(foo)"
            "sum by (\"\") (x)"
              1:9: parse error: invalid label name for grouping: ""
              under the caret: "\"\""
            "1e500"
              1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e500": value out of range
              under the caret: "1e500"
            "1.5m"
              1:1: parse error: unknown unit "." in duration "1.5m"
              under the caret: "1.5m"
            "99999999999y"
              1:1: parse error: duration out of range
              under the caret: "99999999999y"
            "foo offset 5m[5m]"
              1:14: parse error: no offset modifiers allowed before range
              under the caret: "[5m]"
            "foo @ 1 [5m]"
              1:9: parse error: no @ modifiers allowed before range
              under the caret: "[5m]"
            "(foo)[5m]"
              1:6: parse error: ranges only allowed for vector selectors
              under the caret: "[5m]"
            "foo[0s]"
              1:5: parse error: duration must be greater than 0
              under the caret: "0s"
            "foo[5m:0s]"
              1:8: parse error: duration must be greater than 0
              under the caret: "0s"
            "x[1m / 0]"
              1:6: parse error: division by zero
              under the caret: "/"
            "foo offset 1m offset 1m"
              1:1: parse error: offset may not be set multiple times
              under the caret: "foo offset 1m offset 1m"
            "foo @ 1 @ 2"
              1:1: parse error: @ <timestamp> may not be set multiple times
              under the caret: "foo @ 1"
            "1 offset 5m"
              1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery
              under the caret: "1"
            "sum(foo) @ 5"
              1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery
              under the caret: "sum(foo)"
            "foo @ 1e20"
              1:1: parse error: timestamp out of bounds for @ modifier: 100000000000000000000.000000
              under the caret: "foo"
            "rate(foo)"
              1:6: parse error: expected type range vector in call to function "rate", got instant vector
              under the caret: "foo"
            "rate(foo[5m], 1)"
              1:1: parse error: expected 1 argument(s) in call to "rate", got 2
              under the caret: "rate(foo[5m], 1)"
            "round(foo, 1, 2)"
              1:1: parse error: expected at most 2 argument(s) in call to "round", got 3
              under the caret: "round(foo, 1, 2)"
            "label_join(foo)"
              1:1: parse error: expected at least 3 argument(s) in call to "label_join", got 1
              under the caret: "label_join(foo)"
            "time(1)"
              1:1: parse error: expected 0 argument(s) in call to "time", got 1
              under the caret: "time(1)"
            "\"a\" + 1"
              1:1: parse error: binary expression must contain only scalar and instant vector types
              under the caret: "\"a\""
            "1 > 2"
              1:3: parse error: comparisons between scalars must use BOOL modifier
              under the caret: ">"
            "foo + bool bar"
              1:5: parse error: bool modifier can only be used on comparison operators
              under the caret: "+ bool"
            "foo and on(a) group_left bar"
              1:1: parse error: no grouping allowed for "and" operation
              under the caret: "foo and on(a) group_left bar"
            "1 and foo"
              1:1: parse error: set operator "and" not allowed in binary scalar expression
              under the caret: "1 and foo"
            "1 + on(a) foo"
              1:1: parse error: vector matching only allowed between instant vectors
              under the caret: "1 + on(a) foo"
            "foo * on(a) group_left(a) bar"
              1:5: parse error: label "a" must not occur in ON and GROUP clause at once
              under the caret: "* on(a) group_left(a)"
            "-foo[5m]"
              1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"
              under the caret: "-foo[5m]"
            "\"a\"[5m:]"
              1:1: parse error: subquery is only allowed on instant vector, got string instead
              under the caret: "\"a\"[5m:]"
            "sum(\"a\")"
              1:5: parse error: expected type instant vector in aggregation expression, got string
              under the caret: "\"a\""
            "topk(foo, bar)"
              1:6: parse error: expected type scalar in aggregation parameter, got instant vector
              under the caret: "foo"
            "count_values(1, foo)"
              1:14: parse error: expected type string in aggregation parameter, got scalar
              under the caret: "1"
            "info(foo, bar)"
              1:11: parse error: expected label selectors only, got vector selector instead
              under the caret: "bar"
            "info(foo, sum(bar))"
              1:11: parse error: expected label selectors only, got an expression instead
              under the caret: "sum(bar)"
            "info(foo, {})"
              parsed: info(foo, )
        "#]],
    );
}

/// Experimental functions, aggregations and duration arithmetic need their
/// switches, as in Prometheus; `parse` turns them on.
#[wasm_bindgen_test(unsupported = test)]
fn experimental_parts_need_their_switches() {
    errors(
        &[
            "mad_over_time(x[5m])",
            "sort_by_label(x, \"a\")",
            "limitk(1, x)",
            "x[5m + 1m]",
            "x offset (1m)",
            "x[5m]",
        ],
        &ParseOptions::default(),
        expect![[r##"
            "mad_over_time(x[5m])"
              1:1: parse error: function "mad_over_time" is not enabled
              under the caret: "mad_over_time"
            "sort_by_label(x, \"a\")"
              1:1: parse error: function "sort_by_label" is not enabled
              under the caret: "sort_by_label"
            "limitk(1, x)"
              1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions
              under the caret: "limitk(1, x)"
            "x[5m + 1m]"
              1:3: parse error: experimental duration expression is not enabled
              under the caret: "5m"
            "x offset (1m)"
              1:11: parse error: experimental duration expression is not enabled
              under the caret: "1m"
            "x[5m]"
              parsed: x[5m]
        "##]],
    );
    for q in ["mad_over_time(x[5m])", "limitk(1, x)", "x[5m + 1m]"] {
        assert!(parse(q).is_ok(), "{q}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn error_kinds_are_enums() {
    let kind = |q: &str| parse(q).map(|_| ()).unwrap_err().kind;
    assert!(matches!(
        kind("sum(foo bar)"),
        ParseErrorKind::Unexpected {
            context: Some(_),
            ..
        }
    ));
    assert_eq!(kind("foo{}x"), kind("foo{}x"));
    assert!(matches!(
        kind("rate(x)"),
        ParseErrorKind::ExpectedType { .. }
    ));
    assert!(matches!(
        kind("1 > 2"),
        ParseErrorKind::ScalarComparisonWithoutBool
    ));
    assert!(matches!(kind("foo{"), ParseErrorKind::Lexical(_)));
}

/// Nesting deeper than the parser follows is an error, not a stack
/// overflow; anything just under the limits parses, prints and is dropped
/// within the stack (in WebAssembly too).
#[wasm_bindgen_test(unsupported = test)]
fn deep_nesting_is_an_error_and_the_limits_fit_the_stack() {
    type Shape = fn(usize) -> String;
    // Each shape at `n` nests about `n` levels.
    let shapes: [(&str, Shape); 5] = [
        ("parens", |n| format!("{}1{}", "(".repeat(n), ")".repeat(n))),
        ("unary", |n| format!("{}a", "-".repeat(n))),
        ("calls", |n| {
            format!("{}a{}", "abs(".repeat(n), ")".repeat(n))
        }),
        ("aggregations", |n| {
            format!("{}a{}", "sum by (x) (".repeat(n), ")".repeat(n))
        }),
        ("subqueries", |n| {
            format!("{}a{}", "last_over_time(".repeat(n), "[5m:])".repeat(n))
        }),
    ];
    let round_trip = |what: &str, q: &str| {
        let e = parse(q).unwrap_or_else(|e| panic!("{what}: {}", e.render(q)));
        assert!(parse(&e.to_string()).is_ok(), "{what}");
        let _ = format_pretty(&e);
        let _ = format_tree(&e);
    };
    for (what, shape) in shapes {
        round_trip(what, &shape(MAX_NESTING - 5));
        let err = parse(&shape(MAX_NESTING + 5)).unwrap_err();
        assert!(
            matches!(err.kind, ParseErrorKind::TooDeep),
            "{what}: {err:?}"
        );
    }
    // Chains count one level an operator.
    let chain = |n: usize| vec!["a"; n + 1].join(" + ");
    round_trip("chain", &chain(MAX_DEPTH - 5));
    assert!(matches!(
        parse(&chain(MAX_DEPTH + 5)).unwrap_err().kind,
        ParseErrorKind::TooDeep
    ));
    let mixed = format!(
        "{}{}{}",
        "(b - ".repeat(20),
        vec!["a"; MAX_DEPTH - 100].join(" * "),
        ")".repeat(20)
    );
    round_trip("mixed", &mixed);
    let huge = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(matches!(
        parse(&huge).unwrap_err().kind,
        ParseErrorKind::TooDeep
    ));
}
