//! One verdict from many signals. Each kind of signal is its own function that adds
//! weighted reasons to a [`Tally`]: the rules' patterns, the sender, the links, the text's
//! form, the time of day, and last the schemas, which combine concepts, rules and the facts
//! the others found. Weights and thresholds come from the packs (`rules/engine.toml`).

use super::links::{self, Link};
use super::normalize::{self, Normalized};
use super::person::{Account, Person, Told};
use super::registry::LenderDef;
use super::sender::{self, SenderKind};
use super::{Engine, Fired, Input, advice};
use crate::model::{Category, Reason, Verdict};
use crate::store::normalize_sender;

mod channels;
mod person;
mod schemas;
use channels::{link_signals, sender_signal};
use person::{learned_signal, person_signals};
use schemas::schema_signals;
pub(super) use schemas::{FACTS, NameIndex, Schema, explain};

/// What the engine knows of a message before it weighs anything.
struct Seen<'e, 'i> {
    input: &'i Input<'i>,
    person: &'i Person,
    sender_norm: String,
    n: Normalized,
    lang: &'static str,
    kind: SenderKind,
    /// Whether the text speaks of debt, asked only when a signal needs it.
    debt: std::cell::OnceCell<bool>,
    debt_vocabulary: &'e regex::Regex,
    lender: Option<&'e LenderDef>,
    /// A non-lender institution the message claims to be or speaks for.
    institution: Option<&'e LenderDef>,
    /// The sender is an official number of the lender (or, with no lender, of the
    /// institution) the message names.
    official_sender: bool,
    links: Vec<Link>,
    /// The phone numbers in the text, searched for only when a schema asks.
    numbers: std::cell::OnceCell<Vec<links::Number>>,
    /// What the person's history says of the message, and their account with the lender
    /// it names (`None`: unknown), once [`person_signals`] has looked.
    told: std::cell::OnceCell<(Told, Option<Account>)>,
}

impl Seen<'_, '_> {
    fn about_debt(&self) -> bool {
        *self
            .debt
            .get_or_init(|| self.debt_vocabulary.is_match(&self.n.text))
    }

    fn numbers(&self) -> &[links::Number] {
        self.numbers.get_or_init(|| {
            // Digits inside a link (ids, tokens, paths) are not numbers to call.
            if self.links.is_empty() {
                return links::numbers(&self.n.text);
            }
            let mut text = self.n.text.clone();
            for l in &self.links {
                text = text.replace(&l.text, " ");
            }
            links::numbers(&text)
        })
    }

    /// The lender, else the institution: whose channels a link or number is checked against.
    fn claimed(&self) -> Option<&LenderDef> {
        self.lender.or(self.institution)
    }

    /// A link that cannot be the claimed party's: a look-alike of a lender's brand, a bare
    /// IP address, or — when the registry knows the claimed party's hosts — a host that is
    /// none of them nor any other official one. With no party claimed, or one whose hosts
    /// are unknown, a host is only unknown, not unofficial: a regional carrier's or an
    /// airline's own site must not read as a scam's.
    fn unofficial_link(&self, engine: &Engine) -> Option<&Link> {
        self.links.iter().find(|l| {
            if links::is_ip(&l.host) || engine.lookalike_of(&l.host).is_some() {
                return true;
            }
            let Some(c) = self.claimed() else {
                return false;
            };
            if c.hosts.is_empty() && !c.is_government() {
                return false;
            }
            let own = c.is_official_host(&l.host);
            let known = engine.is_known_official_host(&l.host);
            // A shortener hides where it goes: unknown, not proof of a forgery.
            !own && !known && !links::is_shortener(&l.host)
        })
    }

    /// A link to the site of the brand the message signs with: `dhanboost.com` in a
    /// message from "DhanBoost" is that company's own, whether or not the registry knows it.
    fn named_in_text(&self, link: &Link) -> bool {
        let label = links::brand_label(&link.host);
        label.len() >= 4 && {
            let rest = self.n.text.replace(&link.text, " ");
            rest.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| w == label)
        }
    }

    /// A number in the text to call or text that cannot be the claimed party's: a personal,
    /// virtual or foreign one, or a hotline that is not among the claimed party's known
    /// hotlines.
    fn unofficial_number(&self) -> Option<&links::Number> {
        self.numbers().iter().find(|num| {
            let own = self
                .claimed()
                .is_some_and(|c| c.is_official_sender(&num.digits));
            if own {
                return false;
            }
            match num.kind {
                SenderKind::PersonalMobile
                | SenderKind::VirtualMobile
                | SenderKind::Landline
                | SenderKind::Foreign => true,
                SenderKind::Hotline | SenderKind::Other => {
                    self.claimed().is_some_and(LenderDef::knows_numbers)
                }
                _ => false,
            }
        })
    }
}

