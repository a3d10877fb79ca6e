//! XDG autostart: `$XDG_CONFIG_HOME/autostart/dunwatch.desktop`, started by the desktop
//! session at login (for desktops without a systemd user instance).

use std::path::PathBuf;

use anyhow::Result;

use super::{
    Backend, Daemon, Host, Log, Options, Runner, ServiceCommand, Status, daemon_state, fill,
    pid_text, remove_file, start_now, wait_for_daemon, write_file,
};
use crate::words::Phrase;

pub const TEMPLATE: &str = include_str!("../../packaging/xdg/dunwatch.desktop");

pub fn file(host: &Host) -> PathBuf {
    host.config_home.join("autostart/dunwatch.desktop")
}

pub fn render(cmd: &ServiceCommand) -> String {
    let mut exec = quote(&cmd.program.to_string_lossy());
    for arg in &cmd.args {
        exec.push(' ');
        exec.push_str(&quote(arg));
    }
    fill(TEMPLATE, &[("EXEC", &escape_string(&exec))])
}

/// One argument of `Exec=` (Desktop Entry spec, "The Exec key"): arguments with reserved
/// characters are double-quoted with `"`, `` ` ``, `$` and `\` backslash-escaped; `%` is
/// doubled because it starts a field code.
pub fn quote(arg: &str) -> String {
    const RESERVED: &[char] = &[
        ' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(',
        ')', '`',
    ];
    let arg = arg.replace('%', "%%");
    if !arg.is_empty() && !arg.contains(RESERVED) {
        return arg;
    }
    let mut out = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The value escaping of the `string` type: a backslash is written twice.
fn escape_string(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\n', "\\n")
}

fn unescape_string(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(' '),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The program an installed entry starts: the first argument of `Exec=`.
pub fn exec_program(entry: &str) -> Option<PathBuf> {
    let value = key(entry, "Exec")?;
    let value = unescape_string(&value);
    let value = value.trim_start();
    let word = if let Some(rest) = value.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars();
        loop {
            match chars.next()? {
                '\\' => out.push(chars.next()?),
                '"' => break out,
                c => out.push(c),
            }
        }
    } else {
        value.split_whitespace().next()?.to_string()
    };
    Some(PathBuf::from(word.replace("%%", "%")))
}

/// A key of the `[Desktop Entry]` group.
fn key(entry: &str, name: &str) -> Option<String> {
    let mut in_group = false;
    for line in entry.lines().map(str::trim) {
        if line.starts_with('[') {
            in_group = line == "[Desktop Entry]";
        } else if in_group
            && let Some((k, v)) = line.split_once('=')
            && k.trim() == name
        {
            return Some(v.trim().to_string());
        }
    }
    None
}

/// An entry switched off by `Hidden=true` or the GNOME key is not started at login.
fn disabled(entry: &str) -> bool {
    key(entry, "Hidden").as_deref() == Some("true")
        || key(entry, "X-GNOME-Autostart-enabled").as_deref() == Some("false")
}

pub fn install(host: &Host, opts: Options, runner: &dyn Runner, log: &mut Log) -> Result<()> {
    write_file(&file(host), &render(&host.command), log)?;
    log.say(Phrase::new("cli.service.xdg.next_login"));
    if opts.no_start {
        log.say(Phrase::new("cli.service.xdg.not_started"));
        return Ok(());
    }
    start_now(host, runner, log)
}

pub fn uninstall(host: &Host, opts: Options, runner: &dyn Runner, log: &mut Log) -> Result<()> {
    let path = file(host);
    let existed = path.exists();
    // The file is the registration: deleting it is disabling it.
    remove_file(&path, log)?;
    if opts.no_start || !existed {
        return Ok(());
    }
    // The daemon this entry started at login still runs: stop it (SIGTERM ends it cleanly).
    if let Daemon::Running(Some(pid)) = daemon_state(&host.lock_file) {
        if cfg!(unix) {
            let _ = runner.run("kill", &["-TERM", &pid.to_string()]);
            match wait_for_daemon(host, false) {
                Daemon::NotRunning => log.say(Phrase::new("cli.service.stopped").arg("pid", pid)),
                Daemon::Running(_) => log.say(
                    Phrase::new("cli.service.xdg.until_logout").with("pid", pid_text(Some(pid))),
                ),
            }
        } else {
            log.say(Phrase::new("cli.service.xdg.until_logout").with("pid", pid_text(Some(pid))));
        }
    }
    Ok(())
}

pub fn status(host: &Host) -> Status {
    let path = file(host);
    let mut st = Status::new(Backend::Xdg, path.display().to_string());
    if let Ok(text) = std::fs::read_to_string(&path) {
        st.installed = true;
        st.program = exec_program(&text);
        let off = disabled(&text);
        st.registered = Some(!off);
        if off {
            st.notes.push(Phrase::new("cli.service.xdg.switched_off"));
        }
    } else {
        st.registered = Some(false);
    }
    st
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use std::path::Path;

    #[test]
    fn desktop_entry_runs_the_absolute_binary_and_reads_back() {
        for p in [
            "/usr/bin/dunwatch",
            "/opt/my apps/dunwatch",
            "/opt/100%/dunwatch",
            "/opt/$x/back\\slash/\"q\"/dunwatch",
        ] {
            let cmd = ServiceCommand {
                program: PathBuf::from(p),
                args: vec!["run".into()],
            };
            let entry = render(&cmd);
            assert!(entry.contains("\nTerminal=false\n"), "{entry}");
            assert!(!entry.contains('@'), "{entry}");
            assert_eq!(exec_program(&entry), Some(PathBuf::from(p)), "{entry}");
        }
        let cmd = ServiceCommand {
            program: PathBuf::from("/usr/bin/dunwatch"),
            args: vec!["run".into()],
        };
        assert!(render(&cmd).contains("\nExec=/usr/bin/dunwatch run\n"));
        assert_eq!(quote("/a b/%"), "\"/a b/%%\"");
    }

    #[test]
    fn install_without_no_start_starts_the_daemon_now() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let runner = FakeRunner::default();
        let mut log = Log::default();
        install(&host, Options::default(), &runner, &mut log).unwrap();
        assert!(file(&host).exists());
        assert_eq!(
            runner.calls(),
            ["spawn /opt/dunwatch dir/bin/dunwatch run".to_string()]
        );
        let st = status(&host);
        assert!(st.installed);
        assert_eq!(st.registered, Some(true));
        assert_eq!(
            st.points_at(Path::new("/opt/dunwatch dir/bin/dunwatch")),
            Some(true)
        );
    }

    #[test]
    fn hidden_entry_counts_as_not_registered() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let text = render(&host.command) + "Hidden=true\n";
        write_file(&file(&host), &text, &mut Log::default()).unwrap();
        let st = status(&host);
        assert!(st.installed);
        assert_eq!(st.registered, Some(false));
        assert_eq!(st.notes, [Phrase::new("cli.service.xdg.switched_off")]);
    }

    #[test]
    fn uninstall_deletes_the_entry_and_stops_the_daemon_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let runner = FakeRunner::default();
        let mut log = Log::default();
        install(&host, Options { no_start: true }, &runner, &mut log).unwrap();
        let lock = crate::daemon::lock::InstanceLock::acquire(&host.lock_file).unwrap();
        uninstall(&host, Options::default(), &runner, &mut log).unwrap();
        drop(lock);
        assert!(!file(&host).exists());
        if cfg!(unix) {
            assert_eq!(
                runner.calls(),
                [format!("kill -TERM {}", std::process::id())]
            );
        }
    }
}
