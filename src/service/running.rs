//! Whether the daemon runs, told by probing its instance lock (which changes nothing), and
//! starting it directly for the backends without a service manager.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::{Host, Log, Runner};
use crate::words::{OrSay, Phrase};

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
        log.say(Phrase::new("cli.service.already_running").with("pid", pid_text(pid)));
        return Ok(());
    }
    let cmd = &host.command;
    runner
        .spawn_detached(&cmd.program, &cmd.args)
        .or_say(|| Phrase::new("cli.service.error.start").arg("command", cmd.display()))?;
    report_start(host, log, Phrase::new("cli.service.hint.doctor"));
    Ok(())
}

/// Waits for a just-started daemon and says whether it took its lock; `hint` says where
/// to look when it did not.
pub(crate) fn report_start(host: &Host, log: &mut Log, hint: Phrase) {
    match wait_for_daemon(host, true) {
        Daemon::Running(pid) => {
            log.say(Phrase::new("cli.service.started").with("pid", pid_text(pid)));
        }
        Daemon::NotRunning => log.say(
            Phrase::new("cli.service.not_locked")
                .arg("lock", host.lock_file.display())
                .arg("seconds", host.start_timeout.as_secs())
                .with("hint", hint),
        ),
    }
}

/// Which process a daemon is, where its lock says (` as process 812`), else nothing.
pub(crate) fn pid_text(pid: Option<u32>) -> Phrase {
    match pid {
        Some(p) => Phrase::new("cli.service.as_process").arg("pid", p),
        None => Phrase::new("cli.service.no_pid"),
    }
}

#[cfg(test)]
mod tests {
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
}
