//! `dunwatch scan` end to end: real sample backups, hostile files, re-scans, and kill -9.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Env, stderr, stdout, write_sbr};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sbr");

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

#[test]
fn scan_of_the_sample_folder_imports_every_readable_message_and_names_the_broken_files() {
    let env = Env::new();
    let out = env.run(&["scan", FIXTURES]);
    let (so, se) = (stdout(&out), stderr(&out));
    // Two samples are broken (one cut off, one malformed): the exit code says so, after all
    // others were imported.
    assert_eq!(out.status.code(), Some(1), "{so}\n{se}");
    assert!(
        se.contains("devadvance_sms_and_mms.xml: byte 26798: truncated"),
        "{se}"
    );
    assert!(se.contains("shruggietech_malformed.xml"), "{se}");
    assert!(
        so.contains("shruggietech_minimal_calls.xml: skipped, not an SMS export"),
        "{so}"
    );
    assert!(
        so.contains("synthetic_sms-20240306120000.xml: SMS Backup & Restore XML, 6 new"),
        "{so}"
    );
    // sms_small's 12 messages are also in sms_and_mms: stored once.
    let total = env.count("SELECT count(*) FROM message");
    let distinct = env.count("SELECT count(DISTINCT sender_norm || ts || body) FROM message");
    assert_eq!(total, distinct);
    assert!(total >= 60, "{total}");
}

