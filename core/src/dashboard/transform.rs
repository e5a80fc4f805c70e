//! Grafana's transformations of a panel's frames ([`super::data`]), run in
//! the panel's order: `merge`, `organize`, `filterFieldsByName`,
//! `seriesToColumns` and `joinByField`, `reduce`. Any other transformation
//! is reported as unsupported and skipped, so the panel still shows the
//! data as it stands; so is one whose options cannot be read.
//!
//! ```
//! use promlab_core::dashboard::data::{Cell, Frame};
//! use promlab_core::dashboard::transform::merge;
//! let frame = |value: &str, v: f64| Frame {
//!     columns: vec!["instance".into(), value.into()],
//!     rows: vec![vec![Cell::Text("a".into()), Cell::Number(v)]],
//!     ..Frame::default()
//! };
//! let merged = merge(vec![frame("Value #A", 1.0), frame("Value #B", 2.0)]);
//! assert_eq!(merged.columns, ["instance", "Value #A", "Value #B"]);
//! assert_eq!(merged.rows, [vec![Cell::Text("a".into()), Cell::Number(1.0), Cell::Number(2.0)]]);
//! ```

use super::data::{Cell, Frame, TIME};
use super::model::Transformation;
use regex::Regex;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// The transformations the lab runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransformKind {
    Merge,
    Organize,
    FilterFieldsByName,
    /// `seriesToColumns` (Grafana 7) and `joinByField` (its later name).
    JoinByField,
    Reduce,
    Other,
}

impl TransformKind {
    pub fn from_name(name: &str) -> TransformKind {
        match name {
            "merge" => TransformKind::Merge,
            "organize" => TransformKind::Organize,
            "filterFieldsByName" => TransformKind::FilterFieldsByName,
            "seriesToColumns" | "joinByField" => TransformKind::JoinByField,
            "reduce" => TransformKind::Reduce,
            _ => TransformKind::Other,
        }
    }
}

/// Why a transformation was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransformErrorKind {
    /// A transformation the lab does not run.
    Unsupported,
    /// Its options are not what Grafana writes.
    BadOptions,
}

/// A transformation that was skipped: its position in the panel's list,
/// its id, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformError {
    pub index: usize,
    pub id: String,
    pub kind: TransformErrorKind,
    pub message: String,
}

impl fmt::Display for TransformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "transformation {} ({}): {}",
            self.index + 1,
            self.id,
            self.message
        )
    }
}

impl std::error::Error for TransformError {}

/// Runs `transformations` over `frames` in order. A transformation that is
/// `disabled`, as Grafana 10 marks it, is skipped silently.
pub fn apply(
    transformations: &[Transformation],
    mut frames: Vec<Frame>,
) -> (Vec<Frame>, Vec<TransformError>) {
    let mut errors = Vec::new();
    for (index, t) in transformations.iter().enumerate() {
        if t.extra.get("disabled").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let options = t.options.clone().unwrap_or(Value::Null);
        let error = |kind, message: String| TransformError {
            index,
            id: t.id.clone(),
            kind,
            message,
        };
        frames = match TransformKind::from_name(&t.id) {
            TransformKind::Merge => vec![merge(frames)],
            TransformKind::Organize => match OrganizeOptions::read(&options) {
                Ok(o) => frames.into_iter().map(|f| organize(f, &o)).collect(),
                Err(m) => {
                    errors.push(error(TransformErrorKind::BadOptions, m));
                    frames
                }
            },
            TransformKind::FilterFieldsByName => match FieldFilter::read(&options) {
                Ok(filter) => frames.into_iter().map(|f| filter.apply(f)).collect(),
                Err(m) => {
                    errors.push(error(TransformErrorKind::BadOptions, m));
                    frames
                }
            },
            TransformKind::JoinByField => {
                let field = options
                    .get("byField")
                    .and_then(Value::as_str)
                    .filter(|f| !f.is_empty())
                    .unwrap_or(TIME);
                let inner = options.get("mode").and_then(Value::as_str) == Some("inner");
                vec![join_by_field(&frames, field, inner)]
            }
            TransformKind::Reduce => match reduce_options(&options) {
                Ok(reducers) => vec![reduce(&frames, &reducers)],
                Err(m) => {
                    errors.push(error(TransformErrorKind::BadOptions, m));
                    frames
                }
            },
            TransformKind::Other => {
                errors.push(error(
                    TransformErrorKind::Unsupported,
                    format!("the lab does not run Grafana's {:?} transformation", t.id),
                ));
                frames
            }
        };
    }
    (frames, errors)
}

