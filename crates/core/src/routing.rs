//! The routing decision as a pure function: a conversation's facts, the account's rules and its
//! agents' state in; the route, the chosen agent (or the queue) and a complete trace out.
//!
//! [`decide`] evaluates the ordered rules (the first match wins; the account default applies when
//! none does) and then [`pick`]s an agent for the resulting [`Route`]. [`drain`] offers queued
//! conversations, highest priority first and then by arrival, to agents who have room. Neither
//! touches the outside world, so the invariants — never above capacity, an unavailable agent gets
//! nothing, priority then arrival — are property-tested here.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::condition::{Condition, Facts};

/// An agent's availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    Online,
    Busy,
    Away,
    Offline,
}

impl AgentStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "online" => Self::Online,
            "busy" => Self::Busy,
            "away" => Self::Away,
            "offline" => Self::Offline,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Busy => "busy",
            Self::Away => "away",
            Self::Offline => "offline",
        }
    }
}

/// How candidates are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Lowest load ÷ capacity first.
    #[default]
    LeastLoad,
    /// Whoever was assigned longest ago (never first).
    RoundRobin,
    /// Whoever has been without activity longest.
    LongestIdle,
    /// Best first-response time and resolution rate on the conversation's tags, times the squared
    /// free share of capacity.
    PerformanceWeighted,
}

impl Strategy {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "least_load" => Self::LeastLoad,
            "round_robin" => Self::RoundRobin,
            "longest_idle" => Self::LongestIdle,
            "performance_weighted" => Self::PerformanceWeighted,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LeastLoad => "least_load",
            Self::RoundRobin => "round_robin",
            Self::LongestIdle => "longest_idle",
            Self::PerformanceWeighted => "performance_weighted",
        }
    }
}

const HALF_LIFE_MS: f64 = 14.0 * 86_400_000.0;
/// Pseudo-observations that keep a newcomer (or a lucky first conversation) near the middle.
const PRIOR_N: f64 = 2.0;
const PRIOR_RATE: f64 = 0.5;
const PRIOR_FRT_S: f64 = 60.0;

/// An agent's record on one tag, exponentially decayed (half-life 14 days) so recent work counts
/// most (R5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Perf {
    /// Decayed number of conversations handled.
    pub n: f64,
    /// Decayed number of those resolved.
    pub resolved: f64,
    /// Decayed sum of first-response times, seconds.
    pub frt_sum_s: f64,
    /// Decayed number of first responses measured.
    pub frt_n: f64,
    /// When the sums were last decayed, ms.
    pub at_ms: i64,
}

impl Perf {
    fn decayed(&self, now_ms: i64) -> Self {
        let k = 0.5f64.powf((now_ms - self.at_ms).max(0) as f64 / HALF_LIFE_MS);
        Self {
            n: self.n * k,
            resolved: self.resolved * k,
            frt_sum_s: self.frt_sum_s * k,
            frt_n: self.frt_n * k,
            at_ms: now_ms.max(self.at_ms),
        }
    }

    /// Records a conversation that ended (`resolved` or not).
    pub fn observe_outcome(&mut self, now_ms: i64, resolved: bool) {
        *self = self.decayed(now_ms);
        self.n += 1.0;
        if resolved {
            self.resolved += 1.0;
        }
    }

    /// Records a first response after `secs`.
    pub fn observe_first_response(&mut self, now_ms: i64, secs: f64) {
        *self = self.decayed(now_ms);
        self.frt_sum_s += secs.max(0.0);
        self.frt_n += 1.0;
    }

    /// The weight in (0, 1]: smoothed resolution rate × 60 s ÷ (60 s + smoothed first response).
    pub fn weight(&self, now_ms: i64) -> f64 {
        let p = self.decayed(now_ms);
        let rate = (p.resolved + PRIOR_RATE * PRIOR_N) / (p.n + PRIOR_N);
        let frt = (p.frt_sum_s + PRIOR_FRT_S * PRIOR_N) / (p.frt_n + PRIOR_N);
        rate * 60.0 / (60.0 + frt)
    }
}

/// The routing-relevant state of one agent.
#[derive(Debug, Clone, PartialEq)]
pub struct Agent {
    pub id: i64,
    pub status: AgentStatus,
    /// Effective maximum of concurrent conversations (the agent's own, else the team default).
    pub capacity: u32,
    /// Open conversations assigned now.
    pub load: u32,
    pub teams: Vec<i64>,
    /// Skill → proficiency 1–5.
    pub skills: BTreeMap<String, u8>,
    pub last_assigned_ms: Option<i64>,
    /// Last assignment, reply or coming online.
    pub active_ms: i64,
    /// Record per conversation tag.
    pub perf: BTreeMap<String, Perf>,
}

