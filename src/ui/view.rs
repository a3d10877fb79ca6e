//! How the review page is written: the templates (`src/ui/templates/`), rendered by
//! minijinja with HTML escaping for every value, and the words of the person's language from
//! the message catalog (`locales/`).
//!
//! Message text, senders, contact and file names reach the page only through the template
//! engine's escaping, the same as for the reports (`crate::templates`): HTML-escaped, with
//! bidirectional controls shown as visible escapes, so a sender cannot reorder the text
//! around it.

use std::collections::HashMap;

use minijinja::value::Value;
use minijinja::{Environment, Error};

use crate::report::Lang;

const TEMPLATES: [(&str, &str); 11] = [
    ("learned.html", include_str!("../templates/ui/learned.html")),
    (
        "evidence.html",
        include_str!("../templates/ui/evidence.html"),
    ),
    ("reports.html", include_str!("../templates/ui/reports.html")),
    ("base.html", include_str!("../templates/ui/base.html")),
    ("inbox.html", include_str!("../templates/ui/inbox.html")),
    ("message.html", include_str!("../templates/ui/message.html")),
    ("senders.html", include_str!("../templates/ui/senders.html")),
    ("lenders.html", include_str!("../templates/ui/lenders.html")),
    (
        "problems.html",
        include_str!("../templates/ui/problems.html"),
    ),
    (
        "settings.html",
        include_str!("../templates/ui/settings.html"),
    ),
    ("notice.html", include_str!("../templates/ui/notice.html")),
];

pub const STYLE: &str = include_str!("../templates/ui/app.css");

/// The words of one language, by key (`nav.inbox`), with English behind every gap.
#[derive(Debug, Clone)]
pub struct Catalog {
    words: HashMap<String, String>,
}

impl Catalog {
    pub fn new(lang: Lang) -> Catalog {
        let mut words = flatten(include_str!("../../locales/en.toml"));
        if lang.is_chinese() {
            words.extend(flatten(include_str!("../../locales/zh-CN.toml")));
        }
        Catalog { words }
    }

    /// The text for `key` with `{name}` filled from `args`; the key itself when unknown, so
    /// a missing word shows as such instead of breaking the page.
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
    // The catalogs are embedded and checked by a test: a broken one cannot ship.
    let table: toml::Table = text.parse().unwrap_or_default();
    let mut out = HashMap::new();
    walk("", &table, &mut out);
    out
}

/// The template environment of the page: the escaping rules of every dunwatch page
/// (`crate::templates::configure`), the page's templates, and the catalog as
/// `word(key, name=value…)`.
pub fn environment(catalog: Catalog) -> Environment<'static> {
    let mut env = Environment::new();
    crate::templates::configure(&mut env).expect("the template settings are valid");
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .expect("the embedded templates parse (checked by a test)");
    }
    env.add_function(
        "word",
        move |key: &str, kwargs: minijinja::value::Kwargs| -> Result<String, Error> {
            let mut args = Vec::new();
            for name in kwargs.args() {
                let value: Value = kwargs.get(name)?;
                args.push((name.to_string(), value.to_string()));
            }
            let args: Vec<(&str, &str)> =
                args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            Ok(catalog.text(key, &args))
        },
    );
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_parse_and_chinese_has_every_english_key() {
        let en = flatten(include_str!("../../locales/en.toml"));
        let zh = flatten(include_str!("../../locales/zh-CN.toml"));
        assert!(en.len() > 50, "{}", en.len());
        let missing: Vec<&String> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        assert!(missing.is_empty(), "missing in zh-CN.toml: {missing:?}");
        let extra: Vec<&String> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(extra.is_empty(), "not in en.toml: {extra:?}");
    }

    #[test]
    fn every_template_parses() {
        let env = environment(Catalog::new(Lang::En));
        for (name, _) in TEMPLATES {
            env.get_template(name).unwrap();
        }
    }

    #[test]
    fn values_are_escaped_and_bidi_controls_shown_as_escapes() {
        let env = environment(Catalog::new(Lang::ZhCn));
        let out = env
            .template_from_named_str("t.html", "{{ s }}|{{ word('done.trusted', sender=s) }}")
            .and_then(|t| t.render(minijinja::context! { s => "<b>\u{202e}x&" }))
            .unwrap();
        assert_eq!(
            out,
            "&lt;b&gt;\\u{202e}x&amp;|已信任 &lt;b&gt;\\u{202e}x&amp;：以后它的短信不会被判为诈骗。"
        );
    }
}
