//! Helpers of the bad-day tests (`tests/faults.rs`, `tests/faults_watch.rs`): the real daemon
//! started plainly or as `nobody`, waited on, and asked what it stored; big backups; a disk
//! that fills and empties again.
#![allow(dead_code)]

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::{Daemon, Home, backup, count, db, now_ms, sms};

pub const LONG: Duration = Duration::from_secs(30);
pub const NOBODY: u32 = 65534;

/// Tests that run the daemon as `nobody` take turns: the watch-limit test uses up every
/// inotify instance `nobody` may have, which would turn the others to polling. The turns hold
/// only within one test binary, so all those tests live in `tests/faults.rs`.
pub static NOBODY_TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn nobody_turn() -> std::sync::MutexGuard<'static, ()> {
    NOBODY_TURN.lock().unwrap_or_else(|p| p.into_inner())
}

pub fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

pub fn no_bus(cmd: &mut Command) -> &mut Command {
    cmd.env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/dunwatch-test-bus",
    )
}

/// Makes `cmd` run as `nobody` when the tests run as root (root ignores permissions), after
/// giving `nobody` the test's home. Returns false when not root (then permissions apply to
/// the test user already).
pub fn as_nobody(cmd: &mut Command, home: &Path) -> bool {
    if !is_root() {
        return false;
    }
    let ok = Command::new("chown")
        .args(["-R", &format!("{NOBODY}:{NOBODY}")])
        .arg(home)
        .status()
        .unwrap();
    assert!(ok.success());
    unsafe {
        cmd.pre_exec(|| {
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(NOBODY) != 0
                || libc::setuid(NOBODY) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.env("HOME", home.join("home"));
    true
}

pub fn spawn(cmd: &mut Command, log: std::path::PathBuf) -> Daemon {
    let d = Daemon {
        child: cmd.spawn().expect("spawn dunwatch run"),
        log,
    };
    d.wait_log("watching", LONG);
    d
}

/// Polls `f` until it returns true; on time-out panics with the daemon's log.
pub fn wait_on(d: &Daemon, what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "timed out after {limit:?} waiting for {what}:\n{}",
        d.log_text()
    );
}

pub fn alive(d: &mut Daemon) -> bool {
    d.child.try_wait().unwrap().is_none()
}

pub fn warnings(log: &str, needle: &str) -> usize {
    log.lines()
        .filter(|l| l.contains("WARN") && l.contains(needle))
        .count()
}

pub fn messages(home: &Home) -> i64 {
    count(home, "SELECT count(*) FROM message")
}

/// Messages stored, read without creating anything: 0 while the daemon has not yet made
/// the database or its tables.
pub fn messages_so_far(home: &Home) -> i64 {
    rusqlite::Connection::open_with_flags(home.db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| c.query_row("SELECT count(*) FROM message", [], |r| r.get(0)))
        .unwrap_or(0)
}

/// Messages stored twice (same text and time): must always be 0.
pub fn duplicates(home: &Home) -> i64 {
    count(
        home,
        "SELECT count(*) FROM (SELECT 1 FROM message GROUP BY sender, body, ts HAVING count(*) > 1)",
    )
}

pub fn integrity(home: &Home) -> String {
    db(home)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// A backup of `n` distinct messages; `scam_every` of them alert material.
pub fn big_backup(path: &Path, n: usize, tag: &str, scam_every: usize) {
    let t = now_ms() - 3_600_000;
    let lines: Vec<String> = (0..n)
        .map(|i| {
            if scam_every > 0 && i % scam_every == 0 {
                sms(
                    "17088886666",
                    t + i as i64,
                    &format!(
                        "{tag} {i} 你已被立案，点击 t.cn/abc 处理征信修复，否则通知你家人和单位"
                    ),
                )
            } else {
                sms(
                    "95384",
                    t + i as i64,
                    &format!("{tag} 第 {i} 条 账单已出 {}", "明细".repeat(i % 7)),
                )
            }
        })
        .collect();
    fs::write(path, backup(&lines)).unwrap();
}

/// A full disk that can be made not full again.
pub enum Space {
    /// A tmpfs mounted on the data folder, filled by a filler file.
    Tmpfs { mount: std::path::PathBuf },
    /// RLIMIT_FSIZE of the daemon, lowered and raised with prlimit(1).
    Rlimit,
}

impl Space {
    pub fn prepare(home: &Home) -> Space {
        fs::create_dir_all(home.data_dir()).unwrap();
        // DUNWATCH_TEST_DISK_FULL=rlimit tries the non-root way as root too.
        let rlimit = std::env::var("DUNWATCH_TEST_DISK_FULL").is_ok_and(|v| v == "rlimit");
        if is_root() && !rlimit {
            let ok = Command::new("mount")
                .args(["-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs"])
                .arg(home.data_dir())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return Space::Tmpfs {
                    mount: home.data_dir(),
                };
            }
        }
        Space::Rlimit
    }

    pub fn fill(&self, d: &Daemon) {
        match self {
            Space::Tmpfs { mount } => {
                // Leave about 300 kB: the import's first batch does not fit.
                let free = fs2_free(mount);
                let filler = vec![0u8; free.saturating_sub(300_000) as usize];
                fs::write(mount.join("filler"), filler).unwrap();
            }
            Space::Rlimit => {
                let size = fs::metadata(d.log.parent().unwrap().join("data/dunwatch.db"))
                    .map(|m| m.len())
                    .unwrap_or(0)
                    + 300_000;
                prlimit(d, &format!("{size}:unlimited"));
            }
        }
    }

    pub fn free(&self, d: &Daemon) {
        match self {
            Space::Tmpfs { mount } => fs::remove_file(mount.join("filler")).unwrap(),
            Space::Rlimit => prlimit(d, "unlimited:unlimited"),
        }
    }
}

impl Drop for Space {
    fn drop(&mut self) {
        if let Space::Tmpfs { mount } = self {
            let _ = Command::new("umount").arg("-l").arg(&*mount).status();
        }
    }
}

pub fn prlimit(d: &Daemon, value: &str) {
    let ok = Command::new("prlimit")
        .args([
            "--pid",
            &d.child.id().to_string(),
            &format!("--fsize={value}"),
        ])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// Free bytes on the filesystem of `path`.
pub fn fs2_free(path: &Path) -> u64 {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::statvfs(c.as_ptr(), &mut st) }, 0);
    st.f_bavail as u64 * st.f_frsize as u64
}

pub fn signal(d: &Daemon, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &d.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig}");
}

/// Writes `n` tiny JPEG-headed files (a photo sync) into `dir`: files that are not exports.
pub fn write_photos(dir: &Path, n: usize) {
    for i in 0..n {
        fs::write(dir.join(format!("IMG_{i:06}.jpg")), b"\xff\xd8\xff\xe0").unwrap();
    }
}

/// A small deterministic generator, so that a failing run can be repeated from its seed.
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}
