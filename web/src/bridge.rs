//! The bridge to the engine: the only place the app reaches a
//! [`Lab`](promlab_core::lab::Lab).
//!
//! Components send a [`Request`] and get a [`Response`] in a callback. In
//! the site the lab runs in a Web Worker ([`LabClient::worker`]); tests run
//! it in the page ([`LabClient::in_page`]). Every exchange is a serializable
//! request and an asynchronous answer, so a real Prometheus server could
//! answer the API requests the same way.
//!
//! The lab does no I/O: when a real target's scrape falls due it hands the
//! bridge a [`ScrapeRequest`], which the bridge fetches with the browser's
//! `fetch` and answers with a [`ScrapeResponse`].

use crate::worker::{LabWorker, WireRequest, WireResponse};
use gloo::timers::callback::Timeout;
use gloo_worker::{Spawnable, WorkerBridge};
use promlab_core::api::{
    ApiResponse, LabRequest, LabResponse, Request, Response, ScrapeRequest, ScrapeResponse,
};
use promlab_core::lab::{Lab, LabOptions};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

type Callback = Box<dyn FnOnce(Response)>;

/// Requests sent to the worker and not answered yet.
struct Pending {
    request: Request,
    on_response: Callback,
}

struct WorkerLink {
    bridge: WorkerBridge<LabWorker>,
    pending: Rc<RefCell<HashMap<u64, Pending>>>,
    next_id: Cell<u64>,
}

enum Backend {
    /// A lab in the page: answers on the spot.
    Direct(Rc<dyn Fn(&Request) -> Response>),
    Worker(WorkerLink),
    /// A Prometheus-compatible server at this base URL: API requests go
    /// to it over HTTP; the lab's own controls are not there.
    Remote(String),
}

/// A handle to the engine, cheap to clone and share through a context.
#[derive(Clone)]
pub struct LabClient {
    backend: Rc<Backend>,
}

impl PartialEq for LabClient {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.backend, &other.backend)
    }
}

/// Turns the worker's answer into a [`Response`], reading API answers by
/// the endpoint that was asked, as from a real server.
fn decode(request: &Request, wire: WireResponse) -> Response {
    match (request, wire.api, wire.lab) {
        (Request::Api(req), Some(json), _) => {
            Response::Api(req.decode_response(&json).unwrap_or_else(|e| {
                ApiResponse::Error(promlab_core::api::ApiError::new(
                    promlab_core::api::ErrorType::Internal,
                    e,
                ))
            }))
        }
        (_, _, Some(lab)) => Response::Lab(lab),
        _ => Response::Lab(LabResponse::Error {
            message: "the engine answered with nothing".into(),
        }),
    }
}

impl LabClient {
    /// A lab in the page, starting at `start` (milliseconds since the
    /// epoch) with its history already scraped. Tests use it; the site
    /// runs the lab in a worker.
    pub fn in_page(start: i64) -> Self {
        let lab = RefCell::new(Lab::new(LabOptions {
            start,
            ..LabOptions::default()
        }));
        let handle = move |request: &Request| match lab.try_borrow_mut() {
            Ok(mut lab) => lab.handle(request),
            Err(_) => Response::Lab(LabResponse::Error {
                message: "the lab is busy with another request".into(),
            }),
        };
        LabClient {
            backend: Rc::new(Backend::Direct(Rc::new(handle))),
        }
    }

    /// A lab in a Web Worker loaded from `path` (relative to the page).
    pub fn worker(path: &str) -> Self {
        let pending: Rc<RefCell<HashMap<u64, Pending>>> = Rc::default();
        let on_output = {
            let pending = pending.clone();
            move |text: String| {
                let Ok(wire) = serde_json::from_str::<WireResponse>(&text) else {
                    gloo::console::error!("the engine's answer could not be read");
                    return;
                };
                // The borrow ends before the callback runs, so it may send.
                let waiting = pending.borrow_mut().remove(&wire.id);
                if let Some(p) = waiting {
                    let response = decode(&p.request, wire);
                    (p.on_response)(response);
                }
            }
        };
        let bridge = LabWorker::spawner().callback(on_output).spawn(path);
        LabClient {
            backend: Rc::new(Backend::Worker(WorkerLink {
                bridge,
                pending,
                next_id: Cell::new(1),
            })),
        }
    }

    /// A Prometheus-compatible server (Prometheus, Thanos, Mimir,
    /// VictoriaMetrics) at `base`, e.g. `http://localhost:9090`: the
    /// playground and the status pages ask it through its HTTP API.
    pub fn remote(base: &str) -> Self {
        LabClient {
            backend: Rc::new(Backend::Remote(
                base.trim().trim_end_matches('/').to_string(),
            )),
        }
    }

    /// The server's base URL when the client talks to one.
    pub fn remote_url(&self) -> Option<&str> {
        match &*self.backend {
            Backend::Remote(base) => Some(base),
            _ => None,
        }
    }

    /// Sends `request`; `on_response` gets the answer.
    pub fn send(&self, request: Request, on_response: impl FnOnce(Response) + 'static) {
        match &*self.backend {
            Backend::Direct(handle) => on_response(handle(&request)),
            Backend::Remote(base) => match request {
                Request::Api(api) => {
                    let url = format!("{base}{}", api.to_url());
                    wasm_bindgen_futures::spawn_local(async move {
                        on_response(Response::Api(remote_api(&api, &url).await));
                    });
                }
                Request::Lab(LabRequest::Status | LabRequest::Tick { .. }) => {
                    on_response(Response::Lab(LabResponse::Status(remote_status())))
                }
                Request::Lab(_) => on_response(Response::Lab(LabResponse::Error {
                    message: format!(
                        "not available while the lab shows the server at {base}: its clock, simulation and files are the lab's own"
                    ),
                })),
            },
            Backend::Worker(link) => {
                let id = link.next_id.get();
                link.next_id.set(id + 1);
                let text = serde_json::to_string(&WireRequest {
                    id,
                    request: request.clone(),
                })
                .unwrap_or_default();
                link.pending.borrow_mut().insert(
                    id,
                    Pending {
                        request,
                        on_response: Box::new(on_response),
                    },
                );
                link.bridge.send(text);
            }
        }
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

/// A remote server's status as the page needs it: its time is real time,
/// and `samples` changes every 15 s so the pages ask again.
fn remote_status() -> promlab_core::api::LabStatus {
    let now = js_sys::Date::now() as i64;
    promlab_core::api::LabStatus {
        now,
        running: true,
        speed: 1.0,
        samples: usize::try_from(now / 15_000).unwrap_or_default(),
        ..Default::default()
    }
}

/// Asks a remote server's HTTP API and reads its answer as the endpoint's.
async fn remote_api(request: &promlab_core::api::ApiRequest, url: &str) -> ApiResponse {
    use promlab_core::api::{ApiError, ErrorType};
    let resp = match gloo_net::http::Request::get(url)
        .header("Accept", "application/json")
        .send()
        .await
    {
        Ok(resp) => resp,
        Err(_) => {
            return ApiResponse::Error(ApiError::new(
                ErrorType::Unavailable,
                format!(
                    "Get {url:?}: the browser could not reach the server, or it does not allow this page to read its API \
                     (CORS: Prometheus allows every origin unless --web.cors.origin says otherwise)"
                ),
            ))
        }
    };
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    request.decode_response(&text).unwrap_or_else(|e| {
        ApiResponse::Error(ApiError::new(
            ErrorType::Internal,
            format!("Get {url:?}: HTTP {status}: the answer could not be read: {e}"),
        ))
    })
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
