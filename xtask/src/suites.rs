//! Running the test suites and adding up what they report.
//!
//! Each suite is a command whose output is shown as it runs and read for
//! its counts: cargo's `test result: ok. N passed; M failed; ...` lines
//! (also printed by wasm-bindgen-test-runner) and the end-to-end driver's
//! `e2e: N passed, M failed`. A suite that fails without reporting a
//! failed test (a build error, a crash) counts as one failure.

use crate::Failure;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// Tests passed and failed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.passed += o.passed;
        self.failed += o.failed;
    }
}

/// The number before `word` in `text`, as in `12 passed`.
fn count_before(text: &str, word: &str) -> Option<u64> {
    let at = text.find(word)?;
    text[..at].split_whitespace().last()?.parse().ok()
}

/// The counts one output line reports, if it is a summary line.
pub fn parse_summary(line: &str) -> Option<Counts> {
    let line = line.trim();
    let rest = line
        .strip_prefix("test result: ")
        .or_else(|| line.strip_prefix("e2e: "))?;
    Some(Counts {
        passed: count_before(rest, " passed")?,
        failed: count_before(rest, " failed")?,
    })
}

/// Runs `cmd`, echoing its output, and returns the counts it reported.
pub fn run_suite(name: &str, cmd: &mut Command) -> Counts {
    println!("\n==> {name}");
    let _ = std::io::stdout().flush();
    let mut child = match cmd.stdout(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot start {name}: {e}");
            return Counts {
                passed: 0,
                failed: 1,
            };
        }
    };
    let mut counts = Counts::default();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(c) = parse_summary(&line) {
                counts += c;
            }
        }
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    if !ok && counts.failed == 0 {
        eprintln!("{name} failed before reporting a failed test");
        counts.failed += 1;
    }
    println!(
        "<== {name}: {} passed, {} failed",
        counts.passed, counts.failed
    );
    counts
}

/// A failure of a step that runs before the suites (an install, a build):
/// counted as one failed test so the summary line still adds up.
pub fn setup_failure(what: &str, err: &Failure) -> Counts {
    eprintln!("{what} failed: {err}");
    Counts {
        passed: 0,
        failed: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_wasm_and_e2e_summaries() {
        assert_eq!(
            parse_summary("test result: ok. 45 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s"),
            Some(Counts { passed: 45, failed: 0 })
        );
        assert_eq!(
            parse_summary("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 filtered out; finished in 0.41s"),
            Some(Counts { passed: 3, failed: 2 })
        );
        assert_eq!(
            parse_summary("e2e: 4 passed, 1 failed"),
            Some(Counts {
                passed: 4,
                failed: 1
            })
        );
        assert_eq!(parse_summary("test foo ... ok"), None);
        assert_eq!(parse_summary("no tests to run!"), None);
    }

    #[test]
    fn a_suite_that_crashes_counts_as_a_failure() {
        let counts = run_suite(
            "crash",
            Command::new("sh").args(["-c", "echo 'test result: ok. 2 passed; 0 failed;'; exit 3"]),
        );
        assert_eq!(
            counts,
            Counts {
                passed: 2,
                failed: 1
            }
        );
        let counts = run_suite(
            "fine",
            Command::new("sh").args(["-c", "echo 'e2e: 5 passed, 0 failed'"]),
        );
        assert_eq!(
            counts,
            Counts {
                passed: 5,
                failed: 0
            }
        );
    }
}
