//! One review page per database: a second `dunwatch ui --open PATH` (each alert click starts
//! one) hands its request to the page already served, which answers with a fresh one-time
//! login, and exits; the hand-over proves the secret of the server's private file, and a
//! file whose server has gone is ignored.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

struct Home {
    dir: tempfile::TempDir,
    db: PathBuf,
    config: PathBuf,
    ids: Vec<i64>,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let (db, ids) = fixture_db(dir.path());
        let config = config_file(dir.path(), "en");
        Home {
            dir,
            db,
            config,
            ids,
        }
    }

    fn ui(&self, extra: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env("DUNWATCH_DATA_DIR", self.dir.path())
            .env("DUNWATCH_CONFIG_DIR", self.dir.path().join("cfg"))
            .env("LANG", "C")
            .args([
                "--db",
                self.db.to_str().unwrap(),
                "--config",
                self.config.to_str().unwrap(),
                "ui",
                "--no-browser",
            ])
            .args(extra);
        cmd
    }

    /// The hand-over files in the data folder.
    fn records(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with("ui-") && name.ends_with(".json")
            })
            .collect()
    }
}

/// A running page and the URL it printed first.
struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(home: &Home) -> Served {
    let mut child = home
        .ui(&[])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    Served {
        child,
        url: first.trim().to_string(),
    }
}

fn port_of(url: &str) -> u16 {
    url.strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("not a loopback URL: {url:?}"))
}

/// Runs `cmd` to its end, failing the test if it is still running after `limit` (it would
/// be serving a page of its own).
fn finish_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}: a second page?\n{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

use common::http::exchange as request;

/// Logs in with `url`'s token: the status, and the session cookie and redirect if any.
fn login(url: &str) -> (u16, Option<String>, Option<String>) {
    let port = port_of(url);
    let target = &url[url.find("/login").unwrap()..];
    let (status, head, _) = request(
        port,
        &format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}"),
        "",
    );
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                l.split_once(": ")
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            })
            .map(|(_, v)| v.to_string())
    };
    let cookie = header("set-cookie").map(|c| c.split(';').next().unwrap().to_string());
    (status, cookie, header("location"))
}

fn token_of(url: &str) -> &str {
    let at = url.find("token=").unwrap() + "token=".len();
    url[at..].split('&').next().unwrap()
}

#[test]
fn a_second_ui_for_the_same_database_hands_its_page_to_the_running_one_and_exits() {
    let home = Home::new();
    let first = serve(&home);
    let port = port_of(&first.url);
    let page = format!("/messages/{}", home.ids[0]);
    let out = finish_within(home.ui(&["--open", &page]), Duration::from_secs(20));
    let (so, se) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "{so}\n{se}");
    let url = so.lines().next().unwrap_or("").to_string();
    assert_eq!(port_of(&url), port, "the running server's port: {so}");
    assert!(se.contains("already open"), "{se}");
    assert_ne!(
        token_of(&url),
        token_of(&first.url),
        "a fresh one-time token"
    );
    // The handed-over URL logs in at the message asked for, once.
    let (status, cookie, location) = login(&url);
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some(page.as_str()));
    let cookie = cookie.expect("a session cookie");
    let (status, _, body) = request(
        port,
        &format!("GET {page} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}"),
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(login(&url).0, 401, "a token is good once");
    // The first URL is untouched by the hand-over.
    assert_eq!(login(&first.url).0, 303);
    // Without --open, the inbox; and still the one server.
    let out = finish_within(home.ui(&[]), Duration::from_secs(20));
    let again = stdout(&out).lines().next().unwrap_or("").to_string();
    assert_eq!(port_of(&again), port);
    assert_eq!(login(&again).2.as_deref(), Some("/"));
    // `--port` naming the running server's port hands over too.
    let out = finish_within(
        home.ui(&["--port", &port.to_string(), "--open", "/"]),
        Duration::from_secs(20),
    );
    assert!(
        out.status.success(),
        "the same port hands over: {}",
        stderr(&out)
    );
}

