//! Aggregation groups and their timers on virtual time.
//!
//! Each route an alert reaches puts it in the group of that route keyed
//! by the alert's values of the route's `group_by` labels. A new group
//! first flushes `group_wait` after it was created, or at once when its
//! first alert started more than `group_wait` ago; after each flush the
//! next comes `group_interval` later. A flush that notified about
//! resolved alerts drops them (unless they changed meanwhile); a group
//! left empty is gone, and the next alert for it starts a new group with a
//! new `group_wait`. This is Alertmanager 0.33's dispatcher, with its
//! goroutines and wall-clock timers replaced by due times.
//!
//! A flush that changes nothing is skipped over: the group's next flush
//! moves to the first time on its grid (its last flush plus whole
//! `group_interval`s) when something could change — an alert's end, a
//! silence's start or end, an inhibiting alert's end, a repeat falling
//! due — and back to the next grid time whenever alerts or silences are
//! posted. Notifications come at the same times as without the skip, and
//! a lab can jump a year ahead without flushing every few minutes of it.

use super::alert::{fingerprint, label_set_cmp, label_set_string, Alert};
use super::route::{Route, RouteTree};
use crate::clock::{Millis, Timestamp};
use crate::labels::Labels;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// An aggregation group.
#[derive(Debug, Clone, PartialEq)]
pub struct AggrGroup {
    /// The route's index in the [`RouteTree`].
    pub route: usize,
    /// The group's labels (the alerts' values of `group_by`).
    pub labels: Labels,
    /// Alertmanager's group key: the route key and the group labels,
    /// `{}/{severity="critical"}:{alertname="Disk"}`.
    pub key: String,
    /// The alerts by fingerprint, as last inserted.
    pub alerts: BTreeMap<u64, Alert>,
    pub created_at: Timestamp,
    /// When the group flushes next.
    pub next_flush: Timestamp,
    /// Whether it has flushed before.
    pub flushed: bool,
    /// When it last flushed: every later flush comes a whole number of
    /// `interval`s after it.
    pub origin: Timestamp,
    /// The route's `group_interval`.
    pub interval: Millis,
}

impl AggrGroup {
    /// The first flush time at or after `t` on the group's grid, or its
    /// pending first flush while it waits out `group_wait`.
    pub fn flush_at_or_after(&self, t: Timestamp) -> Timestamp {
        if !self.flushed {
            return self.next_flush;
        }
        if t <= self.origin {
            return self.origin;
        }
        let interval = self.interval.max(1);
        let steps = (t.saturating_sub(self.origin) as u64).div_ceil(interval as u64);
        let offset = i64::try_from(steps.saturating_mul(interval as u64)).unwrap_or(Timestamp::MAX);
        self.origin.saturating_add(offset)
    }

    /// Brings the next flush forward to the first grid time at or after
    /// `now`, undoing a skip over idle flushes when something changed.
    pub fn wake(&mut self, now: Timestamp) {
        if self.flushed {
            self.next_flush = self.next_flush.min(self.flush_at_or_after(now));
        }
    }
}

/// Groups keyed by route and group-label fingerprint.
#[derive(Debug, Clone, Default)]
pub struct Dispatcher {
    groups: BTreeMap<(usize, u64), AggrGroup>,
}

impl Dispatcher {
    pub fn new() -> Self {
        Dispatcher::default()
    }

    /// Puts `alert` in its group of route `index` at `now`, creating the
    /// group when there is none.
    pub fn insert(&mut self, index: usize, route: &Route, alert: &Alert, now: Timestamp) {
        let labels = route.group_labels(&alert.labels);
        let id = (index, fingerprint(&labels));
        if let Some(group) = self.groups.get_mut(&id) {
            group.alerts.insert(alert.fingerprint(), alert.clone());
            group.wake(now);
            return;
        }
        let mut next_flush = now.saturating_add(route.group_wait);
        // An alert that has been firing longer than the wait is sent at
        // once.
        if alert.starts_at.saturating_add(route.group_wait) < now {
            next_flush = now;
        }
        let key = format!("{}:{}", route.key, label_set_string(&labels));
        let mut alerts = BTreeMap::new();
        alerts.insert(alert.fingerprint(), alert.clone());
        self.groups.insert(
            id,
            AggrGroup {
                route: index,
                labels,
                key,
                alerts,
                created_at: now,
                next_flush,
                flushed: false,
                origin: now,
                interval: route.group_interval.max(1),
            },
        );
    }

