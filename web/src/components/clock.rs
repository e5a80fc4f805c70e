//! The virtual clock's controls, always in the top bar: the time,
//! play/pause, speed, steps, and a jump to a given time.

use crate::app::LabContext;
use crate::i18n::Lang;
use promlab_core::api::{format_rfc3339, parse_time, LabRequest};
use promlab_core::clock::{Timestamp, SPEEDS};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Steps offered next to the clock, with their labels.
const STEPS: [(i64, &str); 4] = [
    (15_000, "+15s"),
    (60_000, "+1m"),
    (600_000, "+10m"),
    (3_600_000, "+1h"),
];

/// `2026-01-01 00:00:00 UTC` from milliseconds since the epoch.
pub fn display_time(t: i64) -> String {
    let s = format_rfc3339(t - t.rem_euclid(1000));
    format!("{} UTC", s.trim_end_matches('Z').replacen('T', " ", 1))
}

/// The value a `datetime-local` input takes for `t` (UTC, seconds).
pub fn input_time(t: Timestamp) -> String {
    format_rfc3339(t - t.rem_euclid(1000))
        .trim_end_matches('Z')
        .to_string()
}

/// Why a jump is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum JumpError {
    /// The input is not a date and time.
    Unreadable(String),
    /// The time is not after now: the clock only moves forward.
    NotAfterNow,
}

impl JumpError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (JumpError::Unreadable(s), Lang::En) => {
                format!("{s:?} is not a date and time (expected YYYY-MM-DDTHH:MM[:SS], UTC)")
            }
            (JumpError::Unreadable(s), Lang::Ko) => {
                format!("{s:?}는 날짜와 시각이 아닙니다 (YYYY-MM-DDTHH:MM[:SS] 형식, UTC)")
            }
            (JumpError::NotAfterNow, Lang::En) => {
                "the virtual clock only moves forward: choose a time after now".into()
            }
            (JumpError::NotAfterNow, Lang::Ko) => {
                "가상 시계는 앞으로만 갑니다. 지금보다 뒤의 시각을 고르세요".into()
            }
        }
    }
}

/// How far to step the clock to reach `input` (a `datetime-local` value,
/// read as UTC) from `now`.
pub fn jump_step(input: &str, now: Timestamp) -> Result<i64, JumpError> {
    let trimmed = input.trim();
    let full = match trimmed.len() {
        16 => format!("{trimmed}:00Z"),
        _ => format!("{trimmed}Z"),
    };
    let target = parse_time(&full)
        .ok()
        .filter(|_| trimmed.contains('T') || trimmed.contains(' '))
        .ok_or_else(|| JumpError::Unreadable(trimmed.to_string()))?;
    let step = target.saturating_sub(now);
    if step <= 0 {
        return Err(JumpError::NotAfterNow);
    }
    Ok(step)
}

