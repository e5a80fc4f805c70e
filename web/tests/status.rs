//! The status pages in a real browser (headless Chromium through
//! wasm-bindgen-test), against a lab in the page: a rule file loaded from
//! the Rules page shows its groups and keeps itself in localStorage, the
//! Alerts page follows the rule's state, the Alertmanager page points at a
//! bad matcher and draws the route tree, and the top bar's controls step
//! the clock and run scenarios.
#![cfg(target_arch = "wasm32")]

use promlab_core::diagnostic::Span;
use promlab_web::components::widgets::spanned_error;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::{mount_point, settle, wait_for};

async fn wait_gone(root: &Element, selector: &str) {
    for _ in 0..200 {
        if let Ok(None) = root.query_selector(selector) {
            return;
        }
        settle().await;
    }
    panic!("{selector} did not go; page: {}", root.inner_html());
}

async fn click(root: &Element, selector: &str) {
    let el: HtmlElement = wait_for(root, selector).await.dyn_into().unwrap();
    el.click();
    settle().await;
}

fn fire_input(el: &Element) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    el.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

async fn type_into(root: &Element, selector: &str, text: &str) {
    let el = wait_for(root, selector).await;
    if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
        area.set_value(text);
    } else {
        el.dyn_ref::<HtmlInputElement>().unwrap().set_value(text);
    }
    fire_input(&el);
    settle().await;
}

fn go(route: &str) {
    web_sys::window()
        .unwrap()
        .location()
        .set_hash(route)
        .unwrap();
}

fn clear_storage() {
    let store = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    for key in [
        "rules.yml",
        "alertmanager.yml",
        "alerts.filter",
        "alertmanager.tab",
        "routes.test",
        "webhooks.deliver",
    ] {
        store.remove_item(&format!("promlab.{key}")).unwrap();
    }
}

#[derive(Properties, PartialEq)]
struct ErrorProps {
    input: AttrValue,
    start: usize,
    end: usize,
}

#[function_component(ErrorView)]
fn error_view(props: &ErrorProps) -> Html {
    spanned_error(&props.input, Span::new(props.start, props.end), "boom")
}

#[wasm_bindgen_test]
async fn a_mistake_is_underlined_where_it_is_even_at_odd_spans() {
    // (input, span, the underlined text)
    let cases = [
        ("a=~\"(\"", (3, 6), "\"(\""),
        ("abc", (3, 3), "\u{2003}"),
        ("abc", (2, 99), "c"),
        ("abc", (9, 2), "\u{2003}"),
        // Not a character boundary: the text is shown whole, nothing marked.
        ("é", (1, 2), "\u{2003}"),
    ];
    for (input, (start, end), marked) in cases {
        let root = mount_point();
        let props = ErrorProps {
            input: input.into(),
            start,
            end,
        };
        let handle = yew::Renderer::<ErrorView>::with_root_and_props(root.clone(), props).render();
        settle().await;
        let span = wait_for(&root, ".error-span").await;
        assert_eq!(
            span.text_content().unwrap(),
            marked,
            "{input} {start}..{end}"
        );
        let source = wait_for(&root, ".error-source")
            .await
            .text_content()
            .unwrap();
        assert_eq!(source.replace('\u{2003}', ""), input, "{input}");
        assert!(root.text_content().unwrap().contains("boom"));
        handle.destroy();
    }
}

