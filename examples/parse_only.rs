use dunwatch::ingest::{ParseError, ReadOptions, Sink, sbr};
use dunwatch::model::Message;
use std::path::Path;
struct Count(u64);
impl Sink for Count {
    fn message(&mut self, m: Message) -> anyhow::Result<()> {
        self.0 += m.body.len() as u64;
        Ok(())
    }
    fn record_error(&mut self, _e: ParseError) {}
}
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let t = std::time::Instant::now();
    let mut c = Count(0);
    let o = sbr::read(Path::new(&p), &ReadOptions::default(), &mut c).unwrap();
    eprintln!(
        "{:?} {} {:?}",
        t.elapsed(),
        c.0,
        matches!(o, dunwatch::ingest::ReadOutcome::Complete)
    );
}
