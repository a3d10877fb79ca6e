//! When the daemon writes the weekly summary: `reports.weekly = "Mon 09:00"` in the config,
//! a weekday and a local time. The daemon asks for the last scheduled moment that has passed
//! (to catch up on a summary missed while the computer was off) and the next one (to sleep
//! until then).

use anyhow::Result;
use jiff::civil::{Time, Weekday};
use jiff::{ToSpan, Zoned};

use crate::words::{Failed, Phrase};

/// A weekday and a local time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklySchedule {
    pub weekday: Weekday,
    pub time: Time,
}

impl WeeklySchedule {
    /// Parses `Mon 09:00` (English weekday names, short or long, any case; `周一`…`周日` and
    /// `星期一`… too). An empty string or `off` means no weekly summary.
    pub fn parse(text: &str) -> Result<Option<WeeklySchedule>> {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        // Said in the person's words by whoever reports the config (src/words/phrase.rs).
        let value = crate::untrusted::one_line(text).into_owned();
        let refuse = |phrase: Phrase| Failed::new(phrase.arg("value", &value));
        let Some((day, time)) = text.split_once(char::is_whitespace) else {
            return Err(refuse(Phrase::new("report.schedule.bad")).into());
        };
        let Some(weekday) = parse_weekday(day) else {
            let day = crate::untrusted::one_line(day);
            return Err(refuse(Phrase::new("report.schedule.not_weekday").arg("day", day)).into());
        };
        let Some(time) = parse_time(time.trim()) else {
            let time = crate::untrusted::one_line(time.trim());
            return Err(refuse(Phrase::new("report.schedule.bad_time").arg("time", time)).into());
        };
        Ok(Some(WeeklySchedule { weekday, time }))
    }

    /// The latest scheduled moment at or before `now`, in `now`'s zone. A time that a
    /// daylight-saving change skips is taken as the moment just after the gap.
    pub fn last_at_or_before(&self, now: &Zoned) -> Zoned {
        let today = now.date();
        let back = (7 + today.weekday().to_monday_zero_offset() as i64
            - self.weekday.to_monday_zero_offset() as i64)
            % 7;
        let mut day = today.checked_sub(back.days()).unwrap_or(today);
        loop {
            let at = day
                .to_datetime(self.time)
                .to_zoned(now.time_zone().clone())
                .unwrap_or_else(|_| now.clone());
            if at <= *now {
                return at;
            }
            day = day.checked_sub(7.days()).unwrap_or(day);
        }
    }

    /// The first scheduled moment strictly after `now`.
    pub fn next_after(&self, now: &Zoned) -> Zoned {
        let last = self.last_at_or_before(now);
        let day = last.date().checked_add(7.days()).unwrap_or(last.date());
        day.to_datetime(self.time)
            .to_zoned(now.time_zone().clone())
            .unwrap_or_else(|_| now.clone())
    }
}

fn parse_weekday(text: &str) -> Option<Weekday> {
    let lower = text.to_lowercase();
    let days = [
        (Weekday::Monday, ["mon", "monday", "周一", "星期一"]),
        (Weekday::Tuesday, ["tue", "tuesday", "周二", "星期二"]),
        (Weekday::Wednesday, ["wed", "wednesday", "周三", "星期三"]),
        (Weekday::Thursday, ["thu", "thursday", "周四", "星期四"]),
        (Weekday::Friday, ["fri", "friday", "周五", "星期五"]),
        (Weekday::Saturday, ["sat", "saturday", "周六", "星期六"]),
        (Weekday::Sunday, ["sun", "sunday", "周日", "星期日"]),
    ];
    days.iter()
        .find(|(_, names)| names.contains(&lower.as_str()))
        .map(|(d, _)| *d)
}

fn parse_time(text: &str) -> Option<Time> {
    let (h, m) = text.split_once(':')?;
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    Time::new(h, m, 0, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Zoned {
        format!("{text}[Asia/Shanghai]").parse().unwrap()
    }

    #[test]
    fn parses_short_long_and_chinese_weekdays() {
        let s = WeeklySchedule::parse("Mon 09:00").unwrap().unwrap();
        assert_eq!(s.weekday, Weekday::Monday);
        assert_eq!(s.time, Time::constant(9, 0, 0, 0));
        let s = WeeklySchedule::parse("sunday 21:30").unwrap().unwrap();
        assert_eq!(
            (s.weekday, s.time),
            (Weekday::Sunday, Time::constant(21, 30, 0, 0))
        );
        let s = WeeklySchedule::parse("周五 8:05").unwrap().unwrap();
        assert_eq!(s.weekday, Weekday::Friday);
        assert_eq!(WeeklySchedule::parse("").unwrap(), None);
        assert_eq!(WeeklySchedule::parse("off").unwrap(), None);
    }

    #[test]
    fn bad_schedules_say_what_to_write() {
        for bad in ["Mon", "Funday 09:00", "Mon 25:00", "Mon 9h", "09:00 Mon"] {
            let err = format!("{:#}", WeeklySchedule::parse(bad).unwrap_err());
            assert!(err.contains("reports.weekly"), "{bad}: {err}");
            assert!(err.contains("Mon 09:00"), "{bad}: {err}");
        }
    }

    #[test]
    fn last_and_next_moments_around_the_scheduled_time() {
        let s = WeeklySchedule::parse("Mon 09:00").unwrap().unwrap();
        // 2026-11-23 is a Monday.
        let before = at("2026-11-23T08:59:59");
        assert_eq!(
            s.last_at_or_before(&before).datetime(),
            at("2026-11-16T09:00").datetime()
        );
        assert_eq!(
            s.next_after(&before).datetime(),
            at("2026-11-23T09:00").datetime()
        );
        let exactly = at("2026-11-23T09:00");
        assert_eq!(s.last_at_or_before(&exactly), exactly);
        assert_eq!(
            s.next_after(&exactly).datetime(),
            at("2026-11-30T09:00").datetime()
        );
        let midweek = at("2026-11-26T15:00");
        assert_eq!(
            s.last_at_or_before(&midweek).datetime(),
            at("2026-11-23T09:00").datetime()
        );
    }

    #[test]
    fn a_time_skipped_by_daylight_saving_still_happens() {
        // New York skipped 02:00–03:00 on Sunday 2026-03-08.
        let s = WeeklySchedule::parse("Sun 02:30").unwrap().unwrap();
        let now: Zoned = "2026-03-08T12:00[America/New_York]".parse().unwrap();
        let last = s.last_at_or_before(&now);
        assert_eq!(last.date(), now.date());
        assert!(last <= now);
    }
}
