//! `dunwatch mark ID --as CATEGORY`: the user's own verdict on a message. It wins over the
//! engine's in history, reports and evidence, and `feedback export` hands it to `rules eval`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

use super::speak::category_label;
use super::{Ctx, Said};
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
    let id = args.id.to_string();
    let name = |c: Category| category_label(c, ctx.lang);
    let line = match crate::review::correct(&store, &engine, args.id, new)? {
        Corrected::NoSuchMessage => bail!(Said(ctx.t("cli.error.no_message", &[("id", &id)]))),
        Corrected::NothingToClear { engine } => ctx.t(
            "cli.mark.nothing_to_clear",
            &[("id", &id), ("engine", &name(engine))],
        ),
        Corrected::Done {
            now: Some(c),
            engine,
        } if c == engine => ctx.t("cli.mark.confirmed", &[("id", &id), ("category", &name(c))]),
        Corrected::Done {
            now: Some(c),
            engine,
        } => ctx.t(
            "cli.mark.corrected",
            &[
                ("id", &id),
                ("category", &name(c)),
                ("engine", &name(engine)),
            ],
        ),
        Corrected::Done { now: None, engine } => ctx.t(
            "cli.mark.cleared",
            &[("id", &id), ("engine", &name(engine))],
        ),
    };
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
