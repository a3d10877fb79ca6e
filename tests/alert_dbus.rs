//! Desktop alerts over a real D-Bus session bus. The test owns
//! org.freedesktop.Notifications with a zbus server that records every call, runs the real
//! daemon, and checks what arrived. CI runs `dbus-run-session -- cargo test`; without a
//! session bus the test says it skipped.

mod common;

use std::collections::HashMap;
use std::fs;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use zbus::OwnedVariant;

#[derive(Debug, Clone, PartialEq)]
struct Seen {
    app: String,
    summary: String,
    body: String,
    urgency: Option<u8>,
}

#[derive(Clone, Default)]
struct FakeServer {
    seen: Arc<Mutex<Vec<Seen>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl FakeServer {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        hints: HashMap<String, OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let urgency = hints
            .get("urgency")
            .and_then(|v| u8::try_from(v.clone()).ok());
        let mut seen = self.seen.lock().unwrap();
        seen.push(Seen {
            app: app_name,
            summary,
            body,
            urgency,
        });
        seen.len() as u32
    }
    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "body-markup".into()]
    }
    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "fake".into(),
            "dunwatch-test".into(),
            "0.1".into(),
            "1.2".into(),
        )
    }
    fn close_notification(&self, _id: u32) {}
}

const LONG: Duration = Duration::from_secs(20);

/// The tests that own org.freedesktop.Notifications take turns: one name, one bus.
static BUS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn own_notifications(server: FakeServer) -> zbus::Connection {
    zbus::connection::Builder::session()
        .name("org.freedesktop.Notifications")
        .serve_at("/org/freedesktop/Notifications", server)
        .build()
        .await
        .expect("own org.freedesktop.Notifications on the test bus")
}

/// Runs `scenario` (blocking: it starts daemons and waits) while the recording server owns
/// the notification name; skipped without a session bus.
async fn on_recording_server(scenario: fn(Arc<Mutex<Vec<Seen>>>)) {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("skipped: no session bus (run under dbus-run-session -- cargo test)");
        return;
    }
    let _bus = BUS.lock().await;
    let server = FakeServer::default();
    let log = server.seen.clone();
    let _conn = own_notifications(server).await;
    tokio::task::spawn_blocking(move || scenario(log))
        .await
        .unwrap();
}

/// A notification server that, while `stall` is set, records a call and then holds its
/// answer for a few seconds: the moment between "shown" and "recorded as shown".
#[derive(Clone, Default)]
struct StallingServer {
    seen: Arc<Mutex<Vec<String>>>,
    stall: Arc<std::sync::atomic::AtomicBool>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl StallingServer {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        _summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let n = {
            let mut seen = self.seen.lock().unwrap();
            seen.push(body);
            seen.len() as u32
        };
        if self.stall.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(Duration::from_secs(3));
        }
        n
    }
    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }
    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "stall".into(),
            "dunwatch-test".into(),
            "0.1".into(),
            "1.2".into(),
        )
    }
    fn close_notification(&self, _id: u32) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemon_killed_while_showing_an_alert_never_shows_it_again() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("skipped: no session bus (run under dbus-run-session -- cargo test)");
        return;
    }
    let _turn = BUS.lock().await;
    let server = StallingServer::default();
    server
        .stall
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let (seen, stall) = (server.seen.clone(), server.stall.clone());
    let _conn = zbus::connection::Builder::session()
        .name("org.freedesktop.Notifications")
        .serve_at("/org/freedesktop/Notifications", server)
        .build()
        .await
        .expect("own org.freedesktop.Notifications on the test bus");
    tokio::task::spawn_blocking(move || {
        let shown = || seen.lock().unwrap().clone();
        let home = Home::new();
        home.write_config("");
        let env = [("DUNWATCH_RETRY_MS", "300")];
        let mut d = home.start_with("log1", true, &env);
        fs::write(
            home.watch().join("a.xml"),
            backup(&[sms("17088886666", now_ms(), "征信修复，转入安全账户 甲")]),
        )
        .unwrap();
        wait_for("the first alert on the desktop", LONG, || {
            shown().len() == 1
        });
        // SIGKILL while the desktop shows it and before the daemon hears back.
        d.child.kill().unwrap();
        d.child.wait().unwrap();
        stall.store(false, std::sync::atomic::Ordering::SeqCst);

        let d = home.start_with("log2", true, &env);
        fs::write(
            home.watch().join("b.xml"),
            backup(&[sms("17088886667", now_ms(), "征信修复，联系专员 乙")]),
        )
        .unwrap();
        wait_for("the second alert", LONG, || shown().len() >= 2);
        std::thread::sleep(Duration::from_millis(1500));
        let (status, log) = d.stop();
        assert!(status.success(), "{log}");
        let all = shown();
        assert_eq!(
            all.iter().filter(|b| b.contains('甲')).count(),
            1,
            "shown twice: {all:?}\n{log}"
        );
        assert_eq!(all.len(), 2, "{all:?}\n{log}");
    })
    .await
    .unwrap();
}

