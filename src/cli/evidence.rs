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
    /// Check that an evidence folder is exactly as exported: every file, every message, and
    /// the manifest's SHA-256 against the one recorded in the database when it was made (or
    /// against --expect). Exit 0 intact; 1 naming what changed; 2 when there is nothing to
    /// check the manifest against (no record, no --expect).
    Verify {
        /// The folder written by `dunwatch evidence --out DIR`.
        dir: PathBuf,
        /// The manifest SHA-256 printed when the export was made: checks the folder on a
        /// computer without that database.
        #[arg(long, value_name = "SHA256")]
        expect: Option<String>,
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
    /// Also copy the backup files the messages came from into DIR/sources/ (hashed in the
    /// manifest like every other file).
    #[arg(long)]
    pub with_sources: bool,
}

pub fn run(ctx: &Ctx, args: EvidenceArgs) -> Result<ExitCode> {
    if let Some(EvidenceCommand::Verify { dir, expect }) = args.command {
        return verify(ctx, &dir, expect);
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
    let lender = match &a.lender {
        // By any of its names; an unknown lender is an error, not an empty export.
        Some(name) => Some(
            super::lenders::find_lender(&ctx.engine()?, name)?
                .id
                .clone(),
        ),
        None => None,
    };
    let filter = Filter {
        categories,
        lender,
        sender: a.sender.clone(),
        since_ms: a.since.as_deref().map(parse_since).transpose()?,
        until_ms: a.until.as_deref().map(parse_local_time).transpose()?,
        search: a.search.clone(),
        limit: 0,
        offset: 0,
        id: None,
        undated: false,
    };
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    if store.history_count(&filter)? == 0 {
        bail!(
            "no stored message matches ({}); nothing was written. `dunwatch history` with the same filters shows what there is",
            selection.join("; ")
        );
    }
    let done = crate::evidence::export(
        &store,
        &filter,
        selection,
        &out,
        &config.phone_tz()?,
        a.with_sources,
    )?;
    let mut out = format!(
        "{} message(s) written to {}\n  messages.csv, messages.json, messages.html, manifest.json, manifest.sha256\n",
        done.messages,
        done.dir.display(),
    );
    out.push_str(&format!(
        "  {} of them with their original record's bytes (from backups still as imported)\n",
        done.originals
    ));
    for s in &done.sources {
        let what = match (&s.copy, s.same_as_imported) {
            (Some(copy), true) => format!("copied to {copy}"),
            (Some(copy), false) => format!("copied to {copy}, but changed since the import"),
            (None, true) => "as imported (not copied: add --with-sources)".to_string(),
            (None, false) => "changed since the import or gone (not copied)".to_string(),
        };
        let note = s
            .note
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  source {}: {what}{}\n",
            crate::untrusted::one_line(&s.file),
            if s.same_as_imported {
                String::new()
            } else {
                note
            }
        ));
    }
    out.push_str(&format!(
        "  chain head:      {}\n  manifest SHA-256: {}\nRecorded in the database {}. Write the manifest SHA-256 down too (or send it with your complaint): `dunwatch evidence verify {}` checks the folder against the record, and `--expect SHA256` on any other computer.",
        done.chain_head,
        done.manifest_sha256,
        store.path().display(),
        done.dir.display()
    ));
    println!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn verify(ctx: &Ctx, dir: &std::path::Path, expect: Option<String>) -> Result<ExitCode> {
    use crate::evidence::{Against, Basis};
    let store;
    let against = match expect {
        Some(hex) => Against::Expected(hex),
        None => {
            let config = ctx.config()?;
            let db = ctx.db_path(&config);
            if db.exists() {
                store = ctx.open_store(&config)?;
                Against::Database(&store)
            } else {
                Against::Nothing(db)
            }
        }
    };
    let v = crate::evidence::verify(dir, against)?;
    let shown = dir.display();
    if !v.problems.is_empty() {
        for p in &v.problems {
            // Names in a problem come from the folder and its manifest, which anyone edits.
            eprintln!(
                "dunwatch: {shown}: {}",
                crate::untrusted::for_terminal(&p.0)
            );
        }
        eprintln!(
            "dunwatch: {shown}: NOT intact ({} problem(s))",
            v.problems.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    match &v.basis {
        Basis::Recorded { db, record } => println!(
            "{shown}: intact ({} messages; chain head {})\n  checked against the database {}: \
             the export made {} into {} (manifest SHA-256 {})",
            v.messages,
            v.chain_head.as_deref().unwrap_or("-"),
            db.display(),
            crate::store::history::rfc3339(record.created_ms),
            record.dir,
            v.manifest_sha256
        ),
        Basis::Expected => println!(
            "{shown}: intact ({} messages; chain head {})\n  checked against the SHA-256 you gave \
             (--expect {})",
            v.messages,
            v.chain_head.as_deref().unwrap_or("-"),
            v.manifest_sha256
        ),
        Basis::NoRecord { db } => {
            eprintln!(
                "dunwatch: {shown}: NOT verified: its files agree with its own hashes, but the \
                 database {} has no record of this export (manifest SHA-256 {}), and anyone can \
                 edit an export and recompute those. Check it against the manifest SHA-256 \
                 printed when it was made: dunwatch evidence verify {shown} --expect SHA256",
                db.display(),
                v.manifest_sha256
            );
            return Ok(ExitCode::from(2));
        }
        // Always comes with a problem, reported above.
        Basis::Mismatch => return Ok(ExitCode::FAILURE),
    }
    Ok(ExitCode::SUCCESS)
}
