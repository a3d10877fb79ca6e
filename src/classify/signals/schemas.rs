//! Schemas: rules decided by what else a message holds — concepts, rules that fired, and
//! the facts the engine finds (the sender, the links and numbers in the text, the party it
//! claims to be). Their names are resolved to indices when the engine is built; facts are
//! computed only when a schema whose other parts hold asks for one.

use super::{Seen, Tally, add_rule};
use crate::classify::Engine;
use crate::classify::sender::SenderKind;
use crate::model::Category;

/// The facts schemas may name, each computed by the engine for every message.
pub const FACTS: &[&str] = &[
    "fact.about_debt",
    "fact.sender_personal",
    "fact.sender_foreign",
    "fact.sender_company",
    "fact.sender_official",
    "fact.claims_lender",
    "fact.claims_institution",
    "fact.link",
    "fact.link_unofficial",
    "fact.link_unknown",
    "fact.link_official",
    "fact.number",
    "fact.number_unofficial",
    "fact.number_unknown",
    "fact.number_unvouched",
    "fact.number_official",
    "fact.risky_request",
    "fact.signed_unknown",
    // From the person's history and declarations (never true for plain `classify`).
    "fact.has_account",
    "fact.no_account",
    "fact.campaign",
    "fact.frequent_collection",
    "fact.scam_sender",
];

/// Schemas: rules decided by which concepts, rules and facts are present, in the order of
/// the packs (a schema may name one before it). Names were resolved to indices when the
/// engine was built; what is present is kept in flat tables, not looked up by name.
pub(super) fn schema_signals<'e>(
    engine: &'e Engine,
    seen: &Seen<'_, '_>,
    matched: &crate::classify::Matched<'e>,
    risky: bool,
    tally: &mut Tally,
    decisive: &mut Option<(Category, f64)>,
) {
    if engine.schemas.is_empty() || (matched.rules.is_empty() && matched.concepts.is_empty()) {
        // Every schema needs a concept or a rule among its parts.
        return;
    }
    let mut rule_on = vec![false; engine.rules.len()];
    for f in &matched.rules {
        if !engine.rules[f.rule].is_schema() {
            rule_on[f.rule] = true;
        }
    }
    let mut concept_on = vec![false; engine.concepts.ids().len()];
    for &(c, _) in &matched.concepts {
        concept_on[c] = true;
    }
    // The facts cost a search for numbers and a look at every link: computed the first
    // time a schema whose other parts hold asks for one.
    let mut facts: Option<Facts> = None;
    for schema in &engine.schemas {
        let rule = &engine.rules[schema.rule];
        let on_without_facts = |n: &Name| match *n {
            Name::Rule(r) => Some(rule_on[r]),
            Name::Concept(c) => Some(concept_on[c]),
            Name::Fact(_) => None,
        };
        if schema
            .all
            .iter()
            .any(|n| on_without_facts(n) == Some(false))
            || schema
                .none
                .iter()
                .any(|n| on_without_facts(n) == Some(true))
        {
            continue;
        }
        let pattern_hit = matched.rules.iter().find(|f| f.rule == schema.rule);
        if !rule.patterns.is_empty() && pattern_hit.is_none() {
            continue;
        }
        if rule.needs_debt && !seen.about_debt() {
            continue;
        }
        // A schema without facts must not leave an empty table behind for the next one
        // that needs them (that hid every fact from the schemas after it).
        let no_facts = Facts::default();
        let facts = if schema.needs_facts {
            &*facts.get_or_insert_with(|| compute_facts(engine, seen, risky))
        } else {
            facts.as_ref().unwrap_or(&no_facts)
        };
        let on = |n: &Name| match *n {
            Name::Fact(f) => facts.0[f].is_some(),
            _ => on_without_facts(n) == Some(true),
        };
        let holds = schema.all.iter().all(on)
            && (schema.any.is_empty() || schema.any.iter().any(on))
            && !schema.none.iter().any(on);
        if !holds {
            continue;
        }
        // The evidence: each part's own words.
        let mut parts: Vec<String> = Vec::new();
        if let Some(f) = pattern_hit {
            parts.push(f.evidence.clone());
        }
        let first_any = schema.any.iter().find(|n| on(n));
        for name in schema.all.iter().chain(first_any) {
            let words = engine.words_of(*name, seen, matched, facts);
            if !words.is_empty() && !parts.contains(&words) {
                parts.push(words);
            }
        }
        let weights = rule.weights_for(|| seen.about_debt());
        add_rule(tally, decisive, rule, parts.join(" · "), weights, seen.lang);
        rule_on[schema.rule] = true;
    }
}

