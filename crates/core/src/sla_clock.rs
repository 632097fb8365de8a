//! The SLA clock: business time since a start, stopped while the ticket waits on someone else
//! (pending states). Pure: the caller supplies the calendar, the start and the pauses.

use crate::calendar::BusinessCalendar;

/// A period during which the clock stood still: `[from, to)`, `to = None` while still paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub from: i64,
    pub to: Option<i64>,
}

/// Running periods between `start` and `until` once pauses are cut out, in order.
fn running(start: i64, pauses: &[Pause], until: i64) -> Vec<(i64, i64)> {
    let mut sorted = pauses.to_vec();
    sorted.sort_by_key(|p| p.from);
    let mut out = Vec::new();
    let mut cursor = start;
    for p in sorted {
        if p.from > cursor {
            out.push((cursor, p.from.min(until)));
        }
        match p.to {
            Some(to) => cursor = cursor.max(to),
            None => return out.into_iter().filter(|(a, b)| b > a).collect(),
        }
        if cursor >= until {
            break;
        }
    }
    if until > cursor {
        out.push((cursor, until));
    }
    out.into_iter().filter(|(a, b)| b > a).collect()
}

/// Business time the clock has run from `start` to `now`.
pub fn elapsed(cal: &BusinessCalendar, start: i64, pauses: &[Pause], now: i64) -> i64 {
    running(start, pauses, now)
        .into_iter()
        .map(|(a, b)| cal.between(a, b))
        .sum()
}

/// When `target` business ms will have run, given the pauses so far. `None` while paused (the due
/// time is unknown until the clock runs again) or when the calendar has no working time ahead.
pub fn due_at(cal: &BusinessCalendar, start: i64, pauses: &[Pause], target: i64) -> Option<i64> {
    let mut sorted = pauses.to_vec();
    sorted.sort_by_key(|p| p.from);
    let mut remaining = target;
    let mut cursor = start;
    for p in sorted {
        if p.from > cursor {
            let available = cal.between(cursor, p.from);
            if available >= remaining {
                return cal.add(cursor, remaining);
            }
            remaining -= available;
        }
        cursor = cursor.max(p.to?);
    }
    cal.add(cursor, remaining)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarSpec;
    use proptest::prelude::*;

    const H: i64 = 3_600_000;

    fn always() -> BusinessCalendar {
        BusinessCalendar::from_spec(&CalendarSpec::always("UTC")).expect("valid")
    }

    #[test]
    fn a_pause_pushes_the_due_time_back_by_its_length() {
        let c = always();
        let pauses = [Pause {
            from: 2 * H,
            to: Some(5 * H),
        }];
        assert_eq!(due_at(&c, 0, &[], 4 * H), Some(4 * H));
        assert_eq!(due_at(&c, 0, &pauses, 4 * H), Some(7 * H));
        assert_eq!(elapsed(&c, 0, &pauses, 6 * H), 3 * H);
    }

    #[test]
    fn while_paused_there_is_no_due_time_and_the_clock_stands_still() {
        let c = always();
        let open = [Pause {
            from: 2 * H,
            to: None,
        }];
        assert_eq!(due_at(&c, 0, &open, 4 * H), None);
        assert_eq!(elapsed(&c, 0, &open, 10 * H), 2 * H);
        // A target reached before the pause began is still known.
        assert_eq!(due_at(&c, 0, &open, H), Some(H));
    }

    #[test]
    fn pauses_outside_business_hours_change_nothing() {
        let c = BusinessCalendar::from_spec(&CalendarSpec::china_office()).expect("valid");
        let fri_17 = jiff::civil::date(2026, 11, 20)
            .at(17, 0, 0, 0)
            .in_tz("Asia/Shanghai")
            .expect("time")
            .timestamp()
            .as_millisecond();
        let sat = fri_17 + 20 * H;
        let pauses = [Pause {
            from: sat,
            to: Some(sat + 10 * H),
        }];
        assert_eq!(
            due_at(&c, fri_17, &pauses, 2 * H),
            due_at(&c, fri_17, &[], 2 * H)
        );
    }

    proptest! {
        #[test]
        fn elapsed_at_the_due_time_is_the_target(
            target in 0i64..(100 * H),
            raw in prop::collection::vec((0i64..(200 * H), 0i64..(20 * H)), 0..5),
        ) {
            let c = always();
            let pauses: Vec<Pause> = raw.into_iter().map(|(f, len)| Pause { from: f, to: Some(f + len) }).collect();
            let due = due_at(&c, 0, &pauses, target).expect("always open");
            prop_assert_eq!(elapsed(&c, 0, &pauses, due), target);
        }
    }
}
