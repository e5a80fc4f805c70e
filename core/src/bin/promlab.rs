//! `promlab`: the lab on the command line. It drives the same [`Lab`] as the
//! browser: set up a scenario (pings, elapsed time), then ask a question in
//! PromQL or through a Prometheus API URL. `query --data FILE.om` asks the
//! same question of an OpenMetrics file instead of the simulated cluster,
//! and prints the answer in the Prometheus HTTP API's JSON, so one script
//! can query the lab and a real Prometheus alike.

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand, ValueEnum};
    use promlab_core::alertmanager;
    use promlab_core::api::{
        ApiData, ApiError, ApiRequest, ApiResponse, ErrorType, LabRequest, LabResponse,
        MatrixSeries, Point, QueryResult, StringPoint, VectorSample,
    };
    use promlab_core::diagnostic::{Diagnostic, Span};
    use promlab_core::duration::parse_duration;
    use promlab_core::exposition::{self, format_float, lint, Format};
    use promlab_core::lab::{Lab, LabOptions};
    use promlab_core::promql;
    use promlab_core::promql::promqltest::{self, RunOptions, ScriptError, Status};
    use promlab_core::tsdb::Head;
    use std::io::Read;
    use std::path::PathBuf;
    use std::process::ExitCode;

    #[derive(Parser)]
    #[command(
        name = "promlab",
        version,
        about = "A Prometheus lab: a simulated cluster, a TSDB and PromQL"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
        /// Requests to send to the example app's /ping before answering.
        #[arg(long, global = true, default_value_t = 0)]
        pings: u32,
        /// Virtual time to let pass after the pings (e.g. 15s, 5m).
        #[arg(long, global = true, value_parser = parse_duration)]
        advance: Option<i64>,
        /// Also scrape a real target over HTTP every 15s of virtual time,
        /// as `[JOB=]URL` (job `external` by default); repeatable.
        #[arg(long = "scrape", global = true, value_name = "[JOB=]URL")]
        scrape: Vec<String>,
        /// Also scrape the jobs of a prometheus.yml (its global and
        /// scrape_configs); targets outside the simulated cluster are
        /// fetched over HTTP.
        #[arg(long, global = true, value_name = "FILE")]
        config: Option<std::path::PathBuf>,
        /// Load samples from an OpenMetrics file with timestamps (as
        /// `promlab export` writes) before answering.
        #[arg(long = "import", global = true, value_name = "FILE")]
        import: Option<std::path::PathBuf>,
        /// Load a rule file (recording and alerting rules, as Prometheus
        /// reads them); its groups are evaluated as virtual time passes
        /// (--advance). Repeatable.
        #[arg(long = "rules", global = true, value_name = "FILE")]
        rules: Vec<std::path::PathBuf>,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Evaluate a PromQL expression and print the result in the
        /// Prometheus HTTP API's JSON (`/api/v1/query` or, with --start,
        /// `/api/v1/query_range`).
        #[command(after_help = "Times are RFC 3339 or Unix seconds, steps \
