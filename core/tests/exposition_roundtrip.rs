//! Writing families and parsing the page back gives the same samples, in
//! both formats: for a table covering every family type, escapes, NaN and
//! infinities, timestamps, exemplars and units, and for families generated
//! at random from a fixed seed.

use promlab_core::exposition::{
    self, Exemplar, FamilySample, Format, MetricFamily, MetricType, Sample,
};
use promlab_core::labels::Labels;
use wasm_bindgen_test::wasm_bindgen_test;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    Labels::from_pairs(pairs.iter().copied())
}

fn family(
    name: &str,
    metric_type: MetricType,
    unit: &str,
    samples: Vec<FamilySample>,
) -> MetricFamily {
    MetricFamily {
        name: name.into(),
        help: format!("{name}: \\ \"help\"\nsecond line"),
        unit: unit.into(),
        metric_type,
        samples,
    }
}

fn at(sample: FamilySample, ms: i64) -> FamilySample {
    FamilySample {
        timestamp: Some(ms),
        ..sample
    }
}

fn with_exemplar(
    sample: FamilySample,
    trace: &str,
    value: f64,
    seconds: Option<f64>,
) -> FamilySample {
    FamilySample {
        exemplar: Some(Exemplar {
            labels: labels(&[("trace_id", trace)]),
            value,
            timestamp: seconds,
        }),
        ..sample
    }
}

fn s(pairs: &[(&str, &str)], value: f64) -> FamilySample {
    FamilySample::new(labels(pairs), value)
}

/// One family of every type, in the names OpenMetrics writes them with.
fn table() -> Vec<MetricFamily> {
    vec![
        family(
            "http_requests",
            MetricType::Counter,
            "",
            vec![
                with_exemplar(
                    at(
                        s(
                            &[("__name__", "http_requests_total"), ("code", "200")],
                            1027.0,
                        ),
                        1_395_066_363_000,
                    ),
                    "4bf92f3577b34da6",
                    1.0,
                    Some(1_395_066_363.5),
                ),
                s(
                    &[("__name__", "http_requests_created"), ("code", "200")],
                    1_395_066_000.25,
                ),
            ],
        ),
        family(
            "temperature_celsius",
            MetricType::Gauge,
            "celsius",
            vec![
                s(
                    &[("__name__", "temperature_celsius"), ("room", "a\"b\\c\nd")],
                    -3.5,
                ),
                s(
                    &[
                        ("__name__", "temperature_celsius"),
                        ("room", "ünïcödé 日本"),
                    ],
                    f64::NAN,
                ),
                s(
                    &[("__name__", "temperature_celsius"), ("room", "hot")],
                    f64::INFINITY,
                ),
                s(
                    &[("__name__", "temperature_celsius"), ("room", "cold")],
                    f64::NEG_INFINITY,
                ),
                s(
                    &[("__name__", "temperature_celsius"), ("room", "tiny")],
                    5e-324,
                ),
                s(
                    &[("__name__", "temperature_celsius"), ("room", "huge")],
                    f64::MAX,
                ),
                at(
                    s(
                        &[("__name__", "temperature_celsius"), ("room", "zero")],
                        -0.0,
                    ),
                    0,
                ),
            ],
        ),
        family(
            "request_seconds",
            MetricType::Histogram,
            "seconds",
            vec![
                s(
                    &[("__name__", "request_seconds_bucket"), ("le", "0.1")],
                    3.0,
                ),
                with_exemplar(
                    s(
                        &[("__name__", "request_seconds_bucket"), ("le", "1.0")],
                        5.0,
                    ),
                    "x",
                    0.5,
                    None,
                ),
                s(
                    &[("__name__", "request_seconds_bucket"), ("le", "+Inf")],
                    6.0,
                ),
                s(&[("__name__", "request_seconds_sum")], 2.25),
                s(&[("__name__", "request_seconds_count")], 6.0),
                s(&[("__name__", "request_seconds_created")], 1.5e9),
            ],
        ),
        family(
            "queue_depth",
            MetricType::GaugeHistogram,
            "",
            vec![
                s(&[("__name__", "queue_depth_bucket"), ("le", "10.0")], 1.0),
                s(&[("__name__", "queue_depth_bucket"), ("le", "+Inf")], 2.0),
                s(&[("__name__", "queue_depth_gcount")], 2.0),
                s(&[("__name__", "queue_depth_gsum")], 12.0),
            ],
        ),
        family(
            "rpc_seconds",
            MetricType::Summary,
            "seconds",
            vec![
                s(&[("__name__", "rpc_seconds"), ("quantile", "0.5")], 0.01),
                s(&[("__name__", "rpc_seconds"), ("quantile", "0.99")], 0.2),
                s(&[("__name__", "rpc_seconds_sum")], 17.0),
                s(&[("__name__", "rpc_seconds_count")], 100.0),
            ],
        ),
        family(
            "build",
            MetricType::Info,
            "",
            vec![s(&[("__name__", "build_info"), ("version", "1.2.3")], 1.0)],
        ),
        family(
            "feature",
            MetricType::StateSet,
            "",
            vec![
                s(&[("__name__", "feature"), ("feature", "a")], 1.0),
                s(&[("__name__", "feature"), ("feature", "b")], 0.0),
            ],
        ),
        family(
            "legacy",
            MetricType::Untyped,
            "",
            vec![at(s(&[("__name__", "legacy")], 12.47), 1)],
        ),
        family(
            "mystery",
            MetricType::Unknown,
            "",
            vec![s(&[("__name__", "mystery")], 0.1)],
        ),
        family(
            "my.dotted.metric",
            MetricType::Gauge,
            "",
            vec![s(
                &[
                    ("__name__", "my.dotted.metric"),
                    ("a.b", "x"),
                    ("c d", "\""),
                ],
                1.0,
            )],
        ),
    ]
}

