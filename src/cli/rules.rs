//! `dunwatch rules check|test|explain|eval`: validate the rule files, run the examples each
//! rule carries, show what a message holds for the schemas, and measure the engine on
//! labelled messages. Rule ids and origins are the rule author's words; the sentences
//! around them are the catalog's (`cli.rules.*`).

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use serde::Deserialize;

use super::history::{fit, fit_right};
use super::speak::category_label;
use super::{Ctx, Said};
use crate::classify::{Engine, Input};
use crate::lang::Lang;
use crate::model::Category;
use crate::untrusted::one_line;
use crate::words::{OrSay, Phrase, text};

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate the shipped and user rule files; bad patterns are named with file and line.
    Check,
    /// Run the examples every rule carries (each must fire; each not_example must not).
    Test,
    /// Show what a message holds for the schemas: the concepts whose terms occur, the rules
    /// that fire and the facts that hold, each with its words.
    Explain {
        /// The message text.
        text: String,
        /// Its sender.
        #[arg(long, default_value = "")]
        sender: String,
    },
    /// Measure the engine on labelled JSON Lines: {"body": …, "sender": …, "label": "scam"}.
    Eval {
        /// The labelled JSON Lines file (`dunwatch feedback export` writes one).
        file: PathBuf,
        /// How many wrong verdicts to list (0 = none).
        #[arg(long, default_value_t = 30)]
        show: usize,
    },
}

