//! Inhibition: while a source alert fires, target alerts with the same
//! values of the `equal` labels are muted.
//!
//! As in Alertmanager, each rule remembers every alert its source matchers
//! accept (the latest version of each); an alert is muted when a rule's
//! target matchers accept it and one of those source alerts is still
//! firing and agrees on the `equal` labels (an absent label agrees with an
//! absent label). An alert that matches both sides of a rule is not muted
//! by source alerts that also match both sides, so an alert never mutes
//! itself.
//!
//! ```
//! use promlab_core::alertmanager::{config::AlertmanagerConfig, inhibit::Inhibitor};
//! use promlab_core::alertmanager::alert::{accept_alert, PostableAlert};
//! use promlab_core::labels::Labels;
//! let cfg = AlertmanagerConfig::parse(r#"
//! route: {receiver: r}
//! receivers: [{name: r}]
//! inhibit_rules:
//!   - source_matchers: [severity="critical"]
//!     target_matchers: [severity="warning"]
//!     equal: [cluster]
//! "#).unwrap();
//! let mut inhibitor = Inhibitor::new(&cfg.inhibit_rules);
//! let crit = Labels::from_pairs([("severity", "critical"), ("cluster", "a")]);
//! let alert = accept_alert(&PostableAlert::new(&crit), 0, 1_000, 300_000).unwrap();
//! inhibitor.observe(&alert);
//! let warn = Labels::from_pairs([("severity", "warning"), ("cluster", "a")]);
//! assert_eq!(inhibitor.mutes(&warn, 2_000), Some(alert.fingerprint()));
//! assert_eq!(inhibitor.mutes(&warn, 400_000), None); // the source resolved
//! ```

use super::alert::Alert;
use super::config::InhibitRuleConfig;
use super::matchers::matches_all;
use crate::clock::Timestamp;
use crate::labels::{Labels, Matcher};
use std::collections::BTreeMap;

/// One rule and the source alerts it has seen.
#[derive(Debug, Clone)]
pub struct InhibitRule {
    pub name: Option<String>,
    pub source_matchers: Vec<Matcher>,
    pub target_matchers: Vec<Matcher>,
    pub equal: Vec<String>,
    /// Source alerts by fingerprint: labels and end.
    sources: BTreeMap<u64, (Labels, Timestamp)>,
}

impl InhibitRule {
    /// The first (by fingerprint) source alert firing at `now` that mutes
    /// `labels`.
    fn inhibiting(&self, labels: &Labels, now: Timestamp) -> Option<u64> {
        if !matches_all(&self.target_matchers, labels) {
            return None;
        }
        let two_sided = matches_all(&self.source_matchers, labels);
        self.sources
            .iter()
            .find(|(_, (source, ends_at))| {
                *ends_at > now
                    && self.equal.iter().all(|n| source.get(n) == labels.get(n))
                    && !(two_sided && matches_all(&self.target_matchers, source))
            })
            .map(|(fp, _)| *fp)
    }
}

/// The inhibition rules of a config.
#[derive(Debug, Clone, Default)]
pub struct Inhibitor {
    rules: Vec<InhibitRule>,
}

impl Inhibitor {
    pub fn new(rules: &[InhibitRuleConfig]) -> Self {
        Inhibitor {
            rules: rules
                .iter()
                .map(|r| InhibitRule {
                    name: r.name.clone(),
                    source_matchers: r.source_matchers.clone(),
                    target_matchers: r.target_matchers.clone(),
                    equal: r.equal.clone(),
                    sources: BTreeMap::new(),
                })
                .collect(),
        }
    }

    pub fn rules(&self) -> &[InhibitRule] {
        &self.rules
    }

    /// Takes note of a stored alert: every rule whose source side accepts
    /// it keeps its latest version.
    pub fn observe(&mut self, alert: &Alert) {
        let fp = alert.fingerprint();
        for rule in &mut self.rules {
            if matches_all(&rule.source_matchers, &alert.labels) {
                rule.sources
                    .insert(fp, (alert.labels.clone(), alert.ends_at));
            }
        }
    }

    /// The fingerprint of the alert that mutes an alert with `labels` at
    /// `now`, if any (the first rule that applies wins).
    pub fn mutes(&self, labels: &Labels, now: Timestamp) -> Option<u64> {
        self.rules.iter().find_map(|r| r.inhibiting(labels, now))
    }

    /// The first time after `now` at which a source alert resolves.
    pub fn next_change(&self, now: Timestamp) -> Option<Timestamp> {
        self.rules
            .iter()
            .flat_map(|r| r.sources.values().map(|(_, ends_at)| *ends_at))
            .filter(|t| *t > now)
            .min()
    }

    /// Forgets source alerts resolved before `now`.
    pub fn gc(&mut self, now: Timestamp) {
        for rule in &mut self.rules {
            rule.sources.retain(|_, (_, ends_at)| *ends_at > now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alertmanager::alert::Annotations;
    use crate::alertmanager::config::AlertmanagerConfig;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn alert(pairs: &[(&str, &str)], ends_at: Timestamp) -> Alert {
        Alert {
            labels: Labels::from_pairs(pairs.iter().copied()),
            annotations: Annotations::new(),
            starts_at: 0,
            ends_at,
            generator_url: String::new(),
            updated_at: 0,
            timeout: false,
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn equal_labels_and_two_sided_matches() {
        let cfg = AlertmanagerConfig::parse(
            r#"
route: {receiver: r}
receivers: [{name: r}]
inhibit_rules:
  - source_matchers: [alertname=~"A|B"]
    target_matchers: [alertname=~"A|B"]
    equal: [zone]
"#,
        )
        .unwrap();
        let mut ih = Inhibitor::new(&cfg.inhibit_rules);
        let a = alert(&[("alertname", "A"), ("zone", "1")], 100);
        ih.observe(&a);
        // Both sides match the target too: A does not mute B.
        assert_eq!(
            ih.mutes(&Labels::from_pairs([("alertname", "B"), ("zone", "1")]), 0),
            None
        );
        let mut ih = Inhibitor::new(&[InhibitRuleConfig {
            source_matchers: vec![Matcher::equal("alertname", "A")],
            target_matchers: vec![Matcher::equal("alertname", "B")],
            equal: vec!["zone".into()],
            ..Default::default()
        }]);
        ih.observe(&a);
        let b = |zone: &str| Labels::from_pairs([("alertname", "B"), ("zone", zone)]);
        assert_eq!(ih.mutes(&b("1"), 0), Some(a.fingerprint()));
        assert_eq!(ih.mutes(&b("2"), 0), None);
        // An absent `zone` on both sides agrees.
        ih.observe(&alert(&[("alertname", "A")], 100));
        assert!(ih
            .mutes(&Labels::from_pairs([("alertname", "B")]), 0)
            .is_some());
        ih.gc(100);
        assert_eq!(ih.mutes(&b("1"), 0), None);
    }
}
