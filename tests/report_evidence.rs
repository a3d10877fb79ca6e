//! Reports against the known fixture week, HTML escaping, and evidence that detects edits.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::*;
use dunwatch::model::Category;
use dunwatch::report::{Format, Lang, Period, Report};
use dunwatch::store::Store;
use dunwatch::store::history::Filter;

fn fixture_report(lang: Lang) -> (tempfile::TempDir, Vec<i64>, Report) {
    let dir = tempfile::tempdir().unwrap();
    let (db, ids) = fixture_db(dir.path());
    let store = Store::open(&db).unwrap();
    let period = Period::week_of(in_week(), shanghai());
    let report = Report::build(
        &store,
        &dunwatch::classify::Engine::builtin().unwrap(),
        period,
        lang,
    )
    .unwrap();
    (dir, ids, report)
}

#[test]
fn weekly_report_totals_match_the_fixture() {
    let (_dir, ids, r) = fixture_report(Lang::En);
    assert_eq!(r.period.first_day.to_string(), "2026-11-16");
    assert_eq!(r.period.last_day.to_string(), "2026-11-22");
    assert_eq!(r.period.timezone, TZ);
    assert_eq!(r.totals[&Category::Scam], 4);
    assert_eq!(r.totals[&Category::Overdue], 7);
    assert_eq!(r.totals[&Category::Harassment], 1);
    assert_eq!(r.totals[&Category::Reminder], 0);
    assert_eq!(
        r.totals[&Category::Other],
        1,
        "the outgoing reply is not counted"
    );
    assert_eq!(r.debt_total, 12);

    let lender = |id: &str| r.lenders.iter().find(|l| l.lender == id).unwrap();
    assert_eq!(lender("huanbei").total, 4);
    assert_eq!(lender("jd").by_category[&Category::Scam], 3);
    assert_eq!(
        lender("webank").total,
        1,
        "next week's notice is not in this week"
    );
    assert_eq!(r.lenders[0].lender, "huanbei", "largest first");

    // Zhaolian never sent a loan message and the person never said they have one there:
    // listed apart, not as a genuine notice.
    assert_eq!(r.no_account.len(), 1);
    assert_eq!(r.no_account[0].id, ids[5]);
    assert!(r.doubtful.is_empty());
    // The three 京东 scams are one campaign from three numbers.
    let campaign: Vec<_> = r
        .scams
        .iter()
        .filter(|i| i.reasons.iter().any(|x| x.rule == "history.campaign"))
        .collect();
    assert_eq!(campaign.len(), 3);
    // Breaches: the four huanbei notices of 2026-11-21; the 23:30 threat is listed under
    // harassment with its night-time reason.
    assert_eq!(r.breaches.len(), 4);
    assert_eq!(r.harassment.len(), 1);
    let night = &r.harassment[0];
    assert_eq!(night.time, "2026-11-20 23:30");
    assert!(
        night
            .reasons
            .iter()
            .any(|x| x.rule == "time.night" && x.evidence == "23:30")
    );
    assert!(
        r.breaches
            .iter()
            .filter(|i| i.lender.as_deref() == Some("huanbei"))
            .all(|i| i
                .reasons
                .iter()
                .any(|x| x.rule == "history.frequent_collection"))
    );
    assert_eq!(r.rule_breakers, vec!["还呗", "马上消费金融"]);
    assert_eq!(
        r.summary,
        "The week of 2026-11-16 to 2026-11-22: 6 genuine overdue notices from 微众银行, 美团 and 还呗, 1 overdue notice from lenders you have no account with, 4 scams identified, 2 collectors broke the rules."
    );
    // Daily series: seven days, the 21st has the four huanbei notices.
    assert_eq!(r.daily.len(), 7);
    let d21 = r.daily.iter().find(|d| d.date == "2026-11-21").unwrap();
    assert_eq!(d21.by_category[&Category::Overdue], 4);
    // Next steps and the fixed complaint channels.
    assert!(r.next_steps.len() >= 3);
    let genuine = r
        .next_steps
        .iter()
        .find(|s| s.starts_with("Genuine"))
        .unwrap();
    assert!(
        genuine.contains("微众银行") && !genuine.contains("招联金融"),
        "{genuine}"
    );
    // The official way to reach each genuine lender comes from the registry, never from a
    // message.
    assert!(
        r.next_steps
            .iter()
            .any(|s| s == "微众银行: WeiLiDai inside WeChat, official hotline 95384"),
        "{:#?}",
        r.next_steps
    );
    let contacts: Vec<&str> = r.channels.iter().map(|c| c.contact.as_str()).collect();
    assert!(contacts.iter().any(|c| c.contains("reportfraud.ftc.gov")));
    assert!(contacts.iter().any(|c| c.contains("consumerfinance.gov")));
    assert!(contacts.iter().any(|c| c.contains("actionfraud")));
    assert!(contacts.contains(&"12378"));
}

