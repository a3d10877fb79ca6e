//! `dunwatch stats`: how many messages per category, per lender and per week.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use jiff::ToSpan;

use super::Ctx;
use super::history::{Style, fit, fit_right, parse_since};
use super::speak::category_label;
use crate::model::Category;
use crate::report::lender_name;
use crate::store::history::Filter;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Only messages since a duration ago (7d, 4w) or a date (2026-11-01).
    #[arg(long, value_name = "7d|DATE")]
    pub since: Option<String>,
    /// One JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct Stats {
    pub total: u64,
    pub by_category: BTreeMap<Category, u64>,
    /// Lender id → category → count (debt categories only).
    pub by_lender: BTreeMap<String, BTreeMap<Category, u64>>,
    /// Monday of the local week → category → count.
    pub by_week: BTreeMap<String, BTreeMap<Category, u64>>,
    /// Messages whose category the user corrected.
    pub corrected: u64,
}

pub fn run(ctx: &Ctx, args: StatsArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let tz = config.phone_tz()?;
    let filter = Filter {
        since_ms: args
            .since
            .as_deref()
            .map(|s| parse_since(s, ctx.lang))
            .transpose()?,
        ..Filter::default()
    };
    let mut stats = Stats::default();
    store.history_each(&filter, |e| {
        stats.total += 1;
        *stats.by_category.entry(e.category).or_default() += 1;
        if e.engine_category.is_some() {
            stats.corrected += 1;
        }
        if e.category != Category::Other
            && let Some(l) = &e.lender
        {
            *stats
                .by_lender
                .entry(l.clone())
                .or_default()
                .entry(e.category)
                .or_default() += 1;
        }
        if let Some(ms) = e.ts_ms
            && let Ok(ts) = jiff::Timestamp::from_millisecond(ms)
        {
            let day = ts.to_zoned(tz.clone()).date();
            let back = i64::from(day.weekday().to_monday_zero_offset());
            let monday = day.checked_sub(back.days()).unwrap_or(day);
            *stats
                .by_week
                .entry(monday.to_string())
                .or_default()
                .entry(e.category)
                .or_default() += 1;
        }
        Ok(())
    })?;
    let mut out = super::stdout();
    if args.json {
        super::write_json_line(&mut out, &stats)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = Style::detect();
    let lang = ctx.lang;
    let head = |key: &str| {
        let mut h = fit(&ctx.t(key, &[]), 22);
        for c in Category::ALL {
            h.push(' ');
            h.push_str(&fit_right(&category_label(c, lang), 10));
        }
        h.push(' ');
        h.push_str(&fit_right(&ctx.t("cli.stats.col.total", &[]), 7));
        s.dim(&h)
    };
    let row = |label: &str, counts: &BTreeMap<Category, u64>| {
        let mut line = fit(label, 22);
        for c in Category::ALL {
            let n = counts.get(&c).copied().unwrap_or(0);
            let cell = format!(" {n:>10}");
            line.push_str(&if n > 0 { s.category(c, &cell) } else { cell });
        }
        line.push_str(&format!(" {:>7}", counts.values().sum::<u64>()));
        line
    };
    writeln!(out, "{}", head("cli.stats.col.category"))?;
    writeln!(
        out,
        "{}",
        row(&ctx.t("cli.stats.all_messages", &[]), &stats.by_category)
    )?;
    if stats.corrected > 0 {
        let n = stats.corrected.to_string();
        writeln!(out, "{}", ctx.t("cli.stats.corrected", &[("count", &n)]))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", head("cli.stats.col.lender"))?;
    if stats.by_lender.is_empty() {
        writeln!(out, "{}", ctx.t("cli.stats.no_lender", &[]))?;
    }
    let mut lenders: Vec<_> = stats.by_lender.iter().collect();
    lenders.sort_by_key(|(id, c)| (std::cmp::Reverse(c.values().sum::<u64>()), (*id).clone()));
    for (id, counts) in lenders {
        writeln!(
            out,
            "{}",
            row(&format!("{} {id}", lender_name(id, lang)), counts)
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{}", head("cli.stats.col.week"))?;
    for (week, counts) in stats.by_week.iter().rev() {
        writeln!(out, "{}", row(week, counts))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
