//! What the whole history says of a stored message, when it is shown or reported: the same
//! history reasons the engine gives at import (`classify::person`), worked out again with
//! everything stored since — the first two copies of a campaign did not know the third
//! would come, and a lender added with `dunwatch lenders add` counts for older notices too.
//! A reason the message already carries is not repeated.

use anyhow::Result;
use jiff::tz::TimeZone;

use crate::classify::Engine;
use crate::classify::advice;
use crate::classify::person::{self, Account, Person};
use crate::model::{Category, Reason};
use crate::store::history::Entry;
use crate::store::{Store, message_key, normalize_sender};

pub const RULE_NO_ACCOUNT: &str = "account.none";
pub const RULE_HAS_ACCOUNT: &str = "account.have";
pub const RULE_CAMPAIGN: &str = "history.campaign";
pub const RULE_FREQUENT: &str = "history.frequent_collection";
pub const RULE_SCAM_SENDER: &str = "history.scam_sender";
/// The engine's own night-time reason (`time.night`).
pub const RULE_NIGHT: &str = "time.night";

/// The person as the store knows them, and the engine's thresholds.
pub struct Context<'e> {
    person: Person,
    engine: &'e Engine,
    tz: TimeZone,
}

impl<'e> Context<'e> {
    /// Reads the person's lists, lenders and debt-related history once. `tz` is the
    /// person's local zone.
    pub fn build(store: &Store, engine: &'e Engine, tz: TimeZone) -> Result<Self> {
        Ok(Context {
            person: engine.person_in(store)?,
            engine,
            tz,
        })
    }

    /// The message's reasons as the history now stands: those stored at import, the
    /// account reason brought up to date (the person may have added or removed the lender
    /// since), and the history's reasons it did not carry yet.
    pub fn current_reasons(&self, e: &Entry) -> Vec<Reason> {
        merged(e, self.reasons(e))
    }

    /// The headline and advice for the message's category as they would be written now
    /// (after `dunwatch lenders add`, say), with the person as the store knows them.
    pub fn rewritten(&self, e: &Entry) -> (String, String) {
        let v = self.engine.classify_as(
            &crate::classify::Input::at(&e.sender, &e.body, e.ts_ms),
            &self.person,
            e.category,
        );
        (v.headline, v.advice)
    }

    /// The history's reasons for one message that it does not already carry, the account
    /// reason included when it changed (none for outgoing and `other` messages).
    pub fn reasons(&self, e: &Entry) -> Vec<Reason> {
        let mut out = Vec::new();
        if e.direction != crate::model::Direction::In || e.category == Category::Other {
            return out;
        }
        // In the message's own language, like the engine's reasons beside them.
        let lang = advice::language(&crate::classify::normalize::normalize(&e.body));
        let w = &self.engine.tuning().history;
        let sender = normalize_sender(&e.sender);
        let collection = person::is_collection(e.category);
        let lender = e
            .lender
            .as_deref()
            .and_then(|id| self.engine.registry().lenders.iter().find(|l| l.id == id));
        let has = |rule: &str| e.reasons.iter().any(|r| r.rule == rule);
        if let (Some(l), Some(accounts), true) = (lender, &self.person.accounts, collection) {
            let (rule, description) = match accounts.of(&l.id) {
                Account::Have(p) => (RULE_HAS_ACCOUNT, advice::account_have_text(lang, l, &p)),
                Account::None { declared } => (
                    RULE_NO_ACCOUNT,
                    advice::account_none_text(lang, l, declared),
                ),
            };
            let stored = e
                .reasons
                .iter()
                .find(|r| r.rule == RULE_NO_ACCOUNT || r.rule == RULE_HAS_ACCOUNT);
            if stored.is_none_or(|r| r.rule != rule || r.description != description) {
                out.push(Reason {
                    rule: rule.into(),
                    evidence: l.display(lang).to_string(),
                    description,
                });
            }
        }
        let told = self.person.history.told(
            &person::Seen {
                key: message_key(&e.sender, e.direction, e.ts_ms, &e.body),
                sender_norm: &sender,
                ts_ms: e.ts_ms,
                body: &e.body,
                category: e.category,
                lender: e.lender.as_deref(),
            },
            collection,
            true,
            w.campaign_days,
        );
        if told.campaign_senders >= w.campaign_senders && !has(RULE_CAMPAIGN) {
            let n = told.campaign_senders;
            out.push(Reason {
                rule: RULE_CAMPAIGN.into(),
                evidence: advice::count_numbers_text(lang, n),
                description: advice::campaign_text(lang, n),
            });
        }
        if let Some((n, day)) = told.collection_that_day
            && n > w.max_collection_per_day
            && !has(RULE_FREQUENT)
        {
            out.push(Reason {
                rule: RULE_FREQUENT.into(),
                evidence: format!("{n} · {day}"),
                description: advice::frequent_text(lang, n, day, w.max_collection_per_day),
            });
        }
        // Stored verdicts judged the hour in the zone of the day they were imported;
        // messages stored without the engine's reason (older versions, other tools) get it.
        if collection
            && !has(RULE_NIGHT)
            && let Some(local) = e
                .ts_ms
                .and_then(|t| jiff::Timestamp::from_millisecond(t).ok())
                .map(|t| t.to_zoned(self.tz.clone()))
            && self.engine.tuning().time.is_night(local.hour())
        {
            out.push(Reason {
                rule: RULE_NIGHT.into(),
                evidence: local.strftime("%H:%M").to_string(),
                description: advice::night_text(lang),
            });
        }
        if let Some(first) = told.scam_first
            && !has(RULE_SCAM_SENDER)
        {
            out.push(Reason {
                rule: RULE_SCAM_SENDER.into(),
                evidence: e.sender.clone(),
                description: advice::scam_sender_text(lang, first, &self.tz),
            });
        }
        out
    }
}

/// True when `extra` (from [`Context::reasons`]) replaces the account reason the message was
/// stored with: what the person said, or what arrived since, changed it.
pub fn changes_account(extra: &[Reason]) -> bool {
    extra
        .iter()
        .any(|r| r.rule == RULE_NO_ACCOUNT || r.rule == RULE_HAS_ACCOUNT)
}

/// The stored reasons with `extra` (from [`Context::reasons`]) added, a replaced account
/// reason dropped.
pub fn merged(e: &Entry, extra: Vec<Reason>) -> Vec<Reason> {
    let replaced = changes_account(&extra);
    let mut out: Vec<Reason> = e
        .reasons
        .iter()
        .filter(|r| !(replaced && (r.rule == RULE_NO_ACCOUNT || r.rule == RULE_HAS_ACCOUNT)))
        .cloned()
        .collect();
    out.extend(extra);
    out
}
