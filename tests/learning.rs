//! Corrections teach (`dunwatch mark`, `dunwatch learn`, `dunwatch learn forget`), with the
//! real binary and real SQLite files: a real export (tests/fixtures/sbr, a redacted SMS Backup
//! & Restore file) and a backup of the research's example messages
//! (tests/fixtures/labelled) and the review week's scams (tests/common/review.rs).

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::Value;

const REAL_EXPORT: &str = "tests/fixtures/sbr/devadvance_sms_and_mms.xml";
const LABELLED: &str = "tests/fixtures/labelled/research_examples.jsonl";

/// The research's examples as (body, label).
fn labelled() -> Vec<(String, String)> {
    std::fs::read_to_string(LABELLED)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["body"].as_str().unwrap().to_string(),
                v["label"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// An environment with both backups imported, and the ids of the received messages: the
/// scams (research and review week) and the ordinary ones (the real export's, then the
/// research's), each in id order.
struct Imported {
    env: Env,
    scams: Vec<i64>,
    others: Vec<i64>,
}

fn imported() -> Imported {
    let env = Env::new();
    let mut msgs: Vec<FixtureMessage> = labelled()
        .into_iter()
        .map(|(body, _)| body)
        .chain(
            rows()
                .into_iter()
                .filter(|r| r.category == dunwatch::model::Category::Scam)
                .map(|r| r.body.to_string()),
        )
        .enumerate()
        .map(|(i, body)| FixtureMessage {
            sender: format!("1069{:07}", i),
            body,
            ts_ms: 1_790_000_000_000 + i as i64 * 60_000,
            incoming: true,
            contact: None,
        })
        .collect();
    msgs.dedup_by(|a, b| a.body == b.body);
    let backup = env.path("research.xml");
    std::fs::write(&backup, sbr_document(&msgs)).unwrap();
    // The real export is cut off inside its last MMS (exit 1, the rest imported).
    env.run(&["scan", REAL_EXPORT]);
    let o = env.run(&["scan", backup.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    let labels: BTreeMap<String, String> = labelled().into_iter().collect();
    let o = env.run(&["history", "--all", "--json", "--limit", "0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut entries: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &Value| e["direction"] == "in")
        .collect();
    entries.sort_by_key(|e| e["id"].as_i64().unwrap());
    let (mut scams, mut real, mut research_other) = (Vec::new(), Vec::new(), Vec::new());
    for e in &entries {
        let id = e["id"].as_i64().unwrap();
        let body = e["body"].as_str().unwrap();
        if e["source"]
            .as_str()
            .unwrap()
            .ends_with("devadvance_sms_and_mms.xml")
        {
            real.push(id);
        } else {
            match labels.get(body).map(String::as_str) {
                Some("scam") | None => scams.push(id),
                Some("other") => research_other.push(id),
                _ => {}
            }
        }
    }
    assert_eq!(real.len(), 27, "the real export's received messages");
    assert!(scams.len() >= 21, "{} scams", scams.len());
    real.extend(research_other);
    Imported {
        env,
        scams,
        others: real,
    }
}

fn mark(env: &Env, ids: &[i64], category: &str) {
    for id in ids {
        let o = env.run(&["mark", &id.to_string(), "--as", category]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

fn learn_json(env: &Env) -> Value {
    let o = env.run(&["learn", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(stdout(&o).trim()).unwrap()
}

fn row<'a>(learned: &'a Value, category: &str) -> &'a Value {
    learned["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == category)
        .unwrap()
}

/// The `learned_token` table, sorted.
fn token_rows(env: &Env) -> Vec<(String, String, i64)> {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let mut stmt = conn
        .prepare("SELECT category, token, count FROM learned_token ORDER BY 1, 2")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_category_is_learned_at_twenty_corrections_of_its_own_and_twenty_others() {
    let Imported { env, scams, others } = imported();
    mark(&env, &scams[..19], "scam");
    mark(&env, &others[..20], "other");
    let l = learn_json(&env);
    assert_eq!(l["corrections"], 39);
    assert_eq!(l["min_messages"], 20);
    let (scam, other) = (row(&l, "scam"), row(&l, "other"));
    assert_eq!(scam["messages"], 19);
    assert_eq!(scam["needed"], 1);
    assert_eq!(scam["active"], false, "19 scams are not enough: {scam}");
    assert_eq!(scam["active_since"], Value::Null);
    // Twenty of its own, but only nineteen others to tell them from.
    assert_eq!(other["messages"], 20);
    assert_eq!(other["active"], false, "{other}");
    assert_eq!(other["others_needed"], 1);
    let text = stdout(&env.run(&["learn"]));
    assert!(text.contains("no: 1 more needed"), "{text}");
    assert!(!text.contains("yes, since"), "{text}");

    mark(&env, &scams[19..20], "scam");
    let l = learn_json(&env);
    let (scam, other) = (row(&l, "scam"), row(&l, "other"));
    assert_eq!(scam["messages"], 20);
    assert_eq!(
        (&scam["active"], &other["active"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
    let since = scam["active_since"].as_str().unwrap().to_string();
    assert!(
        since.parse::<jiff::Timestamp>().is_ok(),
        "RFC 3339: {since}"
    );
    for c in ["overdue", "harassment", "reminder"] {
        assert_eq!(row(&l, c)["active"], false);
        assert_eq!(row(&l, c)["messages"], 0);
    }
    // The scams' own words, the real export's own words.
    let top: Vec<&str> = scam["top_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(!top.is_empty() && top.len() <= 10, "{top:?}");
    assert!(
        top.iter().all(|t| t.chars().all(|c| !c.is_ascii_digit())),
        "{top:?}"
    );
    assert!(
        other["top_tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "body"),
        "{other}"
    );
    let text = stdout(&env.run(&["learn"]));
    assert!(text.contains(&format!("yes, since {since}")), "{text}");

    // Later corrections keep the date it became active.
    std::thread::sleep(std::time::Duration::from_millis(5));
    mark(&env, &scams[20..21], "scam");
    let l = learn_json(&env);
    assert_eq!(row(&l, "scam")["messages"], 21);
    assert_eq!(row(&l, "scam")["active_since"], since.as_str());
    // A correction taken back is no longer learned from.
    let o = env.run(&["mark", &scams[0].to_string(), "--clear"]);
    assert!(o.status.success());
    assert_eq!(row(&learn_json(&env), "scam")["messages"], 20);
}

#[test]
fn forgetting_stops_learning_from_the_corrections_but_keeps_them() {
    let Imported { env, scams, others } = imported();
    mark(&env, &scams[..20], "scam");
    mark(&env, &others[..20], "other");
    assert_eq!(row(&learn_json(&env), "scam")["active"], true);

    let o = env.run(&["learn", "forget"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Forgot what 40 corrections taught"), "{text}");
    assert!(text.contains("corrections themselves stay"), "{text}");
    assert_eq!(env.count("SELECT count(*) FROM learned_token"), 0);

    let l = learn_json(&env);
    assert_eq!(l["corrections"], 0);
    assert!(l["forgotten_at"].as_str().is_some(), "{l}");
    for c in ["scam", "other"] {
        assert_eq!(row(&l, c)["active"], false);
        assert_eq!(row(&l, c)["messages"], 0);
        assert_eq!(row(&l, c)["active_since"], Value::Null);
    }
    // The corrections themselves stay: history and feedback export still have all 40.
    let o = env.run(&["feedback", "export"]);
    assert_eq!(stdout(&o).lines().count(), 40);
    assert_eq!(
        env.count("SELECT count(*) FROM message WHERE user_category = 'scam'"),
        20
    );
    let o = env.run(&["learn"]);
    assert!(
        stdout(&o).contains("are not learned from"),
        "{}",
        stdout(&o)
    );

    // New corrections are learned from; the forgotten ones are not recounted.
    std::thread::sleep(std::time::Duration::from_millis(5));
    mark(&env, &scams[..1], "scam");
    let l = learn_json(&env);
    assert_eq!(l["corrections"], 1);
    assert_eq!(row(&l, "scam")["messages"], 1);
    let o = env.run(&["learn", "forget"]);
    assert!(
        stdout(&o).contains("Forgot what 1 correction taught"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_same_corrections_in_another_order_teach_the_same() {
    let a = imported();
    let b = imported();
    mark(&a.env, &a.scams[..20], "scam");
    mark(&a.env, &a.others[..22], "other");
    // The other way round, newest first, with a change of mind on the way.
    let mut others: Vec<i64> = b.others[..22].to_vec();
    others.reverse();
    mark(&b.env, &others, "other");
    mark(&b.env, &b.scams[..3], "other");
    let mut scams: Vec<i64> = b.scams[..20].to_vec();
    scams.reverse();
    mark(&b.env, &scams, "scam");

    let strip = |mut l: Value| {
        for r in l["categories"].as_array_mut().unwrap() {
            let active = r["active_since"].is_string();
            r["active_since"] = Value::Bool(active);
        }
        l
    };
    let (la, lb) = (strip(learn_json(&a.env)), strip(learn_json(&b.env)));
    assert_eq!(la, lb);
    assert_eq!(row(&la, "scam")["messages"], 20);
    assert_eq!(row(&la, "other")["messages"], 22);
    assert!(row(&la, "scam")["tokens"].as_u64().unwrap() > 0);
    let rows = token_rows(&a.env);
    assert!(!rows.is_empty());
    assert_eq!(rows, token_rows(&b.env));
    // Asking again changes nothing.
    assert_eq!(strip(learn_json(&a.env)), la);
    assert_eq!(token_rows(&a.env), rows);
}