/// The verdict on `input` for `person`; `forced` is the person's own category for the
/// message (`dunwatch mark`), whose headline and advice are then the ones written.
pub(super) fn classify(
    engine: &Engine,
    input: &Input<'_>,
    person: &Person,
    forced: Option<Category>,
) -> Verdict {
    let (seen, matched) = look(engine, input, person);
    let (lang, lender, kind, official_sender) =
        (seen.lang, seen.lender, seen.kind, seen.official_sender);

    let mut tally = Tally::default();
    let mut decisive: Option<(Category, f64)> = None;
    let risky = rule_signals(engine, &seen, &matched.rules, &mut tally, &mut decisive);
    sender_signal(engine, &seen, risky, &mut tally);
    link_signals(engine, &seen, &mut tally);
    split_signal(engine, &seen, &mut tally);
    time_signal(engine, &seen, &mut tally);
    person_signals(engine, &seen, &mut tally);
    learned_signal(engine, &seen, &mut tally);
    schema_signals(engine, &seen, &matched, risky, &mut tally, &mut decisive);

    let mut category = decide(engine, &tally, decisive);
    let weight = tally.get(category);
    let score = match category {
        Category::Other => {
            let debt = Category::DEBT
                .iter()
                .map(|&c| tally.get(c))
                .fold(0.0, f64::max);
            (1.0 - debt.max(0.0) / 8.0).clamp(0.5, 0.99)
        }
        _ => (1.0 - 0.5f64.powf(weight.max(0.0) / 2.0)).clamp(0.5, 0.99),
    };
    // The reasons that argue for the verdict first (a stable sort: ties keep their order).
    let mut ranked: Vec<(i64, Reason)> = tally
        .reasons
        .into_iter()
        .zip(tally.reason_weights)
        .map(|(r, weights)| (supports(&weights, category), r))
        .collect();
    ranked.sort_by_key(|(support, _)| std::cmp::Reverse(*support));
    let mut reasons: Vec<Reason> = ranked.into_iter().map(|(_, r)| r).collect();
    quote_as_written(input.body, &seen.n.text, &mut reasons);
    // The person's own lists have the last word on the category (trust, block), and their
    // correction, when there is one, is the category the words are written for.
    let side = person.lists.side(input.sender);
    let mut score = (score * 1000.0).round() / 1000.0;
    if side.is_some() {
        let mut v = Verdict {
            category,
            score,
            reasons,
            ..Verdict::other()
        };
        person.lists.apply(input.sender, &mut v);
        (category, score, reasons) = (v.category, v.score, v.reasons);
    }
    let blocked = side == Some(crate::store::senders::Side::Block);
    if let Some(f) = forced {
        category = f;
    }
    let account = seen.told.get().and_then(|(_, a)| a.clone());
    let (headline, advice) = if category == Category::Other {
        (String::new(), String::new())
    } else {
        advice::advise(&advice::Context {
            lang,
            category,
            lender,
            sender: input.sender,
            kind,
            official_sender: official_sender && lender.is_some(),
            body: &seen.n.text,
            reasons: &reasons,
            account: account.as_ref(),
            blocked,
        })
    };
    Verdict {
        category,
        lender: lender.map(|l| l.id.clone()),
        score,
        reasons,
        advice,
        headline,
    }
}

/// What the engine sees in a message before it weighs anything: its normalised text, the
/// sender, the party it claims, its links, and the rules and concepts whose patterns match.
fn look<'e, 'i>(
    engine: &'e Engine,
    input: &'i Input<'i>,
    person: &'i Person,
) -> (Seen<'e, 'i>, crate::classify::Matched<'e>) {
    let n = normalize::normalize(input.body);
    let lang = engine.speaks().unwrap_or_else(|| advice::language(&n));
    let sender_norm = normalize_sender(input.sender);
    let kind = sender::classify_sender(input.sender);
    let debt = std::cell::OnceCell::new();
    let matched = engine.matched(&n, &debt);
    // Which lender the message is about: its 【signature】 first, then names in the body,
    // then the sender.
    let lender = engine.lender_of(&n.text, &sender_norm);
    let institution = engine.institution_of(&n.text, &sender_norm);
    let official_sender = match (lender, institution) {
        (Some(l), _) => l.is_official_sender(&sender_norm),
        (None, Some(i)) => !sender_norm.is_empty() && i.is_official_sender(&sender_norm),
        _ => false,
    };
    let links = links::extract(&n.text);
    let seen = Seen {
        input,
        person,
        sender_norm,
        n,
        lang,
        kind,
        debt,
        debt_vocabulary: &engine.debt_vocabulary,
        lender,
        institution,
        official_sender,
        links,
        numbers: std::cell::OnceCell::new(),
        told: std::cell::OnceCell::new(),
    };
    (seen, matched)
}

