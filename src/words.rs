//! The message catalog: every word a person reads — on the command line, in alerts, reports,
//! errors and the review page — by key, in each language, from `locales/LANG/*.toml`.
//!
//! English is complete and sits behind every gap; zh-CN is checked by a test to have every
//! English key; zh-TW falls back to zh-CN, then English, key by key, and so holds only the
//! texts it writes differently. The files are embedded: a broken one cannot ship (the tests
//! parse them all).
//!
//! The words are trusted text; what is filled into them (a sender, a message, a file name)
//! is not, and is escaped by whoever writes the result where markup counts: the alerts fill
//! in escaped values (`alert::desktop::escape_markup`), the pages escape the filled-in text
//! as they print it (`crate::templates`).

mod phrase;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::lang::Lang;

pub use phrase::{Arg, Failed, OrSay, Phrase};

/// One language's files, in the order they are read (later keys win only across languages,
/// never within one: a key defined in two files of one language is a test failure).
const EN: &[(&str, &str)] = &[
    ("page", include_str!("../locales/en/page.toml")),
    ("cli", include_str!("../locales/en/cli.toml")),
    ("alert", include_str!("../locales/en/alert.toml")),
    ("report", include_str!("../locales/en/report.toml")),
    ("advice", include_str!("../locales/en/advice.toml")),
    ("import", include_str!("../locales/en/import.toml")),
];
const ZH_CN: &[(&str, &str)] = &[
    ("page", include_str!("../locales/zh-CN/page.toml")),
    ("cli", include_str!("../locales/zh-CN/cli.toml")),
    ("alert", include_str!("../locales/zh-CN/alert.toml")),
    ("report", include_str!("../locales/zh-CN/report.toml")),
    ("advice", include_str!("../locales/zh-CN/advice.toml")),
    ("import", include_str!("../locales/zh-CN/import.toml")),
];
/// Only the texts that differ from zh-CN: the rest falls back to it. Every zh-CN text with a
/// Simplified-only character has its Traditional text here (a test checks the whole catalog).
const ZH_TW: &[(&str, &str)] = &[
    ("page", include_str!("../locales/zh-TW/page.toml")),
    ("cli", include_str!("../locales/zh-TW/cli.toml")),
    ("alert", include_str!("../locales/zh-TW/alert.toml")),
    ("report", include_str!("../locales/zh-TW/report.toml")),
    ("advice", include_str!("../locales/zh-TW/advice.toml")),
    ("import", include_str!("../locales/zh-TW/import.toml")),
];

/// The words of one language, by key (`nav.inbox`), with the fallbacks behind every gap.
#[derive(Debug, Clone)]
pub struct Catalog {
    words: HashMap<String, String>,
}

impl Catalog {
    /// The catalog of `lang`, built once per process.
    pub fn of(lang: Lang) -> &'static Catalog {
        static CATALOGS: [OnceLock<Catalog>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let slot = match lang {
            Lang::En => 0,
            Lang::ZhCn => 1,
            Lang::ZhTw => 2,
        };
        CATALOGS[slot].get_or_init(|| Catalog::build(lang))
    }

    fn build(lang: Lang) -> Catalog {
        let mut layers = vec![EN];
        if lang.is_chinese() {
            layers.push(ZH_CN);
        }
        if lang == Lang::ZhTw {
            layers.push(ZH_TW);
        }
        let mut words = HashMap::new();
        for files in layers {
            for (_, text) in files {
                words.extend(flatten(text));
            }
        }
        Catalog { words }
    }

    /// The text for `key` with `{name}` filled from `args`; the key itself when unknown, so
    /// a missing word shows as such instead of failing.
    ///
    /// A key written in plural forms (`KEY.one`, `KEY.other`, as [`Catalog::count`] reads
    /// them) takes the form its `{count}` calls for: callers and templates that fill in a
    /// count need not know whether a language inflects.
    pub fn text(&self, key: &str, args: &[(&str, &str)]) -> String {
        if !self.words.contains_key(key)
            && let Some((_, count)) = args.iter().find(|(name, _)| *name == "count")
        {
            let form = if count.trim() == "1" { "one" } else { "other" };
            if let Some(word) = self.words.get(&format!("{key}.{form}")) {
                return fill(word, args);
            }
        }
        fill(self.word(key), args)
    }

