//! Starting dunwatch at login: one backend per platform, generated from the templates in
//! `packaging/` with the absolute path of this binary.
//!
//! | backend | file | registered with |
//! | --- | --- | --- |
//! | `systemd` | `$XDG_CONFIG_HOME/systemd/user/dunwatch.service` | `systemctl --user` |
//! | `xdg` | `$XDG_CONFIG_HOME/autostart/dunwatch.desktop` | the desktop session at login |
//! | `launchd` | `~/Library/LaunchAgents/<label>.plist` | `launchctl bootstrap gui/UID` |
//! | `windows` | `HKCU\…\CurrentVersion\Run` value `dunwatch` | the Run key itself |
//!
//! The lessons from espanso's issue tracker are built in: install always overwrites and
//! re-registers; uninstall disables and stops *before* it deletes (a unit whose binary is gone
//! restarts forever otherwise); the unit caps restarts; `status` checks the file still points
//! at this binary; only one backend is ever installed. External tools run through a
//! [`Runner`] with fixed argument arrays, never a shell, so the tests can see every command.

mod files;
pub mod launchd;
mod runner;
mod running;
pub mod systemd;
#[cfg(test)]
pub(crate) mod testing;
pub mod windows;
pub mod xdg;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use crate::words::{Failed, OrSay, Phrase};

pub(crate) use files::{fill, remove_file, write_file};
pub(crate) use runner::run_checked;
pub use runner::{Output, Runner, System};
pub use running::{Daemon, daemon_program, daemon_state};
pub(crate) use running::{pid_text, report_start, start_now, wait_for_daemon};

/// The program name the service files run.
pub const PROGRAM: &str = "dunwatch";

/// How long install waits for a freshly started daemon to take its lock.
const START_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// systemd user unit (Linux with a systemd user instance)
    Systemd,
    /// XDG autostart .desktop file (Linux/BSD desktops without systemd)
    Xdg,
    /// macOS LaunchAgent
    Launchd,
    /// Windows per-user Run key
    Windows,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Systemd => "systemd",
            Backend::Xdg => "xdg",
            Backend::Launchd => "launchd",
            Backend::Windows => "windows",
        }
    }

    /// The backends that can exist on this operating system (install of any backend
    /// removes the files of all the others, so a login never starts two daemons).
    pub fn for_this_os() -> &'static [Backend] {
        if cfg!(target_os = "macos") {
            &[Backend::Launchd]
        } else if cfg!(windows) {
            &[Backend::Windows]
        } else {
            &[Backend::Systemd, Backend::Xdg]
        }
    }

    /// The backend to use here: launchd on macOS, the Run key on Windows, the systemd user
    /// instance where one answers, XDG autostart otherwise.
    pub fn detect(runner: &dyn Runner) -> Backend {
        if cfg!(target_os = "macos") {
            Backend::Launchd
        } else if cfg!(windows) {
            Backend::Windows
        } else if systemd::user_instance_reachable(runner) {
            Backend::Systemd
        } else {
            Backend::Xdg
        }
    }

    /// Whether this backend's service manager exists on this operating system.
    fn native(self) -> bool {
        match self {
            Backend::Systemd | Backend::Xdg => cfg!(all(unix, not(target_os = "macos"))),
            Backend::Launchd => cfg!(target_os = "macos"),
            Backend::Windows => cfg!(windows),
        }
    }
}

/// Every backend, native or not.
const ALL: [Backend; 4] = [
    Backend::Systemd,
    Backend::Xdg,
    Backend::Launchd,
    Backend::Windows,
];