/// A skill a route requires, at a minimum proficiency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillReq {
    pub name: String,
    #[serde(default = "one")]
    pub min: u8,
}

fn one() -> u8 {
    1
}

/// Where a conversation should go, and how: the result of rule matching, kept with a queued
/// conversation so it is offered to the same agents when capacity frees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// The rule that matched; `None` for the account default.
    pub rule_id: Option<i64>,
    /// Teams whose members may take it; empty = every agent.
    pub teams: Vec<i64>,
    /// A dedicated agent, tried first (VIP routing).
    pub agent: Option<i64>,
    #[serde(default)]
    pub skills: Vec<SkillReq>,
    pub strategy: Strategy,
    /// Priority the rule sets; `None` keeps the conversation's.
    pub priority: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Sent to the visitor when the conversation has to wait.
    pub offline_notice: Option<String>,
    /// Whether sticky routing applies.
    #[serde(default = "yes")]
    pub sticky: bool,
}

fn yes() -> bool {
    true
}

/// A routing rule: the first whose condition holds decides the route.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub condition: Condition,
    pub route: Route,
}

/// The account's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The route when no rule matches (its `rule_id` is `None`).
    pub default_route: Route,
    /// How long after their last conversation a contact goes back to the same agent; 0 = never.
    pub sticky_window_ms: i64,
}

/// The conversation to route.
#[derive(Debug, Clone)]
pub struct Request {
    pub conversation_id: i64,
    pub priority: i64,
    pub tags: Vec<String>,
    pub facts: Facts,
    /// The agent who served the contact last, and when.
    pub last_agent: Option<(i64, i64)>,
    /// Agents not to offer it to (the one who did not reply).
    pub exclude: Vec<i64>,
}

/// How one rule fared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleTrace {
    pub rule_id: i64,
    pub name: String,
    pub matched: bool,
    /// The first failing condition, when it did not match.
    pub failed: Option<String>,
}

/// Why an agent was not a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    NotInTeam,
    Offline,
    Busy,
    Away,
    AtCapacity,
    LacksSkill,
    /// Excluded by the request (did not reply in time).
    Excluded,
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotInTeam => "not in team",
            Self::Offline => "offline",
            Self::Busy => "busy",
            Self::Away => "away",
            Self::AtCapacity => "at capacity",
            Self::LacksSkill => "lacks skill",
            Self::Excluded => "excluded",
        })
    }
}

/// Score components of an eligible agent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub load: u32,
    pub capacity: u32,
    /// load ÷ capacity.
    pub utilisation: f64,
    pub last_assigned_ms: Option<i64>,
    pub active_ms: i64,
    /// Performance weight on the conversation's tags (performance-weighted only).
    pub performance: Option<f64>,
    /// The value the strategy ranks by (higher is better).
    pub value: f64,
}

/// One agent in the trace: scored, or excluded with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub agent_id: i64,
    pub score: Option<Score>,
    pub excluded: Option<Exclusion>,
    /// The missing skill, for `lacks_skill`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Assigned {
        agent_id: i64,
    },
    /// Waiting for capacity in this team (`None`: any agent).
    Queued {
        team_id: Option<i64>,
    },
}

/// The agent choice for a route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    /// What sticky routing did: `None` when it did not apply.
    pub sticky: Option<String>,
    /// What happened with the dedicated agent, if the route names one.
    pub dedicated: Option<String>,
    pub candidates: Vec<Candidate>,
    pub outcome: Outcome,
    /// How a tie on the strategy's value was broken.
    pub tie_break: Option<String>,
}

/// A full decision: rules, route and pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub rules: Vec<RuleTrace>,
    pub route: Route,
    #[serde(flatten)]
    pub pick: Pick,
}

/// Evaluates the rules in order; the first that matches gives the route, else the default.
pub fn match_rules(facts: &Facts, rules: &[Rule], settings: &Settings) -> (Vec<RuleTrace>, Route) {
    let mut traces = Vec::with_capacity(rules.len());
    for r in rules {
        let failed = r.condition.explain(facts);
        let matched = failed.is_none();
        traces.push(RuleTrace {
            rule_id: r.id,
            name: r.name.clone(),
            matched,
            failed,
        });
        if matched {
            let mut route = r.route.clone();
            route.rule_id = Some(r.id);
            return (traces, route);
        }
    }
    let mut route = settings.default_route.clone();
    route.rule_id = None;
    (traces, route)
}

