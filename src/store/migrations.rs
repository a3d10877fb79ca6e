//! Numbered schema migrations, applied in order inside one transaction.
//!
//! `PRAGMA user_version` holds how many have been applied (rusqlite_migration cannot be
//! combined with the rusqlite version we need). Never edit a shipped migration: add one.

use rusqlite::Connection;

use super::StoreError;

pub const MIGRATIONS: &[&str] = &[
    // 1: messages and the files they came from.
    r#"
    CREATE TABLE source_file (
        id          INTEGER PRIMARY KEY,
        path        TEXT NOT NULL UNIQUE,
        format      TEXT,
        size        INTEGER,
        mtime_ns    INTEGER,
        hash        BLOB,
        last_scan   INTEGER,             -- ms since epoch
        last_result TEXT NOT NULL DEFAULT 'new',  -- new | ok | partial | failed
        last_error  TEXT,
        messages    INTEGER NOT NULL DEFAULT 0    -- messages read at the last scan
    );
    CREATE TABLE message (
        id            INTEGER PRIMARY KEY,
        key           BLOB NOT NULL UNIQUE,
        sender        TEXT NOT NULL,
        sender_norm   TEXT NOT NULL,
        contact       TEXT,
        ts            INTEGER,           -- ms since epoch, UTC; NULL when unknown
        direction     TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        body          TEXT NOT NULL,
        source_id     INTEGER REFERENCES source_file(id),
        position      TEXT NOT NULL,     -- JSON: record, offset, line
        imported_at   INTEGER NOT NULL,
        category      TEXT NOT NULL,
        lender        TEXT,
        score         REAL NOT NULL,
        reasons       TEXT NOT NULL,     -- JSON array of {rule, evidence, description}
        advice        TEXT NOT NULL DEFAULT '',
        headline      TEXT NOT NULL DEFAULT '',
        user_category TEXT               -- the user's correction; wins over category
    );
    CREATE INDEX message_ts ON message(ts);
    -- Only debt-related messages: lookups by sender (trust lists, collectors, evidence) are
    -- about those, and indexing every verification code from a random number would turn
    -- big imports into random writes.
    CREATE INDEX message_sender ON message(sender_norm, ts) WHERE category != 'other';
    "#,
    // 2: alert bookkeeping. One row per message that matters to the alert policy, written in
    // the import transaction, so a message is alerted at most once, across restarts too.
    r#"
    CREATE TABLE alert (
        message_id  INTEGER PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
        state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'held', 'suppressed')),
        created_at  INTEGER NOT NULL,    -- ms since epoch
        held_at     INTEGER,             -- when quiet hours held it
        sent_at     INTEGER,             -- when the desktop accepted it
        reason      TEXT                 -- why suppressed (e.g. older than max_age_days)
    );
    CREATE INDEX alert_due ON alert(state) WHERE state IN ('pending', 'held');
    "#,
    // 3: full-text search that finds Chinese substrings, the user's trust/block
    // list, and an index for per-lender reports.
    //
    // FTS5's trigram tokenizer indexes every 3-character window, so any substring of 3 or
    // more characters (微粒贷, 逾期还款) is found without word segmentation; shorter queries
    // fall back to instr() in store/history.rs. The index is external-content (it stores no
    // second copy of the text) and triggers keep it in step with `message`.
    r#"
    CREATE VIRTUAL TABLE message_fts USING fts5(
        body, sender, content='message', content_rowid='id', tokenize='trigram'
    );
    INSERT INTO message_fts(message_fts) VALUES ('rebuild');
    CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
        INSERT INTO message_fts(rowid, body, sender) VALUES (new.id, new.body, new.sender);
    END;
    CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
        INSERT INTO message_fts(message_fts, rowid, body, sender)
            VALUES ('delete', old.id, old.body, old.sender);
    END;
    CREATE TRIGGER message_fts_update AFTER UPDATE OF body, sender ON message BEGIN
        INSERT INTO message_fts(message_fts, rowid, body, sender)
            VALUES ('delete', old.id, old.body, old.sender);
        INSERT INTO message_fts(rowid, body, sender) VALUES (new.id, new.body, new.sender);
    END;
    CREATE TABLE sender_list (
        sender_norm TEXT PRIMARY KEY,    -- store::normalize_sender of what the user typed
        sender      TEXT NOT NULL,       -- as the user typed it
        side        TEXT NOT NULL CHECK (side IN ('trust', 'block')),
        added_at    INTEGER NOT NULL     -- ms since epoch
    );
    CREATE INDEX message_lender ON message(lender, ts);
    "#,
    // 4: the search index covers the debt-related messages only. Indexing every trigram of
    // every verification code and delivery notice was two thirds of an import's time; the
    // rare search of `other` messages (`history --all --search`) scans them with instr()
    // instead (store/history.rs). A message's engine category never changes after it is
    // stored (a user's mark goes to user_category), so membership is fixed at insert.
    // Likewise the per-lender index only needs the messages that name a lender.
    r#"
    DROP INDEX message_lender;
    CREATE INDEX message_lender ON message(lender, ts) WHERE lender IS NOT NULL;
    DROP TRIGGER message_fts_insert;
    DROP TRIGGER message_fts_delete;
    DROP TRIGGER message_fts_update;
    INSERT INTO message_fts(message_fts) VALUES ('delete-all');
    INSERT INTO message_fts(rowid, body, sender)
        SELECT id, body, sender FROM message WHERE category != 'other';
    CREATE TRIGGER message_fts_insert AFTER INSERT ON message
    WHEN new.category != 'other' BEGIN
        INSERT INTO message_fts(rowid, body, sender) VALUES (new.id, new.body, new.sender);
    END;
    CREATE TRIGGER message_fts_delete AFTER DELETE ON message
    WHEN old.category != 'other' BEGIN
        INSERT INTO message_fts(message_fts, rowid, body, sender)
            VALUES ('delete', old.id, old.body, old.sender);
    END;
    CREATE TRIGGER message_fts_update AFTER UPDATE OF body, sender ON message
    WHEN old.category != 'other' BEGIN
        INSERT INTO message_fts(message_fts, rowid, body, sender)
            VALUES ('delete', old.id, old.body, old.sender);
        INSERT INTO message_fts(rowid, body, sender) VALUES (new.id, new.body, new.sender);
    END;
    "#,
    // 5: new messages enter the search index once per write transaction (`Batch::commit`),
    // not by a trigger per insert. With the trigger every insert statement opened a
    // savepoint, at which FTS5 flushes its pending terms to disk: one tiny index segment per
    // debt message and endless merging, a third of an import's time.
    r#"
    DROP TRIGGER message_fts_insert;
    "#,
    // 6: what the person tells dunwatch about themselves, and what their corrections teach.
    // `lender_account`: a lender the person says they have an account with (`have`) or not
    // (`none`, which also dismisses a lender "seen in your messages"). `learned_*`: token
    // counts of the corrected messages per category (sa-learn style), rebuilt from the
    // corrections made since `learn forget`; `marked_at` dates each correction.
    r#"
    CREATE TABLE lender_account (
        lender_id   TEXT PRIMARY KEY,
        state       TEXT NOT NULL CHECK (state IN ('have', 'none')),
        changed_at  INTEGER NOT NULL     -- ms since epoch
    );
    ALTER TABLE message ADD COLUMN marked_at INTEGER;
    CREATE INDEX message_marked ON message(marked_at) WHERE user_category IS NOT NULL;
    CREATE TABLE learned_token (
        category    TEXT NOT NULL,
        token       TEXT NOT NULL,
        count       INTEGER NOT NULL,
        PRIMARY KEY (category, token)
    ) WITHOUT ROWID;
    CREATE TABLE learned_category (
        category      TEXT PRIMARY KEY,
        messages      INTEGER NOT NULL,  -- corrected messages of this category counted
        tokens        INTEGER NOT NULL,  -- their tokens, with repeats
        active_since  INTEGER            -- ms since epoch: when it reached the minimum
    );
    CREATE TABLE learned_state (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        forgotten_at  INTEGER            -- corrections before this are not learned from
    );
    "#,
    // 7: the evidence exports made from this database. An export can be edited and every
    // hash in it recomputed; the SHA-256 of its manifest recorded here, at export time, is
    // what `evidence verify` checks it against.
    r#"
    CREATE TABLE evidence_export (
        id              INTEGER PRIMARY KEY,
        manifest_sha256 TEXT NOT NULL,   -- lowercase hex
        chain_head      TEXT NOT NULL,
        messages        INTEGER NOT NULL,
        dir             TEXT NOT NULL,   -- the folder written, absolute
        created_at      INTEGER NOT NULL -- ms since epoch
    );
    CREATE INDEX evidence_export_sha ON evidence_export(manifest_sha256);
    CREATE INDEX evidence_export_dir ON evidence_export(dir);
    "#,
    // 8: source files are keyed by the raw bytes of their path. The text path (invalid
    // UTF-8 shown as U+FFFD) made two names that differ only in such bytes one source, so
    // the second file was "unchanged" and its messages were never read. `path` stays, for
    // showing, without its UNIQUE; SQLite cannot drop a constraint, so the table is rebuilt
    // (`migrate` turns foreign keys off around this, as SQLite's procedure asks). Rows from
    // before keep their text's bytes as key, which is exact for every UTF-8 name.
    r#"
    CREATE TABLE source_file_new (
        id          INTEGER PRIMARY KEY,
        path        TEXT NOT NULL,       -- for showing; invalid UTF-8 as U+FFFD
        path_bytes  BLOB NOT NULL UNIQUE, -- the key: the path's bytes as the system has them
        format      TEXT,
        size        INTEGER,
        mtime_ns    INTEGER,
        hash        BLOB,
        last_scan   INTEGER,
        last_result TEXT NOT NULL DEFAULT 'new',
        last_error  TEXT,
        messages    INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO source_file_new(id, path, path_bytes, format, size, mtime_ns, hash, last_scan,
                                last_result, last_error, messages)
        SELECT id, path, CAST(path AS BLOB), format, size, mtime_ns, hash, last_scan,
               last_result, last_error, messages FROM source_file;
    DROP TABLE source_file;
    ALTER TABLE source_file_new RENAME TO source_file;
    "#,
    // 9: import problems, one row per file (or folder) and cause, so that the person is told
    // once, across restarts too, and `doctor` (and the review page) can list them by name.
    // Keyed by the path's bytes like source_file; a row goes when the file reads cleanly.
    r#"
    CREATE TABLE import_problem (
        path_bytes  BLOB NOT NULL,
        path        TEXT NOT NULL,       -- for showing
        cause       TEXT NOT NULL,       -- truncated | encoding | syntax | limit | unsupported
                                         -- | io | records | skipped | folder
        detail      TEXT NOT NULL,       -- the latest full text, naming the place
        first_seen  INTEGER NOT NULL,    -- ms since epoch
        last_seen   INTEGER NOT NULL,
        told_at     INTEGER,             -- when a desktop notice (or `scan`) said it
        PRIMARY KEY (path_bytes, cause)
    ) WITHOUT ROWID;
    "#,
    // 10: which messages have a wall-clock time without a zone (store::twins), so that the
    // same message from a zoned export matches them a whole zone offset away. Rows from
    // before are marked by their file's format: CSV and vMessage exports carry local times.
    r#"
    ALTER TABLE message ADD COLUMN zoneless INTEGER NOT NULL DEFAULT 0;
    UPDATE message SET zoneless = 1
        WHERE source_id IN (SELECT id FROM source_file WHERE format IN ('csv', 'vmsg'));
    CREATE INDEX message_zoneless ON message(sender_norm, ts) WHERE zoneless = 1;
    "#,
    // 11: the review page's lists and counts read from indexes on a big history (1 M
    // messages: benches/ui.sh). Every list is newest first (`ORDER BY ts DESC, id DESC`),
    // so each index ends in `ts, id` for its page to be read in order and stop after 50
    // rows, and carries the category in force (`coalesce(user_category, category)`, kept up
    // by SQLite when a correction changes it) so that counts and skipped pages never read
    // the messages themselves.
    // - message_debt: the default inbox, the debt-related messages.
    // - message_in_force: one category (the person's correction winning).
    // - message_lender: by lender, replaced to carry the category.
    // - message_from: a sender's messages of every category (the message page lists the
    //   sender's others); it replaces the debt-only message_sender, which could not answer
    //   that and forced a scan of every message.
    r#"
    CREATE INDEX message_debt ON message(ts, id, coalesce(user_category, category))
        WHERE coalesce(user_category, category) != 'other';
    CREATE INDEX message_in_force ON message(coalesce(user_category, category), ts, id);
    DROP INDEX message_lender;
    CREATE INDEX message_lender ON message(lender, ts, id, coalesce(user_category, category))
        WHERE lender IS NOT NULL;
    DROP INDEX message_sender;
    CREATE INDEX message_from ON message(sender_norm, ts, id);
    "#,
];

