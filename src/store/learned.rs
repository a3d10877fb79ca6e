//! The counts behind `classify::learned`: for each category, how many of the person's
//! corrections (`dunwatch mark`) were counted and in how many of them each token appears.
//!
//! The counts are never updated in place: every change of a correction recounts them all
//! from the corrections ([`Store::rebuild_learned`]), so they are always what the
//! corrections say, the same counts for the same corrections whatever order they were made
//! in. `learn forget` ([`Store::forget_learned`]) clears them and dates the forgetting: the
//! corrections made before it stay (history and reports keep them) but are not learned from.

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::{Store, StoreError, now_ms};
use crate::classify::learned::{self, CategoryCounts, Model};
use crate::classify::normalize::normalize;
use crate::classify::tuning::LearnedWeights;
use crate::model::Category;

/// One category's counts, as `learned_category` holds them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LearnedCategory {
    pub category: Category,
    /// Corrected messages counted.
    pub messages: u32,
    /// Their tokens, each once per message, added up over the messages.
    pub tokens: u64,
    /// When it became active (ms since the epoch); `None` while it is not.
    pub active_since: Option<i64>,
}

/// What is learned: the counted categories (in [`Category::ALL`] order, only those with a
/// counted correction) and when the person last made dunwatch forget.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct LearnedSummary {
    pub categories: Vec<LearnedCategory>,
    /// ms since the epoch.
    pub forgotten_at: Option<i64>,
}

impl LearnedSummary {
    /// The counts of `category` (zero when it has none).
    pub fn get(&self, category: Category) -> LearnedCategory {
        self.categories
            .iter()
            .find(|c| c.category == category)
            .cloned()
            .unwrap_or(LearnedCategory {
                category,
                messages: 0,
                tokens: 0,
                active_since: None,
            })
    }

    /// Corrections counted, all categories.
    pub fn messages(&self) -> u64 {
        self.categories.iter().map(|c| u64::from(c.messages)).sum()
    }
}

/// The corrections learned from: received messages the person corrected after the last
/// `learn forget` (`?1`, NULL when never), oldest id first.
const CORRECTIONS: &str = "FROM message
     WHERE user_category IS NOT NULL AND direction = 'in'
       AND (?1 IS NULL OR marked_at > ?1)";

