//! The user's files kept in the browser (the rule file, the
//! `alertmanager.yml`), loaded into the lab again when the app starts.

use crate::app::LabContext;
use crate::pages::alertmanager::ALERTMANAGER_KEY;
use crate::pages::rules::{load_rules_request, RULES_KEY};
use crate::storage;
use promlab_core::api::LabRequest;
use yew::prelude::*;

/// Loads the saved files once, when the app starts. A file the lab
/// refuses (an older version saved it) shows its error in the top bar.
#[function_component(RestoreSavedFiles)]
pub fn restore_saved_files() -> Html {
    let ctx = use_context::<LabContext>();
    use_effect_with((), move |_| {
        if let Some(ctx) = ctx {
            if let Ok(Some(yaml)) = storage::load::<String>(RULES_KEY) {
                ctx.control(load_rules_request(yaml));
            }
            if let Ok(Some(yaml)) = storage::load::<String>(ALERTMANAGER_KEY) {
                ctx.control(LabRequest::LoadAlertmanagerConfig { yaml });
            }
        }
    });
    Html::default()
}
