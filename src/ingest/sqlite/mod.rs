//! Phone databases: the iPhone's `sms.db` (from a computer backup, also under its hashed
//! name `3d0d7e5fb2ce288813306e4d4636395e047a3d28`) and Android's `mmssms.db`.
//!
//! The user's backup is never modified, and a database is hostile input like any file:
//! - It is read in place, whatever its size (so a sparse 20 GB file costs nothing): read-only
//!   with SQLite's locks (a database another program is writing is reported as locked) or,
//!   in WAL mode, with `immutable=1`, because even a read-only open of a WAL database
//!   creates `-shm` files beside it. A WAL database whose `-wal` is not empty holds changes
//!   not yet in the database, which only a private copy (database and `-wal`, copied once,
//!   the database from the descriptor the import opened) can read without writing beside
//!   the backup; a copy is made only up to [`Limits::max_copy_bytes`].
//! - Values longer than [`Limits::max_element_bytes`] are refused by SQLite itself
//!   (`SQLITE_LIMIT_LENGTH`) rather than built in memory, and a read that keeps SQLite busy
//!   longer than [`Limits::max_query_time`] is interrupted (a progress handler).
//! - Columns read must be plain stored columns: a generated (or hidden) `body` would make
//!   SQLite compute whatever expression the file's author chose, for every row.
//!
//! A database another program holds locked or is still writing is reported as such and read
//! again when it changes.

mod open;

use std::path::Path;

use rusqlite::Connection;

use super::detect::Format;
use super::{ErrorKind, Limits, ReadOptions, ReadOutcome, Sink, SinkError, json};
use crate::model::{Direction, Message, Position};
use crate::words::Phrase;
pub(crate) use open::OpenError;
use open::{Opened, next, wal_mode, wal_size};

/// Seconds from the Unix epoch to Apple's (2001-01-01T00:00:00Z).
const APPLE_EPOCH_S: i64 = 978_307_200;

/// Which phone database the open `file` (named `path`) is, from its tables: `Ok(None)` for
/// any other SQLite file, `Err` when it cannot be opened now (locked, damaged), with the
/// reason. Never copies: it looks at the database in place, and one whose tables exist only
/// in its `-wal` so far is taken for an Android database (the reader then says which).
pub(crate) fn probe(path: &Path, file: &std::fs::File) -> Result<Option<Format>, OpenError> {
    let wal_mode = wal_mode(file)?;
    let conn = Opened::in_place(path, file, &Limits::default(), wal_mode)?;
    match kind(&conn.conn)? {
        None if wal_size(path).map_err(OpenError::WalUnreadable)? > 0 => {
            Ok(Some(Format::AndroidMmsSms))
        }
        found => Ok(found),
    }
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

pub fn read(
    path: &Path,
    file: &std::fs::File,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let fail =
        |kind, detail: crate::ingest::Detail| Ok(ReadOutcome::failed_at_start(path, kind, detail));
    let opened = match Opened::open(path, file, &opts.limits) {
        Ok(o) => o,
        Err(e) => return fail(e.kind(), e.said().into()),
    };
    let result = match kind(&opened.conn) {
        Ok(Some(Format::IosSmsDb)) => read_ios(&opened, opts, sink),
        Ok(Some(_)) => read_android(&opened, opts, sink),
        Ok(None) => {
            return fail(
                ErrorKind::Unsupported,
                Phrase::new("import.detail.sqlite_no_tables").into(),
            );
        }
        Err(e) => Err(Failure::Db(e)),
    };
    match result {
        Ok(()) => Ok(ReadOutcome::Complete),
        Err(Failure::Sink(e)) => Err(e),
        Err(Failure::Refused(detail)) => fail(ErrorKind::Limit, detail.into()),
        Err(Failure::Db(e)) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::TooBig) => fail(
            ErrorKind::Limit,
            Phrase::new("import.detail.sqlite_value_too_long")
                .arg("limit", opts.limits.max_element_bytes)
                .arg("error", e)
                .into(),
        ),
        Err(Failure::Db(e))
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) =>
        {
            fail(
                ErrorKind::Limit,
                Phrase::new("import.detail.sqlite_too_slow")
                    .arg("seconds", opts.limits.max_query_time.as_secs_f32())
                    .into(),
            )
        }
        Err(Failure::Db(e)) => {
            let e = OpenError::from(e);
            fail(e.kind(), e.said().into())
        }
    }
}

enum Failure {
    Db(rusqlite::Error),
    Sink(SinkError),
    /// The database was refused before reading (a computed column).
    Refused(Phrase),
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

/// The columns of `table` (with `PRAGMA table_xinfo`, which also lists hidden and generated
/// ones), refusing by name any of `reads` that is not a plain stored column.
fn columns(conn: &Connection, table: &str, reads: &[&str]) -> Result<Vec<String>, Failure> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_xinfo({table})"))?;
    let cols = stmt
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(6)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    for (name, hidden) in &cols {
        if *hidden != 0 && reads.iter().any(|c| c.eq_ignore_ascii_case(name)) {
            let key = match hidden {
                1 => "import.detail.sqlite_hidden_column",
                _ => "import.detail.sqlite_generated_column",
            };
            return Err(Failure::Refused(
                Phrase::new(key).arg("column", format!("{table}.{name}")),
            ));
        }
    }
    Ok(cols.into_iter().map(|(name, _)| name).collect())
}

