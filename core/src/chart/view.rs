//! The playground's view as data: the query, the tab, the graph's range,
//! end time, resolution and mode — what a link must carry to show the same
//! view again — written to and read from a URL query string
//! (`expr=rate(x[5m])&tab=graph&range=1h&step=15s`); and the history of
//! queries run.
//!
//! A link is input: a value that does not read (an unknown tab, a range of
//! `banana`) is left at its default and reported, never refused whole.
//!
//! ```
//! use promlab_core::chart::view::{PlaygroundView, Tab};
//! let (view, problems) = PlaygroundView::from_query("expr=up&tab=graph&range=15m&step=30s");
//! assert!(problems.is_empty());
//! assert_eq!((view.tab, view.range, view.step), (Tab::Graph, 900_000, Some(30_000)));
//! assert_eq!(PlaygroundView::from_query(&view.to_query()).0, view);
//! ```

use crate::api::{format_rfc3339, parse_time};
use crate::clock::{Millis, Timestamp};
use crate::duration::{format_duration, parse_duration};

/// What the playground shows of a query's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// The instant query's series and values.
    #[default]
    Table,
    /// The range query, drawn.
    Graph,
    /// The query's tree of sub-expressions.
    Explain,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Table, Tab::Graph, Tab::Explain];

    /// The name in a URL.
    pub fn name(self) -> &'static str {
        match self {
            Tab::Table => "table",
            Tab::Graph => "graph",
            Tab::Explain => "explain",
        }
    }

    pub fn from_name(name: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// The graph's ranges to pick from, as the Prometheus UI offers them.
pub const RANGES: [Millis; 9] = [
    5 * 60_000,
    15 * 60_000,
    3_600_000,
    3 * 3_600_000,
    6 * 3_600_000,
    12 * 3_600_000,
    86_400_000,
    2 * 86_400_000,
    7 * 86_400_000,
];

/// The steps offered besides the automatic one.
pub const STEPS: [Millis; 9] = [
    1_000,
    5_000,
    15_000,
    30_000,
    60_000,
    5 * 60_000,
    15 * 60_000,
    30 * 60_000,
    3_600_000,
];

/// The graph's range when a link names none: an hour, as Prometheus's.
pub const DEFAULT_RANGE: Millis = 3_600_000;

/// The step the Prometheus UI chooses for a range: about 250 points, in
/// whole seconds, at least one second.
pub fn auto_step(range: Millis) -> Millis {
    (range / 250 / 1000).max(1) * 1000
}

/// Everything a link to the playground carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaygroundView {
    pub expr: String,
    pub tab: Tab,
    /// The graph's width in time.
    pub range: Millis,
    /// The graph's end; `None` follows the lab's clock.
    pub end: Option<Timestamp>,
    /// The graph's resolution; `None` is [`auto_step`] of the range.
    pub step: Option<Millis>,
    /// Series drawn stacked instead of as lines.
    pub stacked: bool,
}

impl Default for PlaygroundView {
    fn default() -> Self {
        PlaygroundView {
            expr: String::new(),
            tab: Tab::default(),
            range: DEFAULT_RANGE,
            end: None,
            step: None,
            stacked: false,
        }
    }
}

/// The parameters of a view's URL, in the order they are written.
const EXPR: &str = "expr";
const TAB: &str = "tab";
const RANGE: &str = "range";
const END: &str = "end";
const STEP: &str = "step";
const STACKED: &str = "stacked";

impl PlaygroundView {
    /// The step the graph is drawn at.
    pub fn effective_step(&self) -> Millis {
        self.step.unwrap_or_else(|| auto_step(self.range))
    }

    /// The graph's `[start, end]` when the clock reads `now`.
    pub fn window(&self, now: Timestamp) -> (Timestamp, Timestamp) {
        let end = self.end.unwrap_or(now);
        (end.saturating_sub(self.range), end)
    }

    /// The view as `(name, value)` pairs; settings at their default are
    /// left out, so a link stays short.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            (EXPR, self.expr.clone()),
            (TAB, self.tab.name().to_string()),
        ];
        if self.range != DEFAULT_RANGE {
            pairs.push((RANGE, format_duration(self.range)));
        }
        if let Some(end) = self.end {
            pairs.push((END, format_rfc3339(end)));
        }
        if let Some(step) = self.step {
            pairs.push((STEP, format_duration(step)));
        }
        if self.stacked {
            pairs.push((STACKED, "1".to_string()));
        }
        pairs
    }

    /// The view as a URL query string (without the `?`).
    pub fn to_query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.to_pairs())
            .finish()
    }

    /// Reads a URL query string (a leading `?` is skipped). Parameters it
    /// does not know are ignored; a known one whose value does not read is
    /// left at its default, and the returned list says which and why.
    pub fn from_query(query: &str) -> (PlaygroundView, Vec<String>) {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut view = PlaygroundView::default();
        let mut problems = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim();
            match name.as_ref() {
                EXPR => view.expr = value.to_string(),
                TAB => match Tab::from_name(value) {
                    Some(t) => view.tab = t,
                    None => problems.push(format!(
                        "tab: {value:?} is not one of table, graph, explain"
                    )),
                },
                RANGE => match parse_duration(value) {
                    Ok(ms) if ms > 0 => view.range = ms,
                    Ok(_) => problems.push("range: must be longer than 0s".to_string()),
                    Err(e) => problems.push(format!("range: {e}")),
                },
                END => match parse_time(value) {
                    Ok(t) => view.end = Some(t),
                    Err(e) => problems.push(format!("end: {e}")),
                },
                STEP => match parse_duration(value) {
                    Ok(ms) if ms > 0 => view.step = Some(ms),
                    Ok(_) => problems.push("step: must be longer than 0s".to_string()),
                    Err(e) => problems.push(format!("step: {e}")),
                },
                STACKED => view.stacked = matches!(value, "1" | "true"),
                _ => {}
            }
        }
        (view, problems)
    }
}

