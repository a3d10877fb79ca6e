//! Reasons that only the history can give, added beside the engine's when a message is shown
//! or reported (the engine sees one message at a time; `classify` must stay history-free).
//!
//! - `context.no_prior_loan`: an overdue notice naming a lender the user never had a loan
//!   message from (no disbursement, bill or repayment: no `reminder` from that lender) — the
//!   classic fake "your loan is overdue" sent to people who never borrowed.
//! - `context.campaign`: the same text (digits and links masked) from many different numbers:
//!   a bulk campaign, not a lender writing to its customer.
//! - `context.night_collection`: collection written 22:00–08:00 local time, which the NIFA
//!   (2024) and China Banking Association (2026) collection guidelines forbid.
//! - `context.frequent_collection`: more than [`MAX_PER_DAY`] collection messages in one local
//!   day from the same lender (or, when no lender is named, the same sender).

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::Lang;
use crate::model::{Category, Reason};
use crate::store::history::Entry;
use crate::store::{Store, normalize_sender};

/// Distinct sender numbers with one template before it counts as a campaign.
pub const CAMPAIGN_SENDERS: usize = 3;
/// Collection messages per local day above which the lender breaks the rules (NIFA 2024
/// allows 3 connected collection contacts a day per lender and its agents).
pub const MAX_PER_DAY: u32 = 3;
/// Collection is forbidden from this hour until [`NIGHT_END`].
pub const NIGHT_START: i8 = 22;
pub const NIGHT_END: i8 = 8;
/// Shorter bodies (a code, "好的") are too generic to call a template.
const MIN_TEMPLATE_CHARS: usize = 8;

pub const RULE_NO_PRIOR_LOAN: &str = "context.no_prior_loan";
pub const RULE_CAMPAIGN: &str = "context.campaign";
pub const RULE_NIGHT: &str = "context.night_collection";
pub const RULE_FREQUENT: &str = "context.frequent_collection";

/// What the whole history says, gathered in one pass over the stored messages.
pub struct Context {
    tz: TimeZone,
    lang: Lang,
    /// Lenders with at least one genuine loan message (a reminder: disbursed, bill, repaid).
    loans: HashSet<String>,
    /// Masked text → the distinct senders that sent it.
    templates: HashMap<String, HashSet<String>>,
    /// (lender or sender, local day) → collection messages that day.
    per_day: HashMap<(String, Date), u32>,
}

/// True for the categories a collector's message ends up in.
pub fn is_collection(c: Category) -> bool {
    matches!(c, Category::Overdue | Category::Harassment)
}

impl Context {
    /// Reads every incoming message once. `tz` is the user's local zone.
    pub fn build(store: &Store, tz: TimeZone, lang: Lang) -> Result<Context> {
        let mut ctx = Context {
            tz,
            lang,
            loans: HashSet::new(),
            templates: HashMap::new(),
            per_day: HashMap::new(),
        };
        let mut stmt = store.conn().prepare(
            "SELECT ts, sender_norm, body, coalesce(user_category, category), lender
             FROM message WHERE direction = 'in'",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let ts: Option<i64> = r.get(0)?;
            let sender: String = r.get(1)?;
            let category: Category = r.get::<_, String>(3)?.parse().unwrap_or(Category::Other);
            let lender: Option<String> = r.get(4)?;
            if category == Category::Other {
                continue;
            }
            if category == Category::Reminder
                && let Some(l) = &lender
            {
                ctx.loans.insert(l.clone());
            }
            let body: String = r.get(2)?;
            if let Some(t) = template(&body) {
                ctx.templates.entry(t).or_default().insert(sender.clone());
            }
            if is_collection(category)
                && let Some(day) = ts.and_then(|t| ctx.local_day(t))
            {
                *ctx.per_day
                    .entry((group(&lender, &sender), day))
                    .or_default() += 1;
            }
        }
        Ok(ctx)
    }

    fn local(&self, ms: i64) -> Option<jiff::Zoned> {
        jiff::Timestamp::from_millisecond(ms)
            .ok()
            .map(|t| t.to_zoned(self.tz.clone()))
    }

    fn local_day(&self, ms: i64) -> Option<Date> {
        self.local(ms).map(|z| z.date())
    }

