//! The parser of Go's `text/template`: the tree of text, actions, `if`,
//! `range`, `with`, `define`/`template`/`block`, `break` and `continue`,
//! pipelines, commands and operands, with Go's checks (undefined variables
//! and functions, empty commands, misplaced `{{end}}`) and messages.

use super::lex::{lex, Item, ItemKind};
use std::collections::BTreeMap;
use std::fmt;

/// A node of a template's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    Action(Pipe),
    If(Control),
    Range(Control),
    With(Control),
    /// `{{template "name" pipeline}}` (and what `{{block}}` leaves).
    Template {
        pos: usize,
        line: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break {
        pos: usize,
    },
    Continue {
        pos: usize,
    },
}

/// The parts of `if`, `range` and `with`.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

/// `$x := cmd | cmd`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipe {
    pub pos: usize,
    pub line: usize,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    pub decl: Vec<String>,
    pub cmds: Vec<Command>,
}

/// One command of a pipeline: operands separated by spaces.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub pos: usize,
    pub args: Vec<Operand>,
}

/// A number literal, read as Go reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub text: String,
    pub int: Option<i64>,
    pub float: Option<f64>,
}

/// An operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `.A.B`
    Field {
        pos: usize,
        idents: Vec<String>,
    },
    /// `$x.A.B`; the first ident is the variable.
    Variable {
        pos: usize,
        idents: Vec<String>,
    },
    Dot {
        pos: usize,
    },
    Nil {
        pos: usize,
    },
    Bool {
        pos: usize,
        value: bool,
    },
    Number {
        pos: usize,
        number: Number,
    },
    String {
        pos: usize,
        quoted: String,
        text: String,
    },
    /// A function name.
    Identifier {
        pos: usize,
        name: String,
    },
    /// `(pipeline)`
    Pipe(Box<Pipe>),
    /// `(pipeline).A.B` and other fields after a term.
    Chain {
        pos: usize,
        node: Box<Operand>,
        fields: Vec<String>,
    },
}