/// Brings the database to the newest schema. Refuses a database written by a newer dunwatch.
///
/// A database already current is only read: `history` while the daemon imports must not
/// need the write lock. Otherwise the write lock is taken first (`BEGIN IMMEDIATE`, waiting
/// out the busy timeout) and the version read again under it, so two processes opening a
/// new database one after the other both succeed: the second finds the work done.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > known {
        return Err(StoreError::TooNew { version, known });
    }
    if version == known {
        return Ok(());
    }
    // A migration that rebuilds a table drops the old one, which with foreign keys on would
    // delete (or refuse for) every row that refers to it. The switch only works outside a
    // transaction; the keys are checked before the commit instead.
    let foreign_keys: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = apply(conn, known);
    conn.pragma_update(None, "foreign_keys", foreign_keys)?;
    result
}

fn apply(conn: &mut Connection, known: i64) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > known {
        return Err(StoreError::TooNew { version, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql).map_err(|e| StoreError::Migration {
            number: i + 1,
            source: e,
        })?;
    }
    let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if broken > 0 {
        return Err(StoreError::Migration {
            number: known as usize,
            source: rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                Some(format!("{broken} row(s) would refer to nothing")),
            ),
        });
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_8_keys_sources_by_path_bytes_and_keeps_their_messages() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        for sql in &MIGRATIONS[..6] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 6).unwrap();
        conn.execute_batch(
            "INSERT INTO source_file(id, path, last_result) VALUES (5, '/b/sms.xml', 'ok');
             INSERT INTO message(key, sender, sender_norm, direction, body, source_id,
                position, imported_at, category, score, reasons)
             VALUES (x'01', '1', '1', 'in', 'hi', 5, '{}', 0, 'other', 0, '[]');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let (id, bytes): (i64, Vec<u8>) = conn
            .query_row(
                "SELECT s.id, s.path_bytes FROM message m JOIN source_file s ON s.id = m.source_id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((id, bytes.as_slice()), (5, &b"/b/sms.xml"[..]));
        let on: bool = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert!(on, "foreign keys are on again after the migration");
        // Two names that show alike are two rows now.
        conn.execute_batch(
            "INSERT INTO source_file(path, path_bytes) VALUES ('/b/\u{fffd}', x'2f622fff');
             INSERT INTO source_file(path, path_bytes) VALUES ('/b/\u{fffd}', x'2f622ffe');",
        )
        .unwrap();
    }
}
