//! `dunwatch run` with real parts: the real binary, a temporary folder with real filesystem
//! events, a real SQLite database. Files arrive the way sync tools write them.

mod common;

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::time::Duration;

use common::*;

const LONG: Duration = Duration::from_secs(20);

fn messages(home: &Home) -> i64 {
    count(home, "SELECT count(*) FROM message")
}

fn duplicates(home: &Home) -> i64 {
    count(
        home,
        "SELECT count(*) FROM (SELECT body FROM message GROUP BY body, ts HAVING count(*) > 1)",
    )
}

#[test]
fn backup_written_in_pieces_renamed_into_place_and_rewritten_stores_each_message_once() {
    let home = Home::new();
    home.write_config("");
    let d = home.start("log", false);
    let t = now_ms() - 60_000;
    let lines: Vec<String> = (0..6)
        .map(|i| sms("95384", t + i, &format!("您的账单已出，第 {i} 期")))
        .collect();

    // 1. Written in pieces with pauses longer than the debounce: each piece is read while
    //    the file is still cut off, which must be retried quietly.
    let path = home.watch().join("sms-20261118.xml");
    let full = backup(&lines[..3]);
    let cut = [full.len() / 3, 2 * full.len() / 3];
    let mut f = fs::File::create(&path).unwrap();
    for piece in [&full[..cut[0]], &full[cut[0]..cut[1]], &full[cut[1]..]] {
        f.write_all(piece.as_bytes()).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(600));
    }
    drop(f);
    wait_for("3 messages from the pieces", LONG, || messages(&home) == 3);

    // 2. Syncthing style: a temporary hidden name, renamed into place.
    let tmp = home.watch().join(".syncthing.sms-20261119.xml.tmp");
    fs::write(&tmp, backup(&lines[..4])).unwrap();
    fs::rename(&tmp, home.watch().join("sms-20261119.xml")).unwrap();
    wait_for("the renamed backup's new message", LONG, || {
        messages(&home) == 4
    });

    // 3. The first backup rewritten in full with more messages (a scheduled backup).
    fs::write(&path, backup(&lines)).unwrap();
    wait_for("the rewritten backup's new messages", LONG, || {
        messages(&home) == 6
    });

    // 4. Deleted: the history keeps its messages.
    fs::remove_file(&path).unwrap();
    std::thread::sleep(Duration::from_millis(600));

    let (status, log) = d.stop();
    assert!(status.success(), "{status:?}\n{log}");
    assert_eq!(messages(&home), 6, "{log}");
    assert_eq!(duplicates(&home), 0, "{log}");
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM source_file WHERE path LIKE '%syncthing%'"
        ),
        0,
        "temporary file was imported:\n{log}"
    );
    // The half-written file was read while cut off, then retried, never reported.
    assert!(log.contains("will retry when the file changes"), "{log}");
    assert!(
        !log.lines().any(|l| l.contains("WARN")),
        "unexpected warning:\n{log}"
    );
    assert!(log.contains("stopped"), "{log}");
}

#[test]
fn files_changed_while_stopped_are_caught_up_on_start_and_nothing_is_read_twice() {
    let home = Home::new();
    home.write_config("");
    let t = now_ms() - 60_000;
    fs::write(
        home.watch().join("a.xml"),
        backup(&[sms("95384", t, "账单已出 A")]),
    )
    .unwrap();
    let d = home.start("log1", false);
    wait_for("the file present at start", LONG, || messages(&home) == 1);
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");

    // While stopped: a new file in a new subfolder, and the old one rewritten.
    fs::create_dir_all(home.watch().join("phone2")).unwrap();
    fs::write(
        home.watch().join("phone2/b.xml"),
        backup(&[sms("95384", t + 1, "账单已出 B")]),
    )
    .unwrap();
    fs::write(
        home.watch().join("a.xml"),
        backup(&[
            sms("95384", t, "账单已出 A"),
            sms("95384", t + 2, "账单已出 C"),
        ]),
    )
    .unwrap();
    let d = home.start("log2", false);
    wait_for("both changes caught up", LONG, || messages(&home) == 3);
    // A folder created while running is picked up with what is already in it.
    let sub = home.watch().join("phone3");
    let staging = home.root().join("staging");
    fs::create_dir_all(&staging).unwrap();
    fs::write(
        staging.join("c.xml"),
        backup(&[sms("95384", t + 3, "账单已出 D")]),
    )
    .unwrap();
    fs::rename(&staging, &sub).unwrap();
    wait_for("the moved-in folder", LONG, || messages(&home) == 4);
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    assert_eq!(duplicates(&home), 0);
}