    /// The text for `key` as it stands, placeholders unfilled (the key itself when unknown),
    /// borrowed from the catalog: `'static` for a catalog from [`Catalog::of`].
    pub fn word<'a>(&'a self, key: &'a str) -> &'a str {
        self.words.get(key).map_or(key, String::as_str)
    }

    /// `key.one` when `count` is 1, else `key.other`, with `{count}` and `args` filled: the
    /// languages that do not inflect carry the same text under both.
    pub fn count(&self, key: &str, count: u64, args: &[(&str, &str)]) -> String {
        let form = if count == 1 { "one" } else { "other" };
        let n = count.to_string();
        let mut all = vec![("count", n.as_str())];
        all.extend_from_slice(args);
        self.text(&format!("{key}.{form}"), &all)
    }

    /// The catalog's own copy of `key`, if it has one: a key read back from storage
    /// becomes `'static` without leaking, and only a key the catalog knows is taken.
    pub fn known_key(&'static self, key: &str) -> Option<&'static str> {
        self.words.get_key_value(key).map(|(k, _)| k.as_str())
    }

    /// Whether the catalog has `key` (in this language or a fallback).
    pub fn has(&self, key: &str) -> bool {
        self.words.contains_key(key)
    }
}

/// The text for `key` in `lang`, `{name}` filled from `args`.
pub fn text(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    Catalog::of(lang).text(key, args)
}

/// The `{count}` of [`Catalog::count`] in `lang`.
pub fn count(lang: Lang, key: &str, count: u64, args: &[(&str, &str)]) -> String {
    Catalog::of(lang).count(key, count, args)
}

/// `text` with each `{name}` of `args` replaced, in one pass over `text`: a value is never
/// read again, so a sender that writes `{text}` is shown as it is, not as the message.
/// Braces around anything else stay as they are.
fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `nav.inbox = "…"` is a table `nav` in TOML: its keys joined with dots.
fn flatten(text: &str) -> HashMap<String, String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
        for (k, v) in table {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(t) => walk(&key, t, out),
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                _ => {}
            }
        }
    }
    // Checked by a test: every embedded file parses.
    let table: toml::Table = text.parse().unwrap_or_default();
    let mut out = HashMap::new();
    walk("", &table, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(files: &[(&str, &str)]) -> HashMap<String, &'static str> {
        let mut all = HashMap::new();
        for (name, text) in files {
            let table: Result<toml::Table, _> = text.parse();
            assert!(
                table.is_ok(),
                "{name}.toml does not parse: {:?}",
                table.err()
            );
            for key in flatten(text).into_keys() {
                let file: &'static str = Box::leak(name.to_string().into_boxed_str());
                if let Some(other) = all.insert(key.clone(), file) {
                    panic!("{key} is in both {other}.toml and {name}.toml");
                }
            }
        }
        all
    }

    #[test]
    fn every_catalog_file_parses_and_chinese_has_every_english_key_in_the_same_file() {
        let en = keys(EN);
        let zh = keys(ZH_CN);
        keys(ZH_TW);
        assert!(en.len() > 50, "{}", en.len());
        let missing: Vec<_> = en
            .iter()
            .filter(|(k, f)| zh.get(*k) != Some(f))
            .map(|(k, f)| format!("{f}:{k}"))
            .collect();
        assert!(missing.is_empty(), "missing in zh-CN: {missing:?}");
        let extra: Vec<&String> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(extra.is_empty(), "not in English: {extra:?}");
    }

    #[test]
    fn a_missing_key_reads_as_itself_and_arguments_are_filled() {
        let zh = Catalog::of(Lang::ZhCn);
        assert_eq!(zh.text("no.such.key", &[]), "no.such.key");
        assert_eq!(zh.text("inbox.count", &[("count", "7")]), "共 7 条");
        assert_eq!(
            Catalog::of(Lang::ZhTw).text("inbox.count", &[("count", "7")]),
            "共 7 則"
        );
        // A key zh-TW writes like zh-CN falls back to it.
        assert_eq!(Catalog::of(Lang::ZhTw).word("help.heading.usage"), "用法:");
    }

    #[test]
    fn a_value_is_filled_in_once_and_never_read_as_a_placeholder() {
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]),
            "{b} and x"
        );
        assert_eq!(fill("{a} {unknown} {", &[("a", "1")]), "1 {unknown} {");
        assert_eq!(fill("{{a}}", &[("a", "1")]), "{1}");
    }

    #[test]
    fn counts_choose_the_singular_only_for_one() {
        let en = Catalog::of(Lang::En);
        let key = "alert.problems.summary";
        assert_eq!(
            en.count(key, 1, &[]),
            "dunwatch: 1 backup could not be read fully"
        );
        assert_eq!(
            en.count(key, 3, &[]),
            "dunwatch: 3 backups could not be read fully"
        );
        assert_eq!(
            Catalog::of(Lang::ZhCn).count(key, 1, &[]),
            "dunwatch：1 个备份未能完整读取"
        );
    }

    #[test]
    fn a_count_filled_into_a_key_with_plural_forms_takes_the_right_one() {
        let en = Catalog::of(Lang::En);
        assert_eq!(en.text("inbox.count", &[("count", "1")]), "1 message");
        assert_eq!(en.text("inbox.count", &[("count", "7")]), "7 messages");
        assert_eq!(en.text("inbox.count", &[("count", "0")]), "0 messages");
        let zh = Catalog::of(Lang::ZhCn);
        assert_eq!(zh.text("inbox.count", &[("count", "1")]), "共 1 条");
        let broken = en.text(
            "cli.evidence.verify.broken",
            &[("dir", "d"), ("count", "1")],
        );
        assert_eq!(broken, "d: NOT intact (1 problem)");
    }

    /// The files that ask the catalog for words by a literal key.
    const SPEAKERS: [&str; 17] = [
        "src/alert/mod.rs",
        "src/alert/desktop.rs",
        "src/alert/bus.rs",
        "src/daemon/pressed.rs",
        "src/report/wording.rs",
        "src/report/svg.rs",
        "src/report/week.rs",
        "src/report/schedule.rs",
        "src/report/mod.rs",
        "src/evidence/mod.rs",
        "src/evidence/original.rs",
        "src/evidence/verify.rs",
        "src/classify/advice.rs",
        "src/templates.rs",
        "src/templates/report.html.j2",
        "src/templates/report.md.j2",
        "src/templates/evidence.html.j2",
    ];

    /// Every quoted key after one of `prefixes` in `files` (a misspelt key would show as
    /// itself): checked to be in English, alone or as `KEY.one` and `KEY.other`
    /// (`Catalog::count`). Returns how many were asked.
    fn check_asked(files: &[String], prefixes: &[&str]) -> usize {
        let en = Catalog::of(Lang::En);
        let mut asked = 0;
        for file in files {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            // A key is a quoted run of lowercase letters, `_` and `.` after one of the
            // prefixes (pairing all quotes would trip over apostrophes in comments).
            for (at, quote) in text.match_indices(['"', '\'']) {
                let rest = &text[at + 1..];
                if !prefixes.iter().any(|p| rest.starts_with(p)) {
                    continue;
                }
                let end = rest
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '.' || c == '_'))
                    .unwrap_or(rest.len());
                let key = &rest[..end];
                if !rest[end..].starts_with(quote) || key.ends_with('.') {
                    continue;
                }
                asked += 1;
                let counted = en.has(&format!("{key}.one")) && en.has(&format!("{key}.other"));
                assert!(en.has(key) || counted, "{file}: no word {key}");
            }
        }
        asked
    }

    #[test]
    fn every_key_the_alerts_reports_and_advice_ask_for_is_in_english() {
        let files: Vec<String> = SPEAKERS.iter().map(|f| f.to_string()).collect();
        let asked = check_asked(&files, &["alert.", "report.", "export.", "advice."]);
        assert!(asked > 100, "{asked}");
    }

    #[test]
    fn every_key_the_command_line_service_and_review_page_server_ask_for_is_in_english() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![
            "src/ui/mod.rs".to_string(),
            "src/daemon/reload.rs".to_string(),
            "src/import/files.rs".to_string(),
        ];
        for dir in ["src/cli", "src/service"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                if name.ends_with(".rs") {
                    files.push(format!("{dir}/{name}"));
                }
            }
        }
        let asked = check_asked(&files, &["cli."]);
        assert!(asked > 250, "{asked}");
    }

    #[test]
    fn every_key_the_importer_asks_for_is_in_english() {
        fn rust_files(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    rust_files(&path, root, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let rel = path.strip_prefix(root).unwrap();
                    out.push(rel.to_string_lossy().into_owned());
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec!["src/import.rs".to_string(), "src/daemon/mod.rs".to_string()];
        for dir in ["src/ingest", "src/import"] {
            rust_files(&root.join(dir), root, &mut files);
        }
        let asked = check_asked(&files, &["import."]);
        assert!(asked > 40, "{asked}");
    }

    #[test]
    fn traditional_chinese_has_only_keys_that_zh_cn_has() {
        let zh = keys(ZH_CN);
        let tw = keys(ZH_TW);
        let stray: Vec<String> = tw
            .iter()
            .filter(|(k, f)| zh.get(*k) != Some(f))
            .map(|(k, f)| format!("{f}:{k}"))
            .collect();
        assert!(
            stray.is_empty(),
            "zh-TW keys not in zh-CN's same file: {stray:?}"
        );
    }

    /// `text` in Traditional characters, by zhconv's zh-Hant conversion (MediaWiki's table,
    /// phrases included): what a Traditional text must already be. Its phrase rules are not
    /// too eager for Taiwan writing: 台灣, 平台, 干擾, 只有, 准許, 公布, 這裡 and 皇后 come
    /// back unchanged (台, 干, 只, 准 have no one-character rule there; 后 → 後 has, and 皇后 a
    /// phrase rule of its own), while they catch Simplified spellings made only of characters
    /// both scripts write (制作 → 製作), which a character table cannot. It also
    /// writes “ ” as 「 」, as Taiwan and Hong Kong quote. Were a rule ever wrong for a Taiwan
    /// word, the one-character rules alone (`zhconv::tables::expand_table(ZH_HANT_TABLE)`
    /// filtered to single characters) would still find every Simplified-only character.
    fn in_traditional(text: &str) -> String {
        zhconv::zhconv(text, zhconv::Variant::ZhHant)
    }

    /// What conversion changed, character by character where it kept the length.
    fn changes(text: &str, converted: &str) -> String {
        let (a, b): (Vec<char>, Vec<char>) = (text.chars().collect(), converted.chars().collect());
        if a.len() != b.len() {
            return format!("{text:?} → {converted:?}");
        }
        let changed: Vec<String> = a
            .iter()
            .zip(&b)
            .filter(|(x, y)| x != y)
            .map(|(x, y)| format!("{x}→{y}"))
            .collect();
        changed.join(" ")
    }

    /// Each (what, text) whose text the conversion changes, as "what: changes", sorted.
    fn simplified_writing<W: std::fmt::Display, T: AsRef<str>>(
        shown: impl IntoIterator<Item = (W, T)>,
    ) -> Vec<String> {
        let mut simplified: Vec<String> = shown
            .into_iter()
            .filter_map(|(what, text)| {
                let text = text.as_ref();
                let converted = in_traditional(text);
                (converted != text).then(|| format!("{what}: {}", changes(text, &converted)))
            })
            .collect();
        simplified.sort();
        simplified
    }

    #[test]
    fn a_traditional_chinese_reader_never_falls_back_to_simplified_text() {
        assert_eq!(in_traditional("发送短信"), "發送短信");
        assert_eq!(in_traditional("台灣的平台"), "台灣的平台");
        // The whole catalog a zh-TW reader gets, fallbacks included: each text must come
        // back from the conversion unchanged.
        let tw = Catalog::of(Lang::ZhTw);
        let simplified = simplified_writing(tw.words.iter());
        assert!(
            simplified.is_empty(),
            "Simplified writing in the zh-TW catalog: give these keys a Traditional text in \
             locales/zh-TW/ (in the file named like zh-CN's):\n{}",
            simplified.join("\n")
        );
    }

    /// The shipped rules, each with its description as a zh-TW reader gets it.
    fn rules_as_a_traditional_reader_reads_them() -> Vec<(String, String)> {
        let engine = crate::classify::Engine::builtin().unwrap();
        engine
            .rules()
            .iter()
            .map(|r| {
                (
                    r.id.clone(),
                    r.description_for(Lang::ZhTw.code()).to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn every_shipped_rule_writes_its_own_traditional_description() {
        let engine = crate::classify::Engine::builtin().unwrap();
        assert!(engine.rules().len() > 100, "{}", engine.rules().len());
        let mut missing: Vec<&str> = engine
            .rules()
            .iter()
            .filter(|r| {
                r.description
                    .get("zh-TW")
                    .is_none_or(|d| d.trim().is_empty())
            })
            .map(|r| r.id.as_str())
            .collect();
        missing.sort();
        assert!(
            missing.is_empty(),
            "rules without a zh-TW description (add `zh-TW = \"…\"` to their \
             `description` in rules/):\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn a_traditional_chinese_reader_reads_every_rule_description_in_traditional_writing() {
        let simplified = simplified_writing(rules_as_a_traditional_reader_reads_them());
        assert!(
            simplified.is_empty(),
            "Simplified writing in the zh-TW descriptions of these rules (rules/*.toml):\n{}",
            simplified.join("\n")
        );
    }

    #[test]
    fn a_traditional_chinese_reader_reads_every_lender_and_institution_in_traditional_writing() {
        let registry = crate::classify::registry::Registry::shipped();
        let mut shown: Vec<(String, String)> = Vec::new();
        for l in registry.lenders.iter().chain(&registry.institutions) {
            shown.push((format!("{}.name", l.id), l.display("zh-TW").to_string()));
            let named = crate::report::lender_name(&l.id, Lang::ZhTw);
            shown.push((format!("{} in reports and alerts", l.id), named));
            if let Some(channel) = l.channel_for("zh-TW") {
                shown.push((format!("{}.channel", l.id), channel.to_string()));
            }
        }
        assert!(shown.len() > 100, "{}", shown.len());
        let simplified = simplified_writing(shown);
        assert!(
            simplified.is_empty(),
            "Simplified writing a zh-TW reader gets from rules/lenders.toml or \
             rules/institutions.toml (give these a `zh-TW` text):\n{}",
            simplified.join("\n")
        );
    }

    /// The `{name}`s of a text, as [`fill`] would fill them (braces around anything else,
    /// like the JSON in `help.rules.eval.about`, are text).
    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.match_indices('{')
            .filter_map(|(at, _)| {
                let rest = &text[at + 1..];
                let name = &rest[..rest.find('}')?];
                let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
                (!name.is_empty() && name.chars().all(word)).then_some(name)
            })
            .collect()
    }

    /// Texts whose Chinese is printed bare beside the English, which carries the values
    /// (evidence.html.j2 writes `原始记录 original record (byte 12, 340 bytes)`).
    const BESIDE_ENGLISH: [&str; 1] = ["export.original"];

    /// Texts that also say what a service backend is (`{what}`, filled in for every language
    /// by `cli::service::status_lines`), where English's name for it is enough.
    const NAME_THE_BACKEND: [&str; 2] = [
        "cli.service.status.not_installed",
        "cli.service.status.backend",
    ];

    #[test]
    fn every_traditional_key_is_an_english_key_with_the_same_placeholders() {
        let en_files = keys(EN);
        let en = Catalog::of(Lang::En);
        let mut wrong = Vec::new();
        for (file, text) in ZH_TW {
            for (key, tw) in flatten(text) {
                if en_files.get(&key) != Some(file) {
                    wrong.push(format!("{file}:{key} is not in en/{file}.toml"));
                    continue;
                }
                let mut want = placeholders(en.word(&key));
                let mut got = placeholders(&tw);
                if key.ends_with(".one") {
                    // `Catalog::count` fills `{count}` in both forms; English writes "1".
                    want.remove("count");
                    got.remove("count");
                }
                if BESIDE_ENGLISH.contains(&key.as_str()) {
                    want.clear();
                }
                if NAME_THE_BACKEND.contains(&key.as_str()) {
                    want.insert("what");
                }
                if want != got {
                    wrong.push(format!("{file}:{key}: {got:?}, English has {want:?}"));
                }
            }
        }
        wrong.sort();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
