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
pub mod links;
pub mod normalize;
mod patterns;
pub mod registry;
pub mod rules;
pub mod sender;

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use patterns::PatternSet;
use regex::Regex;

use crate::model::{Category, Reason, Verdict};
use crate::store::normalize_sender;
use normalize::Normalized;
use registry::{LenderDef, Registry};
use rules::{Rule, RuleError};
use sender::SenderKind;

/// What the engine looks at: the message alone, no history.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub sender: &'a str,
    pub body: &'a str,
    pub ts_ms: Option<i64>,
}

/// Thresholds a category's weight must reach.
const SCAM_AT: f64 = 3.5;
const HARASSMENT_AT: f64 = 3.5;
const NOTICE_AT: f64 = 2.0;

pub struct Engine {
    rules: Vec<Rule>,
    set: PatternSet,
    /// One regex per pattern of the set, for quoting evidence; compiled the first time its
    /// pattern matches, so start-up (a re-scan of unchanged files) and memory pay only for
    /// the patterns real messages use.
    patterns: Vec<(String, OnceLock<Regex>)>,
    pattern_rule: Vec<usize>,
    registry: Registry,
    names: AhoCorasick,
    name_lender: Vec<usize>,
    /// Official senders and hotlines, each with the first lender that lists it.
    official_senders: HashMap<String, usize>,
    /// 95xxx numbers that a 106… gateway code may carry, by lender, in registry order.
    service_numbers: Vec<(String, usize)>,
    debt_vocabulary: Regex,
    /// The files the rules came from, for `doctor` and `rules check`.
    pub sources: Vec<String>,
}

