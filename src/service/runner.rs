//! Running external tools (`systemctl`, `launchctl`, `reg`): the [`Runner`] the backends
//! call, and [`System`], which runs them for real with fixed argument arrays, no shell.

use std::io;
use std::path::Path;
use std::process::Stdio;

use anyhow::Result;

use crate::words::{Failed, OrSay, Phrase};

/// What an external tool answered.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs external tools. [`System`] runs them for real; tests record the calls.
pub trait Runner {
    fn run(&self, program: &str, args: &[&str]) -> io::Result<Output>;

    /// Starts a program in the background and does not wait for it.
    fn spawn_detached(&self, program: &Path, args: &[String]) -> io::Result<u32>;
}

/// Runs tools with `std::process::Command`: fixed argument arrays, no shell.
pub struct System;

impl Runner for System {
    fn run(&self, program: &str, args: &[&str]) -> io::Result<Output> {
        let out = std::process::Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        Ok(Output {
            success: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    fn spawn_detached(&self, program: &Path, args: &[String]) -> io::Result<u32> {
        let mut cmd = std::process::Command::new(program);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // Its own process group: closing the terminal does not take the daemon along.
            cmd.process_group(0);
        }
        #[cfg(windows)]
        {
            use std::os::windows::process::CommandExt;
            const CREATE_NO_WINDOW: u32 = 0x0800_0000;
            const DETACHED_PROCESS: u32 = 0x0000_0008;
            cmd.creation_flags(CREATE_NO_WINDOW | DETACHED_PROCESS);
        }
        Ok(cmd.spawn()?.id())
    }
}

/// Runs a tool and fails, naming the command and its message, when it does.
pub(crate) fn run_checked(runner: &dyn Runner, program: &str, args: &[&str]) -> Result<Output> {
    let shown = format!("{program} {}", args.join(" "));
    let out = runner
        .run(program, args)
        .or_say(|| Phrase::new("cli.service.error.run").arg("command", &shown))?;
    if !out.success {
        let line = Phrase::new("cli.service.error.tool_failed")
            .arg("command", &shown)
            .arg("message", out.stderr.trim());
        return Err(Failed::new(line).into());
    }
    Ok(out)
}
