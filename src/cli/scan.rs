//! `dunwatch scan PATH...`: import files or folders once.
//!
//! Every file is tried; a failed one is named on stderr with the place it failed, and the
//! exit code is non-zero after all the others were imported.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::Ctx;
use crate::import::{
    FileReport, FileStatus, ImportEvents, Importer, NotExports, ProblemCause, ProblemUpdate,
    collect_files, unreadable_text,
};
use crate::ingest::{Limits, ParseError, ReadOptions};
use crate::lang::Lang;
use crate::untrusted::one_line;
use crate::words::{Phrase, text};

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Backup files or folders (searched recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

struct Progress(ProgressBar);

impl ImportEvents for Progress {
    fn progress(&mut self, bytes: u64) {
        self.0.set_position(bytes);
    }
}

pub fn run(ctx: &Ctx, args: ScanArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let mut store = ctx.open_store(&config)?;
    let engine = std::cell::OnceCell::new();
    let load_engine = || ctx.engine();
    // Each path on its own: one that is missing or cannot be read is named (in the person's
    // words) and the others are still imported; the exit code says not all could be.
    let (mut files, mut unreadable, mut missing) = (Vec::new(), Vec::new(), 0usize);
    for path in &args.paths {
        match collect_files(std::slice::from_ref(path)) {
            Ok(found) => {
                files.extend(found.files);
                unreadable.extend(found.unreadable);
            }
            Err(e) => {
                eprintln!("{}", super::said::error_lines(&e, ctx.lang));
                missing += 1;
            }
        }
    }
    let opts = ReadOptions {
        phone_tz: config.phone_tz()?,
        limits: Limits::default(),
    };
    // Files found not to be exports, for this command only (the daemon keeps its own for
    // its whole run).
    let mut not_exports = NotExports::default();
    let mut importer = Importer {
        store: &mut store,
        not_exports: &mut not_exports,
        engine: crate::import::EngineRef::OnFirstUse(&engine, &load_engine),
        opts,
        commit_every: crate::import::COMMIT_EVERY,
        // Links inside the folders given to files outside them are not followed.
        roots: crate::import::roots(&args.paths),
    };
    let tty = std::io::stderr().is_terminal() && !args.quiet;
    let mut out = super::stdout();
    let (mut new, mut known, mut undated, mut failed) = (0u64, 0u64, 0u64, missing);
    // Named once each, before the files: what is beside them is still imported, and the
    // exit code says that not everything could be read.
    for (dir, why) in &unreadable {
        let shown = dir.display().to_string();
        let (shown, why_shown) = (one_line(&shown), one_line(why));
        eprintln!(
            "dunwatch: {}",
            ctx.t(
                "cli.scan.folder_unreadable",
                &[("dir", &shown), ("why", &why_shown)]
            )
        );
        // Recorded for `doctor` in the import's own words: the daemon does not notify of it
        // again.
        let said = unreadable_text(dir, why);
        ProblemUpdate::noted(dir, ProblemCause::Folder, said).apply(importer.store, true)?;
        failed += 1;
    }
    for path in &files {
        let bar = if tty {
            let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            let bar = ProgressBar::new(size);
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:30!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_message(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        let mut progress = Progress(bar);
        let report = importer.import_file(path, &mut progress)?;
        progress.0.finish_and_clear();
        new += report.new;
        known += report.known;
        undated += report.undated;
        if report.has_errors() {
            failed += 1;
        }
        print_report(&mut out, &report, ctx.lang)?;
        out.flush()?;
        if let Some(update) = ProblemUpdate::of(&report) {
            update.apply(importer.store, true)?;
        }
    }
    // Each count in its own plural form ("1 file: 2 new messages").
    let files_said = crate::words::count(ctx.lang, "cli.scan.files", files.len() as u64, &[]);
    let new_said = crate::words::count(ctx.lang, "cli.scan.new", new, &[]);
    let mut total = ctx.t(
        "cli.scan.total",
        &[
            ("files", &files_said),
            ("new", &new_said),
            ("known", &known.to_string()),
        ],
    );
    if undated > 0 {
        total.push_str(&ctx.t("cli.scan.total_undated", &[("count", &undated.to_string())]));
    }
    if failed > 0 {
        total.push_str(&ctx.t("cli.scan.total_failed", &[("count", &failed.to_string())]));
    }
    writeln!(out, "{total}")?;
    out.flush()?;
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A phrase of the importer in the person's language, with every value it fills in (file
/// names, the entry inside an archive, what a parser quotes) a stranger's: kept to one line.
fn said(lang: Lang, phrase: &Phrase) -> String {
    phrase.text_with(lang, &|s| one_line(s).into_owned())
}

/// A problem the importer describes (with the file and the place), in the person's words.
fn problem(lang: Lang, e: &ParseError) -> String {
    text(
        lang,
        "cli.scan.problem",
        &[("problem", &said(lang, &e.said()))],
    )
}

fn print_report(out: &mut impl Write, r: &FileReport, lang: Lang) -> Result<()> {
    // File names and the excerpts parse errors quote are a stranger's (crate::untrusted).
    let shown = r.path.display().to_string();
    let name = one_line(&shown);
    let format = r.format.map_or("", |f| f.name());
    let t = |key: &str, args: &[(&str, &str)]| text(lang, key, args);
    let line = match &r.status {
        FileStatus::NotAnExport => t("cli.scan.not_export", &[("file", &name)]),
        FileStatus::Skipped(why) => t(
            "cli.scan.skipped",
            &[("file", &name), ("why", &said(lang, why))],
        ),
        FileStatus::Unchanged => t("cli.scan.unchanged", &[("file", &name), ("format", format)]),
        FileStatus::Imported | FileStatus::Failed(_) => {
            let cats: Vec<String> = r
                .by_category
                .iter()
                .map(|(c, n)| {
                    let category = super::speak::category_label(*c, lang);
                    t(
                        "cli.scan.count",
                        &[("count", &n.to_string()), ("category", &category)],
                    )
                })
                .collect();
            let cats = if cats.is_empty() {
                String::new()
            } else {
                t(
                    "cli.scan.categories",
                    &[("list", &cats.join(&t("cli.scan.list_sep", &[])))],
                )
            };
            let undated = if r.undated > 0 {
                t("cli.scan.undated", &[("count", &r.undated.to_string())])
            } else {
                String::new()
            };
            t(
                "cli.scan.imported",
                &[
                    ("file", &name),
                    ("format", format),
                    ("new", &r.new.to_string()),
                    ("categories", &cats),
                    ("known", &r.known.to_string()),
                    ("undated", &undated),
                ],
            )
        }
    };
    writeln!(out, "{line}")?;
    for e in &r.record_errors {
        eprintln!("dunwatch: {}", problem(lang, e));
    }
    if r.record_error_count > r.record_errors.len() as u64 {
        let more = (r.record_error_count - r.record_errors.len() as u64).to_string();
        eprintln!(
            "dunwatch: {}",
            t("cli.scan.more_errors", &[("file", &name), ("count", &more)])
        );
    }
    if let FileStatus::Failed(e) = &r.status {
        eprintln!("dunwatch: {}", problem(lang, e));
    }
    Ok(())
}
