//! Alert bookkeeping (migration 2): one row per message that matters to the alert policy,
//! written in the import's transaction, so that a message is alerted at most once, across
//! restarts too. What the states mean is `crate::alert`'s; how they are kept is here.

use rusqlite::params;

use super::{Store, StoreError};
use crate::alert::{Item, State};
use crate::model::Category;

/// Records the first state of a message's alert inside the import's transaction; false when
/// the message already has one.
pub fn record(
    tx: &rusqlite::Transaction<'_>,
    message_id: i64,
    state: State,
    now_ms: i64,
    reason: Option<&str>,
) -> Result<bool, StoreError> {
    let added = tx
        .prepare_cached(
            "INSERT INTO alert(message_id, state, created_at, reason) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(message_id) DO NOTHING",
        )?
        .execute(params![message_id, state.as_str(), now_ms, reason])?;
    Ok(added == 1)
}

impl Store {
    /// The pending and held alerts, oldest message first.
    pub fn due_alerts(&self) -> Result<Vec<Item>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.message_id, a.state, m.sender, m.body, m.ts,
                    coalesce(m.user_category, m.category), m.lender, m.headline, m.advice
             FROM alert a JOIN message m ON m.id = a.message_id
             WHERE a.state IN ('pending', 'held')
             ORDER BY m.ts, a.message_id",
        )?;
        let rows = stmt.query_map([], |r| {
            let category: String = r.get(5)?;
            Ok(Item {
                message_id: r.get(0)?,
                held: r.get::<_, String>(1)? == "held",
                sender: r.get(2)?,
                body: r.get(3)?,
                ts_ms: r.get(4)?,
                category: category.parse().unwrap_or(Category::Other),
                lender: r.get(6)?,
                headline: r.get(7)?,
                advice: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Moves alerts to `held` or `sent` in one transaction.
    pub fn set_alert_state(&mut self, ids: &[i64], state: State) -> Result<(), StoreError> {
        self.ensure_same_file()?;
        let sql = match state {
            State::Sent => "UPDATE alert SET state = 'sent', sent_at = ?2 WHERE message_id = ?1",
            State::Held => {
                "UPDATE alert SET state = 'held', held_at = ?2 WHERE message_id = ?1 AND state = 'pending'"
            }
            // Pending and suppressed are only ever first states (`record`).
            State::Pending | State::Suppressed => return Ok(()),
        };
        let now = super::now_ms();
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(sql)?;
            for id in ids {
                stmt.execute(params![id, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Gives claimed alerts back after a notification could not be shown: each returns to
    /// the state it had (held for the quiet-hours digest, otherwise pending).
    ///
    /// The daemon marks alerts sent *before* it shows them and calls this when showing
    /// fails. Killed between the two, an alert is lost rather than shown twice: every alert
    /// is shown at most once.
    pub fn unclaim_alerts(&mut self, ids: &[i64]) -> Result<(), StoreError> {
        self.ensure_same_file()?;
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE alert SET state = CASE WHEN held_at IS NULL THEN 'pending' ELSE 'held' END,
                    sent_at = NULL
                 WHERE message_id = ?1 AND state = 'sent'",
            )?;
            for id in ids {
                stmt.execute([id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
