//! What the person reads: a headline and advice in the message's language, like a
//! knowledgeable friend would put it. Contact details come from the registry only — a number
//! or link inside the message is never repeated as something to use. The words are the
//! message catalog's (`advice.*` in locales/LANG/advice.toml); this module decides which are
//! said, in what order, and fills in the lender, its official numbers and what was found.

use std::sync::LazyLock;

use regex::Regex;

use super::normalize::Normalized;
use super::person::{Account, AccountProof};
use super::registry::LenderDef;
use super::sender::SenderKind;
use crate::lang::Lang;
use crate::model::{Category, Reason};
use crate::words::Catalog;

/// The language to answer in: the message's own.
pub fn language(n: &Normalized) -> &'static str {
    if !n.has_cjk {
        "en"
    } else if n.traditional {
        "zh-TW"
    } else {
        "zh-CN"
    }
}

/// The catalog's words for a language code from [`language`] (`zh-CN`, `zh-TW`, `en`).
fn catalog(lang: &str) -> &'static Catalog {
    Catalog::of(Lang::from_code(lang).unwrap_or(Lang::En))
}

/// The text for `key` in the language `lang`, `{name}` filled from `args`.
fn say(lang: &str, key: &str, args: &[(&str, &str)]) -> String {
    catalog(lang).text(key, args)
}

pub fn kind_text(lang: &str, kind: SenderKind) -> String {
    let key = match kind {
        SenderKind::PersonalMobile => "advice.kind.personal_mobile",
        SenderKind::VirtualMobile => "advice.kind.virtual_mobile",
        SenderKind::Landline => "advice.kind.landline",
        SenderKind::Foreign => "advice.kind.foreign",
        SenderKind::ServiceNumber => "advice.kind.service_number",
        SenderKind::Gateway => "advice.kind.gateway",
        SenderKind::Alphanumeric => "advice.kind.alphanumeric",
        _ => "advice.kind.unknown",
    };
    say(lang, key, &[])
}

pub fn official_sender_text(lang: &str, l: &LenderDef) -> String {
    say(
        lang,
        "advice.sender.official",
        &[("lender", l.display(lang))],
    )
}

pub fn official_but_risky_text(lang: &str, l: &LenderDef) -> String {
    say(
        lang,
        "advice.sender.official_but_risky",
        &[("lender", l.display(lang))],
    )
}

pub fn official_but_foreign_link_text(lang: &str, l: &LenderDef) -> String {
    say(
        lang,
        "advice.sender.official_but_foreign_link",
        &[("lender", l.display(lang))],
    )
}

pub fn risky_request_text(lang: &str) -> String {
    say(lang, "advice.sender.risky_request", &[])
}

pub fn not_lender_sender_text(lang: &str, l: &LenderDef, kind: SenderKind) -> String {
    say(
        lang,
        "advice.sender.not_lender",
        &[
            ("lender", l.display(lang)),
            ("kind", &kind_text(lang, kind)),
        ],
    )
}

pub fn link_text(lang: &str, what: &str) -> String {
    let key = match what {
        "official" => "advice.link.official",
        "ip" => "advice.link.ip",
        "apk" => "advice.link.apk",
        "shortener" => "advice.link.shortener",
        "unofficial" => "advice.link.unofficial",
        _ => "advice.link.unknown",
    };
    say(lang, key, &[])
}

pub fn lookalike_text(lang: &str, l: &LenderDef) -> String {
    say(
        lang,
        "advice.link.lookalike",
        &[("lender", l.display(lang))],
    )
}

pub fn split_text(lang: &str) -> String {
    say(lang, "advice.split", &[])
}

pub fn night_text(lang: &str) -> String {
    say(lang, "advice.night", &[])
}

/// How dunwatch knows of the person's account, in a few words.
fn proof_words(lang: &str, p: &AccountProof) -> String {
    match p {
        AccountProof::Declared => say(lang, "advice.account.declared", &[]),
        AccountProof::Seen { message_id, .. } => {
            let id = message_id.map(|i| format!(" #{i}")).unwrap_or_default();
            say(lang, "advice.account.seen", &[("id", &id)])
        }
    }
}

pub fn account_have_text(lang: &str, l: &LenderDef, p: &AccountProof) -> String {
    say(
        lang,
        "advice.account.have",
        &[("lender", l.display(lang)), ("how", &proof_words(lang, p))],
    )
}

pub fn account_none_text(lang: &str, l: &LenderDef, declared: bool) -> String {
    let key = if declared {
        "advice.account.none_declared"
    } else {
        "advice.account.none"
    };
    say(lang, key, &[("lender", l.display(lang))])
}

