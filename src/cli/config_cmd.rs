//! `dunwatch config default|path`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use super::Ctx;
use crate::config::DEFAULT_TOML;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the commented default configuration.
    Default,
    /// Print where the config file, database and rules are.
    Path,
}

pub fn run(ctx: &Ctx, cmd: ConfigCommand) -> Result<ExitCode> {
    let mut out = super::stdout();
    match cmd {
        ConfigCommand::Default => out.write_all(DEFAULT_TOML.as_bytes())?,
        ConfigCommand::Path => {
            let config = ctx.config()?;
            writeln!(out, "config:   {}", ctx.paths.config_file.display())?;
            writeln!(out, "database: {}", ctx.db_path(&config).display())?;
            writeln!(out, "rules:    {}", ctx.paths.user_rules_dir().display())?;
            for w in config.watch_dirs() {
                writeln!(out, "watch:    {}", w.display())?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
