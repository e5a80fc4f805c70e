//! `cargo xtask`: the project's automation, in Rust, so that a machine with
//! only rustup, node and Python can build, serve and test the lab.
//!
//! - `cargo xtask serve [--dev] [--port N]` installs what is missing, builds
//!   the web app with trunk and serves it on http://127.0.0.1:8080/.
//! - `cargo xtask test` installs what the tests need and runs every suite:
//!   native tests, the core under wasm32 in node, the web crate in headless
//!   Chromium, and end-to-end browser tests of a release build; it ends with
//!   `N passed, M failed`.
//! - `cargo xtask e2e` runs only the end-to-end browser tests (a release
//!   build of the site first), for work on the UI.
//! - `cargo xtask dist` writes the static site to `dist/`.
//! - `cargo xtask bench-promql` times the PromQL engine (natively and in
//!   WebAssembly) next to the real Prometheus on the same data and queries.
//!
//! Arguments are parsed by hand: three subcommands with two flags do not
//! justify a dependency that every `cargo xtask` would compile first.

mod bench_promql;
mod reference;
mod suites;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use suites::{run_suite, setup_failure, Counts};

/// An error to report before exiting non-zero.
#[derive(Debug)]
pub struct Failure(String);

impl Failure {
    pub fn new(msg: impl Into<String>) -> Self {
        Failure(msg.into())
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The workspace root (the parent of `xtask/`).
pub fn project_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// Prints a progress line.
pub fn step(msg: &str) {
    println!("[xtask] {msg}");
}

/// Runs a command to completion, its output going to the terminal.
pub fn run(cmd: &mut Command) -> Result<(), Failure> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| Failure::new(format!("cannot run {shown}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::new(format!("{shown} exited with {status}")))
    }
}

const USAGE: &str = "usage: cargo xtask <command>

commands:
  serve [--dev] [--port N]   build the lab and serve it on http://127.0.0.1:8080/
                             (--dev: unoptimised build, faster to rebuild)
  test                       run every test suite; ends with `N passed, M failed`
  e2e                        only the end-to-end browser tests, on a release build
  dist                       write the static site to dist/
  setup                      only install the tools (wasm32 target, trunk,
                             wasm-bindgen-cli, npm packages)
  reference                  fetch the reference Prometheus, promtool, node_exporter
                             and Alertmanager (Debian packages, unpacked into a cache)
  bench-promql [--runs N] [--no-wasm]
                             time dashboard queries in the real Prometheus, in the
                             engine natively and in WebAssembly in headless Chromium
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("test") => return test(),
        Some("e2e") => return e2e_only(),
        Some("dist") => dist(),
        Some("bench-promql") => bench_promql::bench_promql(&args[1..]),
        Some("setup") => build_tools(),
        Some("reference") => reference::ensure_reference().map(|bin| {
            step(&format!(
                "tests find the binaries through PROMLAB_REFERENCE_BIN={}",
                bin.display()
            ));
            step(&format!(
                "and the PromQL test scripts through PROMLAB_PROMQLTEST_DIR={}",
                reference::promqltest_dir().display()
            ));
        }),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("[xtask] error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What building the web app needs.
fn build_tools() -> Result<(), Failure> {
    tools::ensure_wasm_target()?;
    tools::ensure_wasm_bindgen()?;
    tools::ensure_trunk()?;
    tools::ensure_npm_packages()
}

/// trunk, run from the workspace root with the installed tools on `PATH`
/// and no network access.
fn trunk(subcommand: &str) -> Command {
    let mut cmd = Command::new("trunk");
    cmd.current_dir(project_root())
        .env("PATH", tools::tool_path())
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .args(["--config", "trunk.toml", subcommand]);
    cmd
}

fn serve(args: &[String]) -> Result<(), Failure> {
    let mut release = true;
    let mut port = "8080".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dev" => release = false,
            "--port" => {
                port = it
                    .next()
                    .filter(|p| p.parse::<u16>().is_ok())
                    .ok_or_else(|| Failure::new("--port needs a port number"))?
                    .clone()
            }
            other => {
                return Err(Failure::new(format!(
                    "unknown argument {other:?}\n\n{USAGE}"
                )))
            }
        }
    }
    build_tools()?;
    step(&format!(
        "building the lab ({} build; the first one compiles every dependency and takes a few minutes)",
        if release { "release" } else { "dev" }
    ));
    step(&format!(
        "the lab will be at http://127.0.0.1:{port}/ once the build below finishes"
    ));
    let mut cmd = trunk("serve");
    cmd.args(["--port", &port]);
    if release {
        cmd.arg("--release");
    }
    run(&mut cmd)
}

fn dist() -> Result<(), Failure> {
    build_tools()?;
    step("building the static site into dist/");
    run(trunk("build").arg("--release"))?;
    step(&format!(
        "done: {} holds the site; publish it from any static web server, under any path",
        project_root().join("dist").display()
    ));
    Ok(())
}

fn test() -> ExitCode {
    let root = project_root();
    let mut total = Counts::default();
    let setup = build_tools()
        .and_then(|()| tools::ensure_chromium())
        .and_then(|()| reference::ensure_reference());
    let reference_bin = match setup {
        Ok(bin) => bin,
        Err(e) => {
            total += setup_failure("installing the test tools", &e);
            println!("{} passed, {} failed", total.passed, total.failed);
            return ExitCode::FAILURE;
        }
    };
    let path = tools::tool_path();
    let cargo = |args: &[&str]| {
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&root)
            .env("PATH", &path)
            .env("PROMLAB_REFERENCE_BIN", &reference_bin)
            .env("PROMLAB_PROMQLTEST_DIR", reference::promqltest_dir())
            .args(args);
        cmd
    };