/// Routes a new conversation.
pub fn decide(req: &Request, rules: &[Rule], settings: &Settings, agents: &[Agent]) -> Decision {
    let (traces, route) = match_rules(&req.facts, rules, settings);
    let pick = pick(&route, req, settings, agents);
    Decision {
        rules: traces,
        route,
        pick,
    }
}

fn exclusion(route: &Route, req: &Request, a: &Agent) -> Option<(Exclusion, Option<String>)> {
    if !route.teams.is_empty() && !a.teams.iter().any(|t| route.teams.contains(t)) {
        return Some((Exclusion::NotInTeam, None));
    }
    if req.exclude.contains(&a.id) {
        return Some((Exclusion::Excluded, None));
    }
    match a.status {
        AgentStatus::Online => {}
        AgentStatus::Busy => return Some((Exclusion::Busy, None)),
        AgentStatus::Away => return Some((Exclusion::Away, None)),
        AgentStatus::Offline => return Some((Exclusion::Offline, None)),
    }
    if a.load >= a.capacity {
        return Some((Exclusion::AtCapacity, None));
    }
    for s in &route.skills {
        if a.skills.get(&s.name).copied().unwrap_or(0) < s.min {
            return Some((
                Exclusion::LacksSkill,
                Some(format!("{} ≥ {}", s.name, s.min)),
            ));
        }
    }
    None
}

/// Eligible for the route by team, availability and skills, ignoring the team restriction when
/// `any_team` (a dedicated agent is chosen by person, not by team; sticky stays in the route).
fn available(route: &Route, req: &Request, a: &Agent, any_team: bool) -> Result<(), Exclusion> {
    let mut r = route.clone();
    if any_team {
        r.teams.clear();
    }
    match exclusion(&r, req, a) {
        Some((e, _)) => Err(e),
        None => Ok(()),
    }
}

fn score(route: &Route, req: &Request, a: &Agent, now_ms: i64) -> Score {
    let utilisation = f64::from(a.load) / f64::from(a.capacity.max(1));
    let performance = (route.strategy == Strategy::PerformanceWeighted).then(|| {
        let weights: Vec<f64> = req
            .tags
            .iter()
            .filter_map(|t| a.perf.get(t))
            .map(|p| p.weight(now_ms))
            .collect();
        if weights.is_empty() {
            Perf::default().weight(now_ms.max(0))
        } else {
            weights.iter().sum::<f64>() / weights.len() as f64
        }
    });
    let value = match route.strategy {
        Strategy::LeastLoad => 1.0 - utilisation,
        // Older is better; a never-assigned agent beats everyone.
        Strategy::RoundRobin => a.last_assigned_ms.map_or(f64::MAX, |t| -(t as f64)),
        Strategy::LongestIdle => -(a.active_ms as f64),
        // Squared headroom: a top performer's lead shrinks fast as they fill up, so the best
        // are not overloaded (R6).
        Strategy::PerformanceWeighted => performance.unwrap_or(0.0) * (1.0 - utilisation).powi(2),
    };
    Score {
        load: a.load,
        capacity: a.capacity,
        utilisation,
        last_assigned_ms: a.last_assigned_ms,
        active_ms: a.active_ms,
        performance,
        value,
    }
}

/// Tie-breaks after the strategy's value: lower utilisation, then assigned longest ago, then the
/// lower id — a total order, so decisions are deterministic.
fn rank(a: (&Agent, &Score), b: (&Agent, &Score)) -> std::cmp::Ordering {
    b.1.value
        .total_cmp(&a.1.value)
        .then(a.1.utilisation.total_cmp(&b.1.utilisation))
        .then(
            a.0.last_assigned_ms
                .unwrap_or(i64::MIN)
                .cmp(&b.0.last_assigned_ms.unwrap_or(i64::MIN)),
        )
        .then(a.0.id.cmp(&b.0.id))
}

fn tie_break(first: (&Agent, &Score), second: (&Agent, &Score)) -> Option<String> {
    if first.1.value != second.1.value {
        return None;
    }
    Some(if first.1.utilisation != second.1.utilisation {
        format!("equal {}; agent {} has the lower load", "score", first.0.id)
    } else if first.0.last_assigned_ms != second.0.last_assigned_ms {
        format!(
            "equal score and load; agent {} was assigned longest ago",
            first.0.id
        )
    } else {
        format!(
            "equal on every measure; agent {} has the lower id",
            first.0.id
        )
    })
}

