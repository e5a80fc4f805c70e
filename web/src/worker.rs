//! The engine's Web Worker: it owns the [`Lab`] off the page's main thread,
//! so building the lab, scraping and evaluating queries never block typing
//! or drawing. Built into its own binary (`src/bin/worker.rs`); the page's
//! binary only names the type to spawn it and never links the engine.
//!
//! Messages are JSON text: a [`WireRequest`] in, a [`WireResponse`] out,
//! matched by `id`. API answers travel as the Prometheus API's own JSON, so
//! the page reads them exactly as it would read a real server's.

use gloo_worker::{HandlerId, Worker, WorkerScope};
use promlab_core::api::{LabResponse, Request, Response};
use promlab_core::lab::{Lab, LabOptions};
use serde::{Deserialize, Serialize};

/// A request with the id its answer will carry.
#[derive(Serialize, Deserialize)]
pub struct WireRequest {
    pub id: u64,
    pub request: Request,
}

/// The answer to request `id`: the Prometheus API's JSON for an API
/// request, or the lab's own answer.
#[derive(Serialize, Deserialize)]
pub struct WireResponse {
    pub id: u64,
    #[serde(default)]
    pub api: Option<String>,
    #[serde(default)]
    pub lab: Option<LabResponse>,
}

impl WireResponse {
    pub fn new(id: u64, response: Response) -> Self {
        match response {
            Response::Api(r) => WireResponse {
                id,
                api: Some(r.to_json()),
                lab: None,
            },
            Response::Lab(r) => WireResponse {
                id,
                api: None,
                lab: Some(r),
            },
        }
    }
}

/// The worker: one lab, answering requests in the order they arrive.
pub struct LabWorker {
    lab: Lab,
}

impl Worker for LabWorker {
    type Message = ();
    type Input = String;
    type Output = String;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        // The browser's clock only chooses where virtual time starts.
        let now = js_sys::Date::now();
        let start = (now / 1000.0).floor() as i64 * 1000;
        let mut lab = Lab::new(LabOptions {
            start,
            ..LabOptions::default()
        });
        // The worker's real clock, for the engine's query timeout.
        lab.set_query_clock(std::sync::Arc::new(js_sys::Date::now));
        LabWorker { lab }
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        let reply = match serde_json::from_str::<WireRequest>(&msg) {
            Ok(wire) => WireResponse::new(wire.id, self.lab.handle(&wire.request)),
            Err(e) => WireResponse::new(
                0,
                Response::Lab(LabResponse::Error {
                    message: format!("the engine could not read a request: {e}"),
                }),
            ),
        };
        // Serializing these types cannot fail: every map key is a string.
        scope.respond(id, serde_json::to_string(&reply).unwrap_or_default());
    }
}
