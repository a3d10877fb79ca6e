//! What a report says in its own words, in the report's language: the sentence it opens
//! with, the next steps, the lenders' official contacts and the complaint channels. The
//! words are the message catalog's (`report.*` in locales/LANG/report.toml); this module
//! decides which are said, in what order.

use std::collections::BTreeSet;

use super::{Channel, Item, Lang, Period, lender_name};
use crate::words::{self, Catalog};

pub(super) struct Counts {
    pub(super) debt_total: u64,
    pub(super) genuine_overdue: u64,
    pub(super) genuine_overdue_lenders: Vec<String>,
    pub(super) doubtful: u64,
    pub(super) no_account: u64,
    pub(super) scams: u64,
    pub(super) breakers: u64,
}

fn join_names(names: &[String], lang: Lang) -> String {
    match names.split_last() {
        None => String::new(),
        Some((only, [])) => only.clone(),
        Some((last, rest)) => {
            let rest = rest.join(Catalog::of(lang).word("report.list.names_separator"));
            words::text(
                lang,
                "report.list.names_last",
                &[("rest", &rest), ("last", last)],
            )
        }
    }
}

/// "The week of 2026-11-16 to 2026-11-22: 2 genuine overdue notices from Meituan and WeBank,
/// 3 scams identified, 1 collector broke the rules." Scams are identified, never "stopped":
/// dunwatch blocks nothing.
pub(super) fn summary_sentence(lang: Lang, period: &Period, c: &Counts) -> String {
    let w = Catalog::of(lang);
    let names = join_names(&c.genuine_overdue_lenders, lang);
    // The weekly summary is read on the Monday after: name the week, not "this week".
    let head = w.text(
        if period.kind == "week" {
            "report.summary.head_week"
        } else {
            "report.summary.head_range"
        },
        &[
            ("first", &period.first_day.to_string()),
            ("last", &period.last_day.to_string()),
        ],
    );
    if c.debt_total == 0 {
        return w.text("report.summary.nothing", &[("head", &head)]);
    }
    let mut parts = Vec::new();
    if c.genuine_overdue > 0 {
        parts.push(if names.is_empty() {
            w.count("report.summary.genuine", c.genuine_overdue, &[])
        } else {
            w.count(
                "report.summary.genuine_from",
                c.genuine_overdue,
                &[("names", &names)],
            )
        });
    }
    if c.no_account > 0 {
        parts.push(w.count("report.summary.no_account", c.no_account, &[]));
    }
    if c.doubtful > 0 {
        parts.push(w.count("report.summary.doubtful", c.doubtful, &[]));
    }
    parts.push(w.count("report.summary.scams", c.scams, &[]));
    parts.push(w.count("report.summary.breakers", c.breakers, &[]));
    let parts = parts.join(w.word("report.list.separator"));
    w.text(
        "report.summary.sentence",
        &[("head", &head), ("parts", &parts)],
    )
}

/// The report's lists that the next steps speak of.
#[derive(Clone, Copy)]
pub(super) struct Sections<'a> {
    pub(super) scams: &'a [Item],
    pub(super) doubtful: &'a [Item],
    pub(super) no_account: &'a [Item],
    pub(super) harassment: &'a [Item],
    pub(super) breaches: &'a [Item],
}