/// Chooses an agent for `route`, or queues. `agents` is the account's whole roster: every agent
/// appears in the trace, scored or with the reason they were excluded.
pub fn pick(route: &Route, req: &Request, settings: &Settings, agents: &[Agent]) -> Pick {
    let now_ms = req.facts.now_ms;
    let mut sticky = None;
    if route.sticky
        && settings.sticky_window_ms > 0
        && let Some((last, at)) = req.last_agent
    {
        if now_ms - at > settings.sticky_window_ms {
            sticky = Some(format!("agent {last} served the contact too long ago"));
        } else {
            match agents.iter().find(|a| a.id == last) {
                None => sticky = Some(format!("agent {last} is no longer an agent")),
                Some(a) => match available(route, req, a, false) {
                    Ok(()) => {
                        return Pick {
                            sticky: Some(format!("returning contact goes back to agent {last}")),
                            dedicated: None,
                            candidates: candidates(route, req, agents, now_ms),
                            outcome: Outcome::Assigned { agent_id: last },
                            tie_break: None,
                        };
                    }
                    Err(e) => sticky = Some(format!("agent {last} who served the contact is {e}")),
                },
            }
        }
    }
    let mut dedicated = None;
    if let Some(id) = route.agent {
        match agents.iter().find(|a| a.id == id) {
            None => dedicated = Some(format!("dedicated agent {id} is no longer an agent")),
            Some(a) => match available(route, req, a, true) {
                Ok(()) => {
                    return Pick {
                        sticky,
                        dedicated: Some(format!("dedicated agent {id}")),
                        candidates: candidates(route, req, agents, now_ms),
                        outcome: Outcome::Assigned { agent_id: id },
                        tie_break: None,
                    };
                }
                Err(e) => dedicated = Some(format!("dedicated agent {id} is {e}")),
            },
        }
    }
    let cands = candidates(route, req, agents, now_ms);
    let mut eligible: Vec<(&Agent, &Score)> = cands
        .iter()
        .filter_map(|c| {
            let s = c.score.as_ref()?;
            Some((agents.iter().find(|a| a.id == c.agent_id)?, s))
        })
        .collect();
    eligible.sort_by(|a, b| rank(*a, *b));
    let (outcome, tie) = match eligible.as_slice() {
        [] => (
            Outcome::Queued {
                team_id: route.teams.first().copied(),
            },
            None,
        ),
        [only] => (
            Outcome::Assigned {
                agent_id: only.0.id,
            },
            None,
        ),
        [first, second, ..] => (
            Outcome::Assigned {
                agent_id: first.0.id,
            },
            tie_break(*first, *second),
        ),
    };
    Pick {
        sticky,
        dedicated,
        candidates: cands,
        outcome,
        tie_break: tie,
    }
}

fn candidates(route: &Route, req: &Request, agents: &[Agent], now_ms: i64) -> Vec<Candidate> {
    agents
        .iter()
        .map(|a| match exclusion(route, req, a) {
            Some((e, detail)) => Candidate {
                agent_id: a.id,
                score: None,
                excluded: Some(e),
                detail,
            },
            None => Candidate {
                agent_id: a.id,
                score: Some(score(route, req, a, now_ms)),
                excluded: None,
                detail: None,
            },
        })
        .collect()
}

/// A conversation waiting in a queue.
#[derive(Debug, Clone)]
pub struct Queued {
    pub request: Request,
    pub route: Route,
    pub queued_ms: i64,
}

/// Queued conversations in the order they are served: priority first, then arrival.
pub fn queue_order(queued: &mut [Queued]) {
    queued.sort_by(|a, b| {
        b.request
            .priority
            .cmp(&a.request.priority)
            .then(a.queued_ms.cmp(&b.queued_ms))
            .then(a.request.conversation_id.cmp(&b.request.conversation_id))
    });
}

/// Offers queued conversations to agents with room, in [`queue_order`]. Each assignment raises
/// the agent's load in `agents`, so nobody exceeds capacity. Returns the conversations assigned,
/// with their picks, in order.
pub fn drain(
    queued: &mut [Queued],
    settings: &Settings,
    agents: &mut [Agent],
    now_ms: i64,
) -> Vec<(i64, Pick)> {
    queue_order(queued);
    let mut out = Vec::new();
    for q in queued.iter() {
        if !agents
            .iter()
            .any(|a| a.status == AgentStatus::Online && a.load < a.capacity)
        {
            break;
        }
        let p = pick(&q.route, &q.request, settings, agents);
        if let Outcome::Assigned { agent_id } = p.outcome {
            assign(agents, agent_id, now_ms);
            out.push((q.request.conversation_id, p));
        }
    }
    out
}

