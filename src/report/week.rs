//! The period a report covers: a Monday–Sunday week in the local time zone, or any range of
//! whole local days. Boundaries are local midnights, so a week across a daylight-saving
//! change is still exactly Monday 00:00 to the next Monday 00:00.

use anyhow::Result;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};
use serde::Serialize;

use crate::words::{Failed, OrSay as _, Phrase};

#[derive(Debug, Clone, Serialize)]
pub struct Period {
    /// `week` or `range`.
    pub kind: &'static str,
    /// First day, inclusive.
    pub first_day: Date,
    /// Last day, inclusive (a Sunday for weeks).
    pub last_day: Date,
    /// The IANA name of the zone, or its offset when it has none.
    pub timezone: String,
    #[serde(skip)]
    pub tz: TimeZone,
}

impl Period {
    /// The Monday–Sunday week that contains `now`.
    pub fn week_of(now: Timestamp, tz: TimeZone) -> Period {
        let today = now.to_zoned(tz.clone()).date();
        let back = i64::from(today.weekday().to_monday_zero_offset());
        let monday = today.checked_sub(back.days()).unwrap_or(today);
        Period::week_from(monday, tz)
    }

    /// The last complete Monday–Sunday week before the one containing `now` (what the
    /// weekly summary, written on Monday morning, covers).
    pub fn previous_week(now: Timestamp, tz: TimeZone) -> Period {
        let this = Period::week_of(now, tz.clone());
        let monday = this
            .first_day
            .checked_sub(7.days())
            .unwrap_or(this.first_day);
        Period::week_from(monday, tz)
    }

    fn week_from(monday: Date, tz: TimeZone) -> Period {
        Period {
            kind: "week",
            first_day: monday,
            last_day: monday.checked_add(6.days()).unwrap_or(monday),
            timezone: tz_name(&tz),
            tz,
        }
    }

    /// Whole local days from `first` to `last`, both included.
    pub fn range(first: Date, last: Date, tz: TimeZone) -> Result<Period> {
        if last < first {
            return Err(Failed::new(
                Phrase::new("report.period.reversed")
                    .arg("first", first)
                    .arg("last", last),
            )
            .into());
        }
        Ok(Period {
            kind: "range",
            first_day: first,
            last_day: last,
            timezone: tz_name(&tz),
            tz,
        })
    }

    /// Local midnight starting the first day.
    pub fn start(&self) -> Result<Zoned> {
        Ok(self.first_day.to_zoned(self.tz.clone())?)
    }

    /// Local midnight after the last day (exclusive end).
    pub fn end(&self) -> Result<Zoned> {
        let next = self.last_day.checked_add(1.day())?;
        Ok(next.to_zoned(self.tz.clone())?)
    }

    pub fn start_ms(&self) -> Result<i64> {
        Ok(self.start()?.timestamp().as_millisecond())
    }

    pub fn end_ms(&self) -> Result<i64> {
        Ok(self.end()?.timestamp().as_millisecond())
    }

    /// Every day of the period, in order.
    pub fn days(&self) -> Vec<Date> {
        let mut out = Vec::new();
        let mut d = self.first_day;
        while d <= self.last_day {
            out.push(d);
            match d.checked_add(1.day()) {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
        out
    }

    /// The local day a timestamp falls on.
    pub fn day_of(&self, ms: i64) -> Option<Date> {
        Timestamp::from_millisecond(ms)
            .ok()
            .map(|t| t.to_zoned(self.tz.clone()).date())
    }

    /// "2026-11-16 – 2026-11-22".
    pub fn label(&self) -> String {
        format!("{} – {}", self.first_day, self.last_day)
    }
}

fn tz_name(tz: &TimeZone) -> String {
    tz.iana_name().map(str::to_string).unwrap_or_else(|| {
        let offset = tz.to_offset(Timestamp::now());
        format!("UTC{offset}")
    })
}

/// `2026-11-16` as a local date.
pub fn parse_date(s: &str, flag: &str) -> Result<Date> {
    s.trim().parse::<Date>().or_say(|| {
        Phrase::new("report.period.bad_date")
            .arg("flag", flag)
            .arg("value", format!("{s:?}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    #[test]
    fn week_runs_monday_to_sunday_in_the_local_zone() {
        // Sunday 2026-11-22 23:30 in Shanghai is still that Sunday's week, although UTC
        // says 15:30.
        let now: Timestamp = "2026-11-22T15:30:00Z".parse().unwrap();
        let w = Period::week_of(now, shanghai());
        assert_eq!(w.first_day.to_string(), "2026-11-16");
        assert_eq!(w.last_day.to_string(), "2026-11-22");
        assert_eq!(w.label(), "2026-11-16 – 2026-11-22");
        assert_eq!(w.days().len(), 7);
        // Monday 00:30 Shanghai: a new week; the previous one is the one above.
        let monday: Timestamp = "2026-11-22T16:30:00Z".parse().unwrap();
        let prev = Period::previous_week(monday, shanghai());
        assert_eq!(prev.first_day.to_string(), "2026-11-16");
        assert_eq!(
            prev.start().unwrap().timestamp().to_string(),
            "2026-11-15T16:00:00Z"
        );
        assert_eq!(
            prev.end().unwrap().timestamp().to_string(),
            "2026-11-22T16:00:00Z"
        );
    }

    #[test]
    fn range_is_inclusive_and_refuses_reversed_dates() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let r = Period::range(d("2026-11-01"), d("2026-11-03"), shanghai()).unwrap();
        assert_eq!(r.days().len(), 3);
        assert!(Period::range(d("2026-11-03"), d("2026-11-01"), shanghai()).is_err());
    }
}
