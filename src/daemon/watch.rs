//! Filesystem events for the watched folders and for the config and rules files.
//!
//! notify reports every write; notify-debouncer-full waits until a path has been quiet for
//! the debounce time and stitches renames, so a backup written in pieces, or written to a
//! temporary name and renamed into place, arrives as one change of its final name. What is
//! done with a path is decided by the main loop; this module only turns events into paths.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::RecursiveMode;
use notify::event::{AccessKind, AccessMode, EventKind};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use tokio::sync::mpsc::UnboundedSender;

use crate::import::is_ignored_name;

/// What the watcher tells the main loop.
#[derive(Debug)]
pub enum Change {
    /// These paths were created, written or renamed into place.
    Paths(Vec<PathBuf>),
    /// The watcher itself failed (e.g. the inotify watch limit).
    Error(String),
}

pub struct Watcher {
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    watched: Vec<(PathBuf, RecursiveMode)>,
}

impl Watcher {
    /// A watcher whose debounced changes go to `tx`. `debounce` is how long a path must be
    /// quiet before it is reported.
    pub fn new(debounce: Duration, tx: UnboundedSender<Change>) -> Result<Watcher> {
        // The debouncer thread wakes every tick even when idle (the only idle wake-ups of
        // the daemon). A tick equal to the debounce keeps them few while the delay after the
        // last write stays between one and two debounce times.
        let tick = debounce;
        let debouncer = new_debouncer(debounce, Some(tick), move |res: DebounceEventResult| {
            let change = match res {
                Ok(events) => {
                    let mut paths: Vec<PathBuf> = Vec::new();
                    for ev in events {
                        if !is_content_change(&ev.event.kind) {
                            continue;
                        }
                        for p in &ev.event.paths {
                            if !paths.contains(p) {
                                paths.push(p.clone());
                            }
                        }
                    }
                    if paths.is_empty() {
                        return;
                    }
                    Change::Paths(paths)
                }
                Err(errors) => Change::Error(
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            // The receiver is gone only while the daemon shuts down.
            let _ = tx.send(change);
        })
        .context("cannot start the file watcher")?;
        Ok(Watcher {
            debouncer,
            watched: Vec::new(),
        })
    }

    pub fn watch(&mut self, path: &Path, recursive: bool) -> Result<()> {
        let mode = if recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        if self.watched.iter().any(|(p, m)| p == path && *m == mode) {
            return Ok(());
        }
        self.debouncer.watch(path, mode).with_context(|| {
            format!(
                "cannot watch {} (on Linux, raising fs.inotify.max_user_watches may help)",
                path.display()
            )
        })?;
        self.watched.push((path.to_path_buf(), mode));
        Ok(())
    }

    pub fn unwatch(&mut self, path: &Path) {
        if let Some(i) = self.watched.iter().position(|(p, _)| p == path) {
            self.watched.remove(i);
            let _ = self.debouncer.unwatch(path);
        }
    }

    pub fn is_watched(&self, path: &Path) -> bool {
        self.watched.iter().any(|(p, _)| p == path)
    }

    /// Stops the watch threads (also done on drop).
    pub fn stop(self) {
        self.debouncer.stop();
    }
}

/// Events after which a file's content may be new. Opening or reading a file is not;
/// removals leave the stored messages as they are.
fn is_content_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Any | EventKind::Other => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Remove(_) => false,
    }
}

/// True when `path` (under the watched `root`) is, or is inside, a hidden, temporary or
/// partial file or folder that sync tools and editors write.
pub fn is_ignored_under(root: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut cur = PathBuf::new();
    for part in rel.components() {
        cur.push(part);
        if is_ignored_name(&cur) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_and_hidden_folders_under_the_root_are_ignored() {
        let root = Path::new("/home/u/.sync/SMSBackup");
        assert!(!is_ignored_under(root, &root.join("sms-2026.xml")));
        assert!(!is_ignored_under(root, &root.join("phone/sms.xml")));
        assert!(is_ignored_under(root, &root.join(".stversions/sms.xml")));
        assert!(is_ignored_under(root, &root.join(".syncthing.sms.xml.tmp")));
        assert!(is_ignored_under(root, &root.join("sms.xml.part")));
        assert!(is_ignored_under(root, &root.join("~$sms.xml")));
    }
}
