//! The import job: the queued files and folders go to a blocking thread, which imports
//! them one file at a time on its own database connection; the daemon then reports what
//! came of each file and postpones what the database refused.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::{Daemon, Incomplete};
use crate::alert::{Policy, Recorder};
use crate::classify::Engine;
use crate::import::{
    FileReport, FileStatus, Importer, NotExports, ProblemCause, ProblemUpdate, collect_files,
    unreadable_text,
};
use crate::ingest::ReadOptions;
use crate::store::Store;

struct Work {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    db_path: PathBuf,
    lock_path: PathBuf,
    /// The last job failed to write: open the database afresh (a connection that SQLite
    /// opened read-only stays read-only after the file becomes writable again).
    reopen: bool,
    /// The database was found corrupted (and what was said about it): write nothing to
    /// that file; only look whether the person moved it aside.
    corrupt: Option<String>,
    commit_every: Duration,
    /// The watched folders, resolved: links to files outside them are not followed.
    roots: Vec<PathBuf>,
}

pub(super) struct JobResult {
    pub(super) reports: Vec<FileReport>,
    errors: Vec<String>,
    /// Folders inside the watched ones that could not be listed, with why.
    unreadable: Vec<(PathBuf, String)>,
    /// The database refused a write: this error, and the files not imported because of it
    /// (the one that failed and those not tried after it).
    store_failure: Option<(String, Vec<PathBuf>)>,
    /// The failure is a corrupted database: the text says what to do, and nothing is
    /// retried against that file.
    corrupt: bool,
    /// The database file was deleted or replaced under the daemon and opened again, said
    /// once each.
    reopened: Vec<String>,
    pending: u64,
    suppressed: u64,
    undated: u64,
}

impl Daemon {
    pub(super) fn start_job(&mut self) {
        if self.job.is_some() || (self.queue.files.is_empty() && self.queue.dirs.is_empty()) {
            return;
        }
        let queue = std::mem::take(&mut self.queue);
        let work = Work {
            files: queue.files.into_iter().collect(),
            dirs: queue.dirs.into_iter().collect(),
            db_path: self.db_path.clone(),
            lock_path: self._lock.path().to_path_buf(),
            reopen: self.problems.contains_key("store"),
            corrupt: self.store_corrupt.clone(),
            commit_every: self.opts.commit_every,
            roots: crate::import::roots(&self.watch_dirs),
        };
        let store = self.import_store.clone();
        let not_exports = self.not_exports.clone();
        let engine = self.engine.clone();
        let policy = self.policy.clone();
        let read_opts = self.read_opts.clone();
        let cancel = self.cancel.clone();
        self.job = Some(tokio::task::spawn_blocking(move || {
            import_job(
                &store,
                &not_exports,
                &engine,
                policy,
                read_opts,
                work,
                &cancel,
            )
        }));
    }

    pub(super) async fn on_job_done(&mut self, result: JobResult) {
        for e in &result.errors {
            // Folder listing errors repeat at every catch-up; say each once.
            if self.problems.values().all(|t| t != e) {
                warn!("{e}");
                self.problems.insert("listing", e.clone());
            }
        }
        for text in &result.reopened {
            warn!("{text}");
        }
        self.store_corrupt = None;
        for (dir, why) in &result.unreadable {
            // Said once per folder, whether the watcher or a catch-up found it first.
            let text = unreadable_text(dir, why);
            self.report_problem(ProblemUpdate::noted(dir, ProblemCause::Folder, text));
        }
        if let Some((error, files)) = result.store_failure {
            if result.corrupt {
                self.store_corrupt = Some(error.clone());
            }
            let text = if result.corrupt {
                // Says what to do itself; retrying cannot help, so none is promised. The
                // timer below only looks whether the file was moved aside.
                error
            } else {
                format!(
                    "cannot write to the database {}: {error}; the files are read again every \
                     {} s until it works (nothing is lost: what was read is stored once)",
                    self.db_path.display(),
                    self.opts.store_retry.as_secs_f32()
                )
            };
            debug!("{text}");
            self.warn_once("store", text);
            self.postponed.extend(files);
            self.retry_at = Some(Instant::now() + self.opts.store_retry);
        } else if !result.reports.is_empty() {
            self.resolved(
                "store",
                "the database accepts writes again; postponed files were imported",
            );
        }
        for report in result.reports {
            self.on_report(report);
        }
        if result.suppressed > result.undated {
            info!(
                "{} older message(s) stored without alert (older than alerts.max_age_days)",
                result.suppressed - result.undated
            );
        }
        if result.undated > 0 {
            warn!(
                "{} message(s) without a time stored without alert: the export gave no time dunwatch could read, so nothing says they are new",
                result.undated
            );
        }
        if result.pending > 0 || self.alert_wake.is_none() {
            self.deliver().await;
        }
        self.settle_problems(true).await;
        self.release_memory();
    }

