//! `dunwatch trust SENDER`, `block SENDER`, `untrust SENDER` and `senders`: the lists that
//! decide the side of future messages from a sender (see `store::senders`).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::history::fit;
use super::{Ctx, Said};
use crate::store::senders::Side;
use crate::untrusted::one_line;

#[derive(Debug, Args)]
pub struct SenderArgs {
    /// The number or name as the phone shows it (any spelling: +86 138…, 138…).
    pub sender: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// JSON Lines output.
    #[arg(long)]
    pub json: bool,
}

pub fn set(ctx: &Ctx, args: SenderArgs, side: Side) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    if crate::store::normalize_sender(&args.sender).is_empty() {
        anyhow::bail!(Said(ctx.t("cli.error.no_sender", &[])));
    }
    let before = store.set_sender_side(&args.sender, side)?;
    let known = store.count_from(&args.sender)?;
    let mut out = super::stdout();
    // What the person typed, shown back: still a line of a terminal (crate::untrusted).
    let sender = one_line(args.sender.trim());
    let key = match (before, side) {
        (Some(b), _) if b == side => format!("cli.senders.already_{}", side.as_str()),
        (Some(_), _) => format!("cli.senders.moved_{}", side.as_str()),
        (None, _) => format!("cli.senders.now_{}", side.as_str()),
    };
    writeln!(out, "{}", ctx.t(&key, &[("sender", &sender)]))?;
    if known > 0 {
        writeln!(
            out,
            "{}",
            ctx.t(
                "cli.senders.stored",
                &[("count", &known.to_string()), ("sender", &sender)]
            )
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn remove(ctx: &Ctx, args: SenderArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let mut out = super::stdout();
    let sender = one_line(args.sender.trim());
    let line = match store.remove_sender(&args.sender)? {
        Some(side) => ctx.t(
            &format!("cli.senders.removed_{}", side.as_str()),
            &[("sender", &sender)],
        ),
        None => ctx.t("cli.senders.on_no_list", &[("sender", &sender)]),
    };
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn list(ctx: &Ctx, args: ListArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let mut out = super::stdout();
    let rows = store.sender_list()?;
    if args.json {
        for r in &rows {
            super::write_json_line(&mut out, r)?;
        }
    } else if rows.is_empty() {
        writeln!(out, "{}", ctx.t("cli.senders.none", &[]))?;
    } else {
        for r in &rows {
            let side = ctx.t(&format!("cli.senders.side_{}", r.side.as_str()), &[]);
            writeln!(
                out,
                "{} {} {}",
                fit(&side, 8),
                fit(&one_line(&r.sender), 20),
                ctx.t("cli.senders.since", &[("date", &r.added.to_string())])
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
