//! The data that flows through dunwatch: source → parse → classify → store → alert/report.
//!
//! Parsers produce [`Message`]s, the engine turns each into a [`Verdict`], the store keeps
//! both. Nothing here does I/O.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Whether the phone received the message or sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

impl FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "in" => Ok(Direction::In),
            "out" => Ok(Direction::Out),
            other => Err(format!("unknown direction {other:?} (expected in or out)")),
        }
    }
}

/// Where in its source file a message was found, so evidence can point back to it and
/// errors can name the place. `offset` is a byte offset into the file (or into the archive
/// entry) where that is meaningful; `record` counts messages from 1.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub record: u64,
    pub offset: Option<u64>,
    /// A line number where the format is line-based (CSV, NDJSON, vMessage).
    pub line: Option<u64>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record {}", self.record)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(offset) = self.offset {
            write!(f, ", byte {offset}")?;
        }
        Ok(())
    }
}

/// One SMS (or the text of one MMS) as read from an export, before any judgment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The other party as the export wrote it (`+86 138…`, `95384`, `CoopMobile`). Empty when
    /// unknown.
    pub sender: String,
    /// The message text, entities and encodings already decoded.
    pub body: String,
    /// Milliseconds since the Unix epoch, UTC. `None` when the export has no usable time.
    pub ts_ms: Option<i64>,
    /// `Some(offset)` when the export wrote a wall-clock time without a zone (CSV, vMessage,
    /// some JSON): the offset (seconds east of UTC) of the phone's assumed zone it was read
    /// in. Such a time may be off by a whole zone offset; the same message from a zoned
    /// export then matches it and is stored once (`store::twins`).
    pub zoneless: Option<i32>,
    pub direction: Direction,
    /// The contact name the phone showed, when the export carries one.
    pub contact: Option<String>,
    pub position: Position,
}

/// The five categories of PRODUCT.md, one per message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Scam,
    Overdue,
    Harassment,
    Reminder,
    Other,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Scam,
        Category::Overdue,
        Category::Harassment,
        Category::Reminder,
        Category::Other,
    ];
    /// The four categories that concern debt; `other` is everything else.
    pub const DEBT: [Category; 4] = [
        Category::Scam,
        Category::Overdue,
        Category::Harassment,
        Category::Reminder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Scam => "scam",
            Category::Overdue => "overdue",
            Category::Harassment => "harassment",
            Category::Reminder => "reminder",
            Category::Other => "other",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown category {s:?} (expected scam, overdue, harassment, reminder or other)"
                )
            })
    }
}

/// One reason behind a verdict: which rule fired and on what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable rule id, e.g. `scam.safe_account` or `sender.personal_mobile`.
    pub rule: String,
    /// The words (or sender, or link) that made the rule fire, quoted from the message.
    pub evidence: String,
    /// What the rule means, in the message's language. Not part of the `classify` JSON
    /// interface, so it is skipped when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// The engine's decision on one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub category: Category,
    /// Stable lowercase lender id (`webank`, `meituan`…), when a lender is named or implied.
    pub lender: Option<String>,
    /// Confidence in the category, 0.0–1.0.
    pub score: f64,
    pub reasons: Vec<Reason>,
    /// What the person should do, using the lender's official channel from the registry,
    /// never a number or link from the message. Empty for `other`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub advice: String,
    /// One-line headline for alerts and reviews (e.g. "疑似诈骗：冒充微众银行的逾期短信").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub headline: String,
}

impl Verdict {
    pub fn other() -> Self {
        Verdict {
            category: Category::Other,
            lender: None,
            score: 0.0,
            reasons: Vec::new(),
            advice: String::new(),
            headline: String::new(),
        }
    }
}