    /// Wakes every group (see [`AggrGroup::wake`]): after a post, a
    /// silence or a reload, a flush skipped as idle may no longer be.
    pub fn wake_all(&mut self, now: Timestamp) {
        for g in self.groups.values_mut() {
            g.wake(now);
        }
    }

    /// The earliest flush due, if any group exists.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.groups.values().map(|g| g.next_flush).min()
    }

    /// The groups due at `t`, in a fixed order: by route, then by group
    /// labels as Alertmanager sorts them.
    pub fn due(&self, t: Timestamp) -> Vec<(usize, u64)> {
        let mut due: Vec<(&(usize, u64), &AggrGroup)> = self
            .groups
            .iter()
            .filter(|(_, g)| g.next_flush <= t)
            .collect();
        due.sort_by(|(_, a), (_, b)| {
            a.next_flush
                .cmp(&b.next_flush)
                .then(a.route.cmp(&b.route))
                .then_with(|| label_set_cmp(&a.labels, &b.labels))
        });
        due.into_iter().map(|(id, _)| *id).collect()
    }

    pub fn get(&self, id: &(usize, u64)) -> Option<&AggrGroup> {
        self.groups.get(id)
    }

    pub fn get_mut(&mut self, id: &(usize, u64)) -> Option<&mut AggrGroup> {
        self.groups.get_mut(id)
    }

    /// After a successful flush: drops the resolved alerts that were sent
    /// and have not been updated since, and the group when it is left
    /// empty.
    pub fn drop_resolved(&mut self, id: &(usize, u64), sent: &[(u64, Timestamp)]) {
        let Some(group) = self.groups.get_mut(id) else {
            return;
        };
        for (fp, updated_at) in sent {
            if group
                .alerts
                .get(fp)
                .is_some_and(|a| a.updated_at == *updated_at)
            {
                group.alerts.remove(fp);
            }
        }
        if group.alerts.is_empty() {
            self.groups.remove(id);
        }
    }

    /// Every group, ordered as Alertmanager's API lists them: by group
    /// labels, then by receiver.
    pub fn groups<'a>(&'a self, routes: &'a RouteTree) -> Vec<&'a AggrGroup> {
        let mut all: Vec<&AggrGroup> = self.groups.values().collect();
        let receiver = |g: &AggrGroup| {
            routes
                .get(g.route)
                .map_or(String::new(), |r| r.receiver.clone())
        };
        all.sort_by(|a, b| match label_set_cmp(&a.labels, &b.labels) {
            Ordering::Equal => receiver(a).cmp(&receiver(b)),
            o => o,
        });
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alertmanager::alert::Annotations;
    use crate::alertmanager::config::AlertmanagerConfig;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn alert(name: &str, instance: &str, starts_at: Timestamp) -> Alert {
        Alert {
            labels: Labels::from_pairs([("alertname", name), ("instance", instance)]),
            annotations: Annotations::new(),
            starts_at,
            ends_at: starts_at + 300_000,
            generator_url: String::new(),
            updated_at: starts_at,
            timeout: false,
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn groups_by_route_and_labels_with_group_wait() {
        let cfg = AlertmanagerConfig::parse(
            "route: {receiver: r, group_by: [alertname], group_wait: 10s}\nreceivers: [{name: r}]",
        )
        .unwrap();
        let tree = RouteTree::new(&cfg.route);
        let mut d = Dispatcher::new();
        d.insert(0, tree.root(), &alert("A", "1", 1_000), 1_000);
        d.insert(0, tree.root(), &alert("A", "2", 2_000), 2_000);
        d.insert(0, tree.root(), &alert("B", "1", 0), 50_000);
        assert_eq!(d.next_due(), Some(11_000));
        let due = d.due(50_000);
        let keys: Vec<(&str, usize, Timestamp)> = due
            .iter()
            .map(|id| {
                let g = d.get(id).unwrap();
                (g.key.as_str(), g.alerts.len(), g.next_flush)
            })
            .collect();
        assert_eq!(
            keys,
            [
                (r#"{}:{alertname="A"}"#, 2, 11_000),
                (r#"{}:{alertname="B"}"#, 1, 50_000)
            ]
        );
        let a1 = alert("A", "1", 1_000);
        d.drop_resolved(&due[1], &[(alert("B", "1", 0).fingerprint(), 0)]);
        assert!(d.get(&due[1]).is_none(), "an emptied group is gone");
        d.drop_resolved(&due[0], &[(a1.fingerprint(), 999)]);
        assert_eq!(
            d.get(&due[0]).unwrap().alerts.len(),
            2,
            "an updated alert stays"
        );
    }
}