#[test]
fn second_instance_is_refused_while_the_first_runs() {
    let home = Home::new();
    home.write_config("");
    let d = home.start("log", false);
    let (mut cmd, log) = home.command("second");
    let status = cmd.status().unwrap();
    let text = fs::read_to_string(log).unwrap();
    assert!(!status.success());
    assert!(text.contains("already running"), "{text}");
    let (status, _) = d.stop();
    assert!(status.success());
    // After the first stopped, a new one may start.
    let d = home.start("third", false);
    d.stop();
}

#[test]
fn first_run_writes_the_default_config_creates_the_folder_and_keeps_running() {
    let home = Home::new();
    fs::remove_file(home.config_file()).ok();
    let d = home.start("log", false);
    let out = fs::read_to_string(home.root().join("log.out")).unwrap();
    let folder = home.root().join("home/SMSBackup");
    assert!(folder.is_dir(), "{out}");
    assert!(out.contains(home.config_file().to_str().unwrap()), "{out}");
    assert!(out.contains(folder.to_str().unwrap()), "{out}");
    assert!(
        out.contains("SMS Backup & Restore") && out.contains("Syncthing"),
        "{out}"
    );
    assert_eq!(
        fs::read_to_string(home.config_file()).unwrap(),
        dunwatch::config::DEFAULT_TOML
    );
    // Still running, and watching the new folder.
    fs::write(
        folder.join("x.xml"),
        backup(&[sms("95384", now_ms(), "账单已出")]),
    )
    .unwrap();
    wait_for("import from the created folder", LONG, || {
        messages(&home) == 1
    });
    let (status, _) = d.stop();
    assert!(status.success());
}

#[test]
fn broken_config_keeps_the_previous_one_and_is_reported_with_file_and_line() {
    let home = Home::new();
    home.write_config("");
    let d = home.start("log", false);
    fs::write(
        home.config_file(),
        "watch = [\"/nowhere\"]\n[alerts]\nmax_age_days = \"three\"\n",
    )
    .unwrap();
    d.wait_log("keeping the previous configuration", LONG);
    let log = d.log_text();
    assert!(log.contains("config.toml"), "{log}");
    assert!(log.contains("line 3"), "{log}");
    // Still watching the old folder.
    fs::write(
        home.watch().join("a.xml"),
        backup(&[sms("95384", now_ms(), "账单已出")]),
    )
    .unwrap();
    wait_for("import with the old config", LONG, || messages(&home) == 1);
    // A fixed config that adds a folder takes effect.
    let other = home.root().join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(
        home.config_file(),
        format!(
            "watch = [{:?}, {:?}]\n[alerts]\nquiet_hours = \"\"\n",
            home.watch().to_str().unwrap(),
            other.to_str().unwrap()
        ),
    )
    .unwrap();
    d.wait_log(&format!("watching {}", other.display()), LONG);
    fs::write(
        other.join("b.xml"),
        backup(&[sms("95384", now_ms(), "账单已出 2")]),
    )
    .unwrap();
    wait_for("import from the added folder", LONG, || {
        messages(&home) == 2
    });
    // The user rules folder, created while running, is watched and reloaded.
    let rules = home.config_dir().join("rules");
    fs::create_dir_all(&rules).unwrap();
    fs::write(rules.join("mine.toml"), "# my rules\n").unwrap();
    d.wait_log("rules reloaded", LONG);
    std::thread::sleep(Duration::from_millis(400));
    fs::write(rules.join("mine.toml"), "# my rules, edited\n").unwrap();
    wait_for("the second rules reload", LONG, || {
        d.log_text().matches("rules reloaded").count() == 2
    });
    let (status, _) = d.stop();
    assert!(status.success());
}

