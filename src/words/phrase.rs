//! Words not yet said: a catalog key and what fills it in. The modules that do not know
//! who reads them (the service backends, the review page's server) say what happened as a
//! [`Phrase`] and fail with a [`Failed`]; the command line says both in the person's
//! language. `Display` says them in English, for logs, tests and anything else that prints
//! them without asking.

use std::fmt;

use crate::lang::Lang;

/// A catalog key and the values of its placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// What fills a placeholder: text as it stands (a path, a unit name, a command: the same
/// in every language), or a phrase said in the same language as the one around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Phrase(Phrase),
}

impl Phrase {
    pub fn new(key: &'static str) -> Phrase {
        Phrase {
            key,
            args: Vec::new(),
        }
    }

    /// With `{name}` filled by `value` as text.
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Phrase {
        self.args.push((name, Arg::Text(value.to_string())));
        self
    }

    /// With `{name}` filled by another phrase, said in the same language.
    pub fn with(mut self, name: &'static str, value: Phrase) -> Phrase {
        self.args.push((name, Arg::Phrase(value)));
        self
    }

    /// The text given for `{name}`, if it is text.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.args.iter().find_map(|(n, a)| match a {
            Arg::Text(t) if *n == name => Some(t.as_str()),
            _ => None,
        })
    }

    /// The phrase given for `{name}`, if it is one.
    pub fn get_phrase(&self, name: &str) -> Option<&Phrase> {
        self.args.iter().find_map(|(n, a)| match a {
            Arg::Phrase(p) if *n == name => Some(p),
            _ => None,
        })
    }

    /// The words in `lang`, the values as they are.
    pub fn text(&self, lang: Lang) -> String {
        self.text_with(lang, &|s| s.to_string())
    }

    /// The words in `lang`, each text value passed through `shown` first: where they are
    /// printed decides how a value is made safe (a terminal escapes control characters).
    pub fn text_with(&self, lang: Lang, shown: &dyn Fn(&str) -> String) -> String {
        let filled: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Text(t) => shown(t),
                    Arg::Phrase(p) => p.text_with(lang, shown),
                };
                (*name, value)
            })
            .collect();
        let args: Vec<(&str, &str)> = filled.iter().map(|(n, v)| (*n, v.as_str())).collect();
        super::text(lang, self.key, &args)
    }
}

impl Phrase {
    /// The phrase as text to store (JSON: the key and its arguments), so that whoever reads
    /// it later says it in their own language: the daemon records an import problem, the
    /// person reads it in `doctor` or on the page.
    pub fn stored(&self) -> String {
        self.to_json().to_string()
    }

    fn to_json(&self) -> serde_json::Value {
        let args: Vec<serde_json::Value> = self
            .args
            .iter()
            .map(|(name, arg)| match arg {
                Arg::Text(t) => serde_json::json!([name, t]),
                Arg::Phrase(p) => serde_json::json!([name, p.to_json()]),
            })
            .collect();
        serde_json::json!({ "key": self.key, "args": args })
    }

    /// A phrase [`Phrase::stored`] wrote; `None` for anything else (text stored before
    /// phrases were, a key the catalog no longer has, a name its English text does not use).
    pub fn from_stored(stored: &str) -> Option<Phrase> {
        // Text stored before phrases were is a file name first, never a JSON object.
        if !stored.starts_with('{') {
            return None;
        }
        Phrase::from_json(&serde_json::from_str(stored).ok()?, 0)
    }

    fn from_json(value: &serde_json::Value, depth: usize) -> Option<Phrase> {
        // Phrases nest a few levels (a place inside a problem); more is not ours.
        if depth > 8 {
            return None;
        }
        let en = super::Catalog::of(Lang::En);
        let key = en.known_key(value.get("key")?.as_str()?)?;
        let english = en.word(key);
        let mut phrase = Phrase::new(key);
        for pair in value.get("args")?.as_array()? {
            let [name, arg] = pair.as_array()?.as_slice() else {
                return None;
            };
            // The `'static` name is the one in the key's own English text; `count` also for
            // the singular, which English may write as "1" (`Catalog::count`).
            let name = match name.as_str()? {
                "count" => "count",
                name => {
                    let at = english.find(&format!("{{{name}}}"))?;
                    &english[at + 1..at + 1 + name.len()]
                }
            };
            let arg = match arg {
                serde_json::Value::String(t) => Arg::Text(t.clone()),
                other => Arg::Phrase(Phrase::from_json(other, depth + 1)?),
            };
            phrase.args.push((name, arg));
        }
        Some(phrase)
    }
}

