//! A query result as a table's rows, in the order the user sorted them:
//! by the series (metric name, then the other labels) or by value, either
//! way round. Rows past [`TABLE_ROW_LIMIT`] are left for the caller to
//! count as hidden, so a result of a hundred thousand series never builds
//! a hundred thousand table rows.
//!
//! ```
//! use promlab_core::chart::table::{sorted_rows, Sort, SortColumn};
//! use promlab_core::labels::Labels;
//! let a = Labels::from_pairs([("__name__", "up"), ("job", "a")]);
//! let b = Labels::from_pairs([("__name__", "up"), ("job", "b")]);
//! let rows = [(&b, 1.0), (&a, 3.0)];
//! assert_eq!(sorted_rows(&rows, Sort::default()), [1, 0]);
//! assert_eq!(sorted_rows(&rows, Sort::by(SortColumn::Value).reversed()), [1, 0]);
//! ```

use crate::labels::{Labels, METRIC_NAME};
use std::cmp::Ordering;

/// The most rows a table shows at once.
pub const TABLE_ROW_LIMIT: usize = 1000;

/// The column a table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    /// The metric name, then the other labels in name order.
    #[default]
    Series,
    Value,
}

/// A column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Sort {
    /// Ascending by `column`.
    pub fn by(column: SortColumn) -> Sort {
        Sort {
            column,
            descending: false,
        }
    }

    pub fn reversed(self) -> Sort {
        Sort {
            descending: !self.descending,
            ..self
        }
    }

    /// The sort after a click on `column`'s header: the same column turns
    /// round; another starts ascending for series, descending for values
    /// (the largest first is what one looks for).
    pub fn clicked(self, column: SortColumn) -> Sort {
        if column == self.column {
            self.reversed()
        } else {
            Sort {
                column,
                descending: column == SortColumn::Value,
            }
        }
    }
}

/// The indices of `rows` (labels and value) in `sort`'s order. Values that
/// are not numbers (NaN) go last either way; rows that compare equal keep
/// their order.
pub fn sorted_rows(rows: &[(&Labels, f64)], sort: Sort) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let by_series = |a: &Labels, b: &Labels| {
        a.metric_name().cmp(b.metric_name()).then_with(|| {
            fn rest(l: &Labels) -> impl Iterator<Item = (&str, &str)> + '_ {
                l.iter()
                    .filter(|l| l.name != METRIC_NAME)
                    .map(|l| (l.name.as_str(), l.value.as_str()))
            }
            rest(a).cmp(rest(b))
        })
    };
    order.sort_by(|&i, &j| {
        let ((la, va), (lb, vb)) = (rows[i], rows[j]);
        match sort.column {
            SortColumn::Series => {
                let o = by_series(la, lb);
                if sort.descending {
                    o.reverse()
                } else {
                    o
                }
            }
            SortColumn::Value => match (va.is_nan(), vb.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    let o = va.total_cmp(&vb);
                    if sort.descending {
                        o.reverse()
                    } else {
                        o
                    }
                }
            },
        }
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn rows_sort_by_series_and_by_value_both_ways() {
        let l = |name: &str, job: &str| Labels::from_pairs([("__name__", name), ("job", job)]);
        let labels = [
            l("up", "b"),
            l("up", "a"),
            l("a_metric", "z"),
            l("up", "c"),
            Labels::from_pairs([("job", "nameless")]),
        ];
        let values = [2.0, f64::NAN, -1.0, 10.0, 2.0];
        let rows: Vec<(&Labels, f64)> = labels.iter().zip(values).collect();
        let cases = [
            (Sort::default(), [4, 2, 1, 0, 3]),
            (Sort::default().reversed(), [3, 0, 1, 2, 4]),
            (Sort::by(SortColumn::Value), [2, 0, 4, 3, 1]),
            (Sort::by(SortColumn::Value).reversed(), [3, 0, 4, 2, 1]),
        ];
        for (sort, want) in cases {
            assert_eq!(sorted_rows(&rows, sort), want, "{sort:?}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn header_clicks_turn_the_order_round() {
        let s = Sort::default();
        let v = s.clicked(SortColumn::Value);
        assert_eq!(
            v,
            Sort {
                column: SortColumn::Value,
                descending: true
            }
        );
        assert!(!v.clicked(SortColumn::Value).descending);
        assert_eq!(v.clicked(SortColumn::Series), Sort::default());
        assert!(s.clicked(SortColumn::Series).descending);
    }
}
