//! The rule engine as users and other tools meet it: `rules test`, `rules eval`,
//! `classify`, `check`, and user rule files that add to or override the shipped ones.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{Env, chinese, stderr, stdout};

const LABELLED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/labelled/research_examples.jsonl"
);

#[test]
fn every_rule_example_behaves() {
    let env = Env::new();
    let out = env.run(&["rules", "test"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains(", 0 failed"), "{}", stdout(&out));
}

#[test]
fn labelled_research_examples_reach_the_macro_f1_target() {
    let engine = dunwatch::classify::Engine::builtin().unwrap();
    let samples = dunwatch::cli::read_labelled_file(std::path::Path::new(LABELLED)).unwrap();
    assert!(samples.len() >= 60);
    let report = dunwatch::cli::evaluate(&engine, &samples);
    let f1 = report.macro_f1();
    assert!(f1 >= 0.95, "macro-F1 {f1:.3}\n{}", report.render(50));
    assert_eq!(report.alert_rate_on_other(), 0.0, "{}", report.render(50));
}

#[test]
fn classify_writes_one_verdict_per_input_line_in_order() {
    let env = Env::new();
    let mut child = env
        .cmd()
        .arg("classify")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = concat!(
        r#"{"id": "a", "sender": "95384", "body": "【微众银行】您的微粒贷借款已逾期3天，逾期金额2156.20元，请尽快登录微信“微粒贷”还款，如已还款请忽略。", "ts": "2026-11-18T10:15:00+08:00"}"#,
        "\n",
        r#"{"id": "b", "sender": "17088886666", "body": "【微众银行】您的微粒贷账户存在异常逾期记录，将于今日上报征信，请立即联系专员处理"}"#,
        "\n",
        r#"{"id": "c", "sender": "", "body": "晚上回家吃饭吗？"}"#,
        "\n",
        "not json\n",
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["category"], "overdue");
    assert_eq!(lines[0]["lender"], "webank");
    assert!(lines[0]["score"].as_f64().unwrap() > 0.5);
    assert!(
        lines[0]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule"] == "sender.official")
    );
    assert_eq!(lines[1]["category"], "scam");
    assert_eq!(lines[2]["category"], "other");
    assert_eq!(lines[2]["lender"], serde_json::Value::Null);
    assert!(lines[3]["error"].as_str().unwrap().contains("line 4"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad line makes the exit code non-zero"
    );
}

#[test]
fn check_explains_a_scam_with_the_registry_hotline_never_the_message_number() {
    let env = Env::new();
    // The command line speaks the person's language: a Chinese reader's.
    let out = chinese(&mut env.cmd())
        .args([
            "check",
            "--sender",
            "17088886666",
            "【微众银行】您的微粒贷已逾期，请立即联系专员处理：17088886666",
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("疑似诈骗：冒充微众银行"), "{text}");
    assert!(text.contains("95384"), "{text}");
    let advice = text.lines().find(|l| l.starts_with("建议")).unwrap();
    assert!(
        !advice.contains("核实请打微众银行官方客服 17088886666"),
        "{text}"
    );
}

#[test]
fn a_user_rule_file_adds_rules_and_overrides_shipped_ones_by_id() {
    let env = Env::new();
    let rules = env.user_rules();
    std::fs::write(
        rules.join("mine.toml"),
        "[[rule]]\nid = \"user.pawnshop\"\npatterns = ['典当行催款']\nweights = { harassment = 5.0 }\n\n\
         [[rule]]\nid = \"other.otp\"\npatterns = ['never-matches-anything-xyz']\nweights = { other = 2.0 }\n",
    )
    .unwrap();
    let out = env.run(&["check", "--json", "典当行催款"]);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["category"], "harassment", "{v}");
    let out = env.run(&["rules", "check"]);
    assert!(stdout(&out).contains("mine.toml"), "{}", stdout(&out));
}

#[test]
fn a_bad_pattern_in_a_user_rule_file_is_named_with_file_and_line() {
    let env = Env::new();
    let rules = env.user_rules();
    std::fs::write(
        rules.join("broken.toml"),
        "[[rule]]\nid = \"user.x\"\npatterns = [\n  '(unclosed',\n]\nweights = { scam = 1.0 }\n",
    )
    .unwrap();
    let out = env.run(&["rules", "check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("broken.toml:4: rule user.x: bad pattern"),
        "{err}"
    );
}

#[test]
fn a_schema_that_needs_facts_sees_them_after_a_schema_that_needs_none() {
    let env = Env::new();
    let rules = env.user_rules();
    // The first schema holds without facts; the second needs a number in the text. Before,
    // the first left an empty fact table behind and the second never fired.
    std::fs::write(
        rules.join("mine.toml"),
        "[[rule]]\nid = \"user.a_no_facts\"\ndescription = { en = \"a\" }\nall = [\"second_person\"]\nweights = { other = 0.1 }\n\n\
         [[rule]]\nid = \"user.b_with_facts\"\ndescription = { en = \"b\" }\nall = [\"second_person\", \"fact.number\"]\nweights = { harassment = 5.0 }\n",
    )
    .unwrap();
    let out = env.run(&["check", "--json", "you there? call 1-888-555-0100"]);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["category"], "harassment", "{v}");
}

#[test]
fn rules_explain_lists_the_concepts_rules_and_facts_of_a_message() {
    let env = Env::new();
    let out = env.run(&[
        "rules",
        "explain",
        "Your account is suspended. Call 1-888-555-0100",
    ]);
    let text = stdout(&out);
    for want in [
        "concept  alarm",
        "suspended",
        "fact     fact.number_unknown",
        "1-888-555-0100",
    ] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
}
