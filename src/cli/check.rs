//! `dunwatch check --sender S "BODY"`: explain one message to a person, judged as the
//! daemon would judge it now (with the trust and block lists, lenders and history).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::Ctx;
use super::history::Style;
use super::speak::{Describer, category_label, label, write_details, write_reasons};
use crate::classify::Input;
use crate::untrusted::one_line;

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
    /// Also list the rules that fired, by id (for a bug report or `rules explain`).
    #[arg(long)]
    pub details: bool,
    /// The message text.
    pub body: String,
}

fn parse_time(s: &str) -> Result<(i64, i32), String> {
    super::parse_rfc3339(s).map_err(|e| format!("{s:?} is not an RFC 3339 time with a zone: {e}"))
}

pub fn run(ctx: &Ctx, args: CheckArgs) -> Result<ExitCode> {
    // In prose every word is the person's language; JSON keeps the message's, as
    // `classify` writes it.
    let engine = match args.json {
        true => ctx.engine()?,
        false => ctx.engine()?.speaking(ctx.lang.code()),
    };
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
        let lang = ctx.lang;
        let s = Style::detect();
        if !verdict.headline.is_empty() {
            writeln!(out, "{}", s.bold(&one_line(&verdict.headline)))?;
        }
        let category = category_label(verdict.category, lang);
        writeln!(
            out,
            "{} {}",
            label(&s, lang, "cli.verdict.label.category"),
            ctx.t(
                "cli.verdict.category",
                &[
                    ("category", &s.category(verdict.category, &category)),
                    ("score", &format!("{:.2}", verdict.score)),
                ],
            )
        )?;
        let lender = verdict.lender.as_deref().map_or("-".to_string(), |l| {
            format!("{} ({l})", crate::report::lender_name(l, lang))
        });
        writeln!(
            out,
            "{} {lender}",
            label(&s, lang, "cli.verdict.label.lender")
        )?;
        write_reasons(
            &mut out,
            &s,
            &Describer::new(&engine, lang),
            &verdict.reasons,
        )?;
        if !verdict.advice.is_empty() {
            writeln!(
                out,
                "{} {}",
                label(&s, lang, "cli.verdict.label.advice"),
                super::speak::indented(&verdict.advice)
            )?;
        }
        if args.details {
            write_details(&mut out, &s, lang, &verdict.reasons)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
