//! Executing a parsed template as Go's `text/template` does with
//! `missingkey=zero`: values with Go's types (so the errors name the same
//! types), fields of maps and structs, variables, pipelines, `if`/`with`/
//! `range`/`template`, and Go's built-in functions (`and`, `or`, `not`,
//! `len`, `index`, `eq`…`ge`, `print`, `printf`, `println`, `html`, `js`,
//! `urlquery`). Prometheus's own functions are in `funcs`.

use super::funcs;
use super::parse::{Command, Control, Node, Number, Operand, Pipe, Tree};
use super::TemplateEnv;
use crate::rules::gofmt::{self, Arg};
use std::collections::BTreeMap;
use std::rc::Rc;

/// A sample of a query result, as templates see it (`.Labels`, `.Value`).
#[derive(Debug, Clone, PartialEq)]
pub struct QuerySample {
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// The data an alert's templates get: `.Labels`, `.ExternalLabels`,
/// `.ExternalURL`, `.Value`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertTemplateData {
    pub labels: BTreeMap<String, String>,
    pub external_labels: BTreeMap<String, String>,
    pub external_url: String,
    pub value: f64,
}

/// A value during execution, with the Go type it stands for.
#[derive(Debug, Clone)]
pub enum Value {
    /// No value at all (Go's invalid `reflect.Value`); prints `<no value>`.
    Missing,
    /// A nil interface or untyped nil.
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    /// `html_template.HTML`, what `safeHtml` returns.
    Html(String),
    /// `map[string]string`: labels.
    StringMap(Rc<BTreeMap<String, String>>),
    /// `map[string]interface {}`: what `args` returns.
    AnyMap(Rc<BTreeMap<String, Value>>),
    /// The alert template data struct.
    Data(Rc<AlertTemplateData>),
    /// `template.queryResult`, a slice of `*template.sample`.
    QueryResult(Rc<Vec<Rc<QuerySample>>>),
    /// `*template.sample`, possibly nil.
    Sample(Option<Rc<QuerySample>>),
    /// `*time.Time` as nanoseconds since the epoch, possibly nil.
    Time(Option<i64>),
}

const DATA_TYPE: &str = "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }";

impl Value {
    /// The Go type's name, as `reflect.Type.String` writes it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Missing => "<invalid reflect.Value>",
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Html(_) => "template.HTML",
            Value::StringMap(_) => "map[string]string",
            Value::AnyMap(_) => "map[string]interface {}",
            Value::Data(_) => DATA_TYPE,
            Value::QueryResult(_) => "template.queryResult",
            Value::Sample(_) => "*template.sample",
            Value::Time(_) => "*time.Time",
        }
    }

    /// `fmt.Sprint` of the value (`%v`).
    pub fn to_text(&self) -> String {
        self.print(0)
    }

    fn print(&self, depth: usize) -> String {
        match self {
            Value::Missing => "<no value>".into(),
            Value::Nil => "<nil>".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => gofmt::format_v(*f),
            Value::String(s) | Value::Html(s) => s.clone(),
            Value::StringMap(m) => print_map(m.iter().map(|(k, v)| (k.as_str(), v.clone()))),
            Value::AnyMap(m) => print_map(m.iter().map(|(k, v)| (k.as_str(), v.print(depth + 1)))),
            Value::Data(d) => format!(
                "{{{} {} {} {}}}",
                print_map(d.labels.iter().map(|(k, v)| (k.as_str(), v.clone()))),
                print_map(
                    d.external_labels
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.clone()))
                ),
                d.external_url,
                gofmt::format_v(d.value)
            ),
            Value::QueryResult(r) => {
                let items: Vec<String> = r
                    .iter()
                    .map(|s| Value::Sample(Some(s.clone())).print(depth + 1))
                    .collect();
                format!("[{}]", items.join(" "))
            }
            Value::Sample(None) | Value::Time(None) => "<nil>".into(),
            Value::Sample(Some(s)) => {
                let body = format!(
                    "{{{} {}}}",
                    print_map(s.labels.iter().map(|(k, v)| (k.as_str(), v.clone()))),
                    gofmt::format_v(s.value)
                );
                if depth == 0 {
                    body
                } else {
                    format!("&{body}")
                }
            }
            Value::Time(Some(ns)) => funcs::format_go_time(*ns),
        }
    }

    /// A `printf` argument.
    pub fn to_arg(&self) -> Arg {
        match self {
            Value::Int(i) => Arg::Int(*i),
            Value::Float(f) => Arg::Float(*f),
            Value::String(s) | Value::Html(s) => Arg::Str(s.clone()),
            Value::Bool(b) => Arg::Bool(*b),
            Value::Nil | Value::Missing => Arg::Nil,
            other => Arg::Other {
                text: other.to_text(),
                type_name: other.type_name().into(),
            },
        }
    }
}

