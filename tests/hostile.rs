//! Hostile files, round 2: what a sync tool, another device or an attacker can put in the
//! watched folder.

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
