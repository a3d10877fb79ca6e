//! Property tests: what must hold for every input, not just the examples.
//! - the message key ignores sender spelling and millisecond noise, and nothing else;
//! - normalisation never panics and keeps every CJK character, in order;
//! - any message the fixture writer writes reads back equal.

mod common;

use std::path::Path;

use common::{FixtureMessage, sbr_document};
use dunwatch::classify::normalize::{is_cjk, normalize, to_simplified};
use dunwatch::ingest::{Collect, ReadOptions, ReadOutcome, sbr};
use dunwatch::model::Direction;
use dunwatch::store::message_key;
use proptest::prelude::*;

/// A mainland mobile number written the ways exporters write it: with or without +86, 0086
/// or 86, with spaces, dashes or brackets between the digits.
fn spelled_mobile() -> impl Strategy<Value = (String, String)> {
    (
        "1[3-9][0-9]{9}",
        prop::sample::select(vec![
            "", "+86", "+86 ", "0086", "0086 ", "86", "+86-", "(+86) ",
        ]),
        prop::collection::vec(prop::sample::select(vec!["", "", " ", "-", "\u{a0}"]), 11),
    )
        .prop_map(|(digits, prefix, seps)| {
            let mut s = prefix.to_string();
            for (d, sep) in digits.chars().zip(&seps) {
                s.push(d);
                s.push_str(sep);
            }
            (digits, s.trim_end_matches(['-', '\u{a0}']).to_string())
        })
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::In), Just(Direction::Out)]
}

/// One side of a pair for the "nothing else" property: small alphabets so that equal and
/// different keys both come up often.
#[derive(Debug, Clone)]
struct Side {
    /// Which sender (0, 1: two mobiles in several spellings; 2: an alphanumeric id).
    who: usize,
    spelling: usize,
    direction: Direction,
    ts_ms: Option<i64>,
    body: String,
}

const SPELLINGS: [[&str; 4]; 3] = [
    [
        "13800138000",
        "+86 138-0013-8000",
        "008613800138000",
        "8613800138000",
    ],
    [
        "13800138001",
        "+86 138 0013 8001",
        "0086-138-0013-8001",
        "+8613800138001",
    ],
    ["CoopBank", "coopbank", "COOPBANK", " CoopBank "],
];

fn side() -> impl Strategy<Value = Side> {
    (
        0..3usize,
        0..4usize,
        direction(),
        prop::option::of((-2i64..3, 0i64..1000)),
        prop::collection::vec(
            prop::sample::select(vec!["a", "b", " ", "\r", "\n", "\r\n", "欠"]),
            0..5,
        ),
    )
        .prop_map(|(who, spelling, direction, t, parts)| Side {
            who,
            spelling,
            direction,
            ts_ms: t.map(|(s, ms)| s * 1000 + ms),
            body: parts.concat(),
        })
}

impl Side {
    fn key(&self) -> [u8; 16] {
        message_key(
            SPELLINGS[self.who][self.spelling],
            self.direction,
            self.ts_ms,
            &self.body,
        )
    }

