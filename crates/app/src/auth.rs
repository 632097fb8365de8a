//! Signing in and out, sessions, CSRF tokens, personal access tokens, and sign-in throttling.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use yingke_core::{AccountId, Email, FieldErrors, Role, TokenId, TokenName, UserId};
use yingke_store::{
    AccessTokenRow, Account, Credential, NewSession, Page, Scope, User, accounts, credentials,
};

use crate::{
    App, AppError, AppResult,
    secret::{random_token, token_hash, verify_password},
};

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq)]
pub enum Via {
    /// A browser session; mutations need the CSRF token derived from it.
    Session { id: i64, csrf_token: String },
    /// A personal access token (no CSRF: browsers never attach it on their own).
    Token { id: TokenId },
}

/// An authenticated user acting within their account.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user: User,
    pub via: Via,
}

impl Principal {
    pub fn scope(&self) -> Scope {
        Scope::new(self.user.account_id)
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn user_id(&self) -> UserId {
        self.user.id
    }

    pub fn account_id(&self) -> AccountId {
        self.user.account_id
    }
}

/// Sign-in request as received; the e-mail is validated here so a typo gets a field error.
pub struct LoginInput {
    pub email: String,
    pub password: String,
    pub ip: String,
    pub user_agent: String,
}

/// A new browser session: the cookie value (shown once, stored hashed) and who signed in.
pub struct SessionCreated {
    pub cookie_value: String,
    pub csrf_token: String,
    pub user: User,
    pub account: Account,
}

/// A new access token: the secret (shown once) and its stored record.
pub struct NewToken {
    pub token: String,
    pub record: AccessTokenRow,
}

/// The CSRF token of a session: derived from the cookie's secret, so nothing extra is stored, and
/// a page can only know it by asking the API with the cookie (which other sites cannot read).
pub fn csrf_token_for(cookie_value: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"yingke-csrf\0")
        .chain_update(cookie_value.as_bytes())
        .finalize();
    URL_SAFE_NO_PAD.encode(digest)
}

impl App {
    /// Signs a user in with e-mail and password, refusing with 429 after too many failures for
    /// that e-mail from that IP.
    #[tracing::instrument(skip_all, fields(ip = %input.ip))]
    pub async fn login(&self, input: LoginInput) -> AppResult<SessionCreated> {
        let email =
            Email::parse(&input.email).map_err(|e| FieldErrors::single("email", e.to_string()))?;
        if input.password.is_empty() {
            return Err(FieldErrors::single("password", "must not be empty").into());
        }
        let now = self.now();
        let window_start = now - self.settings.login_window_ms;
        let (failures, oldest) =
            credentials::login_failures_since(&self.db, email.as_str(), &input.ip, window_start)
                .await?;
        if failures >= self.settings.login_max_failures {
            let until = oldest.unwrap_or(now) + self.settings.login_window_ms;
            let secs = (until - now).max(1000) as u64 / 1000;
            return Err(AppError::TooManyAttempts {
                retry_after_secs: secs.max(1),
            });
        }

        let found = yingke_store::users::find_for_login(&self.db, email.as_str()).await?;
        let (user, hash) = match found {
            Some((user, hash)) if user.active => (Some(user), Some(hash)),
            _ => (None, None),
        };
        let ok = verify_password(input.password, hash).await;
        let mut tx = self.db.begin().await?;
        let Some(user) = user.filter(|_| ok) else {
            credentials::record_login_failure(&mut tx, email.as_str(), &input.ip, now).await?;
            tx.commit().await?;
            tracing::info!("sign-in refused");
            return Err(AppError::InvalidCredentials);
        };
        let cookie_value = random_token("");
        let scope = Scope::new(user.account_id);
        credentials::insert_session(
            &mut tx,
            scope,
            NewSession {
                user_id: user.id,
                token_hash: &token_hash(&cookie_value),
                ip: &input.ip,
                user_agent: truncate(&input.user_agent, 300),
                expires_at: now + self.settings.session_ttl_ms,
            },
            now,
        )
        .await?;
        credentials::clear_login_failures(&mut tx, email.as_str(), &input.ip, window_start).await?;
        tx.commit().await?;
        let account = accounts::get(&self.db, user.account_id).await?;
        tracing::info!(user.id = %user.id, "signed in");
        Ok(SessionCreated {
            csrf_token: csrf_token_for(&cookie_value),
            cookie_value,
            user,
            account,
        })
    }

