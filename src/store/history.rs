//! Reading the history back: the filters of `history`, shared by reports and evidence.

use rusqlite::types::Value;

use super::{Store, direction_from_sql};
use crate::classify::tuning::LearnedWeights;
use crate::model::{Category, Direction, Reason};

/// Which messages to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these categories (the user's correction counts); empty = all.
    pub categories: Vec<Category>,
    pub lender: Option<String>,
    /// A sender in any spelling (normalised before matching).
    pub sender: Option<String>,
    /// Only messages at or after this time (ms).
    pub since_ms: Option<i64>,
    /// Only messages before this time (ms).
    pub until_ms: Option<i64>,
    /// Substring of the body (any language) or of the sender.
    pub search: Option<String>,
    /// 0 = no limit.
    pub limit: usize,
    /// Skip this many of the newest matches first (paging).
    pub offset: usize,
    /// Only the message with this id (for `show`).
    pub id: Option<i64>,
    /// Only messages without a time; `since_ms`/`until_ms` then bound when they were
    /// imported (the only time they have).
    pub undated: bool,
}

/// A number of matching messages: exactly `n`, or more than `n` when counting stopped there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub n: u64,
    pub more: bool,
}

/// One stored message with its verdict, as `history --json` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    /// RFC 3339; null when the export had no time.
    pub ts: Option<String>,
    #[serde(skip)]
    pub ts_ms: Option<i64>,
    pub sender: String,
    pub contact: Option<String>,
    pub body: String,
    pub direction: Direction,
    /// The category in force: the user's correction if any, else the engine's.
    pub category: Category,
    /// The engine's own category, when the user corrected it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine_category: Option<Category>,
    pub lender: Option<String>,
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub advice: String,
    pub headline: String,
    /// The file the message came from.
    pub source: Option<String>,
    /// Where in that file (JSON: record, offset, line).
    pub position: serde_json::Value,
}

impl Store {
    /// One message by id, whatever its category.
    pub fn entry(&self, id: i64) -> anyhow::Result<Option<Entry>> {
        let filter = Filter {
            id: Some(id),
            ..Filter::default()
        };
        Ok(self.history(&filter)?.into_iter().next())
    }

    /// Records the user's own category for a message (`None` clears it) with the headline
    /// and advice written for the category now in force. Returns false when there is no
    /// message with that id. What the corrections teach is recounted after (`learned`: the
    /// `[engine.learned]` tuning, for when a category becomes active).
    pub fn mark(
        &self,
        id: i64,
        category: Option<Category>,
        headline: &str,
        advice: &str,
        learned: &LearnedWeights,
    ) -> anyhow::Result<bool> {
        let changed = self.conn.execute(
            "UPDATE message SET user_category = ?2,
                 marked_at = CASE WHEN ?2 IS NULL THEN NULL ELSE ?3 END,
                 headline = ?4, advice = ?5
             WHERE id = ?1",
            rusqlite::params![
                id,
                category.map(Category::as_str),
                super::now_ms(),
                headline,
                advice
            ],
        )?;
        // The corrections teach: recount what is learned from them (store::learned).
        if changed == 1 {
            self.rebuild_learned(learned)?;
        }
        Ok(changed == 1)
    }

    /// How many messages match `filter` (its limit and offset aside).
    pub fn history_count(&self, filter: &Filter) -> anyhow::Result<u64> {
        Ok(self.history_count_upto(filter, u64::MAX)?.n)
    }

    /// How many messages match `filter`, counted up to `cap`: exact when there are at most
    /// `cap`, else `cap` with `more` set. Counting stops there, so a count that has to read
    /// the messages (a text search) costs at most `cap` matches' worth.
    pub fn history_count_upto(&self, filter: &Filter, cap: u64) -> anyhow::Result<Count> {
        let (sql, args) = count_sql(filter, cap);
        let n: i64 = self
            .conn
            .query_row(&sql, rusqlite::params_from_iter(args), |r| r.get(0))?;
        let n = n as u64;
        Ok(Count {
            n: n.min(cap),
            more: n > cap,
        })
    }

