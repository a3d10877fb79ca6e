//! The pipeline for one file: detect → read → classify → store.
//!
//! `scan` and the daemon both call [`Importer::import_file`]. A reader thread parses and
//! classifies while this thread writes batches, each batch one transaction, so a
//! kill at any moment leaves whole batches stored and the next run stores the rest once.
//! A file whose size, modification time (and, when those changed, content hash) match the
//! last successful read is skipped without parsing; one found not to be an export is skipped
//! while its size and time stay the same ([`NotExports`]).

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use anyhow::Result;

use crate::classify::person::{self, Person};
use crate::classify::{Engine, Input};
use crate::ingest::{self, Format, ParseError, ReadOptions, ReadOutcome, Sink};
use crate::model::{Category, Message, Verdict};
use crate::store::{
    KeyLookup, MessageKey, NewMessage, SourceResult, Store, message_key_normalized,
    normalize_sender,
};

mod files;
mod problem;

use files::hash_file;
pub use files::{Found, collect_files, is_ignored_name, roots, unreadable_text};
pub use problem::{ProblemCause, ProblemUpdate, stored_detail};

/// How many messages go into one transaction at most.
const BATCH: usize = 10_000;
/// How long one transaction may stay open by default: a slow import (a debug build, a busy
/// machine) killed at any moment loses at most this much work, and a daemon killed again and
/// again still gets through a big file.
pub const COMMIT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// Messages handed from the reader thread at a time.
const CHUNK: usize = 512;

/// What happened to one file.
#[derive(Debug)]
pub struct FileReport {
    pub path: PathBuf,
    pub format: Option<Format>,
    pub status: FileStatus,
    /// Messages stored for the first time.
    pub new: u64,
    /// Messages that were already stored.
    pub known: u64,
    /// Of the new messages, those whose time the export did not give or dunwatch could not
    /// read: stored and counted, never alerted as new.
    pub undated: u64,
    /// Categories of the new messages.
    pub by_category: BTreeMap<Category, u64>,
    /// Records that could not be read (the rest of the file was).
    pub record_errors: Vec<ParseError>,
    /// How many record errors there were (only the first few are kept).
    pub record_error_count: u64,
}

#[derive(Debug)]
pub enum FileStatus {
    /// Read completely (possibly with record errors).
    Imported,
    /// Same size, time and content as at the last successful read: not parsed.
    Unchanged,
    /// Not an SMS export (a photo, a call log); nothing to do.
    NotAnExport,
    /// Not read, for the reason given: a link to a file outside the folders being read.
    Skipped(crate::words::Phrase),
    /// The file broke off or could not be read; messages before the break were stored.
    Failed(ParseError),
}

impl FileReport {
    /// True when the file, or any record in it, could not be read.
    pub fn has_errors(&self) -> bool {
        matches!(self.status, FileStatus::Failed(_)) || self.record_error_count > 0
    }
}

/// Hooks for callers that want more than the report: progress and each stored message.
pub trait ImportEvents {
    /// Bytes of the file read so far (approximate), for progress bars.
    fn progress(&mut self, _bytes: u64) {}
    /// A file is about to be read: when it last changed (ms since the epoch), if known.
    fn file(&mut self, _mtime_ms: Option<i64>) {}
    /// A message was stored for the first time, inside the batch's open transaction (so
    /// alert bookkeeping written here commits, or not, with the message).
    fn stored(
        &mut self,
        _tx: &rusqlite::Transaction<'_>,
        _id: i64,
        _msg: &Message,
        _verdict: &Verdict,
    ) -> Result<()> {
        Ok(())
    }
}

/// No hooks.
pub struct Quiet;
impl ImportEvents for Quiet {}

/// The rule engine an import classifies with: one already built (the daemon keeps its own
/// for hot reload), or one built the first time a file needs reading, so that a re-scan
/// that finds every file unchanged never compiles the rules (most of its time otherwise).
#[derive(Clone, Copy)]
pub enum EngineRef<'a> {
    Ready(&'a Engine),
    OnFirstUse(&'a OnceCell<Engine>, &'a dyn Fn() -> Result<Engine>),
}

