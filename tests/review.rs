//! Review of the history: filters, Chinese search, marks, trust/block lists, stats, feedback.

mod common;

use assert_cmd::Command;
use common::*;
use dunwatch::classify::Engine;
use dunwatch::import::{Importer, NotExports, Quiet};
use dunwatch::ingest::ReadOptions;
use dunwatch::model::Category;
use dunwatch::store::Store;
use dunwatch::store::history::Filter;
use dunwatch::store::senders::Side;

fn bodies(store: &Store, filter: &Filter) -> Vec<String> {
    store
        .history(filter)
        .unwrap()
        .into_iter()
        .map(|e| e.body)
        .collect()
}

#[test]
fn filters_select_by_category_lender_sender_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fixture_db(dir.path());
    let store = Store::open(&db).unwrap();

    let scams = store
        .history(&Filter {
            categories: vec![Category::Scam],
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(scams.len(), 4);
    assert!(scams.iter().all(|e| e.category == Category::Scam));
    // Newest first.
    assert!(scams.windows(2).all(|w| w[0].ts_ms >= w[1].ts_ms));

    let huanbei = store
        .history(&Filter {
            lender: Some("HuanBei".into()),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(huanbei.len(), 5, "one reminder and four overdue notices");

    // Another spelling of the same mobile number.
    let one = bodies(
        &store,
        &Filter {
            sender: Some("+86 170-1111-0002".into()),
            ..Filter::default()
        },
    );
    assert_eq!(one.len(), 1);
    assert!(one[0].contains("4008123002"));

    let day = store
        .history(&Filter {
            since_ms: Some(at("2026-11-21 00:00")),
            until_ms: Some(at("2026-11-22 00:00")),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(day.len(), 4);
    assert!(day.iter().all(|e| e.lender.as_deref() == Some("huanbei")));

    let limited = store
        .history(&Filter {
            limit: 2,
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(limited.len(), 2);
}

#[test]
fn search_finds_chinese_substrings_of_any_length() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fixture_db(dir.path());
    let store = Store::open(&db).unwrap();
    let search = |text: &str| {
        bodies(
            &store,
            &Filter {
                search: Some(text.into()),
                ..Filter::default()
            },
        )
    };
    // Two characters: below the trigram length, answered by the instr fallback.
    let overdue = search("逾期");
    assert_eq!(overdue.len(), 8, "{overdue:#?}");
    assert!(overdue.iter().all(|b| b.contains("逾期")));
    // Three and more: the FTS5 trigram index.
    let weilidai = search("微粒贷");
    assert_eq!(weilidai.len(), 3, "{weilidai:#?}");
    assert!(weilidai.iter().all(|b| b.contains("微粒贷")));
    assert_eq!(search("利率过高需注销").len(), 3);
    // A substring in the middle of a word, which word segmentation would miss.
    assert_eq!(search("粒贷已逾").len(), 2);
    // Senders are searchable too; query syntax characters are plain text.
    assert_eq!(search("95384").len(), 4, "three in, one out");
    assert!(search("\"OR 微粒贷").is_empty());
    assert!(search("不存在的文字").is_empty());
    // The index follows new messages (insert trigger).
    let mut store = store;
    insert(
        &mut store,
        &[Row {
            sender: "95384",
            body: "【微众银行】微粒贷还款成功",
            local: "2026-11-25 09:00",
            category: Category::Reminder,
            lender: Some("webank"),
            direction: dunwatch::model::Direction::In,
        }],
    );
    assert_eq!(
        bodies(
            &store,
            &Filter {
                search: Some("微粒贷还款成功".into()),
                ..Filter::default()
            }
        )
        .len(),
        1
    );
}

#[test]
fn search_index_is_built_for_messages_stored_before_the_upgrade() {
    // A database at schema 1 (before full-text search) with one message in it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(dunwatch::store::migrations::MIGRATIONS[0])
            .unwrap();
        conn.execute(
            "INSERT INTO message(key, sender, sender_norm, ts, direction, body, position,
                imported_at, category, score, reasons)
             VALUES (x'00', '95384', '95384', 1, 'in', '您的微粒贷已逾期', '{}', 1, 'overdue', 0.5, '[]')",
            [],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = Store::open(&path).unwrap();
    let found = store
        .history(&Filter {
            search: Some("微粒贷".into()),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
}

#[test]
fn history_cli_prints_aligned_rows_and_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fixture_db(dir.path());
    let config = config_file(dir.path(), "en");
    let out = Command::cargo_bin("dunwatch")
        .unwrap()
        .env("DUNWATCH_DATA_DIR", dir.path())
        .env("COLUMNS", "100")
        .args([
            "--db",
            db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ])
        .args(["history", "--search", "逾期", "--limit", "0"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("CATEGORY"), "{text}");
    assert_eq!(lines.len(), 9, "{text}");
    // Not a terminal: no colour codes; every row fits 100 cells.
    assert!(!text.contains('\x1b'));
    use unicode_width::UnicodeWidthStr;
    for l in &lines {
        assert!(l.width() <= 100, "{l:?} is {} wide", l.width());
    }
    // The body column starts at the same cell on every row, CJK senders or not.
    let body_col = lines[0].find("BODY").unwrap();
    for l in &lines[1..] {
        let prefix: String = l.chars().take_while(|_| true).collect();
        let cells = prefix
            .char_indices()
            .find(|(i, _)| prefix[..*i].width() >= body_col)
            .map(|(i, _)| prefix[..i].width())
            .unwrap();
        assert_eq!(cells, body_col, "{l:?}");
    }

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
            "history",
            "--json",
            "--search",
            "微粒贷",
            "--category",
            "overdue",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        for key in [
            "id",
            "ts",
            "sender",
            "body",
            "direction",
            "category",
            "lender",
            "score",
            "source",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        assert_eq!(r["source"], SOURCE);
    }
}

#[test]
fn marks_change_the_category_everywhere_and_feed_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let (db, ids) = fixture_db(dir.path());
    let config = config_file(dir.path(), "en");
    let zhaolian = ids[5];
    let run = |args: &[&str]| {
        Command::cargo_bin("dunwatch")
            .unwrap()
            .env("DUNWATCH_DATA_DIR", dir.path())
            .args([
                "--db",
                db.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
            ])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["mark", &zhaolian.to_string(), "--as", "scam"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("engine said overdue"));

    let store = Store::open(&db).unwrap();
    let e = store.entry(zhaolian).unwrap().unwrap();
    assert_eq!(e.category, Category::Scam);
    assert_eq!(e.engine_category, Some(Category::Overdue));
    // The category filter follows the correction.
    let scams = store
        .history(&Filter {
            categories: vec![Category::Scam],
            ..Filter::default()
        })
        .unwrap();
    assert!(scams.iter().any(|e| e.id == zhaolian));
    // The report counts it as a scam, not an overdue notice of any kind.
    let period = dunwatch::report::Period::week_of(in_week(), shanghai());
    let report = dunwatch::report::Report::build(
        &store,
        &dunwatch::classify::Engine::builtin().unwrap(),
        period,
        dunwatch::report::Lang::En,
    )
    .unwrap();
    assert_eq!(report.totals[&Category::Scam], 5);
    assert!(report.doubtful.is_empty() && report.no_account.is_empty());
    assert_eq!(report.corrected_by_user, 1);
    assert!(
        report
            .scams
            .iter()
            .any(|i| i.id == zhaolian && i.marked_by_user)
    );

    // History marks it; feedback export has exactly the correction, in `rules eval` shape.
    let out = run(&["history", "--category", "scam"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("scam*"));
    let out = run(&["feedback", "export"]);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(
        lines[0],
        serde_json::json!({
            "id": zhaolian.to_string(),
            "sender": "17088886666",
            "body": "【招联金融】您的借款已严重逾期，请立即联系专员处理。",
            "label": "scam"
        })
    );
    // Clearing gives the engine's category back.
    assert!(
        run(&["mark", &zhaolian.to_string(), "--clear"])
            .status
            .success()
    );
    assert_eq!(
        store.entry(zhaolian).unwrap().unwrap().category,
        Category::Overdue
    );
    assert!(!run(&["mark", "999999", "--as", "scam"]).status.success());
}

fn sbr(messages: &[(&str, i64, &str)]) -> String {
    let mut xml = String::from(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"0\">\n",
    );
    for (addr, date, body) in messages {
        xml.push_str(&format!(
            "<sms address=\"{addr}\" date=\"{date}\" type=\"1\" body=\"{body}\" />\n"
        ));
    }
    xml.push_str("</smses>\n");
    xml
}

fn import(store: &mut Store, path: &std::path::Path) {
    let engine = Engine::builtin().unwrap();
    let mut importer = Importer {
        store,
        not_exports: &mut NotExports::default(),
        engine: (&engine).into(),
        opts: ReadOptions::default(),
        commit_every: dunwatch::import::COMMIT_EVERY,
        roots: Vec::new(),
    };
    let report = importer.import_file(path, &mut Quiet).unwrap();
    assert!(!report.has_errors(), "{report:?}");
}

#[test]
fn trust_and_block_lists_decide_later_imports() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("d.db")).unwrap();
    let engine = Engine::builtin().unwrap();
    let scam_text = "您的账户涉嫌违规，请将资金转入安全账户";
    let plain_text = "明天下午三点见";
    let before = engine.classify(&dunwatch::classify::Input {
        sender: "95384",
        body: scam_text,
        ts_ms: None,
        utc_offset_s: None,
    });
    assert_eq!(
        before.category,
        Category::Scam,
        "the fixture text must read as a scam"
    );

    // First import without lists: the engine decides.
    let first = dir.path().join("a.xml");
    std::fs::write(
        &first,
        sbr(&[
            ("95384", 1_763_000_000_000, scam_text),
            ("17088886666", 1_763_000_001_000, plain_text),
        ]),
    )
    .unwrap();
    import(&mut store, &first);

    store.set_sender_side("95384", Side::Trust).unwrap();
    store
        .set_sender_side("+86 170 8888 6666", Side::Block)
        .unwrap();
    let second = dir.path().join("b.xml");
    std::fs::write(
        &second,
        sbr(&[
            ("95384", 1_763_100_000_000, scam_text),
            ("17088886666", 1_763_100_001_000, plain_text),
        ]),
    )
    .unwrap();
    import(&mut store, &second);

    let all = store.history(&Filter::default()).unwrap();
    let find = |sender: &str, ts: i64| {
        all.iter()
            .find(|e| e.sender == sender && e.ts_ms == Some(ts))
            .unwrap()
    };
    // Earlier messages keep their verdicts.
    assert_eq!(find("95384", 1_763_000_000_000).category, Category::Scam);
    assert_ne!(
        find("17088886666", 1_763_000_001_000).category,
        Category::Scam
    );
    // Later ones take the user's side, with a reason saying so.
    let trusted = find("95384", 1_763_100_000_000);
    assert_ne!(trusted.category, Category::Scam);
    assert!(
        trusted
            .reasons
            .iter()
            .any(|r| r.rule == "user.trusted_sender")
    );
    let blocked = find("17088886666", 1_763_100_001_000);
    assert_eq!(blocked.category, Category::Scam);
    assert!(
        blocked
            .reasons
            .iter()
            .any(|r| r.rule == "user.blocked_sender")
    );
}

#[test]
fn trust_block_untrust_and_senders_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fixture_db(dir.path());
    let config = config_file(dir.path(), "en");
    let run = |args: &[&str]| {
        Command::cargo_bin("dunwatch")
            .unwrap()
            .env("DUNWATCH_DATA_DIR", dir.path())
            .args([
                "--db",
                db.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
            ])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["block", "17088886666"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 message from it is already stored"));
    assert!(run(&["trust", "95384"]).status.success());
    let list = String::from_utf8(run(&["senders", "--json"]).stdout).unwrap();
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(list.contains("\"side\":\"block\"") && list.contains("\"side\":\"trust\""));
    assert!(run(&["untrust", "+86 170 8888 6666"]).status.success());
    let list = String::from_utf8(run(&["senders", "--json"]).stdout).unwrap();
    assert_eq!(list.lines().count(), 1, "{list}");
}

#[test]
fn stats_count_by_category_lender_and_week() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fixture_db(dir.path());
    let config = config_file(dir.path(), "en");
    let out = Command::cargo_bin("dunwatch")
        .unwrap()
        .env("DUNWATCH_DATA_DIR", dir.path())
        .args([
            "--db",
            db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ])
        .args(["stats", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 18);
    assert_eq!(v["by_category"]["scam"], 4);
    assert_eq!(v["by_category"]["overdue"], 8);
    assert_eq!(v["by_lender"]["huanbei"]["overdue"], 4);
    assert_eq!(v["by_lender"]["huanbei"]["reminder"], 1);
    // Weeks start on Monday in the configured zone.
    assert_eq!(v["by_week"]["2026-11-16"]["scam"], 4);
    assert_eq!(v["by_week"]["2026-11-23"]["overdue"], 1);
    assert_eq!(v["by_week"]["2026-10-26"]["reminder"], 1);
}

#[test]
fn show_prints_the_message_verdict_reasons_and_history_context() {
    let dir = tempfile::tempdir().unwrap();
    let (db, ids) = fixture_db(dir.path());
    let config = config_file(dir.path(), "en");
    let out = Command::cargo_bin("dunwatch")
        .unwrap()
        .env("DUNWATCH_DATA_DIR", dir.path())
        .args([
            "--db",
            db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ])
        .args(["show", &ids[5].to_string(), "--details"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("【招联金融】您的借款已严重逾期，请立即联系专员处理。"),
        "{text}"
    );
    assert!(text.contains("overdue"), "{text}");
    assert!(text.contains("fixture.overdue"), "{text}");
    assert!(text.contains("account.none"), "{text}");
    // The stored advice predates the account reason: written anew with it.
    assert!(text.contains("pbccrc.org.cn"), "{text}");
    assert!(text.contains(SOURCE) && text.contains("record 6"), "{text}");
}

#[test]
fn search_finds_ordinary_messages_too_though_only_debt_messages_are_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("d.db")).unwrap();
    let file = dir.path().join("b.xml");
    std::fs::write(
        &file,
        sbr(&[
            (
                "95384",
                1_700_000_000_000,
                "【微众银行】您的微粒贷已逾期3天，请尽快还款",
            ),
            (
                "95338",
                1_700_000_100_000,
                "您的快递已到达菜鸟驿站，请尽快取件",
            ),
            ("10086", 1_700_000_200_000, "本月话费账单已出，请尽快缴费"),
        ]),
    )
    .unwrap();
    import(&mut store, &file);
    // Looked at from outside, as another program would.
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let indexed: i64 = conn
        .query_row("SELECT count(*) FROM message_fts_docsize", [], |r| r.get(0))
        .unwrap();
    let debt: i64 = conn
        .query_row(
            "SELECT count(*) FROM message WHERE category != 'other'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexed, debt, "only debt-related messages are indexed");
    assert!(debt < 3, "the parcel and phone-bill texts are ordinary");
    let all = |text: &str| {
        bodies(
            &store,
            &Filter {
                search: Some(text.into()),
                categories: Category::ALL.to_vec(),
                ..Filter::default()
            },
        )
    };
    // Three and more characters, in every kind of message.
    assert_eq!(all("请尽快").len(), 3);
    assert_eq!(all("菜鸟驿站"), vec!["您的快递已到达菜鸟驿站，请尽快取件"]);
    assert_eq!(all("微粒贷已逾期").len(), 1);
    assert_eq!(all("10086").len(), 1, "sender search");
}

#[test]
fn history_names_lenders_by_any_name_refuses_unknown_ones_and_says_when_more_exist() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fixture_db(dir.path());
    let config = config_file(dir.path(), "en");
    let run = |args: &[&str]| {
        Command::cargo_bin("dunwatch")
            .unwrap()
            .env("DUNWATCH_DATA_DIR", dir.path())
            .env("COLUMNS", "120")
            .args([
                "--db",
                db.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
            ])
            .args(args)
            .output()
            .unwrap()
    };
    let by_id = run(&["history", "--all", "--lender", "webank", "--json"]);
    let by_name = run(&["history", "--all", "--lender", "微众银行", "--json"]);
    assert!(by_id.status.success() && by_name.status.success());
    assert!(!by_id.stdout.is_empty());
    assert_eq!(by_id.stdout, by_name.stdout);

    let unknown = run(&["history", "--lender", "nosuch"]);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no lender \"nosuch\""),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );

    let all = run(&["history", "--all", "--json"]).stdout;
    let total = String::from_utf8_lossy(&all).lines().count();
    let some = run(&["history", "--all", "--limit", "2"]);
    let text = String::from_utf8_lossy(&some.stdout).into_owned();
    assert!(text.contains(&format!("2 of {total} shown")), "{text}");

    let out = dir.path().join("ev");
    let empty = run(&[
        "evidence",
        "--lender",
        "nosuch",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!empty.status.success());
    let nothing = run(&[
        "evidence",
        "--search",
        "没有这样的短信",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!nothing.status.success());
    assert!(
        String::from_utf8_lossy(&nothing.stderr).contains("nothing was written"),
        "{}",
        String::from_utf8_lossy(&nothing.stderr)
    );
    assert!(!out.exists(), "an empty evidence set was written");
}