/// Where the files go and what they run. Built from the environment by [`Host::from_env`];
/// tests build one by hand.
#[derive(Debug, Clone)]
pub struct Host {
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`, or `~/.config`.
    pub config_home: PathBuf,
    /// The daemon's single-instance lock, to tell whether it runs.
    pub lock_file: PathBuf,
    /// What the service starts.
    pub command: ServiceCommand,
    /// Whether this process runs as root (registering for root is almost always a mistake).
    pub is_root: bool,
    /// The user id, for launchd's `gui/UID` domain (unix only).
    pub uid: Option<u32>,
    /// How long install waits for a started daemon to take its lock.
    pub start_timeout: Duration,
}

/// The command line a service runs: an absolute program path and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl ServiceCommand {
    /// `<this binary> [--config F] [--db F] run`, every path absolute.
    pub fn for_this_binary(config: Option<&Path>, db: Option<&Path>) -> Result<ServiceCommand> {
        let exe = std::env::current_exe().or_say(|| Phrase::new("cli.service.error.no_exe"))?;
        let program = exe.canonicalize().unwrap_or(exe);
        let mut args = Vec::new();
        for (flag, path) in [("--config", config), ("--db", db)] {
            if let Some(path) = path {
                args.push(flag.to_string());
                args.push(absolute(path)?.to_string_lossy().into_owned());
            }
        }
        args.push("run".to_string());
        Ok(ServiceCommand { program, args })
    }

    /// The command a distribution package ships: `/usr/bin/dunwatch run`.
    pub fn packaged() -> ServiceCommand {
        ServiceCommand {
            program: PathBuf::from("/usr/bin").join(PROGRAM),
            args: vec!["run".to_string()],
        }
    }

    fn display(&self) -> String {
        let mut s = self.program.display().to_string();
        for a in &self.args {
            s.push(' ');
            s.push_str(a);
        }
        s
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir()
        .or_say(|| Phrase::new("cli.service.error.no_cwd"))?
        .join(path))
}

impl Host {
    /// From `$HOME`, `$XDG_CONFIG_HOME` and this binary.
    pub fn from_env(lock_file: PathBuf, command: ServiceCommand) -> Result<Host> {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(crate::paths::home_dir)
            .or_say(|| Phrase::new("cli.service.error.no_home"))?;
        let config_home = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(|| home.join(".config"));
        Ok(Host {
            home,
            config_home,
            lock_file,
            command,
            is_root: is_root(),
            uid: current_uid(),
            start_timeout: START_TIMEOUT,
        })
    }
}

#[cfg(unix)]
fn current_uid() -> Option<u32> {
    // SAFETY: getuid has no preconditions and cannot fail.
    Some(unsafe { libc::getuid() })
}

#[cfg(not(unix))]
fn current_uid() -> Option<u32> {
    None
}

#[cfg(unix)]
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

/// Options of `service install` / `uninstall`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Write or delete the files only; call no service manager, start and stop nothing.
    pub no_start: bool,
}

/// What a command did, for the person who ran it: one catalog phrase (`cli.service.…`) a
/// line, which the command line says in their language.
#[derive(Debug, Default)]
pub struct Log {
    pub lines: Vec<Phrase>,
}

impl Log {
    pub fn say(&mut self, line: Phrase) {
        self.lines.push(line);
    }

    /// Whether a line with this key was said.
    pub fn said(&self, key: &str) -> bool {
        self.lines.iter().any(|l| l.key == key)
    }
}

/// The state of one backend.
#[derive(Debug, Clone)]
pub struct Status {
    pub backend: Backend,
    /// The file (or registry value) the backend uses.
    pub location: String,
    /// The file or value exists.
    pub installed: bool,
    /// The program it starts, as read back from the file.
    pub program: Option<PathBuf>,
    /// Enabled / loaded with the service manager; `None` when there is none to ask.
    pub registered: Option<bool>,
    /// Running according to the service manager; `None` when it cannot tell.
    pub running: Option<bool>,
    /// Anything else worth saying (a disabled entry, a failed unit).
    pub notes: Vec<Phrase>,
}

impl Status {
    fn new(backend: Backend, location: String) -> Status {
        Status {
            backend,
            location,
            installed: false,
            program: None,
            registered: None,
            running: None,
            notes: Vec::new(),
        }
    }

    /// Whether the installed file starts `program` (both canonicalized when possible).
    pub fn points_at(&self, program: &Path) -> Option<bool> {
        let found = self.program.as_deref()?;
        Some(same_file(found, program))
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    canon(a) == canon(b)
}

/// Writes the backend's file and registers it (unless `--no-start`), after removing every
/// other backend of this OS.
pub fn install(
    host: &Host,
    backend: Backend,
    opts: Options,
    runner: &dyn Runner,
    log: &mut Log,
) -> Result<()> {
    if !opts.no_start {
        if !backend.native() {
            let line =
                Phrase::new("cli.service.error.foreign_install").arg("backend", backend.name());
            return Err(Failed::new(line).into());
        }
        if host.is_root {
            return Err(Failed::new(Phrase::new("cli.service.error.root")).into());
        }
    }
    warn_about_binary_location(&host.command.program, log);
    // Every other backend's files go, foreign ones too: an autostart entry left beside a
    // LaunchAgent (or a unit beside an entry) starts a second daemon at some login, and a
    // stale file misleads `status`. The Run key with --no-start writes nothing, so it
    // replaces nothing either. A foreign backend's files are only deleted: no service
    // manager of another system is asked.
    let writes = !(backend == Backend::Windows && opts.no_start);
    for &other in ALL.iter().filter(|&&b| b != backend && writes) {
        let other_opts = Options {
            no_start: opts.no_start || !other.native(),
        };
        if status(host, other, runner, other_opts).installed {
            log.say(Phrase::new("cli.service.removing_other").arg("backend", other.name()));
            uninstall(host, other, other_opts, runner, log)?;
        }
    }
    match backend {
        Backend::Systemd => systemd::install(host, opts, runner, log)?,
        Backend::Xdg => xdg::install(host, opts, runner, log)?,
        Backend::Launchd => launchd::install(host, opts, runner, log)?,
        Backend::Windows => windows::install(host, opts, runner, log)?,
    }
    if !(backend == Backend::Windows && opts.no_start) {
        log.say(Phrase::new("cli.service.undo").arg("backend", backend.name()));
    }
    Ok(())
}

/// Stops and unregisters (unless `--no-start`), then deletes the backend's file.
pub fn uninstall(
    host: &Host,
    backend: Backend,
    opts: Options,
    runner: &dyn Runner,
    log: &mut Log,
) -> Result<()> {
    if !opts.no_start && !backend.native() {
        let line =
            Phrase::new("cli.service.error.foreign_uninstall").arg("backend", backend.name());
        return Err(Failed::new(line).into());
    }
    match backend {
        Backend::Systemd => systemd::uninstall(host, opts, runner, log),
        Backend::Xdg => xdg::uninstall(host, opts, runner, log),
        Backend::Launchd => launchd::uninstall(host, opts, runner, log),
        Backend::Windows => windows::uninstall(host, opts, runner, log),
    }
}

/// Reads the backend's state. With `no_start`, only files are read (no tool is run).
pub fn status(host: &Host, backend: Backend, runner: &dyn Runner, opts: Options) -> Status {
    let ask = !opts.no_start && backend.native();
    match backend {
        Backend::Systemd => systemd::status(host, runner, ask),
        Backend::Xdg => xdg::status(host),
        Backend::Launchd => launchd::status(host, runner, ask),
        Backend::Windows => windows::status(host, runner, ask),
    }
}

/// A binary inside a cargo build folder or a temporary folder disappears or changes under
/// the service; say so while it is easy to fix.
fn warn_about_binary_location(program: &Path, log: &mut Log) {
    let s = program.to_string_lossy().replace('\\', "/");
    let temp = std::env::temp_dir().to_string_lossy().replace('\\', "/");
    if s.contains("/target/debug/") || s.contains("/target/release/") || s.starts_with(&temp) {
        log.say(Phrase::new("cli.service.build_folder").arg("program", program.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    #[cfg(all(unix, not(target_os = "macos")))]
    fn installing_one_backend_removes_the_other() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let runner = FakeRunner::default();
        let opts = Options { no_start: true };
        let mut log = Log::default();
        install(&host, Backend::Xdg, opts, &runner, &mut log).unwrap();
        assert!(xdg::file(&host).exists());
        install(&host, Backend::Systemd, opts, &runner, &mut log).unwrap();
        assert!(systemd::file(&host).exists());
        assert!(!xdg::file(&host).exists(), "{:?}", log.lines);
        let removing = Phrase::new("cli.service.removing_other").arg("backend", "xdg");
        assert!(log.lines.contains(&removing), "{:?}", log.lines);
        install(&host, Backend::Xdg, opts, &runner, &mut log).unwrap();
        assert!(!systemd::file(&host).exists());
        assert!(xdg::file(&host).exists());
        assert!(
            runner.calls().is_empty(),
            "--no-start ran {:?}",
            runner.calls()
        );
        // The Run key with --no-start writes nothing and replaces nothing; a LaunchAgent
        // replaces the autostart entry like any other backend, and is replaced in turn.
        install(&host, Backend::Windows, opts, &runner, &mut log).unwrap();
        assert!(xdg::file(&host).exists());
        install(&host, Backend::Launchd, opts, &runner, &mut log).unwrap();
        assert!(launchd::file(&host).exists());
        assert!(!xdg::file(&host).exists(), "{:?}", log.lines);
        install(&host, Backend::Systemd, opts, &runner, &mut log).unwrap();
        assert!(!launchd::file(&host).exists(), "{:?}", log.lines);
    }

    #[test]
    fn registering_as_root_is_refused_but_writing_files_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let mut host = host(dir.path());
        host.is_root = true;
        let runner = FakeRunner::default();
        let mut log = Log::default();
        let backend = Backend::for_this_os()[0];
        let err = install(&host, backend, Options::default(), &runner, &mut log).unwrap_err();
        let failed = err.downcast_ref::<Failed>().expect("worded");
        assert_eq!(failed.phrase.key, "cli.service.error.root");
        assert!(err.to_string().contains("root"), "{err}");
        install(
            &host,
            backend,
            Options { no_start: true },
            &runner,
            &mut log,
        )
        .unwrap();
    }

    #[test]
    fn foreign_backend_needs_no_start() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let foreign = if cfg!(target_os = "macos") {
            Backend::Windows
        } else {
            Backend::Launchd
        };
        let err = install(
            &host,
            foreign,
            Options::default(),
            &FakeRunner::default(),
            &mut Log::default(),
        )
        .unwrap_err();
        let failed = err.downcast_ref::<Failed>().expect("worded");
        assert_eq!(failed.phrase.key, "cli.service.error.foreign_install");
        assert_eq!(failed.phrase.get("backend"), Some(foreign.name()));
        assert!(err.to_string().contains("--no-start"), "{err}");
    }
}
