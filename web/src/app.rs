//! The root component: it owns the engine handle and the lab's status,
//! runs the clock loop, and lays out the page.

use crate::bridge::LabClient;
use crate::components::clock::ClockBar;
use crate::components::data_sources::DataSources;
use crate::components::saved_files::RestoreSavedFiles;
use crate::components::sim_panel::{ScenarioMenu, SimPanel};
use crate::components::webhooks::WebhookDriver;
use crate::i18n::Lang;
use crate::pages::alertmanager::AlertmanagerPage;
use crate::pages::alerts::AlertsPage;
use crate::pages::config::ConfigPage;
use crate::pages::playground::Playground;
use crate::pages::rules::RulesPage;
use crate::pages::service_discovery::ServiceDiscoveryPage;
use crate::pages::targets::TargetsPage;
use crate::pages::tsdb_status::TsdbStatusPage;
use gloo::timers::callback::Interval;
use promlab_core::api::{LabRequest, LabResponse, LabStatus, Request, Response};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::*;

/// How often the page reports elapsed real time to the lab.
const TICK_MS: u32 = 250;

/// What every component can reach: the engine and the lab's last status.
#[derive(Clone, PartialEq)]
pub struct LabContext {
    pub client: LabClient,
    /// `None` until the lab first answers.
    pub status: Option<LabStatus>,
    /// The last control request the lab refused, shown in the status bar.
    pub error: Option<String>,
    /// The UI's language; every text is written as `lang.t(en, ko)`.
    pub lang: Lang,
    /// Switches the UI's language (and remembers the choice).
    pub set_lang: Callback<Lang>,
    /// Switches the data source: a remote server's base URL, or `None`
    /// for the lab's own engine.
    pub set_source: Callback<Option<String>>,
    /// Clears `error` (the user dismissed it).
    pub dismiss_error: Callback<()>,
    on_lab_response: Callback<LabResponse>,
}

impl LabContext {
    /// Sends a control request; the status it returns updates the page.
    pub fn control(&self, request: LabRequest) {
        let on_response = self.on_lab_response.clone();
        self.client.send(Request::Lab(request), move |resp| {
            if let Response::Lab(r) = resp {
                on_response.emit(r);
            }
        });
    }
}

/// The localStorage key of the remote server's URL.
const SOURCE_KEY: &str = "source";

/// Where the engine's worker is, relative to the page (trunk writes it
/// next to `index.html`), so the site works under any path.
pub const WORKER_PATH: &str = "./worker.js";

/// The app's settings: which engine to talk to (the site's worker when
/// none is given).
#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    #[prop_or_default]
    pub client: Option<LabClient>,
}

/// A monotonic real-time reading for measuring elapsed time between ticks.
fn monotonic_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let given = props.client.clone();
    let lab_client = use_memo((), move |_| {
        given.unwrap_or_else(|| LabClient::worker(WORKER_PATH))
    });
    // The data source: the lab (None) or a remote server's base URL,
    // remembered across reloads. The lab's worker lives on meanwhile.
    let source = use_state(|| crate::storage::load::<String>(SOURCE_KEY).ok().flatten());
    let client = {
        let lab_client = lab_client.clone();
        use_memo((*source).clone(), move |source| match source {
            Some(url) => LabClient::remote(url),
            None => (*lab_client).clone(),
        })
    };
    let set_source = {
        let source = source.clone();
        use_callback((), move |url: Option<String>, _| {
            match &url {
                Some(u) => {
                    let _ = crate::storage::save(SOURCE_KEY, u);
                }
                None => crate::storage::remove(SOURCE_KEY),
            }
            source.set(url);
        })
    };
    let status = use_state(|| None::<LabStatus>);
    let error = use_state(|| None::<String>);
    let lang = use_state(|| {
        let lang = Lang::detect();
        lang.apply();
        lang
    });
    let set_lang = {
        let lang = lang.clone();
        use_callback((), move |l: Lang, _| {
            l.apply();
            lang.set(l);
        })
    };

    let on_lab_response = {
        let status = status.clone();
        let error = error.clone();
        use_callback((), move |resp: LabResponse, _| match resp {
            LabResponse::Status(s) => {
                status.set(Some(s));
            }
            LabResponse::Error { message } => error.set(Some(message)),
            LabResponse::Page { .. }
            | LabResponse::ScrapeRequests { .. }
            | LabResponse::Explain { .. }
            | LabResponse::ManifestsApplied { .. }
            | LabResponse::AlertmanagerAlerts { .. }
            | LabResponse::AlertmanagerGroups { .. }
            | LabResponse::Silences { .. }
            | LabResponse::SilenceCreated { .. }
            | LabResponse::AlertmanagerStatus { .. }
            | LabResponse::Notifications { .. }
            | LabResponse::Routes { .. }
            | LabResponse::RoutesTested(_)
            | LabResponse::Matchers { .. }
            | LabResponse::InputError { .. }
            | LabResponse::WebhookRequests { .. }
            | LabResponse::Timeline { .. } => {}
        })
    };

    let dismiss_error = {
        let error = error.clone();
        use_callback((), move |(), _| error.set(None))
    };

    let ctx = LabContext {
        client: (*client).clone(),
        set_source,
        status: (*status).clone(),
        error: (*error).clone(),
        lang: *lang,
        set_lang,
        dismiss_error,
        on_lab_response: on_lab_response.clone(),
    };

    // The clock loop: report real time to the lab a few times a second
    // (while a remote server is shown, ask it instead; the lab waits).
    {
        let ctx = ctx.clone();
        use_effect_with((*client).clone(), move |_| {
            // The page's placeholder goes once the app has drawn itself.
            if let Some(boot) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("boot"))
            {
                boot.remove();
            }
            ctx.control(LabRequest::Status);
            let last = Rc::new(Cell::new(monotonic_ms()));
            let interval = Interval::new(TICK_MS, move || {
                let now = monotonic_ms();
                let real_ms = now - last.replace(now);
                ctx.control(LabRequest::Tick { real_ms });
                // A corrupt or full store is said in the top bar.
                let problems = crate::storage::take_problems();
                if !problems.is_empty() {
                    ctx.on_lab_response.emit(LabResponse::Error {
                        message: problems.join("; "),
                    });
                }
                ctx.client.run_due_scrapes();
            });
            move || drop(interval)
        });
    }

    html! {
        <ContextProvider<LabContext> context={ctx}>
            <WebhookDriver>
            <RestoreSavedFiles />
            <HashRouter>
                <header class="topbar">
                    <div class="topbar-row">
                        <div class="brand">
                            <span class="logo" aria-hidden="true">{"◆"}</span>
                            <span class="name">{"PromLab"}</span>
                        </div>
                        <Nav />
                        <LangSwitch />
                    </div>
                    <div class="timebar">
                        <ClockBar />
                        <ScenarioMenu />
                    </div>
                </header>
                <main class="content">
                    <Switch<Route> render={switch} />
                </main>
            </HashRouter>
            </WebhookDriver>
        </ContextProvider<LabContext>>
    }
}

