//! The inverted index: for every label name and value, the ascending list
//! of series that carry that pair (its *postings*), and the way a list of
//! matchers becomes one such list.
//!
//! Selection follows Prometheus's `PostingsForMatchers`. A matcher that
//! cannot match an empty value means the label must be set; every matcher
//! on such a label *intersects*: equality reads one postings list, a regex
//! (or a negative matcher that rejects the empty value) is tested once per
//! distinct value of the label and the lists of the values it accepts are
//! merged. Every other matcher — a negative one, or any matcher that also
//! accepts a missing label — *subtracts* the series whose value it rejects.
//! When nothing intersects, the subtraction starts from all series.

use super::SeriesRef;
use crate::labels::{Labels, MatchOp, Matcher};
use std::collections::BTreeMap;

/// Postings by label name and value; each list ascending, never empty.
#[derive(Debug, Default)]
pub(crate) struct MemPostings {
    by_name: BTreeMap<String, BTreeMap<String, Vec<SeriesRef>>>,
    /// Every live series, ascending.
    all: Vec<SeriesRef>,
}

impl MemPostings {
    /// Adds a new series. References grow with each new series, so pushing
    /// keeps every list ascending.
    pub(crate) fn add(&mut self, r: SeriesRef, labels: &Labels) {
        for l in labels.iter() {
            insert_sorted(
                self.by_name
                    .entry(l.name.clone())
                    .or_default()
                    .entry(l.value.clone())
                    .or_default(),
                r,
            );
        }
        insert_sorted(&mut self.all, r);
    }

    /// Removes series; `removed` lists each with its labels.
    pub(crate) fn delete(&mut self, removed: &[(SeriesRef, &Labels)]) {
        let mut refs: Vec<SeriesRef> = removed.iter().map(|&(r, _)| r).collect();
        refs.sort_unstable();
        let gone = |r: &SeriesRef| refs.binary_search(r).is_ok();
        // Each touched list once, however many removed series share it.
        let mut touched: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (_, labels) in removed {
            for l in labels.iter() {
                touched.entry(&l.name).or_default().push(&l.value);
            }
        }
        for (name, mut values) in touched {
            values.sort_unstable();
            values.dedup();
            let Some(by_value) = self.by_name.get_mut(name) else {
                continue;
            };
            for value in values {
                if let Some(list) = by_value.get_mut(value) {
                    list.retain(|r| !gone(r));
                    if list.is_empty() {
                        by_value.remove(value);
                    }
                }
            }
            if by_value.is_empty() {
                self.by_name.remove(name);
            }
        }
        self.all.retain(|r| !gone(r));
    }

    #[cfg(test)]
    pub(crate) fn all(&self) -> &[SeriesRef] {
        &self.all
    }

    /// The series with `name="value"`.
    #[cfg(test)]
    pub(crate) fn get(&self, name: &str, value: &str) -> &[SeriesRef] {
        self.by_name
            .get(name)
            .and_then(|values| values.get(value))
            .map_or(&[], Vec::as_slice)
    }

    /// Label names, sorted.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// The values of `name` with their postings, sorted by value.
    pub(crate) fn values(&self, name: &str) -> impl Iterator<Item = (&str, &[SeriesRef])> {
        self.by_name
            .get(name)
            .into_iter()
            .flat_map(|values| values.iter().map(|(v, l)| (v.as_str(), l.as_slice())))
    }

    /// Every label name with its values and their postings.
    pub(crate) fn iter(
        &self,
    ) -> impl Iterator<Item = (&str, &BTreeMap<String, Vec<SeriesRef>>)> + '_ {
        self.by_name.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// The series matching every matcher, ascending. No matchers select every
    /// series.
    pub(crate) fn select(&self, matchers: &[Matcher]) -> Vec<SeriesRef> {
        let must_be_set = |name: &str| {
            matchers
                .iter()
                .any(|m| m.name == name && !m.matches_empty())
        };
        let subtracts = |m: &Matcher| {
            !must_be_set(&m.name)
                || (matches!(m.op, MatchOp::NotEqual | MatchOp::NotRegex) && m.matches_empty())
        };
        let mut intersect: Vec<Vec<SeriesRef>> = Vec::new();
        let mut subtract: Vec<Vec<SeriesRef>> = Vec::new();
        for m in matchers {
            if subtracts(m) {
                // `=~".*"` accepts every value and the missing label alike.
                if m.op == MatchOp::Regex && m.value == ".*" {
                    continue;
                }
                let rejected = self.postings_where(m, false);
                if !rejected.is_empty() {
                    subtract.push(rejected);
                }
            } else {
                let accepted = self.postings_where(m, true);
                if accepted.is_empty() {
                    return Vec::new();
                }
                intersect.push(accepted);
            }
        }
        intersect.sort_by_key(Vec::len);
        let mut lists = intersect.into_iter();
        let mut result = match lists.next() {
            Some(first) => lists.fold(first, |acc, l| intersect_sorted(&acc, &l)),
            None => self.all.clone(),
        };
        for s in &subtract {
            result = subtract_sorted(&result, s);
        }
        result
    }