/// Records an assignment in the roster.
pub fn assign(agents: &mut [Agent], agent_id: i64, now_ms: i64) {
    if let Some(a) = agents.iter_mut().find(|a| a.id == agent_id) {
        a.load += 1;
        a.last_assigned_ms = Some(now_ms);
        a.active_ms = now_ms;
    }
}

#[cfg(test)]
mod tests {
    use super::Strategy;
    use super::*;
    use crate::condition::{Fact, ROUTING_FIELDS};
    use proptest::prelude::*;
    use proptest::strategy::Strategy as PStrategy;
    use serde_json::json;
    use std::collections::{HashMap, HashSet};

    fn agent(id: i64, teams: &[i64], capacity: u32, load: u32) -> Agent {
        Agent {
            id,
            status: AgentStatus::Online,
            capacity,
            load,
            teams: teams.to_vec(),
            skills: BTreeMap::new(),
            last_assigned_ms: None,
            active_ms: 0,
            perf: BTreeMap::new(),
        }
    }

    fn route(teams: &[i64], strategy: Strategy) -> Route {
        Route {
            rule_id: None,
            teams: teams.to_vec(),
            agent: None,
            skills: vec![],
            strategy,
            priority: None,
            tags: vec![],
            offline_notice: None,
            sticky: true,
        }
    }

    fn settings() -> Settings {
        Settings {
            default_route: route(&[], Strategy::LeastLoad),
            sticky_window_ms: 7 * 86_400_000,
        }
    }

    fn request(id: i64, facts: Facts) -> Request {
        Request {
            conversation_id: id,
            priority: 1,
            tags: vec![],
            facts,
            last_agent: None,
            exclude: vec![],
        }
    }

    fn rule(id: i64, cond: serde_json::Value, r: Route) -> Rule {
        Rule {
            id,
            name: format!("rule {id}"),
            condition: Condition::parse(&cond, &ROUTING_FIELDS, "conditions").expect("valid"),
            route: r,
        }
    }

    fn assigned(p: &Pick) -> Option<i64> {
        match p.outcome {
            Outcome::Assigned { agent_id } => Some(agent_id),
            Outcome::Queued { .. } => None,
        }
    }

    #[test]
    fn first_matching_rule_wins_and_trace_names_failures() {
        let rules = [
            rule(
                1,
                json!({"field": "entry.campaign", "op": "eq", "value": "双11"}),
                route(&[10], Strategy::LeastLoad),
            ),
            rule(
                2,
                json!({"field": "message.text", "op": "contains_any", "value": ["退款"]}),
                route(&[20], Strategy::LeastLoad),
            ),
        ];
        let mut facts = Facts::new(0);
        facts.text("message.text", "我要退款");
        let agents = [agent(1, &[10], 5, 0), agent(2, &[20], 5, 0)];
        let d = decide(&request(1, facts), &rules, &settings(), &agents);
        assert_eq!(d.route.rule_id, Some(2));
        assert!(!d.rules[0].matched);
        assert_eq!(
            d.rules[0].failed.as_deref(),
            Some("condition: entry.campaign eq \"双11\" — was absent")
        );
        assert_eq!(assigned(&d.pick), Some(2));
        assert_eq!(d.pick.candidates[0].excluded, Some(Exclusion::NotInTeam));
    }

    #[test]
    fn least_load_uses_utilisation() {
        let agents = [agent(1, &[1], 2, 1), agent(2, &[1], 10, 2)];
        let p = pick(
            &route(&[1], Strategy::LeastLoad),
            &request(1, Facts::new(0)),
            &settings(),
            &agents,
        );
        assert_eq!(assigned(&p), Some(2));
    }

    #[test]
    fn round_robin_takes_longest_since_assignment() {
        let mut agents = [
            agent(1, &[1], 5, 0),
            agent(2, &[1], 5, 3),
            agent(3, &[1], 5, 1),
        ];
        agents[0].last_assigned_ms = Some(300);
        agents[1].last_assigned_ms = Some(100);
        agents[2].last_assigned_ms = Some(200);
        let p = pick(
            &route(&[1], Strategy::RoundRobin),
            &request(1, Facts::new(1000)),
            &settings(),
            &agents,
        );
        assert_eq!(assigned(&p), Some(2));
    }