#[test]
fn chinese_report_opens_with_one_chinese_sentence_and_names_the_channels() {
    let (_dir, _ids, r) = fixture_report(Lang::ZhCn);
    assert_eq!(
        r.summary,
        "2026-11-16 至 2026-11-22 这一周：微众银行、美团和还呗发来 6 条真实逾期通知，1 条逾期通知来自你没有登记借款的机构，识别出 4 条诈骗短信，2 个催收方违反催收规定。"
    );
    let md = r.render(Format::Md).unwrap();
    assert!(md.contains("2026-11-16 – 2026-11-22"));
    assert!(
        md.contains("微众银行：微信“微粒贷”，官方客服 95384"),
        "{md}"
    );
    for channel in ["12378", "12321", "110"] {
        assert!(md.contains(channel), "{channel} missing");
    }
}

#[test]
fn empty_week_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("e.db")).unwrap();
    let r = Report::build(
        &store,
        &dunwatch::classify::Engine::builtin().unwrap(),
        Period::week_of(in_week(), shanghai()),
        Lang::En,
    )
    .unwrap();
    assert_eq!(
        r.summary,
        "The week of 2026-11-16 to 2026-11-22: no messages about loans or debt collection."
    );
    assert!(r.render(Format::Html).unwrap().contains("<svg"));
}

#[test]
fn html_report_escapes_message_markup_and_loads_nothing_external() {
    let (_dir, _ids, r) = fixture_report(Lang::En);
    let html = r.render(Format::Html).unwrap();
    assert!(
        !html.contains("<script"),
        "message markup leaked into the page"
    );
    assert!(!html.contains("<img"));
    // The template engine's HTML escaping writes ' and / as character references too.
    assert!(html.contains(
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt;&lt;img src=x onerror=alert(1)&gt;"
    ));
    for external in [
        "http://", "https://", "<link", "@import", "url(", " src=\"", " href=\"",
    ] {
        let outside_svg_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(!outside_svg_ns.contains(external), "{external} found");
    }
    assert_eq!(
        html.matches("<svg").count(),
        2,
        "per-day and per-lender charts"
    );
    // Markdown escapes the markup too.
    let md = r.render(Format::Md).unwrap();
    assert!(!md.contains("<script"));
    // JSON keeps the text exactly.
    let json: serde_json::Value = serde_json::from_str(&r.render(Format::Json).unwrap()).unwrap();
    assert!(
        json["scams"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["body"] == SCRIPT_BODY)
    );
    assert_eq!(json["totals"]["scam"], 4);
    assert_eq!(json["period"]["first_day"], "2026-11-16");
}

#[test]
fn report_cli_writes_a_private_file_for_a_date_range() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fixture_db(dir.path());
    let config = config_file(dir.path(), "en");
    let out_file = dir.path().join("r.html");
    let out = Command::cargo_bin("dunwatch")
        .unwrap()
        .env("DUNWATCH_DATA_DIR", dir.path())
        .args([
            "--db",
            db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ])
        .args([
            "report",
            "--from",
            "2026-11-21",
            "--to",
            "2026-11-21",
            "--format",
            "html",
            "--out",
        ])
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let html = std::fs::read_to_string(&out_file).unwrap();
    assert!(html.contains("From 2026-11-21 to 2026-11-21: 4 genuine overdue notices from 还呗"));
    assert_private(&out_file, 0o600);
}

