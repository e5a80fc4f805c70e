//! The routing tree: each node's options with its parent's filled in, the
//! receivers an alert reaches (a depth-first walk honouring `continue`),
//! each route's key (which group keys start with), the tree as data a UI
//! draws, and the tree as `amtool config routes` prints it.
//!
//! ```
//! use promlab_core::alertmanager::{config::AlertmanagerConfig, route::RouteTree};
//! use promlab_core::labels::Labels;
//! let cfg = AlertmanagerConfig::parse(r#"
//! route:
//!   receiver: team
//!   routes:
//!     - matchers: [severity="critical"]
//!       receiver: pager
//!       continue: true
//!     - matchers: [team="db"]
//!       receiver: db
//! receivers: [{name: team}, {name: pager}, {name: db}]
//! "#).unwrap();
//! let tree = RouteTree::new(&cfg.route);
//! let alert = Labels::from_pairs([("severity", "critical"), ("team", "db")]);
//! assert_eq!(tree.receivers(&alert), ["pager", "db"]);
//! assert_eq!(tree.receivers(&Labels::from_pairs([("team", "web")])), ["team"]);
//! ```

use super::config::{
    RouteConfig, DEFAULT_GROUP_INTERVAL, DEFAULT_GROUP_WAIT, DEFAULT_REPEAT_INTERVAL, GROUP_BY_ALL,
};
use super::matchers::{matcher_string, matchers_string, matches_all};
use crate::clock::Millis;
use crate::diagnostic::Span;
use crate::labels::{Labels, Matcher};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One node with every option resolved (Alertmanager's `dispatch.Route`).
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub receiver: String,
    pub matchers: Vec<Matcher>,
    /// The labels alerts are grouped by.
    pub group_by: BTreeSet<String>,
    /// `group_by: ['...']`: group by every label.
    pub group_by_all: bool,
    pub group_wait: Millis,
    pub group_interval: Millis,
    pub repeat_interval: Millis,
    pub r#continue: bool,
    pub mute_time_intervals: Vec<String>,
    pub active_time_intervals: Vec<String>,
    /// Alertmanager's route key: the matchers of every node from the root,
    /// `{}/{severity="critical"}`. Group keys start with it.
    pub key: String,
    /// Alertmanager's route ID: the key and the position among siblings.
    pub id: String,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Where the node is written in the config.
    pub span: Span,
}

impl Route {
    /// The labels of `alert` this route groups by.
    pub fn group_labels(&self, alert: &Labels) -> Labels {
        Labels::from_pairs(
            alert
                .iter()
                .filter(|l| self.group_by_all || self.group_by.contains(&l.name))
                .map(|l| (l.name.clone(), l.value.clone())),
        )
    }
}

/// The whole tree, nodes in depth-first order; the root is node 0.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTree {
    routes: Vec<Route>,
}

impl RouteTree {
    pub fn new(root: &RouteConfig) -> Self {
        let mut tree = RouteTree { routes: Vec::new() };
        tree.add(root, None, 0);
        tree
    }

