//! Rule packs as data. A pack is a TOML file of rules; each rule has regex patterns (matched
//! against the normalised text), optional `unless` patterns that cancel it, weights it adds
//! to categories, and examples it must (and must not) fire on. Shipped packs are embedded
//! in the binary; files in the user's rules folder add rules or replace shipped ones by id.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::model::Category;

/// A rule pack file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    #[serde(default)]
    pub pack: String,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleDef>,
    #[serde(default, rename = "lender")]
    pub lenders: Vec<super::registry::LenderDef>,
    /// Institutions that are not lenders (utilities, carriers, tax, courts, police...):
    /// what a message may claim to be, with their official senders and hosts.
    #[serde(default, rename = "institution")]
    pub institutions: Vec<super::registry::LenderDef>,
    /// Shared vocabularies that rules use as `{id}` inside patterns and name in `all`,
    /// `any` and `none`.
    #[serde(default, rename = "concept")]
    pub concepts: Vec<ConceptDef>,
    /// The engine's own weights and thresholds (see `rules/engine.toml`); a later file
    /// overrides the keys it names.
    #[serde(default)]
    pub engine: Option<toml::Table>,
}

/// A shared vocabulary: regex fragments for one idea ("a third party", "an alarm"), in
/// every language the packs speak.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConceptDef {
    /// With its place in the file, so errors name the line without searching the text.
    pub id: Spanned<String>,
    /// For the people who read the pack; the engine shows rules' descriptions, not these.
    #[serde(default)]
    pub description: BTreeMap<String, String>,
    /// Each term is a regex fragment; the concept matches where any term does.
    pub terms: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// With its place in the file, so errors name the line without searching the text.
    pub id: Spanned<String>,
    /// Description per language (`zh-CN`, `zh-TW`, `en`); shown as the reason.
    #[serde(default)]
    pub description: BTreeMap<String, String>,
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// Weights that replace `weights` when the message talks about debt or loans: one rule
    /// for a sign that decides in a loan message and only counts elsewhere (a request for
    /// an ID number).
    #[serde(default)]
    pub weights_about_debt: BTreeMap<String, f64>,
    /// A decisive rule sets the category of its largest weight on its own.
    #[serde(default)]
    pub decisive: bool,
    /// The rule only counts when the message talks about debt or loans (insults and
    /// threats in a chat between friends are not collection).
    #[serde(default)]
    pub needs_debt: bool,
    /// A schema (SpamAssassin's meta rules): every name in `all` must be present, at least
    /// one of `any` (when given), none of `none`. A name is a concept, a rule fired earlier
    /// in the order of the packs, or an engine fact (`fact.…`). With patterns too, a
    /// pattern must also match.
    #[serde(default)]
    pub all: Vec<String>,
    #[serde(default)]
    pub any: Vec<String>,
    #[serde(default)]
    pub none: Vec<String>,
    /// A request no genuine institution makes (a private contact, screen sharing, a
    /// transfer to a "safe" account, codes): an official sender does not excuse it.
    #[serde(default)]
    pub risky: bool,
    /// What this rule finds (a disbursal, a repayment received, a bill issued), from the
    /// lender's official sender, shows that the person has an account with that lender.
    #[serde(default)]
    pub account: bool,
    /// `false` in a user's rule file switches off the shipped rule of the same id.
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub not_examples: Vec<String>,
}

fn yes() -> bool {
    true
}

/// A problem in a rule file, with the line it is on.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// A rule ready to match, with where it came from.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub description: BTreeMap<String, String>,
    pub patterns: Vec<String>,
    pub unless: Vec<regex::Regex>,
    pub weights: Vec<(Category, f64)>,
    /// Empty when the rule weighs the same whatever the message is about.
    pub weights_about_debt: Vec<(Category, f64)>,
    pub decisive: bool,
    pub needs_debt: bool,
    pub all: Vec<String>,
    pub any: Vec<String>,
    pub none: Vec<String>,
    pub risky: bool,
    pub account: bool,
    pub enabled: bool,
    pub examples: Vec<String>,
    pub not_examples: Vec<String>,
    /// `file:line` of the rule's id.
    pub origin: String,
}

impl Rule {
    /// What the rule adds to a message; `about_debt` (whether the message talks about debt)
    /// is asked only of a rule with `weights_about_debt`.
    pub fn weights_for(&self, about_debt: impl FnOnce() -> bool) -> &[(Category, f64)] {
        if !self.weights_about_debt.is_empty() && about_debt() {
            &self.weights_about_debt
        } else {
            &self.weights
        }
    }

