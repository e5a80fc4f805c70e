//! What the TSDB status page shows: sizes of the head (series, samples,
//! chunks, bytes of chunk data and bytes per sample, time range), the
//! cardinality tables Prometheus's `/api/v1/status/tsdb` reports (top 10
//! metric names by series, label names by values and by bytes of values,
//! label pairs by series), and the append counters.

use super::Head;
use crate::clock::Timestamp;
use crate::labels::METRIC_NAME;
use serde::Serialize;

/// How many entries each cardinality table keeps, as in Prometheus.
pub const TOP_N: usize = 10;

/// Samples refused since the head was created, by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedSamples {
    /// Older than the series' last sample.
    pub out_of_order: u64,
    /// A different value for the series' last timestamp.
    pub duplicate: u64,
    /// Older than what retention dropped.
    pub out_of_bounds: u64,
}

impl RejectedSamples {
    pub fn total(&self) -> u64 {
        self.out_of_order + self.duplicate + self.out_of_bounds
    }
}

/// One row of a cardinality table, shaped as Prometheus's API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatEntry {
    pub name: String,
    pub value: u64,
}

/// The head's sizes and cardinality, for the TSDB status page.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeadStats {
    pub series: usize,
    pub samples: usize,
    pub chunks: usize,
    /// Bytes of encoded chunk data (headers included).
    pub chunk_bytes: usize,
    /// `chunk_bytes / samples`, 0 when there are no samples.
    pub bytes_per_sample: f64,
    pub min_time: Option<Timestamp>,
    pub max_time: Option<Timestamp>,
    /// Distinct label name/value pairs.
    pub label_pairs: usize,
    /// Samples appended since the head was created.
    pub appended: u64,
    pub rejected: RejectedSamples,
    pub series_count_by_metric_name: Vec<StatEntry>,
    pub label_value_count_by_label_name: Vec<StatEntry>,
    /// Per label name, the bytes of its values summed over series.
    pub memory_in_bytes_by_label_name: Vec<StatEntry>,
    /// `name=value` pairs by how many series carry them.
    pub series_count_by_label_value_pair: Vec<StatEntry>,
}

impl Head {
    /// Counts for the TSDB status page. Walks every series and chunk.
    pub fn stats(&self) -> HeadStats {
        let mut stats = HeadStats {
            series: self.live_series,
            samples: self.samples,
            appended: self.appended,
            rejected: self.rejected,
            ..HeadStats::default()
        };
        for series in self.series.iter().flatten() {
            for c in series.chunks() {
                stats.chunks += 1;
                stats.chunk_bytes += c.bytes.len();
            }
            if let Some(min) = series.min_time() {
                stats.min_time = Some(stats.min_time.map_or(min, |m| m.min(min)));
            }
            if let Some(last) = series.last() {
                stats.max_time = Some(stats.max_time.map_or(last.t, |m| m.max(last.t)));
            }
        }
        if stats.samples > 0 {
            stats.bytes_per_sample = stats.chunk_bytes as f64 / stats.samples as f64;
        }

        let mut by_metric = Vec::new();
        let mut values_by_name = Vec::new();
        let mut bytes_by_name = Vec::new();
        let mut by_pair = Vec::new();
        for (name, values) in self.postings.iter() {
            stats.label_pairs += values.len();
            values_by_name.push(entry(name, values.len()));
            let mut bytes = 0usize;
            for (value, refs) in values {
                if name == METRIC_NAME {
                    by_metric.push(entry(value, refs.len()));
                }
                by_pair.push(entry(&format!("{name}={value}"), refs.len()));
                bytes = bytes.saturating_add(value.len().saturating_mul(refs.len()));
            }
            bytes_by_name.push(entry(name, bytes));
        }
        stats.series_count_by_metric_name = top(by_metric);
        stats.label_value_count_by_label_name = top(values_by_name);
        stats.memory_in_bytes_by_label_name = top(bytes_by_name);
        stats.series_count_by_label_value_pair = top(by_pair);
        stats
    }
}

fn entry(name: &str, n: usize) -> StatEntry {
    StatEntry {
        name: name.to_string(),
        value: n as u64,
    }
}

/// The [`TOP_N`] largest, largest first, ties by name.
fn top(mut entries: Vec<StatEntry>) -> Vec<StatEntry> {
    entries.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.name.cmp(&b.name)));
    entries.truncate(TOP_N);
    entries
}

#[cfg(test)]
mod tests {
    use crate::labels::Labels;
    use crate::tsdb::Head;
    use expect_test::expect;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn stats_count_sizes_and_cardinality() {
        let mut h = Head::new();
        for i in 0..12 {
            let name = if i < 8 {
                "node_cpu_seconds_total"
            } else {
                "up"
            };
            let labels = Labels::from_pairs([
                ("__name__", name.to_string()),
                ("instance", format!("n{}", i % 4)),
                ("cpu", format!("{i}")),
            ]);
            for t in 0..130 {
                h.append(&labels, 1_000 + t * 15_000, (t * i) as f64)
                    .unwrap();
            }
        }
        let _ = h.append(&Labels::from_pairs([("__name__", "up")]), 5, 1.0);
        let _ = h.append(&Labels::from_pairs([("__name__", "up")]), 4, 1.0);
        let stats = h.stats();
        assert_eq!(stats.series, 13);
        assert_eq!(stats.samples, 12 * 130 + 1);
        assert_eq!(stats.chunks, 12 * 2 + 1);
        assert_eq!(stats.min_time, Some(5));
        assert_eq!(stats.max_time, Some(1_000 + 129 * 15_000));
        assert_eq!(stats.rejected.out_of_order, 1);
        assert!(stats.bytes_per_sample > 0.0 && stats.bytes_per_sample < 2.5);
        let json = serde_json::to_value(&stats).unwrap();
        expect![[r#"
            {"name":"node_cpu_seconds_total","value":8} {"name":"up","value":5}
            {"name":"cpu","value":12} {"name":"instance","value":4} {"name":"__name__","value":2}
            {"name":"__name__","value":186} {"name":"instance","value":24} {"name":"cpu","value":14}
            {"name":"__name__=node_cpu_seconds_total","value":8} {"name":"__name__=up","value":5} {"name":"instance=n0","value":3} {"name":"instance=n1","value":3} {"name":"instance=n2","value":3} {"name":"instance=n3","value":3} {"name":"cpu=0","value":1} {"name":"cpu=1","value":1} {"name":"cpu=10","value":1} {"name":"cpu=11","value":1}
            labelPairs=18"#]]
        .assert_eq(&format!(
            "{}\n{}\n{}\n{}\nlabelPairs={}",
            row(&json["seriesCountByMetricName"]),
            row(&json["labelValueCountByLabelName"]),
            row(&json["memoryInBytesByLabelName"]),
            row(&json["seriesCountByLabelValuePair"]),
            json["labelPairs"]
        ));
    }

    fn row(v: &serde_json::Value) -> String {
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }
}
