//! All rule patterns searched in one pass over a message.
//!
//! Patterns with gaps (`(逾期|欠款).{0,10}(征信|起诉)`) are the expensive part of a set: over
//! varied Chinese text their overlapping gaps make the lazy DFA build new states for almost
//! every message (long scam texts ran at 500 messages a second). So a pattern with top-level
//! gaps is split at them: its pieces (`(逾期|欠款)`, `(征信|起诉)`) join the one-pass set, and
//! only when every piece occurs is the whole pattern run, on its own, to confirm. Patterns
//! whose gaps cannot be split safely (a top-level `|`) run on their own every time.

use std::sync::OnceLock;

use regex::{Regex, RegexSet, RegexSetBuilder};

pub struct PatternSet {
    /// The members, in chunks of consecutive indexes (`CHUNK`), each chunk one set.
    sets: Vec<RegexSet>,
    members_len: usize,
    /// What each member of `set` stands for.
    members: Vec<Member>,
    /// Split patterns: the set members that must all match, and the whole pattern (compiled
    /// the first time its pieces all occur: most never do, and compiling them all made
    /// start-up, and so every re-scan, twice as slow).
    split: Vec<SplitPattern>,
    /// Gapped patterns that could not be split.
    solo: Vec<(usize, Regex)>,
    patterns: usize,
}

struct SplitPattern {
    index: usize,
    pieces: Vec<usize>,
    pattern: String,
    compiled: OnceLock<Option<Regex>>,
}

#[derive(Clone, Copy)]
enum Member {
    Whole(usize),
    /// The first piece of `split[k]`: when it matches, the other pieces are checked.
    FirstPiece(usize),
    Piece,
}

/// The lazy DFA's cache for each set: a ceiling, not an allocation.
const DFA_CACHE: usize = 32 << 20;

/// Members per set. One set of all 790 shipped members made the lazy DFA's cache overflow on
/// ordinary Chinese text, again and again, until it gave up for the far slower NFA: 406 µs
/// a message on mudou_normal against 11 µs in sets of 400 (`cargo bench --bench classify`;
/// a 256 MB cache did as well as two sets, 8 MB each in sets of 200 did not). At 999 members
/// (session 11) sets of 400 made a third pass over every message, 24 % slower on UCI ham and
/// zh-TW normal; sets of 500 keep two passes (+6–15 % on every set against 790 members).
const SET_CHUNK: usize = 500;

impl PatternSet {
    pub fn new(patterns: &[String]) -> Result<PatternSet, regex::Error> {
        let mut set_patterns: Vec<String> = Vec::new();
        let mut members = Vec::new();
        let mut split = Vec::new();
        let mut solo = Vec::new();
        for (i, pattern) in patterns.iter().enumerate() {
            // A pattern matches where any of its top-level alternatives does.
            for p in alternatives(pattern) {
                match pieces(&p) {
                    Pieces::Whole => {
                        set_patterns.push(p);
                        members.push(Member::Whole(i));
                    }
                    Pieces::Split(parts) => {
                        let mut ids = Vec::new();
                        for (n, part) in parts.into_iter().enumerate() {
                            ids.push(set_patterns.len());
                            set_patterns.push(part);
                            members.push(if n == 0 {
                                Member::FirstPiece(split.len())
                            } else {
                                Member::Piece
                            });
                        }
                        // Checked here (cheaply, by parsing), compiled on first use.
                        regex_syntax::Parser::new()
                            .parse(&p)
                            .map_err(|e| regex::Error::Syntax(e.to_string()))?;
                        split.push(SplitPattern {
                            index: i,
                            pieces: ids,
                            pattern: p,
                            compiled: OnceLock::new(),
                        });
                    }
                    Pieces::Solo => solo.push((i, Regex::new(&p)?)),
                }
            }
        }
        let sets = set_patterns
            .chunks(SET_CHUNK)
            .map(|c| RegexSetBuilder::new(c).dfa_size_limit(DFA_CACHE).build())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PatternSet {
            sets,
            members_len: set_patterns.len(),
            members,
            split,
            solo,
            patterns: patterns.len(),
        })
    }

    /// Indexes of every pattern that matches somewhere in `text`, ascending.
    pub fn matches(&self, text: &str) -> Vec<usize> {
        // Which members matched, across the sets (a split pattern's pieces may sit in two).
        let mut matched = vec![false; self.members_len];
        let mut any = Vec::new();
        let mut base = 0;
        for set in &self.sets {
            let hits = set.matches(text);
            for m in hits.iter() {
                matched[base + m] = true;
                any.push(base + m);
            }
            base += set.len();
        }
        let mut out = Vec::new();
        // Only the members that matched are visited: most messages match few or none of
        // the several hundred, and walking every split pattern was a fifth of the time.
        for m in any {
            match self.members[m] {
                Member::Whole(i) => out.push(i),
                Member::FirstPiece(k) => {
                    let s = &self.split[k];
                    if s.pieces[1..].iter().all(|&id| matched[id])
                        && s.compiled
                            .get_or_init(|| compile_late(&s.pattern))
                            .as_ref()
                            .is_some_and(|re| re.is_match(text))
                    {
                        out.push(s.index);
                    }
                }
                Member::Piece => {}
            }
        }
        for (i, re) in &self.solo {
            if re.is_match(text) {
                out.push(*i);
            }
        }
        out.sort_unstable();
        out.dedup();
        debug_assert!(out.iter().all(|&i| i < self.patterns));
        out
    }
}

