//! The tools beside the daemon speak the person's language too, through the real binary:
//! `service install`, `status` and `uninstall` and their errors, `rules check`, `test` and
//! `explain`, the start-up of `ui`, the errors of `evidence` and `report` (files, dates) and
//! `run`'s refusal of a bad setting say Chinese under a Chinese locale with no English
//! sentence left (the commands, paths and names a person types or reads as they are aside,
//! and the system's own reasons), and English under LANG=C. `ui --no-browser` keeps its
//! standard output the address alone. The other commands, `--help` and the errors are in
//! cli_lang.rs.

mod common;

use std::process::{Output, Stdio};

use common::*;

/// The first line of `text` with two English words in a row once the words a person types
/// or reads as they are (`allowed`: commands, names), anything in backquotes and every
/// path or file name are left out: where the command line would still speak English.
fn english_sentence(text: &str, allowed: &[&str]) -> Option<String> {
    text.lines()
        .find(|line| {
            let mut rest = line.to_string();
            for a in allowed {
                rest = rest.replace(a, " ");
            }
            let mut kept = String::new();
            for (i, part) in rest.split('`').enumerate() {
                if i % 2 == 0 {
                    kept.push_str(part);
                }
            }
            let words: Vec<&str> = kept
                .split(|c: char| !(c.is_ascii_alphanumeric() || "/.-_:".contains(c)))
                .filter(|w| !w.is_empty())
                .collect();
            let english = |w: &str| w.len() > 1 && w.chars().all(|c| c.is_ascii_alphabetic());
            // Words beside each other in the line, not only in the list.
            words.windows(2).any(|pair| {
                english(pair[0])
                    && english(pair[1])
                    && kept.contains(&format!("{} {}", pair[0], pair[1]))
            })
        })
        .map(str::to_string)
}

#[test]
fn the_english_sentence_finder_finds_english_and_lets_commands_and_paths_be() {
    assert_eq!(
        english_sentence("已写入 /a b/c\nnot installed (/x)", &[]),
        Some("not installed (/x)".to_string())
    );
    assert_eq!(
        english_sentence(
            "请运行 `systemctl --user start x`：dunwatch service install",
            &["dunwatch service install"]
        ),
        None
    );
}