#[function_component(ClockBar)]
pub fn clock_bar() -> Html {
    let ctx = use_context::<LabContext>();
    // The time being typed into the jump field; `None` shows now.
    let jump_to = use_state(|| None::<String>);
    let jump_error = use_state(|| None::<JumpError>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(status) = ctx.status.clone() else {
        return html! { <div class="clock"><span class="muted">{ lang.t("starting…", "시작하는 중…") }</span></div> };
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
    let on_jump_input = {
        let jump_to = jump_to.clone();
        Callback::from(move |e: InputEvent| {
            jump_to.set(Some(e.target_unchecked_into::<HtmlInputElement>().value()))
        })
    };
    let jump = {
        let ctx = ctx.clone();
        let (jump_to, jump_error) = (jump_to.clone(), jump_error.clone());
        let now = status.now;
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = (*jump_to).clone().unwrap_or_else(|| input_time(now));
            match jump_step(&input, now) {
                Ok(ms) => {
                    jump_error.set(None);
                    jump_to.set(None);
                    ctx.control(LabRequest::Step { ms });
                }
                Err(e) => jump_error.set(Some(e)),
            }
        })
    };
    let dismiss = {
        let ctx = ctx.clone();
        let jump_error = jump_error.clone();
        Callback::from(move |_| {
            jump_error.set(None);
            ctx.dismiss_error.emit(());
        })
    };
    let error = jump_error
        .as_ref()
        .map(|e| e.message(lang))
        .or_else(|| ctx.error.clone());
    html! {
        <div class="clock" role="group" aria-label={lang.t("Virtual clock", "가상 시계")}>
            <button id="clock-toggle" class="icon" onclick={toggle}
                title={if status.running { lang.t("Pause the clock", "시계 멈추기") } else { lang.t("Run the clock", "시계 돌리기") }}>
                { if status.running { "❚❚" } else { "▶" } }
            </button>
            <span id="clock-time" class={classes!("time", (!status.running).then_some("paused"))}
                title={lang.t("Virtual time (UTC)", "가상 시각 (UTC)")}>
                { display_time(status.now) }
            </span>
            <span class="speeds" role="group" aria-label={lang.t("Speed", "속도")}>
                { for SPEEDS.iter().map(|&speed| {
                    let ctx = ctx.clone();
                    let active = (status.speed - speed).abs() < f64::EPSILON;
                    html! {
                        <button id={format!("speed-{speed}")} class={classes!("speed", active.then_some("active"))}
                            title={match lang {
                                Lang::En => format!("One real second is {speed} virtual seconds"),
                                Lang::Ko => format!("실제 1초가 가상 {speed}초"),
                            }}
                            onclick={Callback::from(move |_| ctx.control(LabRequest::SetSpeed { speed }))}>
                            { format!("{speed}x") }
                        </button>
                    }
                }) }
            </span>
            <span class="steps" role="group" aria-label={lang.t("Step", "건너뛰기")}>
                { for STEPS.iter().map(|&(ms, label)| {
                    let ctx = ctx.clone();
                    let amount = label.trim_start_matches('+');
                    let id = format!("step-{amount}");
                    html! {
                        <button {id} class="step"
                            title={match lang {
                                Lang::En => format!("Let {amount} of virtual time pass now"),
                                Lang::Ko => format!("가상 시간 {amount}을 지금 흘려보내기"),
                            }}
                            onclick={Callback::from(move |_| ctx.control(LabRequest::Step { ms }))}>
                            { label }
                        </button>
                    }
                }) }
            </span>
            <form class="jump" onsubmit={jump}>
                <input id="jump-time" type="datetime-local" step="1"
                    value={(*jump_to).clone().unwrap_or_else(|| input_time(status.now))}
                    oninput={on_jump_input}
                    aria-label={lang.t("Jump to this virtual time (UTC)", "이 가상 시각(UTC)으로 이동")} />
                <button id="jump" type="submit" title={lang.t("Jump to this virtual time (UTC)", "이 가상 시각(UTC)으로 이동")}>
                    { lang.t("Jump", "이동") }
                </button>
            </form>
            if let Some(err) = error {
                <span class="clock-error" role="alert">
                    { err }
                    <button class="dismiss" type="button" onclick={dismiss}
                        title={lang.t("Dismiss", "닫기")} aria-label={lang.t("Dismiss", "닫기")}>{"×"}</button>
                </span>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn jumps_go_forward_to_the_time_given() {
        let now = 1_767_225_600_000; // 2026-01-01T00:00:00Z
        let cases: [(&str, Result<i64, JumpError>); 6] = [
            ("2026-01-01T01:00", Ok(3_600_000)),
            ("2026-01-01T00:00:15", Ok(15_000)),
            ("2026-01-02T00:00:00", Ok(86_400_000)),
            ("2026-01-01T00:00", Err(JumpError::NotAfterNow)),
            ("2025-12-31T23:59:59", Err(JumpError::NotAfterNow)),
            ("", Err(JumpError::Unreadable(String::new()))),
        ];
        for (input, want) in cases {
            assert_eq!(jump_step(input, now), want, "{input}");
        }
        assert!(matches!(
            jump_step("tomorrow", now),
            Err(JumpError::Unreadable(_))
        ));
        assert!(matches!(
            jump_step("1767229200", now),
            Err(JumpError::Unreadable(_))
        ));
        assert_eq!(input_time(now + 5_250), "2026-01-01T00:00:05");
    }
}