#[test]
fn the_record_is_private_and_a_hand_over_without_its_secret_gets_nothing() {
    let home = Home::new();
    let first = serve(&home);
    let port = port_of(&first.url);
    let records = home.records();
    assert_eq!(records.len(), 1, "{records:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&records[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&records[0]).unwrap()).unwrap();
    assert_eq!(record["port"], port);
    let host = format!("127.0.0.1:{port}");
    let forged = format!("nonce={}&next=%2F&mac={}", "ab".repeat(32), "00".repeat(32));
    // A wrong MAC, the secret itself in place of a MAC, a foreign Host, a browser's request,
    // a GET: nothing handed over, no URL in the answer.
    let secret = record["secret"].as_str().unwrap();
    let with_secret = format!("nonce={}&next=%2F&mac={secret}", "cd".repeat(32));
    for (head, body, want) in [
        (
            format!("POST /handover HTTP/1.1\r\nHost: {host}"),
            forged.as_str(),
            401,
        ),
        (
            format!("POST /handover HTTP/1.1\r\nHost: {host}"),
            with_secret.as_str(),
            401,
        ),
        (
            format!("POST /handover HTTP/1.1\r\nHost: evil.example:{port}"),
            forged.as_str(),
            421,
        ),
        (
            format!("POST /handover HTTP/1.1\r\nHost: {host}\r\nOrigin: http://evil.example"),
            forged.as_str(),
            403,
        ),
        (format!("GET /handover HTTP/1.1\r\nHost: {host}"), "", 403),
        (
            format!("POST /handover HTTP/1.1\r\nHost: {host}"),
            "next=%2F",
            400,
        ),
    ] {
        let (status, _, answer) = request(port, &head, body);
        assert_eq!(status, want, "{head}: {answer}");
        assert!(!answer.contains("token="), "{answer}");
    }
    // The page itself still wants its cookie.
    let (status, _, _) = request(port, &format!("GET / HTTP/1.1\r\nHost: {host}"), "");
    assert_eq!(status, 401);
}

#[test]
fn a_record_whose_server_has_gone_is_ignored_and_a_stopped_server_takes_its_record_away() {
    let home = Home::new();
    let mut first = serve(&home);
    let old = port_of(&first.url);
    // Killed outright: the record stays behind, naming a port nothing answers on.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    assert_eq!(home.records().len(), 1);
    let second = serve(&home);
    let port = port_of(&second.url);
    assert_eq!(login(&second.url).0, 303, "a page of its own that logs in");
    let record = std::fs::read_to_string(&home.records()[0]).unwrap();
    assert!(
        record.contains(&format!("\"port\":{port}")),
        "{record} (was {old})"
    );
    // Stopped as a service manager or Ctrl-C stops it: the record goes with it.
    #[cfg(unix)]
    {
        let pid = second.child.id() as i32;
        // SAFETY: kill with a child's pid and a signal number.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let mut second = second;
        let start = Instant::now();
        while second.child.try_wait().unwrap().is_none() {
            assert!(start.elapsed() < Duration::from_secs(20), "did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(home.records().is_empty(), "{:?}", home.records());
    }
}

/// Two databases, two pages: a record is per database.
#[test]
fn a_ui_for_another_database_serves_its_own_page() {
    let home = Home::new();
    let first = serve(&home);
    let (db2, _) = {
        let dir = home.dir.path().join("two");
        std::fs::create_dir_all(&dir).unwrap();
        fixture_db(&dir)
    };
    let mut cmd = Command::new(BIN);
    cmd.env("DUNWATCH_DATA_DIR", home.dir.path())
        .env("LANG", "C")
        .args(["--db", db2.to_str().unwrap()])
        .args(["--config", home.config.to_str().unwrap()])
        .args(["ui", "--no-browser"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let second = Served {
        child,
        url: line.trim().to_string(),
    };
    assert_ne!(port_of(&second.url), port_of(&first.url));
    assert_eq!(home.records().len(), 2);
}

/// Two alert clicks at once, no page yet: one page, the other start hands over to it.
#[test]
fn two_starts_at_once_make_one_page() {
    let home = Home::new();
    let spawn = || {
        home.ui(&["--open", "/"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    let first_line = |c: &mut Child| {
        let mut line = String::new();
        BufReader::new(c.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        line.trim().to_string()
    };
    let (url_a, url_b) = (first_line(&mut a), first_line(&mut b));
    assert_eq!(port_of(&url_a), port_of(&url_b), "{url_a} {url_b}");
    assert_ne!(token_of(&url_a), token_of(&url_b));
    // One of them handed over and ended; the other serves.
    let start = Instant::now();
    let (ended, serving) = loop {
        match (a.try_wait().unwrap(), b.try_wait().unwrap()) {
            (Some(s), None) => break (s, b),
            (None, Some(s)) => break (s, a),
            (Some(_), Some(_)) => panic!("both ended"),
            (None, None) => {
                assert!(
                    start.elapsed() < Duration::from_secs(20),
                    "both still running"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    };
    assert!(ended.success());
    let serving = Served {
        child: serving,
        url: url_a.clone(),
    };
    assert_eq!(login(&url_a).0, 303);
    assert_eq!(login(&url_b).0, 303);
    drop(serving);
}
