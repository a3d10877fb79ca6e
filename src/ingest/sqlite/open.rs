//! Opening a phone database safely: in place or on one private copy, with SQLite's length
//! limit and a time budget set, and the file checked to be the one the import opened.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::ingest::{self as ingest, ErrorKind, Limits};
use crate::words::Phrase;

/// Why a phone database could not be opened: the kind decides whether it is retried, the
/// phrase (`import.detail.sqlite_*`) is what the person reads.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// Another program holds a lock on it longer than the busy timeout.
    Locked,
    /// Its name led to another file by the time SQLite opened it.
    Replaced,
    /// Shorter than SQLite's 100-byte header.
    NoHeader,
    /// Its `-wal` holds changes, and a copy to read them would be over the limit.
    CopyRefused { size: u64, wal: u64, limit: u64 },
    /// Its `-wal` could not be read.
    WalUnreadable(std::io::Error),
    /// The private copy could not be made.
    CopyFailed(std::io::Error),
    /// SQLite refused it.
    Sqlite(rusqlite::Error),
}

impl OpenError {
    pub(crate) fn kind(&self) -> ErrorKind {
        match self {
            OpenError::Locked
            | OpenError::Replaced
            | OpenError::WalUnreadable(_)
            | OpenError::CopyFailed(_) => ErrorKind::Io,
            OpenError::NoHeader => ErrorKind::Truncated,
            OpenError::CopyRefused { .. } => ErrorKind::Limit,
            OpenError::Sqlite(e) => match e.sqlite_error_code() {
                Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => ErrorKind::Truncated,
                Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => ErrorKind::Io,
                _ => ErrorKind::Syntax,
            },
        }
    }

    /// The words for it, in the person's language once said.
    pub(crate) fn said(&self) -> Phrase {
        let detail = Phrase::new;
        match self {
            OpenError::Locked => detail("import.detail.sqlite_locked"),
            OpenError::Replaced => detail("import.detail.sqlite_replaced"),
            OpenError::NoHeader => detail("import.detail.sqlite_no_header"),
            OpenError::CopyRefused { size, wal, limit } => {
                detail("import.detail.sqlite_copy_refused")
                    .arg("size", size_text(*size))
                    .arg("wal", size_text(*wal))
                    .arg("limit", size_text(*limit))
            }
            OpenError::WalUnreadable(e) => {
                detail("import.detail.sqlite_wal_unreadable").arg("error", e)
            }
            OpenError::CopyFailed(e) => detail("import.detail.sqlite_copy_failed").arg("error", e),
            OpenError::Sqlite(e) => match e.sqlite_error_code() {
                Some(ErrorCode::DatabaseCorrupt) => detail("import.detail.sqlite_damaged"),
                _ => detail("import.detail.sqlite_unreadable"),
            }
            .arg("error", e),
        }
    }
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.said().fmt(f)
    }
}

impl From<rusqlite::Error> for OpenError {
    fn from(e: rusqlite::Error) -> OpenError {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => OpenError::Locked,
            _ => OpenError::Sqlite(e),
        }
    }
}

/// A read-only connection with the limits set: in place, or on a private copy.
pub(super) struct Opened {
    pub(super) conn: Connection,
    pub(super) budget: Arc<Budget>,
    _copy: Option<tempfile::TempDir>,
}

