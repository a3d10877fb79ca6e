//! Where a first import's time goes, stage by stage, each on one core: parsing, keying and
//! classifying, and storing (the real `Store`), beside the least any SQLite store with a
//! unique key per message can cost (a bare table of key and body, same transactions).
//!
//! The importer runs parse + classify on one thread and the store on the other, so its
//! ceiling is one message per max(parse + classify, store); the figures say which stage
//! holds it and how far the floor is from a target.
//! usage: cargo bench --bench stages -- BACKUP.xml...   (e.g. from ../shared/tools/gen_backup.py)

mod common;

use std::path::Path;
use std::time::Instant;

use dunwatch::classify::{Engine, Input};
use dunwatch::ingest::{ParseError, ReadOptions, ReadOutcome, Sink, detect, read_file};
use dunwatch::model::{Message, Verdict};
use dunwatch::store::{MessageKey, NewMessage, Store, message_key_normalized, normalize_sender};

/// Messages per transaction: about what the importer commits in its one second.
const PER_TRANSACTION: usize = 50_000;

struct Collect(Vec<Message>);

impl Sink for Collect {
    fn message(&mut self, m: Message) -> anyhow::Result<()> {
        self.0.push(m);
        Ok(())
    }
    fn record_error(&mut self, _e: ParseError) {}
}

fn main() {
    let files = common::file_args();
    if files.is_empty() {
        eprintln!("usage: cargo bench --bench stages -- BACKUP.xml...");
        return;
    }
    let engine = Engine::builtin().expect("shipped rules");
    for file in files {
        let path = Path::new(&file);
        let Ok(Some(format)) = detect(path) else {
            eprintln!("{}: not an SMS export", path.display());
            continue;
        };
        println!("{}", path.display());

        let t = Instant::now();
        let mut sink = Collect(Vec::new());
        let outcome = read_file(path, format, &ReadOptions::default(), &mut sink).unwrap();
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        let messages = sink.0;
        let n = messages.len();
        report("parse", n, t);

        let t = Instant::now();
        let keyed: Vec<(String, MessageKey)> = messages
            .iter()
            .map(|m| {
                let sender_norm = normalize_sender(&m.sender);
                let key = message_key_normalized(&sender_norm, m.direction, m.ts_ms, &m.body);
                (sender_norm, key)
            })
            .collect();
        report("key", n, t);

        let t = Instant::now();
        let verdicts: Vec<Verdict> = messages
            .iter()
            .map(|m| {
                engine.classify(&Input {
                    sender: &m.sender,
                    body: &m.body,
                    ts_ms: m.ts_ms,
                    utc_offset_s: None,
                })
            })
            .collect();
        report("classify", n, t);

        let dir = std::env::temp_dir().join(format!("dunwatch-stages-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();

        let mut store = Store::open(&dir.join("dunwatch.db")).unwrap();
        let source = store.source_id(&file).unwrap();
        let t = Instant::now();
        for first in (0..n).step_by(PER_TRANSACTION) {
            let batch = store.batch().unwrap();
            for i in first..n.min(first + PER_TRANSACTION) {
                batch
                    .insert(
                        source,
                        &NewMessage {
                            key: keyed[i].1,
                            sender_norm: &keyed[i].0,
                            message: &messages[i],
                            verdict: &verdicts[i],
                        },
                    )
                    .unwrap();
            }
            batch.commit().unwrap();
        }
        report("store (dunwatch)", n, t);

        let mut bare = rusqlite::Connection::open(dir.join("bare.db")).unwrap();
        bare.pragma_update(None, "journal_mode", "WAL").unwrap();
        bare.pragma_update(None, "synchronous", "NORMAL").unwrap();
        bare.execute_batch(
            "CREATE TABLE message (id INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE, body TEXT NOT NULL)",
        )
        .unwrap();
        let t = Instant::now();
        for first in (0..n).step_by(PER_TRANSACTION) {
            let tx = bare.transaction().unwrap();
            {
                let mut insert = tx
                    .prepare("INSERT INTO message(key, body) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING")
                    .unwrap();
                for i in first..n.min(first + PER_TRANSACTION) {
                    insert
                        .execute(rusqlite::params![&keyed[i].1[..], messages[i].body])
                        .unwrap();
                }
            }
            tx.commit().unwrap();
        }
        report("store floor (key + body)", n, t);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn report(stage: &str, n: usize, start: Instant) {
    let secs = start.elapsed().as_secs_f64();
    println!(
        "  {stage:<26} {secs:>7.3} s  {:>8.2} µs/message  {:>10.0} messages/s",
        secs * 1e6 / n as f64,
        n as f64 / secs
    );
}
