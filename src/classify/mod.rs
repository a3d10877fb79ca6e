//! The judgment: one verdict per message, with its reasons.
//!
//! Knowledge lives in `rules/` as data (rule packs and the lender registry), embedded in the
//! binary and extended or overridden by the user's rules folder. For each message the engine
//! normalises the text, runs every pattern of every rule in one pass (see `patterns`), finds
//! the lender named (aho-corasick over names, products and signatures), weighs the sender
//! and links against the registry, adds the weights of what fired, and picks a category by
//! thresholds, in the spirit of SpamAssassin. Every verdict carries its reasons and advice
//! that uses the registry's official channel — never a number or link from the message.
//!
//! The engine is immutable and `Send + Sync`: a reload builds a new one and swaps it in.

pub mod advice;
pub mod concepts;
pub mod learned;
pub mod links;
pub mod normalize;
mod patterns;
pub mod person;
pub mod registry;
pub mod rules;
pub mod sender;
mod signals;
pub mod tuning;

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use patterns::PatternSet;
use regex::Regex;

use crate::model::{Category, Verdict};
use crate::store::normalize_sender;
use concepts::Concepts;
use person::Person;
use registry::{LenderDef, Registry};
use rules::{Rule, RuleError};
use tuning::Tuning;

/// The concept whose terms make a text about debt (`fact.about_debt`, `needs_debt`).
const DEBT_TALK: &str = "debt_talk";

/// What the engine looks at: the message alone, no history.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub sender: &'a str,
    pub body: &'a str,
    pub ts_ms: Option<i64>,
    /// The offset the message's own time was written with (`+08:00` in an RFC 3339 `ts`),
    /// when it had one; otherwise the engine's zone (the phone's) judges the hour.
    pub utc_offset_s: Option<i32>,
}

impl<'a> Input<'a> {
    /// A message with no time.
    pub fn new(sender: &'a str, body: &'a str) -> Input<'a> {
        Input {
            sender,
            body,
            ts_ms: None,
            utc_offset_s: None,
        }
    }

    /// A message received at `ts_ms` (UTC milliseconds), its offset unknown.
    pub fn at(sender: &'a str, body: &'a str, ts_ms: Option<i64>) -> Input<'a> {
        Input {
            ts_ms,
            ..Input::new(sender, body)
        }
    }
}

/// What a member of the one-pass pattern set stands for.
#[derive(Debug, Clone, Copy)]
enum Target {
    Rule(usize),
    Concept(usize),
}

pub struct Engine {
    rules: Vec<Rule>,
    set: PatternSet,
    /// One regex per pattern of the set, for quoting evidence; compiled the first time its
    /// pattern matches, so start-up (a re-scan of unchanged files) and memory pay only for
    /// the patterns real messages use.
    patterns: Vec<(String, OnceLock<Regex>)>,
    targets: Vec<Target>,
    concepts: Concepts,
    /// The rules that are schemas, in pack order, their parts resolved.
    schemas: Vec<signals::Schema>,
    registry: Registry,
    /// Names, products and signatures of the lenders ...
    lender_names: NameIndex,
    /// ... and of the institutions that are not lenders.
    institution_names: NameIndex,
    /// Official senders and hotlines, each with the first lender that lists it.
    official_senders: HashMap<String, usize>,
    /// 95xxx numbers that a 106… gateway code may carry, by lender, in registry order.
    service_numbers: Vec<(String, usize)>,
    debt_vocabulary: Regex,
    tuning: Tuning,
    /// The zone that judges the hour of a message without an offset of its own: the
    /// phone's (`phone_timezone`), else the computer's.
    zone: jiff::tz::TimeZone,
    /// The language the reasons, headline and advice are written in; none: the message's
    /// own (an alert speaks its message's language, the command line the person's).
    speaks: Option<&'static str>,
    /// The files the rules came from, for `doctor` and `rules check`.
    pub sources: Vec<String>,
}

