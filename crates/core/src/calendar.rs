//! Business-hours calendars: a time zone, working hours per weekday (gaps are breaks), holidays,
//! and extra working days (China's adjusted working days, 调休). SLA clocks count business time only.
//!
//! Times are epoch milliseconds, like everywhere in Yingke. Local times are resolved in the
//! calendar's zone with the "compatible" rule across DST changes: a wall time skipped by a spring
//! change moves forward, a repeated one takes its first occurrence.

use std::collections::BTreeSet;

use jiff::{
    Timestamp,
    civil::{Date, Weekday},
    tz::TimeZone,
};
use serde::{Deserialize, Serialize};

use crate::FieldErrors;

const MINUTES_PER_DAY: u16 = 24 * 60;
/// How far ahead a search for working time goes before deciding there is none (ten years).
const HORIZON_DAYS: u32 = 3660;

/// Working time within one local day: `[start, end)` in minutes after midnight; `end` ≤ 1440.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WorkSpan {
    pub start_min: u16,
    pub end_min: u16,
}

impl WorkSpan {
    pub fn new(start_min: u16, end_min: u16) -> Self {
        Self { start_min, end_min }
    }

    /// `"09:00"`–`"18:00"` style constructor for tests and defaults.
    pub fn hm(start: (u16, u16), end: (u16, u16)) -> Self {
        Self::new(start.0 * 60 + start.1, end.0 * 60 + end.1)
    }
}

/// A calendar as configured (and stored, and sent over the API). Validate with
/// [`BusinessCalendar::from_spec`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// IANA zone, e.g. `Asia/Shanghai`.
    pub timezone: String,
    /// Working spans for Monday … Sunday (index 0 = Monday).
    pub weekly: [Vec<WorkSpan>; 7],
    /// Days off (`YYYY-MM-DD`), whatever the weekday.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// Days worked although the weekday is normally off (调休), with `workday_hours`.
    #[serde(default)]
    pub extra_workdays: Vec<String>,
    /// Hours of an extra working day; Monday's hours when empty.
    #[serde(default)]
    pub workday_hours: Vec<WorkSpan>,
}

impl CalendarSpec {
    /// The usual Chinese office week: Monday–Friday 09:00–12:00 and 13:30–18:00, Beijing time.
    pub fn china_office() -> Self {
        let day = vec![
            WorkSpan::hm((9, 0), (12, 0)),
            WorkSpan::hm((13, 30), (18, 0)),
        ];
        Self {
            timezone: "Asia/Shanghai".into(),
            weekly: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                vec![],
                vec![],
            ],
            holidays: vec![],
            extra_workdays: vec![],
            workday_hours: vec![],
        }
    }

    /// Around the clock, every day.
    pub fn always(timezone: &str) -> Self {
        let all = vec![WorkSpan::new(0, MINUTES_PER_DAY)];
        Self {
            timezone: timezone.into(),
            weekly: std::array::from_fn(|_| all.clone()),
            holidays: vec![],
            extra_workdays: vec![],
            workday_hours: vec![],
        }
    }
}

/// Whether `s` is a calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    s.len() == 10 && s.parse::<Date>().is_ok()
}

/// A validated calendar that answers business-time questions.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    tz: TimeZone,
    weekly: [Vec<WorkSpan>; 7],
    holidays: BTreeSet<Date>,
    extra_workdays: BTreeSet<Date>,
    workday_hours: Vec<WorkSpan>,
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn check_spans(errors: &mut FieldErrors, path: &str, spans: &[WorkSpan]) {
    let mut sorted: Vec<(usize, WorkSpan)> = spans.iter().copied().enumerate().collect();
    sorted.sort_by_key(|(_, s)| *s);
    for (i, s) in &sorted {
        if s.start_min >= s.end_min || s.end_min > MINUTES_PER_DAY {
            errors.add(
                format!("{path}[{i}]"),
                "start must be before end, within one day (0–1440 minutes)",
            );
        }
    }
    for pair in sorted.windows(2) {
        let ((_, a), (j, b)) = (pair[0], pair[1]);
        if b.start_min < a.end_min {
            errors.add(
                format!("{path}[{j}]"),
                "overlaps another span of the same day",
            );
        }
    }
}