/// `dunwatch ARGS` under `lang` (a locale for LANG) with this environment's HOME and no
/// XDG_CONFIG_HOME, so the service commands read and write only inside it.
fn in_home(env: &Env, lang: &str, args: &[&str]) -> Output {
    let mut cmd = env.cmd();
    english(&mut cmd)
        .env("LANG", lang)
        .env_remove("XDG_CONFIG_HOME")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn service_install_status_and_uninstall_speak_chinese_under_a_chinese_locale() {
    let env = Env::new();
    let zh = "zh_CN.UTF-8";
    // Every call is --no-start: files only, no service manager asked.
    let status = ok(in_home(&env, zh, &["service", "status", "--no-start"]));
    for word in [
        "未安装",
        "桌面自动启动",
        "后台程序：没有在运行",
        "dunwatch service install",
    ] {
        assert!(status.contains(word), "{word} not in\n{status}");
    }
    let allowed = ["dunwatch service install"];
    assert_eq!(english_sentence(&status, &allowed), None, "{status}");

    let install = ok(in_home(
        &env,
        zh,
        &["service", "install", "--backend", "systemd", "--no-start"],
    ));
    let unit = env.path("home/.config/systemd/user/dunwatch.service");
    assert!(unit.exists(), "{install}");
    for word in [
        "已写入",
        "systemctl --user enable --now dunwatch.service",
        "要撤销",
    ] {
        assert!(install.contains(word), "{word} not in\n{install}");
    }
    let allowed = [
        "dunwatch service uninstall --backend systemd",
        "systemctl --user daemon-reload && systemctl --user enable --now dunwatch.service",
        "cargo install --path .",
    ];
    assert_eq!(english_sentence(&install, &allowed), None, "{install}");

    let status = ok(in_home(
        &env,
        zh,
        &["service", "status", "--backend", "systemd", "--no-start"],
    ));
    for word in ["已安装：", "是", "就是本程序", "登录时启动：", "否"] {
        assert!(status.contains(word), "{word} not in\n{status}");
    }
    assert_eq!(english_sentence(&status, &[]), None, "{status}");

    let uninstall = ok(in_home(&env, zh, &["service", "uninstall", "--no-start"]));
    assert!(uninstall.starts_with("已删除 "), "{uninstall}");
    assert!(!unit.exists());
    let again = ok(in_home(&env, zh, &["service", "uninstall", "--no-start"]));
    assert!(again.starts_with("没有需要删除的"), "{again}");
    assert_eq!(english_sentence(&again, &[]), None, "{again}");
}

#[test]
fn a_service_error_leads_with_chinese_words_under_a_chinese_locale() {
    let env = Env::new();
    // A backend of another system, without --no-start: refused before anything is done.
    let foreign = if cfg!(windows) { "launchd" } else { "windows" };
    let out = in_home(
        &env,
        "zh_CN.UTF-8",
        &["service", "install", "--backend", foreign],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("dunwatch: {foreign} 方式在这个系统上用不了")),
        "{err}"
    );
    assert_eq!(english_sentence(&err, &[]), None, "{err}");
    let out = in_home(&env, "C", &["service", "install", "--backend", foreign]);
    assert!(
        stderr(&out).starts_with(&format!("dunwatch: the {foreign} backend does not run")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn service_status_stays_english_under_the_c_locale() {
    let env = Env::new();
    let status = ok(in_home(&env, "C", &["service", "status", "--no-start"]));
    assert!(!has_han(&status), "{status}");
    assert!(status.contains("daemon: not running"), "{status}");
    assert!(
        status.contains("start at login with: dunwatch service install"),
        "{status}"
    );
    ok(in_home(
        &env,
        "C",
        &["service", "install", "--backend", "xdg", "--no-start"],
    ));
    let status = ok(in_home(
        &env,
        "C",
        &["service", "status", "--backend", "xdg", "--no-start"],
    ));
    assert!(
        status.contains("  installed:  yes") && status.contains("(this binary)"),
        "{status}"
    );
    assert!(!has_han(&status), "{status}");
}

/// A user rule file whose first example fires and whose second does not.
fn rule_file(env: &Env) -> std::path::PathBuf {
    let file = env.user_rules().join("mine.toml");
    std::fs::write(
        &file,
        "[[rule]]\nid = \"user.pawnshop\"\npatterns = ['典当行催款']\n\
         weights = { harassment = 5.0 }\nexamples = ['典当行催款了', '当铺来电']\n",
    )
    .unwrap();
    file
}

#[test]
fn rules_check_and_test_speak_chinese_under_a_chinese_locale() {
    let env = Env::new();
    rule_file(&env);
    let check = ok(zh(&env, &["rules", "check"]));
    assert!(
        check
            .lines()
            .any(|l| l.starts_with("正常  ") && l.ends_with("mine.toml")),
        "{check}"
    );
    let summary = check.lines().last().unwrap();
    assert!(
        summary.starts_with("共 ") && summary.contains("条规则") && summary.contains("家借贷机构"),
        "{check}"
    );
    assert_eq!(english_sentence(&check, &[]), None, "{check}");

    let test = zh(&env, &["rules", "test"]);
    assert!(
        !test.status.success(),
        "the failing example fails the command"
    );
    let text = stdout(&test);
    let fail = text
        .lines()
        .find(|l| l.contains("user.pawnshop"))
        .unwrap_or_else(|| panic!("no failure line in\n{text}"));
    assert!(
        fail.starts_with("未通过 ") && fail.contains("\"当铺来电\" 应该命中，却没有命中"),
        "{fail}"
    );
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("通过 ") && last.ends_with("未通过 1 个"),
        "{text}"
    );
    assert_eq!(english_sentence(&text, &[]), None, "{text}");

    let explain = ok(zh(&env, &["rules", "explain", "典当行催款了"]));
    assert!(
        explain
            .lines()
            .any(|l| l.starts_with("规则 ") && l.contains("user.pawnshop")),
        "{explain}"
    );
}

#[test]
fn rules_check_and_test_stay_english_under_the_c_locale() {
    let env = Env::new();
    rule_file(&env);
    let check = ok(env.run(&["rules", "check"]));
    assert!(!has_han(&check), "{check}");
    assert!(
        check
            .lines()
            .any(|l| l.starts_with("ok  ") && l.ends_with("mine.toml")),
        "{check}"
    );
    assert!(
        check.contains(" rules (") && check.contains(" lenders, "),
        "{check}"
    );
    let text = stdout(&env.run(&["rules", "test"]));
    assert!(
        text.contains("FAIL ") && text.contains(r#"user.pawnshop: "当铺来电" should fire"#),
        "{text}"
    );
    assert!(text.trim_end().ends_with(" passed, 1 failed"), "{text}");
}

/// `dunwatch ui --no-browser` under `lang`, stopping by itself after a moment: its
/// standard output and standard error.
fn ui_start(lang: &str) -> (String, String) {
    let env = imported("");
    let mut cmd = env.cmd();
    let out = english(&mut cmd)
        .env("LANG", lang)
        .env("DUNWATCH_UI_IDLE_MS", "300")
        .args(["ui", "--no-browser"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    (stdout(&out), stderr(&out))
}

#[test]
fn ui_start_up_speaks_chinese_and_leaves_the_address_alone_on_standard_output() {
    let (out, err) = ui_start("zh_CN.UTF-8");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "standard output is the address alone: {out:?}"
    );
    assert!(
        lines[0].starts_with("http://127.0.0.1:") && lines[0].contains("/login?token="),
        "{out:?}"
    );
    assert!(
        err.contains("在浏览器里打开上面的网址") && err.contains("自动关闭"),
        "{err}"
    );
    assert_eq!(english_sentence(&err, &[]), None, "{err}");
    let (out, err) = ui_start("C");
    assert!(out.starts_with("http://127.0.0.1:"), "{out:?}");
    assert!(!has_han(&err), "{err}");
    assert!(
        err.contains("Open the address above in your browser") && err.contains("closes by itself"),
        "{err}"
    );
}

/// `dunwatch ARGS` in `env` under LANG=C.
fn in_c(env: &Env, args: &[&str]) -> Output {
    let mut cmd = env.cmd();
    english(&mut cmd)
        .env("LANG", "C")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn evidence_verify_names_what_was_changed_added_and_removed_in_chinese_and_in_english_under_c() {
    let env = imported("");
    let dir = env.path("evidence");
    let shown = dir.to_str().unwrap();
    ok(zh(&env, &["evidence", "--out", shown]));
    let mut csv = std::fs::read_to_string(dir.join("messages.csv")).unwrap();
    csv.push_str("forged,row\n");
    std::fs::write(dir.join("messages.csv"), csv).unwrap();
    std::fs::write(dir.join("extra.txt"), "added later").unwrap();
    std::fs::remove_file(dir.join("messages.html")).unwrap();

    let out = zh(&env, &["evidence", "verify", shown]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stderr(&out);
    for said in [
        "messages.csv 被改动过：它的 SHA-256 与清单不符",
        "extra.txt 在文件夹里，却不在清单里",
        "messages.html 不见了或无法读取：",
        "处问题）",
    ] {
        assert!(err.contains(said), "{said:?} not in\n{err}");
    }
    // Each problem follows the folder after a Chinese colon, with no English sentence left
    // (the system's reason for the missing file aside).
    assert!(err.contains(&format!("{shown}：messages.csv")), "{err}");
    let ours: String = err
        .lines()
        .filter(|l| !l.contains("messages.html"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(english_sentence(&ours, &[]), None, "{err}");

    let out = in_c(&env, &["evidence", "verify", shown]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stderr(&out);
    assert!(!has_han(&err), "{err}");
    for said in [
        "messages.csv was changed: its SHA-256 differs from the manifest",
        "extra.txt is in the folder but not in the manifest",
        "messages.html is missing or unreadable: ",
    ] {
        assert!(err.contains(said), "{said:?} not in\n{err}");
    }
}

#[test]
fn evidence_verify_of_a_folder_that_is_no_export_says_so_in_chinese() {
    let env = imported("");
    let dir = env.path("not-an-export");
    std::fs::create_dir_all(&dir).unwrap();
    let out = zh(&env, &["evidence", "verify", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stderr(&out);
    assert!(
        err.contains("里没有 manifest.json：这不是 dunwatch 导出的证据文件夹"),
        "{err}"
    );
    assert_eq!(english_sentence(&err, &[]), None, "{err}");
    let export = env.path("evidence");
    ok(zh(&env, &["evidence", "--out", export.to_str().unwrap()]));
    let out = zh(
        &env,
        &[
            "evidence",
            "verify",
            "--expect",
            "abc",
            export.to_str().unwrap(),
        ],
    );
    assert!(stderr(&out).contains("不是 SHA-256"), "{}", stderr(&out));
}

/// The `dunwatch: ` line of a failed command's standard error, checked to be its only line.
fn the_one_error_line(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    lines[0]
        .strip_prefix("dunwatch: ")
        .unwrap_or(lines[0])
        .to_string()
}

#[test]
fn report_says_a_reversed_range_once_in_chinese_and_in_english_under_c() {
    let env = imported("");
    let reversed = ["report", "--from", "2026-11-30", "--to", "2026-11-01"];
    let said = the_one_error_line(&zh(&env, &reversed));
    assert_eq!(
        said,
        "结束日期（2026-11-01）早于开始日期（2026-11-30）：--to 不能早于 --from"
    );
    let english = the_one_error_line(&in_c(&env, &reversed));
    assert_eq!(
        english,
        "the range ends (2026-11-01) before it starts (2026-11-30): --to must be on or after --from"
    );
}

#[test]
fn report_says_why_a_date_is_none_in_the_readers_words_quoting_it_escaped() {
    let env = imported("");
    let said = |lang: &str, from: &str| {
        let out = in_home(
            &env,
            lang,
            &["report", "--from", from, "--to", "2026-12-01"],
        );
        the_one_error_line(&out)
    };
    let zh = "zh_CN.UTF-8";
    assert_eq!(
        said(zh, "2026-13-01"),
        "--from “2026-13-01”不是日期：没有 13 月"
    );
    assert_eq!(
        said(zh, "2026-02-30"),
        "--from “2026-02-30”不是日期：2026 年 2 月只有 28 天"
    );
    // Not written as a date at all, with a terminal escape in it: quoted with the escape
    // shown, and what to write instead.
    let hostile = said(zh, "2026\u{1b}[2J-01");
    assert_eq!(
        hostile,
        "--from “2026\\x1b[2J-01”不是日期：请写成 2026-11-16 这样的日期"
    );
    assert_eq!(english_sentence(&hostile, &[]), None, "{hostile}");
    assert_eq!(
        said("zh_TW.UTF-8", "2026-13-01"),
        "--from「2026-13-01」不是日期：沒有 13 月"
    );
    assert_eq!(
        said("C", "2026-02-30"),
        "--from \"2026-02-30\" is not a date: month 2 of 2026 has 28 days"
    );
}

#[test]
fn evidence_says_why_it_wrote_nothing_in_chinese_words_only() {
    let env = imported("");
    let full = env.path("full");
    std::fs::create_dir_all(&full).unwrap();
    std::fs::write(full.join("earlier.csv"), "x").unwrap();
    let said = the_one_error_line(&zh(&env, &["evidence", "--out", full.to_str().unwrap()]));
    assert!(
        said.ends_with("不是空文件夹：请给一个新文件夹，免得和以前的导出混在一起"),
        "{said}"
    );
    // The filters are said with the categories' names and the values as given.
    let out = env.path("none");
    let none = zh(
        &env,
        &[
            "evidence",
            "--lender",
            "webank",
            "--since",
            "2026-11-30",
            "--search",
            "没有这句",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let said = the_one_error_line(&none);
    assert!(
        said.starts_with(
            "没有已保存的短信符合条件（疑似诈骗、逾期通知、违规催收、还款提醒；机构 webank；\
             从 2026-11-30 起；含有“没有这句”）"
        ),
        "{said}"
    );
    assert_eq!(english_sentence(&said, &[]), None, "{said}");
}

#[test]
fn evidence_says_in_chinese_that_a_source_file_cannot_be_read() {
    let env = imported("");
    std::fs::remove_file(env.path("sms.xml")).unwrap();
    let dir = env.path("evidence");
    let text = ok(zh(&env, &["evidence", "--out", dir.to_str().unwrap()]));
    let line = text.lines().find(|l| l.contains("sms.xml")).unwrap();
    // What happened in Chinese, then the system's own reason.
    assert!(
        line.ends_with(
            "：导入后被改动或已不存在（未复制）；无法读取：No such file or directory (os error 2)"
        ),
        "{text}"
    );
}

#[test]
fn report_says_in_chinese_that_it_cannot_write_the_file() {
    let env = imported("");
    let taken = env.path("a-folder");
    std::fs::create_dir_all(&taken).unwrap();
    let out = zh(&env, &["report", "--out", taken.to_str().unwrap()]);
    let said = the_one_error_line(&out);
    let lead = format!("无法写入 {}：", taken.display());
    assert!(said.starts_with(&lead), "{said}");
}

/// `dunwatch run` under a Chinese locale, which must give up by itself within a minute.
fn run_that_gives_up(env: &Env) -> Output {
    let mut cmd = env.cmd();
    let mut child = chinese(&mut cmd)
        .arg("run")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("`dunwatch run` kept running with a bad config");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn run_refuses_bad_quiet_hours_and_weekly_times_in_chinese() {
    for (config, said) in [
        (
            "[alerts]\nquiet_hours = \"08:00-08:00\"\n",
            "alerts.quiet_hours “08:00-08:00”的开始和结束是同一时刻；不要免打扰时段请写 \"\"",
        ),
        (
            "[reports]\nweekly = \"Funday 09:00\"\n",
            "reports.weekly = “Funday 09:00”：“Funday”不是星期几",
        ),
    ] {
        let env = imported(config);
        let err = the_one_error_line(&run_that_gives_up(&env));
        assert!(err.starts_with("配置文件 "), "{err}");
        assert!(err.contains(said), "{said:?} not in {err}");
        assert_eq!(
            english_sentence(&err, &["alerts.quiet_hours"]),
            None,
            "{err}"
        );
    }
}
