//! The command line speaks the person's language: Chinese under a Chinese locale, English
//! otherwise, `language` in the config over both — every command, `--help`, the errors and
//! the first-run screen, through the real binary. Rule ids stay in `--json` and `--details`.
//! The service, rules and review-page commands are in cli_lang_tools.rs.

mod common;

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// The rule ids of every reason `show --json` gives for message `id`.
fn rule_ids(env: &Env, id: &str) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(ok(env.run(&["show", id, "--json"])).trim()).unwrap();
    let mut ids: Vec<String> = ["reasons", "context_reasons"]
        .iter()
        .flat_map(|k| v[k].as_array().cloned().unwrap_or_default())
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert!(!ids.is_empty(), "{v}");
    ids
}

#[test]
fn history_speaks_chinese_when_lang_is_zh_cn() {
    let env = imported("");
    let text = ok(zh(&env, &["history"]));
    let header = text.lines().next().unwrap();
    for word in ["编号", "时间", "类别", "机构", "发件人", "内容"] {
        assert!(header.contains(word), "{text}");
    }
    assert!(
        text.contains("疑似诈骗") && text.contains("微众银行"),
        "{text}"
    );
    assert!(
        !text.contains("CATEGORY") && !text.contains(" scam "),
        "{text}"
    );
    let none = ok(zh(&env, &["history", "--search", "不存在的字"]));
    assert!(none.starts_with("没有符合条件的短信"), "{none}");
    // The C locale speaks English.
    let en = ok(env.run(&["history"]));
    assert!(en.lines().next().unwrap().contains("CATEGORY"), "{en}");
    assert!(en.contains("scam"), "{en}");
}

#[test]
fn config_language_en_overrides_a_chinese_locale() {
    let env = imported("language = \"en\"\n");
    let text = ok(zh(&env, &["history"]));
    assert!(text.lines().next().unwrap().contains("CATEGORY"), "{text}");
    let help = ok(zh(&env, &["--help"]));
    assert!(help.contains("Usage:") && !help.contains("用法"), "{help}");
}

#[test]
fn config_language_zh_cn_overrides_an_english_locale() {
    let env = imported("language = \"zh-CN\"\n");
    let text = ok(env.run(&["history"]));
    assert!(text.lines().next().unwrap().contains("类别"), "{text}");
    // Read before the arguments are: `--help` follows the config file too.
    let help = ok(env.run(&["history", "--help"]));
    assert!(help.contains("选项:"), "{help}");
}

#[test]
fn zh_tw_locales_read_chinese_words() {
    let env = imported("");
    let mut cmd = env.cmd();
    let out = english(&mut cmd)
        .env("LC_ALL", "zh_TW.UTF-8")
        .args(["history"])
        .output()
        .unwrap();
    let text = ok(out);
    assert!(text.lines().next().unwrap().contains("類別"), "{text}");
    assert!(text.contains("疑似詐騙"), "{text}");
}

