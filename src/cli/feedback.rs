//! `dunwatch feedback export`: the user's corrections as JSON Lines that `rules eval` reads
//! (`{"id", "sender", "body", "label"}`), so rule changes can be checked against them.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::Ctx;
use crate::store::history::Filter;

#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// Write the messages you corrected with `mark` as labelled JSON Lines.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Also export messages you did not correct, labelled with the engine's category.
    #[arg(long)]
    pub all: bool,
    /// Write to this file (readable by you only) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(serde::Serialize)]
struct Labelled<'a> {
    id: String,
    sender: &'a str,
    body: &'a str,
    label: &'a str,
}

pub fn run(ctx: &Ctx, cmd: FeedbackCommand) -> Result<ExitCode> {
    let FeedbackCommand::Export(args) = cmd;
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let mut buf = Vec::new();
    let mut n = 0u64;
    store.history_each(&Filter::default(), |e| {
        if e.engine_category.is_none() && !args.all {
            return Ok(());
        }
        if e.direction != crate::model::Direction::In {
            return Ok(());
        }
        n += 1;
        super::write_json_line(
            &mut buf,
            &Labelled {
                id: e.id.to_string(),
                sender: &e.sender,
                body: &e.body,
                label: e.category.as_str(),
            },
        )
    })?;
    match &args.out {
        Some(path) => {
            crate::report::write_private(path, &String::from_utf8(buf)?)?;
            let shown = crate::untrusted::one_line(&path.display().to_string()).into_owned();
            let count = n.to_string();
            eprintln!(
                "{}",
                ctx.t(
                    "cli.feedback.written",
                    &[("count", &count), ("path", &shown)]
                )
            );
        }
        None => {
            let mut out = super::stdout();
            out.write_all(&buf)?;
            out.flush()?;
            if n == 0 && !args.all {
                eprintln!("{}", ctx.t("cli.feedback.none", &[]));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
