//! SLA policies and their clocks, and the warning thresholds learned from history (T3, N3).
//!
//! A policy is matched by conditions over the ticket (priority, category, channel, tags) and gives
//! targets per priority for first response, next response and resolution, in business minutes of
//! its calendar. [`evaluate`] turns a ticket's facts into each metric's state: its due time, its
//! warning time, whether it was met. Pending and resolved periods are pauses, so the resolution
//! clock stands still while the ticket waits on the customer and continues where it stopped when
//! a resolved ticket is reopened.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    FieldErrors,
    calendar::{BusinessCalendar, is_date},
    condition::{Condition, TICKET_FIELDS},
    sla_clock::{self, Pause},
    ticket::Priority,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    FirstResponse,
    NextResponse,
    Resolution,
}

impl Metric {
    pub const ALL: [Metric; 3] = [
        Metric::FirstResponse,
        Metric::NextResponse,
        Metric::Resolution,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::FirstResponse => "first_response",
            Metric::NextResponse => "next_response",
            Metric::Resolution => "resolution",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Targets for one priority, in business minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSet {
    pub first_response_minutes: Option<i64>,
    pub next_response_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
}

impl TargetSet {
    pub fn get(&self, m: Metric) -> Option<i64> {
        match m {
            Metric::FirstResponse => self.first_response_minutes,
            Metric::NextResponse => self.next_response_minutes,
            Metric::Resolution => self.resolution_minutes,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Warning,
    Breach,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Warning => "warning",
            Stage::Breach => "breach",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Stage::Warning, Stage::Breach]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// What happens when a metric reaches a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// The team's supervisors (or the account's) are told (an event the notifier delivers).
    NotifySupervisor,
    /// One step more urgent.
    RaisePriority,
    /// Moved to a team, unassigned.
    ReassignTeam { team_id: i64 },
}

/// (Unknown fields cannot be refused here: `flatten` and `deny_unknown_fields` do not mix; the
/// action's tag and fields are checked by `Action`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub on: Stage,
    /// Only this metric; any metric when absent.
    #[serde(default)]
    pub metric: Option<Metric>,
    #[serde(flatten)]
    pub action: Action,
}

/// An SLA policy as written by an admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    pub name: String,
    /// The shared condition language over ticket fields; always when empty.
    #[serde(default = "always")]
    pub conditions: serde_json::Value,
    /// The business calendar the clock counts on; the account's default when absent.
    #[serde(default)]
    pub calendar_id: Option<i64>,
    /// Targets per priority (`p1` … `p4`); a priority without targets has no SLA.
    pub targets: BTreeMap<String, TargetSet>,
    /// Warn when this fraction of a target has run (0 < f < 1).
    #[serde(default = "default_warn_fraction")]
    pub warn_fraction: f64,
    /// Warn on resolution at the threshold learned from history when there is enough of it.
    #[serde(default)]
    pub dynamic_warning: bool,
    #[serde(default)]
    pub escalations: Vec<Escalation>,
}

fn always() -> serde_json::Value {
    serde_json::json!({"all": []})
}

fn default_warn_fraction() -> f64 {
    0.8
}

/// A week of business minutes; longer targets are refused as typos.
const MAX_TARGET_MINUTES: i64 = 365 * 24 * 60;

impl PolicySpec {
    /// Checks the policy, naming each bad path; answers its parsed conditions.
    pub fn validate(&self) -> Result<Condition, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            errors.add("name", "must be 1–100 characters");
        }
        let cond = match Condition::parse(&self.conditions, &TICKET_FIELDS, "conditions") {
            Ok(c) => Some(c),
            Err(e) => {
                for fe in e.into_vec() {
                    errors.add(fe.field, fe.message);
                }
                None
            }
        };
        if self.targets.is_empty() {
            errors.add("targets", "must give targets for at least one priority");
        }
        for (p, set) in &self.targets {
            if Priority::parse(p).is_none() {
                errors.add(format!("targets.{p}"), "must be one of: p1, p2, p3, p4");
                continue;
            }
            if Metric::ALL.iter().all(|m| set.get(*m).is_none()) {
                errors.add(format!("targets.{p}"), "must set at least one target");
            }
            for m in Metric::ALL {
                if let Some(v) = set.get(m)
                    && !(1..=MAX_TARGET_MINUTES).contains(&v)
                {
                    errors.add(
                        format!("targets.{p}.{}_minutes", m.as_str()),
                        "must be a positive number of minutes (at most a year)",
                    );
                }
            }
        }
        if !(self.warn_fraction > 0.0 && self.warn_fraction < 1.0) {
            errors.add("warn_fraction", "must be between 0 and 1 (exclusive)");
        }
        if self.escalations.len() > 20 {
            errors.add("escalations", "must have at most 20 escalations");
        }
        errors.finish()?;
        Ok(cond.unwrap_or_else(Condition::always))
    }

    pub fn targets_for(&self, p: Priority) -> Option<TargetSet> {
        self.targets.get(p.as_str()).copied()
    }
}

