//! Issue 20, round 2, the store's side: rule files that are huge or many, a database deleted
//! or corrupted under the daemon, evidence that must hold up against a careful forger, and
//! service files that validate however dunwatch was installed.
#![cfg(unix)]

mod common;

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

fn mkfifo(path: &Path) {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// A user rule file of `n` rules, one literal pattern each, every tenth a schema naming the
/// rule before it (schemas resolve their names against every rule).
fn many_rules(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        out.push_str(&format!(
            "[[rule]]\nid = \"user.gen_{i:05}\"\ndescription = {{ en = \"generated rule {i}\" }}\n"
        ));
        if i % 10 == 9 {
            out.push_str(&format!("all = [\"user.gen_{:05}\"]\n", i - 1));
        } else {
            out.push_str(&format!("patterns = [\"催收专员{i}号\"]\n"));
        }
        out.push_str("weights = { scam = 1.5 }\n\n");
    }
    out
}

/// The fastest of three loads, so that another build on the machine does not decide.
fn load_time(text: &str) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let engine =
                dunwatch::classify::Engine::from_texts(vec![("user.toml".into(), text.into())])
                    .unwrap_or_else(|e| panic!("{e}"));
            let took = start.elapsed();
            assert!(engine.rules().len() >= 1000);
            took
        })
        .min()
        .unwrap()
}

#[test]
fn rule_files_load_in_linear_time() {
    let small = load_time(&many_rules(1_000));
    let large = load_time(&many_rules(8_000));
    // Eight times the rules: linear is about 8x, the quadratic loader was about 60x (7 700
    // rules took 93 s in a debug build, 1 000 about 1.5 s).
    let ratio = large.as_secs_f64() / small.as_secs_f64();
    assert!(
        ratio < 20.0,
        "1 000 rules {small:?}, 8 000 rules {large:?}: {ratio:.1}x"
    );
}

#[test]
fn a_rule_file_over_the_size_limit_is_refused_by_name_without_reading_it() {
    let env = Env::new();
    let big = env.user_rules().join("huge.toml");
    // 50 MB, sparse: costs no disk, and reading it all would take the time this must not.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(50 << 20)
        .unwrap();
    let start = Instant::now();
    let o = env.run(&["rules", "check"]);
    assert!(!o.status.success(), "{o:?}");
    let err = stderr(&o);
    assert!(err.contains(&big.display().to_string()), "{err}");
    assert!(err.contains("52428800 bytes"), "{err}");
    assert!(err.contains("at most 4194304 bytes"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10), "{err}");
}

#[test]
fn a_fifo_and_a_huge_file_in_the_rules_folder_neither_block_the_daemon_nor_replace_its_rules() {
    let home = Home::new();
    home.write_config("");
    let rules = home.config_dir().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    let d = home.start("log", false);
    // Reading a FIFO blocks until a writer comes; the reload used to read every rule file on
    // the daemon's own loop.
    mkfifo(&rules.join("pipe.toml"));
    std::fs::File::create(rules.join("huge.toml"))
        .unwrap()
        .set_len(50 << 20)
        .unwrap();
    d.wait_log("keeping the previous rules", Duration::from_secs(20));
    let now = now_ms();
    std::fs::write(
        home.watch().join("a.xml"),
        backup(&[sms("95384", now - 5_000, "after the rules changed")]),
    )
    .unwrap();
    wait_for("a.xml imported", Duration::from_secs(20), || {
        count(
            &home,
            "SELECT count(*) FROM message WHERE body = 'after the rules changed'",
        ) == 1
    });
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    assert!(log.contains("pipe.toml"), "{log}");
    assert!(log.contains("not a regular file"), "{log}");
    assert!(log.contains("huge.toml:0: the file is 52428800 bytes"), "{log}");
}
