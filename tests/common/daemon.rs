//! Running the real `dunwatch run` binary against a temporary folder and database.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_dunwatch");

/// A temporary home for one daemon: config dir, data dir, watched folder.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        let home = Home {
            dir: tempfile::tempdir().unwrap(),
        };
        fs::create_dir_all(home.watch()).unwrap();
        fs::create_dir_all(home.config_dir()).unwrap();
        home
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }
    pub fn watch(&self) -> PathBuf {
        self.root().join("watch")
    }
    pub fn config_dir(&self) -> PathBuf {
        self.root().join("config")
    }
    pub fn data_dir(&self) -> PathBuf {
        self.root().join("data")
    }
    pub fn db(&self) -> PathBuf {
        self.data_dir().join("dunwatch.db")
    }
    pub fn config_file(&self) -> PathBuf {
        self.config_dir().join("config.toml")
    }

    /// A config that watches the temp folder, alerts at any hour.
    pub fn write_config(&self, extra_alerts: &str) {
        let text = format!(
            "watch = [{:?}]\nlanguage = \"auto\"\n[alerts]\nquiet_hours = \"\"\nmax_age_days = 3\n{extra_alerts}\n",
            self.watch().to_str().unwrap()
        );
        fs::write(self.config_file(), text).unwrap();
    }

    pub fn command(&self, log_name: &str) -> (Command, PathBuf) {
        let log = self.root().join(log_name);
        let mut cmd = Command::new(BIN);
        cmd.arg("run")
            .env("DUNWATCH_DATA_DIR", self.data_dir())
            .env("DUNWATCH_CONFIG_DIR", self.config_dir())
            .env("HOME", self.root().join("home"))
            .env("DUNWATCH_DEBOUNCE_MS", "200")
            .env("DUNWATCH_LOG", "debug")
            .env("NO_COLOR", "1")
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            // Quiet hours are local times; make "local" known.
            .env("TZ", "UTC")
            .stdin(Stdio::null())
            .stdout(Stdio::from(
                fs::File::create(self.root().join(format!("{log_name}.out"))).unwrap(),
            ))
            .stderr(Stdio::from(fs::File::create(&log).unwrap()));
        (cmd, log)
    }

    /// Starts the daemon and waits until it watches its folders.
    pub fn start(&self, log_name: &str, with_bus: bool) -> Daemon {
        self.start_with(log_name, with_bus, &[])
    }

    pub fn start_with(&self, log_name: &str, with_bus: bool, env: &[(&str, &str)]) -> Daemon {
        let (mut cmd, log) = self.command(log_name);
        cmd.envs(env.iter().copied());
        if !with_bus {
            // No notification server: keeps these daemons away from one a D-Bus test runs.
            cmd.env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/dunwatch-test-bus",
            );
        }
        let child = cmd.spawn().expect("spawn dunwatch run");
        let d = Daemon { child, log };
        d.wait_log("watching", Duration::from_secs(20));
        d
    }
}

pub struct Daemon {
    pub child: Child,
    pub log: PathBuf,
}

impl Daemon {
    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log contains `needle`; panics with the log otherwise.
    pub fn wait_log(&self, needle: &str, limit: Duration) {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.log_text().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "no {needle:?} in the log after {limit:?}:\n{}",
            self.log_text()
        );
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(mut self) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, self.log_text());
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "did not stop:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `f` until it returns true.
pub fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out after {limit:?} waiting for {what}");
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// One `<sms>` element of an SMS Backup & Restore file; `body` is escaped here.
pub fn sms(sender: &str, ts_ms: i64, body: &str) -> String {
    let esc = body
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    format!(
        "  <sms protocol=\"0\" address=\"{sender}\" date=\"{ts_ms}\" type=\"1\" subject=\"null\" body=\"{esc}\" read=\"1\" status=\"-1\" contact_name=\"(Unknown)\" />\n"
    )
}

pub const HEAD: &str = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n";

/// A whole SBR backup of these `<sms>` lines.
pub fn backup(lines: &[String]) -> String {
    format!(
        "{HEAD}<smses count=\"{}\">\n{}</smses>\n",
        lines.len(),
        lines.concat()
    )
}

pub fn db(home: &Home) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(home.db()).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn
}

pub fn count(home: &Home, sql: &str) -> i64 {
    if !home.db().exists() {
        return 0;
    }
    db(home).query_row(sql, [], |r| r.get(0)).unwrap_or(0)
}