    /// The description in `lang`, else as the catalog falls back (zh-TW to zh-CN, then
    /// English), else any. Every shipped rule writes its own Traditional text (a test
    /// checks each); a person's own rule without one is read in Simplified.
    pub fn description_for(&self, lang: &str) -> &str {
        let fallbacks: &[&str] = if lang == "zh-TW" {
            &["zh-CN", "en"]
        } else {
            &["en"]
        };
        std::iter::once(lang)
            .chain(fallbacks.iter().copied())
            .find_map(|l| self.description.get(l))
            .or_else(|| self.description.values().next())
            .map_or("", String::as_str)
    }
}

impl Rule {
    /// A user's `enabled = false` entry: it removes the rule of its id and matches nothing.
    fn disabled(def: &RuleDef, origin: String) -> Rule {
        Rule {
            id: def.id.get_ref().clone(),
            description: BTreeMap::new(),
            patterns: Vec::new(),
            unless: Vec::new(),
            weights: Vec::new(),
            weights_about_debt: Vec::new(),
            decisive: false,
            needs_debt: false,
            all: Vec::new(),
            any: Vec::new(),
            none: Vec::new(),
            risky: false,
            account: false,
            enabled: false,
            examples: Vec::new(),
            not_examples: Vec::new(),
            origin,
        }
    }

    /// A schema: a rule decided by what else is present, not (only) by its patterns.
    pub fn is_schema(&self) -> bool {
        !self.all.is_empty() || !self.any.is_empty()
    }
}

pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Line numbers by byte offset, from one pass over a file. Counting the newlines before
/// each rule from the start of the text made loading quadratic: a user file of 7 700 rules
/// took seconds, and a large one blocked the daemon for minutes.
pub struct Lines {
    /// Offsets of every `\n`, ascending.
    newlines: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        Lines {
            newlines: memchr::memchr_iter(b'\n', text.as_bytes()).collect(),
        }
    }

    /// The 1-based line of `offset`, as [`line_of`] counts it.
    pub fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&n| n < offset) + 1
    }
}

