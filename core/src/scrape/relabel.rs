//! Relabelling as Prometheus 3.5 does it: the rules of `relabel_configs`
//! (targets, before a scrape) and `metric_relabel_configs` (every scraped
//! sample), applied in order to a label set that the rules may change or
//! drop.
//!
//! ```
//! use promlab_core::labels::Labels;
//! use promlab_core::scrape::relabel::{process, Action, RelabelConfig};
//! let keep_node = RelabelConfig {
//!     source_labels: vec!["job".into()],
//!     regex: "node.*".parse().unwrap(),
//!     action: Action::Keep,
//!     ..RelabelConfig::default()
//! };
//! let node = Labels::from_pairs([("job", "node-exporter")]);
//! assert_eq!(process(&node, &[keep_node.clone()]), Some(node));
//! assert_eq!(process(&Labels::from_pairs([("job", "app")]), &[keep_node]), None);
//! ```
//!
//! The rules see the label set through a [`Builder`] that behaves as
//! Prometheus's `labels.Builder`: changes are kept apart from the original
//! set, and `labelmap`/`labeldrop`/`labelkeep` walk the unchanged labels in
//! name order and then the changed ones in the order they were set. That
//! order decides which label wins when `labelmap` maps two labels to one
//! name.

use crate::labels::{Label, Labels};
use crate::regexp::{RegexError, Regexp};
use md5::{Digest, Md5};
use std::fmt;
use std::str::FromStr;

/// What a rule does. Prometheus reads the name case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Replace,
    Keep,
    Drop,
    KeepEqual,
    DropEqual,
    HashMod,
    LabelMap,
    LabelDrop,
    LabelKeep,
    Lowercase,
    Uppercase,
}

impl Action {
    pub const ALL: [Action; 11] = [
        Action::Replace,
        Action::Keep,
        Action::Drop,
        Action::KeepEqual,
        Action::DropEqual,
        Action::HashMod,
        Action::LabelMap,
        Action::LabelDrop,
        Action::LabelKeep,
        Action::Lowercase,
        Action::Uppercase,
    ];

    /// The action named `name`, in any letter case, as Prometheus reads it.
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        Action::ALL.into_iter().find(|a| a.as_str() == lower)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Replace => "replace",
            Action::Keep => "keep",
            Action::Drop => "drop",
            Action::KeepEqual => "keepequal",
            Action::DropEqual => "dropequal",
            Action::HashMod => "hashmod",
            Action::LabelMap => "labelmap",
            Action::LabelDrop => "labeldrop",
            Action::LabelKeep => "labelkeep",
            Action::Lowercase => "lowercase",
            Action::Uppercase => "uppercase",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The regex a rule has when none is given.
pub const DEFAULT_REGEX: &str = "(.*)";
/// The separator a rule has when none is given.
pub const DEFAULT_SEPARATOR: &str = ";";
/// The replacement a rule has when none is given.
pub const DEFAULT_REPLACEMENT: &str = "$1";

/// One relabelling rule: an entry of `relabel_configs` or
/// `metric_relabel_configs`.
#[derive(Debug, Clone, PartialEq)]
pub struct RelabelConfig {
    /// Labels whose values are joined with `separator` into the value the
    /// rule looks at.
    pub source_labels: Vec<String>,
    pub separator: String,
    /// Anchored at both ends.
    pub regex: Regexp,
    /// For `hashmod`: the modulus of the hash.
    pub modulus: u64,
    /// The label a `replace`, `hashmod`, `lowercase`, `uppercase`,
    /// `keepequal` or `dropequal` rule writes or compares; `replace` may use
    /// `$1` in it.
    pub target_label: String,
    /// What `replace` writes and what `labelmap` renames to, with `$1`,
    /// `${1}` or `$name` standing for groups of the regex.
    pub replacement: String,
    pub action: Action,
}

impl Default for RelabelConfig {
    /// Prometheus's defaults: `replace`, separator `;`, regex `(.*)`,
    /// replacement `$1`.
    fn default() -> Self {
        RelabelConfig {
            source_labels: Vec::new(),
            separator: DEFAULT_SEPARATOR.into(),
            regex: default_regex(),
            modulus: 0,
            target_label: String::new(),
            replacement: DEFAULT_REPLACEMENT.into(),
            action: Action::Replace,
        }
    }
}

fn default_regex() -> Regexp {
    // A constant pattern, not input: it always compiles.
    #[allow(clippy::expect_used)]
    Regexp::new(DEFAULT_REGEX).expect("the default relabel regex compiles")
}

impl FromStr for Regexp {
    type Err = RegexError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Regexp::new(s)
    }
}

