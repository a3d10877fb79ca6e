//! macOS LaunchAgent: `~/Library/LaunchAgents/<LABEL>.plist`, loaded into the user's GUI
//! domain with `launchctl bootstrap gui/UID` and removed with `launchctl bootout`.

use std::path::PathBuf;

use anyhow::Result;

use super::{
    Backend, Host, Log, Options, Runner, ServiceCommand, Status, fill, remove_file, report_start,
    run_checked, write_file,
};
use crate::words::Phrase;

pub const LABEL: &str = "org.dunwatch.dunwatch";
pub const TEMPLATE: &str = include_str!("../../packaging/launchd/org.dunwatch.dunwatch.plist");

pub fn file(host: &Host) -> PathBuf {
    host.home
        .join("Library/LaunchAgents")
        .join(format!("{LABEL}.plist"))
}

/// `~/Library/Logs/dunwatch`: where launchd writes the daemon's stdout and stderr.
pub fn log_dir(host: &Host) -> PathBuf {
    host.home.join("Library/Logs/dunwatch")
}

/// The plist text; every path in it is absolute (launchd expands neither `~` nor `$HOME`).
pub fn render(cmd: &ServiceCommand, log_dir: &std::path::Path) -> String {
    let mut args = format!(
        "    <string>{}</string>",
        xml_escape(&cmd.program.to_string_lossy())
    );
    for arg in &cmd.args {
        args.push_str(&format!("\n    <string>{}</string>", xml_escape(arg)));
    }
    fill(
        TEMPLATE,
        &[
            ("LABEL", LABEL),
            ("PROGRAM_ARGUMENTS", &args),
            ("LOG_DIR", &xml_escape(&log_dir.to_string_lossy())),
        ],
    )
}

fn xml_escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// The program an installed plist starts: the first string of `ProgramArguments`.
pub fn program(plist: &str) -> Option<PathBuf> {
    let after = plist.split_once("<key>ProgramArguments</key>")?.1;
    let array = after.trim_start().strip_prefix("<array>")?;
    let start = array.find("<string>")? + "<string>".len();
    let end = start + array[start..].find("</string>")?;
    let text = quick_xml::escape::unescape(&array[start..end]).ok()?;
    Some(PathBuf::from(text.into_owned()))
}

fn domain(host: &Host) -> String {
    match host.uid {
        Some(uid) => format!("gui/{uid}"),
        None => "gui/$(id -u)".to_string(),
    }
}

fn service_target(host: &Host) -> String {
    format!("{}/{LABEL}", domain(host))
}

pub fn install(host: &Host, opts: Options, runner: &dyn Runner, log: &mut Log) -> Result<()> {
    let path = file(host);
    let logs = log_dir(host);
    write_file(&path, &render(&host.command, &logs), log)?;
    // launchd opens the log files but does not create their folder.
    crate::paths::create_private_dir(&logs)?;
    log.say(Phrase::new("cli.service.launchd.logs").arg("dir", logs.display()));
    let domain = domain(host);
    let target = service_target(host);
    if opts.no_start {
        let bootstrap = format!("launchctl bootstrap {domain} {}", path.display());
        log.say(Phrase::new("cli.service.launchd.not_loaded").arg("command", bootstrap));
        return Ok(());
    }
    // Install overwrites: unload an earlier copy (fails harmlessly when none is loaded).
    let _ = runner.run("launchctl", &["bootout", &target]);
    // A user who switched it off under Login Items gets it back by installing again.
    let _ = runner.run("launchctl", &["enable", &target]);
    run_checked(
        runner,
        "launchctl",
        &["bootstrap", &domain, &path.to_string_lossy()],
    )?;
    log.say(Phrase::new("cli.service.launchd.loaded").arg("target", &target));
    let hint = Phrase::new("cli.service.hint.see_two")
        .arg("first", format!("launchctl print {target}"))
        .arg("second", logs.join("stderr.log").display());
    report_start(host, log, hint);
    Ok(())
}

pub fn uninstall(host: &Host, opts: Options, runner: &dyn Runner, log: &mut Log) -> Result<()> {
    let target = service_target(host);
    if !opts.no_start {
        let loaded = runner
            .run("launchctl", &["print", &target])
            .map(|o| o.success)
            .unwrap_or(false);
        if loaded {
            // bootout stops the agent and unloads it; only then is the plist deleted.
            run_checked(runner, "launchctl", &["bootout", &target])?;
            log.say(Phrase::new("cli.service.launchd.unloaded").arg("target", &target));
        }
    }
    let path = file(host);
    if path.exists() {
        remove_file(&path, log)?;
        log.say(Phrase::new("cli.service.launchd.logs_stay").arg("dir", log_dir(host).display()));
    }
    Ok(())
}