    fn add(&mut self, cfg: &RouteConfig, parent: Option<usize>, position: usize) -> usize {
        let (mut receiver, mut group_by, mut group_by_all, mut wait, mut interval, mut repeat) =
            match parent.and_then(|p| self.routes.get(p)) {
                Some(p) => (
                    p.receiver.clone(),
                    p.group_by.clone(),
                    p.group_by_all,
                    p.group_wait,
                    p.group_interval,
                    p.repeat_interval,
                ),
                None => (
                    String::new(),
                    BTreeSet::new(),
                    false,
                    DEFAULT_GROUP_WAIT,
                    DEFAULT_GROUP_INTERVAL,
                    DEFAULT_REPEAT_INTERVAL,
                ),
            };
        if let Some(r) = cfg.receiver.as_deref().filter(|r| !r.is_empty()) {
            receiver = r.to_string();
        }
        // Alertmanager replaces the parent's labels only when some are
        // named; `...` alone turns on grouping by everything.
        let named: Vec<&String> = cfg
            .group_by
            .iter()
            .flatten()
            .filter(|l| *l != GROUP_BY_ALL)
            .collect();
        if !named.is_empty() {
            group_by = named.into_iter().cloned().collect();
            group_by_all = false;
        } else if cfg.group_by.iter().flatten().any(|l| l == GROUP_BY_ALL) {
            group_by_all = true;
        }
        wait = cfg.group_wait.unwrap_or(wait);
        interval = cfg.group_interval.unwrap_or(interval);
        repeat = cfg.repeat_interval.unwrap_or(repeat);
        let own = matchers_string(&cfg.matchers);
        let key = match parent.and_then(|p| self.routes.get(p)) {
            Some(p) => format!("{}/{own}", p.key),
            None => own,
        };
        let id = if parent.is_some() {
            format!("{key}/{position}")
        } else {
            key.clone()
        };
        let index = self.routes.len();
        self.routes.push(Route {
            receiver,
            matchers: cfg.matchers.clone(),
            group_by,
            group_by_all,
            group_wait: wait,
            group_interval: interval,
            repeat_interval: repeat,
            r#continue: cfg.r#continue,
            mute_time_intervals: cfg.mute_time_intervals.clone(),
            active_time_intervals: cfg.active_time_intervals.clone(),
            key,
            id,
            parent,
            children: Vec::new(),
            span: cfg.span,
        });
        for (i, child) in cfg.routes.iter().enumerate() {
            let c = self.add(child, Some(index), i);
            if let Some(r) = self.routes.get_mut(index) {
                r.children.push(c);
            }
        }
        index
    }

    pub fn root(&self) -> &Route {
        // `new` always adds the root first.
        &self.routes[0]
    }

    /// The node at `index` (as [`RouteTree::matching`] returns them).
    pub fn get(&self, index: usize) -> Option<&Route> {
        self.routes.get(index)
    }

    /// Every node in depth-first order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The routes an alert with `labels` ends in, in tree order: a node
    /// whose matchers fail matches nothing; otherwise its children are
    /// tried in order, stopping after the first that matches unless that
    /// one has `continue`; when no child matches, the node itself is the
    /// match.
    pub fn matching(&self, labels: &Labels) -> Vec<usize> {
        self.match_from(0, labels)
    }

    fn match_from(&self, index: usize, labels: &Labels) -> Vec<usize> {
        let Some(route) = self.routes.get(index) else {
            return Vec::new();
        };
        if !matches_all(&route.matchers, labels) {
            return Vec::new();
        }
        let mut all = Vec::new();
        for &child in &route.children {
            let found = self.match_from(child, labels);
            let matched = !found.is_empty();
            all.extend(found);
            if matched && !self.routes.get(child).is_some_and(|c| c.r#continue) {
                break;
            }
        }
        if all.is_empty() {
            all.push(index);
        }
        all
    }

    /// The receivers an alert reaches, in tree order (a receiver can repeat
    /// when several routes name it).
    pub fn receivers(&self, labels: &Labels) -> Vec<&str> {
        self.matching(labels)
            .into_iter()
            .filter_map(|i| self.routes.get(i))
            .map(|r| r.receiver.as_str())
            .collect()
    }

    /// Where node `index` is in the tree: the position of each node
    /// among its siblings, from the root's child down (`[]` for the root),
    /// as [`RouteNode::children`] nests them.
    pub fn path(&self, index: usize) -> Vec<usize> {
        let mut path = Vec::new();
        let mut at = index;
        while let Some(parent) = self.routes.get(at).and_then(|r| r.parent) {
            let position = self
                .routes
                .get(parent)
                .and_then(|p| p.children.iter().position(|&c| c == at))
                .unwrap_or(0);
            path.push(position);
            at = parent;
        }
        path.reverse();
        path
    }

    /// What `amtool config routes test` answers for `labels`, as data: the
    /// receivers, the routes matched as paths into [`RouteNode`], and
    /// amtool's own text.
    pub fn test(&self, labels: &Labels) -> RouteTest {
        RouteTest {
            labels: labels.clone(),
            receivers: self
                .receivers(labels)
                .into_iter()
                .map(str::to_string)
                .collect(),
            matched: self
                .matching(labels)
                .into_iter()
                .map(|i| self.path(i))
                .collect(),
            amtool: self.render_amtool_test(labels, true),
        }
    }