/// What the SLA clock needs to know about a ticket.
#[derive(Debug, Clone, Default)]
pub struct ClockFacts {
    pub created_at: i64,
    /// The first public reply by an agent.
    pub first_response_at: Option<i64>,
    /// A customer wrote and no agent has answered since.
    pub awaiting_reply_since: Option<i64>,
    /// When the ticket was resolved, while it is resolved or closed.
    pub resolved_at: Option<i64>,
    /// Pending, resolved and closed periods.
    pub pauses: Vec<Pause>,
}

/// One metric's state at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricState {
    pub metric: Metric,
    pub target_ms: i64,
    /// The warning threshold in business ms.
    pub warn_ms: i64,
    /// `static` (fraction of the target) or `dynamic` (learned from history).
    pub warn_source: String,
    pub started_at: i64,
    /// When the target will be reached; `None` while paused.
    pub due_at: Option<i64>,
    pub warn_at: Option<i64>,
    /// When the clock stopped (reply or resolution).
    pub stopped_at: Option<i64>,
    /// Business ms run so far (to the stop, or now).
    pub elapsed_ms: i64,
    pub paused: bool,
    /// Met (stopped within the target), breached (target reached), or still running.
    pub status: MetricStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricStatus {
    Running,
    Met,
    Breached,
}

/// The resolution warning learned from history, if any.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LearnedWarning {
    pub warn_ms: i64,
}

/// Each targeted metric's state at `now`.
pub fn evaluate(
    cal: &BusinessCalendar,
    facts: &ClockFacts,
    targets: &TargetSet,
    warn_fraction: f64,
    learned: Option<LearnedWarning>,
    now: i64,
) -> Vec<MetricState> {
    let mut out = Vec::new();
    for m in Metric::ALL {
        let Some(minutes) = targets.get(m) else {
            continue;
        };
        let target_ms = minutes * 60_000;
        let (start, stop) = match m {
            Metric::FirstResponse => (
                facts.created_at,
                facts.first_response_at.or(facts.resolved_at),
            ),
            Metric::NextResponse => match facts.awaiting_reply_since {
                Some(s) if facts.first_response_at.is_some() => (s, facts.resolved_at),
                _ => continue,
            },
            Metric::Resolution => (facts.created_at, facts.resolved_at),
        };
        let (warn_ms, warn_source) = match (m, learned) {
            (Metric::Resolution, Some(l)) => (l.warn_ms.clamp(1, target_ms), "dynamic"),
            _ => (
                ((target_ms as f64) * warn_fraction).round() as i64,
                "static",
            ),
        };
        // Pauses only count from the metric's start.
        let pauses: Vec<Pause> = facts
            .pauses
            .iter()
            .filter(|p| p.to.is_none_or(|to| to > start))
            .map(|p| Pause {
                from: p.from.max(start),
                to: p.to,
            })
            .collect();
        let until = stop.unwrap_or(now).max(start);
        let elapsed_ms = sla_clock::elapsed(cal, start, &pauses, until);
        let paused = stop.is_none() && pauses.iter().any(|p| p.to.is_none() && p.from <= now);
        let due_at = sla_clock::due_at(cal, start, &pauses, target_ms);
        let warn_at = sla_clock::due_at(cal, start, &pauses, warn_ms);
        let status = match stop {
            Some(_) if elapsed_ms <= target_ms => MetricStatus::Met,
            Some(_) => MetricStatus::Breached,
            None if elapsed_ms >= target_ms => MetricStatus::Breached,
            None => MetricStatus::Running,
        };
        out.push(MetricState {
            metric: m,
            target_ms,
            warn_ms,
            warn_source: warn_source.into(),
            started_at: start,
            due_at,
            warn_at,
            stopped_at: stop,
            elapsed_ms,
            paused,
            status,
        });
    }
    out
}

