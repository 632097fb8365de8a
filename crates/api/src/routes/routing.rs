//! Routing: rules, settings, agents' state, team defaults, the queue, decisions with their
//! traces, and `simulate` ("who would get this conversation now, and why").

use std::collections::BTreeMap;

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use yingke_app::routing::{
    AgentInput, AgentView, DecisionView, QueueEntry, RouteInput, RoutingSettings, RuleInput,
    RuleView, SettingsInput, SimulateInput, TeamRoutingInput,
};
use yingke_core::{
    CalendarSpec, FieldErrors, TeamId, UserId,
    condition::{FieldKind, ROUTING_FIELDS},
    routing::Route,
};

use crate::{
    auth::Auth,
    dto::time_of,
    error::{ApiResult, ErrorEnvelope},
    extract::Ids,
    json::Body,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(get_rule, replace_rule, delete_rule))
        .routes(routes!(get_settings, update_settings))
        .routes(routes!(routing_fields))
        .routes(routes!(simulate))
        .routes(routes!(queue))
        .routes(routes!(list_agents))
        .routes(routes!(update_agent))
        .routes(routes!(update_my_status))
        .routes(routes!(get_team_routing, put_team_routing))
        .routes(routes!(conversation_routing))
}

fn yes() -> bool {
    true
}

fn one() -> i64 {
    1
}

/// How candidates are ordered.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StrategyName {
    /// Lowest load ÷ capacity.
    LeastLoad,
    /// Assigned longest ago.
    RoundRobin,
    /// Inactive longest.
    LongestIdle,
    /// Best first response and resolution on the conversation's tags, damped by load.
    PerformanceWeighted,
}