    /// The series that have label `m.name` with a value on which
    /// `m.matches` is `accept`, ascending. Each distinct value is tested
    /// once.
    fn postings_where(&self, m: &Matcher, accept: bool) -> Vec<SeriesRef> {
        let Some(values) = self.by_name.get(&m.name) else {
            return Vec::new();
        };
        // Lookups instead of a scan when the accepted values are known.
        let equal = matches!(m.op, MatchOp::Equal | MatchOp::Regex) == accept;
        let literals = match m.op {
            MatchOp::Equal | MatchOp::NotEqual => Some(vec![m.value.as_str()]),
            MatchOp::Regex | MatchOp::NotRegex => literal_alternatives(&m.value),
        };
        let mut lists: Vec<&[SeriesRef]> = match literals {
            Some(literals) if equal => literals
                .into_iter()
                .filter_map(|v| values.get(v).map(Vec::as_slice))
                .collect(),
            _ => values
                .iter()
                .filter(|(v, _)| m.matches(v) == accept)
                .map(|(_, l)| l.as_slice())
                .collect(),
        };
        match lists.len() {
            0 => Vec::new(),
            1 => lists.pop().map(<[_]>::to_vec).unwrap_or_default(),
            _ => {
                // One series has one value per name, so the lists are
                // disjoint: concatenate and sort.
                let mut out: Vec<SeriesRef> = lists.concat();
                out.sort_unstable();
                out.dedup();
                out
            }
        }
    }
}

fn insert_sorted(list: &mut Vec<SeriesRef>, r: SeriesRef) {
    match list.last() {
        Some(&last) if last >= r => {
            if let Err(i) = list.binary_search(&r) {
                list.insert(i, r);
            }
        }
        _ => list.push(r),
    }
}

/// The alternatives of a regex made only of literal text and `|`, such as
/// `GET|POST`; `None` when any other regex syntax appears.
fn literal_alternatives(pattern: &str) -> Option<Vec<&str>> {
    const META: &[char] = &[
        '\\', '.', '+', '*', '?', '(', ')', '[', ']', '{', '}', '^', '$',
    ];
    if pattern.contains(META) {
        return None;
    }
    let mut alts: Vec<&str> = pattern.split('|').collect();
    alts.sort_unstable();
    alts.dedup();
    Some(alts)
}

