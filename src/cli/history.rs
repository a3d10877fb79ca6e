//! `dunwatch history`: what came, from whom, and what was decided.
//!
//! In a terminal: aligned columns (CJK characters count as two cells), one line per message,
//! the body shortened to the window, colours by category. `--json`: JSON Lines.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::speak::{category_label, lender_label};
use super::{Ctx, Said};
use crate::lang::Lang;
use crate::model::Category;
use crate::store::history::{Entry, Filter};
use crate::words::text;

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
    /// Only messages before this date or time (local).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only messages whose text or sender contains this (Chinese works: 逾期, 微粒贷).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// At most this many (0 = no limit).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
}

impl HistoryArgs {
    pub fn filter(&self, lang: Lang) -> Result<Filter> {
        let (since_ms, until_ms) = parse_range(self.since.as_deref(), self.until.as_deref(), lang)?;
        Ok(Filter {
            categories: if !self.category.is_empty() {
                self.category.clone()
            } else if self.all {
                Vec::new()
            } else {
                Category::DEBT.to_vec()
            },
            lender: self.lender.clone(),
            sender: self.sender.clone(),
            since_ms,
            until_ms,
            search: self.search.clone(),
            limit: self.limit,
            offset: 0,
            id: None,
            undated: false,
        })
    }
}

pub fn run(ctx: &Ctx, args: HistoryArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let lang = ctx.lang;
    let mut filter = args.filter(lang)?;
    // A lender by any of its names ("微众银行", "webank"); an unknown one is an error, not
    // "no messages".
    if let Some(lender) = &args.lender {
        let engine = ctx.engine()?;
        filter.lender = Some(
            super::lenders::find_lender(&engine, lender, lang)?
                .id
                .clone(),
        );
    }
    let mut out = super::stdout();
    if args.json {
        store.history_each(&filter, |entry| super::write_json_line(&mut out, &entry))?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let style = Style::detect();
    let table = Table::new(terminal_width(), config.phone_tz()?, lang);
    let mut rows = 0usize;
    let mut corrected = false;
    store.history_each(&filter, |entry| {
        if rows == 0 {
            writeln!(out, "{}", style.dim(&table.header()))?;
        }
        rows += 1;
        corrected |= entry.engine_category.is_some();
        writeln!(out, "{}", table.row(&entry, &style))?;
        Ok(())
    })?;
    let total = if rows > 0 && rows == filter.limit {
        store.history_count(&filter)?
    } else {
        rows as u64
    };
    if total > rows as u64 {
        let (rows, total) = (rows.to_string(), total.to_string());
        writeln!(
            out,
            "{}",
            style.dim(&ctx.t("cli.history.more", &[("rows", &rows), ("total", &total)]))
        )?;
    }
    if rows == 0 {
        writeln!(out, "{}", ctx.t("cli.history.none", &[]))?;
    } else if corrected {
        writeln!(out, "{}", style.dim(&ctx.t("cli.history.corrected", &[])))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Colours for a terminal; nothing when stdout is not one or NO_COLOR is set.
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: std::io::stdout().is_terminal() && !no_color,
        }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }

    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    pub fn category(&self, c: Category, s: &str) -> String {
        let code = match c {
            Category::Scam => "1;31",
            Category::Harassment => "1;35",
            Category::Overdue => "33",
            Category::Reminder => "36",
            Category::Other => "2",
        };
        self.paint(code, s)
    }
}

/// Columns a terminal has: the real window, else $COLUMNS, else 120.
pub fn terminal_width() -> usize {
    if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
        return usize::from(w);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&c: &usize| c >= 40)
        .unwrap_or(120)
}

