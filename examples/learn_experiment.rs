//! The learned model (`classify::learned`) on a split of labelled messages, as
//! `benches/learn/experiment.py` writes it: the model is built in-process from the marked
//! part, counted as `Store::rebuild_learned` counts (normalised text, `learned::tokens`, each
//! token once per message), and judges each message of the rest.
//!
//! ```text
//! cargo run --release --example learn_experiment -- MARKED.jsonl REST.jsonl [DB [OUT.jsonl]]
//! ```
//!
//! Each input line is `{"id", "body", "label"}` (label: a category). With DB (the database
//! the script marked the same messages in with `dunwatch mark`), the counts stored there must
//! be the in-process ones and the stored model must judge every message the same, bit for
//! bit. OUT gets one line per message of the rest: `{"id", "label", "judged", "probability",
//! "words"}`. The tuning is the shipped `[engine.learned]`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use dunwatch::classify::Engine;
use dunwatch::classify::learned::{self, CategoryCounts, Model};
use dunwatch::classify::normalize::normalize;
use dunwatch::model::Category;

struct Labelled {
    id: String,
    body: String,
    label: Category,
}

fn read(path: &str) -> Result<Vec<Labelled>> {
    let text = std::fs::read_to_string(path).with_context(|| path.to_string())?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l)?;
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            Ok(Labelled {
                id: s("id"),
                body: s("body"),
                label: s("label").parse().map_err(anyhow::Error::msg)?,
            })
        })
        .collect()
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        bail!("usage: learn_experiment MARKED.jsonl REST.jsonl [DB [OUT.jsonl]]");
    }
    let marked = read(&args[0])?;
    let rest = read(&args[1])?;
    let engine = Engine::load(None)?;
    let w = engine.tuning().learned.clone();

    let mut counts: BTreeMap<Category, CategoryCounts> = BTreeMap::new();
    for m in &marked {
        counts
            .entry(m.label)
            .or_insert_with(|| CategoryCounts::new(m.label))
            .add(&learned::tokens(&normalize(&m.body).text));
    }
    let counts: Vec<CategoryCounts> = counts.into_values().collect();
    let model = Model::new(counts.clone(), &w);
    println!(
        "marked: {} ({}); active: {:?} (min_messages {}, min_probability {})",
        marked.len(),
        counts
            .iter()
            .map(|c| format!("{} {}", c.category, c.messages))
            .collect::<Vec<_>>()
            .join(", "),
        model.active(),
        w.min_messages,
        w.min_probability
    );

    let stored = match args.get(2) {
        Some(db) => {
            let store = dunwatch::store::Store::open(Path::new(db))?;
            if store.learned_counts()? != counts {
                bail!("the counts stored in {db} are not the in-process ones");
            }
            store.learned_model(&w)?
        }
        None => None,
    };

    let mut out = match args.get(3) {
        Some(p) => Some(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => None,
    };
    // label -> judged (None: no judgment) -> count
    let mut table: BTreeMap<Category, BTreeMap<Option<Category>, u32>> = BTreeMap::new();
    for m in &rest {
        let text = normalize(&m.body).text;
        let j = model.judge(&text);
        if let Some(s) = &stored {
            let k = s.judge(&text);
            let same = match (&j, &k) {
                (Some(a), Some(b)) => {
                    a.category == b.category
                        && a.probability.to_bits() == b.probability.to_bits()
                        && a.words == b.words
                }
                (None, None) => true,
                _ => false,
            };
            if !same {
                bail!("message {}: in-process {j:?}, stored {k:?}", m.id);
            }
        }
        *table
            .entry(m.label)
            .or_default()
            .entry(j.as_ref().map(|j| j.category))
            .or_default() += 1;
        if let Some(o) = out.as_mut() {
            serde_json::to_writer(
                &mut *o,
                &serde_json::json!({
                    "id": m.id,
                    "label": m.label,
                    "judged": j.as_ref().map(|j| j.category),
                    "probability": j.as_ref().map(|j| j.probability),
                    "words": j.as_ref().map(|j| j.words.clone()).unwrap_or_default(),
                }),
            )?;
            o.write_all(b"\n")?;
        }
    }
    for (label, judged) in &table {
        let n: u32 = judged.values().sum();
        let cells: Vec<String> = judged
            .iter()
            .map(|(j, k)| format!("{} {k}", j.map_or("none", Category::as_str)))
            .collect();
        println!("rest {label} ({n}): judged {}", cells.join(", "));
    }
    if stored.is_some() {
        println!("the model stored in the database judged every message the same");
    }
    Ok(())
}
