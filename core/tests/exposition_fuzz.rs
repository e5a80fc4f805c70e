//! Random, truncated and mutated pages in both formats: the parser answers
//! with a page or an error — never a panic — and every span it reports (of
//! an error, a sample or a lint) lies inside the page on character
//! boundaries, so rendering it works. A fixed seed keeps failures
//! reproducible; the failing page is printed so it can become a test case.

use promlab_core::diagnostic::Span;
use promlab_core::exposition::{self, Format};
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

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn text(&mut self, alphabet: &[&str], max_len: usize) -> String {
        let len = self.below(max_len);
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }
}

/// The tokens that matter to either grammar, and some that do not.
const TOKENS: &[&str] = &[
    "# HELP ",
    "# TYPE ",
    "# UNIT ",
    "# EOF",
    "# EOF\n",
    "#",
    " # {",
    "counter",
    "gauge",
    "histogram",
    "gaugehistogram",
    "summary",
    "info",
    "stateset",
    "unknown",
    "untyped",
    "metric",
    "m_total",
    "m_bucket",
    "m_sum",
    "m_count",
    "m_created",
    "_gcount",
    "le",
    "quantile",
    "{",
    "}",
    "=",
    "\"",
    "\\",
    "\\n",
    "\\\"",
    ",",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "1",
    "-2.5",
    "1e9",
    "1.5e-3",
    "NaN",
    "+Inf",
    "-Inf",
    "x",
    "é",
    "日本",
    "\"a.b\"",
    "12345678901234567890",
    "1e400",
    "0x1",
    "_",
    ":",
    ".",
];

const SEED_TEXT: &str = "# HELP http_requests_total The total.\n\
# TYPE http_requests_total counter\n\
http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n\
# TYPE h histogram\n\
h_bucket{le=\"0.1\"} 3\n\
h_bucket{le=\"+Inf\"} 5\n\
h_sum 1.5\n\
h_count 5\n\
{\"my.metric\", \"a.b\"=\"x\\\"y\\n\"} NaN\n";

const SEED_OPENMETRICS: &str = "# HELP foo Foo.\n\
# TYPE foo histogram\n\
# UNIT foo_seconds seconds\n\
foo_bucket{le=\"0.1\"} 8 # {trace_id=\"KOO5S4vxi0o\"} 0.67\n\
foo_bucket{le=\"+Inf\"} 17 1520879607.789 # {trace_id=\"oHg5SJYRHA0\"} 9.8 1520879607.789\n\
foo_count 17\n\
foo_created 1520430000.123\n\
# TYPE s stateset\n\
s{s=\"a\"} 1\n\
{\"a.b\",\"c\"=\"d\"} +Inf\n\
# EOF\n";

fn check_span(span: Span, page: &str, what: &str) {
    assert!(
        span.start <= span.end && span.end <= page.len(),
        "{what} span {span:?} outside {page:?}"
    );
    assert!(
        page.is_char_boundary(span.start) && page.is_char_boundary(span.end),
        "{what} span {span:?} splits a character in {page:?}"
    );
}

/// Parses in both formats and checks every span.
fn check(page: &str) {
    for format in [Format::Text004, Format::OpenMetrics1] {
        match exposition::parse_with(page, format) {
            Ok(parsed) => {
                for sample in &parsed.samples {
                    check_span(sample.span, page, "sample");
                }
                for lint in &parsed.lints {
                    check_span(lint.span, page, "lint");
                    let _ = lint.to_diagnostic().render(page);
                }
            }
            Err(e) => {
                check_span(e.span, page, "error");
                let rendered = e.render(page);
                assert!(
                    rendered.contains(&e.kind.to_string()),
                    "{rendered} for {page:?}"
                );
            }
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn random_token_soup_never_panics() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..4_000 {
        check(&rng.text(TOKENS, 30));
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn every_truncation_of_a_valid_page_parses_or_fails_cleanly() {
    for seed in [SEED_TEXT, SEED_OPENMETRICS] {
        for end in (0..=seed.len()).filter(|&i| seed.is_char_boundary(i)) {
            check(&seed[..end]);
        }
    }
    // The seeds themselves parse in their own formats.
    assert!(exposition::parse(SEED_TEXT).is_ok());
    assert!(exposition::parse_with(SEED_OPENMETRICS, Format::OpenMetrics1).is_ok());
}

#[wasm_bindgen_test(unsupported = test)]
fn mutated_valid_pages_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for seed in [SEED_TEXT, SEED_OPENMETRICS] {
        for _ in 0..2_000 {
            let mut page = seed.to_string();
            for _ in 0..1 + rng.below(3) {
                let mut at = rng.below(page.len() + 1);
                while !page.is_char_boundary(at) {
                    at -= 1;
                }
                match rng.below(3) {
                    0 => page.insert_str(at, TOKENS[rng.below(TOKENS.len())]),
                    1 => {
                        let mut end = (at + 1 + rng.below(4)).min(page.len());
                        while !page.is_char_boundary(end) {
                            end += 1;
                        }
                        page.replace_range(at..end, "");
                    }
                    _ => {
                        let mut end = (at + 1).min(page.len());
                        while !page.is_char_boundary(end) {
                            end += 1;
                        }
                        let replacement = TOKENS[rng.below(TOKENS.len())];
                        page.replace_range(at..end, replacement);
                    }
                }
            }
            check(&page);
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn long_and_deep_inputs_do_not_blow_up() {
    let many_labels = format!(
        "m{{{}}} 1\n",
        (0..2_000)
            .map(|i| format!("l{i}=\"v\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    check(&many_labels);
    check(&"\"".repeat(10_000));
    check(&"{".repeat(10_000));
    check(&"\\".repeat(10_001));
    check(&"# TYPE m counter\n".repeat(2_000));
    check(&format!("m {}\n", "9".repeat(5_000)));
    check(&format!("m 1 {}\n", "9".repeat(5_000)));
}