/// Parses one pack file; `name` names it in errors.
pub fn parse_pack(name: &str, text: &str) -> Result<PackFile, RuleError> {
    toml::from_str::<PackFile>(text).map_err(|e| RuleError {
        file: name.to_string(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().to_string(),
    })
}

/// Checks and compiles the rules of one pack. Every bad pattern is reported, not only the
/// first.
/// The largest weight a rule may add (the thresholds are a few points).
pub const MAX_WEIGHT: f64 = 100.0;

pub fn compile_rules(
    name: &str,
    text: &str,
    defs: &[RuleDef],
    concepts: &super::concepts::Concepts,
) -> Result<Vec<Rule>, Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let lines = Lines::new(text);
    for def in defs {
        let line = lines.line(def.id.span().start);
        let id = def.id.get_ref();
        let mut err = |line: usize, message: String| {
            errors.push(RuleError {
                file: name.to_string(),
                line,
                message,
            })
        };
        if id.trim().is_empty() {
            err(line, "a rule without an id".into());
            continue;
        }
        if !def.enabled {
            // Only the id matters: the rule of that id is switched off.
            out.push(Rule::disabled(def, format!("{name}:{line}")));
            continue;
        }
        if def.patterns.is_empty() && def.all.is_empty() && def.any.is_empty() {
            err(
                line,
                format!("rule {} has no patterns and no all/any conditions", id),
            );
        }
        let mut weights_of = |table: &BTreeMap<String, f64>| {
            let mut weights = Vec::new();
            for (cat, w) in table {
                match cat.parse::<Category>() {
                    // TOML allows nan and inf; either would make every score NaN (stored as
                    // NULL, which the database refuses) or decide every message.
                    Ok(_) if !w.is_finite() || w.abs() > MAX_WEIGHT => err(
                        line,
                        format!(
                            "rule {}: weight {w} for {cat} must be a number between \
                             -{MAX_WEIGHT} and {MAX_WEIGHT}",
                            id
                        ),
                    ),
                    Ok(c) => weights.push((c, *w)),
                    Err(e) => err(line, format!("rule {}: {e}", id)),
                }
            }
            weights
        };
        let weights = weights_of(&def.weights);
        let weights_about_debt = weights_of(&def.weights_about_debt);
        if def.needs_debt && !def.weights_about_debt.is_empty() {
            err(
                line,
                format!(
                    "rule {}: needs_debt already keeps the rule to messages about debt; \
                     put its weights in `weights` and drop `weights_about_debt`",
                    id
                ),
            );
        }
        let mut patterns = Vec::new();
        for p in &def.patterns {
            let expanded = match concepts.expand(p.get_ref()) {
                Ok(x) => ascii_word_boundaries(&x),
                Err(e) => {
                    err(lines.line(p.span().start), format!("rule {}: {e}", id));
                    continue;
                }
            };
            // Parsing is enough to find a bad pattern and costs a fraction of compiling it;
            // the engine compiles all patterns once, as one set.
            if let Err(e) = regex_syntax::Parser::new().parse(&expanded) {
                err(
                    lines.line(p.span().start),
                    format!(
                        "rule {}: bad pattern {:?}: {}",
                        id,
                        p.get_ref(),
                        first_line(&e.to_string())
                    ),
                );
            }
            patterns.push(expanded);
        }
        let mut unless = Vec::new();
        for p in &def.unless {
            let expanded = match concepts.expand(p.get_ref()) {
                Ok(x) => x,
                Err(e) => {
                    err(lines.line(p.span().start), format!("rule {}: {e}", id));
                    continue;
                }
            };
            match regex::Regex::new(&ascii_word_boundaries(&expanded)) {
                Ok(r) => unless.push(r),
                Err(e) => err(
                    lines.line(p.span().start),
                    format!(
                        "rule {}: bad pattern {:?}: {}",
                        id,
                        p.get_ref(),
                        first_line(&e.to_string())
                    ),
                ),
            }
        }
        out.push(Rule {
            id: id.clone(),
            description: def.description.clone(),
            patterns,
            unless,
            weights,
            weights_about_debt,
            decisive: def.decisive,
            needs_debt: def.needs_debt,
            all: def.all.clone(),
            any: def.any.clone(),
            none: def.none.clone(),
            risky: def.risky,
            account: def.account,
            enabled: true,
            examples: def.examples.clone(),
            not_examples: def.not_examples.clone(),
            origin: format!("{name}:{line}"),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Rewrites `\b` and `\B` as their ASCII forms (`(?-u:\b)`). A Unicode word boundary
/// cannot be decided by the regex crate's fast DFA on non-ASCII text, so one such pattern in
/// the set sends every Chinese message through the slow PikeVM (50x slower). The boundaries
/// in the packs guard English words (`\birs\b`), where the ASCII meaning is the same; next to
/// a CJK character the ASCII form sees a boundary, which is what those rules want.
pub fn ascii_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(b @ ('b' | 'B')) if !in_class => {
                    out.push_str("(?-u:\\");
                    out.push(b);
                    out.push(')');
                }
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            },
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn first_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

/// The shipped packs, embedded so the binary works with no files around it.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "rules/lenders.toml",
        include_str!("../../rules/lenders.toml"),
    ),
    (
        "rules/institutions.toml",
        include_str!("../../rules/institutions.toml"),
    ),
    ("rules/engine.toml", include_str!("../../rules/engine.toml")),
    (
        "rules/concepts.toml",
        include_str!("../../rules/concepts.toml"),
    ),
    ("rules/zh-CN.toml", include_str!("../../rules/zh-CN.toml")),
    ("rules/zh-TW.toml", include_str!("../../rules/zh-TW.toml")),
    ("rules/en.toml", include_str!("../../rules/en.toml")),
    (
        "rules/schemas.toml",
        include_str!("../../rules/schemas.toml"),
    ),
];

/// A rule file larger than this is refused (a rule pack is a few tens of kilobytes; the
/// shipped ones together are under 1 MB).
pub const MAX_RULE_FILE: usize = 4 << 20;

/// "FILE:0: the file is N bytes; …": a rule file over [`MAX_RULE_FILE`], named.
pub fn too_large(name: &str, bytes: u64) -> RuleError {
    RuleError {
        file: name.to_string(),
        line: 0,
        message: format!(
            "the file is {bytes} bytes; a rule file may be at most {MAX_RULE_FILE} bytes \
             (split it into several files in the rules folder, or remove rules)"
        ),
    }
}

/// The rule files read, as (name, text), and the problems of those refused.
pub type UserFiles = (Vec<(String, String)>, Vec<RuleError>);

/// The user's rule files (`*.toml` in the rules folder), sorted by name, and the ones
/// refused: over [`MAX_RULE_FILE`] (judged by the size of the open file, before anything
/// is read, so a huge or sparse file costs nothing), or not a regular file (a FIFO would
/// block the reader for ever).
pub fn user_files(dir: &Path) -> std::io::Result<UserFiles> {
    use std::io::Read;
    let mut out = Vec::new();
    let mut refused = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((out, refused)),
        Err(e) => return Err(e),
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "toml") && !crate::import::is_ignored_name(p)
        })
        .collect();
    paths.sort();
    for p in paths {
        let name = p.display().to_string();
        let file = match crate::ingest::open_regular(&p) {
            Ok(f) => f,
            Err(e) => {
                let message = if e.to_string() == crate::ingest::NOT_REGULAR {
                    "not a regular file (a FIFO, socket or device), so it is not read; \
                     a rule file is an ordinary .toml file"
                        .to_string()
                } else {
                    format!("cannot read the rule file: {e}")
                };
                refused.push(RuleError {
                    file: name,
                    line: 0,
                    message,
                });
                continue;
            }
        };
        let size = file.metadata()?.len();
        if size > MAX_RULE_FILE as u64 {
            refused.push(too_large(&name, size));
            continue;
        }
        // Read no more than the limit even if the file grows meanwhile.
        let mut text = String::new();
        file.take(MAX_RULE_FILE as u64 + 1)
            .read_to_string(&mut text)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{name}: {e}")))?;
        if text.len() > MAX_RULE_FILE {
            refused.push(too_large(&name, text.len() as u64));
            continue;
        }
        out.push((name, text));
    }
    Ok((out, refused))
}

