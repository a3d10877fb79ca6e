//! `dunwatch service install|uninstall|status`: start dunwatch at login.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::Ctx;
use crate::lang::Lang;
use crate::service::{self, Backend, Daemon, Host, Log, Options, ServiceCommand, System};
use crate::untrusted::one_line;
use crate::words::Phrase;

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
                    log.say(Phrase::new("cli.service.env_not_passed").arg("var", var));
                }
            }
            print_log(&mut out, &log, ctx.lang)?;
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
                log.say(Phrase::new("cli.service.nothing_to_remove"));
            }
            print_log(&mut out, &log, ctx.lang)?;
            result?;
        }
        ServiceAction::Status(o) => {
            for line in status_lines(&host, o.backend, options(&o), &runner, ctx.lang) {
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

/// A line of the service module in the person's words. Paths and commands are filled in as
/// they are, control characters made visible: a folder name is text anyone could choose.
pub fn said(line: &Phrase, lang: Lang) -> String {
    line.text_with(lang, &|s| one_line(s).into_owned())
}

fn print_log(out: &mut impl Write, log: &Log, lang: Lang) -> Result<()> {
    for line in &log.lines {
        writeln!(out, "{}", said(line, lang))?;
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
    lang: Lang,
) -> Vec<String> {
    let backends: Vec<Backend> = match only {
        Some(b) => vec![b],
        None => Backend::for_this_os().to_vec(),
    };
    let t = |key: &str, args: &[(&str, &str)]| crate::words::text(lang, key, args);
    let yes_no = |b: Option<bool>| match b {
        Some(true) => t("cli.service.status.yes", &[]),
        Some(false) => t("cli.service.status.no", &[]),
        None => t("cli.service.status.unknown", &[]),
    };
    let note = |n: &Phrase| t("cli.service.status.note", &[("note", &said(n, lang))]);
    let mut lines = Vec::new();
    let mut any = false;
    for b in backends {
        let st = service::status(host, b, runner, opts);
        // A backend's name is what `--backend` takes; the catalog says what it is.
        let what = t(&format!("cli.service.backend.{}", b.name()), &[]);
        let name = [("backend", b.name()), ("what", what.as_str())];
        let location = one_line(&st.location).into_owned();
        let at = |key: &str| {
            let mut args = name.to_vec();
            args.push(("location", &location));
            t(key, &args)
        };
        if !st.installed && only.is_none() {
            lines.push(at("cli.service.status.not_installed"));
            lines.extend(st.notes.iter().map(note));
            continue;
        }
        any |= st.installed;
        lines.push(at("cli.service.status.backend"));
        let installed = yes_no(Some(st.installed));
        lines.push(t("cli.service.status.installed", &[("value", &installed)]));
        if let Some(program) = &st.program {
            let this = match st.points_at(&host.command.program) {
                Some(true) => t("cli.service.status.this_binary", &[]),
                _ => t(
                    "cli.service.status.other_binary",
                    &[(
                        "program",
                        &one_line(&host.command.program.display().to_string()),
                    )],
                ),
            };
            let runs = one_line(&program.display().to_string()).into_owned();
            lines.push(t(
                "cli.service.status.runs",
                &[("program", &runs), ("this", &this)],
            ));
        }
        let registered = yes_no(st.registered);
        lines.push(t(
            "cli.service.status.registered",
            &[("value", &registered)],
        ));
        if st.running.is_some() {
            let running = yes_no(st.running);
            lines.push(t("cli.service.status.running", &[("value", &running)]));
        }
        lines.extend(st.notes.iter().map(note));
    }
    if !any && only.is_none() {
        lines.push(t("cli.service.status.how_to_install", &[]));
    }
    lines.push(match service::daemon_state(&host.lock_file) {
        Daemon::NotRunning => t(
            "cli.service.status.daemon_stopped",
            &[("lock", &one_line(&host.lock_file.display().to_string()))],
        ),
        Daemon::Running(pid) => {
            let from = pid
                .and_then(service::daemon_program)
                .map(|p| {
                    let p = one_line(&p.display().to_string()).into_owned();
                    t("cli.service.status.daemon_from", &[("program", &p)])
                })
                .unwrap_or_default();
            let pid = said(&service::pid_text(pid), lang);
            t(
                "cli.service.status.daemon_running",
                &[("pid", &pid), ("from", &from)],
            )
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
