//! Mangled manifests never panic: the training material's files, the team
//! manifests and the invalid-document table, cut, spliced, re-indented and
//! sprinkled with YAML's punctuation, go through the whole path (load,
//! apply to the simulated cluster, select, render), and every issue's span
//! lies inside its file on character boundaries so it renders. A fixed
//! seed keeps failures reproducible; a failing input is printed so it can
//! become a test case.

use promlab_core::operator::load::{FieldValidation, LoadOptions};
use promlab_core::operator::render::RenderOptions;
use promlab_core::operator::{run, ManifestFile};
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
}

const SEEDS: &[&str] = &[
    include_str!("operator/training/Deployment.yaml"),
    include_str!("operator/training/Service.yaml"),
    include_str!("operator/training/ServiceMonitor.yaml"),
    include_str!("operator/training/alertmanagerconfig.yaml"),
    include_str!("operator/training/prometheusrule.yaml"),
    include_str!("operator/rich/00-namespace.yaml"),
    include_str!("operator/rich/10-app.yaml"),
    include_str!("operator/rich/20-monitors.yaml"),
    include_str!("operator/rich/30-rules.yaml"),
    include_str!("operator/rich/40-alerting.yaml"),
    include_str!("operator/invalid.yaml"),
    include_str!("operator/selection.yaml"),
];

/// What YAML and the manifests are made of, and some things they are not.
const TOKENS: &[&str] = &[
    ": ",
    "- ",
    "-",
    "{",
    "}",
    "[",
    "]",
    ",",
    "'",
    "\"",
    "---\n",
    "--- x\n",
    "&a ",
    "*a",
    "<<: *a",
    "!!str ",
    "!!int ",
    "|\n",
    ">-\n",
    "\t",
    "  ",
    "\n",
    "#",
    "~",
    "null",
    "true",
    "yes",
    "0x1F",
    "1e999",
    "-1",
    "99999999999999999999999",
    ".inf",
    ".nan",
    "é",
    "\u{0}",
    "\u{feff}",
    "\\",
    "{{ $value }}",
    "In",
    "Exists",
    "matchExpressions",
    "matchLabels",
    "selector",
    "endpoints",
    "port",
    "targetPort",
    "interval",
    "15",
    "15s",
    "1h30m",
    "kind",
    "apiVersion",
    "metadata",
    "name",
    "namespace",
    "spec",
    "routes",
    "receiver",
    "webhookConfigs",
    "sendResolved",
    "url",
    "http://x/",
    "expr",
    "rate(x[5m])",
    "(",
    ")",
    "ServiceMonitor",
    "PodMonitor",
    "Prometheus",
    "Alertmanager",
    "AlertmanagerConfig",
    "PrometheusRule",
    "Namespace",
    "Deployment",
    "Service",
    "Pod",
    "v1",
    "apps/v1",
    "monitoring.coreos.com/v1",
    "monitoring.coreos.com/v1alpha1",
];

fn char_floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mangle(rng: &mut Rng, src: &str) -> String {
    let mut s = src.to_string();
    for _ in 0..=rng.below(4) {
        let at = char_floor(&s, rng.below(s.len() + 1));
        match rng.below(7) {
            0 => {
                let end = char_floor(&s, at + rng.below(40));
                s.replace_range(at..end, "");
            }
            1 => s.insert_str(at, TOKENS[rng.below(TOKENS.len())]),
            2 => {
                let lines: Vec<&str> = s.lines().collect();
                if lines.len() > 1 {
                    let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                    let mut lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                    lines.swap(a, b);
                    s = lines.join("\n");
                }
            }
            3 => {
                // Indent or dedent one line.
                let lines: Vec<String> = s.lines().map(str::to_string).collect();
                let i = rng.below(lines.len());
                let mut lines = lines;
                if let Some(l) = lines.get_mut(i) {
                    if rng.below(2) == 0 {
                        l.insert_str(0, "  ");
                    } else {
                        *l = l.trim_start().to_string();
                    }
                }
                s = lines.join("\n");
            }
            4 => s.truncate(at),
            5 => {
                // Copy a slice of another seed in.
                let other = SEEDS[rng.below(SEEDS.len())];
                let from = char_floor(other, rng.below(other.len()));
                let to = char_floor(other, from + rng.below(200));
                s.insert_str(at, &other[from..to]);
            }
            _ => {
                let line_start = s[..at].rfind('\n').map_or(0, |i| i + 1);
                let line_end = s[at..].find('\n').map_or(s.len(), |i| at + i + 1);
                let line = s[line_start..line_end].to_string();
                s.insert_str(line_start, &line);
            }
        }
    }
    s
}

fn check(files: Vec<ManifestFile>, validation: FieldValidation) {
    let options = LoadOptions {
        validation,
        ..LoadOptions::default()
    };
    let report = run(files, &options, &RenderOptions::default());
    for fi in &report.issues {
        let f = &report.files[fi.file];
        let span = fi.issue.span;
        assert!(
            span.start <= span.end && span.end <= f.text.len(),
            "span {span:?} outside {:?}",
            f.text
        );
        assert!(f.text.is_char_boundary(span.start) && f.text.is_char_boundary(span.end));
        let _ = fi.issue.render(&f.text, &f.name);
    }
    let _ = report.to_text();
}

#[wasm_bindgen_test(unsupported = test)]
fn mangled_manifests_never_panic() {
    let rounds = if cfg!(target_arch = "wasm32") {
        150
    } else {
        1500
    };
    let mut rng = Rng(0x05ee_d0f0_be7a);
    for round in 0..rounds {
        let seed = SEEDS[rng.below(SEEDS.len())];
        let text = mangle(&mut rng, seed);
        let validation = match round % 3 {
            0 => FieldValidation::Strict,
            1 => FieldValidation::Warn,
            _ => FieldValidation::Ignore,
        };
        let files = vec![ManifestFile::new("m.yaml", text.clone())];
        let result = std::panic::catch_unwind(|| check(files, validation));
        assert!(result.is_ok(), "round {round} panicked on:\n{text}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn hostile_shapes_are_refused_with_an_error() {
    let deep = format!("{}1{}", "[".repeat(500), "]".repeat(500));
    let block_deep: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    let many_docs = "---\n".repeat(3000);
    for text in [
        deep.as_str(),
        &block_deep,
        laughs,
        &many_docs,
        "\u{0}",
        "- - - -",
        ": :",
    ] {
        let report = run(
            vec![ManifestFile::new("m.yaml", text)],
            &LoadOptions::default(),
            &RenderOptions::default(),
        );
        let _ = report.to_text();
        if !text.trim_start_matches("---\n").is_empty() {
            assert!(report.has_errors(), "{:.80}", text);
        }
    }
}