#[cfg(test)]
mod tests {
    /// A user pack with the shipped concepts beside it (the engine needs `debt_talk`).
    fn with_concepts(text: &str) -> Vec<(String, String)> {
        let concepts = SHIPPED.iter().find(|(n, _)| n.ends_with("concepts.toml"));
        let (name, shipped) = concepts.expect("shipped concepts");
        vec![
            (name.to_string(), shipped.to_string()),
            ("u.toml".into(), text.into()),
        ]
    }

    use super::*;

    #[test]
    fn word_boundaries_become_ascii_so_the_fast_dfa_can_run() {
        assert_eq!(
            ascii_word_boundaries(r"\birs\b|x\By"),
            r"(?-u:\b)irs(?-u:\b)|x(?-u:\B)y"
        );
        // A literal backslash before b, and \b inside a class, are left alone.
        assert_eq!(ascii_word_boundaries(r"a\\b[\b]"), r"a\\b[\b]");
        let re = regex::Regex::new(&ascii_word_boundaries(r"\b(loan|irs)\b")).unwrap();
        assert!(re.is_match("the IRS notice".to_lowercase().as_str()));
        assert!(re.is_match("您的loan已逾期"));
        assert!(!re.is_match("loans"));
        assert!(!re.is_match("firs"));
    }