    /// After an import the daemon goes back to waiting: return SQLite's page caches and the
    /// allocator's free memory to the system.
    fn release_memory(&self) {
        for store in [&self.import_store, &self.alert_store] {
            if let Ok(s) = store.try_lock() {
                s.release_memory();
            }
        }
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only returns free heap pages to the kernel; it takes no pointers.
        unsafe {
            libc::malloc_trim(0);
        }
    }

    pub(super) fn on_report(&mut self, r: FileReport) {
        let name = r.path.display().to_string();
        match &r.status {
            FileStatus::Imported if r.new > 0 => {
                info!(
                    "{name}: {} new message(s), {} already known",
                    r.new, r.known
                )
            }
            FileStatus::Imported => debug!("{name}: nothing new ({} already known)", r.known),
            FileStatus::Unchanged => debug!("{name}: unchanged"),
            FileStatus::NotAnExport => debug!("{name}: not an SMS export, skipped"),
            FileStatus::Skipped(_) => {}
            FileStatus::Failed(e) if e.is_incomplete() => {
                // Probably still being written: say nothing now, read it again when it
                // changes, and report it only if it stays like this.
                debug!("{e} (will retry when the file changes)");
                let mtime = std::fs::metadata(&r.path).and_then(|m| m.modified()).ok();
                self.incomplete.insert(
                    r.path.clone(),
                    Incomplete {
                        error: e.said(),
                        since: Instant::now(),
                        mtime,
                    },
                );
                return;
            }
            FileStatus::Failed(_) => {}
        }
        self.incomplete.remove(&r.path);
        if let Some(update) = ProblemUpdate::of(&r) {
            self.report_problem(update);
        }
    }
}

