//! Channels (the web widget now; WeChat, WeCom, e-mail and the API channel later share the model)
//! and their structured entry points.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use yingke_core::{DomainEvent, FieldErrors};
use yingke_store::{
    Page,
    channels::{self, Channel, EntryPoint, NewChannel, NewEntryPoint},
    events,
};

use crate::{
    App, AppError, AppResult, Principal, keyring::random_secret_hex, secret::random_token,
};

/// One field of the widget's pre-chat form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// Key of the value: `name`, `email` and `phone` fill the contact; others go to its attributes.
    pub name: String,
    pub label: String,
    /// `text`, `email`, `phone`, `textarea` or `select`.
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    /// Choices of a `select`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// What an admin configures on a web-widget channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WidgetSettings {
    #[serde(default = "default_greeting")]
    pub greeting: String,
    /// `#rrggbb`.
    #[serde(default = "default_colour")]
    pub colour: String,
    /// `zh-CN` or `en`: the widget's default language.
    #[serde(default = "default_locale")]
    pub locale: String,
    #[serde(default)]
    pub pre_chat_form: Vec<FormField>,
}

fn default_greeting() -> String {
    "您好，有什么可以帮您？".into()
}
fn default_colour() -> String {
    "#1677ff".into()
}
fn default_locale() -> String {
    "zh-CN".into()
}

impl Default for WidgetSettings {
    fn default() -> Self {
        Self {
            greeting: default_greeting(),
            colour: default_colour(),
            locale: default_locale(),
            pre_chat_form: Vec::new(),
        }
    }
}

