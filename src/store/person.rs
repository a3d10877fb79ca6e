//! What the store knows of the person, for the engine ([`Person`]): their lists, the lenders
//! they said they have (or have not) an account with, the messages that show an account,
//! and the debt-related history the history signals look at.

use rusqlite::{OptionalExtension, params};

use super::{MessageKey, Store, StoreError, now_ms};
use crate::classify::learned::Model;
use crate::classify::person::{AccountProof, Accounts, History, Person, Seen};
use crate::classify::tuning::LearnedWeights;
use crate::model::Category;

/// What the person said about a lender (`dunwatch lenders add|remove`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Declared {
    Have,
    None,
}

impl Declared {
    fn as_str(self) -> &'static str {
        match self {
            Declared::Have => "have",
            Declared::None => "none",
        }
    }
}

/// A message that shows the person has an account with a lender.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountEvidence {
    pub lender: String,
    pub message_id: i64,
    pub ts_ms: Option<i64>,
    pub body: String,
}

impl Store {
    /// Records what the person said about `lender_id`; returns what they had said before.
    pub fn declare_account(
        &self,
        lender_id: &str,
        state: Declared,
    ) -> Result<Option<Declared>, StoreError> {
        let before = self.declared(lender_id)?;
        self.conn.execute(
            "INSERT INTO lender_account(lender_id, state, changed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(lender_id) DO UPDATE SET state = ?2, changed_at = ?3",
            params![lender_id, state.as_str(), now_ms()],
        )?;
        Ok(before)
    }

    fn declared(&self, lender_id: &str) -> Result<Option<Declared>, StoreError> {
        let state: Option<String> = self
            .conn
            .query_row(
                "SELECT state FROM lender_account WHERE lender_id = ?1",
                [lender_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(state.map(|s| {
            if s == "have" {
                Declared::Have
            } else {
                Declared::None
            }
        }))
    }

    /// Every declaration: (lender id, what was said, when, ms since epoch).
    pub fn declared_accounts(&self) -> Result<Vec<(String, Declared, i64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT lender_id, state, changed_at FROM lender_account ORDER BY lender_id",
        )?;
        let rows = stmt.query_map([], |r| {
            let state: String = r.get(1)?;
            Ok((
                r.get(0)?,
                if state == "have" {
                    Declared::Have
                } else {
                    Declared::None
                },
                r.get(2)?,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The first message of each lender that shows an account: a reminder (the person's
    /// category, else the engine's) that `shows(sender, body, lender)` accepts
    /// ([`crate::classify::Engine::shows_account`]).
    pub fn account_evidence(
        &self,
        shows: &dyn Fn(&str, &str, &str) -> bool,
    ) -> Result<Vec<AccountEvidence>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, lender, ts, body, sender FROM message
             WHERE lender IS NOT NULL AND direction = 'in'
               AND coalesce(user_category, category) = 'reminder'
             ORDER BY lender, ts IS NULL, ts, id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out: Vec<AccountEvidence> = Vec::new();
        while let Some(r) = rows.next()? {
            let lender: String = r.get(1)?;
            if out.last().is_some_and(|e| e.lender == lender) {
                continue;
            }
            let body: String = r.get(3)?;
            let sender: String = r.get(4)?;
            if shows(&sender, &body, &lender) {
                out.push(AccountEvidence {
                    lender,
                    message_id: r.get(0)?,
                    ts_ms: r.get(2)?,
                    body,
                });
            }
        }
        Ok(out)
    }

    /// The person as the store knows them, with days counted in `zone`.
    pub fn person(
        &self,
        zone: jiff::tz::TimeZone,
        shows: &dyn Fn(&str, &str, &str) -> bool,
        learned: &LearnedWeights,
    ) -> Result<Person, StoreError> {
        let mut accounts = Accounts::default();
        for (id, state, _) in self.declared_accounts()? {
            match state {
                Declared::Have => {
                    accounts.have.insert(id, AccountProof::Declared);
                }
                Declared::None => {
                    accounts.none.insert(id);
                }
            }
        }
        for e in self.account_evidence(shows)? {
            accounts.seen(&e.lender, Some(e.message_id), e.ts_ms);
        }
        let mut history = History::new(zone);
        // The debt-related messages, and those the person marked as debt-related that the
        // engine had not, oldest first.
        let mut stmt = self.conn.prepare(
            "SELECT key, sender_norm, ts, body, coalesce(user_category, category), lender, id
             FROM message WHERE direction = 'in' AND category != 'other'
             UNION ALL
             SELECT key, sender_norm, ts, body, user_category, lender, id
             FROM message WHERE direction = 'in' AND category = 'other'
               AND user_category IS NOT NULL AND user_category != 'other'
             ORDER BY 3, 7",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let key: Vec<u8> = r.get(0)?;
            let Ok(key) = MessageKey::try_from(key.as_slice()) else {
                continue;
            };
            let sender: String = r.get(1)?;
            let body: String = r.get(3)?;
            let category: Category = r.get::<_, String>(4)?.parse().unwrap_or(Category::Other);
            let lender: Option<String> = r.get(5)?;
            history.add(&Seen {
                key,
                sender_norm: &sender,
                ts_ms: r.get(2)?,
                body: &body,
                category,
                lender: lender.as_deref(),
            });
        }
        Ok(Person {
            lists: self.sender_lists()?,
            accounts: Some(accounts),
            history,
            learned: self.learned_model_or_recount(learned)?,
        })
    }
}

impl Store {
    /// The learned model; corrections made before the counts existed (an older dunwatch)
    /// are counted first. A database that cannot be written to is judged without them.
    fn learned_model_or_recount(&self, w: &LearnedWeights) -> Result<Option<Model>, StoreError> {
        let counted: i64 =
            self.conn
                .query_row("SELECT count(*) FROM learned_category", [], |r| r.get(0))?;
        if counted == 0 {
            let corrections: i64 = self.conn.query_row(
                "SELECT count(*) FROM message WHERE user_category IS NOT NULL",
                [],
                |r| r.get(0),
            )?;
            if corrections > 0 && self.rebuild_learned(w).is_err() {
                return Ok(None);
            }
        }
        self.learned_model(w)
    }
}
