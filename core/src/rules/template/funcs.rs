//! Prometheus's template functions (`template/template.go` and
//! `prometheus/common`'s helpers): queries, labels of query results, the
//! `humanize` family, strings, regexes, host names, links and durations,
//! with their outputs and errors as Prometheus 3.5 gives them.

use super::exec::{Param, QuerySample, Signature, Value};
use super::TemplateEnv;
use crate::rules::gofmt::{format_g, format_v, quote};
use std::collections::BTreeMap;
use std::rc::Rc;

/// 2^63, where Go's int64 conversions of floats stop.
const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;

const NIL_DEREFERENCE: &str = "runtime error: invalid memory address or nil pointer dereference";

pub(super) fn signature(name: &str) -> Option<Signature> {
    use Param::*;
    let sig = |params: &'static [Param], variadic: Option<Param>| Signature { params, variadic };
    Some(match name {
        "query" => sig(&[Str], None),
        "first" => sig(&[Results], None),
        "label" => sig(&[Str, SamplePtr], None),
        "value" | "strvalue" => sig(&[SamplePtr], None),
        "args" => sig(&[], Some(Any)),
        "reReplaceAll" => sig(&[Str, Str, Str], None),
        "match" => sig(&[Str, Str], None),
        "safeHtml" | "title" | "toUpper" | "toLower" | "graphLink" | "tableLink" | "stripPort"
        | "stripDomain" | "parseDuration" => sig(&[Str], None),
        "sortByLabel" => sig(&[Str, Results], None),
        "humanize" | "humanize1024" | "humanizeDuration" | "humanizePercentage"
        | "humanizeTimestamp" | "toTime" => sig(&[Any], None),
        "pathPrefix" | "externalURL" => sig(&[], None),
        _ => return None,
    })
}

/// Whether `name` is a function templates may call.
pub fn is_function(name: &str) -> bool {
    super::exec::signature(name).is_some()
}