fn seen(s: &Arc<Mutex<Vec<Seen>>>) -> Vec<Seen> {
    s.lock().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scam_alert_reaches_the_desktop_escaped_once_across_restarts_and_many_are_grouped() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("skipped: no session bus (run under dbus-run-session -- cargo test)");
        return;
    }
    let _bus = BUS.lock().await;
    // The daemon starts before any notification server exists: the scam is stored, the
    // alert waits, and arrives once a server owns the name (retried every 300 ms here).
    let (home, d, now) = tokio::task::spawn_blocking(|| {
        let home = Home::new();
        home.write_config("");
        let d = home.start_with("log1", true, &[("DUNWATCH_RETRY_MS", "300")]);
        let now = now_ms();
        let month_ago = now - 30 * 24 * 3600 * 1000;
        fs::write(
            home.watch().join("sms.xml"),
            backup(&[
                sms("17088886666", now - 5_000, SCAM),
                // Old: stored, not alerted.
                sms("17000000000", month_ago, "征信修复，先交手续费"),
                // Not alert material.
                sms("95588", now - 4_000, "您的验证码是 123456"),
            ]),
        )
        .unwrap();
        d.wait_log("cannot show desktop notifications", LONG);
        (home, d, now)
    })
    .await
    .unwrap();

    let server = FakeServer::default();
    let log = server.seen.clone();
    let _conn = own_notifications(server).await;

    tokio::task::spawn_blocking(move || run_scenario(log, home, d, now))
        .await
        .unwrap();
}

const SCAM: &str = "【微众银行】您的微粒贷已逾期，请联系专员办理征信修复 <a href=\"http://x.cn\">点此</a> & 转入安全账户";

