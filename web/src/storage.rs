//! Settings, history and the user's files kept in the browser's
//! localStorage, as JSON under keys prefixed `promlab.`.
//!
//! The store is input like any other: a value that no longer parses (an
//! older version wrote it, or someone edited it) is removed and reported,
//! and the lab starts from its defaults instead of failing. A full or
//! disabled store makes saving fail with a message; nothing else breaks.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;

thread_local! {
    /// Problems with the store not yet shown to the user.
    static PROBLEMS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn report(problem: &str) {
    PROBLEMS.with(|p| {
        let mut p = p.borrow_mut();
        if !p.iter().any(|q| q == problem) {
            p.push(problem.to_string());
        }
    });
}

/// The store's problems since the last call (a value reset because it
/// was corrupt, a value not saved because the store is full or
/// disabled), for the page to show.
pub fn take_problems() -> Vec<String> {
    PROBLEMS.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

const PREFIX: &str = "promlab.";

fn local_storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .ok_or("no window")?
        .local_storage()
        .map_err(|_| "localStorage is not available (blocked by the browser's settings)")?
        .ok_or_else(|| "localStorage is not available".to_string())
}

/// The value stored under `key`, `Ok(None)` when there is none. A value
/// that does not parse is removed, and the error says which key and why.
pub fn load<T: DeserializeOwned>(key: &str) -> Result<Option<T>, String> {
    let store = local_storage()?;
    let full = format!("{PREFIX}{key}");
    let Some(text) = store.get_item(&full).ok().flatten() else {
        return Ok(None);
    };
    match serde_json::from_str(&text) {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            let _ = store.remove_item(&full);
            let problem = format!("the saved {key:?} could not be read ({e}) and was reset");
            report(&problem);
            Err(problem)
        }
    }
}

/// Stores `value` under `key`.
pub fn save<T: Serialize>(key: &str, value: &T) -> Result<(), String> {
    let store = local_storage()?;
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    store
        .set_item(&format!("{PREFIX}{key}"), &text)
        .map_err(|_| {
            let problem = format!("the browser's storage is full: {key:?} was not saved");
            report(&problem);
            problem
        })
}

/// Removes the value under `key`.
pub fn remove(key: &str) {
    if let Ok(store) = local_storage() {
        let _ = store.remove_item(&format!("{PREFIX}{key}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn values_round_trip_and_corrupt_ones_are_reset() {
        let key = "test.storage";
        save(key, &vec!["up".to_string(), "rate(x[5m])".to_string()]).unwrap();
        assert_eq!(
            load::<Vec<String>>(key).unwrap(),
            Some(vec!["up".to_string(), "rate(x[5m])".to_string()])
        );
        let store = local_storage().unwrap();
        store.set_item("promlab.test.storage", "{not json").unwrap();
        let err = load::<Vec<String>>(key).unwrap_err();
        assert!(
            err.contains("\"test.storage\"") && err.contains("reset"),
            "{err}"
        );
        assert_eq!(load::<Vec<String>>(key).unwrap(), None);
        remove(key);
    }
}
