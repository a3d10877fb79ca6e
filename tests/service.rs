//! `dunwatch service`, `doctor` and `generate` against a temporary HOME. Every install here
//! uses --no-start, so no service manager is asked to do anything. The external validators
//! (systemd-analyze from `systemd`, desktop-file-validate from `desktop-file-utils`,
//! python3's plistlib) are skipped with a note when missing.
#![cfg(all(unix, not(target_os = "macos")))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dunwatch::service::{ServiceCommand, launchd, systemd, xdg};

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_dunwatch"))
            .args(args)
            .env("HOME", self.path("home"))
            .env_remove("XDG_CONFIG_HOME")
            .env("DUNWATCH_DATA_DIR", self.path("data"))
            .env("DUNWATCH_CONFIG_DIR", self.path("config"))
            .env_remove("DUNWATCH_LOG")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "dunwatch {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel))
            .unwrap_or_else(|e| panic!("{rel} was not written: {e}"))
    }
}

const UNIT: &str = "home/.config/systemd/user/dunwatch.service";
const DESKTOP: &str = "home/.config/autostart/dunwatch.desktop";
const PLIST: &str = "home/Library/LaunchAgents/org.dunwatch.dunwatch.plist";

fn binary() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_dunwatch"))
        .canonicalize()
        .unwrap()
}

/// Whether a tool is installed; says which package to install when it is not.
fn have(name: &str, package: &str) -> bool {
    let found = Command::new(name).arg("--help").output().is_ok();
    // `.ci/run` installs the validators and sets this, so there a missing tool is a failure,
    // not a silent skip.
    if !found && std::env::var_os("DUNWATCH_REQUIRE_VALIDATORS").is_some() {
        panic!(
            "{name} is missing (apt-get install {package}) and DUNWATCH_REQUIRE_VALIDATORS is set"
        );
    }
    if !found {
        eprintln!("skipped: {name} is missing (apt-get install {package})");
    }
    found
}

