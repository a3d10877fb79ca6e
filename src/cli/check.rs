//! `dunwatch check --sender S "BODY"`: explain one message to a person.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::Ctx;
use crate::classify::Input;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Who sent it (number or name), as the phone shows it.
    #[arg(long, short, default_value = "")]
    pub sender: String,
    /// Print the verdict as JSON instead of prose.
    #[arg(long)]
    pub json: bool,
    /// The message text.
    pub body: String,
}

pub fn run(ctx: &Ctx, args: CheckArgs) -> Result<ExitCode> {
    let engine = ctx.engine()?;
    let verdict = engine.classify(&Input {
        sender: &args.sender,
        body: &args.body,
        ts_ms: None,
    });
    let mut out = super::stdout();
    if args.json {
        super::write_json_line(&mut out, &verdict)?;
    } else {
        if !verdict.headline.is_empty() {
            writeln!(out, "{}", verdict.headline)?;
        }
        writeln!(
            out,
            "category: {}  (score {:.2})",
            verdict.category, verdict.score
        )?;
        writeln!(
            out,
            "lender:   {}",
            verdict.lender.as_deref().unwrap_or("-")
        )?;
        if !verdict.reasons.is_empty() {
            writeln!(out, "why:")?;
            for r in &verdict.reasons {
                let desc = if r.description.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", r.description)
                };
                let ev = if r.evidence.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", r.evidence)
                };
                writeln!(out, "  - {}{desc}{ev}", r.rule)?;
            }
        }
        if !verdict.advice.is_empty() {
            writeln!(out, "advice:   {}", verdict.advice)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
