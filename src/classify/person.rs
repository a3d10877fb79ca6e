//! What dunwatch knows of the person beyond the one message in front of it: the senders they
//! trust or blocked, the lenders they have an account with (said so, or shown by their own
//! messages), and what their history says (one text from many numbers, collection too
//! often in one day, a number that began with a scam).
//!
//! The engine stays a function of what it is given: `classify` without `--db` judges with
//! [`Person::nobody`], which knows nothing; imports, `check` and `classify --db` judge with
//! what the store holds (`Store::person`). During an import the person is told of each new
//! message ([`Person::observe`]), so the tenth message of a file knows the first nine.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::model::Category;
use crate::store::MessageKey;
use crate::store::senders::SenderLists;

/// Everything the person's history and declarations tell the engine.
#[derive(Debug, Clone, Default)]
pub struct Person {
    pub lists: SenderLists,
    /// `None` when nothing is known of the person's accounts (no history at hand): then
    /// nothing may be said about whether they have a loan anywhere.
    pub accounts: Option<Accounts>,
    pub history: History,
    /// What the person's corrections taught (`dunwatch mark`), once enough of them.
    pub learned: Option<super::learned::Model>,
}

impl Person {
    /// Nobody in particular: the message alone decides.
    pub fn nobody() -> Person {
        Person::default()
    }

    /// A new message was judged (`verdict`): the next ones know it. `shows_account` asks
    /// the engine whether the message shows an account with its lender
    /// ([`crate::classify::Engine::shows_account`]).
    pub fn observe(
        &mut self,
        m: &Seen<'_>,
        verdict: &crate::model::Verdict,
        shows_account: impl FnOnce(&str) -> bool,
    ) {
        let m = Seen {
            category: verdict.category,
            lender: verdict.lender.as_deref(),
            ..*m
        };
        self.history.add(&m);
        if let (Some(accounts), Some(lender)) = (&mut self.accounts, m.lender)
            && m.category == Category::Reminder
            && shows_account(lender)
        {
            accounts.seen(lender, None, m.ts_ms);
        }
    }
}

/// How the person's account with a lender is known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "how")]
pub enum AccountProof {
    /// `dunwatch lenders add`.
    Declared,
    /// A disbursal, repayment or bill from the lender's official sender; the message id
    /// once stored.
    Seen {
        message_id: Option<i64>,
        ts_ms: Option<i64>,
    },
}

/// What the person has with one lender, as far as dunwatch knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    Have(AccountProof),
    /// Said so (`dunwatch lenders remove`), or nothing in the history shows an account.
    None {
        declared: bool,
    },
}

/// The lenders the person has (or said they have not) an account with.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    /// Lender id → how the account is known.
    pub have: HashMap<String, AccountProof>,
    /// Lenders the person said they have no account with (this also dismisses one seen).
    pub none: HashSet<String>,
}

impl Accounts {
    pub fn of(&self, lender_id: &str) -> Account {
        if self.none.contains(lender_id) {
            return Account::None { declared: true };
        }
        match self.have.get(lender_id) {
            Some(p) => Account::Have(p.clone()),
            None => Account::None { declared: false },
        }
    }

    /// A message that shows an account: kept unless the person said otherwise.
    pub fn seen(&mut self, lender_id: &str, message_id: Option<i64>, ts_ms: Option<i64>) {
        if self.none.contains(lender_id) {
            return;
        }
        self.have
            .entry(lender_id.to_string())
            .or_insert(AccountProof::Seen { message_id, ts_ms });
    }
}

/// The debt-related messages of the history, reduced to what the history signals need.
#[derive(Debug, Clone, Default)]
pub struct History {
    zone: Option<TimeZone>,
    /// Masked text ([`template`]) → who sent it when. Kept by time, so that asking about
    /// one message looks at the copies of its window only, however many there are.
    templates: HashMap<u64, Uses>,
    /// (lender or sender, local day) → keys of the collection messages that day.
    per_day: HashMap<(u64, Date), HashSet<MessageKey>>,
    /// Sender → the time of its first debt-related message, when that message was a scam.
    scam_first: HashMap<String, Option<i64>>,
    /// Senders whose first debt-related message was not a scam.
    began_otherwise: HashSet<String>,
}

/// Who sent one text, and when.
#[derive(Debug, Clone, Default)]
struct Uses {
    dated: std::collections::BTreeMap<i64, Vec<u64>>,
    undated: HashSet<u64>,
}

/// Texts and senders are kept as 64-bit digests (BLAKE3): the history of a big import then
/// costs a few bytes per message, not a copy of its text. Two texts sharing a digest would
/// take 2^32 distinct texts to be likely.
fn digest(s: &str) -> u64 {
    let h = blake3::hash(s.as_bytes());
    u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"))
}

