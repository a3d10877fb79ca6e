//! `dunwatch run`: the daemon, in the foreground (the service manager backgrounds it).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::Args;

use super::Ctx;
use crate::daemon::{self, FirstRun, Options};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// How long a file must stay unchanged before it is read, in milliseconds.
    #[arg(long, hide = true, env = "DUNWATCH_DEBOUNCE_MS", value_name = "MS")]
    pub debounce_ms: Option<u64>,
    /// How long a half-written file may stay unchanged before it is reported, in ms.
    #[arg(long, hide = true, env = "DUNWATCH_STALE_MS", value_name = "MS")]
    pub stale_ms: Option<u64>,
    /// How long to wait before asking the notification server again, in ms.
    #[arg(long, hide = true, env = "DUNWATCH_RETRY_MS", value_name = "MS")]
    pub retry_ms: Option<u64>,
    /// How long to wait before importing again after the database refused a write, in ms.
    #[arg(long, hide = true, env = "DUNWATCH_STORE_RETRY_MS", value_name = "MS")]
    pub store_retry_ms: Option<u64>,
    /// How often folders are looked at when polled, in ms.
    #[arg(long, hide = true, env = "DUNWATCH_POLL_MS", value_name = "MS")]
    pub poll_ms: Option<u64>,
    /// Longest an import keeps a transaction open, in ms.
    #[arg(long, hide = true, env = "DUNWATCH_COMMIT_MS", value_name = "MS")]
    pub commit_ms: Option<u64>,
    /// Look at the folders every few seconds instead of waiting for change events from the
    /// system (for folders on network filesystems, which send none).
    #[arg(long, env = "DUNWATCH_POLL", value_parser = clap::builder::BoolishValueParser::new())]
    pub poll: bool,
}

pub fn run(ctx: &Ctx, args: RunArgs) -> Result<ExitCode> {
    let mut opts = Options::default();
    if let Some(ms) = args.debounce_ms {
        // The debouncer needs a tick of at least 1 ms (half the debounce).
        opts.debounce = Duration::from_millis(ms.max(2));
    }
    if let Some(ms) = args.stale_ms {
        opts.stale_after = Duration::from_millis(ms);
    }
    if let Some(ms) = args.retry_ms {
        opts.retry_after = Duration::from_millis(ms);
    }
    if let Some(ms) = args.store_retry_ms {
        opts.store_retry = Duration::from_millis(ms);
    }
    if let Some(ms) = args.poll_ms {
        opts.poll_every = Duration::from_millis(ms.max(10));
    }
    if let Some(ms) = args.commit_ms {
        opts.commit_every = Duration::from_millis(ms);
    }
    opts.force_poll = args.poll;
    let prepared = daemon::prepare(ctx.paths.clone())?;
    if let Some(first) = &prepared.first_run {
        welcome(first, ctx)?;
    }
    daemon::serve(prepared, opts)?;
    Ok(ExitCode::SUCCESS)
}

/// The one screen a first run prints: where things are and how to get backups there.
fn welcome(first: &FirstRun, ctx: &Ctx) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let shown =
        |d: &std::path::Path| crate::untrusted::one_line(&d.display().to_string()).into_owned();
    let folders: Vec<String> = first.watch_dirs.iter().map(|d| shown(d)).collect();
    let folder = folders.first().cloned().unwrap_or_default();
    let created = if first.created_dirs.is_empty() {
        String::new()
    } else {
        ctx.t("cli.welcome.created", &[])
    };
    let text = ctx.t(
        "cli.welcome.screen",
        &[
            ("config", &shown(&first.config_file)),
            ("folders", &folders.join(", ")),
            ("created", &created),
            ("folder", &folder),
        ],
    );
    writeln!(out, "{}", text.trim_end())?;
    out.flush()?;
    Ok(())
}
