//! Templates run end to end: Prometheus's `template_test.go` cases that
//! fit an alert's template, and the errors Go gives, with their positions.

use super::*;
use std::collections::BTreeMap;
use wasm_bindgen_test::wasm_bindgen_test;

/// An environment whose queries answer from a fixed table.
struct FakeEnv(Vec<QuerySample>);

impl TemplateEnv for FakeEnv {
    fn query(&mut self, q: &str) -> Result<Vec<QuerySample>, String> {
        if q == "bad(" {
            return Err("1:5: parse error: unclosed left parenthesis".into());
        }
        Ok(self.0.clone())
    }
    fn external_url(&self) -> Option<&str> {
        Some("http://testhost:9090/path/prefix")
    }
}

fn sample(pairs: &[(&str, &str)], value: f64) -> QuerySample {
    QuerySample {
        labels: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        value,
    }
}

fn data() -> AlertTemplateData {
    AlertTemplateData {
        labels: BTreeMap::from([
            ("instance".to_string(), "node-1:9100".to_string()),
            ("job".to_string(), "node".to_string()),
        ]),
        external_labels: BTreeMap::from([("cluster".to_string(), "lab".to_string())]),
        external_url: "http://prom.example:9090".into(),
        value: 1234567.0,
    }
}

fn run(text: &str, env: &mut dyn TemplateEnv) -> Result<String, String> {
    let t = Template::parse_alert("Test", text).map_err(|e| e.message)?;
    t.execute(&data(), env).map_err(|e| e.message)
}

