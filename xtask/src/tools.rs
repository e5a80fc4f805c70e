//! Installing what the build and the tests need, each step skipped when the
//! right version is already there: the wasm32 target, trunk, the
//! wasm-bindgen CLI at exactly the version in `Cargo.lock`, the npm packages
//! of `xtask/js` from their lock file (wasm-opt and the browser test
//! driver), and Debian's Chromium and ChromeDriver.

use crate::{project_root, run, step, Failure};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The trunk release that builds with this toolchain (0.22 needs a newer
/// rustc).
pub const TRUNK_VERSION: &str = "0.21.14";

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The first line a command prints for `--version`, if it runs.
fn version_of(program: &str) -> Option<String> {
    let out = Command::new(program).arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
}

/// The version of package `name` recorded in `Cargo.lock`.
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{name}\"") {
            let version = lines.next()?.trim();
            return version
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string);
        }
    }
    None
}

pub fn ensure_wasm_target() -> Result<(), Failure> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| Failure::new(format!("cannot run rustup ({e}); install Rust with rustup")))?;
    if String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("installing the wasm32-unknown-unknown target");
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

pub fn ensure_trunk() -> Result<(), Failure> {
    let want = format!("trunk {TRUNK_VERSION}");
    if version_of("trunk").as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    step(&format!(
        "installing trunk {TRUNK_VERSION} (cargo install, a few minutes, once)"
    ));
    run(Command::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))
}

/// Installs the wasm-bindgen CLI at the version `Cargo.lock` holds: trunk
/// and wasm-bindgen-test-runner refuse any other.
pub fn ensure_wasm_bindgen() -> Result<(), Failure> {
    let lock = std::fs::read_to_string(project_root().join("Cargo.lock"))
        .map_err(|e| Failure::new(format!("cannot read Cargo.lock: {e}")))?;
    let version = locked_version(&lock, "wasm-bindgen")
        .ok_or_else(|| Failure::new("Cargo.lock does not list wasm-bindgen"))?;
    let want = format!("wasm-bindgen {version}");
    let have = version_of("wasm-bindgen");
    let runner = version_of("wasm-bindgen-test-runner");
    if have.as_deref() == Some(want.as_str()) && runner.is_some() {
        return Ok(());
    }
    step(&format!(
        "installing wasm-bindgen-cli {version} (cargo install, a few minutes, once)"
    ));
    // `--locked` first; some releases lock a dependency version the
    // registry no longer serves, and then the plain install works.
    let locked = run(Command::new("cargo").args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &version,
        "--locked",
        "--force",
    ]));
    if locked.is_ok() {
        return Ok(());
    }
    step("retrying without --locked");
    run(Command::new("cargo").args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &version,
        "--force",
    ]))
}

/// The directory of the npm packages the build and the tests use.
pub fn js_dir() -> PathBuf {
    project_root().join("xtask").join("js")
}

/// `npm ci` when `node_modules` is missing or older than the lock file.
pub fn ensure_npm_packages() -> Result<(), Failure> {
    let dir = js_dir();
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules").join(".package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => match (l.modified(), i.modified()) {
            (Ok(l), Ok(i)) => i >= l,
            _ => false,
        },
        _ => false,
    };
    if fresh && dir.join("node_modules/.bin/wasm-opt").exists() {
        return Ok(());
    }
    step("installing npm packages from xtask/js/package-lock.json (binaryen's wasm-opt, playwright-core)");
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A font with Hangul, so the Korean UI's screenshots show text, not boxes.
const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// Debian's Chromium and ChromeDriver, and a CJK font: installed with
/// apt-get when running as root, otherwise the exact command to run is
/// printed.
pub fn ensure_chromium() -> Result<(), Failure> {
    if Path::new(CHROMIUM).exists()
        && Path::new(CHROMEDRIVER).exists()
        && Path::new(CJK_FONT).exists()
    {
        return Ok(());
    }
    let cmd = "apt-get install -y chromium chromium-driver fonts-noto-cjk";
    if !is_root() {
        return Err(Failure::new(format!(
            "the browser tests need Debian's Chromium and ChromeDriver ({CHROMIUM}, {CHROMEDRIVER}).\n\
             Install them with:\n\n    sudo {cmd}\n"
        )));
    }
    step("installing Debian's chromium, chromium-driver and fonts-noto-cjk");
    let install = || {
        run(Command::new("apt-get")
            .args([
                "install",
                "-y",
                "-q",
                "chromium",
                "chromium-driver",
                "fonts-noto-cjk",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"))
    };
    if install().is_ok() {
        return Ok(());
    }
    step("refreshing the package lists and retrying");
    run(Command::new("apt-get").args(["update", "-q"]))?;
    install()
}

/// `PATH` with cargo's bin directory and the npm tools first, for the
/// child processes that need trunk, wasm-bindgen and wasm-opt.
pub fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![js_dir().join("node_modules").join(".bin")];
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(home) = cargo_home {
        dirs.push(home.join("bin"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_version_from_a_lock_file() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\nsource = \"x\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "missing"), None);
    }

    #[test]
    fn the_workspace_pins_wasm_bindgen_exactly() {
        let manifest = std::fs::read_to_string(project_root().join("Cargo.toml")).unwrap();
        let lock = std::fs::read_to_string(project_root().join("Cargo.lock")).unwrap();
        let locked = locked_version(&lock, "wasm-bindgen").unwrap();
        assert!(
            manifest.contains(&format!("wasm-bindgen = \"={locked}\"")),
            "Cargo.toml must pin wasm-bindgen = \"={locked}\""
        );
        let trunk = std::fs::read_to_string(project_root().join("trunk.toml")).unwrap();
        assert!(
            trunk.contains(&format!("wasm_bindgen = \"{locked}\"")),
            "trunk.toml's [tools] must name {locked}"
        );
        assert!(trunk.contains(&format!("trunk-version = \"{TRUNK_VERSION}\"")));
    }
}
