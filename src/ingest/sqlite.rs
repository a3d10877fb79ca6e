//! Phone databases: the iPhone's `sms.db` (from a computer backup, also under its hashed
//! name `3d0d7e5fb2ce288813306e4d4636395e047a3d28`) and Android's `mmssms.db`.
//!
//! The user's backup is never modified. A database in WAL mode is copied (with its `-wal`)
//! into a private temporary folder and the copy is read, because even a read-only open of a
//! WAL database creates `-shm` files beside it; a rollback-journal database is opened with
//! `mode=ro` directly. A database another program holds locked is reported as such and
//! read again when it changes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::detect::Format;
use super::{ErrorKind, ReadOptions, ReadOutcome, Sink, SinkError, json};
use crate::model::{Direction, Message, Position};

/// Seconds from the Unix epoch to Apple's (2001-01-01T00:00:00Z).
const APPLE_EPOCH_S: i64 = 978_307_200;

/// Which phone database `path` is, from its tables: `Ok(None)` for any other SQLite file,
/// `Err` when it cannot be opened now (locked, damaged), with the reason.
pub fn probe(path: &Path) -> Result<Option<Format>, String> {
    let conn = Opened::open(path)?;
    kind(&conn.conn).map_err(|e| e.to_string())
}

fn kind(conn: &Connection) -> rusqlite::Result<Option<Format>> {
    let has = |t: &str| -> rusqlite::Result<bool> {
        conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [t],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
    };
    Ok(if has("message")? && has("handle")? {
        Some(Format::IosSmsDb)
    } else if has("sms")? {
        Some(Format::AndroidMmsSms)
    } else {
        None
    })
}

/// A read-only connection, on a private copy when the original is in WAL mode.
struct Opened {
    conn: Connection,
    _copy: Option<tempfile::TempDir>,
}

impl Opened {
    fn open(path: &Path) -> Result<Opened, String> {
        let mut header = [0u8; 100];
        {
            use std::io::Read;
            let mut f = super::open_regular(path).map_err(|e| e.to_string())?;
            f.read_exact(&mut header)
                .map_err(|_| "shorter than a SQLite header: cut off".to_string())?;
        }
        let wal = header[18] == 2 || header[19] == 2;
        let (target, copy) = if wal {
            let dir = tempfile::Builder::new()
                .prefix("dunwatch-db-")
                .tempdir()
                .map_err(|e| format!("cannot make a private copy: {e}"))?;
            let copy = dir.path().join("copy.db");
            std::fs::copy(path, &copy).map_err(|e| format!("cannot copy: {e}"))?;
            let wal_file = sidecar(path, "-wal");
            if wal_file.exists() {
                std::fs::copy(&wal_file, sidecar(&copy, "-wal"))
                    .map_err(|e| format!("cannot copy its -wal: {e}"))?;
            }
            (copy, Some(dir))
        } else {
            (path.to_path_buf(), None)
        };
        let flags = if copy.is_some() {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let conn = Connection::open_with_flags(&target, flags).map_err(|e| e.to_string())?;
        conn.busy_timeout(Duration::from_millis(500))
            .map_err(|e| e.to_string())?;
        // Touch the schema now: a locked or damaged file fails here, with a clear message.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                "locked by another program (the phone-sync tool is still writing it?); \
                 it is read again when it changes"
                    .to_string()
            }
            _ => e.to_string(),
        })?;
        Ok(Opened { conn, _copy: copy })
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

