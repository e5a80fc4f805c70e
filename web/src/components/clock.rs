//! The virtual clock's controls: the time, play/pause, speed and steps.

use crate::app::LabContext;
use promlab_core::api::{format_rfc3339, LabRequest};
use promlab_core::clock::SPEEDS;
use yew::prelude::*;

/// Steps offered next to the clock, with their labels.
const STEPS: [(i64, &str); 3] = [(15_000, "+15s"), (60_000, "+1m"), (300_000, "+5m")];

/// `2026-01-01 00:00:00 UTC` from milliseconds since the epoch.
pub fn display_time(t: i64) -> String {
    let s = format_rfc3339(t - t.rem_euclid(1000));
    format!("{} UTC", s.trim_end_matches('Z').replacen('T', " ", 1))
}

#[function_component(ClockBar)]
pub fn clock_bar() -> Html {
    let Some(ctx) = use_context::<LabContext>() else {
        return html! {};
    };
    let Some(status) = ctx.status.clone() else {
        return html! { <div class="clock">{"starting…"}</div> };
    };
    let toggle = {
        let ctx = ctx.clone();
        let running = status.running;
        Callback::from(move |_| {
            ctx.control(if running {
                LabRequest::Pause
            } else {
                LabRequest::Play
            })
        })
    };
    html! {
        <div class="clock" role="group" aria-label="Virtual clock">
            <button id="clock-toggle" class="icon" onclick={toggle}
                title={if status.running { "Pause the clock" } else { "Run the clock" }}>
                { if status.running { "❚❚" } else { "▶" } }
            </button>
            <span id="clock-time" class={classes!("time", (!status.running).then_some("paused"))}>
                { display_time(status.now) }
            </span>
            <span class="speeds">
                { for SPEEDS.iter().map(|&speed| {
                    let ctx = ctx.clone();
                    let active = (status.speed - speed).abs() < f64::EPSILON;
                    html! {
                        <button class={classes!("speed", active.then_some("active"))}
                            onclick={Callback::from(move |_| ctx.control(LabRequest::SetSpeed { speed }))}>
                            { format!("{speed}x") }
                        </button>
                    }
                }) }
            </span>
            <span class="steps">
                { for STEPS.iter().map(|&(ms, label)| {
                    let ctx = ctx.clone();
                    let id = format!("step-{}", label.trim_start_matches('+'));
                    html! {
                        <button {id} class="step" title={format!("Let {} of virtual time pass now", label.trim_start_matches('+'))}
                            onclick={Callback::from(move |_| ctx.control(LabRequest::Step { ms }))}>
                            { label }
                        </button>
                    }
                }) }
            </span>
            if let Some(err) = &ctx.error {
                <span class="clock-error" role="alert">{ err }</span>
            }
        </div>
    }
}
