//! The TSDB against the real Prometheus: what `export_openmetrics` writes,
//! `promtool tsdb create-blocks-from openmetrics` must accept, and the
//! blocks it makes must hold the same samples — and, chunk for chunk, the
//! same bytes — as the head they came from.
//!
//! The reference binaries come from `PROMLAB_REFERENCE_BIN` (default
//! `$HOME/.cache/promlab-reference/bin`), installed by `cargo xtask
//! reference`.

#![cfg(not(target_arch = "wasm32"))]

#[path = "tsdb_support/node_data.rs"]
mod node_data;

use promlab_core::exposition::MetricType;
use promlab_core::labels::{Labels, Matcher};
use promlab_core::tsdb::{export_openmetrics, Head, Metadata, Querier, STALE_NAN};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn promtool() -> PathBuf {
    let dir = match std::env::var_os("PROMLAB_REFERENCE_BIN") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(".cache/promlab-reference/bin"),
    };
    let bin = dir.join("promtool");
    assert!(
        bin.is_file(),
        "promtool not found at {}: run `cargo xtask reference`",
        bin.display()
    );
    bin
}

/// A fresh directory under the system's temporary directory, removed on
/// drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("promlab-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str], dir: &Path) -> String {
    let out = Command::new(promtool())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Writes `text`, turns it into blocks under `dir/blocks`, and returns the
