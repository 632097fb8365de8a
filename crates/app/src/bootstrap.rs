//! First start: an installation with no users gets an account and its owner.

use yingke_core::{AccountId, DomainEvent, Email, Locale, Password, PersonName, Role};
use yingke_store::{Scope, accounts, events, users};

use crate::{App, AppError, AppResult, secret::random_password, users::CreateUser};

/// Who should own the first account.
pub struct FirstOwner {
    pub email: Email,
    /// `None`: generate one and report it once.
    pub password: Option<Password>,
    pub account_name: String,
}

/// What first start did.
#[derive(Debug)]
pub struct Bootstrapped {
    pub account_id: AccountId,
    pub email: String,
    /// Set only when the password was generated: print it once, never log it.
    pub generated_password: Option<String>,
}

const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";

impl App {
    /// Creates the first account and its owner when the installation has no users; otherwise
    /// does nothing and answers `None`.
    pub async fn bootstrap(&self, owner: FirstOwner) -> AppResult<Option<Bootstrapped>> {
        if users::count_all(&self.db).await? > 0 {
            return Ok(None);
        }
        let (password, generated) = match owner.password {
            Some(p) => (p, None),
            None => {
                let p = random_password();
                let parsed = Password::parse(&p).map_err(|e| AppError::Internal(e.0))?;
                (parsed, Some(p))
            }
        };
        let name = owner
            .email
            .as_str()
            .split('@')
            .next()
            .and_then(|local| PersonName::parse(local).ok())
            .unwrap_or_else(|| PersonName::parse("Owner").expect("a constant valid name"));
        let owner_input = CreateUser {
            email: owner.email,
            name,
            role: Role::Owner,
            password,
            locale: Locale::ZhCn,
        };
        let (account_id, user) = self
            .create_account_with_owner(&owner.account_name, owner_input)
            .await?;
        Ok(Some(Bootstrapped {
            account_id,
            email: user.email,
            generated_password: generated,
        }))
    }

    /// The operator creates a tenant and its first owner (first start, `yingke admin
    /// create-account`). The owner's role is forced to owner.
    pub async fn create_account_with_owner(
        &self,
        name: &str,
        owner: CreateUser,
    ) -> AppResult<(AccountId, yingke_store::User)> {
        let account_id = self.create_account(name).await?;
        let user = self
            .create_user_as_operator(
                Some(account_id),
                CreateUser {
                    role: Role::Owner,
                    ..owner
                },
            )
            .await?;
        Ok((account_id, user))
    }

    async fn create_account(&self, name: &str) -> AppResult<AccountId> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let account = accounts::create(&mut tx, name, DEFAULT_TIMEZONE, Locale::ZhCn, now).await?;
        events::append(
            &mut tx,
            Scope::new(account.id),
            None,
            &DomainEvent::AccountCreated,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(account.id)
    }

    /// The installation's only account, or a new one when there is none. With several accounts
    /// the operator must say which.
    pub(crate) async fn only_account_or_create(&self) -> AppResult<AccountId> {
        let ids = accounts::list_ids(&self.db, 2).await?;
        match ids.as_slice() {
            [] => self.create_account("Yingke").await,
            [only] => Ok(*only),
            _ => Err(AppError::Refused {
                field: "account".into(),
                message: "several accounts exist: name one with --account".into(),
            }),
        }
    }
}
