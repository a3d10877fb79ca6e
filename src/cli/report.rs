//! `dunwatch report [--week | --last-week | --from DATE --to DATE] --format md|html|json
//! [--out FILE]`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::Ctx;
use crate::report::week::parse_date;
use crate::report::{Format, Period, Report, write_private};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// This Monday–Sunday week, in the local time zone (the default).
    #[arg(long, conflicts_with_all = ["last_week", "from", "to"])]
    pub week: bool,
    /// The previous complete Monday–Sunday week (what the weekly summary covers).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub last_week: bool,
    /// First day of a range (local date, e.g. 2026-11-01).
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// Last day of a range, included.
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    /// Markdown, HTML or JSON.
    #[arg(long, value_enum, default_value = "md")]
    pub format: Format,
    /// Write to this file (readable by you only) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: ReportArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.open_store(&config)?;
    let tz = config.phone_tz()?;
    let now = jiff::Timestamp::now();
    // A date that is none, or a range that ends before it starts, is said once, in the
    // report module's words (they name the flag and quote the value).
    let period = match (&args.from, &args.to) {
        (Some(from), Some(to)) => {
            let (first, last) = (parse_date(from, "--from")?, parse_date(to, "--to")?);
            Period::range(first, last, tz)?
        }
        _ if args.last_week => Period::previous_week(now, tz),
        _ => Period::week_of(now, tz),
    };
    let engine = ctx.engine()?;
    let report = Report::build(&store, &engine, period, ctx.lang)?;
    let text = report.render(args.format)?;
    match &args.out {
        Some(path) => {
            write_private(path, &text)?;
            eprintln!("{}", report.summary);
            let shown = crate::untrusted::one_line(&path.display().to_string()).into_owned();
            eprintln!("{}", ctx.t("cli.report.written", &[("path", &shown)]));
        }
        None => {
            let mut out = super::stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