fn parse_dates(errors: &mut FieldErrors, path: &str, raw: &[String]) -> BTreeSet<Date> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, d)| {
            errors.check(
                &format!("{path}[{i}]"),
                d.parse::<Date>()
                    .map_err(|_| "must be a date as YYYY-MM-DD"),
            )
        })
        .collect()
}

impl BusinessCalendar {
    /// Validates a spec, naming every invalid field (`weekly.mon[1]`, `holidays[3]`, `timezone`).
    pub fn from_spec(spec: &CalendarSpec) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let tz = errors.check(
            "timezone",
            TimeZone::get(&spec.timezone).map_err(|_| "is not a known IANA time zone"),
        );
        for (i, spans) in spec.weekly.iter().enumerate() {
            check_spans(&mut errors, &format!("weekly.{}", DAY_NAMES[i]), spans);
        }
        check_spans(&mut errors, "workday_hours", &spec.workday_hours);
        let holidays = parse_dates(&mut errors, "holidays", &spec.holidays);
        let extra = parse_dates(&mut errors, "extra_workdays", &spec.extra_workdays);
        if let Some(both) = holidays.intersection(&extra).next() {
            errors.add("extra_workdays", format!("{both} is also a holiday"));
        }
        let workday_hours = if spec.workday_hours.is_empty() {
            spec.weekly[0].clone()
        } else {
            spec.workday_hours.clone()
        };
        let any_hours = spec.weekly.iter().any(|d| !d.is_empty())
            || (!extra.is_empty() && !workday_hours.is_empty());
        if !any_hours {
            errors.add("weekly", "must have working hours on at least one day");
        }
        errors.finish()?;
        let mut weekly = spec.weekly.clone();
        for day in &mut weekly {
            day.sort();
        }
        let mut workday_hours = workday_hours;
        workday_hours.sort();
        Ok(Self {
            tz: tz.expect("checked above: errors would have returned"),
            weekly,
            holidays,
            extra_workdays: extra,
            workday_hours,
        })
    }

    /// The spans worked on a local date.
    fn spans_on(&self, date: Date) -> &[WorkSpan] {
        if self.holidays.contains(&date) {
            return &[];
        }
        if self.extra_workdays.contains(&date) {
            return &self.workday_hours;
        }
        &self.weekly[weekday_index(date.weekday())]
    }

    /// Local `date` at `minute` past midnight (1440 = the next midnight), as epoch ms.
    fn instant(&self, date: Date, minute: u16) -> i64 {
        let (date, minute) = if minute >= MINUTES_PER_DAY {
            (date.tomorrow().unwrap_or(date), minute - MINUTES_PER_DAY)
        } else {
            (date, minute)
        };
        let hour = i8::try_from(minute / 60).unwrap_or(0);
        let min = i8::try_from(minute % 60).unwrap_or(0);
        self.tz
            .to_ambiguous_zoned(date.at(hour, min, 0, 0))
            .compatible()
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(i64::MAX)
    }

    fn local_date(&self, ms: i64) -> Option<Date> {
        Timestamp::from_millisecond(ms)
            .ok()
            .map(|t| t.to_zoned(self.tz.clone()).date())
    }

    /// Working intervals `[from, to)` in epoch ms, in order, starting with the day containing `ms`.
    fn intervals_from(&self, ms: i64) -> impl Iterator<Item = (i64, i64)> + '_ {
        // Start a day early: a local day's hours can begin before `ms` in UTC terms and still
        // cover it (DST, spans ending at midnight).
        let first = self.local_date(ms).and_then(|d| d.yesterday().ok());
        let days = std::iter::successors(first, |d| d.tomorrow().ok()).take(HORIZON_DAYS as usize);
        days.flat_map(move |date| {
            self.spans_on(date)
                .iter()
                .map(move |s| {
                    (
                        self.instant(date, s.start_min),
                        self.instant(date, s.end_min),
                    )
                })
                .collect::<Vec<_>>()
        })
        .filter(move |(_, to)| *to > ms)
    }

    /// The local weekday (1 = Monday … 7 = Sunday) and minute of the day at `ms`.
    pub fn local_clock(&self, ms: i64) -> Option<(u8, u16)> {
        let z = Timestamp::from_millisecond(ms)
            .ok()?
            .to_zoned(self.tz.clone());
        let weekday = u8::try_from(z.weekday().to_monday_one_offset()).ok()?;
        let minute = u16::try_from(i32::from(z.hour()) * 60 + i32::from(z.minute())).ok()?;
        Some((weekday, minute))
    }

    /// The first local `minute` of a day after `after` (strictly) whose weekday is in `weekdays`
    /// (1 = Monday … 7 = Sunday; empty = any), skipping days without working hours when
    /// `working_days_only` (holidays, weekends). "Next Monday 09:00", "next working day 09:00".
    pub fn next_local(
        &self,
        after: i64,
        weekdays: &[u8],
        minute: u16,
        working_days_only: bool,
    ) -> Option<i64> {
        let first = self.local_date(after)?;
        std::iter::successors(Some(first), |d| d.tomorrow().ok())
            .take(HORIZON_DAYS as usize)
            .filter(|d| {
                let wd = u8::try_from(d.weekday().to_monday_one_offset()).unwrap_or(0);
                (weekdays.is_empty() || weekdays.contains(&wd))
                    && (!working_days_only || !self.spans_on(*d).is_empty())
            })
            .map(|d| self.instant(d, minute.min(MINUTES_PER_DAY - 1)))
            .find(|&at| at > after)
    }

    /// The start of the first working span of the next working day that starts after `after`:
    /// when a shift begins (the daily to-do list is delivered then).
    pub fn next_shift_start(&self, after: i64) -> Option<i64> {
        let first = self.local_date(after)?;
        std::iter::successors(Some(first), |d| d.tomorrow().ok())
            .take(HORIZON_DAYS as usize)
            .filter_map(|d| {
                self.spans_on(d)
                    .first()
                    .map(|s| self.instant(d, s.start_min))
            })
            .find(|&at| at > after)
    }

    /// Local midnight of a `YYYY-MM-DD` date in the calendar's zone (date attributes as moments).
    pub fn local_midnight(&self, date: &str) -> Option<i64> {
        date.get(..10)?
            .parse::<Date>()
            .ok()
            .map(|d| self.instant(d, 0))
    }

    /// Whether the local date of `ms` is a holiday of this calendar.
    pub fn is_holiday(&self, ms: i64) -> bool {
        self.local_date(ms)
            .is_some_and(|d| self.holidays.contains(&d))
    }

    /// Whether `ms` falls in working time.
    pub fn is_working(&self, ms: i64) -> bool {
        self.intervals_from(ms)
            .next()
            .is_some_and(|(from, to)| from <= ms && ms < to)
    }

    /// The instant `business_ms` of working time after `start`. `None` when the calendar has no
    /// working time within ten years. Zero duration answers `start` itself.
    pub fn add(&self, start: i64, business_ms: i64) -> Option<i64> {
        if business_ms <= 0 {
            return Some(start);
        }
        let mut remaining = business_ms;
        for (from, to) in self.intervals_from(start) {
            let from = from.max(start);
            let available = to - from;
            if available >= remaining {
                return Some(from + remaining);
            }
            remaining -= available;
        }
        None
    }

    /// Working time between `a` and `b` (zero when `b` ≤ `a`).
    pub fn between(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        let mut total = 0;
        for (from, to) in self.intervals_from(a) {
            if from >= b {
                break;
            }
            total += to.min(b) - from.max(a);
        }
        total
    }
}