/// Grafana's `merge`: the frames' rows in one frame, rows that agree on
/// every column the frames have in common (the time and the shared
/// labels) joined into one, each frame's other columns side by side. The
/// columns are those of all frames, in the order they first appear.
pub fn merge(frames: Vec<Frame>) -> Frame {
    let mut columns: Vec<String> = Vec::new();
    for frame in &frames {
        for c in &frame.columns {
            if !columns.contains(c) {
                columns.push(c.clone());
            }
        }
    }
    let keys: Vec<usize> = (0..columns.len())
        .filter(|&i| frames.iter().all(|f| f.column(&columns[i]).is_some()))
        .collect();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for frame in &frames {
        // Where each of the frame's columns goes in the merged row.
        let at: Vec<usize> = frame
            .columns
            .iter()
            .filter_map(|c| columns.iter().position(|m| m == c))
            .collect();
        for row in &frame.rows {
            let mut merged = vec![Cell::Null; columns.len()];
            for (cell, &i) in row.iter().zip(&at) {
                merged[i] = cell.clone();
            }
            // Joined into the first row with the same keys whose cells
            // this row would not overwrite; a row of its own otherwise.
            let same = rows.iter_mut().find(|r| {
                keys.iter().all(|&k| r[k] == merged[k])
                    && merged
                        .iter()
                        .zip(r.iter())
                        .enumerate()
                        .all(|(i, (new, old))| keys.contains(&i) || new.is_null() || old.is_null())
            });
            match same {
                Some(r) => {
                    for (old, new) in r.iter_mut().zip(merged) {
                        if !new.is_null() {
                            *old = new;
                        }
                    }
                }
                None => rows.push(merged),
            }
        }
    }
    Frame {
        columns,
        rows,
        ..Frame::default()
    }
}

/// The options of `organize`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrganizeOptions {
    /// Columns left out.
    pub exclude: Vec<String>,
    /// Each column's place; columns without one follow, in their order.
    pub index: BTreeMap<String, i64>,
    /// New names; an empty one keeps the name.
    pub rename: BTreeMap<String, String>,
}

impl OrganizeOptions {
    /// Reads `excludeByName`, `indexByName` and `renameByName`.
    pub fn read(options: &Value) -> Result<OrganizeOptions, String> {
        let mut out = OrganizeOptions::default();
        for (name, v) in object(options, "excludeByName")? {
            match v {
                Value::Bool(true) => out.exclude.push(name.clone()),
                Value::Bool(false) | Value::Null => {}
                _ => return Err(format!("excludeByName.{name}: expected true or false")),
            }
        }
        for (name, v) in object(options, "indexByName")? {
            let i = v
                .as_i64()
                .ok_or_else(|| format!("indexByName.{name}: expected a whole number"))?;
            out.index.insert(name.clone(), i);
        }
        for (name, v) in object(options, "renameByName")? {
            let to = v
                .as_str()
                .ok_or_else(|| format!("renameByName.{name}: expected a string"))?;
            if !to.is_empty() {
                out.rename.insert(name.clone(), to.to_string());
            }
        }
        Ok(out)
    }
}

/// The object `options[key]`, empty when absent.
fn object<'a>(
    options: &'a Value,
    key: &str,
) -> Result<Box<dyn Iterator<Item = (&'a String, &'a Value)> + 'a>, String> {
    match options.get(key) {
        None | Some(Value::Null) => Ok(Box::new(std::iter::empty())),
        Some(Value::Object(map)) => Ok(Box::new(map.iter())),
        Some(_) => Err(format!("{key}: expected an object")),
    }
}

/// Grafana's `organize`: columns left out, reordered, renamed (in that
/// order; all by the names they had before).
pub fn organize(frame: Frame, options: &OrganizeOptions) -> Frame {
    let mut kept: Vec<usize> = (0..frame.columns.len())
        .filter(|&i| !options.exclude.contains(&frame.columns[i]))
        .collect();
    // A stable sort: columns without an index keep their order, after
    // those with one.
    kept.sort_by_key(|&i| {
        options
            .index
            .get(&frame.columns[i])
            .map_or((1, 0), |&n| (0, n))
    });
    pick(frame, &kept, |name| {
        options
            .rename
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    })
}

