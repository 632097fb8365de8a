//! Customer notifications' pure policy (N4, N7, N8, DESIGN.md section 9): whether a notice may go
//! out now (cap, per-kind limit, quiet period, do-not-disturb hours), in which order the channels
//! are tried (the customer's stated preference, corrected by what they ignore), and masking of
//! contact details in what is sent.
//!
//! Everything here is a function of its inputs, so the rules are unit- and property-tested; the
//! app gathers the history and applies the decision in one transaction.

use serde::{Deserialize, Serialize};

use crate::FieldErrors;

/// How a notice reaches someone. Channels configured by an account are of one of these media.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    /// The customer's message centre (widget and ticket page) or the agent's UI.
    InApp,
    Email,
    Sms,
    /// WeCom, DingTalk, Feishu.
    Im,
    /// Web push to agents' browsers.
    Push,
}

impl Medium {
    pub const ALL: [Medium; 5] = [
        Medium::InApp,
        Medium::Email,
        Medium::Sms,
        Medium::Im,
        Medium::Push,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Medium::InApp => "in_app",
            Medium::Email => "email",
            Medium::Sms => "sms",
            Medium::Im => "im",
            Medium::Push => "push",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// What a customer notice is about; the per-ticket cap counts notices by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Status,
    Timeout,
    Resolution,
    Marker,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 4] = [
        NoticeKind::Status,
        NoticeKind::Timeout,
        NoticeKind::Resolution,
        NoticeKind::Marker,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Status => "status",
            NoticeKind::Timeout => "timeout",
            NoticeKind::Resolution => "resolution",
            NoticeKind::Marker => "marker",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Do-not-disturb hours in the account's time zone, `[start, end)` in minutes since midnight;
/// `start > end` spans midnight (22:00–08:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dnd {
    pub start_minute: u16,
    pub end_minute: u16,
}

impl Dnd {
    /// Minutes from `local_minute` until the quiet hours end; `None` outside them.
    pub fn minutes_left(&self, local_minute: u16) -> Option<u16> {
        let (s, e, m) = (self.start_minute, self.end_minute, local_minute % 1440);
        let inside = if s <= e {
            m >= s && m < e
        } else {
            m >= s || m < e
        };
        inside.then(|| if m < e { e - m } else { 1440 - m + e })
    }
}

/// An account's notification policy. Every limit can be changed by an admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Customer notices per ticket, all kinds together.
    pub max_per_ticket: u32,
    /// Customer notices per ticket of one kind.
    pub max_per_kind: u32,
    /// Minutes between two notices of one kind on one ticket.
    pub quiet_period_minutes: u32,
    /// Customer notices wait until these hours end.
    pub dnd: Option<Dnd>,
    /// Media that need the customer's consent; the message centre does not.
    pub consent_required: Vec<Medium>,
    /// Reorder channels by what the customer opens.
    pub learn_preference: bool,
    /// Notices on a medium before "never opened" counts against it.
    pub preference_min_tries: u32,
    /// A sent notice on a medium with receipts, unconfirmed this long, is sent again.
    pub confirm_timeout_minutes: u32,
    /// Resends of an unconfirmed notice before it fails over.
    pub max_unconfirmed_retries: u32,
    /// Send attempts on one channel before failing over to the next.
    pub max_attempts: u32,
    pub mask_phones: bool,
    pub mask_emails: bool,
    pub mask_addresses: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            max_per_ticket: 3,
            max_per_kind: 1,
            quiet_period_minutes: 30,
            dnd: None,
            consent_required: vec![Medium::Email, Medium::Sms, Medium::Im],
            learn_preference: true,
            preference_min_tries: 3,
            confirm_timeout_minutes: 30,
            max_unconfirmed_retries: 1,
            max_attempts: 3,
            mask_phones: true,
            mask_emails: true,
            mask_addresses: true,
        }
    }
}

