//! systemd user unit: `$XDG_CONFIG_HOME/systemd/user/dunwatch.service`, registered with
//! `systemctl --user`.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{
    Backend, Daemon, Host, Log, Options, Runner, ServiceCommand, Status, daemon_state, fill,
    pid_text, remove_file, report_start, run_checked, write_file,
};
use crate::words::{Failed, Phrase};

pub const UNIT: &str = "dunwatch.service";
pub const TEMPLATE: &str = include_str!("../../packaging/systemd/dunwatch.service");
/// Reached only on desktops with systemd session integration (GNOME, KDE, …).
pub const GRAPHICAL: &str = "graphical-session.target";
/// Reached on every login; the fallback where the graphical target never activates.
pub const DEFAULT: &str = "default.target";
/// Where a distribution package puts the unit.
pub const PACKAGED_UNIT: &str = "/usr/lib/systemd/user/dunwatch.service";

pub fn file(host: &Host) -> PathBuf {
    unit_dir(host).join(UNIT)
}

fn unit_dir(host: &Host) -> PathBuf {
    host.config_home.join("systemd/user")
}

/// Where the daemon's log is, when systemd runs it.
const JOURNAL: &str = "journalctl --user -u dunwatch -e";

/// The template's line that points at the man page.
const MAN_LINE: &str = "Documentation=man:dunwatch(1)\n";

/// Whether the unit may name the man page: `systemd-analyze verify` runs `man` for every
/// `man:` entry and fails the unit when there is no such page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManPage {
    /// The page is installed (a package ships it with the unit).
    Installed,
    /// `cargo install`, a copied binary: no page; the unit says where help is instead.
    Missing,
}

impl ManPage {
    /// Looks for `dunwatch.1` where `man` would find it for this program: beside its
    /// prefix (`PREFIX/bin/dunwatch` -> `PREFIX/share/man/man1`) and in the system's folders.
    pub fn for_program(program: &Path) -> ManPage {
        let mut dirs: Vec<PathBuf> = Vec::new();
        if let Some(prefix) = program.parent().and_then(Path::parent) {
            dirs.push(prefix.join("share/man/man1"));
            dirs.push(prefix.join("man/man1"));
        }
        for d in ["/usr/share/man/man1", "/usr/local/share/man/man1"] {
            dirs.push(PathBuf::from(d));
        }
        let found = dirs.iter().any(|d| {
            ["dunwatch.1", "dunwatch.1.gz", "dunwatch.1.xz"]
                .iter()
                .any(|f| d.join(f).is_file())
        });
        if found {
            ManPage::Installed
        } else {
            ManPage::Missing
        }
    }
}

/// The unit text for this command, wanted by `target`.
pub fn render(cmd: &ServiceCommand, target: &str, man: ManPage) -> String {
    let mut exec = quote(&cmd.program.to_string_lossy());
    for arg in &cmd.args {
        exec.push(' ');
        exec.push_str(&quote(arg));
    }
    let mut template = TEMPLATE.to_string();
    if man == ManPage::Missing {
        template = template.replacen(
            MAN_LINE,
            "# No man page was installed with this binary: `dunwatch help run` explains it.\n",
            1,
        );
    }
    fill(&template, &[("EXEC", &exec), ("TARGET", target)])
}

/// One word of an `ExecStart=` line: `%` and `$` are escaped (specifiers, variables), and
/// a word with blanks, quotes, backslashes or `;` is double-quoted.
pub fn quote(word: &str) -> String {
    let escaped = word.replace('%', "%%").replace('$', "$$");
    let needs_quotes = word.is_empty()
        || word
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | ';'));
    if !needs_quotes {
        return escaped;
    }
    let mut out = String::from("\"");
    for c in escaped.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The program an installed unit starts: the first word of `ExecStart=`.
pub fn exec_program(unit: &str) -> Option<PathBuf> {
    let value = unit
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("ExecStart="))?;
    // Prefixes that change how the command runs, not what it is.
    let value = value.trim_start_matches(['@', '-', ':', '+', '!']);
    let word = first_word(value)?;
    Some(PathBuf::from(word.replace("%%", "%").replace("$$", "$")))
}

fn first_word(value: &str) -> Option<String> {
    let value = value.trim_start();
    let Some(rest) = value.strip_prefix('"') else {
        return value.split_whitespace().next().map(str::to_string);
    };
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '"' => return Some(out),
            c => out.push(c),
        }
    }
    None
}

