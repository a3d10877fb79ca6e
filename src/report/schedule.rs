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
    /// Parses `Mon 09:00` (English weekday names, short or long, any case; Chinese ones in
    /// either script: `周一`, `週一`, `星期一`, `礼拜一`/`禮拜一`, Sunday also as `…天`). An
    /// empty string or `off` means no weekly summary.
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
        (Weekday::Monday, ["mon", "monday"]),
        (Weekday::Tuesday, ["tue", "tuesday"]),
        (Weekday::Wednesday, ["wed", "wednesday"]),
        (Weekday::Thursday, ["thu", "thursday"]),
        (Weekday::Friday, ["fri", "friday"]),
        (Weekday::Saturday, ["sat", "saturday"]),
        (Weekday::Sunday, ["sun", "sunday"]),
    ];
    days.iter()
        .find(|(_, names)| names.contains(&lower.as_str()))
        .map(|(d, _)| *d)
        .or_else(|| chinese_weekday(text))
}

/// A Chinese weekday: a word for "week" (周 in Simplified, 週 in Traditional writing,
/// 星期, 礼拜 or 禮拜 as people say it) and the day's numeral; Sunday is 日 or 天.
fn chinese_weekday(text: &str) -> Option<Weekday> {
    let day = ["星期", "礼拜", "禮拜", "周", "週"]
        .iter()
        .find_map(|week| text.strip_prefix(week))?;
    Some(match day {
        "一" => Weekday::Monday,
        "二" => Weekday::Tuesday,
        "三" => Weekday::Wednesday,
        "四" => Weekday::Thursday,
        "五" => Weekday::Friday,
        "六" => Weekday::Saturday,
        "日" | "天" => Weekday::Sunday,
        _ => return None,
    })
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
    fn chinese_weekdays_are_read_in_simplified_and_traditional_writing() {
        let day = |s: &str| WeeklySchedule::parse(s).unwrap().unwrap().weekday;
        for monday in [
            "周一 09:00",
            "週一 09:00",
            "星期一 09:00",
            "禮拜一 09:00",
            "礼拜一 09:00",
        ] {
            assert_eq!(day(monday), Weekday::Monday, "{monday}");
        }
        assert_eq!(day("週五 18:30"), Weekday::Friday);
        assert_eq!(day("週六 10:00"), Weekday::Saturday);
        for sunday in ["週日 9:00", "星期天 9:00", "禮拜天 9:00", "周日 9:00"] {
            assert_eq!(day(sunday), Weekday::Sunday, "{sunday}");
        }
        for bad in ["週八 09:00", "週 09:00", "禮拜 09:00", "星期一二 09:00"] {
            assert!(WeeklySchedule::parse(bad).is_err(), "{bad}");
        }
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