/// Rule files as (name, text).
type RuleTexts = Vec<(String, String)>;

/// The rule files, shipped then the user's, and the user's files that were refused while
/// reading them.
fn rule_texts(user_dir: Option<&Path>) -> anyhow::Result<(RuleTexts, Vec<RuleError>)> {
    let mut texts: Vec<(String, String)> = rules::SHIPPED
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let mut refused = Vec::new();
    if let Some(dir) = user_dir {
        let (user, mut bad) = rules::user_files(dir)
            .map_err(|e| anyhow::anyhow!("cannot read the rules folder {}: {e}", dir.display()))?;
        texts.extend(user);
        refused.append(&mut bad);
    }
    Ok((texts, refused))
}

/// Why rule files could not be loaded: every problem, each with file and line.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct LoadError(pub Vec<RuleError>);

pub use rules::MAX_RULE_FILE;

impl Engine {
    /// The engine with the shipped rules only.
    pub fn builtin() -> anyhow::Result<Engine> {
        Ok(Engine::from_texts(
            rules::SHIPPED
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        )?)
    }

    /// The shipped rules plus the user's rule files in `user_dir` (if it exists).
    pub fn load(user_dir: Option<&Path>) -> anyhow::Result<Engine> {
        let (texts, refused) = rule_texts(user_dir)?;
        Ok(Engine::build(texts, refused)?)
    }

    /// The lenders and institutions [`Engine::load`] would know, without compiling a rule:
    /// for the review page, which names lenders on every page but judges a message only
    /// when one is corrected (the compiled rules were half of its memory). A file that
    /// cannot be read or parsed is left out here; the engine reports it.
    pub fn load_registry(user_dir: Option<&Path>) -> anyhow::Result<Registry> {
        let (texts, _) = rule_texts(user_dir)?;
        let mut registry = Registry::default();
        for (name, text) in &texts {
            if text.len() > MAX_RULE_FILE {
                continue;
            }
            // In file order, as `build` merges them: a later file's lender replaces one.
            if let Ok(pack) = rules::parse_pack(name, text) {
                registry.merge(pack.lenders);
                registry.merge_institutions(pack.institutions);
            }
        }
        Ok(registry)
    }

    /// The same engine, judging the hour of messages without an offset in `zone`.
    pub fn with_zone(mut self, zone: jiff::tz::TimeZone) -> Engine {
        self.zone = zone;
        self
    }

    /// The same engine, writing its words in `lang` (`zh-CN`, `zh-TW` or `en`) whatever
    /// the message's language. Only the words change: the verdict is the same.
    pub fn speaking(mut self, lang: &'static str) -> Engine {
        self.speaks = Some(lang);
        self
    }

