//! What each integration of a receiver may hold and needs: its fields,
//! whether it sends resolved alerts by default, and Alertmanager's checks
//! of what it needs (from its own fields or from `global`), with
//! Alertmanager's messages; and the `global` settings.

use super::{GlobalConfig, IntegrationKind};
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) struct IntegrationSpec {
    pub(super) kind: IntegrationKind,
    pub(super) name: &'static str,
    pub(super) key: &'static str,
    pub(super) send_resolved: bool,
    /// Fields besides `send_resolved` and `http_config`.
    pub(super) fields: &'static [&'static str],
    /// Alertmanager's check of what the integration needs, with the
    /// global config at hand.
    pub(super) check: fn(&BTreeMap<String, Value>, &GlobalConfig) -> Result<(), String>,
}

pub(super) const INTEGRATIONS: &[IntegrationSpec] = &[
    IntegrationSpec {
        kind: IntegrationKind::Webhook,
        name: "webhook",
        key: "webhook_configs",
        send_resolved: true,
        fields: &["url", "url_file", "max_alerts", "timeout"],
        check: |_, _| Ok(()),
    },
    IntegrationSpec {
        kind: IntegrationKind::Email,
        name: "email",
        key: "email_configs",
        send_resolved: false,
        fields: &[
            "to",
            "from",
            "hello",
            "smarthost",
            "auth_username",
            "auth_password",
            "auth_password_file",
            "auth_secret",
            "auth_secret_file",
            "auth_identity",
            "headers",
            "html",
            "text",
            "require_tls",
            "tls_config",
            "force_implicit_tls",
            "threading",
        ],
        check: |f, g| {
            if !has(f, "to") {
                return Err("missing to address in email config".into());
            }
            if !has(f, "smarthost") && !g.other.contains_key("smtp_smarthost") {
                return Err("no global SMTP smarthost set".into());
            }
            if !has(f, "from") && !g.other.contains_key("smtp_from") {
                return Err("no global SMTP from set".into());
            }
            Ok(())
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Slack,
        name: "slack",
        key: "slack_configs",
        send_resolved: false,
        fields: &[
            "api_url",
            "api_url_file",
            "app_token",
            "app_token_file",
            "app_url",
            "channel",
            "username",
            "color",
            "title",
            "title_link",
            "pretext",
            "text",
            "fields",
            "short_fields",
            "footer",
            "fallback",
            "callback_id",
            "icon_emoji",
            "icon_url",
            "image_url",
            "thumb_url",
            "link_names",
            "mrkdwn_in",
            "actions",
            "timeout",
        ],
        check: |f, g| {
            let local = ["api_url", "api_url_file", "app_token", "app_token_file"];
            let global = [
                "slack_api_url",
                "slack_api_url_file",
                "slack_app_token",
                "slack_app_token_file",
            ];
            if local.iter().any(|k| has(f, k)) || global.iter().any(|k| g.other.contains_key(*k)) {
                Ok(())
            } else {
                Err("no Slack API URL nor App token set either inline or in a file".into())
            }
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Pagerduty,
        name: "pagerduty",
        key: "pagerduty_configs",
        send_resolved: true,
        fields: &[
            "service_key",
            "service_key_file",
            "routing_key",
            "routing_key_file",
            "url",
            "client",
            "client_url",
            "description",
            "details",
            "images",
            "links",
            "source",
            "severity",
            "class",
            "component",
            "group",
            "timeout",
        ],
        check: |f, _| {
            if [
                "routing_key",
                "service_key",
                "routing_key_file",
                "service_key_file",
            ]
            .iter()
            .any(|k| has(f, k))
            {
                Ok(())
            } else {
                Err("missing service or routing key in PagerDuty config".into())
            }
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Opsgenie,
        name: "opsgenie",
        key: "opsgenie_configs",
        send_resolved: true,
        fields: &[
            "api_key",
            "api_key_file",
            "api_url",
            "message",
            "description",
            "source",
            "details",
            "entity",
            "responders",
            "actions",
            "tags",
            "note",
            "priority",
            "update_alerts",
        ],
        check: |f, g| {
            if has(f, "api_key")
                || has(f, "api_key_file")
                || g.other.contains_key("opsgenie_api_key")
                || g.other.contains_key("opsgenie_api_key_file")
            {
                Ok(())
            } else {
                Err("no global OpsGenie API Key set either inline or in a file".into())
            }
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Wechat,
        name: "wechat",
        key: "wechat_configs",
        send_resolved: false,
        fields: &[
            "api_secret",
            "api_secret_file",
            "corp_id",
            "message",
            "api_url",
            "to_user",
            "to_party",
            "to_tag",
            "agent_id",
            "message_type",
        ],
        check: |f, g| {
            if !(has(f, "api_secret")
                || has(f, "api_secret_file")
                || g.other.contains_key("wechat_api_secret")
                || g.other.contains_key("wechat_api_secret_file"))
            {
                return Err("no global Wechat Api Secret set either inline or in a file".into());
            }
            if !has(f, "corp_id") && !g.other.contains_key("wechat_api_corp_id") {
                return Err("no global Wechat CorpID set".into());
            }
            Ok(())
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Pushover,
        name: "pushover",
        key: "pushover_configs",
        send_resolved: true,
        fields: &[
            "user_key",
            "user_key_file",
            "token",
            "token_file",
            "title",
            "message",
            "url",
            "url_title",
            "device",
            "sound",
            "priority",
            "retry",
            "expire",
            "ttl",
            "html",
            "monospace",
        ],
        check: |f, _| {
            if !has(f, "user_key") && !has(f, "user_key_file") {
                return Err("one of user_key or user_key_file must be configured".into());
            }
            if !has(f, "token") && !has(f, "token_file") {
                return Err("one of token or token_file must be configured".into());
            }
            Ok(())
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Victorops,
        name: "victorops",
        key: "victorops_configs",
        send_resolved: true,
        fields: &[
            "api_key",
            "api_key_file",
            "api_url",
            "routing_key",
            "message_type",
            "state_message",
            "entity_display_name",
            "monitoring_tool",
            "custom_fields",
        ],
        check: |f, g| {
            if !has(f, "routing_key") {
                return Err("missing Routing key in VictorOps config".into());
            }
            if !(has(f, "api_key")
                || has(f, "api_key_file")
                || g.other.contains_key("victorops_api_key")
                || g.other.contains_key("victorops_api_key_file"))
            {
                return Err("no global VictorOps API Key set".into());
            }
            Ok(())
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Sns,
        name: "sns",
        key: "sns_configs",
        send_resolved: true,
        fields: &[
            "api_url",
            "sigv4",
            "topic_arn",
            "phone_number",
            "target_arn",
            "subject",
            "message",
            "attributes",
        ],
        check: |f, _| {
            let n = ["target_arn", "topic_arn", "phone_number"]
                .iter()
                .filter(|k| has(f, k))
                .count();
            if n == 0 {
                Err(
                    "must provide either a Target ARN, Topic ARN, or Phone Number for SNS config"
                        .into(),
                )
            } else {
                Ok(())
            }
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Telegram,
        name: "telegram",
        key: "telegram_configs",
        send_resolved: true,
        fields: &[
            "api_url",
            "bot_token",
            "bot_token_file",
            "chat_id",
            "chat_id_file",
            "message_thread_id",
            "message",
            "disable_notifications",
            "parse_mode",
        ],
        check: |f, _| {
            if !has(f, "chat_id") && !has(f, "chat_id_file") {
                return Err("missing chat_id or chat_id_file on telegram_config".into());
            }
            if !has(f, "bot_token") && !has(f, "bot_token_file") {
                return Err("missing bot_token or bot_token_file on telegram_config".into());
            }
            Ok(())
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Discord,
        name: "discord",
        key: "discord_configs",
        send_resolved: true,
        fields: &[
            "webhook_url",
            "webhook_url_file",
            "content",
            "title",
            "message",
            "username",
            "avatar_url",
        ],
        check: |f, _| webhook_url_required(f),
    },
    IntegrationSpec {
        kind: IntegrationKind::Webex,
        name: "webex",
        key: "webex_configs",
        send_resolved: true,
        fields: &["api_url", "message", "room_id"],
        check: |f, _| {
            if !has(f, "room_id") {
                return Err("missing room_id on webex_config".into());
            }
            let auth = f
                .get("http_config")
                .and_then(|h| h.get("authorization"))
                .is_some_and(|a| !a.is_null());
            if !auth {
                return Err("missing webex_configs.http_config.authorization".into());
            }
            Ok(())
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Msteams,
        name: "msteams",
        key: "msteams_configs",
        send_resolved: true,
        fields: &[
            "webhook_url",
            "webhook_url_file",
            "title",
            "summary",
            "text",
        ],
        check: |f, _| webhook_url_required(f),
    },
    IntegrationSpec {
        kind: IntegrationKind::Msteamsv2,
        name: "msteamsv2",
        key: "msteamsv2_configs",
        send_resolved: true,
        fields: &["webhook_url", "webhook_url_file", "title", "text"],
        check: |f, _| webhook_url_required(f),
    },
    IntegrationSpec {
        kind: IntegrationKind::Jira,
        name: "jira",
        key: "jira_configs",
        send_resolved: true,
        fields: &[
            "api_url",
            "api_type",
            "project",
            "summary",
            "description",
            "labels",
            "priority",
            "issue_type",
            "reopen_transition",
            "resolve_transition",
            "wont_fix_resolution",
            "reopen_duration",
            "fields",
        ],
        check: |f, g| {
            if !has(f, "project") {
                return Err("missing project in jira_config".into());
            }
            if !has(f, "issue_type") {
                return Err("missing issue_type in jira_config".into());
            }
            if !has(f, "api_url") && !g.other.contains_key("jira_api_url") {
                return Err("no global Jira Cloud URL set".into());
            }
            Ok(())
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Rocketchat,
        name: "rocketchat",
        key: "rocketchat_configs",
        send_resolved: false,
        fields: &[
            "api_url",
            "token_id",
            "token_id_file",
            "token",
            "token_file",
            "channel",
            "color",
            "title",
            "title_link",
            "text",
            "fields",
            "short_fields",
            "emoji",
            "icon_url",
            "image_url",
            "thumb_url",
            "link_names",
            "actions",
        ],
        check: |f, g| {
            if !(has(f, "token_id")
                || has(f, "token_id_file")
                || g.other.contains_key("rocketchat_token_id")
                || g.other.contains_key("rocketchat_token_id_file"))
            {
                return Err("no global Rocketchat TokenID set either inline or in a file".into());
            }
            if !(has(f, "token")
                || has(f, "token_file")
                || g.other.contains_key("rocketchat_token")
                || g.other.contains_key("rocketchat_token_file"))
            {
                return Err("no global Rocketchat Token set either inline or in a file".into());
            }
            Ok(())
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Mattermost,
        name: "mattermost",
        key: "mattermost_configs",
        send_resolved: true,
        fields: &[
            "webhook_url",
            "webhook_url_file",
            "channel",
            "username",
            "text",
            "icon_url",
            "icon_emoji",
            "attachments",
            "props",
            "priority",
        ],
        check: |f, _| {
            if has(f, "webhook_url") || has(f, "webhook_url_file") {
                Ok(())
            } else {
                Err("missing webhook_url or webhook_url_file on mattermost_config".into())
            }
        },
    },
    IntegrationSpec {
        kind: IntegrationKind::Incidentio,
        name: "incidentio",
        key: "incidentio_configs",
        send_resolved: true,
        fields: &[
            "url",
            "url_file",
            "alert_source_token",
            "alert_source_token_file",
            "max_alerts",
            "timeout",
        ],
        check: |f, _| {
            if has(f, "url") || has(f, "url_file") {
                Ok(())
            } else {
                Err("one of url or url_file must be configured".into())
            }
        },
    },
];

pub(super) fn spec(kind: IntegrationKind) -> &'static IntegrationSpec {
    INTEGRATIONS
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or(&INTEGRATIONS[0])
}

/// A field set to something other than null or an empty string.
pub(super) fn has(f: &BTreeMap<String, Value>, key: &str) -> bool {
    match f.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(_) => true,
    }
}

fn webhook_url_required(f: &BTreeMap<String, Value>) -> Result<(), String> {
    if has(f, "webhook_url") || has(f, "webhook_url_file") {
        Ok(())
    } else {
        Err("one of webhook_url or webhook_url_file must be configured".into())
    }
}

/// Global settings besides `resolve_timeout` that Alertmanager 0.33 knows.
pub(super) const GLOBAL_FIELDS: &[&str] = &[
    "http_config",
    "smtp_from",
    "smtp_hello",
    "smtp_smarthost",
    "smtp_auth_username",
    "smtp_auth_password",
    "smtp_auth_password_file",
    "smtp_auth_secret",
    "smtp_auth_secret_file",
    "smtp_auth_identity",
    "smtp_require_tls",
    "smtp_tls_config",
    "smtp_force_implicit_tls",
    "slack_api_url",
    "slack_api_url_file",
    "slack_app_token",
    "slack_app_token_file",
    "slack_app_url",
    "pagerduty_url",
    "opsgenie_api_url",
    "opsgenie_api_key",
    "opsgenie_api_key_file",
    "wechat_api_url",
    "wechat_api_secret",
    "wechat_api_secret_file",
    "wechat_api_corp_id",
    "victorops_api_url",
    "victorops_api_key",
    "victorops_api_key_file",
    "telegram_api_url",
    "telegram_bot_token",
    "telegram_bot_token_file",
    "webex_api_url",
    "jira_api_url",
    "rocketchat_api_url",
    "rocketchat_token",
    "rocketchat_token_file",
    "rocketchat_token_id",
    "rocketchat_token_id_file",
    "mattermost_webhook_url",
    "mattermost_webhook_url_file",
];
