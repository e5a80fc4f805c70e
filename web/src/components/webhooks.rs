//! Webhook delivery from the browser. The lab's Alertmanager never does
//! I/O: its webhook notifications wait in the lab as requests. When the
//! user switches delivery on (it is off by default, and the choice is
//! kept), this component takes them as they fall due, POSTs each to its
//! URL with `fetch`, and keeps the outcome (the HTTP status, or why the
//! browser refused) for the notification log to show.

use crate::app::LabContext;
use crate::storage;
use gloo::timers::callback::Timeout;
use promlab_core::api::{LabRequest, LabResponse, Request, Response, WebhookDelivery};
use promlab_core::clock::Timestamp;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The localStorage key of the user's choice.
const ENABLED_KEY: &str = "webhooks.deliver";

/// How long a POST may take before it is given up.
const TIMEOUT_MS: u32 = 10_000;

/// The most outcomes kept (the oldest go first).
const MAX_OUTCOMES: usize = 500;

/// How one POST went.
#[derive(Clone, Debug, PartialEq)]
pub enum DeliveryResult {
    /// The receiver answered with this status and status text.
    Answered { status: u16, text: String },
    /// No answer within the timeout.
    TimedOut,
    /// The browser refused or could not connect; it does not say which.
    Failed,
}

/// A delivery and its outcome, matched to the notification log by time,
/// receiver, URL and body.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryOutcome {
    pub time: Timestamp,
    pub receiver: String,
    pub url: String,
    pub body: String,
    pub result: DeliveryResult,
}

/// What the pages can reach: whether delivery is on, the switch, and the
/// outcomes so far (shared, not copied; `version` changes with them).
#[derive(Clone)]
pub struct Webhooks {
    pub enabled: bool,
    pub set_enabled: Callback<bool>,
    pub outcomes: Rc<RefCell<Vec<DeliveryOutcome>>>,
    pub version: u64,
}

impl PartialEq for Webhooks {
    fn eq(&self, other: &Self) -> bool {
        self.enabled == other.enabled
            && self.version == other.version
            && self.set_enabled == other.set_enabled
    }
}

#[derive(Properties, PartialEq)]
pub struct WebhookDriverProps {
    #[prop_or_default]
    pub children: Html,
}

/// Provides [`Webhooks`] to its children and, while delivery is on,
/// delivers the lab's webhook requests.
#[function_component(WebhookDriver)]
pub fn webhook_driver(props: &WebhookDriverProps) -> Html {
    let ctx = use_context::<LabContext>();
    let enabled = use_state(|| storage::load::<bool>(ENABLED_KEY).ok().flatten() == Some(true));
    let outcomes = use_mut_ref(Vec::<DeliveryOutcome>::new);
    // Counts the outcomes; its state copy changes when one arrives, so
    // the pages redraw.
    let arrived = use_mut_ref(|| 0u64);
    let version = use_state(|| 0u64);

    let set_enabled = {
        let enabled = enabled.clone();
        let ctx = ctx.clone();
        use_callback((), move |on: bool, _| {
            let _ = storage::save(ENABLED_KEY, &on);
            if on {
                // Requests made while delivery was off are dropped, not
                // sent late in a burst.
                if let Some(ctx) = &ctx {
                    ctx.client
                        .send(Request::Lab(LabRequest::TakeWebhookRequests), |_| {});
                }
            }
            enabled.set(on);
        })
    };

    // Asked again each virtual second while requests wait.
    let pending = ctx
        .as_ref()
        .and_then(|c| c.status.as_ref())
        .filter(|s| s.pending_webhooks > 0)
        .map(|s| s.now.div_euclid(1000));
    {
        let ctx = ctx.clone();
        let outcomes = outcomes.clone();
        let (arrived, version) = (arrived.clone(), version.clone());
        use_effect_with((*enabled, pending), move |&(on, pending)| {
            if let (true, Some(_), Some(ctx)) = (on, pending, ctx) {
                ctx.client
                    .send(Request::Lab(LabRequest::TakeWebhookRequests), move |resp| {
                        let Response::Lab(LabResponse::WebhookRequests { requests }) = resp else {
                            return;
                        };
                        for request in requests {
                            let outcomes = outcomes.clone();
                            let (arrived, version) = (arrived.clone(), version.clone());
                            wasm_bindgen_futures::spawn_local(async move {
                                let result = post(&request).await;
                                let mut list = outcomes.borrow_mut();
                                list.push(DeliveryOutcome {
                                    time: request.time,
                                    receiver: request.receiver,
                                    url: request.url,
                                    body: request.body,
                                    result,
                                });
                                let extra = list.len().saturating_sub(MAX_OUTCOMES);
                                list.drain(..extra);
                                drop(list);
                                let count = {
                                    let mut n = arrived.borrow_mut();
                                    *n += 1;
                                    *n
                                };
                                version.set(count);
                            });
                        }
                    });
            }
        });
    }

    let context = Webhooks {
        enabled: *enabled,
        set_enabled,
        outcomes,
        version: *version,
    };
    html! {
        <ContextProvider<Webhooks> {context}>
            { props.children.clone() }
        </ContextProvider<Webhooks>>
    }
}

/// POSTs one webhook as Alertmanager does: the JSON body with its
/// Content-Type.
async fn post(request: &WebhookDelivery) -> DeliveryResult {
    let controller = web_sys::AbortController::new().ok();
    let _deadline = controller
        .clone()
        .map(|c| Timeout::new(TIMEOUT_MS, move || c.abort()));
    let signal = controller.as_ref().map(web_sys::AbortController::signal);
    let built = gloo_net::http::Request::post(&request.url)
        .header("Content-Type", &request.content_type)
        .abort_signal(signal.as_ref())
        .body(request.body.clone());
    let Ok(built) = built else {
        return DeliveryResult::Failed;
    };
    match built.send().await {
        Ok(resp) => DeliveryResult::Answered {
            status: resp.status(),
            text: resp.status_text(),
        },
        Err(_) if signal.as_ref().is_some_and(web_sys::AbortSignal::aborted) => {
            DeliveryResult::TimedOut
        }
        Err(_) => DeliveryResult::Failed,
    }
}
