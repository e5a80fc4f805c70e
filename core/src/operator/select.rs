//! Label and namespace selection as the Prometheus Operator does it, with
//! the reason for every decision.
//!
//! A `Prometheus` picks ServiceMonitors, PodMonitors and PrometheusRules
//! with a label selector on the objects and one on their namespaces; an
//! `Alertmanager` picks AlertmanagerConfigs the same way. The operator
//! documents the difference between an absent and an empty selector:
//!
//! | selector | left out (`nil`) | `{}` |
//! |---|---|---|
//! | object selector (`serviceMonitorSelector`, `ruleSelector`, …) | selects nothing | selects everything |
//! | namespace selector (`…NamespaceSelector`) | only the resource's own namespace | every namespace |
//!
//! ```
//! use promlab_core::operator::objects::{LabelSelector, StringMap};
//! use promlab_core::operator::select::{matches_labels, mismatch};
//! let sel = LabelSelector::labels([("release", "qks-monitoring")]);
//! let labels: StringMap = [("release".to_string(), "other".to_string())].into();
//! assert!(!matches_labels(&sel, &labels));
//! assert_eq!(mismatch(&sel, &labels).unwrap(), "needs release=qks-monitoring, but release=other");
//! ```

use super::cluster::ClusterObjects;
use super::objects::*;

/// Whether one requirement holds for `labels`.
pub fn requirement_matches(r: &LabelSelectorRequirement, labels: &StringMap) -> bool {
    let value = labels.get(&r.key);
    match r.operator {
        SelectorOperator::In => value.is_some_and(|v| r.values.contains(v)),
        SelectorOperator::NotIn => value.is_none_or(|v| !r.values.contains(v)),
        SelectorOperator::Exists => value.is_some(),
        SelectorOperator::DoesNotExist => value.is_none(),
    }
}

/// Whether every `matchLabels` entry and every `matchExpressions`
/// requirement holds; `{}` matches anything.
pub fn matches_labels(sel: &LabelSelector, labels: &StringMap) -> bool {
    sel.match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
        && sel
            .match_expressions
            .iter()
            .all(|r| requirement_matches(r, labels))
}

/// The first part of `sel` that `labels` fail, in words; `None` when they
/// match.
pub fn mismatch(sel: &LabelSelector, labels: &StringMap) -> Option<String> {
    for (k, v) in &sel.match_labels {
        match labels.get(k) {
            Some(have) if have == v => {}
            Some(have) => return Some(format!("needs {k}={v}, but {k}={have}")),
            None => return Some(format!("needs {k}={v}, but there is no label {k}")),
        }
    }
    for r in &sel.match_expressions {
        if requirement_matches(r, labels) {
            continue;
        }
        let have = match labels.get(&r.key) {
            Some(v) => format!("{}={v}", r.key),
            None => format!("there is no label {}", r.key),
        };
        return Some(format!("needs {}, but {have}", describe_requirement(r)));
    }
    None
}

fn describe_requirement(r: &LabelSelectorRequirement) -> String {
    let values = r.values.join(", ");
    match r.operator {
        SelectorOperator::In => format!("{} in ({values})", r.key),
        SelectorOperator::NotIn => format!("{} notin ({values})", r.key),
        SelectorOperator::Exists => format!("label {}", r.key),
        SelectorOperator::DoesNotExist => format!("no label {}", r.key),
    }
}

/// A selector as `kubectl get -l` writes one: `{}` for the empty selector.
pub fn describe(sel: &LabelSelector) -> String {
    if sel.is_empty() {
        return "{}".into();
    }
    let mut parts: Vec<String> = sel
        .match_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for r in &sel.match_expressions {
        parts.push(match r.operator {
            SelectorOperator::In | SelectorOperator::NotIn => describe_requirement(r),
            SelectorOperator::Exists => r.key.clone(),
            SelectorOperator::DoesNotExist => format!("!{}", r.key),
        });
    }
    parts.join(",")
}

/// Why an object was or was not picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Selected,
    /// The resource leaves the object selector out: it selects nothing.
    NoSelector,
    /// The object's labels fail the object selector.
    LabelsDoNotMatch,
    /// The object's namespace is not among those searched.
    NamespaceNotSelected,
}

/// The decision about one object, explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub object: ObjectKey,
    pub cause: Cause,
    /// Every reason, in words (one when selected).
    pub reasons: Vec<String>,
}

impl Decision {
    pub fn selected(&self) -> bool {
        self.cause == Cause::Selected
    }
}