/// `cmd` under a Taiwan locale, LANG only (as most desktops set it).
fn tw(env: &Env, args: &[&str]) -> Output {
    let mut cmd = env.cmd();
    english(&mut cmd)
        .env("LANG", "zh_TW.UTF-8")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_taiwan_reader_reads_the_rules_reasons_as_taiwan_writes_them() {
    let env = imported("");
    let text = ok(tw(
        &env,
        &[
            "check",
            "--sender",
            "17088886666",
            "【微众银行】您的微粒贷已逾期，请联系专员QQ12345办理，账户将被冻结",
        ],
    ));
    // The rules' own Traditional text (聯絡, 帳戶, 簡訊), where converting the Simplified
    // description character by character wrote 聯系 and kept the mainland's 短信.
    for said in [
        "要你加 QQ／微信或聯絡「專員」，不走官方客服",
        "「涉嫌洗錢、帳戶凍結、資產保全」",
        "說明借款或帳單已逾期、欠款未還",
    ] {
        assert!(text.contains(said), "{said:?} not in\n{text}");
    }
    assert!(
        !text.contains("聯系") && !text.contains("聯繫「專員」"),
        "{text}"
    );
}

#[test]
fn a_taiwan_locale_reads_traditional_words_and_never_their_simplified_forms() {
    let env = imported("");
    // A command, and the Traditional words it says with the same words in Simplified.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);
    let cases: [Case; 3] = [
        (
            &["--help"],
            &[("選項", "选项"), ("顯示版本", "显示版本"), ("匯入", "导入")],
        ),
        (
            &["history"],
            &[
                ("類別", "类别"),
                ("機構", "机构"),
                ("時間", "时间"),
                ("疑似詐騙", "疑似诈骗"),
            ],
        ),
        (
            &["doctor"],
            &[
                ("路徑", "路径"),
                ("監視的資料夾", "监视的文件夹"),
                ("規則：已載入", "规则：已加载"),
            ],
        ),
    ];
    for (args, words) in cases {
        let text = ok(tw(&env, args));
        for (traditional, simplified) in words {
            assert!(
                text.contains(traditional),
                "{traditional} not in {args:?}:\n{text}"
            );
            assert!(
                !text.contains(simplified),
                "{simplified} in {args:?}:\n{text}"
            );
        }
        // --help and doctor say only the catalog's words (besides paths and the system's
        // English): Traditional throughout. history also shows the messages as written.
        if args[0] != "history" {
            let traditional = zhconv::zhconv(&text, zhconv::Variant::ZhHant);
            assert_eq!(traditional, text, "{args:?} is not all Traditional");
        }
    }
}

#[test]
fn help_is_chinese_under_a_chinese_locale() {
    let env = Env::new();
    let top = ok(zh(&env, &["--help"]));
    assert!(top.contains("用法:") && top.contains("命令:"), "{top}");
    assert!(
        !top.contains("Usage:") && !top.contains("Commands:"),
        "{top}"
    );
    assert!(!top.contains("Options:"), "{top}");
    let history = ok(zh(&env, &["history", "--help"]));
    assert!(
        history.contains("选项:") && history.contains("默认"),
        "{history}"
    );
    assert!(!history.contains("[default"), "{history}");
    // Every line of a command's help that says something says it in Chinese (options and
    // values are the command line's own words).
    for line in history.lines().filter(|l| l.trim_start().starts_with("--")) {
        assert!(has_han(line), "{line:?} in\n{history}");
    }
    let lenders = ok(zh(&env, &["lenders", "add", "--help"]));
    assert!(has_han(lenders.lines().next().unwrap()), "{lenders}");
    let en = ok(env.run(&["--help"]));
    assert!(
        en.contains("Usage:") && !has_han(en.lines().next().unwrap()),
        "{en}"
    );
}

#[test]
fn show_names_no_rule_id_outside_json_and_details() {
    let env = imported("");
    let ids = rule_ids(&env, "1");
    for (lang, out) in [
        ("zh", zh(&env, &["show", "1"])),
        ("C", env.run(&["show", "1"])),
    ] {
        let text = ok(out);
        for id in &ids {
            assert!(!text.contains(id.as_str()), "{lang}: {id} in\n{text}");
        }
    }
    let text = ok(zh(&env, &["show", "1"]));
    assert!(
        text.contains("判断依据") && text.contains("疑似诈骗"),
        "{text}"
    );
    let details = ok(zh(&env, &["show", "1", "--details"]));
    let (before, after) = details.split_once("详情").expect("a details block");
    for id in &ids {
        assert!(after.contains(id.as_str()), "{id} not in\n{details}");
        assert!(
            !before.contains(id.as_str()),
            "{id} before 详情 in\n{details}"
        );
    }
}

#[test]
fn check_names_no_rule_id_outside_json_and_details() {
    let env = Env::new();
    let json = ok(env.run(&["check", "--json", "--sender", "17088886666", SCAM]));
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    let ids: Vec<&str> = v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert!(!ids.is_empty(), "{v}");
    let text = ok(zh(&env, &["check", "--sender", "17088886666", SCAM]));
    assert!(text.contains("类别") && text.contains("疑似诈骗"), "{text}");
    for id in &ids {
        assert!(!text.contains(id), "{id} in\n{text}");
    }
    let details = ok(zh(
        &env,
        &["check", "--details", "--sender", "17088886666", SCAM],
    ));
    let (_, after) = details.split_once("详情").expect("a details block");
    assert!(ids.iter().all(|id| after.contains(id)), "{details}");
}

#[test]
fn every_command_speaks_chinese_under_a_chinese_locale() {
    let env = imported("");
    let stats = ok(zh(&env, &["stats"]));
    assert!(
        stats.contains("全部短信") && stats.contains("合计"),
        "{stats}"
    );
    let lenders = ok(zh(&env, &["lenders"]));
    assert!(
        lenders.contains("客服电话") && lenders.contains("你的账户"),
        "{lenders}"
    );
    let add = ok(zh(&env, &["lenders", "add", "微众银行"]));
    assert!(add.starts_with("webank（微众银行）：已记下"), "{add}");
    let trust = ok(zh(&env, &["trust", "95384"]));
    assert!(trust.starts_with("已信任 95384"), "{trust}");
    let senders = ok(zh(&env, &["senders"]));
    assert!(senders.starts_with("信任"), "{senders}");
    let mark = ok(zh(&env, &["mark", "1", "--as", "harassment"]));
    assert!(mark.contains("已改为违规催收"), "{mark}");
    let clear = ok(zh(&env, &["mark", "1", "--clear"]));
    assert!(clear.contains("已撤销"), "{clear}");
    let doctor = ok(zh(&env, &["doctor"]));
    for word in [
        "路径",
        "配置：有效",
        "监视的文件夹",
        "数据库",
        "规则：已加载",
    ] {
        assert!(doctor.contains(word), "{word} not in\n{doctor}");
    }
    let file = env.path("sms.xml");
    let scan = ok(zh(&env, &["scan", file.to_str().unwrap()]));
    assert!(
        scan.contains("自上次扫描以来没有变化") && scan.contains("共 1 个文件"),
        "{scan}"
    );
    let dir = env.path("evidence");
    let evidence = ok(zh(&env, &["evidence", "--out", dir.to_str().unwrap()]));
    assert!(evidence.contains("已把 2 条短信写入"), "{evidence}");
    let verify = ok(zh(&env, &["evidence", "verify", dir.to_str().unwrap()]));
    assert!(verify.contains("完好"), "{verify}");
    let out = env.path("week.md");
    let report = zh(
        &env,
        &[
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(report.status.success(), "{}", stderr(&report));
    assert!(stderr(&report).contains("已写入"), "{}", stderr(&report));
}

#[test]
fn errors_lead_with_the_catalogs_sentence_and_keep_their_detail() {
    let env = imported("");
    let missing = zh(&env, &["show", "999"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).starts_with("dunwatch: 没有编号为 999 的短信"),
        "{}",
        stderr(&missing)
    );
    // A library's error: the sentence and what to do next around its own words.
    std::fs::write(env.path("file"), "").unwrap();
    let db = env.path("file/x.db");
    let broken = zh(&env, &["history", "--db", db.to_str().unwrap()]);
    assert!(!broken.status.success());
    let err = stderr(&broken);
    assert!(err.starts_with("dunwatch: 没能完成："), "{err}");
    assert!(err.contains("file/x.db"), "{err}");
    assert!(
        err.contains("下一步：") && err.contains("dunwatch doctor"),
        "{err}"
    );
    let en = env.run(&["history", "--db", db.to_str().unwrap()]);
    let err = stderr(&en);
    assert!(err.starts_with("dunwatch: could not finish: "), "{err}");
    assert!(err.contains("What to do:"), "{err}");
    let lender = zh(&env, &["history", "--lender", "没有这家"]);
    assert_eq!(
        stderr(&lender).trim_end(),
        "dunwatch: 不认识机构“没有这家”：`dunwatch lenders` 会列出所有机构"
    );
    // A name that comes close is suggested in Chinese, with no English reason after it.
    let close = zh(&env, &["history", "--lender", "微众"]);
    assert_eq!(
        stderr(&close).trim_end(),
        "dunwatch: 不认识机构“微众”：你指的是不是 webank（微众银行）？"
    );
    // A path that is not there: named in Chinese, the system's reason after it.
    let missing = env.path("no-such-backup.xml");
    let scan = zh(&env, &["scan", missing.to_str().unwrap()]);
    assert!(
        stderr(&scan).starts_with(&format!("dunwatch: 无法读取 {}：", missing.display())),
        "{}",
        stderr(&scan)
    );
    let since = zh(&env, &["history", "--since", "昨天"]);
    assert!(stderr(&since).contains("请写时长"), "{}", stderr(&since));
    let usage = zh(&env, &["histroy"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(
        stderr(&usage).starts_with("dunwatch: 命令行没有读懂"),
        "{}",
        stderr(&usage)
    );
}

#[test]
fn chinese_output_still_shows_a_strangers_control_characters_escaped() {
    let env = Env::new();
    let file = env.path("sms.xml");
    std::fs::write(
        &file,
        sbr_document(&[FixtureMessage {
            sender: "95\u{202e}384".into(),
            body: "您的借款已逾期\u{1b}[2J请还款".into(),
            ts_ms: at("2026-11-02 10:00"),
            incoming: true,
            contact: Some("妈妈\u{1b}[31m".into()),
        }]),
    )
    .unwrap();
    ok(zh(&env, &["scan", file.to_str().unwrap()]));
    for args in [
        vec!["show", "1", "--details"],
        vec!["history", "--all"],
        vec![
            "check",
            "--sender",
            "95\u{202e}384",
            "您的借款已逾期\u{1b}[2J",
        ],
        vec!["trust", "95\u{202e}384"],
        vec!["senders"],
    ] {
        let text = ok(zh(&env, &args));
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{args:?}: {text:?}"
        );
    }
}

#[test]
fn the_first_run_screen_speaks_chinese() {
    let env = Env::new();
    let out_file = env.path("run.out");
    let mut cmd: Command = env.cmd();
    let mut child = chinese(&mut cmd)
        .arg("run")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/dunwatch-test-bus",
        )
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_file).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut text = String::new();
    while Instant::now() < deadline {
        text.clear();
        std::fs::File::open(&out_file)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        if text.contains("service install") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        text.contains("第一次运行") && text.contains("配置文件"),
        "{text}"
    );
    assert!(
        text.contains("监视的文件夹") && text.contains("（已创建）"),
        "{text}"
    );
    assert!(!text.contains("Get your SMS backups"), "{text}");
}
