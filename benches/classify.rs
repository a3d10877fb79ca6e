//! Classification throughput on one core: every message of the given JSON Lines files
//! (`{"sender", "body"}`; default: the labelled fixtures) classified again and again for about
//! three seconds by one thread: normalisation alone, normalisation and the rules' patterns, and
//! the whole verdict (sender, lender, links, advice), so the figures show where the time goes.
//! usage: cargo bench --bench classify -- [FILE.jsonl...]

mod common;

use std::time::{Duration, Instant};

use dunwatch::classify::{Engine, Input};

fn main() {
    let mut files = common::file_args();
    if files.is_empty() {
        files.push(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/labelled/research_examples.jsonl"
            )
            .to_string(),
        );
    }
    let engine = Engine::builtin().expect("shipped rules");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable file");
        let messages: Vec<(String, String)> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
                (s("sender"), s("body"))
            })
            .collect();
        if messages.is_empty() {
            continue;
        }
        let name = std::path::Path::new(&file)
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        println!("{name}: {} distinct messages", messages.len());
        // The stages of a verdict, each measured alone, so the figures say where a budget goes.
        run("normalise only", &messages, |_, body| {
            std::hint::black_box(dunwatch::classify::normalize::normalize(body));
        });
        run("normalise + rule patterns", &messages, |_, body| {
            std::hint::black_box(engine.fired_rule_ids(body));
        });
        run("whole verdict", &messages, |sender, body| {
            std::hint::black_box(engine.classify(&Input {
                sender,
                body,
                ts_ms: None,
                utc_offset_s: None,
            }));
        });
    }
}

/// Runs `f` over the messages again and again for about three seconds on this thread.
fn run(stage: &str, messages: &[(String, String)], mut f: impl FnMut(&str, &str)) {
    let start = Instant::now();
    let (mut n, mut bytes) = (0u64, 0u64);
    while start.elapsed() < Duration::from_secs(3) {
        for (sender, body) in messages {
            f(sender, body);
            n += 1;
            bytes += body.len() as u64;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "  {stage:<26} {:>6.2} µs/message {:>10.0} messages/s ({:.1} MB/s)",
        secs * 1e6 / n as f64,
        n as f64 / secs,
        bytes as f64 / secs / 1e6
    );
}