    /// What the key is promised to depend on: who, direction, whole seconds, and the text
    /// with line endings unified and surrounding white space dropped.
    fn identity(&self) -> (usize, Direction, Option<i64>, String) {
        let body = self.body.trim().replace("\r\n", "\n").replace('\r', "\n");
        (
            self.who,
            self.direction,
            self.ts_ms.map(|ms| ms.div_euclid(1000)),
            body,
        )
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn key_ignores_sender_spelling_and_milliseconds(
        (digits, spelled) in spelled_mobile(),
        direction in direction(),
        secs in -4_000_000_000i64..4_000_000_000,
        ms_a in 0i64..1000,
        ms_b in 0i64..1000,
        body in "\\PC{0,40}",
    ) {
        let a = message_key(&digits, direction, Some(secs * 1000 + ms_a), &body);
        let b = message_key(&spelled, direction, Some(secs * 1000 + ms_b), &body);
        prop_assert_eq!(a, b, "{:?} vs {:?}", digits, spelled);
    }

    #[test]
    fn key_differs_exactly_when_sender_direction_second_or_text_differ(a in side(), b in side()) {
        prop_assert_eq!(
            a.key() == b.key(),
            a.identity() == b.identity(),
            "{:?} / {:?}", a, b
        );
    }

    #[test]
    fn key_tells_different_bodies_apart(
        sender in "[0-9]{5,11}",
        ts in 0i64..4_000_000_000_000,
        body in "\\PC{1,60}",
        extra in "[^\\s]",
    ) {
        let a = message_key(&sender, Direction::In, Some(ts), &body);
        let b = message_key(&sender, Direction::In, Some(ts), &format!("{body}{extra}"));
        prop_assert_ne!(a, b);
    }

    #[test]
    fn normalisation_never_panics_on_any_text(s in any::<String>()) {
        let n = normalize(&s);
        prop_assert!(n.text.len() <= s.len() * 2 + 4);
    }

    #[test]
    fn normalisation_keeps_every_cjk_character_in_order(
        parts in prop::collection::vec(
            prop_oneof![
                // Common CJK, the Traditional characters of the vocabulary, word-splitting
                // fillers, full-width forms, ASCII, emoji.
                4 => proptest::char::range('\u{4E00}', '\u{9FFF}').prop_map(String::from),
                2 => prop::sample::select(vec!["還", "貸", "債", "騙", "證", "執", "傳"]).prop_map(String::from),
                2 => prop::sample::select(vec![" ", "*", "·", "_", "~", "|", "#", "^", "丶", "\u{3000}", "\u{a0}"]).prop_map(String::from),
                1 => proptest::char::range('\u{FF01}', '\u{FF5E}').prop_map(String::from),
                1 => proptest::char::range('\u{F900}', '\u{FAFF}').prop_map(String::from),
                2 => "[ -~]{1,3}",
                1 => Just("😀".to_string()),
            ],
            0..40,
        )
    ) {
        let s = parts.concat();
        let n = normalize(&s);
        // 丶 (U+4E36) is in the CJK block but is written as a word-splitting dot between
        // characters, where normalisation removes it on purpose; it is not text.
        let cjk = |c: char| is_cjk(c) && c != '丶';
        let before: Vec<char> = s
            .chars()
            .filter(|&c| cjk(c))
            .map(|c| to_simplified(c).unwrap_or(c))
            .collect();
        let after: Vec<char> = n.text.chars().filter(|&c| cjk(c)).collect();
        prop_assert_eq!(before, after, "{:?} -> {:?}", s, n.text);
    }

    #[test]
    fn any_message_written_as_sbr_reads_back_equal(
        msgs in prop::collection::vec(fixture_message(), 1..8)
    ) {
        let xml = sbr_document(&msgs);
        let mut sink = Collect::default();
        let outcome = sbr::read_from(
            Path::new("prop.xml"),
            xml.as_bytes(),
            &ReadOptions::default(),
            &mut sink,
        )
        .unwrap();
        prop_assert!(matches!(outcome, ReadOutcome::Complete), "{:?}", outcome);
        prop_assert!(sink.errors.is_empty(), "{:?}", sink.errors);
        let back: Vec<FixtureMessage> = sink
            .msgs
            .into_iter()
            .map(|m| FixtureMessage {
                sender: m.sender,
                body: m.body,
                ts_ms: m.ts_ms.expect("every fixture message has a time"),
                incoming: m.direction == Direction::In,
                contact: m.contact,
            })
            .collect();
        prop_assert_eq!(back, msgs);
    }
}

/// Text as people send it: any character except the C0 controls XML cannot carry (tab, LF
/// and CR are written as references). The literal `null` is the format's "absent".
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => any::<char>(),
            3 => proptest::char::range('\u{4E00}', '\u{9FFF}'),
            1 => prop::sample::select(vec!['😀', '🏦', '\n', '\r', '\t', '&', '<', '"', '\'', ';', '#']),
        ],
        0..max,
    )
    .prop_map(|cs| {
        cs.into_iter()
            .filter(|&c| c >= ' ' || "\n\r\t".contains(c))
            .collect::<String>()
    })
    .prop_filter("`null` means absent in SBR", |s| s != "null")
}

fn fixture_message() -> impl Strategy<Value = FixtureMessage> {
    (
        prop_oneof!["\\+?[0-9 -]{1,15}", "[A-Za-z]{1,10}"],
        text(80),
        -1_000_000_000_000i64..4_102_444_800_000,
        any::<bool>(),
        prop::option::of("[a-zA-Z张三李四王]([a-zA-Z张三李四王 ]{0,6}[a-zA-Z张三李四王])?"),
    )
        .prop_filter("`null` means absent in SBR", |(sender, ..)| {
            sender != "null"
        })
        .prop_map(|(sender, body, ts_ms, incoming, contact)| FixtureMessage {
            sender,
            body,
            ts_ms,
            incoming,
            contact,
        })
}