impl Store {
    /// Recounts the learned tokens from every correction made since the last forgetting, in
    /// one transaction. A category that was already active keeps the time it became so; one
    /// that becomes active now (`w.min_messages` of its own and of the others) is dated now;
    /// one that no longer is loses its date.
    pub fn rebuild_learned(&self, w: &LearnedWeights) -> Result<LearnedSummary, StoreError> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let forgotten_at = forgotten_at(&tx)?;
        let before = categories(&tx)?;
        let mut counts: Vec<CategoryCounts> =
            Category::ALL.into_iter().map(CategoryCounts::new).collect();
        {
            let mut stmt = tx.prepare(&format!(
                "SELECT user_category, body {CORRECTIONS} ORDER BY id"
            ))?;
            let mut rows = stmt.query([forgotten_at])?;
            while let Some(row) = rows.next()? {
                let category: String = row.get(0)?;
                let Ok(category) = category.parse::<Category>() else {
                    continue;
                };
                let body: String = row.get(1)?;
                let tokens = learned::tokens(&normalize(&body).text);
                counts
                    .iter_mut()
                    .find(|c| c.category == category)
                    .expect("every category is counted")
                    .add(&tokens);
            }
        }
        tx.execute("DELETE FROM learned_token", [])?;
        tx.execute("DELETE FROM learned_category", [])?;
        let total: u32 = counts.iter().map(|c| c.messages).sum();
        let now = now_ms();
        let mut summary = LearnedSummary {
            categories: Vec::new(),
            forgotten_at,
        };
        {
            let mut token = tx
                .prepare("INSERT INTO learned_token(category, token, count) VALUES (?1, ?2, ?3)")?;
            let mut category = tx.prepare(
                "INSERT INTO learned_category(category, messages, tokens, active_since)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for c in counts.iter().filter(|c| c.messages > 0) {
                let name = c.category.as_str();
                for (t, n) in &c.token_counts {
                    token.execute(params![name, t, n])?;
                }
                let active_since =
                    learned::is_active(c.messages, total, w.min_messages).then(|| {
                        before
                            .iter()
                            .find(|b| b.category == c.category)
                            .and_then(|b| b.active_since)
                            .unwrap_or(now)
                    });
                let row = LearnedCategory {
                    category: c.category,
                    messages: c.messages,
                    tokens: c.token_total(),
                    active_since,
                };
                category.execute(params![
                    name,
                    row.messages,
                    row.tokens as i64,
                    row.active_since
                ])?;
                summary.categories.push(row);
            }
        }
        tx.commit()?;
        Ok(summary)
    }

    /// The counts as stored, one per counted category in [`Category::ALL`] order.
    pub fn learned_counts(&self) -> Result<Vec<CategoryCounts>, StoreError> {
        let mut out: Vec<CategoryCounts> = categories(&self.conn)?
            .into_iter()
            .map(|c| CategoryCounts {
                messages: c.messages,
                ..CategoryCounts::new(c.category)
            })
            .collect();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT category, token, count FROM learned_token")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let category: String = row.get(0)?;
            if let Some(c) = out.iter_mut().find(|c| c.category.as_str() == category) {
                c.token_counts.insert(row.get(1)?, row.get(2)?);
            }
        }
        Ok(out)
    }

    /// The model of the stored counts; `None` when no category is active (then only the
    /// small `learned_category` table is read).
    pub fn learned_model(&self, w: &LearnedWeights) -> Result<Option<Model>, StoreError> {
        let cats = categories(&self.conn)?;
        let total: u32 = cats.iter().map(|c| c.messages).sum();
        if !cats
            .iter()
            .any(|c| learned::is_active(c.messages, total, w.min_messages))
        {
            return Ok(None);
        }
        Ok(Some(Model::new(self.learned_counts()?, w)))
    }

    /// Forgets what was learned: clears the counts and dates the forgetting, so the
    /// corrections made until now are no longer learned from (they stay corrections).
    /// Returns how many corrections were being learned from.
    pub fn forget_learned(&self) -> Result<u64, StoreError> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let before = forgotten_at(&tx)?;
        let n: i64 = tx.query_row(&format!("SELECT count(*) {CORRECTIONS}"), [before], |r| {
            r.get(0)
        })?;
        tx.execute("DELETE FROM learned_token", [])?;
        tx.execute("DELETE FROM learned_category", [])?;
        tx.execute(
            "INSERT INTO learned_state(id, forgotten_at) VALUES (1, ?1)
             ON CONFLICT(id) DO UPDATE SET forgotten_at = excluded.forgotten_at",
            [now_ms()],
        )?;
        tx.commit()?;
        Ok(n as u64)
    }

    /// The stored counts per category and the time of the last forgetting.
    pub fn learned_summary(&self) -> Result<LearnedSummary, StoreError> {
        Ok(LearnedSummary {
            categories: categories(&self.conn)?,
            forgotten_at: forgotten_at(&self.conn)?,
        })
    }
}

