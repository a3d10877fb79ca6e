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
            // Paths the person chose, still shown as one line each of a terminal.
            let line = |key: &str, p: &std::path::Path| {
                let path = crate::untrusted::one_line(&p.display().to_string()).into_owned();
                ctx.t(key, &[("path", &path)])
            };
            writeln!(out, "{}", line("cli.config.file", &ctx.paths.config_file))?;
            writeln!(
                out,
                "{}",
                line("cli.config.database", &ctx.db_path(&config))
            )?;
            writeln!(
                out,
                "{}",
                line("cli.config.rules", &ctx.paths.user_rules_dir())
            )?;
            for w in config.watch_dirs() {
                writeln!(out, "{}", line("cli.config.watch", &w))?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
