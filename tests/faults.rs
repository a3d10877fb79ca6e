//! Bad days for storage, with the real daemon: the disk fills during an import, another
//! program locks the database, the data folder is read-only, a backup cannot be read, the
//! daemon is killed with SIGKILL in the middle of imports; and, among the tests run as
//! `nobody`, the kernel's watch limit is reached. Through all of them the daemon keeps running,
//! says what is wrong once, and in the end every message is stored once. The other watching
//! faults are in `faults_watch.rs`.
//!
//! Tests here run as root on the build machines, and root ignores file permissions: the
//! permission tests then run the daemon as `nobody` (setuid in the child). The disk-full test
//! mounts a small tmpfs when it may (root); otherwise it limits the file size the daemon may
//! write (RLIMIT_FSIZE), which SQLite meets the same way: a write that fails half-way.
//!
//! Every test that runs the daemon as `nobody` is in this file, the watch-limit test with
//! them: they take turns through `nobody_turn()`, a mutex that orders only the tests of one
//! binary, and the watch-limit test uses up every inotify instance `nobody` may have, which
//! would turn the others to polling.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

#[test]
fn disk_full_during_an_import_is_reported_once_and_everything_is_stored_once_space_returns() {
    let home = Home::new();
    home.write_config("");
    let space = Space::prepare(&home);
    let (mut cmd, log) = home.command("log");
    no_bus(&mut cmd).env("DUNWATCH_STORE_RETRY_MS", "300");
    if matches!(space, Space::Rlimit) {
        // A write past the limit must fail (EFBIG), not kill the daemon.
        unsafe {
            cmd.pre_exec(|| {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                Ok(())
            });
        }
    }
    let mut d = spawn(&mut cmd, log);
    // A first small file fits.
    big_backup(&home.watch().join("small.xml"), 10, "small", 0);
    wait_on(&d, "the small backup", LONG, || messages(&home) == 10);

    space.fill(&d);
    big_backup(&home.watch().join("big.xml"), 25_000, "big", 0);
    d.wait_log("cannot write to the database", LONG);
    // Retried every 300 ms while full: still one report, still running.
    std::thread::sleep(Duration::from_millis(2000));
    assert!(alive(&mut d), "{}", d.log_text());
    let stored_while_full = messages(&home);
    assert!(stored_while_full < 25_010, "nothing should fit");

    space.free(&d);
    // 25 000 messages in a debug build on a busy machine can take longer than LONG: this is
    // a deadline for the outcome, not a speed goal (benches/ measure speed).
    wait_on(
        &d,
        "every message once space returned",
        Duration::from_secs(180),
        || messages(&home) == 25_010,
    );
    d.wait_log("accepts writes again", LONG);
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    assert_eq!(warnings(&log, "cannot write to the database"), 1, "{log}");
    assert_eq!(duplicates(&home), 0);
    assert_eq!(integrity(&home), "ok");
    drop(space);
}

#[test]
fn database_locked_by_another_program_postpones_the_import_until_it_is_free() {
    let home = Home::new();
    home.write_config("");
    let (mut cmd, log) = home.command("log");
    no_bus(&mut cmd).env("DUNWATCH_STORE_RETRY_MS", "300");
    let mut d = spawn(&mut cmd, log);

    // Another program (a DB browser, a backup tool) holds the write lock for longer than
    // the daemon's busy timeout (10 s).
    let other = db(&home);
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = Instant::now();
    big_backup(&home.watch().join("sms.xml"), 300, "locked", 0);
    d.wait_log("cannot write to the database", LONG);
    assert!(
        started.elapsed() >= Duration::from_secs(9),
        "gave up before the busy timeout"
    );
    std::thread::sleep(Duration::from_millis(1000));
    assert!(alive(&mut d));
    other.execute_batch("COMMIT").unwrap();
    drop(other);

    wait_on(&d, "the postponed messages", LONG, || {
        messages(&home) == 300
    });
    d.wait_log("accepts writes again", LONG);
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    assert_eq!(warnings(&log, "cannot write to the database"), 1, "{log}");
    assert!(log.contains("database is locked"), "{log}");
    assert_eq!(duplicates(&home), 0);
}