/// One pair of selectors of a Prometheus or Alertmanager resource.
#[derive(Debug, Clone, Copy)]
pub struct Selectors<'a> {
    /// The resource doing the selecting (`Prometheus qks-monitoring/x`).
    pub owner: &'a ObjectMeta,
    pub owner_kind: Kind,
    pub selector: Option<&'a LabelSelector>,
    pub selector_field: &'static str,
    pub namespace_selector: Option<&'a LabelSelector>,
    pub namespace_field: &'static str,
}

impl Selectors<'_> {
    /// Whether the resource searches namespace `ns`, and why not.
    pub fn namespace_reason(&self, cluster: &ClusterObjects, ns: &str) -> Result<String, String> {
        match self.namespace_selector {
            None if ns == self.owner.namespace => Ok(format!(
                "{} is unset, so only the {}'s own namespace {} is searched",
                self.namespace_field, self.owner_kind, self.owner.namespace
            )),
            None => Err(format!(
                "{} is unset, so only the {}'s own namespace {} is searched, not {ns}",
                self.namespace_field, self.owner_kind, self.owner.namespace
            )),
            Some(sel) if sel.is_empty() => Ok(format!(
                "{} {{}} searches every namespace",
                self.namespace_field
            )),
            Some(sel) => {
                let empty = StringMap::new();
                let labels = cluster.namespace_labels(ns);
                let exists = labels.is_some();
                match mismatch(sel, labels.unwrap_or(&empty)) {
                    None => Ok(format!(
                        "{} {} matches namespace {ns}",
                        self.namespace_field,
                        describe(sel)
                    )),
                    Some(why) if exists => Err(format!(
                        "{} {} does not match namespace {ns}: {why}",
                        self.namespace_field,
                        describe(sel)
                    )),
                    Some(_) => Err(format!(
                        "{} {} cannot match namespace {ns}, which does not exist",
                        self.namespace_field,
                        describe(sel)
                    )),
                }
            }
        }
    }

    /// Decides about one object.
    pub fn decide(&self, cluster: &ClusterObjects, object: &Object) -> Decision {
        let meta = object.metadata();
        let kind = object.kind();
        let mut failures = Vec::new();
        let mut cause = Cause::Selected;
        let mut because = Vec::new();
        match self.selector {
            None => {
                cause = Cause::NoSelector;
                failures.push(format!(
                    "the {} has no {}, which selects no {kind} (write `{}: {{}}` to select all)",
                    self.owner_kind, self.selector_field, self.selector_field
                ));
            }
            Some(sel) => match mismatch(sel, &meta.labels) {
                None if sel.is_empty() => {
                    because.push(format!("{} {{}} selects every {kind}", self.selector_field))
                }
                None => because.push(format!(
                    "{} {} matches its labels",
                    self.selector_field,
                    describe(sel)
                )),
                Some(why) => {
                    cause = Cause::LabelsDoNotMatch;
                    failures.push(format!(
                        "{} {} does not match its labels: {why}",
                        self.selector_field,
                        describe(sel)
                    ));
                }
            },
        }
        match self.namespace_reason(cluster, &meta.namespace) {
            Ok(why) => because.push(why),
            Err(why) => {
                if cause == Cause::Selected {
                    cause = Cause::NamespaceNotSelected;
                }
                failures.push(why);
            }
        }
        Decision {
            object: object.key(),
            cause,
            reasons: if cause == Cause::Selected {
                vec![because.join("; ")]
            } else {
                failures
            },
        }
    }

    /// Decisions about every object of `kind`, in key order.
    pub fn decide_all(&self, cluster: &ClusterObjects, kind: Kind) -> Vec<Decision> {
        cluster
            .of_kind(kind)
            .map(|o| self.decide(cluster, o))
            .collect()
    }
}

/// What a Prometheus resource selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrometheusSelection {
    pub service_monitors: Vec<Decision>,
    pub pod_monitors: Vec<Decision>,
    pub rules: Vec<Decision>,
}

