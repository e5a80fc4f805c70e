//! Every parser and the lab's request handling, fed random text made of the
//! characters that matter to them (and some multi-byte ones), must answer
//! with a value or an error — never panic, never report a span outside the
//! input. A fixed seed keeps failures reproducible; a failing input is
//! printed so it can become a regular test case.

use promlab_core::api::{ApiRequest, LabRequest};
use promlab_core::lab::{Lab, LabOptions};
use promlab_core::{exposition, promql};
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

    fn text(&mut self, alphabet: &[&str], max_len: usize) -> String {
        let len = (self.next() % max_len as u64) as usize;
        (0..len)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize])
            .collect()
    }
}

const PROMQL: &[&str] = &[
    "up", "job", "sum", "by", "offset", "rate", "{", "}", "(", ")", "[", "]", "=", "!=", "=~",
    "!~", "\"", "'", "`", "\\", ",", ":", "5m", "1h30m", "0x1F", "1e3", ".5", "Inf", "NaN", "+",
    "-", "*", "/", "^", "%", "@", " ", "\n", "#", "é", "日本", "_", "__name__", "a.b", "\"x\"",
];

const EXPOSITION: &[&str] = &[
    "# HELP ",
    "# TYPE ",
    "counter",
    "gauge",
    "summary",
    "metric",
    "_sum",
    "{",
    "}",
    "=",
    "\"",
    "\\",
    "\\n",
    "\\\"",
    ",",
    " ",
    "\t",
    "\n",
    "\r\n",
    "1",
    "-2.5",
    "1e9",
    "NaN",
    "+Inf",
    "x",
    "é",
    "#",
    "12345678901234567890",
];

#[wasm_bindgen_test(unsupported = test)]
fn promql_parser_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..5_000 {
        let q = rng.text(PROMQL, 12);
        if let Err(e) = promql::parse(&q) {
            assert!(
                e.span.start <= e.span.end && e.span.end <= q.len(),
                "span {:?} for {q:?}",
                e.span
            );
            let _ = e.render(&q);
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn exposition_parser_never_panics() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..3_000 {
        let page = rng.text(EXPOSITION, 24);
        if let Err(e) = exposition::parse(&page) {
            assert!(e.span.end <= page.len(), "span {:?} for {page:?}", e.span);
            let _ = e.render(&page);
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn api_urls_and_queries_never_panic_the_lab() {
    let mut lab = Lab::new(LabOptions {
        history: 60_000,
        ..LabOptions::default()
    });
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let url_parts: &[&str] = &[
        "/api/v1/",
        "query",
        "query_range",
        "series",
        "labels",
        "label/",
        "/values",
        "?",
        "&",
        "query=",
        "time=",
        "start=",
        "end=",
        "step=",
        "match[]=",
        "up",
        "%7B",
        "%",
        "1e300",
        "-1",
        "2026-01-01T00:00:00Z",
        "15s",
        "NaN",
        "é",
    ];
    for _ in 0..2_000 {
        let url = rng.text(url_parts, 8);
        if let Ok(req) = ApiRequest::from_url(&url) {
            let _ = lab.api(&req).to_json();
        }
        let q = rng.text(PROMQL, 8);
        let _ = lab.api(&ApiRequest::Query {
            query: q,
            time: None,
        });
    }
    for speed in [f64::MIN, -0.0, 1e-300, f64::MAX, f64::NAN] {
        let _ = lab.lab(&LabRequest::SetSpeed { speed });
    }
    for real_ms in [f64::NAN, f64::INFINITY, -1.0, 1e308] {
        let _ = lab.lab(&LabRequest::Tick { real_ms });
    }
    // Times at the ends of the range of a timestamp.
    for (start, end, step) in [
        (i64::MIN, i64::MAX, 1),
        (i64::MIN, i64::MAX, i64::MAX),
        (i64::MAX - 1, i64::MAX, 1),
        (i64::MIN, i64::MIN + 1, 1),
        (0, 1, i64::MIN),
    ] {
        let _ = lab
            .api(&ApiRequest::QueryRange {
                query: "up".into(),
                start,
                end,
                step,
            })
            .to_json();
    }
    for time in [i64::MIN, i64::MAX] {
        let _ = lab
            .api(&ApiRequest::Query {
                query: "up".into(),
                time: Some(time),
            })
            .to_json();
        let _ = lab.api(&ApiRequest::Series {
            matchers: vec!["up".into()],
            start: Some(time),
            end: Some(time),
        });
    }
    let _ = lab.lab(&LabRequest::Step { ms: i64::MAX });
    let _ = lab.lab(&LabRequest::Step { ms: i64::MIN });
}