    /// Messages matching `filter`, newest first.
    pub fn history(&self, filter: &Filter) -> anyhow::Result<Vec<Entry>> {
        let mut out = Vec::new();
        self.history_each(filter, |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    /// Streams messages matching `filter`, newest first, without holding them all.
    pub fn history_each(
        &self,
        filter: &Filter,
        mut each: impl FnMut(Entry) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let (sql, args) = list_sql(filter);
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let ts_ms: Option<i64> = r.get(1)?;
            let engine_cat: Category = parse_cat(&r.get::<_, String>(6)?);
            let user_cat: Option<Category> = r.get::<_, Option<String>>(7)?.map(|c| parse_cat(&c));
            let reasons: String = r.get(10)?;
            let position: String = r.get(14)?;
            each(Entry {
                id: r.get(0)?,
                ts: ts_ms.map(rfc3339),
                ts_ms,
                sender: r.get(2)?,
                contact: r.get(3)?,
                body: r.get(4)?,
                direction: direction_from_sql(&r.get::<_, String>(5)?),
                category: user_cat.unwrap_or(engine_cat),
                engine_category: user_cat.map(|_| engine_cat),
                lender: r.get(8)?,
                score: r.get(9)?,
                reasons: serde_json::from_str(&reasons).unwrap_or_default(),
                advice: r.get(11)?,
                headline: r.get(12)?,
                source: r.get(13)?,
                position: serde_json::from_str(&position).unwrap_or(serde_json::Value::Null),
            })?;
        }
        Ok(())
    }
}

/// The listing of `filter`: its messages, newest first, its page only.
fn list_sql(filter: &Filter) -> (String, Vec<Value>) {
    let (condition, args) = conditions(filter);
    let mut sql = format!(
        "SELECT m.id, m.ts, m.sender, m.contact, m.body, m.direction, m.category,
                m.user_category, m.lender, m.score, m.reasons, m.advice, m.headline,
                (SELECT s.path FROM source_file s WHERE s.id = m.source_id), m.position
         FROM message m WHERE {condition}"
    );
    // The file's path is looked up for the rows shown only: a join would read every
    // message an OFFSET skips, where the indexes answer the conditions without them.
    // Undated messages last: SQLite sorts NULL below every value, so `ts DESC` puts them at
    // the end, and the order is that of the indexes (migration 11), read without a sort.
    sql.push_str(" ORDER BY m.ts DESC, m.id DESC");
    if filter.limit > 0 || filter.offset > 0 {
        let limit = if filter.limit > 0 {
            filter.limit as i64
        } else {
            -1
        };
        sql.push_str(&format!(" LIMIT {limit} OFFSET {}", filter.offset));
    }
    (sql, args)
}

/// The count of `filter`'s matches, stopping after `cap` + 1 of them (`u64::MAX`: all).
fn count_sql(filter: &Filter, cap: u64) -> (String, Vec<Value>) {
    let (condition, args) = conditions(filter);
    let sql = if cap == u64::MAX {
        format!("SELECT count(*) FROM message m WHERE {condition}")
    } else {
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM message m WHERE {condition} LIMIT {})",
            cap.saturating_add(1).min(i64::MAX as u64)
        )
    };
    (sql, args)
}

