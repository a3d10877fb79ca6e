//! `dunwatch evidence [filters] --out DIR` and `dunwatch evidence verify DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use super::history::parse_range;
use super::{Ctx, Said};
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

impl ExportArgs {
    /// The filters given as text: each one's name in the manifest, the catalog key that
    /// words it for the person, and its value.
    fn text_filters(&self) -> [(&'static str, &'static str, &Option<String>); 5] {
        [
            ("lender", "cli.evidence.selection.lender", &self.lender),
            ("sender", "cli.evidence.selection.sender", &self.sender),
            ("since", "cli.evidence.selection.since", &self.since),
            ("until", "cli.evidence.selection.until", &self.until),
            ("search", "cli.evidence.selection.search", &self.search),
        ]
    }
}

/// The filters of an export as the person reads them: the categories by name, each other
/// filter with the value given, one line.
fn selection_words(ctx: &Ctx, a: &ExportArgs, categories: &[Category]) -> String {
    let catalog = crate::words::Catalog::of(ctx.lang);
    let mut said = vec![if categories.is_empty() {
        ctx.t("cli.evidence.selection.all", &[])
    } else {
        let names: Vec<&str> = categories
            .iter()
            .map(|&c| crate::lang::category_name(c, ctx.lang))
            .collect();
        let names = names.join(catalog.word("cli.list_sep"));
        ctx.t("cli.evidence.selection.category", &[("names", &names)])
    }];
    for (_, key, v) in a.text_filters() {
        if let Some(v) = v {
            said.push(ctx.t(key, &[("value", &crate::untrusted::one_line(v))]));
        }
    }
    said.join(catalog.word("cli.evidence.selection.sep"))
}

pub fn run(ctx: &Ctx, args: EvidenceArgs) -> Result<ExitCode> {
    if let Some(EvidenceCommand::Verify { dir, expect }) = args.command {
        return verify(ctx, &dir, expect);
    }
    let a = args.export;
    let lang = ctx.lang;
    let Some(out) = a.out.clone() else {
        bail!(Said(ctx.t("cli.evidence.no_out", &[])));
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
    for (name, _, v) in a.text_filters() {
        if let Some(v) = v {
            selection.push(format!("{name}: {v}"));
        }
    }
    let lender = match &a.lender {
        // By any of its names; an unknown lender is an error, not an empty export.
        Some(name) => Some(
            super::lenders::find_lender(&ctx.engine()?, name, lang)?
                .id
                .clone(),
        ),
        None => None,
    };
    let (since_ms, until_ms) = parse_range(a.since.as_deref(), a.until.as_deref(), lang)?;
    let filter = Filter {
        categories,
        lender,
        sender: a.sender.clone(),
        since_ms,
        until_ms,
        search: a.search.clone(),
        limit: 0,
        offset: 0,
        id: None,
        undated: false,
    };
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    if store.history_count(&filter)? == 0 {
        // The filters in the person's words (the manifest records them in its own).
        let selection = selection_words(ctx, &a, &filter.categories);
        bail!(Said(
            ctx.t("cli.evidence.none_match", &[("selection", &selection)])
        ));
    }
    let done = crate::evidence::export(
        &store,
        &filter,
        selection,
        &out,
        &config.phone_tz()?,
        a.with_sources,
    )?;
    let dir = crate::untrusted::one_line(&done.dir.display().to_string()).into_owned();
    let mut out = ctx.t(
        "cli.evidence.written",
        &[("count", &done.messages.to_string()), ("dir", &dir)],
    );
    out.push('\n');
    out.push_str(&ctx.t(
        "cli.evidence.originals",
        &[("count", &done.originals.to_string())],
    ));
    out.push('\n');
    for s in &done.sources {
        let copy = s.copy.as_deref().map(crate::untrusted::one_line);
        let what = match (&copy, s.same_as_imported) {
            (Some(copy), true) => ctx.t("cli.evidence.source.copied", &[("copy", copy)]),
            (Some(copy), false) => ctx.t("cli.evidence.source.copied_changed", &[("copy", copy)]),
            (None, true) => ctx.t("cli.evidence.source.not_copied", &[]),
            (None, false) => ctx.t("cli.evidence.source.gone", &[]),
        };
        // The manifest's note is English, and `what` says the rest: only why the file
        // could not be read is added, in the system's words.
        let note = s.unread.as_ref().map_or_else(String::new, |why| {
            let why = why.text_with(ctx.lang, &|v| crate::untrusted::one_line(v).into_owned());
            ctx.t("cli.evidence.source.unread", &[("why", &why)])
        });
        out.push_str(&ctx.t(
            "cli.evidence.source_line",
            &[
                ("file", &crate::untrusted::one_line(&s.file)),
                ("what", &what),
                ("note", &note),
            ],
        ));
        out.push('\n');
    }
    let db = crate::untrusted::one_line(&store.path().display().to_string()).into_owned();
    out.push_str(&ctx.t(
        "cli.evidence.recorded",
        &[
            ("chain", &done.chain_head),
            ("sha", &done.manifest_sha256),
            ("db", &db),
            ("dir", &dir),
        ],
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
    let shown = crate::untrusted::one_line(&dir.display().to_string()).into_owned();
    let messages = v.messages.to_string();
    let chain = v.chain_head.as_deref().unwrap_or("-");
    if !v.problems.is_empty() {
        for p in &v.problems {
            // Names in a problem come from the folder and its manifest, which anyone edits.
            let problem = p.0.text_with(ctx.lang, &|s| {
                crate::untrusted::for_terminal(s).into_owned()
            });
            let joiner = ctx.t("cli.error.joiner", &[]);
            eprintln!("dunwatch: {shown}{joiner}{problem}");
        }
        eprintln!(
            "dunwatch: {}",
            ctx.t(
                "cli.evidence.verify.broken",
                &[("dir", &shown), ("count", &v.problems.len().to_string())]
            )
        );
        return Ok(ExitCode::FAILURE);
    }
    match &v.basis {
        Basis::Recorded { db, record } => println!(
            "{}",
            ctx.t(
                "cli.evidence.verify.recorded",
                &[
                    ("dir", &shown),
                    ("count", &messages),
                    ("chain", chain),
                    ("db", &crate::untrusted::one_line(&db.display().to_string())),
                    ("made", &crate::store::history::rfc3339(record.created_ms)),
                    ("into", &crate::untrusted::one_line(&record.dir)),
                    ("sha", &v.manifest_sha256),
                ]
            )
        ),
        Basis::Expected => println!(
            "{}",
            ctx.t(
                "cli.evidence.verify.expected",
                &[
                    ("dir", &shown),
                    ("count", &messages),
                    ("chain", chain),
                    ("sha", &v.manifest_sha256),
                ]
            )
        ),
        Basis::NoRecord { db } => {
            eprintln!(
                "dunwatch: {}",
                ctx.t(
                    "cli.evidence.verify.no_record",
                    &[
                        ("dir", &shown),
                        ("db", &crate::untrusted::one_line(&db.display().to_string())),
                        ("sha", &v.manifest_sha256),
                    ]
                )
            );
            return Ok(ExitCode::from(2));
        }
        // Always comes with a problem, reported above.
        Basis::Mismatch => return Ok(ExitCode::FAILURE),
    }
    Ok(ExitCode::SUCCESS)
}
