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

use super::history::fit;
use super::{Ctx, Said};
use crate::classify::Engine;
use crate::classify::registry::{LenderDef, Registry, UnknownLender};
use crate::lang::Lang;
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
        /// Lender ids or names (webank, 微众银行, 微粒贷).
        #[arg(required = true, value_name = "LENDER")]
        lenders: Vec<String>,
    },
    /// Say you have no account with these lenders (this also dismisses one seen in your
    /// messages).
    Remove {
        /// Lender ids or names (webank, 微众银行, 微粒贷).
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
    let lang = ctx.lang;
    match args.action {
        None => list(&store, &engine, args.json, lang),
        Some(LendersAction::Add { lenders }) => {
            declare(&store, &engine, &lenders, Declared::Have, lang)
        }
        Some(LendersAction::Remove { lenders }) => {
            declare(&store, &engine, &lenders, Declared::None, lang)
        }
    }
}

/// The lender a person means by `what`: an id, or one of its names, products or signatures.
/// An unknown one is said so in `lang`, with the lenders whose names come close.
pub fn find_lender<'e>(engine: &'e Engine, what: &str, lang: Lang) -> Result<&'e LenderDef> {
    let registry = engine.registry();
    registry
        .find_lender(what)
        .map_err(|e| Said(unknown_lender(registry, &e, lang)).into())
}

/// "No lender X is known", and which come close (`id (name)` in `lang`), else where to see
/// them all.
fn unknown_lender(registry: &Registry, e: &UnknownLender, lang: Lang) -> String {
    let catalog = crate::words::Catalog::of(lang);
    let shown = crate::untrusted::one_line(&e.what);
    if e.close.is_empty() {
        return catalog.text("cli.error.no_lender", &[("lender", &shown)]);
    }
    let close: Vec<String> = registry
        .named(&e.close, lang.code())
        .map(|(id, name)| catalog.text("cli.error.lender_named", &[("id", id), ("name", name)]))
        .collect();
    let close = close.join(catalog.word("cli.list_sep"));
    catalog.text(
        "cli.error.no_lender_close",
        &[("lender", &shown), ("close", &close)],
    )
}

fn declare(
    store: &Store,
    engine: &Engine,
    names: &[String],
    state: Declared,
    lang: Lang,
) -> Result<ExitCode> {
    // Every name is checked before anything is written.
    let lenders = names
        .iter()
        .map(|n| find_lender(engine, n, lang))
        .collect::<Result<Vec<_>>>()?;
    let mut out = super::stdout();
    for l in lenders {
        let before = store.declare_account(&l.id, state)?;
        let key = match (state, before) {
            (Declared::Have, Some(Declared::Have)) | (Declared::None, Some(Declared::None)) => {
                "cli.lenders.unchanged"
            }
            (Declared::Have, _) => "cli.lenders.added",
            (Declared::None, _) => "cli.lenders.removed",
        };
        let args = [("id", l.id.as_str()), ("name", l.display("zh-CN"))];
        writeln!(out, "{}", crate::words::text(lang, key, &args))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn list(store: &Store, engine: &Engine, json: bool, lang: Lang) -> Result<ExitCode> {
    let t = |key: &str, args: &[(&str, &str)]| crate::words::text(lang, key, args);
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
        "{} {} {} {} {}",
        fit(&t("cli.lenders.col.id", &[]), 12),
        fit(&t("cli.lenders.col.name", &[]), 24),
        fit(&t("cli.lenders.col.aka", &[]), 28),
        fit(&t("cli.lenders.col.hotline", &[]), 11),
        t("cli.lenders.col.account", &[])
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
            "declared" => t("cli.lenders.account.declared", &[]),
            "none" => t("cli.lenders.account.none", &[]),
            "seen" => {
                let s = r.seen_in.as_ref().expect("seen has a message");
                t(
                    "cli.lenders.account.seen",
                    &[
                        ("message", &s.message_id.to_string()),
                        (
                            "date",
                            s.ts.as_deref().map_or("", |t| &t[..10.min(t.len())]),
                        ),
                        ("id", r.id),
                    ],
                )
            }
            _ => "-".to_string(),
        };
        // The name in the person's language where the registry has one.
        let name = engine
            .registry()
            .lenders
            .iter()
            .find(|l| l.id == r.id)
            .map_or(r.name, |l| l.display(lang.code()));
        let aka: Vec<&str> = r
            .names
            .iter()
            .map(String::as_str)
            .filter(|n| *n != r.name && *n != name)
            .collect();
        let line = format!(
            "{} {} {} {} {yours}",
            fit(r.id, 12),
            fit(name, 24),
            fit(&aka.join(" "), 28),
            fit(r.hotline.unwrap_or("-"), 11)
        );
        // Registry words only (shipped or the person's own rule files), no message text;
        // the person's own files are still a file anyone could have written.
        writeln!(out, "{}", crate::untrusted::one_line(line.trim_end()))?;
    }
    let mine = rows.iter().filter(|r| r.account == "declared").count();
    let seen_n = rows.iter().filter(|r| r.account == "seen").count();
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        t(
            "cli.lenders.summary",
            &[("mine", &mine.to_string()), ("seen", &seen_n.to_string())]
        )
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
