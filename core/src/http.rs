//! Scraping real targets over HTTP on the command line (native builds
//! only): the driver side of the lab's [`ScrapeRequest`]s. The browser does
//! the same with `fetch` in the web app.
//!
//! This is the one place the core measures real time: how long a real
//! fetch took is part of its result (`scrape_duration_seconds`). The
//! virtual clock is not touched.

use crate::api::{ScrapeRequest, ScrapeResponse};
use crate::lab::Lab;
use std::io::Read;
use std::time::{Duration, Instant};

/// The most bytes read from one page (Prometheus has no default limit;
/// this keeps a wrong URL from filling memory).
const MAX_BODY: u64 = 64 << 20;

/// Fetches one scrape request, with its timeout and Accept header, and
/// reports the outcome as Prometheus words it.
pub fn fetch(request: &ScrapeRequest) -> ScrapeResponse {
    let started = Instant::now();
    let timeout = Duration::from_millis(request.timeout.clamp(1, 600_000) as u64);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let result = agent
        .get(&request.url)
        .header("Accept", &request.accept)
        .header(
            "X-Prometheus-Scrape-Timeout-Seconds",
            format!("{}", timeout.as_secs_f64()),
        )
        .call();
    let (body, content_type) = match result {
        Err(e) => (Err(describe(&request.url, &e)), None),
        Ok(mut resp) => {
            let status = resp.status();
            let content_type = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if status.as_u16() != 200 {
                let reason = status.canonical_reason().unwrap_or("");
                (
                    Err(
                        format!("server returned HTTP status {} {reason}", status.as_u16())
                            .trim_end()
                            .to_string(),
                    ),
                    content_type,
                )
            } else {
                let mut text = String::new();
                let read = resp
                    .body_mut()
                    .as_reader()
                    .take(MAX_BODY)
                    .read_to_string(&mut text);
                match read {
                    Ok(_) => (Ok(text), content_type),
                    Err(e) => (
                        Err(format!("Get {:?}: reading the body: {e}", request.url)),
                        content_type,
                    ),
                }
            }
        }
    };
    ScrapeResponse {
        id: request.id,
        body,
        content_type,
        duration: started.elapsed().as_secs_f64(),
    }
}

fn describe(url: &str, e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("Get {url:?}: context deadline exceeded"),
        other => format!("Get {url:?}: {other}"),
    }
}

/// Fetches every scrape the lab has waiting, one after another, and hands
/// the results back. Returns how many were done.
pub fn run_pending_scrapes(lab: &mut Lab) -> usize {
    let requests = lab.take_scrape_requests();
    let n = requests.len();
    for r in requests {
        lab.complete_scrape(fetch(&r));
    }
    n
}
