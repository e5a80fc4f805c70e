//! Numbers and strings printed as Go's `fmt` and `strconv` print them, for
//! the values templates show: `%v` of a float (`1e+06`, `0.5`), `%.4g`
//! (the humanize functions), `%e`, `%f`, Go's quoting, and `printf` with
//! the verbs and flags alert templates use.
//!
//! ```
//! use promlab_core::rules::gofmt::{format_g, format_v};
//! assert_eq!(format_v(1_000_000.0), "1e+06");
//! assert_eq!(format_v(123_456.0), "123456");
//! assert_eq!(format_g(1_234_567.0, Some(4)), "1.235e+06");
//! assert_eq!(format_g(f64::INFINITY, Some(4)), "+Inf");
//! ```

/// The decimal digits of `v` (without leading or trailing zeros) and the
/// position of the decimal point relative to them, rounded to `sig`
/// significant digits, or the shortest digits that read back as `v` when
/// `sig` is `None`: Go's `decimalSlice`. `v` must be finite.
fn digits(v: f64, sig: Option<usize>) -> (Vec<u8>, i32) {
    let v = v.abs();
    if v == 0.0 {
        return (Vec::new(), 0);
    }
    // Rust's `{:e}` rounds exactly (half to even), as Go's strconv does.
    let sci = match sig {
        Some(p) => format!("{:.*e}", p.saturating_sub(1).min(1100), v),
        None => format!("{v:e}"),
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut ds: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while ds.last() == Some(&b'0') {
        ds.pop();
    }
    if ds.is_empty() {
        return (Vec::new(), 0);
    }
    (ds, exp + 1)
}

/// `NaN`, `+Inf` and `-Inf` as `fmt` prints them.
fn special(v: f64) -> Option<String> {
    if v.is_nan() {
        Some("NaN".into())
    } else if v == f64::INFINITY {
        Some("+Inf".into())
    } else if v == f64::NEG_INFINITY {
        Some("-Inf".into())
    } else {
        None
    }
}

/// `%e` with `prec` digits after the point from digits and point.
fn fmt_e(neg: bool, ds: &[u8], dp: i32, prec: usize, upper: bool) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push(ds.first().map_or('0', |d| *d as char));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(ds.get(i).map_or('0', |d| *d as char));
        }
    }
    let exp = if ds.is_empty() { 0 } else { dp - 1 };
    out.push(if upper { 'E' } else { 'e' });
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
    out
}

/// `%f` with `prec` digits after the point from digits and point.
fn fmt_f(neg: bool, ds: &[u8], dp: i32, prec: usize) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let digit = |i: i32| -> char {
        usize::try_from(i)
            .ok()
            .and_then(|i| ds.get(i))
            .map_or('0', |d| *d as char)
    };
    if dp > 0 {
        for i in 0..dp {
            out.push(digit(i));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec as i32 {
            out.push(digit(dp + i));
        }
    }
    out
}

/// Go's `strconv.FormatFloat(v, 'g', prec, 64)` (`None`: the shortest
/// representation), with `NaN`, `+Inf`, `-Inf` as `fmt` prints them.
pub fn format_g(v: f64, prec: Option<usize>) -> String {
    format_g_upper(v, prec, false)
}

fn format_g_upper(v: f64, prec: Option<usize>, upper: bool) -> String {
    if let Some(s) = special(v) {
        return s;
    }
    let neg = v.is_sign_negative();
    // Go treats precision 0 as 1 for %g.
    let sig = prec.map(|p| p.max(1));
    let (ds, dp) = digits(v, sig);
    let nd = ds.len() as i32;
    let mut eprec = sig.map_or(6, |p| p as i32);
    if let Some(p) = sig {
        if p as i32 > nd && nd >= dp {
            eprec = nd;
        }
    } else {
        eprec = 6;
    }
    let exp = dp - 1;
    let mut p = sig.map_or(nd, |p| p as i32);
    if exp < -4 || exp >= eprec {
        if p > nd {
            p = nd;
        }
        return fmt_e(neg, &ds, dp, (p - 1).max(0) as usize, upper);
    }
    if p > dp {
        p = nd;
    }
    fmt_f(neg, &ds, dp, (p - dp).max(0) as usize)
}