/// A distribution of resolution times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    pub count: i64,
    pub p50_ms: i64,
    pub p90_ms: i64,
}

/// Nearest-rank percentiles of `values` (sorted in place); `None` when empty.
pub fn distribution(values: &mut [i64]) -> Option<Distribution> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = |q: f64| {
        let n = values.len();
        let r = ((q * n as f64).ceil() as usize).clamp(1, n);
        values[r - 1]
    };
    Some(Distribution {
        count: values.len() as i64,
        p50_ms: rank(0.5),
        p90_ms: rank(0.9),
    })
}

/// An admin-declared busy period (双十一): thresholds are multiplied by `factor` inside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeakPeriod {
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
    pub factor: f64,
}

/// How thresholds are learned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdSettings {
    /// The trailing window of resolved tickets, in days.
    #[serde(default = "default_window")]
    pub window_days: i64,
    /// Below this many resolved tickets the static target fraction is used.
    #[serde(default = "default_min_samples")]
    pub min_samples: i64,
    /// The warning is this fraction of p90 (5/6: "90 % in 3 h → warn at 2.5 h").
    #[serde(default = "default_p90_fraction")]
    pub p90_fraction: f64,
    /// Scale by how last year's same weeks compared with the weeks before them.
    #[serde(default = "default_true")]
    pub seasonal_last_year: bool,
    #[serde(default)]
    pub peaks: Vec<PeakPeriod>,
}

fn default_window() -> i64 {
    28
}
fn default_min_samples() -> i64 {
    20
}
fn default_p90_fraction() -> f64 {
    5.0 / 6.0
}
fn default_true() -> bool {
    true
}

impl Default for ThresholdSettings {
    fn default() -> Self {
        Self {
            window_days: default_window(),
            min_samples: default_min_samples(),
            p90_fraction: default_p90_fraction(),
            seasonal_last_year: true,
            peaks: vec![],
        }
    }
}

impl ThresholdSettings {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if !(1..=365).contains(&self.window_days) {
            errors.add("window_days", "must be 1–365");
        }
        if !(1..=100_000).contains(&self.min_samples) {
            errors.add("min_samples", "must be 1–100000");
        }
        if !(self.p90_fraction > 0.0 && self.p90_fraction <= 2.0) {
            errors.add("p90_fraction", "must be above 0 and at most 2");
        }
        for (i, p) in self.peaks.iter().enumerate() {
            if p.name.trim().is_empty() || p.name.chars().count() > 100 {
                errors.add(format!("peaks[{i}].name"), "must be 1–100 characters");
            }
            if !is_date(&p.from) {
                errors.add(format!("peaks[{i}].from"), "must be a date as YYYY-MM-DD");
            }
            if !is_date(&p.to) {
                errors.add(format!("peaks[{i}].to"), "must be a date as YYYY-MM-DD");
            } else if is_date(&p.from) && p.to < p.from {
                errors.add(format!("peaks[{i}].to"), "must not be before from");
            }
            if !(p.factor > 0.0 && p.factor <= 10.0) {
                errors.add(
                    format!("peaks[{i}].factor"),
                    "must be above 0 and at most 10",
                );
            }
        }
        errors.finish()
    }

    /// The declared peak covering `date` (`YYYY-MM-DD`), if any.
    pub fn peak_on(&self, date: &str) -> Option<&PeakPeriod> {
        self.peaks
            .iter()
            .find(|p| p.from.as_str() <= date && date <= p.to.as_str())
    }
}

/// Last year's seasonal factor: p90 of the same weeks last year over p90 of the weeks before
/// them, clamped to 0.5–3; 1 without enough data on either side.
pub fn seasonal_factor(
    same_weeks_last_year: Option<Distribution>,
    weeks_before_last_year: Option<Distribution>,
    min_samples: i64,
) -> f64 {
    match (same_weeks_last_year, weeks_before_last_year) {
        (Some(a), Some(b)) if a.count >= min_samples && b.count >= min_samples && b.p90_ms > 0 => {
            (a.p90_ms as f64 / b.p90_ms as f64).clamp(0.5, 3.0)
        }
        _ => 1.0,
    }
}

