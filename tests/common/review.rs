//! A known history built in each test (no files from outside the repo): one week of
//! collection texts in Asia/Shanghai, 2026-11-16 (Mon) – 2026-11-22 (Sun), with what the
//! report must count written next to each message.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use dunwatch::model::{Category, Direction, Message, Position, Reason, Verdict};
use dunwatch::store::{NewMessage, Store, message_key, normalize_sender};

pub const TZ: &str = "Asia/Shanghai";
pub const SOURCE: &str = "/backup/sms-2026-11.xml";
pub const SCRIPT_BODY: &str =
    "<script>alert('x')</script><img src=x onerror=alert(1)> 您的账户已冻结";

/// `2026-11-18 10:15` in Shanghai as UTC milliseconds.
pub fn at(local: &str) -> i64 {
    let dt: jiff::civil::DateTime = local.replace(' ', "T").parse().unwrap();
    dt.to_zoned(jiff::tz::TimeZone::get(TZ).unwrap())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

pub struct Row {
    pub sender: &'static str,
    pub body: &'static str,
    pub local: &'static str,
    pub category: Category,
    pub lender: Option<&'static str>,
    pub direction: Direction,
}

const fn row(
    sender: &'static str,
    body: &'static str,
    local: &'static str,
    category: Category,
    lender: Option<&'static str>,
) -> Row {
    Row {
        sender,
        body,
        local,
        category,
        lender,
        direction: Direction::In,
    }
}

pub fn rows() -> Vec<Row> {
    use Category::*;
    let mut v = vec![
        // Before the week: loan messages from official numbers that show accounts with webank
        // and meituan. The registry knows no official number of huanbei's: the person
        // declares that account (`fixture_db`).
        row(
            "95384",
            "【微众银行】您的微粒贷借款5000.00元已成功发放，请留意还款日。",
            "2026-11-02 10:00",
            Reminder,
            Some("webank"),
        ),
        row(
            "10107888",
            "【美团】您本月美团月付账单已出，应还356.20元。",
            "2026-11-05 09:00",
            Reminder,
            Some("meituan"),
        ),
        row(
            "10690000888",
            "【还呗】您的借款已到账，首期还款日为11月20日。",
            "2026-11-01 12:00",
            Reminder,
            Some("huanbei"),
        ),
        // The week.
        // 1 genuine overdue, webank.
        row(
            "95384",
            "【微众银行】您的微粒贷已逾期3天，应还2156.20元，请在微信“微粒贷”中还款。",
            "2026-11-17 10:15",
            Overdue,
            Some("webank"),
        ),
        // 1 genuine overdue, meituan.
        row(
            "10107888",
            "【美团】您的美团月付已逾期，请尽快在美团App内还款，如已还款请忽略。",
            "2026-11-18 11:00",
            Overdue,
            Some("meituan"),
        ),
        // 1 overdue from a lender with no account: zhaolian, never a loan message from it.
        row(
            "17088886666",
            "【招联金融】您的借款已严重逾期，请立即联系专员处理。",
            "2026-11-19 14:00",
            Overdue,
            Some("zhaolian"),
        ),
        // 3 scams, one template from three numbers: a campaign.
        row(
            "17011110001",
            "【京东金融】您的金条账户利率过高需注销，请致电4008123001办理，否则影响征信。",
            "2026-11-18 09:00",
            Scam,
            Some("jd"),
        ),
        row(
            "17011110002",
            "【京东金融】您的金条账户利率过高需注销，请致电4008123002办理，否则影响征信。",
            "2026-11-19 09:00",
            Scam,
            Some("jd"),
        ),
        row(
            "17011110003",
            "【京东金融】您的金条账户利率过高需注销，请致电4008123003办理，否则影响征信。",
            "2026-11-20 09:00",
            Scam,
            Some("jd"),
        ),
        // 1 scam with markup in it (escaping).
        row(
            "+44 7700 900123",
            SCRIPT_BODY,
            "2026-11-20 12:00",
            Scam,
            None,
        ),
        // 1 harassment at night: mashang breaks the rules.
        row(
            "13900001111",
            "再不还钱就联系你单位领导和家人，明天上门催收，后果自负。",
            "2026-11-20 23:30",
            Harassment,
            Some("mashang"),
        ),
        // 4 overdue from huanbei in one day: more than 3 a day breaks the rules.
        row(
            "10690000888",
            "【还呗】您的借款已逾期1天，请今日还款。",
            "2026-11-21 10:00",
            Overdue,
            Some("huanbei"),
        ),
        row(
            "10690000889",
            "【还呗】您的借款已逾期，请及时处理以免影响信用。",
            "2026-11-21 11:00",
            Overdue,
            Some("huanbei"),
        ),
        row(
            "10690000890",
            "【还呗】提醒：您的账单逾期未还，请尽快还款。",
            "2026-11-21 12:00",
            Overdue,
            Some("huanbei"),
        ),
        row(
            "10690000891",
            "【还呗】最后提醒：借款逾期将影响征信，请马上还款。",
            "2026-11-21 13:00",
            Overdue,
            Some("huanbei"),
        ),
        // 1 other.
        row(
            "13800138000",
            "晚上一起吃饭吗？",
            "2026-11-19 18:00",
            Other,
            None,
        ),
        // After the week: not counted.
        row(
            "95384",
            "【微众银行】您的微粒贷已逾期10天，应还2200.00元。",
            "2026-11-24 10:00",
            Overdue,
            Some("webank"),
        ),
    ];
    // Outgoing in the week: not counted.
    v.push(Row {
        direction: Direction::Out,
        ..row("95384", "好的，我今天还", "2026-11-17 10:30", Other, None)
    });
    v
}

/// Creates the fixture database in `dir`; returns its path and the ids in `rows()` order.
pub fn fixture_db(dir: &Path) -> (PathBuf, Vec<i64>) {
    let path = dir.join("fixture.db");
    let mut store = Store::open(&path).unwrap();
    let ids = insert(&mut store, &rows());
    store
        .declare_account("huanbei", dunwatch::store::person::Declared::Have)
        .unwrap();
    (path, ids)
}

pub fn insert(store: &mut Store, rows: &[Row]) -> Vec<i64> {
    let src = store.source_id(SOURCE).unwrap();
    let batch = store.batch().unwrap();
    let mut ids = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let msg = Message {
            zoneless: None,
            sender: r.sender.into(),
            body: r.body.into(),
            ts_ms: Some(at(r.local)),
            direction: r.direction,
            contact: None,
            position: Position {
                record: i as u64 + 1,
                offset: Some(100 + 200 * i as u64),
                line: None,
            },
        };
        let verdict = Verdict {
            category: r.category,
            lender: r.lender.map(str::to_string),
            score: 0.9,
            reasons: vec![Reason {
                rule: format!("fixture.{}", r.category),
                evidence: r.body.chars().take(4).collect(),
                description: String::new(),
            }],
            advice: "请在官方App核实。".into(),
            headline: String::new(),
        };
        let key = message_key(&msg.sender, msg.direction, msg.ts_ms, &msg.body);
        let sender_norm = normalize_sender(&msg.sender);
        let id = batch
            .insert(
                src,
                &NewMessage {
                    key,
                    sender_norm: &sender_norm,
                    message: &msg,
                    verdict: &verdict,
                },
            )
            .unwrap()
            .unwrap();
        ids.push(id);
    }
    batch.commit().unwrap();
    ids
}

/// A config file pinning the zone and language, so tests do not depend on the machine.
pub fn config_file(dir: &Path, language: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "watch = [\"{}\"]\nlanguage = \"{language}\"\nphone_timezone = \"{TZ}\"\n",
            dir.join("watch").display()
        ),
    )
    .unwrap();
    path
}

pub fn shanghai() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(TZ).unwrap()
}

/// A timestamp inside the fixture week.
pub fn in_week() -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(at("2026-11-19 12:00")).unwrap()
}