    /// The language the engine writes in when it does not follow each message's.
    pub fn speaks(&self) -> Option<&'static str> {
        self.speaks
    }

    /// Builds an engine from rule files given as (name, text), later files overriding
    /// earlier ones by rule, concept, lender or institution id and by engine key.
    pub fn from_texts(texts: Vec<(String, String)>) -> Result<Engine, LoadError> {
        Engine::build(texts, Vec::new())
    }

    /// [`Engine::from_texts`], with the files already refused while reading them (too
    /// large, not readable) reported alongside every other problem.
    fn build(texts: Vec<(String, String)>, refused: Vec<RuleError>) -> Result<Engine, LoadError> {
        let mut errors = refused;
        let mut packs = Vec::new();
        for (name, text) in &texts {
            if text.len() > MAX_RULE_FILE {
                errors.push(rules::too_large(name, text.len() as u64));
                continue;
            }
            match rules::parse_pack(name, text) {
                Ok(p) => packs.push((name, text, p)),
                Err(e) => errors.push(e),
            }
        }
        // Concepts first, from every file, so that a rule may use one defined anywhere.
        let mut concepts = Concepts::default();
        for (name, text, pack) in &packs {
            errors.extend(concepts.add(name, text, &pack.concepts));
        }
        let mut all_rules: Vec<Rule> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut registry = Registry::default();
        let mut sources = Vec::new();
        let mut engine_tables = Vec::new();
        for (name, text, pack) in packs {
            match rules::compile_rules(name, text, &pack.rules, &concepts) {
                Ok(compiled) => {
                    for r in compiled {
                        // By id, in linear time: a user file of thousands of rules loads as
                        // fast as it parses.
                        match index.get(&r.id) {
                            Some(&i) => all_rules[i] = r,
                            None => {
                                index.insert(r.id.clone(), all_rules.len());
                                all_rules.push(r);
                            }
                        }
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
            registry.merge(pack.lenders);
            registry.merge_institutions(pack.institutions);
            if let Some(t) = pack.engine {
                engine_tables.push((name.clone(), t));
            }
            sources.push(name.clone());
        }
        all_rules.retain(|r| r.enabled);
        // A schema may name concepts, facts and rules; an unknown name is a typo.
        let mut schemas = Vec::new();
        let names = signals::NameIndex::new(&all_rules, concepts.ids());
        for (i, r) in all_rules.iter().enumerate() {
            if !r.is_schema() {
                continue;
            }
            match signals::Schema::resolve(i, &all_rules, &names) {
                Ok(s) => schemas.push(s),
                Err(n) => {
                    let (file, line) = r.origin.rsplit_once(':').unwrap_or((&r.origin, "0"));
                    errors.push(RuleError {
                        file: file.to_string(),
                        line: line.parse().unwrap_or(0),
                        message: format!(
                            "rule {}: {n:?} is not a rule, a concept or a fact ({})",
                            r.id,
                            signals::FACTS.join(", ")
                        ),
                    });
                }
            }
        }
        let tuning = match tuning::merge(&engine_tables) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        if !errors.is_empty() {
            return Err(LoadError(errors));
        }
        let tuning = tuning.expect("no errors");
        let mut pats = Vec::new();
        let mut targets = Vec::new();
        for (i, r) in all_rules.iter().enumerate() {
            for p in &r.patterns {
                pats.push(p.clone());
                targets.push(Target::Rule(i));
            }
        }
        for (c, (_, pattern)) in concepts.iter().enumerate() {
            pats.push(rules::ascii_word_boundaries(pattern));
            targets.push(Target::Concept(c));
        }
        let set = PatternSet::new(&pats).map_err(|e| {
            LoadError(vec![RuleError {
                file: "rules".into(),
                line: 0,
                message: format!(
                    "the patterns of all rule files together cannot be compiled ({e}); \
                     remove rules from the user rule files ({}), or merge their patterns",
                    sources
                        .iter()
                        .filter(|s| !rules::SHIPPED.iter().any(|(n, _)| n == s))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }])
        })?;
        let patterns = pats.iter().map(|p| (p.clone(), OnceLock::new())).collect();
        // Whether a text speaks of debt is knowledge like any other: the concept `debt_talk`.
        let debt_vocabulary = concepts
            .pattern(DEBT_TALK)
            .map(|p| Regex::new(&rules::ascii_word_boundaries(p)))
            .transpose()
            .ok()
            .flatten()
            .ok_or_else(|| {
                LoadError(vec![RuleError {
                    file: "rules/concepts.toml".into(),
                    line: 0,
                    message: format!(
                        "the concept `{DEBT_TALK}` (the words that make a text about debt) \
                         is missing or cannot be compiled; restore it from the shipped file"
                    ),
                }])
            })?;
        let lender_names = NameIndex::new(&registry.lenders, "rules/lenders")?;
        let institution_names = NameIndex::new(&registry.institutions, "rules/institutions")?;
        let mut official_senders = HashMap::new();
        let mut service_numbers = Vec::new();
        for (i, l) in registry.lenders.iter().enumerate() {
            for number in l.senders.iter().chain(l.hotlines.iter()) {
                official_senders.entry(number.value.clone()).or_insert(i);
                if number.value.starts_with("95") {
                    service_numbers.push((number.value.clone(), i));
                }
            }
        }
        Ok(Engine {
            schemas,
            rules: all_rules,
            set,
            patterns,
            targets,
            concepts,
            registry,
            lender_names,
            institution_names,
            official_senders,
            service_numbers,
            debt_vocabulary,
            tuning,
            zone: jiff::tz::TimeZone::system(),
            speaks: None,
            sources,
        })
    }

    /// What a message holds for the schemas: (kind, name, words) for each concept that
    /// occurs, rule that fires and fact that holds (see `dunwatch rules explain`).
    pub fn explain(&self, input: &Input<'_>) -> Vec<(&'static str, String, String)> {
        signals::explain(self, input)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn concepts(&self) -> &Concepts {
        &self.concepts
    }

    pub fn tuning(&self) -> &Tuning {
        &self.tuning
    }

    /// The ids of the rules whose patterns fire on `body` (after normalisation); schemas,
    /// which depend on more than the text, are not among them.
    pub fn fired_rule_ids(&self, body: &str) -> Vec<&str> {
        let n = normalize::normalize(body);
        self.matched(&n, &std::cell::OnceCell::new())
            .rules
            .into_iter()
            .map(|f| self.rules[f.rule].id.as_str())
            .collect()
    }

    /// The verdict on the message alone.
    pub fn classify(&self, input: &Input<'_>) -> Verdict {
        signals::classify(self, input, &Person::nobody(), None)
    }

    /// The verdict with what is known of the person: their lists, lenders and history.
    pub fn classify_for(&self, input: &Input<'_>, person: &Person) -> Verdict {
        signals::classify(self, input, person, None)
    }

    /// The verdict with the person's own category in force: the engine's reasons, with the
    /// headline and advice written for `category` (what `dunwatch mark` stores).
    pub fn classify_as(&self, input: &Input<'_>, person: &Person, category: Category) -> Verdict {
        signals::classify(self, input, person, Some(category))
    }

    /// Whether a message shows that the person has an account with `lender_id`: it comes
    /// from that lender's official number and a rule marked `account` (a disbursal, a
    /// repayment received, a bill issued) finds its words. Asked of stored messages again
    /// (`Store::person`), so that what the rules know now decides, not what they knew when
    /// the message was stored.
    pub fn shows_account(&self, sender: &str, body: &str, lender_id: &str) -> bool {
        let Some(lender) = self.registry.lenders.iter().find(|l| l.id == lender_id) else {
            return false;
        };
        let sender_norm = normalize_sender(sender);
        if sender_norm.is_empty() || !lender.is_official_sender(&sender_norm) {
            return false;
        }
        let n = normalize::normalize(body);
        self.matched(&n, &std::cell::OnceCell::new())
            .rules
            .iter()
            .any(|f| self.rules[f.rule].account)
    }

    /// The person as `store` knows them, judged by this engine's rules and zone.
    pub fn person_in(
        &self,
        store: &crate::store::Store,
    ) -> Result<Person, crate::store::StoreError> {
        store.person(
            self.zone.clone(),
            &|sender, body, lender| self.shows_account(sender, body, lender),
            &self.tuning.learned,
        )
    }

    /// The zone days and hours are judged in.
    pub fn zone(&self) -> &jiff::tz::TimeZone {
        &self.zone
    }

    /// The lender a text is about: its 【signature】 first, then a name in the text, then
    /// the sender.
    fn lender_of(&self, text: &str, sender_norm: &str) -> Option<&LenderDef> {
        self.lender_names
            .named(&self.registry.lenders, text)
            .or_else(|| self.lender_by_sender(sender_norm))
    }

    /// The non-lender institution a text claims to be or speaks for, found the same way.
    fn institution_of(&self, text: &str, sender_norm: &str) -> Option<&LenderDef> {
        self.institution_names
            .named(&self.registry.institutions, text)
            .or_else(|| {
                self.registry
                    .institutions
                    .iter()
                    .find(|i| !sender_norm.is_empty() && i.is_official_sender(sender_norm))
            })
    }

    /// The first lender (in registry order) whose official sender or hotline this is, by
    /// the same rule as [`LenderDef::is_official_sender`] ([`sender::is_official_number`]),
    /// without walking every lender: a number that equals the sender is found in a map;
    /// only the 95xxx numbers, which a gateway code may carry, are tried one by one.
    fn lender_by_sender(&self, sender_norm: &str) -> Option<&LenderDef> {
        let exact = self.official_senders.get(sender_norm).copied();
        let gateway = self
            .service_numbers
            .iter()
            .find(|(number, _)| sender::is_official_number(sender_norm, number))
            .map(|&(_, i)| i);
        exact
            .into_iter()
            .chain(gateway)
            .min()
            .map(|i| &self.registry.lenders[i])
    }

    /// Quotes what pattern `p` of the set matched in `text`.
    fn evidence_of(&self, p: usize, text: &str) -> String {
        let (pattern, compiled) = &self.patterns[p];
        compiled
            .get_or_init(|| Regex::new(pattern).expect("checked when the rules were loaded"))
            .find(text)
            .map(|m| m.as_str().to_string())
            .unwrap_or_default()
    }

    /// One pass of the pattern set: the rules whose patterns fire (with their `unless` and
    /// `needs_debt` applied) and the concepts that occur.
    /// `debt` caches whether the text speaks of debt, asked only of rules that care.
    fn matched(&self, n: &normalize::Normalized, debt: &std::cell::OnceCell<bool>) -> Matched<'_> {
        let about_debt = || *debt.get_or_init(|| self.debt_vocabulary.is_match(&n.text));
        let mut out = Matched {
            rules: Vec::new(),
            concepts: Vec::new(),
        };
        for p in self.set.matches(&n.text) {
            match self.targets[p] {
                Target::Concept(c) => {
                    if !out.concepts.iter().any(|&(k, _)| k == c) {
                        out.concepts.push((c, p));
                    }
                }
                Target::Rule(r) => {
                    if out.rules.iter().any(|f| f.rule == r) {
                        continue;
                    }
                    let rule = &self.rules[r];
                    if rule.unless.iter().any(|u| u.is_match(&n.text)) {
                        continue;
                    }
                    if rule.needs_debt && !about_debt() {
                        continue;
                    }
                    out.rules.push(Fired {
                        rule: r,
                        evidence: self.evidence_of(p, &n.text),
                        weights: rule.weights_for(about_debt),
                    });
                }
            }
        }
        out
    }
}

/// The names of registry entries (aliases and signatures, normalised) in one automaton,
/// each with the entry it belongs to.
struct NameIndex {
    automaton: AhoCorasick,
    owner: Vec<usize>,
}

impl NameIndex {
    fn new(entries: &[LenderDef], file: &str) -> Result<NameIndex, LoadError> {
        let mut names = Vec::new();
        let mut owner = Vec::new();
        for (i, l) in entries.iter().enumerate() {
            for n in l.aliases.iter().chain(l.signatures.iter()) {
                names.push(normalize::normalize(n).text);
                owner.push(i);
            }
        }
        // A DFA: a few hundred names, searched in every message (the default NFA was a
        // tenth of classification time on short texts).
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&names)
            .map_err(|e| {
                LoadError(vec![RuleError {
                    file: file.into(),
                    line: 0,
                    message: e.to_string(),
                }])
            })?;
        Ok(NameIndex { automaton, owner })
    }

    /// The entry a text names: in a 【signature】 first, else anywhere in the text.
    fn named<'r>(&self, entries: &'r [LenderDef], text: &str) -> Option<&'r LenderDef> {
        let by_name = |text: &str| {
            self.automaton
                .find_iter(text)
                .find(|m| whole_word(text, m.start(), m.end()))
                .map(|m| &entries[self.owner[m.pattern().as_usize()]])
        };
        signatures(text).find_map(by_name).or_else(|| by_name(text))
    }
}

