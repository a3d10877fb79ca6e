//! `dunwatch mark ID --as CATEGORY`: the user's own verdict on a message. It wins over the
//! engine's in history, reports and evidence, and `feedback export` hands it to `rules eval`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

use super::Ctx;
use crate::model::Category;
use crate::review::Corrected;

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
    let new = if args.clear { None } else { args.category };
    let engine = ctx.engine()?;
    let mut out = super::stdout();
    match crate::review::correct(&store, &engine, args.id, new)? {
        Corrected::NoSuchMessage => bail!(
            "no message with id {} (ids are in the first column of `dunwatch history --all`)",
            args.id
        ),
        Corrected::NothingToClear { engine } => writeln!(
            out,
            "#{}: there is no correction to clear; it stays {engine} (the engine's verdict).",
            args.id
        )?,
        Corrected::Done {
            now: Some(c),
            engine,
        } if c == engine => writeln!(
            out,
            "#{}: {c} (confirmed; the engine said the same)",
            args.id
        )?,
        Corrected::Done {
            now: Some(c),
            engine,
        } => writeln!(out, "#{}: {c} (the engine said {engine})", args.id)?,
        Corrected::Done { now: None, engine } => {
            writeln!(out, "#{}: correction removed; back to {engine}", args.id)?
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
