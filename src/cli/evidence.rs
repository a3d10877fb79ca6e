//! `dunwatch evidence [filters] --out DIR` and `dunwatch evidence verify DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use super::Ctx;
use super::history::{parse_local_time, parse_since};
use crate::model::Category;
use crate::store::history::Filter;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EvidenceArgs {
    #[command(subcommand)]
    pub command: Option<EvidenceCommand>,
    #[command(flatten)]
    pub export: ExportArgs,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Check that an evidence folder is exactly as exported (exit 1 naming what changed).
    Verify {
        /// The folder written by `dunwatch evidence --out DIR`.
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The new folder to write (must not exist or be empty); readable by you only.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Only this lender id (webank, meituan, …).
    #[arg(long, value_name = "L")]
    pub lender: Option<String>,
    /// Only from this sender (any spelling).
    #[arg(long, value_name = "S")]
    pub sender: Option<String>,
    /// Only messages since a duration ago (30d) or a date (2026-11-01).
    #[arg(long, value_name = "7d|DATE")]
    pub since: Option<String>,
    /// Only messages before this local date or time.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only this category (repeatable; default: scam, overdue, harassment, reminder).
    #[arg(long, value_name = "C")]
    pub category: Vec<Category>,
    /// Every category, `other` included.
    #[arg(long)]
    pub all: bool,
    /// Only messages containing this text.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
}

pub fn run(ctx: &Ctx, args: EvidenceArgs) -> Result<ExitCode> {
    if let Some(EvidenceCommand::Verify { dir }) = args.command {
        return verify(&dir);
    }
    let a = args.export;
    let Some(out) = a.out.clone() else {
        bail!("say where to write the evidence: dunwatch evidence [filters] --out DIR");
    };
    let mut selection = Vec::new();
    let categories = if !a.category.is_empty() {
        a.category.clone()
    } else if a.all {
        Vec::new()
    } else {
        Category::DEBT.to_vec()
    };
    selection.push(if categories.is_empty() {
        "category: all".to_string()
    } else {
        format!(
            "category: {}",
            categories
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(",")
        )
    });
    for (name, v) in [
        ("lender", &a.lender),
        ("sender", &a.sender),
        ("since", &a.since),
        ("until", &a.until),
        ("search", &a.search),
    ] {
        if let Some(v) = v {
            selection.push(format!("{name}: {v}"));
        }
    }
    let filter = Filter {
        categories,
        lender: a.lender.clone(),
        sender: a.sender.clone(),
        since_ms: a.since.as_deref().map(parse_since).transpose()?,
        until_ms: a.until.as_deref().map(parse_local_time).transpose()?,
        search: a.search.clone(),
        limit: 0,
        id: None,
    };
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let done = crate::evidence::export(&store, &filter, selection, &out, &config.phone_tz()?)?;
    println!(
        "{} message(s) written to {}\n  messages.csv, messages.json, messages.html, manifest.json, manifest.sha256\n  chain head:      {}\n  manifest SHA-256: {}\nWrite the manifest SHA-256 down (or send it with your complaint): `dunwatch evidence verify {}` checks the folder against it.",
        done.messages,
        done.dir.display(),
        done.chain_head,
        done.manifest_sha256,
        done.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(dir: &std::path::Path) -> Result<ExitCode> {
    let v = crate::evidence::verify(dir)?;
    if v.problems.is_empty() {
        println!(
            "{}: intact ({} messages; chain head {})",
            dir.display(),
            v.messages,
            v.chain_head.as_deref().unwrap_or("-")
        );
        return Ok(ExitCode::SUCCESS);
    }
    for p in &v.problems {
        eprintln!("dunwatch: {}: {p}", dir.display());
    }
    eprintln!(
        "dunwatch: {}: NOT intact ({} problem(s))",
        dir.display(),
        v.problems.len()
    );
    Ok(ExitCode::FAILURE)
}