    #[test]
    fn longest_idle_and_tie_break() {
        let mut agents = [agent(1, &[1], 5, 0), agent(2, &[1], 5, 0)];
        agents[0].active_ms = 50;
        agents[1].active_ms = 10;
        let r = route(&[1], Strategy::LongestIdle);
        let p = pick(&r, &request(1, Facts::new(100)), &settings(), &agents);
        assert_eq!(assigned(&p), Some(2));
        assert_eq!(p.tie_break, None);
        agents[1].active_ms = 50;
        let p = pick(&r, &request(1, Facts::new(100)), &settings(), &agents);
        assert_eq!(assigned(&p), Some(1));
        assert!(p.tie_break.expect("tie").contains("lower id"));
    }

    #[test]
    fn performance_weighted_prefers_the_better_record_but_not_when_full() {
        let now = 30 * 86_400_000;
        let mut good = Perf::default();
        let mut poor = Perf::default();
        for i in 0..20 {
            good.observe_outcome(now - i * 3_600_000, true);
            good.observe_first_response(now - i * 3_600_000, 10.0);
            poor.observe_outcome(now - i * 3_600_000, i % 3 == 0);
            poor.observe_first_response(now - i * 3_600_000, 300.0);
        }
        assert!(good.weight(now) > poor.weight(now));
        let mut agents = [agent(1, &[1], 4, 0), agent(2, &[1], 4, 0)];
        agents[0].perf.insert("refund".into(), poor);
        agents[1].perf.insert("refund".into(), good);
        let mut req = request(1, Facts::new(now));
        req.tags = vec!["refund".into()];
        let r = route(&[1], Strategy::PerformanceWeighted);
        assert_eq!(assigned(&pick(&r, &req, &settings(), &agents)), Some(2));
        // A top performer near capacity yields to a free colleague (R6).
        agents[1].load = 3;
        assert_eq!(assigned(&pick(&r, &req, &settings(), &agents)), Some(1));
    }

    #[test]
    fn perf_decays() {
        let mut p = Perf::default();
        for _ in 0..10 {
            p.observe_outcome(0, false);
        }
        let fresh = p.weight(0);
        let old = p.weight(10 * 14 * 86_400_000);
        assert!(old > fresh, "old failures weigh less: {old} vs {fresh}");
    }

    #[test]
    fn sticky_returns_to_last_agent_unless_unavailable() {
        let agents = [
            agent(1, &[1], 5, 0),
            agent(2, &[1, 2], 5, 4),
            agent(3, &[2], 5, 0),
        ];
        let mut req = request(1, Facts::new(1000));
        req.last_agent = Some((2, 500));
        let r = route(&[1], Strategy::LeastLoad);
        let p = pick(&r, &req, &settings(), &agents);
        assert_eq!(assigned(&p), Some(2));
        assert!(p.sticky.expect("sticky").contains("goes back"));
        let mut full = agents.clone();
        full[1].load = 5;
        let p = pick(&r, &req, &settings(), &full);
        assert_eq!(assigned(&p), Some(1));
        assert_eq!(
            p.sticky.as_deref(),
            Some("agent 2 who served the contact is at capacity")
        );
        let mut s = settings();
        s.sticky_window_ms = 100;
        let p = pick(&r, &req, &s, &agents);
        assert_eq!(assigned(&p), Some(1));
        // Sticky stays within the route: a contact now routed to team 1 does not go back to
        // an agent of team 2 only.
        req.last_agent = Some((3, 900));
        let p = pick(&r, &req, &settings(), &agents);
        assert_eq!(assigned(&p), Some(1));
        assert_eq!(
            p.sticky.as_deref(),
            Some("agent 3 who served the contact is not in team")
        );
    }

    #[test]
    fn skills_exclude_with_detail() {
        let mut agents = [agent(1, &[1], 5, 0), agent(2, &[1], 5, 1)];
        agents[1].skills.insert("english".into(), 4);
        let mut r = route(&[1], Strategy::LeastLoad);
        r.skills = vec![SkillReq {
            name: "english".into(),
            min: 3,
        }];
        let p = pick(&r, &request(1, Facts::new(0)), &settings(), &agents);
        assert_eq!(assigned(&p), Some(2));
        assert_eq!(p.candidates[0].excluded, Some(Exclusion::LacksSkill));
        assert_eq!(p.candidates[0].detail.as_deref(), Some("english ≥ 3"));
    }