/// A sample's content in a comparable form (NaN equal to NaN).
#[derive(Debug, PartialEq)]
struct Content {
    labels: Labels,
    value: u64,
    timestamp: Option<i64>,
    exemplar: Option<(Labels, u64, Option<u64>)>,
}

fn bits(v: f64) -> u64 {
    if v.is_nan() {
        f64::NAN.to_bits()
    } else {
        v.to_bits()
    }
}

fn content(
    labels: &Labels,
    value: f64,
    timestamp: Option<i64>,
    exemplar: Option<&Exemplar>,
) -> Content {
    Content {
        labels: labels.clone(),
        value: bits(value),
        timestamp,
        exemplar: exemplar.map(|e| (e.labels.clone(), bits(e.value), e.timestamp.map(bits))),
    }
}

fn written(families: &[MetricFamily], keep_exemplars: bool) -> Vec<Content> {
    families
        .iter()
        .flat_map(|f| &f.samples)
        .map(|s| {
            let exemplar = s.exemplar.as_ref().filter(|_| keep_exemplars);
            content(&s.labels, s.value, s.timestamp, exemplar)
        })
        .collect()
}

fn parsed(samples: &[Sample]) -> Vec<Content> {
    samples
        .iter()
        .map(|s| content(&s.labels, s.value, s.timestamp, s.exemplar.as_ref()))
        .collect()
}

/// Text-format `le` and `quantile` values read back in Prometheus 3's
/// spelling; the table and the generator write them that way already.
fn assert_round_trip(families: &[MetricFamily]) {
    let text = exposition::write(families);
    let page = exposition::parse(&text).unwrap_or_else(|e| panic!("{}\n{text}", e.render(&text)));
    assert_eq!(
        parsed(&page.samples),
        written(families, false),
        "text page:\n{text}"
    );

    let om = exposition::write_openmetrics(families);
    let page = exposition::parse_with(&om, Format::OpenMetrics1)
        .unwrap_or_else(|e| panic!("{}\n{om}", e.render(&om)));
    assert_eq!(
        parsed(&page.samples),
        written(families, true),
        "OpenMetrics page:\n{om}"
    );
    let metadata: Vec<_> = page
        .metadata
        .iter()
        .map(|m| {
            (
                m.name.clone(),
                m.help.clone(),
                m.metric_type,
                m.unit.clone(),
            )
        })
        .collect();
    let want: Vec<_> = families
        .iter()
        .map(|f| {
            let base = match f.metric_type {
                MetricType::Counter => f.name.strip_suffix("_total"),
                MetricType::Info => f.name.strip_suffix("_info"),
                _ => None,
            }
            .unwrap_or(&f.name);
            let metric_type = match f.metric_type {
                MetricType::Untyped => MetricType::Unknown,
                t => t,
            };
            let unit = (!f.unit.is_empty()).then(|| f.unit.clone());
            let help = (!f.help.is_empty()).then(|| f.help.clone());
            (base.to_string(), help, Some(metric_type), unit)
        })
        .collect();
    assert_eq!(metadata, want, "OpenMetrics page:\n{om}");
}