impl Prometheus {
    pub fn service_monitor_selectors(&self) -> Selectors<'_> {
        Selectors {
            owner: &self.metadata,
            owner_kind: Kind::Prometheus,
            selector: self.service_monitor_selector.as_ref(),
            selector_field: "serviceMonitorSelector",
            namespace_selector: self.service_monitor_namespace_selector.as_ref(),
            namespace_field: "serviceMonitorNamespaceSelector",
        }
    }

    pub fn pod_monitor_selectors(&self) -> Selectors<'_> {
        Selectors {
            owner: &self.metadata,
            owner_kind: Kind::Prometheus,
            selector: self.pod_monitor_selector.as_ref(),
            selector_field: "podMonitorSelector",
            namespace_selector: self.pod_monitor_namespace_selector.as_ref(),
            namespace_field: "podMonitorNamespaceSelector",
        }
    }

    pub fn rule_selectors(&self) -> Selectors<'_> {
        Selectors {
            owner: &self.metadata,
            owner_kind: Kind::Prometheus,
            selector: self.rule_selector.as_ref(),
            selector_field: "ruleSelector",
            namespace_selector: self.rule_namespace_selector.as_ref(),
            namespace_field: "ruleNamespaceSelector",
        }
    }

    /// Every ServiceMonitor, PodMonitor and PrometheusRule of the cluster,
    /// decided.
    pub fn select(&self, cluster: &ClusterObjects) -> PrometheusSelection {
        PrometheusSelection {
            service_monitors: self
                .service_monitor_selectors()
                .decide_all(cluster, Kind::ServiceMonitor),
            pod_monitors: self
                .pod_monitor_selectors()
                .decide_all(cluster, Kind::PodMonitor),
            rules: self
                .rule_selectors()
                .decide_all(cluster, Kind::PrometheusRule),
        }
    }
}

impl Alertmanager {
    pub fn config_selectors(&self) -> Selectors<'_> {
        Selectors {
            owner: &self.metadata,
            owner_kind: Kind::Alertmanager,
            selector: self.alertmanager_config_selector.as_ref(),
            selector_field: "alertmanagerConfigSelector",
            namespace_selector: self.alertmanager_config_namespace_selector.as_ref(),
            namespace_field: "alertmanagerConfigNamespaceSelector",
        }
    }

    /// Every AlertmanagerConfig of the cluster, decided.
    pub fn select(&self, cluster: &ClusterObjects) -> Vec<Decision> {
        self.config_selectors()
            .decide_all(cluster, Kind::AlertmanagerConfig)
    }
}

/// The namespaces a monitor's `namespaceSelector` watches: `None` for all.
pub fn monitor_namespaces(sel: &NamespaceSelector, own: &str) -> Option<Vec<String>> {
    if sel.any {
        None
    } else if sel.match_names.is_empty() {
        Some(vec![own.to_string()])
    } else {
        Some(sel.match_names.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn labels(pairs: &[(&str, &str)]) -> StringMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn req(key: &str, operator: SelectorOperator, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator,
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn expressions_follow_kubernetes_semantics() {
        use SelectorOperator::*;
        let l = labels(&[("app", "web"), ("tier", "front")]);
        let cases = [
            (req("app", In, &["web", "api"]), true),
            (req("app", In, &["api"]), false),
            (req("missing", In, &["x"]), false),
            (req("app", NotIn, &["api"]), true),
            (req("app", NotIn, &["web"]), false),
            // NotIn holds when the label is absent.
            (req("missing", NotIn, &["x"]), true),
            (req("tier", Exists, &[]), true),
            (req("missing", Exists, &[]), false),
            (req("missing", DoesNotExist, &[]), true),
            (req("tier", DoesNotExist, &[]), false),
        ];
        for (r, want) in cases {
            assert_eq!(requirement_matches(&r, &l), want, "{r:?}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn mismatches_are_explained() {
        use SelectorOperator::*;
        let sel = LabelSelector {
            match_labels: labels(&[("release", "qks-monitoring")]),
            match_expressions: vec![req("app", In, &["a", "b"]), req("tier", DoesNotExist, &[])],
        };
        let cases = [
            (
                labels(&[("app", "a")]),
                Some("needs release=qks-monitoring, but there is no label release"),
            ),
            (
                labels(&[("release", "qks-monitoring"), ("app", "c")]),
                Some("needs app in (a, b), but app=c"),
            ),
            (
                labels(&[("release", "qks-monitoring"), ("app", "b"), ("tier", "x")]),
                Some("needs no label tier, but tier=x"),
            ),
            (labels(&[("release", "qks-monitoring"), ("app", "b")]), None),
        ];
        for (l, want) in cases {
            assert_eq!(mismatch(&sel, &l).as_deref(), want);
        }
        assert_eq!(describe(&sel), "release=qks-monitoring,app in (a, b),!tier");
        assert_eq!(describe(&LabelSelector::default()), "{}");
    }
}