#[test]
fn install_writes_the_right_file_for_each_backend() {
    let home = Home::new();
    let exe = binary();
    let exe_s = exe.to_string_lossy();

    let out = home.ok(&["service", "install", "--backend", "systemd", "--no-start"]);
    assert!(
        out.contains(&home.path(UNIT).display().to_string()),
        "{out}"
    );
    assert!(
        out.contains("undo with: dunwatch service uninstall"),
        "{out}"
    );
    let unit = home.read(UNIT);
    assert!(
        unit.contains(&format!("\nExecStart={exe_s} run\n")),
        "{unit}"
    );
    assert!(unit.contains("\nWantedBy=default.target"), "{unit}");
    assert!(unit.contains("\nRestart=on-failure\n") && unit.contains("StartLimitBurst="));

    // A second backend replaces the first: a login never starts two daemons.
    home.ok(&["service", "install", "--backend", "xdg", "--no-start"]);
    assert!(!home.path(UNIT).exists(), "systemd unit left behind");
    let entry = home.read(DESKTOP);
    assert!(entry.contains(&format!("\nExec={exe_s} run\n")), "{entry}");

    home.ok(&["service", "install", "--backend", "launchd", "--no-start"]);
    let plist = home.read(PLIST);
    assert!(
        plist.contains(&format!("<string>{exe_s}</string>")),
        "{plist}"
    );
    assert!(plist.contains(&format!(
        "<string>{}/stderr.log</string>",
        home.path("home/Library/Logs/dunwatch").display()
    )));
    assert!(!plist.contains('~'));

    // The Run key is the registration itself: --no-start writes nothing and says how.
    let out = home.ok(&["service", "install", "--backend", "windows", "--no-start"]);
    assert!(out.contains("reg add"), "{out}");
    assert!(out.contains(r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"));
    assert!(out.contains(exe_s.as_ref()), "{out}");
}

#[test]
fn status_reads_back_the_installed_file() {
    let home = Home::new();
    let out = home.ok(&["service", "status", "--no-start"]);
    assert!(out.contains("systemd: not installed"), "{out}");
    assert!(out.contains("daemon: not running"), "{out}");

    home.ok(&["service", "install", "--backend", "systemd", "--no-start"]);
    let out = home.ok(&["service", "status", "--backend", "systemd", "--no-start"]);
    assert!(out.contains("installed:  yes"), "{out}");
    assert!(out.contains("(this binary)"), "{out}");
    assert!(out.contains("registered: no"), "{out}");

    // A unit left by an older install elsewhere is called out.
    let unit = home
        .read(UNIT)
        .replace(binary().to_string_lossy().as_ref(), "/old/place/dunwatch");
    std::fs::write(home.path(UNIT), unit).unwrap();
    let out = home.ok(&["service", "status", "--backend", "systemd", "--no-start"]);
    assert!(
        out.contains("/old/place/dunwatch (NOT this binary"),
        "{out}"
    );
}

#[test]
fn config_and_db_given_at_install_are_passed_to_the_service() {
    let home = Home::new();
    let config = home.path("my config.toml");
    std::fs::write(&config, "").unwrap();
    home.ok(&[
        "--config",
        config.to_str().unwrap(),
        "service",
        "install",
        "--backend",
        "systemd",
        "--no-start",
    ]);
    let unit = home.read(UNIT);
    let line = unit.lines().find(|l| l.starts_with("ExecStart=")).unwrap();
    assert!(
        line.ends_with(&format!(" --config \"{}\" run", config.display())),
        "{line}"
    );
}

#[test]
fn uninstall_removes_the_files() {
    let home = Home::new();
    for (backend, file) in [("systemd", UNIT), ("xdg", DESKTOP), ("launchd", PLIST)] {
        home.ok(&["service", "install", "--backend", backend, "--no-start"]);
        assert!(home.path(file).exists(), "{backend}");
        let out = home.ok(&["service", "uninstall", "--backend", backend, "--no-start"]);
        assert!(!home.path(file).exists(), "{backend} left {file}");
        assert!(out.contains("deleted"), "{out}");
    }
    // systemd's enable links go too (what `systemctl --user disable` would remove).
    home.ok(&["service", "install", "--backend", "systemd", "--no-start"]);
    let wants = home.path("home/.config/systemd/user/default.target.wants");
    std::fs::create_dir_all(&wants).unwrap();
    std::os::unix::fs::symlink(home.path(UNIT), wants.join("dunwatch.service")).unwrap();
    home.ok(&["service", "uninstall", "--no-start"]);
    assert!(!home.path(UNIT).exists());
    assert!(wants.join("dunwatch.service").symlink_metadata().is_err());
    let out = home.ok(&["service", "uninstall", "--no-start"]);
    assert!(out.contains("nothing to remove"), "{out}");
}

/// A copy of the binary's name in a folder with a blank and a `%` (both need escaping in
/// units and desktop files): a symlink, as the validators need the program to exist.
fn odd_program(dir: &Path) -> PathBuf {
    let odd = dir.join("my apps 100%");
    std::fs::create_dir_all(&odd).unwrap();
    let link = odd.join("dunwatch");
    std::os::unix::fs::symlink(binary(), &link).unwrap();
    link
}

#[test]
fn systemd_analyze_accepts_the_unit() {
    if !have("systemd-analyze", "systemd") {
        return;
    }
    let analyze = "systemd-analyze";
    let home = Home::new();
    home.ok(&["service", "install", "--backend", "systemd", "--no-start"]);
    let odd = ServiceCommand {
        program: odd_program(home.dir.path()),
        args: vec!["run".into()],
    };
    let odd_unit = home.path("odd/dunwatch.service");
    std::fs::create_dir_all(odd_unit.parent().unwrap()).unwrap();
    std::fs::write(
        &odd_unit,
        systemd::render(&odd, systemd::GRAPHICAL, systemd::ManPage::Missing),
    )
    .unwrap();
    for unit in [home.path(UNIT), odd_unit] {
        let out = Command::new(analyze)
            .args(["verify", "--man=no"])
            .arg(&unit)
            .env("HOME", home.path("home"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !stderr.contains("dunwatch.service:"),
            "systemd-analyze verify {}:\n{stderr}\n{}",
            unit.display(),
            std::fs::read_to_string(&unit).unwrap()
        );
    }
}

#[test]
fn desktop_file_validate_accepts_the_entry() {
    if !have("desktop-file-validate", "desktop-file-utils") {
        return;
    }
    let validate = "desktop-file-validate";
    let home = Home::new();
    home.ok(&["service", "install", "--backend", "xdg", "--no-start"]);
    let odd = ServiceCommand {
        program: odd_program(home.dir.path()),
        args: vec!["run".into()],
    };
    let odd_entry = home.path("odd/dunwatch.desktop");
    std::fs::create_dir_all(odd_entry.parent().unwrap()).unwrap();
    std::fs::write(&odd_entry, xdg::render(&odd)).unwrap();
    for entry in [home.path(DESKTOP), odd_entry] {
        let out = Command::new(validate).arg(&entry).output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // desktop-file-validate exits 0 with hints; errors and warnings are what count.
        assert!(
            out.status.success() && !all.contains("error") && !all.contains("warning"),
            "desktop-file-validate {}:\n{all}",
            entry.display()
        );
    }
    assert_eq!(
        xdg::exec_program(&std::fs::read_to_string(home.path("odd/dunwatch.desktop")).unwrap()),
        Some(odd.program)
    );
}

#[test]
fn plistlib_parses_the_launch_agent() {
    if !have("python3", "python3") {
        return;
    }
    let python = "python3";
    let home = Home::new();
    home.ok(&["service", "install", "--backend", "launchd", "--no-start"]);
    let out = Command::new(python)
        .args([
            "-c",
            "import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))",
        ])
        .arg(home.path(PLIST))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "plistlib: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["Label"], launchd::LABEL);
    assert_eq!(
        v["ProgramArguments"],
        serde_json::json!([binary().to_string_lossy(), "run"])
    );
    assert_eq!(v["RunAtLoad"], true);
    assert_eq!(v["KeepAlive"]["SuccessfulExit"], false);
    let stderr_log = v["StandardErrorPath"].as_str().unwrap();
    assert!(Path::new(stderr_log).is_absolute(), "{stderr_log}");
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn committed_man_pages_completions_and_unit_match_the_cli() {
    let home = Home::new();
    let fresh = home.path("generated");
    home.ok(&["generate", "all", fresh.to_str().unwrap()]);
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/generated");
    let hint = "packaging/generated/ is out of date: run \
                `cargo run -- generate all packaging/generated` and commit it";
    assert_eq!(files_under(&fresh), files_under(&committed), "{hint}");
    for rel in files_under(&fresh) {
        let a = std::fs::read(fresh.join(&rel)).unwrap();
        let b = std::fs::read(committed.join(&rel)).unwrap();
        assert!(a == b, "{} differs; {hint}", rel.display());
    }
    assert!(
        files_under(&fresh)
            .iter()
            .any(|p| p.ends_with("dunwatch.1"))
    );
    assert!(fresh.join("completions/_dunwatch").exists());
}

#[test]
fn doctor_reports_paths_config_database_and_service() {
    let home = Home::new();
    let out = home.ok(&["doctor"]);
    for want in [
        "config file",
        "config: valid",
        "watched folders",
        "(MISSING",
        "database:",
        "not created yet",
        "rules: loaded, ",
        " lenders from rules/lenders.toml",
        "notifications:",
        "daemon: not running",
    ] {
        assert!(out.contains(want), "doctor lacks {want:?}:\n{out}");
    }
    std::fs::create_dir_all(home.path("config")).unwrap();
    std::fs::write(home.path("config/config.toml"), "watch = 3\n").unwrap();
    let out = home.ok(&["doctor"]);
    assert!(out.contains("config: INVALID"), "{out}");
    assert!(out.contains("line 1"), "{out}");
}

/// The whole XDG path for real (no service manager involved): install starts the daemon,
/// status sees it, uninstall deletes the entry and stops the daemon with SIGTERM.
#[test]
fn xdg_install_starts_the_daemon_and_uninstall_stops_it() {
    use dunwatch::service::{self, Backend, Daemon, Host, Log, Options, System};
    let home = Home::new();
    // `env` gives the daemon this test's private folders (and keeps its pid: it execs).
    let command = ServiceCommand {
        program: PathBuf::from("/usr/bin/env"),
        args: vec![
            format!("HOME={}", home.path("home").display()),
            format!("DUNWATCH_DATA_DIR={}", home.path("data").display()),
            format!("DUNWATCH_CONFIG_DIR={}", home.path("config").display()),
            binary().to_string_lossy().into_owned(),
            "run".into(),
        ],
    };
    let host = Host {
        home: home.path("home"),
        config_home: home.path("home/.config"),
        lock_file: home.path("data/dunwatch.lock"),
        command,
        is_root: false,
        uid: None,
        start_timeout: std::time::Duration::from_secs(30),
    };
    let mut log = Log::default();
    service::install(&host, Backend::Xdg, Options::default(), &System, &mut log).unwrap();
    let Daemon::Running(Some(pid)) = service::daemon_state(&host.lock_file) else {
        panic!("daemon did not start: {:?}", log.lines);
    };
    assert!(log.said("cli.service.started"), "{:?}", log.lines);
    assert!(
        log.lines
            .iter()
            .any(|l| l.to_string() == format!("started: dunwatch is running as process {pid}")),
        "{:?}",
        log.lines
    );
    assert_eq!(service::daemon_program(pid), Some(binary()));
    assert!(home.path(DESKTOP).exists());

    // Installing again leaves the running daemon alone instead of starting a second one.
    let mut again = Log::default();
    service::install(&host, Backend::Xdg, Options::default(), &System, &mut again).unwrap();
    assert!(
        again.said("cli.service.already_running"),
        "{:?}",
        again.lines
    );
    assert!(!again.said("cli.service.started"), "{:?}", again.lines);

    let mut log = Log::default();
    service::uninstall(&host, Backend::Xdg, Options::default(), &System, &mut log).unwrap();
    assert!(!home.path(DESKTOP).exists());
    assert_eq!(
        service::daemon_state(&host.lock_file),
        Daemon::NotRunning,
        "{:?}",
        log.lines
    );
    let stopped = log.lines.iter().find(|l| l.key == "cli.service.stopped");
    assert_eq!(
        stopped.and_then(|l| l.get("pid")),
        Some(pid.to_string().as_str()),
        "{:?}",
        log.lines
    );
}