/// A part of a schema, resolved when the engine is built.
#[derive(Debug, Clone, Copy)]
pub(in crate::classify) enum Name {
    Rule(usize),
    Concept(usize),
    /// An index into [`FACTS`].
    Fact(usize),
}

/// Rule and concept ids to their indexes, built once for all schemas: looking each name up
/// by scanning every rule made a file of thousands of schemas load in quadratic time.
pub(in crate::classify) struct NameIndex<'a> {
    rules: std::collections::HashMap<&'a str, usize>,
    concepts: std::collections::HashMap<&'a str, usize>,
}

impl<'a> NameIndex<'a> {
    pub(in crate::classify) fn new(
        rules: &'a [crate::classify::Rule],
        concept_ids: &'a [String],
    ) -> NameIndex<'a> {
        // The first of a repeated id wins, as a scan from the start would find it.
        let mut by_id = std::collections::HashMap::with_capacity(rules.len());
        for (i, r) in rules.iter().enumerate() {
            by_id.entry(r.id.as_str()).or_insert(i);
        }
        let mut concepts = std::collections::HashMap::with_capacity(concept_ids.len());
        for (i, c) in concept_ids.iter().enumerate() {
            concepts.entry(c.as_str()).or_insert(i);
        }
        NameIndex {
            rules: by_id,
            concepts,
        }
    }
}

/// A schema with its parts resolved.
#[derive(Debug, Clone)]
pub(in crate::classify) struct Schema {
    pub rule: usize,
    pub all: Vec<Name>,
    pub any: Vec<Name>,
    pub none: Vec<Name>,
    pub needs_facts: bool,
}

impl Schema {
    /// Resolves the names of schema `rule`; `None` names the first name that is no rule,
    /// concept or fact.
    pub(in crate::classify) fn resolve(
        rule: usize,
        rules: &[crate::classify::Rule],
        index: &NameIndex<'_>,
    ) -> Result<Schema, String> {
        let r = &rules[rule];
        let name = |n: &String| -> Result<Name, String> {
            if let Some(f) = FACTS.iter().position(|f| f == n) {
                Ok(Name::Fact(f))
            } else if let Some(&c) = index.concepts.get(n.as_str()) {
                Ok(Name::Concept(c))
            } else if let Some(&i) = index.rules.get(n.as_str()) {
                Ok(Name::Rule(i))
            } else {
                Err(n.clone())
            }
        };
        let list = |v: &[String]| v.iter().map(name).collect::<Result<Vec<_>, _>>();
        let (all, any, none) = (list(&r.all)?, list(&r.any)?, list(&r.none)?);
        let needs_facts = all
            .iter()
            .chain(&any)
            .chain(&none)
            .any(|n| matches!(n, Name::Fact(_)));
        Ok(Schema {
            rule,
            all,
            any,
            none,
            needs_facts,
        })
    }
}

/// Whether `number` occurs in `text` with no digit right before or after it.
fn contains_whole_number(text: &str, number: &str) -> bool {
    !number.is_empty()
        && text.match_indices(number).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + number.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_digit())
                && !after.is_some_and(|c| c.is_ascii_digit())
        })
}

