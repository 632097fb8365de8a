//! People of an account: list, create, change, deactivate; and one's own profile.

use yingke_core::{
    AccountId, DomainEvent, Email, FieldErrors, Locale, Password, PersonName, Role, UserId,
};
use yingke_store::{NewUser, Page, Scope, Tx, User, UserPatch, credentials, events, users};

use crate::{
    App, AppError, AppResult, Principal, Via,
    secret::{hash_password, verify_password},
};

/// A validated request to create a user.
pub struct CreateUser {
    pub email: Email,
    pub name: PersonName,
    pub role: Role,
    pub password: Password,
    pub locale: Locale,
}

/// A validated change to a user; `None` leaves a field alone.
#[derive(Default)]
pub struct UpdateUser {
    pub name: Option<PersonName>,
    pub role: Option<Role>,
    pub password: Option<Password>,
    pub locale: Option<Locale>,
    pub active: Option<bool>,
}

/// A validated change to one's own profile. Changing the password needs the current one.
#[derive(Default)]
pub struct UpdateMe {
    pub name: Option<PersonName>,
    pub locale: Option<Locale>,
    pub password: Option<(String, Password)>,
}

impl App {
    /// Everyone in the account may see its people (agents need them to transfer conversations).
    pub async fn list_users(
        &self,
        principal: &Principal,
        after: i64,
        limit: u32,
    ) -> AppResult<Page<User>> {
        Ok(users::list(&self.db, principal.scope(), after, limit).await?)
    }

    pub async fn get_user(&self, principal: &Principal, id: UserId) -> AppResult<User> {
        Ok(users::get(&self.db, principal.scope(), id).await?)
    }

    /// An admin adds a person to the account, with a role no higher than their own.
    #[tracing::instrument(skip_all, fields(actor = %principal.user_id()))]
    pub async fn create_user(&self, principal: &Principal, input: CreateUser) -> AppResult<User> {
        principal.role().require_admin()?;
        principal.role().may_manage(input.role, Some(input.role))?;
        self.insert_user(principal.scope(), Some(principal.user_id()), input)
            .await
    }

    /// The operator on the machine (`yingke admin create-user`) adds a person: to the given
    /// account, or to the only account, creating the first account when there is none.
    pub async fn create_user_as_operator(
        &self,
        account: Option<AccountId>,
        input: CreateUser,
    ) -> AppResult<User> {
        let account = match account {
            Some(a) => yingke_store::accounts::get(&self.db, a).await?.id,
            None => self.only_account_or_create().await?,
        };
        self.insert_user(Scope::new(account), None, input).await
    }

    async fn insert_user(
        &self,
        scope: Scope,
        actor: Option<UserId>,
        input: CreateUser,
    ) -> AppResult<User> {
        let hash = hash_password(input.password.expose().to_owned()).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let user = users::insert(
            &mut tx,
            scope,
            NewUser {
                email: input.email.as_str(),
                name: input.name.as_str(),
                role: input.role,
                locale: input.locale,
                password_hash: &hash,
            },
            now,
        )
        .await?;
        let event = DomainEvent::UserCreated {
            user_id: user.id,
            role: user.role,
        };
        events::append(&mut tx, scope, actor, &event, now).await?;
        tx.commit().await?;
        tracing::info!(user.id = %user.id, role = user.role.as_str(), "user created");
        Ok(user)
    }

