//! What `show` and `check` say of a verdict, and the names the tables use, in the person's
//! language: the catalog's words, the categories' and lenders' one set of names
//! (`crate::lang::category_name`, `report::lender_name`), the rules' own descriptions.
//! Rule ids are for scripts and bug reports: `--json` and the `--details` block only.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Result;

use super::history::{Style, fit};
use crate::classify::Engine;
use crate::lang::{Lang, category_name};
use crate::model::{Category, Reason};
use crate::untrusted::one_line;
use crate::words::text;

/// A category in a table or a line: its name in Chinese; in English its id (`scam`), the
/// word `--category` and `mark --as` take.
pub fn category_label(c: Category, lang: Lang) -> String {
    if lang.is_chinese() {
        category_name(c, lang).to_string()
    } else {
        c.as_str().to_string()
    }
}

/// A lender in a table: its name in Chinese, in English its id (what `--lender` takes).
pub fn lender_label(id: &str, lang: Lang) -> String {
    if lang.is_chinese() {
        crate::report::lender_name(id, lang)
    } else {
        id.to_string()
    }
}

/// A label of `show` and `check`, dimmed and padded to ten cells (CJK counts two).
pub fn label(s: &Style, lang: Lang, key: &str) -> String {
    s.dim(&fit(&text(lang, key, &[]), 10))
}

/// The words a reason is read by: written anew in `lang` when the message is in another
/// language, else the rule's description in `lang` when the rule comes from a rule file (it
/// has one in each language), else the one stored with the reason, else the catalog's.
pub struct Describer<'e> {
    rules: HashMap<&'e str, &'e crate::classify::rules::Rule>,
    /// The engine's own reasons written anew in `lang`, by rule id (see `show`).
    fresh: HashMap<String, String>,
    lang: Lang,
}

impl<'e> Describer<'e> {
    pub fn new(engine: &'e Engine, lang: Lang) -> Self {
        Describer {
            rules: engine.rules().iter().map(|r| (r.id.as_str(), r)).collect(),
            fresh: HashMap::new(),
            lang,
        }
    }

    /// Descriptions from a verdict written in `lang` win over those stored.
    pub fn with_fresh(mut self, reasons: &[Reason]) -> Self {
        self.fresh = reasons
            .iter()
            .filter(|r| !r.description.is_empty())
            .map(|r| (r.rule.clone(), r.description.clone()))
            .collect();
        self
    }

    pub fn describe(&self, r: &Reason) -> String {
        if let Some(d) = self.fresh.get(&r.rule) {
            return d.clone();
        }
        if let Some(rule) = self.rules.get(r.rule.as_str()) {
            let d = rule.description_for(self.lang.code());
            if !d.is_empty() {
                return d.to_string();
            }
        }
        if !r.description.is_empty() {
            return r.description.clone();
        }
        text(self.lang, "cli.verdict.reason_unnamed", &[])
    }
}

/// The reasons as a person reads them: what each means, and the words it found.
pub fn write_reasons(
    out: &mut impl Write,
    s: &Style,
    describer: &Describer<'_>,
    reasons: &[Reason],
) -> Result<()> {
    let lang = describer.lang;
    if reasons.is_empty() {
        writeln!(
            out,
            "{} {}",
            label(s, lang, "cli.verdict.label.why"),
            text(lang, "cli.verdict.no_reason", &[])
        )?;
        return Ok(());
    }
    writeln!(out, "{}", s.dim(&text(lang, "cli.verdict.label.why", &[])))?;
    for r in reasons {
        // Descriptions are registry and rule-file words, and the person's own rule files:
        // shown as one line with any control character visible, like the evidence.
        let ev = if r.evidence.is_empty() {
            String::new()
        } else {
            text(
                lang,
                "cli.verdict.evidence",
                &[("evidence", &one_line(&r.evidence))],
            )
        };
        writeln!(out, "  - {}{ev}", one_line(&describer.describe(r)))?;
    }
    Ok(())
}

/// The `--details` block: which rule said what, by id (for a bug report or `rules explain`).
pub fn write_details(
    out: &mut impl Write,
    s: &Style,
    lang: Lang,
    reasons: &[Reason],
) -> Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", s.dim(&text(lang, "cli.verdict.details", &[])))?;
    for r in reasons {
        let ev = if r.evidence.is_empty() {
            String::new()
        } else {
            format!("  [{}]", one_line(&r.evidence))
        };
        writeln!(out, "  {}{ev}", s.dim(&one_line(&r.rule)))?;
    }
    Ok(())
}

/// Where in its file a message was read (`, record 3, byte 1051`), in `lang`.
pub fn position(pos: &serde_json::Value, lang: Lang) -> String {
    ["record", "line", "offset"]
        .iter()
        .filter_map(|key| {
            let v = pos.get(key).and_then(serde_json::Value::as_u64)?;
            Some(text(
                lang,
                &format!("cli.position.{key}"),
                &[("n", &v.to_string())],
            ))
        })
        .collect()
}

/// Advice of several lines, each after the first indented under the label's column.
pub fn indented(advice: &str) -> String {
    crate::untrusted::for_terminal(advice.trim_end()).replace('\n', "\n           ")
}
