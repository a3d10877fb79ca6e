//! The channels a message comes through and points to: its sender and its links, each
//! weighed against the lender or institution it claims to be.

use super::{Seen, Tally};
use crate::classify::links;
use crate::classify::sender::SenderKind;
use crate::classify::{Engine, advice};
use crate::model::Category;

/// The sender against the lender or institution the message names.
pub(super) fn sender_signal(engine: &Engine, seen: &Seen<'_, '_>, risky: bool, tally: &mut Tally) {
    let w = &engine.tuning.sender;
    let debt_words = seen.about_debt()
        && (tally.get(Category::Overdue) > 0.0 || tally.get(Category::Harassment) > 0.0);
    let sender = seen.input.sender.to_string();
    let lang = seen.lang;
    // No lender or institution asks for a private contact, screen sharing, codes or a
    // transfer, whoever sends the message; and a 95xxx number can be forged (fake base
    // stations, spoofing from abroad), so an official sender does not excuse the request.
    let claimed = seen.claimed();
    if risky && (claimed.is_some() || seen.about_debt()) {
        let weight = w.risky_request;
        tally.add(Category::Scam, weight);
        match claimed {
            Some(c) if seen.official_sender => tally.push(
                "sender.official_but_risky",
                sender.clone(),
                advice::official_but_risky_text(lang, c),
                vec![(Category::Scam, weight)],
            ),
            _ => tally.push(
                "request.risky",
                String::new(),
                advice::risky_request_text(lang),
                vec![(Category::Scam, weight)],
            ),
        }
        if seen.official_sender {
            return;
        }
    }
    // An official number that links to a site which is not that party's own contradicts
    // itself: institutions link only to their own sites, and sender names are forged. The
    // number then vouches for nothing.
    if let Some(c) = claimed
        && seen.official_sender
        && let Some(link) = seen.unofficial_link(engine)
    {
        tally.push(
            "sender.official_but_foreign_link",
            format!("{sender} {}", link.host),
            advice::official_but_foreign_link_text(lang, c),
            Vec::new(),
        );
        return;
    }
    if let Some(l) = seen.lender {
        if seen.official_sender {
            tally.add(Category::Scam, w.official_scam);
            tally.add(Category::Overdue, w.official_notice);
            tally.add(Category::Reminder, w.official_notice);
            tally.push(
                "sender.official",
                sender,
                advice::official_sender_text(lang, l),
                vec![
                    (Category::Overdue, 2.5),
                    (Category::Reminder, 2.5),
                    (Category::Scam, w.official_scam),
                ],
            );
        } else if (seen.kind.is_personal() || seen.kind == SenderKind::Foreign)
            && (debt_words || tally.get(Category::Reminder) > 0.0)
        {
            let weight = if seen.kind == SenderKind::VirtualMobile {
                w.not_lender_virtual
            } else {
                w.not_lender
            };
            tally.add(Category::Scam, weight);
            tally.push(
                "sender.not_lender",
                sender,
                advice::not_lender_sender_text(lang, l, seen.kind),
                vec![(Category::Scam, weight)],
            );
        }
    } else if let Some(i) = seen.institution {
        if seen.official_sender {
            tally.add(Category::Scam, w.official_scam);
            tally.push(
                "sender.official",
                sender,
                advice::official_sender_text(lang, i),
                vec![(Category::Scam, w.official_scam)],
            );
        } else if seen.kind.is_personal() || seen.kind == SenderKind::Foreign {
            tally.add(Category::Scam, w.not_institution);
            tally.push(
                "sender.not_institution",
                sender,
                advice::not_lender_sender_text(lang, i, seen.kind),
                vec![(Category::Scam, w.not_institution)],
            );
        }
    } else if seen.kind == SenderKind::VirtualMobile && debt_words {
        tally.add(Category::Scam, w.virtual_about_debt);
        tally.push(
            "sender.virtual",
            sender,
            advice::kind_text(lang, seen.kind),
            vec![(Category::Scam, w.virtual_about_debt)],
        );
    }
}

/// Each link against the claimed party's hosts and every official host the registry knows.
pub(super) fn link_signals(engine: &Engine, seen: &Seen<'_, '_>, tally: &mut Tally) {
    let w = &engine.tuning.link;
    let lang = seen.lang;
    let debt_words = seen.about_debt()
        && (tally.get(Category::Overdue) > 0.0 || tally.get(Category::Harassment) > 0.0);
    let claimed = seen.claimed();
    for link in &seen.links {
        let lookalike = engine.lookalike_of(&link.host);
        let official_for_claimed = claimed.is_some_and(|l| l.is_official_host(&link.host));
        let official_any = engine.is_known_official_host(&link.host);
        let (id, weight, text) = if links::is_app_package(&link.text) {
            (
                "link.app_package",
                w.app_package,
                advice::link_text(lang, "apk"),
            )
        } else if official_for_claimed {
            (
                "link.official",
                w.official,
                advice::link_text(lang, "official"),
            )
        } else if let Some(l) = lookalike {
            (
                "link.lookalike",
                w.lookalike,
                advice::lookalike_text(lang, l),
            )
        } else if links::is_ip(&link.host) {
            ("link.raw_ip", w.raw_ip, advice::link_text(lang, "ip"))
        } else if links::is_shortener(&link.host) {
            if seen.official_sender {
                continue;
            }
            (
                "link.shortener",
                w.shortener,
                advice::link_text(lang, "shortener"),
            )
        } else if seen.lender.is_some_and(|l| l.knows_hosts()) && !official_any {
            // Where the registry knows none of the lender's sites, the link is judged as any
            // unknown host is, below.
            (
                "link.unofficial",
                w.unofficial,
                advice::link_text(lang, "unofficial"),
            )
        } else if debt_words && !official_any && !seen.named_in_text(link) {
            (
                "link.unknown_host",
                w.unknown_host,
                advice::link_text(lang, "unknown"),
            )
        } else {
            continue;
        };
        tally.add(Category::Scam, weight);
        tally.push(id, link.host.clone(), text, vec![(Category::Scam, weight)]);
    }
}
