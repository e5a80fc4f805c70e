//! The templates of alerting rules' labels and annotations: the part of
//! Go's `text/template` that Prometheus rules use, with Prometheus's
//! functions, run as Prometheus 3.5 runs them.
//!
//! An alert's template sees the variables Prometheus declares in front of
//! it — `$labels`, `$externalLabels`, `$externalURL`, `$value` — and the
//! same data as `.Labels`, `.ExternalLabels`, `.ExternalURL`, `.Value`.
//! Supported: text, trim markers and comments; pipelines and parenthesised
//! pipelines; variables (`:=`, `=`); `if`/`else if`/`else`, `with`,
//! `range` (over query results, label maps and integers) with `break` and
//! `continue`; `define`, `template` and `block`; Go's built-in functions
//! and comparisons (with Go's rule that an int and a float do not compare:
//! `gt $value 80` fails, `gt $value 80.0` works); and Prometheus's
//! functions: `query`, `first`, `label`, `value`, `strvalue`,
//! `sortByLabel`, `args`, `humanize`, `humanize1024`, `humanizeDuration`,
//! `humanizePercentage`, `humanizeTimestamp`, `toTime`, `title`,
//! `toUpper`, `toLower`, `match`, `reReplaceAll`, `stripPort`,
//! `stripDomain`, `graphLink`, `tableLink`, `pathPrefix`, `externalURL`,
//! `parseDuration`, `safeHtml`. Not supported: complex numbers, `slice`,
//! `call`, and the methods of times other than `Unix`, `UnixMilli`,
//! `UnixNano`, `String` and `UTC` (so `(toTime x).Format …` fails).
//!
//! ```
//! use promlab_core::rules::template::{AlertTemplateData, NoEnv, Template};
//! let t = Template::parse_alert("HighLoad", "{{ $labels.instance }} at {{ $value | humanizePercentage }}").unwrap();
//! let mut data = AlertTemplateData::default();
//! data.labels.insert("instance".into(), "node-1".into());
//! data.value = 0.8734;
//! assert_eq!(t.execute(&data, &mut NoEnv).unwrap(), "node-1 at 87.34%");
//!
//! let err = Template::parse_alert("HighLoad", "{{ $label.instance }}").unwrap_err();
//! assert_eq!(err.message, "template: __alert_HighLoad:1: undefined variable \"$label\"");
//! assert_eq!(err.pos, 3);
//! ```
//!
//! Errors carry Go's message, so the lab's expansion failures read as
//! Prometheus's (`<error expanding template: …>`), and the byte offset in
//! the template text, so the UI can point at it.

mod exec;
mod funcs;
mod lex;
mod parse;

pub use exec::{is_true, AlertTemplateData, QuerySample, Value};
pub use funcs::{
    format_go_time, graph_link, humanize, humanize1024, humanize_duration, humanize_timestamp,
    is_function, query_escape,
};

use parse::Tree;
use std::rc::Rc;

/// What templates reach outside themselves: queries and the external URL.
pub trait TemplateEnv {
    /// Runs `query` as an instant query at the evaluation time.
    fn query(&mut self, query: &str) -> Result<Vec<QuerySample>, String>;
    /// The server's external URL (`--web.external-url`), if it has one.
    fn external_url(&self) -> Option<&str>;
}

/// An environment without queries or external URL.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEnv;

impl TemplateEnv for NoEnv {
    fn query(&mut self, _query: &str) -> Result<Vec<QuerySample>, String> {
        Err("queries are not available here".into())
    }
    fn external_url(&self) -> Option<&str> {
        None
    }
}

/// Whether a template failed to parse or to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateErrorKind {
    Parse,
    Execute,
}

/// A template that does not parse or run: Go's message and where.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    pub kind: TemplateErrorKind,
    /// Byte offset in the template text.
    pub pos: usize,
    /// Go's message: `template: NAME:LINE: …` for parse errors,
    /// `template: NAME:LINE:COL: executing "NAME" at <NODE>: …` for
    /// execution errors.
    pub message: String,
    name: String,
}