/// Why a rule is refused, worded as Prometheus words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelabelErrorKind {
    /// `hashmod` with `modulus` 0 or missing.
    HashModNeedsModulus,
    /// An action that writes or compares a label has no `target_label`.
    TargetLabelRequired(Action),
    /// A `target_label` that is not a label name (nor, for `replace`, a
    /// template of one).
    InvalidTargetLabel(Action, String),
    /// `replacement` set on an action that does not use it.
    ReplacementNotAllowed(Action),
    /// A `labelmap` replacement that cannot make a label name.
    InvalidReplacement(Action, String),
    /// `keepequal`/`dropequal` with fields other than `source_labels` and
    /// `target_label`.
    EqualTakesOnlySourceAndTarget(Action),
    /// `labeldrop`/`labelkeep` with fields other than `regex`.
    LabelDropKeepTakesOnlyRegex(Action),
    /// The action is empty (`action: ~`).
    EmptyAction,
    /// An action Prometheus does not have.
    UnknownAction(String),
    /// A regex that does not compile.
    InvalidRegex(RegexError),
    /// An empty name in `source_labels`.
    InvalidSourceLabel(String),
}

impl fmt::Display for RelabelErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RelabelErrorKind::HashModNeedsModulus => {
                f.write_str("relabel configuration for hashmod requires non-zero modulus")
            }
            RelabelErrorKind::TargetLabelRequired(a) => write!(
                f,
                "relabel configuration for {a} action requires 'target_label' value"
            ),
            RelabelErrorKind::InvalidTargetLabel(a, t) => {
                write!(f, "{t:?} is invalid 'target_label' for {a} action")
            }
            RelabelErrorKind::ReplacementNotAllowed(a) => {
                write!(f, "'replacement' can not be set for {a} action")
            }
            RelabelErrorKind::InvalidReplacement(a, r) => {
                write!(f, "{r:?} is invalid 'replacement' for {a} action")
            }
            RelabelErrorKind::EqualTakesOnlySourceAndTarget(a) => write!(
                f,
                "{a} action requires only 'source_labels' and `target_label`, and no other fields"
            ),
            RelabelErrorKind::LabelDropKeepTakesOnlyRegex(a) => {
                write!(f, "{a} action requires only 'regex', and no other fields")
            }
            RelabelErrorKind::EmptyAction => f.write_str("relabel action cannot be empty"),
            RelabelErrorKind::UnknownAction(a) => write!(f, "unknown relabel action {a:?}"),
            RelabelErrorKind::InvalidRegex(e) => write!(f, "{e}"),
            RelabelErrorKind::InvalidSourceLabel(n) => write!(f, "{n:?} is not a valid label name"),
        }
    }
}

impl std::error::Error for RelabelErrorKind {}

/// Whether `name` is a label name Prometheus 3 accepts: with UTF-8 names
/// allowed (its default validation scheme), any non-empty UTF-8 text; so a
/// templated `target_label` (`$1`) or a `labelmap` replacement passes too.
pub fn is_valid_label_name(name: &str) -> bool {
    !name.is_empty()
}

