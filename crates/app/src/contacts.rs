//! Contacts from the agents' side: the profile assembled for the context panel, search, edits,
//! tags and merging.

use serde_json::Value;
use yingke_core::{DomainEvent, Email, FieldErrors, Role, UserId};
use yingke_store::{
    Page,
    contacts::{self, Contact, ContactPatch, PageView},
    events, todos, users,
};

use crate::{
    App, AppError, AppResult, Principal, conversations::check_tag, widget::check_attributes,
};

/// Everything the agent's context panel shows about a contact.
#[derive(Debug, Clone)]
pub struct ContactProfile {
    pub contact: Contact,
    pub tags: Vec<String>,
    pub page_views: Vec<PageView>,
    pub conversation_count: i64,
    /// Derived: the contact has had more than one conversation.
    pub returning: bool,
}

/// A validated change to a contact's profile.
#[derive(Default)]
pub struct ContactUpdate {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub attributes: Option<Value>,
}

impl ContactUpdate {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if let Some(n) = &self.name
            && n.chars().count() > 100
        {
            e.add("name", "must be at most 100 characters");
        }
        if let Some(m) = &self.email
            && !m.is_empty()
            && Email::parse(m).is_err()
        {
            e.add("email", "must be a valid e-mail address");
        }
        if let Some(p) = &self.phone
            && (p.chars().count() > 40
                || !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)))
        {
            e.add("phone", "must be a phone number");
        }
        if let Some(a) = &self.attributes {
            check_attributes(&mut e, "attributes", a);
        }
        e.finish()
    }
}

/// At most this many contacts per import call.
pub const IMPORT_MAX: usize = 1000;

/// One contact of an import from a CRM, matched on its external id.
#[derive(Default)]
pub struct ImportContact {
    pub external_id: String,
    pub profile: ContactUpdate,
    /// Added to the contact's tags (existing tags stay).
    pub tags: Vec<String>,
    /// The contact's owner; `None` leaves it as it is.
    pub owner_id: Option<i64>,
    /// When the CRM saw the attributes change (not after now); the import's time otherwise.
    pub changed_at: Option<i64>,
}

/// What an import did: the contacts' ids in the order given.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    pub created: u32,
    pub updated: u32,
    pub ids: Vec<i64>,
}

impl App {
    pub async fn contact_profile(
        &self,
        principal: &Principal,
        id: i64,
    ) -> AppResult<ContactProfile> {
        let scope = principal.scope();
        let contact = contacts::get(&self.db, scope, id).await?;
        let tags = contacts::tags(&self.db, scope, id).await?;
        let page_views = contacts::page_views(&self.db, scope, id, 50).await?;
        let conversation_count = contacts::conversation_count(&self.db, scope, id).await?;
        Ok(ContactProfile {
            contact,
            tags,
            page_views,
            conversation_count,
            returning: conversation_count > 1,
        })
    }

    /// Live contacts, optionally matching `q` in name, e-mail, phone or external id.
    pub async fn search_contacts(
        &self,
        principal: &Principal,
        q: Option<&str>,
        after: i64,
        limit: u32,
    ) -> AppResult<Page<Contact>> {
        let q = q.map(str::trim).filter(|q| !q.is_empty());
        Ok(contacts::search(&self.db, principal.scope(), q, after, limit).await?)
    }