/// block directories.
fn create_blocks(text: &str, dir: &Path) -> Vec<PathBuf> {
    std::fs::write(dir.join("data.om"), text).unwrap();
    run(
        &[
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "data.om",
            "blocks",
        ],
        dir,
    );
    let mut blocks: Vec<PathBuf> = std::fs::read_dir(dir.join("blocks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("meta.json").is_file())
        .collect();
    blocks.sort();
    blocks
}

fn md(metric_type: MetricType, help: &str, unit: &str) -> Metadata {
    Metadata {
        metric_type,
        help: help.into(),
        unit: unit.into(),
    }
}

/// A head with what an export must carry: every metadata kind, escapes in
/// help and label values, UTF-8 names, NaN, infinities, negative zero,
/// stale markers, millisecond timestamps across several blocks.
fn varied_head() -> Head {
    let mut h = Head::new();
    h.set_metadata(
        "http_requests",
        md(MetricType::Counter, "Requests \\ \"served\"\nby code.", ""),
    );
    h.set_metadata("ping_request_count", md(MetricType::Counter, "Pings.", ""));
    h.set_metadata(
        "room_temperature_celsius",
        md(MetricType::Gauge, "Temperature.", "celsius"),
    );
    h.set_metadata(
        "rpc_duration_seconds",
        md(MetricType::Histogram, "RPC latency.", "seconds"),
    );
    h.set_metadata(
        "gc_seconds",
        md(MetricType::Summary, "GC pauses.", "seconds"),
    );
    h.set_metadata(
        "service.latency",
        md(MetricType::Gauge, "A \"quoted\" family.", ""),
    );
    let start = 1_700_000_000_000i64;
    let l = |pairs: &[(&str, &str)]| Labels::from_pairs(pairs.iter().copied());
    let mut rng = node_data::Rng::new(7);
    for i in 0..2_000i64 {
        // Five hours at about 9 s, with millisecond jitter.
        let t = start + i * 9_000 + rng.below(1000) as i64;
        let x = i as f64;
        let mut put = |labels: Labels, v: f64| {
            h.append(&labels, t, v).unwrap();
        };
        put(
            l(&[
                ("__name__", "http_requests_total"),
                ("code", "200"),
                ("path", "/a\"b\\c\nd"),
            ]),
            x * 3.0,
        );
        put(
            l(&[("__name__", "http_requests_total"), ("code", "500")]),
            (x / 7.0).floor(),
        );
        put(l(&[("__name__", "ping_request_count")]), (x / 3.0).floor());
        put(
            l(&[("__name__", "room_temperature_celsius"), ("room", "서울")]),
            20.0 + (x / 50.0).sin(),
        );
        for (le, share) in [("0.1", 0.5), ("1", 0.9), ("+Inf", 1.0)] {
            put(
                l(&[("__name__", "rpc_duration_seconds_bucket"), ("le", le)]),
                (x * 10.0 * share).floor(),
            );
        }
        put(l(&[("__name__", "rpc_duration_seconds_sum")]), x * 1.25);
        put(l(&[("__name__", "rpc_duration_seconds_count")]), x * 10.0);
        for q in ["0.5", "0.99"] {
            put(
                l(&[("__name__", "gc_seconds"), ("quantile", q)]),
                rng.unit() * 1e-3,
            );
        }
        put(l(&[("__name__", "gc_seconds_sum")]), x * 1e-4);
        put(l(&[("__name__", "gc_seconds_count")]), x);
        let odd = match i % 5 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => -0.0,
            _ => 1e-300 * x,
        };
        put(l(&[("__name__", "odd_values")]), odd);
        put(l(&[("__name__", "service.latency"), ("host.name", "a")]), x);
        // A series that goes away and comes back, as a scrape marks it.
        let flappy = l(&[("__name__", "flappy")]);
        if i % 100 < 50 {
            put(flappy, 1.0);
        } else if i % 100 == 50 {
            put(flappy, STALE_NAN);
        }
    }
    h
}

/// Every series' samples, stale markers left out, values by bits.
fn contents(q: &dyn Querier) -> BTreeMap<Labels, Vec<(i64, u64)>> {
    q.select(
        &[Matcher::new("__name__", promlab_core::labels::MatchOp::Regex, ".+").unwrap()],
        i64::MIN,
        i64::MAX,
    )
    .into_iter()
    .map(|s| {
        let samples = s
            .samples
            .iter()
            .filter(|x| !promlab_core::tsdb::is_stale_marker(x.v))
            .map(|x| (x.t, x.v.to_bits()))
            .collect();
        (s.labels, samples)
    })
    .collect()
}

#[test]
fn promtool_turns_the_export_into_blocks_with_the_same_samples() {
    let dir = TempDir::new("tsdb-export");
    let head = varied_head();
    let text = export_openmetrics(&head, &[], i64::MIN, i64::MAX);
    let blocks = create_blocks(&text, &dir.0);
    // Five hours from 22:13 UTC cross three 2-hour boundaries.
    assert_eq!(blocks.len(), 3, "{blocks:?}");

    // Read the blocks back with promtool's own dump.
    std::fs::create_dir_all(dir.0.join("blocks/wal")).unwrap();
    std::fs::create_dir_all(dir.0.join("sandbox")).unwrap();
    let dump = run(
        &["tsdb", "dump", "--sandbox-dir-root=sandbox", "blocks"],
        &dir.0,
    );
    let mut theirs: BTreeMap<Labels, Vec<(i64, u64)>> = BTreeMap::new();
    for line in dump.lines() {
        let (labels, t, v) = parse_dump_line(line);
        theirs.entry(labels).or_default().push((t, v.to_bits()));
    }
    for samples in theirs.values_mut() {
        samples.sort_by_key(|&(t, _)| t);
    }
    // Prometheus 3 normalizes the `le` of histogram buckets (and a
    // summary's `quantile`) as it reads OpenMetrics: `le="1"` is stored as
    // `le="1.0"`.
    let ours = contents(&head)
        .into_iter()
        .map(|(mut labels, samples)| {
            for name in ["le", "quantile"] {
                let v = labels.get(name).to_string();
                if v.parse::<f64>()
                    .is_ok_and(|f| f.fract() == 0.0 && f.is_finite())
                    && !v.contains('.')
                {
                    labels.set(name, format!("{v}.0"));
                }
            }
            (labels, samples)
        })
        .collect();
    assert_same(&ours, &theirs);
}

/// Compares series by series, reporting the first difference briefly.
fn assert_same(
    ours: &BTreeMap<Labels, Vec<(i64, u64)>>,
    theirs: &BTreeMap<Labels, Vec<(i64, u64)>>,
) {
    let names = |m: &BTreeMap<Labels, _>| m.keys().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(names(ours), names(theirs), "series differ");
    for (labels, samples) in ours {
        let other = &theirs[labels];
        let first = samples.iter().zip(other).position(|(a, b)| a != b);
        if let Some(i) = first {
            panic!(
                "{labels}: sample {i} is {:?} here, {:?} in Prometheus's blocks",
                samples[i], other[i]
            );
        }
        assert_eq!(samples.len(), other.len(), "{labels}: sample count");
    }
}

/// A line of `promtool tsdb dump`: `{__name__="x", a="b"} value ms`.
fn parse_dump_line(line: &str) -> (Labels, i64, f64) {
    let mut labels = Labels::new();
    let mut chars = line.chars().peekable();
    assert_eq!(chars.next(), Some('{'), "{line}");
    let string = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        let mut out = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => return out,
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(c) => out.push(c),
                    None => break,
                },
                c => out.push(c),
            }
        }
        panic!("unterminated string in {line}");
    };
    loop {
        let name = if chars.peek() == Some(&'"') {
            chars.next();
            string(&mut chars)
        } else {
            let mut n = String::new();
            while let Some(&c) = chars.peek() {
                if c == '=' {
                    break;
                }
                n.push(c);
                chars.next();
            }
            n
        };
        assert_eq!(chars.next(), Some('='), "{line}");
        assert_eq!(chars.next(), Some('"'), "{line}");
        labels.set(name, string(&mut chars));
        match chars.next() {
            Some(',') => assert_eq!(chars.next(), Some(' ')),
            Some('}') => break,
            other => panic!("unexpected {other:?} in {line}"),
        }
    }
    let rest: String = chars.collect();
    let mut fields = rest.split_whitespace();
    let v = match fields.next().unwrap() {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        s => s.parse().unwrap(),
    };
    let t = fields.next().unwrap().parse().unwrap();
    (labels, t, v)
}