/// The most queries the history keeps.
pub const HISTORY_LIMIT: usize = 100;

/// Queries run, most recent first, each once.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct QueryHistory(pub Vec<String>);

impl QueryHistory {
    /// Puts `query` first (moving it there if it was run before), keeping
    /// at most [`HISTORY_LIMIT`]. Blank queries are not kept.
    pub fn push(&mut self, query: &str) {
        let query = query.trim();
        if query.is_empty() {
            return;
        }
        self.0.retain(|q| q != query);
        self.0.insert(0, query.to_string());
        self.0.truncate(HISTORY_LIMIT);
    }

    /// The queries containing `filter` (case-insensitive), most recent
    /// first.
    pub fn matching<'a>(&'a self, filter: &str) -> impl Iterator<Item = &'a String> + 'a {
        let filter = filter.trim().to_lowercase();
        self.0
            .iter()
            .filter(move |q| filter.is_empty() || q.to_lowercase().contains(&filter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn views_round_trip_through_their_query_string() {
        let views = [
            PlaygroundView::default(),
            PlaygroundView {
                expr: "sum by (job) (rate(x{a=\"b&c\"}[5m])) / 2 # 한글".into(),
                tab: Tab::Graph,
                range: 7 * 86_400_000,
                end: Some(1_767_225_600_123),
                step: Some(15_000),
                stacked: true,
            },
            PlaygroundView {
                expr: "up".into(),
                tab: Tab::Explain,
                range: 5 * 60_000,
                ..PlaygroundView::default()
            },
        ];
        for view in views {
            let query = view.to_query();
            let (back, problems) = PlaygroundView::from_query(&query);
            assert_eq!(back, view, "{query}");
            assert!(problems.is_empty(), "{problems:?}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_link_is_written_short_and_readably() {
        let view = PlaygroundView {
            expr: "rate(x[5m])".into(),
            tab: Tab::Graph,
            range: 3_600_000,
            step: Some(15_000),
            ..PlaygroundView::default()
        };
        assert_eq!(
            view.to_query(),
            "expr=rate%28x%5B5m%5D%29&tab=graph&step=15s"
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn bad_values_keep_their_default_and_are_reported() {
        let (view, problems) = PlaygroundView::from_query(
            "?expr=up&tab=pie&range=banana&end=yesterday&step=0s&other=1&range=1h&stacked=yes",
        );
        assert_eq!(view.expr, "up");
        assert_eq!(view.tab, Tab::Table);
        assert_eq!(view.range, 3_600_000);
        assert_eq!(view.end, None);
        assert_eq!(view.step, None);
        assert!(!view.stacked);
        let names: Vec<&str> = problems
            .iter()
            .map(|p| p.split(':').next().unwrap_or(""))
            .collect();
        assert_eq!(names, ["tab", "range", "end", "step"], "{problems:?}");
        // Times read as the API reads them: Unix seconds too.
        let (view, _) = PlaygroundView::from_query("end=1767225600");
        assert_eq!(view.end, Some(1_767_225_600_000));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn auto_step_is_the_prometheus_uis() {
        let cases = [
            (5 * 60_000, 1_000),
            (15 * 60_000, 3_000),
            (3_600_000, 14_000),
            (86_400_000, 345_000),
            (7 * 86_400_000, 2_419_000),
            (0, 1_000),
        ];
        for (range, want) in cases {
            assert_eq!(auto_step(range), want, "{range}");
        }
        let view = PlaygroundView {
            end: Some(10_000_000),
            range: 3_600_000,
            ..PlaygroundView::default()
        };
        assert_eq!(view.window(0), (6_400_000, 10_000_000));
        assert_eq!(view.effective_step(), 14_000);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn history_keeps_the_latest_first_once_and_at_most_a_hundred() {
        let mut h = QueryHistory::default();
        for q in ["up", "rate(x[5m])", " up ", "", "  "] {
            h.push(q);
        }
        assert_eq!(h.0, ["up", "rate(x[5m])"]);
        for i in 0..150 {
            h.push(&format!("q{i}"));
        }
        assert_eq!(h.0.len(), HISTORY_LIMIT);
        assert_eq!(h.0[0], "q149");
        assert_eq!(h.0[99], "q50");
        let found: Vec<&String> = h.matching("Q14").collect();
        // q14 itself was pushed out by the newer ones.
        assert_eq!(found.len(), 10, "q140..q149");
        assert_eq!(found[0], "q149");
    }
}
