//! Hooks shared by the pages.

use crate::app::LabContext;
use promlab_core::api::{ApiRequest, ApiResponse, LabRequest, LabResponse, Request, Response};
use yew::prelude::*;

/// The answer to `request`, asked again whenever new samples arrive (a
/// scrape happened), so status pages follow the clock. `None` until the
/// first answer.
#[hook]
pub fn use_api(request: ApiRequest) -> Option<ApiResponse> {
    use_api_refreshed(request, 0)
}

/// [`use_api`], also asked again whenever `refresh` changes: after an
/// action on the page that changes the answer without new samples (a
/// rule file loaded while the clock stands still).
#[hook]
pub fn use_api_refreshed(request: ApiRequest, refresh: u64) -> Option<ApiResponse> {
    let ctx = use_context::<LabContext>();
    let answer = use_state(|| None::<ApiResponse>);
    let samples = ctx
        .as_ref()
        .and_then(|c| c.status.as_ref().map(|s| s.samples));
    {
        let answer = answer.clone();
        use_effect_with((request, samples, refresh), move |(request, _, _)| {
            if let Some(ctx) = ctx {
                ctx.client.send(Request::Api(request.clone()), move |resp| {
                    if let Response::Api(r) = resp {
                        answer.set(Some(r));
                    }
                });
            }
        });
    }
    (*answer).clone()
}

/// The lab's answer to `request`, asked again each virtual second and
/// whenever `refresh` changes (after an action on the page), so the
/// Alertmanager's state follows the clock. `None` until the first answer.
#[hook]
pub fn use_lab(request: LabRequest, refresh: u64) -> Option<LabResponse> {
    let ctx = use_context::<LabContext>();
    let answer = use_state_eq(|| None::<LabResponse>);
    let second = ctx
        .as_ref()
        .and_then(|c| c.status.as_ref().map(|s| s.now.div_euclid(1000)));
    {
        let answer = answer.clone();
        use_effect_with((request, second, refresh), move |(request, _, _)| {
            if let Some(ctx) = ctx {
                ctx.client.send(Request::Lab(request.clone()), move |resp| {
                    if let Response::Lab(r) = resp {
                        answer.set(Some(r));
                    }
                });
            }
        });
    }
    (*answer).clone()
}
