//! The script parser and the runner, fed random scripts made of the pieces
//! that matter to them (and some multi-byte text), must answer with a
//! report or an error — never panic, never point outside the script. A
//! fixed seed keeps failures reproducible; a failing script is printed so
//! it can become a regular test case.

use promlab_core::promql::promqltest::{parse_script, run, RunOptions};
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

    fn text(&mut self, alphabet: &[&str], max_len: usize) -> String {
        let len = (self.next() % max_len as u64) as usize;
        (0..len).map(|_| self.pick(alphabet)).collect()
    }
}

const HEADERS: &[&str] = &[
    "load 1m",
    "load 15s",
    "load_with_nhcb 1m",
    "load",
    "clear",
    "eval instant at 1m ",
    "eval instant at 0 ",
    "eval_fail instant at 2m ",
    "eval_ordered instant at 0 ",
    "eval_warn range from 0 to 3m step 1m ",
    "eval range from 0 to 5m step 0 ",
    "eval range from 1m to 0 step 1m ",
    "eval instant at 9999999999999y ",
    "expected_fail_message x",
    "expect fail msg: boom",
    "expect warn regex: (",
    "expect no_info",
    "expect ordered",
    "expect string \"s\"",
    "# comment",
    "",
];

const SERIES: &[&str] = &[
    "m",
    "up",
    "{",
    "}",
    "a=\"1\"",
    "\"q.n\"",
    ",",
    "=",
    " ",
    "\t",
    "1",
    "-2.5",
    "+",
    "-",
    "x",
    "3",
    "_",
    "stale",
    "Inf",
    "-Inf",
    "NaN",
    "1e3",
    "0x1F",
    "010",
    "{{schema:0 sum:1}}",
    "{{",
    "}}",
    "\\",
    "\"",
    "'",
    "`",
    "\\x",
    "é",
    "日本",
    "99999999999999999999",
];

const QUERIES: &[&str] = &[
    "m",
    "up",
    "m{a=\"1\"}",
    "{__name__=~\".+\"}",
    "m{",
    "sum(m)",
    "1",
    "\"s\"",
    "é",
];

fn script(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..(rng.next() % 12) {
        let header = rng.pick(HEADERS);
        out.push_str(header);
        if header.starts_with("eval") {
            out.push_str(rng.pick(QUERIES));
        }
        out.push('\n');
        for _ in 0..(rng.next() % 4) {
            out.push_str("  ");
            out.push_str(&rng.text(SERIES, 12));
            out.push('\n');
        }
    }
    out
}

#[wasm_bindgen_test(unsupported = test)]
fn random_scripts_parse_or_fail_with_a_position_inside_them() {
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let options = RunOptions::default();
    let (mut parsed, mut refused) = (0, 0);
    for _ in 0..3000 {
        let text = script(&mut rng);
        let outcome = std::panic::catch_unwind(|| match parse_script(&text) {
            Ok(s) => {
                let report = run(&s, &options);
                assert!(report.passed() + report.failed() + report.skipped() == report.evals.len());
                Ok(())
            }
            Err(e) => {
                assert!(e.span.start <= text.len() && e.span.end <= text.len());
                assert!(text.is_char_boundary(e.span.start));
                assert!(e.line >= 1 && e.column >= 1);
                let _ = e.render(&text);
                Err(())
            }
        });
        match outcome {
            Ok(Ok(())) => parsed += 1,
            Ok(Err(())) => refused += 1,
            Err(_) => panic!("panicked on the script:\n{text}"),
        }
    }
    // The generator must exercise both paths.
    assert!(
        parsed > 100 && refused > 100,
        "{parsed} parsed, {refused} refused"
    );
}
