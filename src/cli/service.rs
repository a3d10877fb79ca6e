//! `dunwatch service install|uninstall|status`: start dunwatch at login.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::Ctx;
use crate::service::{self, Backend, Daemon, Host, Log, Options, ServiceCommand, System};

#[derive(Debug, Subcommand)]
pub enum ServiceAction {
    /// Write the service file for this binary and start it now and at every login.
    Install(ServiceOpts),
    /// Stop and unregister the service, then delete its file.
    Uninstall(ServiceOpts),
    /// Whether the service is installed, registered, running, and runs this binary.
    Status(ServiceOpts),
}

#[derive(Debug, Args)]
pub struct ServiceOpts {
    /// Which service manager (default: launchd on macOS, the Run key on Windows, systemd
    /// where a systemd user instance answers, else XDG autostart).
    #[arg(long, value_enum)]
    pub backend: Option<Backend>,
    /// Only write (or delete, or read) the files: call no service manager, start or stop
    /// nothing.
    #[arg(long)]
    pub no_start: bool,
}

pub fn run(ctx: &Ctx, action: ServiceAction) -> Result<ExitCode> {
    let host = host(ctx)?;
    let runner = System;
    let mut out = super::stdout();
    match action {
        ServiceAction::Install(o) => {
            let backend = pick(&o, &runner);
            let mut log = Log::default();
            let result = service::install(&host, backend, options(&o), &runner, &mut log);
            for var in [crate::paths::DATA_DIR_ENV, crate::paths::CONFIG_DIR_ENV] {
                if result.is_ok() && std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
                    // Service managers start programs with their own environment.
                    log.say(format!(
                        "note: {var} is set here but is not passed to the service, which uses \
                         the default folders; pass --config/--db to `service install` instead"
                    ));
                }
            }
            print_log(&mut out, &log)?;
            result?;
        }
        ServiceAction::Uninstall(o) => {
            let mut log = Log::default();
            let backends: Vec<Backend> = match o.backend {
                Some(b) => vec![b],
                None => Backend::for_this_os().to_vec(),
            };
            let mut result = Ok(());
            for b in backends {
                result = result.and(service::uninstall(&host, b, options(&o), &runner, &mut log));
            }
            if log.lines.is_empty() {
                log.say("nothing to remove: no service file was installed");
            }
            print_log(&mut out, &log)?;
            result?;
        }
        ServiceAction::Status(o) => {
            for line in status_lines(&host, o.backend, options(&o), &runner) {
                writeln!(out, "{line}")?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn options(o: &ServiceOpts) -> Options {
    Options {
        no_start: o.no_start,
    }
}

fn pick(o: &ServiceOpts, runner: &System) -> Backend {
    match o.backend {
        Some(b) => b,
        // Probing systemd is a call to systemctl; --no-start promises none.
        None if o.no_start && Backend::for_this_os().contains(&Backend::Systemd) => {
            if std::env::var_os("XDG_RUNTIME_DIR")
                .map(|d| std::path::Path::new(&d).join("systemd/private").exists())
                .unwrap_or(false)
            {
                Backend::Systemd
            } else {
                Backend::Xdg
            }
        }
        None => Backend::detect(runner),
    }
}

/// The environment's host, with the command that starts this binary (and the `--config` /
/// `--db` given to this invocation, so the service uses the same files).
pub fn host(ctx: &Ctx) -> Result<Host> {
    let config = ctx
        .paths
        .config_explicit
        .then_some(ctx.paths.config_file.as_path());
    let command = ServiceCommand::for_this_binary(config, ctx.paths.db_override.as_deref())?;
    Host::from_env(ctx.paths.lock_file(), command)
}

fn print_log(out: &mut impl Write, log: &Log) -> Result<()> {
    for line in &log.lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// What `service status` and `doctor` print: each backend of this OS (or the one asked
/// for), then whether a daemon is running.
pub fn status_lines(
    host: &Host,
    only: Option<Backend>,
    opts: Options,
    runner: &dyn service::Runner,
) -> Vec<String> {
    let backends: Vec<Backend> = match only {
        Some(b) => vec![b],
        None => Backend::for_this_os().to_vec(),
    };
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    };
    let mut lines = Vec::new();
    let mut any = false;
    for b in backends {
        let st = service::status(host, b, runner, opts);
        if !st.installed && only.is_none() {
            lines.push(format!("{}: not installed ({})", b.name(), st.location));
            lines.extend(st.notes.iter().map(|n| format!("  note: {n}")));
            continue;
        }
        any |= st.installed;
        lines.push(format!("{}: {}", b.name(), st.location));
        lines.push(format!("  installed:  {}", yes_no(Some(st.installed))));
        if let Some(program) = &st.program {
            let this = match st.points_at(&host.command.program) {
                Some(true) => "this binary".to_string(),
                _ => format!(
                    "NOT this binary ({}); run `dunwatch service install` again",
                    host.command.program.display()
                ),
            };
            lines.push(format!("  runs:       {} ({this})", program.display()));
        }
        lines.push(format!("  registered: {}", yes_no(st.registered)));
        if st.running.is_some() {
            lines.push(format!("  running:    {}", yes_no(st.running)));
        }
        for note in &st.notes {
            lines.push(format!("  note: {note}"));
        }
    }
    if !any && only.is_none() {
        lines.push("start at login with: dunwatch service install".to_string());
    }
    lines.push(match service::daemon_state(&host.lock_file) {
        Daemon::NotRunning => format!(
            "daemon: not running (lock {} is free)",
            host.lock_file.display()
        ),
        Daemon::Running(pid) => {
            let from = pid
                .and_then(service::daemon_program)
                .map(|p| format!(" from {}", p.display()))
                .unwrap_or_default();
            format!("daemon: running{}{from}", service::pid_text(pid))
        }
    });
    lines
}

/// What `dunwatch generate` writes (packaging; hidden from help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Generated {
    /// Man pages (dunwatch.1 and one per subcommand) into DIR.
    Man,
    /// bash, zsh and fish completions into DIR.
    Completions,
    /// The systemd user unit a package ships (for /usr/bin/dunwatch) into DIR.
    Unit,
    /// All of them: DIR/man/, DIR/completions/, DIR/dunwatch.service.
    All,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[arg(value_enum)]
    pub what: Generated,
    /// The folder to write into (created if missing).
    pub dir: std::path::PathBuf,
}

/// Writes the packaged files that derive from the command line and the unit template.
/// `packaging/generated/` holds the committed output; tests/service.rs fails when it
/// drifts (regenerate with `cargo run -- generate all packaging/generated`).
pub fn generate(args: GenerateArgs) -> Result<ExitCode> {
    use clap::CommandFactory;
    use clap_complete::Shell;
    use std::path::Path;

    fn man(dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        clap_mangen::generate_to(super::Cli::command(), dir)?;
        Ok(())
    }
    fn completions(dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut cmd = super::Cli::command();
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            clap_complete::generate_to(shell, &mut cmd, "dunwatch", dir)?;
        }
        Ok(())
    }
    fn unit(dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        // The package installs the man pages beside the unit.
        let text = service::systemd::render(
            &ServiceCommand::packaged(),
            service::systemd::GRAPHICAL,
            service::systemd::ManPage::Installed,
        );
        std::fs::write(dir.join(service::systemd::UNIT), text)?;
        Ok(())
    }
    let dir = args.dir.as_path();
    match args.what {
        Generated::Man => man(dir)?,
        Generated::Completions => completions(dir)?,
        Generated::Unit => unit(dir)?,
        Generated::All => {
            man(&dir.join("man"))?;
            completions(&dir.join("completions"))?;
            unit(dir)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
