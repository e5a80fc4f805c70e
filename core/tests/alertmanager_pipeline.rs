//! The notification pipeline on virtual time: each scenario of
//! `alertmanager/scenarios/` (grouping and timers, inhibition and
//! silences, receivers) run on the lab's Alertmanager, its notification
//! log compared with the `.log` snapshot beside it, and the API's listings
//! at the scenario's `api_at` times with the `.api` snapshot. The same scenarios
//! run on the real Alertmanager in `alertmanager_reference.rs`.

mod alertmanager_support;

use alertmanager_support::{listings_text, load, log_text, run_virtual_with_api, VIRTUAL_START};
use wasm_bindgen_test::wasm_bindgen_test;

/// A snapshot file and its contents as built in: natively the file is
/// read (and rewritten with `UPDATE_EXPECT=1`); WebAssembly has no files,
/// so there the built-in text is compared.
struct Snapshot(&'static str, expect_test::ExpectFile);

impl Snapshot {
    fn assert_eq(&self, actual: &str) {
        if cfg!(target_arch = "wasm32") {
            assert_eq!(actual, self.0);
        } else {
            self.1.assert_eq(actual);
        }
    }
}

fn check(yaml: &str, log: Snapshot, api: Snapshot) {
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

/// A test of the scenario `alertmanager/scenarios/NAME.yml`.
macro_rules! scenario {
    ($name:ident) => {
        #[wasm_bindgen_test(unsupported = test)]
        fn $name() {
            const DIR: &str = "alertmanager/scenarios/";
            check(
                include_str!(concat!(
                    "alertmanager/scenarios/",
                    stringify!($name),
                    ".yml"
                )),
                Snapshot(
                    include_str!(concat!(
                        "alertmanager/scenarios/",
                        stringify!($name),
                        ".log"
                    )),
                    expect_test::expect_file![format!("{DIR}{}.log", stringify!($name))],
                ),
                Snapshot(
                    include_str!(concat!(
                        "alertmanager/scenarios/",
                        stringify!($name),
                        ".api"
                    )),
                    expect_test::expect_file![format!("{DIR}{}.api", stringify!($name))],
                ),
            );
        }
    };
}

scenario!(grouping);
scenario!(muting);
scenario!(receivers);
