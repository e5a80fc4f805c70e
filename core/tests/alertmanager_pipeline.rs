//! The notification pipeline on virtual time: each scenario of
//! `alertmanager/scenarios/` (grouping and timers, inhibition and
//! silences, receivers) run on the lab's Alertmanager, its notification
//! log compared with the `.log` snapshot beside it. The same scenarios
//! run on the real Alertmanager in `alertmanager_reference.rs`.

mod alertmanager_support;

use alertmanager_support::{load, log_text, run_virtual, VIRTUAL_START};
use wasm_bindgen_test::wasm_bindgen_test;

fn check(yaml: &str, snapshot: expect_test::ExpectFile) {
    let s = load(yaml);
    let sent = run_virtual(
        &s,
        VIRTUAL_START,
        "http://hooks",
        "http://alertmanager:9093",
    );
    snapshot.assert_eq(&log_text(&sent, VIRTUAL_START));
}

#[wasm_bindgen_test(unsupported = test)]
fn grouping() {
    check(
        include_str!("alertmanager/scenarios/grouping.yml"),
        expect_test::expect_file!["alertmanager/scenarios/grouping.log"],
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn muting() {
    check(
        include_str!("alertmanager/scenarios/muting.yml"),
        expect_test::expect_file!["alertmanager/scenarios/muting.log"],
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn receivers() {
    check(
        include_str!("alertmanager/scenarios/receivers.yml"),
        expect_test::expect_file!["alertmanager/scenarios/receivers.log"],
    );
}
