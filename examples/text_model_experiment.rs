//! Could a text model trained on the corpora we may ship from catch the scams no rule names?
//! This experiment says no, for now (benches/model/README.md has the figures): it trains an
//! L2-regularised logistic regression of scam against not-a-scam over the tokens of
//! `learned::tokens` (CJK bigrams and trigrams, words, link hosts) on the training half
//! `benches/model/corpora.py` writes, then scores the model alone on labelled sets.
//!
//! ```text
//! python3 benches/model/corpora.py                      # -> /tmp/dunwatch-model/
//! cargo run --release --example text_model_experiment -- /tmp/dunwatch-model/train.jsonl SET.jsonl...
//! ```
//!
//! Tokens must appear in at least [`MIN_DF`] training messages; scams weigh `POS_WEIGHT`
//! times an ordinary message (env, default: the two classes weigh the same in total); AdaGrad
//! steps in a fixed order, so the same input always gives the same figures. For each set it
//! prints how many messages the model alone finds likely (>= 0.9) and sure (>= 0.99) to be
//! scams, by label, and the tokens that weighed most towards a scam.

use std::collections::HashMap;
use std::io::Write;

use anyhow::{Context, Result, bail};
use dunwatch::classify::learned;
use dunwatch::classify::normalize::normalize;

/// A token must appear in this many training messages to get a weight.
const MIN_DF: usize = 3;
const EPOCHS: usize = 25;
const L2: f64 = 1e-4;
const RATE: f64 = 0.2;
/// Tokens whose weight is smaller than this are dropped.
const MIN_WEIGHT: f64 = 0.02;

fn lines(path: &str) -> Result<Vec<serde_json::Value>> {
    let text = std::fs::read_to_string(path).with_context(|| path.to_string())?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).with_context(|| path.to_string()))
        .collect()
}

fn tokens(body: &str) -> Vec<String> {
    learned::tokens(&normalize(body).text)
}

fn train(input: &str) -> Result<Model> {
    let rows = lines(input)?;
    let docs: Vec<(Vec<String>, bool, String)> = rows
        .iter()
        .map(|r| {
            (
                tokens(r["body"].as_str().unwrap_or_default()),
                r["label"].as_i64() == Some(1),
                r["corpus"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for (t, _, _) in &docs {
        for tok in t {
            *df.entry(tok).or_default() += 1;
        }
    }
    let mut vocab: Vec<&str> = df
        .iter()
        .filter(|(_, n)| **n >= MIN_DF)
        .map(|(t, _)| *t)
        .collect();
    vocab.sort_unstable();
    let index: HashMap<&str, usize> = vocab.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    let xs: Vec<(Vec<usize>, f64)> = docs
        .iter()
        .map(|(t, y, _)| {
            (
                t.iter()
                    .filter_map(|x| index.get(x.as_str()).copied())
                    .collect(),
                if *y { 1.0 } else { 0.0 },
            )
        })
        .collect();
    let pos = xs.iter().filter(|(_, y)| *y > 0.5).count() as f64;
    let neg = xs.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        bail!("{input}: the training set needs both scams and other messages");
    }
    let pos_weight = std::env::var("POS_WEIGHT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(neg / pos);
    let class_weight = |y: f64| {
        if y > 0.5 { pos_weight } else { 1.0 }
    };
    let mut w = vec![0.0f64; vocab.len()];
    let mut g2 = vec![1e-8f64; vocab.len()];
    let (mut b, mut gb2) = (0.0f64, 1e-8f64);
    // A fixed interleaving (a stride coprime with the length) instead of a random shuffle:
    // the classes and corpora are mixed and the result is reproducible.
    let n = xs.len();
    let stride = (1..n)
        .rev()
        .find(|s| gcd(*s, n) == 1 && *s < n / 2)
        .unwrap_or(1);
    for _ in 0..EPOCHS {
        let mut at = 0usize;
        for _ in 0..n {
            at = (at + stride) % n;
            let (x, y) = &xs[at];
            let z = b + x.iter().map(|&i| w[i]).sum::<f64>();
            let p = 1.0 / (1.0 + (-z).exp());
            let g = (p - y) * class_weight(*y);
            gb2 += g * g;
            b -= RATE * g / gb2.sqrt();
            for &i in x {
                let gi = g + L2 * w[i] * n as f64 / df[vocab[i]] as f64;
                g2[i] += gi * gi;
                w[i] -= RATE * gi / g2[i].sqrt();
            }
        }
    }
    let weights: HashMap<String, f64> = vocab
        .iter()
        .zip(&w)
        .filter(|(_, w)| w.abs() >= MIN_WEIGHT)
        .map(|(t, w)| (t.to_string(), *w))
        .collect();
    eprintln!(
        "{input}: {} messages ({pos} scams), {} of {} tokens weigh, bias {b:.3}",
        n,
        weights.len(),
        vocab.len()
    );
    Ok(Model { bias: b, weights })
}

/// log-odds = bias + the weights of the tokens present.
struct Model {
    bias: f64,
    weights: HashMap<String, f64>,
}

impl Model {
    fn probability(&self, body: &str) -> f64 {
        let z = self.bias
            + tokens(body)
                .iter()
                .filter_map(|t| self.weights.get(t))
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn judge(m: &Model, sets: &[String]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:30} {:>5} {:>22} {:>22}",
        "set", "n", "scams ≥0.9 / ≥0.99", "others ≥0.9 / ≥0.99"
    )?;
    for set in sets {
        let rows = lines(set)?;
        let (mut s, mut s9, mut s99, mut o, mut o9, mut o99) = (0, 0, 0, 0, 0, 0);
        for r in &rows {
            let p = m.probability(r["body"].as_str().unwrap_or_default());
            let scam = r["label"].as_str() == Some("scam");
            let (n, n9, n99) = if scam {
                (&mut s, &mut s9, &mut s99)
            } else {
                (&mut o, &mut o9, &mut o99)
            };
            *n += 1;
            *n9 += usize::from(p >= 0.9);
            *n99 += usize::from(p >= 0.99);
        }
        let name = std::path::Path::new(set)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        writeln!(
            out,
            "{name:30} {:>5} {:>22} {:>22}",
            rows.len(),
            format!("{s9}/{s99} of {s}"),
            format!("{o9}/{o99} of {o}")
        )?;
    }
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        bail!("usage: text_model_experiment TRAIN.jsonl SET.jsonl...");
    }
    let model = train(&args[0])?;
    let mut top: Vec<(&String, &f64)> = model.weights.iter().collect();
    top.sort_by(|a, b| b.1.total_cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let top: Vec<&str> = top.iter().take(40).map(|(t, _)| t.as_str()).collect();
    eprintln!("strongest scam tokens: {}", top.join(" "));
    judge(&model, &args[1..])
}