    /// Ends the session behind a cookie value (idempotent).
    pub async fn logout(&self, cookie_value: &str) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        credentials::delete_session(&mut tx, &token_hash(cookie_value)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The principal behind a session cookie, if the session is live and the user active.
    pub async fn principal_from_session(&self, cookie_value: &str) -> AppResult<Principal> {
        match credentials::find_session(&self.db, &token_hash(cookie_value), self.now()).await? {
            Some(Credential::Session { id, user }) => Ok(Principal {
                user,
                via: Via::Session {
                    id,
                    csrf_token: csrf_token_for(cookie_value),
                },
            }),
            _ => Err(AppError::Unauthenticated),
        }
    }

    /// The principal behind a bearer token, if the token is live and the user active.
    pub async fn principal_from_token(&self, token: &str) -> AppResult<Principal> {
        let now = self.now();
        match credentials::find_token(&self.db, &token_hash(token), now).await? {
            Some(Credential::Token { id, user }) => {
                let mut tx = self.db.begin().await?;
                credentials::touch_token(&mut tx, user.account_id, id, now).await?;
                tx.commit().await?;
                Ok(Principal {
                    user,
                    via: Via::Token { id },
                })
            }
            _ => Err(AppError::Unauthenticated),
        }
    }

    /// The principal's account.
    pub async fn account_of(&self, principal: &Principal) -> AppResult<Account> {
        Ok(accounts::get(&self.db, principal.account_id()).await?)
    }

    /// Creates a personal access token for the principal; the secret is returned once.
    pub async fn create_token(
        &self,
        principal: &Principal,
        name: TokenName,
        expires_in_days: Option<u32>,
    ) -> AppResult<NewToken> {
        let now = self.now();
        let token = random_token("yk_");
        let expires_at = expires_in_days.map(|d| now + i64::from(d) * 24 * 3600 * 1000);
        let mut tx = self.db.begin().await?;
        let record = credentials::insert_token(
            &mut tx,
            principal.scope(),
            principal.user_id(),
            name.as_str(),
            &token_hash(&token),
            expires_at,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(NewToken { token, record })
    }

    /// The principal's own tokens (never the secrets).
    pub async fn list_tokens(
        &self,
        principal: &Principal,
        after: i64,
        limit: u32,
    ) -> AppResult<Page<AccessTokenRow>> {
        Ok(credentials::list_tokens(
            &self.db,
            principal.scope(),
            principal.user_id(),
            after,
            limit,
        )
        .await?)
    }

    /// Revokes one of the principal's own tokens.
    pub async fn revoke_token(&self, principal: &Principal, id: TokenId) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        credentials::delete_token(&mut tx, principal.scope(), principal.user_id(), id).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Compares a presented CSRF token with the session's, in constant time.
pub fn csrf_matches(expected: &str, presented: &str) -> bool {
    expected.as_bytes().ct_eq(presented.as_bytes()).into()
}

fn truncate(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_token_depends_on_the_session_and_compares_exactly() {
        let a = csrf_token_for("session-a");
        assert_eq!(a, csrf_token_for("session-a"));
        assert_ne!(a, csrf_token_for("session-b"));
        assert!(csrf_matches(&a, &a));
        assert!(!csrf_matches(&a, &a[1..]));
        assert!(!csrf_matches(&a, ""));
    }

    #[test]
    fn truncate_respects_character_boundaries() {
        assert_eq!(truncate("浏览器浏览器", 3), "浏览器");
        assert_eq!(truncate("ab", 5), "ab");
    }
}