/// Compiles a whole split pattern on first use. It parsed when the rules loaded; if it is
/// still too large to compile, it is said once and the pattern never matches, rather than
/// stopping the daemon over one user rule.
fn compile_late(pattern: &str) -> Option<Regex> {
    match Regex::new(pattern) {
        Ok(re) => Some(re),
        Err(e) => {
            tracing::warn!("rule pattern {pattern:?} cannot be used: {e}");
            None
        }
    }
}

/// The top-level alternatives of a pattern, each with the pattern's leading flags; the
/// pattern itself when splitting would change its meaning (or a piece would not compile).
fn alternatives(pattern: &str) -> Vec<String> {
    let (flags, body) = leading_flags(pattern);
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut depth, mut in_class) = (0i32, false);
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                if let Some(n) = chars.next() {
                    current.push(n);
                }
                continue;
            }
            _ if in_class => in_class = c != ']',
            '[' => in_class = true,
            '(' => depth += 1,
            ')' => depth -= 1,
            '|' if depth == 0 => {
                out.push(format!("{flags}{}", std::mem::take(&mut current)));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(format!("{flags}{current}"));
    if out.len() > 1
        && out
            .iter()
            .all(|a| a.len() > flags.len() && Regex::new(a).is_ok())
    {
        out
    } else {
        vec![pattern.to_string()]
    }
}

/// `(?i)` and the like at the start of a pattern, and the rest.
fn leading_flags(pattern: &str) -> (&str, &str) {
    if let Some(rest) = pattern.strip_prefix("(?")
        && let Some(end) = rest.find(')')
        && rest[..end]
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '-')
    {
        return pattern.split_at(end + 3);
    }
    ("", pattern)
}

enum Pieces {
    /// No gap: the pattern goes into the set as it is.
    Whole,
    /// Required pieces between top-level gaps (each a valid pattern, with the leading flags).
    Split(Vec<String>),
    /// A gap that cannot be split safely.
    Solo,
}