#[wasm_bindgen_test]
async fn rules_alerts_and_alertmanager_pages_work_on_a_lab_in_the_page() {
    clear_storage();
    go("#/rules");
    let root = mount_point();
    let props = promlab_web::app::AppProps {
        client: Some(promlab_web::bridge::LabClient::in_page(1_767_225_600_000)),
    };
    let handle =
        yew::Renderer::<promlab_web::app::App>::with_root_and_props(root.clone(), props).render();
    click(&root, "#clock-toggle").await;
    wait_for(&root, "#clock-time.paused").await;

    // Rules: a bad file is refused with its line, the example loads.
    wait_for(&root, "#no-rules").await;
    type_into(
        &root,
        "#rules-text",
        "groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: up >\n",
    )
    .await;
    click(&root, "#rules-load").await;
    let error = wait_for(&root, "#rules-error")
        .await
        .text_content()
        .unwrap();
    assert!(error.contains("rules.yml:5:"), "{error}");
    click(&root, "#rules-example").await;
    click(&root, "#rules-load").await;
    wait_for(&root, "#rules-ok").await;
    let group = wait_for(&root, ".rule-group h2").await;
    assert_eq!(group.text_content().unwrap(), "Count greater than 5");
    let link = wait_for(&root, ".rule-group .query-link").await;
    assert_eq!(
        link.get_attribute("href").unwrap(),
        "#/query?expr=ping_request_count%20%3E%205"
    );
    let saved = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("promlab.rules.yml")
        .unwrap()
        .unwrap();
    assert!(saved.contains("CountGreaterThan5"), "{saved}");

    // Alerts: inactive, then firing once pings arrive and time passes.
    go("#/alerts");
    wait_for(&root, ".alert-rule.inactive").await;
    assert_eq!(
        wait_for(&root, "#count-inactive")
            .await
            .text_content()
            .unwrap(),
        "1"
    );
    go("#/query");
    click(&root, "#send-10-pings").await;
    for _ in 0..3 {
        click(&root, "#step-1m").await;
    }
    go("#/alerts");
    wait_for(&root, ".alert-rule.firing").await;
    let row = wait_for(&root, ".alert-row.firing")
        .await
        .text_content()
        .unwrap();
    assert!(row.contains("job=\"prom-example\""), "{row}");
    // The filter hides them.
    click(&root, "#show-firing").await;
    wait_gone(&root, ".alert-rule.firing").await;
    click(&root, "#show-firing").await;
    wait_for(&root, ".alert-rule.firing").await;

    // Alertmanager: the alert arrived; a bad matcher is pointed at.
    go("#/alertmanager");
    click(&root, "#am-tab-alerts").await;
    wait_for(&root, ".am-group").await;
    click(&root, "#am-tab-silences").await;
    type_into(&root, "#silence-matchers", "alertname=~\"(\"").await;
    click(&root, "#create-silence").await;
    let marked = wait_for(&root, "#silence-error .error-span").await;
    assert_eq!(marked.text_content().unwrap(), "alertname=~\"(\"");
    type_into(
        &root,
        "#silence-matchers",
        "alertname=\"CountGreaterThan5\"",
    )
    .await;
    click(&root, "#create-silence").await;
    wait_for(&root, "tr.silence.active").await;
    click(&root, "tr.silence.active .expire-silence").await;
    wait_for(&root, "tr.silence.expired").await;
    // The default route tree is one box; the tester marks it.
    click(&root, "#am-tab-routes").await;
    wait_for(&root, "#route-tree .route").await;
    type_into(&root, "#route-labels", "namespace=\"qks\"").await;
    click(&root, "#test-routes").await;
    wait_for(&root, "#route-tree .route.matched").await;
    let receivers = wait_for(&root, "#route-result")
        .await
        .text_content()
        .unwrap();
    assert!(receivers.contains("null"), "{receivers}");

    // The top bar: a jump into the past is refused with a reason.
    type_into(&root, "#jump-time", "2025-01-01T00:00:00").await;
    click(&root, "#jump").await;
    let err = wait_for(&root, ".clock-error")
        .await
        .text_content()
        .unwrap();
    assert!(err.contains("only moves forward"), "{err}");
    click(&root, ".clock-error .dismiss").await;
    wait_gone(&root, ".clock-error").await;
    // A scenario from the menu changes the node's state.
    click(&root, "#scenario-menu summary").await;
    click(
        &root,
        "#scenario-menu [data-node=\"qks-gpu-1\"] .reboot-node",
    )
    .await;
    wait_for(
        &root,
        "#scenario-menu [data-node=\"qks-gpu-1\"] .node-state.rebooting",
    )
    .await;

    handle.destroy();
    clear_storage();
    go("#/");
}