/// One line of display: control characters and runs of white space become one space.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
        } else if crate::untrusted::is_bidi_control(c) {
            // Visible, never obeyed: an override would reorder the rest of the row.
            out.push_str(&crate::untrusted::one_line(&c.to_string()));
            space = false;
        } else {
            out.push(c);
            space = false;
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// `s` right-aligned in `width` terminal cells (wide characters count as two).
pub fn fit_right(s: &str, width: usize) -> String {
    let fitted = fit(s, width);
    let text = fitted.trim_end();
    format!("{}{text}", " ".repeat(width.saturating_sub(text.width())))
}

/// `s` in exactly `width` terminal cells: cut with an ellipsis if longer, padded if shorter.
/// Wide (CJK) characters count as two cells.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    if s.width() <= width {
        out.push_str(s);
        used = s.width();
    } else if width > 0 {
        for c in s.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width - 1 {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

struct Table {
    body: usize,
    /// Times are shown in the user's zone (the phone's, which defaults to this computer's).
    tz: jiff::tz::TimeZone,
    lang: Lang,
}

const ID_W: usize = 6;
const TIME_W: usize = 16;
const CAT_W: usize = 11;
const LENDER_W: usize = 10;
const SENDER_W: usize = 15;

impl Table {
    fn new(term: usize, tz: jiff::tz::TimeZone, lang: Lang) -> Table {
        let fixed = ID_W + TIME_W + CAT_W + LENDER_W + SENDER_W + 5 * 2;
        Table {
            body: term.saturating_sub(fixed + 1).max(20),
            tz,
            lang,
        }
    }

    fn header(&self) -> String {
        let col = |key: &str| text(self.lang, key, &[]);
        format!(
            "{}  {}  {}  {}  {}  {}",
            fit_right(&col("cli.history.col.id"), ID_W),
            fit(&col("cli.history.col.time"), TIME_W),
            fit(&col("cli.history.col.category"), CAT_W),
            fit(&col("cli.history.col.lender"), LENDER_W),
            fit(&col("cli.history.col.sender"), SENDER_W),
            col("cli.history.col.body")
        )
    }

    fn row(&self, e: &Entry, style: &Style) -> String {
        let when = e
            .ts_ms
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .map_or(text(self.lang, "time.none", &[]), |t| {
                t.to_zoned(self.tz.clone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string()
            });
        let mut cat = category_label(e.category, self.lang);
        if e.engine_category.is_some() {
            cat.push('*');
        }
        let direction = if e.direction == crate::model::Direction::Out {
            "→ "
        } else {
            ""
        };
        format!(
            "{:>ID_W$}  {}  {}  {}  {}  {}",
            e.id,
            fit(&when, TIME_W),
            style.category(e.category, &fit(&cat, CAT_W)),
            fit(
                &e.lender
                    .as_deref()
                    .map_or("-".to_string(), |l| lender_label(l, self.lang)),
                LENDER_W
            ),
            fit(&one_line(&e.sender), SENDER_W),
            fit(&format!("{direction}{}", one_line(&e.body)), self.body).trim_end()
        )
    }
}

/// `7d`, `24h`, `2w`, `30m` ago, or a date / RFC 3339 time in the local zone.
pub fn parse_since(s: &str, lang: Lang) -> Result<i64> {
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
    parse_local_time(s).ok_or_else(|| Said(text(lang, "cli.error.since", &[("value", s)])).into())
}

/// `--since` and `--until` together. A range that ends before it begins (`--until` is not
/// included, so one that ends where it begins too) would match nothing without a word: it
/// is an error that says to swap them.
pub fn parse_range(
    since: Option<&str>,
    until: Option<&str>,
    lang: Lang,
) -> Result<(Option<i64>, Option<i64>)> {
    let since_ms = since.map(|s| parse_since(s, lang)).transpose()?;
    let until_ms = until.map(|s| parse_until(s, lang)).transpose()?;
    if let (Some(from), Some(to), Some(s), Some(u)) = (since_ms, until_ms, since, until)
        && from >= to
    {
        let (s, u) = (one_line(s.trim()), one_line(u.trim()));
        bail!(Said(text(
            lang,
            "cli.error.reversed",
            &[("since", &s), ("until", &u)]
        )));
    }
    Ok((since_ms, until_ms))
}

/// `--until`: a date or time in the local zone.
pub fn parse_until(s: &str, lang: Lang) -> Result<i64> {
    parse_local_time(s).ok_or_else(|| Said(text(lang, "cli.error.until", &[("value", s)])).into())
}

/// A date (midnight) or date-time in the computer's zone, or an RFC 3339 timestamp. None
/// when it is none of them: the caller's sentence says all there is (what it takes).
pub fn parse_local_time(s: &str) -> Option<i64> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.as_millisecond());
    }
    let tz = jiff::tz::TimeZone::system();
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return Some(dt.to_zoned(tz).ok()?.timestamp().as_millisecond());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return Some(d.to_zoned(tz).ok()?.timestamp().as_millisecond());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_chinese_characters_as_two_cells() {
        assert_eq!(fit("微众银行", 10), "微众银行  ");
        assert_eq!(fit("微众银行逾期通知", 9), "微众银行…");
        assert_eq!(fit("微众银行逾期通知", 9).width(), 9);
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("abcd", 3), "ab…");
    }

    #[test]
    fn one_line_folds_breaks_and_controls() {
        assert_eq!(one_line(" 逾期\n\n请还款\t\u{7}x "), "逾期 请还款 x");
        assert_eq!(one_line("abc\u{202e}fed"), "abc\\u{202e}fed");
    }
}