fn print_map(entries: impl Iterator<Item = (impl AsRef<str>, String)>) -> String {
    let parts: Vec<String> = entries
        .map(|(k, v)| format!("{}:{v}", k.as_ref()))
        .collect();
    format!("map[{}]", parts.join(" "))
}

/// An execution error: Go's message and the node it happened at.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecFailure {
    pub pos: usize,
    pub node: String,
    /// The template executing (a `define`d one inside `{{template}}`).
    pub template: String,
    pub message: String,
}

/// How much a template may do before it is stopped: Go has no such limit,
/// but a runaway `range` must not hang the lab.
const MAX_STEPS: usize = 1_000_000;
const MAX_OUTPUT: usize = 1 << 20;
const MAX_TEMPLATE_DEPTH: usize = 100;

enum Flow {
    Normal,
    Break,
    Continue,
}

type EResult<T> = Result<T, ExecFailure>;

pub(super) struct State<'a> {
    pub tree: &'a Tree,
    pub name: String,
    pub vars: Vec<(String, Value)>,
    pub out: String,
    pub env: &'a mut dyn TemplateEnv,
    steps: usize,
    depth: usize,
    at_pos: usize,
    at_node: String,
}

impl<'a> State<'a> {
    pub fn new(
        tree: &'a Tree,
        name: &str,
        vars: Vec<(String, Value)>,
        env: &'a mut dyn TemplateEnv,
    ) -> Self {
        State {
            tree,
            name: name.to_string(),
            vars,
            out: String::new(),
            env,
            steps: 0,
            depth: 0,
            at_pos: 0,
            at_node: String::new(),
        }
    }

    pub fn run(&mut self, dot: &Value) -> EResult<()> {
        let tree = self.tree;
        self.walk_list(dot, &tree.root).map(|_| ())
    }

    fn at(&mut self, pos: usize, node: impl ToString) {
        self.at_pos = pos;
        self.at_node = node.to_string();
    }

    fn fail<T>(&self, message: impl Into<String>) -> EResult<T> {
        Err(ExecFailure {
            pos: self.at_pos,
            node: self.at_node.clone(),
            template: self.name.clone(),
            message: message.into(),
        })
    }

