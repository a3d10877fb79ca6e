//! `dunwatch check --sender S "BODY"`: explain one message to a person, judged as the
//! daemon would judge it now (with the trust and block lists, lenders and history).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::Ctx;
use crate::classify::Input;
use crate::untrusted::{for_terminal, one_line};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Who sent it (number or name), as the phone shows it.
    #[arg(long, short, default_value = "")]
    pub sender: String,
    /// When it was received, as RFC 3339 (`2026-11-18T23:40:00+08:00`): the hour is judged
    /// in that offset, as `classify` judges its `ts`.
    #[arg(long, value_parser = parse_time)]
    pub time: Option<(i64, i32)>,
    /// Print the verdict as JSON instead of prose.
    #[arg(long)]
    pub json: bool,
    /// The message text.
    pub body: String,
}

fn parse_time(s: &str) -> Result<(i64, i32), String> {
    super::parse_rfc3339(s).map_err(|e| format!("{s:?} is not an RFC 3339 time with a zone: {e}"))
}

pub fn run(ctx: &Ctx, args: CheckArgs) -> Result<ExitCode> {
    let engine = ctx.engine()?;
    // As the daemon would judge it: with the person's trust and block lists, lenders and
    // history (the reasons say when one of them decided).
    let person = ctx.person(&engine)?;
    let verdict = engine.classify_for(
        &Input {
            sender: &args.sender,
            body: &args.body,
            ts_ms: args.time.map(|t| t.0),
            utc_offset_s: args.time.map(|t| t.1),
        },
        &person,
    );
    let mut out = super::stdout();
    if args.json {
        super::write_json_line(&mut out, &verdict)?;
    } else {
        if !verdict.headline.is_empty() {
            writeln!(out, "{}", one_line(&verdict.headline))?;
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
                    format!(" [{}]", one_line(&r.evidence))
                };
                writeln!(out, "  - {}{desc}{ev}", r.rule)?;
            }
        }
        if !verdict.advice.is_empty() {
            writeln!(out, "advice:   {}", for_terminal(&verdict.advice))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
