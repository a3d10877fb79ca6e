//! The period a report covers: a Monday–Sunday week in the local time zone, or any range of
//! whole local days. Boundaries are local midnights, so a week across a daylight-saving
//! change is still exactly Monday 00:00 to the next Monday 00:00.

use anyhow::Result;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};
use serde::Serialize;

use crate::words::{Failed, Phrase};

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

/// `2026-11-16` as a local date. A value that is no date is refused in one sentence that
/// quotes it (one line, its control characters shown as escapes) and says what is wrong
/// in the catalog's words, not the date parser's: a month or day that does not exist, else
/// the form to write.
pub fn parse_date(s: &str, flag: &str) -> Result<Date> {
    let value = crate::untrusted::one_line(s.trim()).into_owned();
    s.trim().parse::<Date>().map_err(|_| {
        let phrase = match date_problem(s.trim()) {
            Some(DateProblem::NoMonth(month)) => {
                Phrase::new("report.period.no_such_month").arg("month", month)
            }
            Some(DateProblem::NoDay { year, month, days }) => {
                Phrase::new("report.period.no_such_day")
                    .arg("year", year)
                    .arg("month", month)
                    .arg("days", days)
            }
            None => Phrase::new("report.period.bad_date"),
        };
        Failed::new(phrase.arg("flag", flag).arg("value", value)).into()
    })
}

/// What is wrong with a date written as `YYYY-MM-DD` that is no date.
#[derive(Debug, PartialEq, Eq)]
enum DateProblem {
    NoMonth(i8),
    NoDay { year: i16, month: i8, days: i8 },
}

/// `None` when `s` is not written as `YYYY-MM-DD` (or is a date).
fn date_problem(s: &str) -> Option<DateProblem> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return None;
    }
    // Four and two digits: every value fits.
    let (year, month, day): (i16, i8, i8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&month) {
        return Some(DateProblem::NoMonth(month));
    }
    let days = Date::new(year, month, 1).ok()?.days_in_month();
    (day < 1 || day > days).then_some(DateProblem::NoDay { year, month, days })
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

    #[test]
    fn a_date_that_does_not_exist_is_told_by_its_month_or_day() {
        assert_eq!(date_problem("2026-13-01"), Some(DateProblem::NoMonth(13)));
        assert_eq!(date_problem("2026-00-10"), Some(DateProblem::NoMonth(0)));
        assert_eq!(
            date_problem("2026-02-30"),
            Some(DateProblem::NoDay {
                year: 2026,
                month: 2,
                days: 28
            })
        );
        assert_eq!(
            date_problem("2028-02-00"),
            Some(DateProblem::NoDay {
                year: 2028,
                month: 2,
                days: 29
            })
        );
        for not_that_form in ["yesterday", "2026-1-5", "2026-11-01T10:00", "2026-11-01-02"] {
            assert_eq!(date_problem(not_that_form), None, "{not_that_form}");
        }
        assert_eq!(date_problem("2026-02-28"), None);
    }

    #[test]
    fn a_bad_date_is_one_sentence_in_the_readers_words_with_the_value_escaped() {
        let said = |s: &str| {
            let err = parse_date(s, "--from").unwrap_err();
            assert_eq!(
                err.chain().count(),
                1,
                "no parser's reason behind it: {err:#}"
            );
            let failed = err.downcast_ref::<Failed>().unwrap();
            (failed.phrase.text(crate::lang::Lang::ZhCn), err.to_string())
        };
        assert_eq!(
            said("2026-13-01").0,
            "--from “2026-13-01”不是日期：没有 13 月"
        );
        assert_eq!(
            said("2026-02-30").0,
            "--from “2026-02-30”不是日期：2026 年 2 月只有 28 天"
        );
        assert_eq!(
            said("2026-02-30").1,
            "--from \"2026-02-30\" is not a date: month 2 of 2026 has 28 days"
        );
        assert_eq!(
            said("2026\u{1b}[31m-01").0,
            "--from “2026\\x1b[31m-01”不是日期：请写成 2026-11-16 这样的日期"
        );
        assert_eq!(
            parse_date(" 2026-11-16 ", "--to").unwrap().to_string(),
            "2026-11-16"
        );
    }
}