    fn step(&mut self) -> EResult<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return self.fail(format!(
                "the template took more than {MAX_STEPS} steps; the lab stops it there"
            ));
        }
        if self.out.len() > MAX_OUTPUT {
            return self.fail(format!(
                "the template wrote more than {MAX_OUTPUT} bytes; the lab stops it there"
            ));
        }
        Ok(())
    }

    fn walk_list(&mut self, dot: &Value, list: &[Node]) -> EResult<Flow> {
        for node in list {
            match self.walk(dot, node)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Value, node: &Node) -> EResult<Flow> {
        self.step()?;
        match node {
            Node::Text(t) => self.out.push_str(t),
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    let text = v.to_text();
                    self.out.push_str(&text);
                }
            }
            Node::If(c) => return self.walk_if_or_with(dot, c, false),
            Node::With(c) => return self.walk_if_or_with(dot, c, true),
            Node::Range(c) => return self.walk_range(dot, c),
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
            Node::Template {
                pos, name, pipe, ..
            } => {
                self.at(*pos, format!("{{{{template {}}}}}", gofmt::quote(name)));
                let Some(body) = self.tree.defines.get(name) else {
                    return self.fail(format!("template {} not defined", gofmt::quote(name)));
                };
                self.depth += 1;
                if self.depth > MAX_TEMPLATE_DEPTH {
                    return self.fail(format!(
                        "exceeded maximum template depth ({MAX_TEMPLATE_DEPTH})"
                    ));
                }
                let new_dot = match pipe {
                    Some(p) => self.eval_pipeline(dot, p)?,
                    None => Value::Missing,
                };
                let saved_vars =
                    std::mem::replace(&mut self.vars, vec![("$".into(), new_dot.clone())]);
                let saved_name = std::mem::replace(&mut self.name, name.clone());
                let r = self.walk_list(&new_dot, body);
                self.vars = saved_vars;
                self.name = saved_name;
                self.depth -= 1;
                r?;
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_if_or_with(&mut self, dot: &Value, c: &Control, with: bool) -> EResult<Flow> {
        let mark = self.vars.len();
        let r = (|| {
            let v = self.eval_pipeline(dot, &c.pipe)?;
            let truth = is_true(&v);
            if truth {
                if with {
                    self.walk_list(&v, &c.list)
                } else {
                    self.walk_list(dot, &c.list)
                }
            } else if let Some(e) = &c.else_list {
                self.walk_list(dot, e)
            } else {
                Ok(Flow::Normal)
            }
        })();
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Value, c: &Control) -> EResult<Flow> {
        let mark = self.vars.len();
        let r = self.walk_range_inner(dot, c);
        self.vars.truncate(mark);
        r
    }

    fn walk_range_inner(&mut self, dot: &Value, c: &Control) -> EResult<Flow> {
        let v = self.eval_pipeline(dot, &c.pipe)?;
        let items: Vec<(Value, Value)> = match &v {
            Value::QueryResult(r) => r
                .iter()
                .enumerate()
                .map(|(i, s)| (Value::Int(i as i64), Value::Sample(Some(s.clone()))))
                .collect(),
            Value::StringMap(m) => m
                .iter()
                .map(|(k, v)| (Value::String(k.clone()), Value::String(v.clone())))
                .collect(),
            Value::AnyMap(m) => m
                .iter()
                .map(|(k, v)| (Value::String(k.clone()), v.clone()))
                .collect(),
            Value::Int(n) => {
                if *n > MAX_STEPS as i64 {
                    return self.fail(format!(
                        "range over {n} is more than the lab runs ({MAX_STEPS})"
                    ));
                }
                (0..(*n).max(0))
                    .map(|i| (Value::Int(i), Value::Int(i)))
                    .collect()
            }
            Value::Missing | Value::Nil | Value::Sample(None) | Value::Time(None) => Vec::new(),
            other => {
                return self.fail(format!("range can't iterate over {}", other.to_text()));
            }
        };
        if items.is_empty() {
            if let Some(e) = &c.else_list {
                return self.walk_list(dot, e);
            }
            return Ok(Flow::Normal);
        }
        let n = self.vars.len();
        for (key, elem) in items {
            self.step()?;
            // The range's variables are the last ones its pipeline pushed.
            match c.pipe.decl.len() {
                1 => set_top(&mut self.vars, n, 1, elem.clone()),
                2 => {
                    set_top(&mut self.vars, n, 1, elem.clone());
                    set_top(&mut self.vars, n, 2, key);
                }
                _ => {}
            }
            let inner_mark = self.vars.len();
            let flow = self.walk_list(&elem, &c.list);
            self.vars.truncate(inner_mark);
            match flow? {
                Flow::Break => break,
                Flow::Continue | Flow::Normal => {}
            }
        }
        Ok(Flow::Normal)
    }

    fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe) -> EResult<Value> {
        let mut value = Value::Missing;
        let mut first = true;
        for cmd in &pipe.cmds {
            let final_ = if first { None } else { Some(value.clone()) };
            first = false;
            value = self.eval_command(dot, cmd, final_)?;
        }
        for name in &pipe.decl {
            if pipe.is_assign {
                match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = value.clone(),
                    None => return self.fail(format!("undefined variable: {name}")),
                }
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&mut self, cmd: &Command, final_: &Option<Value>) -> EResult<()> {
        if cmd.args.len() > 1 || final_.is_some() {
            let first = cmd.args.first().map(|a| a.to_string()).unwrap_or_default();
            return self.fail(format!("can't give argument to non-function {first}"));
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        dot: &Value,
        cmd: &Command,
        final_: Option<Value>,
    ) -> EResult<Value> {
        let Some(first) = cmd.args.first() else {
            return self.fail("empty command");
        };
        let rest = cmd.args.get(1..).unwrap_or(&[]);
        match first {
            Operand::Field { pos, idents } => {
                self.at(*pos, first);
                return self.eval_field_chain(dot, dot.clone(), idents, rest, final_);
            }
            Operand::Chain { node, fields, .. } => {
                self.at(first.pos(), first);
                if matches!(node.as_ref(), Operand::Nil { .. }) {
                    return self.fail(format!("indirection through explicit nil in {first}"));
                }
                let receiver = self.eval_arg_any(dot, node)?;
                return self.eval_field_chain(dot, receiver, fields, rest, final_);
            }
            Operand::Identifier { name, pos } => {
                self.at(*pos, first);
                return self.eval_function(dot, name, cmd, rest, final_);
            }
            Operand::Pipe(p) => {
                self.not_a_function(cmd, &final_)?;
                return self.eval_pipeline(dot, p);
            }
            Operand::Variable { pos, idents } => {
                self.at(*pos, first);
                let value = self.var_value(idents.first().map_or("$", String::as_str))?;
                let fields = idents.get(1..).unwrap_or(&[]);
                if fields.is_empty() {
                    self.not_a_function(cmd, &final_)?;
                    return Ok(value);
                }
                return self.eval_field_chain(dot, value, fields, rest, final_);
            }
            _ => {}
        }
        self.at(first.pos(), first);
        self.not_a_function(cmd, &final_)?;
        match first {
            Operand::Bool { value, .. } => Ok(Value::Bool(*value)),
            Operand::Dot { .. } => Ok(dot.clone()),
            Operand::Nil { .. } => self.fail("nil is not a command"),
            Operand::Number { number, .. } => self.ideal_constant(number),
            Operand::String { text, .. } => Ok(Value::String(text.clone())),
            _ => self.fail(format!("can't evaluate command {first}")),
        }
    }

    fn ideal_constant(&mut self, n: &Number) -> EResult<Value> {
        let hex = n
            .text
            .trim_start_matches(['+', '-'])
            .to_ascii_lowercase()
            .starts_with("0x");
        let char_constant = n.text.starts_with('\'');
        if n.float.is_some() && !hex && !char_constant && n.text.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Value::Float(n.float.unwrap_or(0.0)));
        }
        match n.int {
            Some(i) => Ok(Value::Int(i)),
            None => self.fail(format!("{} overflows int", n.text)),
        }
    }

    fn var_value(&mut self, name: &str) -> EResult<Value> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => self.fail(format!("undefined variable: {name}")),
        }
    }

    fn eval_field_chain(
        &mut self,
        _dot: &Value,
        mut receiver: Value,
        idents: &[String],
        args: &[Operand],
        final_: Option<Value>,
    ) -> EResult<Value> {
        let n = idents.len();
        for (i, name) in idents.iter().enumerate() {
            let last = i + 1 == n;
            let has_args = last && (!args.is_empty() || final_.is_some());
            receiver = self.eval_field(name, has_args, receiver)?;
        }
        Ok(receiver)
    }

    fn eval_field(&mut self, name: &str, has_args: bool, receiver: Value) -> EResult<Value> {
        let typ = receiver.type_name();
        match &receiver {
            Value::Missing => Ok(Value::Missing),
            Value::Nil => self.fail(format!("nil pointer evaluating interface {{}}.{name}")),
            Value::Data(d) => {
                let v = match name {
                    "Labels" => Value::StringMap(Rc::new(d.labels.clone())),
                    "ExternalLabels" => Value::StringMap(Rc::new(d.external_labels.clone())),
                    "ExternalURL" => Value::String(d.external_url.clone()),
                    "Value" => Value::Float(d.value),
                    _ => return self.fail(format!("can't evaluate field {name} in type {typ}")),
                };
                if has_args {
                    return self.fail(format!(
                        "{name} has arguments but cannot be invoked as function"
                    ));
                }
                Ok(v)
            }
            Value::Sample(s) => {
                if !matches!(name, "Labels" | "Value") {
                    return self.fail(format!("can't evaluate field {name} in type {typ}"));
                }
                let Some(s) = s else {
                    return self.fail(format!("nil pointer evaluating {typ}.{name}"));
                };
                if has_args {
                    return self.fail(format!(
                        "{name} has arguments but cannot be invoked as function"
                    ));
                }
                Ok(match name {
                    "Labels" => Value::StringMap(Rc::new(s.labels.clone())),
                    _ => Value::Float(s.value),
                })
            }
            Value::StringMap(m) => {
                if has_args {
                    return self.fail(format!("{name} is not a method but has arguments"));
                }
                Ok(Value::String(m.get(name).cloned().unwrap_or_default()))
            }
            Value::AnyMap(m) => {
                if has_args {
                    return self.fail(format!("{name} is not a method but has arguments"));
                }
                Ok(m.get(name).cloned().unwrap_or(Value::Nil))
            }
            Value::Time(t) => match (name, t) {
                (_, None) => self.fail(format!("nil pointer evaluating {typ}.{name}")),
                ("Unix", Some(ns)) => Ok(Value::Int(ns.div_euclid(1_000_000_000))),
                ("UnixMilli", Some(ns)) => Ok(Value::Int(ns.div_euclid(1_000_000))),
                ("UnixNano", Some(ns)) => Ok(Value::Int(*ns)),
                ("String", Some(ns)) => Ok(Value::String(funcs::format_go_time(*ns))),
                ("UTC", Some(ns)) => Ok(Value::Time(Some(*ns))),
                _ => self.fail(format!(
                    "can't evaluate field {name} in type {typ} (the lab's templates know the time methods Unix, UnixMilli, UnixNano, String and UTC)"
                )),
            },
            _ => self.fail(format!("can't evaluate field {name} in type {typ}")),
        }
    }

    /// An argument for an `interface{}` parameter.
    pub(super) fn eval_arg_any(&mut self, dot: &Value, n: &Operand) -> EResult<Value> {
        self.at(n.pos(), n);
        match n {
            Operand::Dot { .. } => Ok(dot.clone()),
            Operand::Nil { .. } => Ok(Value::Nil),
            Operand::Field { idents, .. } => {
                self.eval_field_chain(dot, dot.clone(), idents, &[], None)
            }
            Operand::Variable { idents, .. } => {
                let v = self.var_value(idents.first().map_or("$", String::as_str))?;
                self.eval_field_chain(dot, v, idents.get(1..).unwrap_or(&[]), &[], None)
            }
            Operand::Pipe(p) => self.eval_pipeline(dot, p),
            Operand::Identifier { name, .. } => {
                let cmd = Command {
                    pos: n.pos(),
                    args: vec![n.clone()],
                };
                self.eval_function(dot, name, &cmd, &[], None)
            }
            Operand::Chain { node, fields, .. } => {
                if matches!(node.as_ref(), Operand::Nil { .. }) {
                    return self.fail(format!("indirection through explicit nil in {n}"));
                }
                let receiver = self.eval_arg_any(dot, node)?;
                self.eval_field_chain(dot, receiver, fields, &[], None)
            }
            Operand::Bool { value, .. } => Ok(Value::Bool(*value)),
            Operand::Number { number, .. } => self.ideal_constant(number),
            Operand::String { text, .. } => Ok(Value::String(text.clone())),
        }
    }

    /// An argument for a parameter of type `want`.
    fn eval_arg(&mut self, dot: &Value, want: Param, n: &Operand) -> EResult<Value> {
        self.at(n.pos(), n);
        match (want, n) {
            (Param::Any, _) => {
                let v = self.eval_arg_any(dot, n)?;
                Ok(match v {
                    Value::Missing => Value::Nil,
                    v => v,
                })
            }
            (
                _,
                Operand::Dot { .. }
                | Operand::Field { .. }
                | Operand::Variable { .. }
                | Operand::Pipe(_)
                | Operand::Identifier { .. }
                | Operand::Chain { .. },
            ) => {
                let v = self.eval_arg_any(dot, n)?;
                self.at(n.pos(), n);
                self.validate(v, want)
            }
            (_, Operand::Nil { .. }) => {
                self.at(n.pos(), n);
                match want {
                    Param::Results => Ok(Value::QueryResult(Rc::new(Vec::new()))),
                    Param::SamplePtr => Ok(Value::Sample(None)),
                    _ => self.fail(format!("cannot assign nil to {}", want.type_name())),
                }
            }
            (Param::Str, Operand::String { text, .. }) => Ok(Value::String(text.clone())),
            (Param::Str, _) => {
                self.at(n.pos(), n);
                self.fail(format!("expected string; found {n}"))
            }
            (_, _) => {
                self.at(n.pos(), n);
                self.fail(format!(
                    "can't handle {n} for arg of type {}",
                    want.type_name()
                ))
            }
        }
    }

    /// Go's `validateType`: whether a value fits a parameter.
    fn validate(&self, v: Value, want: Param) -> EResult<Value> {
        match (want, v) {
            (Param::Any, Value::Missing) => Ok(Value::Nil),
            (Param::Any, v) => Ok(v),
            (Param::Str, Value::String(s)) => Ok(Value::String(s)),
            (Param::Results, v @ Value::QueryResult(_)) => Ok(v),
            (Param::Results, Value::Missing | Value::Nil) => {
                Ok(Value::QueryResult(Rc::new(Vec::new())))
            }
            (Param::SamplePtr, v @ Value::Sample(_)) => Ok(v),
            (Param::SamplePtr, Value::Missing | Value::Nil) => Ok(Value::Sample(None)),
            (want, Value::Missing) => {
                self.fail(format!("invalid value; expected {}", want.type_name()))
            }
            (want, v) => self.fail(format!(
                "wrong type for value; expected {}; got {}",
                want.type_name(),
                v.type_name()
            )),
        }
    }

    fn eval_function(
        &mut self,
        dot: &Value,
        name: &str,
        cmd: &Command,
        args: &[Operand],
        final_: Option<Value>,
    ) -> EResult<Value> {
        let Some(sig) = signature(name) else {
            return self.fail(format!("{} is not a defined function", gofmt::quote(name)));
        };
        let cmd_pos = cmd.pos;
        let cmd_text = cmd.to_string();
        let num_in = args.len() + usize::from(final_.is_some());
        let fixed = sig.params.len();
        match sig.variadic {
            Some(_) if num_in < fixed => {
                return self.fail(format!(
                    "wrong number of args for {name}: want at least {fixed} got {}",
                    args.len()
                ))
            }
            None if num_in != fixed => {
                return self.fail(format!(
                    "wrong number of args for {name}: want {fixed} got {num_in}"
                ))
            }
            _ => {}
        }
        // `and` and `or` stop at the first value that decides.
        if name == "and" || name == "or" {
            let mut v = Value::Missing;
            let n = args.len();
            for (i, a) in args.iter().enumerate() {
                v = self.eval_arg_any(dot, a)?;
                let t = is_true(&v);
                if (name == "and" && !t) || (name == "or" && t) || (i + 1 == n && final_.is_none())
                {
                    return Ok(v);
                }
            }
            if let Some(f) = final_ {
                return Ok(f);
            }
            return Ok(v);
        }
        let mut argv = Vec::with_capacity(num_in);
        let mut i = 0;
        while i < fixed && i < args.len() {
            argv.push(self.eval_arg(dot, sig.params[i], &args[i])?);
            i += 1;
        }
        if let Some(vt) = sig.variadic {
            while i < args.len() {
                argv.push(self.eval_arg(dot, vt, &args[i])?);
                i += 1;
            }
        }
        if let Some(f) = final_ {
            let want = if argv.len() < fixed {
                sig.params[argv.len()]
            } else {
                sig.variadic.unwrap_or(Param::Any)
            };
            argv.push(self.validate(f, want)?);
        }
        match self.call(name, argv) {
            Ok(v) => Ok(v),
            Err(e) => {
                // Go names the whole command only when the call fails.
                self.at(cmd_pos, cmd_text);
                self.fail(format!("error calling {name}: {e}"))
            }
        }
    }

    fn call(&mut self, name: &str, argv: Vec<Value>) -> Result<Value, String> {
        let arg = |i: usize| argv.get(i).cloned().unwrap_or(Value::Nil);
        let s = |i: usize| match argv.get(i) {
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        };
        Ok(match name {
            "not" => Value::Bool(!is_true(&arg(0))),
            "len" => Value::Int(go_len(&arg(0))?),
            "index" => index(&argv)?,
            "eq" => Value::Bool(eq(&argv)?),
            "ne" => Value::Bool(!eq(&argv)?),
            "lt" => Value::Bool(less(&arg(0), &arg(1))?),
            "le" => Value::Bool(less(&arg(0), &arg(1))? || eq(&argv)?),
            "gt" => Value::Bool(!(less(&arg(0), &arg(1))? || eq(&argv)?)),
            "ge" => Value::Bool(!less(&arg(0), &arg(1))?),
            "print" => Value::String(sprint(&argv)),
            "println" => Value::String(sprintln(&argv)),
            "printf" => {
                let rest: Vec<Arg> = argv
                    .get(1..)
                    .unwrap_or(&[])
                    .iter()
                    .map(Value::to_arg)
                    .collect();
                Value::String(gofmt::sprintf(&s(0), &rest))
            }
            "html" => Value::String(html_escape(&eval_args(&argv))),
            "js" => Value::String(js_escape(&eval_args(&argv))),
            "urlquery" => Value::String(funcs::query_escape(&eval_args(&argv))),
            "slice" => slice(&argv)?,
            "call" => return Err("call is not supported by the lab's templates".into()),
            _ => return funcs::call(name, argv, self.env),
        })
    }
}

