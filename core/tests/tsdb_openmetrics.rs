//! OpenMetrics export and import as properties: random heads written and
//! read back hold the same samples, and random or damaged text never makes
//! the importer panic or point outside its input.

use promlab_core::exposition::MetricType;
use promlab_core::labels::{Labels, MatchOp, Matcher};
use promlab_core::tsdb::{export_openmetrics, is_stale_marker, Head, Metadata, Querier, STALE_NAN};
use wasm_bindgen_test::wasm_bindgen_test;

/// A small xorshift generator: deterministic on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const NAMES: &[&str] = &[
    "up",
    "http_requests_total",
    "lat_seconds_bucket",
    "lat_seconds_sum",
    "temp",
    "a.b",
    "日本",
    "x:y",
];
const LABEL_NAMES: &[&str] = &["job", "le", "instance", "a.b", "é", "_x"];
const VALUES: &[&str] = &[
    "",
    "a",
    "1",
    "+Inf",
    "x\"y",
    "back\\slash",
    "new\nline",
    "서울",
    " ",
];

fn random_head(rng: &mut Rng) -> Head {
    let mut h = Head::new();
    let types = [
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Histogram,
        MetricType::Summary,
        MetricType::Untyped,
    ];
    for _ in 0..3 {
        let name = rng.pick(&[
            "http_requests",
            "http_requests_total",
            "lat_seconds",
            "temp",
            "up",
        ]);
        let t = types[(rng.next() % types.len() as u64) as usize];
        h.set_metadata(
            name,
            Metadata {
                metric_type: t,
                help: rng.pick(VALUES).to_string(),
                unit: rng.pick(&["", "seconds", "bytes"]).to_string(),
            },
        );
    }
    for _ in 0..(1 + rng.next() % 8) {
        let mut labels = Labels::from_pairs([("__name__", rng.pick(NAMES))]);
        for _ in 0..(rng.next() % 3) {
            labels.set(rng.pick(LABEL_NAMES), rng.pick(VALUES));
        }
        let mut t = (rng.next() % 2_000_000) as i64 - 1_000_000;
        for _ in 0..(rng.next() % 20) {
            t += (rng.next() % 100_000) as i64;
            let v = match rng.next() % 8 {
                0 => f64::NAN,
                1 => STALE_NAN,
                2 => f64::INFINITY,
                3 => -0.0,
                4 => f64::from_bits(rng.next()),
                _ => (rng.next() % 1000) as f64 / 8.0,
            };
            let v = if v.is_nan() && !is_stale_marker(v) {
                f64::NAN
            } else {
                v
            };
            let _ = h.append(&labels, t, v);
        }
    }
    h
}

fn everything(h: &Head) -> Vec<(String, Vec<(i64, u64)>)> {
    let all = Matcher::new("__name__", MatchOp::Regex, ".+").unwrap();
    h.select(&[all], i64::MIN, i64::MAX)
        .into_iter()
        .map(|s| {
            let samples = s
                .samples
                .iter()
                .filter(|x| !is_stale_marker(x.v))
                .map(|x| (x.t, x.v.to_bits()))
                .collect();
            (s.labels.to_string(), samples)
        })
        .filter(|(_, samples): &(String, Vec<_>)| !samples.is_empty())
        .collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn export_then_import_keeps_every_sample() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..300 {
        let original = random_head(&mut rng);
        let text = export_openmetrics(&original, &[], i64::MIN, i64::MAX);
        let mut copy = Head::new();
        if let Err(e) = copy.import_openmetrics(&text) {
            panic!("round {round}: {}\n{text}", e.render(&text));
        }
        assert_eq!(
            everything(&copy),
            everything(&original),
            "round {round}:\n{text}"
        );
        // Written again, the text is the same: families and metadata survive.
        assert_eq!(
            export_openmetrics(&copy, &[], i64::MIN, i64::MAX),
            text,
            "round {round}"
        );
    }
}

const PIECES: &[&str] = &[
    "# HELP ", "# TYPE ", "# UNIT ", "# EOF", "\n", " ", "up", "{", "}", "=", ",", "\"", "\\",
    "\\n", "a", "le", "1", "1.5", "-", "e", "NaN", "+Inf", "counter", "gauge", "é", "日本", "#",
    ".", "_total",
];

#[wasm_bindgen_test(unsupported = test)]
fn random_and_damaged_text_is_an_error_not_a_panic() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let valid = export_openmetrics(&random_head(&mut Rng(7)), &[], i64::MIN, i64::MAX);
    for _ in 0..3000 {
        let text: String = match rng.next() % 3 {
            0 => (0..rng.next() % 40).map(|_| rng.pick(PIECES)).collect(),
            1 => {
                // A valid text with one piece inserted somewhere.
                let mut s = valid.clone();
                let mut at = (rng.next() as usize) % (s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                s.insert_str(at, rng.pick(PIECES));
                s
            }
            _ => {
                // A valid text cut short.
                let mut at = (rng.next() as usize) % (valid.len() + 1);
                while !valid.is_char_boundary(at) {
                    at -= 1;
                }
                valid[..at].to_string()
            }
        };
        let mut h = Head::new();
        if let Err(e) = h.import_openmetrics(&text) {
            assert!(
                e.span.start <= e.span.end && e.span.end <= text.len(),
                "span {:?} outside {text:?}",
                e.span
            );
            let _ = e.render(&text);
        }
    }
}
