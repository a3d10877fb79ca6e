//! Alerts you can act on, over a real D-Bus session bus: a recording notification server that
//! has buttons (the `actions` capability) presses them the way a desktop does (the
//! `ActionInvoked` signal), and the real daemon must act. CI runs `dbus-run-session -- cargo
//! test`; without a session bus the test says it skipped.

mod common;

use std::collections::HashMap;
use std::fs;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use zbus::OwnedVariant;
use zbus::object_server::SignalEmitter;

#[derive(Debug, Clone)]
struct Seen {
    id: u32,
    summary: String,
    body: String,
    actions: Vec<String>,
}

#[derive(Clone, Default)]
struct ButtonServer {
    seen: Arc<Mutex<Vec<Seen>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl ButtonServer {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut seen = self.seen.lock().unwrap();
        let id = seen.len() as u32 + 1;
        seen.push(Seen {
            id,
            summary,
            body,
            actions,
        });
        id
    }
    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "actions".into()]
    }
    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "buttons".into(),
            "dunwatch-test".into(),
            "0.1".into(),
            "1.2".into(),
        )
    }
    fn close_notification(&self, _id: u32) {}

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
}

const LONG: Duration = Duration::from_secs(20);

fn seen(s: &Arc<Mutex<Vec<Seen>>>) -> Vec<Seen> {
    s.lock().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scam_alert_has_buttons_that_trust_mark_not_a_scam_and_open_the_page_there() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("skipped: no session bus (run under dbus-run-session -- cargo test)");
        return;
    }
    let server = ButtonServer::default();
    let log = server.seen.clone();
    let conn = zbus::connection::Builder::session()
        .name("org.freedesktop.Notifications")
        .serve_at("/org/freedesktop/Notifications", server)
        .build()
        .await
        .expect("own org.freedesktop.Notifications on the test bus");
    let iface = conn
        .object_server()
        .interface::<_, ButtonServer>("/org/freedesktop/Notifications")
        .await
        .unwrap();
    let press = |id: u32, key: &'static str| {
        let iface = iface.clone();
        async move {
            ButtonServer::action_invoked(iface.signal_emitter(), id, key)
                .await
                .unwrap();
        }
    };

    let home = Home::new();
    home.write_config("");
    // Two scams, two alerts: a notification takes one press, then it is gone.
    let (sender, other) = ("17088886666", "17011110001");
    fs::write(
        home.watch().join("scam.xml"),
        backup(&[
            sms(
                sender,
                now_ms(),
                "【微众银行】您的微粒贷已逾期，请添加QQ专员办理延期，转入安全账户",
            ),
            sms(
                other,
                now_ms() + 1000,
                "【京东金融】您的金条账户利率过高需注销，请致电4008123001办理，否则影响征信",
            ),
        ]),
    )
    .unwrap();
    let env = [
        ("LC_ALL", "zh_CN.UTF-8"),
        ("LANG", "zh_CN.UTF-8"),
        ("DUNWATCH_UI_IDLE_MS", "1500"),
        // The page the buttons start prints its address; no browser opens during tests.
        ("DUNWATCH_UI_NO_BROWSER", "1"),
    ];
    let home = Arc::new(home);
    let h = home.clone();
    let d = tokio::task::spawn_blocking(move || h.start_with("log", true, &env))
        .await
        .unwrap();
    let alert = wait_seen(&log, |s| {
        s.body.contains(sender) && s.actions.iter().any(|a| a == "not-scam")
    })
    .await;
    let second = wait_seen(&log, |s| {
        s.body.contains(other) && s.actions.iter().any(|a| a == "not-scam")
    })
    .await;
    assert_eq!(
        alert.actions,
        [
            "default",
            "详情",
            "not-scam",
            "不是诈骗",
            "trust",
            "信任此号码"
        ],
        "{alert:?}"
    );
    assert!(
        !alert.body.contains("dunwatch ui"),
        "buttons make the hint needless: {alert:?}"
    );

    press(alert.id, "trust").await;
    let trusted = wait_seen(&log, |s| s.summary.starts_with("已信任")).await;
    assert!(trusted.summary.contains(sender), "{trusted:?}");
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM sender_list WHERE side = 'trust'"
        ),
        1
    );

    press(second.id, "not-scam").await;
    wait_seen(&log, |s| s.summary == "已标记：不是诈骗").await;
    assert_eq!(
        count(
            &home,
            &format!(
                "SELECT count(*) FROM message WHERE user_category = 'other' AND sender = '{other}'"
            )
        ),
        1
    );

    // A click on the trust confirmation opens the page at that message.
    press(trusted.id, "default").await;
    let id = count(
        &home,
        &format!("SELECT id FROM message WHERE sender = '{sender}'"),
    );
    let h = home.clone();
    tokio::task::spawn_blocking(move || {
        d.wait_log(&format!("opening the review page at /messages/{id}"), LONG);
        // The page started (its log goes where the daemon's goes; its login URL, with the
        // one-time token, goes nowhere but the browser).
        d.wait_log("review page on 127.0.0.1:", LONG);
        let out = fs::read_to_string(h.root().join("log.out")).unwrap_or_default();
        assert!(
            !out.contains("token="),
            "the login token reached the daemon's output"
        );
        assert!(
            !d.log_text().contains("token="),
            "the login token reached the log"
        );
        let (status, text) = d.stop();
        assert!(status.success(), "{text}");
    })
    .await
    .unwrap();
}

async fn wait_seen(log: &Arc<Mutex<Vec<Seen>>>, f: impl Fn(&Seen) -> bool) -> Seen {
    let start = std::time::Instant::now();
    loop {
        if let Some(s) = seen(log).into_iter().find(|s| f(s)) {
            return s;
        }
        assert!(
            start.elapsed() < LONG,
            "not shown within {LONG:?}: {:#?}",
            seen(log)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
