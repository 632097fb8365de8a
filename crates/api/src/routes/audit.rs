//! The audit trail of administration: who changed people, teams, channels, routing and settings,
//! and when (admins and owners).

use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::{
    audit::{AuditEntry, AuditPage, AuditQuery},
    store::events::AUDIT_KINDS,
};
use yingke_core::{FieldErrors, SettingArea, UserId};

use crate::{
    auth::Auth,
    dto::time_of,
    error::{ApiResult, ErrorEnvelope},
    extract::Params,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_log))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AuditEntry)]
pub struct AuditEntryDto {
    /// The entry's place in the trail; newer entries have larger numbers.
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who made the change; `null` for the server itself (the first owner at setup).
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    /// `user_created`, `user_updated`, `user_deactivated`, `user_reactivated`, `team_created`,
    /// `team_updated`, `team_deleted`, `team_member_added`, `team_member_removed`,
    /// `channel_created`, `channel_updated`, `routing_rule_changed` or `setting_changed`.
    pub kind: String,
    /// What the change was about: `user:4`, `team:2`, `sla_policy:7`, `routing_settings`.
    pub subject: String,
    /// The subject's name: as it is now for people, teams, channels and routing rules (absent
    /// once deleted), as it was at the change for settings.
    pub subject_name: Option<String>,
    /// The person added to or removed from a team.
    pub member_name: Option<String>,
    /// The change as recorded: for `setting_changed` `area`, `action` (`created`, `updated`,
    /// `deleted`, `run`), `id` and `name`; for `user_updated` and `team_updated` the `fields`
    /// changed; for `routing_rule_changed` the `change`.
    pub details: serde_json::Value,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        Self {
            seq: e.seq,
            at: time_of(e.at),
            actor_id: e.actor_id.map(|a| a.0),
            actor_name: e.actor_name,
            kind: e.kind,
            subject: e.subject,
            subject_name: e.subject_name,
            member_name: e.member_name,
            details: e.details,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AuditPage)]
pub struct AuditPageDto {
    /// Newest first.
    pub items: Vec<AuditEntryDto>,
    /// Pass as `before` for the next (older) page; `null` on the last page.
    pub next_before: Option<i64>,
}

impl From<AuditPage> for AuditPageDto {
    fn from(p: AuditPage) -> Self {
        Self {
            items: p.items.into_iter().map(Into::into).collect(),
            next_before: p.next_before,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Entries older than this one (the previous page's `next_before`).
    pub before: Option<i64>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u32>,
    /// Only this person's changes.
    pub actor_id: Option<i64>,
    /// Only these kinds, comma-separated (`user_created,user_updated`).
    pub kind: Option<String>,
    /// Only changes to this kind of setting (`sla_policy`, `notice_template`, …).
    pub area: Option<String>,
}

impl AuditParams {
    fn validate(&self) -> Result<AuditQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            errors.add("limit", "must be between 1 and 200");
        }
        if self.before.is_some_and(|b| b < 1) {
            errors.add("before", "must be a positive entry number");
        }
        if self.actor_id.is_some_and(|a| a < 1) {
            errors.add("actor_id", "must be a positive user id");
        }
        let mut kinds = Vec::new();
        if let Some(raw) = &self.kind {
            for k in raw.split(',').map(str::trim) {
                if AUDIT_KINDS.contains(&k) {
                    if !kinds.iter().any(|known: &String| known == k) {
                        kinds.push(k.to_owned());
                    }
                } else {
                    errors.add(
                        "kind",
                        format!(
                            "must be a comma-separated list of: {}",
                            AUDIT_KINDS.join(", ")
                        ),
                    );
                    break;
                }
            }
        }
        let area = match self.area.as_deref() {
            None => None,
            Some(raw) => {
                let area = SettingArea::parse(raw);
                if area.is_none() {
                    let names: Vec<&str> = SettingArea::ALL.iter().map(|a| a.as_str()).collect();
                    errors.add("area", format!("must be one of: {}", names.join(", ")));
                }
                area
            }
        };
        errors.finish()?;
        Ok(AuditQuery {
            before: self.before,
            actor: self.actor_id.map(UserId),
            kinds,
            area,
            limit,
        })
    }
}

/// The audit trail (admins and owners): administrators' changes to people, teams, channels,
/// routing and settings, newest first. Each entry was written in the same transaction as the
/// change it records.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", params(AuditParams),
    responses((status = 200, body = AuditPageDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn audit_log(
    State(state): State<AppState>,
    Auth(p): Auth,
    Params(q): Params<AuditParams>,
) -> ApiResult<Json<AuditPageDto>> {
    let query = q.validate()?;
    Ok(Json(state.app.audit_log(&p, &query).await?.into()))
}
