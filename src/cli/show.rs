//! `dunwatch show ID`: one message in full, the verdict, every reason with its evidence
//! (the engine's and the history's), and the advice.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

use super::history::Style;
use super::speak::{Describer, category_label, label, write_details, write_reasons};
use super::{Ctx, Said};
use crate::classify::advice;
use crate::report::{Context, lender_name};
use crate::untrusted::{for_terminal, one_line};

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The message id (the first column of `dunwatch history`).
    pub id: i64,
    /// Print as one JSON object (with the history's reasons in `context_reasons`).
    #[arg(long)]
    pub json: bool,
    /// Also list the rules that fired, by id (for a bug report or `rules explain`).
    #[arg(long)]
    pub details: bool,
}

pub fn run(ctx: &Ctx, args: ShowArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let Some(entry) = store.entry(args.id)? else {
        bail!(Said(
            ctx.t("cli.error.no_message", &[("id", &args.id.to_string())])
        ));
    };
    let lang = ctx.lang;
    let engine = ctx.engine()?;
    let context = Context::build(&store, &engine, config.phone_tz()?)?;
    let extra = context.reasons(&entry);
    let reasons = crate::report::context::merged(&entry, extra.clone());
    // After `lenders add` or `remove` the stored advice may say the opposite: written anew.
    let (mut headline, mut advice) = if crate::report::context::changes_account(&extra) {
        context.rewritten(&entry)
    } else {
        (entry.headline.clone(), entry.advice.clone())
    };
    // Stored words are in the message's language; for a person who reads another, the
    // verdict is written again in theirs (same category, same engine, same history).
    let mut describer = Describer::new(&engine, lang);
    let written_in = advice::language(&crate::classify::normalize::normalize(&entry.body));
    if !args.json && written_in != lang.code() {
        let speaking = ctx.engine()?.speaking(lang.code());
        let person = speaking.person_in(&store)?;
        let again = speaking.classify_as(
            &crate::classify::Input::at(&entry.sender, &entry.body, entry.ts_ms),
            &person,
            entry.category,
        );
        describer = describer.with_fresh(&again.reasons);
        (headline, advice) = (again.headline, again.advice);
    }
    let mut out = super::stdout();
    if args.json {
        let mut value = serde_json::to_value(&entry)?;
        value["context_reasons"] = serde_json::to_value(&extra)?;
        super::write_json_line(&mut out, &value)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = Style::detect();
    let label = |key: &str| label(&s, lang, key);
    writeln!(
        out,
        "{} {}",
        label("cli.verdict.label.message"),
        s.bold(&format!("#{}", entry.id))
    )?;
    let tz = config.phone_tz()?;
    let time = entry
        .ts_ms
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or(ctx.t("cli.verdict.time_unknown", &[]), |t| {
            t.to_zoned(tz.clone())
                .strftime("%Y-%m-%d %H:%M:%S %:z")
                .to_string()
        });
    writeln!(out, "{} {time}", label("cli.verdict.label.time"))?;
    let who = match &entry.contact {
        Some(c) if !c.is_empty() && c != "(Unknown)" => format!("{} ({c})", entry.sender),
        _ => entry.sender.clone(),
    };
    let dir = if entry.direction == crate::model::Direction::In {
        "cli.verdict.label.from"
    } else {
        "cli.verdict.label.to"
    };
    writeln!(out, "{} {}", label(dir), one_line(&who))?;
    if let Some(src) = &entry.source {
        let pos = super::speak::position(&entry.position, lang);
        writeln!(
            out,
            "{} {}{pos}",
            label("cli.verdict.label.source"),
            one_line(src)
        )?;
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
    let category = s.category(entry.category, &category_label(entry.category, lang));
    let score = format!("{:.2}", entry.score);
    let line = match entry.engine_category {
        Some(engine) => ctx.t(
            "cli.verdict.category_corrected",
            &[
                ("category", &category),
                ("engine", &category_label(engine, lang)),
                ("score", &score),
            ],
        ),
        None => ctx.t(
            "cli.verdict.category",
            &[("category", &category), ("score", &score)],
        ),
    };
    writeln!(out, "{} {line}", label("cli.verdict.label.category"))?;
    let lender = entry.lender.as_deref().map_or("-".to_string(), |l| {
        format!("{} ({l})", lender_name(l, lang))
    });
    writeln!(out, "{} {lender}", label("cli.verdict.label.lender"))?;
    write_reasons(&mut out, &s, &describer, &reasons)?;
    if !advice.is_empty() {
        writeln!(
            out,
            "{} {}",
            label("cli.verdict.label.advice"),
            super::speak::indented(&advice)
        )?;
    }
    writeln!(
        out,
        "{}",
        s.dim(&ctx.t("cli.show.correct_hint", &[("id", &entry.id.to_string())]))
    )?;
    if args.details {
        write_details(&mut out, &s, lang, &reasons)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