/// Prometheus's chunk segment files: an 8-byte header, then per chunk a
/// uvarint length, an encoding byte, the chunk and a CRC32. Returns the XOR
/// chunks' bytes and the files' total size.
fn read_chunk_files(block: &Path) -> (Vec<Vec<u8>>, u64) {
    let mut chunks = Vec::new();
    let mut total = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(block.join("chunks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let data = std::fs::read(&file).unwrap();
        total += data.len() as u64;
        assert_eq!(&data[..4], &[0x85, 0xbd, 0x40, 0xdd], "segment magic");
        let mut pos = 8;
        while pos < data.len() {
            let mut len = 0usize;
            let mut shift = 0;
            loop {
                let b = data[pos];
                pos += 1;
                len |= usize::from(b & 0x7f) << shift;
                shift += 7;
                if b < 0x80 {
                    break;
                }
            }
            let encoding = data[pos];
            pos += 1;
            assert_eq!(encoding, 1, "XOR encoding");
            chunks.push(data[pos..pos + len].to_vec());
            pos += len + 4;
        }
    }
    (chunks, total)
}

#[test]
fn chunk_bytes_per_sample_match_prometheus() {
    let dir = TempDir::new("tsdb-bytes");
    // Six hours of two nodes at 15 s, from a 2-hour boundary.
    let start = 1_700_006_400_000i64;
    let data = node_data::node_workload(2, 6 * 240, start, 42);
    let mut head = Head::new();
    for (name, m) in &data.metadata {
        head.set_metadata(name.clone(), m.clone());
    }
    let refs: Vec<usize> = data
        .series
        .iter()
        .map(|l| head.get_or_create(l).unwrap())
        .collect();
    for step in 0..data.steps {
        for (i, t, v) in data.step(step) {
            head.append_ref(refs[i], t, v).unwrap();
        }
    }
    let stats = head.stats();
    assert_eq!(stats.samples, data.num_samples());

    let text = export_openmetrics(&head, &[], i64::MIN, i64::MAX);
    let blocks = create_blocks(&text, &dir.0);
    // Six hours from a 2-hour boundary; a late scrape may spill into a
    // fourth block.
    assert!((3..=4).contains(&blocks.len()), "{blocks:?}");
    let mut theirs = Vec::new();
    let mut file_bytes = 0;
    for b in &blocks {
        let (chunks, size) = read_chunk_files(b);
        theirs.extend(chunks);
        file_bytes += size;
    }
    let mut ours: Vec<Vec<u8>> = head
        .series_refs()
        .flat_map(|r| head.chunks(r).map(|c| c.bytes.to_vec()).collect::<Vec<_>>())
        .collect();
    ours.sort();
    theirs.sort();
    let their_data: usize = theirs.iter().map(Vec::len).sum();
    let samples = stats.samples as f64;
    println!(
        "{} series, {} samples: promlab {:.3} bytes/sample in {} chunks ({} bytes); \
         Prometheus 3.5 {:.3} bytes/sample of chunk data in {} chunks, {:.3} bytes/sample in its chunk files ({} bytes)",
        stats.series,
        stats.samples,
        stats.bytes_per_sample,
        stats.chunks,
        stats.chunk_bytes,
        their_data as f64 / samples,
        theirs.len(),
        file_bytes as f64 / samples,
        file_bytes,
    );
    // Same cutting, same encoding: the very same chunks.
    assert_eq!(ours.len(), theirs.len());
    assert!(ours == theirs, "chunk bytes differ from Prometheus's");
    assert!(stats.chunk_bytes as u64 <= file_bytes);
}
