//! The record of each evidence export (migration 7): the SHA-256 of its manifest, so that
//! `evidence verify` can tell an untouched export from one edited with every hash
//! recomputed.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// One export as recorded when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRecord {
    pub manifest_sha256: String,
    pub chain_head: String,
    pub messages: i64,
    pub dir: String,
    pub created_ms: i64,
}

impl Store {
    pub fn record_export(&self, rec: &ExportRecord) -> Result<(), StoreError> {
        self.ensure_same_file()?;
        self.conn
            .prepare_cached(
                "INSERT INTO evidence_export(manifest_sha256, chain_head, messages, dir, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                rec.manifest_sha256,
                rec.chain_head,
                rec.messages,
                rec.dir,
                rec.created_ms
            ])?;
        Ok(())
    }

    /// The export whose manifest has this SHA-256 (lowercase hex), if one was recorded.
    pub fn export_by_digest(&self, sha256: &str) -> Result<Option<ExportRecord>, StoreError> {
        self.one_export("manifest_sha256 = ?1", sha256)
    }

    /// The latest export recorded as written into `dir` (absolute).
    pub fn export_in_dir(&self, dir: &str) -> Result<Option<ExportRecord>, StoreError> {
        self.one_export("dir = ?1", dir)
    }

    fn one_export(&self, condition: &str, value: &str) -> Result<Option<ExportRecord>, StoreError> {
        let sql = format!(
            "SELECT manifest_sha256, chain_head, messages, dir, created_at FROM evidence_export
             WHERE {condition} ORDER BY id DESC LIMIT 1"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([value], |r| {
                Ok(ExportRecord {
                    manifest_sha256: r.get(0)?,
                    chain_head: r.get(1)?,
                    messages: r.get(2)?,
                    dir: r.get(3)?,
                    created_ms: r.get(4)?,
                })
            })
            .optional()?)
    }
}