fn run_scenario(log: Arc<Mutex<Vec<Seen>>>, home: Home, d: Daemon, now: i64) {
    let scam = SCAM;
    wait_for("the scam alert", LONG, || !seen(&log).is_empty());
    d.wait_log("desktop notifications work again", LONG);
    std::thread::sleep(Duration::from_millis(500));
    let got = seen(&log);
    assert_eq!(got.len(), 1, "{got:#?}\n{}", d.log_text());
    let a = &got[0];
    assert_eq!(a.app, "dunwatch");
    assert!(a.summary.starts_with("疑似诈骗"), "{a:#?}");
    assert!(a.body.contains("17088886666"), "{a:#?}");
    assert!(
        a.body
            .contains("&lt;a href=\"http://x.cn\"&gt;点此&lt;/a&gt; &amp; 转入安全账户"),
        "message markup not escaped: {a:#?}"
    );
    assert!(!a.body.contains("<a "), "{a:#?}");
    assert!(a.body.contains("不要转账"), "{a:#?}");
    // This server has no buttons: the body says how to open the page instead.
    assert!(a.body.contains("运行 dunwatch ui"), "{a:#?}");
    assert_eq!(a.urgency, Some(2), "scam is critical: {a:#?}");
    assert_eq!(
        count(&home, "SELECT count(*) FROM alert WHERE state = 'sent'"),
        1
    );
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM alert WHERE state = 'suppressed'"
        ),
        1
    );
    let (status, text) = d.stop();
    assert!(status.success(), "{text}");

    // Restart, with the same backup written again (a scheduled backup rewrites it): the
    // scam is not alerted a second time.
    let content = fs::read_to_string(home.watch().join("sms.xml")).unwrap();
    fs::write(home.watch().join("sms.xml"), content).unwrap();
    let d = home.start("log2", true);
    d.wait_log("sms.xml", LONG);
    fs::write(
        home.watch().join("copy.xml"),
        backup(&[sms("17088886666", now - 5_000, scam)]),
    )
    .unwrap();
    d.wait_log("copy.xml", LONG);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(seen(&log).len(), 1, "alerted twice:\n{}", d.log_text());

    // Many new alerts in one import: one grouped alert.
    let many: Vec<String> = (0..5)
        .map(|i| {
            sms(
                &format!("1708888{i:04}"),
                now - 1_000 + i,
                &format!("征信修复专员 {i} 号为您服务"),
            )
        })
        .collect();
    fs::write(home.watch().join("many.xml"), backup(&many)).unwrap();
    wait_for("the grouped alert", LONG, || seen(&log).len() >= 2);
    std::thread::sleep(Duration::from_millis(500));
    let got = seen(&log);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(got[1].summary, "5 条新的催收相关短信需要注意", "{got:#?}");
    assert!(got[1].body.starts_with("5 条疑似诈骗"), "{got:#?}");

    // Quiet hours around now: the alert is held, nothing shows; when they end (here: turned
    // off by editing the config, which the daemon reloads) one digest arrives.
    let hour = (now / 3_600_000) % 24;
    let quiet = format!("{:02}:00-{:02}:00", (hour + 23) % 24, (hour + 2) % 24);
    let config = |q: &str| {
        format!(
            "watch = [{:?}]\n[alerts]\nquiet_hours = \"{q}\"\n",
            home.watch().to_str().unwrap()
        )
    };
    fs::write(home.config_file(), config(&quiet)).unwrap();
    d.wait_log("configuration reloaded", LONG);
    fs::write(
        home.watch().join("night.xml"),
        backup(&[sms("17099990000", now, "深夜：征信修复，转入安全账户")]),
    )
    .unwrap();
    d.wait_log("held for quiet hours", LONG);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(seen(&log).len(), 2, "shown during quiet hours");
    fs::write(home.config_file(), config("")).unwrap();
    wait_for("the digest", LONG, || seen(&log).len() >= 3);
    let got = seen(&log);
    assert_eq!(
        got[2].summary, "免打扰期间收到 1 条催收相关短信",
        "{got:#?}"
    );
    assert!(got[2].body.contains("17099990000"), "{got:#?}");
    let (status, text) = d.stop();
    assert!(status.success(), "{text}");
    assert_eq!(
        count(&home, "SELECT count(*) FROM alert WHERE state = 'sent'"),
        7
    );
}