impl<'a> EngineRef<'a> {
    fn get(self) -> Result<&'a Engine> {
        match self {
            EngineRef::Ready(engine) => Ok(engine),
            EngineRef::OnFirstUse(cell, load) => {
                if let Some(engine) = cell.get() {
                    return Ok(engine);
                }
                let engine = load()?;
                Ok(cell.get_or_init(|| engine))
            }
        }
    }
}

impl<'a> From<&'a Engine> for EngineRef<'a> {
    fn from(engine: &'a Engine) -> Self {
        EngineRef::Ready(engine)
    }
}

/// Files found not to be SMS exports (a folder of 100 000 photos beside the backups), with the
/// size and mtime they had then. A rescan after the kernel's event queue overflowed then only
/// stats them: opening each again would cost time, and each open is itself an event on our
/// watch that could overflow the queue once more.
///
/// In memory only, for as long as its owner keeps it (the daemon: its whole run; `scan`: one
/// command), never in the database: the history has no business listing the user's photos.
#[derive(Debug, Default)]
pub struct NotExports(HashMap<PathBuf, (i64, i64)>);

impl NotExports {
    /// Remembers that the file at `path`, as it is now, is not an SMS export.
    fn remember(&mut self, path: &Path, size: i64, mtime_ns: i64) {
        self.0.insert(path.to_path_buf(), (size, mtime_ns));
    }

    /// True when the file at `path` was found not to be an SMS export and has the same size
    /// and mtime as then.
    fn knows(&self, path: &Path, size: i64, mtime_ns: i64) -> bool {
        self.0.get(path) == Some(&(size, mtime_ns))
    }
}

pub struct Importer<'a> {
    pub store: &'a mut Store,
    /// Kept by the caller across imports, so that it outlives this importer: the daemon
    /// builds an importer per job and keeps one [`NotExports`] for its whole run.
    pub not_exports: &'a mut NotExports,
    pub engine: EngineRef<'a>,
    pub opts: ReadOptions,
    /// Longest a transaction stays open ([`COMMIT_EVERY`] unless a test shortens it).
    pub commit_every: std::time::Duration,
    /// The folders (and files) being read, as [`roots`] gives them: a symbolic link to a
    /// file outside all of them is not followed. Empty: no such check (tests, tools).
    pub roots: Vec<PathBuf>,
}

/// Keep only the first few record errors of a file; the count says how many there were.
const KEPT_RECORD_ERRORS: usize = 20;

enum Item {
    Messages(Vec<Prepared>),
    RecordError(ParseError),
}

/// A parsed message with its key and, unless it is already stored, its verdict.
struct Prepared {
    msg: Message,
    sender_norm: String,
    key: MessageKey,
    /// `None`: the key lookup found it stored, so it was not classified.
    verdict: Option<Verdict>,
}

/// How many messages of the file were new or known so far, kept by the writer and read by
/// the reader thread to decide whether looking keys up first is worth it.
#[derive(Default)]
struct Tally {
    new: AtomicU64,
    known: AtomicU64,
}

/// The reader thread's sink: keys and classifies each message as it is parsed, so that
/// classification runs on one core while the writer's SQLite work runs on the other.
struct ClassifyingSink<'a> {
    tx: mpsc::SyncSender<Item>,
    pending: Vec<Prepared>,
    engine: &'a Engine,
    /// The person's lists, lenders and history; told of each message judged.
    person: Person,
    lookup: Option<KeyLookup>,
    tally: &'a Tally,
}

impl ClassifyingSink<'_> {
    fn send_pending(&mut self) -> Result<()> {
        let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(CHUNK));
        self.tx
            .send(Item::Messages(chunk))
            .map_err(|_| anyhow::anyhow!("the import stopped"))
    }

    /// A rewritten backup is mostly known messages: then a key lookup first saves
    /// classifying them. A fresh backup is mostly new: then the insert's own conflict check
    /// is enough and the lookup would only cost time.
    fn known(&self, key: &MessageKey) -> bool {
        let mostly_known =
            self.tally.known.load(Ordering::Relaxed) > self.tally.new.load(Ordering::Relaxed);
        // A failed lookup means "classify it": the insert decides in the end.
        mostly_known
            && self
                .lookup
                .as_ref()
                .is_some_and(|l| l.contains(key).unwrap_or(false))
    }
}