#[test]
fn write_weekly_puts_last_weeks_report_in_the_reports_dir() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fixture_db(dir.path());
    let store = Store::open(&db).unwrap();
    let config_path = config_file(dir.path(), "zh-CN");
    let paths = dunwatch::paths::Paths::resolve(Some(&db), Some(&config_path)).unwrap();
    let mut config = dunwatch::config::Config::load(&paths).unwrap();
    config.reports.dir = Some(dir.path().join("reports").display().to_string());
    // Monday 2026-11-23 09:00 Shanghai: the report covers 16–22 November.
    let now = jiff::Timestamp::from_millisecond(at("2026-11-23 09:00")).unwrap();
    let path = dunwatch::report::write_weekly(
        &store,
        &dunwatch::classify::Engine::builtin().unwrap(),
        &config,
        &paths,
        now,
    )
    .unwrap();
    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        "dunwatch-week-2026-11-16_2026-11-22.html"
    );
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(
        html.contains("2026-11-16 至 2026-11-22 这一周：微众银行、美团和还呗发来 6 条真实逾期通知")
    );
    assert!(path.with_extension("md").exists());
    assert_private(&path, 0o600);
    assert_private(path.parent().unwrap(), 0o700);
}

fn assert_private(path: &Path, want: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, want, "{} is {mode:o}", path.display());
    }
    #[cfg(not(unix))]
    let _ = (path, want);
}

fn export(dir: &Path) -> std::path::PathBuf {
    let (db, _) = fixture_db(dir);
    let store = Store::open(&db).unwrap();
    let out = dir.join("evidence");
    let done = dunwatch::evidence::export(
        &store,
        &Filter {
            categories: Category::DEBT.to_vec(),
            ..Filter::default()
        },
        vec!["category: debt".into()],
        &out,
        &shanghai(),
        false,
    )
    .unwrap();
    assert_eq!(done.messages, 16);
    out
}

/// `evidence verify` against the database the export was made from.
fn verify(dir: &Path, out: &Path) -> dunwatch::evidence::Verified {
    let store = Store::open(&dir.join("fixture.db")).unwrap();
    dunwatch::evidence::verify(out, dunwatch::evidence::Against::Database(&store)).unwrap()
}

#[test]
fn evidence_has_every_format_with_source_positions_and_private_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = export(dir.path());
    assert_private(&out, 0o700);
    for name in [
        "messages.csv",
        "messages.json",
        "messages.html",
        "manifest.json",
        "manifest.sha256",
    ] {
        assert_private(&out.join(name), 0o600);
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("messages.json")).unwrap()).unwrap();
    let first = &json[0];
    assert_eq!(first["source_file"], SOURCE);
    assert_eq!(
        first["position"]["record"], 3,
        "oldest first: the huanbei loan message"
    );
    assert_eq!(first["time"], "2026-11-01T12:00:00+08:00");
    let csv = std::fs::read_to_string(out.join("messages.csv")).unwrap();
    assert_eq!(csv.lines().count(), 17);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains("source_file,record,line,byte_offset")
    );
    let html = std::fs::read_to_string(out.join("messages.html")).unwrap();
    assert!(!html.contains("<script"));
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains(&SOURCE.replace('/', "&#x2f;")), "{html}");
    let v = verify(dir.path(), &out);
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert_eq!(v.messages, 16);
    // A second export into the same folder is refused rather than mixed in.
    let store = Store::open(&dir.path().join("fixture.db")).unwrap();
    assert!(
        dunwatch::evidence::export(&store, &Filter::default(), vec![], &out, &shanghai(), false)
            .is_err()
    );
}

fn flip_byte(path: &Path, at: usize) {
    let mut data = std::fs::read(path).unwrap();
    let i = at.min(data.len() - 1);
    // Change a digit or letter into another of its kind so the file still parses where
    // possible (the harder case for the checker).
    data[i] = match data[i] {
        b'0'..=b'8' | b'a'..=b'e' => data[i] + 1,
        b'9' => b'0',
        b'f' => b'a',
        _ => data[i] ^ 0x01,
    };
    std::fs::write(path, data).unwrap();
}

