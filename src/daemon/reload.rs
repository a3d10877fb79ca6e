//! Loading the config and rules, at start and whenever their files change.
//!
//! A reload builds the whole new version first and only then swaps it in, so a broken file
//! (a TOML typo, a bad regex) keeps the previous version running; the error names the file
//! and line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::alert::Policy;
use crate::classify::Engine;
use crate::config::Config;
use crate::ingest::{Limits, ReadOptions};
use crate::paths::Paths;
use crate::report::WeeklySchedule;
use crate::words::OrSay as _;

/// A checked configuration with what the daemon derives from it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub policy: Policy,
    pub read_opts: ReadOptions,
    pub watch_dirs: Vec<PathBuf>,
    /// When the weekly summary is written; `None` when switched off.
    pub weekly: Option<WeeklySchedule>,
}

pub fn load_config(paths: &Paths) -> Result<Loaded> {
    let file = &paths.config_file;
    // Config::parse names the file, line and column for syntax and type errors.
    let config = Config::load(paths)?;
    let checked = config.validate().and_then(|()| {
        Ok((
            Policy::from_config(&config)?,
            ReadOptions {
                phone_tz: config.phone_tz()?,
                limits: Limits::default(),
            },
            WeeklySchedule::parse(&config.reports.weekly)?,
        ))
    });
    // The causes stay errors of their own: a setting's phrase is said in the person's words.
    let (policy, read_opts, weekly) = checked.or_say(|| {
        crate::words::Phrase::new("cli.error.config_invalid").arg("file", file.display())
    })?;
    let mut watch_dirs: Vec<PathBuf> = Vec::new();
    for dir in config.watch_dirs() {
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        if !watch_dirs.contains(&dir) {
            watch_dirs.push(dir);
        }
    }
    Ok(Loaded {
        config,
        policy,
        read_opts,
        watch_dirs,
        weekly,
    })
}

/// The shipped rules plus the user's rule files, judging the hour of messages in the
/// phone's time zone (`phone_timezone`, else the computer's), as `check` and `classify` do.
pub fn load_engine(paths: &Paths) -> Result<Engine> {
    let zone = crate::config::Config::load(paths)
        .ok()
        .and_then(|c| c.phone_tz().ok())
        .unwrap_or_else(jiff::tz::TimeZone::system);
    Ok(Engine::load(Some(&paths.user_rules_dir()))?.with_zone(zone))
}

/// True for the config file itself.
pub fn is_config_file(paths: &Paths, path: &Path) -> bool {
    path == paths.config_file
}

/// True for anything under the user rules folder (or the folder itself).
pub fn is_rules_path(paths: &Paths, path: &Path) -> bool {
    path.starts_with(paths.user_rules_dir())
}

/// A cheap fingerprint of a file's content, so that a save that changed nothing (or an
/// editor's touch) does not reload.
pub fn fingerprint(path: &Path) -> Option<blake3::Hash> {
    std::fs::read(path).ok().map(|b| blake3::hash(&b))
}

/// Fingerprint of every file under the rules folder. Opened without blocking (a FIFO
/// there would stop the reader for ever); a file over the rule size limit is fingerprinted
/// by its size and time, not read, as loading refuses it anyway.
pub fn rules_fingerprint(dir: &Path) -> Option<blake3::Hash> {
    use std::io::Read;
    let files = crate::import::collect_files(&[dir.to_path_buf()])
        .ok()?
        .files;
    let mut h = blake3::Hasher::new();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        let Ok(file) = crate::ingest::open_regular(&f) else {
            continue;
        };
        let Ok(meta) = file.metadata() else {
            continue;
        };
        if meta.len() > crate::classify::MAX_RULE_FILE as u64 {
            h.update(&meta.len().to_le_bytes());
            if let Ok(t) = meta.modified() {
                h.update(format!("{t:?}").as_bytes());
            }
            continue;
        }
        let mut data = Vec::new();
        if file
            .take(crate::classify::MAX_RULE_FILE as u64 + 1)
            .read_to_end(&mut data)
            .is_ok()
        {
            h.update(blake3::hash(&data).as_bytes());
        }
    }
    Some(h.finalize())
}

/// What a rules reload on a blocking thread came to.
pub(super) enum RulesLoad {
    /// The files are as they were when last loaded.
    Unchanged,
    Loaded {
        print: Option<blake3::Hash>,
        /// Boxed: an engine is large, and this crosses a channel.
        engine: Result<Box<Engine>, String>,
    },
}