/// The size of the `-wal` beside `path` (0 when there is none).
pub(super) fn wal_size(path: &Path) -> std::io::Result<u64> {
    match ingest::open_regular(&sidecar(path, "-wal")) {
        Ok(f) => Ok(f.metadata()?.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

/// A size as people read it: MB, or KB under a megabyte.
fn size_text(bytes: u64) -> String {
    if bytes < 1 << 20 {
        format!("{} KB", bytes.div_ceil(1 << 10))
    } else {
        format!("{} MB", bytes >> 20)
    }
}

impl Opened {
    pub(super) fn open(
        path: &Path,
        file: &std::fs::File,
        limits: &Limits,
    ) -> Result<Opened, OpenError> {
        let wal_mode = wal_mode(file)?;
        let wal = if wal_mode {
            wal_size(path).map_err(OpenError::WalUnreadable)?
        } else {
            0
        };
        if wal == 0 {
            return Opened::in_place(path, file, limits, wal_mode);
        }
        let size = file.metadata().map_err(OpenError::CopyFailed)?.len();
        let limit = limits.max_copy_bytes;
        if size > limit || wal > limit {
            return Err(OpenError::CopyRefused { size, wal, limit });
        }
        let dir = tempfile::Builder::new()
            .prefix("dunwatch-db-")
            .tempdir()
            .map_err(OpenError::CopyFailed)?;
        let copy = dir.path().join("copy.db");
        let copy_from = |from: &std::fs::File, to: &Path| -> std::io::Result<()> {
            let mut out = std::fs::File::create(to)?;
            // Never more than was measured: a file growing meanwhile cannot fill the disk.
            std::io::copy(
                &mut std::io::Read::take(ingest::rewind(from)?, limit),
                &mut out,
            )?;
            Ok(())
        };
        copy_from(file, &copy).map_err(OpenError::CopyFailed)?;
        let wal_file =
            ingest::open_regular(&sidecar(path, "-wal")).map_err(OpenError::WalUnreadable)?;
        copy_from(&wal_file, &sidecar(&copy, "-wal")).map_err(OpenError::CopyFailed)?;
        let conn = Connection::open_with_flags(
            &copy,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Opened::ready(conn, limits, Some(dir))
    }

    /// Opens the database at `path` read-only (and `immutable`: without locks or `-shm`),
    /// and makes sure it is the file the import opened: SQLite opens by name, so a file
    /// renamed over it meanwhile is refused rather than read.
    pub(super) fn in_place(
        path: &Path,
        file: &std::fs::File,
        limits: &Limits,
        immutable: bool,
    ) -> Result<Opened, OpenError> {
        let conn = Connection::open_with_flags(
            uri(path, if immutable { "immutable=1" } else { "mode=ro" }),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let opened = Opened::ready(conn, limits, None)?;
        if !same_file(path, file) {
            return Err(OpenError::Replaced);
        }
        Ok(opened)
    }

    fn ready(
        mut conn: Connection,
        limits: &Limits,
        copy: Option<tempfile::TempDir>,
    ) -> Result<Opened, OpenError> {
        conn.busy_timeout(Duration::from_millis(500))?;
        let longest = i32::try_from(limits.max_element_bytes).unwrap_or(i32::MAX);
        conn.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_LENGTH, longest)?;
        let budget = Arc::new(Budget::new(limits.max_query_time));
        let watch = budget.clone();
        conn.progress_handler(10_000, Some(move || watch.over()))?;
        // Touch the schema now: a locked or damaged file fails here, with a clear message.
        budget.step(|| {
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
        })?;
        Ok(Opened {
            conn,
            budget,
            _copy: copy,
        })
    }
}

/// Whether the database is in WAL mode, from its header.
pub(super) fn wal_mode(file: &std::fs::File) -> Result<bool, OpenError> {
    use std::io::Read;
    let mut header = [0u8; 100];
    ingest::rewind(file)
        .and_then(|mut f| f.read_exact(&mut header))
        .map_err(|_| OpenError::NoHeader)?;
    Ok(header[18] == 2 || header[19] == 2)
}

/// `file:` URI of `path` with `query`: every byte that is not plainly safe in a URI is
/// percent-encoded, so names with `?`, `#`, `%` or invalid UTF-8 open the right file.
fn uri(path: &Path, query: &str) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for &b in abs.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

/// True when `path` names the same file (device and inode) as the open `file`.
fn same_file(path: &Path, file: &std::fs::File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(path), file.metadata()) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (path, file);
        true
    }
}

/// How long SQLite has worked for this read, counted only while a statement steps (not
/// while the messages are classified and stored), so the limit is on the database's work.
pub(super) struct Budget {
    base: Instant,
    limit: Duration,
    /// Nanoseconds spent in finished steps.
    spent: AtomicU64,
    /// When the running step began (nanoseconds after `base`, plus one), or 0.
    running: AtomicU64,
}

impl Budget {
    fn new(limit: Duration) -> Budget {
        Budget {
            base: Instant::now(),
            limit,
            spent: AtomicU64::new(0),
            running: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        self.base.elapsed().as_nanos() as u64 + 1
    }

    /// Runs one step of a statement, counting its time.
    fn step<T>(&self, f: impl FnOnce() -> T) -> T {
        let start = self.now();
        self.running.store(start, Ordering::Relaxed);
        let out = f();
        self.running.store(0, Ordering::Relaxed);
        self.spent.fetch_add(self.now() - start, Ordering::Relaxed);
        out
    }

    /// True once the time is up (the progress handler then interrupts the statement).
    fn over(&self) -> bool {
        let running = self.running.load(Ordering::Relaxed);
        let current = if running == 0 {
            0
        } else {
            self.now() - running
        };
        Duration::from_nanos(self.spent.load(Ordering::Relaxed) + current) > self.limit
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Next row of a statement, its time counted against the read's budget.
pub(super) fn next<'a, 'stmt>(
    budget: &Budget,
    rows: &'a mut rusqlite::Rows<'stmt>,
) -> rusqlite::Result<Option<&'a rusqlite::Row<'stmt>>> {
    budget.step(|| rows.next())
}