/// Go's `%e` (`strconv.FormatFloat(v, 'e', prec, 64)`; `None`: shortest).
pub fn format_e(v: f64, prec: Option<usize>) -> String {
    if let Some(s) = special(v) {
        return s;
    }
    let neg = v.is_sign_negative();
    let (ds, dp) = digits(v, prec.map(|p| p + 1));
    let p = prec.unwrap_or(ds.len().saturating_sub(1));
    fmt_e(neg, &ds, dp, p, false)
}

/// Go's `%f` (`strconv.FormatFloat(v, 'f', prec, 64)`; `None`: shortest).
pub fn format_f(v: f64, prec: Option<usize>) -> String {
    if let Some(s) = special(v) {
        return s;
    }
    let neg = v.is_sign_negative();
    match prec {
        Some(p) => {
            // Rust rounds the exact value half to even, as Go does.
            let s = format!("{:.*}", p.min(1100), v.abs());
            if neg {
                format!("-{s}")
            } else {
                s
            }
        }
        None => {
            let (ds, dp) = digits(v, None);
            let p = (ds.len() as i32 - dp).max(0) as usize;
            fmt_f(neg, &ds, dp, p)
        }
    }
}

/// `fmt.Sprint` of a float64: `%v`, which is `%g` at the shortest
/// precision, with an exponent below 1e-4 and from 1e6 on.
pub fn format_v(v: f64) -> String {
    format_g(v, None)
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    crate::promql::lexer::go_quote(s)
}

/// Go's `%#U`: `U+00A0`, with the character quoted when printable.
pub fn unicode_name(c: char) -> String {
    let code = format!("U+{:04X}", c as u32);
    if crate::promql::lexer::is_go_printable(c) {
        format!("{code} '{c}'")
    } else {
        code
    }
}

/// A `printf` argument: the kinds of values templates pass.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    /// Anything else, with its `%v` text and Go type name.
    Other {
        text: String,
        type_name: String,
    },
    /// An untyped nil (a missing value).
    Nil,
}

impl Arg {
    fn type_name(&self) -> String {
        match self {
            Arg::Int(_) => "int".into(),
            Arg::Float(_) => "float64".into(),
            Arg::Str(_) => "string".into(),
            Arg::Bool(_) => "bool".into(),
            Arg::Other { type_name, .. } => type_name.clone(),
            Arg::Nil => "<nil>".into(),
        }
    }

    /// `%v`.
    pub fn to_v(&self) -> String {
        match self {
            Arg::Int(i) => i.to_string(),
            Arg::Float(f) => format_v(*f),
            Arg::Str(s) => s.clone(),
            Arg::Bool(b) => b.to_string(),
            Arg::Other { text, .. } => text.clone(),
            Arg::Nil => "<nil>".into(),
        }
    }
}