pub fn status(host: &Host, runner: &dyn Runner, ask: bool) -> Status {
    let path = file(host);
    let mut st = Status::new(Backend::Launchd, path.display().to_string());
    if let Ok(text) = std::fs::read_to_string(&path) {
        st.installed = true;
        st.program = program(&text);
    }
    if !ask {
        return st;
    }
    let target = service_target(host);
    match runner.run("launchctl", &["print", &target]) {
        Ok(out) if out.success => {
            st.registered = Some(true);
            st.running = Some(out.stdout.lines().any(|l| l.trim() == "state = running"));
        }
        _ => {
            st.registered = Some(false);
            st.running = Some(false);
            if st.installed {
                // macOS 13+ lets the user switch agents off under Login Items.
                let bootstrap = format!("launchctl bootstrap {} {}", domain(host), path.display());
                st.notes.push(
                    Phrase::new("cli.service.launchd.switched_off").arg("command", bootstrap),
                );
            }
        }
    }
    st
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn plist_has_absolute_paths_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let text = render(&host.command, &log_dir(&host));
        assert!(!text.contains('~') && !text.contains("$HOME") && !text.contains('@'));
        assert!(text.contains(&format!("<string>{LABEL}</string>")));
        assert!(text.contains("<string>/opt/dunwatch dir/bin/dunwatch</string>"));
        assert!(text.contains(&format!(
            "<string>{}/stderr.log</string>",
            log_dir(&host).display()
        )));
        assert_eq!(program(&text), Some(host.command.program.clone()));
        let odd = ServiceCommand {
            program: PathBuf::from("/Applications/A&B <x>/dunwatch"),
            args: vec!["run".into()],
        };
        let text = render(&odd, &log_dir(&host));
        assert!(text.contains("A&amp;B &lt;x&gt;"));
        assert_eq!(program(&text), Some(odd.program));
    }

    #[test]
    fn install_boots_out_then_bootstraps_into_the_gui_domain() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let runner = FakeRunner::default();
        install(&host, Options::default(), &runner, &mut Log::default()).unwrap();
        assert_eq!(
            runner.calls(),
            [
                format!("launchctl bootout gui/501/{LABEL}"),
                format!("launchctl enable gui/501/{LABEL}"),
                format!("launchctl bootstrap gui/501 {}", file(&host).display()),
            ]
        );
        assert!(log_dir(&host).is_dir());
    }

    #[test]
    fn uninstall_boots_out_before_deleting() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let runner = FakeRunner::default();
        install(
            &host,
            Options { no_start: true },
            &runner,
            &mut Log::default(),
        )
        .unwrap();
        assert!(runner.calls().is_empty());
        uninstall(&host, Options::default(), &runner, &mut Log::default()).unwrap();
        assert_eq!(
            runner.calls(),
            [
                format!("launchctl print gui/501/{LABEL}"),
                format!("launchctl bootout gui/501/{LABEL}"),
            ]
        );
        assert!(!file(&host).exists());
    }

    #[test]
    fn status_reads_launchctl_print() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        install(
            &host,
            Options { no_start: true },
            &FakeRunner::default(),
            &mut Log::default(),
        )
        .unwrap();
        let runner = FakeRunner::default().answer(
            "launchctl print",
            true,
            "gui/501/org.dunwatch.dunwatch = {\n\tstate = running\n\tpid = 812\n}\n",
        );
        let st = status(&host, &runner, true);
        assert_eq!(
            (st.installed, st.registered, st.running),
            (true, Some(true), Some(true))
        );
        let runner = FakeRunner::default().answer("launchctl print", false, "");
        let st = status(&host, &runner, true);
        assert_eq!(st.registered, Some(false));
        assert_eq!(st.notes[0].key, "cli.service.launchd.switched_off");
        assert_eq!(
            st.notes[0].get("command"),
            Some(format!("launchctl bootstrap gui/501 {}", file(&host).display()).as_str())
        );
        assert!(st.notes[0].to_string().contains("Login Items"));
    }
}