fn forgotten_at(conn: &rusqlite::Connection) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT forgotten_at FROM learned_state WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// The `learned_category` rows in [`Category::ALL`] order.
fn categories(conn: &rusqlite::Connection) -> Result<Vec<LearnedCategory>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT category, messages, tokens, active_since FROM learned_category")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let name: String = row.get(0)?;
        let Ok(category) = name.parse::<Category>() else {
            continue;
        };
        let tokens: i64 = row.get(2)?;
        out.push(LearnedCategory {
            category,
            messages: row.get(1)?,
            tokens: tokens.max(0) as u64,
            active_since: row.get(3)?,
        });
    }
    out.sort_by_key(|c| c.category);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, Message, Position, Verdict};
    use crate::store::{NewMessage, message_key, normalize_sender};

    fn weights(min: u32) -> LearnedWeights {
        LearnedWeights {
            min_messages: min,
            min_probability: 0.9,
            weight: 2.5,
        }
    }

    /// A store with `bodies` received (and one sent), ids 1.. in order.
    fn store_with(dir: &tempfile::TempDir, bodies: &[String]) -> Store {
        let mut store = Store::open(&dir.path().join("d.db")).unwrap();
        let src = store.source_id("/x.xml").unwrap();
        let batch = store.batch().unwrap();
        let sent = Message {
            zoneless: None,
            sender: "+8613800138000".into(),
            body: "我发出去的：账户冻结请转账".into(),
            ts_ms: Some(1),
            direction: Direction::Out,
            contact: None,
            position: Position::default(),
        };
        for (i, b) in bodies.iter().enumerate() {
            let m = Message {
                zoneless: None,
                sender: format!("+86138{i:08}"),
                body: b.clone(),
                ts_ms: Some(1_700_000_000_000 + i as i64),
                direction: Direction::In,
                contact: None,
                position: Position::default(),
            };
            let norm = normalize_sender(&m.sender);
            let new = NewMessage {
                key: message_key(&m.sender, m.direction, m.ts_ms, &m.body),
                sender_norm: &norm,
                message: &m,
                verdict: &Verdict::other(),
            };
            batch.insert(src, &new).unwrap();
        }
        let norm = normalize_sender(&sent.sender);
        let new = NewMessage {
            key: message_key(&sent.sender, sent.direction, sent.ts_ms, &sent.body),
            sender_norm: &norm,
            message: &sent,
            verdict: &Verdict::other(),
        };
        batch.insert(src, &new).unwrap();
        batch.commit().unwrap();
        store
    }

    fn bodies(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                if i % 2 == 0 {
                    format!("您的账户已冻结，请加客服微信解冻 第{i}号")
                } else {
                    format!("晚上回家吃饭吗 第{i}号")
                }
            })
            .collect()
    }

    /// Marks ids `ids` as `c` through [`Store::mark`].
    fn mark(store: &Store, ids: impl IntoIterator<Item = i64>, c: Category, w: &LearnedWeights) {
        for id in ids {
            assert!(store.mark(id, Some(c), "", "", w).unwrap());
        }
    }

    fn token_rows(store: &Store) -> Vec<(String, String, i64)> {
        let mut stmt = store
            .conn()
            .prepare("SELECT category, token, count FROM learned_token ORDER BY 1, 2")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn marks_recount_the_tokens_of_received_corrections() {
        let dir = tempfile::tempdir().unwrap();
        let w = weights(3);
        let store = store_with(&dir, &bodies(10));
        assert_eq!(store.learned_summary().unwrap(), LearnedSummary::default());
        mark(&store, [1, 3], Category::Scam, &w);
        mark(&store, [2], Category::Other, &w);
        // The sent message (id 11) is marked but not learned from.
        mark(&store, [11], Category::Scam, &w);
        let s = store.learned_summary().unwrap();
        assert_eq!(s.get(Category::Scam).messages, 2);
        assert_eq!(s.get(Category::Other).messages, 1);
        assert_eq!(s.get(Category::Harassment).messages, 0);
        assert_eq!(s.messages(), 3);
        let expected = learned::tokens(&normalize(&bodies(1)[0]).text);
        let rows = token_rows(&store);
        for t in &expected {
            assert!(rows.contains(&("scam".into(), t.clone(), 2)), "{t}");
        }
        let scam_tokens = rows.iter().filter(|r| r.0 == "scam").count();
        assert_eq!(scam_tokens, expected.len());
        assert_eq!(s.get(Category::Scam).tokens, 2 * expected.len() as u64);
        // Clearing a mark takes it out of the counts.
        assert!(store.mark(3, None, "", "", &w).unwrap());
        assert_eq!(
            store
                .learned_summary()
                .unwrap()
                .get(Category::Scam)
                .messages,
            1
        );
        // Marking it as another category moves it.
        mark(&store, [1], Category::Other, &w);
        let s = store.learned_summary().unwrap();
        assert_eq!(s.get(Category::Scam).messages, 0);
        assert_eq!(s.get(Category::Other).messages, 2);
        assert!(token_rows(&store).iter().all(|r| r.0 == "other"));
    }

    #[test]
    fn active_since_is_set_on_reaching_the_minimum_and_kept_after() {
        let dir = tempfile::tempdir().unwrap();
        let w = weights(3);
        let store = store_with(&dir, &bodies(12));
        mark(&store, [1, 3, 5], Category::Scam, &w);
        mark(&store, [2, 4], Category::Other, &w);
        let s = store.learned_summary().unwrap();
        // Three scams but only two others to tell them from.
        assert_eq!(s.get(Category::Scam).active_since, None);
        assert!(store.learned_model(&w).unwrap().is_none());
        let t0 = now_ms();
        mark(&store, [6], Category::Other, &w);
        let s = store.learned_summary().unwrap();
        let since = s.get(Category::Scam).active_since.unwrap();
        assert!(since >= t0 && since <= now_ms());
        assert!(s.get(Category::Other).active_since.is_some());
        // An earlier date survives later rebuilds.
        store
            .conn()
            .execute(
                "UPDATE learned_category SET active_since = 42 WHERE category = 'scam'",
                [],
            )
            .unwrap();
        mark(&store, [7], Category::Scam, &w);
        let s = store.rebuild_learned(&w).unwrap();
        assert_eq!(s.get(Category::Scam).active_since, Some(42));
        assert_eq!(s, store.learned_summary().unwrap());
        let model = store.learned_model(&w).unwrap().unwrap();
        assert_eq!(model.active(), [Category::Scam, Category::Other]);
        // Below the minimum again: no longer active, no date.
        for id in [2, 4] {
            store.mark(id, None, "", "", &w).unwrap();
        }
        let s = store.learned_summary().unwrap();
        assert_eq!(s.get(Category::Scam).active_since, None);
        assert!(store.learned_model(&w).unwrap().is_none());
        // A higher minimum in the tuning: the stored counts are not active for it.
        mark(&store, [2, 4], Category::Other, &w);
        assert!(store.learned_model(&w).unwrap().is_some());
        assert!(store.learned_model(&weights(20)).unwrap().is_none());
    }

    #[test]
    fn forgetting_clears_and_older_corrections_are_not_learned_again() {
        let dir = tempfile::tempdir().unwrap();
        let w = weights(2);
        let store = store_with(&dir, &bodies(10));
        mark(&store, [1, 3], Category::Scam, &w);
        mark(&store, [2, 4], Category::Other, &w);
        assert_eq!(store.forget_learned().unwrap(), 4);
        let s = store.learned_summary().unwrap();
        assert!(s.categories.is_empty());
        let at = s.forgotten_at.unwrap();
        assert!(token_rows(&store).is_empty());
        // The corrections stay.
        assert_eq!(
            store.entry(1).unwrap().unwrap().category,
            Category::Scam,
            "the correction itself stays"
        );
        // A rebuild does not bring them back; a new correction counts.
        assert!(store.rebuild_learned(&w).unwrap().categories.is_empty());
        std::thread::sleep(std::time::Duration::from_millis(3));
        mark(&store, [5], Category::Scam, &w);
        let s = store.learned_summary().unwrap();
        assert_eq!(s.messages(), 1);
        assert_eq!(s.forgotten_at, Some(at));
        assert_eq!(store.forget_learned().unwrap(), 1);
    }

    #[test]
    fn same_corrections_in_any_order_give_the_same_counts() {
        let w = weights(2);
        let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (a, b) = (store_with(&d1, &bodies(8)), store_with(&d2, &bodies(8)));
        mark(&a, [1, 3, 5], Category::Scam, &w);
        mark(&a, [2, 4, 6], Category::Other, &w);
        mark(&b, [6, 4], Category::Other, &w);
        mark(&b, [5, 1], Category::Scam, &w);
        mark(&b, [2], Category::Other, &w);
        mark(&b, [3], Category::Scam, &w);
        assert_eq!(token_rows(&a), token_rows(&b));
        assert_eq!(a.learned_counts().unwrap(), b.learned_counts().unwrap());
        let strip = |s: LearnedSummary| {
            s.categories
                .into_iter()
                .map(|c| (c.category, c.messages, c.tokens, c.active_since.is_some()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            strip(a.learned_summary().unwrap()),
            strip(b.learned_summary().unwrap())
        );
        let text = normalize("您的账户已冻结，请加客服").text;
        let ja = a.learned_model(&w).unwrap().unwrap().judge(&text).unwrap();
        let jb = b.learned_model(&w).unwrap().unwrap().judge(&text).unwrap();
        assert_eq!(ja.category, Category::Scam);
        assert_eq!(ja.probability.to_bits(), jb.probability.to_bits());
        assert_eq!(ja.words, jb.words);
    }
}
