//! `dunwatch trust SENDER`, `block SENDER`, `untrust SENDER` and `senders`: the lists that
//! decide the side of future messages from a sender (see `store::senders`).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::Ctx;
use crate::store::senders::Side;

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
        anyhow::bail!("give a sender number or name");
    }
    let before = store.set_sender_side(&args.sender, side)?;
    let known = store.count_from(&args.sender)?;
    let mut out = super::stdout();
    let what = match side {
        Side::Trust => "trusted: its future messages will not be called scams",
        Side::Block => "blocked: its future messages are kept as scams (threats as harassment)",
    };
    let sender = args.sender.trim();
    match before {
        Some(b) if b == side => writeln!(
            out,
            "{sender} was already {}ed; nothing changed.",
            past(side)
        )?,
        Some(b) => writeln!(out, "{sender} was {}ed; now it is {what}.", past(b))?,
        None => writeln!(out, "{sender} {what}.")?,
    }
    if known > 0 {
        writeln!(
            out,
            "{known} message(s) from it are already stored and keep their verdict; correct one with `dunwatch mark ID --as CATEGORY` (`dunwatch history --all --sender {}` lists them).",
            args.sender.trim()
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// "trust" → "trust"ed, "block" → "block"ed.
fn past(side: Side) -> &'static str {
    match side {
        Side::Trust => "trust",
        Side::Block => "block",
    }
}

pub fn remove(ctx: &Ctx, args: SenderArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let mut out = super::stdout();
    match store.remove_sender(&args.sender)? {
        Some(side) => writeln!(
            out,
            "{} is no longer on the {side} list.",
            args.sender.trim()
        )?,
        None => writeln!(out, "{} was on neither list.", args.sender.trim())?,
    }
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
        writeln!(
            out,
            "No trusted or blocked senders. Add one with `dunwatch trust SENDER` or `dunwatch block SENDER`."
        )?;
    } else {
        for r in &rows {
            writeln!(out, "{:<6} {:<20} since {}", r.side, r.sender, r.added)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
