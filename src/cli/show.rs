//! `dunwatch show ID`: one message in full, the verdict, every reason with its evidence
//! (the engine's and the history's), and the advice.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

use super::Ctx;
use super::history::Style;
use crate::report::{Context, Lang, lender_name};
use crate::untrusted::{for_terminal, one_line};

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The message id (the first column of `dunwatch history`).
    pub id: i64,
    /// Print as one JSON object (with the history's reasons in `context_reasons`).
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, args: ShowArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let Some(entry) = store.entry(args.id)? else {
        bail!(
            "no message with id {} (ids are in the first column of `dunwatch history --all`)",
            args.id
        );
    };
    let lang = Lang::from_config(&config);
    let engine = ctx.engine()?;
    let context = Context::build(&store, &engine, config.phone_tz()?)?;
    let extra = context.reasons(&entry);
    let reasons = crate::report::context::merged(&entry, extra.clone());
    // After `lenders add` or `remove` the stored advice may say the opposite: written anew.
    let (headline, advice) = if crate::report::context::changes_account(&extra) {
        context.rewritten(&entry)
    } else {
        (entry.headline.clone(), entry.advice.clone())
    };
    let mut out = super::stdout();
    if args.json {
        let mut value = serde_json::to_value(&entry)?;
        value["context_reasons"] = serde_json::to_value(&extra)?;
        super::write_json_line(&mut out, &value)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = Style::detect();
    let label = |l: &str| s.dim(&format!("{l:<10}"));
    writeln!(
        out,
        "{} {}",
        label("message"),
        s.bold(&format!("#{}", entry.id))
    )?;
    let tz = config.phone_tz()?;
    let time = entry
        .ts_ms
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or("(unknown)".to_string(), |t| {
            t.to_zoned(tz.clone())
                .strftime("%Y-%m-%d %H:%M:%S %:z")
                .to_string()
        });
    writeln!(out, "{} {time}", label("time"))?;
    let who = match &entry.contact {
        Some(c) if !c.is_empty() && c != "(Unknown)" => format!("{} ({c})", entry.sender),
        _ => entry.sender.clone(),
    };
    let dir = if entry.direction == crate::model::Direction::In {
        "from"
    } else {
        "to"
    };
    writeln!(out, "{} {}", label(dir), one_line(&who))?;
    if let Some(src) = &entry.source {
        let pos = crate::evidence::describe_position(&entry.position);
        writeln!(out, "{} {}{pos}", label("source"), one_line(src))?;
    }
    writeln!(out)?;
    // Message text, names and file names are a stranger's: shown with their control
    // characters and bidi overrides visible (crate::untrusted).
    for line in entry.body.lines() {
        writeln!(out, "    {}", for_terminal(line))?;
    }
    writeln!(out)?;
    if !headline.is_empty() {
        writeln!(out, "{}", s.bold(&one_line(&headline)))?;
    }
    let category = s.category(entry.category, entry.category.as_str());
    match entry.engine_category {
        Some(engine) => writeln!(
            out,
            "{} {category} (your correction; the engine said {engine}, score {:.2})",
            label("category"),
            entry.score
        )?,
        None => writeln!(
            out,
            "{} {category} (score {:.2})",
            label("category"),
            entry.score
        )?,
    }
    let lender = entry.lender.as_deref().map_or("-".to_string(), |l| {
        format!("{} ({l})", lender_name(l, lang))
    });
    writeln!(out, "{} {lender}", label("lender"))?;
    if reasons.is_empty() {
        writeln!(out, "{} (no rule fired)", label("why"))?;
    } else {
        writeln!(out, "{}", label("why"))?;
        for r in &reasons {
            let desc = if r.description.is_empty() {
                String::new()
            } else {
                format!(" — {}", r.description)
            };
            let ev = if r.evidence.is_empty() {
                String::new()
            } else {
                format!("  [{}]", one_line(&r.evidence))
            };
            writeln!(out, "  - {}{desc}{ev}", s.bold(&r.rule))?;
        }
    }
    if !advice.is_empty() {
        writeln!(out, "{} {}", label("advice"), for_terminal(&advice))?;
    }
    writeln!(
        out,
        "{}",
        s.dim(&format!(
            "Correct it: dunwatch mark {} --as scam|overdue|harassment|reminder|other",
            entry.id
        ))
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
