//! Concepts: shared vocabularies of the rule packs (`rules/concepts.toml`).
//!
//! A concept is one idea — "a third party", "an alarm about an account", "a call to act" —
//! written once as regex fragments in Chinese and English. A rule uses it in two ways:
//! `{third_party}` inside a pattern (expanded here, before the pattern is checked), so
//! proximity stays the regex's job (`{threat}.{0,12}{third_party}`); and by name in a
//! schema's `all`, `any` or `none`, where the engine asks whether the concept occurs in the
//! message at all. A concept's terms may use concepts defined before it.

use std::collections::BTreeMap;

use super::rules::{ConceptDef, Lines, RuleError};

/// The concepts of every pack, later packs replacing earlier ones by id.
#[derive(Debug, Clone, Default)]
pub struct Concepts {
    /// id -> the concept's whole pattern, `(?:term|term|…)`, already expanded.
    patterns: BTreeMap<String, String>,
    /// The ids in the order they were defined (the order the engine searches them).
    order: Vec<String>,
}

/// The longest a pattern may grow by expanding concepts (a guard against a concept that
/// names itself through another, and against a pattern of a hundred concepts).
const MAX_EXPANDED: usize = 64 * 1024;

impl Concepts {
    /// Adds the concepts of one pack file; `name` and `text` are for the errors' lines.
    pub fn add(&mut self, name: &str, text: &str, defs: &[ConceptDef]) -> Vec<RuleError> {
        let mut errors = Vec::new();
        let lines = Lines::new(text);
        for def in defs {
            let line = lines.line(def.id.span().start);
            let id = def.id.get_ref();
            if !is_name(id) {
                errors.push(RuleError {
                    file: name.into(),
                    line,
                    message: format!("concept {:?}: an id is lowercase letters, digits and _", id),
                });
                continue;
            }
            let mut terms = Vec::new();
            for t in &def.terms {
                match self.expand(t.get_ref()) {
                    Ok(x) => terms.push(x),
                    Err(e) => errors.push(RuleError {
                        file: name.into(),
                        line: lines.line(t.span().start),
                        message: format!("concept {}: {e}", id),
                    }),
                }
            }
            if terms.is_empty() {
                errors.push(RuleError {
                    file: name.into(),
                    line,
                    message: format!("concept {} has no terms", id),
                });
                continue;
            }
            let pattern = format!("(?:{})", terms.join("|"));
            if let Err(e) =
                regex_syntax::Parser::new().parse(&super::rules::ascii_word_boundaries(&pattern))
            {
                errors.push(RuleError {
                    file: name.into(),
                    line,
                    message: format!("concept {}: bad term: {}", id, e),
                });
                continue;
            }
            if !self.patterns.contains_key(id) {
                self.order.push(id.clone());
            }
            self.patterns.insert(id.clone(), pattern);
        }
        errors
    }

    /// The ids in definition order: a concept's index is its place here.
    pub fn ids(&self) -> &[String] {
        &self.order
    }

    pub fn contains(&self, id: &str) -> bool {
        self.patterns.contains_key(id)
    }

    /// The whole pattern of concept `id` (its terms as one alternation).
    pub fn pattern(&self, id: &str) -> Option<&str> {
        self.patterns.get(id).map(String::as_str)
    }

    /// The concepts in definition order, with their whole patterns.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.order
            .iter()
            .map(|id| (id.as_str(), self.patterns[id].as_str()))
    }

    /// Replaces every `{id}` of a known concept with its pattern. Braces that hold a
    /// repetition (`{0,12}`, `{3}`) are left alone; `{name}` of an unknown concept is an
    /// error that names it.
    pub fn expand(&self, pattern: &str) -> Result<String, String> {
        if !pattern.contains('{') {
            return Ok(pattern.to_string());
        }
        let mut out = String::with_capacity(pattern.len());
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            // A `\{` is a literal brace.
            if rest[..open].ends_with('\\') {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
                continue;
            }
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) if is_name(&after[..close]) => {
                    let id = &after[..close];
                    let Some(p) = self.patterns.get(id) else {
                        return Err(format!(
                            "unknown concept {{{id}}} (concepts are defined in rules/concepts.toml \
                             or a [[concept]] of your own, before the rules that use them)"
                        ));
                    };
                    out.push_str(p);
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
            if out.len() > MAX_EXPANDED {
                return Err(format!(
                    "the pattern grows past {MAX_EXPANDED} bytes when its concepts are expanded"
                ));
            }
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A concept id: starts with a letter, then lowercase letters, digits and `_` (so `{0,12}`
/// is never one).
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::rules::parse_pack;

    fn concepts(text: &str) -> (Concepts, Vec<RuleError>) {
        let pack = parse_pack("c.toml", text).unwrap();
        let mut c = Concepts::default();
        let errs = c.add("c.toml", text, &pack.concepts);
        (c, errs)
    }

    #[test]
    fn a_concept_expands_inside_a_pattern_and_repetitions_stay_as_they_are() {
        let (c, errs) = concepts(
            "[[concept]]\nid = \"kin\"\nterms = ['父母', 'parents?']\n\
             [[concept]]\nid = \"tell_kin\"\nterms = ['告诉.{0,4}{kin}']\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(
            c.expand("{tell_kin}.{0,3}x{2}").unwrap(),
            "(?:告诉.{0,4}(?:父母|parents?)).{0,3}x{2}"
        );
        assert_eq!(c.expand(r"\{kin}").unwrap(), r"\{kin}");
    }

    #[test]
    fn an_unknown_concept_is_an_error_with_its_name_and_line() {
        let (c, errs) = concepts("[[concept]]\nid = \"a\"\nterms = ['x',\n  '{nosuch}']\n");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 4, "{}", errs[0]);
        assert!(errs[0].message.contains("{nosuch}"), "{}", errs[0]);
        assert!(c.expand("{a}").is_ok());
        assert!(c.expand("{b}").unwrap_err().contains("{b}"));
    }

    #[test]
    fn a_bad_term_is_refused_and_the_concept_left_out() {
        let (c, errs) = concepts("[[concept]]\nid = \"a\"\nterms = ['(']\n");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(!c.contains("a"));
    }
}
