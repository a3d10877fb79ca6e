//! Hostile files, round 2: what a sync tool, another device or an attacker can put in the
//! watched folder to exhaust memory, disk or time (sparse files, giant fields, crafted phone
//! databases), to hide the rest of the tree (an unreadable folder), to be read in its place
//! (a file renamed over another, a link to a file elsewhere) or to be lost (a name that is not
//! UTF-8).

#![cfg(unix)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

/// A sparse file: `head`, then zero bytes (a hole, nothing on disk) up to `size - tail`, then
/// `tail`.
fn sparse(path: &Path, head: &[u8], size: u64, tail: &[u8]) {
    use std::io::{Seek, Write};
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(head).unwrap();
    f.set_len(size - tail.len() as u64).unwrap();
    f.seek(std::io::SeekFrom::End(0)).unwrap();
    f.write_all(tail).unwrap();
}

/// Runs `cmd` to its end and returns its exit code, stdout, stderr and the peak resident
/// memory of that process alone, in MB: its `VmHWM`, looked at every few milliseconds while
/// it runs. (`wait4`'s figure would include this test process's own memory: the child is
/// started with `vfork`, and the kernel counts the parent's peak for it up to `exec`.)
fn run_measured(cmd: &mut std::process::Command) -> (i32, String, String, u64) {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = cmd
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    assert!(peak_kb > 0, "no memory figure read");
    let read = |p| std::fs::read_to_string(p).unwrap();
    (
        status.code().unwrap_or(-1),
        read(&out),
        read(&err),
        peak_kb / 1024,
    )
}

#[test]
fn a_sparse_6_gb_backup_with_one_message_stays_under_100_mb_and_stops_at_the_text_limit() {
    let env = Env::new();
    let path = env.path("huge.xml");
    let head = format!(
        "{HEAD}<smses count=\"1\">\n{}",
        sms("95384", 1_700_000_000_000, "唯一一条")
    );
    // 6 GB of zero bytes after the message: one text node, as the parser sees it.
    sparse(&path, head.as_bytes(), 6 << 30, b"\n</smses>\n");
    let (code, _, err, peak_mb) = run_measured(env.cmd().args(["scan", path.to_str().unwrap()]));
    assert!(peak_mb < 100, "peak {peak_mb} MB: {err}");
    assert_eq!(env.count("SELECT count(*) FROM message"), 1, "{err}");
    assert_ne!(code, 0, "a file not read to its end is an error: {err}");
    // The text starts with the line break after the element.
    let at = format!("byte {}", head.len() - 1);
    assert!(
        err.contains("huge.xml") && err.contains(&at) && err.contains("more than 8388608 bytes"),
        "{err}"
    );
}

#[test]
fn a_2_gb_csv_field_stays_under_100_mb_and_stops_the_file_at_the_row_limit() {
    let env = Env::new();
    let path = env.path("huge.csv");
    let head = "address,date,body\n95384,1700000000000,第一条\n95385,1700000001000,\"";
    sparse(&path, head.as_bytes(), 2 << 30, b"\"\n");
    let (code, _, err, peak_mb) = run_measured(env.cmd().args(["scan", path.to_str().unwrap()]));
    assert!(peak_mb < 100, "peak {peak_mb} MB: {err}");
    assert_eq!(env.count("SELECT count(*) FROM message"), 1, "{err}");
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains("huge.csv")
            && err.contains("line 3")
            && err.contains("a row longer than the limit of 8388608 bytes"),
        "{err}"
    );
}

#[test]
fn a_sparse_2_gb_vmessage_file_is_read_as_it_streams_and_stops_at_the_line_limit() {
    let env = Env::new();
    let path = env.path("huge.vmsg");
    let block = |text: &str| {
        format!(
            "BEGIN:VMSG\r\nVERSION:1.1\r\nBEGIN:VCARD\r\nTEL:95384\r\nEND:VCARD\r\n\
             BEGIN:VENV\r\nBEGIN:VBODY\r\nDate:2024/03/05 10:15:30\r\n{text}\r\n\
             END:VBODY\r\nEND:VENV\r\nEND:VMSG\r\n"
        )
    };
    // One message, then one that never ends its line: 2 GB of zero bytes.
    let head = format!("{}BEGIN:VMSG\r\nBEGIN:VBODY\r\nSubject:", block("第一条"));
    sparse(
        &path,
        head.as_bytes(),
        2 << 30,
        b"\r\nEND:VBODY\r\nEND:VMSG\r\n",
    );
    let (code, _, err, peak_mb) = run_measured(env.cmd().args(["scan", path.to_str().unwrap()]));
    assert!(peak_mb < 100, "peak {peak_mb} MB: {err}");
    assert_eq!(env.count("SELECT count(*) FROM message"), 1, "{err}");
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains("huge.vmsg") && err.contains("line 15") && err.contains("a line longer than"),
        "{err}"
    );
}