/// One import job on a blocking thread: the folders (catch-up, new folders) and files, each
/// file in its own transactions. Stops between files when the daemon shuts down.
fn import_job(
    store: &Mutex<Store>,
    not_exports: &Mutex<NotExports>,
    engine: &Engine,
    policy: Arc<Policy>,
    read_opts: ReadOptions,
    work: Work,
    cancel: &AtomicBool,
) -> JobResult {
    let mut result = JobResult {
        reports: Vec::new(),
        errors: Vec::new(),
        unreadable: Vec::new(),
        store_failure: None,
        corrupt: false,
        reopened: Vec::new(),
        pending: 0,
        suppressed: 0,
        undated: 0,
    };
    let mut files: BTreeSet<PathBuf> = work.files.into_iter().collect();
    for dir in &work.dirs {
        match collect_files(std::slice::from_ref(dir)) {
            Ok(found) => {
                files.extend(found.files);
                result.unreadable.extend(found.unreadable);
            }
            Err(e) => result.errors.push(format!("{e:#}")),
        }
    }
    let db = work.db_path.as_os_str().to_string_lossy().into_owned();
    files.retain(|f| !f.as_os_str().to_string_lossy().starts_with(&db) && *f != work.lock_path);
    // A lock is poisoned only by a job that panicked: the store and what it remembered still
    // hold.
    let mut store = store.lock().unwrap_or_else(PoisonError::into_inner);
    let moved = store.file_change();
    if let Some(text) = &work.corrupt
        && moved.is_none()
    {
        // Still the corrupted file: not one write to it, not even a retry.
        result.corrupt = true;
        result.store_failure = Some((text.clone(), files.into_iter().collect()));
        return result;
    }
    if work.reopen || work.corrupt.is_some() || moved.is_some() {
        if let Some(what) = moved {
            result.reopened.push(moved_text(&work.db_path, what));
        }
        if let Err(e) = reopen(&mut store, &work.db_path) {
            result.corrupt = e.is_corrupt();
            let e = anyhow::Error::from(e);
            result.store_failure = Some((failure_text(&e), files.into_iter().collect()));
            return result;
        }
    }
    let mut not_exports = not_exports.lock().unwrap_or_else(PoisonError::into_inner);
    let mut recorder = Recorder::new(policy);
    let mut files = files.into_iter();
    // A file is tried again once after the database was found deleted or replaced.
    let mut again = None;
    while let Some(file) = again.take().or_else(|| files.next()) {
        if cancel.load(Ordering::Acquire) {
            break;
        }
        recorder.now_ms = crate::store::now_ms();
        let mut importer = Importer {
            store: &mut store,
            not_exports: &mut not_exports,
            engine: engine.into(),
            opts: read_opts.clone(),
            commit_every: work.commit_every,
            roots: work.roots.clone(),
        };
        match importer.import_file(&file, &mut recorder) {
            Ok(report) => result.reports.push(report),
            Err(e) => {
                if let Some(what) = store.file_change()
                    && result.reopened.len() < 3
                {
                    // Deleted or replaced under this import: what was written went to the
                    // old file. Open the one at the path now and read the file again; the
                    // message keys keep a retry from storing anything twice.
                    result.reopened.push(moved_text(&work.db_path, what));
                    if reopen(&mut store, &work.db_path).is_ok() {
                        again = Some(file);
                        continue;
                    }
                }
                // Only the database fails an import this way (a bad file is a report). The
                // next files would fail alike, each after the busy timeout: postpone them
                // all. Whole batches already stored stay; the retry stores the rest once.
                // SQLite says "malformed" only of the pages it read; quick_check tells a
                // damaged file from a full disk or a read-only folder.
                let text = match store.quick_check() {
                    Err(c) if c.is_corrupt() => Some(c.to_string()),
                    _ if crate::store::is_corrupt(&e) => Some(
                        crate::store::StoreError::Corrupt {
                            path: work.db_path.clone(),
                            detail: root_cause(&e),
                        }
                        .to_string(),
                    ),
                    _ => None,
                };
                result.corrupt = text.is_some();
                let text = text.unwrap_or_else(|| failure_text(&e));
                let mut postponed = vec![file];
                postponed.extend(files);
                result.store_failure = Some((text, postponed));
                break;
            }
        }
    }
    result.pending = recorder.pending;
    result.suppressed = recorder.suppressed;
    result.undated = recorder.undated;
    result
}

/// Opens the database at `path` in place of `store`'s connection.
fn reopen(store: &mut Store, path: &std::path::Path) -> Result<(), crate::store::StoreError> {
    *store = Store::open(path)?;
    Ok(())
}

/// "the database … was deleted while dunwatch had it open; …", with what became of it.
fn moved_text(path: &std::path::Path, what: crate::store::FileChange) -> String {
    let after = match what {
        crate::store::FileChange::Deleted => {
            "a new, empty one is created there; the messages stored before are in that file \
             only if you restore it from a backup (stop dunwatch first)"
        }
        crate::store::FileChange::Replaced => "dunwatch now uses the file that is there",
    };
    format!(
        "the database {} was {what} while dunwatch had it open: {after}",
        path.display()
    )
}

/// A corrupted database's own advice, or the root cause of any other failure.
fn failure_text(e: &anyhow::Error) -> String {
    match e.downcast_ref::<crate::store::StoreError>() {
        Some(c @ crate::store::StoreError::Corrupt { .. }) => c.to_string(),
        _ => root_cause(e),
    }
}

/// What finally went wrong ("database or disk is full"), without the layers around it, so
/// that the same problem reads the same however far the import got.
fn root_cause(e: &anyhow::Error) -> String {
    let text = e.root_cause().to_string();
    match text.strip_prefix("Error code ") {
        Some(rest) => rest
            .split_once(": ")
            .map_or(text.clone(), |(_, m)| m.to_string()),
        None => text,
    }
}