#[test]
fn read_only_data_folder_is_a_clear_error_naming_it() {
    let _turn = nobody_turn();
    let home = Home::new();
    home.write_config("");
    fs::create_dir_all(home.data_dir()).unwrap();
    fs::set_permissions(home.data_dir(), fs::Permissions::from_mode(0o555)).unwrap();
    let (mut cmd, log) = home.command("log");
    no_bus(&mut cmd);
    as_nobody(&mut cmd, home.root());
    // chown keeps the mode: still read-only for its (new) owner.
    fs::set_permissions(home.data_dir(), fs::Permissions::from_mode(0o555)).unwrap();
    let status = cmd.status().unwrap();
    let text = fs::read_to_string(log).unwrap();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(
        text.contains(&home.data_dir().display().to_string()),
        "{text}"
    );
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn read_only_database_file_at_start_is_a_clear_error() {
    let _turn = nobody_turn();
    let home = Home::new();
    home.write_config("");
    big_backup(&home.watch().join("a.xml"), 5, "a", 0);
    let out = Command::new(BIN)
        .args(["scan", "-q"])
        .arg(home.watch())
        .env("DUNWATCH_DATA_DIR", home.data_dir())
        .env("DUNWATCH_CONFIG_DIR", home.config_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["dunwatch.db", "dunwatch.db-wal", "dunwatch.db-shm"] {
        let p = home.data_dir().join(f);
        if p.exists() {
            fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
        }
    }
    let (mut cmd, log) = home.command("log");
    no_bus(&mut cmd);
    as_nobody(&mut cmd, home.root());
    let status = cmd.status().unwrap();
    let text = fs::read_to_string(log).unwrap();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(text.contains("cannot open the database"), "{text}");
    assert!(text.contains("readonly database"), "{text}");
    assert_eq!(
        text.matches("readonly database").count(),
        1,
        "said once: {text}"
    );
}

#[test]
fn unreadable_backup_is_reported_once_and_the_others_are_read() {
    let _turn = nobody_turn();
    let home = Home::new();
    home.write_config("");
    big_backup(&home.watch().join("secret.xml"), 3, "secret", 0);
    big_backup(&home.watch().join("open.xml"), 4, "open", 0);
    let (mut cmd, log) = home.command("log");
    no_bus(&mut cmd);
    as_nobody(&mut cmd, home.root());
    fs::set_permissions(
        home.watch().join("secret.xml"),
        fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let mut d = spawn(&mut cmd, log);
    wait_on(&d, "the readable backup", LONG, || messages(&home) == 4);
    d.wait_log("secret.xml", LONG);
    // Another backup arrives and is read; the unreadable one is not reported again.
    big_backup(&home.watch().join("later.xml"), 2, "later", 0);
    wait_on(&d, "the later backup", LONG, || messages(&home) == 6);
    assert!(alive(&mut d));
    // Readable again (permissions fixed): read on its change.
    fs::set_permissions(
        home.watch().join("secret.xml"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    wait_on(&d, "the fixed backup", LONG, || messages(&home) == 9);
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    assert_eq!(warnings(&log, "secret.xml"), 1, "{log}");
    assert!(
        log.contains("Permission denied") || log.contains("permission denied"),
        "{log}"
    );
}

#[test]
fn watch_limit_reached_falls_back_to_polling_and_says_so_once() {
    let _turn = nobody_turn();
    if !is_root() {
        eprintln!("skipped: needs root to use up another user's inotify instances");
        return;
    }
    let home = Home::new();
    home.write_config("");
    // A process of `nobody` takes every inotify instance `nobody` may have
    // (fs.inotify.max_user_instances), so the daemon, also `nobody`, gets none.
    let mut hog = Command::new("sleep");
    hog.arg("120");
    unsafe {
        hog.pre_exec(|| {
            if libc::setgid(NOBODY) != 0 || libc::setuid(NOBODY) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Without IN_CLOEXEC the descriptors survive exec and `sleep` holds them.
            while libc::inotify_init() >= 0 {}
            Ok(())
        });
    }
    let mut hog = hog.spawn().unwrap();
    let (mut cmd, log) = home.command("log");
    no_bus(&mut cmd).env("DUNWATCH_POLL_MS", "200");
    as_nobody(&mut cmd, home.root());
    let mut d = spawn(&mut cmd, log);
    big_backup(&home.watch().join("sms.xml"), 3, "poll", 0);
    wait_on(&d, "a backup seen by polling", LONG, || {
        messages(&home) == 3
    });
    big_backup(&home.watch().join("sms2.xml"), 2, "poll2", 0);
    wait_on(&d, "a second backup seen by polling", LONG, || {
        messages(&home) == 5
    });
    assert!(alive(&mut d));
    let (status, log) = d.stop();
    let _ = hog.kill();
    let _ = hog.wait();
    assert!(status.success(), "{log}");
    assert_eq!(
        warnings(&log, "system limit on watched folders is reached"),
        1,
        "{log}"
    );
    assert!(log.contains("max_user_instances"), "{log}");
}

#[test]
fn sigkill_at_random_moments_during_imports_loses_and_repeats_nothing() {
    let seed = std::env::var("DUNWATCH_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| now_ms() as u64);
    eprintln!("kill seed {seed} (DUNWATCH_KILL_SEED to repeat)");
    let mut rng = Lcg(seed);
    let home = Home::new();
    home.write_config("");
    let files = 4;
    let per_file = 6_000;
    for f in 0..files {
        big_backup(
            &home.watch().join(format!("sms-{f}.xml")),
            per_file,
            &format!("f{f}"),
            500,
        );
    }
    let mut kills = 0;
    let mut counts = Vec::new();
    for round in 0..6 {
        let (mut cmd, log) = home.command(&format!("log{round}"));
        // Commits after every chunk of 512 messages (not every 100 ms: a fast machine read
        // a whole 6 000-message file between two commits, so no count ever showed a file
        // cut off), so that a kill inside a file shows in the count.
        no_bus(&mut cmd).env("DUNWATCH_COMMIT_MS", "0");
        let mut d = Daemon {
            child: cmd.spawn().unwrap(),
            log,
        };
        if round % 2 == 1 {
            // Any moment from start-up on (rule loading, catch-up scan, the import).
            std::thread::sleep(Duration::from_millis(100 + rng.next(2500)));
        } else {
            // Inside an import: once this run has stored something, however slow the
            // machine (a debug build on a busy CI box takes seconds to start). The first
            // round is one of these: it holds the big import, which a fast machine finishes
            // before a random moment would come.
            let before = messages_so_far(&home);
            let started = Instant::now();
            while messages_so_far(&home) == before && started.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_millis(20));
            }
            std::thread::sleep(Duration::from_millis(rng.next(100)));
        }
        if alive(&mut d) {
            d.child.kill().unwrap(); // SIGKILL
            d.child.wait().unwrap();
            kills += 1;
            counts.push(messages_so_far(&home));
        }
        // A new backup lands while it is down, sometimes.
        if rng.next(2) == 0 {
            big_backup(
                &home.watch().join(format!("late-{round}.xml")),
                200,
                &format!("late{round}"),
                50,
            );
        }
    }
    let late: i64 = (0..6)
        .filter(|r| home.watch().join(format!("late-{r}.xml")).exists())
        .count() as i64;
    let expected = (files * per_file) as i64 + late * 200;
    let d = home.start("final", false);
    wait_on(
        &d,
        "every message after the kills",
        Duration::from_secs(120),
        || messages(&home) == expected,
    );
    let (status, log) = d.stop();
    assert!(status.success(), "{log}");
    assert!(kills >= 3, "only {kills} kills landed");
    // Some kills must have landed in the middle of an import, not between files.
    eprintln!("messages stored at each kill: {counts:?} of {expected}");
    assert!(
        // Every file holds a multiple of 200 messages; a count that is not one is a file
        // cut off by the kill.
        counts.iter().any(|&c| c % 200 != 0),
        "no kill landed mid-import: {counts:?}"
    );
    assert_eq!(messages(&home), expected);
    assert_eq!(duplicates(&home), 0);
    assert_eq!(integrity(&home), "ok");
    // Alert bookkeeping: one row per alert-worthy message, none lost, none doubled.
    let scams = (files * per_file / 500) as i64 + late * 4;
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM alert a JOIN message m ON m.id = a.message_id \
             WHERE m.sender = '17088886666'"
        ),
        scams,
        "{log}"
    );
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM message m WHERE m.sender = '17088886666' \
             AND NOT EXISTS (SELECT 1 FROM alert a WHERE a.message_id = m.id)"
        ),
        0
    );
}
