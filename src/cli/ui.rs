//! `dunwatch ui`: the review page in the default browser (see `crate::ui`).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::Args;

use super::Ctx;
use crate::classify::Engine;

#[derive(Debug, Args)]
pub struct UiArgs {
    /// Listen on this port of 127.0.0.1 (default: a free one).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub port: u16,
    /// Print the page's address as the first line instead of opening a browser.
    #[arg(long, env = "DUNWATCH_UI_NO_BROWSER", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_browser: bool,
    /// The page to show first, e.g. /messages/42 (alerts use this).
    #[arg(long, value_name = "PATH")]
    pub open: Option<String>,
    /// Stop after this many milliseconds without a request (default 30 minutes).
    #[arg(long, hide = true, env = "DUNWATCH_UI_IDLE_MS", value_name = "MS")]
    pub idle_ms: Option<u64>,
}

pub fn run(ctx: &Ctx, args: UiArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    // The page names lenders on every page but judges messages only when one is corrected:
    // the engine is built then (crate::ui::App::engine), as `Ctx::engine` builds it.
    let rules = ctx.paths.user_rules_dir();
    let zone = config
        .phone_tz()
        .unwrap_or_else(|_| jiff::tz::TimeZone::system());
    let setup = crate::ui::Setup {
        db_path: ctx.db_path(&config),
        registry: Engine::load_registry(Some(&rules))?,
        engine: Box::new(move || Ok(Engine::load(Some(&rules))?.with_zone(zone.clone()))),
        paths: ctx.paths.clone(),
        config,
    };
    let opts = crate::ui::Options {
        port: args.port,
        no_browser: args.no_browser,
        open: args.open,
        idle: args.idle_ms.map_or(crate::ui::IDLE, Duration::from_millis),
    };
    crate::ui::serve(setup, opts)?;
    Ok(ExitCode::SUCCESS)
}
