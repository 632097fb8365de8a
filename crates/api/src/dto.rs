//! The shapes the API speaks, with their OpenAPI schemas. Request bodies reject unknown fields and
//! are turned into validated use-case inputs by `validate`, which names every invalid field.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use yingke_app::store;
use yingke_app::{
    teams::UpdateTeam as UpdateTeamInput,
    users::{
        CreateUser as CreateUserInput, UpdateMe as UpdateMeInput, UpdateUser as UpdateUserInput,
    },
};
use yingke_core::{
    Description, Email, FieldErrors, Locale, Password, PersonName, Role, TeamName, TokenName,
};

/// Epoch milliseconds → UTC date-time.
pub fn time_of(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
#[schema(as = Role)]
pub enum RoleDto {
    Owner,
    Admin,
    Supervisor,
    Agent,
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> Self {
        match r {
            Role::Owner => RoleDto::Owner,
            Role::Admin => RoleDto::Admin,
            Role::Supervisor => RoleDto::Supervisor,
            Role::Agent => RoleDto::Agent,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone, Copy)]
#[schema(as = Locale)]
pub enum LocaleDto {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl From<Locale> for LocaleDto {
    fn from(l: Locale) -> Self {
        match l {
            Locale::ZhCn => LocaleDto::ZhCn,
            Locale::En => LocaleDto::En,
        }
    }
}

/// A person who signs in to the account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserDto {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: RoleDto,
    pub locale: LocaleDto,
    /// Deactivated users cannot sign in; their history stays.
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<store::User> for UserDto {
    fn from(u: store::User) -> Self {
        Self {
            id: u.id.0,
            email: u.email,
            name: u.name,
            role: u.role.into(),
            locale: u.locale.into(),
            active: u.active,
            created_at: time_of(u.created_at),
        }
    }
}

/// The tenant.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Account)]
pub struct AccountDto {
    pub id: i64,
    pub name: String,
    /// IANA time zone used for business hours and reports.
    pub timezone: String,
    pub locale: LocaleDto,
}

impl From<store::Account> for AccountDto {
    fn from(a: store::Account) -> Self {
        Self {
            id: a.id.0,
            name: a.name,
            timezone: a.timezone,
            locale: a.locale.into(),
        }
    }
}

/// Who is signed in, and the CSRF token to send as `X-CSRF-Token` on cookie-authenticated changes.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Session)]
pub struct SessionDto {
    pub user: UserDto,
    pub account: AccountDto,
    /// Null when authenticated by a bearer token (no CSRF token needed).
    pub csrf_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Team)]
pub struct TeamDto {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub member_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<store::Team> for TeamDto {
    fn from(t: store::Team) -> Self {
        Self {
            id: t.id.0,
            name: t.name,
            description: t.description,
            member_count: t.member_count,
            created_at: time_of(t.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TeamMember)]
pub struct TeamMemberDto {
    pub team_id: i64,
    pub user: UserDto,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

impl From<store::TeamMember> for TeamMemberDto {
    fn from(m: store::TeamMember) -> Self {
        Self {
            team_id: m.team_id.0,
            user: m.user.into(),
            added_at: time_of(m.added_at),
        }
    }
}

/// A personal access token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AccessToken)]
pub struct AccessTokenDto {
    pub id: i64,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<store::AccessTokenRow> for AccessTokenDto {
    fn from(t: store::AccessTokenRow) -> Self {
        Self {
            id: t.id,
            name: t.name,
            created_at: time_of(t.created_at),
            expires_at: t.expires_at.map(time_of),
            last_used_at: t.last_used_at.map(time_of),
        }
    }
}

/// A token just created: the only time its secret is shown.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NewAccessToken)]
pub struct NewAccessTokenDto {
    #[serde(flatten)]
    pub record: AccessTokenDto,
    /// Send as `Authorization: Bearer <token>`. Shown once; only its hash is stored.
    pub token: String,
}

/// Builds a page from repository rows.
pub fn page<R, T: From<R>>(page: store::Page<R>) -> (Vec<T>, Option<String>) {
    (
        page.items.into_iter().map(T::from).collect(),
        page.next_after.map(|id| id.to_string()),
    )
}

macro_rules! page_type {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; null on the last page.
            pub next_cursor: Option<String>,
        }

        impl<R> From<store::Page<R>> for $name
        where
            $item: From<R>,
        {
            fn from(p: store::Page<R>) -> Self {
                let (items, next_cursor) = page(p);
                Self { items, next_cursor }
            }
        }
    };
}

page_type!(
    /// A page of users.
    UserPage,
    UserDto
);
page_type!(
    /// A page of teams.
    TeamPage,
    TeamDto
);
page_type!(
    /// A page of team members.
    TeamMemberPage,
    TeamMemberDto
);
page_type!(
    /// A page of access tokens.
    AccessTokenPage,
    AccessTokenDto
);

/// `?cursor=…&limit=…` on every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200; 50 when absent.
    pub limit: Option<u32>,
}

impl ListParams {
    /// The id to continue after and the page size, or the field errors.
    pub fn validate(&self) -> Result<(i64, u32), FieldErrors> {
        let mut errors = FieldErrors::new();
        let after = match &self.cursor {
            None => 0,
            Some(c) => errors
                .check(
                    "cursor",
                    c.parse::<i64>()
                        .map_err(|_| "is not a cursor from this API"),
                )
                .unwrap_or(0),
        };
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            errors.add("limit", "must be between 1 and 200");
        }
        errors.finish().map(|()| (after, limit))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub name: String,
    pub role: String,
    /// At least 8 characters.
    pub password: String,
    /// `zh-CN` (default) or `en`.
    pub locale: Option<String>,
}

impl CreateUser {
    pub fn validate(self) -> Result<CreateUserInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let email = e.check("email", Email::parse(&self.email));
        let name = e.check("name", PersonName::parse(&self.name));
        let role = e.check("role", Role::parse(&self.role));
        let password = e.check("password", Password::parse(&self.password));
        let locale = e.check_opt("locale", self.locale.as_deref().map(Locale::parse));
        match (email, name, role, password) {
            (Some(email), Some(name), Some(role), Some(password)) if e.is_empty() => {
                Ok(CreateUserInput {
                    email,
                    name,
                    role,
                    password,
                    locale: locale.unwrap_or_default(),
                })
            }
            _ => Err(e),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub name: Option<String>,
    pub role: Option<String>,
    /// Sets a new password and signs the user out everywhere.
    pub password: Option<String>,
    pub locale: Option<String>,
    /// `false` deactivates (signs out everywhere), `true` reactivates.
    pub active: Option<bool>,
}

impl UpdateUser {
    pub fn validate(self) -> Result<UpdateUserInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let out = UpdateUserInput {
            name: e.check_opt("name", self.name.as_deref().map(PersonName::parse)),
            role: e.check_opt("role", self.role.as_deref().map(Role::parse)),
            password: e.check_opt("password", self.password.as_deref().map(Password::parse)),
            locale: e.check_opt("locale", self.locale.as_deref().map(Locale::parse)),
            active: self.active,
        };
        e.finish().map(|()| out)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    pub name: Option<String>,
    pub locale: Option<String>,
    /// The new password; needs `current_password`.
    pub password: Option<String>,
    pub current_password: Option<String>,
}

impl UpdateMe {
    pub fn validate(self) -> Result<UpdateMeInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check_opt("name", self.name.as_deref().map(PersonName::parse));
        let locale = e.check_opt("locale", self.locale.as_deref().map(Locale::parse));
        let new_password = e.check_opt("password", self.password.as_deref().map(Password::parse));
        let password = match (new_password, self.current_password) {
            (Some(new), Some(current)) => Some((current, new)),
            (Some(_), None) => {
                e.add("current_password", "is required to change the password");
                None
            }
            _ => None,
        };
        e.finish().map(|()| UpdateMeInput {
            name,
            locale,
            password,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeam {
    pub name: String,
    pub description: Option<String>,
}

impl CreateTeam {
    pub fn validate(self) -> Result<(TeamName, Description), FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", TeamName::parse(&self.name));
        let description = e.check_opt(
            "description",
            self.description.as_deref().map(Description::parse),
        );
        match name {
            Some(name) if e.is_empty() => Ok((name, description.unwrap_or_default())),
            _ => Err(e),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTeam {
    pub name: Option<String>,
    pub description: Option<String>,
}

impl UpdateTeam {
    pub fn validate(self) -> Result<UpdateTeamInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let out = UpdateTeamInput {
            name: e.check_opt("name", self.name.as_deref().map(TeamName::parse)),
            description: e.check_opt(
                "description",
                self.description.as_deref().map(Description::parse),
            ),
        };
        e.finish().map(|()| out)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    pub name: String,
    /// 1 to 3650; never expires when absent.
    pub expires_in_days: Option<u32>,
}

impl CreateToken {
    pub fn validate(self) -> Result<(TokenName, Option<u32>), FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", TokenName::parse(&self.name));
        if let Some(d) = self.expires_in_days
            && !(1..=3650).contains(&d)
        {
            e.add("expires_in_days", "must be between 1 and 3650");
        }
        match name {
            Some(name) if e.is_empty() => Ok((name, self.expires_in_days)),
            _ => Err(e),
        }
    }
}

/// `null` and absent differ: absent leaves the field alone (with `#[serde(default)]`), `null`
/// clears it.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