/// The WHERE clause of `filter` (over `message m`) and its arguments, shared by the listing
/// and its count.
fn conditions(filter: &Filter) -> (String, Vec<Value>) {
    let mut sql = String::from("1");
    let mut args: Vec<Value> = Vec::new();
    let in_force = "coalesce(m.user_category, m.category)";
    let without_other =
        !filter.categories.is_empty() && !filter.categories.contains(&Category::Other);
    if without_other {
        // The condition of the message_debt index (migration 11), so that the planner can
        // read the list in time order from it, and its count without the messages.
        sql.push_str(&format!(" AND {in_force} != 'other'"));
    }
    if let [one] = filter.categories.as_slice() {
        sql.push_str(&format!(" AND {in_force} = ?"));
        args.push(Value::Text(one.as_str().into()));
    } else if !filter.categories.is_empty() {
        // `+` keeps the planner off message_in_force here: its ranges, one per category,
        // are each in time order but not together, so every page would sort them all.
        let marks = vec!["?"; filter.categories.len()].join(",");
        sql.push_str(&format!(" AND +{in_force} IN ({marks})"));
        args.extend(
            filter
                .categories
                .iter()
                .map(|c| Value::Text(c.as_str().into())),
        );
    }
    if let Some(lender) = &filter.lender {
        sql.push_str(" AND m.lender = ?");
        args.push(Value::Text(lender.to_ascii_lowercase()));
    }
    if let Some(sender) = &filter.sender {
        sql.push_str(" AND m.sender_norm = ?");
        args.push(Value::Text(super::normalize_sender(sender)));
    }
    let time = if filter.undated {
        sql.push_str(" AND m.ts IS NULL");
        "m.imported_at"
    } else {
        "m.ts"
    };
    if let Some(since) = filter.since_ms {
        sql.push_str(&format!(" AND {time} >= ?"));
        args.push(Value::Integer(since));
    }
    if let Some(until) = filter.until_ms {
        sql.push_str(&format!(" AND {time} < ?"));
        args.push(Value::Integer(until));
    }
    if let Some(id) = filter.id {
        sql.push_str(" AND m.id = ?");
        args.push(Value::Integer(id));
    }
    if let Some(text) = filter.search.as_deref().filter(|t| !t.is_empty()) {
        if text.chars().count() >= 3 {
            // The trigram index finds any substring of 3+ characters, Chinese included.
            // The whole query is one FTS5 phrase (quotes doubled), so its punctuation and
            // words like OR/NOT are text, not query syntax. It holds the debt-related
            // messages only (migration 4); `other` ones are scanned with instr. Its
            // matches are looked up as a set (`+m.id`: not by id, one message at a time):
            // the list is then read in time order and stops at its page, where looking up
            // 90 000 matches of a common word and sorting them took half a second.
            if without_other {
                // An `other` message is listed here only when the person moved it to a
                // debt category: those few are found by message_marked, not by reading
                // every message the list passes.
                sql.push_str(
                    " AND (+m.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?) \
                     OR +m.id IN (SELECT id FROM message WHERE user_category IS NOT NULL \
                     AND category = 'other' AND (instr(lower(body), lower(?)) > 0 \
                     OR instr(lower(sender), lower(?)) > 0)))",
                );
            } else {
                sql.push_str(
                    " AND (+m.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?) \
                     OR (m.category = 'other' AND (instr(lower(m.body), lower(?)) > 0 \
                     OR instr(lower(m.sender), lower(?)) > 0)))",
                );
            }
            args.push(Value::Text(format!("\"{}\"", text.replace('"', "\"\""))));
            args.push(Value::Text(text.into()));
            args.push(Value::Text(text.into()));
        } else {
            // Trigrams cannot match 1–2 characters (逾期, 催): scan with instr, folding
            // ASCII case as the trigram index does.
            sql.push_str(
                " AND (instr(lower(m.body), lower(?)) > 0 OR instr(lower(m.sender), lower(?)) > 0)",
            );
            args.push(Value::Text(text.into()));
            args.push(Value::Text(text.into()));
        }
    }
    (sql, args)
}

fn parse_cat(s: &str) -> Category {
    s.parse().unwrap_or(Category::Other)
}