/// An Android `sms` table with one message, created by `schema` (which may make `body`
/// anything SQLite allows).
fn android_db(path: &Path, schema: &str) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(schema).unwrap();
    conn.execute(
        "INSERT INTO sms(_id, address, date, type) VALUES (1, '95384', 1700000000000, 1)",
        [],
    )
    .unwrap();
    conn
}

#[test]
fn an_mmssms_db_whose_body_is_a_generated_column_is_refused_by_name_at_once() {
    let env = Env::new();
    let path = env.path("mmssms.db");
    let conn = android_db(
        &path,
        "CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, date INTEGER, type INTEGER);",
    );
    // Added after the row, so that making this file does not compute it: each read of the
    // column builds a 1 GB string.
    conn.execute_batch(
        "ALTER TABLE sms ADD COLUMN
            body TEXT GENERATED ALWAYS AS (printf('%.*c', 1000000000, 'x')) VIRTUAL",
    )
    .unwrap();
    drop(conn);
    assert!(std::fs::metadata(&path).unwrap().len() < 64 << 10);
    let start = Instant::now();
    let (code, _, err, peak_mb) = run_measured(env.cmd().args(["scan", path.to_str().unwrap()]));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(peak_mb < 100, "peak {peak_mb} MB: {err}");
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains("mmssms.db") && err.contains("sms.body is a generated column"),
        "{err}"
    );
    // The person reads why in their own language, the column named as it is in the file.
    let zh = stderr(
        &chinese(&mut env.cmd())
            .args(["scan", path.to_str().unwrap()])
            .output()
            .unwrap(),
    );
    assert!(
        zh.contains("mmssms.db") && zh.contains("列 sms.body 是生成列"),
        "{zh}"
    );
    assert!(
        !zh.contains("generated column"),
        "English in a Chinese error: {zh}"
    );
}

#[test]
fn a_sparse_20_gb_database_in_wal_mode_is_read_in_place_and_never_copied() {
    let env = Env::new();
    let tmp = env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let path = env.path("mmssms.db");
    let conn = android_db(
        &path,
        "PRAGMA journal_mode=WAL;
         CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, date INTEGER, type INTEGER,
            body TEXT DEFAULT '您的借款已逾期');",
    );
    // Closing merges the -wal into the database and removes it; the header still says WAL.
    drop(conn);
    assert!(!env.path("mmssms.db-wal").exists());
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(20 << 30)
        .unwrap();
    let start = Instant::now();
    let out = env
        .cmd()
        .env("TMPDIR", &tmp)
        .args(["scan", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(env.count("SELECT count(*) FROM message"), 1);
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "a copy was made"
    );
    let beside: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("mmssms.db"))
        .collect();
    assert_eq!(beside, ["mmssms.db"], "files appeared beside the backup");
}