pub(super) fn call(
    name: &str,
    argv: Vec<Value>,
    env: &mut dyn TemplateEnv,
) -> Result<Value, String> {
    let arg = |i: usize| argv.get(i).cloned().unwrap_or(Value::Nil);
    let s = |i: usize| match argv.get(i) {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let sample = |i: usize| match argv.get(i) {
        Some(Value::Sample(Some(s))) => Ok(s.clone()),
        _ => Err(NIL_DEREFERENCE.to_string()),
    };
    let results = |i: usize| match argv.get(i) {
        Some(Value::QueryResult(r)) => r.clone(),
        _ => Rc::new(Vec::new()),
    };
    Ok(match name {
        "query" => {
            let samples = env.query(&s(0))?;
            Value::QueryResult(Rc::new(samples.into_iter().map(Rc::new).collect()))
        }
        "first" => match results(0).first() {
            Some(s) => Value::Sample(Some(s.clone())),
            None => return Err("first() called on vector with no elements".into()),
        },
        "label" => Value::String(sample(1)?.labels.get(&s(0)).cloned().unwrap_or_default()),
        "value" => Value::Float(sample(0)?.value),
        "strvalue" => Value::String(
            sample(0)?
                .labels
                .get("__value__")
                .cloned()
                .unwrap_or_default(),
        ),
        "args" => Value::AnyMap(Rc::new(
            argv.iter()
                .enumerate()
                .map(|(i, v)| (format!("arg{i}"), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )),
        "reReplaceAll" => {
            let re = compile_unanchored(&s(0))
                .map_err(|e| format!("regexp: Compile({}): {e}", backquote(&s(0))))?;
            Value::String(re.replace_all(&s(2), s(1).as_str()).into_owned())
        }
        "match" => {
            let re = compile_unanchored(&s(0))?;
            Value::Bool(re.is_match(&s(1)))
        }
        "safeHtml" => Value::Html(s(0)),
        "title" => Value::String(title(&s(0))),
        "toUpper" => Value::String(simple_case(&s(0), true)),
        "toLower" => Value::String(simple_case(&s(0), false)),
        "graphLink" => Value::String(graph_link(&s(0), 0)),
        "tableLink" => Value::String(graph_link(&s(0), 1)),
        "sortByLabel" => {
            let label = s(0);
            let mut v: Vec<Rc<QuerySample>> = results(1).as_ref().clone();
            // Stable, as Go's sort.Stable.
            v.sort_by(|a, b| {
                let av = a.labels.get(&label).map_or("", String::as_str);
                let bv = b.labels.get(&label).map_or("", String::as_str);
                av.cmp(bv)
            });
            Value::QueryResult(Rc::new(v))
        }
        "stripPort" => {
            let hp = s(0);
            Value::String(match split_host_port(&hp) {
                Ok((host, _)) => host,
                Err(_) => hp,
            })
        }
        "stripDomain" => Value::String(strip_domain(&s(0))),
        "humanize" => Value::String(humanize(convert_to_float(&arg(0))?)),
        "humanize1024" => Value::String(humanize1024(convert_to_float(&arg(0))?)),
        "humanizeDuration" => Value::String(humanize_duration(convert_to_float(&arg(0))?)),
        "humanizePercentage" => Value::String(format!(
            "{}%",
            format_g(convert_to_float(&arg(0))? * 100.0, Some(4))
        )),
        "humanizeTimestamp" => Value::String(humanize_timestamp(convert_to_float(&arg(0))?)?),
        "toTime" => {
            let v = convert_to_float(&arg(0))?;
            match float_to_time(v)? {
                Some(ns) => Value::Time(Some(ns)),
                None => return Err("value is NaN or Inf".into()),
            }
        }
        "pathPrefix" => match env.external_url() {
            Some(u) => Value::String(url_path(u)),
            None => return Err(NIL_DEREFERENCE.into()),
        },
        "externalURL" => match env.external_url() {
            Some(u) => Value::String(u.to_string()),
            None => return Err(NIL_DEREFERENCE.into()),
        },
        "parseDuration" => {
            let ms = crate::rules::config::parse_model_duration(&s(0))?;
            Value::Float(ms as f64 / 1000.0)
        }
        _ => return Err(format!("{} is not a function", quote(name))),
    })
}

fn backquote(s: &str) -> String {
    format!("`{s}`")
}

/// Compiles a pattern for a search anywhere in the text, as Go's
/// `regexp.MatchString` and `ReplaceAllString` do; refusals in Go's words.
fn compile_unanchored(pattern: &str) -> Result<regex::Regex, String> {
    // The lab's Go-compatible compiler decides what Go refuses.
    crate::regexp::Regexp::new(pattern)
        .map_err(|e| format!("error parsing regexp: {}", e.reason))?;
    // Searching needs the unanchored form; the classes `\d`, `\w`, `\s`
    // keep Rust's Unicode meaning here, a difference only for non-ASCII
    // digits, letters and spaces.
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| format!("error parsing regexp: {e}"))
}

/// Go's `strings.ToUpper`/`ToLower`: one character for one, so `ß` stays.
fn simple_case(s: &str, upper: bool) -> String {
    s.chars()
        .map(|c| {
            let mut mapped: Vec<char> = if upper {
                c.to_uppercase().collect()
            } else {
                c.to_lowercase().collect()
            };
            if mapped.len() == 1 {
                mapped.pop().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// `cases.Title(language.AmericanEnglish, cases.NoLower)`: the first
/// letter of each word upper-cased, the rest left as they are; `_` and
/// apostrophes join words, digits do not count as a first letter
/// (`1st` becomes `1St`).
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut seen_letter = false;
    for c in s.chars() {
        if c.is_alphanumeric() || matches!(c, '_' | '\'' | '\u{2019}') {
            if !seen_letter && c.is_alphabetic() {
                out.push_str(&simple_case(&c.to_string(), true));
                seen_letter = true;
            } else {
                out.push(c);
            }
        } else {
            out.push(c);
            seen_letter = false;
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `strutil.GraphLinkForExpression` (tab 0) and `TableLinkForExpression`
/// (tab 1).
pub fn graph_link(expr: &str, tab: u8) -> String {
    format!("/graph?g0.expr={}&g0.tab={tab}", query_escape(expr))
}

/// The path of a URL (`http://h:9090/prefix` → `/prefix`).
fn url_path(u: &str) -> String {
    url::Url::parse(u).map_or_else(
        |_| String::new(),
        |u| {
            let p = u.path();
            if p == "/" && !u.as_str().ends_with('/') {
                String::new()
            } else {
                p.to_string()
            }
        },
    )
}

/// Go's `net.SplitHostPort`.
fn split_host_port(hp: &str) -> Result<(String, String), String> {
    let missing = || format!("address {hp}: missing port in address");
    let too_many = || format!("address {hp}: too many colons in address");
    let Some(last) = hp.rfind(':') else {
        return Err(missing());
    };
    let (host, j, k);
    if hp.starts_with('[') {
        let Some(end) = hp.find(']') else {
            return Err(format!("address {hp}: missing ']' in address"));
        };
        if end + 1 == hp.len() {
            return Err(missing());
        }
        if end + 1 != last {
            if hp.as_bytes().get(end + 1) == Some(&b':') {
                return Err(too_many());
            }
            return Err(missing());
        }
        host = hp[1..end].to_string();
        j = 1;
        k = end + 1;
    } else {
        host = hp[..last].to_string();
        if host.contains(':') {
            return Err(too_many());
        }
        j = 0;
        k = 0;
    }
    if hp[j..].contains('[') {
        return Err(format!("address {hp}: unexpected '[' in address"));
    }
    if hp[k..].contains(']') {
        return Err(format!("address {hp}: unexpected ']' in address"));
    }
    Ok((host, hp[last + 1..].to_string()))
}

fn strip_domain(hp: &str) -> String {
    let (host, port) = split_host_port(hp).unwrap_or_else(|_| (hp.to_string(), String::new()));
    if host.parse::<std::net::IpAddr>().is_ok() {
        return hp.to_string();
    }
    let host = host.split('.').next().unwrap_or("").to_string();
    if port.is_empty() {
        host
    } else if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `templates.ConvertToFloat`: floats, numeric strings and integers.
fn convert_to_float(v: &Value) -> Result<f64, String> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::String(s) => parse_go_float(s),
        other => Err(format!("can't convert {} to float", other.type_name())),
    }
}

/// Go's `strconv.ParseFloat(s, 64)` with its error messages.
fn parse_go_float(s: &str) -> Result<f64, String> {
    match crate::exposition::parse_float(s) {
        Some(v) => Ok(v),
        None => {
            // A well-formed number too large for a float is a range error.
            let looks_numeric = !s.is_empty()
                && s.bytes()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
                && s.parse::<f64>().is_ok();
            let why = if looks_numeric {
                "value out of range"
            } else {
                "invalid syntax"
            };
            Err(format!("strconv.ParseFloat: parsing {}: {why}", quote(s)))
        }
    }
}

/// `humanize`: SI prefixes, four significant digits.
pub fn humanize(mut v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format_g(v, Some(4));
    }
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
    } else {
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= 1000.0;
        }
    }
    format!("{}{prefix}", format_g(v, Some(4)))
}

/// `humanize1024`: binary prefixes, four significant digits.
pub fn humanize1024(mut v: f64) -> String {
    if v.abs() <= 1.0 || !v.is_finite() {
        return format_g(v, Some(4));
    }
    let mut prefix = "";
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
        if v.abs() < 1024.0 {
            break;
        }
        prefix = p;
        v /= 1024.0;
    }
    format!("{}{prefix}", format_g(v, Some(4)))
}

/// `humanizeDuration`: seconds as `1d 2h 3m 4s`, or with SI prefixes
/// below a second.
pub fn humanize_duration(mut v: f64) -> String {
    if !v.is_finite() {
        return format_g(v, Some(4));
    }
    if v == 0.0 {
        return format!("{}s", format_g(v, Some(4)));
    }
    if v.abs() >= 1.0 {
        let mut sign = "";
        if v < 0.0 {
            sign = "-";
            v = -v;
        }
        // Go's int64 conversion on amd64: out of range gives the minimum.
        let duration: i64 = if v < TWO_TO_63 { v as i64 } else { i64::MIN };
        let seconds = duration % 60;
        let minutes = (duration / 60) % 60;
        let hours = (duration / 60 / 60) % 24;
        let days = duration / 60 / 60 / 24;
        if days != 0 {
            return format!("{sign}{days}d {hours}h {minutes}m {seconds}s");
        }
        if hours != 0 {
            return format!("{sign}{hours}h {minutes}m {seconds}s");
        }
        if minutes != 0 {
            return format!("{sign}{minutes}m {seconds}s");
        }
        return format!("{sign}{}s", format_g(v, Some(4)));
    }
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", format_g(v, Some(4)))
}

/// Seconds since the epoch as a time with millisecond precision, as
/// `model.TimeFromUnixNano` keeps it; `None` for NaN and infinities.
fn float_to_time(v: f64) -> Result<Option<i64>, String> {
    if !v.is_finite() {
        return Ok(None);
    }
    let ns = v * 1e9;
    if !(-TWO_TO_63..=TWO_TO_63).contains(&ns) {
        return Err(format!(
            "{} cannot be represented as a nanoseconds timestamp since it overflows int64",
            format_v(v)
        ));
    }
    let ns = ns as i64;
    // Milliseconds, truncated toward zero as Go's integer division does.
    Ok(Some((ns / 1_000_000).saturating_mul(1_000_000)))
}

/// `humanizeTimestamp`: the time in UTC as Go prints a `time.Time`.
pub fn humanize_timestamp(v: f64) -> Result<String, String> {
    Ok(match float_to_time(v)? {
        None => format_g(v, Some(4)),
        Some(ns) => format_go_time(ns),
    })
}

/// Go's `time.Time.String` in UTC: `2015-06-23 13:19:44.128 +0000 UTC`.
pub fn format_go_time(ns: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns)) else {
        return format!("{ns}ns");
    };
    let mut out = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let frac = t.nanosecond();
    if frac != 0 {
        let digits = format!("{frac:09}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out.push_str(" +0000 UTC");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The tables of Prometheus's `template_test.go`, function by function.
    #[wasm_bindgen_test(unsupported = test)]
    fn humanize_matches_prometheus_tables() {
        let h = |vs: &[f64]| {
            vs.iter()
                .map(|v| humanize(*v))
                .collect::<Vec<_>>()
                .join(":")
        };
        assert_eq!(h(&[0.0, 1.0, 1234567.0, 0.12]), "0:1:1.235M:120m");
        assert_eq!(
            h(&[0.0, -1.0, 1.0, 1234567.0, i64::MAX as f64]),
            "0:-1:1:1.235M:9.223E"
        );
        assert_eq!(h(&[u64::MAX as f64]), "18.45E");
        let h = |vs: &[f64]| {
            vs.iter()
                .map(|v| humanize1024(*v))
                .collect::<Vec<_>>()
                .join(":")
        };
        assert_eq!(h(&[0.0, 1.0, 1048576.0, 0.12]), "0:1:1Mi:0.12");
        assert_eq!(h(&[-1.0, 1234567.0, i64::MAX as f64]), "-1:1.177Mi:8Ei");
        assert_eq!(h(&[u64::MAX as f64]), "16Ei");
        let h = |vs: &[f64]| {
            vs.iter()
                .map(|v| humanize_duration(*v))
                .collect::<Vec<_>>()
                .join(":")
        };
        assert_eq!(
            h(&[
                0.0,
                1.0,
                60.0,
                3600.0,
                86400.0,
                86400.0 + 3600.0,
                -(86400.0 * 2.0 + 3600.0 * 3.0 + 60.0 * 4.0 + 5.0),
                899.99
            ]),
            "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s"
        );
        assert_eq!(
            h(&[0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345]),
            "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s"
        );
        assert_eq!(h(&[-1.0, 1234567.0]), "-1s:14d 6h 56m 7s");
        // amd64's conversion of out-of-range floats.
        assert_eq!(h(&[i64::MAX as f64]), "-106751991167300d -15h -30m -8s");
        for (v, want) in [
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(humanize(v), want);
            assert_eq!(humanize1024(v), want);
            assert_eq!(humanize_duration(v), want);
            assert_eq!(humanize_timestamp(v).unwrap(), want);
        }
        let p = |v: f64| format!("{}%", format_g(v * 100.0, Some(4)));
        assert_eq!(p(-0.22222), "-22.22%");
        assert_eq!(p(0.0), "0%");
        assert_eq!(p(0.1234567), "12.35%");
        assert_eq!(p(1.23456), "123.5%");
        assert_eq!(p(1234567.0), "1.235e+08%");
        assert_eq!(p(i64::MAX as f64), "9.223e+20%");
        assert_eq!(p(u64::MAX as f64), "1.845e+21%");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn timestamps_print_as_go_times() {
        for (v, want) in [
            (0.0, "1970-01-01 00:00:00 +0000 UTC"),
            (-1.0, "1969-12-31 23:59:59 +0000 UTC"),
            (1.0, "1970-01-01 00:00:01 +0000 UTC"),
            (1234567.0, "1970-01-15 06:56:07 +0000 UTC"),
            (9223372036.0, "2262-04-11 23:47:16 +0000 UTC"),
            (1435065584.128, "2015-06-23 13:19:44.128 +0000 UTC"),
        ] {
            assert_eq!(humanize_timestamp(v).unwrap(), want, "{v}");
        }
        assert_eq!(
            humanize_timestamp(i64::MIN as f64).unwrap_err(),
            "-9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64"
        );
        assert_eq!(
            humanize_timestamp(u64::MAX as f64).unwrap_err(),
            "1.8446744073709552e+19 cannot be represented as a nanoseconds timestamp since it overflows int64"
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn strings_hosts_and_links() {
        assert_eq!(title("aa bb CC"), "Aa Bb CC");
        // As promtool expands it.
        assert_eq!(
            title("hello wORLD-foo bar_baz 1st"),
            "Hello WORLD-Foo Bar_baz 1St"
        );
        assert_eq!(simple_case("straße", true), "STRAßE");
        assert_eq!(simple_case("aa bb CC", true), "AA BB CC");
        assert_eq!(simple_case("aA bB CC", false), "aa bb cc");
        assert_eq!(graph_link("up", 0), "/graph?g0.expr=up&g0.tab=0");
        assert_eq!(
            graph_link("rate(x[5m]) > 1", 1),
            "/graph?g0.expr=rate%28x%5B5m%5D%29+%3E+1&g0.tab=1"
        );
        for (hp, port, domain) in [
            ("foo.example.com", "foo.example.com", "foo"),
            ("foo.example.com:12345", "foo.example.com", "foo:12345"),
            ("192.0.2.1", "192.0.2.1", "192.0.2.1"),
            ("192.0.2.1:12345", "192.0.2.1", "192.0.2.1:12345"),
            ("2001:0DB8::1", "2001:0DB8::1", "2001:0DB8::1"),
            (
                "[2001:0DB8::1]:12345",
                "2001:0DB8::1",
                "[2001:0DB8::1]:12345",
            ),
            (
                "[2001:0DB8::1]::12345",
                "[2001:0DB8::1]::12345",
                "[2001:0DB8::1]::12345",
            ),
        ] {
            let stripped = split_host_port(hp).map_or(hp.to_string(), |(h, _)| h);
            assert_eq!(stripped, port, "stripPort {hp}");
            assert_eq!(strip_domain(hp), domain, "stripDomain {hp}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn strings_convert_to_floats_with_gos_errors() {
        assert_eq!(convert_to_float(&Value::String(".12".into())), Ok(0.12));
        assert_eq!(
            convert_to_float(&Value::String("+Inf".into())),
            Ok(f64::INFINITY)
        );
        assert_eq!(
            convert_to_float(&Value::String("one".into())),
            Err("strconv.ParseFloat: parsing \"one\": invalid syntax".into())
        );
        assert_eq!(
            convert_to_float(&Value::String("1e999".into())),
            Err("strconv.ParseFloat: parsing \"1e999\": value out of range".into())
        );
        assert_eq!(
            convert_to_float(&Value::Bool(true)),
            Err("can't convert bool to float".into())
        );
    }
}
