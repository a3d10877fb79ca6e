//! The user's trust and block lists: senders whose future messages take the user's side.
//!
//! `dunwatch trust 95384` says "this number is really my lender": the engine may not call its
//! messages scams. `dunwatch block 17088886666` says "this number is a scammer": whatever it
//! sends is kept as a scam (threats stay harassment, which is the stronger evidence). The
//! lists are applied where verdicts are made for storage (the import pipeline), so history,
//! alerts and reports all see the same category.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, normalize_sender, now_ms};
use crate::model::{Category, Reason, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Trust,
    Block,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Trust => "trust",
            Side::Block => "block",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Side {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "trust" => Ok(Side::Trust),
            "block" => Ok(Side::Block),
            other => Err(format!("unknown list {other:?} (expected trust or block)")),
        }
    }
}

/// One row of the lists.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    pub sender: String,
    pub sender_norm: String,
    pub side: Side,
    /// RFC 3339.
    pub added: String,
}

/// The lists loaded once per import, looked up per message.
#[derive(Debug, Clone, Default)]
pub struct SenderLists {
    by_norm: HashMap<String, Side>,
}

impl SenderLists {
    pub fn side(&self, sender: &str) -> Option<Side> {
        if self.by_norm.is_empty() {
            return None;
        }
        self.by_norm.get(&normalize_sender(sender)).copied()
    }

    /// Turns the engine's verdict into the one to store for a message from `sender`.
    pub fn apply(&self, sender: &str, verdict: &mut Verdict) {
        let Some(side) = self.side(sender) else {
            return;
        };
        match side {
            Side::Trust => {
                // The user knows this sender is genuine: not a scam. What it says about a
                // debt is kept as a plain notice; harassment stays (a real lender can still
                // break the collection rules).
                if verdict.category == Category::Scam {
                    verdict.category = Category::Reminder;
                }
                verdict.reasons.push(Reason {
                    rule: "user.trusted_sender".into(),
                    evidence: sender.to_string(),
                    description: "you marked this sender as trusted (dunwatch trust)".into(),
                });
            }
            Side::Block => {
                if verdict.category != Category::Harassment {
                    verdict.category = Category::Scam;
                }
                verdict.score = verdict.score.max(0.99);
                verdict.reasons.push(Reason {
                    rule: "user.blocked_sender".into(),
                    evidence: sender.to_string(),
                    description: "you blocked this sender (dunwatch block)".into(),
                });
            }
        }
    }
}

impl Store {
    /// Puts `sender` on a list (moving it from the other one if it was there); returns the
    /// list it was on before.
    pub fn set_sender_side(&self, sender: &str, side: Side) -> Result<Option<Side>, StoreError> {
        let before: Option<String> = self
            .conn
            .query_row(
                "SELECT side FROM sender_list WHERE sender_norm = ?1",
                [normalize_sender(sender)],
                |r| r.get(0),
            )
            .optional()?;
        self.conn.execute(
            "INSERT INTO sender_list(sender_norm, sender, side, added_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(sender_norm) DO UPDATE SET sender = ?2, side = ?3, added_at = ?4",
            params![
                normalize_sender(sender),
                sender.trim(),
                side.as_str(),
                now_ms()
            ],
        )?;
        Ok(before.and_then(|s| s.parse().ok()))
    }

    /// Takes `sender` off both lists; returns the list it was on.
    pub fn remove_sender(&self, sender: &str) -> Result<Option<Side>, StoreError> {
        let norm = normalize_sender(sender);
        let side: Option<String> = self
            .conn
            .query_row(
                "SELECT side FROM sender_list WHERE sender_norm = ?1",
                [&norm],
                |r| r.get(0),
            )
            .optional()?;
        self.conn
            .execute("DELETE FROM sender_list WHERE sender_norm = ?1", [&norm])?;
        Ok(side.and_then(|s| s.parse().ok()))
    }

    pub fn sender_list(&self) -> Result<Vec<Listed>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT sender, sender_norm, side, added_at FROM sender_list ORDER BY side, added_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Listed {
                sender: r.get(0)?,
                sender_norm: r.get(1)?,
                side: r.get::<_, String>(2)?.parse().unwrap_or(Side::Block),
                added: super::history::rfc3339(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn sender_lists(&self) -> Result<SenderLists, StoreError> {
        let by_norm = self
            .sender_list()?
            .into_iter()
            .map(|l| (l.sender_norm, l.side))
            .collect();
        Ok(SenderLists { by_norm })
    }

    /// How many stored messages came from `sender` (any spelling).
    pub fn count_from(&self, sender: &str) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM message WHERE sender_norm = ?1",
            [normalize_sender(sender)],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_sender_turns_a_notice_into_a_scam_in_any_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("d.db")).unwrap();
        store
            .set_sender_side("+86 170 8888 6666", Side::Block)
            .unwrap();
        let lists = store.sender_lists().unwrap();
        let mut v = Verdict {
            category: Category::Overdue,
            ..Verdict::other()
        };
        lists.apply("17088886666", &mut v);
        assert_eq!(v.category, Category::Scam);
        assert_eq!(v.reasons[0].rule, "user.blocked_sender");
        let mut h = Verdict {
            category: Category::Harassment,
            ..Verdict::other()
        };
        lists.apply("17088886666", &mut h);
        assert_eq!(h.category, Category::Harassment);
    }

    #[test]
    fn trusting_a_blocked_sender_moves_it_and_untrust_removes_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("d.db")).unwrap();
        store.set_sender_side("95384", Side::Block).unwrap();
        store.set_sender_side("95384", Side::Trust).unwrap();
        let list = store.sender_list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].side, Side::Trust);
        let mut v = Verdict {
            category: Category::Scam,
            ..Verdict::other()
        };
        store.sender_lists().unwrap().apply("95384", &mut v);
        assert_eq!(v.category, Category::Reminder);
        assert_eq!(store.remove_sender("95384").unwrap(), Some(Side::Trust));
        assert!(store.sender_list().unwrap().is_empty());
    }
}