/// Evidence is found in the normalised text (Simplified, half-width, lowercase, split words
/// joined); it is quoted back as the message wrote it, so a Traditional message's reader
/// sees Traditional words and every reader sees what they received. A schema's evidence
/// is its parts joined by " · ", each quoted back on its own.
fn quote_as_written(body: &str, normalized: &str, reasons: &mut [Reason]) {
    if body == normalized || reasons.iter().all(|r| r.evidence.is_empty()) {
        return;
    }
    let mut origins: Option<normalize::Origins<'_>> = None;
    for r in reasons {
        // Most evidence is already written as the message wrote it.
        if r.evidence.is_empty() || body.contains(r.evidence.as_str()) {
            continue;
        }
        let origins = origins.get_or_insert_with(|| normalize::Origins::new(body));
        let parts: Vec<String> = r
            .evidence
            .split(" · ")
            .map(|part| {
                origins
                    .original_of(part)
                    .map_or_else(|| part.to_string(), str::to_string)
            })
            .collect();
        r.evidence = parts.join(" · ");
    }
}

/// The rules whose patterns fired (schemas wait for [`schema_signals`]). Returns whether a
/// risky request was among them.
fn rule_signals<'e>(
    engine: &'e Engine,
    seen: &Seen<'_, '_>,
    fired: &[Fired<'e>],
    tally: &mut Tally,
    decisive: &mut Option<(Category, f64)>,
) -> bool {
    let mut risky = false;
    for f in fired {
        let rule = &engine.rules[f.rule];
        if rule.is_schema() {
            continue;
        }
        risky |= rule.risky;
        add_rule(
            tally,
            decisive,
            rule,
            f.evidence.clone(),
            f.weights,
            seen.lang,
        );
    }
    risky
}

fn add_rule(
    tally: &mut Tally,
    decisive: &mut Option<(Category, f64)>,
    rule: &super::Rule,
    evidence: String,
    weights: &[(Category, f64)],
    lang: &str,
) {
    for &(c, w) in weights {
        tally.add(c, w);
    }
    if rule.decisive
        && let Some(&(c, w)) = weights.iter().max_by(|a, b| a.1.total_cmp(&b.1))
        && decisive.is_none_or(|(_, dw)| w > dw)
    {
        *decisive = Some((c, w));
    }
    tally.push(
        &rule.id,
        evidence,
        rule.description_for(lang).to_string(),
        weights.to_vec(),
    );
}

/// A word of the watched vocabulary broken up with spaces or symbols (`催 收`, `美 团`)
/// in a message about debt: a trick to slip past carriers' filters. Ordinary spaces between
/// words ("本金 人民币") are not evidence.
fn split_signal(engine: &Engine, seen: &Seen<'_, '_>, tally: &mut Tally) {
    if seen.n.splits.is_empty() || !seen.about_debt() {
        return;
    }
    let Some(word) = engine.split_watched_word(&seen.n) else {
        return;
    };
    let weight = engine.tuning.text.split_words;
    tally.add(Category::Harassment, weight);
    tally.push(
        "text.split_words",
        word,
        advice::split_text(seen.lang),
        vec![(Category::Harassment, weight)],
    );
}

/// Collection at night, judged in the message's own time zone when it carried one, else
/// the engine's (the phone's, else the computer's).
fn time_signal(engine: &Engine, seen: &Seen<'_, '_>, tally: &mut Tally) {
    let debt_words = seen.about_debt()
        && (tally.get(Category::Overdue) > 0.0 || tally.get(Category::Harassment) > 0.0);
    let Some(ts) = seen.input.ts_ms else {
        return;
    };
    if !debt_words {
        return;
    }
    let Some(hour) = local_hour(ts, seen.input.utc_offset_s, &engine.zone) else {
        return;
    };
    let t = &engine.tuning.time;
    if t.is_night(hour) {
        tally.add(Category::Harassment, t.night);
        tally.push(
            "time.night",
            format!("{hour:02}:00"),
            advice::night_text(seen.lang),
            vec![(Category::Harassment, t.night)],
        );
    }
}