#[test]
fn file_that_stays_cut_off_is_reported_once() {
    let home = Home::new();
    home.write_config("");
    let (mut cmd, log) = home.command("log");
    cmd.env("DUNWATCH_STALE_MS", "700").env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/dunwatch-test-bus",
    );
    let d = Daemon {
        child: cmd.spawn().unwrap(),
        log,
    };
    d.wait_log("watching", LONG);
    let full = backup(&[sms("95384", now_ms(), "账单已出")]);
    let mut f = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(home.watch().join("cut.xml"))
        .unwrap();
    f.write_all(&full.as_bytes()[..full.len() - 12]).unwrap();
    drop(f);
    d.wait_log("probably broken", LONG);
    std::thread::sleep(Duration::from_millis(1500));
    let (status, log) = d.stop();
    assert!(status.success());
    let reports = log
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("cut.xml"))
        .count();
    assert_eq!(reports, 1, "{log}");
    assert!(log.contains("cut off or still being written"), "{log}");
}

#[test]
fn undated_messages_are_stored_and_counted_but_never_alerted_as_new() {
    let home = Home::new();
    home.write_config("");
    // A JSON Lines export whose time field ("when") no reader knows: two scams, no time.
    fs::write(
        home.watch().join("export.jsonl"),
        "{\"address\":\"10690000\",\"body\":\"您的账户已被冻结，请点击 http://abc-kefu.top 解冻\",\"type\":1,\"when\":\"yesterday\"}\n\
         {\"address\":\"10690001\",\"body\":\"您的银行卡交易异常已被冻结，请拨打010-12345678解冻\",\"type\":1,\"when\":\"today\"}\n",
    )
    .unwrap();
    let d = home.start("log", false);
    wait_for("the undated messages stored", LONG, || messages(&home) == 2);
    d.wait_log("2 message(s) without a time stored without alert", LONG);
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    assert_eq!(
        count(&home, "SELECT count(*) FROM message WHERE ts IS NULL"),
        2
    );
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM alert WHERE state = 'pending' OR state = 'sent'"
        ),
        0,
        "{log}"
    );
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM alert WHERE reason = 'no time in the export'"
        ),
        2
    );
}

#[test]
fn undated_messages_of_a_fresh_file_alert_when_the_person_asked_for_it() {
    let home = Home::new();
    home.write_config("undated_from_fresh_files = true\n");
    fs::write(
        home.watch().join("export.jsonl"),
        "{\"address\":\"10690000\",\"body\":\"您的账户已被冻结，请点击 http://abc-kefu.top 解冻\",\"type\":1,\"when\":\"yesterday\"}\n",
    )
    .unwrap();
    // An export that has lain untouched for a month: its undated messages are not new.
    let old = home.watch().join("old.jsonl");
    fs::write(
        &old,
        "{\"address\":\"10690001\",\"body\":\"您的银行卡交易异常已被冻结，请拨打010-12345678解冻\",\"type\":1,\"when\":\"today\"}\n",
    )
    .unwrap();
    let month_ago = std::time::SystemTime::now() - Duration::from_secs(30 * 24 * 3600);
    fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(month_ago)
        .unwrap();
    let d = home.start("log", false);
    wait_for("the undated messages stored", LONG, || messages(&home) == 2);
    std::thread::sleep(Duration::from_millis(300));
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    let state = |sender: &str| {
        db(&home)
            .query_row(
                "SELECT a.state FROM alert a JOIN message m ON m.id = a.message_id
                 WHERE m.sender = ?1",
                [sender],
                |r| r.get::<_, String>(0),
            )
            .unwrap()
    };
    assert_ne!(state("10690000"), "suppressed", "{log}");
    assert_eq!(state("10690001"), "suppressed", "{log}");
}
