//! Hooks shared by the pages.

use crate::app::LabContext;
use promlab_core::api::{ApiRequest, ApiResponse, Request, Response};
use yew::prelude::*;

/// The answer to `request`, asked again whenever new samples arrive (a
/// scrape happened), so status pages follow the clock. `None` until the
/// first answer.
#[hook]
pub fn use_api(request: ApiRequest) -> Option<ApiResponse> {
    let ctx = use_context::<LabContext>();
    let answer = use_state(|| None::<ApiResponse>);
    let samples = ctx
        .as_ref()
        .and_then(|c| c.status.as_ref().map(|s| s.samples));
    {
        let answer = answer.clone();
        use_effect_with((request, samples), move |(request, _)| {
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
