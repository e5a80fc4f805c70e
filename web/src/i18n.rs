//! The UI's two languages, Korean and English. Every text on the page is
//! written at its call site as a pair, `lang.t("English", "한국어")`, so a
//! text and its translation are read and changed together.
//!
//! The language is the one the user chose last (kept in localStorage), or
//! Korean when the browser lists Korean before English, or English.

use crate::storage;

/// A UI language.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

/// The localStorage key of the user's choice.
const KEY: &str = "lang";

impl Lang {
    /// The BCP 47 code, for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// The language's name in itself, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ko => "한국어",
        }
    }

    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ko,
            Lang::Ko => Lang::En,
        }
    }

    fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }

    /// The text in this language.
    pub fn t<'a>(self, en: &'a str, ko: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ko => ko,
        }
    }

    /// The first of `preferred` (the browser's languages, most preferred
    /// first) that the UI speaks, or English.
    pub fn from_preferences<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        preferred
            .into_iter()
            .find_map(Lang::from_code)
            .unwrap_or_default()
    }

    /// The stored choice, else the browser's preference.
    pub fn detect() -> Lang {
        if let Ok(Some(code)) = storage::load::<String>(KEY) {
            if let Some(lang) = Lang::from_code(&code) {
                return lang;
            }
        }
        let languages: Vec<String> = web_sys::window()
            .map(|w| w.navigator().languages())
            .map(|list| list.iter().filter_map(|v| v.as_string()).collect())
            .unwrap_or_default();
        Lang::from_preferences(languages.iter().map(String::as_str))
    }

    /// Remembers the choice and sets `<html lang>`.
    pub fn apply(self) {
        // A full or disabled store only means the choice is not kept.
        let _ = storage::save(KEY, &self.code().to_string());
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", self.code());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_first_spoken_preference_wins() {
        let cases: [(&[&str], Lang); 6] = [
            (&["ko-KR", "en-US"], Lang::Ko),
            (&["en-GB", "ko"], Lang::En),
            (&["fr", "ko_KR"], Lang::Ko),
            (&["fr", "de"], Lang::En),
            (&[], Lang::En),
            (&["KO"], Lang::Ko),
        ];
        for (preferred, want) in cases {
            assert_eq!(
                Lang::from_preferences(preferred.iter().copied()),
                want,
                "{preferred:?}"
            );
        }
    }
}