#[wasm_bindgen_test(unsupported = test)]
fn the_table_round_trips_in_both_formats() {
    let families = table();
    assert_round_trip(&families);
    let om = exposition::write_openmetrics(&families);
    let page = exposition::parse_with(&om, Format::OpenMetrics1).unwrap();
    assert_eq!(page.lints, vec![], "{om}");
}

/// A small xorshift generator: deterministic on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn text(&mut self, alphabet: &[&str], max_len: usize) -> String {
        let len = self.below(max_len + 1);
        (0..len).map(|_| self.pick(alphabet)).collect()
    }

    fn name(&mut self) -> String {
        let first = self.pick(&["a", "z", "_", "B", "é", ".", "x y"]);
        first.to_string() + &self.text(&["a", "1", "_", "Z", ".", "-", "\"", "\\", "日"], 8)
    }

    fn value(&mut self) -> f64 {
        match self.below(8) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => f64::from_bits(self.next()),
            4 => self.below(1000) as f64,
            _ => {
                (self.next() as f64 / u64::MAX as f64 - 0.5)
                    * 10f64.powi(self.below(40) as i32 - 20)
            }
        }
    }
}

fn random_family(rng: &mut Rng, index: usize) -> MetricFamily {
    let metric_type = [
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Untyped,
        MetricType::StateSet,
        MetricType::Unknown,
    ][rng.below(5)];
    // Distinct family names, so no two families merge on the page.
    let name = format!("{}{index}", rng.name());
    let sample_name = match metric_type {
        MetricType::Counter => format!("{name}_total"),
        _ => name.clone(),
    };
    let samples = (0..rng.below(4))
        .map(|i| {
            let mut pairs = vec![("__name__".to_string(), sample_name.clone())];
            for _ in 0..rng.below(3) {
                let value = rng.text(
                    &[
                        "a", " ", "\"", "\\", "\n", "\\n", "é", "{", "}", ",", "=", "#",
                    ],
                    6,
                );
                pairs.push((rng.name(), value));
            }
            // A distinct label keeps the series apart.
            pairs.push(("i".to_string(), i.to_string()));
            let mut sample = FamilySample::new(Labels::from_pairs(pairs), rng.value());
            if rng.below(2) == 0 {
                // The text format has no negative timestamps.
                sample.timestamp = Some((rng.next() >> 1) as i64);
            }
            if metric_type == MetricType::Counter && rng.below(2) == 0 {
                sample.exemplar = Some(Exemplar {
                    labels: Labels::from_pairs([(rng.name(), "t".to_string())]),
                    value: rng.value(),
                    timestamp: (rng.below(2) == 0).then(|| rng.below(2_000_000_000) as f64 + 0.5),
                });
            }
            sample
        })
        .collect();
    MetricFamily {
        name,
        help: rng.text(&["h", " ", "\\", "\n", "\"", "\\n", "ü"], 10),
        unit: String::new(),
        metric_type,
        samples,
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn random_families_round_trip_in_both_formats() {
    let mut rng = Rng(0x5851_f42d_4c95_7f2d);
    for _ in 0..300 {
        let families: Vec<MetricFamily> = (0..rng.below(4))
            .map(|i| random_family(&mut rng, i))
            .collect();
        assert_round_trip(&families);
    }
}
