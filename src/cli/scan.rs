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
use crate::ingest::{Limits, ReadOptions};
use crate::untrusted::one_line;

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
    let found = collect_files(&args.paths)?;
    let files = found.files;
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
    let (mut new, mut known, mut undated, mut failed) = (0u64, 0u64, 0u64, 0usize);
    // Named once each, before the files: what is beside them is still imported, and the
    // exit code says that not everything could be read.
    for (dir, why) in &found.unreadable {
        let text = unreadable_text(dir, why);
        eprintln!("dunwatch: {}", one_line(&text));
        // Recorded for `doctor` as said: the daemon does not notify of it again.
        ProblemUpdate::noted(dir, ProblemCause::Folder, text).apply(importer.store, true)?;
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
        print_report(&mut out, &report)?;
        out.flush()?;
        if let Some(update) = ProblemUpdate::of(&report) {
            update.apply(importer.store, true)?;
        }
    }
    writeln!(
        out,
        "{} file(s): {new} new message(s), {known} already known{}{}",
        files.len(),
        if undated > 0 {
            format!(", {undated} without a time (stored, not alerted)")
        } else {
            String::new()
        },
        if failed > 0 {
            format!(", {failed} with errors")
        } else {
            String::new()
        }
    )?;
    out.flush()?;
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(out: &mut impl Write, r: &FileReport) -> Result<()> {
    // File names and the excerpts parse errors quote are a stranger's (crate::untrusted).
    let shown = r.path.display().to_string();
    let name = one_line(&shown);
    let format = r.format.map_or("", |f| f.name());
    match &r.status {
        FileStatus::NotAnExport => writeln!(out, "{name}: skipped, not an SMS export")?,
        FileStatus::Skipped(why) => writeln!(out, "{name}: skipped, {}", one_line(why))?,
        FileStatus::Unchanged => writeln!(out, "{name}: {format}, unchanged since the last scan")?,
        FileStatus::Imported | FileStatus::Failed(_) => {
            let cats: Vec<String> = r
                .by_category
                .iter()
                .map(|(c, n)| format!("{n} {c}"))
                .collect();
            let cats = if cats.is_empty() {
                String::new()
            } else {
                format!(" ({})", cats.join(", "))
            };
            let undated = if r.undated > 0 {
                format!(
                    "; {} without a time: the export gives none dunwatch can read, so they are stored but never alerted as new",
                    r.undated
                )
            } else {
                String::new()
            };
            writeln!(
                out,
                "{name}: {format}, {} new{cats}, {} already known{undated}",
                r.new, r.known
            )?;
        }
    }
    for e in &r.record_errors {
        eprintln!("dunwatch: {}", one_line(&e.to_string()));
    }
    if r.record_error_count > r.record_errors.len() as u64 {
        eprintln!(
            "dunwatch: {}: {} more unreadable message(s) not shown",
            name,
            r.record_error_count - r.record_errors.len() as u64
        );
    }
    if let FileStatus::Failed(e) = &r.status {
        eprintln!("dunwatch: {}", one_line(&e.to_string()));
    }
    Ok(())
}