#[test]
fn without_a_notification_server_alerts_wait_and_the_daemon_keeps_working() {
    let home = Home::new();
    home.write_config("");
    let d = home.start("log", false);
    fs::write(
        home.watch().join("a.xml"),
        backup(&[sms("17088886666", now_ms(), "征信修复，转入安全账户")]),
    )
    .unwrap();
    d.wait_log("cannot show desktop notifications", LONG);
    fs::write(
        home.watch().join("b.xml"),
        backup(&[sms("17088886667", now_ms(), "征信修复，联系专员")]),
    )
    .unwrap();
    wait_for("the second import", LONG, || {
        count(&home, "SELECT count(*) FROM message") == 2
    });
    std::thread::sleep(Duration::from_millis(400));
    let (status, text) = d.stop();
    assert!(status.success(), "{text}");
    assert_eq!(
        text.matches("cannot show desktop notifications").count(),
        1,
        "logged more than once:\n{text}"
    );
    assert_eq!(
        count(&home, "SELECT count(*) FROM alert WHERE state = 'pending'"),
        2,
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weekly_summary_missed_while_off_is_written_at_start_announced_once_and_escaped() {
    on_recording_server(weekly_scenario).await;
}

fn weekly_scenario(log: Arc<Mutex<Vec<Seen>>>) {
    // The schedule's moment passed a minute ago (the computer was "off" then); the daemons
    // run with TZ=UTC. A message from the same moment a week earlier is in the week the
    // summary covers, whatever weekday the test runs on.
    let due = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_secs(60))
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC);
    let weekday = format!("{:?}", due.weekday());
    let schedule = format!("{} {:02}:{:02}", &weekday[..3], due.hour(), due.minute());
    let minute_start = due.timestamp().as_second() / 60 * 60;
    let last_week_ms = (minute_start - 7 * 24 * 3600) * 1000;

    let home = Home::new();
    home.write_config(&format!("[reports]\nweekly = \"{schedule}\"\n"));
    fs::write(
        home.watch().join("last-week.xml"),
        backup(&[sms(
            "17088886666",
            last_week_ms,
            "征信修复 <b>专员</b> & 转入安全账户",
        )]),
    )
    .unwrap();
    let english = [("LC_ALL", "en_US.UTF-8"), ("LANG", "en_US.UTF-8")];
    let d = home.start_with("log1", true, &english);
    d.wait_log("weekly summary written", LONG);
    wait_for("the weekly notification", LONG, || {
        seen(&log)
            .iter()
            .any(|s| s.summary == "dunwatch weekly summary")
    });
    let got: Vec<Seen> = seen(&log)
        .into_iter()
        .filter(|s| s.summary == "dunwatch weekly summary")
        .collect();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].urgency, Some(0), "{got:#?}");
    assert!(got[0].body.contains("1 scam"), "{got:#?}");

    let reports: Vec<_> = fs::read_dir(home.data_dir().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let html = reports
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "html"))
        .expect("an HTML report");
    assert!(
        got[0].body.contains(&html.display().to_string()),
        "{got:#?}"
    );
    assert!(
        reports
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "md"))
    );
    let page = fs::read_to_string(html).unwrap();
    assert!(
        page.contains("&lt;b&gt;专员&lt;&#x2f;b&gt; &amp; 转入安全账户"),
        "not escaped"
    );
    assert!(!page.contains("<b>专员"), "not escaped");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(html).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "report readable by others");
    }
    let (status, text) = d.stop();
    assert!(status.success(), "{text}");

    // A restart finds the week's summary written: no second file, no second notification.
    let d = home.start_with("log2", true, &english);
    d.wait_log("already written", LONG);
    std::thread::sleep(Duration::from_millis(300));
    let (status, text) = d.stop();
    assert!(status.success(), "{text}");
    assert!(!text.contains("weekly summary written"), "{text}");
    let weekly = seen(&log)
        .iter()
        .filter(|s| s.summary == "dunwatch weekly summary")
        .count();
    assert_eq!(weekly, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_for_a_blocked_sender_says_the_person_blocked_it() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("skipped: no session bus (run under dbus-run-session -- cargo test)");
        return;
    }
    let _bus = BUS.lock().await;
    let server = FakeServer::default();
    let log = server.seen.clone();
    let _conn = own_notifications(server).await;
    tokio::task::spawn_blocking(move || {
        let home = Home::new();
        home.write_config("");
        // The person blocked the number before anything arrived from it.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dunwatch"))
            .env("DUNWATCH_DATA_DIR", home.data_dir())
            .env("DUNWATCH_CONFIG_DIR", home.config_dir())
            .env("HOME", home.root().join("home"))
            .args(["block", "17012345678"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let d = home.start("log", true);
        fs::write(
            home.watch().join("sms.xml"),
            backup(&[sms("17012345678", now_ms() - 5_000, "在吗？有件急事找你")]),
        )
        .unwrap();
        wait_for("the alert", LONG, || !seen(&log).is_empty());
        let got = seen(&log);
        assert!(got[0].summary.starts_with("疑似诈骗"), "{got:#?}");
        assert!(got[0].body.contains("你已屏蔽这个号码"), "{got:#?}");
        let (status, text) = d.stop();
        assert!(status.success(), "{text}");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_backups_are_told_once_per_file_and_cause_across_restarts_and_doctor_names_them() {
    on_recording_server(problems_scenario).await;
}

fn problems_scenario(log: Arc<Mutex<Vec<Seen>>>) {
    let home = Home::new();
    home.write_config("");
    let full = backup(&[
        sms("95588", now_ms(), "您的账单已出，请按时还款"),
        sms("95588", now_ms() + 1, "还款提醒"),
    ]);
    // Broken in the middle (the rest is not read), cut off at the end (and staying so).
    fs::write(
        home.watch().join("broken.xml"),
        full.replace("</smses>", "<sms <<<>></smses>"),
    )
    .unwrap();
    fs::write(home.watch().join("cut.xml"), &full[..full.len() - 40]).unwrap();
    let zh = [
        ("LC_ALL", "zh_CN.UTF-8"),
        ("LANG", "zh_CN.UTF-8"),
        ("DUNWATCH_STALE_MS", "400"),
    ];
    let problem_notices = || -> Vec<Seen> {
        seen(&log)
            .into_iter()
            .filter(|s| s.summary.contains("未能完整读取"))
            .collect()
    };
    let named = |file: &str| {
        problem_notices()
            .iter()
            .filter(|s| s.body.contains(file))
            .count()
    };
    let d = home.start_with("log1", true, &zh);
    wait_for("both files named on the desktop", LONG, || {
        named("broken.xml") == 1 && named("cut.xml") == 1
    });
    d.wait_log("probably broken", LONG);
    std::thread::sleep(Duration::from_millis(800));
    let (status, text) = d.stop();
    assert!(status.success(), "{text}");
    assert_eq!(named("broken.xml"), 1, "{:#?}", problem_notices());
    assert_eq!(named("cut.xml"), 1, "{:#?}", problem_notices());
    let body = problem_notices()
        .iter()
        .map(|s| s.body.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(body.contains("格式已损坏"), "{body}");
    assert!(body.contains("文件不完整"), "{body}");
    assert!(body.contains("dunwatch doctor"), "{body}");
    assert_eq!(warnings(&text, "broken.xml"), 1, "{text}");
    assert_eq!(warnings(&text, "cut.xml"), 1, "{text}");

    // A restart reads both again and finds them as broken as before: nothing said twice.
    let d = home.start_with("log2", true, &zh);
    d.wait_log("cut.xml (truncated): said before", LONG);
    std::thread::sleep(Duration::from_millis(800));
    let (status, text) = d.stop();
    assert!(status.success(), "{text}");
    assert_eq!(problem_notices().len(), 2, "{:#?}", problem_notices());
    assert_eq!(warnings(&text, "broken.xml"), 0, "{text}");
    assert_eq!(warnings(&text, "cut.xml"), 0, "{text}");

    let out = doctor_output(&home);
    assert!(out.contains("import problems: 2"), "{out}");
    // Each file's cause in the words the alert and the page give it.
    for (file, cause) in [
        ("broken.xml", "its structure is broken"),
        ("cut.xml", "cut off: the sync may not have finished"),
    ] {
        let at = out
            .find(file)
            .unwrap_or_else(|| panic!("{file} not named:\n{out}"));
        assert!(out[at..].lines().nth(1).unwrap().contains(cause), "{out}");
    }

    // Mended: its problem is over, and a new break of it would be told again.
    fs::write(home.watch().join("broken.xml"), &full).unwrap();
    let d = home.start_with("log3", true, &zh);
    d.wait_log("cut.xml (truncated): said before", LONG);
    let (status, text) = d.stop();
    assert!(status.success(), "{text}");
    let out = doctor_output(&home);
    assert!(out.contains("import problems: 1"), "{out}");
    assert!(!out.contains("broken.xml"), "{out}");
}

fn doctor_output(home: &Home) -> String {
    let out = std::process::Command::new(BIN)
        .arg("doctor")
        .env("DUNWATCH_DATA_DIR", home.data_dir())
        .env("DUNWATCH_CONFIG_DIR", home.config_dir())
        .env("HOME", home.root().join("home"))
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/dunwatch-test-bus",
        )
        .output()
        .expect("run dunwatch doctor");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
