//! `promlab export` writes OpenMetrics that the real promtool turns into a
//! TSDB block holding every sample.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;

fn reference_bin(name: &str) -> PathBuf {
    let dir = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(".cache/promlab-reference/bin")
        });
    let bin = dir.join(name);
    assert!(
        bin.exists(),
        "{} is missing: run `cargo xtask reference`",
        bin.display()
    );
    bin
}

#[test]
fn promtool_backfills_the_exported_data() {
    let out = Command::new(env!("CARGO_BIN_EXE_promlab"))
        .args([
            "export",
            "--duration",
            "10m",
            "--interval",
            "15s",
            "--nodes",
            "2",
            "--end",
            "2026-01-01T00:00:00Z",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("# EOF\n"));
    let sample_lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .count();
    let series: std::collections::HashSet<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.rsplitn(3, ' ').nth(2))
        .collect();
    // With two nodes, the second is the GPU node.
    assert!(text.contains("job=\"nvidia-dcgm-exporter\""));
    assert!(sample_lines > 10_000, "{sample_lines}");

    let dir = std::env::temp_dir().join(format!("promlab-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("data.om");
    std::fs::write(&file, &text).unwrap();
    let blocks = dir.join("blocks");
    let out = Command::new(reference_bin("promtool"))
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&file)
        .arg(&blocks)
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{report}");
    // promtool's table: BLOCK ULID, MIN TIME, MAX TIME, DURATION, NUM SAMPLES, NUM CHUNKS, NUM SERIES, SIZE.
    let row: Vec<&str> = report
        .lines()
        .find(|l| l.len() > 26 && l.chars().take(26).all(|c| c.is_ascii_alphanumeric()))
        .expect("a block row")
        .split_whitespace()
        .collect();
    assert_eq!(row[4].parse::<usize>().unwrap(), sample_lines, "{report}");
    assert_eq!(row[6].parse::<usize>().unwrap(), series.len(), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_refuses_bad_options() {
    for (args, want) in [
        (
            vec!["export", "--duration", "8d"],
            "error: --duration 8d: expected at most 1w",
        ),
        (
            vec!["export", "--interval", "500ms"],
            "error: --interval must be at least 1s",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_promlab"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), want);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_promlab"))
        .args(["export", "--end", "tomorrow"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("cannot parse \"tomorrow\" to a valid timestamp"));
}
