//! Printing queries as Prometheus prints them: [`Expr`]'s `Display` is the
//! canonical one-line form (Prometheus's `String()`), [`format_pretty`] the
//! indented form of `promtool promql format` (lines past 100 characters
//! split, children indented by two spaces).
//!
//! ```
//! use promlab_core::promql::{format_pretty, parse};
//! let e = parse("SUM(rate(x[300s])) BY (job) > bool 1").unwrap();
//! assert_eq!(e.to_string(), "sum by (job) (rate(x[5m])) > bool 1");
//! assert_eq!(format_pretty(&e), e.to_string());
//! ```

use super::ast::*;
use super::lexer::go_quote;
use crate::clock::Millis;
use crate::labels::{Matcher, METRIC_NAME};
use std::fmt::{self, Write};

/// Past this many bytes an expression is split over lines.
pub const MAX_LINE_WIDTH: usize = 100;

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::NumberLiteral(n) => n.fmt(f),
            Expr::StringLiteral(s) => f.write_str(&go_quote(&s.value)),
            Expr::VectorSelector(vs) => vs.fmt(f),
            Expr::MatrixSelector(ms) => ms.fmt(f),
            Expr::Subquery(sq) => write!(f, "{}{}", sq.expr, SubquerySuffix(sq)),
            Expr::Paren(p) => write!(f, "({})", p.expr),
            Expr::Unary(u) => write!(f, "{}{}", u.op.as_str(), u.expr),
            Expr::Binary(b) => write!(
                f,
                "{} {}{} {}",
                b.lhs,
                b.op.as_str(),
                BinaryModifiers(b),
                b.rhs
            ),
            Expr::Aggregate(a) => {
                f.write_str(&aggregate_head(a))?;
                f.write_char('(')?;
                if let Some(p) = &a.param {
                    write!(f, "{p}, ")?;
                }
                write!(f, "{})", a.expr)
            }
            Expr::Call(c) => {
                write!(f, "{}(", c.func.name)?;
                for (i, a) in c.args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    a.fmt(f)?;
                }
                f.write_char(')')
            }
        }
    }
}

impl fmt::Display for NumberLiteral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.duration {
            // Prometheus converts seconds to whole nanoseconds, then prints
            // whole milliseconds.
            let ms = |s: f64| ((s * 1e9).trunc() as i64) / 1_000_000;
            return if self.value < 0.0 {
                write!(f, "-{}", model_duration(ms(-self.value)))
            } else {
                f.write_str(&model_duration(ms(self.value)))
            };
        }
        f.write_str(&format_float(self.value))
    }
}

/// Go's `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest digits that
/// read back to `v`, never in exponent form.
pub fn format_float(v: f64) -> String {
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

/// Prometheus's `model.Duration` printing: `1h30m`, `0s`, years and weeks
/// only when they divide evenly; nothing for a negative duration.
fn model_duration(ms: Millis) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut rest = ms;
    let mut out = String::new();
    for (unit, mult, exact) in [
        ("y", 365 * 24 * 3_600_000, true),
        ("w", 7 * 24 * 3_600_000, true),
        ("d", 24 * 3_600_000, false),
        ("h", 3_600_000, false),
        ("m", 60_000, false),
        ("s", 1_000, false),
        ("ms", 1, false),
    ] {
        if exact && rest % mult != 0 {
            continue;
        }
        let v = rest / mult;
        if v > 0 {
            let _ = write!(out, "{v}{unit}");
            rest -= v * mult;
        }
    }
    out
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Duration::Millis(ms) => f.write_str(&model_duration(*ms)),
            Duration::Expr(e) => e.fmt(f),
        }
    }
}

impl fmt::Display for DurationExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.wrapped {
            f.write_char('(')?;
        }
        match &self.kind {
            DurationExprKind::Number(n) => n.fmt(f)?,
            DurationExprKind::Negate(e) => write!(f, "-{e}")?,
            DurationExprKind::Binary { op, lhs, rhs } => write!(f, "{lhs} {} {rhs}", op.as_str())?,
        }
        if self.wrapped {
            f.write_char(')')?;
        }
        Ok(())
    }
}

/// ` offset 5m`, ` offset -1h`, ` offset (1h * 2)`.
struct OffsetSuffix<'a>(&'a Option<Duration>);

impl fmt::Display for OffsetSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => Ok(()),
            Some(Duration::Expr(e)) => write!(f, " offset {e}"),
            Some(Duration::Millis(ms)) if *ms > 0 => write!(f, " offset {}", model_duration(*ms)),
            Some(Duration::Millis(ms)) if *ms < 0 => {
                write!(f, " offset -{}", model_duration(ms.saturating_neg()))
            }
            Some(Duration::Millis(_)) => Ok(()),
        }
    }
}

