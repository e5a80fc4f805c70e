//! `promlab`: the lab on the command line. It drives the same [`Lab`] as the
//! browser: set up a scenario (pings, elapsed time), then ask a question in
//! PromQL or through a Prometheus API URL.

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand};
    use promlab_core::api::{
        ApiData, ApiRequest, ApiResponse, LabRequest, LabResponse, QueryResult,
    };
    use promlab_core::duration::parse_duration;
    use promlab_core::exposition::format_float;
    use promlab_core::lab::{Lab, LabOptions};
    use promlab_core::promql;
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
    }

    #[derive(Subcommand)]
    enum Command {
        /// Evaluate a PromQL expression now and print the result as a table.
        Query {
            expr: String,
            /// Print the Prometheus API's JSON instead of a table.
            #[arg(long)]
            json: bool,
        },
        /// Answer a Prometheus HTTP API request given as a path and query
        /// string, e.g. '/api/v1/query?query=up'; prints the JSON.
        Api { url: String },
        /// Check a PromQL expression and print it in canonical form.
        Parse { expr: String },
        /// Print the example app's /metrics page.
        Metrics,
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        let mut lab = Lab::new(LabOptions::default());
        lab.lab(&LabRequest::Ping { count: cli.pings });
        if let Some(ms) = cli.advance {
            if let LabResponse::Error { message } = lab.lab(&LabRequest::Step { ms }) {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        }
        match cli.command {
            Command::Query { expr, json } => {
                let resp = lab.api(&ApiRequest::Query {
                    query: expr.clone(),
                    time: None,
                });
                if json {
                    println!("{}", resp.to_json());
                    return exit_for(&resp);
                }
                match &resp {
                    ApiResponse::Success {
                        data: ApiData::Query(result),
                        ..
                    } => print_result(result),
                    ApiResponse::Success { .. } => {}
                    ApiResponse::Error(e) => match (e.span, promql::parse(&expr)) {
                        (Some(_), Err(pe)) => eprint!("{}", pe.render(&expr)),
                        _ => eprintln!("error: {}", e.error),
                    },
                }
                exit_for(&resp)
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
            Command::Metrics => {
                print!("{}", lab_metrics(&mut lab));
                ExitCode::SUCCESS
            }
        }
    }

    fn lab_metrics(lab: &mut Lab) -> String {
        let url = match lab.api(&ApiRequest::Targets) {
            ApiResponse::Success {
                data: ApiData::Targets(t),
                ..
            } => t
                .active_targets
                .first()
                .map(|t| t.scrape_url.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        match lab.lab(&LabRequest::TargetPage { scrape_url: url }) {
            LabResponse::Page { body } => body,
            other => format!("{other:?}\n"),
        }
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
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
