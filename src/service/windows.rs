//! Windows: the per-user Run key (`HKCU\Software\Microsoft\Windows\CurrentVersion\Run`, no
//! administrator rights), written and read with `reg.exe`.
//!
//! A Windows *service* would run in session 0, where no toast can be shown; the Run key
//! starts dunwatch inside the user's session at login. The Run value is the registration
//! itself, so `--no-start` writes nothing here and prints the `reg add` command instead.

use std::path::PathBuf;

use anyhow::Result;

use super::{
    Backend, Daemon, Host, Log, Options, Runner, ServiceCommand, Status, daemon_state, pid_text,
    run_checked, start_now,
};
use crate::words::Phrase;

pub const RUN_KEY: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run";
pub const VALUE: &str = "dunwatch";

/// The Run value: the program in double quotes (paths often have spaces), then the
/// arguments (quoted when they have spaces).
pub fn value_data(cmd: &ServiceCommand) -> String {
    let mut data = format!("\"{}\"", cmd.program.to_string_lossy());
    for arg in &cmd.args {
        data.push(' ');
        if arg.contains([' ', '\t']) {
            data.push('"');
            data.push_str(arg);
            data.push('"');
        } else {
            data.push_str(arg);
        }
    }
    data
}

pub fn add_args(data: &str) -> Vec<String> {
    [
        "add", RUN_KEY, "/v", VALUE, "/t", "REG_SZ", "/d", data, "/f",
    ]
    .map(String::from)
    .to_vec()
}

pub fn query_args() -> Vec<String> {
    ["query", RUN_KEY, "/v", VALUE].map(String::from).to_vec()
}

pub fn delete_args() -> Vec<String> {
    ["delete", RUN_KEY, "/v", VALUE, "/f"]
        .map(String::from)
        .to_vec()
}

/// The data of our value in `reg query` output (`    dunwatch    REG_SZ    "C:\…" run`).
pub fn parse_query(stdout: &str) -> Option<String> {
    stdout.lines().find_map(|line| {
        let line = line.trim();
        let (name, rest) = line.split_once(char::is_whitespace)?;
        if !name.eq_ignore_ascii_case(VALUE) {
            return None;
        }
        let rest = rest.trim_start();
        let data = rest
            .strip_prefix("REG_SZ")
            .or_else(|| rest.strip_prefix("REG_EXPAND_SZ"))?;
        Some(data.trim().to_string())
    })
}

/// The program a Run value starts.
pub fn program(data: &str) -> Option<PathBuf> {
    let data = data.trim();
    let word = match data.strip_prefix('"') {
        Some(rest) => rest.split('"').next()?,
        None => data.split_whitespace().next()?,
    };
    Some(PathBuf::from(word))
}