/// What to do about a notice from a lender the person has no account with. `official`: the
/// notice came from the lender's own number, so the rest of the advice does not already
/// warn against the message's numbers and links.
fn no_account_advice(lang: &str, l: &LenderDef, official: bool) -> String {
    let name = l.display(lang);
    let hotline = l
        .trusted_hotlines()
        .next()
        .map(|h| {
            say(
                lang,
                "advice.account.no_account_hotline",
                &[("lender", name), ("hotline", h)],
            )
        })
        .unwrap_or_default();
    let never = if official {
        say(lang, "advice.account.no_account_never", &[])
    } else {
        String::new()
    };
    say(
        lang,
        "advice.account.no_account",
        &[("lender", name), ("hotline", &hotline), ("never", &never)],
    )
}

pub fn count_numbers_text(lang: &str, n: usize) -> String {
    say(lang, "advice.history.numbers", &[("count", &n.to_string())])
}

pub fn campaign_text(lang: &str, n: usize) -> String {
    say(
        lang,
        "advice.history.campaign",
        &[("count", &n.to_string())],
    )
}

pub fn frequent_text(lang: &str, n: u32, day: jiff::civil::Date, max: u32) -> String {
    say(
        lang,
        "advice.history.frequent",
        &[
            ("count", &n.to_string()),
            ("day", &day.to_string()),
            ("max", &max.to_string()),
        ],
    )
}

pub fn scam_sender_text(lang: &str, first: Option<i64>, zone: &jiff::tz::TimeZone) -> String {
    let date = first
        .and_then(|t| jiff::Timestamp::from_millisecond(t).ok())
        .map(|t| t.to_zoned(zone.clone()).date().to_string());
    match date {
        Some(d) => say(lang, "advice.history.scam_sender_on", &[("date", &d)]),
        None => say(lang, "advice.history.scam_sender", &[]),
    }
}

/// "Like messages you marked as scam: 贷款 · 额度".
pub fn learned_text(lang: &str, c: Category, words: &[String]) -> String {
    let key = match c {
        Category::Scam => "advice.learned.scam",
        Category::Overdue => "advice.learned.overdue",
        Category::Harassment => "advice.learned.harassment",
        Category::Reminder => "advice.learned.reminder",
        Category::Other => "advice.learned.other",
    };
    say(lang, key, &[("words", &words.join(" · "))])
}

pub struct Context<'a> {
    pub lang: &'a str,
    pub category: Category,
    pub lender: Option<&'a LenderDef>,
    pub sender: &'a str,
    pub kind: SenderKind,
    pub official_sender: bool,
    pub body: &'a str,
    pub reasons: &'a [Reason],
    /// The person's account with `lender`, when the history is at hand.
    pub account: Option<&'a Account>,
    /// The person blocked the sender.
    pub blocked: bool,
}

static DAYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:逾期|超期)\s*(\d{1,4})\s*天|(\d{1,4})\s*days? (?:past due|overdue|late)")
        .expect("valid")
});
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d[\d,]*(?:\.\d{1,2})?)\s*元|[$£€¥￥]\s?(\d[\d,]*(?:\.\d{1,2})?)").expect("valid")
});

/// Where to check and whom to call: the registry's channel and trusted hotline.
fn verify_line(lang: &str, l: &LenderDef) -> String {
    let hotline = l.trusted_hotlines().next();
    let channel = l.channel_for(lang);
    let name = l.display(lang);
    let (key, args) = match (hotline, channel) {
        (Some(h), Some(c)) => (
            "advice.verify.hotline_channel",
            [("lender", name), ("hotline", h), ("channel", c)],
        ),
        (Some(h), None) => (
            "advice.verify.hotline",
            [("lender", name), ("hotline", h), ("channel", "")],
        ),
        (None, Some(c)) => (
            "advice.verify.channel",
            [("lender", name), ("hotline", ""), ("channel", c)],
        ),
        (None, None) => return String::new(),
    };
    say(lang, key, &args)
}

pub fn advise(c: &Context<'_>) -> (String, String) {
    let (headline, mut advice) = advise_message(c);
    let lang = c.lang;
    // What the person told dunwatch comes first: it is what they most need to hear.
    let mut first = String::new();
    if c.blocked {
        first.push_str(catalog(lang).word("advice.blocked"));
    }
    if let (Some(l), Some(account)) = (c.lender, c.account)
        && matches!(c.category, Category::Overdue | Category::Harassment)
    {
        // Not for a scam: whether the person has a loan there changes nothing about what
        // to do with a scam, and "perhaps a mistaken number" would soften the warning.
        match account {
            Account::Have(p) => {
                first.push_str(&account_have_text(lang, l, p));
                first.push_str(catalog(lang).word("advice.sentence_end"));
            }
            Account::None { .. } => {
                first.push_str(&no_account_advice(lang, l, c.official_sender));
            }
        }
    }
    if !first.is_empty() {
        if lang != "en" && !first.ends_with('。') {
            first.push('\n');
        }
        advice.insert_str(0, &first);
    }
    (headline, advice)
}

