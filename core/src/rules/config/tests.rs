use super::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test(unsupported = test)]
fn durations_read_and_fail_as_promtool_says() {
    // What `promtool check rules` answered for `interval: <text>`.
    for (text, want) in [
        ("0", Ok(0)),
        ("0s", Ok(0)),
        ("10ms", Ok(10)),
        ("1h0m", Ok(3_600_000)),
        ("01m", Ok(60_000)),
        ("1w2d", Ok(9 * 86_400_000)),
        ("292y", Ok(292 * 365 * 86_400_000)),
        ("", Err("empty duration string")),
        ("5", Err("not a valid duration string: \"5\"")),
        ("1.5h", Err("unknown unit \".\" in duration \"1.5h\"")),
        ("1m1h", Err("not a valid duration string: \"1m1h\"")),
        ("1s1s", Err("not a valid duration string: \"1s1s\"")),
        ("99999999999y", Err("duration out of range")),
        ("293y", Err("duration out of range")),
        ("5 m", Err("unknown unit \" m\" in duration \"5 m\"")),
        ("1ms5s", Err("not a valid duration string: \"1ms5s\"")),
        ("m", Err("not a valid duration string: \"m\"")),
        ("1M", Err("unknown unit \"M\" in duration \"1M\"")),
        ("-0", Err("not a valid duration string: \"-0\"")),
        ("+1m", Err("not a valid duration string: \"+1m\"")),
        ("1e3s", Err("unknown unit \"e\" in duration \"1e3s\"")),
        (
            "99999999999999999999999s",
            Err("not a valid duration string: \"99999999999999999999999s\""),
        ),
    ] {
        assert_eq!(
            parse_model_duration(text),
            want.map_err(String::from),
            "{text:?}"
        );
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn positions_inside_scalars_are_found() {
    let yaml = "expr: |\n  sum(up)\n  / foo(\nx: 'a b'\n";
    let value = "sum(up)\n/ foo(\n";
    let start = yaml.find('|').unwrap();
    let span = locate_in_scalar(yaml, Span::at(start), value, value.find("foo").unwrap());
    assert_eq!(&yaml[span.start..span.end], "f");
    let start = yaml.find('\'').unwrap();
    let span = locate_in_scalar(yaml, Span::new(start, start + 5), "a b", 2);
    assert_eq!(&yaml[span.start..span.end], "b");
}

#[wasm_bindgen_test(unsupported = test)]
fn go_reads_scalars_as_strings_and_drops_null_entries() {
    let yaml = "groups:\n- name: 5\n  limit: 3.9\n  rules:\n  - record: r12\n    expr: 1.50\n    labels:\n      b: true\n      c: ~\n      d: 0x10\n  - ~\n- ~\n";
    let file = parse_rule_file(yaml).unwrap();
    assert_eq!(file.groups.len(), 1);
    let g = &file.groups[0];
    assert_eq!((g.name.as_str(), g.limit, g.rules.len()), ("5", 3, 1));
    let r = &g.rules[0];
    assert_eq!(r.expr_text, "1.50");
    assert_eq!(
        r.labels,
        BTreeMap::from([
            ("b".to_string(), "true".to_string()),
            ("c".to_string(), String::new()),
            ("d".to_string(), "0x10".to_string()),
        ])
    );
    let err = parse_rule_file("groups:\n- name: a\n  limit: '3'\n").unwrap_err();
    assert_eq!(err[0].kind, RuleErrorKind::InvalidType);
    assert!(
        err[0]
            .message
            .contains("cannot unmarshal !!str `3` into int"),
        "{}",
        err[0].message
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn duplicate_rules_are_listed_as_promtool_lists_them() {
    let yaml = "groups:\n- name: a\n  labels:\n    team: x\n  rules:\n  - record: job:up\n    expr: up\n    labels:\n      a: '1'\n  - record: job:up\n    expr: sum(up)\n    labels:\n      a: 1\n- name: b\n  rules:\n  - alert: A\n    expr: up\n  - alert: A\n    expr: up\n    for: 5m\n";
    let file = parse_rule_file(yaml).unwrap();
    expect_test::expect![[r#"
        lint error 2 duplicate rule(s) found.
        Metric: A
        Label(s):
        Metric: job:up
        Label(s):
        	a: 1
        	team: x
        Might cause inconsistency while recording expressions"#]]
    .assert_eq(&duplicate_rules_message(&duplicate_rules(&file)));
}