/// Milliseconds to RFC 3339 in the computer's time zone, with its offset.
pub fn rfc3339(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => {
            let zoned = ts.to_zoned(jiff::tz::TimeZone::system());
            zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
        }
        Err(_) => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Message, Position, Verdict};
    use crate::store::{NewMessage, message_key, normalize_sender};

    /// (sender, time, engine category, lender, text)
    type Row<'a> = (&'a str, Option<i64>, Category, Option<&'a str>, &'a str);

    fn store_with(rows: &[Row<'_>]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("d.db")).unwrap();
        let src = store.source_id("/x.xml").unwrap();
        let batch = store.batch().unwrap();
        for (sender, ts, category, lender, body) in rows {
            let m = Message {
                zoneless: None,
                sender: (*sender).into(),
                body: (*body).into(),
                ts_ms: *ts,
                direction: Direction::In,
                contact: None,
                position: Position::default(),
            };
            let v = Verdict {
                category: *category,
                lender: lender.map(str::to_string),
                ..Verdict::other()
            };
            let norm = normalize_sender(sender);
            let key = message_key(&m.sender, m.direction, m.ts_ms, &m.body);
            let new = NewMessage {
                key,
                sender_norm: &norm,
                message: &m,
                verdict: &v,
            };
            batch.insert(src, &new).unwrap().unwrap();
        }
        batch.commit().unwrap();
        (dir, store)
    }

    fn ids(store: &Store, filter: &Filter) -> Vec<i64> {
        store
            .history(filter)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect()
    }

    fn debt() -> Filter {
        Filter {
            categories: Category::DEBT.to_vec(),
            ..Filter::default()
        }
    }

    /// The person's correction, as `Store::mark` writes it.
    fn correct(store: &Store, id: i64, category: Option<Category>) {
        store
            .conn()
            .execute(
                "UPDATE message SET user_category = ?2 WHERE id = ?1",
                rusqlite::params![id, category.map(Category::as_str)],
            )
            .unwrap();
    }

    #[test]
    fn lists_are_newest_first_with_equal_times_by_id_and_undated_messages_last() {
        let (_dir, store) = store_with(&[
            ("95384", Some(1_000), Category::Overdue, None, "a"),
            ("95384", None, Category::Overdue, None, "b"),
            ("95384", Some(3_000), Category::Overdue, None, "c"),
            ("95384", Some(3_000), Category::Reminder, None, "d"),
            ("10086", Some(2_000), Category::Other, None, "e"),
        ]);
        assert_eq!(ids(&store, &Filter::default()), [4, 3, 5, 1, 2]);
        assert_eq!(ids(&store, &debt()), [4, 3, 1, 2]);
        let page = Filter {
            limit: 2,
            offset: 1,
            ..debt()
        };
        assert_eq!(ids(&store, &page), [3, 1]);
    }

    #[test]
    fn a_correction_moves_a_message_between_the_lists_and_their_counts() {
        let (_dir, store) = store_with(&[
            (
                "95384",
                Some(1_000),
                Category::Overdue,
                Some("webank"),
                "逾期",
            ),
            (
                "10086",
                Some(2_000),
                Category::Other,
                Some("webank"),
                "话费",
            ),
        ]);
        let scam = Filter {
            categories: vec![Category::Scam],
            ..Filter::default()
        };
        let webank = Filter {
            lender: Some("webank".into()),
            ..debt()
        };
        assert_eq!(ids(&store, &debt()), [1]);
        correct(&store, 2, Some(Category::Scam));
        correct(&store, 1, Some(Category::Other));
        assert_eq!(ids(&store, &debt()), [2]);
        assert_eq!(ids(&store, &scam), [2]);
        assert_eq!(ids(&store, &webank), [2]);
        assert_eq!(store.history_count(&debt()).unwrap(), 1);
        assert_eq!(store.history_count(&webank).unwrap(), 1);
        let other = Filter {
            categories: vec![Category::Other],
            ..Filter::default()
        };
        assert_eq!(ids(&store, &other), [1]);
        correct(&store, 2, None);
        assert_eq!(store.history_count(&debt()).unwrap(), 0);
        assert_eq!(store.history_count(&other).unwrap(), 2);
    }

    #[test]
    fn a_debt_search_finds_an_other_message_the_person_moved_to_debt() {
        let (_dir, store) = store_with(&[
            (
                "95384",
                Some(1_000),
                Category::Overdue,
                None,
                "微粒贷已逾期",
            ),
            (
                "10086",
                Some(2_000),
                Category::Other,
                None,
                "微粒贷额度提升",
            ),
            ("10086", Some(3_000), Category::Other, None, "微粒贷广告"),
        ]);
        correct(&store, 2, Some(Category::Scam));
        for text in ["微粒贷", "微粒"] {
            let found = Filter {
                search: Some(text.into()),
                ..debt()
            };
            assert_eq!(ids(&store, &found), [2, 1], "{text}");
            assert_eq!(store.history_count(&found).unwrap(), 2, "{text}");
            let everything = Filter {
                search: Some(text.into()),
                ..Filter::default()
            };
            assert_eq!(ids(&store, &everything), [3, 2, 1], "{text}");
        }
    }

    #[test]
    fn a_count_up_to_a_cap_is_exact_below_it_and_says_more_above_it() {
        let rows: Vec<Row<'_>> = (0..5)
            .map(|i| ("95384", Some(i * 1_000), Category::Overdue, None, "逾期"))
            .collect();
        let (_dir, store) = store_with(&rows);
        let count = |cap| store.history_count_upto(&debt(), cap).unwrap();
        assert_eq!(count(5), Count { n: 5, more: false });
        assert_eq!(count(u64::MAX), Count { n: 5, more: false });
        assert_eq!(count(3), Count { n: 3, more: true });
    }

    /// The plans of the review page's lists and counts, which on a million messages decide
    /// between milliseconds and seconds (benches/ui.sh). Without `ANALYZE` (dunwatch runs none)
    /// SQLite plans the same whatever the table's size, so an empty database tells.
    #[test]
    fn the_inbox_lists_and_counts_are_read_from_indexes_in_order_without_a_sort() {
        let (_dir, store) = store_with(&[]);
        let page = |f: Filter| Filter {
            limit: 50,
            offset: 24_950,
            ..f
        };
        let one = |c| Filter {
            categories: vec![c],
            ..Filter::default()
        };
        let cases = [
            ("debt", debt(), "message_debt"),
            ("all", Filter::default(), "message_ts"),
            ("scam", one(Category::Scam), "message_in_force"),
            ("other", one(Category::Other), "message_in_force"),
            (
                "lender",
                Filter {
                    lender: Some("webank".into()),
                    ..debt()
                },
                "message_lender",
            ),
            (
                "sender",
                Filter {
                    sender: Some("95384".into()),
                    ..Filter::default()
                },
                "message_from",
            ),
            (
                "search",
                Filter {
                    search: Some("微粒贷".into()),
                    ..debt()
                },
                "message_debt",
            ),
            (
                "month",
                Filter {
                    since_ms: Some(1),
                    until_ms: Some(2),
                    ..debt()
                },
                "message_debt",
            ),
        ];
        let plan = |(sql, args): (String, Vec<Value>)| -> String {
            let mut stmt = store
                .conn()
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let rows = stmt
                .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
                .unwrap();
            rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
        };
        for (name, filter, index) in cases {
            let list = plan(list_sql(&page(filter.clone())));
            assert!(
                list.contains(&format!("INDEX {index}")),
                "{name} list:\n{list}"
            );
            assert!(!list.contains("TEMP B-TREE"), "{name} list:\n{list}");
            // Counting all messages reads whichever index is smallest.
            let counted_from = match name {
                "all" => "COVERING INDEX".to_string(),
                _ => format!("COVERING INDEX {index}"),
            };
            let count = plan(count_sql(&filter, u64::MAX));
            assert!(count.contains(&counted_from), "{name} count:\n{count}");
        }
    }
}