    /// The history's reasons for one message (empty for outgoing and `other` messages).
    pub fn reasons(&self, e: &Entry) -> Vec<Reason> {
        let mut out = Vec::new();
        if e.direction != crate::model::Direction::In || e.category == Category::Other {
            return out;
        }
        let zh = self.lang == Lang::Zh;
        let sender = normalize_sender(&e.sender);
        if e.category == Category::Overdue
            && let Some(lender) = &e.lender
            && !self.loans.contains(lender)
        {
            let name = super::lender_name(lender, self.lang);
            out.push(Reason {
                rule: RULE_NO_PRIOR_LOAN.into(),
                evidence: name.clone(),
                description: if zh {
                    format!(
                        "历史记录里没有{name}的放款、账单或还款短信，却收到逾期通知：请在{name}官方App或客服核实是否真有这笔借款"
                    )
                } else {
                    format!(
                        "no disbursement, bill or repayment message from {name} in your history, yet an overdue notice: check in {name}'s official app whether this loan exists"
                    )
                },
            });
        }
        if let Some(t) = template(&e.body)
            && let Some(senders) = self.templates.get(&t)
            && senders.len() >= CAMPAIGN_SENDERS
        {
            let n = senders.len();
            out.push(Reason {
                rule: RULE_CAMPAIGN.into(),
                evidence: format!("{n} numbers"),
                description: if zh {
                    format!("同样的文字从 {n} 个不同号码发来：这是群发，不是贷款机构单独通知你")
                } else {
                    format!(
                        "the same text came from {n} different numbers: a bulk campaign, not a lender writing to you"
                    )
                },
            });
        }
        if is_collection(e.category)
            && let Some(local) = e.ts_ms.and_then(|t| self.local(t))
        {
            let hour = local.hour();
            if !(NIGHT_END..NIGHT_START).contains(&hour) {
                let time = local.strftime("%H:%M").to_string();
                out.push(Reason {
                    rule: RULE_NIGHT.into(),
                    evidence: time.clone(),
                    description: if zh {
                        format!("{time} 发来的催收短信：催收规范禁止在 22:00–08:00 催收")
                    } else {
                        format!(
                            "collection message sent at {time}: the collection rules forbid collection between 22:00 and 08:00"
                        )
                    },
                });
            }
            let day = local.date();
            let n = self
                .per_day
                .get(&(group(&e.lender, &sender), day))
                .copied()
                .unwrap_or(0);
            if n > MAX_PER_DAY {
                out.push(Reason {
                    rule: RULE_FREQUENT.into(),
                    evidence: format!("{n} on {day}"),
                    description: if zh {
                        format!("{day} 当天收到同一来源的 {n} 条催收短信，超过每天 {MAX_PER_DAY} 次的催收限制")
                    } else {
                        format!(
                            "{n} collection messages from the same source on {day}, more than the {MAX_PER_DAY} a day the collection rules allow"
                        )
                    },
                });
            }
        }
        out
    }
}

/// Who a collection message counts against: its lender (a lender and its agents share the
/// daily limit) or, with no lender named, its sender.
fn group(lender: &Option<String>, sender_norm: &str) -> String {
    match lender {
        Some(l) => format!("lender:{l}"),
        None => format!("sender:{sender_norm}"),
    }
}

/// The text with what changes between copies masked: digit runs (amounts, dates, card
/// tails, codes), links, and white space. `None` for texts too short to be a template.
pub fn template(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut words = body.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.")
        {
            out.push_str("<url>");
        } else {
            let mut in_digits = false;
            for c in word.chars() {
                if c.is_ascii_digit() {
                    if !in_digits {
                        out.push('#');
                    }
                    in_digits = true;
                } else {
                    in_digits = false;
                    out.push(c);
                }
            }
        }
        if words.peek().is_some() {
            out.push(' ');
        }
    }
    (out.chars().count() >= MIN_TEMPLATE_CHARS).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_masks_amounts_dates_and_links_only() {
        let a =
            template("【微众银行】您的借款 2156.20 元已逾期3天，详见 https://x.cn/a1B2").unwrap();
        let b = template("【微众银行】您的借款  98.00 元已逾期12天，详见 http://y.top/zz").unwrap();
        assert_eq!(a, b);
        assert_ne!(
            a,
            template("【美团】您的借款 98.00 元已逾期12天，详见 http://y.top/zz").unwrap()
        );
        assert_eq!(template("验证码 1234"), None);
    }
}
