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

pub mod launchd;
pub mod systemd;
pub mod windows;
pub mod xdg;

use std::fs::{File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

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

    /// The backends that can exist on this operating system; install of one removes the
    /// others so a login never starts two daemons.
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
        let exe = std::env::current_exe().context("cannot find the path of this binary")?;
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
        .context("cannot find the current directory")?
        .join(path))
}

impl Host {
    /// From `$HOME`, `$XDG_CONFIG_HOME` and this binary.
    pub fn from_env(lock_file: PathBuf, command: ServiceCommand) -> Result<Host> {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(crate::paths::home_dir)
            .context("cannot find the home directory (set HOME)")?;
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

/// What an external tool answered.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs external tools. [`System`] runs them for real; tests record the calls.
pub trait Runner {
    fn run(&self, program: &str, args: &[&str]) -> io::Result<Output>;

    /// Starts a program in the background and does not wait for it.
    fn spawn_detached(&self, program: &Path, args: &[String]) -> io::Result<u32>;
}

/// Runs tools with `std::process::Command`: fixed argument arrays, no shell.
pub struct System;

impl Runner for System {
    fn run(&self, program: &str, args: &[&str]) -> io::Result<Output> {
        let out = std::process::Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        Ok(Output {
            success: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    fn spawn_detached(&self, program: &Path, args: &[String]) -> io::Result<u32> {
        let mut cmd = std::process::Command::new(program);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // Its own process group: closing the terminal does not take the daemon along.
            cmd.process_group(0);
        }
        #[cfg(windows)]
        {
            use std::os::windows::process::CommandExt;
            const CREATE_NO_WINDOW: u32 = 0x0800_0000;
            const DETACHED_PROCESS: u32 = 0x0000_0008;
            cmd.creation_flags(CREATE_NO_WINDOW | DETACHED_PROCESS);
        }
        Ok(cmd.spawn()?.id())
    }
}

/// Runs a tool and fails, naming the command and its message, when it does.
pub(crate) fn run_checked(runner: &dyn Runner, program: &str, args: &[&str]) -> Result<Output> {
    let shown = format!("{program} {}", args.join(" "));
    let out = runner
        .run(program, args)
        .with_context(|| format!("cannot run `{shown}`"))?;
    if !out.success {
        bail!("`{shown}` failed: {}", out.stderr.trim());
    }
    Ok(out)
}

/// Options of `service install` / `uninstall`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Write or delete the files only; call no service manager, start and stop nothing.
    pub no_start: bool,
}

/// What a command did, for the person who ran it: each line is printed as it is.
#[derive(Debug, Default)]
pub struct Log {
    pub lines: Vec<String>,
}

impl Log {
    pub fn say(&mut self, line: impl Into<String>) {
        self.lines.push(line.into());
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
    pub notes: Vec<String>,
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
            bail!(
                "the {} backend does not run on this system; use --no-start to only write its file",
                backend.name()
            );
        }
        if host.is_root {
            bail!(
                "refusing to register dunwatch for root: run `dunwatch service install` as the \
                 user whose backups it should watch (or pass --no-start to only write the file)"
            );
        }
    }
    warn_about_binary_location(&host.command.program, log);
    // Only a backend of this system can start a second daemon; a foreign one written with
    // --no-start (to look at, or to copy elsewhere) leaves the native ones alone.
    let others = if backend.native() {
        Backend::for_this_os()
    } else {
        &[]
    };
    for &other in others {
        if other != backend && status(host, other, runner, opts).installed {
            log.say(format!(
                "removing the {} backend first (only one may start dunwatch):",
                other.name()
            ));
            uninstall(host, other, opts, runner, log)?;
        }
    }
    match backend {
        Backend::Systemd => systemd::install(host, opts, runner, log)?,
        Backend::Xdg => xdg::install(host, opts, runner, log)?,
        Backend::Launchd => launchd::install(host, opts, runner, log)?,
        Backend::Windows => windows::install(host, opts, runner, log)?,
    }
    if !(backend == Backend::Windows && opts.no_start) {
        log.say(format!(
            "undo with: dunwatch service uninstall --backend {}",
            backend.name()
        ));
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
        bail!(
            "the {} backend does not run on this system; use --no-start to only delete its file",
            backend.name()
        );
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

/// Whether a dunwatch daemon holds the instance lock, and its pid when it wrote one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Daemon {
    NotRunning,
    Running(Option<u32>),
}

/// Probes the daemon's lock without creating or changing anything.
pub fn daemon_state(lock_file: &Path) -> Daemon {
    let Ok(file) = File::open(lock_file) else {
        return Daemon::NotRunning;
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            Daemon::NotRunning
        }
        Err(TryLockError::WouldBlock) => {
            let pid = std::fs::read_to_string(lock_file)
                .ok()
                .and_then(|s| s.trim().parse().ok());
            Daemon::Running(pid)
        }
        Err(TryLockError::Error(_)) => Daemon::NotRunning,
    }
}

/// The program a running daemon was started from, where the OS tells (Linux).
pub fn daemon_program(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

/// Waits until the daemon holds its lock (`running`) or has let it go, or the time is up.
pub(crate) fn wait_for_daemon(host: &Host, running: bool) -> Daemon {
    let start = Instant::now();
    loop {
        let state = daemon_state(&host.lock_file);
        if matches!(state, Daemon::Running(_)) == running || start.elapsed() >= host.start_timeout {
            return state;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Starts the daemon now for backends without a service manager (XDG autostart, the Run
/// key), unless one already runs, and says whether it came up.
pub(crate) fn start_now(host: &Host, runner: &dyn Runner, log: &mut Log) -> Result<()> {
    if let Daemon::Running(pid) = daemon_state(&host.lock_file) {
        log.say(format!(
            "dunwatch is already running{}; left as it is",
            pid_text(pid)
        ));
        return Ok(());
    }
    let cmd = &host.command;
    runner
        .spawn_detached(&cmd.program, &cmd.args)
        .with_context(|| format!("cannot start {}", cmd.display()))?;
    report_start(
        host,
        log,
        "check with `dunwatch doctor`, or run `dunwatch run` to see why",
    );
    Ok(())
}

/// Waits for a just-started daemon and says whether it took its lock.
pub(crate) fn report_start(host: &Host, log: &mut Log, hint: &str) {
    match wait_for_daemon(host, true) {
        Daemon::Running(pid) => log.say(format!("started: dunwatch is running{}", pid_text(pid))),
        Daemon::NotRunning => log.say(format!(
            "started, but dunwatch has not taken its lock {} within {} s; {hint}",
            host.lock_file.display(),
            host.start_timeout.as_secs()
        )),
    }
}

pub(crate) fn pid_text(pid: Option<u32>) -> String {
    pid.map(|p| format!(" as process {p}")).unwrap_or_default()
}

/// Writes a file (and its folder), replacing what was there.
pub(crate) fn write_file(path: &Path, text: &str, log: &mut Log) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    log.say(format!("wrote {}", path.display()));
    Ok(())
}

/// Deletes a file if it is there.
pub(crate) fn remove_file(path: &Path, log: &mut Log) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {
            log.say(format!("deleted {}", path.display()));
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot delete {}", path.display())),
    }
}

/// A binary inside a cargo build folder or a temporary folder disappears or changes under
/// the service; say so while it is easy to fix.
fn warn_about_binary_location(program: &Path, log: &mut Log) {
    let s = program.to_string_lossy().replace('\\', "/");
    let temp = std::env::temp_dir().to_string_lossy().replace('\\', "/");
    if s.contains("/target/debug/") || s.contains("/target/release/") || s.starts_with(&temp) {
        log.say(format!(
            "note: the service will run {s}, a build or temporary folder; install the binary \
             first (`cargo install --path .`, or the .deb) and run `service install` from there"
        ));
    }
}

/// Replaces `@NAME@` placeholders; every placeholder in the template must be given.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("@{name}@"), value);
    }
    debug_assert!(
        !out.contains("@EXEC@") && !out.contains("@TARGET@") && !out.contains("@LABEL@"),
        "unfilled placeholder in {out}"
    );
    out
}

#[cfg(test)]
pub(crate) mod testing {
    //! A recording [`Runner`] with canned answers.
    use super::*;
    use std::cell::RefCell;

    #[derive(Default)]
    pub struct FakeRunner {
        pub calls: RefCell<Vec<String>>,
        /// (command prefix, answer); the first matching prefix wins; others succeed empty.
        pub answers: Vec<(String, Output)>,
    }

    impl FakeRunner {
        pub fn answer(mut self, prefix: &str, success: bool, stdout: &str) -> FakeRunner {
            self.answers.push((
                prefix.to_string(),
                Output {
                    success,
                    stdout: stdout.to_string(),
                    stderr: String::new(),
                },
            ));
            self
        }

        pub fn calls(&self) -> Vec<String> {
            self.calls.borrow().clone()
        }
    }

    impl Runner for FakeRunner {
        fn run(&self, program: &str, args: &[&str]) -> io::Result<Output> {
            let line = format!("{program} {}", args.join(" "));
            self.calls.borrow_mut().push(line.clone());
            for (prefix, out) in &self.answers {
                if line.starts_with(prefix.as_str()) {
                    return Ok(out.clone());
                }
            }
            Ok(Output {
                success: true,
                ..Output::default()
            })
        }

        fn spawn_detached(&self, program: &Path, args: &[String]) -> io::Result<u32> {
            self.calls
                .borrow_mut()
                .push(format!("spawn {} {}", program.display(), args.join(" ")));
            Ok(4242)
        }
    }

    pub fn host(dir: &Path) -> Host {
        Host {
            home: dir.join("home"),
            config_home: dir.join("home/.config"),
            lock_file: dir.join("data/dunwatch.lock"),
            command: ServiceCommand {
                program: PathBuf::from("/opt/dunwatch dir/bin/dunwatch"),
                args: vec!["run".to_string()],
            },
            is_root: false,
            uid: Some(501),
            start_timeout: Duration::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn lock_probe_sees_a_held_lock_and_its_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dunwatch.lock");
        assert_eq!(daemon_state(&path), Daemon::NotRunning);
        let lock = crate::daemon::lock::InstanceLock::acquire(&path).unwrap();
        assert_eq!(
            daemon_state(&path),
            Daemon::Running(Some(std::process::id()))
        );
        drop(lock);
        assert_eq!(daemon_state(&path), Daemon::NotRunning);
    }

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
        install(&host, Backend::Xdg, opts, &runner, &mut log).unwrap();
        assert!(!systemd::file(&host).exists());
        assert!(xdg::file(&host).exists());
        assert!(
            runner.calls().is_empty(),
            "--no-start ran {:?}",
            runner.calls()
        );
        // A foreign backend's file leaves this system's backends alone.
        install(&host, Backend::Windows, opts, &runner, &mut log).unwrap();
        install(&host, Backend::Launchd, opts, &runner, &mut log).unwrap();
        assert!(xdg::file(&host).exists());
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
        assert!(err.to_string().contains("--no-start"), "{err}");
    }
}
