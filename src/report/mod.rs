//! Weekly (or any-range) summaries of the history, as Markdown, self-contained HTML and JSON.
//!
//! [`Report::build`] gathers everything from the store once (totals, per lender, scams with
//! their reasons, harassment and rule breaches with times, what to do next); the renderers
//! only format it. The daemon calls [`write_weekly`] at the configured time.

mod build;
pub mod context;
pub mod html;
pub mod json;
pub mod markdown;
mod names;
mod page;
pub mod schedule;
pub mod svg;
pub mod week;
mod wording;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use crate::config::Config;
use crate::model::{Category, Reason};
use crate::paths::Paths;
use crate::store::Store;
use crate::words::{OrSay as _, Phrase};
pub use context::Context;
pub use names::{category_name, lender_name};
pub use schedule::WeeklySchedule;
pub use week::Period;

/// The language of a report or explanation.
pub use crate::lang::Lang;

/// One message as a report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: i64,
    /// Local time, `2026-11-18 23:15`.
    pub time: String,
    pub ts: Option<String>,
    pub sender: String,
    pub category: Category,
    /// True when the category is the user's own correction (`dunwatch mark`).
    pub marked_by_user: bool,
    pub lender: Option<String>,
    pub lender_name: Option<String>,
    pub body: String,
    pub headline: String,
    /// The engine's reasons, then the history's.
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LenderRow {
    pub lender: String,
    pub name: String,
    pub total: u64,
    pub by_category: BTreeMap<Category, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayRow {
    pub date: String,
    pub by_category: BTreeMap<Category, u64>,
}

/// A place to verify or complain.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub name: String,
    pub contact: String,
    pub use_for: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub language: Lang,
    pub period: Period,
    /// RFC 3339.
    pub generated: String,
    /// The one sentence the report opens with.
    pub summary: String,
    /// Messages in the period per category (all five).
    pub totals: BTreeMap<Category, u64>,
    /// Messages in the four debt categories.
    pub debt_total: u64,
    /// How many of the period's messages carry the user's own category.
    pub corrected_by_user: u64,
    pub lenders: Vec<LenderRow>,
    pub scams: Vec<Item>,
    /// Overdue notices the history casts doubt on (one text from many numbers, a sender
    /// that began with a scam).
    pub doubtful: Vec<Item>,
    /// Overdue notices from lenders the person has no account with (said so, or nothing in
    /// the history shows one), even from the lender's own number: a mistaken number,
    /// someone using their identity, or a scam.
    pub no_account: Vec<Item>,
    pub harassment: Vec<Item>,
    /// Other collection messages (not already under harassment) that broke the time or
    /// frequency rules.
    pub breaches: Vec<Item>,
    /// Messages about debt without a time (the export gave none dunwatch could read)
    /// imported during the period: they belong to no day, so they are listed apart.
    pub undated: Vec<Item>,
    /// Distinct collectors (lender, or sender when none) that harassed or broke the rules.
    pub rule_breakers: Vec<String>,
    pub next_steps: Vec<String>,
    pub channels: Vec<Channel>,
    pub daily: Vec<DayRow>,
}

/// The formats a report can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Md,
    Html,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Html => "html",
            Format::Json => "json",
        }
    }
}

impl Report {
    pub fn render(&self, format: Format) -> Result<String> {
        Ok(match format {
            Format::Md => markdown::render(self)?,
            Format::Html => html::render(self)?,
            Format::Json => json::render(self)?,
        })
    }
}

/// Writes `text` to `path`, readable by the user only, replacing it atomically.
pub fn write_private(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        crate::paths::create_private_dir(dir)?;
    }
    let tmp = path.with_extension("tmp-dunwatch");
    // Named as the person gave it: the temporary file beside it is dunwatch's business.
    let cannot = || Phrase::new("report.file.cannot_write").arg("file", path.display());
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).or_say(cannot)?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .or_say(cannot)?;
    }
    std::fs::rename(&tmp, path).or_say(cannot)?;
    Ok(())
}

/// Writes the summary of the last complete Monday–Sunday week (local time) into the reports
/// dir as HTML (plus the same report as Markdown beside it) and returns the HTML file's path.
/// The daemon calls this at `reports.weekly` and then notifies with [`Report::summary`]; use
/// [`weekly`] to get both.
pub fn write_weekly(
    store: &Store,
    engine: &crate::classify::Engine,
    config: &Config,
    paths: &Paths,
    now: jiff::Timestamp,
) -> Result<PathBuf> {
    Ok(weekly(store, engine, config, paths, now)?.0)
}

/// Like [`write_weekly`], also returning the report (for the notification text).
pub fn weekly(
    store: &Store,
    engine: &crate::classify::Engine,
    config: &Config,
    paths: &Paths,
    now: jiff::Timestamp,
) -> Result<(PathBuf, Report)> {
    let tz = config.phone_tz()?;
    let period = Period::previous_week(now, tz);
    let report = Report::build(store, engine, period, Lang::from_config(config))?;
    let html = weekly_path(config, paths, &report.period);
    if let Some(dir) = html.parent() {
        crate::paths::create_private_dir(dir)?;
    }
    write_private(&html, &report.render(Format::Html)?)?;
    write_private(&html.with_extension("md"), &report.render(Format::Md)?)?;
    Ok((html, report))
}

/// Where the weekly summary for `period` is (or will be) written: the HTML file in the
/// reports dir. The daemon looks for it to know whether a week's summary was already written.
pub fn weekly_path(config: &Config, paths: &Paths, period: &Period) -> PathBuf {
    config.reports_dir(paths).join(format!(
        "dunwatch-week-{}_{}.html",
        period.first_day, period.last_day
    ))
}

/// A small report for the renderers' tests: one scam from `sender` saying `body`, from a
/// lender named `lender`, with one reason quoting `body`.
#[cfg(test)]
pub(crate) fn sample(lang: Lang, sender: &str, body: &str, lender: &str) -> Report {
    let tz = jiff::tz::TimeZone::UTC;
    let day = jiff::civil::date(2026, 11, 16);
    let by_category: BTreeMap<Category, u64> = [(Category::Scam, 1)].into_iter().collect();
    let mut totals: BTreeMap<Category, u64> = Category::ALL.iter().map(|c| (*c, 0)).collect();
    totals.insert(Category::Scam, 1);
    Report {
        language: lang,
        period: Period::range(day, day, tz).expect("one day"),
        generated: "2026-11-23T09:00:00+00:00".into(),
        summary: "From 2026-11-16 to 2026-11-16: 1 scam identified.".into(),
        totals,
        debt_total: 1,
        corrected_by_user: 0,
        lenders: vec![LenderRow {
            lender: "x".into(),
            name: lender.into(),
            total: 1,
            by_category: by_category.clone(),
        }],
        scams: vec![Item {
            id: 1,
            time: "2026-11-16 10:00".into(),
            ts: None,
            sender: sender.into(),
            category: Category::Scam,
            marked_by_user: false,
            lender: Some("x".into()),
            lender_name: Some(lender.into()),
            body: body.into(),
            headline: String::new(),
            reasons: vec![Reason {
                rule: "scam.link".into(),
                evidence: body.into(),
                description: String::new(),
            }],
        }],
        doubtful: vec![],
        no_account: vec![],
        harassment: vec![],
        breaches: vec![],
        undated: vec![],
        rule_breakers: vec![],
        next_steps: vec![],
        channels: vec![],
        daily: vec![DayRow {
            date: day.to_string(),
            by_category,
        }],
    }
}
