//! Classification throughput on one core: every message of the given JSON Lines files
//! (`{"sender", "body"}`; default: the labelled fixtures) classified again and again for about
//! three seconds by one thread.
//! usage: cargo bench --bench classify -- [FILE.jsonl...]

use std::time::{Duration, Instant};

use dunwatch::classify::{Engine, Input};

fn main() {
    let mut files: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
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
        let start = Instant::now();
        let mut n = 0u64;
        let mut bytes = 0u64;
        while start.elapsed() < Duration::from_secs(3) {
            for (sender, body) in &messages {
                let v = engine.classify(&Input {
                    sender,
                    body,
                    ts_ms: None,
                });
                std::hint::black_box(v);
                n += 1;
                bytes += body.len() as u64;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{:<28} {} distinct messages, {n} classified in {secs:.2} s: {:.0} messages/s ({:.1} MB/s)",
            std::path::Path::new(&file)
                .file_name()
                .unwrap_or_default()
                .to_string_lossy(),
            messages.len(),
            n as f64 / secs,
            bytes as f64 / secs / 1e6
        );
    }
}