/// ` @ 1700000000.000`, ` @ start()`, ` @ end()`.
struct AtSuffix<'a>(&'a Option<AtModifier>);

impl fmt::Display for AtSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => Ok(()),
            Some(AtModifier::Timestamp(ms)) => write!(f, " @ {:.3}", *ms as f64 / 1000.0),
            Some(AtModifier::Start) => f.write_str(" @ start()"),
            Some(AtModifier::End) => f.write_str(" @ end()"),
        }
    }
}

/// Go's quoting rule for label names in matchers: quoted unless made of
/// `[a-zA-Z_][a-zA-Z0-9_]*`.
fn matcher_name(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .char_indices()
            .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
    if plain {
        name.to_string()
    } else {
        go_quote(name)
    }
}

fn matcher_string(m: &Matcher) -> String {
    format!(
        "{}{}{}",
        matcher_name(&m.name),
        m.op.as_str(),
        go_quote(&m.value)
    )
}

/// The selector without its modifiers: `name{a="b",c=~"d"}`, matchers
/// sorted as Prometheus sorts them.
fn selector_body(vs: &VectorSelector) -> String {
    let name = vs.name.as_deref().unwrap_or("");
    let mut parts: Vec<String> = vs
        .matchers
        .iter()
        .filter(|m| {
            !(m.name == METRIC_NAME
                && m.op == crate::labels::MatchOp::Equal
                && m.value == name
                && !name.is_empty())
        })
        .map(matcher_string)
        .collect();
    if parts.is_empty() {
        return name.to_string();
    }
    parts.sort();
    format!("{name}{{{}}}", parts.join(","))
}

impl fmt::Display for VectorSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}",
            selector_body(self),
            AtSuffix(&self.at),
            OffsetSuffix(&self.offset)
        )
    }
}

impl fmt::Display for MatrixSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}]{}{}",
            selector_body(&self.selector),
            self.range,
            AtSuffix(&self.selector.at),
            OffsetSuffix(&self.selector.offset)
        )
    }
}

/// `[range:step] @ t offset d` after a subquery's expression.
struct SubquerySuffix<'a>(&'a Subquery);

impl fmt::Display for SubquerySuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sq = self.0;
        write!(f, "[{}:", sq.range)?;
        match &sq.step {
            Some(Duration::Millis(0)) | None => {}
            Some(step) => step.fmt(f)?,
        }
        write!(f, "]{}{}", AtSuffix(&sq.at), OffsetSuffix(&sq.offset))
    }
}

/// ` bool on (a) group_left (b)` between a binary operator and its right
/// side. Prometheus leaves the label names of `on`/`ignoring` and the
/// group modifiers unquoted, and prints nothing for `ignoring ()`.
struct BinaryModifiers<'a>(&'a Binary);

impl fmt::Display for BinaryModifiers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.return_bool {
            f.write_str(" bool")?;
        }
        let Some(m) = &self.0.matching else {
            return Ok(());
        };
        if m.labels.is_empty() && !m.on {
            return Ok(());
        }
        let tag = if m.on { "on" } else { "ignoring" };
        write!(f, " {tag} ({})", m.labels.join(", "))?;
        let side = match m.card {
            VectorMatchCardinality::ManyToOne => "left",
            VectorMatchCardinality::OneToMany => "right",
            _ => return Ok(()),
        };
        write!(f, " group_{side} ({})", m.include.join(", "))
    }
}

/// `sum`, `sum by (job) `, `sum without () `: the operator and grouping,
/// before the arguments.
fn aggregate_head(a: &Aggregate) -> String {
    let mut s = a.op.as_str().to_string();
    if a.without || !a.grouping.is_empty() {
        let labels: Vec<String> = a
            .grouping
            .iter()
            .map(|l| {
                if is_legacy_metric_name(l) {
                    l.clone()
                } else {
                    go_quote(l)
                }
            })
            .collect();
        let kw = if a.without { "without" } else { "by" };
        let _ = write!(s, " {kw} ({}) ", labels.join(", "));
    }
    s
}

fn is_legacy_metric_name(s: &str) -> bool {
    !s.is_empty()
        && s.char_indices().all(|(i, c)| {
            c == '_' || c == ':' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())
        })
}

/// The tree as an outline, one node a line, children indented, each with
/// its kind, byte span and canonical text: for tests and for explaining a
/// query.
///
/// ```
/// use promlab_core::promql::{format::format_tree, parse};
/// let tree = format_tree(&parse("-a * 2").unwrap());
/// assert_eq!(tree, "Binary * 0..6 -a * 2\n  Unary - 0..2 -a\n    VectorSelector 1..2 a\n  NumberLiteral 5..6 2\n");
/// ```
pub fn format_tree(e: &Expr) -> String {
    let mut out = String::new();
    tree(e, 0, &mut out);
    out
}

