//! What `scan`, `doctor`, `history` and `evidence` say about what went wrong, in the
//! person's language: why a backup could not be read, a path that is missing, a time range
//! the wrong way round.

mod common;

use common::{Env, chinese, has_han, stderr, stdout};

/// A backup cut off in the middle of its second message.
const CUT: &str = "<?xml version=\"1.0\"?>\n<smses count=\"2\">\n<sms address=\"95384\" \
                   date=\"1700000000000\" type=\"1\" body=\"您的借款已逾期\" />\n<sms address=\"9";

fn zh_tw(env: &Env, args: &[&str]) -> std::process::Output {
    let mut cmd = env.cmd();
    common::english(&mut cmd)
        .env("LANG", "zh_TW.UTF-8")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_chinese_reader_reads_why_a_backup_was_not_read_with_the_file_name_escaped() {
    let env = Env::new();
    // A stranger's file name: a bidi override must stay visible.
    let file = env.path("cut\u{202e}lmx.xml");
    std::fs::write(&file, CUT).unwrap();
    let mut cmd = env.cmd();
    let out = chinese(&mut cmd)
        .args(["scan", file.to_str().unwrap()])
        .output()
        .unwrap();
    let se = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{se}");
    assert!(se.contains("cut\\u{202e}lmx.xml"), "{se}");
    assert!(!se.contains('\u{202e}'), "{se}");
    assert!(se.contains("第 2 条短信，第 123 字节"), "{se}");
    assert!(se.contains("文件被截断，或者还在写入"), "{se}");
    for english in ["message 2", "byte 123", "truncated:", "cut off or still"] {
        assert!(!se.contains(english), "{english} in {se}");
    }
    // doctor says the recorded problem in the reader's language, whichever it is.
    let mut cmd = env.cmd();
    let doctor = stdout(&chinese(&mut cmd).arg("doctor").output().unwrap());
    assert!(
        doctor.contains("cut\\u{202e}lmx.xml：第 2 条短信，第 123 字节：文件不完整"),
        "{doctor}"
    );
    let tw = stdout(&zh_tw(&env, &["doctor"]));
    assert!(tw.contains("第 2 則簡訊，第 123 位元組"), "{tw}");
    assert!(tw.contains("檔案被截斷"), "{tw}");
    let en = stdout(&env.run(&["doctor"]));
    assert!(
        en.contains("message 2, byte 123: truncated:"),
        "English keeps its words: {en}"
    );
}

#[test]
fn a_ragged_csv_row_is_explained_in_chinese_and_counted_in_english_words() {
    let env = Env::new();
    let csv = env.path("sms.csv");
    std::fs::write(
        &csv,
        "address,date,body\n95384,2026-11-02 10:00,您的借款已逾期\n95384,x\n",
    )
    .unwrap();
    let mut cmd = env.cmd();
    let out = chinese(&mut cmd)
        .args(["scan", csv.to_str().unwrap()])
        .output()
        .unwrap();
    let se = stderr(&out);
    assert!(se.contains("这一行有 2 个字段，表头有 3 个"), "{se}");
    assert!(!se.contains("fields where the header"), "{se}");
    let mut cmd = env.cmd();
    let doctor = stdout(&chinese(&mut cmd).arg("doctor").output().unwrap());
    assert!(doctor.contains("1 条短信未能读取，其余已导入"), "{doctor}");
    let en = stdout(&env.run(&["doctor"]));
    assert!(
        en.contains("1 message could not be read, the rest were imported"),
        "{en}"
    );
}

#[test]
fn scan_names_a_missing_path_and_still_imports_the_others() {
    let env = Env::new();
    let good = env.path("sms.csv");
    std::fs::write(
        &good,
        "address,date,body\n95384,2026-11-02 10:00,您的借款已逾期\n",
    )
    .unwrap();
    let missing = env.path("nosuch.xml");
    let (good, missing) = (good.to_str().unwrap(), missing.to_str().unwrap());
    let out = env.run(&["scan", missing, good]);
    let (so, se) = (stdout(&out), stderr(&out));
    // PRODUCT.md: non-zero after importing all the others.
    assert_eq!(out.status.code(), Some(1), "{so}\n{se}");
    assert!(
        se.contains("cannot read") && se.contains("nosuch.xml"),
        "{se}"
    );
    assert!(so.contains("sms.csv") && so.contains("1 new"), "{so}");
    assert_eq!(env.count("SELECT count(*) FROM message"), 1);
    // In Chinese too, and the order of the paths does not matter.
    let env = Env::new();
    let good = env.path("sms.csv");
    std::fs::write(
        &good,
        "address,date,body\n95384,2026-11-02 10:00,您的借款已逾期\n",
    )
    .unwrap();
    let mut cmd = env.cmd();
    let out = chinese(&mut cmd)
        .args(["scan", good.to_str().unwrap(), missing])
        .output()
        .unwrap();
    let se = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{se}");
    assert!(se.contains("无法读取") && se.contains("nosuch.xml"), "{se}");
    assert_eq!(env.count("SELECT count(*) FROM message"), 1);
}

#[test]
fn a_reversed_since_and_until_is_an_error_that_says_to_swap_them() {
    let env = common::imported("");
    let out_dir = env.path("ev");
    let range = ["--since", "2026-11-30", "--until", "2026-11-01"];
    let history: Vec<&str> = ["history", "--all"].into_iter().chain(range).collect();
    let mut evidence: Vec<&str> = ["evidence"].into_iter().chain(range).collect();
    evidence.extend(["--out", out_dir.to_str().unwrap()]);
    for args in [&history, &evidence] {
        let out = env.run(args);
        let se = stderr(&out);
        assert!(!out.status.success(), "{args:?}: {se}");
        assert!(se.contains("is not before --until"), "{se}");
        assert!(se.contains("swap them"), "{se}");
        let mut cmd = env.cmd();
        let zh = chinese(&mut cmd).args(args).output().unwrap();
        let se = stderr(&zh);
        assert!(!zh.status.success());
        assert!(has_han(&se) && se.contains("对调"), "{se}");
    }
    assert!(!out_dir.exists(), "nothing exported");
    // The right way round still selects.
    let out = env.run(&[
        "history",
        "--all",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-30",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("95384"), "{}", stdout(&out));
}

/// `GET target` on the page at `port` with `cookie`, read to the end: status and body.
fn get(port: u16, target: &str, cookie: Option<&str>) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    let head = format!(
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{cookie}Connection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_string(), body.to_string())
}

#[test]
fn the_pages_import_problems_say_why_in_the_pages_language() {
    use std::io::BufRead;
    let env = Env::new();
    std::fs::create_dir_all(env.path("config")).unwrap();
    std::fs::write(env.path("config/config.toml"), "language = \"zh-CN\"\n").unwrap();
    let file = env.path("cut.xml");
    std::fs::write(&file, CUT).unwrap();
    let out = env.run(&["scan", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut child = env
        .cmd()
        .args(["ui", "--no-browser"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim();
    let port: u16 = url["http://127.0.0.1:".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (status, head, _) = get(port, &url[url.find("/login").unwrap()..], None);
    assert_eq!(status, 303);
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .map(|c| c.split(';').next().unwrap().to_string())
        .expect("a session cookie");
    let (status, _, page) = get(port, "/problems", Some(&cookie));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("第 2 条短信，第 123 字节"), "{page}");
    assert!(page.contains("文件被截断，或者还在写入"), "{page}");
    assert!(!page.contains("cut off or still being written"), "{page}");
}