fn shown(args: &[String]) -> String {
    let mut s = String::from("reg");
    for a in args {
        s.push(' ');
        if a.contains([' ', '"']) {
            s.push('"');
            s.push_str(&a.replace('"', "\\\""));
            s.push('"');
        } else {
            s.push_str(a);
        }
    }
    s
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

pub fn install(host: &Host, opts: Options, runner: &dyn Runner, log: &mut Log) -> Result<()> {
    let args = add_args(&value_data(&host.command));
    if opts.no_start {
        log.say(Phrase::new("cli.service.not_registered").arg("command", shown(&args)));
        return Ok(());
    }
    run_checked(runner, "reg", &refs(&args))?;
    log.say(
        Phrase::new("cli.service.windows.wrote")
            .arg("value", VALUE)
            .arg("key", RUN_KEY),
    );
    start_now(host, runner, log)
}

pub fn uninstall(host: &Host, opts: Options, runner: &dyn Runner, log: &mut Log) -> Result<()> {
    let args = delete_args();
    if opts.no_start {
        log.say(Phrase::new("cli.service.windows.not_deleted").arg("command", shown(&args)));
        return Ok(());
    }
    let present = runner
        .run("reg", &refs(&query_args()))
        .map(|o| o.success)
        .unwrap_or(false);
    if present {
        // Deleting the value is what disables the start at login.
        run_checked(runner, "reg", &refs(&args))?;
        log.say(
            Phrase::new("cli.service.windows.deleted")
                .arg("value", VALUE)
                .arg("key", RUN_KEY),
        );
    }
    if let Daemon::Running(Some(pid)) = daemon_state(&host.lock_file) {
        let pid_s = pid.to_string();
        let stopped = runner
            .run("taskkill", &["/PID", &pid_s, "/F"])
            .map(|o| o.success)
            .unwrap_or(false);
        log.say(if stopped {
            Phrase::new("cli.service.stopped").arg("pid", pid)
        } else {
            Phrase::new("cli.service.windows.still_running").with("pid", pid_text(Some(pid)))
        });
    }
    Ok(())
}

pub fn status(_host: &Host, runner: &dyn Runner, ask: bool) -> Status {
    let mut st = Status::new(Backend::Windows, format!(r"{RUN_KEY}\{VALUE}"));
    if !ask {
        st.notes.push(Phrase::new("cli.service.windows.not_read"));
        return st;
    }
    if let Ok(out) = runner.run("reg", &refs(&query_args()))
        && out.success
        && let Some(data) = parse_query(&out.stdout)
    {
        st.installed = true;
        st.registered = Some(true);
        st.program = program(&data);
    } else {
        st.registered = Some(false);
    }
    st
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn cmd() -> ServiceCommand {
        ServiceCommand {
            program: PathBuf::from(r"C:\Users\Ann Li\AppData\Local\Programs\dunwatch\dunwatch.exe"),
            args: vec!["run".into()],
        }
    }

    #[test]
    fn run_value_quotes_the_program_and_reads_back() {
        let data = value_data(&cmd());
        assert_eq!(
            data,
            r#""C:\Users\Ann Li\AppData\Local\Programs\dunwatch\dunwatch.exe" run"#
        );
        assert_eq!(program(&data), Some(cmd().program));
    }

    #[test]
    fn reg_commands_are_fixed_argument_arrays() {
        let data = value_data(&cmd());
        assert_eq!(
            add_args(&data),
            [
                "add",
                r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
                "/v",
                "dunwatch",
                "/t",
                "REG_SZ",
                "/d",
                &data,
                "/f"
            ]
        );
        assert_eq!(
            delete_args(),
            [
                "delete",
                r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
                "/v",
                "dunwatch",
                "/f"
            ]
        );
    }

    #[test]
    fn reg_query_output_is_parsed() {
        let out = "\r\nHKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\r\n    \
                   dunwatch    REG_SZ    \"C:\\Program Files\\dunwatch\\dunwatch.exe\" run\r\n\r\n";
        let data = parse_query(out).unwrap();
        assert_eq!(
            program(&data),
            Some(PathBuf::from(r"C:\Program Files\dunwatch\dunwatch.exe"))
        );
        assert_eq!(parse_query("    OneDrive    REG_SZ    x.exe\r\n"), None);
    }

    #[test]
    fn install_adds_the_value_then_starts_and_uninstall_deletes_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut host = host(dir.path());
        host.command = cmd();
        let runner = FakeRunner::default();
        install(&host, Options::default(), &runner, &mut Log::default()).unwrap();
        let data = value_data(&host.command);
        assert_eq!(
            runner.calls(),
            [
                format!("reg {}", add_args(&data).join(" ")),
                format!("spawn {} run", host.command.program.display()),
            ]
        );
        let runner = FakeRunner::default();
        uninstall(&host, Options::default(), &runner, &mut Log::default()).unwrap();
        assert_eq!(
            runner.calls(),
            [
                format!("reg {}", query_args().join(" ")),
                format!("reg {}", delete_args().join(" ")),
            ]
        );
    }

    #[test]
    fn no_start_touches_nothing_and_prints_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let host = host(dir.path());
        let runner = FakeRunner::default();
        let mut log = Log::default();
        install(&host, Options { no_start: true }, &runner, &mut log).unwrap();
        assert!(runner.calls().is_empty());
        let line = &log.lines[0];
        assert_eq!(line.key, "cli.service.not_registered", "{:?}", log.lines);
        assert!(
            line.get("command").unwrap().starts_with("reg add "),
            "{line}"
        );
        assert!(line.to_string().contains("reg add"), "{line}");
    }
}