/// `frame` with only the columns at `kept`, in that order, named by `name`.
fn pick(frame: Frame, kept: &[usize], name: impl Fn(&str) -> String) -> Frame {
    let columns = kept.iter().map(|&i| name(&frame.columns[i])).collect();
    let rows = frame
        .rows
        .iter()
        .map(|row| {
            kept.iter()
                .map(|&i| row.get(i).cloned().unwrap_or(Cell::Null))
                .collect()
        })
        .collect();
    Frame {
        columns,
        rows,
        ..frame
    }
}

/// `filterFieldsByName`: the columns named in `include` (or matching its
/// `pattern`), less those of `exclude`. With no `include`, every column is
/// included.
#[derive(Debug, Clone, Default)]
pub struct FieldFilter {
    include: Option<NameMatcher>,
    exclude: Option<NameMatcher>,
}

#[derive(Debug, Clone, Default)]
struct NameMatcher {
    names: Vec<String>,
    pattern: Option<Regex>,
}

impl NameMatcher {
    fn read(options: &Value, key: &str) -> Result<Option<NameMatcher>, String> {
        let Some(v) = options.get(key).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let names = match v.get("names") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|n| {
                    n.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("{key}.names: expected strings"))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(format!("{key}.names: expected a list of names")),
        };
        let pattern = match v.get("pattern").and_then(Value::as_str) {
            Some(p) if !p.is_empty() => Some(
                Regex::new(p)
                    .map_err(|e| format!("{key}.pattern: not a regular expression: {e}"))?,
            ),
            _ => None,
        };
        Ok(Some(NameMatcher { names, pattern }))
    }

    fn matches(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
            || self.pattern.as_ref().is_some_and(|p| p.is_match(name))
    }
}

impl FieldFilter {
    pub fn read(options: &Value) -> Result<FieldFilter, String> {
        Ok(FieldFilter {
            include: NameMatcher::read(options, "include")?,
            exclude: NameMatcher::read(options, "exclude")?,
        })
    }

    pub fn apply(&self, frame: Frame) -> Frame {
        let kept: Vec<usize> = (0..frame.columns.len())
            .filter(|&i| {
                let name = frame.display_name(i);
                self.include.as_ref().is_none_or(|m| m.matches(name))
                    && !self.exclude.as_ref().is_some_and(|m| m.matches(name))
            })
            .collect();
        pick(frame, &kept, str::to_string)
    }
}

/// `seriesToColumns` / `joinByField`: the frames joined on the values of
/// column `field` (the time by default) into one frame, sorted by it: a
/// row per value (an outer join; with `inner`, only values every frame
/// has), the other columns of each frame side by side under their display
/// names (a time series' `Value` under its legend). A name already taken
/// gets ` 2`, ` 3`, ... Frames without the column are left out.
pub fn join_by_field(frames: &[Frame], field: &str, inner: bool) -> Frame {
    let joined: Vec<(&Frame, usize)> = frames
        .iter()
        .filter_map(|f| Some((f, f.column(field)?)))
        .collect();
    let mut columns = vec![field.to_string()];
    let mut at: Vec<Vec<(usize, usize)>> = Vec::new();
    for (frame, key) in &joined {
        let mut mine = Vec::new();
        for i in (0..frame.columns.len()).filter(|i| i != key) {
            let base = frame.display_name(i);
            let mut name = base.to_string();
            let mut n = 1;
            while columns.contains(&name) {
                n += 1;
                name = format!("{base} {n}");
            }
            mine.push((i, columns.len()));
            columns.push(name);
        }
        at.push(mine);
    }
    let mut keys: Vec<Cell> = Vec::new();
    for (frame, key) in &joined {
        for cell in frame.values(*key) {
            if !keys.contains(cell) {
                keys.push(cell.clone());
            }
        }
    }
    if inner {
        keys.retain(|k| joined.iter().all(|(f, key)| f.values(*key).any(|c| c == k)));
    }
    keys.sort_by(compare_cells);
    let rows = keys
        .into_iter()
        .map(|k| {
            let mut row = vec![Cell::Null; columns.len()];
            for ((frame, key), mine) in joined.iter().zip(&at) {
                if let Some(source) = frame.rows.iter().find(|r| r.get(*key) == Some(&k)) {
                    for &(from, to) in mine {
                        row[to] = source.get(from).cloned().unwrap_or(Cell::Null);
                    }
                }
            }
            row[0] = k;
            row
        })
        .collect();
    Frame {
        columns,
        rows,
        ..Frame::default()
    }
}