/// Whether `systemctl --user` reaches a running user manager.
pub fn user_instance_reachable(runner: &dyn Runner) -> bool {
    runner
        .run("systemctl", &["--user", "show-environment"])
        .map(|o| o.success)
        .unwrap_or(false)
}

fn graphical_session_active(runner: &dyn Runner) -> bool {
    runner
        .run("systemctl", &["--user", "is-active", GRAPHICAL])
        .map(|o| o.stdout.trim() == "active")
        .unwrap_or(false)
}

fn unit_active(runner: &dyn Runner) -> bool {
    runner
        .run("systemctl", &["--user", "is-active", UNIT])
        .map(|o| matches!(o.stdout.trim(), "active" | "activating" | "reloading"))
        .unwrap_or(false)
}

fn man_page(host: &Host) -> ManPage {
    ManPage::for_program(&host.command.program)
}

pub fn install(host: &Host, opts: Options, runner: &dyn Runner, log: &mut Log) -> Result<()> {
    let path = file(host);
    if opts.no_start {
        // Asking systemd which target the session reaches is a call too: take the target
        // every login reaches.
        write_file(&path, &render(&host.command, DEFAULT, man_page(host)), log)?;
        let enable =
            format!("systemctl --user daemon-reload && systemctl --user enable --now {UNIT}");
        log.say(Phrase::new("cli.service.not_registered").arg("command", enable));
        return Ok(());
    }
    let env = runner.run("systemctl", &["--user", "show-environment"]);
    let env = match env {
        Ok(out) if out.success => out.stdout,
        _ => return Err(Failed::new(Phrase::new("cli.service.error.no_systemd")).into()),
    };
    let target = if graphical_session_active(runner) {
        GRAPHICAL
    } else {
        DEFAULT
    };
    write_file(&path, &render(&host.command, target, man_page(host)), log)?;
    run_checked(runner, "systemctl", &["--user", "daemon-reload"])?;
    // reenable drops the links of an earlier install that used the other target.
    run_checked(runner, "systemctl", &["--user", "reenable", UNIT])?;
    log.say(Phrase::new("cli.service.systemd.enabled").arg("target", target));
    if target == DEFAULT {
        log.say(
            Phrase::new("cli.service.systemd.every_login")
                .arg("graphical", GRAPHICAL)
                .arg("default", DEFAULT),
        );
    }
    if !env
        .lines()
        .any(|l| l.starts_with("DBUS_SESSION_BUS_ADDRESS="))
    {
        log.say(Phrase::new("cli.service.systemd.no_bus").arg(
            "command",
            "dbus-update-activation-environment --systemd DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY",
        ));
    }
    let outside = match daemon_state(&host.lock_file) {
        Daemon::Running(pid) if !unit_active(runner) => Some(pid),
        _ => None,
    };
    if let Some(pid) = outside {
        // Starting the unit now would only fail on the lock, five times, and give up.
        log.say(
            Phrase::new("cli.service.systemd.outside")
                .with("pid", pid_text(pid))
                .arg("command", format!("systemctl --user start {UNIT}")),
        );
        return Ok(());
    }
    run_checked(runner, "systemctl", &["--user", "restart", UNIT])?;
    let hint = Phrase::new("cli.service.hint.see_two")
        .arg("first", format!("systemctl --user status {UNIT}"))
        .arg("second", JOURNAL);
    report_start(host, log, hint);
    Ok(())
}

pub fn uninstall(host: &Host, opts: Options, runner: &dyn Runner, log: &mut Log) -> Result<()> {
    let path = file(host);
    let present = path.exists() || !wants_links(host).is_empty();
    let managed = !opts.no_start && user_instance_reachable(runner);
    if !managed && !present {
        return Ok(());
    }
    if managed {
        // Disable and stop first: a unit whose binary is gone restarts until it gives up.
        let known = runner
            .run("systemctl", &["--user", "cat", UNIT])
            .map(|o| o.success)
            .unwrap_or(false);
        if known {
            run_checked(runner, "systemctl", &["--user", "disable", "--now", UNIT])?;
            log.say(Phrase::new("cli.service.systemd.disabled").arg("unit", UNIT));
        }
    } else if !opts.no_start {
        log.say(Phrase::new("cli.service.systemd.files_only"));
    }
    // disable removes these links; without systemd, remove them by hand.
    remove_wants_links(host, log)?;
    remove_file(&path, log)?;
    if managed {
        run_checked(runner, "systemctl", &["--user", "daemon-reload"])?;
        let _ = runner.run("systemctl", &["--user", "reset-failed", UNIT]);
    }
    if Path::new(PACKAGED_UNIT).exists() && !opts.no_start {
        log.say(
            Phrase::new("cli.service.systemd.packaged_remains")
                .arg("unit", PACKAGED_UNIT)
                .arg("command", format!("systemctl --user disable {UNIT}")),
        );
    }
    Ok(())
}

