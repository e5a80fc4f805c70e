//! The real Prometheus agrees: `promtool check config` accepts the configs
//! of `testdata/scrape_configs.yml` that the lab accepts and refuses those
//! it refuses, and accepts every config the lab writes back as YAML.
//!
//! The reference binaries are found in `$PROMLAB_REFERENCE_BIN`, by default
//! `$HOME/.cache/promlab-reference/bin`.

#![cfg(not(target_arch = "wasm32"))]

use promlab_core::labels::Labels;
use promlab_core::scrape::config::{PrometheusConfig, ScrapeConfig};
use serde::Deserialize;
use std::path::PathBuf;
use std::process::Command;

const CASES: &str = include_str!("testdata/scrape_configs.yml");

#[derive(Deserialize)]
struct Case {
    name: String,
    config: String,
    #[serde(default)]
    error: Option<String>,
    /// Set where the lab refuses on purpose what Prometheus takes (a
    /// setting it does not model).
    #[serde(default)]
    promtool_accepts: Option<bool>,
}

fn promtool() -> PathBuf {
    let dir = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/promlab-reference/bin"))
        })
        .expect("set PROMLAB_REFERENCE_BIN or HOME");
    let bin = dir.join("promtool");
    assert!(
        bin.exists(),
        "promtool not found at {}: run `cargo xtask reference`",
        bin.display()
    );
    bin
}

/// Whether promtool accepts `yaml`, and what it said.
fn promtool_check(name: &str, yaml: &str) -> (bool, String) {
    let path = std::env::temp_dir().join(format!(
        "promlab-scrape-{}-{}.yml",
        std::process::id(),
        name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    ));
    std::fs::write(&path, yaml).unwrap();
    let out = Command::new(promtool())
        .args(["check", "config"])
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn promtool_accepts_what_the_lab_accepts() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    assert!(cases.len() >= 40);
    let mut failures = Vec::new();
    for case in &cases {
        let ours = PrometheusConfig::parse(&case.config);
        assert_eq!(ours.is_ok(), case.error.is_none(), "{}", case.name);
        let (accepted, said) = promtool_check(&case.name, &case.config);
        if accepted != case.promtool_accepts.unwrap_or(ours.is_ok()) {
            failures.push(format!(
                "{}: promtool {}, the lab {}\n{said}",
                case.name,
                if accepted { "accepts" } else { "refuses" },
                if ours.is_ok() { "accepts" } else { "refuses" },
            ));
        }
        // What the lab writes back, Prometheus reads, and so does the lab,
        // to the same config.
        if let Ok(cfg) = ours {
            let written = cfg.to_yaml();
            let (accepted, said) = promtool_check(&format!("{}-written", case.name), &written);
            if !accepted {
                failures.push(format!(
                    "{}: promtool refuses the written config:\n{written}\n{said}",
                    case.name
                ));
            }
            match PrometheusConfig::parse(&written) {
                Ok(back) if back == cfg => {}
                Ok(back) => failures.push(format!(
                    "{}: read back differs:\n{written}\n{back:?}\n{cfg:?}",
                    case.name
                )),
                Err(e) => failures.push(format!(
                    "{}: cannot read back:\n{}",
                    case.name,
                    e.render(&written)
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_scrape_config_built_in_code_prints_as_a_valid_scrape_configs_list() {
    let mut cfg = ScrapeConfig::new("ping-app");
    cfg.scrape_interval = 15_000;
    cfg.targets.push((
        "ping-app.default.svc:8090".into(),
        Labels::from_pairs([("namespace", "default")]),
    ));
    cfg.targets.push((
        "ping-app-2.default.svc:8090".into(),
        Labels::from_pairs([("namespace", "default")]),
    ));
    cfg.targets.push((
        "yes".into(),
        Labels::from_pairs([("a: b", "true"), ("c", "123")]),
    ));
    let yaml = cfg.to_yaml();
    let (accepted, said) = promtool_check("built-in-code", &yaml);
    assert!(accepted, "{yaml}\n{said}");
    let back = PrometheusConfig::parse(&yaml).unwrap();
    assert_eq!(back.scrape_configs, vec![cfg]);
}
