//! Filesystem events for the watched folders and for the config and rules files.
//!
//! notify reports every write; notify-debouncer-full waits until a path has been quiet for
//! the debounce time and stitches renames, so a backup written in pieces, or written to a
//! temporary name and renamed into place, arrives as one change of its final name. What is
//! done with a path is decided by the main loop; this module only turns events into paths.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer_opt};
use tokio::sync::mpsc::UnboundedSender;

use crate::import::is_ignored_name;

/// What the watcher tells the main loop.
#[derive(Debug)]
pub enum Change {
    /// These paths were created, written or renamed into place.
    Paths(Vec<PathBuf>),
    /// The kernel dropped events (its queue overflowed during a burst of changes, e.g. a
    /// photo sync): any file may have changed unseen, so look through the folders again.
    Rescan,
    /// The kernel refused more watches (inotify limit) for a folder created while running:
    /// switch to polling.
    WatchLimit(String),
    /// The watcher itself failed.
    Error(String),
}

/// The two ways of noticing changes: kernel events (inotify, FSEvents, ReadDirectoryChanges)
/// or, when the kernel's watch limit is reached, looking at the folders every few seconds.
enum Inner {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, RecommendedCache>),
}

pub struct Watcher {
    inner: Inner,
    watched: Vec<(PathBuf, RecursiveMode)>,
    debounce: Duration,
    poll_every: Duration,
    tx: UnboundedSender<Change>,
}

impl Watcher {
    /// A watcher whose debounced changes go to `tx`. `debounce` is how long a path must be
    /// quiet before it is reported; `poll_every` how often folders are looked at when the
    /// kernel cannot watch them (see [`Watcher::polling`]). With `force_poll`, polling is
    /// used from the start (network folders, where the kernel reports no changes).
    pub fn new(
        debounce: Duration,
        poll_every: Duration,
        force_poll: bool,
        tx: UnboundedSender<Change>,
    ) -> Result<Watcher> {
        let inner = if force_poll {
            Inner::Poll(poll_debouncer(debounce, poll_every, &tx)?)
        } else {
            match native_debouncer(debounce, &tx) {
                Ok(d) => Inner::Native(d),
                Err(e) if is_limit(&e) => {
                    tracing::warn!(
                        "{}; watching the folders by looking every {} s instead",
                        limit_text(&e),
                        poll_every.as_secs_f32()
                    );
                    Inner::Poll(poll_debouncer(debounce, poll_every, &tx)?)
                }
                Err(e) => return Err(e).context("cannot start the file watcher"),
            }
        };
        Ok(Watcher {
            inner,
            watched: Vec::new(),
            debounce,
            poll_every,
            tx,
        })
    }

    /// True when folders are polled instead of watched by the kernel.
    pub fn polling(&self) -> bool {
        matches!(self.inner, Inner::Poll(_))
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
        match self.add(path, mode) {
            Ok(()) => {}
            Err(e) if is_limit(&e) && !self.polling() => {
                tracing::warn!(
                    "{}; watching the folders by looking every {} s instead",
                    limit_text(&e),
                    self.poll_every.as_secs_f32()
                );
                self.fall_back_to_polling()?;
                self.add(path, mode)
                    .with_context(|| format!("cannot watch {}", path.display()))?;
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot watch {}", path.display()));
            }
        }
        self.watched.push((path.to_path_buf(), mode));
        Ok(())
    }

    /// Watches `dir` and every folder under it. notify's recursive watch fails whole at the
    /// first folder inside that it may not watch (one `chmod 000` folder would leave the
    /// whole tree unwatched), so then the tree is watched folder by folder: `dir` itself,
    /// and each readable folder in it as a tree of its own. The folders left out are
    /// returned with why (they are watched once they become readable: the change of their
    /// mode is an event in the folder above, see [`Watcher::covers`]).
    pub fn watch_tree(&mut self, dir: &Path) -> Result<Vec<(PathBuf, String)>> {
        let first = match self.watch(dir, true) {
            Ok(()) => return Ok(Vec::new()),
            Err(e) => e,
        };
        // The failed attempt may have left watches on the folders it reached first.
        let _ = match &mut self.inner {
            Inner::Native(d) => d.unwatch(dir),
            Inner::Poll(d) => d.unwatch(dir),
        };
        let Ok(list) = std::fs::read_dir(dir) else {
            return Err(first);
        };
        self.watch(dir, false)?;
        let mut subdirs: Vec<PathBuf> = list
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .filter(|p| !is_ignored_name(p))
            .collect();
        subdirs.sort();
        let mut skipped = Vec::new();
        for sub in subdirs {
            if let Err(e) = std::fs::read_dir(&sub) {
                skipped.push((sub, e.to_string()));
                continue;
            }
            match self.watch_tree(&sub) {
                Ok(more) => skipped.extend(more),
                Err(e) => skipped.push((sub, format!("{e:#}"))),
            }
        }
        Ok(skipped)
    }

    /// True when changes at `path` are already reported by a recursive watch above it.
    pub fn covers(&self, path: &Path) -> bool {
        self.watched
            .iter()
            .any(|(p, m)| *m == RecursiveMode::Recursive && path.starts_with(p))
    }

    fn add(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match &mut self.inner {
            Inner::Native(d) => d.watch(path, mode),
            Inner::Poll(d) => d.watch(path, mode),
        }
    }