    total += run_suite(
        "native tests (cargo test --workspace)",
        &mut cargo(&["test", "--workspace"]),
    );
    total += run_suite(
        "core under wasm32 in node (wasm-bindgen-test-runner)",
        &mut cargo(&[
            "test",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "promlab-core",
            "--lib",
            "--tests",
        ]),
    );
    total += run_suite(
        "web crate in headless Chromium (wasm-bindgen-test)",
        cargo(&[
            "test",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "promlab-web",
            "--tests",
        ])
        .env("CHROMEDRIVER", tools::CHROMEDRIVER),
    );

    total += e2e(&root, &reference_bin);

    println!("\n{} passed, {} failed", total.passed, total.failed);
    if total.failed == 0 && total.passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Builds the release site and runs the end-to-end browser tests on it.
fn e2e(root: &Path, reference_bin: &Path) -> Counts {
    let mut total = Counts::default();
    let e2e_dist = root.join("target").join("e2e-dist");
    let artifacts = root.join("target").join("e2e-artifacts");
    step("building the release site for the end-to-end tests");
    match run(trunk("build").arg("--release").arg("--dist").arg(&e2e_dist)) {
        Ok(()) => {
            total += run_suite(
                "end-to-end tests in headless Chromium (playwright-core)",
                Command::new("node")
                    .current_dir(tools::js_dir())
                    .arg("e2e.mjs")
                    .arg(&e2e_dist)
                    .arg(&artifacts)
                    .env("CHROMIUM", tools::CHROMIUM)
                    .env("PROMLAB_REFERENCE_BIN", reference_bin),
            );
            step(&format!("screenshots: {}", artifacts.display()));
        }
        Err(e) => total += setup_failure("the release build", &e),
    }

    total
}

fn e2e_only() -> ExitCode {
    let setup = build_tools()
        .and_then(|()| tools::ensure_chromium())
        .and_then(|()| reference::ensure_reference());
    let total = match setup {
        Ok(bin) => e2e(&project_root(), &bin),
        Err(e) => setup_failure("installing the test tools", &e),
    };
    println!("\n{} passed, {} failed", total.passed, total.failed);
    if total.failed == 0 && total.passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
