//! `dunwatch learn` and `dunwatch learn forget`: what the corrections (`dunwatch mark`)
//! teach, sa-learn style (see `classify::learned`), and forgetting it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::Ctx;
use super::history::{fit, fit_right};
use super::speak::category_label;
use crate::classify::learned::Model;
use crate::lang::Lang;
use crate::model::Category;
use crate::store::history::rfc3339;
use crate::words::text;

/// How many tokens of each category `learn` shows.
const TOP_TOKENS: usize = 10;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LearnArgs {
    #[command(subcommand)]
    pub command: Option<LearnCommand>,
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum LearnCommand {
    /// Forget what your corrections taught so far (the corrections themselves stay); only
    /// corrections made from now on are learned from.
    Forget,
}

/// `learn --json`.
#[derive(Debug, serde::Serialize)]
pub struct Learned {
    /// Corrections learned from, all categories.
    pub corrections: u64,
    /// How many corrections a category needs, of its own and of the others.
    pub min_messages: u32,
    /// RFC 3339; null when never forgotten.
    pub forgotten_at: Option<String>,
    /// Every category, in the usual order.
    pub categories: Vec<LearnedRow>,
}

#[derive(Debug, serde::Serialize)]
pub struct LearnedRow {
    pub category: Category,
    /// Corrected messages of this category learned from.
    pub messages: u32,
    /// Corrections of this category still needed (0 once it has min_messages).
    pub needed: u32,
    /// Corrections of the other categories still needed.
    pub others_needed: u32,
    pub active: bool,
    /// RFC 3339; null while not active.
    pub active_since: Option<String>,
    /// Tokens counted (each once per message).
    pub tokens: u64,
    /// The tokens that speak most for this category, strongest first.
    pub top_tokens: Vec<String>,
}

pub fn run(ctx: &Ctx, args: LearnArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    if let Some(LearnCommand::Forget) = args.command {
        return forget(&store, ctx.lang);
    }
    let engine = ctx.engine()?;
    let w = &engine.tuning().learned;
    // Recounted first: the counts then follow the corrections and the tuning in force
    // (a changed min_messages, corrections made before dunwatch learned).
    let summary = store.rebuild_learned(w)?;
    let model = Model::new(store.learned_counts()?, w);
    let total = summary.messages();
    let min = w.min_messages;
    let learned = Learned {
        corrections: total,
        min_messages: min,
        forgotten_at: summary.forgotten_at.map(rfc3339),
        categories: Category::ALL
            .into_iter()
            .map(|c| {
                let row = summary.get(c);
                let others = total - u64::from(row.messages);
                LearnedRow {
                    category: c,
                    messages: row.messages,
                    needed: min.saturating_sub(row.messages),
                    others_needed: u64::from(min).saturating_sub(others) as u32,
                    active: model.active().contains(&c),
                    active_since: row.active_since.map(rfc3339),
                    tokens: row.tokens,
                    top_tokens: model
                        .top_tokens(c, TOP_TOKENS)
                        .into_iter()
                        .map(|(t, _)| t)
                        .collect(),
                }
            })
            .collect(),
    };
    let mut out = super::stdout();
    if args.json {
        super::write_json_line(&mut out, &learned)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    write_text(&mut out, &learned, ctx.lang)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_text(out: &mut impl Write, l: &Learned, lang: Lang) -> Result<()> {
    let t = |key: &str, args: &[(&str, &str)]| text(lang, key, args);
    let min = l.min_messages.to_string();
    let count = l.corrections.to_string();
    writeln!(out, "{}", t("cli.learn.from", &[("count", &count)]))?;
    writeln!(out, "{}", t("cli.learn.needs", &[("min", &min)]))?;
    if let Some(at) = &l.forgotten_at {
        writeln!(out, "{}", t("cli.learn.forgotten_at", &[("at", at)]))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} {} {}  {}",
        fit(&t("cli.learn.col.category", &[]), 12),
        fit_right(&t("cli.learn.col.corrected", &[]), 9),
        fit_right(&t("cli.learn.col.needed", &[]), 7),
        t("cli.learn.col.learned", &[])
    )?;
    for r in &l.categories {
        let state = match (&r.active_since, r.active) {
            (Some(since), true) => t("cli.learn.yes_since", &[("since", since)]),
            (None, true) => t("cli.learn.yes", &[]),
            _ if r.needed > 0 => t("cli.learn.needed", &[("count", &r.needed.to_string())]),
            _ => t(
                "cli.learn.others_needed",
                &[("count", &r.others_needed.to_string())],
            ),
        };
        writeln!(
            out,
            "{} {:>9} {:>7}  {state}",
            fit(&category_label(r.category, lang), 12),
            r.messages,
            l.min_messages
        )?;
    }
    let with_tokens: Vec<&LearnedRow> = l
        .categories
        .iter()
        .filter(|r| !r.top_tokens.is_empty())
        .collect();
    if !with_tokens.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", t("cli.learn.tokens", &[]))?;
        for r in with_tokens {
            // Words from the person's messages: a stranger's text.
            writeln!(
                out,
                "{} {}",
                fit(&category_label(r.category, lang), 12),
                crate::untrusted::one_line(&r.top_tokens.join("  "))
            )?;
        }
    }
    Ok(())
}

fn forget(store: &crate::store::Store, lang: Lang) -> Result<ExitCode> {
    let n = store.forget_learned()?.to_string();
    let mut out = super::stdout();
    writeln!(out, "{}", text(lang, "cli.learn.forgot", &[("count", &n)]))?;
    writeln!(out, "{}", text(lang, "cli.learn.forgot_kept", &[]))?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
