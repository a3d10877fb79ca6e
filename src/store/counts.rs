//! Counts for `doctor` and the review page: messages per category and per lender, and how
//! many source files were read fully.

use super::{Store, StoreError};

impl Store {
    /// Messages per category (the person's correction winning), the largest first.
    pub fn category_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT COALESCE(user_category, category) AS c, COUNT(*) FROM message
             GROUP BY c ORDER BY COUNT(*) DESC",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Debt-related messages per lender named in them, the most first.
    pub fn lender_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT lender, COUNT(*) FROM message
             WHERE lender IS NOT NULL AND coalesce(user_category, category) != 'other'
             GROUP BY lender ORDER BY COUNT(*) DESC, lender",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// How many source files are known, and how many were not fully read at their last scan.
    pub fn source_counts(&self) -> Result<(i64, i64), StoreError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(last_result IN ('partial', 'failed')), 0)
             FROM source_file",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }
}
