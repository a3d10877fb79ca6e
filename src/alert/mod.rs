//! What to alert and when.
//!
//! During an import, [`Recorder`] writes one `alert` row per new message whose category the
//! config asks to alert on, inside the same transaction as the message: `pending` when it is
//! recent, `suppressed` when it is older than `max_age_days` (an old backup's first import
//! must not pop hundreds of alerts) or has no time at all (nothing says it is new: an export
//! whose time field was not understood would otherwise alert every old message in it).
//! After the import the daemon asks [`plan`] what to do with the due rows: hold them during
//! quiet hours, send one digest of the held ones afterwards, group many from one import into
//! one alert, or send each. A row becomes `sent` only once the
//! desktop accepted it, so a message is alerted at most once, across restarts too, and alerts
//! that could not be shown (no notification server) wait for the next try.
//!
//! [`desktop`] turns a [`Notice`] plan into text and shows it.

mod bus;
pub mod desktop;

use std::sync::Arc;

use anyhow::Result;

use crate::config::{Config, Language};
use crate::import::ImportEvents;
use crate::model::{Category, Message, Verdict};
use crate::words::{Failed, Phrase};

/// More alerts than this from one import become one grouped alert.
pub const GROUP_OVER: usize = 3;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The alert settings of the config, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub categories: Vec<Category>,
    /// Messages older than this (ms) are stored silently; `None` = no age limit.
    pub max_age_ms: Option<i64>,
    pub quiet: Option<QuietHours>,
    pub language: Language,
    /// `alerts.undated_from_fresh_files`.
    pub undated_from_fresh_files: bool,
}

impl Policy {
    pub fn from_config(config: &Config) -> Result<Policy> {
        let quiet = QuietHours::parse(&config.alerts.quiet_hours)?;
        Ok(Policy {
            categories: config.alerts.categories.clone(),
            // 0 would mean "alert nothing"; it is read as "no age limit" instead.
            max_age_ms: (config.alerts.max_age_days > 0)
                .then(|| i64::from(config.alerts.max_age_days) * DAY_MS),
            quiet,
            language: config.language,
            undated_from_fresh_files: config.alerts.undated_from_fresh_files,
        })
    }

    /// The state a new message gets, or `None` when it is not alert material at all.
    /// `file_mtime_ms` is when the file it came from last changed, if known.
    pub fn initial_state(
        &self,
        msg: &Message,
        verdict: &Verdict,
        now_ms: i64,
        file_mtime_ms: Option<i64>,
    ) -> Option<State> {
        if msg.direction != crate::model::Direction::In
            || !self.categories.contains(&verdict.category)
        {
            return None;
        }
        // A message without a time cannot be shown to be new: stored, counted, not alerted,
        // unless the person chose to take a fresh file's word for it.
        let too_old = |ts: i64| self.max_age_ms.is_some_and(|max| ts < now_ms - max);
        let old = match msg.ts_ms {
            None if self.undated_from_fresh_files => file_mtime_ms.is_none_or(too_old),
            None => true,
            Some(ts) => too_old(ts),
        };
        Some(if old {
            State::Suppressed
        } else {
            State::Pending
        })
    }
}

/// A daily window, in local time, during which alerts are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// Minutes after midnight.
    pub start: u16,
    pub end: u16,
}

impl QuietHours {
    /// Parses `HH:MM-HH:MM`; an empty string means no quiet hours.
    pub fn parse(text: &str) -> Result<Option<QuietHours>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        // Said in the person's words by whoever reports the config (src/words/phrase.rs).
        let value = crate::untrusted::one_line(text).into_owned();
        let refuse = |key| Failed::new(Phrase::new(key).arg("value", &value));
        let bad = || refuse("alert.quiet.bad");
        let (a, b) = text.split_once('-').ok_or_else(bad)?;
        let minutes = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        };
        let (start, end) = (minutes(a).ok_or_else(bad)?, minutes(b).ok_or_else(bad)?);
        if start == end {
            return Err(refuse("alert.quiet.same").into());
        }
        Ok(Some(QuietHours { start, end }))
    }

    /// True when `minute` (after local midnight) is inside the window.
    pub fn contains(&self, minute: u16) -> bool {
        if self.start < self.end {
            (self.start..self.end).contains(&minute)
        } else {
            minute >= self.start || minute < self.end
        }
    }

    pub fn contains_time(&self, now: &jiff::Zoned) -> bool {
        self.contains(now.hour() as u16 * 60 + now.minute() as u16)
    }

    /// The next end of the window after `now`.
    pub fn next_end(&self, now: &jiff::Zoned) -> jiff::Zoned {
        let (h, m) = ((self.end / 60) as i8, (self.end % 60) as i8);
        let today = now
            .date()
            .at(h, m, 0, 0)
            .to_zoned(now.time_zone().clone())
            .unwrap_or_else(|_| now.clone());
        if today > *now {
            today
        } else {
            today
                .checked_add(jiff::Span::new().days(1))
                .unwrap_or_else(|_| now.clone())
        }
    }
}

