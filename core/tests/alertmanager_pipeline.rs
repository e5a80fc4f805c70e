//! The notification pipeline on virtual time: each scenario of
//! `alertmanager/scenarios/` (grouping and timers, inhibition and
//! silences, receivers) run on the lab's Alertmanager, its notification
//! log compared with the `.log` snapshot beside it, and the API's listings
//! at the scenario's `api_at` times with the `.api` snapshot. The same scenarios
//! run on the real Alertmanager in `alertmanager_reference.rs`.

mod alertmanager_support;

use alertmanager_support::{listings_text, load, log_text, run_virtual_with_api, VIRTUAL_START};
use wasm_bindgen_test::wasm_bindgen_test;

fn check(yaml: &str, log: expect_test::ExpectFile, api: expect_test::ExpectFile) {
    let s = load(yaml);
    let (sent, listings, silences) = run_virtual_with_api(
        &s,
        VIRTUAL_START,
        "http://hooks",
        "http://alertmanager:9093",
    );
    log.assert_eq(&log_text(&sent, VIRTUAL_START));
    api.assert_eq(&listings_text(&listings, VIRTUAL_START, &silences));
}

#[wasm_bindgen_test(unsupported = test)]
fn grouping() {
    check(
        include_str!("alertmanager/scenarios/grouping.yml"),
        expect_test::expect_file!["alertmanager/scenarios/grouping.log"],
        expect_test::expect_file!["alertmanager/scenarios/grouping.api"],
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn muting() {
    check(
        include_str!("alertmanager/scenarios/muting.yml"),
        expect_test::expect_file!["alertmanager/scenarios/muting.log"],
        expect_test::expect_file!["alertmanager/scenarios/muting.api"],
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn receivers() {
    check(
        include_str!("alertmanager/scenarios/receivers.yml"),
        expect_test::expect_file!["alertmanager/scenarios/receivers.log"],
        expect_test::expect_file!["alertmanager/scenarios/receivers.api"],
    );
}