impl Sink for ClassifyingSink<'_> {
    fn message(&mut self, msg: Message) -> Result<()> {
        let sender_norm = normalize_sender(&msg.sender);
        let key = message_key_normalized(&sender_norm, msg.direction, msg.ts_ms, &msg.body);
        let verdict = (!self.known(&key)).then(|| {
            // With the person's lists (a trusted or blocked sender takes that side), lenders
            // and history; the messages before this one in the file are history too.
            let verdict = self
                .engine
                .classify_for(&Input::at(&msg.sender, &msg.body, msg.ts_ms), &self.person);
            if msg.direction == crate::model::Direction::In {
                self.person.observe(
                    &person::Seen {
                        key,
                        sender_norm: &sender_norm,
                        ts_ms: msg.ts_ms,
                        body: &msg.body,
                        category: verdict.category,
                        lender: None,
                    },
                    &verdict,
                    |lender| self.engine.shows_account(&msg.sender, &msg.body, lender),
                );
            }
            verdict
        });
        self.pending.push(Prepared {
            msg,
            sender_norm,
            key,
            verdict,
        });
        if self.pending.len() >= CHUNK {
            self.send_pending()?;
        }
        Ok(())
    }

    fn record_error(&mut self, err: ParseError) {
        let _ = self.tx.send(Item::RecordError(err));
    }
}

