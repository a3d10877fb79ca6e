//! Parse-only throughput of the readers (format detected from content; no classification,
//! no SQLite), best of three runs per file.
//! usage: cargo bench --bench parse -- FILE...   (e.g. the files benches/gen_formats.py writes)

mod common;

use std::path::Path;

use dunwatch::ingest::{ParseError, ReadOptions, ReadOutcome, Sink, detect, read_file};
use dunwatch::model::Message;

struct Count(u64);

impl Sink for Count {
    fn message(&mut self, _m: Message) -> anyhow::Result<()> {
        self.0 += 1;
        Ok(())
    }
    fn record_error(&mut self, _e: ParseError) {}
}

fn main() {
    let files = common::file_args();
    if files.is_empty() {
        eprintln!("usage: cargo bench --bench parse -- FILE...");
        return;
    }
    for path in files {
        let path = Path::new(&path);
        let Ok(Some(format)) = detect(path) else {
            eprintln!("{}: not an SMS export", path.display());
            continue;
        };
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let mut best = f64::MAX;
        let mut count = 0;
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let mut c = Count(0);
            let o = read_file(path, format, &ReadOptions::default(), &mut c).unwrap();
            best = best.min(t.elapsed().as_secs_f64());
            assert!(matches!(o, ReadOutcome::Complete), "{o:?}");
            count = c.0;
        }
        println!(
            "{:<28} {:<26} {count} messages in {best:.3} s: {:.0} messages/s, {:.0} MB/s",
            path.file_name().unwrap_or_default().to_string_lossy(),
            format.name(),
            count as f64 / best,
            size as f64 / best / 1e6
        );
    }
}