    #[test]
    fn queues_when_nobody_is_free() {
        let mut agents = [agent(1, &[1], 1, 1), agent(2, &[1], 5, 0)];
        agents[1].status = AgentStatus::Away;
        let p = pick(
            &route(&[1], Strategy::LeastLoad),
            &request(1, Facts::new(0)),
            &settings(),
            &agents,
        );
        assert_eq!(p.outcome, Outcome::Queued { team_id: Some(1) });
        assert_eq!(p.candidates[0].excluded, Some(Exclusion::AtCapacity));
        assert_eq!(p.candidates[1].excluded, Some(Exclusion::Away));
    }

    #[test]
    fn drain_serves_priority_then_arrival() {
        let mut agents = [agent(1, &[1], 2, 2)];
        let mk = |id, priority, at| {
            let mut r = request(id, Facts::new(0));
            r.priority = priority;
            Queued {
                request: r,
                route: route(&[1], Strategy::LeastLoad),
                queued_ms: at,
            }
        };
        let mut q = vec![mk(1, 1, 10), mk(2, 3, 30), mk(3, 1, 5), mk(4, 3, 20)];
        assert!(drain(&mut q, &settings(), &mut agents, 100).is_empty());
        agents[0].load = 0;
        let got: Vec<i64> = drain(&mut q, &settings(), &mut agents, 100)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert_eq!(got, [4, 2]);
        assert_eq!(agents[0].load, 2);
    }

    // ---- properties over random rosters, rules and arrival sequences ----

    #[derive(Debug, Clone)]
    enum Ev {
        Arrive { priority: i64, campaign: u8 },
        Resolve(usize),
        SetStatus(usize, AgentStatus),
        SetCapacity(usize, u32),
    }