/// Distinct senders of one text counted at most.
pub const MAX_COUNTED_SENDERS: usize = 20;

/// One message as the history keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    pub key: MessageKey,
    pub sender_norm: &'a str,
    pub ts_ms: Option<i64>,
    pub body: &'a str,
    pub category: Category,
    pub lender: Option<&'a str>,
}

/// What the history says of one message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Told {
    /// Distinct senders of this text within the campaign window, this one included.
    pub campaign_senders: usize,
    /// Collection messages from this collector on this message's local day, this one
    /// included, and that day.
    pub collection_that_day: Option<(u32, Date)>,
    /// The sender's first debt-related message was a scam, at this time.
    pub scam_first: Option<Option<i64>>,
}

impl History {
    /// An empty history whose days are counted in `zone`.
    pub fn new(zone: TimeZone) -> History {
        History {
            zone: Some(zone),
            ..History::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
            && self.per_day.is_empty()
            && self.scam_first.is_empty()
            && self.began_otherwise.is_empty()
    }

    /// Messages must be given oldest first (the first of a sender decides `scam_first`);
    /// a key already given is ignored.
    pub fn add(&mut self, m: &Seen<'_>) {
        if m.category == Category::Other {
            return;
        }
        if let Some(t) = template(m.body) {
            let uses = self.templates.entry(digest(&t)).or_default();
            let sender = digest(m.sender_norm);
            match m.ts_ms {
                Some(ts) => {
                    let senders = uses.dated.entry(ts).or_default();
                    if !senders.contains(&sender) {
                        senders.push(sender);
                    }
                }
                None => {
                    uses.undated.insert(sender);
                }
            }
        }
        if is_collection(m.category)
            && let Some(day) = self.day(m.ts_ms)
        {
            self.per_day
                .entry((collector(m.lender, m.sender_norm), day))
                .or_default()
                .insert(m.key);
        }
        if !m.sender_norm.is_empty()
            && !self.scam_first.contains_key(m.sender_norm)
            && !self.began_otherwise.contains(m.sender_norm)
        {
            if m.category == Category::Scam {
                self.scam_first.insert(m.sender_norm.to_string(), m.ts_ms);
            } else {
                self.began_otherwise.insert(m.sender_norm.to_string());
            }
        }
    }

    /// The person corrected the first message of a sender: it no longer began with a scam.
    pub fn forget_scam_first(&mut self, sender_norm: &str) {
        if self.scam_first.remove(sender_norm).is_some() {
            self.began_otherwise.insert(sender_norm.to_string());
        }
    }

    fn day(&self, ts_ms: Option<i64>) -> Option<Date> {
        let zone = self.zone.clone().unwrap_or_else(TimeZone::system);
        jiff::Timestamp::from_millisecond(ts_ms?)
            .ok()
            .map(|t| t.to_zoned(zone).date())
    }

    /// What the history says of `m`, judged as `collection` (overdue or harassment) or not;
    /// `m` itself counts whether or not it was added. Copies of its text are counted only
    /// when `campaign` asks (a message about debt or naming a party): most messages are
    /// neither, and need no template.
    pub fn told(&self, m: &Seen<'_>, collection: bool, campaign: bool, campaign_days: u32) -> Told {
        let mut told = Told::default();
        if let Some(masked) = template(m.body).filter(|_| campaign) {
            let window = i64::from(campaign_days) * 86_400_000;
            let mut senders: HashSet<u64> = HashSet::new();
            senders.insert(digest(m.sender_norm));
            if let Some(uses) = self.templates.get(&digest(&masked)) {
                let dated: Box<dyn Iterator<Item = &Vec<u64>>> = match m.ts_ms {
                    Some(t) => Box::new(
                        uses.dated
                            .range(t.saturating_sub(window)..=t.saturating_add(window))
                            .map(|(_, s)| s),
                    ),
                    None => Box::new(uses.dated.values()),
                };
                let all = uses.undated.iter().chain(dated.flatten());
                for s in all {
                    // Enough to say "a campaign from 20 or more numbers"; counting on would cost
                    // time in proportion to the campaign.
                    if senders.len() >= MAX_COUNTED_SENDERS {
                        break;
                    }
                    senders.insert(*s);
                }
            }
            told.campaign_senders = senders.len();
        }
        if collection && let Some(day) = self.day(m.ts_ms) {
            let keys = self.per_day.get(&(collector(m.lender, m.sender_norm), day));
            let n = keys.map_or(0, |k| k.len() + usize::from(!k.contains(&m.key)));
            told.collection_that_day = Some((n.max(1) as u32, day));
        }
        if let Some(first) = self.scam_first.get(m.sender_norm)
            && first.is_none_or(|f| m.ts_ms.is_none_or(|t| t > f))
        {
            told.scam_first = Some(*first);
        }
        told
    }
}

/// True for the categories a collector's message ends up in.
pub fn is_collection(c: Category) -> bool {
    matches!(c, Category::Overdue | Category::Harassment)
}

/// Who a collection message counts against: its lender (a lender and its agents share the
/// daily limit) or, with no lender named, its sender.
fn collector(lender: Option<&str>, sender_norm: &str) -> u64 {
    match lender {
        Some(l) => digest(&format!("lender:{l}")),
        None => digest(&format!("sender:{sender_norm}")),
    }
}

/// Shorter bodies (a code, "好的") are too generic to call a template.
const MIN_TEMPLATE_CHARS: usize = 8;

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