impl Policy {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if !(1..=20).contains(&self.max_per_ticket) {
            e.add("max_per_ticket", "must be between 1 and 20");
        }
        if !(1..=20).contains(&self.max_per_kind) {
            e.add("max_per_kind", "must be between 1 and 20");
        }
        if self.quiet_period_minutes > 7 * 24 * 60 {
            e.add("quiet_period_minutes", "must be at most a week");
        }
        if let Some(d) = self.dnd {
            if d.start_minute >= 1440 {
                e.add("dnd.start_minute", "must be below 1440");
            }
            if d.end_minute >= 1440 {
                e.add("dnd.end_minute", "must be below 1440");
            }
            if d.start_minute == d.end_minute {
                e.add("dnd.end_minute", "must differ from start_minute");
            }
        }
        if self.consent_required.contains(&Medium::Push) {
            e.add(
                "consent_required",
                "push goes to agents, who need no consent",
            );
        }
        if !(1..=100).contains(&self.preference_min_tries) {
            e.add("preference_min_tries", "must be between 1 and 100");
        }
        if !(1..=24 * 60).contains(&self.confirm_timeout_minutes) {
            e.add("confirm_timeout_minutes", "must be between 1 and 1440");
        }
        if self.max_unconfirmed_retries > 5 {
            e.add("max_unconfirmed_retries", "must be at most 5");
        }
        if !(1..=10).contains(&self.max_attempts) {
            e.add("max_attempts", "must be between 1 and 10");
        }
        e.finish()
    }

    pub fn quiet_period_ms(&self) -> i64 {
        i64::from(self.quiet_period_minutes) * 60_000
    }

    pub fn confirm_timeout_ms(&self) -> i64 {
        i64::from(self.confirm_timeout_minutes) * 60_000
    }
}

/// A customer notice already given on this ticket (queued or sent, not skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Given {
    pub kind: NoticeKind,
    pub at: i64,
}

/// Why a notice is not sent. Shown on the ticket's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Skip {
    /// The ticket had its `max` notices.
    CapReached { max: u32 },
    /// This kind had its `max` notices.
    KindLimit { kind: NoticeKind, max: u32 },
    /// A notice of this kind went out less than the quiet period ago.
    QuietPeriod { last_at: i64, until: i64 },
    /// The customer opted out (of this ticket or of everything, on every or one medium).
    OptedOut,
    /// No consent for any medium the rule uses.
    NoConsent,
    /// The recipient has no address on any medium the rule uses (no e-mail, no phone).
    NoAddress,
    /// No channel is configured and enabled for the media the rule uses.
    NoChannel,
}

impl Skip {
    pub fn code(&self) -> &'static str {
        match self {
            Skip::CapReached { .. } => "cap_reached",
            Skip::KindLimit { .. } => "kind_limit",
            Skip::QuietPeriod { .. } => "quiet_period",
            Skip::OptedOut => "opted_out",
            Skip::NoConsent => "no_consent",
            Skip::NoAddress => "no_address",
            Skip::NoChannel => "no_channel",
        }
    }
}

/// Whether a customer notice of `kind` may go out at `now`, given the notices already given on
/// the ticket. Checks the cap, the per-kind limit and the quiet period, in that order.
pub fn frequency(policy: &Policy, given: &[Given], kind: NoticeKind, now: i64) -> Result<(), Skip> {
    if given.len() as u64 >= u64::from(policy.max_per_ticket) {
        return Err(Skip::CapReached {
            max: policy.max_per_ticket,
        });
    }
    let same: Vec<&Given> = given.iter().filter(|g| g.kind == kind).collect();
    if same.len() as u64 >= u64::from(policy.max_per_kind) {
        return Err(Skip::KindLimit {
            kind,
            max: policy.max_per_kind,
        });
    }
    if let Some(last) = same.iter().map(|g| g.at).max() {
        let until = last + policy.quiet_period_ms();
        if now < until {
            return Err(Skip::QuietPeriod {
                last_at: last,
                until,
            });
        }
    }
    Ok(())
}

/// How a customer has responded to notices on one medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Engagement {
    /// Notices delivered.
    pub sent: u32,
    /// Of those, opened, clicked or read.
    pub engaged: u32,
}

/// The order in which to try `preferred` media: a medium the customer was sent at least
/// `min_tries` notices on and never engaged with moves behind every medium they did not ignore,
/// keeping the stated order otherwise (stable). With nothing learned the order is unchanged.
pub fn learned_order(
    preferred: &[Medium],
    stats: &dyn Fn(Medium) -> Engagement,
    min_tries: u32,
) -> Vec<Medium> {
    let ignored = |m: Medium| {
        let e = stats(m);
        e.sent >= min_tries && e.engaged == 0
    };
    let mut out: Vec<Medium> = preferred.iter().copied().filter(|m| !ignored(*m)).collect();
    out.extend(preferred.iter().copied().filter(|m| ignored(*m)));
    out
}

/// Which kinds of contact details to mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mask {
    pub phones: bool,
    pub emails: bool,
    pub addresses: bool,
}

impl From<&Policy> for Mask {
    fn from(p: &Policy) -> Self {
        Self {
            phones: p.mask_phones,
            emails: p.mask_emails,
            addresses: p.mask_addresses,
        }
    }
}