fn weekday_index(w: Weekday) -> usize {
    usize::try_from(w.to_monday_zero_offset()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const H: i64 = 3_600_000;
    const M: i64 = 60_000;

    fn cal(spec: &CalendarSpec) -> BusinessCalendar {
        BusinessCalendar::from_spec(spec).expect("valid calendar")
    }

    /// Epoch ms of a wall time in a zone.
    fn at(tz: &str, y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
        jiff::civil::date(y, mo, d)
            .at(h, mi, 0, 0)
            .in_tz(tz)
            .expect("valid wall time")
            .timestamp()
            .as_millisecond()
    }

    fn sh(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
        at("Asia/Shanghai", y, mo, d, h, mi)
    }

    #[test]
    fn friday_evening_plus_two_hours_is_monday_morning() {
        let c = cal(&CalendarSpec::china_office());
        // 2026-11-20 is a Friday. 17:00 + 2 h = 1 h on Friday, 1 h on Monday 09:00–10:00.
        assert_eq!(
            c.add(sh(2026, 11, 20, 17, 0), 2 * H),
            Some(sh(2026, 11, 23, 10, 0))
        );
        assert_eq!(
            c.between(sh(2026, 11, 20, 17, 0), sh(2026, 11, 23, 10, 0)),
            2 * H
        );
    }

    #[test]
    fn the_lunch_break_does_not_count() {
        let c = cal(&CalendarSpec::china_office());
        // 11:30 + 1 h = 30 min before lunch + 30 min after 13:30.
        assert_eq!(
            c.add(sh(2026, 11, 18, 11, 30), H),
            Some(sh(2026, 11, 18, 14, 0))
        );
        assert!(!c.is_working(sh(2026, 11, 18, 12, 45)));
        assert!(c.is_working(sh(2026, 11, 18, 13, 30)));
        assert_eq!(
            c.between(sh(2026, 11, 18, 0, 0), sh(2026, 11, 19, 0, 0)),
            7 * H + 30 * M
        );
    }

    #[test]
    fn a_start_outside_hours_begins_at_the_next_opening() {
        let c = cal(&CalendarSpec::china_office());
        // Saturday night + 30 min → Monday 09:30.
        assert_eq!(
            c.add(sh(2026, 11, 21, 22, 0), 30 * M),
            Some(sh(2026, 11, 23, 9, 30))
        );
    }

    #[test]
    fn holidays_are_skipped_and_adjusted_working_days_count() {
        // National Day 2026: Oct 1–7 off; Sunday Sep 27 and Saturday Oct 10 are worked (调休).
        let mut spec = CalendarSpec::china_office();
        spec.holidays = (1..=7).map(|d| format!("2026-10-0{d}")).collect();
        spec.extra_workdays = vec!["2026-09-27".into(), "2026-10-10".into()];
        let c = cal(&spec);
        // Wednesday Sep 30, 17:00 + 2 h: 1 h on Sep 30, then the holiday, then Thu Oct 8 10:00.
        assert_eq!(
            c.add(sh(2026, 9, 30, 17, 0), 2 * H),
            Some(sh(2026, 10, 8, 10, 0))
        );
        // Saturday Sep 26 evening + 1 h → the adjusted Sunday Sep 27 at 10:00.
        assert_eq!(
            c.add(sh(2026, 9, 26, 20, 0), H),
            Some(sh(2026, 9, 27, 10, 0))
        );
        assert!(c.is_working(sh(2026, 10, 10, 9, 0)));
        assert!(!c.is_working(sh(2026, 10, 1, 10, 0)));
    }

    #[test]
    fn business_hours_follow_the_zone_across_daylight_saving() {
        // New York springs forward on 2026-03-08 at 02:00 (the day has 23 hours).
        let c = cal(&CalendarSpec::always("America/New_York"));
        let start = at("America/New_York", 2026, 3, 7, 12, 0);
        let end = c.add(start, 24 * H).expect("always open");
        assert_eq!(
            end - start,
            24 * H,
            "elapsed business time equals elapsed real time"
        );
        assert_eq!(
            end,
            at("America/New_York", 2026, 3, 8, 13, 0),
            "wall clock moved an hour"
        );
        // A 09:00–17:00 calendar keeps local hours on both sides of the change.
        let mut spec = CalendarSpec::always("America/New_York");
        spec.weekly = std::array::from_fn(|_| vec![WorkSpan::hm((9, 0), (17, 0))]);
        let nine_to_five = cal(&spec);
        assert_eq!(
            nine_to_five.add(at("America/New_York", 2026, 3, 7, 16, 0), 2 * H),
            Some(at("America/New_York", 2026, 3, 8, 10, 0))
        );
    }

    #[test]
    fn invalid_specs_name_every_bad_field() {
        let mut spec = CalendarSpec::china_office();
        spec.timezone = "Mars/Olympus".into();
        spec.weekly[0] = vec![
            WorkSpan::hm((9, 0), (12, 0)),
            WorkSpan::hm((11, 0), (13, 0)),
        ];
        spec.weekly[2] = vec![WorkSpan::hm((18, 0), (9, 0))];
        spec.holidays = vec!["2026-13-01".into()];
        let err = BusinessCalendar::from_spec(&spec).expect_err("invalid");
        let fields: Vec<String> = err.into_vec().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["timezone", "weekly.mon[1]", "weekly.wed[0]", "holidays[0]"]
        );

        let mut empty = CalendarSpec::always("UTC");
        empty.weekly = std::array::from_fn(|_| vec![]);
        assert!(BusinessCalendar::from_spec(&empty).is_err());
    }

    #[test]
    fn a_calendar_spec_round_trips_through_json_and_refuses_unknown_keys() {
        let spec = CalendarSpec::china_office();
        let json = serde_json::to_string(&spec).expect("serialise");
        assert_eq!(
            serde_json::from_str::<CalendarSpec>(&json).expect("parse"),
            spec
        );
        assert!(
            serde_json::from_str::<CalendarSpec>(
                r#"{"timezone":"UTC","weekly":[[],[],[],[],[],[],[]],"x":1}"#
            )
            .is_err()
        );
    }

    fn office() -> BusinessCalendar {
        let mut spec = CalendarSpec::china_office();
        spec.holidays = vec!["2026-10-01".into(), "2026-10-02".into()];
        spec.extra_workdays = vec!["2026-10-10".into()];
        cal(&spec)
    }

    // Starts across 2026 (with the holidays above) and durations up to two working weeks.
    fn start() -> impl Strategy<Value = i64> {
        let base = sh(2026, 1, 1, 0, 0);
        (0i64..365 * 24 * 60).prop_map(move |m| base + m * M)
    }
    fn dur() -> impl Strategy<Value = i64> {
        0i64..(80 * 60)
    }

    proptest! {
        #[test]
        fn adding_then_measuring_gives_back_the_duration(s in start(), d in dur()) {
            let c = office();
            let end = c.add(s, d * M).expect("office calendar has hours");
            prop_assert_eq!(c.between(s, end), d * M);
        }

        #[test]
        fn adding_is_additive(s in start(), a in dur(), b in dur()) {
            let c = office();
            let once = c.add(s, (a + b) * M);
            let twice = c.add(s, a * M).and_then(|mid| c.add(mid, b * M));
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn adding_is_monotonic_and_never_ends_off_hours(s in start(), a in dur(), b in dur()) {
            let c = office();
            let (lo, hi) = (a.min(b), a.max(b));
            let (e_lo, e_hi) = (c.add(s, lo * M).expect("hours"), c.add(s, hi * M).expect("hours"));
            prop_assert!(e_lo <= e_hi);
            if hi > 0 {
                // The deadline is reached inside working time (or exactly at a span's end).
                prop_assert!(c.is_working(e_hi - 1));
            }
        }

        #[test]
        fn between_splits_at_any_point(s in start(), d1 in dur(), d2 in dur()) {
            let c = office();
            let mid = s + d1 * M;
            let end = mid + d2 * M;
            prop_assert_eq!(c.between(s, end), c.between(s, mid) + c.between(mid, end));
        }
    }
}
