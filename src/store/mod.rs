//! The history: one SQLite file in WAL mode, readable by the user alone.
//!
//! Writers insert messages in batches inside transactions; a message whose key is already
//! stored is skipped, so importing the same file twice, or being killed half-way and
//! running again, leaves every message stored exactly once.

pub mod alerts;
mod counts;
pub mod evidence;
pub mod history;
pub mod key;
pub mod learned;
pub mod migrations;
pub mod person;
pub mod problems;
pub mod senders;
mod sources;
mod twins;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, params};

use crate::model::{Direction, Message, Verdict};
pub use key::{MessageKey, message_key, message_key_normalized, normalize_sender};
pub use sources::{SourceRecord, SourceResult};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the database folder {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the database was written by a newer dunwatch (schema {version}, this one knows {known}); \
         upgrade dunwatch or point --db at another file"
    )]
    TooNew { version: i64, known: i64 },
    #[error("database migration {number} failed: {source}")]
    Migration {
        number: usize,
        source: rusqlite::Error,
    },
    #[error("{}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: Box<StoreError>,
    },
    #[error(
        "the database {path} is corrupted ({detail}); nothing more is written to it. Stop \
         dunwatch, move the file aside (`mv '{path}' '{path}.corrupt'`, with its -wal and -shm \
         files), recover what it holds with `sqlite3 '{path}.corrupt' .recover | sqlite3 \
         '{path}'`, then start dunwatch again (without the recovery it starts a new, empty \
         history)",
        path = path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the database {path} was {what} while dunwatch had it open; nothing more was written \
         to the old file (run the command again to use the file now at that path)",
        path = path.display()
    )]
    Moved { path: PathBuf, what: FileChange },
}

/// How the database file under a path changed since it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChange {
    /// Nothing is at the path any more.
    Deleted,
    /// Another file is at the path (restored from a backup, moved in, recreated).
    Replaced,
}

impl std::fmt::Display for FileChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileChange::Deleted => "deleted",
            FileChange::Replaced => "replaced by another file",
        })
    }
}

impl StoreError {
    /// The SQLite error this one carries, if it is one.
    fn sqlite(&self) -> Option<&rusqlite::Error> {
        match self {
            StoreError::Sqlite(e) | StoreError::Migration { source: e, .. } => Some(e),
            _ => None,
        }
    }

    /// SQLITE_BUSY or SQLITE_LOCKED: another connection holds the lock.
    pub fn is_busy(&self) -> bool {
        self.sqlite().is_some_and(|e| {
            matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
        })
    }

    /// SQLite found the file damaged, or not a database at all: retrying cannot help and
    /// writing more may destroy what `.recover` could still save.
    pub fn is_corrupt(&self) -> bool {
        match self {
            StoreError::Corrupt { .. } => true,
            StoreError::Open { source, .. } => source.is_corrupt(),
            e => e.sqlite().is_some_and(sqlite_corrupt),
        }
    }
}

/// SQLITE_CORRUPT or SQLITE_NOTADB.
pub fn sqlite_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// Whether any layer of `e` says the database is corrupted.
pub fn is_corrupt(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<StoreError>()
            .is_some_and(StoreError::is_corrupt)
            || c.downcast_ref::<rusqlite::Error>()
                .is_some_and(sqlite_corrupt)
    })
}

/// Which file a path names (device and inode), to notice it deleted or replaced while open.
#[cfg(unix)]
fn identity(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path)?;
    Ok((m.dev(), m.ino()))
}

/// Windows refuses to delete or replace a file SQLite holds open: only "gone" is possible.
#[cfg(not(unix))]
fn identity(path: &Path) -> std::io::Result<(u64, u64)> {
    std::fs::metadata(path).map(|_| (0, 0))
}

/// How long a writer waits for another process that holds the database before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The device and inode of the file opened, checked before every write transaction.
    identity: Option<(u64, u64)>,
}

