//! The bridge to the engine: the only place the app reaches a
//! [`Lab`](promlab_core::lab::Lab).
//!
//! Components send a [`Request`] and get a [`Response`] in a callback. The
//! lab runs in the page today; because every exchange is a serializable
//! request and an asynchronous answer, it can move into a Web Worker, or
//! be replaced by a real Prometheus server answering the API requests,
//! without a component changing.
//!
//! The lab does no I/O: when a real target's scrape falls due it hands the
//! bridge a [`ScrapeRequest`], which the bridge fetches with the browser's
//! `fetch` and answers with a [`ScrapeResponse`].

use gloo::timers::callback::Timeout;
use promlab_core::api::{
    LabRequest, LabResponse, Request, Response, ScrapeRequest, ScrapeResponse,
};
use promlab_core::lab::{Lab, LabOptions};
use std::cell::RefCell;
use std::rc::Rc;

/// A handle to the engine, cheap to clone and share through a context.
#[derive(Clone)]
pub struct LabClient {
    lab: Rc<RefCell<Lab>>,
}

impl PartialEq for LabClient {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lab, &other.lab)
    }
}

impl LabClient {
    /// A lab in the page, starting at `start` (milliseconds since the
    /// epoch) with its history already scraped.
    pub fn in_page(start: i64) -> Self {
        let options = LabOptions {
            start,
            ..LabOptions::default()
        };
        LabClient {
            lab: Rc::new(RefCell::new(Lab::new(options))),
        }
    }

    /// Sends `request`; `on_response` gets the answer.
    pub fn send(&self, request: Request, on_response: impl FnOnce(Response) + 'static) {
        // The borrow ends before the callback runs, so a callback may send
        // the next request.
        let response = match self.lab.try_borrow_mut() {
            Ok(mut lab) => lab.handle(&request),
            Err(_) => Response::Lab(LabResponse::Error {
                message: "the lab is busy with another request".into(),
            }),
        };
        on_response(response);
    }

    /// Fetches the real targets' scrapes that fell due and hands each
    /// result back to the lab when it arrives.
    pub fn run_due_scrapes(&self) {
        let client = self.clone();
        self.send(Request::Lab(LabRequest::TakeScrapeRequests), move |resp| {
            let Response::Lab(LabResponse::ScrapeRequests { requests }) = resp else {
                return;
            };
            for request in requests {
                let client = client.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let response = fetch(&request).await;
                    client.send(Request::Lab(LabRequest::CompleteScrape(response)), |_| {});
                });
            }
        });
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Fetches one scrape with its Accept header and timeout.
async fn fetch(request: &ScrapeRequest) -> ScrapeResponse {
    let started = now_ms();
    let controller = web_sys::AbortController::new().ok();
    // Abort when the scrape timeout passes, as Prometheus cancels it.
    let _deadline = controller.clone().map(|c| {
        let ms = u32::try_from(request.timeout.clamp(1, 600_000)).unwrap_or(10_000);
        Timeout::new(ms, move || c.abort())
    });
    let signal = controller.as_ref().map(web_sys::AbortController::signal);
    let result = gloo_net::http::Request::get(&request.url)
        .header("Accept", &request.accept)
        .abort_signal(signal.as_ref())
        .send()
        .await;
    let (body, content_type) = match result {
        Err(_) if signal.as_ref().is_some_and(web_sys::AbortSignal::aborted) => (
            Err(format!("Get {:?}: context deadline exceeded", request.url)),
            None,
        ),
        Err(_) => (Err(refused(&request.url)), None),
        Ok(resp) => {
            let content_type = resp.headers().get("content-type");
            if resp.status() != 200 {
                let text = resp.status_text();
                (
                    Err(
                        format!("server returned HTTP status {} {text}", resp.status())
                            .trim_end()
                            .to_string(),
                    ),
                    content_type,
                )
            } else {
                match resp.text().await {
                    Ok(text) => (Ok(text), content_type),
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
        duration: (now_ms() - started).max(0.0) / 1000.0,
    }
}

/// The browser tells a page nothing about why a fetch failed; the usual
/// reasons are spelled out.
fn refused(url: &str) -> String {
    format!(
        "Get {url:?}: the browser could not fetch it: the exporter is not reachable, or it does not allow \
         this page to read it (CORS: it must answer with an Access-Control-Allow-Origin header that \
         names this page's origin)"
    )
}