#[test]
fn evidence_verify_names_the_file_after_any_one_byte_edit() {
    for name in [
        "messages.csv",
        "messages.json",
        "messages.html",
        "manifest.json",
        "manifest.sha256",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = export(dir.path());
        let len = std::fs::metadata(out.join(name)).unwrap().len() as usize;
        flip_byte(&out.join(name), len / 2);
        let v = verify(dir.path(), &out);
        assert!(!v.problems.is_empty(), "{name}: edit not detected");
        let named = v.problems.iter().any(|p| p.to_string().contains(name));
        assert!(named, "{name}: {:?}", v.problems);
    }
}

#[test]
fn evidence_verify_names_the_message_whose_text_was_edited_even_with_new_file_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let out = export(dir.path());
    // Change one character of message 4's body and recompute every file hash, as a careful
    // forger would: the message hash and the chain still give it away.
    let path = out.join("messages.json");
    let mut records: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let body = records[3]["body"].as_str().unwrap().replace("逾期", "到期");
    records[3]["body"] = body.into();
    let data = serde_json::to_vec_pretty(&records).unwrap();
    std::fs::write(&path, &data).unwrap();
    let mpath = out.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&mpath).unwrap()).unwrap();
    for f in manifest["files"].as_array_mut().unwrap() {
        if f["name"] == "messages.json" {
            f["sha256"] = dunwatch::evidence::sha256_hex(&data).into();
        }
    }
    let mbytes = serde_json::to_vec_pretty(&manifest).unwrap();
    std::fs::write(&mpath, &mbytes).unwrap();
    std::fs::write(
        out.join("manifest.sha256"),
        format!(
            "{}  manifest.json\n",
            dunwatch::evidence::sha256_hex(&mbytes)
        ),
    )
    .unwrap();
    let v = verify(dir.path(), &out);
    let id = records[3]["id"].as_i64().unwrap();
    assert!(
        v.problems.iter().any(|p| p
            .to_string()
            .contains(&format!("message 4 (id {id}) was changed"))),
        "{:?}",
        v.problems
    );
}

#[test]
fn evidence_cli_exports_filters_and_verify_exits_non_zero_after_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fixture_db(dir.path());
    let config = config_file(dir.path(), "en");
    let out = dir.path().join("ev");
    let cmd = || {
        let mut c = Command::cargo_bin("dunwatch").unwrap();
        c.env("DUNWATCH_DATA_DIR", dir.path()).args([
            "--db",
            db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ]);
        c
    };
    let o = cmd()
        .args([
            "evidence",
            "--lender",
            "huanbei",
            "--since",
            "2026-11-20",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("4 messages"));
    let o = cmd()
        .args(["evidence", "verify"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("intact (4 messages"));
    flip_byte(&out.join("messages.csv"), 300);
    let o = cmd()
        .args(["evidence", "verify"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("messages.csv was changed"), "{err}");
}

#[test]
fn messages_without_a_time_imported_in_the_week_are_listed_apart() {
    let env = Env::new();
    let file = env.path("export.jsonl");
    std::fs::write(
        &file,
        "{\"address\":\"10690000\",\"body\":\"您的账户已被冻结，请点击 http://abc-kefu.top 解冻\",\"type\":1,\"when\":\"yesterday\"}\n",
    )
    .unwrap();
    let out = env.run(&["scan", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.run(&["report", "--format", "md"]);
    let md = stdout(&out);
    assert!(
        md.contains("## Messages without a time") || md.contains("## 没有时间的短信"),
        "{md}"
    );
    assert!(md.contains("abc-kefu.top"), "{md}");
    assert!(
        !md.contains("****"),
        "an empty time is said, not shown as empty bold: {md}"
    );
    let out = env.run(&["report", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["undated"][0]["category"], "scam", "{v}");
}

#[test]
fn an_english_report_of_chinese_messages_lists_china_s_complaint_channels_first() {
    // The fixture week's messages are Chinese (one English scam among them).
    let (_dir, _ids, r) = fixture_report(Lang::En);
    let names: Vec<&str> = r.channels.iter().map(|c| c.name.as_str()).collect();
    assert!(names[0].starts_with("China"), "{names:?}");
    assert!(names[1].starts_with("China"), "{names:?}");
    let us = names.iter().position(|n| n.starts_with("US")).unwrap();
    assert!(us > 1, "{names:?}");
}