/// The lab's pages, addressed with `#` routes so the static site works
/// under any path. The names follow the Prometheus UI's.
#[derive(Clone, Copy, Routable, PartialEq, Eq, Debug)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/query")]
    Query,
    #[at("/alerts")]
    Alerts,
    #[at("/rules")]
    Rules,
    #[at("/alertmanager")]
    Alertmanager,
    #[at("/targets")]
    Targets,
    #[at("/service-discovery")]
    ServiceDiscovery,
    #[at("/tsdb-status")]
    TsdbStatus,
    #[at("/config")]
    Config,
    #[at("/data-sources")]
    DataSources,
    #[not_found]
    #[at("/404")]
    NotFound,
}

/// The navigation bar's entries, in English and Korean.
const NAV: [(Route, &str, &str); 9] = [
    (Route::Query, "Query", "쿼리"),
    (Route::Alerts, "Alerts", "알림"),
    (Route::Rules, "Rules", "규칙"),
    (Route::Alertmanager, "Alertmanager", "Alertmanager"),
    (Route::Targets, "Targets", "타깃"),
    (
        Route::ServiceDiscovery,
        "Service discovery",
        "서비스 디스커버리",
    ),
    (Route::TsdbStatus, "TSDB status", "TSDB 상태"),
    (Route::Config, "Configuration", "설정"),
    (Route::DataSources, "Data sources", "데이터 소스"),
];

#[function_component(Nav)]
fn nav() -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let current = use_route::<Route>().map(|r| if r == Route::Home { Route::Query } else { r });
    html! {
        <nav class="nav">
            { for NAV.iter().map(|(route, en, ko)| html! {
                <Link<Route> to={*route} classes={classes!((current == Some(*route)).then_some("active"))}>
                    { lang.t(en, ko) }
                </Link<Route>>
            }) }
        </nav>
    }
}

/// The language switch: shows the other language's name.
#[function_component(LangSwitch)]
fn lang_switch() -> Html {
    let Some(ctx) = use_context::<LabContext>() else {
        return Html::default();
    };
    let other = ctx.lang.other();
    let onclick = {
        let set = ctx.set_lang.clone();
        Callback::from(move |_| set.emit(other))
    };
    html! {
        <button class="lang-switch" type="button" lang={other.code()} {onclick}
            title={ctx.lang.t("Switch the language", "언어 바꾸기")}>
            { other.name() }
        </button>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home | Route::Query => html! {
            <>
                <SimPanel />
                <Playground />
            </>
        },
        Route::Alerts => html! { <AlertsPage /> },
        Route::Rules => html! { <RulesPage /> },
        Route::Alertmanager => html! { <AlertmanagerPage /> },
        Route::Targets => html! { <TargetsPage /> },
        Route::ServiceDiscovery => html! { <ServiceDiscoveryPage /> },
        Route::TsdbStatus => html! { <TsdbStatusPage /> },
        Route::Config => html! { <ConfigPage /> },
        Route::DataSources => html! { <DataSources /> },
        Route::NotFound => html! {
            <section class="card">
                <h2>{"Page not found · 페이지를 찾을 수 없습니다"}</h2>
                <p><Link<Route> to={Route::Query}>{"Query · 쿼리"}</Link<Route>></p>
            </section>
        },
    }
}
