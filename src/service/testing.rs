//! For the tests: a recording [`Runner`] with canned answers, and a [`Host`] that keeps
//! all its files under one folder.

use super::*;
use std::cell::RefCell;
use std::io;

#[derive(Default)]
pub struct FakeRunner {
    pub calls: RefCell<Vec<String>>,
    /// (command prefix, answer); the first matching prefix wins; others succeed empty.
    pub answers: Vec<(String, Output)>,
}

impl FakeRunner {
    pub fn answer(mut self, prefix: &str, success: bool, stdout: &str) -> FakeRunner {
        self.answers.push((
            prefix.to_string(),
            Output {
                success,
                stdout: stdout.to_string(),
                stderr: String::new(),
            },
        ));
        self
    }

    pub fn calls(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }
}

impl Runner for FakeRunner {
    fn run(&self, program: &str, args: &[&str]) -> io::Result<Output> {
        let line = format!("{program} {}", args.join(" "));
        self.calls.borrow_mut().push(line.clone());
        for (prefix, out) in &self.answers {
            if line.starts_with(prefix.as_str()) {
                return Ok(out.clone());
            }
        }
        Ok(Output {
            success: true,
            ..Output::default()
        })
    }

    fn spawn_detached(&self, program: &Path, args: &[String]) -> io::Result<u32> {
        self.calls
            .borrow_mut()
            .push(format!("spawn {} {}", program.display(), args.join(" ")));
        Ok(4242)
    }
}

pub fn host(dir: &Path) -> Host {
    Host {
        home: dir.join("home"),
        config_home: dir.join("home/.config"),
        lock_file: dir.join("data/dunwatch.lock"),
        command: ServiceCommand {
            program: PathBuf::from("/opt/dunwatch dir/bin/dunwatch"),
            args: vec!["run".to_string()],
        },
        is_root: false,
        uid: Some(501),
        start_timeout: Duration::ZERO,
    }
}
