//! The review page in a real browser: headless Chromium opens the one-time URL `dunwatch ui`
//! prints, trades the token for its cookie, follows the redirect and renders the page under
//! its Content-Security-Policy, at 360 px and at 1280 px. CI installs Debian's `chromium`
//! (`.ci/run`); elsewhere the test says it skipped unless DUNWATCH_REQUIRE_VALIDATORS is set.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::*;

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("DUNWATCH_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn browser_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("DUNWATCH_REQUIRE_VALIDATORS").is_none(),
            "no chromium: install Debian's chromium (.ci/run does)"
        );
        eprintln!("skipped: no chromium");
    }
    found
}

/// `dunwatch ui --no-browser [--open PATH]` on the fixture history; its URL.
fn ui(dir: &Path, open: Option<&str>) -> (Child, String) {
    let (db, _) = if dir.join("fixture.db").exists() {
        (dir.join("fixture.db"), Vec::new())
    } else {
        fixture_db(dir)
    };
    let config = config_file(dir, "zh-CN");
    let mut cmd = Command::new(BIN);
    cmd.env("DUNWATCH_DATA_DIR", dir)
        .env("DUNWATCH_CONFIG_DIR", dir.join("cfg"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "ui",
            "--no-browser",
        ]);
    if let Some(path) = open {
        cmd.args(["--open", path]);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    (child, url.trim().to_string())
}

/// Headless Chromium with a new empty profile, as the probe of this machine runs it.
fn headless(browser: &Path, profile: &Path, args: &[&str]) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_real_browser_logs_in_with_the_printed_url_and_shows_hostile_text_as_text() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fixture_db(dir.path());
    let id: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT id FROM message WHERE body LIKE '%<script>%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let (mut child, url) = ui(dir.path(), Some(&format!("/messages/{id}")));
    let dom = headless(
        &browser,
        &dir.path().join("profile"),
        &["--dump-dom", url.as_str()],
    );
    let _ = child.kill();
    let _ = child.wait();
    // Logged in (the token became a cookie the redirected request carried) and at the page.
    assert!(dom.contains("短信原文"), "not the message page:\n{dom}");
    assert!(dom.contains("/static/app.css"), "{dom}");
    // The message's markup is text: no element came of it.
    assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;"), "{dom}");
    assert!(!dom.contains("<img"), "{dom}");
    assert!(!dom.contains("<script>alert"), "{dom}");
}

#[test]
fn the_inbox_renders_at_360_and_at_1280_pixels_wide() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for width in [360, 1280] {
        let (mut child, url) = ui(dir.path(), Some("/?category=all"));
        let shot = dir.path().join(format!("inbox-{width}.png"));
        let window = format!("--window-size={width},900");
        let screenshot = format!("--screenshot={}", shot.display());
        headless(
            &browser,
            &dir.path().join(format!("profile-{width}")),
            &[window.as_str(), screenshot.as_str(), url.as_str()],
        );
        let _ = child.kill();
        let _ = child.wait();
        let png = std::fs::read(&shot).unwrap_or_default();
        assert!(png.starts_with(b"\x89PNG"), "no screenshot at {width} px");
        // Kept for a person to look at when DUNWATCH_SCREENSHOTS names a folder.
        if let Some(keep) = std::env::var_os("DUNWATCH_SCREENSHOTS") {
            std::fs::copy(&shot, Path::new(&keep).join(shot.file_name().unwrap())).unwrap();
        }
    }
}