/// The hour a message was received, where it was received.
pub fn local_hour(ts_ms: i64, offset_s: Option<i32>, zone: &jiff::tz::TimeZone) -> Option<i8> {
    let ts = jiff::Timestamp::from_millisecond(ts_ms).ok()?;
    let zone = match offset_s {
        Some(s) => jiff::tz::TimeZone::fixed(jiff::tz::Offset::from_seconds(s).ok()?),
        None => zone.clone(),
    };
    Some(ts.to_zoned(zone).hour())
}

impl Engine {
    /// Every host the registry lists as official, for any lender or institution.
    /// The lender whose brand a host borrows without being its site, unless the host is
    /// some known party's own (`cmbchina.com` holds `cmbc` but is a bank's real site).
    fn lookalike_of(&self, host: &str) -> Option<&LenderDef> {
        if self.is_known_official_host(host) {
            return None;
        }
        self.registry
            .lenders
            .iter()
            .find(|l| l.is_lookalike_host(host))
    }

    fn is_known_official_host(&self, host: &str) -> bool {
        self.registry
            .lenders
            .iter()
            .chain(&self.registry.institutions)
            .any(|l| l.is_official_host(host))
    }

    /// The first word of the `split_watch` concept (or a lender's name) that a removed
    /// space or symbol fell inside, written as it was split.
    fn split_watched_word(&self, n: &Normalized) -> Option<String> {
        let inside = |start: usize, end: usize| {
            n.splits
                .iter()
                .find(|&&s| start < s && s < end)
                .map(|&s| format!("{} {}", &n.text[start..s], &n.text[s..end]))
        };
        if let Some(p) = self.concept_pattern("split_watch") {
            let (pattern, compiled) = &self.patterns[p];
            let re = compiled.get_or_init(|| {
                regex::Regex::new(pattern).expect("checked when the rules were loaded")
            });
            for m in re.find_iter(&n.text) {
                if let Some(w) = inside(m.start(), m.end()) {
                    return Some(w);
                }
            }
        }
        for m in self.lender_names.automaton.find_iter(&n.text) {
            if let Some(w) = inside(m.start(), m.end()) {
                return Some(w);
            }
        }
        None
    }

    fn concept_pattern(&self, id: &str) -> Option<usize> {
        let c = self.concepts.ids().iter().position(|x| x == id)?;
        self.targets
            .iter()
            .position(|t| matches!(t, super::Target::Concept(k) if *k == c))
    }
}

/// How much a reason weighs towards `category` (for ordering reasons).
fn supports(weights: &[(Category, f64)], category: Category) -> i64 {
    let w: f64 = weights
        .iter()
        .filter(|(c, _)| *c == category)
        .map(|(_, w)| *w)
        .sum();
    (w * 100.0) as i64
}

fn decide(engine: &Engine, t: &Tally, decisive: Option<(Category, f64)>) -> Category {
    let th = &engine.tuning.thresholds;
    if let Some((c, _)) = decisive {
        // A decisive harassment rule yields to a decisive-strength scam (money to a private
        // account is a scam even when it also threatens).
        if c == Category::Harassment && t.get(Category::Scam) >= th.scam_over_decisive_harassment {
            return Category::Scam;
        }
        return c;
    }
    let (scam, harass) = (t.get(Category::Scam), t.get(Category::Harassment));
    if scam >= th.scam && scam >= harass {
        return Category::Scam;
    }
    if harass >= th.harassment {
        return Category::Harassment;
    }
    if scam >= th.scam {
        return Category::Scam;
    }
    let (overdue, reminder, other) = (
        t.get(Category::Overdue),
        t.get(Category::Reminder),
        t.get(Category::Other),
    );
    if other > 0.0 && other >= overdue.max(reminder) {
        return Category::Other;
    }
    if overdue >= th.notice && overdue >= reminder {
        return Category::Overdue;
    }
    if reminder >= th.notice {
        return Category::Reminder;
    }
    Category::Other
}

#[derive(Default)]
struct Tally {
    weights: [f64; 5],
    reasons: Vec<Reason>,
    /// Beside each reason: the weights it added (for ordering the reasons).
    reason_weights: Vec<Vec<(Category, f64)>>,
}

impl Tally {
    fn idx(c: Category) -> usize {
        Category::ALL
            .iter()
            .position(|&x| x == c)
            .expect("known category")
    }
    fn add(&mut self, c: Category, w: f64) {
        self.weights[Self::idx(c)] += w;
    }
    fn get(&self, c: Category) -> f64 {
        self.weights[Self::idx(c)]
    }
    fn push(
        &mut self,
        rule: &str,
        evidence: String,
        description: String,
        weights: Vec<(Category, f64)>,
    ) {
        self.reasons.push(Reason {
            rule: rule.to_string(),
            evidence,
            description,
        });
        self.reason_weights.push(weights);
    }
}
