//! Import problems (migration 9): which files could not be read fully, why, since when, and
//! whether the person was told. One row per file and cause, so a problem is told once,
//! across restarts too, and `doctor` lists the files by name.

use std::path::Path;

use rusqlite::params;

use super::{Store, StoreError, now_ms, path_bytes};

/// One file (or folder) and one cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// For showing (invalid UTF-8 as U+FFFD).
    pub path: String,
    /// The cause's id (`truncated`, `records`, …): see `import::ProblemCause`.
    pub cause: String,
    /// The latest full text, naming the place in the file.
    pub detail: String,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    pub told: bool,
}

impl Store {
    /// Records that `path` has this problem now. True when it is new (not recorded before
    /// for this file and cause, whatever the detail): only then is it worth a warning.
    /// `told` marks it as already said to the person (`scan` prints it on the terminal).
    pub fn note_problem(
        &self,
        path: &Path,
        cause: &str,
        detail: &str,
        told: bool,
    ) -> Result<bool, StoreError> {
        self.ensure_same_file()?;
        let now = now_ms();
        let told_at = told.then_some(now);
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO import_problem(path_bytes, path, cause, detail, first_seen, last_seen,
                                            told_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
                 ON CONFLICT(path_bytes, cause) DO NOTHING",
            )?
            .execute(params![
                path_bytes(path),
                path.to_string_lossy(),
                cause,
                detail,
                now,
                told_at
            ])?;
        if inserted == 0 {
            self.conn
                .prepare_cached(
                    "UPDATE import_problem SET detail = ?3, last_seen = ?4,
                        told_at = COALESCE(told_at, ?5)
                     WHERE path_bytes = ?1 AND cause = ?2",
                )?
                .execute(params![path_bytes(path), cause, detail, now, told_at])?;
        }
        Ok(inserted > 0)
    }

    /// The file at `path` was read without a problem: forget its problems, so that a new
    /// one is told again. True when there were some.
    pub fn clear_problems(&self, path: &Path) -> Result<bool, StoreError> {
        self.ensure_same_file()?;
        let n = self
            .conn
            .prepare_cached("DELETE FROM import_problem WHERE path_bytes = ?1")?
            .execute([path_bytes(path)])?;
        Ok(n > 0)
    }

    /// Every recorded problem, the newest first.
    pub fn import_problems(&self) -> Result<Vec<ImportProblem>, StoreError> {
        self.problems_where("1")
    }

    /// The problems the person has not been told of yet, the oldest first.
    pub fn untold_problems(&self) -> Result<Vec<ImportProblem>, StoreError> {
        let mut all = self.problems_where("told_at IS NULL")?;
        all.reverse();
        Ok(all)
    }

    /// Marks every problem not told yet as told now (a notice listing them was shown).
    pub fn mark_problems_told(&self) -> Result<(), StoreError> {
        self.ensure_same_file()?;
        self.conn
            .prepare_cached("UPDATE import_problem SET told_at = ?1 WHERE told_at IS NULL")?
            .execute([now_ms()])?;
        Ok(())
    }

    fn problems_where(&self, condition: &str) -> Result<Vec<ImportProblem>, StoreError> {
        let sql = format!(
            "SELECT path, cause, detail, first_seen, last_seen, told_at IS NOT NULL
             FROM import_problem WHERE {condition} ORDER BY last_seen DESC, path"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(ImportProblem {
                path: r.get(0)?,
                cause: r.get(1)?,
                detail: r.get(2)?,
                first_seen_ms: r.get(3)?,
                last_seen_ms: r.get(4)?,
                told: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_problem_is_new_once_per_file_and_cause_until_the_file_reads_cleanly() {
        let (_dir, store) = store();
        let file = Path::new("/backups/sms.xml");
        assert!(
            store
                .note_problem(file, "truncated", "at byte 10", false)
                .unwrap()
        );
        assert!(
            !store
                .note_problem(file, "truncated", "at byte 99", false)
                .unwrap()
        );
        assert!(
            store
                .note_problem(file, "records", "message 3", false)
                .unwrap()
        );
        let all = store.import_problems().unwrap();
        assert_eq!(all.len(), 2);
        let truncated = all.iter().find(|p| p.cause == "truncated").unwrap();
        assert_eq!(truncated.detail, "at byte 99", "the latest detail is kept");
        assert!(store.clear_problems(file).unwrap());
        assert!(store.import_problems().unwrap().is_empty());
        assert!(
            store
                .note_problem(file, "truncated", "again", false)
                .unwrap()
        );
    }

    #[test]
    fn problems_are_untold_until_marked_and_scan_marks_its_own_as_told() {
        let (_dir, store) = store();
        store
            .note_problem(Path::new("/b/a.xml"), "syntax", "x", false)
            .unwrap();
        store
            .note_problem(Path::new("/b/b.csv"), "io", "y", true)
            .unwrap();
        let untold = store.untold_problems().unwrap();
        assert_eq!(untold.len(), 1);
        assert_eq!(untold[0].path, "/b/a.xml");
        store.mark_problems_told().unwrap();
        assert!(store.untold_problems().unwrap().is_empty());
        // Seen again later: still told.
        store
            .note_problem(Path::new("/b/a.xml"), "syntax", "x", false)
            .unwrap();
        assert!(store.untold_problems().unwrap().is_empty());
    }
}