/// The state of one alert row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Pending,
    Sent,
    Held,
    Suppressed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Sent => "sent",
            State::Held => "held",
            State::Suppressed => "suppressed",
        }
    }
}

/// Import hook: records alert rows in the import's transaction.
pub struct Recorder {
    pub policy: Arc<Policy>,
    pub now_ms: i64,
    /// New rows per state in this import.
    pub pending: u64,
    pub suppressed: u64,
    /// Of the suppressed, those without a time.
    pub undated: u64,
    /// When the file being imported last changed (set by the importer per file).
    pub file_mtime_ms: Option<i64>,
}

impl Recorder {
    pub fn new(policy: Arc<Policy>) -> Recorder {
        Recorder {
            policy,
            now_ms: crate::store::now_ms(),
            pending: 0,
            suppressed: 0,
            undated: 0,
            file_mtime_ms: None,
        }
    }
}

impl ImportEvents for Recorder {
    fn file(&mut self, mtime_ms: Option<i64>) {
        self.file_mtime_ms = mtime_ms;
    }

    fn stored(
        &mut self,
        tx: &rusqlite::Transaction<'_>,
        id: i64,
        msg: &Message,
        verdict: &Verdict,
    ) -> Result<()> {
        let Some(state) = self
            .policy
            .initial_state(msg, verdict, self.now_ms, self.file_mtime_ms)
        else {
            return Ok(());
        };
        let reason = match (state, msg.ts_ms) {
            (State::Suppressed, None) => Some("no time in the export"),
            (State::Suppressed, Some(_)) => Some("older than alerts.max_age_days"),
            _ => None,
        };
        if crate::store::alerts::record(tx, id, state, self.now_ms, reason)? {
            match state {
                State::Suppressed => {
                    self.suppressed += 1;
                    self.undated += u64::from(msg.ts_ms.is_none());
                }
                _ => self.pending += 1,
            }
        }
        Ok(())
    }
}

/// A due alert with what the text needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub message_id: i64,
    pub held: bool,
    pub sender: String,
    pub body: String,
    pub ts_ms: Option<i64>,
    pub category: Category,
    pub lender: Option<String>,
    pub headline: String,
    pub advice: String,
}

/// What one desktop notification is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// One message.
    Single(Item),
    /// Many new messages from one import.
    Grouped(Vec<Item>),
    /// What quiet hours held (and anything that arrived with it).
    Digest(Vec<Item>),
}

impl Notice {
    pub fn items(&self) -> &[Item] {
        match self {
            Notice::Single(item) => std::slice::from_ref(item),
            Notice::Grouped(items) | Notice::Digest(items) => items,
        }
    }

    pub fn ids(&self) -> Vec<i64> {
        self.items().iter().map(|i| i.message_id).collect()
    }
}

/// What to do with the due alerts now.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Nothing,
    /// Quiet hours: mark these held, show nothing.
    Hold(Vec<i64>),
    Send(Vec<Notice>),
}