/// Times and numbers by value, text by text, nulls last.
fn compare_cells(a: &Cell, b: &Cell) -> Ordering {
    match (a, b) {
        (Cell::Text(x), Cell::Text(y)) => x.cmp(y),
        (Cell::Null, Cell::Null) => Ordering::Equal,
        (Cell::Null, _) => Ordering::Greater,
        (_, Cell::Null) => Ordering::Less,
        (Cell::Text(_), _) => Ordering::Greater,
        (_, Cell::Text(_)) => Ordering::Less,
        _ => a
            .number()
            .unwrap_or(f64::NAN)
            .total_cmp(&b.number().unwrap_or(f64::NAN)),
    }
}

/// The reducers of Grafana's `reduceOptions.calcs` and `reduce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reducer {
    LastNotNull,
    Last,
    Mean,
    Max,
    Min,
    Sum,
    Count,
}

impl Reducer {
    pub fn from_name(name: &str) -> Option<Reducer> {
        Some(match name {
            "lastNotNull" => Reducer::LastNotNull,
            "last" => Reducer::Last,
            "mean" => Reducer::Mean,
            "max" => Reducer::Max,
            "min" => Reducer::Min,
            "sum" => Reducer::Sum,
            "count" => Reducer::Count,
            _ => return None,
        })
    }

    /// The column title Grafana gives the reducer's result.
    pub fn title(self) -> &'static str {
        match self {
            Reducer::LastNotNull => "Last *",
            Reducer::Last => "Last",
            Reducer::Mean => "Mean",
            Reducer::Max => "Max",
            Reducer::Min => "Min",
            Reducer::Sum => "Total",
            Reducer::Count => "Count",
        }
    }

    /// The reduction of `values` (`None` for null): nulls are skipped by
    /// all but `last` and `count`, which counts every value, as Grafana's do.
    pub fn reduce(self, values: &[Option<f64>]) -> Option<f64> {
        let present = || values.iter().flatten().copied();
        match self {
            Reducer::LastNotNull => present().last(),
            Reducer::Last => values.last().copied().flatten(),
            Reducer::Mean => {
                let n = present().count();
                (n > 0).then(|| present().sum::<f64>() / n as f64)
            }
            Reducer::Max => present().reduce(f64::max),
            Reducer::Min => present().reduce(f64::min),
            Reducer::Sum => Some(present().sum()),
            Reducer::Count => Some(values.len() as f64),
        }
    }
}

/// The `reducers` of `reduce`'s options (Grafana's default: `max`); its
/// `mode` must be `seriesToRows`, the only one run.
fn reduce_options(options: &Value) -> Result<Vec<Reducer>, String> {
    match options.get("mode").and_then(Value::as_str) {
        None | Some("seriesToRows") => {}
        Some(mode) => return Err(format!("mode {mode:?}: only \"seriesToRows\" is run")),
    }
    let names = match options.get("reducers") {
        None | Some(Value::Null) => return Ok(vec![Reducer::Max]),
        Some(Value::Array(names)) => names,
        Some(_) => return Err("reducers: expected a list of reducer names".to_string()),
    };
    names
        .iter()
        .map(|n| {
            n.as_str().and_then(Reducer::from_name).ok_or_else(|| {
                format!("reducers: {n} is not one of lastNotNull, last, mean, max, min, sum, count")
            })
        })
        .collect()
}