impl Operand {
    pub fn pos(&self) -> usize {
        match self {
            Operand::Field { pos, .. }
            | Operand::Variable { pos, .. }
            | Operand::Dot { pos }
            | Operand::Nil { pos }
            | Operand::Bool { pos, .. }
            | Operand::Number { pos, .. }
            | Operand::String { pos, .. }
            | Operand::Identifier { pos, .. }
            | Operand::Chain { pos, .. } => *pos,
            Operand::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Operand {
    /// As Go prints a node in its execution errors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field { idents, .. } => {
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Operand::Variable { idents, .. } => f.write_str(&idents.join(".")),
            Operand::Dot { .. } => f.write_str("."),
            Operand::Nil { .. } => f.write_str("nil"),
            Operand::Bool { value, .. } => write!(f, "{value}"),
            Operand::Number { number, .. } => f.write_str(&number.text),
            Operand::String { quoted, .. } => f.write_str(quoted),
            Operand::Identifier { name, .. } => f.write_str(name),
            Operand::Pipe(p) => write!(f, "({p})"),
            Operand::Chain { node, fields, .. } => {
                match node.as_ref() {
                    Operand::Pipe(p) => write!(f, "({p})")?,
                    other => write!(f, "{other}")?,
                }
                for field in fields {
                    write!(f, ".{field}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            match a {
                Operand::Pipe(p) => write!(f, "({p})")?,
                other => write!(f, "{other}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            f.write_str(&self.decl.join(", "))?;
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// A parse error: Go's message (without the `template: name:line: `
/// prefix), the line Go names, and where in the text it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseFailure {
    pub message: String,
    pub line: usize,
    pub pos: usize,
}

/// A parsed template: its body and the templates it `define`s.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tree {
    pub root: Vec<Node>,
    pub defines: BTreeMap<String, Vec<Node>>,
}

/// Parses `text`. `vars` are variables declared before the text (`$` is
/// always declared); `has_function` says which function names exist.
pub fn parse(
    text: &str,
    vars: &[&str],
    has_function: &dyn Fn(&str) -> bool,
) -> Result<Tree, ParseFailure> {
    let mut p = Parser {
        items: lex(text),
        i: 0,
        vars: std::iter::once("$")
            .chain(vars.iter().copied())
            .map(String::from)
            .collect(),
        has_function,
        range_depth: 0,
        action_line: 0,
        last_line: 1,
        last_pos: 0,
        defines: BTreeMap::new(),
        depth: 0,
    };
    let root = p.parse_top()?;
    Ok(Tree {
        root,
        defines: p.defines,
    })
}

/// How deeply parentheses and control structures may nest: far beyond any
/// real template, and short of the stack.
const MAX_DEPTH: usize = 100;

struct Parser<'f> {
    items: Vec<Item>,
    i: usize,
    vars: Vec<String>,
    has_function: &'f dyn Fn(&str) -> bool,
    range_depth: usize,
    /// The line of the `{{` of the action being parsed.
    action_line: usize,
    /// The line and position of the last token taken, for messages.
    last_line: usize,
    last_pos: usize,
    defines: BTreeMap<String, Vec<Node>>,
    depth: usize,
}

type PResult<T> = Result<T, ParseFailure>;

/// What ends an item list.
enum End {
    End,
    Else,
}

impl Parser<'_> {
    fn item(&self, i: usize) -> Item {
        self.items
            .get(i)
            .or(self.items.last())
            .cloned()
            .unwrap_or(Item {
                kind: ItemKind::Eof,
                pos: 0,
                val: String::new(),
                line: 1,
            })
    }

    fn next(&mut self) -> Item {
        let it = self.item(self.i);
        if self.i < self.items.len() {
            self.i += 1;
        }
        self.last_line = it.line;
        self.last_pos = it.pos;
        it
    }

    fn backup(&mut self) {
        self.i = self.i.saturating_sub(1);
    }

    fn peek(&self) -> Item {
        self.item(self.i)
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let it = self.next();
            if it.kind != ItemKind::Space {
                return it;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let save = self.i;
        let it = self.next_non_space();
        // Spaces skipped stay skipped, as in Go; only the token is put back.
        self.i = save;
        while self.item(self.i).kind == ItemKind::Space && self.i < self.items.len() {
            self.i += 1;
        }
        it
    }

    fn fail<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(ParseFailure {
            message: message.into(),
            line: self.last_line,
            pos: self.last_pos,
        })
    }

    fn unexpected<T>(&self, token: &Item, context: &str) -> PResult<T> {
        if token.kind == ItemKind::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(" in action started at line {}", self.action_line);
                if token.val.ends_with(" action") {
                    extra = extra.replacen(" in action", "", 1);
                }
            }
            return Err(ParseFailure {
                message: format!("{token}{extra}"),
                line: token.line,
                pos: token.pos,
            });
        }
        Err(ParseFailure {
            message: format!("unexpected {token} in {context}"),
            line: token.line,
            pos: token.pos,
        })
    }

    fn expect(&mut self, kind: ItemKind, context: &str) -> PResult<Item> {
        let t = self.next_non_space();
        if t.kind != kind {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().kind != ItemKind::Eof {
            if self.peek().kind == ItemKind::Error {
                let t = self.next();
                return self.unexpected(&t, "input");
            }
            if self.peek().kind == ItemKind::LeftDelim {
                let save = self.i;
                self.next();
                if self.next_non_space().kind == ItemKind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.i = save;
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.push(n),
                Parsed::End => return self.fail("unexpected {{end}}"),
                Parsed::Else => return self.fail("unexpected {{else}}"),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let t = self.next_non_space();
        let name = match t.kind {
            ItemKind::String | ItemKind::RawString => match unquote(&t.val) {
                Some(s) => s,
                None => return self.fail("invalid syntax"),
            },
            _ => return self.unexpected(&t, context),
        };
        self.expect(ItemKind::RightDelim, context)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if !matches!(end, End::End) {
            return self.fail(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_definition(name, list)
    }

    fn add_definition(&mut self, name: String, list: Vec<Node>) -> PResult<()> {
        let empty = |l: &[Node]| {
            l.iter()
                .all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()))
        };
        if let Some(old) = self.defines.get(&name) {
            if !empty(old) && !empty(&list) {
                return self.fail(format!(
                    "template: multiple definition of template {}",
                    crate::rules::gofmt::quote(&name)
                ));
            }
            if empty(&list) {
                return Ok(());
            }
        }
        self.defines.insert(name, list);
        Ok(())
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, End)> {
        let mut list = Vec::new();
        while self.peek_non_space().kind != ItemKind::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.push(n),
                Parsed::End => return Ok((list, End::End)),
                Parsed::Else => return Ok((list, End::Else)),
            }
        }
        self.fail("unexpected EOF")
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let t = self.next_non_space();
        match t.kind {
            ItemKind::Text => Ok(Parsed::Node(Node::Text(t.val))),
            ItemKind::LeftDelim => {
                self.action_line = t.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => self.unexpected(&t, "input"),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let t = self.next_non_space();
        match t.kind {
            ItemKind::Block => return self.block_control().map(Parsed::Node),
            ItemKind::Break => {
                if self.range_depth == 0 {
                    return self.fail("{{break}} outside {{range}}");
                }
                self.expect(ItemKind::RightDelim, "{{break}}")?;
                return Ok(Parsed::Node(Node::Break { pos: t.pos }));
            }
            ItemKind::Continue => {
                if self.range_depth == 0 {
                    return self.fail("{{continue}} outside {{range}}");
                }
                self.expect(ItemKind::RightDelim, "{{continue}}")?;
                return Ok(Parsed::Node(Node::Continue { pos: t.pos }));
            }
            ItemKind::Else => return self.else_control(),
            ItemKind::End => {
                self.expect(ItemKind::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            ItemKind::If => return self.control("if").map(|c| Parsed::Node(Node::If(c))),
            ItemKind::Range => return self.control("range").map(|c| Parsed::Node(Node::Range(c))),
            ItemKind::Template => return self.template_control().map(Parsed::Node),
            ItemKind::With => return self.control("with").map(|c| Parsed::Node(Node::With(c))),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", ItemKind::RightDelim)?;
        Ok(Parsed::Node(Node::Action(pipe)))
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if matches!(peek.kind, ItemKind::If | ItemKind::With) {
            return Ok(Parsed::Else);
        }
        self.expect(ItemKind::RightDelim, "else")?;
        Ok(Parsed::Else)
    }

    fn control(&mut self, context: &str) -> PResult<Control> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.fail("template nested too deeply");
        }
        let vars = self.vars.len();
        let r = self.control_inner(context);
        self.vars.truncate(vars);
        self.depth -= 1;
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Control> {
        let pipe = self.pipeline(context, ItemKind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, end) = r?;
        let else_list = match end {
            End::End => None,
            End::Else => {
                let next = self.peek().kind;
                if context == "if" && next == ItemKind::If {
                    self.next();
                    Some(vec![Node::If(self.control("if")?)])
                } else if context == "with" && next == ItemKind::With {
                    self.next();
                    Some(vec![Node::With(self.control("with")?)])
                } else {
                    let (list, end) = self.item_list()?;
                    if !matches!(end, End::End) {
                        return self.fail("expected end; found {{else}}");
                    }
                    Some(list)
                }
            }
        };
        Ok(Control {
            pipe,
            list,
            else_list,
        })
    }

    fn template_name(&mut self, t: &Item, context: &str) -> PResult<String> {
        match t.kind {
            ItemKind::String | ItemKind::RawString => match unquote(&t.val) {
                Some(s) => Ok(s),
                None => self.fail("invalid syntax"),
            },
            _ => self.unexpected(t, context),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, context)?;
        let pipe = if self.next_non_space().kind != ItemKind::RightDelim {
            self.backup();
            Some(self.pipeline(context, ItemKind::RightDelim)?)
        } else {
            None
        };
        Ok(Node::Template {
            pos: t.pos,
            line: t.line,
            name,
            pipe,
        })
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, context)?;
        let pipe = self.pipeline(context, ItemKind::RightDelim)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if !matches!(end, End::End) {
            return self.fail(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_definition(name.clone(), list)?;
        Ok(Node::Template {
            pos: t.pos,
            line: t.line,
            name,
            pipe: Some(pipe),
        })
    }

    fn pipeline(&mut self, context: &str, end: ItemKind) -> PResult<Pipe> {
        let first = self.peek_non_space();
        let mut pipe = Pipe {
            pos: first.pos,
            line: first.line,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations: `$x :=`, `$x =`, `$i, $e :=` (range only).
        loop {
            let v = self.peek_non_space();
            if v.kind != ItemKind::Variable {
                break;
            }
            let save = self.i;
            self.next();
            let next = self.peek_non_space();
            match next.kind {
                ItemKind::Assign | ItemKind::Declare => {
                    pipe.is_assign = next.kind == ItemKind::Assign;
                    self.next_non_space();
                    pipe.decl.push(v.val.clone());
                    self.vars.push(v.val);
                    break;
                }
                ItemKind::Char if next.val == "," => {
                    self.next_non_space();
                    pipe.decl.push(v.val.clone());
                    self.vars.push(v.val);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().kind {
                            ItemKind::Variable | ItemKind::RightDelim | ItemKind::RightParen => {
                                continue
                            }
                            _ => return self.fail("range can only initialize variables"),
                        }
                    }
                    return self.fail(format!("too many declarations in {context}"));
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            match t.kind {
                k if k == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                ItemKind::Bool
                | ItemKind::CharConstant
                | ItemKind::Complex
                | ItemKind::Dot
                | ItemKind::Field
                | ItemKind::Identifier
                | ItemKind::Number
                | ItemKind::Nil
                | ItemKind::RawString
                | ItemKind::String
                | ItemKind::Variable
                | ItemKind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return self.unexpected(&t, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.fail(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Operand::Bool { .. }
                        | Operand::Dot { .. }
                        | Operand::Nil { .. }
                        | Operand::Number { .. }
                        | Operand::String { .. }
                )
            ) {
                return self.fail(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let t = self.next();
            match t.kind {
                ItemKind::Space => continue,
                ItemKind::RightDelim | ItemKind::RightParen => self.backup(),
                ItemKind::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.fail("empty command");
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Operand>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != ItemKind::Field {
            return Ok(Some(node));
        }
        let pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().kind == ItemKind::Field {
            let f = self.next();
            fields.push(f.val.trim_start_matches('.').to_string());
        }
        Ok(Some(match node {
            // Go gives the merged node the position of the first field.
            Operand::Field { mut idents, .. } => {
                idents.extend(fields);
                Operand::Field { pos, idents }
            }
            Operand::Variable { mut idents, .. } => {
                idents.extend(fields);
                Operand::Variable { pos, idents }
            }
            Operand::Bool { .. }
            | Operand::String { .. }
            | Operand::Number { .. }
            | Operand::Nil { .. }
            | Operand::Dot { .. } => {
                return self.fail(format!(
                    "unexpected . after term {}",
                    crate::rules::gofmt::quote(&node.to_string())
                ))
            }
            other => Operand::Chain {
                pos,
                node: Box::new(other),
                fields,
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Operand>> {
        let t = self.next_non_space();
        Ok(Some(match t.kind {
            ItemKind::Error => return self.fail(t.val.clone()),
            ItemKind::Identifier => {
                if !(self.has_function)(&t.val) {
                    return self.fail(format!(
                        "function {} not defined",
                        crate::rules::gofmt::quote(&t.val)
                    ));
                }
                Operand::Identifier {
                    pos: t.pos,
                    name: t.val,
                }
            }
            ItemKind::Dot => Operand::Dot { pos: t.pos },
            ItemKind::Nil => Operand::Nil { pos: t.pos },
            ItemKind::Variable => {
                if !self.vars.contains(&t.val) {
                    return self.fail(format!(
                        "undefined variable {}",
                        crate::rules::gofmt::quote(&t.val)
                    ));
                }
                Operand::Variable {
                    pos: t.pos,
                    idents: vec![t.val],
                }
            }
            ItemKind::Field => Operand::Field {
                pos: t.pos,
                idents: t
                    .val
                    .split('.')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            },
            ItemKind::Bool => Operand::Bool {
                pos: t.pos,
                value: t.val == "true",
            },
            ItemKind::CharConstant | ItemKind::Complex | ItemKind::Number => {
                let number = match parse_number(&t.val, t.kind) {
                    Ok(n) => n,
                    Err(m) => return self.fail(m),
                };
                Operand::Number { pos: t.pos, number }
            }
            ItemKind::LeftParen => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return self.fail("template nested too deeply");
                }
                let pipe = self.pipeline("parenthesized pipeline", ItemKind::RightParen);
                self.depth -= 1;
                Operand::Pipe(Box::new(pipe?))
            }
            ItemKind::String | ItemKind::RawString => match unquote(&t.val) {
                Some(text) => Operand::String {
                    pos: t.pos,
                    quoted: t.val,
                    text,
                },
                None => return self.fail("invalid syntax"),
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

enum Parsed {
    Node(Node),
    End,
    Else,
}

/// Go's `strconv.Unquote` for "…" and `…` strings.
pub fn unquote(s: &str) -> Option<String> {
    if let Some(raw) = s.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
        return Some(raw.replace('\r', ""));
    }
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    unescape(inner, '"')
}

/// Reads Go escapes (`\n`, `\x41`, `\u00e9`, `\101`, …) in a quoted
/// string's body.
fn unescape(inner: &str, quote: char) -> Option<String> {
    let mut out = String::new();
    let mut bytes: Vec<u8> = Vec::new();
    let mut chars = inner.chars().peekable();
    let flush = |bytes: &mut Vec<u8>, out: &mut String| -> Option<()> {
        if !bytes.is_empty() {
            out.push_str(std::str::from_utf8(bytes).ok()?);
            bytes.clear();
        }
        Some(())
    };
    while let Some(c) = chars.next() {
        if c == quote || c == '\n' {
            return None;
        }
        if c != '\\' {
            flush(&mut bytes, &mut out)?;
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let hex = |chars: &mut std::iter::Peekable<std::str::Chars>, n: usize| -> Option<u32> {
            let mut v = 0u32;
            for _ in 0..n {
                v = v * 16 + chars.next()?.to_digit(16)?;
            }
            Some(v)
        };
        match e {
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            '\'' if quote == '\'' => out.push('\''),
            '"' if quote == '"' => out.push('"'),
            'x' => {
                bytes.push(u8::try_from(hex(&mut chars, 2)?).ok()?);
                continue;
            }
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    v = v * 8 + chars.next()?.to_digit(8)?;
                }
                bytes.push(u8::try_from(v).ok()?);
                continue;
            }
            'u' => out.push(char::from_u32(hex(&mut chars, 4)?)?),
            'U' => out.push(char::from_u32(hex(&mut chars, 8)?)?),
            _ => return None,
        }
        flush(&mut bytes, &mut out)?;
    }
    flush(&mut bytes, &mut out)?;
    Some(out)
}

/// Reads a number token as Go's template parser does: an integer when it
/// reads as one (`0x1F`, `1_000`, a character constant), a float when it
/// reads as one; complex numbers are refused here.
fn parse_number(text: &str, kind: ItemKind) -> Result<Number, String> {
    let illegal = || {
        format!(
            "illegal number syntax: {}",
            crate::rules::gofmt::quote(text)
        )
    };
    if kind == ItemKind::CharConstant {
        let inner = text
            .strip_prefix('\'')
            .and_then(|t| t.strip_suffix('\''))
            .ok_or("malformed character constant")?;
        let s = unescape(inner, '\'').ok_or_else(|| "invalid syntax".to_string())?;
        let mut cs = s.chars();
        let (Some(c), None) = (cs.next(), cs.next()) else {
            return Err(format!("malformed character constant: {text}"));
        };
        return Ok(Number {
            text: text.to_string(),
            int: Some(c as i64),
            float: Some(c as u32 as f64),
        });
    }
    if kind == ItemKind::Complex || text.ends_with('i') {
        return Err("complex numbers are not supported in rule templates".into());
    }
    let mut int = parse_go_int(text);
    let mut float = int.map(|i| i as f64);
    if int.is_none() {
        let clean: String = text.chars().filter(|c| *c != '_').collect();
        let unsigned = clean.trim_start_matches(['+', '-']).to_ascii_lowercase();
        if !unsigned.starts_with("0x") {
            if let Some(f) = crate::exposition::parse_float(&clean) {
                if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                    return Err(format!("integer overflow: {text}"));
                }
                float = Some(f);
                // An integral float is also an int, as in Go.
                if f.fract() == 0.0 && f.abs() < 9.2e18 {
                    int = Some(f as i64);
                }
            }
        }
    }
    if int.is_none() && float.is_none() {
        return Err(illegal());
    }
    Ok(Number {
        text: text.to_string(),
        int,
        float,
    })
}

/// Go's `strconv.ParseInt(text, 0, 64)`: base prefixes and underscores.
fn parse_go_int(text: &str) -> Option<i64> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower.clone())
    };
    if digits.is_empty() || digits.starts_with('_') && radix == 10 {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    let v = i128::from_str_radix(&clean, radix).ok()?;
    let v = if neg { -v } else { v };
    i64::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn funcs(name: &str) -> bool {
        matches!(name, "printf" | "humanize" | "eq" | "query")
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn parse_errors_use_gos_words() {
        for (text, want) in [
            ("{{$label.instance}}", "undefined variable \"$label\""),
            ("{{$labels.quantile * 100}}", "unexpected \"*\" in operand"),
            ("{{ foo }}", "function \"foo\" not defined"),
            ("{{ if 1 }}x", "unexpected EOF"),
            ("{{ end }}", "unexpected {{end}}"),
            ("{{ else }}", "unexpected {{else}}"),
            ("{{ }}", "missing value for command"),
            ("{{ if }}{{ end }}", "missing value for if"),
            ("{{ 1 | 2 }}", "non executable command in pipeline stage 2"),
            ("{{", "unclosed action"),
            ("{{ \"a\".b }}", "unexpected . after term \"\\\"a\\\"\""),
            ("{{ break }}", "{{break}} outside {{range}}"),
            (
                "{{ range $a, $b, $c := . }}{{ end }}",
                "too many declarations in range",
            ),
            (
                "{{ with $x, $y := . }}{{ end }}",
                "too many declarations in with",
            ),
            ("{{ ( 1 }}", "unclosed left paren"),
        ] {
            let err = parse(text, &["$labels"], &funcs).unwrap_err();
            assert_eq!(err.message, want, "{text}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_tree_prints_its_commands_back() {
        let tree = parse(
            "{{ $v := humanize $labels.x | printf \"%s\" }}{{ if eq $v \"1\" }}a{{ else if .X }}b{{ end }}",
            &["$labels"],
            &funcs,
        )
        .unwrap();
        let Node::Action(p) = &tree.root[0] else {
            panic!()
        };
        assert_eq!(p.to_string(), "$v := humanize $labels.x | printf \"%s\"");
        let Node::If(c) = &tree.root[1] else { panic!() };
        assert!(matches!(c.else_list.as_deref(), Some([Node::If(_)])));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn numbers_read_as_go_reads_them() {
        for (text, int, float) in [
            ("1", Some(1), Some(1.0)),
            ("-0x1F", Some(-31), Some(-31.0)),
            ("1_000", Some(1000), Some(1000.0)),
            ("010", Some(8), Some(8.0)),
            ("1.5", None, Some(1.5)),
            ("1e3", Some(1000), Some(1000.0)),
            ("'a'", Some(97), Some(97.0)),
        ] {
            let kind = if text.starts_with('\'') {
                ItemKind::CharConstant
            } else {
                ItemKind::Number
            };
            let n = parse_number(text, kind).unwrap();
            assert_eq!((n.int, n.float), (int, float), "{text}");
        }
        assert!(parse_number("-", ItemKind::Number).is_err());
    }
}
