//! Canned responses: prepared replies with variables, inserted by short code.

use std::collections::HashMap;

use yingke_core::{FieldErrors, Role, template};
use yingke_store::canned::{self, CannedResponse};

use crate::{App, AppResult, Principal, channels::is_key};

fn check(code: Option<&str>, content: Option<&str>) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if let Some(c) = code
        && !is_key(c)
    {
        e.add("short_code", "must be 1–40 of a-z, 0-9, _ and -");
    }
    if let Some(t) = content {
        if t.trim().is_empty() || t.chars().count() > 5000 {
            e.add("content", "must be 1–5000 characters");
        } else if let Err(m) = template::validate(t) {
            e.add("content", m);
        }
    }
    e.finish()
}

impl App {
    /// Everyone may use them; supervisors and above manage them.
    pub async fn list_canned(
        &self,
        principal: &Principal,
        prefix: &str,
    ) -> AppResult<Vec<CannedResponse>> {
        Ok(canned::list(&self.db, principal.scope(), prefix).await?)
    }

    pub async fn create_canned(
        &self,
        principal: &Principal,
        code: &str,
        content: &str,
    ) -> AppResult<CannedResponse> {
        principal.role().require(Role::Supervisor)?;
        check(Some(code), Some(content))?;
        let mut tx = self.db.begin().await?;
        let c = canned::insert(&mut tx, principal.scope(), code, content, self.now()).await?;
        crate::audit::setting_changed(
            &mut tx,
            principal,
            yingke_core::SettingArea::CannedResponse,
            yingke_core::SettingAction::Created,
            Some(c.id),
            Some(&c.short_code),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn update_canned(
        &self,
        principal: &Principal,
        id: i64,
        code: Option<&str>,
        content: Option<&str>,
    ) -> AppResult<CannedResponse> {
        principal.role().require(Role::Supervisor)?;
        check(code, content)?;
        let mut tx = self.db.begin().await?;
        let c = canned::update(&mut tx, principal.scope(), id, code, content, self.now()).await?;
        crate::audit::setting_changed(
            &mut tx,
            principal,
            yingke_core::SettingArea::CannedResponse,
            yingke_core::SettingAction::Updated,
            Some(c.id),
            Some(&c.short_code),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn delete_canned(&self, principal: &Principal, id: i64) -> AppResult<()> {
        principal.role().require(Role::Supervisor)?;
        let before = canned::get(&self.db, principal.scope(), id).await?;
        let mut tx = self.db.begin().await?;
        canned::delete(&mut tx, principal.scope(), id).await?;
        crate::audit::setting_changed(
            &mut tx,
            principal,
            yingke_core::SettingArea::CannedResponse,
            yingke_core::SettingAction::Deleted,
            Some(id),
            Some(&before.short_code),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A canned response filled in for a conversation: the contact's name, the agent's name…
    pub async fn render_canned(
        &self,
        principal: &Principal,
        conversation_id: i64,
        id: i64,
    ) -> AppResult<String> {
        let scope = principal.scope();
        let (conv, _) = self.get_conversation(principal, conversation_id).await?;
        let c = canned::get(&self.db, scope, id).await?;
        let contact = yingke_store::contacts::get(&self.db, scope, conv.contact_id).await?;
        let account = yingke_store::accounts::get(&self.db, principal.account_id()).await?;
        let channel = yingke_store::channels::get(&self.db, scope, conv.channel_id).await?;
        let values = HashMap::from([
            ("contact.name", contact.name),
            ("contact.email", contact.email),
            ("contact.phone", contact.phone),
            ("agent.name", principal.user.name.clone()),
            ("conversation.number", conv.number.to_string()),
            ("account.name", account.name),
            ("channel.name", channel.name),
        ]);
        template::render(&c.content, &values).map_err(|m| FieldErrors::single("content", m).into())
    }
}