/// Why rule files could not be loaded: every problem, each with file and line.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct LoadError(pub Vec<RuleError>);

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
        let mut texts: Vec<(String, String)> = rules::SHIPPED
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        if let Some(dir) = user_dir {
            let user = rules::user_files(dir).map_err(|e| {
                anyhow::anyhow!("cannot read the rules folder {}: {e}", dir.display())
            })?;
            texts.extend(user);
        }
        Ok(Engine::from_texts(texts)?)
    }

    /// Builds an engine from rule files given as (name, text), later files overriding
    /// earlier ones by rule or lender id.
    pub fn from_texts(texts: Vec<(String, String)>) -> Result<Engine, LoadError> {
        let mut errors = Vec::new();
        let mut all_rules: Vec<Rule> = Vec::new();
        let mut registry = Registry::default();
        let mut sources = Vec::new();
        for (name, text) in &texts {
            let pack = match rules::parse_pack(name, text) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            match rules::compile_rules(name, text, &pack.rules) {
                Ok(compiled) => {
                    for r in compiled {
                        match all_rules.iter_mut().find(|o| o.id == r.id) {
                            Some(old) => *old = r,
                            None => all_rules.push(r),
                        }
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
            registry.merge(pack.lenders);
            sources.push(name.clone());
        }
        if !errors.is_empty() {
            return Err(LoadError(errors));
        }
        let mut pats = Vec::new();
        let mut pattern_rule = Vec::new();
        for (i, r) in all_rules.iter().enumerate() {
            for p in &r.patterns {
                pats.push(p.clone());
                pattern_rule.push(i);
            }
        }
        let set = PatternSet::new(&pats).map_err(|e| {
            LoadError(vec![RuleError {
                file: "rules".into(),
                line: 0,
                message: e.to_string(),
            }])
        })?;
        let patterns = pats.iter().map(|p| (p.clone(), OnceLock::new())).collect();
        let mut name_list = Vec::new();
        let mut name_lender = Vec::new();
        for (i, l) in registry.lenders.iter().enumerate() {
            for n in l.aliases.iter().chain(l.signatures.iter()) {
                name_list.push(normalize::normalize(n).text);
                name_lender.push(i);
            }
        }
        // A DFA: a few hundred names, searched in every message (the default NFA was a
        // tenth of classification time on short texts).
        let names = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&name_list)
            .map_err(|e| {
                LoadError(vec![RuleError {
                    file: "rules/lenders".into(),
                    line: 0,
                    message: e.to_string(),
                }])
            })?;
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
            rules: all_rules,
            set,
            patterns,
            pattern_rule,
            registry,
            names,
            name_lender,
            official_senders,
            service_numbers,
            // Words that make a text about debt. Not 报案 ("report a claim"): every insurance
            // claim uses it.
            debt_vocabulary: Regex::new(&rules::ascii_word_boundaries(
                r"欠|还款|应还|还钱|借|贷|逾期|催收|债|额度|分期|利息|利率|征信|花呗|白条|金条|老赖|案件|立案|诉讼|传票|失信|被执行|经济情况|偿还|结清|还清|\b(debt|debts|owe|owes|owed|owing|loan|loans|overdue|repay|repayment|collections?|arrears|balance due|past due|creditor|deadbeat|unpaid|bailiffs?|pay up|pay us|pay back|pay (today|now|immediately))\b",
            ))
            .expect("valid"),
            sources,
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The ids of the rules whose patterns fire on `body` (after normalisation).
    pub fn fired_rule_ids(&self, body: &str) -> Vec<&str> {
        let n = normalize::normalize(body);
        self.fired(&n)
            .into_iter()
            .map(|f| self.rules[f.rule].id.as_str())
            .collect()
    }

    /// Rules that fired, each with the first text it matched and what it weighs here.
    fn fired(&self, n: &Normalized) -> Vec<Fired<'_>> {
        let mut out: Vec<Fired<'_>> = Vec::new();
        // Whether the text talks about debt: asked only of rules that care.
        let mut debt: Option<bool> = None;
        let mut about_debt = || *debt.get_or_insert_with(|| self.debt_vocabulary.is_match(&n.text));
        for p in self.set.matches(&n.text) {
            let r = self.pattern_rule[p];
            if out.iter().any(|f| f.rule == r) {
                continue;
            }
            let rule = &self.rules[r];
            if rule.unless.iter().any(|u| u.is_match(&n.text)) {
                continue;
            }
            if rule.needs_debt && !about_debt() {
                continue;
            }
            let weights = rule.weights_for(&mut about_debt);
            let (pattern, compiled) = &self.patterns[p];
            let evidence = compiled
                .get_or_init(|| Regex::new(pattern).expect("checked when the rules were loaded"))
                .find(&n.text)
                .map(|m| m.as_str().to_string())
                .unwrap_or_default();
            out.push(Fired {
                rule: r,
                evidence,
                weights,
            });
        }
        out
    }

    pub fn classify(&self, input: &Input<'_>) -> Verdict {
        let n = normalize::normalize(input.body);
        let lang = advice::language(&n);
        let sender_norm = normalize_sender(input.sender);
        let kind = sender::classify_sender(input.sender);
        let mut tally = Tally::default();

        let mut decisive: Option<(Category, f64)> = None;
        for Fired {
            rule: r,
            evidence,
            weights,
        } in self.fired(&n)
        {
            let rule = &self.rules[r];
            for &(c, w) in weights {
                tally.add(c, w);
            }
            if rule.decisive
                && let Some(&(c, w)) = weights.iter().max_by(|a, b| a.1.total_cmp(&b.1))
                && decisive.is_none_or(|(_, dw)| w > dw)
            {
                decisive = Some((c, w));
            }
            tally.rule_reason(&rule.id, evidence, rule.description_for(lang), weights);
        }

        // Which lender the message is about: its 【signature】 first, then names in the body,
        // then the sender.
        let lender = self.lender_of(&n, &sender_norm);
        // Debt-related: a notice or threat rule fired and the text speaks of debt. A price
        // alone (hotel booking, phone top-up) weighs a little towards a notice but must not
        // make every link in a receipt suspicious.
        let debt_words = (tally.get(Category::Overdue) > 0.0
            || tally.get(Category::Harassment) > 0.0)
            && self.debt_vocabulary.is_match(&n.text);
        let official_sender = lender.is_some_and(|l| l.is_official_sender(&sender_norm));
        if let Some(l) = lender {
            if official_sender {
                tally.add(Category::Scam, -3.0);
                tally.add(Category::Overdue, 0.5);
                tally.add(Category::Reminder, 0.5);
                tally.reason(
                    "sender.official",
                    input.sender.to_string(),
                    advice::official_sender_text(lang, l),
                );
            } else if (kind.is_personal() || kind == SenderKind::Foreign)
                && (debt_words || tally.get(Category::Reminder) > 0.0)
            {
                let w = if kind == SenderKind::VirtualMobile {
                    4.0
                } else {
                    3.0
                };
                tally.add(Category::Scam, w);
                tally.reason(
                    "sender.not_lender",
                    input.sender.to_string(),
                    advice::not_lender_sender_text(lang, l, kind),
                );
            }
        } else if kind == SenderKind::VirtualMobile && debt_words {
            tally.add(Category::Scam, 1.0);
            tally.reason(
                "sender.virtual",
                input.sender.to_string(),
                advice::kind_text(lang, kind),
            );
        }

        for link in links::extract(&n.text) {
            let lookalike = self
                .registry
                .lenders
                .iter()
                .find(|l| l.is_lookalike_host(&link.host));
            let official_for_named = lender.is_some_and(|l| l.is_official_host(&link.host));
            let official_any = self
                .registry
                .lenders
                .iter()
                .any(|l| l.is_official_host(&link.host));
            if official_for_named {
                tally.add(Category::Scam, -2.0);
                tally.reason(
                    "link.official",
                    link.host.clone(),
                    advice::link_text(lang, "official"),
                );
            } else if let Some(l) = lookalike {
                tally.add(Category::Scam, 4.5);
                tally.reason(
                    "link.lookalike",
                    link.host.clone(),
                    advice::lookalike_text(lang, l),
                );
            } else if links::is_ip(&link.host) {
                tally.add(Category::Scam, 3.0);
                tally.reason(
                    "link.raw_ip",
                    link.host.clone(),
                    advice::link_text(lang, "ip"),
                );
            } else if links::is_shortener(&link.host) {
                if !official_sender {
                    tally.add(Category::Scam, 1.0);
                    tally.reason(
                        "link.shortener",
                        link.host.clone(),
                        advice::link_text(lang, "shortener"),
                    );
                }
            } else if lender.is_some() && !official_any {
                tally.add(Category::Scam, 3.0);
                tally.reason(
                    "link.unofficial",
                    link.host.clone(),
                    advice::link_text(lang, "unofficial"),
                );
            } else if debt_words && !official_any {
                tally.add(Category::Scam, 2.5);
                tally.reason(
                    "link.unknown_host",
                    link.host.clone(),
                    advice::link_text(lang, "unknown"),
                );
            }
        }

        if n.split_removed > 0 && debt_words {
            tally.add(Category::Harassment, 3.0);
            let ev = n.split_example.clone().unwrap_or_default();
            tally.reason("text.split_words", ev, advice::split_text(lang));
        }

        if debt_words
            && let Some(ts) = input.ts_ms
            && let Some(hour) = local_hour(ts)
            && !(8..22).contains(&hour)
        {
            tally.add(Category::Harassment, 1.5);
            tally.reason(
                "time.night",
                format!("{hour:02}:00"),
                advice::night_text(lang),
            );
        }

        let category = decide(&tally, decisive);
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
            .zip(tally.rule_weights)
            .map(|(r, weights)| (supports(weights, &r.rule, category), r))
            .collect();
        ranked.sort_by_key(|(support, _)| std::cmp::Reverse(*support));
        let reasons: Vec<Reason> = ranked.into_iter().map(|(_, r)| r).collect();
        let lender_id = lender.map(|l| l.id.clone());
        let (headline, advice) = if category == Category::Other {
            (String::new(), String::new())
        } else {
            advice::advise(&advice::Context {
                lang,
                category,
                lender,
                sender: input.sender,
                kind,
                official_sender,
                body: &n.text,
                reasons: &reasons,
            })
        };
        Verdict {
            category,
            lender: lender_id,
            score: (score * 1000.0).round() / 1000.0,
            reasons,
            advice,
            headline,
        }
    }

    fn lender_of(&self, n: &Normalized, sender_norm: &str) -> Option<&LenderDef> {
        let by_name = |text: &str| {
            self.names
                .find(text)
                .map(|m| &self.registry.lenders[self.name_lender[m.pattern().as_usize()]])
        };
        for signature in signatures(&n.text) {
            if let Some(l) = by_name(signature) {
                return Some(l);
            }
        }
        by_name(&n.text).or_else(|| self.lender_by_sender(sender_norm))
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
}

/// A rule that fired on a message.
struct Fired<'e> {
    rule: usize,
    /// The first text its patterns matched.
    evidence: String,
    /// What it adds here (see [`Rule::weights_for`]).
    weights: &'e [(Category, f64)],
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

/// How much a reason weighs towards `category` (for ordering reasons): a rule by the weights
/// it added to this message, an engine signal by the side its id names.
fn supports(rule_weights: Option<&[(Category, f64)]>, id: &str, category: Category) -> i64 {
    if let Some(weights) = rule_weights {
        let w: f64 = weights
            .iter()
            .filter(|(c, _)| *c == category)
            .map(|(_, w)| *w)
            .sum();
        return (w * 100.0) as i64;
    }
    // Engine signals: the prefix tells which side they argue for.
    let side = match id.split('.').next() {
        Some("sender") if id == "sender.official" => Category::Overdue,
        Some("sender" | "link") => Category::Scam,
        Some("text" | "time") => Category::Harassment,
        _ => Category::Other,
    };
    if side == category || (side == Category::Overdue && category == Category::Reminder) {
        250
    } else {
        0
    }
}

fn decide(t: &Tally, decisive: Option<(Category, f64)>) -> Category {
    if let Some((c, _)) = decisive {
        // A decisive harassment rule yields to a decisive-strength scam (money to a private
        // account is a scam even when it also threatens).
        if c == Category::Harassment && t.get(Category::Scam) >= 6.0 {
            return Category::Scam;
        }
        return c;
    }
    let (scam, harass) = (t.get(Category::Scam), t.get(Category::Harassment));
    if scam >= SCAM_AT && scam >= harass {
        return Category::Scam;
    }
    if harass >= HARASSMENT_AT {
        return Category::Harassment;
    }
    if scam >= SCAM_AT {
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
    if overdue >= NOTICE_AT && overdue >= reminder {
        return Category::Overdue;
    }
    if reminder >= NOTICE_AT {
        return Category::Reminder;
    }
    Category::Other
}

#[derive(Default)]
struct Tally<'e> {
    weights: [f64; 5],
    reasons: Vec<Reason>,
    /// Beside each reason: the weights its rule added, or `None` for an engine signal.
    rule_weights: Vec<Option<&'e [(Category, f64)]>>,
}

impl<'e> Tally<'e> {
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
    /// An engine signal's reason (sender, link, time, split words).
    fn reason(&mut self, rule: &str, evidence: String, description: impl Into<String>) {
        self.push(rule, evidence, description.into(), None);
    }
    /// A rule's reason, with the weights it added.
    fn rule_reason(
        &mut self,
        rule: &str,
        evidence: String,
        description: &str,
        weights: &'e [(Category, f64)],
    ) {
        self.push(rule, evidence, description.into(), Some(weights));
    }
    fn push(
        &mut self,
        rule: &str,
        evidence: String,
        description: String,
        weights: Option<&'e [(Category, f64)]>,
    ) {
        self.reasons.push(Reason {
            rule: rule.to_string(),
            evidence,
            description,
        });
        self.rule_weights.push(weights);
    }
}

fn local_hour(ts_ms: i64) -> Option<i8> {
    let ts = jiff::Timestamp::from_millisecond(ts_ms).ok()?;
    Some(ts.to_zoned(jiff::tz::TimeZone::system()).hour())
}

#[cfg(test)]
mod tests {
    use super::*;

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
