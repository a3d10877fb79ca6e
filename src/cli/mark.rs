//! `dunwatch mark ID --as CATEGORY`: the user's own verdict on a message. It wins over the
//! engine's in history, reports and evidence, and `feedback export` hands it to `rules eval`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

use super::Ctx;
use crate::model::Category;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["category", "clear"]))]
pub struct MarkArgs {
    /// The message id (the first column of `dunwatch history`).
    pub id: i64,
    /// The right category: scam, overdue, harassment, reminder or other.
    #[arg(long = "as", value_name = "CATEGORY")]
    pub category: Option<Category>,
    /// Forget your correction; the engine's category applies again.
    #[arg(long)]
    pub clear: bool,
}

pub fn run(ctx: &Ctx, args: MarkArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let Some(entry) = store.entry(args.id)? else {
        bail!(
            "no message with id {} (ids are in the first column of `dunwatch history --all`)",
            args.id
        );
    };
    let engine_said = entry.engine_category.unwrap_or(entry.category);
    let new = if args.clear { None } else { args.category };
    let mut out = super::stdout();
    if new.is_none() && entry.engine_category.is_none() {
        writeln!(
            out,
            "#{}: there is no correction to clear; it stays {engine_said} (the engine's verdict).",
            args.id
        )?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    // The headline and advice are written again for the category now in force, with what
    // dunwatch knows of the person; the engine's reasons stay as they were.
    let engine = ctx.engine()?;
    let person = engine.person_in(&store)?;
    let rewritten = engine.classify_as(
        &crate::classify::Input::at(&entry.sender, &entry.body, entry.ts_ms),
        &person,
        new.unwrap_or(engine_said),
    );
    store.mark(
        args.id,
        new,
        &rewritten.headline,
        &rewritten.advice,
        &engine.tuning().learned,
    )?;
    let engine = engine_said;
    match new {
        Some(c) if c == engine => writeln!(
            out,
            "#{}: {c} (confirmed; the engine said the same)",
            args.id
        )?,
        Some(c) => writeln!(out, "#{}: {c} (the engine said {engine})", args.id)?,
        None => writeln!(out, "#{}: correction removed; back to {engine}", args.id)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