impl fmt::Display for Phrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// An error whose sentence is a [`Phrase`], with what caused it (an I/O error, a tool's
/// message) as its source: the command line leads with the phrase in the person's words
/// and gives the causes as the detail.
#[derive(Debug)]
pub struct Failed {
    pub phrase: Phrase,
    cause: Option<anyhow::Error>,
}

impl Failed {
    pub fn new(phrase: Phrase) -> Failed {
        Failed {
            phrase,
            cause: None,
        }
    }

    pub fn because(phrase: Phrase, cause: impl Into<anyhow::Error>) -> Failed {
        Failed {
            phrase,
            cause: Some(cause.into()),
        }
    }
}

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.phrase.fmt(f)
    }
}

impl std::error::Error for Failed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_ref()
            .map(|e| e.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// `with_context` for a phrase: the error becomes the cause of a [`Failed`].
pub trait OrSay<T> {
    fn or_say(self, phrase: impl FnOnce() -> Phrase) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> OrSay<T> for Result<T, E> {
    fn or_say(self, phrase: impl FnOnce() -> Phrase) -> anyhow::Result<T> {
        self.map_err(|e| Failed::because(phrase(), e).into())
    }
}

impl<T> OrSay<T> for Option<T> {
    fn or_say(self, phrase: impl FnOnce() -> Phrase) -> anyhow::Result<T> {
        self.ok_or_else(|| Failed::new(phrase()).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_is_said_in_each_language_with_its_nested_phrases() {
        let p = Phrase::new("cli.error.detail").arg("detail", "x");
        assert_eq!(p.text(Lang::En), ": x");
        assert_eq!(p.text(Lang::ZhCn), "：x");
        assert_eq!(p.to_string(), ": x");
        let nested = Phrase::new("cli.error.detail").with("detail", p.clone());
        assert_eq!(nested.text(Lang::ZhCn), "：：x");
        assert_eq!(nested.get_phrase("detail"), Some(&p));
        assert_eq!(p.get("detail"), Some("x"));
        let shown = nested.text_with(Lang::En, &|s| s.to_uppercase());
        assert_eq!(shown, ": : X");
    }

    #[test]
    fn a_stored_phrase_reads_back_and_anything_else_does_not() {
        let p = Phrase::new("import.problem")
            .arg("file", "a\u{202e}.xml")
            .with("place", Phrase::new("import.place.line").arg("line", 3))
            .with("kind", Phrase::new("import.kind.syntax"))
            .arg("detail", "{\"key\":");
        let stored = p.stored();
        assert_eq!(Phrase::from_stored(&stored), Some(p.clone()));
        assert!(p.text(Lang::ZhCn).contains("第 3 行"));
        assert_eq!(Phrase::from_stored("/b/a.xml: line 3: syntax error"), None);
        // A key or a name the catalog does not have is not taken.
        assert_eq!(Phrase::from_stored(r#"{"key":"no.such","args":[]}"#), None);
        assert_eq!(
            Phrase::from_stored(r#"{"key":"import.place.line","args":[["evil","x"]]}"#),
            None
        );
    }

    #[test]
    fn a_failure_says_its_phrase_and_keeps_its_cause() {
        let err: anyhow::Error = Err::<(), _>(std::io::Error::other("disk on fire"))
            .or_say(|| Phrase::new("cli.error.detail").arg("detail", "/x"))
            .unwrap_err();
        let chain: Vec<String> = err.chain().map(ToString::to_string).collect();
        assert_eq!(chain, [": /x", "disk on fire"]);
        let failed = err.chain().next().unwrap().downcast_ref::<Failed>();
        assert_eq!(failed.unwrap().phrase.get("detail"), Some("/x"));
        let none: anyhow::Result<()> = None.or_say(|| Phrase::new("cli.error.failed"));
        assert_eq!(none.unwrap_err().to_string(), "could not finish");
    }
}