    fn roster() -> impl PStrategy<Value = Vec<Agent>> {
        prop::collection::vec(
            (
                prop::collection::btree_set(1..4i64, 0..3),
                0..4u32,
                prop_oneof![
                    Just(AgentStatus::Online),
                    Just(AgentStatus::Online),
                    Just(AgentStatus::Busy),
                    Just(AgentStatus::Offline)
                ],
                prop::option::of(0..100i64),
            ),
            0..8,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (teams, cap, status, last))| {
                    let mut a = agent(
                        i as i64 + 1,
                        &teams.into_iter().collect::<Vec<_>>(),
                        cap.max(1),
                        0,
                    );
                    a.status = status;
                    a.last_assigned_ms = last;
                    a.active_ms = last.unwrap_or(0);
                    a
                })
                .collect()
        })
    }

    fn events() -> impl PStrategy<Value = Vec<Ev>> {
        prop::collection::vec(
            prop_oneof![
                4 => (0..4i64, 0..3u8).prop_map(|(priority, campaign)| Ev::Arrive { priority, campaign }),
                2 => (0..64usize).prop_map(Ev::Resolve),
                1 => (0..8usize, prop_oneof![Just(AgentStatus::Online), Just(AgentStatus::Offline), Just(AgentStatus::Away)])
                    .prop_map(|(i, s)| Ev::SetStatus(i, s)),
                1 => (0..8usize, 1..5u32).prop_map(|(i, c)| Ev::SetCapacity(i, c)),
            ],
            1..60,
        )
    }

    fn strategy() -> impl PStrategy<Value = Strategy> {
        prop_oneof![
            Just(Strategy::LeastLoad),
            Just(Strategy::RoundRobin),
            Just(Strategy::LongestIdle),
            Just(Strategy::PerformanceWeighted),
        ]
    }

    fn check_pick(p: &Pick, route: &Route, agents: &[Agent]) -> Result<(), TestCaseError> {
        // Complete trace: every agent appears exactly once, scored xor excluded.
        prop_assert_eq!(p.candidates.len(), agents.len());
        for (c, a) in p.candidates.iter().zip(agents) {
            prop_assert_eq!(c.agent_id, a.id);
            prop_assert!(c.score.is_some() != c.excluded.is_some());
        }
        if let Outcome::Assigned { agent_id } = p.outcome {
            let a = agents
                .iter()
                .find(|a| a.id == agent_id)
                .expect("assigned a known agent");
            prop_assert_eq!(
                a.status,
                AgentStatus::Online,
                "an unavailable agent got a conversation"
            );
            prop_assert!(a.load < a.capacity, "assignment above capacity");
            if p.sticky.as_deref().is_none_or(|s| !s.contains("goes back")) {
                prop_assert!(
                    route.teams.is_empty() || a.teams.iter().any(|t| route.teams.contains(t))
                );
            }
        } else {
            prop_assert!(
                p.candidates.iter().all(|c| c.score.is_none()),
                "queued although someone was free"
            );
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Random rosters, rules and arrivals: never above capacity, never assigned twice, the
        /// unavailable get nothing, a queued conversation is served as soon as capacity frees,
        /// priority then arrival order within the queue, and every decision is fully traced.
        #[test]
        fn routing_invariants(mut agents in roster(), evs in events(), strat in strategy(), sticky in any::<bool>()) {
            let mut s = settings();
            s.default_route.strategy = strat;
            if !sticky { s.sticky_window_ms = 0; }
            let rules = [
                rule(1, json!({"field": "entry.campaign", "op": "eq", "value": "c1"}), route(&[1], strat)),
                rule(2, json!({"field": "entry.campaign", "op": "eq", "value": "c2"}), route(&[2, 3], strat)),
            ];
            let mut open: HashMap<i64, i64> = HashMap::new(); // conversation → agent
            let mut ever: HashSet<i64> = HashSet::new();
            let mut queue: Vec<Queued> = Vec::new();
            let mut now = 1_000;
            let mut next = 1;
            for ev in evs {
                now += 1_000;
                match ev {
                    Ev::Arrive { priority, campaign } => {
                        let mut facts = Facts::new(now);
                        facts.set("entry.campaign", Fact::Text(format!("c{campaign}")));
                        let mut req = request(next, facts);
                        req.priority = priority;
                        if next % 3 == 0 && let Some((_, &a)) = open.iter().min_by_key(|(c, _)| **c) {
                            req.last_agent = Some((a, now - 10));
                        }
                        next += 1;
                        let d = decide(&req, &rules, &s, &agents);
                        check_pick(&d.pick, &d.route, &agents)?;
                        match d.pick.outcome {
                            Outcome::Assigned { agent_id } => {
                                prop_assert!(ever.insert(req.conversation_id), "assigned twice");
                                open.insert(req.conversation_id, agent_id);
                                assign(&mut agents, agent_id, now);
                            }
                            Outcome::Queued { .. } => queue.push(Queued { request: req, route: d.route, queued_ms: now }),
                        }
                    }
                    Ev::Resolve(i) => {
                        let mut ids: Vec<i64> = open.keys().copied().collect();
                        ids.sort();
                        if let Some(&c) = ids.get(i % ids.len().max(1)) {
                            let a = open.remove(&c).expect("open");
                            if let Some(a) = agents.iter_mut().find(|x| x.id == a) { a.load -= 1; }
                        }
                    }
                    Ev::SetStatus(i, st) => {
                        let n = agents.len();
                        if n > 0 { agents[i % n].status = st; }
                    }
                    Ev::SetCapacity(i, cap) => {
                        let n = agents.len();
                        if n > 0 { agents[i % n].capacity = cap; }
                    }
                }
                // Capacity may have freed: drain, then check nothing servable is left waiting.
                let before = agents.clone();
                let mut order = queue.clone();
                queue_order(&mut order);
                let served = drain(&mut queue, &s, &mut agents, now);
                let mut roster = before.clone();
                for (c, p) in &served {
                    let q = order.iter().find(|q| q.request.conversation_id == *c).expect("was queued");
                    check_pick(p, &q.route, &roster)?;
                    let a = assigned(p).expect("drain only returns assignments");
                    prop_assert!(ever.insert(*c), "assigned twice");
                    open.insert(*c, a);
                    assign(&mut roster, a, now);
                }
                queue.retain(|q| !served.iter().any(|(c, _)| *c == q.request.conversation_id));
                for q in &queue {
                    let p = pick(&q.route, &q.request, &s, &agents);
                    prop_assert!(assigned(&p).is_none(), "conversation {} still queued with a free agent", q.request.conversation_id);
                }
                // Priority then arrival: a served conversation never overtook an earlier one in
                // queue order that could have used the same agent.
                for (c, p) in &served {
                    let a = assigned(p).expect("assigned");
                    let pos = order.iter().position(|q| q.request.conversation_id == *c).expect("queued");
                    for earlier in &order[..pos] {
                        if queue.iter().any(|q| q.request.conversation_id == earlier.request.conversation_id) {
                            let ag = before.iter().find(|x| x.id == a).expect("agent");
                            prop_assert!(exclusion(&earlier.route, &earlier.request, ag).is_some(),
                                "conversation {} overtook {} for agent {}", c, earlier.request.conversation_id, a);
                        }
                    }
                }
                for a in &agents {
                    let load = open.values().filter(|x| **x == a.id).count() as u32;
                    prop_assert_eq!(a.load, load);
                }
            }
        }
    }
}