/// `reduce` (series to rows): a row per number column of every frame —
/// its display name under `Field`, then a column per reducer.
pub fn reduce(frames: &[Frame], reducers: &[Reducer]) -> Frame {
    let mut columns = vec!["Field".to_string()];
    columns.extend(reducers.iter().map(|r| r.title().to_string()));
    let mut rows = Vec::new();
    for frame in frames {
        for i in 0..frame.columns.len() {
            let cells: Vec<&Cell> = frame.values(i).collect();
            let numeric = cells.iter().any(|c| matches!(c, Cell::Number(_)))
                && cells
                    .iter()
                    .all(|c| matches!(c, Cell::Number(_) | Cell::Null));
            if !numeric {
                continue;
            }
            let values: Vec<Option<f64>> = cells.iter().map(|c| c.number()).collect();
            let mut row = vec![Cell::Text(frame.display_name(i).to_string())];
            row.extend(
                reducers
                    .iter()
                    .map(|r| r.reduce(&values).map_or(Cell::Null, Cell::Number)),
            );
            rows.push(row);
        }
    }
    Frame {
        columns,
        rows,
        ..Frame::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A frame written as a small table: `columns` and rows of cells
    /// written as text — `-` null, `@n` a time, a number, else text.
    fn frame(columns: &[&str], rows: &[&[&str]]) -> Frame {
        Frame {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: rows
                .iter()
                .map(|row| row.iter().map(|c| cell(c)).collect())
                .collect(),
            ..Frame::default()
        }
    }

    fn cell(text: &str) -> Cell {
        if text == "-" {
            Cell::Null
        } else if let Some(t) = text.strip_prefix('@') {
            Cell::Time(t.parse().unwrap())
        } else if let Ok(v) = text.parse() {
            Cell::Number(v)
        } else {
            Cell::Text(text.to_string())
        }
    }

    /// A frame back as text, the inverse of [`frame`].
    fn show(frame: &Frame) -> Vec<String> {
        let mut out = vec![frame.columns.join(" | ")];
        for row in &frame.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Null => "-".to_string(),
                    Cell::Time(t) => format!("@{t}"),
                    Cell::Number(v) => v.to_string(),
                    Cell::Text(s) => s.clone(),
                })
                .collect();
            out.push(cells.join(" | "));
        }
        out
    }

    fn run(
        transformations: serde_json::Value,
        frames: Vec<Frame>,
    ) -> (Vec<Vec<String>>, Vec<(String, TransformErrorKind)>) {
        let transformations: Vec<Transformation> = serde_json::from_value(transformations).unwrap();
        let (frames, errors) = apply(&transformations, frames);
        (
            frames.iter().map(show).collect(),
            errors.into_iter().map(|e| (e.id, e.kind)).collect(),
        )
    }

    /// Two instant table queries of the node table's shape and a third
    /// with a label of its own.
    fn tables() -> Vec<Frame> {
        vec![
            frame(
                &["Time", "instance", "ip", "Value #A"],
                &[
                    &["@9", "a:1", "10.0.0.1", "1"],
                    &["@9", "b:1", "10.0.0.2", "1"],
                ],
            ),
            frame(
                &["Time", "instance", "Value #B"],
                &[&["@9", "b:1", "200"], &["@9", "a:1", "100"]],
            ),
            frame(
                &["Time", "device", "instance", "Value #C"],
                &[&["@9", "sda", "a:1", "5"], &["@9", "sdb", "a:1", "6"]],
            ),
        ]
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn transformations_as_grafana_runs_them() {
        // What is tested, the transformations, the frames, each frame out as text.
        type Case = (
            &'static str,
            serde_json::Value,
            Vec<Frame>,
            Vec<Vec<&'static str>>,
        );
        let cases: Vec<Case> = vec![
            (
                "merge joins rows on the columns all frames have",
                json!([{"id": "merge", "options": {}}]),
                tables()[..2].to_vec(),
                vec![vec![
                    "Time | instance | ip | Value #A | Value #B",
                    "@9 | a:1 | 10.0.0.1 | 1 | 100",
                    "@9 | b:1 | 10.0.0.2 | 1 | 200",
                ]],
            ),
            (
                "merge keeps rows apart that would overwrite each other",
                json!([{"id": "merge"}]),
                tables(),
                vec![vec![
                    "Time | instance | ip | Value #A | Value #B | device | Value #C",
                    "@9 | a:1 | 10.0.0.1 | 1 | 100 | sda | 5",
                    "@9 | b:1 | 10.0.0.2 | 1 | 200 | - | -",
                    "@9 | a:1 | - | - | - | sdb | 6",
                ]],
            ),
            (
                "organize leaves out, orders and renames, each by the old name",
                json!([{"id": "merge"}, {"id": "organize", "options": {
                    "excludeByName": {"Time": true, "Value #A": true, "instance": false},
                    "indexByName": {"ip": 0, "Value #B": 1},
                    "renameByName": {"Value #B": "uptime", "ip": "", "instance": "node"}}}]),
                tables()[..2].to_vec(),
                vec![vec![
                    "ip | uptime | node",
                    "10.0.0.1 | 100 | a:1",
                    "10.0.0.2 | 200 | b:1",
                ]],
            ),
            (
                "filterFieldsByName by names and by pattern, less the excluded",
                json!([{"id": "filterFieldsByName", "options": {
                    "include": {"names": ["instance"], "pattern": "^Value"},
                    "exclude": {"names": ["Value #A"]}}}]),
                tables()[..1].to_vec(),
                vec![vec!["instance", "a:1", "b:1"]],
            ),
            (
                "seriesToColumns joins on the time, values under their legends",
                json!([{"id": "seriesToColumns", "options": {"byField": "Time"}}]),
                vec![
                    Frame { name: "cpu0".into(), ..frame(&["Time", "Value"], &[&["@2", "0.5"], &["@1", "0.25"]]) },
                    Frame { name: "cpu1".into(), ..frame(&["Time", "Value"], &[&["@3", "1"], &["@2", "2"]]) },
                    Frame { name: "cpu1".into(), ..frame(&["Time", "Value"], &[&["@2", "7"]]) },
                ],
                vec![vec![
                    "Time | cpu0 | cpu1 | cpu1 2",
                    "@1 | 0.25 | - | -",
                    "@2 | 0.5 | 2 | 7",
                    "@3 | - | 1 | -",
                ]],
            ),
            (
                "joinByField inner keeps the values every frame has",
                json!([{"id": "joinByField", "options": {"byField": "instance", "mode": "inner"}}]),
                tables(),
                vec![vec![
                    "instance | Time | ip | Value #A | Time 2 | Value #B | Time 3 | device | Value #C",
                    "a:1 | @9 | 10.0.0.1 | 1 | @9 | 100 | @9 | sda | 5",
                ]],
            ),
            (
                "reduce: a row per number column, a column per reducer",
                json!([{"id": "reduce", "options": {"reducers": ["lastNotNull", "last", "mean", "max", "min", "sum", "count"]}}]),
                vec![
                    Frame { name: "up".into(), ..frame(&["Time", "Value"], &[&["@1", "1"], &["@2", "3"], &["@3", "-"]]) },
                    frame(&["Time", "x", "Value #B"], &[&["@1", "a", "-"]]),
                ],
                vec![vec![
                    "Field | Last * | Last | Mean | Max | Min | Total | Count",
                    "up | 3 | - | 2 | 3 | 1 | 4 | 3",
                ]],
            ),
            (
                "reduce's default reducer is max",
                json!([{"id": "reduce"}]),
                tables()[1..2].to_vec(),
                vec![vec!["Field | Max", "Value #B | 200"]],
            ),
        ];
        for (what, transformations, frames, want) in cases {
            let (got, errors) = run(transformations, frames);
            assert_eq!(got, want, "{what}");
            assert_eq!(errors, [], "{what}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn unsupported_and_unreadable_transformations_are_reported_and_skipped() {
        let cases = [
            (
                json!({"id": "calculateField"}),
                TransformErrorKind::Unsupported,
            ),
            (
                json!({"id": "organize", "options": {"indexByName": {"ip": "first"}}}),
                TransformErrorKind::BadOptions,
            ),
            (
                json!({"id": "organize", "options": {"renameByName": []}}),
                TransformErrorKind::BadOptions,
            ),
            (
                json!({"id": "filterFieldsByName", "options": {"include": {"pattern": "("}}}),
                TransformErrorKind::BadOptions,
            ),
            (
                json!({"id": "reduce", "options": {"reducers": ["median"]}}),
                TransformErrorKind::BadOptions,
            ),
            (
                json!({"id": "reduce", "options": {"mode": "reduceFields"}}),
                TransformErrorKind::BadOptions,
            ),
        ];
        for (transformation, kind) in cases {
            let id = transformation["id"].as_str().unwrap().to_string();
            let frames = tables()[..1].to_vec();
            let (got, errors) = run(
                json!([transformation, {"id": "organize", "options": {"excludeByName": {"Time": true}}}]),
                frames,
            );
            assert_eq!(errors, [(id, kind)], "{transformation}");
            // The data as it stood, and the transformations after it ran.
            assert_eq!(
                got,
                [vec![
                    "instance | ip | Value #A",
                    "a:1 | 10.0.0.1 | 1",
                    "b:1 | 10.0.0.2 | 1"
                ]]
            );
        }
        // A disabled transformation is not run.
        let (got, errors) = run(
            json!([{"id": "calculateField", "disabled": true}, {"id": "reduce", "disabled": true}]),
            tables()[1..2].to_vec(),
        );
        assert_eq!((got.len(), errors.len()), (1, 0));
        assert_eq!(got[0][0], "Time | instance | Value #B");
    }
}
