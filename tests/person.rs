//! What dunwatch knows of the person: the lenders they have, the lists they keep, and what
//! their history says — each through the real binary, on real SQLite files and real imports.

mod common;

use common::*;

/// 2026-11-02 10:00 in Shanghai, in epoch milliseconds, plus `hours`.
fn at(hours: i64) -> i64 {
    1_793_584_800_000 + hours * 3_600_000
}

fn msg(sender: &str, body: &str, ts_ms: i64) -> FixtureMessage {
    FixtureMessage {
        sender: sender.into(),
        body: body.into(),
        ts_ms,
        incoming: true,
        contact: None,
    }
}

/// An environment pinned to Shanghai time, with `msgs` imported from one backup.
fn imported(msgs: &[FixtureMessage]) -> Env {
    let env = Env::new();
    std::fs::create_dir_all(env.path("config")).unwrap();
    std::fs::write(
        env.path("config/config.toml"),
        "phone_timezone = \"Asia/Shanghai\"\nlanguage = \"en\"\n",
    )
    .unwrap();
    import(&env, "first.xml", msgs);
    env
}

fn import(env: &Env, name: &str, msgs: &[FixtureMessage]) {
    let file = env.path(name);
    std::fs::write(&file, sbr_document(msgs)).unwrap();
    let out = env.run(&["scan", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn shown(env: &Env, id: i64) -> serde_json::Value {
    let out = env.run(&["show", &id.to_string(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(stdout(&out).trim()).unwrap()
}

fn rules_of(v: &serde_json::Value) -> Vec<String> {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect()
}

fn id_of(env: &Env, body_part: &str) -> i64 {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.query_row(
        "SELECT id FROM message WHERE instr(body, ?1) > 0 ORDER BY id LIMIT 1",
        [body_part],
        |r| r.get(0),
    )
    .unwrap()
}

const WEBANK_DISBURSED: &str = "【微众银行】您的微粒贷借款5000.00元已成功发放，请留意还款日。";
const WEBANK_OVERDUE: &str =
    "【微众银行】您的微粒贷已逾期3天，应还2156.20元，请在微信“微粒贷”中还款。";
const ALIPAY_OVERDUE: &str = "【花呗】您的花呗账单已逾期2天，应还1200.00元，请及时在支付宝还款。";

#[test]
fn a_disbursal_from_the_official_number_shows_an_account_and_later_notices_say_so() {
    let env = imported(&[
        msg("95384", WEBANK_DISBURSED, at(0)),
        msg("95384", WEBANK_OVERDUE, at(24 * 20)),
        msg("95188", ALIPAY_OVERDUE, at(24 * 20 + 1)),
    ]);
    let out = env.run(&["lenders", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lenders = json_lines(&out);
    let webank = lenders.iter().find(|l| l["id"] == "webank").unwrap();
    assert_eq!(webank["account"], "seen");
    assert_eq!(
        webank["seen_in"]["message_id"].as_i64(),
        Some(id_of(&env, "已成功发放"))
    );
    assert_eq!(webank["hotline"], "95384");
    let alipay = lenders.iter().find(|l| l["id"] == "alipay").unwrap();
    assert_eq!(alipay["account"], "unknown");

    let webank_notice = shown(&env, id_of(&env, "微粒贷已逾期"));
    assert_eq!(webank_notice["category"], "overdue");
    assert!(rules_of(&webank_notice).contains(&"account.have".to_string()));
    assert!(
        webank_notice["advice"]
            .as_str()
            .unwrap()
            .contains("你在微众银行有借款账户"),
        "{webank_notice}"
    );
    // Genuine-looking, from 95188 itself, but nothing shows a loan there: said plainly,
    // with the credit report and the registry's hotline, still an overdue notice.
    let alipay_notice = shown(&env, id_of(&env, "花呗账单已逾期"));
    assert_eq!(alipay_notice["category"], "overdue");
    assert!(rules_of(&alipay_notice).contains(&"account.none".to_string()));
    let advice = alipay_notice["advice"].as_str().unwrap();
    assert!(
        advice.contains("征信中心") && advice.contains("95188"),
        "{advice}"
    );
    assert!(advice.contains("不要拨打短信里的号码"), "{advice}");
}

#[test]
fn lenders_add_and_remove_accept_names_and_change_what_notices_say() {
    let env = imported(&[msg("95188", ALIPAY_OVERDUE, at(0))]);
    let out = env.run(&["lenders", "add", "花呗"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("alipay ("), "{}", stdout(&out));
    let again = env.run(&["lenders", "add", "alipay"]);
    assert!(
        stdout(&again).contains("nothing changed"),
        "{}",
        stdout(&again)
    );
    let lenders = json_lines(&env.run(&["lenders", "--json"]));
    let alipay = lenders.iter().find(|l| l["id"] == "alipay").unwrap();
    assert_eq!(alipay["account"], "declared");
    // The notice stored before says so now.
    let notice = shown(&env, id_of(&env, "花呗账单已逾期"));
    let text = stdout(&env.run(&["show", &notice["id"].to_string(), "--details"]));
    assert!(text.contains("account.have"), "{text}");
    assert!(!text.contains("account.none"), "{text}");

    let out = env.run(&["lenders", "remove", "Alipay (Huabei/Jiebei)"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lenders = json_lines(&env.run(&["lenders", "--json"]));
    let alipay = lenders.iter().find(|l| l["id"] == "alipay").unwrap();
    assert_eq!(alipay["account"], "none");
    let check = env.run(&["check", "--sender", "95188", "--json", ALIPAY_OVERDUE]);
    let v: serde_json::Value = serde_json::from_str(stdout(&check).trim()).unwrap();
    assert!(rules_of(&v).contains(&"account.none".to_string()), "{v}");
    assert!(
        v["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["description"].as_str().unwrap().contains("你说过")),
        "{v}"
    );
}

#[test]
fn an_unknown_lender_is_an_error_that_lists_the_close_ones_and_changes_nothing() {
    let env = imported(&[msg("95188", ALIPAY_OVERDUE, at(0))]);
    let out = env.run(&["lenders", "add", "webank", "微众"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("\"微众\"") && err.contains("webank"), "{err}");
    let lenders = json_lines(&env.run(&["lenders", "--json"]));
    assert!(lenders.iter().all(|l| l["account"] != "declared"));
}

#[test]
fn check_honours_the_block_and_trust_lists_and_says_so() {
    let env = imported(&[msg("13800001111", "周末有空一起吃饭吗？", at(0))]);
    let plain = env.run(&[
        "check",
        "--sender",
        "13800001111",
        "--json",
        "明天下午三点开会",
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&plain).trim()).unwrap();
    assert_eq!(v["category"], "other");

    let out = env.run(&["block", "13800001111"]);
    assert!(stdout(&out).contains("blocked"), "{}", stdout(&out));
    let blocked = env.run(&[
        "check",
        "--sender",
        "13800001111",
        "--json",
        "明天下午三点开会",
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&blocked).trim()).unwrap();
    assert_eq!(v["category"], "scam");
    assert!(rules_of(&v).contains(&"user.blocked_sender".to_string()));
    assert!(
        v["advice"].as_str().unwrap().contains("你已屏蔽这个号码"),
        "{v}"
    );

    // Trusting a blocked sender says what changed.
    let out = env.run(&["trust", "13800001111"]);
    assert!(
        stdout(&out).contains("was blocked; now it is trusted"),
        "{}",
        stdout(&out)
    );
    let out = env.run(&["trust", "13800001111"]);
    assert!(stdout(&out).contains("already trusted"), "{}", stdout(&out));
    let out = env.run(&["block", "+86 138 0000 1111"]);
    assert!(
        stdout(&out).contains("was trusted; now it is blocked"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn classify_is_pure_without_db_and_honours_the_person_with_it() {
    let env = imported(&[msg("13800001111", "周末有空一起吃饭吗？", at(0))]);
    env.run(&["block", "13800001111"]);
    let line = r#"{"id":1,"sender":"13800001111","body":"明天下午三点开会"}"#;
    let run = |args: &[&str]| {
        let mut cmd = env.cmd();
        cmd.args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(line.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str::<serde_json::Value>(stdout(&out).trim()).unwrap()
    };
    assert_eq!(run(&["classify"])["category"], "other");
    let db = env.db();
    let with = run(&["--db", db.to_str().unwrap(), "classify"]);
    assert_eq!(with["category"], "scam");
    let missing = env.run(&["--db", env.path("nope.db").to_str().unwrap(), "classify"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("no database at"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn mark_rewrites_the_headline_and_advice_and_clearing_nothing_says_so() {
    let threat = "再不还钱就联系你单位领导和家人，明天上门催收，后果自负。";
    let env = imported(&[msg("13900001111", threat, at(0))]);
    let id = id_of(&env, "后果自负");
    let before = shown(&env, id);
    assert_eq!(before["category"], "harassment");
    let out = env.run(&["mark", &id.to_string(), "--as", "scam"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = shown(&env, id);
    assert_eq!(after["category"], "scam");
    assert_ne!(after["headline"], before["headline"]);
    assert!(
        after["headline"].as_str().unwrap().contains("诈骗"),
        "{after}"
    );
    assert!(
        after["advice"].as_str().unwrap().contains("不要转账"),
        "{after}"
    );

    let out = env.run(&["mark", &id.to_string(), "--clear"]);
    assert!(
        stdout(&out).contains("back to harassment"),
        "{}",
        stdout(&out)
    );
    assert_eq!(shown(&env, id)["headline"], before["headline"]);
    let out = env.run(&["mark", &id.to_string(), "--clear"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("no correction to clear"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn one_text_from_three_numbers_is_a_campaign_even_when_it_names_a_lender() {
    let text =
        |n: u32| format!("【微众银行】您的微粒贷借款{n}元已逾期，请联系专员处理，以免影响征信。");
    let env = imported(&[
        msg("10690001001", &text(1200), at(0)),
        msg("10690001002", &text(3400), at(5)),
        msg("10690001003", &text(5600), at(30)),
    ]);
    let third = shown(&env, id_of(&env, "5600"));
    assert!(
        rules_of(&third).contains(&"history.campaign".to_string()),
        "{third}"
    );
    assert_eq!(third["category"], "scam", "{third}");
    // The first did not know at import; `show` says it now.
    let first = shown(&env, id_of(&env, "1200"));
    let context: Vec<&str> = first["context_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert!(context.contains(&"history.campaign"), "{first}");
}

#[test]
fn more_collection_messages_in_a_day_than_the_rules_allow_are_harassment() {
    let bodies = [
        "【还呗】您的借款已逾期1天，请今日还款。",
        "【还呗】您的借款已逾期，请及时处理以免影响信用。",
        "【还呗】提醒：您的账单逾期未还，请尽快还款。",
        "【还呗】最后提醒：借款逾期将影响征信，请马上还款。",
    ];
    let msgs: Vec<FixtureMessage> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| msg("10690000888", b, at(i as i64)))
        .collect();
    let env = imported(&msgs);
    let fourth = shown(&env, id_of(&env, "最后提醒"));
    assert!(
        rules_of(&fourth).contains(&"history.frequent_collection".to_string()),
        "{fourth}"
    );
    let third = shown(&env, id_of(&env, "账单逾期未还"));
    assert!(!rules_of(&third).contains(&"history.frequent_collection".to_string()));
}

#[test]
fn a_number_that_began_with_a_scam_stays_suspect() {
    let scam = "【京东金融】您的金条账户利率过高需注销，请致电4008123001办理，否则影响征信。";
    let env = imported(&[msg("17011110001", scam, at(0))]);
    import(
        &env,
        "second.xml",
        &[msg("17011110001", "您好，您的借款事宜请回电处理。", at(48))],
    );
    let later = shown(&env, id_of(&env, "请回电处理"));
    assert!(
        rules_of(&later).contains(&"history.scam_sender".to_string()),
        "{later}"
    );
    // A correction of the first message takes it back.
    let first = id_of(&env, "利率过高");
    env.run(&["mark", &first.to_string(), "--as", "other"]);
    let check = env.run(&[
        "check",
        "--sender",
        "17011110001",
        "--json",
        "您好，您的借款事宜请回电处理。",
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&check).trim()).unwrap();
    assert!(
        !rules_of(&v).contains(&"history.scam_sender".to_string()),
        "{v}"
    );
}

#[test]
fn the_weekly_report_lists_notices_from_lenders_without_an_account_apart_and_calls_none_doubtful() {
    let env = imported(&[
        msg("95384", WEBANK_DISBURSED, at(0)),
        msg("95384", WEBANK_OVERDUE, at(24 * 14)),
        msg("95188", ALIPAY_OVERDUE, at(24 * 14 + 2)),
    ]);
    let out_file = env.path("r.md");
    let out = env.run(&[
        "report",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-22",
        "--format",
        "md",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let md = std::fs::read_to_string(&out_file).unwrap();
    assert!(
        md.contains("1 genuine overdue notice from 微众银行"),
        "{md}"
    );
    assert!(
        md.contains("1 overdue notice from lenders you have no account with"),
        "{md}"
    );
    assert!(!md.contains("oubtful"), "{md}");
}