impl Importer<'_> {
    pub fn import_file(
        &mut self,
        path: &Path,
        events: &mut dyn ImportEvents,
    ) -> Result<FileReport> {
        let mut report = FileReport {
            path: path.to_path_buf(),
            format: None,
            status: FileStatus::Imported,
            new: 0,
            known: 0,
            undated: 0,
            by_category: BTreeMap::new(),
            record_errors: Vec::new(),
            record_error_count: 0,
        };
        let abs = match std::fs::canonicalize(path) {
            Ok(abs) => abs,
            Err(e) => {
                report.status = FileStatus::Failed(ParseError::io(path, &e));
                return Ok(report);
            }
        };
        // A link inside a watched folder to a file elsewhere (`~/.ssh/id_rsa`, another
        // person's export) is not followed, as links to folders are not.
        if !self.roots.is_empty() && !self.roots.iter().any(|r| abs.starts_with(r)) {
            report.status = FileStatus::Skipped(
                crate::words::Phrase::new("import.detail.link_outside")
                    .arg("target", abs.display()),
            );
            return Ok(report);
        }
        let meta = match std::fs::metadata(&abs) {
            Ok(m) => m,
            Err(e) => {
                report.status = FileStatus::Failed(ParseError::io(path, &e));
                return Ok(report);
            }
        };
        if !meta.is_file() {
            let e = std::io::Error::new(std::io::ErrorKind::InvalidInput, ingest::NOT_REGULAR);
            report.status = FileStatus::Failed(ParseError::io(path, &e));
            return Ok(report);
        }
        let (size, mtime) = (meta.len() as i64, mtime_ns(&meta));
        let key = abs.as_path();
        if self.not_exports.knows(key, size, mtime) {
            report.status = FileStatus::NotAnExport;
            return Ok(report);
        }
        let previous = self.store.source(key)?;
        if let Some(prev) = &previous
            && prev.last_result != "failed"
            && prev.last_result != "new"
            && prev.size == Some(size)
            && prev.mtime_ns == Some(mtime)
        {
            report.format = prev.format.as_deref().and_then(format_from_id);
            report.status = FileStatus::Unchanged;
            return Ok(report);
        }
        // Opened once (the resolved name, not following a link put there since): detection,
        // hashing and reading all use this descriptor, so a file renamed over this one
        // between the steps is not read half from each.
        let file = match ingest::open_regular_nofollow(&abs) {
            Ok(f) => f,
            Err(e) => {
                report.status = FileStatus::Failed(ParseError::io(path, &e));
                return Ok(report);
            }
        };
        // What was opened is what is recorded.
        let (size, mtime) = match file.metadata() {
            Ok(m) => (m.len() as i64, mtime_ns(&m)),
            Err(e) => {
                report.status = FileStatus::Failed(ParseError::io(path, &e));
                return Ok(report);
            }
        };
        let format = match ingest::detect_opened(path, &file) {
            Ok(Some(f)) => f,
            Ok(None) => {
                self.not_exports.remember(key, size, mtime);
                report.status = FileStatus::NotAnExport;
                return Ok(report);
            }
            Err(e) => {
                report.status = FileStatus::Failed(e);
                return Ok(report);
            }
        };
        report.format = Some(format);
        let hash = match hash_file(&file) {
            Ok(h) => h,
            Err(e) => {
                report.status = FileStatus::Failed(ParseError::io(path, &e));
                return Ok(report);
            }
        };
        if let Some(prev) = &previous
            && prev.last_result != "failed"
            && prev.last_result != "new"
            && prev.hash.as_deref() == Some(&hash[..])
        {
            // Touched or copied, not changed.
            self.store.touch_source(prev.id, mtime)?;
            report.status = FileStatus::Unchanged;
            return Ok(report);
        }
        let source_id = self.store.source_id(key)?;
        events.file((mtime > 0).then_some(mtime / 1_000_000));
        let outcome = self.read_and_store(path, &file, format, source_id, &mut report, events)?;
        // A file that changed while we read it is read again on its next change; do not
        // remember it as done.
        let after = file.metadata().ok();
        let stable = after.is_some_and(|m| m.len() as i64 == size && mtime_ns(&m) == mtime);
        let (result, error) = match &outcome {
            ReadOutcome::Failed(e) => ("failed", Some(e.to_string())),
            ReadOutcome::Complete if !stable => (
                "failed",
                Some("the file changed while it was read".to_string()),
            ),
            ReadOutcome::Complete if report.record_error_count > 0 => (
                "partial",
                report.record_errors.first().map(ToString::to_string),
            ),
            ReadOutcome::Complete => ("ok", None),
        };
        self.store.finish_source(
            source_id,
            &SourceResult {
                format: Some(format.id()),
                size,
                mtime_ns: mtime,
                hash: Some(&hash),
                result,
                error: error.as_deref(),
                messages: (report.new + report.known) as i64,
            },
        )?;
        if let ReadOutcome::Failed(e) = outcome {
            report.status = FileStatus::Failed(e);
        }
        Ok(report)
    }

    fn read_and_store(
        &mut self,
        path: &Path,
        file: &std::fs::File,
        format: Format,
        source_id: i64,
        report: &mut FileReport,
        events: &mut dyn ImportEvents,
    ) -> Result<ReadOutcome> {
        // A few chunks in flight keep both threads busy; more only hold classified messages
        // (with their reasons and advice) in memory while the writer catches up: at 64 the
        // peak RSS of a 1 M import reached 63 MB.
        let (tx, rx) = mpsc::sync_channel::<Item>(8);
        let opts = self.opts.clone();
        let engine = self.engine.get()?;
        // The person's lists, lenders and debt-related history, read once per file.
        let person = engine.person_in(self.store)?;
        // Without a second connection (a locked or odd database), every message is
        // classified and the insert finds the known ones.
        let lookup = self.store.key_lookup().ok();
        let tally = Tally::default();
        std::thread::scope(|scope| -> Result<ReadOutcome> {
            let reader = scope.spawn(|| {
                let mut sink = ClassifyingSink {
                    tx,
                    pending: Vec::with_capacity(CHUNK),
                    engine,
                    person,
                    lookup,
                    tally: &tally,
                };
                let outcome = ingest::read_opened(path, file, format, &opts, &mut sink);
                if !sink.pending.is_empty() {
                    let _ = sink.send_pending();
                }
                outcome
            });
            let stored = self.store_items(&rx, source_id, &tally, report, events);
            // If storing failed, dropping the receiver stops the reader at its next send.
            drop(rx);
            let outcome = reader.join().expect("reader thread panicked");
            stored?;
            Ok(outcome?)
        })
    }

    fn store_items(
        &mut self,
        rx: &mpsc::Receiver<Item>,
        source_id: i64,
        tally: &Tally,
        report: &mut FileReport,
        events: &mut dyn ImportEvents,
    ) -> Result<()> {
        let mut batch = self.store.batch()?;
        let mut in_batch = 0usize;
        let mut batch_started = std::time::Instant::now();
        for item in rx {
            let chunk = match item {
                Item::RecordError(e) => {
                    report.record_error_count += 1;
                    if report.record_errors.len() < KEPT_RECORD_ERRORS {
                        report.record_errors.push(e);
                    }
                    continue;
                }
                Item::Messages(chunk) => chunk,
            };
            let (new_before, known_before) = (report.new, report.known);
            for p in &chunk {
                let Some(verdict) = &p.verdict else {
                    report.known += 1;
                    continue;
                };
                let new = NewMessage {
                    key: p.key,
                    sender_norm: &p.sender_norm,
                    message: &p.msg,
                    verdict,
                };
                match batch.insert(source_id, &new)? {
                    Some(id) => {
                        report.new += 1;
                        report.undated += u64::from(p.msg.ts_ms.is_none());
                        *report.by_category.entry(verdict.category).or_default() += 1;
                        events.stored(batch.tx(), id, &p.msg, verdict)?;
                    }
                    None => report.known += 1,
                }
            }
            tally
                .new
                .fetch_add(report.new - new_before, Ordering::Relaxed);
            tally
                .known
                .fetch_add(report.known - known_before, Ordering::Relaxed);
            in_batch += chunk.len();
            if let Some(offset) = chunk.last().and_then(|p| p.msg.position.offset) {
                events.progress(offset);
            }
            if in_batch >= BATCH || (in_batch > 0 && batch_started.elapsed() >= self.commit_every) {
                batch.commit()?;
                batch = self.store.batch()?;
                in_batch = 0;
                batch_started = std::time::Instant::now();
            }
        }
        batch.commit()?;
        Ok(())
    }
}

fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64)
}

fn format_from_id(id: &str) -> Option<Format> {
    use Format::*;
    [
        SbrXml,
        SuperBackupXml,
        SmsIeZip,
        Ndjson,
        Json,
        Vmsg,
        IosSmsDb,
        AndroidMmsSms,
        Csv,
    ]
    .into_iter()
    .find(|f| f.id() == id)
}

#[cfg(test)]
mod not_export_tests {
    use super::*;
    use crate::classify::Engine;

    const BACKUP: &str = r#"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="1"><sms protocol="0" address="95188" date="1763800000000" type="1" body="hi" read="1" /></smses>
"#;

    #[test]
    fn a_file_that_is_not_an_export_is_read_again_only_once_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let engine = Engine::builtin().unwrap();
        let mut not_exports = NotExports::default();
        // A new importer each time, as the daemon builds one per job: the memory is its
        // owner's, not the importer's.
        let mut import = |path: &Path| {
            Importer {
                store: &mut store,
                not_exports: &mut not_exports,
                engine: (&engine).into(),
                opts: ReadOptions::default(),
                commit_every: COMMIT_EVERY,
                roots: Vec::new(),
            }
            .import_file(path, &mut Quiet)
            .unwrap()
        };
        let path = dir.path().join("photo.xml");
        let junk = "x".repeat(BACKUP.len());
        std::fs::write(&path, &junk).unwrap();
        let first = import(&path);
        assert!(matches!(first.status, FileStatus::NotAnExport), "{first:?}");

        // Same size and time, new content: taken as unchanged, so not opened again.
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::fs::write(&path, BACKUP).unwrap();
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(mtime).unwrap();
        drop(f);
        let again = import(&path);
        assert!(matches!(again.status, FileStatus::NotAnExport), "{again:?}");

        // A real change (a new time) is read.
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(mtime + std::time::Duration::from_secs(1))
            .unwrap();
        drop(f);
        let changed = import(&path);
        assert!(
            matches!(changed.status, FileStatus::Imported),
            "{changed:?}"
        );
        assert_eq!(changed.new, 1);
    }
}