    #[test]
    fn a_bad_pattern_is_reported_with_file_and_line() {
        let text = "[[rule]]\nid = \"x.a\"\npatterns = [\"ok\",\n  \"(unclosed\"]\nweights = { scam = 1.0 }\n";
        let pack = parse_pack("user.toml", text).unwrap();
        let errs = compile_rules("user.toml", text, &pack.rules, &Default::default()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 4, "{}", errs[0]);
        assert!(
            errs[0]
                .to_string()
                .starts_with("user.toml:4: rule x.a: bad pattern"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn unknown_keys_and_categories_are_errors_with_lines() {
        let err = parse_pack("u.toml", "[[rule]]\nid = \"a\"\npaterns = [\"x\"]\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let text = "[[rule]]\nid = \"a\"\npatterns = [\"x\"]\nweights = { spam = 1.0 }\n";
        let pack = parse_pack("u.toml", text).unwrap();
        let errs = compile_rules("u.toml", text, &pack.rules, &Default::default()).unwrap_err();
        assert!(errs[0].message.contains("spam"), "{}", errs[0]);
    }

    #[test]
    fn nan_and_infinite_weights_are_refused_with_their_line() {
        for w in ["nan", "inf", "-inf", "1e300"] {
            let text =
                format!("[[rule]]\nid = \"a\"\npatterns = [\"x\"]\nweights = {{ scam = {w} }}\n");
            let pack = parse_pack("u.toml", &text).unwrap();
            let errs =
                compile_rules("u.toml", &text, &pack.rules, &Default::default()).unwrap_err();
            assert_eq!(errs.len(), 1, "{w}");
            assert!(
                errs[0].to_string().starts_with("u.toml:2: rule a: weight"),
                "{}",
                errs[0]
            );
        }
    }

    #[test]
    fn weights_about_debt_with_needs_debt_is_an_error_that_says_which_to_keep() {
        let text = "[[rule]]\nid = \"a\"\npatterns = [\"x\"]\nneeds_debt = true\n\
                    weights = { scam = 1.0 }\nweights_about_debt = { scam = 3.0 }\n";
        let pack = parse_pack("u.toml", text).unwrap();
        let errs = compile_rules("u.toml", text, &pack.rules, &Default::default()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].message.contains("drop `weights_about_debt`"),
            "{}",
            errs[0]
        );
        let bad = "[[rule]]\nid = \"a\"\npatterns = [\"x\"]\nweights_about_debt = { scam = nan }\n";
        let pack = parse_pack("u.toml", bad).unwrap();
        assert!(compile_rules("u.toml", bad, &pack.rules, &Default::default()).is_err());
    }

    #[test]
    fn an_engine_without_the_debt_talk_concept_is_refused_with_its_name() {
        let text =
            "[[rule]]\nid = \"scam.click\"\npatterns = [\"点击\"]\nweights = { scam = 3.0 }\n";
        let err = crate::classify::Engine::from_texts(vec![("u.toml".into(), text.into())])
            .err()
            .expect("no debt_talk concept");
        assert!(err.to_string().contains("debt_talk"), "{err}");
    }

    #[test]
    fn a_rule_weighs_its_debt_weights_only_in_a_message_about_debt() {
        let text = "[[rule]]\nid = \"scam.ask_id\"\npatterns = [\"身份证号\"]\n\
                    weights = { scam = 2.0 }\nweights_about_debt = { scam = 3.5 }\n";
        let engine = crate::classify::Engine::from_texts(with_concepts(text))
            .unwrap_or_else(|e| panic!("{e}"));
        let verdict = |body: &str| {
            engine.classify(&crate::classify::Input {
                sender: "13800138000",
                body,
                ts_ms: None,
                utc_offset_s: None,
            })
        };
        let loan = verdict("您的借款需要核实，请发送身份证号");
        assert_eq!(loan.category, Category::Scam, "{loan:?}");
        let chat = verdict("帮我报名要用你的身份证号");
        assert_eq!(chat.category, Category::Other, "{chat:?}");
        // One reason, whichever weights applied.
        for v in [&loan, &chat] {
            let n = v.reasons.iter().filter(|r| r.rule == "scam.ask_id").count();
            assert_eq!(n, 1, "{v:?}");
        }
    }

    #[test]
    fn reasons_are_ranked_by_the_weights_their_rules_added_to_this_message() {
        let text = "[[rule]]\nid = \"scam.ask_id\"\npatterns = [\"身份证号\"]\n\
                    weights = { scam = 2.0 }\nweights_about_debt = { scam = 3.5 }\n\
                    [[rule]]\nid = \"scam.click\"\npatterns = [\"点击\"]\n\
                    weights = { scam = 3.0 }\n";
        let engine = crate::classify::Engine::from_texts(with_concepts(text))
            .unwrap_or_else(|e| panic!("{e}"));
        let order = |body: &str| {
            let v = engine.classify(&crate::classify::Input {
                sender: "13800138000",
                body,
                ts_ms: None,
                utc_offset_s: None,
            });
            assert_eq!(v.category, Category::Scam, "{v:?}");
            v.reasons.into_iter().map(|r| r.rule).collect::<Vec<_>>()
        };
        assert_eq!(
            order("点击核实借款，请发送身份证号"),
            ["scam.ask_id", "scam.click"]
        );
        assert_eq!(
            order("身份证号发我，点击报名"),
            ["scam.click", "scam.ask_id"]
        );
    }

    #[test]
    fn every_shipped_pack_parses_and_compiles() {
        crate::classify::Engine::builtin().unwrap_or_else(|e| panic!("{e}"));
        for (name, text) in SHIPPED {
            let pack = parse_pack(name, text).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                !pack.rules.is_empty()
                    || !pack.lenders.is_empty()
                    || pack.engine.is_some()
                    || !pack.concepts.is_empty()
                    || !pack.institutions.is_empty(),
                "{name} is empty"
            );
        }
    }
}