    /// An admin changes a person: name, role, language, password, or active state.
    #[tracing::instrument(skip_all, fields(actor = %principal.user_id(), user.id = %id))]
    pub async fn update_user(
        &self,
        principal: &Principal,
        id: UserId,
        input: UpdateUser,
    ) -> AppResult<User> {
        principal.role().require_admin()?;
        let hash = match &input.password {
            Some(p) => Some(hash_password(p.expose().to_owned()).await?),
            None => None,
        };
        let scope = principal.scope();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let before = users::get_in(&mut tx, scope, id).await?;
        principal.role().may_manage(before.role, input.role)?;
        let loses_owner = before.role == Role::Owner
            && before.active
            && (input.role.is_some_and(|r| r != Role::Owner) || input.active == Some(false));
        if loses_owner {
            ensure_another_owner(&mut tx, scope).await?;
        }
        let after = users::update(
            &mut tx,
            scope,
            id,
            UserPatch {
                name: input.name.as_ref().map(PersonName::as_str),
                role: input.role,
                locale: input.locale,
                active: input.active,
                password_hash: hash.as_deref(),
            },
            now,
        )
        .await?;
        // A deactivated user, or one whose password an admin reset, is signed out everywhere.
        if input.active == Some(false) || hash.is_some() {
            credentials::revoke_all_for_user(&mut tx, scope, id).await?;
        }
        let actor = Some(principal.user_id());
        for event in user_events(&before, &after, &input) {
            events::append(&mut tx, scope, actor, &event, now).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Deactivates a person: they can no longer sign in; their history stays.
    pub async fn deactivate_user(&self, principal: &Principal, id: UserId) -> AppResult<()> {
        let change = UpdateUser {
            active: Some(false),
            ..Default::default()
        };
        self.update_user(principal, id, change).await.map(|_| ())
    }

    /// A user changes their own name, language or password.
    pub async fn update_me(&self, principal: &Principal, input: UpdateMe) -> AppResult<User> {
        let scope = principal.scope();
        let id = principal.user_id();
        let hash = match input.password {
            Some((current, new)) => {
                let stored = users::password_hash(&self.db, scope, id).await?;
                if !verify_password(current, Some(stored)).await {
                    return Err(FieldErrors::single(
                        "current_password",
                        "is not your current password",
                    )
                    .into());
                }
                Some(hash_password(new.expose().to_owned()).await?)
            }
            None => None,
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let user = users::update(
            &mut tx,
            scope,
            id,
            UserPatch {
                name: input.name.as_ref().map(PersonName::as_str),
                locale: input.locale,
                password_hash: hash.as_deref(),
                ..Default::default()
            },
            now,
        )
        .await?;
        if hash.is_some() {
            // Other browsers signed in as this user lose their session; this one stays.
            let keep = match &principal.via {
                Via::Session { id, .. } => Some(*id),
                Via::Token { .. } => None,
            };
            credentials::delete_other_sessions(&mut tx, scope, id, keep).await?;
        }
        let mut fields = Vec::new();
        if input.name.is_some() {
            fields.push("name".to_owned());
        }
        if input.locale.is_some() {
            fields.push("locale".to_owned());
        }
        if hash.is_some() {
            fields.push("password".to_owned());
        }
        if !fields.is_empty() {
            let event = DomainEvent::UserUpdated {
                user_id: id,
                fields,
            };
            events::append(&mut tx, scope, Some(id), &event, now).await?;
        }
        tx.commit().await?;
        Ok(user)
    }
}

async fn ensure_another_owner(tx: &mut Tx, scope: Scope) -> AppResult<()> {
    if users::count_active_owners(tx, scope).await? <= 1 {
        return Err(AppError::Refused {
            field: "role".into(),
            message: "the account must keep at least one active owner".into(),
        });
    }
    Ok(())
}

/// The events a change produced: what changed, and activation flips of their own kind.
fn user_events(before: &User, after: &User, input: &UpdateUser) -> Vec<DomainEvent> {
    let mut fields = Vec::new();
    if before.name != after.name {
        fields.push("name".to_owned());
    }
    if before.role != after.role {
        fields.push("role".to_owned());
    }
    if before.locale != after.locale {
        fields.push("locale".to_owned());
    }
    if input.password.is_some() {
        fields.push("password".to_owned());
    }
    let mut out = Vec::new();
    if !fields.is_empty() {
        out.push(DomainEvent::UserUpdated {
            user_id: after.id,
            fields,
        });
    }
    match (before.active, after.active) {
        (true, false) => out.push(DomainEvent::UserDeactivated { user_id: after.id }),
        (false, true) => out.push(DomainEvent::UserReactivated { user_id: after.id }),
        _ => {}
    }
    out
}
