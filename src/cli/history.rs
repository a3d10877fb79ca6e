//! `dunwatch history`: what came, from whom, and what was decided.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::Ctx;
use crate::model::Category;
use crate::store::history::Filter;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// JSON Lines output (one message per line).
    #[arg(long)]
    pub json: bool,
    /// Include `other` (by default only scam, overdue, harassment and reminder).
    #[arg(long)]
    pub all: bool,
    /// Only this category (repeatable).
    #[arg(long, value_name = "C")]
    pub category: Vec<Category>,
    /// Only this lender id (webank, meituan, …).
    #[arg(long, value_name = "L")]
    pub lender: Option<String>,
    /// Only from this sender (any spelling: +86 138…, 138…).
    #[arg(long, value_name = "S")]
    pub sender: Option<String>,
    /// Only messages since a duration ago (7d, 24h, 2w) or a date (2026-11-01).
    #[arg(long, value_name = "7d|DATE")]
    pub since: Option<String>,
    /// Only messages whose text or sender contains this (Chinese works).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// At most this many (0 = no limit).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
}

pub fn run(ctx: &Ctx, args: HistoryArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let filter = Filter {
        categories: if !args.category.is_empty() {
            args.category.clone()
        } else if args.all {
            Vec::new()
        } else {
            Category::DEBT.to_vec()
        },
        lender: args.lender.clone(),
        sender: args.sender.clone(),
        since_ms: args.since.as_deref().map(parse_since).transpose()?,
        until_ms: None,
        search: args.search.clone(),
        limit: args.limit,
    };
    let mut out = super::stdout();
    store.history_each(&filter, |entry| {
        if args.json {
            return super::write_json_line(&mut out, &entry);
        }
        let when = entry
            .ts
            .as_deref()
            .map_or("(no time)", |t| &t[..16.min(t.len())])
            .replace('T', " ");
        let body: String = entry
            .body
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(60)
            .collect();
        writeln!(
            out,
            "{:>6}  {when:16}  {:10}  {:14}  {:10}  {body}",
            entry.id,
            entry.category.as_str(),
            truncate(&entry.sender, 14),
            entry.lender.as_deref().unwrap_or("-"),
        )?;
        Ok(())
    })?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// `7d`, `24h`, `2w`, `30m` ago, or a date / RFC 3339 time in the local zone.
pub fn parse_since(s: &str) -> Result<i64> {
    let s = s.trim();
    let now = jiff::Timestamp::now();
    if let Some((num, unit)) = s
        .find(|c: char| !c.is_ascii_digit())
        .filter(|&i| i > 0)
        .map(|i| s.split_at(i))
        && let Ok(n) = num.parse::<i64>()
    {
        let secs = match unit {
            "m" | "min" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => 0,
        };
        if secs > 0 {
            return Ok(now.as_millisecond() - n * secs * 1000);
        }
    }
    parse_local_time(s).with_context(|| {
        format!("--since {s:?}: use a duration like 7d, 24h, 2w or a date like 2026-11-01")
    })
}

/// A date (midnight) or date-time in the computer's zone, or an RFC 3339 timestamp.
pub fn parse_local_time(s: &str) -> Result<i64> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let tz = jiff::tz::TimeZone::system();
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return Ok(dt.to_zoned(tz)?.timestamp().as_millisecond());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return Ok(d.to_zoned(tz)?.timestamp().as_millisecond());
    }
    bail!("not a date or time")
}