pub fn plan(items: Vec<Item>, policy: &Policy, now: &jiff::Zoned) -> Plan {
    if items.is_empty() {
        return Plan::Nothing;
    }
    if policy.quiet.is_some_and(|q| q.contains_time(now)) {
        let ids: Vec<i64> = items
            .iter()
            .filter(|i| !i.held)
            .map(|i| i.message_id)
            .collect();
        return if ids.is_empty() {
            Plan::Nothing
        } else {
            Plan::Hold(ids)
        };
    }
    if items.iter().any(|i| i.held) {
        return Plan::Send(vec![Notice::Digest(items)]);
    }
    if items.len() > GROUP_OVER {
        return Plan::Send(vec![Notice::Grouped(items)]);
    }
    Plan::Send(items.into_iter().map(Notice::Single).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, Position};

    fn policy(quiet: &str) -> Policy {
        let mut config = Config::default();
        config.alerts.quiet_hours = quiet.into();
        Policy::from_config(&config).unwrap()
    }

    fn item(id: i64, held: bool) -> Item {
        Item {
            message_id: id,
            held,
            sender: "17088886666".into(),
            body: "逾期".into(),
            ts_ms: Some(0),
            category: Category::Scam,
            lender: None,
            headline: String::new(),
            advice: String::new(),
        }
    }

    fn at(hh: i8, mm: i8) -> jiff::Zoned {
        jiff::civil::date(2026, 11, 18)
            .at(hh, mm, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
    }

    #[test]
    fn quiet_hours_wrap_around_midnight() {
        let q = QuietHours::parse("22:00-08:00").unwrap().unwrap();
        assert!(q.contains(22 * 60));
        assert!(q.contains(3 * 60));
        assert!(!q.contains(8 * 60));
        assert!(!q.contains(12 * 60));
        assert_eq!(
            q.next_end(&at(23, 0)),
            at(8, 0).checked_add(jiff::Span::new().days(1)).unwrap()
        );
        assert_eq!(q.next_end(&at(3, 0)), at(8, 0));
        let day = QuietHours::parse("12:30-13:00").unwrap().unwrap();
        assert!(day.contains(12 * 60 + 45) && !day.contains(13 * 60));
    }

    #[test]
    fn bad_quiet_hours_are_rejected_and_empty_turns_them_off() {
        assert_eq!(QuietHours::parse("").unwrap(), None);
        for bad in ["22-08", "25:00-08:00", "22:00", "08:00-08:00"] {
            let err = QuietHours::parse(bad).unwrap_err().to_string();
            assert!(err.contains("quiet_hours"), "{bad}: {err}");
        }
    }

    #[test]
    fn old_and_undated_messages_are_suppressed_and_other_categories_ignored() {
        let p = policy("");
        let now = 100 * DAY_MS;
        let msg = |ts: Option<i64>| Message {
            zoneless: None,
            sender: "x".into(),
            body: "b".into(),
            ts_ms: ts,
            direction: Direction::In,
            contact: None,
            position: Position::default(),
        };
        let scam = Verdict {
            category: Category::Scam,
            ..Verdict::other()
        };
        assert_eq!(
            p.initial_state(&msg(Some(now - DAY_MS)), &scam, now, None),
            Some(State::Pending)
        );
        assert_eq!(
            p.initial_state(&msg(Some(now - 4 * DAY_MS)), &scam, now, None),
            Some(State::Suppressed)
        );
        assert_eq!(
            p.initial_state(&msg(None), &scam, now, Some(now)),
            Some(State::Suppressed),
            "a message without a time is not alerted as new, even from a fresh file"
        );
        // Unless the person said to take a fresh file's word for it.
        let fresh = Policy {
            undated_from_fresh_files: true,
            ..p.clone()
        };
        assert_eq!(
            fresh.initial_state(&msg(None), &scam, now, Some(now - DAY_MS)),
            Some(State::Pending)
        );
        assert_eq!(
            fresh.initial_state(&msg(None), &scam, now, Some(now - 4 * DAY_MS)),
            Some(State::Suppressed),
            "a file older than max_age_days is not fresh"
        );
        assert_eq!(
            fresh.initial_state(&msg(None), &scam, now, None),
            Some(State::Suppressed)
        );
        assert_eq!(
            p.initial_state(&msg(Some(now)), &Verdict::other(), now, None),
            None
        );
        let mut out = msg(Some(now));
        out.direction = Direction::Out;
        assert_eq!(p.initial_state(&out, &scam, now, None), None);
    }

    #[test]
    fn few_alerts_go_one_by_one_and_many_are_grouped() {
        let p = policy("");
        let now = at(12, 0);
        let few = plan(vec![item(1, false), item(2, false)], &p, &now);
        assert!(matches!(&few, Plan::Send(n) if n.len() == 2 && matches!(n[0], Notice::Single(_))));
        let many = plan((1..=10).map(|i| item(i, false)).collect(), &p, &now);
        assert!(
            matches!(&many, Plan::Send(n) if n.len() == 1 && matches!(&n[0], Notice::Grouped(g) if g.len() == 10))
        );
    }

    #[test]
    fn quiet_hours_hold_then_one_digest_after() {
        let p = policy("22:00-08:00");
        let night = plan(vec![item(1, true), item(2, false)], &p, &at(23, 0));
        assert_eq!(night, Plan::Hold(vec![2]));
        assert_eq!(plan(vec![item(1, true)], &p, &at(23, 0)), Plan::Nothing);
        let morning = plan(vec![item(1, true), item(2, true)], &p, &at(8, 1));
        assert!(
            matches!(&morning, Plan::Send(n) if n.len() == 1 && matches!(&n[0], Notice::Digest(d) if d.len() == 2))
        );
    }
}