#[test]
fn a_20_gb_database_whose_wal_holds_changes_is_refused_with_the_copy_limit_not_copied() {
    let env = Env::new();
    let tmp = env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let live = env.path("live/mmssms.db");
    std::fs::create_dir_all(live.parent().unwrap()).unwrap();
    let conn = android_db(
        &live,
        "PRAGMA journal_mode=WAL;
         CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, date INTEGER, type INTEGER,
            body TEXT DEFAULT '您的借款已逾期');",
    );
    // A backup taken while the phone's database was open: the message is only in the -wal.
    let path = env.path("mmssms.db");
    std::fs::copy(&live, &path).unwrap();
    std::fs::copy(env.path("live/mmssms.db-wal"), env.path("mmssms.db-wal")).unwrap();
    drop(conn);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(20 << 30)
        .unwrap();
    let start = Instant::now();
    let out = env
        .cmd()
        .env("TMPDIR", &tmp)
        .args(["scan", path.to_str().unwrap()])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    assert!(
        err.contains("mmssms.db")
            && err.contains("the database is 20480 MB")
            && err.contains("a copy is made only up to 2048 MB"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "a copy was made"
    );
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn scanning_a_folder_with_an_unreadable_subfolder_names_it_once_and_imports_its_siblings() {
    let env = Env::new();
    let root = env.path("SMSBackup");
    for sub in ["a", "locked"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    let t = 1_700_000_000_000;
    std::fs::write(
        root.join("a/a.xml"),
        backup(&[sms("95384", t, "子文件夹里的")]),
    )
    .unwrap();
    std::fs::write(
        root.join("z.xml"),
        backup(&[sms("95384", t + 1, "根目录里的")]),
    )
    .unwrap();
    std::fs::write(
        root.join("locked/x.xml"),
        backup(&[sms("95384", t + 2, "读不到的")]),
    )
    .unwrap();
    set_mode(&root.join("locked"), 0o000);
    // As root (which reads a `chmod 000` folder anyway) the scan runs as `nobody`.
    let mut cmd = env.cmd();
    as_nobody(cmd.args(["scan", root.to_str().unwrap()]), env.dir.path());
    let out = cmd.output().unwrap();
    // Again under a Chinese locale: the folder is named in Chinese.
    let mut cmd = env.cmd();
    as_nobody(
        chinese(&mut cmd).args(["scan", root.to_str().unwrap()]),
        env.dir.path(),
    );
    let zh = stderr(&cmd.output().unwrap());
    set_mode(&root.join("locked"), 0o755);
    let err = stderr(&out);
    assert_eq!(env.count("SELECT count(*) FROM message"), 2, "{err}");
    assert_eq!(err.matches("cannot read the folder").count(), 1, "{err}");
    assert!(err.contains("SMSBackup/locked"), "{err}");
    assert!(!out.status.success(), "not everything was read: {err}");
    assert_eq!(zh.matches("无法读取文件夹").count(), 1, "{zh}");
    assert!(zh.contains("SMSBackup/locked（"), "{zh}");
}

#[test]
fn the_daemon_watches_and_catches_up_the_siblings_of_an_unreadable_folder_and_names_it_once() {
    let home = Home::new();
    home.write_config("");
    let now = now_ms();
    let (a, locked) = (home.watch().join("a"), home.watch().join("locked"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::write(
        a.join("old.xml"),
        backup(&[sms("95384", now - 9_000, "早就在的")]),
    )
    .unwrap();
    std::fs::write(
        locked.join("x.xml"),
        backup(&[sms("95384", now - 8_000, "锁着的")]),
    )
    .unwrap();
    set_mode(&locked, 0o000);
    let (mut cmd, log) = home.command("log");
    as_nobody(no_bus(&mut cmd), home.root());
    let d = spawn(&mut cmd, log);
    wait_for("the catch-up of a/", Duration::from_secs(20), || {
        count(
            &home,
            "SELECT count(*) FROM message WHERE body = '早就在的'",
        ) == 1
    });
    // A new file in the readable sibling is noticed: it is watched.
    std::fs::write(
        a.join("new.xml"),
        backup(&[sms("95384", now - 5_000, "新来的")]),
    )
    .unwrap();
    wait_for("a/new.xml imported", Duration::from_secs(20), || {
        count(&home, "SELECT count(*) FROM message WHERE body = '新来的'") == 1
    });
    // Made readable, the folder is watched and read.
    set_mode(&locked, 0o755);
    wait_for("locked/x.xml imported", Duration::from_secs(20), || {
        count(&home, "SELECT count(*) FROM message WHERE body = '锁着的'") == 1
    });
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    assert_eq!(log.matches("cannot read the folder").count(), 1, "{log}");
    assert!(log.contains("watch/locked"), "{log}");
}

#[test]
fn detection_and_reading_use_the_descriptor_opened_even_when_a_file_is_renamed_over_it() {
    use dunwatch::ingest::{
        Collect, Format, ReadOptions, detect_opened, open_regular, read_opened,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sms.xml");
    std::fs::write(
        &path,
        backup(&[sms("95384", 1_700_000_000_000, "原来的那份")]),
    )
    .unwrap();
    let file = open_regular(&path).unwrap();
    // Between the steps of an import, another file takes the name.
    let other = dir.path().join("other");
    std::fs::write(
        &other,
        "address,date,body\n106,1700000000000,换进来的那份\n",
    )
    .unwrap();
    std::fs::rename(&other, &path).unwrap();
    assert_eq!(detect_opened(&path, &file).unwrap(), Some(Format::SbrXml));
    let mut c = Collect::default();
    for _ in 0..2 {
        read_opened(
            &path,
            &file,
            Format::SbrXml,
            &ReadOptions::default(),
            &mut c,
        )
        .unwrap();
    }
    let bodies: Vec<&str> = c.msgs.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["原来的那份", "原来的那份"],
        "read from the start each time"
    );
}

#[test]
fn links_to_files_outside_the_scanned_folder_are_not_followed_and_said_so() {
    let env = Env::new();
    let (inside, outside) = (env.path("in"), env.path("outside"));
    std::fs::create_dir_all(&inside).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let t = 1_700_000_000_000;
    std::fs::write(
        outside.join("secret.xml"),
        backup(&[sms("1", t, "别人的短信")]),
    )
    .unwrap();
    std::fs::write(
        inside.join("inner.xml"),
        backup(&[sms("2", t, "自己的短信")]),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.join("secret.xml"), inside.join("link-out.xml")).unwrap();
    std::os::unix::fs::symlink("inner.xml", inside.join("link-in.xml")).unwrap();
    let out = env.run(&["scan", inside.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.contains("link-out.xml: skipped") && l.contains("not followed")),
        "{text}"
    );
    let bodies = env.count("SELECT count(*) FROM message WHERE body = '别人的短信'");
    assert_eq!(bodies, 0, "{text}");
    assert_eq!(env.count("SELECT count(*) FROM message"), 1, "{text}");
}

#[test]
fn the_daemon_does_not_follow_a_link_to_a_file_outside_its_folders_and_says_so() {
    let home = Home::new();
    home.write_config("");
    let d = home.start("log", false);
    let secret = home.root().join("secret.xml");
    std::fs::write(&secret, backup(&[sms("1", now_ms() - 5_000, "别人的短信")])).unwrap();
    std::os::unix::fs::symlink(&secret, home.watch().join("link.xml")).unwrap();
    d.wait_log("not followed", Duration::from_secs(20));
    std::fs::write(
        home.watch().join("mine.xml"),
        backup(&[sms("2", now_ms() - 4_000, "自己的短信")]),
    )
    .unwrap();
    wait_for("mine.xml imported", Duration::from_secs(20), || {
        count(&home, "SELECT count(*) FROM message") == 1
    });
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM message WHERE body = '别人的短信'"
        ),
        0
    );
    assert!(log.contains("link.xml"), "{log}");
}

#[test]
fn two_file_names_that_differ_only_in_invalid_utf8_are_two_sources() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    let dir = env.path("in");
    std::fs::create_dir_all(&dir).unwrap();
    let t = 1_700_000_000_000;
    let mtime = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    // Same size and time too, so nothing but the name's bytes tells them apart.
    for (name, body) in [
        (&b"sms-\xff.xml"[..], "第一个文件"),
        (&b"sms-\xfe.xml"[..], "第二个文件"),
    ] {
        let path = dir.join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(&path, backup(&[sms("95384", t, body)])).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
    }
    let out = env.run(&["scan", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("unchanged"), "{}", stdout(&out));
    assert_eq!(env.count("SELECT count(*) FROM message"), 2);
    assert_eq!(env.count("SELECT count(*) FROM source_file"), 2);
}

#[test]
fn a_database_whose_wal_holds_the_messages_is_read_from_one_private_copy_then_removed() {
    let env = Env::new();
    let tmp = env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let live = env.path("live/mmssms.db");
    std::fs::create_dir_all(live.parent().unwrap()).unwrap();
    let conn = android_db(
        &live,
        "PRAGMA journal_mode=WAL;
         CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, date INTEGER, type INTEGER,
            body TEXT DEFAULT '只在日志里的短信');",
    );
    let path = env.path("backup/mmssms.db");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::copy(&live, &path).unwrap();
    std::fs::copy(
        env.path("live/mmssms.db-wal"),
        env.path("backup/mmssms.db-wal"),
    )
    .unwrap();
    drop(conn);
    let out = env
        .cmd()
        .env("TMPDIR", &tmp)
        .args(["scan", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        env.count("SELECT count(*) FROM message WHERE body = '只在日志里的短信'"),
        1
    );
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "the copy was left"
    );
    let mut beside: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(
        beside,
        ["mmssms.db", "mmssms.db-wal"],
        "files appeared beside it"
    );
}
