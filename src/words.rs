//! The message catalog: every word a person reads — on the command line, in alerts, reports,
//! errors and the review page — by key, in each language, from `locales/LANG/*.toml`.
//!
//! English is complete and sits behind every gap; zh-CN is checked by a test to have every
//! English key; zh-TW falls back to zh-CN, then English, key by key. The files are embedded:
//! a broken one cannot ship (the tests parse them all).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::lang::Lang;

/// One language's files, in the order they are read (later keys win only across languages,
/// never within one: a key defined in two files of one language is a test failure).
const EN: &[(&str, &str)] = &[
    ("page", include_str!("../locales/en/page.toml")),
    ("cli", include_str!("../locales/en/cli.toml")),
    ("alert", include_str!("../locales/en/alert.toml")),
    ("report", include_str!("../locales/en/report.toml")),
];
const ZH_CN: &[(&str, &str)] = &[
    ("page", include_str!("../locales/zh-CN/page.toml")),
    ("cli", include_str!("../locales/zh-CN/cli.toml")),
    ("alert", include_str!("../locales/zh-CN/alert.toml")),
    ("report", include_str!("../locales/zh-CN/report.toml")),
];
const ZH_TW: &[(&str, &str)] = &[];

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
    pub fn text(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self
            .words
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string());
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
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
            "共 7 条"
        );
    }
}