pub fn run(ctx: &Ctx, cmd: RulesCommand) -> Result<ExitCode> {
    let mut out = super::stdout();
    let t = |key: &str, args: &[(&str, &str)]| ctx.t(key, args);
    // The rules' own errors name the file and line: the sentence before them says what to
    // do with that.
    let engine = || ctx.engine().context(Said(t("cli.rules.error.load", &[])));
    let result = match cmd {
        RulesCommand::Check => {
            let engine = engine()?;
            for s in &engine.sources {
                writeln!(out, "{}", t("cli.rules.ok", &[("source", &one_line(s))]))?;
            }
            let n = |count: usize| count.to_string();
            let schemas = engine.rules().iter().filter(|r| r.is_schema()).count();
            let summary = t(
                "cli.rules.summary",
                &[
                    ("rules", &n(engine.rules().len())),
                    ("schemas", &n(schemas)),
                    ("concepts", &n(engine.concepts().iter().count())),
                    ("lenders", &n(engine.registry().lenders.len())),
                    ("institutions", &n(engine.registry().institutions.len())),
                ],
            );
            writeln!(out, "{summary}")?;
            ExitCode::SUCCESS
        }
        RulesCommand::Explain { text, sender } => {
            let engine = engine()?;
            for (kind, name, words) in engine.explain(&Input::new(&sender, &text)) {
                // The kind in the person's words; the name is the rule file's own id.
                let kind = fit(&t(&format!("cli.rules.kind.{kind}"), &[]), 8);
                writeln!(out, "{kind} {name:36} {}", one_line(&words))?;
            }
            ExitCode::SUCCESS
        }
        RulesCommand::Test => {
            let engine = engine()?;
            let failures = test_examples(&engine);
            let total: usize = engine
                .rules()
                .iter()
                .map(|r| r.examples.len() + r.not_examples.len())
                .sum();
            for f in &failures {
                // Examples are the rule files' text: quoted, every control character escaped.
                writeln!(
                    out,
                    "{}",
                    f.text_with(ctx.lang, &|s| one_line(s).into_owned())
                )?;
            }
            let passed = (total - failures.len()).to_string();
            let failed = failures.len().to_string();
            let summary = t(
                "cli.rules.tested",
                &[("passed", &passed), ("failed", &failed)],
            );
            writeln!(out, "{summary}")?;
            if failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        RulesCommand::Eval { file, show } => {
            let engine = engine()?;
            let samples = read_labelled_file(&file)?;
            let report = evaluate(&engine, &samples);
            write!(out, "{}", report.render_in(show, ctx.lang))?;
            ExitCode::SUCCESS
        }
    };
    out.flush()?;
    Ok(result)
}

/// Every example that does not behave: the rule's origin and id, the example, and whether
/// it should have fired (`cli.rules.should_fire`) or not (`cli.rules.should_not_fire`).
pub fn test_examples(engine: &Engine) -> Vec<Phrase> {
    let mut failures = Vec::new();
    // A schema depends on the whole verdict (concepts, facts), so its examples are judged
    // by the reasons of a full classification; a rule's by its patterns alone.
    let fires = |rule: &crate::classify::rules::Rule, text: &str| {
        if rule.is_schema() {
            engine
                .classify(&Input::new("", text))
                .reasons
                .iter()
                .any(|r| r.rule == rule.id)
        } else {
            engine.fired_rule_ids(text).contains(&rule.id.as_str())
        }
    };
    let failure = |key, rule: &crate::classify::rules::Rule, ex: &str| {
        Phrase::new(key)
            .arg("origin", &rule.origin)
            .arg("rule", &rule.id)
            .arg("example", format!("{ex:?}"))
    };
    for rule in engine.rules() {
        for ex in &rule.examples {
            if !fires(rule, ex) {
                failures.push(failure("cli.rules.should_fire", rule, ex));
            }
        }
        for ex in &rule.not_examples {
            if fires(rule, ex) {
                failures.push(failure("cli.rules.should_not_fire", rule, ex));
            }
        }
    }
    failures
}

#[derive(Debug, Clone, Deserialize)]
pub struct Labelled {
    #[serde(default)]
    pub id: serde_json::Value,
    #[serde(default)]
    pub sender: Option<String>,
    pub body: String,
    pub label: Category,
}

/// Reads a labelled JSON Lines file.
pub fn read_labelled_file(path: &std::path::Path) -> Result<Vec<Labelled>> {
    let shown = || one_line(&path.display().to_string()).into_owned();
    let file = std::fs::File::open(path)
        .or_say(|| Phrase::new("cli.rules.error.open").arg("file", shown()))?;
    read_labelled(std::io::BufReader::new(file))
        .or_say(|| Phrase::new("cli.rules.error.read").arg("file", shown()))
}

pub fn read_labelled(reader: impl BufRead) -> Result<Vec<Labelled>> {
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let labelled = serde_json::from_str(&line)
            .or_say(|| Phrase::new("cli.rules.error.line").arg("n", i + 1))?;
        out.push(labelled);
    }
    Ok(out)
}

/// Precision, recall and the wrong verdicts.
pub struct EvalReport {
    pub total: usize,
    /// (true, predicted) → count
    pub confusion: BTreeMap<(Category, Category), usize>,
    pub wrong: Vec<(Labelled, Category)>,
}

impl EvalReport {
    pub fn per_category(&self) -> Vec<(Category, usize, f64, f64, f64)> {
        Category::ALL
            .iter()
            .filter_map(|&c| {
                let tp = *self.confusion.get(&(c, c)).unwrap_or(&0) as f64;
                let support: usize = self
                    .confusion
                    .iter()
                    .filter(|((t, _), _)| *t == c)
                    .map(|(_, n)| n)
                    .sum();
                let predicted: usize = self
                    .confusion
                    .iter()
                    .filter(|((_, p), _)| *p == c)
                    .map(|(_, n)| n)
                    .sum();
                if support == 0 && predicted == 0 {
                    return None;
                }
                let p = if predicted == 0 {
                    0.0
                } else {
                    tp / predicted as f64
                };
                let r = if support == 0 {
                    0.0
                } else {
                    tp / support as f64
                };
                let f = if p + r == 0.0 {
                    0.0
                } else {
                    2.0 * p * r / (p + r)
                };
                Some((c, support, p, r, f))
            })
            .collect()
    }

