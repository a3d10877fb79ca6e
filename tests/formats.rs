//! Every export format, read by the real `dunwatch scan` into a real database and checked
//! against the ground truth of the fixtures (tests/fixtures/formats/expected.json: the same
//! five SMS and one MMS in every file), plus the hostile variants of each.

mod common;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use common::{Env, stderr, stdout};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats");

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    ts_ms: i64,
    direction: String,
    sender: String,
    body: String,
}

fn expected() -> Vec<(Row, bool)> {
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(fixture("expected.json")).unwrap()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                Row {
                    ts_ms: m["unix_ms"].as_i64().unwrap(),
                    direction: m["direction"].as_str().unwrap().to_string(),
                    sender: m["address"].as_str().unwrap().to_string(),
                    body: m["body"].as_str().unwrap().to_string(),
                },
                m.get("kind").is_some(),
            )
        })
        .collect()
}

/// An environment whose phone is in UTC+8, as the fixtures' local times are.
fn env() -> Env {
    let env = Env::new();
    fs::create_dir_all(env.path("config")).unwrap();
    fs::write(
        env.path("config/config.toml"),
        "phone_timezone = \"Asia/Shanghai\"\n",
    )
    .unwrap();
    env
}

fn rows(env: &Env) -> Vec<Row> {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let mut stmt = conn
        .prepare("SELECT ts, direction, sender, body FROM message ORDER BY ts")
        .unwrap();
    stmt.query_map([], |r| {
        Ok(Row {
            ts_ms: r.get(0)?,
            direction: r.get(1)?,
            sender: r.get(2)?,
            body: r.get(3)?,
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn scan(env: &Env, path: &Path) -> std::process::Output {
    env.run(&["scan", path.to_str().unwrap()])
}

/// Scans one fixture and checks it holds exactly the expected messages (with or without the
/// MMS) and that scan named its format.
fn check_format(file: &str, format_name: &str, with_mms: bool) {
    let env = env();
    let out = scan(&env, &fixture(file));
    assert!(out.status.success(), "{file}: {}", stderr(&out));
    assert!(
        stdout(&out).contains(format_name),
        "{file}: format not named:\n{}",
        stdout(&out)
    );
    let want: Vec<Row> = expected()
        .into_iter()
        .filter(|(_, mms)| with_mms || !mms)
        .map(|(r, _)| r)
        .collect();
    assert_eq!(rows(&env), want, "{file}");
}

#[test]
fn super_backup_xml_reads_like_sms_backup_and_restore() {
    check_format("supersbackup_allsms.xml", "Super Backup XML", false);
}

#[test]
fn sms_import_export_zip_reads_sms_and_mms_text_with_mms_dates_in_seconds() {
    check_format("messages-2024-03-06.zip", "SMS Import/Export ZIP", true);
}

#[test]
fn vmessage_with_qp_bodies_split_inside_characters_and_local_dates() {
    check_format("sms.vmsg", "vMessage", false);
}

#[test]
fn imazing_csv_with_local_dates_and_incoming_outgoing_types() {
    check_format("imazing_messages.csv", "CSV", false);
}

#[test]
fn android_mmssms_db_reads_sms_and_mms_text_parts() {
    check_format("mmssms_aosp_v66.db", "Android mmssms.db", true);
}

#[test]
fn iphone_sms_db_reads_text_from_attributed_body_and_apple_nanosecond_dates() {
    check_format("sms_ios_attributedbody_only.db", "iPhone sms.db", false);
}

#[test]
fn smsforwarder_webhook_lines_are_received_messages_at_their_receive_time() {
    let env = env();
    let out = scan(&env, &fixture("smsforwarder_webhook.jsonl"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("JSON Lines"));
    // Not the relay's `timestamp` (seconds later) but `receive_time`, so the same SMS in a
    // phone backup is the same message.
    let want: Vec<Row> = expected()
        .into_iter()
        .filter(|(r, mms)| !mms && r.direction == "in")
        .map(|(r, _)| r)
        .collect();
    assert_eq!(rows(&env), want);
}

#[test]
fn a_zip_without_messages_ndjson_is_skipped_like_any_other_file() {
    let env = env();
    let path = env.path("photos.zip");
    {
        let mut zip = zip::ZipWriter::new(fs::File::create(&path).unwrap());
        zip.start_file("IMG_0001.jpg", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"\xff\xd8\xff").unwrap();
        zip.finish().unwrap();
    }
    let out = scan(&env, &path);
    assert!(
        stdout(&out).contains("skipped, not an SMS export"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn sms_ie_ndjson_line_of_a_miui_group_message_keeps_its_address() {
    let env = env();
    let out = scan(&env, &fixture("issue159_miui_group_sms_line.ndjson"));
    assert!(out.status.success(), "{}", stderr(&out));
    let got = rows(&env);
    assert_eq!(got.len(), 1);
    assert!(got[0].sender.contains(' '), "{got:?}");
}

#[test]
fn the_same_messages_in_eight_formats_are_stored_once() {
    let env = env();
    let dir = env.path("drop");
    fs::create_dir_all(&dir).unwrap();
    for f in [
        "sms-20240306120000.xml",
        "supersbackup_allsms.xml",
        "messages-2024-03-06.zip",
        "sms.vmsg",
        "imazing_messages.csv",
        "mmssms_aosp_v66.db",
        "sms_ios_attributedbody_only.db",
        "smsforwarder_webhook.jsonl",
    ] {
        fs::copy(fixture(f), dir.join(f)).unwrap();
    }
    let out = scan(&env, &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let want: Vec<Row> = expected().into_iter().map(|(r, _)| r).collect();
    assert_eq!(rows(&env), want, "{}", stdout(&out));
}

#[test]
fn second_and_millisecond_times_and_sender_spellings_meet_in_one_message() {
    let env = env();
    let dir = env.path("drop");
    fs::create_dir_all(&dir).unwrap();
    // The same SMS: milliseconds and +86 in a JSON export, seconds and no prefix in a CSV.
    fs::write(
        dir.join("a.jsonl"),
        "{\"address\":\"+86 138 0013 8000\",\"body\":\"您的借款已逾期\",\"date\":1709604930123,\"type\":1}\n",
    )
    .unwrap();
    fs::write(
        dir.join("b.csv"),
        "address,date,type,body\n0086-13800138000,1709604930,1,您的借款已逾期\n",
    )
    .unwrap();
    let out = scan(&env, &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(rows(&env).len(), 1, "{}", stdout(&out));
}

// ---- hostile input -------------------------------------------------------------------

/// Scans `path`; asserts the failure names the file and `needle`, and returns the rows kept.
fn scan_fails(env: &Env, path: &Path, needle: &str) -> Vec<Row> {
    let out = scan(env, path);
    let err = stderr(&out);
    assert!(
        !out.status.success(),
        "expected a failure: {}",
        stdout(&out)
    );
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name), "file not named: {err}");
    assert!(err.contains(needle), "no {needle:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    if env.db().exists() {
        rows(env)
    } else {
        Vec::new()
    }
}

fn cut(src: &str, keep: f64, dst: &Path) {
    let bytes = fs::read(fixture(src)).unwrap();
    fs::write(dst, &bytes[..(bytes.len() as f64 * keep) as usize]).unwrap();
}

#[test]
fn truncated_vmessage_keeps_the_messages_before_the_cut() {
    let env = env();
    let path = env.path("cut.vmsg");
    cut("sms.vmsg", 0.7, &path);
    let kept = scan_fails(&env, &path, "END:VMSG");
    assert!(!kept.is_empty() && kept.len() < 5, "{kept:?}");
}

#[test]
fn truncated_json_lines_keep_the_whole_lines() {
    let env = env();
    let path = env.path("cut.jsonl");
    cut("smsforwarder_webhook.jsonl", 0.6, &path);
    let kept = scan_fails(&env, &path, "truncated");
    assert!(!kept.is_empty(), "{kept:?}");
}

#[test]
fn truncated_zip_is_reported_as_cut_off() {
    let env = env();
    let path = env.path("cut.zip");
    cut("messages-2024-03-06.zip", 0.5, &path);
    scan_fails(&env, &path, "cut off");
}

#[test]
fn truncated_phone_database_is_an_error_not_a_panic() {
    let env = env();
    let path = env.path("cut.db");
    cut("mmssms_aosp_v66.db", 0.3, &path);
    let out = scan(&env, &path);
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(!out.status.success() || stdout(&out).contains("skipped"));
}

#[test]
fn zip_bomb_is_refused_by_its_inflated_size_not_its_header() {
    let env = env();
    let path = env.path("bomb.zip");
    {
        let file = fs::File::create(&path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("messages.ndjson", opts).unwrap();
        let line = format!(
            "{{\"address\":\"1\",\"body\":\"{}\",\"date\":\"1709604930000\",\"type\":\"1\"}}\n",
            "A".repeat(4000)
        );
        // ~80 MB of one repeated line compresses about 1000:1.
        for _ in 0..20_000 {
            zip.write_all(line.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    assert!(fs::metadata(&path).unwrap().len() < 2 << 20);
    let kept = scan_fails(&env, &path, "zip bomb");
    // What came before the limit was real lines, stored once each (all the same message).
    assert!(kept.len() <= 1, "{}", kept.len());
}

#[test]
fn sqlite_file_that_is_not_a_phone_database_is_named_and_skipped() {
    let env = env();
    let path = env.path("notes.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE notes(id INTEGER, text TEXT); INSERT INTO notes VALUES (1, 'x');",
    )
    .unwrap();
    drop(conn);
    let out = scan(&env, &path);
    assert!(
        stdout(&out).contains("not an SMS export"),
        "{}",
        stdout(&out)
    );
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn phone_database_is_never_modified_by_a_scan() {
    let env = env();
    for f in ["sms_ios_attributedbody_only.db", "mmssms_aosp_v66.db"] {
        let dir = env.path(&format!("backup-{f}"));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(f);
        fs::copy(fixture(f), &path).unwrap();
        let before = fs::read(&path).unwrap();
        let mtime = fs::metadata(&path).unwrap().modified().unwrap();
        let out = scan(&env, &path);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(fs::read(&path).unwrap(), before, "{f} changed");
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), mtime);
        let files: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(files.len(), 1, "files appeared beside {f}: {files:?}");
    }
}

#[test]
fn locked_android_database_is_reported_and_read_once_unlocked() {
    let env = env();
    let path = env.path("mmssms.db");
    // A rollback-journal copy that another connection holds an exclusive lock on.
    {
        let conn = rusqlite::Connection::open(fixture("mmssms_aosp_v66.db")).unwrap();
        conn.execute("VACUUM INTO ?1", [path.to_str().unwrap()])
            .unwrap();
    }
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder
        .execute_batch("PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE;")
        .unwrap();
    let out = scan(&env, &path);
    let err = stderr(&out);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(err.contains("mmssms.db") && err.contains("locked"), "{err}");
    holder.execute_batch("COMMIT").unwrap();
    drop(holder);
    let out = scan(&env, &path);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(rows(&env).len(), 6);
}

#[test]
fn ragged_csv_rows_are_named_and_the_others_read() {
    let env = env();
    let path = env.path("ragged.csv");
    fs::write(
        &path,
        "address,date,body\n95384,1709604930000,第一条\n95384,1709604931000\n95384,1709604932000,第三条\n",
    )
    .unwrap();
    let out = scan(&env, &path);
    let err = stderr(&out);
    assert!(
        err.contains("ragged.csv") && err.contains("line 3"),
        "{err}"
    );
    let bodies: Vec<String> = rows(&env).into_iter().map(|r| r.body).collect();
    assert_eq!(bodies, vec!["第一条", "第三条"]);
}

#[test]
fn gbk_csv_and_vmessage_are_decoded() {
    let env = env();
    let dir = env.path("drop");
    fs::create_dir_all(&dir).unwrap();
    let (csv, _, _) =
        encoding_rs::GBK.encode("号码,时间,内容\n95384,2024-03-05 10:15:30,您的借款已逾期\n");
    fs::write(dir.join("gbk.csv"), csv).unwrap();
    let mut vmsg = b"BEGIN:VMSG\r\nVERSION:1.1\r\nBEGIN:VCARD\r\nTEL:95588\r\nEND:VCARD\r\nBEGIN:VBODY\r\nX-BOX:INBOX\r\nDate:2024/03/05 10:16:00\r\nSubject;CHARSET=GBK:".to_vec();
    let (body, _, _) = encoding_rs::GBK.encode("信用卡账单已逾期");
    vmsg.extend_from_slice(&body);
    vmsg.extend_from_slice(b"\r\nEND:VBODY\r\nEND:VMSG\r\n");
    fs::write(dir.join("gbk.vmsg"), vmsg).unwrap();
    let out = scan(&env, &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let bodies: Vec<String> = rows(&env).into_iter().map(|r| r.body).collect();
    assert_eq!(bodies, vec!["您的借款已逾期", "信用卡账单已逾期"]);
}

#[test]
fn nokia_utf16_vmg_reads_the_sent_message_and_its_utc_stamp() {
    let env = env();
    let path = env.path("nokia.vmg");
    let text = "BEGIN:VMSG\nVERSION:1.1\nX-IRMC-STATUS:SENT\nX-IRMC-BOX:INBOX\nX-NOK-DT:20080510T122407Z\nX-MESSAGE-TYPE:SUBMIT\nBEGIN:VCARD\nVERSION:3.0\nN:\nTEL:\nEND:VCARD\nBEGIN:VENV\nBEGIN:VCARD\nVERSION:3.0\nN:\nTEL:+66800000000\nEND:VCARD\nBEGIN:VENV\nBEGIN:VBODY\nDate:10.05.2008 12:24:07\nYes thanks. Did you get my email?\nEND:VBODY\nEND:VENV\nEND:VENV\nEND:VMSG\n";
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    fs::write(&path, bytes).unwrap();
    let out = scan(&env, &path);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        rows(&env),
        vec![Row {
            ts_ms: 1_210_422_247_000,
            direction: "out".into(),
            sender: "+66800000000".into(),
            body: "Yes thanks. Did you get my email?".into(),
        }]
    );
}

#[test]
fn local_times_off_by_a_whole_zone_match_the_zoned_export_in_either_order_and_are_stored_once() {
    // The computer is in UTC and `phone_timezone` is unset, so the CSV's and the vMessage
    // file's wall-clock times (the phone's, UTC+8) are read 8 hours late.
    let want: Vec<Row> = expected()
        .into_iter()
        .filter(|(_, mms)| !mms)
        .map(|(r, _)| r)
        .collect();
    for order in [
        ["imazing_messages.csv", "messages-2024-03-06.zip"],
        ["messages-2024-03-06.zip", "imazing_messages.csv"],
        ["sms.vmsg", "sms-20240306120000.xml"],
        ["sms-20240306120000.xml", "sms.vmsg"],
    ] {
        let env = Env::new();
        for file in order {
            let out = env
                .cmd()
                .env("TZ", "UTC")
                .args(["scan", fixture(file).to_str().unwrap()])
                .output()
                .unwrap();
            assert!(out.status.success(), "{file}: {}", stderr(&out));
        }
        // Stored once each, at the zoned export's (true) time; the MMS only the zoned
        // exports have is beside them.
        let texts: Vec<Row> = rows(&env)
            .into_iter()
            .filter(|r| want.iter().any(|w| w.body == r.body))
            .collect();
        assert_eq!(texts, want, "{order:?}");
        // Scanning the zoneless file again changes nothing.
        let out = env
            .cmd()
            .env("TZ", "UTC")
            .args(["scan", fixture(order[0]).to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            rows(&env)
                .into_iter()
                .filter(|r| want.iter().any(|w| w.body == r.body))
                .count(),
            want.len(),
            "{order:?}"
        );
    }
}

#[test]
fn the_same_text_from_one_sender_hours_apart_in_zoned_exports_is_two_messages() {
    // Only a zoneless time may be off by a zone: two reminders sent 8 hours apart are two.
    let env = Env::new();
    let xml = |ts: i64| {
        format!(
            "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"1\">\n  <sms protocol=\"0\" address=\"95588\" date=\"{ts}\" type=\"1\" body=\"您的信用卡本期账单已出\" read=\"1\" />\n</smses>\n"
        )
    };
    let dir = env.path("in");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("a.xml"), xml(1_709_604_930_000)).unwrap();
    fs::write(dir.join("b.xml"), xml(1_709_604_930_000 + 8 * 3600 * 1000)).unwrap();
    let out = env.run(&["scan", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.count("SELECT count(*) FROM message"), 2);
}