impl TemplateError {
    /// As Prometheus's expander words it: `error parsing template NAME: …`
    /// or `error executing template NAME: …`.
    pub fn expand_message(&self) -> String {
        let what = match self.kind {
            TemplateErrorKind::Parse => "parsing",
            TemplateErrorKind::Execute => "executing",
        };
        format!("error {what} template {}: {}", self.name, self.message)
    }
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TemplateError {}

/// The variables Prometheus declares before an alert's template, and the
/// text it declares them with (which shifts Go's columns on line 1).
const ALERT_VARS: [(&str, &str); 4] = [
    ("$labels", "{{$labels := .Labels}}"),
    ("$externalLabels", "{{$externalLabels := .ExternalLabels}}"),
    ("$externalURL", "{{$externalURL := .ExternalURL}}"),
    ("$value", "{{$value := .Value}}"),
];

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    name: String,
    text: String,
    tree: Tree,
    /// Bytes Prometheus puts in front of the text on its first line.
    prefix_len: usize,
    alert_vars: bool,
}

impl Template {
    /// Parses one of an alerting rule's label or annotation templates, as
    /// Prometheus does for the alert `alert_name` (the template is named
    /// `__alert_<name>`).
    pub fn parse_alert(alert_name: &str, text: &str) -> Result<Template, TemplateError> {
        let names: Vec<&str> = ALERT_VARS.iter().map(|(n, _)| *n).collect();
        let prefix_len = ALERT_VARS.iter().map(|(_, d)| d.len()).sum();
        Self::parse_with(
            &format!("__alert_{alert_name}"),
            text,
            &names,
            prefix_len,
            true,
        )
    }

    /// Parses a template without predefined variables.
    pub fn parse(name: &str, text: &str) -> Result<Template, TemplateError> {
        Self::parse_with(name, text, &[], 0, false)
    }

    fn parse_with(
        name: &str,
        text: &str,
        vars: &[&str],
        prefix_len: usize,
        alert_vars: bool,
    ) -> Result<Template, TemplateError> {
        match parse::parse(text, vars, &is_function) {
            Ok(tree) => Ok(Template {
                name: name.to_string(),
                text: text.to_string(),
                tree,
                prefix_len,
                alert_vars,
            }),
            Err(f) => Err(TemplateError {
                kind: TemplateErrorKind::Parse,
                pos: f.pos,
                message: format!("template: {name}:{}: {}", f.line, f.message),
                name: name.to_string(),
            }),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Runs the template on an alert's data.
    pub fn execute(
        &self,
        data: &AlertTemplateData,
        env: &mut dyn TemplateEnv,
    ) -> Result<String, TemplateError> {
        let dot = Value::Data(Rc::new(data.clone()));
        let mut vars = vec![("$".to_string(), dot.clone())];
        if self.alert_vars {
            vars.push((
                "$labels".into(),
                Value::StringMap(Rc::new(data.labels.clone())),
            ));
            vars.push((
                "$externalLabels".into(),
                Value::StringMap(Rc::new(data.external_labels.clone())),
            ));
            vars.push((
                "$externalURL".into(),
                Value::String(data.external_url.clone()),
            ));
            vars.push(("$value".into(), Value::Float(data.value)));
        }
        let mut state = exec::State::new(&self.tree, &self.name, vars, env);
        match state.run(&dot) {
            Ok(()) => Ok(state.out),
            Err(f) => {
                let (line, col) = self.go_position(f.pos);
                Err(TemplateError {
                    kind: TemplateErrorKind::Execute,
                    pos: f.pos,
                    message: format!(
                        "template: {}:{line}:{col}: executing {} at <{}>: {}",
                        self.name,
                        crate::rules::gofmt::quote(&f.template),
                        f.node,
                        f.message
                    ),
                    name: self.name.clone(),
                })
            }
        }
    }

    /// Runs the template as Prometheus expands an alert's template: the
    /// text, or `<error expanding template: …>` when it fails.
    pub fn expand_alert(&self, data: &AlertTemplateData, env: &mut dyn TemplateEnv) -> String {
        match self.execute(data, env) {
            Ok(s) => s,
            Err(e) => format!("<error expanding template: {}>", e.expand_message()),
        }
    }

    /// Go's line and 0-based byte column of `pos`, counting the text
    /// Prometheus prepends on the first line.
    fn go_position(&self, pos: usize) -> (usize, usize) {
        let before = self.text.get(..pos.min(self.text.len())).unwrap_or("");
        match before.rfind('\n') {
            None => (1, self.prefix_len + before.len()),
            Some(nl) => (1 + before.matches('\n').count(), before.len() - (nl + 1)),
        }
    }
}

#[cfg(test)]
mod tests;