    /// Macro-F1 over the categories that occur in the labels.
    pub fn macro_f1(&self) -> f64 {
        let rows: Vec<_> = self
            .per_category()
            .into_iter()
            .filter(|r| r.1 > 0)
            .collect();
        if rows.is_empty() {
            return 0.0;
        }
        rows.iter().map(|r| r.4).sum::<f64>() / rows.len() as f64
    }

    /// Share of messages labelled `other` that got an alerting category.
    pub fn alert_rate_on_other(&self) -> f64 {
        let other: usize = self
            .confusion
            .iter()
            .filter(|((t, _), _)| *t == Category::Other)
            .map(|(_, n)| n)
            .sum();
        let alerted: usize = self
            .confusion
            .iter()
            .filter(|((t, p), _)| {
                *t == Category::Other
                    && matches!(p, Category::Scam | Category::Harassment | Category::Overdue)
            })
            .map(|(_, n)| n)
            .sum();
        if other == 0 {
            0.0
        } else {
            alerted as f64 / other as f64
        }
    }

    /// The report in English (what the tests print when a target is missed).
    pub fn render(&self, show: usize) -> String {
        self.render_in(show, Lang::En)
    }

    /// The report in `lang`, listing at most `show` wrong verdicts.
    pub fn render_in(&self, show: usize, lang: Lang) -> String {
        let t = |key: &str, args: &[(&str, &str)]| text(lang, key, args);
        let col = |key: &str| t(&format!("cli.rules.eval.col.{key}"), &[]);
        let mut s = t(
            "cli.rules.eval.messages",
            &[("count", &self.total.to_string())],
        );
        s.push('\n');
        s.push_str(&format!(
            "{} {} {} {} {}\n",
            fit(&col("category"), 11),
            fit_right(&col("support"), 7),
            fit_right(&col("precision"), 9),
            fit_right(&col("recall"), 7),
            fit_right(&col("f1"), 7),
        ));
        for (c, support, p, r, f) in self.per_category() {
            s.push_str(&format!(
                "{} {support:>7} {p:>9.3} {r:>7.3} {f:>7.3}\n",
                fit(&category_label(c, lang), 11)
            ));
        }
        let f1 = format!("{:.3}", self.macro_f1());
        s.push_str(&t("cli.rules.eval.macro_f1", &[("value", &f1)]));
        s.push('\n');
        let rate = format!("{:.3}", self.alert_rate_on_other() * 100.0);
        s.push_str(&t("cli.rules.eval.alert_rate", &[("value", &rate)]));
        s.push('\n');
        if show > 0 && !self.wrong.is_empty() {
            let shown = show.min(self.wrong.len()).to_string();
            let total = self.wrong.len().to_string();
            s.push_str(&t(
                "cli.rules.eval.wrong",
                &[("shown", &shown), ("total", &total)],
            ));
            s.push('\n');
            for (l, got) in self.wrong.iter().take(show) {
                // The labelled file is anyone's text: one line, control characters visible.
                let body: String = l.body.chars().take(100).collect();
                s.push_str(&format!(
                    "  {} → {}  {}  {}\n",
                    category_label(l.label, lang),
                    category_label(*got, lang),
                    one_line(&l.id.to_string()),
                    one_line(&body.replace('\n', " "))
                ));
            }
        }
        s
    }
}

pub fn evaluate(engine: &Engine, samples: &[Labelled]) -> EvalReport {
    let mut confusion = BTreeMap::new();
    let mut wrong = Vec::new();
    for s in samples {
        let v = engine.classify(&Input::new(s.sender.as_deref().unwrap_or(""), &s.body));
        *confusion.entry((s.label, v.category)).or_insert(0) += 1;
        if v.category != s.label {
            wrong.push((s.clone(), v.category));
        }
    }
    EvalReport {
        total: samples.len(),
        confusion,
        wrong,
    }
}
