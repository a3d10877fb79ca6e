//! `dunwatch learn` and `dunwatch learn forget`: what the corrections (`dunwatch mark`)
//! teach, sa-learn style (see `classify::learned`), and forgetting it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::Ctx;
use crate::classify::learned::Model;
use crate::model::Category;
use crate::store::history::rfc3339;

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
        return forget(&store);
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
    write_text(&mut out, &learned)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_text(out: &mut impl Write, l: &Learned) -> Result<()> {
    writeln!(
        out,
        "Learned from {} correction(s) of received messages (`dunwatch mark ID --as CATEGORY`).",
        l.corrections
    )?;
    writeln!(
        out,
        "A category is learned once {0} of its messages, and {0} of the other categories', are corrected.",
        l.min_messages
    )?;
    if let Some(at) = &l.forgotten_at {
        writeln!(
            out,
            "Corrections made before {at} are not learned from (`learn forget`)."
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<12} {:>9} {:>7}  learned",
        "category", "corrected", "needed"
    )?;
    for r in &l.categories {
        let state = match (&r.active_since, r.active) {
            (Some(since), true) => format!("yes, since {since}"),
            (None, true) => "yes".to_string(),
            _ if r.needed > 0 => format!("no: {} more needed", r.needed),
            _ => format!(
                "no: {} more corrections of other categories needed",
                r.others_needed
            ),
        };
        writeln!(
            out,
            "{:<12} {:>9} {:>7}  {state}",
            r.category.as_str(),
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
        writeln!(out, "What speaks most for each category:")?;
        for r in with_tokens {
            writeln!(
                out,
                "{:<12} {}",
                r.category.as_str(),
                r.top_tokens.join("  ")
            )?;
        }
    }
    Ok(())
}

fn forget(store: &crate::store::Store) -> Result<ExitCode> {
    let n = store.forget_learned()?;
    let mut out = super::stdout();
    writeln!(
        out,
        "Forgot what {n} correction(s) taught: dunwatch no longer learns from them."
    )?;
    writeln!(
        out,
        "The corrections themselves stay (history, reports and `feedback export` keep them); corrections you make from now on are learned from."
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