/// The evidence of each fact that holds, by its index in [`FACTS`].
#[derive(Default)]
struct Facts([Option<String>; FACTS.len()]);

/// The facts that hold for this message, each with its evidence.
fn compute_facts(engine: &Engine, seen: &Seen<'_, '_>, risky: bool) -> Facts {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let sender = || seen.input.sender.to_string();
    if seen.about_debt() {
        out.push(("fact.about_debt", String::new()));
    }
    if seen.kind.is_personal() {
        out.push(("fact.sender_personal", sender()));
    }
    if seen.kind == SenderKind::Foreign {
        out.push(("fact.sender_foreign", sender()));
    }
    if seen.kind.is_company_channel() {
        out.push(("fact.sender_company", sender()));
    }
    if seen.official_sender {
        out.push(("fact.sender_official", sender()));
    }
    if let Some(l) = seen.lender {
        out.push(("fact.claims_lender", l.display(seen.lang).to_string()));
    }
    if let Some(i) = seen.institution {
        out.push(("fact.claims_institution", i.display(seen.lang).to_string()));
    }
    if let Some(l) = seen.links.first() {
        out.push(("fact.link", l.host.clone()));
    }
    if let Some(l) = seen.unofficial_link(engine) {
        out.push(("fact.link_unofficial", l.host.clone()));
    }
    let numbers = seen.numbers();
    if let Some(num) = numbers.first() {
        out.push(("fact.number", num.text.clone()));
    }
    if let Some(num) = seen.unofficial_number() {
        out.push(("fact.number_unofficial", num.text.clone()));
    }
    // A hotline or long number to call that nothing vouches for: the message names no lender
    // or institution (`number_unknown`), or names one whose numbers the registry does not
    // know (`number_unvouched`, many foreign banks: it may be theirs). When the registry
    // knows the party's numbers, those decide (`number_unofficial`).
    if let Some(num) = numbers
        .iter()
        .find(|num| matches!(num.kind, SenderKind::Hotline | SenderKind::Other))
    {
        match seen.claimed() {
            None => out.push(("fact.number_unknown", num.text.clone())),
            Some(c) if !c.knows_numbers() => out.push(("fact.number_unvouched", num.text.clone())),
            Some(_) => {}
        }
    }
    // One of the named party's own numbers (12333 in a social-security notice): a second,
    // local number beside it is the office's, not a stranger's.
    // Short service numbers (12333, 95588) are not among `numbers`, so they are looked for
    // as written, whole.
    if let Some(c) = seen.claimed() {
        let official = numbers
            .iter()
            .find(|num| c.is_official_sender(&num.digits))
            .map(|num| num.text.clone())
            .or_else(|| {
                c.hotlines
                    .iter()
                    .map(|h| h.value.as_str())
                    .find(|h| contains_whole_number(&seen.n.text, h))
                    .map(str::to_string)
            });
        if let Some(num) = official {
            out.push(("fact.number_official", num));
        }
    }
    if let Some(l) = seen
        .links
        .iter()
        .find(|l| !engine.is_known_official_host(&l.host) && !seen.named_in_text(l))
    {
        out.push(("fact.link_unknown", l.host.clone()));
    }
    // Every link is a known party's own site and there is no number to call: whatever the
    // message says, what it asks is done at the real place.
    if !seen.links.is_empty()
        && numbers.is_empty()
        && seen.links.iter().all(|l| {
            engine.is_known_official_host(&l.host) && engine.lookalike_of(&l.host).is_none()
        })
    {
        out.push(("fact.link_official", seen.links[0].host.clone()));
    }
    if risky {
        out.push(("fact.risky_request", String::new()));
    }
    if seen.claimed().is_none()
        && let Some(brand) = end_signature(&seen.n.text)
    {
        out.push(("fact.signed_unknown", brand.to_string()));
    }
    if let Some((told, account)) = seen.told.get() {
        let lender = || {
            seen.lender
                .map(|l| l.display(seen.lang).to_string())
                .unwrap_or_default()
        };
        match account {
            Some(super::Account::Have(_)) => out.push(("fact.has_account", lender())),
            Some(super::Account::None { .. }) => out.push(("fact.no_account", lender())),
            None => {}
        }
        let w = &engine.tuning.history;
        if told.campaign_senders >= w.campaign_senders {
            out.push(("fact.campaign", told.campaign_senders.to_string()));
        }
        if let Some((n, _)) = told.collection_that_day
            && n > w.max_collection_per_day
        {
            out.push(("fact.frequent_collection", n.to_string()));
        }
        if told.scam_first.is_some() {
            out.push(("fact.scam_sender", sender()));
        }
    }
    let mut facts = Facts::default();
    for (f, ev) in out {
        let i = FACTS.iter().position(|x| *x == f).expect("a listed fact");
        facts.0[i] = Some(ev);
    }
    facts
}