impl StrategyName {
    fn as_str(self) -> &'static str {
        match self {
            Self::LeastLoad => "least_load",
            Self::RoundRobin => "round_robin",
            Self::LongestIdle => "longest_idle",
            Self::PerformanceWeighted => "performance_weighted",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorityName {
    Low,
    Normal,
    High,
    Urgent,
}

impl PriorityName {
    fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    fn from_level(p: i64) -> Self {
        match p {
            i64::MIN..=0 => Self::Low,
            1 => Self::Normal,
            2 => Self::High,
            _ => Self::Urgent,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillDto {
    pub name: String,
    /// Minimum proficiency 1–5.
    #[serde(default = "one")]
    pub min: i64,
}

/// Where matching conversations go and how the agent is chosen.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteDto {
    /// Teams whose members may take the conversation; empty means every agent.
    #[serde(default)]
    pub teams: Vec<i64>,
    /// A dedicated agent tried first (VIP routing); falls back to the teams.
    #[serde(default)]
    pub agent_id: Option<i64>,
    /// Skills every candidate needs.
    #[serde(default)]
    pub skills: Vec<SkillDto>,
    #[serde(default = "least_load")]
    pub strategy: StrategyName,
    /// Raises the conversation's priority.
    #[serde(default)]
    pub priority: Option<PriorityName>,
    /// Tags added to the conversation.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Sent to the visitor when nobody can take the conversation yet.
    #[serde(default)]
    pub offline_notice: Option<String>,
    /// A returning contact goes back to their last agent when available.
    #[serde(default = "yes")]
    pub sticky: bool,
}

fn least_load() -> StrategyName {
    StrategyName::LeastLoad
}

impl RouteDto {
    fn input(self) -> RouteInput {
        RouteInput {
            teams: self.teams,
            agent_id: self.agent_id,
            skills: self.skills.into_iter().map(|s| (s.name, s.min)).collect(),
            strategy: Some(self.strategy.as_str().to_owned()),
            priority: self.priority.map(|p| p.as_str().to_owned()),
            tags: self.tags,
            offline_notice: self.offline_notice,
            sticky: Some(self.sticky),
        }
    }
}

impl From<&Route> for RouteDto {
    fn from(r: &Route) -> Self {
        Self {
            teams: r.teams.clone(),
            agent_id: r.agent,
            skills: r
                .skills
                .iter()
                .map(|s| SkillDto {
                    name: s.name.clone(),
                    min: i64::from(s.min),
                })
                .collect(),
            strategy: match r.strategy {
                yingke_core::routing::Strategy::LeastLoad => StrategyName::LeastLoad,
                yingke_core::routing::Strategy::RoundRobin => StrategyName::RoundRobin,
                yingke_core::routing::Strategy::LongestIdle => StrategyName::LongestIdle,
                yingke_core::routing::Strategy::PerformanceWeighted => {
                    StrategyName::PerformanceWeighted
                }
            },
            priority: r.priority.map(PriorityName::from_level),
            tags: r.tags.clone(),
            offline_notice: r.offline_notice.clone(),
            sticky: r.sticky,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RoutingRule)]
pub struct RuleDto {
    pub id: i64,
    /// Rules are evaluated by ascending position; the first match wins.
    pub position: i64,
    pub name: String,
    pub enabled: bool,
    /// The condition tree: `{all: [...]}`, `{any: [...]}`, `{not: {...}}` or
    /// `{field, op, value}` (fields: `GET /api/v1/routing/fields`).
    #[schema(value_type = Object)]
    pub conditions: Value,
    pub route: RouteDto,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<RuleView> for RuleDto {
    fn from(r: RuleView) -> Self {
        Self {
            id: r.id,
            position: r.position,
            name: r.name,
            enabled: r.enabled,
            conditions: r.conditions,
            route: (&r.route).into(),
            created_at: time_of(r.created_at),
            updated_at: time_of(r.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleList {
    pub items: Vec<RuleDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveRule {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Where the rule goes in the order; after the last when absent.
    pub position: Option<i64>,
    #[schema(value_type = Object)]
    pub conditions: Value,
    pub route: RouteDto,
}

impl SaveRule {
    fn input(self) -> RuleInput {
        RuleInput {
            name: self.name,
            enabled: self.enabled,
            position: self.position,
            conditions: self.conditions,
            route: self.route.input(),
        }
    }
}

/// Routing rules in evaluation order (supervisor).
#[utoipa::path(get, path = "/api/v1/routing/rules", tag = "routing",
    responses((status = 200, body = RuleList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_rules(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<RuleList>> {
    let items = state.app.list_routing_rules(&p).await?;
    Ok(Json(RuleList {
        items: items.into_iter().map(RuleDto::from).collect(),
    }))
}

/// Add a rule (admin). Conditions are validated against the field catalogue: an unknown field,
/// an operator the field does not support or a value of the wrong type is a 422 naming its path.
#[utoipa::path(post, path = "/api/v1/routing/rules", tag = "routing", request_body = SaveRule,
    responses((status = 201, body = RuleDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn create_rule(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<SaveRule>,
) -> ApiResult<(StatusCode, Json<RuleDto>)> {
    let r = state.app.save_routing_rule(&p, None, b.input()).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[utoipa::path(get, path = "/api/v1/routing/rules/{id}", tag = "routing",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 200, body = RuleDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_rule(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<RuleDto>> {
    Ok(Json(state.app.get_routing_rule(&p, id).await?.into()))
}

/// Replace a rule (admin).
#[utoipa::path(put, path = "/api/v1/routing/rules/{id}", tag = "routing", request_body = SaveRule,
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 200, body = RuleDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn replace_rule(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<SaveRule>,
) -> ApiResult<Json<RuleDto>> {
    let r = state.app.save_routing_rule(&p, Some(id), b.input()).await?;
    Ok(Json(r.into()))
}

#[utoipa::path(delete, path = "/api/v1/routing/rules/{id}", tag = "routing",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 204), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn delete_rule(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_routing_rule(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RoutingSettings)]
pub struct SettingsDto {
    /// Where a conversation goes when no rule matches.
    pub default_route: RouteDto,
    /// A returning contact goes back to their last agent within this window; 0 turns it off.
    pub sticky_window_secs: i64,
    /// Send a conversation back to routing when the assignee has not replied after this long;
    /// `null`: never.
    pub reassign_after_secs: Option<i64>,
    /// Capacity of agents without their own or a team default.
    pub default_capacity: i64,
    /// An online agent without activity this long becomes away; `null`: never.
    pub away_after_secs: Option<i64>,
    /// Business hours for the `time.business_hours` field (timezone, weekly spans, holidays,
    /// extra working days); every hour counts when `null`.
    #[schema(value_type = Option<Object>)]
    pub business_hours: Option<Value>,
    /// Zone of `time.local` without business hours.
    pub timezone: String,
}

impl From<RoutingSettings> for SettingsDto {
    fn from(s: RoutingSettings) -> Self {
        Self {
            default_route: (&s.default_route).into(),
            sticky_window_secs: s.sticky_window_secs,
            reassign_after_secs: s.reassign_after_secs,
            default_capacity: s.default_capacity,
            away_after_secs: s.away_after_secs,
            business_hours: s.business_hours.and_then(|b| serde_json::to_value(b).ok()),
            timezone: s.timezone,
        }
    }
}

fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchSettings {
    pub default_route: Option<RouteDto>,
    pub sticky_window_secs: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub reassign_after_secs: Option<Option<i64>>,
    pub default_capacity: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub away_after_secs: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Object>)]
    pub business_hours: Option<Option<Value>>,
    pub timezone: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/routing/settings", tag = "routing",
    responses((status = 200, body = SettingsDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_settings(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> ApiResult<Json<SettingsDto>> {
    Ok(Json(state.app.routing_settings(&p).await?.into()))
}

/// Change routing settings (admin); absent fields stay, `null` clears the nullable ones.
#[utoipa::path(patch, path = "/api/v1/routing/settings", tag = "routing", request_body = PatchSettings,
    responses((status = 200, body = SettingsDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_settings(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<PatchSettings>,
) -> ApiResult<Json<SettingsDto>> {
    let business_hours = match b.business_hours {
        None => None,
        Some(None) => Some(None),
        Some(Some(v)) => Some(Some(
            serde_json::from_value::<CalendarSpec>(v)
                .map_err(|e| FieldErrors::single("business_hours", e.to_string()))?,
        )),
    };
    let s = state
        .app
        .update_routing_settings(
            &p,
            SettingsInput {
                default_route: b.default_route.map(RouteDto::input),
                sticky_window_secs: b.sticky_window_secs,
                reassign_after_secs: b.reassign_after_secs,
                default_capacity: b.default_capacity,
                away_after_secs: b.away_after_secs,
                business_hours,
                timezone: b.timezone,
            },
        )
        .await?;
    Ok(Json(s.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldDto {
    /// The field name; a name ending in `.*` stands for a family (`contact.custom.budget`).
    pub name: &'static str,
    /// text, number, bool, tags, timestamp, clock or any.
    pub kind: &'static str,
    /// Operators the field supports.
    pub ops: Vec<&'static str>,
    pub label: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldList {
    pub items: Vec<FieldDto>,
}

fn kind_name(k: FieldKind) -> &'static str {
    match k {
        FieldKind::Text => "text",
        FieldKind::Number => "number",
        FieldKind::Bool => "bool",
        FieldKind::Tags => "tags",
        FieldKind::Timestamp => "timestamp",
        FieldKind::Clock => "clock",
        FieldKind::Any => "any",
    }
}

/// The fields routing conditions may test, with their types and operators.
#[utoipa::path(get, path = "/api/v1/routing/fields", tag = "routing",
    responses((status = 200, body = FieldList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn routing_fields(Auth(_p): Auth) -> Json<FieldList> {
    Json(FieldList {
        items: ROUTING_FIELDS
            .fields()
            .iter()
            .map(|f| FieldDto {
                name: f.name,
                kind: kind_name(f.kind),
                ops: f.kind.ops().iter().map(|o| o.name()).collect(),
                label: f.label,
            })
            .collect(),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    /// Facts of the hypothetical conversation, by field name (`entry.campaign`,
    /// `message.text`, `contact.custom.paid`…). Facts about an existing contact are looked up
    /// when `contact_id` is given; these override them.
    #[serde(default = "empty_object")]
    #[schema(value_type = Object)]
    pub facts: Value,
    pub contact_id: Option<i64>,
    pub priority: Option<PriorityName>,
    #[serde(default)]
    pub tags: Vec<String>,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SimulateResult {
    /// `assigned` or `queued`.
    pub outcome: String,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    /// The facts the rules saw.
    #[schema(value_type = Object)]
    pub facts: Value,
    /// Rules evaluated, the route, sticky/dedicated handling, every candidate with score or
    /// exclusion, tie-break.
    #[schema(value_type = Object)]
    pub trace: Value,
}

/// Who would get this conversation now, and why — nothing is assigned (supervisor).
#[utoipa::path(post, path = "/api/v1/routing/simulate", tag = "routing", request_body = SimulateRequest,
    responses((status = 200, body = SimulateResult), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn simulate(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<SimulateRequest>,
) -> ApiResult<Json<SimulateResult>> {
    let (facts, d) = state
        .app
        .simulate_routing(
            &p,
            SimulateInput {
                facts: b.facts,
                contact_id: b.contact_id,
                priority: b.priority.map(|p| p.as_str().to_owned()),
                tags: b.tags,
            },
        )
        .await?;
    let (outcome, agent_id, team_id) = match d.pick.outcome {
        yingke_core::routing::Outcome::Assigned { agent_id } => ("assigned", Some(agent_id), None),
        yingke_core::routing::Outcome::Queued { team_id } => ("queued", None, team_id),
    };
    Ok(Json(SimulateResult {
        outcome: outcome.into(),
        agent_id,
        team_id,
        facts,
        trace: serde_json::to_value(&d).unwrap_or_default(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueEntryDto {
    pub conversation_id: i64,
    /// 1 = next to be served.
    pub position: usize,
    pub team_id: Option<i64>,
    pub priority: PriorityName,
    #[serde(with = "time::serde::rfc3339")]
    pub queued_at: OffsetDateTime,
    /// From the pace of recent assignments; `null` without enough history.
    pub estimated_wait_secs: Option<i64>,
}

impl From<QueueEntry> for QueueEntryDto {
    fn from(q: QueueEntry) -> Self {
        Self {
            conversation_id: q.conversation_id,
            position: q.position,
            team_id: q.team_id,
            priority: PriorityName::from_level(q.priority),
            queued_at: time_of(q.queued_at),
            estimated_wait_secs: q.estimated_wait_secs,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueList {
    pub items: Vec<QueueEntryDto>,
}

/// Conversations waiting for an agent, in the order they will be served.
#[utoipa::path(get, path = "/api/v1/routing/queue", tag = "routing",
    responses((status = 200, body = QueueList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn queue(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<QueueList>> {
    let items = state.app.routing_queue(&p).await?;
    Ok(Json(QueueList {
        items: items.into_iter().map(QueueEntryDto::from).collect(),
    }))
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusName {
    Online,
    Busy,
    Away,
    Offline,
}

impl StatusName {
    fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Busy => "busy",
            Self::Away => "away",
            Self::Offline => "offline",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AgentState)]
pub struct AgentDto {
    pub user_id: i64,
    pub status: StatusName,
    /// The agent's own capacity; `null` uses the team or account default.
    pub capacity: Option<i64>,
    pub effective_capacity: u32,
    /// Open and pending conversations assigned now.
    pub load: u32,
    pub teams: Vec<i64>,
    /// Skill → proficiency 1–5.
    pub skills: BTreeMap<String, u8>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub status_changed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_assigned_at: Option<OffsetDateTime>,
}

impl From<AgentView> for AgentDto {
    fn from(a: AgentView) -> Self {
        use yingke_core::routing::AgentStatus as S;
        Self {
            user_id: a.user_id,
            status: match a.status {
                S::Online => StatusName::Online,
                S::Busy => StatusName::Busy,
                S::Away => StatusName::Away,
                S::Offline => StatusName::Offline,
            },
            capacity: a.capacity,
            effective_capacity: a.effective_capacity,
            load: a.load,
            teams: a.teams,
            skills: a.skills,
            status_changed_at: a.status_changed_at.map(time_of),
            last_assigned_at: a.last_assigned_at.map(time_of),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentList {
    pub items: Vec<AgentDto>,
}

/// Every active user's routing state: status, capacity, load, teams, skills.
#[utoipa::path(get, path = "/api/v1/agents", tag = "routing",
    responses((status = 200, body = AgentList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn list_agents(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<AgentList>> {
    let items = state.app.list_agents(&p).await?;
    Ok(Json(AgentList {
        items: items.into_iter().map(AgentDto::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchAgent {
    /// By the agent themselves or a supervisor.
    pub status: Option<StatusName>,
    /// Admin; `null` returns to the team default.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub capacity: Option<Option<i64>>,
    /// Admin; replaces the skills: name → proficiency 1–5.
    pub skills: Option<BTreeMap<String, i64>>,
}

/// Change an agent's status, capacity or skills. Capacity freed or an agent coming online
/// offers queued conversations at once.
#[utoipa::path(patch, path = "/api/v1/agents/{id}", tag = "routing", request_body = PatchAgent,
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = AgentDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_agent(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<PatchAgent>,
) -> ApiResult<Json<AgentDto>> {
    let a = state
        .app
        .update_agent(
            &p,
            UserId(id),
            AgentInput {
                status: b.status.map(|s| s.as_str().to_owned()),
                capacity: b.capacity,
                skills: b.skills,
            },
        )
        .await?;
    Ok(Json(a.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    pub status: StatusName,
}

/// Set my own availability.
#[utoipa::path(put, path = "/api/v1/me/status", tag = "routing", request_body = SetStatus,
    responses((status = 200, body = AgentDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn update_my_status(
    State(state): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<SetStatus>,
) -> ApiResult<Json<AgentDto>> {
    let me = p.user_id();
    let a = state
        .app
        .update_agent(
            &p,
            me,
            AgentInput {
                status: Some(b.status.as_str().to_owned()),
                ..Default::default()
            },
        )
        .await?;
    Ok(Json(a.into()))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamRoutingDto {
    /// Capacity of members without their own.
    #[serde(default)]
    pub default_capacity: Option<i64>,
    /// Move queued conversations to `overflow_team_id` after this wait.
    #[serde(default)]
    pub overflow_after_secs: Option<i64>,
    #[serde(default)]
    pub overflow_team_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/teams/{id}/routing", tag = "routing",
    params(("id" = i64, Path, description = "Team id")),
    responses((status = 200, body = TeamRoutingDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn get_team_routing(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<TeamRoutingDto>> {
    let t = state.app.team_routing(&p, TeamId(id)).await?;
    Ok(Json(TeamRoutingDto {
        default_capacity: t.default_capacity,
        overflow_after_secs: t.overflow_after_secs,
        overflow_team_id: t.overflow_team_id,
    }))
}

/// Set a team's default capacity and overflow (admin).
#[utoipa::path(put, path = "/api/v1/teams/{id}/routing", tag = "routing", request_body = TeamRoutingDto,
    params(("id" = i64, Path, description = "Team id")),
    responses((status = 200, body = TeamRoutingDto), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn put_team_routing(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
    Body(b): Body<TeamRoutingDto>,
) -> ApiResult<Json<TeamRoutingDto>> {
    let t = state
        .app
        .set_team_routing(
            &p,
            TeamId(id),
            TeamRoutingInput {
                default_capacity: b.default_capacity,
                overflow_after_secs: b.overflow_after_secs,
                overflow_team_id: b.overflow_team_id,
            },
        )
        .await?;
    Ok(Json(TeamRoutingDto {
        default_capacity: t.default_capacity,
        overflow_after_secs: t.overflow_after_secs,
        overflow_team_id: t.overflow_team_id,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RoutingDecision)]
pub struct DecisionDto {
    pub id: i64,
    /// new, queue, overflow, no_reply or retry.
    pub reason: String,
    /// assigned or queued.
    pub outcome: String,
    pub agent_id: Option<i64>,
    pub team_id: Option<i64>,
    /// The rule that matched; `null` for the default route.
    pub rule_id: Option<i64>,
    /// How long the decision took, microseconds.
    pub duration_us: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// Rules evaluated (matched or the failing condition), route, every candidate with score
    /// components or exclusion reason, strategy, tie-break, and a note for re-routing.
    #[schema(value_type = Object)]
    pub trace: Value,
}

impl From<DecisionView> for DecisionDto {
    fn from(d: DecisionView) -> Self {
        Self {
            id: d.id,
            reason: d.reason,
            outcome: d.outcome,
            agent_id: d.agent_id,
            team_id: d.team_id,
            rule_id: d.rule_id,
            duration_us: d.duration_us,
            decided_at: time_of(d.decided_at),
            trace: d.trace,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionList {
    pub items: Vec<DecisionDto>,
}

/// Every routing decision about a conversation, with its trace (R9).
#[utoipa::path(get, path = "/api/v1/conversations/{id}/routing", tag = "routing",
    params(("id" = i64, Path, description = "Conversation id")),
    responses((status = 200, body = DecisionList), (status = "4XX", body = ErrorEnvelope)),
    security(("session" = []), ("bearer" = [])))]
async fn conversation_routing(
    State(state): State<AppState>,
    Auth(p): Auth,
    Ids(id): Ids<i64>,
) -> ApiResult<Json<DecisionList>> {
    let items = state.app.conversation_routing(&p, id).await?;
    Ok(Json(DecisionList {
        items: items.into_iter().map(DecisionDto::from).collect(),
    }))
}
