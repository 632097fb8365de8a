//! Typed custom attributes of contacts. An admin defines a key's type (text, number, date,
//! boolean, or a list of choices) once; every value set on a contact — by an agent or by the
//! embedding site's verified identity — is checked against it, and a wrong one is a 422 naming
//! the attribute. Keys without a definition stay free-form.

use serde_json::Value;
use yingke_core::{FieldErrors, SettingAction, SettingArea};
use yingke_store::{
    Scope,
    attributes::{self as repo, AttributeDefinition},
};

use crate::{App, AppResult, Principal};

pub use yingke_core::typed::KINDS;

/// A new attribute, as an admin writes it.
#[derive(Debug, Clone)]
pub struct NewAttribute {
    pub key: String,
    pub label: String,
    pub kind: String,
    pub options: Vec<String>,
}

use yingke_core::typed::is_key as is_attribute_key;

fn check_label(errors: &mut FieldErrors, label: &str) {
    if label.trim().is_empty() || label.chars().count() > 100 {
        errors.add("label", "must be 1–100 characters");
    }
}

fn check_options(errors: &mut FieldErrors, kind: &str, options: &[String]) {
    yingke_core::typed::check_options(errors, "options", kind, options);
}

/// Whether `v` is a valid value of an attribute of this definition (`null` removes a value).
fn value_error(def: &AttributeDefinition, v: &Value) -> Option<String> {
    let options: Vec<&str> = def
        .options
        .0
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    yingke_core::typed::value_error(&def.kind, &options, v)
}

impl App {
    pub async fn list_attribute_definitions(
        &self,
        principal: &Principal,
    ) -> AppResult<Vec<AttributeDefinition>> {
        Ok(repo::list(&self.db, principal.scope()).await?)
    }

    pub async fn create_attribute_definition(
        &self,
        principal: &Principal,
        input: NewAttribute,
    ) -> AppResult<AttributeDefinition> {
        principal.role().require_admin()?;
        let mut errors = FieldErrors::new();
        if !is_attribute_key(&input.key) {
            errors.add("key", "must be 1–40 of a-z, 0-9, _ and -");
        }
        check_label(&mut errors, &input.label);
        if !KINDS.contains(&input.kind.as_str()) {
            errors.add("kind", "must be one of: text, number, date, boolean, list");
        }
        check_options(&mut errors, &input.kind, &input.options);
        errors.finish()?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let d = repo::insert(
            &mut tx,
            principal.scope(),
            &input.key,
            input.label.trim(),
            &input.kind,
            &Value::from(input.options),
            now,
        )
        .await?;
        crate::audit::setting_changed(
            &mut tx,
            principal,
            SettingArea::AttributeDefinition,
            SettingAction::Created,
            Some(d.id),
            Some(&d.label),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Changes an attribute's label or choices; key and type stay.
    pub async fn update_attribute_definition(
        &self,
        principal: &Principal,
        id: i64,
        label: Option<String>,
        options: Option<Vec<String>>,
    ) -> AppResult<AttributeDefinition> {
        principal.role().require_admin()?;
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let before = repo::get_in(&mut tx, scope, id).await?;
        let mut errors = FieldErrors::new();
        if let Some(l) = &label {
            check_label(&mut errors, l);
        }
        if let Some(o) = &options {
            check_options(&mut errors, &before.kind, o);
        }
        errors.finish()?;
        let options = options.map(Value::from);
        let d = repo::update(
            &mut tx,
            scope,
            id,
            label.as_deref().map(str::trim),
            options.as_ref(),
            now,
        )
        .await?;
        crate::audit::setting_changed(
            &mut tx,
            principal,
            SettingArea::AttributeDefinition,
            SettingAction::Updated,
            Some(d.id),
            Some(&d.label),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    pub async fn delete_attribute_definition(
        &self,
        principal: &Principal,
        id: i64,
    ) -> AppResult<()> {
        principal.role().require_admin()?;
        let mut tx = self.db.begin().await?;
        let before = repo::get_in(&mut tx, principal.scope(), id).await?;
        repo::delete(&mut tx, principal.scope(), id).await?;
        crate::audit::setting_changed(
            &mut tx,
            principal,
            SettingArea::AttributeDefinition,
            SettingAction::Deleted,
            Some(id),
            Some(&before.label),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks the defined attributes in `v` (an object) against their types, naming each
    /// wrong one under `field` (`attributes.plan`).
    pub(crate) async fn check_typed_attributes(
        &self,
        scope: Scope,
        errors: &mut FieldErrors,
        field: &str,
        v: &Value,
    ) -> AppResult<()> {
        if v.as_object().is_some_and(|m| !m.is_empty()) {
            let defs = repo::list(&self.db, scope).await?;
            check_against(&defs, errors, field, v);
        }
        Ok(())
    }
}

/// [`App::check_typed_attributes`] against definitions already read (an import checks many
/// contacts against one read).
pub(crate) fn check_against(
    defs: &[repo::AttributeDefinition],
    errors: &mut FieldErrors,
    field: &str,
    v: &Value,
) {
    for (k, val) in v.as_object().into_iter().flatten() {
        if let Some(def) = defs.iter().find(|d| &d.key == k)
            && let Some(msg) = value_error(def, val)
        {
            errors.add(format!("{field}.{k}"), msg);
        }
    }
}