    /// The tree as data for a UI.
    pub fn to_node(&self) -> RouteNode {
        self.node(0)
    }

    fn node(&self, index: usize) -> RouteNode {
        let Some(r) = self.routes.get(index) else {
            return RouteNode::default();
        };
        RouteNode {
            receiver: r.receiver.clone(),
            matchers: r.matchers.iter().map(matcher_string).collect(),
            group_by: if r.group_by_all {
                vec![GROUP_BY_ALL.to_string()]
            } else {
                r.group_by.iter().cloned().collect()
            },
            timers: RouteTimers {
                group_wait: r.group_wait,
                group_interval: r.group_interval,
                repeat_interval: r.repeat_interval,
            },
            r#continue: r.r#continue,
            mute_time_intervals: r.mute_time_intervals.clone(),
            active_time_intervals: r.active_time_intervals.clone(),
            key: r.key.clone(),
            children: r.children.iter().map(|&c| self.node(c)).collect(),
        }
    }

    /// `amtool config routes` output: the tree with each node's matchers,
    /// `continue` and receiver.
    pub fn render_amtool(&self) -> String {
        let mut out = String::from("Routing tree:\n.\n");
        self.render_node(0, "", true, &mut out, &|r: &Route| {
            let mut s = slug(r);
            if r.r#continue {
                s.push_str("  continue: true");
            }
            s.push_str("  receiver: ");
            s.push_str(&r.receiver);
            s
        });
        out.push('\n');
        out
    }

    /// `amtool config routes test --tree` output for `labels`: the path the
    /// alert takes, the receivers at the ends, then the receivers line.
    pub fn render_amtool_test(&self, labels: &Labels, tree: bool) -> String {
        let mut out = String::new();
        if tree {
            out.push_str("Matching routes:\n.\n");
            self.render_matching(0, "", true, labels, &mut out);
            out.push_str("\n\n");
        }
        out.push_str(&self.receivers(labels).join(","));
        out.push('\n');
        out
    }

    fn render_node(
        &self,
        index: usize,
        prefix: &str,
        last: bool,
        out: &mut String,
        text: &dyn Fn(&Route) -> String,
    ) {
        let Some(r) = self.routes.get(index) else {
            return;
        };
        out.push_str(prefix);
        out.push_str(if last { "└── " } else { "├── " });
        out.push_str(&text(r));
        out.push('\n');
        let inner = format!("{prefix}{}", if last { "    " } else { "│   " });
        for (i, &c) in r.children.iter().enumerate() {
            self.render_node(c, &inner, i + 1 == r.children.len(), out, text);
        }
    }

    fn render_matching(
        &self,
        index: usize,
        prefix: &str,
        last: bool,
        labels: &Labels,
        out: &mut String,
    ) {
        let Some(r) = self.routes.get(index) else {
            return;
        };
        let mut next = Vec::new();
        for &c in &r.children {
            let Some(child) = self.routes.get(c) else {
                continue;
            };
            if matches_all(&child.matchers, labels) {
                next.push(c);
                if !child.r#continue {
                    break;
                }
            }
        }
        out.push_str(prefix);
        out.push_str(if last { "└── " } else { "├── " });
        out.push_str(&slug(r));
        if next.is_empty() {
            out.push_str("  receiver: ");
            out.push_str(&r.receiver);
        }
        out.push('\n');
        let inner = format!("{prefix}{}", if last { "    " } else { "│   " });
        for (i, &c) in next.iter().enumerate() {
            self.render_matching(c, &inner, i + 1 == next.len(), labels, out);
        }
    }
}

/// A node's name in amtool's trees: its matchers, or `default-route`.
fn slug(r: &Route) -> String {
    if r.matchers.is_empty() {
        "default-route".to_string()
    } else {
        matchers_string(&r.matchers)
    }
}

