//! The reference binaries: the real Prometheus 3.5, promtool,
//! node_exporter, Alertmanager and amtool from Debian's unstable suite,
//! unpacked into a cache directory without installing them system-wide.
//! Tests compare the lab's answers with theirs and scrape them on loopback.
//! The same suite's Prometheus source package provides Prometheus's own
//! PromQL test scripts (`promqltest/testdata/*.test`), which the engine's
//! conformance tests run.
//!
//! apt runs with its own sources list, package lists and cache under the
//! cache directory, so the machine's apt configuration is left as it was.

use crate::{run, step, Failure};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The packages and the binaries each provides.
const PACKAGES: [(&str, &[&str]); 5] = [
    ("prometheus", &["prometheus"]),
    ("promtool", &["promtool"]),
    ("prometheus-node-exporter", &["prometheus-node-exporter"]),
    (
        "prometheus-alertmanager",
        &["prometheus-alertmanager", "amtool"],
    ),
    ("golang-github-prometheus-prometheus-dev", &[]),
];

/// Where Prometheus's source package puts the PromQL test scripts.
const PROMQLTEST_IN_PACKAGE: &str =
    "usr/share/gocode/src/github.com/prometheus/prometheus/promql/promqltest/testdata";

/// Where the reference lives: `$PROMLAB_REFERENCE_BIN`'s parent when set,
/// else `$XDG_CACHE_HOME/promlab-reference` or `~/.cache/promlab-reference`.
pub fn reference_dir() -> PathBuf {
    if let Some(bin) = std::env::var_os("PROMLAB_REFERENCE_BIN") {
        let bin = PathBuf::from(bin);
        return bin.parent().map(Path::to_path_buf).unwrap_or(bin);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("promlab-reference")
}

/// The directory with the binaries, as tests find it
/// (`PROMLAB_REFERENCE_BIN`).
pub fn bin_dir() -> PathBuf {
    reference_dir().join("bin")
}

/// The directory with Prometheus's PromQL test scripts, as tests find it
/// (`PROMLAB_PROMQLTEST_DIR`).
pub fn promqltest_dir() -> PathBuf {
    reference_dir().join("root").join(PROMQLTEST_IN_PACKAGE)
}

fn all_present(bin: &Path) -> bool {
    PACKAGES
        .iter()
        .flat_map(|(_, bins)| bins.iter())
        .all(|b| bin.join(b).exists())
        && promqltest_dir().join("functions.test").exists()
}

/// The Debian mirror the machine already uses, so the download goes where
/// the machine's other packages come from.
fn debian_mirror() -> String {
    let mut texts = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/etc/apt/sources.list.d") {
        for entry in dir.flatten() {
            if entry
                .path()
                .extension()
                .is_some_and(|e| e == "sources" || e == "list")
            {
                texts.extend(std::fs::read_to_string(entry.path()));
            }
        }
    }
    texts.extend(std::fs::read_to_string("/etc/apt/sources.list"));
    for text in &texts {
        for line in text.lines() {
            let line = line.trim();
            let uri = line.strip_prefix("URIs:").map(str::trim).or_else(|| {
                line.strip_prefix("deb ")
                    .and_then(|r| r.split_whitespace().find(|w| w.starts_with("http")))
            });
            if let Some(uri) = uri.and_then(|u| u.split_whitespace().next()) {
                if uri.trim_end_matches('/').ends_with("/debian") {
                    return uri.to_string();
                }
            }
        }
    }
    "http://deb.debian.org/debian".to_string()
}

/// apt-get with its own configuration under `dir`.
fn apt(dir: &Path) -> Command {
    let mut cmd = Command::new("apt-get");
    let opt = |k: &str, v: &Path| format!("{k}={}", v.display());
    cmd.args([
        "-q",
        "-o",
        &opt("Dir::Etc::SourceList", &dir.join("sid.list")),
        "-o",
        "Dir::Etc::SourceParts=/dev/null",
        "-o",
        &opt("Dir::State::Lists", &dir.join("lists")),
        "-o",
        &opt("Dir::Cache", &dir.join("cache")),
        "-o",
        "APT::Sandbox::User=root",
    ]);
    cmd
}

/// Downloads and unpacks the reference binaries when any is missing.
pub fn ensure_reference() -> Result<PathBuf, Failure> {
    let dir = reference_dir();
    let bin = bin_dir();
    if all_present(&bin) {
        return Ok(bin);
    }
    step(&format!("fetching the reference Prometheus, promtool, node_exporter and Alertmanager from Debian into {}", dir.display()));
    let apt_dir = dir.join("apt");
    let debs = dir.join("debs");
    let root = dir.join("root");
    for d in [
        &apt_dir.join("lists/partial"),
        &apt_dir.join("cache/archives/partial"),
        &debs,
        &root,
        &bin,
    ] {
        std::fs::create_dir_all(d)
            .map_err(|e| Failure::new(format!("cannot create {}: {e}", d.display())))?;
    }
    let keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
    let signed = if Path::new(keyring).exists() {
        format!("[signed-by={keyring}] ")
    } else {
        String::new()
    };
    let list = format!("deb {signed}{} sid main\n", debian_mirror());
    std::fs::write(apt_dir.join("sid.list"), list)
        .map_err(|e| Failure::new(format!("cannot write the sources list: {e}")))?;
    run(apt(&apt_dir).arg("update"))?;
    let names: Vec<&str> = PACKAGES.iter().map(|(p, _)| *p).collect();
    run(apt(&apt_dir)
        .arg("download")
        .args(&names)
        .current_dir(&debs))?;
    for entry in std::fs::read_dir(&debs)
        .map_err(|e| Failure::new(e.to_string()))?
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "deb") {
            run(Command::new("dpkg").arg("-x").arg(entry.path()).arg(&root))?;
        }
    }
    for b in PACKAGES.iter().flat_map(|(_, bins)| bins.iter()) {
        let target = root.join("usr/bin").join(b);
        let link = bin.join(b);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&target, &link)
            .map_err(|e| Failure::new(format!("cannot link {}: {e}", link.display())))?;
    }
    if !all_present(&bin) {
        return Err(Failure::new(format!(
            "the reference binaries are still missing from {}",
            bin.display()
        )));
    }
    let version = Command::new(bin.join("prometheus"))
        .arg("--version")
        .output();
    if let Ok(out) = version {
        let text = String::from_utf8_lossy(&out.stdout);
        step(text.lines().next().unwrap_or("prometheus installed"));
    }
    Ok(bin)
}