#[derive(Default)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    zero: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Go's `fmt.Sprintf` for the verbs `v s d f F e E g G q x X t c b o %`
/// with flags, width and precision; a wrong argument type prints as Go
/// does (`%!d(float64=1.5)`), as do missing and extra arguments.
pub fn sprintf(format: &str, args: &[Arg]) -> String {
    let mut out = String::new();
    let mut next = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut f = Flags::default();
        while let Some(&c) = chars.peek() {
            match c {
                '+' => f.plus = true,
                '-' => f.minus = true,
                '#' => f.sharp = true,
                '0' => f.zero = true,
                ' ' => f.space = true,
                _ => break,
            }
            chars.next();
        }
        let num = |chars: &mut std::iter::Peekable<std::str::Chars>| -> Option<usize> {
            let mut n: Option<usize> = None;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
                chars.next();
            }
            n.map(|n| n.min(10_000))
        };
        f.width = num(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            f.prec = Some(num(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        let body = format_one(verb, arg, &f);
        out.push_str(&pad(body, &f, verb, arg));
    }
    if next < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|a| format!("{}={}", a.type_name(), a.to_v()))
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

fn bad_verb(verb: char, arg: &Arg) -> String {
    match arg {
        Arg::Nil => format!("%!{verb}(<nil>)"),
        _ => format!("%!{verb}({}={})", arg.type_name(), arg.to_v()),
    }
}

fn signed(s: String, f: &Flags) -> String {
    if s.starts_with('-') {
        s
    } else if f.plus {
        format!("+{s}")
    } else if f.space {
        format!(" {s}")
    } else {
        s
    }
}

fn format_one(verb: char, arg: &Arg, f: &Flags) -> String {
    match (verb, arg) {
        ('v', Arg::Float(x)) => signed(
            match f.prec {
                Some(p) => format_g(*x, Some(p)),
                None => format_v(*x),
            },
            f,
        ),
        ('v', Arg::Int(i)) => signed(i.to_string(), f),
        ('v', a) => a.to_v(),
        ('s', Arg::Str(s)) => match f.prec {
            Some(p) => s.chars().take(p).collect(),
            None => s.clone(),
        },
        ('q', Arg::Str(s)) => quote(s),
        ('x' | 'X', Arg::Str(s)) => {
            let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
            if verb == 'X' {
                hex.to_uppercase()
            } else {
                hex
            }
        }
        ('t', Arg::Bool(b)) => b.to_string(),
        ('d', Arg::Int(i)) => signed(i.to_string(), f),
        ('b', Arg::Int(i)) => signed(format_radix(*i, 2, false), f),
        ('o', Arg::Int(i)) => signed(format_radix(*i, 8, false), f),
        ('x', Arg::Int(i)) => signed(format_radix(*i, 16, false), f),
        ('X', Arg::Int(i)) => signed(format_radix(*i, 16, true), f),
        ('c', Arg::Int(i)) => u32::try_from(*i)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}')
            .to_string(),
        ('q', Arg::Int(i)) => {
            let c = u32::try_from(*i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            crate::promql::lexer::go_quote_rune(Some(c))
        }
        ('f' | 'F', Arg::Float(x)) => signed(format_f(*x, Some(f.prec.unwrap_or(6))), f),
        ('e', Arg::Float(x)) => signed(format_e(*x, Some(f.prec.unwrap_or(6))), f),
        ('E', Arg::Float(x)) => signed(format_e(*x, Some(f.prec.unwrap_or(6))).to_uppercase(), f),
        ('g', Arg::Float(x)) => signed(format_g(*x, f.prec), f),
        ('G', Arg::Float(x)) => signed(format_g_upper(*x, f.prec, true), f),
        _ => bad_verb(verb, arg),
    }
}

fn format_radix(i: i64, radix: u32, upper: bool) -> String {
    let neg = i < 0;
    let mut n = i.unsigned_abs();
    if n == 0 {
        return "0".into();
    }
    let mut ds = Vec::new();
    while n > 0 {
        let d = (n % u64::from(radix)) as u32;
        ds.push(char::from_digit(d, radix).unwrap_or('0'));
        n /= u64::from(radix);
    }
    let mut s: String = ds.into_iter().rev().collect();
    if upper {
        s = s.to_uppercase();
    }
    if neg {
        format!("-{s}")
    } else {
        s
    }
}

fn pad(body: String, f: &Flags, verb: char, arg: &Arg) -> String {
    let Some(width) = f.width else {
        return body;
    };
    let len = body.chars().count();
    if len >= width {
        return body;
    }
    let fill = width - len;
    if f.minus {
        return format!("{body}{}", " ".repeat(fill));
    }
    let numeric = matches!(arg, Arg::Int(_) | Arg::Float(_)) && verb != 'c' && verb != 'q';
    let finite = !matches!(arg, Arg::Float(x) if !x.is_finite());
    if f.zero && numeric && finite {
        // Zeros go after the sign.
        let (sign, digits) = match body.chars().next() {
            Some(c @ ('+' | '-' | ' ')) => (c.to_string(), body[1..].to_string()),
            _ => (String::new(), body),
        };
        return format!("{sign}{}{digits}", "0".repeat(fill));
    }
    format!("{}{body}", " ".repeat(fill))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn floats_print_as_go_prints_them() {
        // (value, %v, %.4g, %e, %f) as Go 1.24 prints them.
        let cases: &[(f64, &str, &str, &str, &str)] = &[
            (0.0, "0", "0", "0.000000e+00", "0.000000"),
            (1.0, "1", "1", "1.000000e+00", "1.000000"),
            (-1.5, "-1.5", "-1.5", "-1.500000e+00", "-1.500000"),
            (0.1, "0.1", "0.1", "1.000000e-01", "0.100000"),
            (100.0, "100", "100", "1.000000e+02", "100.000000"),
            (
                123456.0,
                "123456",
                "1.235e+05",
                "1.234560e+05",
                "123456.000000",
            ),
            (1e6, "1e+06", "1e+06", "1.000000e+06", "1000000.000000"),
            (
                1234567.0,
                "1.234567e+06",
                "1.235e+06",
                "1.234567e+06",
                "1234567.000000",
            ),
            (0.0001, "0.0001", "0.0001", "1.000000e-04", "0.000100"),
            (0.00001, "1e-05", "1e-05", "1.000000e-05", "0.000010"),
            (
                1.0 / 3.0,
                "0.3333333333333333",
                "0.3333",
                "3.333333e-01",
                "0.333333",
            ),
            (
                1e21,
                "1e+21",
                "1e+21",
                "1.000000e+21",
                "1000000000000000000000.000000",
            ),
            (
                9.223372036854776e18,
                "9.223372036854776e+18",
                "9.223e+18",
                "9.223372e+18",
                "9223372036854775808.000000",
            ),
        ];
        for (v, gv, g4, e, f) in cases {
            assert_eq!(format_v(*v), *gv, "%v of {v}");
            assert_eq!(format_g(*v, Some(4)), *g4, "%.4g of {v}");
            assert_eq!(format_e(*v, Some(6)), *e, "%e of {v}");
            assert_eq!(format_f(*v, Some(6)), *f, "%f of {v}");
        }
        assert_eq!(format_v(f64::NAN), "NaN");
        assert_eq!(format_v(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_e(1234.5678, None), "1.2345678e+03");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn sprintf_handles_verbs_flags_and_mistakes_as_go() {
        let cases: &[(&str, Vec<Arg>, &str)] = &[
            ("%.2f", vec![Arg::Float(1.23456)], "1.23"),
            ("%0.2f", vec![Arg::Float(3720.01)], "3720.01"),
            (
                "%5.1f|%-6s|%03d",
                vec![Arg::Float(2.25), Arg::Str("ab".into()), Arg::Int(7)],
                "  2.2|ab    |007",
            ),
            ("%d", vec![Arg::Float(1.5)], "%!d(float64=1.5)"),
            ("%s", vec![Arg::Int(3)], "%!s(int=3)"),
            (
                "%s and %s",
                vec![Arg::Str("a".into())],
                "a and %!s(MISSING)",
            ),
            (
                "%v",
                vec![Arg::Int(1), Arg::Float(2.0)],
                "1%!(EXTRA float64=2)",
            ),
            (
                "%q %x %t %%",
                vec![Arg::Str("a\"b".into()), Arg::Int(255), Arg::Bool(true)],
                "\"a\\\"b\" ff true %",
            ),
            (
                "%+d %g %G",
                vec![Arg::Int(5), Arg::Float(1e-7), Arg::Float(1e-7)],
                "+5 1e-07 1E-07",
            ),
            ("%.3s", vec![Arg::Str("abcdef".into())], "abc"),
        ];
        for (format, args, want) in cases {
            assert_eq!(sprintf(format, args), *want, "{format}");
        }
    }
}