Prometheus durations (15s, 1m30s) or seconds, as the Prometheus API reads \
them. Without --time, an instant query runs at the lab's current time, or \
with --data at the newest sample of the file. Exit status: 0 on success, 1 \
when the query fails (the error as the API's JSON on stdout, the position \
with a caret on stderr), 2 on bad options.")]
        Query {
            expr: String,
            /// Query the samples of this OpenMetrics file (as `promlab
            /// export` or `promtool tsdb dump-openmetrics` writes them)
            /// instead of the simulated cluster.
            #[arg(long, value_name = "FILE.om")]
            data: Option<PathBuf>,
            /// Evaluate at this time (an instant query).
            #[arg(long, value_name = "T", value_parser = parse_time_arg, allow_hyphen_values = true, conflicts_with_all = ["start", "end", "step"])]
            time: Option<i64>,
            /// Start of a range query.
            #[arg(long, value_name = "S", value_parser = parse_time_arg, allow_hyphen_values = true, requires_all = ["end", "step"])]
            start: Option<i64>,
            /// End of a range query.
            #[arg(long, value_name = "E", value_parser = parse_time_arg, allow_hyphen_values = true, requires_all = ["start", "step"])]
            end: Option<i64>,
            /// Resolution of a range query.
            #[arg(long, value_name = "D", value_parser = parse_step_arg, requires_all = ["start", "end"])]
            step: Option<i64>,
            /// How to print the result.
            #[arg(long, value_enum, default_value_t = Output::Json)]
            output: Output,
            /// The same as `--output json` (the default), kept for scripts
            /// written before JSON was.
            #[arg(long, hide = true, conflicts_with = "output")]
            json: bool,
        },
        /// Print a PromQL expression as `promtool promql format` does:
        /// canonical, with long expressions split over indented lines.
        Format { expr: String },
        /// Answer a Prometheus HTTP API request given as a path and query
        /// string, e.g. '/api/v1/query?query=up'; prints the JSON.
        Api { url: String },
        /// Check a PromQL expression and print it in canonical form.
        Parse { expr: String },
        /// Print the example app's /metrics page.
        Metrics,
        /// Run PromQL test scripts in Prometheus's promqltest format against
        /// the lab's engine; print the evals that fail and the counts.
        Promqltest {
            #[arg(required = true)]
            files: Vec<PathBuf>,
            /// Also list the evals that pass.
            #[arg(long)]
            verbose: bool,
        },
        /// Write the simulated cluster's data as OpenMetrics with timestamps
        /// on stdout, for `promtool tsdb create-blocks-from openmetrics`.
        Export {
            /// How much data: the time before --end.
            #[arg(long, default_value = "6h", value_parser = parse_duration)]
            duration: i64,
            /// Scrape every simulated target at this interval.
            #[arg(long, default_value = "15s", value_parser = parse_duration)]
            interval: i64,
            /// Fixes every random choice of the simulation.
            #[arg(long, default_value_t = 1)]
            seed: u64,
            /// Nodes in the simulated cluster (the last one has the GPUs).
            #[arg(long, default_value_t = 3)]
            nodes: usize,
            /// The time the data ends at, as Unix seconds or RFC 3339; now
            /// by default, so a Prometheus that imports it keeps it.
            #[arg(long, value_parser = promlab_core::api::parse_time)]
            end: Option<i64>,
        },
        /// Check inputs as `promtool check` does.
        Check {
            #[command(subcommand)]
            what: Check,
        },
        /// Run tests as `promtool test` does.
        Test {
            #[command(subcommand)]
            what: Test,
        },
        /// The Prometheus Operator's resources on the simulated cluster.
        Operator {
            #[command(subcommand)]
            what: OperatorCommand,
        },
        /// Apply the manifests in DIR to the simulated cluster, send the
        /// pings (--pings), let virtual time run and print the timeline one
        /// JSON object a line: scrapes, rule evaluations, alert state
        /// changes, alerts sent, notifications with their payloads, each
        /// with its virtual time and why it happened then.
        ///
        /// Where DIR has no Prometheus or Alertmanager resource, the lab's
        /// defaults apply; they select the training material's labels.
        /// Problems with the manifests are printed on stderr first. Webhook
        /// notifications are printed with their payloads; with
        /// --send-webhooks they are also POSTed to their receivers' URLs.
        #[command(
            after_help = "Exit status: 0 when the manifests were applied (documents with errors are refused and reported, the rest applied); 1 when what the operator generates cannot be loaded; 2 when DIR cannot be read."
        )]
        Simulate {
            dir: PathBuf,
            /// How much virtual time to run after the pings.
            #[arg(long, default_value = "10m", value_parser = parse_duration)]
            duration: i64,
            /// kubectl's --validate. The lab applies a manifest with an
            /// unknown field after showing it (warn); strict refuses it.
            #[arg(long, value_enum, default_value_t = ValidateArg::Warn)]
            validate: ValidateArg,
            /// Restart the example app this long after the start: its
            /// counter starts again from 0.
            #[arg(long = "restart-app-at", value_name = "D", value_parser = parse_duration)]
            restart_app_at: Option<i64>,
            /// POST each webhook notification to its receiver's URL, as
            /// Alertmanager would, once the virtual time it was sent at has
            /// run; each outcome is printed on stderr.
            #[arg(long = "send-webhooks")]
            send_webhooks: bool,
        },
        /// Alertmanager's configuration as `amtool config` shows it.
        Alertmanager {
            #[command(subcommand)]
            what: AlertmanagerCommand,
        },
    }

    #[derive(Subcommand)]
    enum OperatorCommand {
        /// Apply the manifests in DIR (its .yaml and .yml files, in name
        /// order, or one file) to the simulated cluster and print what the
        /// Prometheus Operator would generate: the prometheus.yml, the rule
        /// files and the alertmanager.yml.
        ///
        /// Manifests are checked as a strict API server checks them; each
        /// problem is printed first with its file, line, column and YAML
        /// path. Objects with errors are not applied. The Prometheus and
        /// Alertmanager resources rendered are those of the manifests, or the
        /// simulated cluster's kube-prometheus-stack ones.
        #[command(
            after_help = "Exit status: 0 when every manifest is valid and applied; 1 \
when a manifest has an error or an object cannot be applied (the output still shows what \
the valid objects generate); 2 when DIR cannot be read."
        )]
        Render {
            dir: PathBuf,
            /// The namespace of objects that do not name one (as kubectl -n).
            #[arg(long, short = 'n', default_value = promlab_core::operator::load::DEFAULT_NAMESPACE)]
            namespace: String,
            /// kubectl's --validate: strict refuses unknown fields, warn and
            /// ignore drop them.
            #[arg(long, value_enum, default_value_t = ValidateArg::Strict)]
            validate: ValidateArg,
            /// Also write prometheus.yml, rules/*.yaml and alertmanager.yml
            /// into this directory, with rule_files pointing at rules/.
            #[arg(long, value_name = "DIR")]
            out: Option<PathBuf>,
        },
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum ValidateArg {
        Strict,
        Warn,
        Ignore,
    }

    #[derive(Subcommand)]
    enum AlertmanagerCommand {
        /// The routing tree of an alertmanager.yml (`amtool config routes`),
        /// or with `test`, which receivers alerts with given labels reach.
        Routes {
            #[command(subcommand)]
            test: Option<RoutesTest>,
            /// The alertmanager.yml.
            #[arg(long = "config.file", value_name = "FILE")]
            config_file: Option<PathBuf>,
        },
    }

    #[derive(Subcommand)]
    enum RoutesTest {
        /// The receivers an alert with these labels goes to, as
        /// `amtool config routes test` prints them.
        #[command(after_help = "Exit status: 0; 1 when the config or a label does not \
parse, or when --verify.receivers names other receivers.")]
        Test {
            /// The alertmanager.yml.
            file: PathBuf,
            /// The alert's labels as NAME=VALUE (Alertmanager's matcher
            /// syntax, `=` only).
            labels: Vec<String>,
            /// Also print the path the alert takes through the tree.
            #[arg(long)]
            tree: bool,
            /// Fail unless the receivers are exactly these
            /// (comma-separated, in order).
            #[arg(long = "verify.receivers", value_name = "R1,R2")]
            verify_receivers: Option<String>,
        },
    }

    #[derive(Subcommand)]
    enum Test {
        /// Run rule unit tests in promtool's format (`rule_files`,
        /// `evaluation_interval`, `tests` with `input_series`,
        /// `alert_rule_test` and `promql_expr_test`) against the lab's rule
        /// evaluation and PromQL engine, with promtool's report.
        #[command(
            after_help = "Exit status: 0 when every test passes; 1 when one fails \
or a file cannot be read."
        )]
        Rules {
            #[arg(required = true)]
            files: Vec<PathBuf>,
            /// Run only the test groups whose name this regular expression
            /// matches; repeatable.
            #[arg(long = "run", value_name = "REGEX", value_parser = parse_regex)]
            run: Vec<regex::Regex>,
        },
    }

    fn parse_regex(s: &str) -> Result<regex::Regex, String> {
        regex::Regex::new(s).map_err(|e| e.to_string())
    }

    #[derive(Subcommand)]
    enum Check {
        /// Check a metrics page read on stdin, as `promtool check metrics`.
        ///
        /// The page is parsed as the text format 0.0.4, or as OpenMetrics when
        /// its last line is `# EOF` or `--format openmetrics` is given. Each
        /// parse error is printed with its line and column; the exit status
        /// is then 1. A page that parses is linted with promtool's rules and
        /// the parser's own checks, printed as warnings (`metric: message`,
        /// in promtool's wording and order) on stderr.
        #[command(after_help = "Exit status: 0 when the page parses, even with lint \
warnings; 1 on a parse error. Unlike promtool, which exits 3 when it finds \
lint problems, lint findings here are warnings only and never change the \
exit status.")]
        Metrics {
            /// The page's format; by default OpenMetrics when the page ends
            /// with `# EOF`, the text format otherwise.
            #[arg(long, value_enum)]
            format: Option<FormatArg>,
        },
        /// Check rule files as `promtool check rules` does: the YAML, every
        /// query, every template, and (as a lint) duplicate rules.
        ///
        /// Each file's errors are printed with their line and column and
        /// Prometheus's message; a file without errors gets `SUCCESS: N rules
        /// found`. With no file, the rules are read on stdin.
        #[command(after_help = "Exit status: 0 when every file is valid (lint findings \
are reported but do not fail unless --lint-fatal is given); 1 when a file has \
errors; 3 with --lint-fatal when only lint findings were reported.")]
        /// Check prometheus.yml files as `promtool check config` does: the
        /// configuration (global, scrape_configs, rule_files, alerting),
        /// then every rule file it names (globs expanded, relative to the
        /// file's directory) as `check rules` checks them.
        #[command(after_help = "Exit status: 0 when every file and every rule file is \