fn set_top(vars: &mut [(String, Value)], len: usize, n: usize, v: Value) {
    if let Some(slot) = len.checked_sub(n).and_then(|i| vars.get_mut(i)) {
        slot.1 = v;
    }
}

/// Go's `truth`.
pub fn is_true(v: &Value) -> bool {
    match v {
        Value::Missing | Value::Nil => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::String(s) | Value::Html(s) => !s.is_empty(),
        Value::StringMap(m) => !m.is_empty(),
        Value::AnyMap(m) => !m.is_empty(),
        Value::QueryResult(r) => !r.is_empty(),
        Value::Data(_) => true,
        Value::Sample(s) => s.is_some(),
        Value::Time(t) => t.is_some(),
    }
}

/// The kinds of parameters functions take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Param {
    /// `interface{}` (or `reflect.Value`).
    Any,
    Str,
    /// `template.queryResult`
    Results,
    /// `*template.sample`
    SamplePtr,
}

impl Param {
    fn type_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str => "string",
            Param::Results => "template.queryResult",
            Param::SamplePtr => "*template.sample",
        }
    }
}

pub(super) struct Signature {
    pub params: &'static [Param],
    pub variadic: Option<Param>,
}

/// The parameters of every function a template may call: Go's built-ins
/// and Prometheus's.
pub(super) fn signature(name: &str) -> Option<Signature> {
    use Param::*;
    let sig = |params: &'static [Param], variadic: Option<Param>| Signature { params, variadic };
    Some(match name {
        "and" | "or" => sig(&[Any], Some(Any)),
        "not" | "len" => sig(&[Any], None),
        "index" | "slice" => sig(&[Any], Some(Any)),
        "eq" => sig(&[Any], Some(Any)),
        "ne" | "lt" | "le" | "gt" | "ge" => sig(&[Any, Any], None),
        "print" | "println" | "html" | "js" | "urlquery" => sig(&[], Some(Any)),
        "printf" => sig(&[Str], Some(Any)),
        "call" => sig(&[Any], Some(Any)),
        _ => return funcs::signature(name),
    })
}