fn read_ios(db: &Opened, opts: &ReadOptions, sink: &mut dyn Sink) -> Result<(), Failure> {
    let conn = &db.conn;
    columns(conn, "handle", &["ROWID", "id"])?;
    let cols = columns(
        conn,
        "message",
        &[
            "ROWID",
            "text",
            "attributedBody",
            "handle_id",
            "date",
            "is_from_me",
        ],
    )?;
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
    while let Some(r) = next(&db.budget, &mut rows)? {
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
        if body.is_empty() || body.len() > opts.limits.max_body_bytes {
            continue;
        }
        let date: i64 = r.get::<_, Option<i64>>(4)?.unwrap_or(0);
        let from_me: i64 = r.get::<_, Option<i64>>(5)?.unwrap_or(0);
        sink.message(Message {
            zoneless: None,
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

fn read_android(db: &Opened, opts: &ReadOptions, sink: &mut dyn Sink) -> Result<(), Failure> {
    let conn = &db.conn;
    let cols = columns(conn, "sms", &["_id", "address", "body", "date", "type"])?;
    let has = |c: &str| cols.iter().any(|x| x == c);
    let type_col = if has("type") { "type" } else { "1" };
    let mut stmt = conn.prepare(&format!(
        "SELECT _id, coalesce(address, ''), body, date, {type_col} FROM sms ORDER BY _id"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = next(&db.budget, &mut rows)? {
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
            zoneless: None,
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
    columns(conn, "pdu", &["_id", "date", "msg_box"])?;
    columns(conn, "part", &["mid", "ct", "seq", "text"])?;
    columns(conn, "addr", &["msg_id", "type", "address"])?;
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
    while let Some(r) = next(&db.budget, &mut rows)? {
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
            zoneless: None,
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
    use std::time::{Duration, Instant};

    use super::*;
    use crate::ingest::Collect;

    fn read_db(path: &Path, limits: Limits) -> (Collect, ReadOutcome) {
        let file = crate::ingest::open_regular(path).unwrap();
        let opts = ReadOptions {
            limits,
            ..ReadOptions::default()
        };
        let mut c = Collect::default();
        let outcome = read(path, &file, &opts, &mut c).unwrap();
        (c, outcome)
    }

    #[test]
    fn a_query_that_keeps_sqlite_busy_past_the_time_limit_is_interrupted_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mmssms.db");
        let conn = Connection::open(&path).unwrap();
        // MMS parts without an index on `mid`: each message's text is a scan of every part.
        conn.execute_batch(
            "CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, body TEXT, date INTEGER,
                type INTEGER);
             CREATE TABLE pdu (_id INTEGER PRIMARY KEY, date INTEGER, msg_box INTEGER);
             CREATE TABLE part (_id INTEGER PRIMARY KEY, mid INTEGER, seq INTEGER, ct TEXT,
                text TEXT);
             CREATE TABLE addr (_id INTEGER PRIMARY KEY, msg_id INTEGER, type INTEGER,
                address TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO pdu(_id, date, msg_box) SELECT i, 1700000000, 1 FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
             INSERT INTO part(mid, seq, ct, text) SELECT i, 0, 'text/plain', 'x' FROM n;",
        )
        .unwrap();
        drop(conn);
        let limits = Limits {
            max_query_time: Duration::from_millis(20),
            ..Limits::default()
        };
        let start = Instant::now();
        let (_, outcome) = read_db(&path, limits);
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        let ReadOutcome::Failed(err) = outcome else {
            panic!("should be interrupted")
        };
        assert_eq!(err.kind, ErrorKind::Limit, "{err}");
        assert!(
            err.detail.contains("longer than the limit of 0.02 s"),
            "{err}"
        );
        // With the time it needs, the same database reads whole.
        let (c, outcome) = read_db(&path, Limits::default());
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(c.msgs.len(), 3000);
    }

    #[test]
    fn a_value_longer_than_the_length_limit_is_refused_by_sqlite_not_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mmssms.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, body TEXT, date INTEGER,
                type INTEGER);
             INSERT INTO sms VALUES (1, '95384', '短', 1700000000000, 1);
             INSERT INTO sms VALUES (2, '95384', printf('%.*c', 50000, 'x'), 1700000001000, 1);",
        )
        .unwrap();
        drop(conn);
        let limits = Limits {
            max_element_bytes: 10_000,
            ..Limits::default()
        };
        let (c, outcome) = read_db(&path, limits);
        assert_eq!(c.msgs.len(), 1);
        let ReadOutcome::Failed(err) = outcome else {
            panic!("should stop at the long value")
        };
        assert_eq!(err.kind, ErrorKind::Limit, "{err}");
        assert!(err.detail.contains("limit of 10000 bytes"), "{err}");
    }

    #[test]
    fn a_hidden_or_generated_column_read_is_refused_by_name_and_others_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mmssms.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, body TEXT, date INTEGER,
                type INTEGER, shout TEXT GENERATED ALWAYS AS (upper(body)) STORED);
             INSERT INTO sms(_id, address, body, date, type)
                VALUES (1, '95384', 'ok', 1700000000000, 1);",
        )
        .unwrap();
        drop(conn);
        // A generated column that is not read is no reason to refuse the database.
        let (c, outcome) = read_db(&path, Limits::default());
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(c.msgs.len(), 1);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "ALTER TABLE sms RENAME COLUMN address TO old_address;
             ALTER TABLE sms ADD COLUMN address TEXT GENERATED ALWAYS AS (old_address) VIRTUAL;",
        )
        .unwrap();
        drop(conn);
        let (_, outcome) = read_db(&path, Limits::default());
        let ReadOutcome::Failed(err) = outcome else {
            panic!("should refuse")
        };
        assert_eq!(err.kind, ErrorKind::Limit, "{err}");
        assert!(
            err.detail.contains("sms.address is a generated column"),
            "{err}"
        );
    }

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
