//! `dunwatch lenders`, `lenders add LENDER...`, `lenders remove LENDER...`: the registry's
//! lenders and which of them the person has an account with — said so, or shown by a
//! disbursal, bill or repayment from the lender's official number in their messages.
//! A notice from a lender they have no account with is then said to be doubtful even when
//! it comes from the lender's own number (see `classify::person`).

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;

use super::Ctx;
use super::history::fit;
use crate::classify::Engine;
use crate::classify::registry::LenderDef;
use crate::store::Store;
use crate::store::person::{AccountEvidence, Declared};

#[derive(Debug, Args)]
pub struct LendersArgs {
    #[command(subcommand)]
    pub action: Option<LendersAction>,
    /// JSON Lines output, one lender per line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum LendersAction {
    /// Say you have an account with these lenders (ids or names: webank, 微众银行, 微粒贷).
    Add {
        #[arg(required = true, value_name = "LENDER")]
        lenders: Vec<String>,
    },
    /// Say you have no account with these lenders (this also dismisses one seen in your
    /// messages).
    Remove {
        #[arg(required = true, value_name = "LENDER")]
        lenders: Vec<String>,
    },
}

/// One lender as `lenders --json` prints it.
#[derive(Debug, Serialize)]
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    names: &'a [String],
    hotline: Option<&'a str>,
    channel: Option<&'a str>,
    /// `declared` (you said you have one), `seen` (your messages show one), `none` (you
    /// said you have none) or `unknown`.
    account: &'static str,
    /// When you said so (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    declared_at: Option<String>,
    /// The message that shows the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    seen_in: Option<Seen<'a>>,
}

#[derive(Debug, Serialize)]
struct Seen<'a> {
    message_id: i64,
    ts: Option<String>,
    body: &'a str,
}

pub fn run(ctx: &Ctx, args: LendersArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let engine = ctx.engine()?;
    match args.action {
        None => list(&store, &engine, args.json),
        Some(LendersAction::Add { lenders }) => declare(&store, &engine, &lenders, Declared::Have),
        Some(LendersAction::Remove { lenders }) => {
            declare(&store, &engine, &lenders, Declared::None)
        }
    }
}

/// The lender a person means by `what`: an id, or one of its names, products or signatures.
pub fn find_lender<'e>(engine: &'e Engine, what: &str) -> Result<&'e LenderDef> {
    engine.registry().find_lender(what)
}

fn declare(store: &Store, engine: &Engine, names: &[String], state: Declared) -> Result<ExitCode> {
    // Every name is checked before anything is written.
    let lenders = names
        .iter()
        .map(|n| find_lender(engine, n))
        .collect::<Result<Vec<_>>>()?;
    let mut out = super::stdout();
    for l in lenders {
        let before = store.declare_account(&l.id, state)?;
        let name = l.display("zh-CN");
        let line = match (state, before) {
            (Declared::Have, Some(Declared::Have)) | (Declared::None, Some(Declared::None)) => {
                format!("{} ({name}): already recorded; nothing changed.", l.id)
            }
            (Declared::Have, _) => format!(
                "{} ({name}): you have an account there. Its notices will say so; a notice still deserves a check in the official app.",
                l.id
            ),
            (Declared::None, _) => format!(
                "{} ({name}): you have no account there. A notice about a loan from it will say it may be a mistaken number, someone using your identity, or a scam.",
                l.id
            ),
        };
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn list(store: &Store, engine: &Engine, json: bool) -> Result<ExitCode> {
    let declared: HashMap<String, (Declared, i64)> = store
        .declared_accounts()?
        .into_iter()
        .map(|(id, d, at)| (id, (d, at)))
        .collect();
    let seen: HashMap<String, AccountEvidence> = store
        .account_evidence(&|s, b, l| engine.shows_account(s, b, l))?
        .into_iter()
        .map(|e| (e.lender.clone(), e))
        .collect();
    let rows: Vec<Row<'_>> = engine
        .registry()
        .lenders
        .iter()
        .map(|l| {
            let d = declared.get(&l.id);
            let s = seen.get(&l.id);
            let account = match (d, s) {
                (Some((Declared::Have, _)), _) => "declared",
                (Some((Declared::None, _)), _) => "none",
                (None, Some(_)) => "seen",
                (None, None) => "unknown",
            };
            Row {
                id: &l.id,
                name: l.display("zh-CN"),
                names: &l.aliases,
                hotline: l.trusted_hotlines().next(),
                channel: l.channel_for("zh-CN"),
                account,
                declared_at: d.map(|(_, at)| crate::store::history::rfc3339(*at)),
                seen_in: s.filter(|_| d.is_none()).map(|e| Seen {
                    message_id: e.message_id,
                    ts: e.ts_ms.map(crate::store::history::rfc3339),
                    body: &e.body,
                }),
            }
        })
        .collect();
    let mut out = super::stdout();
    if json {
        for r in &rows {
            super::write_json_line(&mut out, r)?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{} {} {} {} YOUR ACCOUNT",
        fit("ID", 12),
        fit("NAME", 24),
        fit("ALSO KNOWN AS", 28),
        fit("HOTLINE", 11)
    )?;
    // Yours first, then those seen in your messages, then the rest, in registry order.
    let rank = |r: &Row<'_>| match r.account {
        "declared" => 0,
        "seen" => 1,
        "none" => 2,
        _ => 3,
    };
    let mut ordered: Vec<&Row<'_>> = rows.iter().collect();
    ordered.sort_by_key(|r| rank(r));
    for r in &ordered {
        let yours = match r.account {
            "declared" => "yes (you said so)".to_string(),
            "none" => "no (you said so)".to_string(),
            "seen" => {
                let s = r.seen_in.as_ref().expect("seen has a message");
                format!(
                    "seen in your messages: #{} {} — confirm with `dunwatch lenders add {}` or dismiss with `remove`",
                    s.message_id,
                    s.ts.as_deref().map_or("", |t| &t[..10.min(t.len())]),
                    r.id
                )
            }
            _ => "-".to_string(),
        };
        let aka: Vec<&str> = r
            .names
            .iter()
            .map(String::as_str)
            .filter(|n| *n != r.name)
            .collect();
        let line = format!(
            "{} {} {} {} {yours}",
            fit(r.id, 12),
            fit(r.name, 24),
            fit(&aka.join(" "), 28),
            fit(r.hotline.unwrap_or("-"), 11)
        );
        // Registry words only (shipped or the person's own rule files), no message text.
        writeln!(out, "{}", line.trim_end())?;
    }
    let mine = rows.iter().filter(|r| r.account == "declared").count();
    let seen_n = rows.iter().filter(|r| r.account == "seen").count();
    writeln!(
        out,
        "\n{mine} lender(s) you said you have an account with, {seen_n} seen in your messages. `dunwatch lenders add ID` or `remove ID` changes that."
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