pub fn read(
    path: &Path,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let fail = |kind, detail: String| Ok(ReadOutcome::failed_at_start(path, kind, detail));
    let opened = match Opened::open(path) {
        Ok(o) => o,
        Err(e) if e.contains("locked") => return fail(ErrorKind::Io, e),
        Err(e) if e.contains("cut off") || e.contains("malformed") => {
            return fail(ErrorKind::Truncated, e);
        }
        Err(e) => {
            return fail(
                ErrorKind::Syntax,
                format!("not a readable SQLite database: {e}"),
            );
        }
    };
    let result = match kind(&opened.conn) {
        Ok(Some(Format::IosSmsDb)) => read_ios(&opened.conn, sink),
        Ok(Some(_)) => read_android(&opened.conn, opts, sink),
        Ok(None) => {
            return fail(
                ErrorKind::Unsupported,
                "a SQLite database without the tables of an iPhone sms.db (message, handle) \
                 or an Android mmssms.db (sms)"
                    .into(),
            );
        }
        Err(e) => Err(Failure::Db(e)),
    };
    match result {
        Ok(()) => Ok(ReadOutcome::Complete),
        Err(Failure::Sink(e)) => Err(e),
        Err(Failure::Db(e)) => {
            let kind = match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                    ErrorKind::Truncated
                }
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                    ErrorKind::Io
                }
                _ => ErrorKind::Syntax,
            };
            fail(kind, e.to_string())
        }
    }
}

enum Failure {
    Db(rusqlite::Error),
    Sink(SinkError),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Db(e)
    }
}

impl From<SinkError> for Failure {
    fn from(e: SinkError) -> Self {
        Failure::Sink(e)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Sink(SinkError(e))
    }
}

fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(1))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(names)
}

fn read_ios(conn: &Connection, sink: &mut dyn Sink) -> Result<(), Failure> {
    let cols = columns(conn, "message")?;
    let body_blob = if cols.iter().any(|c| c == "attributedBody") {
        "m.attributedBody"
    } else {
        "NULL"
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT m.ROWID, m.text, {body_blob}, coalesce(h.id, ''), m.date, m.is_from_me
         FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id
         ORDER BY m.ROWID"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let rowid: i64 = r.get(0)?;
        let text: Option<String> = r.get(1)?;
        let blob: Option<Vec<u8>> = r.get(2)?;
        let body = match text.filter(|t| !t.is_empty()) {
            Some(t) => t,
            None => match blob.as_deref().and_then(attributed_body_text) {
                Some(t) => t,
                None => continue, // tapbacks, attachments without text
            },
        };
        // Object replacement characters stand for attachments.
        let body = body.replace('\u{fffc}', "").trim().to_string();
        if body.is_empty() {
            continue;
        }
        let date: i64 = r.get::<_, Option<i64>>(4)?.unwrap_or(0);
        let from_me: i64 = r.get::<_, Option<i64>>(5)?.unwrap_or(0);
        sink.message(Message {
            sender: r.get(3)?,
            body,
            ts_ms: apple_time_ms(date),
            direction: if from_me != 0 {
                Direction::Out
            } else {
                Direction::In
            },
            contact: None,
            position: Position {
                record: rowid as u64,
                offset: None,
                line: None,
            },
        })?;
    }
    Ok(())
}

/// `message.date`: seconds since 2001 before iOS 11, nanoseconds since.
pub fn apple_time_ms(date: i64) -> Option<i64> {
    if date <= 0 {
        return None;
    }
    let since_2001_ms = if date > 100_000_000_000 {
        date / 1_000_000
    } else {
        date * 1000
    };
    Some(since_2001_ms + APPLE_EPOCH_S * 1000)
}

/// The plain text inside an `attributedBody` (an NSArchiver "typedstream" of an
/// NSAttributedString): the bytes after the first `NSString` class name, `+`, and a length
/// (one byte, or 0x81 + u16 LE, or 0x82 + u32 LE).
pub fn attributed_body_text(blob: &[u8]) -> Option<String> {
    let at = memchr::memmem::find(blob, b"NSString")? + b"NSString".len();
    let rest = blob.get(at..)?;
    let plus = rest.iter().take(16).position(|&b| b == b'+')?;
    let rest = rest.get(plus + 1..)?;
    let (len, start): (usize, usize) = match *rest.first()? {
        0x81 => (
            u16::from_le_bytes([*rest.get(1)?, *rest.get(2)?]) as usize,
            3,
        ),
        0x82 => (
            u32::from_le_bytes([*rest.get(1)?, *rest.get(2)?, *rest.get(3)?, *rest.get(4)?])
                as usize,
            5,
        ),
        n if n < 0x80 => (n as usize, 1),
        _ => return None,
    };
    let bytes = rest.get(start..start.checked_add(len)?)?;
    String::from_utf8(bytes.to_vec()).ok()
}

