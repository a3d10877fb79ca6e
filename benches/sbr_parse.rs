//! Parse-only throughput of the SMS Backup & Restore reader (no classification, no SQLite).
//! usage: cargo bench --bench sbr_parse -- FILE.xml   (e.g. from ../shared/tools/gen_backup.py)

use std::path::Path;

use dunwatch::ingest::{ParseError, ReadOptions, ReadOutcome, Sink, sbr};
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
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with("--")) else {
        eprintln!("usage: cargo bench --bench sbr_parse -- FILE.xml");
        return;
    };
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let mut c = Count(0);
        let o = sbr::read(Path::new(&path), &ReadOptions::default(), &mut c).unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert!(matches!(o, ReadOutcome::Complete), "{o:?}");
        println!(
            "{} messages in {:.3} s: {:.0} messages/s, {:.0} MB/s",
            c.0,
            secs,
            c.0 as f64 / secs,
            size as f64 / secs / 1e6
        );
    }
}
