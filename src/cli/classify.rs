//! `dunwatch classify`: JSON Lines in, one verdict per line out, same engine as the daemon.
//! A pure function of its input unless `--db` names a database: then the person's lists,
//! lenders, history and learned corrections count as they would for the daemon.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use serde::{Deserialize, Serialize};

use super::Ctx;
use crate::classify::Input;
use crate::untrusted::one_line;

#[derive(Debug, Args)]
pub struct ClassifyArgs {}

#[derive(Deserialize)]
struct Line {
    #[serde(default)]
    id: serde_json::Value,
    #[serde(default)]
    sender: Option<String>,
    body: String,
    #[serde(default)]
    ts: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct Out<'a> {
    id: &'a serde_json::Value,
    category: &'a str,
    lender: Option<&'a str>,
    score: f64,
    reasons: Vec<OutReason<'a>>,
}

#[derive(Serialize)]
struct OutReason<'a> {
    rule: &'a str,
    evidence: &'a str,
}

#[derive(Serialize)]
struct OutError<'a> {
    id: &'a serde_json::Value,
    error: String,
}

pub fn run(ctx: &Ctx, _args: ClassifyArgs) -> Result<ExitCode> {
    let engine = ctx.engine()?;
    let person = match &ctx.paths.db_override {
        Some(path) => {
            if !path.exists() {
                let shown = crate::untrusted::one_line(&path.display().to_string()).into_owned();
                anyhow::bail!(super::Said(
                    ctx.t("cli.classify.no_database", &[("path", &shown)])
                ));
            }
            engine.person_in(&crate::store::Store::open(path)?)?
        }
        None => crate::classify::person::Person::nobody(),
    };
    let stdin = std::io::stdin().lock();
    let mut out = super::stdout();
    let mut failed = 0u64;
    for (n, line) in stdin.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = match serde_json::from_str(&line) {
            Ok(p) => p,
            Err(e) => {
                failed += 1;
                let id = serde_json::from_str::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .unwrap_or(serde_json::Value::Null);
                let error = line_error(ctx, n, &e.to_string());
                super::write_json_line(&mut out, &OutError { id: &id, error })?;
                continue;
            }
        };
        let ts = parsed.ts.as_ref().map(|ts| parse_ts(ts, ctx)).transpose();
        let (ts_ms, utc_offset_s) = match ts {
            Ok(t) => t
                .flatten()
                .map_or((None, None), |(ms, off)| (Some(ms), off)),
            Err(e) => {
                failed += 1;
                let error = line_error(ctx, n, &e);
                super::write_json_line(
                    &mut out,
                    &OutError {
                        id: &parsed.id,
                        error,
                    },
                )?;
                continue;
            }
        };
        let sender = parsed.sender.as_deref().unwrap_or("");
        let verdict = engine.classify_for(
            &Input {
                sender,
                body: &parsed.body,
                ts_ms,
                utc_offset_s,
            },
            &person,
        );
        let reasons = verdict
            .reasons
            .iter()
            .map(|r| OutReason {
                rule: &r.rule,
                evidence: &r.evidence,
            })
            .collect();
        super::write_json_line(
            &mut out,
            &Out {
                id: &parsed.id,
                category: verdict.category.as_str(),
                lender: verdict.lender.as_deref(),
                score: (verdict.score * 1000.0).round() / 1000.0,
                reasons,
            },
        )?;
    }
    out.flush()?;
    if failed > 0 {
        let count = failed.to_string();
        eprintln!(
            "dunwatch classify: {}",
            ctx.t("cli.classify.failed_lines", &[("count", &count)])
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The `error` of an output line: which input line, and what was wrong with it (the JSON
/// parser's own words, or ours), in the person's language. The values come from the input:
/// one line, control characters visible.
fn line_error(ctx: &Ctx, n: usize, error: &str) -> String {
    let line = (n + 1).to_string();
    ctx.t(
        "cli.classify.line_error",
        &[("line", &line), ("error", &one_line(error))],
    )
}

/// `ts` as RFC 3339 text (a zone is required) or epoch milliseconds: the time, and the
/// offset the text was written with (which judges the hour of day).
fn parse_ts(v: &serde_json::Value, ctx: &Ctx) -> Result<Option<(i64, Option<i32>)>, String> {
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) if s.is_empty() => Ok(None),
        serde_json::Value::String(s) => super::parse_rfc3339(s)
            .map(|(ms, off)| Some((ms, Some(off))))
            .map_err(|e| {
                let value = format!("{s:?}");
                ctx.t("cli.classify.ts_text", &[("value", &value), ("error", &e)])
            }),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(|ms| Some((ms, None)))
            .ok_or_else(|| ctx.t("cli.classify.ts_fraction", &[("value", &n.to_string())])),
        other => Err(ctx.t("cli.classify.ts_kind", &[("value", &other.to_string())])),
    }
}