impl super::Daemon {
    /// Swaps in the config file's new version, if it changed and is valid.
    pub(super) fn reload_config(&mut self) {
        let print = fingerprint(&self.paths.config_file);
        if print.is_none() || print == self.config_print {
            return;
        }
        self.config_print = print;
        let loaded = match load_config(&self.paths) {
            Ok(l) => l,
            Err(e) => {
                warn!("{e:#}\nkeeping the previous configuration until the file is fixed");
                return;
            }
        };
        if loaded.config == self.config {
            return;
        }
        info!(
            "configuration reloaded from {}",
            self.paths.config_file.display()
        );
        let new_db = loaded.config.database_path(&self.paths);
        if new_db != self.db_path {
            warn!(
                "the database moved to {} in the config; restart dunwatch to use it (still using {})",
                new_db.display(),
                self.db_path.display()
            );
        }
        let old_dirs = std::mem::take(&mut self.watch_dirs);
        for dir in &old_dirs {
            if !loaded.watch_dirs.contains(dir) {
                self.watcher.unwatch(dir);
                info!("no longer watching {}", dir.display());
            }
        }
        self.watch_dirs = loaded.watch_dirs.clone();
        for dir in loaded.watch_dirs.iter().filter(|d| !old_dirs.contains(d)) {
            self.watch_backup_dir(dir);
        }
        self.config = loaded.config;
        self.policy = Arc::new(loaded.policy);
        self.read_opts = loaded.read_opts;
        if loaded.weekly != self.weekly {
            self.weekly = loaded.weekly;
            self.report_wake = self.weekly.map(|_| Instant::now());
        }
        // Quiet hours or categories may have changed: look at due alerts again.
        self.alert_wake = Some(Instant::now());
    }

    /// Reads the user's rules again on a blocking thread, if they changed: a large rule
    /// file (or a FIFO in the folder) must not stop imports, alerts and signals meanwhile.
    /// The result comes back to [`Daemon::rules_loaded`]; a change during a reload starts
    /// another one after it.
    pub(super) fn reload_rules(&mut self) {
        if self.rules_job.is_some() {
            self.rules_again = true;
            return;
        }
        let paths = self.paths.clone();
        let known = self.rules_print;
        self.rules_job = Some(tokio::task::spawn_blocking(move || {
            let print = rules_fingerprint(&paths.user_rules_dir());
            if print == known {
                return RulesLoad::Unchanged;
            }
            RulesLoad::Loaded {
                print,
                engine: load_engine(&paths)
                    .map(Box::new)
                    .map_err(|e| format!("{e:#}")),
            }
        }));
    }

    /// Swaps in the rules a reload built, if they all loaded.
    pub(super) fn rules_loaded(&mut self, done: Result<RulesLoad, tokio::task::JoinError>) {
        self.rules_job = None;
        match done {
            Ok(RulesLoad::Unchanged) => {}
            Ok(RulesLoad::Loaded { print, engine }) => {
                self.rules_print = print;
                match engine {
                    Ok(engine) => {
                        self.engine = Arc::new(*engine);
                        info!(
                            "rules reloaded from {}",
                            self.paths.user_rules_dir().display()
                        );
                    }
                    Err(e) => warn!("{e}\nkeeping the previous rules until the file is fixed"),
                }
            }
            Err(e) => warn!("loading the rules stopped unexpectedly: {e}"),
        }
        if std::mem::take(&mut self.rules_again) {
            self.reload_rules();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(dir: &Path) -> Paths {
        Paths {
            config_dir: dir.to_path_buf(),
            data_dir: dir.join("data"),
            config_file: dir.join("config.toml"),
            config_explicit: false,
            db_override: None,
        }
    }

    #[test]
    fn broken_config_is_reported_with_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        std::fs::write(
            &p.config_file,
            "watch = [\"/tmp\"]\n[alerts]\nmax_age_days = \"x\"\n",
        )
        .unwrap();
        let err = format!("{:#}", load_config(&p).unwrap_err());
        assert!(err.contains("config.toml"), "{err}");
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn bad_weekly_schedule_is_reported_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        std::fs::write(&p.config_file, "[reports]\nweekly = \"Mon at nine\"\n").unwrap();
        let err = format!("{:#}", load_config(&p).unwrap_err());
        assert!(
            err.contains("config.toml") && err.contains("reports.weekly"),
            "{err}"
        );
    }

    #[test]
    fn bad_quiet_hours_are_reported_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        std::fs::write(&p.config_file, "[alerts]\nquiet_hours = \"late\"\n").unwrap();
        let err = format!("{:#}", load_config(&p).unwrap_err());
        assert!(
            err.contains("config.toml") && err.contains("quiet_hours"),
            "{err}"
        );
    }
}
