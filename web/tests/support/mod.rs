//! What the browser tests share: a place to mount a component and waits
//! for the page to settle or for an element to appear.
#![allow(dead_code)]

use gloo_timers::future::TimeoutFuture;
use web_sys::Element;

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh element attached to the body, for a component to render into.
pub fn mount_point() -> Element {
    let el = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el
}

/// Lets yew's scheduler run and the browser lay out.
pub async fn settle() {
    TimeoutFuture::new(30).await;
}

/// The first element matching `selector`, waiting up to 6 s for it.
pub async fn wait_for(root: &Element, selector: &str) -> Element {
    for _ in 0..200 {
        if let Ok(Some(el)) = root.query_selector(selector) {
            return el;
        }
        settle().await;
    }
    panic!("{selector} did not appear; page: {}", root.inner_html());
}
