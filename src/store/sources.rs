//! The source files (migrations 1 and 8): what is remembered of each file read, keyed by
//! its path's bytes, so that an unchanged file is not read again.

use std::path::Path;

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, now_ms, path_bytes};

/// What the store remembers about a source file.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    pub id: i64,
    pub path: String,
    pub format: Option<String>,
    pub size: Option<i64>,
    pub mtime_ns: Option<i64>,
    pub hash: Option<Vec<u8>>,
    pub last_result: String,
    pub last_error: Option<String>,
    pub messages: i64,
}

/// The outcome of reading a file, recorded on its source row.
#[derive(Debug, Clone)]
pub struct SourceResult<'a> {
    pub format: Option<&'a str>,
    pub size: i64,
    pub mtime_ns: i64,
    pub hash: Option<&'a [u8]>,
    /// `ok`, `partial` (some records failed) or `failed` (the file broke off).
    pub result: &'a str,
    pub error: Option<&'a str>,
    pub messages: i64,
}

impl Store {
    /// What is remembered about the file at `path`, found by the path's bytes.
    pub fn source(&self, path: impl AsRef<Path>) -> Result<Option<SourceRecord>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, path, format, size, mtime_ns, hash, last_result, last_error, messages
                 FROM source_file WHERE path_bytes = ?1",
            )?
            .query_row([path_bytes(path.as_ref())], |r| {
                Ok(SourceRecord {
                    id: r.get(0)?,
                    path: r.get(1)?,
                    format: r.get(2)?,
                    size: r.get(3)?,
                    mtime_ns: r.get(4)?,
                    hash: r.get(5)?,
                    last_result: r.get(6)?,
                    last_error: r.get(7)?,
                    messages: r.get(8)?,
                })
            })
            .optional()?;
        Ok(row)
    }

    /// The id of the source row for `path`, created if new. Its size/mtime/hash are only
    /// written by [`Store::finish_source`], so an interrupted import is redone next time.
    pub fn source_id(&self, path: impl AsRef<Path>) -> Result<i64, StoreError> {
        let path = path.as_ref();
        let bytes = path_bytes(path);
        self.conn
            .prepare_cached(
                "INSERT INTO source_file(path, path_bytes) VALUES (?1, ?2)
                 ON CONFLICT(path_bytes) DO NOTHING",
            )?
            .execute(params![path.to_string_lossy(), bytes])?;
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM source_file WHERE path_bytes = ?1")?
            .query_row([bytes], |r| r.get(0))?)
    }

    pub fn finish_source(&self, id: i64, res: &SourceResult<'_>) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE source_file SET format = ?2, size = ?3, mtime_ns = ?4, hash = ?5,
                    last_scan = ?6, last_result = ?7, last_error = ?8, messages = ?9
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                res.format,
                res.size,
                res.mtime_ns,
                res.hash,
                now_ms(),
                res.result,
                res.error,
                res.messages
            ])?;
        Ok(())
    }

    /// Records that a file was seen again unchanged (a touched mtime with the same content).
    pub fn touch_source(&self, id: i64, mtime_ns: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE source_file SET mtime_ns = ?2, last_scan = ?3 WHERE id = ?1")?
            .execute(params![id, mtime_ns, now_ms()])?;
        Ok(())
    }
}