valid; 1 otherwise.")]
        Config {
            #[arg(required = true)]
            files: Vec<PathBuf>,
            /// Only check the configuration's syntax, not the rule files.
            #[arg(long)]
            syntax_only: bool,
        },
        Rules {
            files: Vec<PathBuf>,
            /// Lint checks to apply: duplicate-rules, all or none.
            #[arg(long, default_value = "duplicate-rules", value_parser = ["duplicate-rules", "all", "none"])]
            lint: String,
            /// Make lint findings exit with status 3.
            #[arg(long)]
            lint_fatal: bool,
        },
        /// Check an alertmanager.yml as `amtool check-config` does: amtool's
        /// report on stdout; where an error is, and what the lab reads but
        /// does not simulate, on stderr.
        #[command(after_help = "Exit status: 0 when the config is valid, 1 when not.")]
        Alertmanager {
            /// The alertmanager.yml.
            file: PathBuf,
        },
    }

    /// How `query` prints its result.
    #[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
    enum Output {
        /// The Prometheus HTTP API's JSON.
        Json,
        /// One line per series: labels and value(s).
        Table,
    }

    fn parse_time_arg(s: &str) -> Result<i64, String> {
        promlab_core::api::parse_time(s)
            .map_err(|e| format!("{e}: expected RFC 3339 (2026-01-01T00:00:00Z) or Unix seconds"))
    }

    fn parse_step_arg(s: &str) -> Result<i64, String> {
        promlab_core::api::parse_api_duration(s)
            .map_err(|e| format!("{e}: expected a duration (15s, 1m30s) or seconds"))
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum FormatArg {
        /// The Prometheus text format 0.0.4.
        Text,
        /// OpenMetrics 1.0 text.
        Openmetrics,
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        match &cli.command {
            Command::Promqltest { files, verbose } => return promqltest_files(files, *verbose),
            Command::Check {
                what: Check::Metrics { format },
            } => return check_metrics(*format),
            Command::Check {
                what: Check::Alertmanager { file },
            } => return check_alertmanager(file),
            Command::Check {
                what: Check::Config { files, syntax_only },
            } => return check_config(files, *syntax_only),
            Command::Alertmanager { what } => return alertmanager(what),
            Command::Simulate {
                dir,
                duration,
                validate,
                restart_app_at,
                send_webhooks,
            } => {
                return simulate(
                    dir,
                    cli.pings,
                    *duration,
                    *validate,
                    *restart_app_at,
                    *send_webhooks,
                )
            }
            Command::Check {
                what:
                    Check::Rules {
                        files,
                        lint,
                        lint_fatal,
                    },
            } => return check_rules(files, lint != "none", *lint_fatal),
            Command::Test {
                what: Test::Rules { files, run },
            } => return test_rules(files, run),
            Command::Export {
                duration,
                interval,
                seed,
                nodes,
                end,
            } => return export(*duration, *interval, *seed, *nodes, *end),
            Command::Operator {
                what:
                    OperatorCommand::Render {
                        dir,
                        namespace,
                        validate,
                        out,
                    },
            } => return operator_render(dir, namespace, *validate, out.as_deref()),
            Command::Format { expr } => return format_expr(expr),
            Command::Query {
                data: Some(path),
                expr,
                time,
                start,
                end,
                step,
                output,
                ..
            } => {
                let scenario = [
                    (cli.pings > 0, "--pings"),
                    (cli.advance.is_some(), "--advance"),
                    (!cli.scrape.is_empty(), "--scrape"),
                    (cli.config.is_some(), "--config"),
                    (cli.import.is_some(), "--import"),
                ];
                if let Some((_, flag)) = scenario.iter().find(|(given, _)| *given) {
                    eprintln!(
                        "error: {flag} sets up the simulated cluster; --data queries a file instead"
                    );
                    return ExitCode::from(2);
                }
                let head = match load_data(path) {
                    Ok(head) => head,
                    Err(message) => {
                        eprint!("error: {message}");
                        if !message.ends_with('\n') {
                            eprintln!();
                        }
                        return ExitCode::from(2);
                    }
                };
                // A file's "now" is its newest sample.
                let now = head.stats().max_time.unwrap_or(0);
                let request = query_request(expr, *time, *start, *end, *step, now);
                let resp = query_file(&head, &request);
                return print_query(expr, &resp, *output);
            }
            _ => {}
        }
        let mut lab = Lab::new(LabOptions::default());
        for (i, spec) in cli.scrape.iter().enumerate() {
            let (job, url) = match spec.split_once('=') {
                Some((job, url)) if !job.contains("://") => (job.to_string(), url),
                _ if i == 0 => ("external".to_string(), spec.as_str()),
                _ => (format!("external-{}", i + 1), spec.as_str()),
            };
            if let Err(message) = lab.add_target(url, Some(&job), None) {
                eprintln!("error: --scrape {spec}: {message}");
                return ExitCode::from(2);
            }
        }
        let mut fetch = !cli.scrape.is_empty();
        if let Some(path) = &cli.config {
            let loaded = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|yaml| {
                    lab.load_config(&yaml)
                        .map_err(|e| format!("{}: {e}", path.display()))
                });
            match loaded {
                Ok(jobs) => fetch |= !jobs.is_empty(),
                Err(message) => {
                    eprint!("error: {message}");
                    if !message.ends_with('\n') {
                        eprintln!();
                    }
                    return ExitCode::from(2);
                }
            }
        }
        if let Some(path) = &cli.import {
            let imported = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|text| {
                    lab.import_openmetrics(&text)
                        .map_err(|e| format!("{}: {e}", path.display()))
                });
            match imported {
                Ok(summary) => eprintln!("{summary}"),
                Err(message) => {
                    eprint!("error: {message}");
                    if !message.ends_with('\n') {
                        eprintln!();
                    }
                    return ExitCode::from(2);
                }
            }
        }
        if !cli.rules.is_empty() {
            let mut files = Vec::new();
            for path in &cli.rules {
                match std::fs::read_to_string(path) {
                    Ok(yaml) => files.push(promlab_core::api::RuleFileText {
                        name: path.display().to_string(),
                        yaml,
                    }),
                    Err(e) => {
                        eprintln!("error: cannot read {}: {e}", path.display());
                        return ExitCode::from(2);
                    }
                }
            }
            if let Err(message) = lab.load_rules(&files) {
                eprint!("error: {message}");
                if !message.ends_with('\n') {
                    eprintln!();
                }
                return ExitCode::from(2);
            }
        }
        lab.lab(&LabRequest::Ping { count: cli.pings });
        if let Some(ms) = cli.advance {
            if let Err(message) = advance(&mut lab, ms, fetch) {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        }
        match cli.command {
            Command::Query {
                expr,
                time,
                start,
                end,
                step,
                output,
                ..
            } => {
                let request = query_request(&expr, time, start, end, step, lab.now());
                let resp = lab.api(&request);
                print_query(&expr, &resp, output)
            }
            Command::Api { url } => {
                let resp = match ApiRequest::from_url(&url) {
                    Ok(req) => lab.api(&req),
                    Err(e) => ApiResponse::Error(e),
                };
                println!("{}", resp.to_json());
                exit_for(&resp)
            }
            Command::Parse { expr } => match promql::parse(&expr) {
                Ok(e) => {
                    println!("{e}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprint!("{}", e.render(&expr));
                    ExitCode::FAILURE
                }
            },
            Command::Format { expr } => format_expr(&expr),
            Command::Metrics => {
                print!("{}", lab_metrics(&mut lab));
                ExitCode::SUCCESS
            }
            Command::Promqltest { files, verbose } => promqltest_files(&files, verbose),
            Command::Check {
                what: Check::Metrics { format },
            } => check_metrics(format),
            Command::Check {
                what: Check::Alertmanager { file },
            } => check_alertmanager(&file),
            Command::Check {
                what: Check::Config { files, syntax_only },
            } => check_config(&files, syntax_only),
            Command::Alertmanager { what } => alertmanager(&what),
            Command::Simulate {
                dir,
                duration,
                validate,
                restart_app_at,
                send_webhooks,
            } => simulate(
                &dir,
                cli.pings,
                duration,
                validate,
                restart_app_at,
                send_webhooks,
            ),
            Command::Check {
                what:
                    Check::Rules {
                        files,
                        lint,
                        lint_fatal,
                    },
            } => check_rules(&files, lint != "none", lint_fatal),
            Command::Test {
                what: Test::Rules { files, run },
            } => test_rules(&files, &run),
            Command::Export {
                duration,
                interval,
                seed,
                nodes,
                end,
            } => export(duration, interval, seed, nodes, end),
            Command::Operator {
                what:
                    OperatorCommand::Render {
                        dir,
                        namespace,
                        validate,
                        out,
                    },
            } => operator_render(&dir, &namespace, validate, out.as_deref()),
        }
    }

    /// `operator render`: load, apply, render, print; exit 1 on errors.
    /// The manifests of DIR (its .yaml and .yml files in name order), or
    /// the one file DIR names, with their paths.
    fn read_manifests(dir: &std::path::Path) -> Result<Vec<(PathBuf, String)>, ExitCode> {
        let paths = if dir.is_dir() {
            let entries = match std::fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", dir.display());
                    return Err(ExitCode::from(2));
                }
            };
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                })
                .collect();
            paths.sort();
            paths
        } else {
            vec![dir.to_path_buf()]
        };
        let mut files = Vec::new();
        for p in paths {
            match std::fs::read_to_string(&p) {
                Ok(text) => files.push((p, text)),
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", p.display());
                    return Err(ExitCode::from(2));
                }
            }
        }
        Ok(files)
    }

    fn validation(v: ValidateArg) -> promlab_core::operator::load::FieldValidation {
        use promlab_core::operator::load::FieldValidation;
        match v {
            ValidateArg::Strict => FieldValidation::Strict,
            ValidateArg::Warn => FieldValidation::Warn,
            ValidateArg::Ignore => FieldValidation::Ignore,
        }
    }

    /// `promlab simulate DIR`: the manifests applied to a lab started
    /// with no history, the pings, the time, the timeline.
    fn simulate(
        dir: &std::path::Path,
        pings: u32,
        duration: i64,
        validate: ValidateArg,
        restart_app_at: Option<i64>,
        send_webhooks: bool,
    ) -> ExitCode {
        use promlab_core::api::ManifestText;
        use promlab_core::sim::Scenario;
        let files = match read_manifests(dir) {
            Ok(f) => f,
            Err(code) => return code,
        };
        let files: Vec<ManifestText> = files
            .into_iter()
            .map(|(p, text)| ManifestText {
                // File names only: the timeline is the same wherever DIR is.
                name: p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                text,
            })
            .collect();
        let mut lab = Lab::new(LabOptions {
            history: 0,
            ..LabOptions::default()
        });
        let applied = match lab.lab(&LabRequest::ApplyManifests {
            files,
            validation: validation(validate),
        }) {
            LabResponse::ManifestsApplied(a) => a,
            LabResponse::Error { message } => {
                eprintln!("error: {message}");
                return ExitCode::FAILURE;
            }
            _ => return ExitCode::FAILURE,
        };
        for issue in &applied.issues {
            eprintln!("{issue}");
        }
        for r in &applied.refused {
            eprintln!("error: {r} not applied");
        }
        for n in &applied.not_selected {
            eprintln!("not selected: {n}");
        }
        lab.record_timeline(true);
        let start = lab.now();
        let mut steps = vec![(start.saturating_add(duration), None)];
        if let Some(at) = restart_app_at.filter(|at| *at < duration) {
            steps.insert(0, (start.saturating_add(at), Some(Scenario::RestartApp)));
        }
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        if let LabResponse::Error { message } = lab.lab(&LabRequest::Ping { count: pings }) {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
        for (until, then) in steps {
            let step = until.saturating_sub(lab.now());
            if let LabResponse::Error { message } = lab.lab(&LabRequest::Step { ms: step }) {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
            for e in lab.take_timeline() {
                if writeln!(out, "{}", e.to_json_line()).is_err() {
                    return ExitCode::SUCCESS;
                }
            }
            // Flushed first, so the notification is printed before the
            // outcome of sending it.
            let _ = out.flush();
            let deliveries = lab.take_webhook_requests();
            if send_webhooks {
                for d in &deliveries {
                    let at = promlab_core::api::format_rfc3339(d.time);
                    match promlab_core::http::deliver(d) {
                        Ok(code) => eprintln!(
                            "webhook {} of {at}: POST {}: HTTP {code}",
                            d.receiver, d.url
                        ),
                        Err(e) => eprintln!("webhook {} of {at}: {e}", d.receiver),
                    }
                }
            }
            if let Some(scenario) = then {
                if let LabResponse::Error { message } = lab.lab(&LabRequest::Scenario(scenario)) {
                    eprintln!("error: {message}");
                    return ExitCode::from(2);
                }
            }
        }
        ExitCode::SUCCESS
    }

    fn operator_render(
        dir: &std::path::Path,
        namespace: &str,
        validate: ValidateArg,
        out: Option<&std::path::Path>,
    ) -> ExitCode {
        use promlab_core::operator::load::LoadOptions;
        use promlab_core::operator::render::RenderOptions;
        use promlab_core::operator::{run, ManifestFile};
        let files = match read_manifests(dir) {
            Ok(f) => f
                .into_iter()
                .map(|(p, text)| ManifestFile::new(p.display().to_string(), text))
                .collect(),
            Err(code) => return code,
        };
        let options = LoadOptions {
            namespace: namespace.to_string(),
            validation: validation(validate),
        };
        let render = RenderOptions {
            rule_files_dir: out.map(|_| "rules".to_string()),
        };
        let report = run(files, &options, &render);
        print!("{}", report.to_text());
        if let Some(out) = out {
            if let Err(e) = write_rendered(out, &report) {
                eprintln!("error: cannot write {}: {e}", out.display());
                return ExitCode::from(2);
            }
        }
        if report.has_errors() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    /// Writes the generated files; with several Prometheus or Alertmanager
    /// resources, each file name carries the resource's name.
    fn write_rendered(
        out: &std::path::Path,
        report: &promlab_core::operator::Report,
    ) -> std::io::Result<()> {
        std::fs::create_dir_all(out.join("rules"))?;
        let single = report.prometheus.len() == 1;
        for p in &report.prometheus {
            let name = if single {
                "prometheus.yml".to_string()
            } else {
                format!("prometheus-{}.yml", p.prometheus.name)
            };
            std::fs::write(out.join(name), &p.yaml)?;
            for r in &p.rule_files {
                std::fs::write(out.join("rules").join(&r.name), &r.yaml)?;
            }
        }
        let single = report.alertmanager.len() == 1;
        for a in &report.alertmanager {
            let name = if single {
                "alertmanager.yml".to_string()
            } else {
                format!("alertmanager-{}.yml", a.alertmanager.name)
            };
            std::fs::write(out.join(name), &a.yaml)?;
        }
        Ok(())
    }

    /// Reads a config file as text, or prints why it cannot.
    fn read_text(path: &std::path::Path) -> Result<String, ExitCode> {
        std::fs::read(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|b| {
                String::from_utf8(b).map_err(|e| {
                    format!(
                        "{}: not UTF-8 at byte {}",
                        path.display(),
                        e.utf8_error().valid_up_to()
                    )
                })
            })
            .map_err(|message| {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            })
    }

    fn print_tool_output(out: &alertmanager::amtool::ToolOutput) -> ExitCode {
        print!("{}", out.stdout);
        eprint!("{}", out.stderr);
        if out.success {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }

    /// `check alertmanager FILE`: amtool check-config's verdict.
    fn check_alertmanager(file: &std::path::Path) -> ExitCode {
        match read_text(file) {
            Ok(yaml) => print_tool_output(&alertmanager::amtool::check_config(
                &file.display().to_string(),
                &yaml,
            )),
            Err(code) => code,
        }
    }

    /// `alertmanager routes [test]`.
    fn alertmanager(what: &AlertmanagerCommand) -> ExitCode {
        match what {
            AlertmanagerCommand::Routes {
                test: None,
                config_file: Some(file),
            } => match read_text(file) {
                Ok(yaml) => print_tool_output(&alertmanager::amtool::routes_show(
                    &file.display().to_string(),
                    &yaml,
                )),
                Err(code) => code,
            },
            AlertmanagerCommand::Routes {
                test: None,
                config_file: None,
            } => {
                eprintln!("error: name the alertmanager.yml with --config.file FILE");
                ExitCode::FAILURE
            }
            AlertmanagerCommand::Routes {
                test:
                    Some(RoutesTest::Test {
                        file,
                        labels,
                        tree,
                        verify_receivers,
                    }),
                ..
            } => match read_text(file) {
                Ok(yaml) => {
                    let verify: Option<Vec<String>> = verify_receivers
                        .as_ref()
                        .map(|v| v.split(',').map(str::to_string).collect());
                    print_tool_output(&alertmanager::amtool::routes_test(
                        &file.display().to_string(),
                        &yaml,
                        labels,
                        *tree,
                        verify.as_deref(),
                    ))
                }
                Err(code) => code,
            },
        }
    }

    /// The API request for `query`'s options: a range query when --start
    /// is given (clap makes --end and --step come with it), else an
    /// instant query at --time or `now`.
    fn query_request(
        expr: &str,
        time: Option<i64>,
        start: Option<i64>,
        end: Option<i64>,
        step: Option<i64>,
        now: i64,
    ) -> ApiRequest {
        match (start, end, step) {
            (Some(start), Some(end), Some(step)) => ApiRequest::QueryRange {
                query: expr.to_string(),
                start,
                end,
                step,
            },
            _ => ApiRequest::Query {
                query: expr.to_string(),
                time: Some(time.unwrap_or(now)),
            },
        }
    }

    /// Reads an OpenMetrics file with timestamps into a fresh head.
    fn load_data(path: &std::path::Path) -> Result<Head, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let shown = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let d = Diagnostic::error(Span::new(at, at + 1), "invalid UTF-8: expected UTF-8 text");
            format!("{}:{}", path.display(), d.render(&shown))
        })?;
        let mut head = Head::new();
        head.import_openmetrics(&text)
            .map_err(|e| format!("{}:{}", path.display(), e.render(&text)))?;
        Ok(head)
    }

    /// Answers a query request from `head` as the lab answers it from its
    /// own: the same checks, errors, annotations and JSON.
    fn query_file(head: &Head, request: &ApiRequest) -> ApiResponse {
        let engine = promql::Engine::default();
        let (query, evaluation) = match request {
            ApiRequest::Query { query, time } => {
                let expr = match parse_query(query) {
                    Ok(expr) => expr,
                    Err(e) => return ApiResponse::Error(e),
                };
                (query, engine.instant(head, &expr, time.unwrap_or(0)))
            }
            ApiRequest::QueryRange {
                query,
                start,
                end,
                step,
            } => {
                let expr = match parse_query(query) {
                    Ok(expr) => expr,
                    Err(e) => return ApiResponse::Error(e),
                };
                if let Some(message) = range_problem(*start, *end, *step) {
                    return ApiResponse::Error(ApiError::new(ErrorType::BadData, message));
                }
                (query, engine.range(head, &expr, *start, *end, *step))
            }
            _ => {
                return ApiResponse::Error(ApiError::new(
                    ErrorType::BadData,
                    "only queries can be asked of a data file",
                ))
            }
        };
        match evaluation {
            Ok(evaluation) => ApiResponse::Success {
                warnings: evaluation.warnings(query),
                infos: evaluation.infos(query),
                data: ApiData::Query(to_result(evaluation.value)),
            },
            Err(e) => ApiResponse::Error(ApiError::new(ErrorType::Execution, e.to_string())),
        }
    }

    /// The API's refusal of a range, as the lab words it.
    fn range_problem(start: i64, end: i64, step: i64) -> Option<&'static str> {
        if end < start {
            Some("end timestamp must not be before start time")
        } else if step <= 0 {
            Some("zero or negative query resolution step widths are not accepted. Try a positive integer")
        } else if (i128::from(end) - i128::from(start)) / i128::from(step)
            > i128::from(promlab_core::lab::MAX_POINTS_PER_SERIES)
        {
            Some("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        } else {
            None
        }
    }

    /// Parses the `query` parameter with the API's error wording and span.
    fn parse_query(query: &str) -> Result<promql::Expr, ApiError> {
        promql::parse(query).map_err(|e| ApiError {
            error_type: ErrorType::BadData,
            error: format!(
                "invalid parameter \"query\": {}: {e}",
                e.to_diagnostic().position(query)
            ),
            span: Some(e.span),
        })
    }

    fn to_result(value: promql::Value) -> QueryResult {
        match value {
            promql::Value::Scalar { t, v } => QueryResult::Scalar(Point { t, v }),
            promql::Value::String { t, v } => QueryResult::String(StringPoint { t, v }),
            promql::Value::Vector(samples) => QueryResult::Vector(
                samples
                    .into_iter()
                    .map(|s| VectorSample {
                        metric: s.labels,
                        value: Point { t: s.t, v: s.v },
                    })
                    .collect(),
            ),
            promql::Value::Matrix(series) => QueryResult::Matrix(
                series
                    .into_iter()
                    .map(|s| MatrixSeries {
                        metric: s.labels,
                        values: s.points.into_iter().map(|(t, v)| Point { t, v }).collect(),
                    })
                    .collect(),
            ),
        }
    }

    /// Prints a query's answer (JSON on stdout, or the table) and, for an
    /// error, the message on stderr with a caret under the query's
    /// offending part when it has one.
    fn print_query(expr: &str, resp: &ApiResponse, output: Output) -> ExitCode {
        match (output, resp) {
            (Output::Json, _) => println!("{}", resp.to_json()),
            (
                Output::Table,
                ApiResponse::Success {
                    data: ApiData::Query(result),
                    ..
                },
            ) => print_result(result),
            (Output::Table, _) => {}
        }
        if let ApiResponse::Error(e) = resp {
            match (e.span, promql::parse(expr)) {
                (Some(_), Err(pe)) => eprint!("{}", pe.render(expr)),
                _ => eprintln!("error: {}", e.error),
            }
        }
        exit_for(resp)
    }

    /// `promlab format`: the expression as `promtool promql format` prints
    /// it, or the parse error with its position (exit 1).
    fn format_expr(expr: &str) -> ExitCode {
        match promql::parse(expr) {
            Ok(e) => {
                println!("{}", promql::format_pretty(&e));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprint!("{}", e.render(expr));
                ExitCode::FAILURE
            }
        }
    }

    /// `check metrics`: parse stdin, print the error (exit 1) or the lint
    /// findings as warnings (exit 0).
    fn check_metrics(format: Option<FormatArg>) -> ExitCode {
        let mut bytes = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
            eprintln!("error: cannot read stdin: {e}");
            return ExitCode::FAILURE;
        }
        let page = match String::from_utf8(bytes) {
            Ok(page) => page,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let shown = String::from_utf8_lossy(e.as_bytes());
                let d =
                    Diagnostic::error(Span::new(at, at + 1), "invalid UTF-8: expected UTF-8 text");
                eprint!("{}", d.render(&shown));
                return ExitCode::FAILURE;
            }
        };
        let format = match format {
            Some(FormatArg::Text) => Format::Text004,
            Some(FormatArg::Openmetrics) => Format::OpenMetrics1,
            None if page.trim_end_matches('\n').lines().last() == Some("# EOF") => {
                Format::OpenMetrics1
            }
            None => Format::Text004,
        };
        let parsed = match exposition::parse_with(&page, format) {
            Ok(parsed) => parsed,
            Err(e) => {
                eprint!("{}", e.render(&page));
                return ExitCode::FAILURE;
            }
        };
        for finding in lint::lint_with(&parsed, format) {
            match (&finding.kind, finding.span) {
                (lint::Finding::Exposition(kind), Some(span)) => {
                    let d = Diagnostic::warning(span, format!("warning: {kind}"));
                    eprint!("{}", d.render(&page));
                }
                _ => eprintln!("{finding}"),
            }
        }
        ExitCode::SUCCESS
    }

    /// Reads a file (or stdin when `path` is `None`) as UTF-8 text; the
    /// error says where the text stops being UTF-8.
    fn read_text_or_stdin(path: Option<&std::path::Path>) -> Result<String, String> {
        let bytes = match path {
            Some(p) => std::fs::read(p).map_err(|e| format!("cannot read: {e}"))?,
            None => {
                let mut b = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut b)
                    .map_err(|e| format!("cannot read stdin: {e}"))?;
                b
            }
        };
        String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let shown = String::from_utf8_lossy(e.as_bytes()).to_string();
            Diagnostic::error(Span::new(at, at + 1), "invalid UTF-8: expected UTF-8 text")
                .render(&shown)
        })
    }

    /// `test rules`: promtool's report, file by file; rule files are
    /// read relative to the test file.
    fn test_rules(files: &[PathBuf], run: &[regex::Regex]) -> ExitCode {
        use promlab_core::rules::unittest::{
            run_test_file_with, FileReport, Stream, UnitTestError, UnitTestErrorKind,
        };
        let mut failed = false;
        let mut loader = |path: &str| -> Result<Vec<(String, String)>, String> {
            match std::fs::read(path) {
                Ok(bytes) => Ok(vec![(
                    path.to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                )]),
                // promtool globs the names: no match is a warning.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
                Err(e) => Err(format!("{path}: {e}")),
            }
        };
        for path in files {
            let name = path.display().to_string();
            let report = match std::fs::read(path) {
                Ok(bytes) => {
                    run_test_file_with(&name, &String::from_utf8_lossy(&bytes), &mut loader, run)
                }
                Err(e) => FileReport {
                    warnings: Vec::new(),
                    errors: vec![UnitTestError {
                        kind: UnitTestErrorKind::Yaml,
                        message: format!("open {name}: {e}"),
                    }],
                },
            };
            for (stream, text) in report.render() {
                match stream {
                    Stream::Stdout => print!("{text}"),
                    Stream::Stderr => eprint!("{text}"),
                }
            }
            failed |= !report.passed();
        }
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    /// `check rules`: promtool's report, file by file.
    /// `check config`: promtool's report for each prometheus.yml and the
    /// rule files it names.
    fn check_config(files: &[PathBuf], syntax_only: bool) -> ExitCode {
        use promlab_core::scrape::PrometheusConfig;
        let mut failed = false;
        for path in files {
            println!("Checking {}", path.display());
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("  FAILED: {}: {e}", path.display());
                    println!();
                    failed = true;
                    continue;
                }
            };
            let config = match PrometheusConfig::parse(&text) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("  FAILED: parsing YAML file {}:", path.display());
                    eprint!("{}:{}", path.display(), e.render(&text));
                    println!();
                    failed = true;
                    continue;
                }
            };
            if syntax_only {
                println!(
                    " SUCCESS: {} is valid prometheus config file syntax",
                    path.display()
                );
                println!();
                continue;
            }
            // Rule files are relative to the config file's directory; a
            // name without `*` must match a file (as promtool checks).
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
            let mut rule_files: Vec<PathBuf> = Vec::new();
            let mut error = None;
            for pattern in &config.rule_files {
                let joined = match dir {
                    Some(d) if !std::path::Path::new(pattern).is_absolute() => d.join(pattern),
                    _ => PathBuf::from(pattern),
                };
                let matches: Vec<PathBuf> = match glob::glob(&joined.to_string_lossy()) {
                    Ok(paths) => paths.filter_map(Result::ok).collect(),
                    Err(e) => {
                        error = Some(format!("invalid rule file pattern {pattern:?}: {}", e.msg));
                        break;
                    }
                };
                if !pattern.contains('*') && matches.is_empty() {
                    error = Some(format!(
                        "{:?} does not point to an existing file",
                        joined.display().to_string()
                    ));
                    break;
                }
                rule_files.extend(matches);
            }
            if let Some(e) = error {
                eprintln!("  FAILED: {e}");
                println!();
                failed = true;
                continue;
            }
            if !rule_files.is_empty() {
                println!("  SUCCESS: {} rule files found", rule_files.len());
            }
            println!(
                " SUCCESS: {} is valid prometheus config file syntax",
                path.display()
            );
            println!();
            for rf in &rule_files {
                let (errors, _) = check_rule_file(Some(rf), true);
                if errors {
                    failed = true;
                } else {
                    println!();
                }
            }
        }
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    /// Checks one rule file (stdin when `None`) and prints promtool's
    /// report but the blank line after it: whether it had errors, and
    /// whether lint found something.
    fn check_rule_file(path: Option<&PathBuf>, lint: bool) -> (bool, bool) {
        use promlab_core::rules::config::{
            duplicate_rules, duplicate_rules_message, parse_rule_file,
        };
        let name = path.map_or("standard input".to_string(), |p| p.display().to_string());
        let prefix = path.map_or(String::new(), |p| format!("{}:", p.display()));
        println!("Checking {name}");
        let text = match read_text_or_stdin(path.map(PathBuf::as_path)) {
            Ok(t) => t,
            Err(message) => {
                eprintln!("  FAILED:");
                eprint!("{prefix}{message}");
                if !message.ends_with('\n') {
                    eprintln!();
                }
                return (true, false);
            }
        };
        match parse_rule_file(&text) {
            Err(errs) => {
                eprintln!("  FAILED:");
                for e in errs {
                    eprint!("{prefix}{}", e.render(&text));
                }
                (true, false)
            }
            Ok(file) => {
                let dups = if lint {
                    duplicate_rules(&file)
                } else {
                    Vec::new()
                };
                if dups.is_empty() {
                    println!("  SUCCESS: {} rules found", file.rule_count());
                    (false, false)
                } else {
                    eprintln!("  FAILED:");
                    eprintln!("{}", duplicate_rules_message(&dups));
                    (false, true)
                }
            }
        }
    }

    fn check_rules(files: &[PathBuf], lint: bool, lint_fatal: bool) -> ExitCode {
        let inputs: Vec<Option<&PathBuf>> = if files.is_empty() {
            vec![None]
        } else {
            files.iter().map(Some).collect()
        };
        let (mut errors, mut lint_found) = (false, false);
        for path in inputs {
            let (e, l) = check_rule_file(path, lint);
            errors |= e;
            lint_found |= l;
            println!();
        }
        if errors {
            ExitCode::FAILURE
        } else if lint_found && lint_fatal {
            ExitCode::from(3)
        } else {
            ExitCode::SUCCESS
        }
    }

    /// Runs each script; prints failing (or, verbose, all) evals, a count
    /// per file and the total. A script that cannot be read or parsed
    /// counts as one failure.
    fn promqltest_files(files: &[PathBuf], verbose: bool) -> ExitCode {
        let options = RunOptions::default();
        let (mut passed, mut failed, mut skipped) = (0, 0, 0);
        let mut clean = true;
        for path in files {
            let name = path.display();
            let report = match std::fs::read(path) {
                Err(e) => Err(format!("{name}: cannot read: {e}\n")),
                Ok(bytes) => match String::from_utf8(bytes) {
                    Err(e) => {
                        let at = e.utf8_error().valid_up_to();
                        let err = ScriptError::not_utf8(e.as_bytes(), at);
                        Err(format!("{name}:{err}\n"))
                    }
                    Ok(text) => promqltest::run_source(&text, &options)
                        .map_err(|e| format!("{name}:{}", e.render(&text))),
                },
            };
            let report = match report {
                Ok(r) => r,
                Err(message) => {
                    eprint!("{message}");
                    println!("{name}: 0 passed, 1 failed, 0 skipped");
                    failed += 1;
                    clean = false;
                    continue;
                }
            };
            for e in &report.load_errors {
                println!("{name}:{}: load error: {}", e.line, e.error);
            }
            for e in &report.evals {
                let label = match e.status() {
                    Status::Passed if verbose => "ok",
                    Status::Passed => continue,
                    Status::Failed => "FAIL",
                    Status::Skipped => "SKIPPED",
                };
                println!("{name}:{}: {label} {}", e.line, e.query);
                if let promqltest::Outcome::Failed(f) = &e.outcome {
                    println!("    {f}");
                }
            }
            println!(
                "{name}: {} passed, {} failed, {} skipped",
                report.passed(),
                report.failed(),
                report.skipped()
            );
            passed += report.passed();
            failed += report.failed();
            skipped += report.skipped();
            clean &= report.all_passed();
        }
        println!("{passed} passed, {failed} failed, {skipped} skipped");
        if clean {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }

    fn lab_metrics(lab: &mut Lab) -> String {
        let url = match lab.api(&ApiRequest::Targets) {
            ApiResponse::Success {
                data: ApiData::Targets(t),
                ..
            } => t
                .active_targets
                .iter()
                .find(|t| t.labels.get("job") == "prom-example")
                .map(|t| t.scrape_url.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        match lab.lab(&LabRequest::TargetPage { scrape_url: url }) {
            LabResponse::Page { body } => body,
            other => format!("{other:?}\n"),
        }
    }

    /// `promlab export`: simulate the cluster for `duration` up to `end`,
    /// then write every stored sample as OpenMetrics.
    fn export(duration: i64, interval: i64, seed: u64, nodes: usize, end: Option<i64>) -> ExitCode {
        if !(0..=promlab_core::lab::MAX_STEP).contains(&duration) {
            eprintln!(
                "error: --duration {}: expected at most {}",
                promlab_core::duration::format_duration(duration),
                promlab_core::duration::format_duration(promlab_core::lab::MAX_STEP)
            );
            return ExitCode::from(2);
        }
        if interval < 1_000 {
            eprintln!("error: --interval must be at least 1s");
            return ExitCode::from(2);
        }
        // The command line, not the lab, reads the machine's clock.
        let end = end.unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64);
            now - now % 1000
        });
        let options = LabOptions {
            start: end,
            history: duration,
            cluster: promlab_core::sim::ClusterOptions {
                nodes,
                seed,
                ..promlab_core::sim::ClusterOptions::default()
            },
            scrape_interval: Some(interval),
            retention: duration.saturating_add(3_600_000),
        };
        let lab = Lab::new(options);
        // Every series: a metric name of at least one character.
        let all: Vec<_> = promlab_core::labels::Matcher::new(
            "__name__",
            promlab_core::labels::MatchOp::Regex,
            ".+",
        )
        .into_iter()
        .collect();
        let text = promlab_core::tsdb::export_openmetrics(lab.querier(), &all, end - duration, end);
        print!("{text}");
        ExitCode::SUCCESS
    }

    /// Lets `ms` of virtual time pass, a second at a time, fetching the
    /// real targets that fall due as it goes.
    fn advance(lab: &mut Lab, ms: i64, fetch: bool) -> Result<(), String> {
        if !fetch || !(0..=promlab_core::lab::MAX_STEP).contains(&ms) {
            // Out of range (the lab says why) or nothing to fetch: one step.
            return match lab.lab(&LabRequest::Step { ms }) {
                LabResponse::Error { message } => Err(message),
                _ => Ok(()),
            };
        }
        let mut left = ms;
        while left > 0 {
            let step = left.min(1_000);
            if let LabResponse::Error { message } = lab.lab(&LabRequest::Step { ms: step }) {
                return Err(message);
            }
            promlab_core::http::run_pending_scrapes(lab);
            left -= step;
        }
        Ok(())
    }

    fn exit_for(resp: &ApiResponse) -> ExitCode {
        match resp {
            ApiResponse::Success { .. } => ExitCode::SUCCESS,
            ApiResponse::Error(_) => ExitCode::FAILURE,
        }
    }

    fn print_result(result: &QueryResult) {
        match result {
            QueryResult::Scalar(p) => println!("scalar: {}", format_float(p.v)),
            QueryResult::String(s) => println!("string: {}", s.v),
            QueryResult::Vector(v) => {
                let rows: Vec<(String, String)> = v
                    .iter()
                    .map(|s| (s.metric.to_string(), format_float(s.value.v)))
                    .collect();
                let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
                for (labels, value) in &rows {
                    println!("{labels:<width$}  {value}");
                }
                println!("{} series", rows.len());
            }
            QueryResult::Matrix(m) => {
                for s in m {
                    let values: Vec<String> = s.values.iter().map(|p| format_float(p.v)).collect();
                    println!("{}  {}", s.metric, values.join(" "));
                }
                println!("{} series", m.len());
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    // Rust ignores SIGPIPE, so printing into a closed pipe would panic;
    // the default disposition ends the process quietly instead.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default before any
    // thread starts has no memory effects.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
