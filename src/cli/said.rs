//! Errors in the person's words. A command says what went wrong with [`Said`] (from the
//! catalog); `main` prints that sentence first, the causes after it as the detail, and for
//! an error no command worded (a library's, the system's) a leading sentence and what to
//! do next from the catalog around the detail.

use std::process::ExitCode;

use crate::lang::Lang;
use crate::untrusted::for_terminal;
use crate::words::{Failed, text};

/// An error already said in the person's language: the leading sentence `main` prints.
#[derive(Debug)]
pub struct Said(pub String);

impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Said {}

/// What `main` prints for a failed command: `dunwatch: ` and the sentence, the detail, and
/// what to do next, every stranger's character made visible (file names, quoted text).
/// The sentence is the command's [`Said`], else the first [`Failed`] among the causes (a
/// module's own words, said here in the person's language), else the catalog's.
pub fn error_lines(err: &anyhow::Error, lang: Lang) -> String {
    let causes: Vec<&(dyn std::error::Error + 'static)> = err.chain().collect();
    let failed_at = causes.iter().position(|c| c.is::<Failed>());
    let (lead, detail, worded) = match (err.downcast_ref::<Said>(), failed_at) {
        (Some(said), _) => (
            said.0.clone(),
            super::error_text_of(causes.iter().skip(1).copied(), lang),
            true,
        ),
        (None, Some(at)) => {
            let rest = causes
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != at)
                .map(|(_, c)| *c);
            (
                cause_text(causes[at], lang),
                super::error_text_of(rest, lang),
                true,
            )
        }
        (None, None) => (
            text(lang, "cli.error.failed", &[]),
            super::error_text_of(causes.iter().copied(), lang),
            false,
        ),
    };
    let mut out = format!("dunwatch: {}", for_terminal(&lead));
    if !detail.is_empty() {
        out.push_str(&text(
            lang,
            "cli.error.detail",
            &[("detail", &for_terminal(&detail))],
        ));
    }
    if !worded {
        out.push('\n');
        out.push_str(&text(lang, "cli.error.next", &[]));
    }
    out
}

/// One cause as the person reads it: a [`Failed`] in their language, anything else (the
/// system's, a library's) in its own words.
pub fn cause_text(cause: &(dyn std::error::Error + 'static), lang: Lang) -> String {
    match cause.downcast_ref::<Failed>() {
        Some(f) => f.phrase.text(lang),
        None => cause.to_string(),
    }
}

/// A command line clap could not read: help and version as asked; an error with clap's own
/// (English) explanation, in Chinese introduced by the catalog's sentence and what to do.
pub fn usage_error(e: clap::Error, lang: Lang) -> ExitCode {
    use clap::error::ErrorKind;
    let shown = matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if shown || !lang.is_chinese() {
        let _ = e.print();
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    }
    eprintln!("dunwatch: {}", text(lang, "cli.error.usage", &[]));
    eprint!("{}", e.render());
    eprintln!("{}", text(lang, "cli.error.usage_next", &[]));
    ExitCode::from(2)
}