impl RelabelConfig {
    /// Checks the rule as Prometheus 3.5 does when it loads a config.
    pub fn validate(&self) -> Result<(), RelabelErrorKind> {
        use Action::*;
        let a = self.action;
        let t = &self.target_label;
        if a == HashMod && self.modulus == 0 {
            return Err(RelabelErrorKind::HashModNeedsModulus);
        }
        if matches!(
            a,
            Replace | HashMod | Lowercase | Uppercase | KeepEqual | DropEqual
        ) && t.is_empty()
        {
            return Err(RelabelErrorKind::TargetLabelRequired(a));
        }
        if a == Replace && !is_valid_label_name(t) {
            return Err(RelabelErrorKind::InvalidTargetLabel(a, t.clone()));
        }
        if matches!(a, Lowercase | Uppercase | KeepEqual | DropEqual) {
            if !is_valid_label_name(t) {
                return Err(RelabelErrorKind::InvalidTargetLabel(a, t.clone()));
            }
            if self.replacement != DEFAULT_REPLACEMENT {
                return Err(RelabelErrorKind::ReplacementNotAllowed(a));
            }
        }
        if a == LabelMap && !is_valid_label_name(&self.replacement) {
            return Err(RelabelErrorKind::InvalidReplacement(
                a,
                self.replacement.clone(),
            ));
        }
        if a == HashMod && !is_valid_label_name(t) {
            return Err(RelabelErrorKind::InvalidTargetLabel(a, t.clone()));
        }
        if matches!(a, KeepEqual | DropEqual)
            && (self.regex.as_str() != DEFAULT_REGEX
                || self.modulus != 0
                || self.separator != DEFAULT_SEPARATOR
                || self.replacement != DEFAULT_REPLACEMENT)
        {
            return Err(RelabelErrorKind::EqualTakesOnlySourceAndTarget(a));
        }
        if matches!(a, LabelDrop | LabelKeep)
            && (!self.source_labels.is_empty()
                || !t.is_empty()
                || self.modulus != 0
                || self.separator != DEFAULT_SEPARATOR
                || self.replacement != DEFAULT_REPLACEMENT)
        {
            return Err(RelabelErrorKind::LabelDropKeepTakesOnlyRegex(a));
        }
        Ok(())
    }
}

/// A label set being changed, as Prometheus's `labels.Builder`: the original
/// set, the labels set since (in the order they were set) and the names
/// deleted since.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    base: Labels,
    add: Vec<Label>,
    del: Vec<String>,
}

impl Builder {
    pub fn new(base: Labels) -> Self {
        Builder {
            base,
            add: Vec::new(),
            del: Vec::new(),
        }
    }

    /// The current value of `name`, `""` when absent.
    pub fn get(&self, name: &str) -> &str {
        if let Some(l) = self.add.iter().find(|l| l.name == name) {
            return &l.value;
        }
        if self.del.iter().any(|d| d == name) {
            return "";
        }
        self.base.get(name)
    }

    /// Sets `name`; an empty value deletes it.
    pub fn set(&mut self, name: &str, value: &str) {
        if value.is_empty() {
            self.del(name);
            return;
        }
        self.del.retain(|d| d != name);
        match self.add.iter_mut().find(|l| l.name == name) {
            Some(l) => l.value = value.to_string(),
            None => self.add.push(Label {
                name: name.to_string(),
                value: value.to_string(),
            }),
        }
    }

    pub fn del(&mut self, name: &str) {
        self.add.retain(|l| l.name != name);
        if !self.del.iter().any(|d| d == name) {
            self.del.push(name.to_string());
        }
    }

    /// The current labels in Prometheus's walking order: the unchanged
    /// original labels by name, then the set ones in the order they were
    /// set. A snapshot, so the caller may change the builder meanwhile.
    pub fn range(&self) -> Vec<Label> {
        let mut out: Vec<Label> = self
            .base
            .iter()
            .filter(|l| !self.del.contains(&l.name) && !self.add.iter().any(|a| a.name == l.name))
            .cloned()
            .collect();
        out.extend(self.add.iter().cloned());
        out
    }

    /// The resulting label set.
    pub fn labels(&self) -> Labels {
        let mut out = Labels::new();
        for l in self.range() {
            out.set(l.name, l.value);
        }
        out
    }
}