/// Masks contact details in `text`: mainland mobile numbers keep their first three and last four
/// digits (138****1234), landlines their area code, e-mail addresses their first character and
/// domain (w***@example.com), street addresses everything up to the district (北京市朝阳区****).
pub fn mask(text: &str, m: Mask) -> String {
    let mut out = text.to_owned();
    if m.emails {
        out = mask_emails(&out);
    }
    if m.phones {
        out = mask_phones(&out);
    }
    if m.addresses {
        out = mask_addresses(&out);
    }
    out
}

fn is_email_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-".contains(c)
}

fn is_domain(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

fn mask_emails(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i < chars.len() {
        if chars[i] == '@' {
            let mut s = i;
            while s > last && is_email_local(chars[s - 1]) {
                s -= 1;
            }
            let mut e = i + 1;
            while e < chars.len() && is_domain(chars[e]) {
                e += 1;
            }
            while e > i + 1 && chars[e - 1] == '.' {
                e -= 1;
            }
            let domain: String = chars[i + 1..e].iter().collect();
            let tld_ok = domain
                .rsplit_once('.')
                .is_some_and(|(h, t)| !h.is_empty() && t.len() >= 2);
            if s < i && tld_ok {
                out.extend(&chars[last..s]);
                out.push(chars[s]);
                out.push_str("***@");
                out.push_str(&domain);
                last = e;
                i = e;
                continue;
            }
        }
        i += 1;
    }
    out.extend(&chars[last..]);
    out
}

fn mask_phones(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            // A run of digits, possibly with one '-' or ' ' between the area code and the number.
            let mut e = i;
            while e < chars.len() && chars[e].is_ascii_digit() {
                e += 1;
            }
            let run: String = chars[i..e].iter().collect();
            let mobile =
                run.len() == 11 && run.starts_with('1') && matches!(run.as_bytes()[1], b'3'..=b'9');
            let cc_mobile = run.len() == 13
                && run.starts_with("861")
                && matches!(run.as_bytes()[3], b'3'..=b'9');
            if mobile || cc_mobile {
                // The country code stays, then 3 leading and 4 trailing digits (138****1234).
                let (cc, subscriber) = run.split_at(run.len() - 11);
                out.push_str(cc);
                out.push_str(&subscriber[..3]);
                out.push_str("****");
                out.push_str(&subscriber[7..]);
                i = e;
                continue;
            }
            // Landline: 0 + 2–3 digit area code, separator, 7–8 digits.
            if run.starts_with('0')
                && (3..=4).contains(&run.len())
                && e + 1 < chars.len()
                && (chars[e] == '-' || chars[e] == ' ')
            {
                let mut f = e + 1;
                while f < chars.len() && chars[f].is_ascii_digit() {
                    f += 1;
                }
                let n = f - e - 1;
                if (7..=8).contains(&n) && (f == chars.len() || !chars[f].is_ascii_digit()) {
                    out.push_str(&run);
                    out.push(chars[e]);
                    out.push_str(&"*".repeat(n - 2));
                    out.extend(&chars[f - 2..f]);
                    i = f;
                    continue;
                }
            }
            out.push_str(&run);
            i = e;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

const STREET_SUFFIXES: [&str; 7] = ["大道", "大街", "胡同", "路", "街", "巷", "弄"];
const DETAIL_CHARS: &str =
    "0123456789一二三四五六七八九十百零甲乙丙丁号栋幢座单元楼层室房-#ABCDEFabcdef ";
const ADMIN_SUFFIXES: [char; 6] = ['省', '市', '区', '县', '镇', '乡'];
const EN_STREETS: [&str; 12] = [
    "Street",
    "St",
    "Road",
    "Rd",
    "Avenue",
    "Ave",
    "Lane",
    "Ln",
    "Boulevard",
    "Blvd",
    "Drive",
    "Dr",
];

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Chinese street addresses: a street name ending in 路/街/… followed by a house number; masked
/// from after the last administrative division (省/市/区/县) before it. English: "12 Baker Street".
fn mask_addresses(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i < chars.len() {
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let suffix = STREET_SUFFIXES.iter().find(|s| rest.starts_with(**s));
        if let Some(suffix) = suffix
            && i > 0
            && is_han(chars[i - 1])
        {
            let after = i + suffix.chars().count();
            let mut e = after;
            while e < chars.len() && DETAIL_CHARS.contains(chars[e]) {
                e += 1;
            }
            let detail: String = chars[after..e].iter().collect();
            if detail
                .chars()
                .any(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
                && detail.contains('号')
            {
                // The street name starts after the last division or non-Han character.
                let mut s = i;
                while s > last
                    && is_han(chars[s - 1])
                    && !ADMIN_SUFFIXES.contains(&chars[s - 1])
                    && i - s < 12
                {
                    s -= 1;
                }
                out.extend(&chars[last..s]);
                out.push_str("****");
                last = e;
                i = e;
                continue;
            }
        }
        // English: a number, one to three capitalised words, a street word.
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let tail: String = chars[i..].iter().collect();
            if let Some(len) = english_street(&tail) {
                out.extend(&chars[last..i]);
                out.push_str("****");
                last = i + len;
                i = last;
                continue;
            }
        }
        i += 1;
    }
    out.extend(&chars[last..]);
    out
}

/// The length in chars of an English street address at the start of `s` ("221B Baker Street").
fn english_street(s: &str) -> Option<usize> {
    let num_len = s.chars().take_while(|c| c.is_ascii_alphanumeric()).count();
    if num_len == 0 || !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut pos = num_len;
    let mut words = 0;
    loop {
        let rest = &s[pos..];
        let r = rest.strip_prefix(' ')?;
        let word: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        if word.is_empty() || !word.starts_with(|c: char| c.is_ascii_uppercase()) {
            return None;
        }
        pos += 1 + word.len();
        if words > 0 && EN_STREETS.contains(&word.as_str()) {
            return Some(pos);
        }
        words += 1;
        if words > 3 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MIN: i64 = 60_000;

    fn given(kind: NoticeKind, at: i64) -> Given {
        Given { kind, at }
    }

    #[test]
    fn three_notices_one_per_kind_by_default() {
        let p = Policy::default();
        let mut g = vec![];
        assert_eq!(frequency(&p, &g, NoticeKind::Status, 0), Ok(()));
        g.push(given(NoticeKind::Status, 0));
        assert_eq!(
            frequency(&p, &g, NoticeKind::Status, 60 * MIN),
            Err(Skip::KindLimit {
                kind: NoticeKind::Status,
                max: 1
            })
        );
        assert_eq!(frequency(&p, &g, NoticeKind::Timeout, MIN), Ok(()));
        g.push(given(NoticeKind::Timeout, MIN));
        g.push(given(NoticeKind::Resolution, 2 * MIN));
        assert_eq!(
            frequency(&p, &g, NoticeKind::Marker, 90 * MIN),
            Err(Skip::CapReached { max: 3 })
        );
    }

    #[test]
    fn quiet_period_between_notices_of_one_kind() {
        let p = Policy {
            max_per_kind: 3,
            ..Policy::default()
        };
        let g = vec![given(NoticeKind::Status, 1000)];
        assert_eq!(
            frequency(&p, &g, NoticeKind::Status, 1000 + 29 * MIN),
            Err(Skip::QuietPeriod {
                last_at: 1000,
                until: 1000 + 30 * MIN
            })
        );
        assert_eq!(
            frequency(&p, &g, NoticeKind::Status, 1000 + 30 * MIN),
            Ok(())
        );
        // Another kind is not held back by the status quiet period.
        assert_eq!(frequency(&p, &g, NoticeKind::Timeout, 1000 + MIN), Ok(()));
    }

    #[test]
    fn dnd_spans_midnight() {
        let d = Dnd {
            start_minute: 22 * 60,
            end_minute: 8 * 60,
        };
        assert_eq!(d.minutes_left(23 * 60), Some(9 * 60));
        assert_eq!(d.minutes_left(7 * 60 + 30), Some(30));
        assert_eq!(d.minutes_left(8 * 60), None);
        assert_eq!(d.minutes_left(21 * 60 + 59), None);
        let day = Dnd {
            start_minute: 12 * 60,
            end_minute: 13 * 60,
        };
        assert_eq!(day.minutes_left(12 * 60 + 10), Some(50));
        assert_eq!(day.minutes_left(13 * 60), None);
    }

    #[test]
    fn ignored_media_drop_behind() {
        let stats = |m: Medium| match m {
            Medium::Sms => Engagement {
                sent: 4,
                engaged: 0,
            },
            Medium::Email => Engagement {
                sent: 2,
                engaged: 0,
            },
            Medium::InApp => Engagement {
                sent: 4,
                engaged: 2,
            },
            _ => Engagement::default(),
        };
        assert_eq!(
            learned_order(&[Medium::Sms, Medium::Email, Medium::InApp], &stats, 3),
            vec![Medium::Email, Medium::InApp, Medium::Sms]
        );
        assert_eq!(
            learned_order(&[Medium::Sms, Medium::Email], &|_| Engagement::default(), 3),
            vec![Medium::Sms, Medium::Email]
        );
    }

    #[test]
    fn masks_phones_emails_and_addresses() {
        let m = Mask {
            phones: true,
            emails: true,
            addresses: true,
        };
        assert_eq!(mask("手机13812341234，", m), "手机138****1234，");
        assert_eq!(mask("+8613812341234", m), "+86138****1234");
        assert_eq!(mask("电话 010-62345678", m), "电话 010-******78");
        assert_eq!(mask("wang.li@example.com 回复", m), "w***@example.com 回复");
        assert_eq!(
            mask("寄到北京市朝阳区建国路88号3单元502室，谢谢", m),
            "寄到北京市朝阳区****，谢谢"
        );
        assert_eq!(
            mask("ship to 221B Baker Street, London", m),
            "ship to ****, London"
        );
        // Ticket numbers, order numbers and amounts stay.
        assert_eq!(
            mask("工单ID-2024001 订单 20240512001 共 3 件", m),
            "工单ID-2024001 订单 20240512001 共 3 件"
        );
        let off = Mask {
            phones: false,
            emails: false,
            addresses: false,
        };
        assert_eq!(mask("13812341234 a@b.cn", off), "13812341234 a@b.cn");
    }

    #[test]
    fn policy_validation_names_fields() {
        let p = Policy {
            max_per_ticket: 0,
            dnd: Some(Dnd {
                start_minute: 1500,
                end_minute: 10,
            }),
            ..Policy::default()
        };
        let e = p.validate().expect_err("invalid");
        let fields: Vec<String> = e.into_vec().into_iter().map(|f| f.field).collect();
        assert_eq!(fields, vec!["max_per_ticket", "dnd.start_minute"]);
    }

    proptest! {
        /// Whatever the history, an allowed notice never exceeds the cap or the per-kind limit
        /// and never falls within the quiet period of its kind.
        #[test]
        fn allowed_notices_respect_every_limit(
            hist in proptest::collection::vec((0usize..4, 0i64..1_000_000_000), 0..8),
            kind in 0usize..4,
            now in 0i64..2_000_000_000,
            max_ticket in 1u32..6,
            max_kind in 1u32..4,
            quiet in 0u32..120,
        ) {
            let p = Policy { max_per_ticket: max_ticket, max_per_kind: max_kind, quiet_period_minutes: quiet, ..Policy::default() };
            let g: Vec<Given> = hist.iter().map(|(k, at)| given(NoticeKind::ALL[*k], *at)).collect();
            let k = NoticeKind::ALL[kind];
            if frequency(&p, &g, k, now).is_ok() {
                prop_assert!((g.len() as u32) < max_ticket);
                let same: Vec<_> = g.iter().filter(|x| x.kind == k).collect();
                prop_assert!((same.len() as u32) < max_kind);
                prop_assert!(same.iter().all(|x| now >= x.at + i64::from(quiet) * MIN));
            }
        }

        /// Learning only reorders: the same media come out, and unignored ones keep their order.
        #[test]
        fn learned_order_is_a_stable_permutation(
            sent in proptest::collection::vec((0u32..6, 0u32..3), 4),
            min in 1u32..5,
        ) {
            let pref = [Medium::Sms, Medium::Email, Medium::Im, Medium::InApp];
            let stats = |m: Medium| {
                let i = pref.iter().position(|x| *x == m).unwrap_or(0);
                Engagement { sent: sent[i].0, engaged: sent[i].1.min(sent[i].0) }
            };
            let out = learned_order(&pref, &stats, min);
            let mut sorted = out.clone();
            sorted.sort();
            let mut expected = pref.to_vec();
            expected.sort();
            prop_assert_eq!(sorted, expected);
            let kept: Vec<Medium> = out.iter().copied().filter(|m| { let e = stats(*m); !(e.sent >= min && e.engaged == 0) }).collect();
            let kept_in_pref: Vec<Medium> = pref.iter().copied().filter(|m| kept.contains(m)).collect();
            prop_assert_eq!(kept, kept_in_pref);
        }

        /// Masking never reveals a whole mobile number and never panics on any text.
        #[test]
        fn masking_hides_mobiles(prefix in "[a-z\u{4e00}-\u{4e10} ]{0,8}", digits in "1[3-9][0-9]{9}", suffix in "[a-z\u{4e00}-\u{4e10} ]{0,8}") {
            let text = format!("{prefix}{digits}{suffix}");
            let m = mask(&text, Mask { phones: true, emails: true, addresses: true });
            prop_assert!(!m.contains(&digits));
            prop_assert!(m.contains(&digits[7..]));
        }

        #[test]
        fn masking_any_text_is_total(text in "\\PC{0,60}") {
            let _ = mask(&text, Mask { phones: true, emails: true, addresses: true });
        }
    }
}
