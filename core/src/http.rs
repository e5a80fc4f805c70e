//! The command line's HTTP (native builds only): scraping real targets,
//! the driver side of the lab's [`ScrapeRequest`]s, and sending webhook
//! notifications, the driver side of its [`WebhookDelivery`]s. The
//! browser does the same with `fetch` in the web app.
//!
//! This is the one place the core measures real time: how long a real
//! fetch took is part of its result (`scrape_duration_seconds`). The
//! virtual clock is not touched.

use crate::api::{ScrapeRequest, ScrapeResponse, WebhookDelivery};
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

/// How long a webhook POST may take. Alertmanager's own default is no
/// limit; a lab run should not hang on an unreachable receiver.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// What sending a webhook notification gave: the receiver's HTTP status
/// (Alertmanager counts any 2xx as delivered), or why it could not be
/// sent.
pub type WebhookOutcome = Result<u16, String>;

/// POSTs a webhook notification as Alertmanager does: the JSON body with
/// its content type, to the receiver's URL.
pub fn deliver(delivery: &WebhookDelivery) -> WebhookOutcome {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(WEBHOOK_TIMEOUT))
        .http_status_as_error(false)
        .user_agent(concat!("PromLab/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    match agent
        .post(&delivery.url)
        .header("Content-Type", &delivery.content_type)
        .send(delivery.body.as_bytes())
    {
        Ok(resp) => Ok(resp.status().as_u16()),
        Err(ureq::Error::Timeout(_)) => Err(format!(
            "Post {:?}: context deadline exceeded",
            delivery.url
        )),
        Err(e) => Err(format!("Post {:?}: {e}", delivery.url)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    /// One request read off a loopback socket: its head and body.
    fn serve_once(listener: TcpListener, status: &'static str) -> std::thread::JoinHandle<String> {
        std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            // Read until the body announced by Content-Length is in.
            loop {
                let n = conn.read(&mut buf).unwrap();
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len: usize = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length: ")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if got.len() >= end + 4 + len || n == 0 {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            write!(
                conn,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            String::from_utf8_lossy(&got).to_string()
        })
    }

    fn delivery(url: String) -> WebhookDelivery {
        WebhookDelivery {
            time: 0,
            receiver: "web".into(),
            url,
            content_type: "application/json".into(),
            body: "{\"version\":\"4\",\"status\":\"firing\"}".into(),
        }
    }

    #[test]
    fn a_webhook_is_posted_with_its_body_and_the_status_comes_back() {
        for status in ["200 OK", "500 Internal Server Error"] {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}/hook", listener.local_addr().unwrap());
            let server = serve_once(listener, status);
            let outcome = deliver(&delivery(url));
            let request = server.join().unwrap();
            assert!(request.starts_with("POST /hook HTTP/1.1\r\n"), "{request}");
            assert!(
                request
                    .to_ascii_lowercase()
                    .contains("content-type: application/json\r\n"),
                "{request}"
            );
            assert!(
                request.ends_with("{\"version\":\"4\",\"status\":\"firing\"}"),
                "{request}"
            );
            let code: u16 = status[..3].parse().unwrap();
            assert_eq!(outcome, Ok(code));
        }
    }

    #[test]
    fn an_unreachable_receiver_is_an_error_naming_the_url() {
        // A port that was just free: nothing listens there any more.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/hook");
        let err = deliver(&delivery(url.clone())).unwrap_err();
        assert!(err.starts_with(&format!("Post {url:?}: ")), "{err}");
        let err = deliver(&delivery("not a url".into())).unwrap_err();
        assert!(err.starts_with("Post \"not a url\": "), "{err}");
    }
}