/// The brand a message signs with, 【like this】 or [like this], at its start or its end
/// (where Chinese rules on commercial SMS put it): two to twelve characters, one of them a
/// letter.
fn end_signature(text: &str) -> Option<&str> {
    let t = text.trim();
    let pairs = [('【', '】'), ('[', ']')];
    for (open, close) in pairs {
        let at_start = t
            .strip_prefix(open)
            .and_then(|r| r.split_once(close))
            .map(|(b, _)| b);
        let at_end = t
            .strip_suffix(close)
            .and_then(|r| r.rsplit_once(open))
            .map(|(_, b)| b);
        for brand in [at_start, at_end].into_iter().flatten() {
            let n = brand.chars().count();
            if (2..=12).contains(&n) && brand.chars().any(char::is_alphabetic) {
                return Some(brand);
            }
        }
    }
    None
}

impl Engine {
    /// The words a schema's part matched: a concept's or rule's text, a fact's evidence.
    fn words_of(
        &self,
        name: Name,
        seen: &Seen<'_, '_>,
        matched: &crate::classify::Matched<'_>,
        facts: &Facts,
    ) -> String {
        match name {
            Name::Fact(f) => facts.0[f].clone().unwrap_or_default(),
            Name::Rule(r) => matched
                .rules
                .iter()
                .find(|f| f.rule == r)
                .map(|f| f.evidence.clone())
                .unwrap_or_default(),
            Name::Concept(c) => matched
                .concepts
                .iter()
                .find(|&&(k, _)| k == c)
                .map(|&(_, p)| self.evidence_of(p, &seen.n.text))
                .unwrap_or_default(),
        }
    }
}

/// Everything the schemas could use in a message, with the words of each: the concepts
/// whose terms occur, the rules whose patterns fire (schemas aside) and the facts that hold.
/// For people writing rules (`dunwatch rules explain`), so a schema's parts can be checked
/// against a message without guessing.
pub(in crate::classify) fn explain(
    engine: &Engine,
    input: &crate::classify::Input<'_>,
) -> Vec<(&'static str, String, String)> {
    let person = crate::classify::person::Person::nobody();
    let (seen, matched) = super::look(engine, input, &person);
    let mut out = Vec::new();
    let mut risky = false;
    for f in &matched.rules {
        let rule = &engine.rules[f.rule];
        if !rule.is_schema() {
            risky |= rule.risky;
            out.push(("rule", rule.id.clone(), f.evidence.clone()));
        }
    }
    for &(c, p) in &matched.concepts {
        out.push((
            "concept",
            engine.concepts.ids()[c].clone(),
            engine.evidence_of(p, &seen.n.text),
        ));
    }
    let facts = compute_facts(engine, &seen, risky);
    for (f, ev) in FACTS.iter().zip(facts.0) {
        if let Some(ev) = ev {
            out.push(("fact", f.to_string(), ev));
        }
    }
    out
}