/// The first reason's words, ended for the next sentence to follow.
fn push_reason(advice: &mut String, lang: &str, reason: &str) {
    if !reason.is_empty() {
        advice.push_str(reason);
        advice.push_str(catalog(lang).word("advice.reason_end"));
    }
}

fn advise_message(c: &Context<'_>) -> (String, String) {
    let lang = c.lang;
    let w = catalog(lang);
    let name = c.lender.map(|l| l.display(lang));
    let top = c
        .reasons
        .first()
        .map(|r| r.description.as_str())
        .unwrap_or("");
    match c.category {
        Category::Scam => {
            let headline = match name {
                // Chinese says when the forged message is an overdue notice.
                Some(n) if c.body.contains("逾期") => {
                    w.text("advice.scam.headline_lender_overdue", &[("lender", n)])
                }
                Some(n) => w.text("advice.scam.headline_lender", &[("lender", n)]),
                None => w.text("advice.scam.headline", &[]),
            };
            let mut advice = String::new();
            if let Some(l) = c.lender
                && !c.official_sender
                && !c.sender.is_empty()
            {
                advice.push_str(&w.text(
                    "advice.scam.sender",
                    &[
                        ("sender", c.sender),
                        ("kind", &kind_text(lang, c.kind)),
                        ("lender", l.display(lang)),
                    ],
                ));
            }
            // The first reason that is not the sender (already said above).
            let top = c
                .reasons
                .iter()
                .find(|r| !r.rule.starts_with("sender."))
                .map_or("", |r| r.description.as_str());
            push_reason(&mut advice, lang, top);
            advice.push_str(w.word("advice.scam.dont"));
            match c.lender {
                Some(l) => advice.push_str(&verify_line(lang, l)),
                None => advice.push_str(w.word("advice.scam.paid")),
            }
            (headline, advice)
        }
        Category::Overdue => {
            let days = DAYS
                .captures(c.body)
                .and_then(|m| m.get(1).or(m.get(2)))
                .map(|m| m.as_str().to_string());
            let amount = AMOUNT
                .captures(c.body)
                .and_then(|m| m.get(1).or(m.get(2)))
                .map(|m| m.as_str().to_string());
            let who = name.unwrap_or_else(|| w.word("advice.overdue.someone"));
            let mut headline = w.text("advice.overdue.headline", &[("who", who)]);
            if let Some(d) = &days {
                headline.push_str(&w.text("advice.overdue.headline_days", &[("days", d)]));
            }
            if let Some(a) = &amount {
                headline.push_str(&w.text("advice.overdue.headline_amount", &[("amount", a)]));
            }
            let mut advice = String::new();
            match (c.lender, c.official_sender) {
                (Some(l), true) => {
                    advice.push_str(&w.text(
                        "advice.overdue.official",
                        &[("sender", c.sender), ("lender", l.display(lang))],
                    ));
                    if let Some(ch) = l.channel_for(lang) {
                        advice.push_str(&w.text("advice.overdue.pay", &[("channel", ch)]));
                    }
                }
                (Some(l), false) => {
                    advice.push_str(w.word("advice.overdue.not_official"));
                    advice.push_str(&verify_line(lang, l));
                }
                (None, _) => advice.push_str(w.word("advice.overdue.no_lender")),
            }
            (headline, advice)
        }
        Category::Harassment => {
            let headline = match name {
                Some(n) => w.text("advice.harassment.headline_lender", &[("lender", n)]),
                None => w.text("advice.harassment.headline", &[]),
            };
            let mut advice = String::new();
            push_reason(&mut advice, lang, top);
            advice.push_str(w.word("advice.harassment.rules"));
            if let Some(l) = c.lender {
                let v = verify_line(lang, l);
                if !v.is_empty() {
                    advice.push_str(w.word("advice.harassment.owe"));
                    advice.push_str(&v);
                }
            }
            (headline, advice)
        }
        Category::Reminder => {
            let headline = match name {
                Some(n) => w.text("advice.reminder.headline_lender", &[("lender", n)]),
                None => w.text("advice.reminder.headline", &[]),
            };
            let advice = match c.lender.and_then(|l| l.channel_for(lang)) {
                Some(ch) => w.text("advice.reminder.details", &[("channel", ch)]),
                None => w.text("advice.reminder.routine", &[]),
            };
            (headline, advice)
        }
        Category::Other => (String::new(), String::new()),
    }
}