/// Splits a pattern at its top-level gaps (`.{m,n}`, `.*`, `.+`, lazy or not).
fn pieces(pattern: &str) -> Pieces {
    // Leading inline flags like `(?i)` apply to every piece.
    let (flags, body) = leading_flags(pattern);
    let chars: Vec<char> = body.chars().collect();
    let (mut depth, mut in_class, mut i) = (0i32, false, 0);
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut top_alternation = false;
    let mut nested_gap = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            current.push(c);
            if let Some(&n) = chars.get(i + 1) {
                current.push(n);
            }
            i += 2;
            continue;
        }
        if in_class {
            in_class = c != ']';
            current.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => in_class = true,
            '(' => depth += 1,
            ')' => depth -= 1,
            '|' if depth == 0 => top_alternation = true,
            '.' if depth > 0 => {
                nested_gap |= matches!(chars.get(i + 1), Some('*' | '+' | '{'));
            }
            '.' => {
                let gap_end = match chars.get(i + 1) {
                    Some('*' | '+') => Some(i + 2),
                    Some('{') => chars[i + 1..]
                        .iter()
                        .position(|&c| c == '}')
                        .map(|p| i + 1 + p + 1),
                    _ => None,
                };
                if let Some(mut end) = gap_end {
                    if chars.get(end) == Some(&'?') {
                        end += 1;
                    }
                    parts.push(std::mem::take(&mut current));
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        current.push(c);
        i += 1;
    }
    parts.push(current);
    if parts.len() == 1 {
        return if nested_gap {
            Pieces::Solo
        } else {
            Pieces::Whole
        };
    }
    if top_alternation || parts.iter().any(|p| p.trim().is_empty()) {
        return Pieces::Solo;
    }
    let mut required = Vec::new();
    for part in parts {
        let p = format!("{flags}{part}");
        // Every piece must stand alone as a pattern; otherwise do not split.
        let Ok(hir) = regex_syntax::parse(&p) else {
            return Pieces::Solo;
        };
        // A piece that can match nothing (`(即将|到期)?`) requires nothing, and in the set
        // it would match at every position of every message (it made the whole set search
        // twice as slow).
        if hir.properties().minimum_len() != Some(0) {
            required.push(p);
        }
    }
    if required.is_empty() {
        return Pieces::Solo;
    }
    Pieces::Split(required)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(p: &str) -> Option<Vec<String>> {
        match pieces(p) {
            Pieces::Split(v) => Some(v),
            _ => None,
        }
    }

    #[test]
    fn top_level_gaps_split_and_nested_or_alternated_ones_do_not() {
        assert_eq!(
            split("(逾期|欠款).{0,10}(征信|起诉)"),
            Some(vec!["(逾期|欠款)".to_string(), "(征信|起诉)".to_string()])
        );
        assert_eq!(
            split("(?i)(click|tap).{0,20}(link).*?(pay)"),
            Some(vec![
                "(?i)(click|tap)".into(),
                "(?i)(link)".into(),
                "(?i)(pay)".into()
            ])
        );
        // A piece that may match nothing requires nothing: it is left out.
        assert_eq!(
            split("(积分|券).{0,10}(即将|到期)?.{0,6}(失效|清零)"),
            Some(vec!["(积分|券)".to_string(), "(失效|清零)".to_string()])
        );
        assert!(matches!(pieces("a?.{0,3}b*"), Pieces::Solo));
        assert!(matches!(pieces("a(b.{0,3}c)d"), Pieces::Solo));
        assert!(matches!(pieces("a.{0,3}b|c"), Pieces::Solo));
        assert!(matches!(pieces(r"a\.{0,3}b"), Pieces::Whole));
        assert!(matches!(pieces("[.]{2}x"), Pieces::Whole));
        assert!(matches!(pieces("逾期"), Pieces::Whole));
    }

    /// The shipped rules' patterns, searched together, find on every text the rules carry
    /// (examples and counter-examples) and on the labelled fixtures exactly what each
    /// pattern finds alone.
    #[test]
    fn the_shipped_patterns_together_find_what_each_finds_alone() {
        let engine = crate::classify::Engine::builtin().unwrap();
        let pats: Vec<String> = engine.patterns.iter().map(|(p, _)| p.clone()).collect();
        let alone: Vec<Regex> = pats.iter().map(|p| Regex::new(p).unwrap()).collect();
        let mut texts: Vec<String> = engine
            .rules()
            .iter()
            .flat_map(|r| r.examples.iter().chain(r.not_examples.iter()).cloned())
            .collect();
        let labelled = include_str!("../../tests/fixtures/labelled/research_examples.jsonl");
        for line in labelled.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            texts.push(v["body"].as_str().unwrap_or_default().to_string());
        }
        assert!(texts.len() > 200, "{}", texts.len());
        for text in &texts {
            let text = crate::classify::normalize::normalize(text).text;
            let want: Vec<usize> = (0..pats.len())
                .filter(|&i| alone[i].is_match(&text))
                .collect();
            assert_eq!(engine.set.matches(&text), want, "{text}");
        }
    }

    #[test]
    fn split_set_finds_exactly_what_each_pattern_finds_alone() {
        let pats: Vec<String> = [
            "(逾期|欠款).{0,4}(征信|起诉)",
            "征信",
            "a(b.{0,3}c)d",
            "x.{0,2}y|z",
            "m|(?:n.{0,3}o)|p.{0,2}q",
            "(?i)pay.{0,5}now",
            "(积分|券).{0,3}(即将)?.{0,2}(失效|清零)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let set = PatternSet::new(&pats).unwrap();
        for text in [
            "已逾期，将上报征信",
            "逾期很久很久很久了，征信",
            "abxxcd",
            "xqy",
            "z",
            "nxxo",
            "pxq",
            "m",
            "PAY it NOW",
            "pay later, now",
            "积分即将清零",
            "积分明天失效",
            "积分很久很久很久以后将会失效",
            "",
        ] {
            let want: Vec<usize> = pats
                .iter()
                .enumerate()
                .filter(|(_, p)| Regex::new(p).unwrap().is_match(text))
                .map(|(i, _)| i)
                .collect();
            assert_eq!(set.matches(text), want, "{text}");
        }
    }
}