/// The key of a source file: its path's bytes exactly as the system gives them (on unix the
/// raw bytes), so two names that differ only in bytes that are not UTF-8 are two files. The
/// `path` column beside it is for showing (invalid bytes as U+FFFD).
fn path_bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// A message to insert with its verdict and precomputed key.
pub struct NewMessage<'a> {
    pub key: MessageKey,
    /// The sender as [`normalize_sender`] returns it (computed once for the key).
    pub sender_norm: &'a str,
    pub message: &'a Message,
    pub verdict: &'a Verdict,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, private to the user, and brings it
    /// to the current schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        // Two processes opening a database that does not exist yet race while the first
        // turns it to WAL and writes its schema; some of those steps answer "database is
        // locked" at once instead of waiting in the busy handler. So opening is retried
        // within the busy timeout, as a write would wait.
        let started = std::time::Instant::now();
        let mut attempt = Self::open_inner(path);
        while let Err(e) = &attempt
            && e.is_busy()
            && started.elapsed() < BUSY_TIMEOUT
        {
            std::thread::sleep(Duration::from_millis(20));
            attempt = Self::open_inner(path);
        }
        attempt.map_err(|e| {
            if e.is_corrupt() {
                StoreError::Corrupt {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                }
            } else {
                StoreError::Open {
                    path: path.to_path_buf(),
                    source: Box::new(e),
                }
            }
        })
    }

    /// Opens an existing database only to read it (`doctor`): never creates, migrates or
    /// writes, and waits out a writer within the busy timeout.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            source: Box::new(e.into()),
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            identity: identity(path).ok(),
        })
    }

    /// Whether the path still names the file this store opened. A file deleted while open
    /// takes every write without a word (and is lost when closed); one replaced (a backup
    /// restored over it) is not the one the person looks at.
    pub fn file_change(&self) -> Option<FileChange> {
        match identity(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(FileChange::Deleted),
            Err(_) => None,
            Ok(now) => (self.identity.is_some() && Some(now) != self.identity)
                .then_some(FileChange::Replaced),
        }
    }

    /// Refuses to write when the file under the path is not the one opened.
    pub fn ensure_same_file(&self) -> Result<(), StoreError> {
        match self.file_change() {
            Some(what) => Err(StoreError::Moved {
                path: self.path.clone(),
                what,
            }),
            None => Ok(()),
        }
    }

    /// Opens the file now at the path when the one opened was deleted or replaced; says
    /// which happened.
    pub fn reopen_if_moved(&mut self) -> Result<Option<FileChange>, StoreError> {
        let Some(what) = self.file_change() else {
            return Ok(None);
        };
        *self = Store::open(&self.path)?;
        Ok(Some(what))
    }

    /// `PRAGMA quick_check`: `Err(Corrupt)` naming the first problem it reports.
    pub fn quick_check(&self) -> Result<(), StoreError> {
        let corrupt = |detail: String| StoreError::Corrupt {
            path: self.path.clone(),
            detail,
        };
        let first: String = match self
            .conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
        {
            Ok(text) => text,
            Err(e) if sqlite_corrupt(&e) => return Err(corrupt(e.to_string())),
            Err(e) => return Err(e.into()),
        };
        if first == "ok" {
            Ok(())
        } else {
            Err(corrupt(format!("quick_check: {first}")))
        }
    }

    fn open_inner(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            crate::paths::create_private_dir(dir).map_err(|e| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source: std::io::Error::other(e.to_string()),
            })?;
        }
        let created = !path.exists();
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        if created {
            restrict_to_user(path);
        }
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 16 MB of page cache: the hot ends of the indexes stay in memory during big imports.
        conn.pragma_update(None, "cache_size", -16_000)?;
        // The statement journal that guards each insert (its FTS trigger may fail half-way)
        // stays in memory: as a temporary file it was a write() per insert.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // WAL and SHM files carry message text too.
        for suffix in ["-wal", "-shm"] {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            restrict_to_user(Path::new(&side));
        }
        // A file the user cannot write opens read-only without a word; the writer must
        // say so now, not at its first import (migrations no longer write when current).
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                Some("attempt to write a readonly database".into()),
            )));
        }
        migrations::migrate(&mut conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            identity: identity(path).ok(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Caps the page cache at `kib` KiB, for a process that reads rather than imports (the
    /// review page): a request reads an index's pages once, which the system's file cache
    /// holds anyway, and 16 MB kept in the process would be half of its memory.
    pub fn limit_page_cache(&self, kib: i64) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "cache_size", -kib)?;
        Ok(())
    }

    /// The underlying connection, for the query modules (history, reports, alerts).
    /// Gives the page cache back after an import, so a daemon that waits for days holds only
    /// what it needs while it waits.
    pub fn release_memory(&self) {
        let _ = self.conn.execute_batch("PRAGMA shrink_memory");
    }

    /// The connection, for the store's own tests: every query of dunwatch's is a method
    /// of the store.
    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Opens a [`KeyLookup`] on this database, for a thread other than the writer's.
    pub fn key_lookup(&self) -> Result<KeyLookup, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(KeyLookup { conn })
    }

    /// Starts a write transaction for one batch.
    pub fn batch(&mut self) -> Result<Batch<'_>, StoreError> {
        self.ensure_same_file()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // The transaction is the only writer: every row above this id is one of ours.
        let first_new_id =
            tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM message", [], |r| {
                r.get(0)
            })?;
        let twins = twins::Kinds::stored(&tx)?;
        Ok(Batch {
            tx,
            first_new_id,
            twins,
        })
    }

    pub fn message_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM message", [], |r| r.get(0))?)
    }
}

/// A second, read-only connection that answers "is this key stored?" from another thread
/// while the importer writes. It sees committed messages only; the insert's own conflict
/// check stays the authority.
pub struct KeyLookup {
    conn: Connection,
}

impl KeyLookup {
    pub fn contains(&self, key: &MessageKey) -> Result<bool, StoreError> {
        key_stored(&self.conn, key)
    }
}