/// Elements of both ascending lists. Walks the shorter one and gallops in
/// the longer, so a small list against a big one costs little.
pub(crate) fn intersect_sorted(a: &[SeriesRef], b: &[SeriesRef]) -> Vec<SeriesRef> {
    let (small, mut big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut out = Vec::with_capacity(small.len());
    for &x in small {
        match gallop(big, x) {
            Ok(i) => {
                out.push(x);
                big = &big[i + 1..];
            }
            Err(i) => big = &big[i..],
        }
        if big.is_empty() {
            break;
        }
    }
    out
}

/// Elements of `a` not in `b`; both ascending.
pub(crate) fn subtract_sorted(a: &[SeriesRef], b: &[SeriesRef]) -> Vec<SeriesRef> {
    let mut out = Vec::with_capacity(a.len());
    let mut rest = b;
    for &x in a {
        match gallop(rest, x) {
            Ok(i) => rest = &rest[i + 1..],
            Err(i) => {
                rest = &rest[i..];
                out.push(x);
            }
        }
    }
    out
}

/// `binary_search` over a prefix that doubles until it passes `x`: cheap
/// when `x` is near the front, as it is when walking two sorted lists.
fn gallop(list: &[SeriesRef], x: SeriesRef) -> Result<usize, usize> {
    let mut end = 1;
    while end < list.len() && list[end - 1] < x {
        end *= 2;
    }
    let end = end.min(list.len());
    let start = end / 2;
    // Everything before `start` is below `x`, and `list[end - 1] >= x`
    // unless the list ends first: the answer lies in `start..=end`.
    match list[start..end].binary_search(&x) {
        Ok(i) => Ok(start + i),
        Err(i) => Err(start + i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(pairs.iter().copied())
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn sorted_list_operations() {
        let a: Vec<SeriesRef> = (0..100).step_by(3).collect();
        let b: Vec<SeriesRef> = (0..100).step_by(5).collect();
        let both: Vec<SeriesRef> = (0..100).step_by(15).collect();
        assert_eq!(intersect_sorted(&a, &b), both);
        assert_eq!(intersect_sorted(&b, &a), both);
        let only_a: Vec<SeriesRef> = a.iter().copied().filter(|x| x % 5 != 0).collect();
        assert_eq!(subtract_sorted(&a, &b), only_a);
        assert_eq!(intersect_sorted(&a, &[]), Vec::<SeriesRef>::new());
        assert_eq!(subtract_sorted(&a, &[]), a);
        assert_eq!(intersect_sorted(&[99], &a), vec![99]);
        assert_eq!(subtract_sorted(&[1000], &a), vec![1000]);
        for x in 0..110 {
            assert_eq!(gallop(&a, x), a.binary_search(&x), "{x}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn literal_alternatives_only_for_plain_text() {
        assert_eq!(literal_alternatives("b|a|b"), Some(vec!["a", "b"]));
        assert_eq!(literal_alternatives("a|"), Some(vec!["", "a"]));
        assert_eq!(literal_alternatives("a.*"), None);
        assert_eq!(literal_alternatives("(?i)a"), None);
    }

    /// Selection through postings gives what the definition gives: a series
    /// matches when every matcher accepts its value of the label (`""` when
    /// the label is missing). Every combination of up to three matchers
    /// from a table, on series where labels are present or missing.
    #[wasm_bindgen_test(unsupported = test)]
    fn selection_agrees_with_matching_each_series() {
        let mut p = MemPostings::default();
        let mut series = Vec::new();
        let values = ["", "a", "b", "ab", "A"];
        let mut r = 0;
        for x in values {
            for y in values {
                for z in ["", "1"] {
                    let labels = l(&[("__name__", "m"), ("x", x), ("y", y), ("z", z)]);
                    p.add(r, &labels);
                    series.push((r, labels));
                    r += 1;
                }
            }
        }
        let table: &[(&str, MatchOp, &str)] = &[
            ("x", MatchOp::Equal, "a"),
            ("x", MatchOp::Equal, ""),
            ("x", MatchOp::NotEqual, "a"),
            ("x", MatchOp::NotEqual, ""),
            ("x", MatchOp::Regex, "a|b"),
            ("x", MatchOp::Regex, "a|"),
            ("x", MatchOp::Regex, ".*"),
            ("x", MatchOp::Regex, ".+"),
            ("x", MatchOp::Regex, "(?i)a.*"),
            ("x", MatchOp::NotRegex, "a|b"),
            ("x", MatchOp::NotRegex, "a|"),
            ("x", MatchOp::NotRegex, ".*"),
            ("x", MatchOp::NotRegex, ""),
            ("y", MatchOp::Equal, "b"),
            ("y", MatchOp::NotEqual, "b"),
            ("y", MatchOp::Regex, "b.*|"),
            ("y", MatchOp::NotRegex, "a.*"),
            ("z", MatchOp::Equal, "1"),
            ("z", MatchOp::NotEqual, "1"),
            ("missing", MatchOp::Equal, ""),
            ("missing", MatchOp::Regex, ".+"),
            ("missing", MatchOp::NotEqual, "v"),
            ("__name__", MatchOp::Equal, "m"),
            ("__name__", MatchOp::Regex, "n"),
        ];
        let matchers: Vec<Matcher> = table
            .iter()
            .map(|&(n, op, v)| Matcher::new(n, op, v).unwrap())
            .collect();
        let check = |ms: &[&Matcher]| {
            let owned: Vec<Matcher> = ms.iter().map(|&m| m.clone()).collect();
            let want: Vec<SeriesRef> = series
                .iter()
                .filter(|(_, labels)| owned.iter().all(|m| m.matches(labels.get(&m.name))))
                .map(|&(r, _)| r)
                .collect();
            let text: Vec<String> = owned.iter().map(ToString::to_string).collect();
            assert_eq!(p.select(&owned), want, "{{{}}}", text.join(", "));
        };
        for a in &matchers {
            check(&[a]);
            for b in &matchers {
                check(&[a, b]);
                for c in matchers.iter().step_by(3) {
                    check(&[a, b, c]);
                }
            }
        }
        assert_eq!(p.select(&[]).len(), series.len());
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn delete_drops_empty_lists_and_names() {
        let mut p = MemPostings::default();
        let a = l(&[("__name__", "up"), ("job", "a")]);
        let b = l(&[("__name__", "up"), ("job", "b"), ("x", "1")]);
        p.add(0, &a);
        p.add(1, &b);
        p.delete(&[(1, &b)]);
        assert_eq!(p.all(), &[0]);
        assert_eq!(p.get("__name__", "up"), &[0]);
        assert_eq!(p.get("job", "b"), &[] as &[SeriesRef]);
        assert_eq!(p.names().collect::<Vec<_>>(), vec!["__name__", "job"]);
    }
}
