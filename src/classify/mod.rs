//! The judgment: one verdict per message, with its reasons.
//!
//! This first engine is deliberately small (a handful of keyword rules); the rule packs and
//! lender registry in `rules/` replace it. Its interface is the one the daemon, `scan`,
//! `classify` and `check` use: build an [`Engine`] once, call [`Engine::classify`] per
//! message. The engine is immutable and `Send + Sync`, so a reload swaps a whole new one in.

use std::path::Path;

use regex::RegexSet;

use crate::model::{Category, Reason, Verdict};

/// What the engine looks at: the message alone, no history.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub sender: &'a str,
    pub body: &'a str,
    pub ts_ms: Option<i64>,
}

pub struct Engine {
    set: RegexSet,
    rules: Vec<(&'static str, Category, f64)>,
}

const STARTER_RULES: &[(&str, &str, Category, f64)] = &[
    (
        "scam.safe_account",
        r"安全账户|征信修复|注销.{0,6}(校园贷|账户)|停息挂账",
        Category::Scam,
        0.9,
    ),
    (
        "harassment.third_party",
        r"通讯录|单位领导|家人|上门",
        Category::Harassment,
        0.8,
    ),
    (
        "notice.overdue",
        r"逾期|past due|overdue",
        Category::Overdue,
        0.6,
    ),
    (
        "notice.bill",
        r"账单已出|应还|还款日",
        Category::Reminder,
        0.5,
    ),
];

impl Engine {
    /// The engine with the shipped rules only.
    pub fn builtin() -> anyhow::Result<Engine> {
        let set = RegexSet::new(STARTER_RULES.iter().map(|r| r.1))?;
        let rules = STARTER_RULES.iter().map(|r| (r.0, r.2, r.3)).collect();
        Ok(Engine { set, rules })
    }

    /// The shipped rules plus the user's rule files in `user_dir` (if it exists).
    pub fn load(_user_dir: Option<&Path>) -> anyhow::Result<Engine> {
        Engine::builtin()
    }

    pub fn classify(&self, input: &Input<'_>) -> Verdict {
        let Some(first) = self.set.matches(input.body).iter().next() else {
            return Verdict::other();
        };
        let (rule, category, score) = self.rules[first];
        Verdict {
            category,
            lender: None,
            score,
            reasons: vec![Reason {
                rule: rule.to_string(),
                evidence: String::new(),
                description: String::new(),
            }],
            advice: String::new(),
            headline: String::new(),
        }
    }
}