fn tree(e: &Expr, level: usize, out: &mut String) {
    let span = e.span();
    let kind = match e {
        Expr::NumberLiteral(_) => "NumberLiteral".to_string(),
        Expr::StringLiteral(_) => "StringLiteral".to_string(),
        Expr::VectorSelector(_) => "VectorSelector".to_string(),
        Expr::MatrixSelector(_) => "MatrixSelector".to_string(),
        Expr::Subquery(_) => "Subquery".to_string(),
        Expr::Paren(_) => "Paren".to_string(),
        Expr::Unary(u) => format!("Unary {}", u.op.as_str()),
        Expr::Binary(b) => {
            let mut k = format!("Binary {}", b.op.as_str());
            if let Some(m) = &b.matching {
                let _ = write!(k, " ({})", m.card.as_str());
            }
            k
        }
        Expr::Aggregate(a) => format!("Aggregate {}", a.op.as_str()),
        Expr::Call(c) => format!("Call {}", c.func.name),
    };
    let _ = writeln!(
        out,
        "{}{kind} {}..{} {e}",
        indent(level),
        span.start,
        span.end
    );
    let mut children: Vec<&Expr> = Vec::new();
    match e {
        Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::VectorSelector(_)
        | Expr::MatrixSelector(_) => {}
        Expr::Subquery(sq) => children.push(&sq.expr),
        Expr::Paren(p) => children.push(&p.expr),
        Expr::Unary(u) => children.push(&u.expr),
        Expr::Binary(b) => children.extend([&*b.lhs, &*b.rhs]),
        Expr::Aggregate(a) => {
            children.extend(a.param.as_deref());
            children.push(&a.expr);
        }
        Expr::Call(c) => children.extend(c.args.iter()),
    }
    for c in children {
        tree(c, level + 1, out);
    }
}

/// The indented form `promtool promql format` prints.
pub fn format_pretty(e: &Expr) -> String {
    pretty(e, 0)
}

fn indent(level: usize) -> String {
    "  ".repeat(level)
}

fn needs_split(e: &Expr) -> bool {
    e.to_string().len() > MAX_LINE_WIDTH
}

fn pretty(e: &Expr, level: usize) -> String {
    match e {
        Expr::Aggregate(a) => {
            let mut s = indent(level);
            if !needs_split(e) {
                s.push_str(&e.to_string());
                return s;
            }
            s.push_str(&aggregate_head(a));
            s.push_str("(\n");
            if let Some(p) = &a.param {
                s.push_str(&pretty(p, level + 1));
                s.push_str(",\n");
            }
            let _ = write!(s, "{}\n{})", pretty(&a.expr, level + 1), indent(level));
            s
        }
        Expr::Binary(b) => {
            if !needs_split(e) {
                return format!("{}{e}", indent(level));
            }
            format!(
                "{}\n{}{}{}\n{}",
                pretty(&b.lhs, level + 1),
                indent(level),
                b.op.as_str(),
                BinaryModifiers(b),
                pretty(&b.rhs, level + 1)
            )
        }
        Expr::Call(c) => {
            if !needs_split(e) {
                return format!("{}{e}", indent(level));
            }
            let args: Vec<String> = c.args.iter().map(|a| pretty(a, level + 1)).collect();
            format!(
                "{}{}(\n{}\n{})",
                indent(level),
                c.func.name,
                args.join(",\n"),
                indent(level)
            )
        }
        Expr::Paren(p) => {
            if !needs_split(e) {
                return format!("{}{e}", indent(level));
            }
            format!(
                "{}(\n{}\n{})",
                indent(level),
                pretty(&p.expr, level + 1),
                indent(level)
            )
        }
        // Prometheus does not indent a subquery that fits on its line.
        Expr::Subquery(sq) => {
            if !needs_split(e) {
                return e.to_string();
            }
            format!("{}{}", pretty(&sq.expr, level), SubquerySuffix(sq))
        }
        Expr::Unary(u) => {
            let child = pretty(&u.expr, level);
            format!("{}{}{}", indent(level), u.op.as_str(), child.trim())
        }
        Expr::VectorSelector(_)
        | Expr::MatrixSelector(_)
        | Expr::NumberLiteral(_)
        | Expr::StringLiteral(_) => format!("{}{e}", indent(level)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn floats_print_like_go() {
        for (v, s) in [
            (1.0, "1"),
            (0.0005, "0.0005"),
            (1e21, "1000000000000000000000"),
            (-0.0, "-0"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(format_float(v), s);
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn durations_print_like_model_duration() {
        for (ms, s) in [
            (0, "0s"),
            (1500, "1s500ms"),
            (5_400_000, "1h30m"),
            (90 * 86_400_000, "90d"),
            (14 * 86_400_000, "2w"),
            (365 * 86_400_000, "1y"),
            (-5, ""),
        ] {
            assert_eq!(model_duration(ms), s);
        }
    }
}
