//! `dunwatch rules check|test|eval`: validate the rule files, run the examples each rule
//! carries, and measure the engine on labelled messages.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use serde::Deserialize;

use super::Ctx;
use crate::classify::{Engine, Input};
use crate::model::Category;

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
    let result = match cmd {
        RulesCommand::Check => {
            let engine = ctx.engine()?;
            for s in &engine.sources {
                writeln!(out, "ok  {s}")?;
            }
            let schemas = engine.rules().iter().filter(|r| r.is_schema()).count();
            writeln!(
                out,
                "{} rules ({schemas} of them schemas), {} concepts, {} lenders, {} other institutions",
                engine.rules().len(),
                engine.concepts().iter().count(),
                engine.registry().lenders.len(),
                engine.registry().institutions.len()
            )?;
            ExitCode::SUCCESS
        }
        RulesCommand::Explain { text, sender } => {
            let engine = ctx.engine()?;
            for (kind, name, words) in engine.explain(&Input::new(&sender, &text)) {
                writeln!(
                    out,
                    "{kind:8} {name:36} {}",
                    crate::untrusted::one_line(&words)
                )?;
            }
            ExitCode::SUCCESS
        }
        RulesCommand::Test => {
            let engine = ctx.engine()?;
            let failures = test_examples(&engine);
            let total: usize = engine
                .rules()
                .iter()
                .map(|r| r.examples.len() + r.not_examples.len())
                .sum();
            for f in &failures {
                writeln!(out, "FAIL {f}")?;
            }
            writeln!(
                out,
                "{} passed, {} failed",
                total - failures.len(),
                failures.len()
            )?;
            if failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        RulesCommand::Eval { file, show } => {
            let engine = ctx.engine()?;
            let reader = std::io::BufReader::new(
                std::fs::File::open(&file)
                    .with_context(|| format!("cannot open {}", file.display()))?,
            );
            let samples =
                read_labelled(reader).with_context(|| format!("reading {}", file.display()))?;
            let report = evaluate(&engine, &samples);
            write!(out, "{}", report.render(show))?;
            ExitCode::SUCCESS
        }
    };
    out.flush()?;
    Ok(result)
}

/// Every example that does not behave, as `origin rule: "text" should fire`.
pub fn test_examples(engine: &Engine) -> Vec<String> {
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
    for rule in engine.rules() {
        for ex in &rule.examples {
            if !fires(rule, ex) {
                failures.push(format!("{} {}: {ex:?} should fire", rule.origin, rule.id));
            }
        }
        for ex in &rule.not_examples {
            if fires(rule, ex) {
                failures.push(format!(
                    "{} {}: {ex:?} should not fire",
                    rule.origin, rule.id
                ));
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
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    read_labelled(std::io::BufReader::new(file))
        .with_context(|| format!("reading {}", path.display()))
}

pub fn read_labelled(reader: impl BufRead) -> Result<Vec<Labelled>> {
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(&line).with_context(|| format!("line {}", i + 1))?);
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

    pub fn render(&self, show: usize) -> String {
        let mut s = format!(
            "{} messages\n{:<11} {:>7} {:>9} {:>7} {:>7}\n",
            self.total, "category", "support", "precision", "recall", "f1"
        );
        for (c, support, p, r, f) in self.per_category() {
            s.push_str(&format!(
                "{:<11} {support:>7} {p:>9.3} {r:>7.3} {f:>7.3}\n",
                c.as_str()
            ));
        }
        s.push_str(&format!("macro-F1 {:.3}\n", self.macro_f1()));
        s.push_str(&format!(
            "alerts on messages labelled other: {:.3} %\n",
            self.alert_rate_on_other() * 100.0
        ));
        if show > 0 && !self.wrong.is_empty() {
            s.push_str(&format!(
                "wrong ({} of {}):\n",
                show.min(self.wrong.len()),
                self.wrong.len()
            ));
            for (l, got) in self.wrong.iter().take(show) {
                let body: String = l.body.chars().take(100).collect();
                s.push_str(&format!(
                    "  {} → {}  {}  {}\n",
                    l.label,
                    got,
                    l.id,
                    body.replace('\n', " ")
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