fn wants_links(host: &Host) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(unit_dir(host)) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(".wants"))
        })
        .map(|d| d.join(UNIT))
        .filter(|l| l.symlink_metadata().is_ok())
        .collect()
}

fn remove_wants_links(host: &Host, log: &mut Log) -> Result<()> {
    for link in wants_links(host) {
        remove_file(&link, log)?;
    }
    Ok(())
}

pub fn status(host: &Host, runner: &dyn Runner, ask: bool) -> Status {
    let path = file(host);
    let mut st = Status::new(Backend::Systemd, path.display().to_string());
    if let Ok(text) = std::fs::read_to_string(&path) {
        st.installed = true;
        st.program = exec_program(&text);
    } else if Path::new(PACKAGED_UNIT).exists() {
        st.notes.push(
            Phrase::new("cli.service.systemd.packaged")
                .arg("unit", PACKAGED_UNIT)
                .arg("program", "/usr/bin/dunwatch"),
        );
        if let Ok(text) = std::fs::read_to_string(PACKAGED_UNIT) {
            st.program = exec_program(&text);
        }
    }
    if !ask {
        st.registered = Some(!wants_links(host).is_empty());
        return st;
    }
    if let Ok(out) = runner.run("systemctl", &["--user", "is-enabled", UNIT]) {
        let state = out.stdout.trim();
        st.registered = Some(state == "enabled");
        if state == "enabled" && !st.installed {
            st.installed = true;
            st.location = PACKAGED_UNIT.to_string();
        }
    }
    if let Ok(out) = runner.run("systemctl", &["--user", "is-active", UNIT]) {
        let state = out.stdout.trim();
        st.running = Some(matches!(state, "active" | "activating" | "reloading"));
        if state == "failed" {
            st.notes.push(
                Phrase::new("cli.service.systemd.failed")
                    .arg("journal", JOURNAL)
                    .arg("command", format!("systemctl --user restart {UNIT}")),
            );
        }
    }
    st
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn unit_runs_the_absolute_binary_and_caps_restarts() {
        let cmd = ServiceCommand {
            program: PathBuf::from("/home/ann/.cargo/bin/dunwatch"),
            args: vec!["run".into()],
        };
        let unit = render(&cmd, GRAPHICAL, ManPage::Missing);
        assert!(
            unit.contains("\nExecStart=/home/ann/.cargo/bin/dunwatch run\n"),
            "{unit}"
        );
        assert!(
            unit.contains("\nWantedBy=graphical-session.target"),
            "{unit}"
        );
        assert!(unit.contains("\nRestart=on-failure\n"), "{unit}");
        assert!(unit.contains("\nStartLimitBurst=5\n"), "{unit}");
        assert!(unit.contains("\nStartLimitIntervalSec=60\n"), "{unit}");
        assert!(!unit.contains('@'), "placeholder left: {unit}");
        assert_eq!(
            exec_program(&unit),
            Some(PathBuf::from("/home/ann/.cargo/bin/dunwatch"))
        );
    }

    #[test]
    fn odd_paths_are_quoted_and_read_back() {
        for p in [
            "/opt/my apps/dunwatch",
            "/opt/100%/dunwatch",
            "/opt/$HOME/dun\"watch",
            "/opt/back\\slash/dunwatch",
        ] {
            let cmd = ServiceCommand {
                program: PathBuf::from(p),
                args: vec!["--config".into(), "/a b/c.toml".into(), "run".into()],
            };
            let unit = render(&cmd, DEFAULT, ManPage::Missing);
            assert_eq!(exec_program(&unit), Some(PathBuf::from(p)), "{unit}");
        }
        assert_eq!(quote("/opt/100%/x"), "/opt/100%%/x");
        assert_eq!(quote("/a b"), "\"/a b\"");
    }

    #[test]
    fn install_reloads_reenables_and_restarts_in_that_order() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let runner = FakeRunner::default()
            .answer(
                "systemctl --user show-environment",
                true,
                "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/501/bus\n",
            )
            .answer(
                "systemctl --user is-active graphical-session.target",
                true,
                "active\n",
            );
        let mut log = Log::default();
        install(&host, Options::default(), &runner, &mut log).unwrap();
        let unit = std::fs::read_to_string(file(&host)).unwrap();
        assert!(unit.contains("WantedBy=graphical-session.target"));
        assert_eq!(
            runner.calls(),
            [
                "systemctl --user show-environment",
                "systemctl --user is-active graphical-session.target",
                "systemctl --user daemon-reload",
                "systemctl --user reenable dunwatch.service",
                "systemctl --user restart dunwatch.service",
            ]
        );
        assert!(log.said("cli.service.systemd.enabled"), "{:?}", log.lines);
        assert!(!log.said("cli.service.systemd.no_bus"), "{:?}", log.lines);
        assert!(
            !log.lines
                .iter()
                .any(|l| l.to_string().contains("DBUS_SESSION_BUS_ADDRESS"))
        );
    }

    #[test]
    fn without_a_graphical_session_the_unit_is_wanted_by_default_target() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let runner = FakeRunner::default().answer(
            "systemctl --user is-active graphical-session.target",
            false,
            "inactive\n",
        );
        let mut log = Log::default();
        install(&host, Options::default(), &runner, &mut log).unwrap();
        let unit = std::fs::read_to_string(file(&host)).unwrap();
        assert!(unit.contains("WantedBy=default.target"), "{unit}");
        // show-environment answered without the session bus: say how to fix it.
        let bus = log
            .lines
            .iter()
            .find(|l| l.key == "cli.service.systemd.no_bus")
            .expect("the missing session bus is said");
        assert!(
            bus.get("command")
                .unwrap()
                .starts_with("dbus-update-activation-environment --systemd ")
        );
        assert!(
            bus.to_string()
                .contains("dbus-update-activation-environment")
        );
        assert!(
            log.said("cli.service.systemd.every_login"),
            "{:?}",
            log.lines
        );
    }

    #[test]
    fn no_systemd_user_instance_is_an_error_that_suggests_xdg() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let runner = FakeRunner::default().answer("systemctl --user show-environment", false, "");
        let err = install(&host, Options::default(), &runner, &mut Log::default()).unwrap_err();
        let failed = err.downcast_ref::<Failed>().expect("worded");
        assert_eq!(failed.phrase.key, "cli.service.error.no_systemd");
        assert!(err.to_string().contains("--backend xdg"), "{err}");
        assert!(!file(&host).exists());
    }

    #[test]
    fn uninstall_disables_and_stops_before_deleting() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let runner = FakeRunner::default();
        let mut log = Log::default();
        write_file(
            &file(&host),
            &render(&host.command, DEFAULT, ManPage::Missing),
            &mut log,
        )
        .unwrap();
        let wants = unit_dir(&host).join("default.target.wants");
        std::fs::create_dir_all(&wants).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(file(&host), wants.join(UNIT)).unwrap();
        uninstall(&host, Options::default(), &runner, &mut log).unwrap();
        assert_eq!(
            runner.calls(),
            [
                "systemctl --user show-environment",
                "systemctl --user cat dunwatch.service",
                "systemctl --user disable --now dunwatch.service",
                "systemctl --user daemon-reload",
                "systemctl --user reset-failed dunwatch.service",
            ]
        );
        assert!(!file(&host).exists());
        assert!(wants.join(UNIT).symlink_metadata().is_err());
    }

    #[test]
    fn status_reads_back_the_program_and_asks_systemd() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        write_file(
            &file(&host),
            &render(&host.command, DEFAULT, ManPage::Missing),
            &mut Log::default(),
        )
        .unwrap();
        let runner = FakeRunner::default()
            .answer("systemctl --user is-enabled", true, "enabled\n")
            .answer("systemctl --user is-active", false, "failed\n");
        let st = status(&host, &runner, true);
        assert!(st.installed);
        assert_eq!(st.program.as_deref(), Some(host.command.program.as_path()));
        assert_eq!(st.registered, Some(true));
        assert_eq!(st.running, Some(false));
        let failed = st
            .notes
            .iter()
            .find(|n| n.key == "cli.service.systemd.failed");
        assert_eq!(
            failed.and_then(|n| n.get("journal")),
            Some("journalctl --user -u dunwatch -e")
        );
        assert!(
            st.notes
                .iter()
                .any(|n| n.to_string().contains("journalctl"))
        );
        assert_eq!(st.points_at(Path::new("/usr/bin/dunwatch")), Some(false));
    }
}
