//! The review page (`dunwatch ui`), run as the real binary on a fixture history and spoken
//! to over real HTTP on loopback: its token, cookie, Host and CSRF checks, its escaping of
//! stranger-written text, its pages and buttons, and that it stops when nobody looks.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A running `dunwatch ui --no-browser` and the URL it printed.
struct Ui {
    child: Child,
    url: String,
    port: u16,
    dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

impl Drop for Ui {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(language: &str, extra_env: &[(&str, &str)]) -> Ui {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fixture_db(dir.path());
    let config = config_file(dir.path(), language);
    let mut child = Command::new(BIN)
        .env("DUNWATCH_DATA_DIR", dir.path())
        .env("DUNWATCH_CONFIG_DIR", dir.path().join("cfg"))
        .envs(extra_env.iter().copied())
        .args([
            "--db",
            db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "ui",
            "--no-browser",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().to_string();
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the first line is not a loopback URL: {url:?}"));
    Ui {
        child,
        url,
        port,
        dir,
        db,
    }
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request with exactly these headers (Host included), read to the end.
fn request(port: u16, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut head = format!("{method} {target} HTTP/1.1");
    for (k, v) in headers {
        head.push_str(&format!("\r\n{k}: {v}"));
    }
    let (status, head, body) = common::http::exchange(port, &head, body);
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Answer {
        status,
        headers,
        body,
    }
}

impl Ui {
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The login URL's path and query.
    fn login_target(&self) -> String {
        let at = self.url.find("/login").unwrap();
        self.url[at..].to_string()
    }

    /// Logs in with the one-time token; returns the session cookie.
    fn login(&self) -> String {
        let a = request(
            self.port,
            "GET",
            &self.login_target(),
            &[("Host", &self.host())],
            "",
        );
        assert_eq!(a.status, 303, "{}", a.body);
        let set = a
            .header("set-cookie")
            .expect("a session cookie")
            .to_string();
        set.split(';').next().unwrap().to_string()
    }

    fn get(&self, cookie: &str, target: &str) -> Answer {
        request(
            self.port,
            "GET",
            target,
            &[("Host", &self.host()), ("Cookie", cookie)],
            "",
        )
    }

    fn post(&self, cookie: &str, target: &str, body: &str) -> Answer {
        request(
            self.port,
            "POST",
            target,
            &[("Host", &self.host()), ("Cookie", cookie)],
            body,
        )
    }

    fn user_category(&self, body_like: &str) -> Option<String> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        conn.query_row(
            "SELECT user_category FROM message WHERE body LIKE ?1",
            [body_like],
            |r| r.get(0),
        )
        .unwrap()
    }

    fn message_id(&self, body_like: &str) -> i64 {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        conn.query_row(
            "SELECT id FROM message WHERE body LIKE ?1",
            [body_like],
            |r| r.get(0),
        )
        .unwrap()
    }
}

fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    page[at..at + 64].to_string()
}

#[test]
fn the_page_needs_its_one_time_token_then_its_cookie_and_answers_only_its_own_host() {
    let ui = start("zh-CN", &[]);
    assert!(ui.url.contains("/login?token="), "{}", ui.url);
    // Without the cookie: 401, whatever the page.
    for target in ["/", "/messages/1", "/settings", "/static/app.css"] {
        assert_eq!(ui.get("", target).status, 401, "{target}");
    }
    // A wrong token opens nothing.
    let wrong = request(
        ui.port,
        "GET",
        "/login?token=0000000000000000000000000000000000000000000000000000000000000000",
        &[("Host", &ui.host())],
        "",
    );
    assert_eq!(wrong.status, 401);
    // Another Host (DNS rebinding) is refused, the right token or not.
    let rebound = request(
        ui.port,
        "GET",
        &ui.login_target(),
        &[("Host", "evil.example:80")],
        "",
    );
    assert_eq!(rebound.status, 421);
    let cookie = ui.login();
    let a = request(
        ui.port,
        "GET",
        &ui.login_target(),
        &[("Host", &ui.host())],
        "",
    );
    assert_eq!(a.status, 401, "the token works once");

    let inbox = ui.get(&cookie, "/");
    assert_eq!(inbox.status, 200);
    let csp = inbox.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(inbox.header("x-frame-options"), Some("DENY"));
    assert!(inbox.body.contains("<html lang=\"zh-CN\">"));
    assert!(inbox.body.contains("收件箱"), "{}", inbox.body);
    // localhost:PORT is the same page.
    let local = request(
        ui.port,
        "GET",
        "/",
        &[
            ("Host", &format!("localhost:{}", ui.port)),
            ("Cookie", &cookie),
        ],
        "",
    );
    assert_eq!(local.status, 200);
    // A made-up session is no session.
    assert_eq!(ui.get("dunwatch_session=forged", "/").status, 401);
}

#[test]
fn the_login_cookie_is_httponly_and_samesite_strict_and_leads_to_a_clean_url() {
    let ui = start("en", &[]);
    let a = request(
        ui.port,
        "GET",
        &ui.login_target(),
        &[("Host", &ui.host())],
        "",
    );
    assert_eq!(a.status, 303);
    assert_eq!(a.header("location"), Some("/"));
    let cookie = a.header("set-cookie").unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
}

#[test]
fn a_change_without_the_csrf_token_or_from_another_origin_is_refused_and_changes_nothing() {
    let ui = start("en", &[]);
    let cookie = ui.login();
    let id = ui.message_id("%招联金融%");
    let page = ui.get(&cookie, &format!("/messages/{id}"));
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = csrf_of(&page.body);
    let before = ui.user_category("%招联金融%");

    let target = format!("/messages/{id}/mark");
    assert_eq!(ui.post(&cookie, &target, "category=other").status, 403);
    let forged = format!("csrf={}&category=other", "0".repeat(64));
    assert_eq!(ui.post(&cookie, &target, &forged).status, 403);
    let cross = request(
        ui.port,
        "POST",
        &target,
        &[
            ("Host", &ui.host()),
            ("Cookie", &cookie),
            ("Origin", "https://evil.example"),
        ],
        &format!("csrf={csrf}&category=other"),
    );
    assert_eq!(cross.status, 403);
    assert_eq!(
        ui.user_category("%招联金融%"),
        before,
        "a refused POST changed something"
    );

    let ok = ui.post(&cookie, &target, &format!("csrf={csrf}&category=other"));
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ui.user_category("%招联金融%").as_deref(), Some("other"));
    let after = ui.get(&cookie, ok.header("location").unwrap());
    assert!(
        after.body.contains("Corrected to: Other message."),
        "{}",
        after.body
    );
}

#[test]
fn message_text_reaches_the_page_escaped_with_its_reasons_marked_in_the_text() {
    let ui = start("en", &[]);
    let cookie = ui.login();
    let id = ui.message_id("%<script>%");
    let page = ui.get(&cookie, &format!("/messages/{id}"));
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(!page.body.contains("<img src=x"), "{}", page.body);
    // The marked words may cut the tag in two; escaped it is either way.
    assert!(
        page.body.contains("ipt&gt;alert(&#x27;x&#x27;)"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<mark>"),
        "the quoted words are marked: {}",
        page.body
    );
    let inbox = ui.get(&cookie, "/?category=all");
    assert!(!inbox.body.contains("<script>"));
}

#[test]
fn trusting_a_sender_from_its_message_lists_it_and_says_so() {
    let ui = start("zh-CN", &[]);
    let cookie = ui.login();
    let id = ui.message_id("%招联金融%");
    let page = ui.get(&cookie, &format!("/messages/{id}"));
    let csrf = csrf_of(&page.body);
    let conn = rusqlite::Connection::open(&ui.db).unwrap();
    let sender: String = conn
        .query_row("SELECT sender FROM message WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    let body = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("sender", sender.as_str()),
        ("side", "block"),
        ("back", &format!("/messages/{id}")),
    ])
    .unwrap();
    let a = ui.post(&cookie, "/senders", &body);
    assert_eq!(a.status, 303);
    let shown = ui.get(&cookie, a.header("location").unwrap());
    assert!(shown.body.contains("已拦截"), "{}", shown.body);
    let listed = ui.get(&cookie, "/senders");
    assert!(listed.body.contains(&sender), "{}", listed.body);
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM sender_list WHERE side = 'block'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn the_inbox_counts_every_match_pages_them_and_filters_by_lender_name() {
    let ui = start("en", &[]);
    let cookie = ui.login();
    let all = ui.get(&cookie, "/?category=all");
    let conn = rusqlite::Connection::open(&ui.db).unwrap();
    let total: i64 = conn
        .query_row("SELECT count(*) FROM message", [], |r| r.get(0))
        .unwrap();
    assert!(
        all.body.contains(&format!("{total} messages")),
        "{}",
        all.body
    );
    let webank = ui.get(
        &cookie,
        "/?category=all&lender=%E5%BE%AE%E4%BC%97%E9%93%B6%E8%A1%8C",
    );
    let by_id = ui.get(&cookie, "/?category=all&lender=webank");
    let count = |a: &Answer| a.body.matches("<li class=\"cat-").count();
    assert!(count(&by_id) > 0);
    assert_eq!(count(&webank), count(&by_id));
    let unknown = ui.get(&cookie, "/?lender=nosuch");
    assert!(
        unknown
            .body
            .contains("No lender named &quot;nosuch&quot; is known."),
        "{}",
        unknown.body
    );
    let close = ui.get(&cookie, "/?lender=%E5%BE%AE%E4%BC%97");
    assert!(
        close.body.contains("Did you mean WeBank (webank)?"),
        "{}",
        close.body
    );
}

#[test]
fn a_time_filter_that_ends_before_it_begins_or_is_no_date_says_so_in_the_persons_words() {
    let ui = start("zh-CN", &[]);
    let cookie = ui.login();
    let reversed = ui.get(&cookie, "/?category=all&since=2026-11-30&until=2026-11-01");
    assert_eq!(reversed.status, 200, "{}", reversed.body);
    assert!(
        reversed
            .body
            .contains("从 2026-11-30 到 2026-11-01 这个范围的结束早于开始"),
        "{}",
        reversed.body
    );
    assert_eq!(reversed.body.matches("<li class=\"cat-").count(), 0);
    // One day, both ends included, is a range and shows that day's messages.
    let day = ui.get(&cookie, "/?category=all&since=2026-11-30&until=2026-11-30");
    assert!(!day.body.contains("结束早于开始"), "{}", day.body);
    let bad = ui.get(&cookie, "/?category=all&since=%3Cb%3Eyesterday");
    assert!(
        bad.body.contains("“&lt;b&gt;yesterday”不是日期"),
        "{}",
        bad.body
    );
}

#[test]
fn the_page_stops_by_itself_when_nobody_asks_for_it() {
    let mut ui = start("en", &[("DUNWATCH_UI_IDLE_MS", "600")]);
    let cookie = ui.login();
    assert_eq!(ui.get(&cookie, "/").status, 200);
    let start = Instant::now();
    loop {
        if let Some(status) = ui.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "still serving after 10 s idle"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(TcpStream::connect(("127.0.0.1", ui.port)).is_err());
}

#[test]
fn reports_of_past_weeks_and_any_range_open_on_the_page_with_their_own_styles_only() {
    let ui = start("zh-CN", &[]);
    let cookie = ui.login();
    let list = ui.get(&cookie, "/reports");
    assert_eq!(list.status, 200);
    assert!(list.body.contains("/reports/view?from="), "{}", list.body);
    let week = ui.get(&cookie, "/reports/view?from=2026-11-16&to=2026-11-22");
    assert_eq!(week.status, 200, "{}", week.body);
    assert!(week.body.contains("2026-11-16"), "{}", week.body);
    assert!(
        !week.body.contains("<script>"),
        "message text escaped in the report"
    );
    let csp = week.header("content-security-policy").unwrap();
    assert!(
        csp.contains("style-src 'unsafe-inline'") && !csp.contains("script"),
        "{csp}"
    );
    assert_eq!(
        ui.get(&cookie, "/reports/view?from=nonsense&to=2026-11-22")
            .status,
        400
    );
    assert_eq!(
        ui.get("", "/reports/view?from=2026-11-16&to=2026-11-22")
            .status,
        401
    );
}

#[test]
fn evidence_is_exported_downloaded_as_a_zip_and_checked_from_the_page() {
    let ui = start("en", &[]);
    let cookie = ui.login();
    let page = ui.get(&cookie, "/evidence");
    assert_eq!(page.status, 200);
    let csrf = csrf_of(&page.body);
    let root = ui.dir.path().join("evidence");
    // Without the page's token: refused, nothing written.
    assert_eq!(ui.post(&cookie, "/evidence", "category=all").status, 403);
    assert!(!root.exists());
    let none = ui.post(
        &cookie,
        "/evidence",
        &format!("csrf={csrf}&q=%E6%B2%A1%E6%9C%89"),
    );
    assert!(none.body.contains("nothing was written"), "{}", none.body);
    assert!(!root.exists());

    let done = ui.post(&cookie, "/evidence", &format!("csrf={csrf}&category=scam"));
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains(" written to"), "{}", done.body);
    // The link is an attribute value, HTML-escaped like every value ('/' as &#x2f;).
    let page = done.body.replace("&#x2f;", "/");
    let at = page.find("/evidence/zip/").expect("a download link");
    let link: String = page[at..].chars().take_while(|c| *c != '"').collect();
    let zip = ui.get(&cookie, &link);
    assert_eq!(zip.status, 200);
    assert_eq!(zip.header("content-type"), Some("application/zip"));
    assert!(zip.body.starts_with("PK"), "not a ZIP");
    assert!(zip.body.contains("manifest.json"));
    assert_eq!(ui.get(&cookie, "/evidence/zip/..%2F..%2Fetc").status, 404);

    let dir = std::fs::read_dir(&root)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let check = |ui: &Ui| {
        let body =
            serde_urlencoded::to_string([("csrf", csrf.as_str()), ("dir", dir.to_str().unwrap())])
                .unwrap();
        ui.post(&cookie, "/evidence/verify", &body).body
    };
    assert!(check(&ui).contains("Intact"), "{}", check(&ui));
    let csv = dir.join("messages.csv");
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text.push_str("forged,row\n");
    std::fs::write(&csv, text).unwrap();
    let after = check(&ui);
    assert!(after.contains("Changed or incomplete"), "{after}");
    assert!(after.contains("messages.csv"), "{after}");
}

#[test]
fn lenders_seen_in_messages_are_listed_and_a_loan_can_be_declared_from_there() {
    let ui = start("en", &[]);
    let cookie = ui.login();
    let page = ui.get(&cookie, "/lenders");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Lenders seen in your messages"),
        "{}",
        page.body
    );
    assert!(page.body.contains("debt-related message"), "{}", page.body);
    let csrf = csrf_of(&page.body);
    let a = ui.post(
        &cookie,
        "/lenders",
        &format!("csrf={csrf}&lender=webank&state=none"),
    );
    assert_eq!(a.status, 303);
    let after = ui.get(&cookie, a.header("location").unwrap());
    assert!(
        after.body.contains("Noted: you have no loan with"),
        "{}",
        after.body
    );
    let conn = rusqlite::Connection::open(&ui.db).unwrap();
    let state: String = conn
        .query_row(
            "SELECT state FROM lender_account WHERE lender_id = 'webank'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(state, "none");
}

#[test]
fn the_page_listens_on_loopback_only() {
    let ui = start("en", &[]);
    // Every address of this machine that is not loopback refuses the port.
    let out = Command::new("hostname").arg("-I").output();
    let addrs: Vec<std::net::IpAddr> = out
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|a| a.parse().ok())
        .filter(|a: &std::net::IpAddr| !a.is_loopback())
        .collect();
    for addr in &addrs {
        let reached = TcpStream::connect_timeout(
            &std::net::SocketAddr::new(*addr, ui.port),
            Duration::from_secs(2),
        );
        assert!(reached.is_err(), "reachable on {addr}:{}", ui.port);
    }
    if addrs.is_empty() {
        eprintln!("no address but loopback here: only the loopback side was checked");
    }
    assert!(TcpStream::connect(("127.0.0.1", ui.port)).is_ok());
}

#[test]
fn what_the_corrections_taught_is_shown_per_category() {
    let ui = start("en", &[]);
    let cookie = ui.login();
    let page = ui.get(&cookie, "/learned");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("What your corrections taught"),
        "{}",
        page.body
    );
    for name in ["Likely scam", "Overdue notice", "Other message"] {
        assert!(page.body.contains(name), "{name}: {}", page.body);
    }
    assert!(page.body.contains("more needed"), "{}", page.body);
}

#[test]
fn requests_without_the_cookie_do_not_keep_the_page_up() {
    let mut ui = start("en", &[("DUNWATCH_UI_IDLE_MS", "600")]);
    let start = Instant::now();
    // Any web page can send these (without the cookie): they must not hold it open.
    while ui.child.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "kept up by requests without the cookie"
        );
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", ui.port)) {
            let _ = s.write_all(
                format!(
                    "GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                    ui.port
                )
                .as_bytes(),
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_traditional_chinese_reader_gets_a_zh_tw_page_in_traditional_words() {
    let ui = start("zh-TW", &[]);
    let cookie = ui.login();
    let inbox = ui.get(&cookie, "/");
    assert_eq!(inbox.status, 200);
    // The tag decides the glyphs a browser picks; the words are the Taiwan catalog's.
    assert!(
        inbox.body.contains("<html lang=\"zh-TW\">"),
        "{}",
        inbox.body
    );
    assert!(inbox.body.contains("收件匣"), "{}", inbox.body);
    assert!(!inbox.body.contains("收件箱"), "{}", inbox.body);
}
