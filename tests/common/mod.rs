//! Helpers shared by the integration tests: a private dunwatch environment and a writer of
//! SMS Backup & Restore files in the app's own style.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod daemon;
mod faults;
pub mod http;
mod review;
#[allow(unused_imports)]
pub use daemon::*;
#[allow(unused_imports)]
pub use faults::*;
#[allow(unused_imports)]
pub use review::*;

/// A temporary home for one test: data and config dirs, and a folder for backups.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The user's rules folder of this environment, created.
    pub fn user_rules(&self) -> PathBuf {
        let dir = self.path("config/rules");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    pub fn db(&self) -> PathBuf {
        self.path("data/dunwatch.db")
    }

    /// The dunwatch binary with this environment's directories.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dunwatch"));
        cmd.env("DUNWATCH_DATA_DIR", self.path("data"))
            .env("DUNWATCH_CONFIG_DIR", self.path("config"))
            .env("HOME", self.path("home"))
            .env_remove("DUNWATCH_LOG");
        english(&mut cmd);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

/// The C locale, whatever the machine's: the command line speaks the locale's language, and
/// the tests that read its words read English unless they ask for another.
pub fn english(cmd: &mut Command) -> &mut Command {
    cmd.env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
}

/// `cmd` under a Chinese locale (LANG only, as most desktops set it).
pub fn chinese(cmd: &mut Command) -> &mut Command {
    english(cmd).env("LANG", "zh_CN.UTF-8")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The standard output of a command that must have succeeded (its standard error if not).
pub fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// `dunwatch ARGS` in `env` under a Chinese locale.
pub fn zh(env: &Env, args: &[&str]) -> Output {
    let mut cmd = env.cmd();
    chinese(&mut cmd).args(args).output().unwrap()
}

/// Whether `s` has a Chinese character.
pub fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A scam in WeBank's name, from a mobile number, and WeBank's genuine overdue notice from
/// its service number: the two messages [`imported`] holds.
pub const SCAM: &str = "【微众银行】您的微粒贷已逾期，请立即联系专员处理：17088886666";
pub const OVERDUE: &str =
    "【微众银行】您的微粒贷借款已逾期3天，应还金额2156.20元，请尽快在微信“微粒贷”中还款。";

/// An environment with [`SCAM`] (from 17088886666, 2026-11-02 10:00 in Shanghai) and
/// [`OVERDUE`] (from 95384, an hour later) imported, and `config` as its config after
/// `phone_timezone = "Asia/Shanghai"`.
pub fn imported(config: &str) -> Env {
    let env = Env::new();
    std::fs::create_dir_all(env.path("config")).unwrap();
    std::fs::write(
        env.path("config/config.toml"),
        format!("phone_timezone = \"Asia/Shanghai\"\n{config}"),
    )
    .unwrap();
    let file = env.path("sms.xml");
    let msg = |sender: &str, body: &str, hours: i64| FixtureMessage {
        sender: sender.into(),
        body: body.into(),
        ts_ms: at("2026-11-02 10:00") + hours * 3_600_000,
        incoming: true,
        contact: None,
    };
    std::fs::write(
        &file,
        sbr_document(&[msg("17088886666", SCAM, 0), msg("95384", OVERDUE, 1)]),
    )
    .unwrap();
    let out = env.run(&["scan", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    env
}

/// Escapes text as SMS Backup & Restore does: markup as entities, newlines as `&#10;`,
/// characters outside the BMP as two surrogate references.
pub fn sbr_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            // XML parsers turn a literal CR or tab in an attribute into a space.
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) > 0xFFFF => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(out, "&#{u};").unwrap();
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// One message as the fixture writers write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureMessage {
    pub sender: String,
    pub body: String,
    pub ts_ms: i64,
    /// True for a received message (`type="1"`), false for sent (`type="2"`).
    pub incoming: bool,
    pub contact: Option<String>,
}

/// A whole SBR backup of `msgs`, every field escaped as the app does.
pub fn sbr_document(msgs: &[FixtureMessage]) -> String {
    let mut xml = String::from(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n\
         <!--File Created By SMS Backup & Restore v10.22.001 on 22/11/2026 10:15:00-->\n",
    );
    writeln!(xml, "<smses count=\"{}\">", msgs.len()).unwrap();
    for m in msgs {
        writeln!(
            xml,
            "  <sms protocol=\"0\" address=\"{}\" date=\"{}\" type=\"{}\" subject=\"null\" body=\"{}\" \
             toa=\"null\" sc_toa=\"null\" service_center=\"null\" read=\"1\" status=\"-1\" locked=\"0\" \
             date_sent=\"0\" readable_date=\"x\" contact_name=\"{}\" />",
            sbr_escape(&m.sender),
            m.ts_ms,
            if m.incoming { 1 } else { 2 },
            sbr_escape(&m.body),
            sbr_escape(m.contact.as_deref().unwrap_or("(Unknown)")),
        )
        .unwrap();
    }
    xml.push_str("</smses>\n");
    xml
}

/// The body of generated message `i`: unique, mixed languages, some emoji and newlines.
pub fn body(i: usize) -> String {
    match i % 4 {
        0 => format!(
            "【微众银行】您的微粒贷借款已逾期{}天，请登录微信“微粒贷”还款。编号{i}",
            i % 90 + 1
        ),
        1 => format!("晚上回家吃饭吗？😀 第{i}条"),
        2 => format!("Your package {i} is out for delivery.\nTrack it in the app."),
        _ => format!("验证码{i}，5分钟内有效 <勿泄露> & \"谢谢\""),
    }
}

/// Writes an SBR backup with `n` messages (every 10th an MMS with a text part).
pub fn write_sbr(path: &Path, n: usize) {
    let mut xml = String::from(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n\
         <!--File Created By SMS Backup & Restore v10.22.001 on 22/11/2026 10:15:00-->\n",
    );
    writeln!(
        xml,
        "<smses count=\"{n}\" backup_set=\"t\" backup_date=\"1\" type=\"full\">"
    )
    .unwrap();
    for i in 0..n {
        let ts = 1_700_000_000_000i64 + i as i64 * 61_000;
        let addr = if i % 4 == 0 {
            "95384".to_string()
        } else {
            format!("+86 138{:08}", i % 1000)
        };
        let b = sbr_escape(&body(i));
        if i % 10 == 9 {
            writeln!(
                xml,
                "  <mms date=\"{ts}\" msg_box=\"1\" address=\"{addr}\" m_type=\"132\" contact_name=\"(Unknown)\">\
                 <parts><part seq=\"-1\" ct=\"application/smil\" text=\"&lt;smil/&gt;\" />\
                 <part seq=\"0\" ct=\"image/jpeg\" data=\"/9j/4AAQSkZJRgABAQAAAQABAAD\" text=\"null\" />\
                 <part seq=\"1\" ct=\"text/plain\" text=\"{b}\" /></parts>\
                 <addrs><addr address=\"{addr}\" type=\"137\" charset=\"106\" /></addrs></mms>"
            )
            .unwrap();
        } else {
            writeln!(
                xml,
                "  <sms protocol=\"0\" address=\"{addr}\" date=\"{ts}\" type=\"1\" subject=\"null\" body=\"{b}\" \
                 toa=\"null\" sc_toa=\"null\" service_center=\"null\" read=\"1\" status=\"-1\" locked=\"0\" \
                 date_sent=\"0\" readable_date=\"x\" contact_name=\"(Unknown)\" />"
            )
            .unwrap();
        }
    }
    xml.push_str("</smses>\n");
    std::fs::write(path, xml).unwrap();
}