/// The one query behind [`KeyLookup::contains`] and [`Batch::contains`].
fn key_stored(conn: &Connection, key: &MessageKey) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM message WHERE key = ?1")?
        .exists([&key[..]])?)
}

/// One write transaction: check keys, insert new messages, commit.
pub struct Batch<'a> {
    tx: rusqlite::Transaction<'a>,
    /// The id the first message inserted in this transaction gets.
    first_new_id: i64,
    /// Which kinds of time are stored, so that twins are looked for only where they can be.
    twins: twins::Kinds,
}

impl Batch<'_> {
    /// True when a message with this key is already stored (in this batch or before).
    pub fn contains(&self, key: &MessageKey) -> Result<bool, StoreError> {
        key_stored(&self.tx, key)
    }

    /// Inserts a message; returns its new id, or `None` when its key was already stored.
    pub fn insert(&self, source_id: i64, new: &NewMessage<'_>) -> Result<Option<i64>, StoreError> {
        // The same message from an export in another clock (store::twins) is known too.
        if self.stored_as_twin(new)? {
            return Ok(None);
        }
        let m = new.message;
        let v = new.verdict;
        let reasons = if v.reasons.is_empty() {
            "[]".to_string()
        } else {
            serde_json::to_string(&v.reasons).expect("reasons serialize")
        };
        let position = serde_json::to_string(&m.position).expect("position serializes");
        let changed = self
            .tx
            .prepare_cached(
                "INSERT INTO message(key, sender, sender_norm, contact, ts, direction, body,
                    source_id, position, imported_at, category, lender, score, reasons, advice,
                    headline, zoneless)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17)
                 ON CONFLICT(key) DO NOTHING",
            )?
            .execute(params![
                &new.key[..],
                m.sender,
                new.sender_norm,
                m.contact,
                m.ts_ms,
                m.direction.as_str(),
                m.body,
                source_id,
                position,
                now_ms(),
                v.category.as_str(),
                v.lender,
                v.score,
                reasons,
                v.advice,
                v.headline,
                m.zoneless.is_some(),
            ])?;
        if changed == 1 {
            self.twins.note(m.zoneless.is_some());
        }
        Ok((changed == 1).then(|| self.tx.last_insert_rowid()))
    }

    /// The transaction, for modules that write beside messages (alert bookkeeping).
    pub fn tx(&self) -> &rusqlite::Transaction<'_> {
        &self.tx
    }

    /// Adds the transaction's debt-related messages to the search index (one statement, so
    /// FTS5 writes one segment; see migration 5), then commits.
    pub fn commit(self) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO message_fts(rowid, body, sender)
             SELECT id, body, sender FROM message WHERE id >= ?1 AND category != 'other'",
            [self.first_new_id],
        )?;
        self.tx.commit()?;
        Ok(())
    }
}

pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn restrict_to_user(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if path.exists() {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Parses the `direction` column.
pub fn direction_from_sql(s: &str) -> Direction {
    if s == "out" {
        Direction::Out
    } else {
        Direction::In
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Position};

    fn msg(body: &str, ts: i64) -> Message {
        Message {
            zoneless: None,
            sender: "+86 138 0013 8000".into(),
            body: body.into(),
            ts_ms: Some(ts),
            direction: Direction::In,
            contact: None,
            position: Position::default(),
        }
    }

    #[test]
    fn same_message_inserted_twice_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("d.db")).unwrap();
        let src = store.source_id("/x.xml").unwrap();
        let v = Verdict {
            category: Category::Overdue,
            ..Verdict::other()
        };
        let m = msg("您的借款已逾期", 1_000_123);
        let key = message_key(&m.sender, m.direction, m.ts_ms, &m.body);
        let batch = store.batch().unwrap();
        let norm = normalize_sender(&m.sender);
        let first = batch
            .insert(
                src,
                &NewMessage {
                    key,
                    sender_norm: &norm,
                    message: &m,
                    verdict: &v,
                },
            )
            .unwrap();
        assert!(first.is_some());
        assert!(batch.contains(&key).unwrap());
        let second = batch
            .insert(
                src,
                &NewMessage {
                    key,
                    sender_norm: &norm,
                    message: &m,
                    verdict: &v,
                },
            )
            .unwrap();
        assert_eq!(second, None);
        batch.commit().unwrap();
        assert_eq!(store.message_count().unwrap(), 1);
    }

    #[test]
    fn database_file_is_private_and_reopens_at_the_same_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/d.db");
        drop(Store::open(&path).unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "mode {mode:o}");
            let dmode = std::fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dmode & 0o077, 0, "dir mode {dmode:o}");
        }
        let store = Store::open(&path).unwrap();
        let v: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, migrations::MIGRATIONS.len() as i64);
    }

    #[test]
    fn database_from_a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        drop(Store::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 999)
            .unwrap();
        let err = Store::open(&path).err().unwrap().to_string();
        assert!(err.contains("newer dunwatch"), "{err}");
        assert!(err.contains("d.db"), "{err}");
    }
}