/// Applies `configs` in order to `labels`; `None` when a rule drops the set.
pub fn process(labels: &Labels, configs: &[RelabelConfig]) -> Option<Labels> {
    let mut b = Builder::new(labels.clone());
    process_builder(&mut b, configs).then(|| b.labels())
}

/// Applies `configs` in order to the builder; `false` when a rule drops the
/// set (the builder is then left as the dropping rule found it).
pub fn process_builder(b: &mut Builder, configs: &[RelabelConfig]) -> bool {
    configs.iter().all(|cfg| relabel(cfg, b))
}

fn relabel(cfg: &RelabelConfig, b: &mut Builder) -> bool {
    let values: Vec<&str> = cfg.source_labels.iter().map(|n| b.get(n)).collect();
    let val = values.join(&cfg.separator);
    match cfg.action {
        Action::Drop => {
            if cfg.regex.is_match(&val) {
                return false;
            }
        }
        Action::Keep => {
            if !cfg.regex.is_match(&val) {
                return false;
            }
        }
        Action::DropEqual => {
            if b.get(&cfg.target_label) == val {
                return false;
            }
        }
        Action::KeepEqual => {
            if b.get(&cfg.target_label) != val {
                return false;
            }
        }
        Action::Replace => {
            // Prometheus's fast path: with the default regex, an empty value
            // and no `$` anywhere, the replacement is written as it is.
            if val.is_empty()
                && cfg.regex.as_str() == DEFAULT_REGEX
                && !cfg.target_label.contains('$')
                && !cfg.replacement.contains('$')
            {
                let (t, r) = (cfg.target_label.clone(), cfg.replacement.clone());
                b.set(&t, &r);
                return true;
            }
            let Some(target) = cfg.regex.expand(&cfg.target_label, &val) else {
                // No match: nothing is replaced.
                return true;
            };
            if !is_valid_label_name(&target) {
                return true;
            }
            let res = cfg.regex.expand(&cfg.replacement, &val).unwrap_or_default();
            if res.is_empty() {
                b.del(&target);
            } else {
                b.set(&target, &res);
            }
        }
        Action::Lowercase => b.set(&cfg.target_label, &go_case(&val, false)),
        Action::Uppercase => b.set(&cfg.target_label, &go_case(&val, true)),
        Action::HashMod => {
            let hash = Md5::digest(val.as_bytes());
            // The last 8 bytes, big-endian, as Prometheus has always used.
            let mut last = [0u8; 8];
            last.copy_from_slice(&hash[8..16]);
            let m = u64::from_be_bytes(last) % cfg.modulus.max(1);
            b.set(&cfg.target_label, &m.to_string());
        }
        Action::LabelMap => {
            for l in b.range() {
                // A replacement that expands to nothing names no label; Prometheus
                // would keep a nameless label and refuse the set later.
                if let Some(res) = cfg.regex.expand(&cfg.replacement, &l.name) {
                    if !res.is_empty() {
                        b.set(&res, &l.value);
                    }
                }
            }
        }
        Action::LabelDrop => {
            for l in b.range() {
                if cfg.regex.is_match(&l.name) {
                    b.del(&l.name);
                }
            }
        }
        Action::LabelKeep => {
            for l in b.range() {
                if !cfg.regex.is_match(&l.name) {
                    b.del(&l.name);
                }
            }
        }
    }
    true
}

/// Go's `strings.ToLower`/`ToUpper`: each character maps to one character
/// (the simple case mapping), so `ß` stays `ß` rather than becoming `SS`.
fn go_case(s: &str, upper: bool) -> String {
    s.chars()
        .map(|c| {
            let mut mapped: Vec<char> = if upper {
                c.to_uppercase().collect()
            } else {
                c.to_lowercase().collect()
            };
            match mapped.len() {
                1 => mapped.pop().unwrap_or(c),
                // Unicode's one multi-character lowercase mapping whose
                // simple mapping is not the character itself.
                _ if c == '\u{130}' && !upper => 'i',
                _ => c,
            }
        })
        .collect()
}