    fn seen<'a>(key: u8, sender: &'a str, ts: i64, body: &'a str, c: Category) -> Seen<'a> {
        Seen {
            key: [key; 16],
            sender_norm: sender,
            ts_ms: Some(ts),
            body,
            category: c,
            lender: None,
        }
    }

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

    #[test]
    fn one_text_from_three_numbers_within_the_window_is_a_campaign_and_older_copies_are_not() {
        let day = 86_400_000;
        let mut h = History::new(TimeZone::UTC);
        let text = |n: &str| format!("您的借款{n}元已逾期，请联系专员处理");
        let (t1, t2, t3) = (text("100"), text("200"), text("300"));
        h.add(&seen(1, "a", 0, &t1, Category::Overdue));
        h.add(&seen(2, "b", day, &t2, Category::Overdue));
        let third = seen(3, "c", 2 * day, &t3, Category::Overdue);
        assert_eq!(h.told(&third, true, true, 7).campaign_senders, 3);
        let late = seen(3, "c", 30 * day, &t3, Category::Overdue);
        assert_eq!(h.told(&late, true, true, 7).campaign_senders, 1);
        // The same key given twice counts once.
        h.add(&seen(2, "b", day, &t2, Category::Overdue));
        assert_eq!(h.told(&third, true, true, 7).campaign_senders, 3);
    }

    #[test]
    fn collection_messages_are_counted_per_collector_and_local_day_once_each() {
        let mut h = History::new(TimeZone::UTC);
        for k in 0..3u8 {
            h.add(&seen(
                k,
                "x",
                i64::from(k) * 1000,
                "请立即还款否则后果自负",
                Category::Harassment,
            ));
            h.add(&seen(
                k,
                "x",
                i64::from(k) * 1000,
                "请立即还款否则后果自负",
                Category::Harassment,
            ));
        }
        let fourth = seen(9, "x", 5000, "今天必须还款否则上门", Category::Harassment);
        assert_eq!(
            h.told(&fourth, true, true, 7)
                .collection_that_day
                .unwrap()
                .0,
            4
        );
        let next_day = seen(
            9,
            "x",
            86_400_000 + 5,
            "今天必须还款否则上门",
            Category::Harassment,
        );
        assert_eq!(
            h.told(&next_day, true, true, 7)
                .collection_that_day
                .unwrap()
                .0,
            1
        );
    }

    #[test]
    fn a_sender_that_began_with_a_scam_stays_suspect_and_one_that_began_otherwise_does_not() {
        let mut h = History::new(TimeZone::UTC);
        h.add(&seen(
            1,
            "s",
            10,
            "点击链接领取贷款额度立即到账",
            Category::Scam,
        ));
        h.add(&seen(
            2,
            "r",
            10,
            "您本月账单已出，还款日为15日",
            Category::Reminder,
        ));
        h.add(&seen(
            3,
            "r",
            20,
            "点击链接领取贷款额度立即到账",
            Category::Scam,
        ));
        let later = |s| seen(4, s, 30, "你好在吗", Category::Other);
        assert_eq!(
            h.told(&later("s"), false, true, 7).scam_first,
            Some(Some(10))
        );
        assert_eq!(h.told(&later("r"), false, true, 7).scam_first, None);
        h.forget_scam_first("s");
        assert_eq!(h.told(&later("s"), false, true, 7).scam_first, None);
    }

    #[test]
    fn a_lender_the_person_said_no_to_is_not_brought_back_by_a_message() {
        let mut a = Accounts::default();
        a.none.insert("webank".into());
        a.seen("webank", Some(1), None);
        a.seen("meituan", Some(2), None);
        assert_eq!(a.of("webank"), Account::None { declared: true });
        assert!(matches!(
            a.of("meituan"),
            Account::Have(AccountProof::Seen { .. })
        ));
        assert_eq!(a.of("jd"), Account::None { declared: false });
    }
}