impl WidgetSettings {
    /// Checks every field, naming paths under `prefix` (`settings.pre_chat_form[1].kind`).
    pub fn validate(&self, prefix: &str, errors: &mut FieldErrors) {
        if self.greeting.chars().count() > 500 {
            errors.add(
                format!("{prefix}.greeting"),
                "must be at most 500 characters",
            );
        }
        let c = self.colour.as_bytes();
        if !(c.len() == 7 && c[0] == b'#' && c[1..].iter().all(u8::is_ascii_hexdigit)) {
            errors.add(format!("{prefix}.colour"), "must be a colour like #1677ff");
        }
        if !matches!(self.locale.as_str(), "zh-CN" | "en") {
            errors.add(format!("{prefix}.locale"), "must be one of: zh-CN, en");
        }
        if self.pre_chat_form.len() > 20 {
            errors.add(
                format!("{prefix}.pre_chat_form"),
                "must have at most 20 fields",
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (i, f) in self.pre_chat_form.iter().enumerate() {
            let p = format!("{prefix}.pre_chat_form[{i}]");
            if !is_key(&f.name) {
                errors.add(format!("{p}.name"), "must be 1–40 of a-z, 0-9, _ and -");
            } else if !seen.insert(f.name.clone()) {
                errors.add(format!("{p}.name"), "is used by another field");
            }
            if f.label.trim().is_empty() || f.label.chars().count() > 100 {
                errors.add(format!("{p}.label"), "must be 1–100 characters");
            }
            if !matches!(
                f.kind.as_str(),
                "text" | "email" | "phone" | "textarea" | "select"
            ) {
                errors.add(
                    format!("{p}.kind"),
                    "must be one of: text, email, phone, textarea, select",
                );
            }
            if f.kind == "select" && f.options.is_empty() {
                errors.add(format!("{p}.options"), "a select needs at least one option");
            }
        }
    }
}

/// A short machine key: 1–40 of `a-z`, `0-9`, `_`, `-`.
pub fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A channel with its settings parsed.
#[derive(Debug, Clone)]
pub struct ChannelView {
    pub channel: Channel,
    pub settings: WidgetSettings,
}

impl ChannelView {
    fn of(channel: Channel) -> Self {
        let settings = serde_json::from_value(channel.settings.clone()).unwrap_or_default();
        Self { channel, settings }
    }
}

/// A validated entry point.
pub struct EntryPointInput {
    pub key: String,
    pub name: String,
    pub campaign: String,
    pub ad_plan: String,
    pub business_module: String,
    pub landing_page: String,
}

fn seal_context(public_key: &str) -> String {
    format!("channel-identity:{public_key}")
}

impl App {
    /// An admin adds a web-widget channel; it gets a public key for the snippet and an identity
    /// secret for signing visitor identities.
    pub async fn create_channel(
        &self,
        principal: &Principal,
        name: &str,
        settings: WidgetSettings,
    ) -> AppResult<ChannelView> {
        principal.role().require_admin()?;
        let mut errors = FieldErrors::new();
        let name = errors.check("name", yingke_core::TeamName::parse(name));
        settings.validate("settings", &mut errors);
        errors.finish()?;
        let name = name.expect("validated above");
        let public_key = random_token("ch_").chars().take(27).collect::<String>();
        let sealed = self
            .keys
            .seal(&random_secret_hex(), &seal_context(&public_key));
        let settings_json =
            serde_json::to_value(&settings).map_err(|e| AppError::Internal(e.to_string()))?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let channel = channels::insert(
            &mut tx,
            principal.scope(),
            NewChannel {
                kind: "web_widget",
                name: name.as_str(),
                public_key: &public_key,
                settings: &settings_json,
                identity_secret_sealed: &sealed,
            },
            now,
        )
        .await?;
        let event = DomainEvent::ChannelCreated {
            channel_id: channel.id,
        };
        events::append(
            &mut tx,
            principal.scope(),
            Some(principal.user_id()),
            &event,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(ChannelView::of(channel))
    }

    pub async fn list_channels(
        &self,
        principal: &Principal,
        after: i64,
        limit: u32,
    ) -> AppResult<Page<ChannelView>> {
        let page = channels::list(&self.db, principal.scope(), after, limit).await?;
        Ok(Page {
            items: page.items.into_iter().map(ChannelView::of).collect(),
            next_after: page.next_after,
        })
    }

    pub async fn get_channel(&self, principal: &Principal, id: i64) -> AppResult<ChannelView> {
        Ok(ChannelView::of(
            channels::get(&self.db, principal.scope(), id).await?,
        ))
    }

    /// The identity secret, for the admin to configure their site's server (admins only).
    pub async fn channel_identity_secret(
        &self,
        principal: &Principal,
        id: i64,
    ) -> AppResult<String> {
        principal.role().require_admin()?;
        let ch = channels::get(&self.db, principal.scope(), id).await?;
        self.open_identity_secret(&ch)
    }

    pub(crate) fn open_identity_secret(&self, ch: &Channel) -> AppResult<String> {
        self.keys
            .open(&ch.identity_secret_sealed, &seal_context(&ch.public_key))
            .ok_or_else(|| {
                AppError::Internal("channel secret sealed with another server key".into())
            })
    }

    /// Renames a channel and/or changes some of its settings: keys present in `settings_patch`
    /// replace the current ones, absent keys stay as they are.
    pub async fn update_channel(
        &self,
        principal: &Principal,
        id: i64,
        name: Option<&str>,
        settings_patch: Option<Value>,
    ) -> AppResult<ChannelView> {
        principal.role().require_admin()?;
        let current = channels::get(&self.db, principal.scope(), id).await?;
        let mut errors = FieldErrors::new();
        let name = errors.check_opt("name", name.map(yingke_core::TeamName::parse));
        let settings = match settings_patch {
            None => None,
            Some(Value::Object(patch)) => {
                let mut merged = match current.settings.clone() {
                    Value::Object(m) => m,
                    _ => Default::default(),
                };
                merged.extend(patch);
                match serde_json::from_value::<WidgetSettings>(Value::Object(merged)) {
                    Ok(s) => {
                        s.validate("settings", &mut errors);
                        Some(s)
                    }
                    Err(e) => {
                        errors.add("settings", e.to_string());
                        None
                    }
                }
            }
            Some(_) => {
                errors.add("settings", "must be an object");
                None
            }
        };
        errors.finish()?;
        let settings_json: Option<Value> = settings
            .map(|s| serde_json::to_value(s).map_err(|e| AppError::Internal(e.to_string())))
            .transpose()?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        channels::update(
            &mut tx,
            principal.scope(),
            id,
            name.as_ref().map(|n| n.as_str()),
            settings_json.as_ref(),
            now,
        )
        .await?;
        let event = DomainEvent::ChannelUpdated { channel_id: id };
        events::append(
            &mut tx,
            principal.scope(),
            Some(principal.user_id()),
            &event,
            now,
        )
        .await?;
        tx.commit().await?;
        self.get_channel(principal, id).await
    }

    pub async fn create_entry_point(
        &self,
        principal: &Principal,
        channel_id: i64,
        e: EntryPointInput,
    ) -> AppResult<EntryPoint> {
        principal.role().require_admin()?;
        channels::get(&self.db, principal.scope(), channel_id).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let ep = channels::insert_entry_point(
            &mut tx,
            principal.scope(),
            channel_id,
            NewEntryPoint {
                key: &e.key,
                name: &e.name,
                campaign: &e.campaign,
                ad_plan: &e.ad_plan,
                business_module: &e.business_module,
                landing_page: &e.landing_page,
            },
            now,
        )
        .await?;
        let event = DomainEvent::ChannelUpdated { channel_id };
        events::append(
            &mut tx,
            principal.scope(),
            Some(principal.user_id()),
            &event,
            now,
        )
        .await?;
        crate::audit::setting_changed(
            &mut tx,
            principal,
            yingke_core::SettingArea::EntryPoint,
            yingke_core::SettingAction::Created,
            Some(ep.id),
            Some(&ep.name),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(ep)
    }

    pub async fn list_entry_points(
        &self,
        principal: &Principal,
        channel_id: i64,
    ) -> AppResult<Vec<EntryPoint>> {
        channels::get(&self.db, principal.scope(), channel_id).await?;
        Ok(channels::entry_points(&self.db, principal.scope(), channel_id).await?)
    }

    pub async fn delete_entry_point(
        &self,
        principal: &Principal,
        channel_id: i64,
        id: i64,
    ) -> AppResult<()> {
        principal.role().require_admin()?;
        let now = self.now();
        let name = channels::entry_points(&self.db, principal.scope(), channel_id)
            .await?
            .into_iter()
            .find(|ep| ep.id == id)
            .map(|ep| ep.name);
        let mut tx = self.db.begin().await?;
        channels::delete_entry_point(&mut tx, principal.scope(), channel_id, id).await?;
        crate::audit::setting_changed(
            &mut tx,
            principal,
            yingke_core::SettingArea::EntryPoint,
            yingke_core::SettingAction::Deleted,
            Some(id),
            name.as_deref(),
            now,
        )
        .await?;

        let event = DomainEvent::ChannelUpdated { channel_id };
        events::append(
            &mut tx,
            principal.scope(),
            Some(principal.user_id()),
            &event,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widget_settings_validation_names_paths() {
        let s = WidgetSettings {
            colour: "blue".into(),
            pre_chat_form: vec![
                FormField {
                    name: "Budget".into(),
                    label: "预算".into(),
                    kind: "text".into(),
                    required: true,
                    options: vec![],
                },
                FormField {
                    name: "plan".into(),
                    label: "".into(),
                    kind: "select".into(),
                    required: false,
                    options: vec![],
                },
            ],
            ..Default::default()
        };
        let mut e = FieldErrors::new();
        s.validate("settings", &mut e);
        let fields: Vec<String> = e.into_vec().into_iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            [
                "settings.colour",
                "settings.pre_chat_form[0].name",
                "settings.pre_chat_form[1].label",
                "settings.pre_chat_form[1].options",
            ]
        );
    }
}