/// A route as a UI draws it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteNode {
    pub receiver: String,
    /// Each matcher as Alertmanager prints it.
    pub matchers: Vec<String>,
    /// The labels groups are keyed by, `["..."]` for all.
    pub group_by: Vec<String>,
    pub timers: RouteTimers,
    #[serde(rename = "continue")]
    pub r#continue: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mute_time_intervals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub active_time_intervals: Vec<String>,
    pub key: String,
    pub children: Vec<RouteNode>,
}

/// Which routes an alert with these labels takes (`amtool config routes
/// test`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTest {
    pub labels: Labels,
    /// The receivers at the routes matched, in tree order.
    pub receivers: Vec<String>,
    /// Each route matched, as its path of child positions from the root.
    pub matched: Vec<Vec<usize>>,
    /// `amtool config routes test --tree`'s output.
    pub amtool: String,
}

/// A route's three timers, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTimers {
    pub group_wait: Millis,
    pub group_interval: Millis,
    pub repeat_interval: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alertmanager::config::AlertmanagerConfig;
    use wasm_bindgen_test::wasm_bindgen_test;

    const CONFIG: &str = r#"
route:
  receiver: a
  group_by: [alertname, job]
  group_wait: 10s
  routes:
    - match: {team: db}
      receiver: b
      continue: true
      routes:
        - matchers: [severity=~"crit|page", 'env!=dev']
          receiver: c
          group_by: ['...']
    - match_re: {team: "db|web"}
      receiver: d
      repeat_interval: 1h
    - receiver: e
      matchers: ['"utf8 name"="x"']
receivers: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}]
"#;

    fn tree() -> RouteTree {
        RouteTree::new(&AlertmanagerConfig::parse(CONFIG).unwrap().route)
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn prints_as_amtool_does() {
        // Compared by hand with amtool 0.33.1's output for CONFIG.
        expect_test::expect![[r#"
            Routing tree:
            .
            └── default-route  receiver: a
                ├── {team="db"}  continue: true  receiver: b
                │   └── {env!="dev",severity=~"crit|page"}  receiver: c
                ├── {team=~"^(?:db|web)$"}  receiver: d
                └── {"utf8 name"="x"}  receiver: e

        "#]]
        .assert_eq(&tree().render_amtool());
        let labels = Labels::from_pairs([("team", "db"), ("severity", "crit"), ("env", "dev")]);
        expect_test::expect![[r#"
            Matching routes:
            .
            └── default-route
                ├── {team="db"}  receiver: b
                └── {team=~"^(?:db|web)$"}  receiver: d


            b,d
        "#]]
        .assert_eq(&tree().render_amtool_test(&labels, true));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn children_inherit_and_keys_chain() {
        let t = tree();
        let c = t.get(2).unwrap();
        assert_eq!(c.receiver, "c");
        assert!(c.group_by_all);
        assert_eq!(c.group_wait, 10_000);
        assert_eq!(
            c.key,
            r#"{}/{team="db"}/{env!="dev",severity=~"crit|page"}"#
        );
        assert_eq!(
            c.id,
            r#"{}/{team="db"}/{env!="dev",severity=~"crit|page"}/0"#
        );
        let d = t.get(3).unwrap();
        assert_eq!(d.repeat_interval, 3_600_000);
        assert_eq!(
            d.group_by.iter().cloned().collect::<Vec<_>>(),
            ["alertname", "job"]
        );
        let node = t.to_node();
        assert_eq!(node.children[0].children[0].group_by, ["..."]);
        let labels = Labels::from_pairs([("team", "db"), ("severity", "crit"), ("env", "prod")]);
        let test = t.test(&labels);
        assert_eq!(test.receivers, ["c", "d"]);
        assert_eq!(test.matched, [vec![0, 0], vec![1]]);
        assert_eq!(
            node.children[0].children[0].receiver, "c",
            "paths index RouteNode's children"
        );
        assert_eq!(t.test(&Labels::new()).matched, [Vec::<usize>::new()]);
        assert!(test.amtool.ends_with("c,d\n"));
        assert_eq!(node.timers.group_interval, DEFAULT_GROUP_INTERVAL);
    }
}