fn go_len(v: &Value) -> Result<i64, String> {
    Ok(match v {
        Value::String(s) | Value::Html(s) => s.len() as i64,
        Value::StringMap(m) => m.len() as i64,
        Value::AnyMap(m) => m.len() as i64,
        Value::QueryResult(r) => r.len() as i64,
        Value::Nil | Value::Missing => return Err("len of untyped nil".into()),
        other => return Err(format!("len of type {}", other.type_name())),
    })
}

fn index(argv: &[Value]) -> Result<Value, String> {
    let mut item = argv.first().cloned().unwrap_or(Value::Nil);
    for ix in argv.get(1..).unwrap_or(&[]) {
        item = match (&item, ix) {
            (Value::StringMap(m), Value::String(k)) => {
                Value::String(m.get(k).cloned().unwrap_or_default())
            }
            (Value::AnyMap(m), Value::String(k)) => m.get(k).cloned().unwrap_or(Value::Nil),
            (Value::StringMap(_) | Value::AnyMap(_), other) => {
                return Err(format!(
                    "value has type {}; should be string",
                    other.type_name()
                ))
            }
            (Value::QueryResult(r), Value::Int(i)) => {
                match usize::try_from(*i).ok().and_then(|i| r.get(i)) {
                    Some(s) => Value::Sample(Some(s.clone())),
                    None => return Err(format!("index out of range: {i}")),
                }
            }
            (Value::String(s), Value::Int(i)) => {
                match usize::try_from(*i).ok().and_then(|i| s.as_bytes().get(i)) {
                    Some(b) => Value::Int(i64::from(*b)),
                    None => return Err(format!("index out of range: {i}")),
                }
            }
            (Value::QueryResult(_) | Value::String(_), other) => {
                return Err(format!(
                    "cannot index slice/array with type {}",
                    other.type_name()
                ))
            }
            (Value::Nil | Value::Missing, _) => return Err("index of untyped nil".into()),
            (other, _) => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

/// Go's `slice`: `slice x 1 2` is `x[1:2]`, for strings and query results.
fn slice(argv: &[Value]) -> Result<Value, String> {
    let item = argv.first().cloned().unwrap_or(Value::Nil);
    let len = match &item {
        Value::String(s) => s.len(),
        Value::QueryResult(r) => r.len(),
        Value::Nil | Value::Missing => return Err("slice of untyped nil".into()),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut ix = Vec::new();
    for v in argv.get(1..).unwrap_or(&[]) {
        match v {
            Value::Int(i) => {
                ix.push(usize::try_from(*i).map_err(|_| format!("index out of range: {i}"))?)
            }
            other => {
                return Err(format!(
                    "cannot index slice/array with type {}",
                    other.type_name()
                ))
            }
        }
    }
    if ix.len() > 2 {
        return Err(format!("too many slice indexes: {}", ix.len()));
    }
    let lo = ix.first().copied().unwrap_or(0);
    let hi = ix.get(1).copied().unwrap_or(len);
    if lo > hi || hi > len {
        return Err(format!(
            "index out of range: {}",
            if hi > len { hi } else { lo }
        ));
    }
    Ok(match item {
        Value::String(s) => Value::String(
            s.get(lo..hi)
                .ok_or_else(|| format!("index out of range: {lo}"))?
                .to_string(),
        ),
        Value::QueryResult(r) => Value::QueryResult(Rc::new(r[lo..hi].to_vec())),
        _ => Value::Nil,
    })
}

#[derive(PartialEq)]
enum Kind {
    Bool,
    Int,
    Float,
    String,
    Invalid,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) | Value::Html(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

fn bad_comparison(a: &Value, b: &Value) -> String {
    format!(
        "incompatible types for comparison: {} and {}",
        a.type_name(),
        b.type_name()
    )
}
const BAD_COMPARISON_TYPE: &str = "invalid type for comparison";

fn eq(argv: &[Value]) -> Result<bool, String> {
    let a = argv.first().cloned().unwrap_or(Value::Nil);
    if argv.len() < 2 {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(&a);
    for b in argv.get(1..).unwrap_or(&[]) {
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            let valid = |v: &Value| !matches!(v, Value::Missing | Value::Nil);
            if valid(&a) && valid(b) {
                return Err(bad_comparison(&a, b));
            }
            false
        } else {
            match (&a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x), Value::Int(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(x) | Value::Html(x), Value::String(y) | Value::Html(y)) => x == y,
                (Value::Nil | Value::Missing, Value::Nil | Value::Missing) => true,
                (Value::Sample(x), Value::Sample(y)) => match (x, y) {
                    (Some(x), Some(y)) => Rc::ptr_eq(x, y),
                    (None, None) => true,
                    _ => false,
                },
                (x, y) => {
                    return Err(format!(
                        "non-comparable types {}: {}, {}: {}",
                        x.to_text(),
                        x.type_name(),
                        y.type_name(),
                        y.to_text()
                    ))
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn less(a: &Value, b: &Value) -> Result<bool, String> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 == Kind::Invalid || k2 == Kind::Invalid {
        return Err(BAD_COMPARISON_TYPE.into());
    }
    if k1 != k2 {
        return Err(bad_comparison(a, b));
    }
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::String(x) | Value::Html(x), Value::String(y) | Value::Html(y)) => x < y,
        _ => return Err(BAD_COMPARISON_TYPE.into()),
    })
}

/// `fmt.Sprint`: spaces between operands when neither is a string.
fn sprint(argv: &[Value]) -> String {
    let mut out = String::new();
    for (i, v) in argv.iter().enumerate() {
        let is_string = |v: &Value| matches!(v, Value::String(_) | Value::Html(_));
        let prev_string = i > 0 && argv.get(i - 1).is_some_and(is_string);
        if i > 0 && !is_string(v) && !prev_string {
            out.push(' ');
        }
        out.push_str(&printed(v));
    }
    out
}

fn sprintln(argv: &[Value]) -> String {
    let parts: Vec<String> = argv.iter().map(printed).collect();
    format!("{}\n", parts.join(" "))
}

/// How `fmt` prints an argument passed as `interface{}`: a missing value
/// became nil.
fn printed(v: &Value) -> String {
    match v {
        Value::Missing => "<nil>".into(),
        other => other.to_text(),
    }
}

/// The text the escaping functions escape: a lone string as it is,
/// anything else as `fmt.Sprint` prints it.
fn eval_args(argv: &[Value]) -> String {
    match argv {
        [Value::String(s)] => s.clone(),
        _ => sprint(argv),
    }
}

/// Go's `template.HTMLEscapeString`.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