/// Whether `text[start..end]` stands as a word: a name that begins or ends with a Latin
/// letter or digit must not run on into one (`ems` is not a name inside `systems`, nor `td`
/// inside `std`); Chinese names need no spaces around them.
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric();
    let name = &text[start..end];
    let runs_in = name.chars().next().is_some_and(word)
        && text[..start].chars().next_back().is_some_and(word);
    let runs_on =
        name.chars().next_back().is_some_and(word) && text[end..].chars().next().is_some_and(word);
    !runs_in && !runs_on
}

/// What one pass of the pattern set found.
struct Matched<'e> {
    rules: Vec<Fired<'e>>,
    /// (concept index, the set pattern that found it).
    concepts: Vec<(usize, usize)>,
}

/// A rule that fired on a message.
struct Fired<'e> {
    rule: usize,
    /// The first text its patterns matched (for a schema: each part's words).
    evidence: String,
    /// What it adds here (see [`Rule::weights_for`]).
    weights: &'e [(crate::model::Category, f64)],
}

/// The 【signatures】 of a text, as the pattern `【([^】]{1,24})】` finds them; a scan
/// rather than that pattern's capture search, which cost a tenth of classifying a message.
fn signatures(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let open = rest.find('【')?;
            let after = &rest[open + '【'.len_utf8()..];
            match after.find('】') {
                Some(close) if (1..=24).contains(&after[..close].chars().count()) => {
                    rest = &after[close + '】'.len_utf8()..];
                    return Some(&after[..close]);
                }
                // No signature opens here: look from the next 【.
                _ => rest = after,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latin_name_counts_only_as_a_whole_word_and_a_chinese_one_anywhere() {
        for (text, name, want) in [
            ("morning update: all systems go", "ems", false),
            ("your ems parcel", "ems", true),
            ("ems包裹", "ems", true),
            ("顺丰ems", "ems", true),
            ("std deviation", "td", false),
            ("td bank: payment due", "td", true),
            ("你的顺丰快递", "顺丰", true),
        ] {
            let start = text.find(name).unwrap();
            assert_eq!(
                whole_word(text, start, start + name.len()),
                want,
                "{name} in {text}"
            );
        }
    }

    #[test]
    fn signatures_are_found_as_the_signature_pattern_finds_them() {
        let pattern = Regex::new(r"【([^】]{1,24})】").unwrap();
        for text in [
            "【微众银行】您的借款已逾期【回T退订】",
            "【】【美团】",
            "【a【b】c】",
            "【这是一个超过二十四个字的很长很长很长很长很长的括号内容】【招商银行】",
            "【未闭合",
            "】【",
            "no signature",
            "",
        ] {
            let want: Vec<&str> = pattern
                .captures_iter(text)
                .map(|c| c.get(1).unwrap().as_str())
                .collect();
            assert_eq!(signatures(text).collect::<Vec<_>>(), want, "{text}");
        }
    }

    #[test]
    fn senders_find_the_same_lender_as_asking_each_lender_in_turn() {
        let engine = Engine::builtin().unwrap();
        let lenders = &engine.registry().lenders;
        let mut senders = vec!["".to_string(), "10086".into(), "13800138000".into()];
        for l in lenders {
            for n in l.senders.iter().chain(l.hotlines.iter()) {
                senders.push(n.value.clone());
                senders.push(format!("10690{}", n.value));
                senders.push(format!("{}0", n.value));
            }
        }
        for s in &senders {
            let slow = lenders.iter().find(|l| l.is_official_sender(s));
            let fast = engine.lender_by_sender(s);
            assert_eq!(fast.map(|l| &l.id), slow.map(|l| &l.id), "{s}");
        }
    }
}
