//! The signals that come from the person rather than the message: their accounts with the
//! lender named, what their history says, and what their corrections taught.

use super::{Seen, Tally};
use crate::classify::person::{Account, Told};
use crate::classify::{Engine, advice};
use crate::model::Category;

/// What the person's history and declarations add: their account with the lender named,
/// one text from many numbers, collection too often in one day, a number that began with a
/// scam. Nothing for [`Person::nobody`].
pub(super) fn person_signals(engine: &Engine, seen: &Seen<'_, '_>, tally: &mut Tally) {
    let person = seen.person;
    let w = &engine.tuning.history;
    let lang = seen.lang;
    let collection = seen.about_debt()
        && (tally.get(Category::Overdue) > 0.0 || tally.get(Category::Harassment) > 0.0);
    let about_a_debt = seen.about_debt() || seen.claimed().is_some();
    let told = if person.history.is_empty() {
        Told::default()
    } else {
        let input = seen.input;
        // The key tells this message from the copies counted per day; only collection is.
        let key = if collection {
            crate::store::message_key_normalized(
                &seen.sender_norm,
                crate::model::Direction::In,
                input.ts_ms,
                input.body,
            )
        } else {
            [0; 16]
        };
        person.history.told(
            &crate::classify::person::Seen {
                key,
                sender_norm: &seen.sender_norm,
                ts_ms: input.ts_ms,
                body: input.body,
                category: Category::Other,
                lender: seen.lender.map(|l| l.id.as_str()),
            },
            collection,
            about_a_debt,
            w.campaign_days,
        )
    };
    let account = match (seen.lender, &person.accounts) {
        (Some(l), Some(a)) if collection => Some(a.of(&l.id)),
        _ => None,
    };
    if let (Some(l), Some(account)) = (seen.lender, &account) {
        match account {
            Account::Have(proof) => tally.push(
                "account.have",
                l.display(lang).to_string(),
                advice::account_have_text(lang, l, proof),
                Vec::new(),
            ),
            Account::None { declared } => {
                // From the lender's own number the notice may be genuine and the loan still
                // not the person's (a mistaken number, someone using their identity).
                let weight = if seen.official_sender {
                    0.0
                } else {
                    w.no_account
                };
                tally.add(Category::Scam, weight);
                tally.push(
                    "account.none",
                    l.display(lang).to_string(),
                    advice::account_none_text(lang, l, *declared),
                    vec![(Category::Scam, weight)],
                );
            }
        }
    }
    if about_a_debt && told.campaign_senders >= w.campaign_senders {
        let n = told.campaign_senders;
        tally.add(Category::Scam, w.campaign);
        tally.push(
            "history.campaign",
            advice::count_numbers_text(lang, n),
            advice::campaign_text(lang, n),
            vec![(Category::Scam, w.campaign)],
        );
    }
    if let Some((n, day)) = told.collection_that_day
        && n > w.max_collection_per_day
    {
        tally.add(Category::Harassment, w.frequent_collection);
        tally.push(
            "history.frequent_collection",
            format!("{n} · {day}"),
            advice::frequent_text(lang, n, day, w.max_collection_per_day),
            vec![(Category::Harassment, w.frequent_collection)],
        );
    }
    if let Some(first) = told.scam_first {
        tally.add(Category::Scam, w.scam_sender);
        tally.push(
            "history.scam_sender",
            seen.input.sender.to_string(),
            advice::scam_sender_text(lang, first, &engine.zone),
            vec![(Category::Scam, w.scam_sender)],
        );
    }
    let _ = seen.told.set((told, account));
}

/// What the person's own corrections taught: one weighted signal towards the category of
/// the corrected messages this text is most like, with the words that weighed most.
/// Against a scam when they marked such messages as ordinary.
pub(super) fn learned_signal(engine: &Engine, seen: &Seen<'_, '_>, tally: &mut Tally) {
    let Some(model) = &seen.person.learned else {
        return;
    };
    let Some(j) = model.judge(&seen.n.text) else {
        return;
    };
    let w = engine.tuning.learned.weight;
    let weights = if j.category == Category::Other {
        vec![(Category::Other, w), (Category::Scam, -w)]
    } else {
        vec![(j.category, w)]
    };
    for &(c, x) in &weights {
        tally.add(c, x);
    }
    tally.push(
        &format!("learned.{}", j.category.as_str()),
        j.words.join(" · "),
        advice::learned_text(seen.lang, j.category, &j.words),
        weights,
    );
}