fn read_android(conn: &Connection, opts: &ReadOptions, sink: &mut dyn Sink) -> Result<(), Failure> {
    let cols = columns(conn, "sms")?;
    let has = |c: &str| cols.iter().any(|x| x == c);
    let type_col = if has("type") { "type" } else { "1" };
    let mut stmt = conn.prepare(&format!(
        "SELECT _id, coalesce(address, ''), body, date, {type_col} FROM sms ORDER BY _id"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let Some(body) = r.get::<_, Option<String>>(2)? else {
            continue;
        };
        let kind: Option<i64> = r.get(4)?;
        let direction = match kind {
            Some(2 | 4 | 5 | 6) => Direction::Out,
            Some(3) => continue, // draft
            _ => Direction::In,
        };
        if body.len() > opts.limits.max_body_bytes {
            continue;
        }
        sink.message(Message {
            sender: r.get(1)?,
            body,
            ts_ms: r.get::<_, Option<i64>>(3)?.and_then(json::epoch_ms),
            direction,
            contact: None,
            position: Position {
                record: id as u64,
                offset: None,
                line: None,
            },
        })?;
    }
    drop(rows);
    let tables = ["pdu", "part", "addr"];
    let mut have_mms = true;
    for t in tables {
        let n: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [t],
            |r| r.get(0),
        )?;
        have_mms &= n > 0;
    }
    if !have_mms {
        return Ok(());
    }
    // MMS: the text/plain parts of each message, in order; the sender is the `from` (137)
    // address of a received one, the first `to` (151) of a sent one.
    let mut stmt = conn.prepare(
        "SELECT p._id, p.date, p.msg_box,
            (SELECT group_concat(text, char(10)) FROM
                (SELECT text FROM part WHERE mid = p._id AND ct = 'text/plain' ORDER BY seq)),
            coalesce((SELECT address FROM addr WHERE msg_id = p._id
                AND type = CASE WHEN p.msg_box = 1 THEN 137 ELSE 151 END LIMIT 1), '')
         FROM pdu p ORDER BY p._id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let Some(body) = r.get::<_, Option<String>>(3)?.filter(|b| !b.is_empty()) else {
            continue;
        };
        let direction = match r.get::<_, Option<i64>>(2)? {
            Some(1) => Direction::In,
            Some(3) => continue,
            _ => Direction::Out,
        };
        let address: String = r.get(4)?;
        sink.message(Message {
            sender: if address == "insert-address-token" {
                String::new()
            } else {
                address
            },
            body,
            // pdu.date is in seconds.
            ts_ms: r.get::<_, Option<i64>>(1)?.and_then(json::epoch_ms),
            direction,
            contact: None,
            position: Position {
                record: id as u64,
                offset: None,
                line: None,
            },
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_dates_in_seconds_and_nanoseconds() {
        assert_eq!(apple_time_ms(731_297_730), Some(1_709_604_930_000));
        assert_eq!(
            apple_time_ms(731_297_730_000_000_000),
            Some(1_709_604_930_000)
        );
        assert_eq!(apple_time_ms(0), None);
    }

    #[test]
    fn attributed_body_text_with_short_and_long_lengths() {
        let mut blob = b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+".to_vec();
        let mut short = blob.clone();
        short.push(5);
        short.extend_from_slice(b"hello\x86\x84");
        assert_eq!(attributed_body_text(&short).as_deref(), Some("hello"));
        let text = "逾".repeat(100);
        blob.push(0x81);
        blob.extend_from_slice(&(text.len() as u16).to_le_bytes());
        blob.extend_from_slice(text.as_bytes());
        assert_eq!(attributed_body_text(&blob), Some(text));
        assert_eq!(attributed_body_text(b"garbage"), None);
    }
}