pub(super) fn next_steps(
    lang: Lang,
    sections: &Sections<'_>,
    overdue_lenders: &[String],
    official: &[String],
) -> Vec<String> {
    let Sections {
        scams,
        doubtful,
        no_account,
        harassment,
        breaches,
    } = *sections;
    let w = Catalog::of(lang);
    let mut out = Vec::new();
    if !scams.is_empty() {
        out.push(w.text("report.next.scams", &[]));
    }
    let names_of = |items: &[Item]| {
        let names: Vec<String> = items
            .iter()
            .filter_map(|i| i.lender_name.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        join_names(&names, lang)
    };
    if !no_account.is_empty() {
        let names = names_of(no_account);
        out.push(w.text("report.next.no_account", &[("names", &names)]));
    }
    if !doubtful.is_empty() {
        let names = names_of(doubtful);
        out.push(w.text("report.next.doubtful", &[("names", &names)]));
    }
    if !overdue_lenders.is_empty() {
        let names = join_names(overdue_lenders, lang);
        out.push(w.text("report.next.genuine", &[("names", &names)]));
        out.extend(official.iter().cloned());
    }
    if !harassment.is_empty() || !breaches.is_empty() {
        out.push(w.text("report.next.harassment", &[]));
    }
    out
}

/// How to reach each lender officially, from the shipped registry (only hotlines of high or
/// medium confidence): one line per lender that has such facts.
pub(super) fn official_contacts(ids: &BTreeSet<String>, lang: Lang) -> Vec<String> {
    let registry = crate::classify::registry::Registry::shipped();
    ids.iter()
        .filter_map(|id| registry.get(id))
        .filter_map(|l| {
            let channel = l.channel_for(lang.code());
            let hotlines: Vec<&str> = l.trusted_hotlines().collect();
            if channel.is_none() && hotlines.is_empty() {
                return None;
            }
            let name = lender_name(&l.id, lang);
            let mut parts = Vec::new();
            if let Some(c) = channel {
                parts.push(c.to_string());
            }
            if !hotlines.is_empty() {
                let joined = hotlines.join(" / ");
                parts.push(words::text(
                    lang,
                    "report.contact.hotline",
                    &[("numbers", &joined)],
                ));
            }
            let ways = parts.join(Catalog::of(lang).word("report.list.separator"));
            Some(words::text(
                lang,
                "report.contact.line",
                &[("lender", &name), ("ways", &ways)],
            ))
        })
        .collect()
}

/// The complaint channels of a Chinese report: China's, in this order.
const CHINESE_CHANNELS: [&str; 4] = ["nfra", "spam", "police", "court"];

/// The complaint channels of an English report, each with whether it is China's.
const ENGLISH_CHANNELS: [(&str, bool); 6] = [
    ("ftc", false),
    ("cfpb", false),
    ("action_fraud", false),
    ("nfra", true),
    ("spam", true),
    ("police", false),
];

/// The complaint channels, which do not depend on the lender. In English, China's come first
/// when the messages are mostly Chinese (`china_first`), the US and UK ones otherwise.
pub(super) fn channels(lang: Lang, china_first: bool) -> Vec<Channel> {
    let w = Catalog::of(lang);
    let channel = |id: &str| {
        let word = |part: &str| w.text(&format!("report.channel.{id}.{part}"), &[]);
        Channel {
            name: word("name"),
            contact: word("contact"),
            use_for: word("use_for"),
        }
    };
    if lang.is_chinese() {
        return CHINESE_CHANNELS.iter().map(|id| channel(id)).collect();
    }
    let mut english: Vec<(&str, bool)> = ENGLISH_CHANNELS.to_vec();
    if china_first {
        // Stable: the Chinese channels in their order, then the others in theirs.
        english.sort_by_key(|(_, china)| !china);
    }
    english.iter().map(|(id, _)| channel(id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_has_its_words_and_english_puts_china_first_only_when_asked() {
        let en = Catalog::of(Lang::En);
        for id in CHINESE_CHANNELS
            .iter()
            .chain(ENGLISH_CHANNELS.iter().map(|(id, _)| id))
        {
            for part in ["name", "contact", "use_for"] {
                let key = format!("report.channel.{id}.{part}");
                assert!(en.has(&key), "{key}");
            }
        }
        let names = |china_first| -> Vec<String> {
            channels(Lang::En, china_first)
                .into_iter()
                .map(|c| c.name)
                .collect()
        };
        assert_eq!(names(false)[0], "US Federal Trade Commission");
        assert_eq!(
            names(true)[..3],
            [
                "China: NFRA consumer hotline",
                "China: 12321 spam report centre",
                "US Federal Trade Commission"
            ]
        );
        let zh = channels(Lang::ZhTw, false);
        assert_eq!(zh.len(), 4);
        assert_eq!(zh[0].contact, "12378");
    }
}