/// The learned warning: `p90 × p90_fraction × factor`, or `None` below the minimum sample.
pub fn learned_warning(
    current: Option<Distribution>,
    factor: f64,
    settings: &ThresholdSettings,
) -> Option<i64> {
    let d = current?;
    (d.count >= settings.min_samples)
        .then(|| (d.p90_ms as f64 * settings.p90_fraction * factor).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarSpec;
    use proptest::prelude::*;

    const H: i64 = 3_600_000;
    const MIN: i64 = 60_000;

    fn always() -> BusinessCalendar {
        BusinessCalendar::from_spec(&CalendarSpec::always("UTC")).expect("valid in the test")
    }

    fn targets(first: i64, resolution: i64) -> TargetSet {
        TargetSet {
            first_response_minutes: Some(first),
            next_response_minutes: None,
            resolution_minutes: Some(resolution),
        }
    }

    #[test]
    fn ninety_percent_in_three_hours_warns_at_two_and_a_half() {
        // 100 tickets: 90 resolved within 3 h, 10 slower.
        let mut v: Vec<i64> = (1..=90).map(|i| i * 2 * MIN).collect();
        v.extend((0..10).map(|i| 5 * H + i * MIN));
        let d = distribution(&mut v).expect("valid in the test");
        assert_eq!(d.p90_ms, 3 * H);
        assert_eq!(d.count, 100);
        let s = ThresholdSettings::default();
        assert_eq!(learned_warning(Some(d), 1.0, &s), Some(150 * MIN));
        assert_eq!(learned_warning(Some(d), 1.2, &s), Some(180 * MIN));
    }

    #[test]
    fn a_small_sample_falls_back_to_the_static_target() {
        let mut v: Vec<i64> = (1..=5).map(|i| i * H).collect();
        let d = distribution(&mut v);
        assert_eq!(learned_warning(d, 1.0, &ThresholdSettings::default()), None);
        assert_eq!(
            learned_warning(None, 1.0, &ThresholdSettings::default()),
            None
        );
    }

    #[test]
    fn seasonal_factor_compares_last_years_weeks_and_is_clamped() {
        let d = |count, p90| {
            Some(Distribution {
                count,
                p50_ms: p90 / 2,
                p90_ms: p90,
            })
        };
        assert_eq!(seasonal_factor(d(50, 6 * H), d(50, 4 * H), 20), 1.5);
        assert_eq!(seasonal_factor(d(50, 40 * H), d(50, H), 20), 3.0);
        assert_eq!(seasonal_factor(d(5, 6 * H), d(50, 4 * H), 20), 1.0);
        assert_eq!(seasonal_factor(None, d(50, 4 * H), 20), 1.0);
    }

    #[test]
    fn pending_pauses_and_resolution_stops_the_clock() {
        let cal = always();
        let facts = ClockFacts {
            created_at: 0,
            first_response_at: Some(10 * MIN),
            pauses: vec![Pause {
                from: H,
                to: Some(3 * H),
            }],
            ..Default::default()
        };
        let s = evaluate(&cal, &facts, &targets(30, 4 * 60), 0.5, None, 2 * H);
        assert_eq!(s[0].metric, Metric::FirstResponse);
        assert_eq!(s[0].status, MetricStatus::Met);
        let r = &s[1];
        assert_eq!(r.metric, Metric::Resolution);
        assert_eq!(r.due_at, Some(6 * H), "4 h of running time, 2 h paused");
        assert_eq!(
            r.warn_at,
            Some(4 * H),
            "warn at 2 h of running time: 1 h, the pause, 1 h"
        );
        assert_eq!(r.elapsed_ms, H);
        assert!(!r.paused);
        // Still paused: due unknown.
        let open_pause = ClockFacts {
            pauses: vec![Pause { from: H, to: None }],
            ..facts.clone()
        };
        let s = evaluate(&cal, &open_pause, &targets(30, 240), 0.5, None, 2 * H);
        assert!(s[1].paused);
        assert_eq!(s[1].due_at, None);
        // Resolved at 5 h (3 h running): met.
        let resolved = ClockFacts {
            resolved_at: Some(5 * H),
            ..facts
        };
        let s = evaluate(&cal, &resolved, &targets(30, 240), 0.5, None, 9 * H);
        assert_eq!(s[1].status, MetricStatus::Met);
        assert_eq!(s[1].elapsed_ms, 3 * H);
    }

    #[test]
    fn an_unanswered_ticket_breaches_first_response_at_its_business_due_time() {
        // Beijing office hours; created Friday 17:30 local with a 60-minute target: 30 minutes on
        // Friday, 30 on Monday from 09:00 → due Monday 09:30 local = 01:30 UTC.
        let cal =
            BusinessCalendar::from_spec(&CalendarSpec::china_office()).expect("valid in the test");
        let fri_1730_local = jiff::civil::date(2026, 11, 20)
            .at(17, 30, 0, 0)
            .in_tz("Asia/Shanghai")
            .expect("valid in the test")
            .timestamp()
            .as_millisecond();
        let mon_0930_local = jiff::civil::date(2026, 11, 23)
            .at(9, 30, 0, 0)
            .in_tz("Asia/Shanghai")
            .expect("valid in the test")
            .timestamp()
            .as_millisecond();
        let facts = ClockFacts {
            created_at: fri_1730_local,
            ..Default::default()
        };
        let s = evaluate(&cal, &facts, &targets(60, 600), 0.8, None, fri_1730_local);
        assert_eq!(s[0].due_at, Some(mon_0930_local));
        let s = evaluate(&cal, &facts, &targets(60, 600), 0.8, None, mon_0930_local);
        assert_eq!(s[0].status, MetricStatus::Breached);
    }

    #[test]
    fn a_learned_resolution_warning_replaces_the_fraction_but_not_beyond_the_target() {
        let cal = always();
        let facts = ClockFacts::default();
        let s = evaluate(
            &cal,
            &facts,
            &targets(60, 240),
            0.8,
            Some(LearnedWarning { warn_ms: 150 * MIN }),
            0,
        );
        assert_eq!(s[1].warn_ms, 150 * MIN);
        assert_eq!(s[1].warn_source, "dynamic");
        assert_eq!(s[0].warn_ms, 48 * MIN);
        let s = evaluate(
            &cal,
            &facts,
            &targets(60, 240),
            0.8,
            Some(LearnedWarning { warn_ms: 900 * MIN }),
            0,
        );
        assert_eq!(s[1].warn_ms, 240 * MIN);
    }

    #[test]
    fn policies_refuse_zero_targets_and_unknown_priorities() {
        let spec: PolicySpec = serde_json::from_value(serde_json::json!({
            "name": "VIP",
            "targets": {"p1": {"resolution_minutes": 0}, "p9": {"resolution_minutes": 5}},
            "warn_fraction": 1.5
        }))
        .expect("valid in the test");
        let paths: Vec<String> = spec
            .validate()
            .expect_err("invalid in the test")
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(paths.contains(&"targets.p1.resolution_minutes".to_owned()));
        assert!(paths.contains(&"targets.p9".to_owned()));
        assert!(paths.contains(&"warn_fraction".to_owned()));
    }

    proptest! {
        /// The warning never comes after the breach, and pausing never makes a due time earlier.
        #[test]
        fn warning_precedes_breach_and_pauses_only_delay(
            target in 1i64..2000, frac in 0.05f64..0.95,
            pause_from in 0i64..200, pause_len in 0i64..200,
        ) {
            let cal = always();
            let base = ClockFacts::default();
            let with_pause = ClockFacts {
                pauses: vec![Pause { from: pause_from * MIN, to: Some((pause_from + pause_len) * MIN) }],
                ..Default::default()
            };
            let t = TargetSet { resolution_minutes: Some(target), ..Default::default() };
            let a = &evaluate(&cal, &base, &t, frac, None, 0)[0];
            let b = &evaluate(&cal, &with_pause, &t, frac, None, 0)[0];
            prop_assert!(a.warn_at.expect("valid in the test") <= a.due_at.expect("valid in the test"));
            prop_assert!(b.warn_at.expect("valid in the test") <= b.due_at.expect("valid in the test"));
            prop_assert!(b.due_at.expect("valid in the test") >= a.due_at.expect("valid in the test"));
            prop_assert!(b.due_at.expect("valid in the test") - a.due_at.expect("valid in the test") <= pause_len * MIN);
        }
    }
}