    /// Replaces kernel watches by polling, for every folder watched so far. Called when the
    /// kernel refuses another watch; what was already watched is polled from now on too, so
    /// no folder is left half-watched. A change made during the switch is seen by the
    /// poller's first look (it compares with what it found when the watch was added, which
    /// is now) or by the daemon's catch-up of the folders it queues after this.
    pub fn fall_back_to_polling(&mut self) -> Result<()> {
        if self.polling() {
            return Ok(());
        }
        let poll = poll_debouncer(self.debounce, self.poll_every, &self.tx)?;
        let old = std::mem::replace(&mut self.inner, Inner::Poll(poll));
        if let Inner::Native(d) = old {
            d.stop_nonblocking();
        }
        for (path, mode) in self.watched.clone() {
            if let Err(e) = self.add(&path, mode) {
                tracing::warn!("cannot watch {}: {e}", path.display());
            }
        }
        Ok(())
    }

    /// Stops watching `path` and the folders under it that were watched on their own (by
    /// [`Watcher::watch_tree`]).
    pub fn unwatch(&mut self, path: &Path) {
        let (gone, kept) = std::mem::take(&mut self.watched)
            .into_iter()
            .partition(|(p, _)| p.starts_with(path));
        self.watched = kept;
        for (p, _) in gone {
            let _ = match &mut self.inner {
                Inner::Native(d) => d.unwatch(&p),
                Inner::Poll(d) => d.unwatch(&p),
            };
        }
    }

    pub fn is_watched(&self, path: &Path) -> bool {
        self.watched.iter().any(|(p, _)| p == path)
    }

    /// The folders watched so far (for the catch-up after switching to polling).
    pub fn watched(&self) -> impl Iterator<Item = &Path> {
        self.watched.iter().map(|(p, _)| p.as_path())
    }

    /// Stops the watch threads (also done on drop).
    pub fn stop(self) {
        match self.inner {
            Inner::Native(d) => d.stop(),
            Inner::Poll(d) => d.stop(),
        }
    }
}

/// Symbolic links are not followed, as in [`crate::import::collect_files`]: a link to `/` or
/// to a parent folder must not make the daemon watch the whole disk or loop.
fn config() -> notify::Config {
    notify::Config::default().with_follow_symlinks(false)
}

fn native_debouncer(
    debounce: Duration,
    tx: &UnboundedSender<Change>,
) -> notify::Result<Debouncer<RecommendedWatcher, RecommendedCache>> {
    // The debouncer thread wakes every tick even when idle (the only idle wake-ups of
    // the daemon). A tick equal to the debounce keeps them few while the delay after the
    // last write stays between one and two debounce times.
    new_debouncer_opt(
        debounce,
        Some(debounce),
        handler(tx.clone()),
        RecommendedCache::new(),
        config(),
    )
}

fn poll_debouncer(
    debounce: Duration,
    every: Duration,
    tx: &UnboundedSender<Change>,
) -> Result<Debouncer<PollWatcher, RecommendedCache>> {
    new_debouncer_opt(
        debounce,
        Some(debounce),
        handler(tx.clone()),
        RecommendedCache::new(),
        config().with_poll_interval(every),
    )
    .context("cannot start the polling file watcher")
}

fn handler(tx: UnboundedSender<Change>) -> impl FnMut(DebounceEventResult) + Send + 'static {
    move |res: DebounceEventResult| {
        let change = match res {
            Ok(events) => {
                // A set, not `Vec::contains`: a burst of 20 000 new files (a photo sync) made
                // that quadratic search take the debouncer thread tens of seconds.
                let mut seen = std::collections::HashSet::new();
                let mut paths: Vec<PathBuf> = Vec::new();
                let mut rescan = false;
                for ev in events {
                    // An overflow event names no path; what it stands for can only be found
                    // by looking.
                    rescan |= ev.event.need_rescan();
                    if !is_content_change(&ev.event.kind) {
                        continue;
                    }
                    for p in &ev.event.paths {
                        if seen.insert(p.clone()) {
                            paths.push(p.clone());
                        }
                    }
                }
                if rescan {
                    let _ = tx.send(Change::Rescan);
                }
                if paths.is_empty() {
                    return;
                }
                Change::Paths(paths)
            }
            Err(errors) => match errors.iter().find(|e| is_limit(e)) {
                Some(e) => Change::WatchLimit(limit_text(e)),
                None => Change::Error(
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            },
        };
        // The receiver is gone only while the daemon shuts down.
        let _ = tx.send(change);
    }
}

/// True when the kernel refused a watch or a watcher for lack of watches or instances.
pub fn is_limit(e: &notify::Error) -> bool {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => true,
        notify::ErrorKind::Io(io) => matches!(
            io.raw_os_error(),
            // ENOSPC: max_user_watches; EMFILE: max_user_instances or open files; ENFILE.
            Some(28 | 24 | 23)
        ),
        _ => false,
    }
}

fn limit_text(e: &notify::Error) -> String {
    let which = match &e.kind {
        notify::ErrorKind::Io(io) if matches!(io.raw_os_error(), Some(24 | 23)) => {
            "fs.inotify.max_user_instances"
        }
        _ => "fs.inotify.max_user_watches",
    };
    format!(
        "the system limit on watched folders is reached ({e}; on Linux raise {which} with \
         sysctl)"
    )
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

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn watch_and_instance_limits_are_recognised_and_other_errors_are_not() {
        let io = |code| notify::Error::io(std::io::Error::from_raw_os_error(code));
        assert!(is_limit(&notify::Error::new(
            notify::ErrorKind::MaxFilesWatch
        )));
        assert!(is_limit(&io(28))); // ENOSPC from inotify_add_watch
        assert!(is_limit(&io(24))); // EMFILE from inotify_init
        assert!(!is_limit(&io(2))); // ENOENT
        assert!(!is_limit(&notify::Error::path_not_found()));
        assert!(limit_text(&io(24)).contains("max_user_instances"));
        assert!(limit_text(&io(28)).contains("max_user_watches"));
    }
}