    pub async fn update_contact(
        &self,
        principal: &Principal,
        id: i64,
        input: ContactUpdate,
    ) -> AppResult<ContactProfile> {
        input.validate()?;
        let scope = principal.scope();
        if let Some(a) = &input.attributes {
            let mut errors = FieldErrors::new();
            self.check_typed_attributes(scope, &mut errors, "attributes", a)
                .await?;
            errors.finish()?;
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let before = contacts::get_in(&mut tx, scope, id).await?;
        let email = input.email.as_deref().map(|e| {
            Email::parse(e)
                .map(|e| e.as_str().to_owned())
                .unwrap_or_default()
        });
        let mut attributes = before.attributes.clone();
        merge_attributes(&mut attributes, input.attributes.as_ref());
        let patch = ContactPatch {
            name: input.name.as_deref().map(str::trim),
            email: email.as_deref(),
            phone: input.phone.as_deref().map(str::trim),
            attributes: input.attributes.as_ref().map(|_| &attributes),
            changed_at: Some(now),
            ..Default::default()
        };
        contacts::update(&mut tx, scope, id, patch, before.last_seen_at).await?;
        let mut fields = Vec::new();
        for (f, set) in [
            ("name", input.name.is_some()),
            ("email", input.email.is_some()),
            ("phone", input.phone.is_some()),
            ("attributes", input.attributes.is_some()),
        ] {
            if set {
                fields.push(f.to_owned());
            }
        }
        events::append(
            &mut tx,
            scope,
            Some(principal.user_id()),
            &DomainEvent::ContactUpdated {
                contact_id: id,
                fields,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.contact_profile(principal, id).await
    }

    /// Creates or updates contacts by external id in one transaction: all of them or, with any
    /// invalid item (named by its path, `contacts[3].email`), none. Admins and API tokens of
    /// admins (a CRM sync).
    pub async fn import_contacts(
        &self,
        principal: &Principal,
        items: Vec<ImportContact>,
    ) -> AppResult<ImportReport> {
        principal.role().require(Role::Admin)?;
        let scope = principal.scope();
        let now = self.now();
        let mut errors = FieldErrors::new();
        if items.is_empty() || items.len() > IMPORT_MAX {
            errors.add("contacts", format!("must hold 1 to {IMPORT_MAX} contacts"));
        }
        let defs = yingke_store::attributes::list(&self.db, scope).await?;
        let mut seen = std::collections::HashSet::new();
        let mut tags = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            let at = |f: &str| format!("contacts[{i}].{f}");
            let ext = it.external_id.trim();
            if ext.is_empty() || ext.chars().count() > 200 {
                errors.add(at("external_id"), "must be 1–200 characters");
            } else if !seen.insert(ext) {
                errors.add(at("external_id"), "appears twice in this import");
            }
            if let Err(e) = it.profile.validate() {
                for f in e.into_vec() {
                    errors.add(at(&f.field), f.message);
                }
            }
            if let Some(a) = &it.profile.attributes {
                crate::attributes::check_against(&defs, &mut errors, &at("attributes"), a);
            }
            let mut checked = Vec::new();
            for (j, t) in it.tags.iter().enumerate() {
                match check_tag(t) {
                    Ok(t) => checked.push(t),
                    Err(_) => errors.add(
                        at(&format!("tags[{j}]")),
                        "must be 1–50 characters without commas",
                    ),
                }
            }
            tags.push(checked);
            if it.changed_at.is_some_and(|c| c <= 0 || c > now) {
                errors.add(at("changed_at"), "must be a time in the past");
            }
        }
        errors.finish()?;
        let mut tx = self.db.begin().await?;
        let mut errors = FieldErrors::new();
        let mut owners = std::collections::HashMap::new();
        for (i, it) in items.iter().enumerate() {
            if let Some(o) = it.owner_id
                && !owners.contains_key(&o)
            {
                let ok = users::get_in(&mut tx, scope, UserId(o))
                    .await
                    .is_ok_and(|u| u.active);
                owners.insert(o, ok);
                if !ok {
                    errors.add(
                        format!("contacts[{i}].owner_id"),
                        "is not an active user of this account",
                    );
                }
            }
        }
        errors.finish()?;
        let mut report = ImportReport {
            created: 0,
            updated: 0,
            ids: Vec::with_capacity(items.len()),
        };
        for (it, tags) in items.iter().zip(tags) {
            let ext = it.external_id.trim();
            let p = &it.profile;
            let email = p.email.as_deref().map(|e| {
                Email::parse(e)
                    .map(|e| e.as_str().to_owned())
                    .unwrap_or_default()
            });
            let changed_at = it.changed_at.unwrap_or(now);
            let (id, event) = match contacts::by_external_id(&mut tx, scope, ext).await? {
                Some(before) => {
                    let mut attributes = before.attributes.clone();
                    merge_attributes(&mut attributes, p.attributes.as_ref());
                    let patch = ContactPatch {
                        name: p.name.as_deref().map(str::trim),
                        email: email.as_deref(),
                        phone: p.phone.as_deref().map(str::trim),
                        attributes: p.attributes.as_ref().map(|_| &attributes),
                        changed_at: Some(changed_at),
                        ..Default::default()
                    };
                    contacts::update(&mut tx, scope, before.id, patch, before.last_seen_at).await?;
                    report.updated += 1;
                    let fields = vec!["import".to_owned()];
                    (
                        before.id,
                        DomainEvent::ContactUpdated {
                            contact_id: before.id,
                            fields,
                        },
                    )
                }
                None => {
                    let mut attributes = Value::Object(Default::default());
                    merge_attributes(&mut attributes, p.attributes.as_ref());
                    let patch = ContactPatch {
                        external_id: Some(ext),
                        name: p.name.as_deref().map(str::trim),
                        email: email.as_deref(),
                        phone: p.phone.as_deref().map(str::trim),
                        attributes: Some(&attributes),
                        ..Default::default()
                    };
                    let c = contacts::insert(&mut tx, scope, patch, now).await?;
                    let keys: Vec<String> = attributes
                        .as_object()
                        .map(|m| m.keys().cloned().collect())
                        .unwrap_or_default();
                    todos::record_attribute_changes(&mut tx, scope, c.id, &keys, changed_at)
                        .await?;
                    report.created += 1;
                    (c.id, DomainEvent::ContactCreated { contact_id: c.id })
                }
            };
            for t in &tags {
                contacts::add_tag(&mut tx, scope, id, t).await?;
            }
            if let Some(o) = it.owner_id {
                todos::set_contact_owner(&mut tx, scope, id, Some(o)).await?;
            }
            events::append(&mut tx, scope, Some(principal.user_id()), &event, now).await?;
            report.ids.push(id);
        }
        crate::audit::setting_changed(
            &mut tx,
            principal,
            yingke_core::SettingArea::ContactImport,
            yingke_core::SettingAction::Run,
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    pub async fn tag_contact(
        &self,
        principal: &Principal,
        id: i64,
        tag: &str,
        on: bool,
    ) -> AppResult<Vec<String>> {
        let tag = check_tag(tag)?;
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        contacts::get_in(&mut tx, scope, id).await?;
        let changed = if on {
            contacts::add_tag(&mut tx, scope, id, &tag).await?
        } else {
            contacts::remove_tag(&mut tx, scope, id, &tag).await?
        };
        if changed {
            let e = DomainEvent::ContactUpdated {
                contact_id: id,
                fields: vec!["tags".into()],
            };
            events::append(&mut tx, scope, Some(principal.user_id()), &e, now).await?;
        }
        tx.commit().await?;
        Ok(contacts::tags(&self.db, scope, id).await?)
    }

    /// Merges contact `from` into `into`: conversations, page views and tags move; `from` stays
    /// as a pointer to `into`. Supervisors and above.
    pub async fn merge_contacts(
        &self,
        principal: &Principal,
        from: i64,
        into: i64,
    ) -> AppResult<ContactProfile> {
        if !principal.role().at_least(yingke_core::Role::Supervisor) {
            return Err(yingke_core::AccessDenied::RoleTooLow.into());
        }
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        // Existence in the caller's account first: another account's id is "not found",
        // whatever else is wrong with the request.
        let b = contacts::get_in(&mut tx, scope, into).await?;
        let a = contacts::get_in(&mut tx, scope, from).await.map_err(|_| {
            AppError::Validation(FieldErrors::single(
                "from_id",
                "is not a contact of this account",
            ))
        })?;
        if from == into {
            return Err(FieldErrors::single("from_id", "must be another contact").into());
        }
        if a.merged_into_id.is_some() || b.merged_into_id.is_some() {
            return Err(AppError::Refused {
                field: "into".into(),
                message: "a merged contact cannot be merged again".into(),
            });
        }
        if a.external_id.is_some() && b.external_id.is_some() && a.external_id != b.external_id {
            return Err(AppError::Refused {
                field: "into".into(),
                message: "both contacts have verified identities".into(),
            });
        }
        contacts::merge(&mut tx, scope, from, into).await?;
        // Keep whatever the survivor lacks.
        let patch = ContactPatch {
            external_id: if b.external_id.is_none() {
                a.external_id.as_deref()
            } else {
                None
            },
            name: (b.name.is_empty() && !a.name.is_empty()).then_some(a.name.as_str()),
            email: (b.email.is_empty() && !a.email.is_empty()).then_some(a.email.as_str()),
            phone: (b.phone.is_empty() && !a.phone.is_empty()).then_some(a.phone.as_str()),
            attributes: None,
            changed_at: None,
        };
        contacts::update(
            &mut tx,
            scope,
            into,
            patch,
            b.last_seen_at.max(a.last_seen_at),
        )
        .await?;
        events::append(
            &mut tx,
            scope,
            Some(principal.user_id()),
            &DomainEvent::ContactMerged { from, into },
            now,
        )
        .await?;
        tx.commit().await?;
        self.contact_profile(principal, into).await
    }
}

/// Merges new custom attributes into a contact's: a `null` value removes its key.
fn merge_attributes(cur: &mut Value, new: Option<&Value>) {
    if let (Some(Value::Object(new)), Value::Object(cur)) = (new, cur) {
        for (k, v) in new {
            if v.is_null() {
                cur.remove(k);
            } else {
                cur.insert(k.clone(), v.clone());
            }
        }
    }
}