#[test]
fn emoji_surrogate_pairs_newlines_and_markup_are_decoded() {
    let env = Env::new();
    let out = env.run(&["scan", &fixture("synthetic_sms-20240306120000.xml")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.run(&["history", "--json", "--all", "--limit", "0"]);
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    let bodies: Vec<&str> = lines.iter().map(|l| l["body"].as_str().unwrap()).collect();
    assert!(bodies.contains(&"好的，我明天还款 🙏"), "{bodies:?}");
    assert!(
        bodies.contains(&"催收通知：请联系 \"客服\" <021-5555-0100> & 回复1确认'OK'"),
        "{bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("or call 800-555-0199.\nRef: A-1")),
        "{bodies:?}"
    );
    assert!(
        bodies.contains(&"【彩信】您的逾期账单详情见附件 📎"),
        "{bodies:?}"
    );
    // Newest first, with RFC 3339 times, direction and source.
    assert_eq!(lines[0]["body"], "【彩信】您的逾期账单详情见附件 📎");
    let out_msg = lines.iter().find(|l| l["direction"] == "out").unwrap();
    assert_eq!(out_msg["body"], "好的，我明天还款 🙏");
    for l in &lines {
        assert!(
            l["ts"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok(),
            "{l}"
        );
        assert!(
            l["source"]
                .as_str()
                .unwrap()
                .ends_with("synthetic_sms-20240306120000.xml")
        );
        for key in ["id", "sender", "category", "lender", "score"] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
    }
}

#[test]
fn rescanning_and_copies_of_a_backup_store_nothing_twice() {
    let env = Env::new();
    let dir = env.path("backups");
    std::fs::create_dir_all(&dir).unwrap();
    write_sbr(&dir.join("sms-1.xml"), 300);
    assert!(env.run(&["scan", dir.to_str().unwrap()]).status.success());
    assert_eq!(env.count("SELECT count(*) FROM message"), 300);

    let again = env.run(&["scan", dir.to_str().unwrap()]);
    assert!(
        stdout(&again).contains("unchanged since the last scan"),
        "{}",
        stdout(&again)
    );

    // The app writes a new complete file at every backup: 300 old + 20 new messages.
    write_sbr(&dir.join("sms-2.xml"), 320);
    std::fs::copy(dir.join("sms-1.xml"), dir.join("copy-of-sms-1.xml")).unwrap();
    let out = env.run(&["scan", dir.to_str().unwrap()]);
    let so = stdout(&out);
    assert!(out.status.success(), "{so}{}", stderr(&out));
    assert!(
        so.contains("copy-of-sms-1.xml: SMS Backup & Restore XML, 0 new"),
        "{so}"
    );
    assert!(
        so.contains("sms-2.xml: SMS Backup & Restore XML, 20 new"),
        "{so}"
    );
    assert_eq!(env.count("SELECT count(*) FROM message"), 320);
}

#[test]
fn truncated_backup_keeps_what_came_before_and_the_complete_file_adds_the_rest_once() {
    let env = Env::new();
    let full = env.path("full.xml");
    write_sbr(&full, 50);
    let bytes = std::fs::read(&full).unwrap();
    let cut = env.path("sms.xml");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();

    let out = env.run(&["scan", cut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let se = stderr(&out);
    assert!(se.contains("sms.xml: ") && se.contains("truncated"), "{se}");
    assert!(se.contains("byte "), "{se}");
    let partial = env.count("SELECT count(*) FROM message");
    assert!(partial > 20 && partial < 50, "{partial}");

    // The sync tool finishes the file: the rest arrives, nothing twice.
    std::fs::write(&cut, &bytes).unwrap();
    let out = env.run(&["scan", cut.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let so = stdout(&out);
    assert!(so.contains(&format!("XML, {} new", 50 - partial)), "{so}");
    assert!(so.contains(&format!("{partial} already known")), "{so}");
    assert_eq!(env.count("SELECT count(*) FROM message"), 50);
}

#[test]
fn invalid_utf8_and_broken_entities_cost_only_their_own_message() {
    let env = Env::new();
    let path = env.path("bad.xml");
    let mut xml = b"<?xml version='1.0' encoding='UTF-8'?>\n<smses count=\"4\">\n".to_vec();
    xml.extend_from_slice(
        "<sms address=\"95384\" date=\"1700000000000\" type=\"1\" body=\"逾期 ok\" />\n".as_bytes(),
    );
    xml.extend_from_slice(
        b"<sms address=\"95384\" date=\"1700000001000\" type=\"1\" body=\"bad \xc3\x28 utf8\" />\n",
    );
    xml.extend_from_slice(
        b"<sms address=\"95384\" date=\"1700000002000\" type=\"1\" body=\"bad &nbsp; entity\" />\n",
    );
    xml.extend_from_slice(
        "<sms address=\"95384\" date=\"1700000003000\" type=\"1\" body=\"还款 ok\" />\n</smses>\n"
            .as_bytes(),
    );
    std::fs::write(&path, &xml).unwrap();
    let out = env.run(&["scan", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let se = stderr(&out);
    let bad_byte = xml.windows(2).position(|w| w == b"\xc3\x28").unwrap();
    assert!(se.contains("bad.xml: message 2, byte "), "{se}");
    assert!(
        se.contains(&format!("invalid UTF-8 at byte {bad_byte}")),
        "{se}"
    );
    assert!(
        se.contains("bad.xml: message 3, byte ") && se.contains("&nbsp;"),
        "{se}"
    );
    assert_eq!(env.count("SELECT count(*) FROM message"), 2);
    assert!(stdout(&out).contains("2 new"), "{}", stdout(&out));
}

#[test]
fn one_broken_file_does_not_stop_the_others() {
    let env = Env::new();
    let dir = env.path("in");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("a-broken.xml"),
        "<?xml version='1.0'?><smses><sms body=\"x\" </smses>",
    )
    .unwrap();
    write_sbr(&dir.join("b-good.xml"), 10);
    std::fs::write(dir.join(".hidden.xml"), "junk").unwrap();
    std::fs::write(dir.join("sms.xml.part"), "junk").unwrap();
    let out = env.run(&["scan", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("a-broken.xml"), "{}", stderr(&out));
    assert!(
        !stdout(&out).contains(".hidden") && !stdout(&out).contains(".part"),
        "{}",
        stdout(&out)
    );
    assert_eq!(env.count("SELECT count(*) FROM message"), 10);
}

#[test]
fn missing_path_is_an_error_that_names_it() {
    let env = Env::new();
    let out = env.run(&["scan", "/nonexistent/sms.xml"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("/nonexistent/sms.xml"),
        "{}",
        stderr(&out)
    );
}

/// Kills `scan` with SIGKILL at several moments of an import, then lets it finish: every
/// message is stored exactly once and the database is intact.
#[cfg(unix)]
#[test]
fn scan_killed_at_any_moment_and_run_again_stores_every_message_exactly_once() {
    let env = Env::new();
    let path = env.path("big.xml");
    let n = 40_000;
    write_sbr(&path, n);
    // Deterministic spread of kill moments, from right after start to late in the import.
    let delays_ms = [5u64, 40, 90, 150, 260, 400, 650];
    let mut killed_mid_import = 0;
    for d in delays_ms {
        let mut child = env
            .cmd()
            .args(["scan", "-q", path.to_str().unwrap()])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(d));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed_mid_import += 1;
        }
        child.wait().unwrap();
    }
    assert!(
        killed_mid_import >= 3,
        "the import finished too fast to be interrupted"
    );
    let out = env.run(&["scan", "-q", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.count("SELECT count(*) FROM message"), n as i64);
    assert_eq!(
        env.count("SELECT count(DISTINCT key) FROM message"),
        n as i64
    );
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // Every generated body is there once.
    for i in [0usize, 1, 9, n / 2, n - 1] {
        let body = common::body(i);
        let c: i64 = conn
            .query_row(
                "SELECT count(*) FROM message WHERE body = ?1",
                [&body],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(c, 1, "message {i}");
    }
    let _ = Path::new(FIXTURES);
}

#[test]
fn scan_names_how_many_new_messages_came_without_a_time() {
    let env = Env::new();
    let file = env.path("export.jsonl");
    std::fs::write(
        &file,
        "{\"address\":\"10690000\",\"body\":\"您的账户已被冻结，请点击 http://abc-kefu.top 解冻\",\"type\":1,\"when\":\"yesterday\"}\n\
         {\"address\":\"10690001\",\"body\":\"明天见\",\"type\":1,\"date\":1700000000000}\n",
    )
    .unwrap();
    let out = env.run(&["scan", file.to_str().unwrap()]);
    let so = stdout(&out);
    assert!(out.status.success(), "{so}\n{}", stderr(&out));
    assert!(
        so.contains("1 without a time: the export gives none dunwatch can read"),
        "{so}"
    );
    assert!(
        so.contains("2 new messages, 0 already known, 1 without a time (stored, not alerted)"),
        "{so}"
    );
}