#[wasm_bindgen_test(unsupported = test)]
fn templates_expand_as_prometheus_expands_them() {
    let mut env = FakeEnv(vec![
        sample(&[("__name__", "metric"), ("instance", "b")], 21.0),
        sample(
            &[
                ("__name__", "metric"),
                ("instance", "a"),
                ("__value__", "x"),
            ],
            11.0,
        ),
    ]);
    let cases: &[(&str, &str)] = &[
        ("plain text", "plain text"),
        ("{{ 1 }}", "1"),
        ("{{ \"<b>\" }}", "<b>"),
        ("{{ $labels.instance }} of {{ .Labels.job }}", "node-1:9100 of node"),
        ("{{ $labels.missing }}|", "|"),
        ("{{ $externalLabels.cluster }} {{ $externalURL }}", "lab http://prom.example:9090"),
        ("{{ $value }} {{ .Value }}", "1.234567e+06 1.234567e+06"),
        ("{{ humanize $value }} {{ $value | humanize1024 }}", "1.235M 1.177Mi"),
        ("{{ printf \"%.2f\" $value }}", "1234567.00"),
        ("{{ $value | printf \"%.1f%%\" }}", "1234567.0%"),
        ("{{ if gt $value 1000.0 }}big{{ else }}small{{ end }}", "big"),
        ("{{ if eq $labels.job \"api\" }}a{{ else if eq $labels.job \"node\" }}n{{ end }}", "n"),
        ("{{ with $labels.instance }}[{{ . }}]{{ end }}", "[node-1:9100]"),
        ("{{ with $labels.nope }}x{{ else }}none{{ end }}", "none"),
        ("{{ define \"x\" }}{{ .arg0 }} {{ .arg1 }}{{ end }}{{ template \"x\" (args 1 \"2\") }}", "1 2"),
        ("{{ query \"metric\" | first | value }}", "21"),
        ("{{ query \"metric\" | first | label \"instance\" }}", "b"),
        ("{{ range query \"metric\" | sortByLabel \"instance\" }}{{ .Labels.instance }}:{{ .Value }} {{ end }}", "a:11 b:21 "),
        ("{{ range $i, $s := query \"metric\" }}{{ $i }}={{ $s | strvalue }};{{ end }}", "0=;1=x;"),
        ("{{ $x := query \"metric\" | first }}{{ $x.Labels.foo }}.", "."),
        ("{{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}", "instance=node-1:9100,job=node,"),
        ("{{ range 3 }}{{ . }}{{ if eq . 1 }}{{ break }}{{ end }}{{ end }}", "01"),
        ("{{ reReplaceAll \"(a)b\" \"x$1\" \"ab\" }}", "xa"),
        ("{{ $labels.instance | reReplaceAll \":.*\" \"\" }}", "node-1"),
        ("{{ match \"a+\" \"aa\" }} {{ match \"a+\" \"b\" }}", "true false"),
        ("{{ \"aa bb CC\" | title }} {{ toUpper \"ab\" }} {{ toLower \"AB\" }}", "Aa Bb CC AB ab"),
        ("{{ $labels.instance | stripPort }} {{ \"foo.example.com:1\" | stripDomain }}", "node-1 foo:1"),
        ("{{ graphLink \"up\" }} {{ tableLink \"up\" }}", "/graph?g0.expr=up&g0.tab=0 /graph?g0.expr=up&g0.tab=1"),
        ("{{ pathPrefix }} {{ externalURL }}", "/path/prefix http://testhost:9090/path/prefix"),
        ("{{ printf \"%0.2f\" (parseDuration \"1h2m10ms\") }}", "3720.01"),
        ("{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}", "-22.22%:0%"),
        ("{{ 1435065584.128 | humanizeTimestamp }}", "2015-06-23 13:19:44.128 +0000 UTC"),
        ("{{ \"1435065584.128\" | humanizeTimestamp }}", "2015-06-23 13:19:44.128 +0000 UTC"),
        ("{{ (1435065584.128 | toTime).Unix }}", "1435065584"),
        ("{{ humanizeDuration 90 }} {{ humanizeDuration \"0.5\" }}", "1m 30s 500ms"),
        ("a {{- \" b \" -}} c", "a b c"),
        ("{{/* a comment */}}x", "x"),
        ("{{ len $labels }} {{ index $labels \"job\" }} {{ not true }}", "2 node false"),
        ("{{ and 1 0 }} {{ or 0 \"x\" }} {{ and 1 2 }}", "0 x 2"),
        ("{{ print 1 2 \"a\" \"b\" 3 }}|{{ println 1 \"a\" }}", "1 2ab3|1 a\n"),
        ("{{ html \"<a href='x'>\" }} {{ urlquery \"a b&c\" }} {{ js \"it's\" }}", "&lt;a href=&#39;x&#39;&gt; a+b%26c it\\'s"),
        ("{{ $v := 1 }}{{ if true }}{{ $v = 2 }}{{ end }}{{ $v }}", "2"),
        ("{{ .ExternalURL }}", "http://prom.example:9090"),
        ("{{ $.Labels.job }}", "node"),
        ("{{ \"x\" | printf \"%s-%d\" 3 }}", "%!s(int=3)-%!d(string=x)"),
        ("{{ slice \"abc\" 1 }} {{ 1e6 }} {{ 1.0 }} {{ 0x10 }}", "bc 1e+06 1 16"),
        ("{{ printf \"%v %g %e %x %q %t %c\" 1.5 1e-7 12345.678 255 \"hi\" true 65 }}", "1.5 1e-07 1.234568e+04 ff \"hi\" true A"),
        ("{{ and 1 0 }} {{ or 0 \"x\" }} {{ eq 1 1 2 }} {{ ne \"a\" \"b\" }} {{ lt 1.5 2.5 }}", "0 x true true true"),
    ];
    let mut failures = Vec::new();
    for (text, want) in cases {
        match run(text, &mut env) {
            Ok(got) if got == *want => {}
            other => failures.push(format!("{text}\n  want {want:?}\n  got  {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[wasm_bindgen_test(unsupported = test)]
fn failures_name_the_node_and_position_as_go_does() {
    let mut env = FakeEnv(Vec::new());
    // Prometheus puts 112 bytes of variable declarations in front of the
    // text on line 1, so Go's columns there are shifted by 112.
    let cases: &[(&str, &str)] = &[
        ("{{ query \"missing\" | first }}", "template: __alert_Test:1:133: executing \"__alert_Test\" at <first>: error calling first: first() called on vector with no elements"),
        ("{{ (query \"missing\").banana }}", "template: __alert_Test:1:122: executing \"__alert_Test\" at <\"missing\">: can't evaluate field banana in type template.queryResult"),
        ("{{ humanize \"one\" }}", "template: __alert_Test:1:115: executing \"__alert_Test\" at <humanize \"one\">: error calling humanize: strconv.ParseFloat: parsing \"one\": invalid syntax"),
        ("{{ \"one\" | humanizePercentage }}", "template: __alert_Test:1:123: executing \"__alert_Test\" at <humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing \"one\": invalid syntax"),
        ("{{ .Foo }}", "template: __alert_Test:1:115: executing \"__alert_Test\" at <.Foo>: can't evaluate field Foo in type struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }"),
        ("{{ if gt $value 80 }}x{{ end }}", "template: __alert_Test:1:118: executing \"__alert_Test\" at <gt $value 80>: error calling gt: incompatible types for comparison: float64 and int"),
        ("line one\n{{ toUpper $value }}", "template: __alert_Test:2:11: executing \"__alert_Test\" at <$value>: wrong type for value; expected string; got float64"),
        ("{{ humanize 1 2 }}", "template: __alert_Test:1:115: executing \"__alert_Test\" at <humanize>: wrong number of args for humanize: want 1 got 2"),
        ("{{ 1 2 }}", "template: __alert_Test:1:115: executing \"__alert_Test\" at <1>: can't give argument to non-function 1"),
        ("{{ nil }}", "template: __alert_Test:1:115: executing \"__alert_Test\" at <nil>: nil is not a command"),
        ("{{ template \"nope\" }}", "template: __alert_Test:1:124: executing \"__alert_Test\" at <{{template \"nope\"}}>: template \"nope\" not defined"),
        ("{{ query \"bad(\" }}", "template: __alert_Test:1:115: executing \"__alert_Test\" at <query \"bad(\">: error calling query: 1:5: parse error: unclosed left parenthesis"),
        ("{{ reReplaceAll \"(\" \"\" \"x\" }}", "template: __alert_Test:1:115: executing \"__alert_Test\" at <reReplaceAll \"(\" \"\" \"x\">: error calling reReplaceAll: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`"),
    ];
    let mut failures = Vec::new();
    for (text, want) in cases {
        match run(text, &mut env) {
            Err(got) if got == *want => {}
            other => failures.push(format!("{text}\n  want {want:?}\n  got  {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[wasm_bindgen_test(unsupported = test)]
fn expansion_failures_read_as_in_prometheus_alerts() {
    let t = Template::parse_alert("Test", "{{ .Foo }}").unwrap();
    let got = t.expand_alert(&data(), &mut NoEnv);
    assert!(
        got.starts_with("<error expanding template: error executing template __alert_Test: template: __alert_Test:1:115: executing"),
        "{got}"
    );
    // Without an external URL (promtool's unit tests have none) the
    // functions that need it fail as Go's nil pointer does.
    let t = Template::parse_alert("Test", "{{ externalURL }}").unwrap();
    let err = t.execute(&data(), &mut NoEnv).unwrap_err();
    assert!(
        err.message
            .ends_with("error calling externalURL: runtime error: invalid memory address or nil pointer dereference"),
        "{}",
        err.message
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn parse_errors_point_into_the_text() {
    let text = "ok {{ $value }}\n{{ $labels.quantile * 100 }}";
    let err = Template::parse_alert("Test", text).unwrap_err();
    assert_eq!(
        err.message,
        "template: __alert_Test:2: unexpected \"*\" in operand"
    );
    assert_eq!(&text[err.pos..err.pos + 1], "*");
    let err = Template::parse_alert("Test", "{{ \u{a0}}}").unwrap_err();
    assert_eq!(
        err.message,
        "template: __alert_Test:1: unrecognized character in action: U+00A0"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn runaway_templates_stop_with_an_error() {
    let t = Template::parse_alert("Test", "{{ range 100000000 }}x{{ end }}").unwrap();
    assert!(t.execute(&data(), &mut NoEnv).is_err());
    let t = Template::parse_alert(
        "Test",
        "{{ define \"a\" }}{{ template \"a\" }}{{ end }}{{ template \"a\" }}",
    )
    .unwrap();
    assert!(t
        .execute(&data(), &mut NoEnv)
        .unwrap_err()
        .message
        .contains("maximum template depth"));
    // Deep nesting is refused at parse time rather than overflowing.
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(500), ")".repeat(500));
    assert!(Template::parse_alert("Test", &deep).is_err());
}
