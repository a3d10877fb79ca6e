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
        let (condition, args) = conditions(filter);
        let sql = format!("SELECT count(*) FROM message m WHERE {condition}");
        let n: i64 = self
            .conn
            .query_row(&sql, rusqlite::params_from_iter(args), |r| r.get(0))?;
        Ok(n as u64)
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
        let (condition, args) = conditions(filter);
        let mut sql = format!(
            "SELECT m.id, m.ts, m.sender, m.contact, m.body, m.direction, m.category,
                    m.user_category, m.lender, m.score, m.reasons, m.advice, m.headline,
                    s.path, m.position
             FROM message m LEFT JOIN source_file s ON s.id = m.source_id WHERE {condition}"
        );
        sql.push_str(" ORDER BY m.ts IS NULL, m.ts DESC, m.id DESC");
        if filter.limit > 0 || filter.offset > 0 {
            let limit = if filter.limit > 0 {
                filter.limit as i64
            } else {
                -1
            };
            sql.push_str(&format!(" LIMIT {limit} OFFSET {}", filter.offset));
        }
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

/// The WHERE clause of `filter` (over `message m`) and its arguments, shared by the listing
/// and its count.
fn conditions(filter: &Filter) -> (String, Vec<Value>) {
    let mut sql = String::from("1");
    let mut args: Vec<Value> = Vec::new();
    if !filter.categories.is_empty() {
        let marks = vec!["?"; filter.categories.len()].join(",");
        sql.push_str(&format!(
            " AND coalesce(m.user_category, m.category) IN ({marks})"
        ));
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
            // messages only (migration 4); `other` ones are scanned with instr.
            sql.push_str(
                " AND (m.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?) \
                 OR (m.category = 'other' AND (instr(lower(m.body), lower(?)) > 0 \
                 OR instr(lower(m.sender), lower(?)) > 0)))",
            );
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
