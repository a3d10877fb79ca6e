//! Arbitrary bytes as an SMS Backup & Restore XML file.
#![no_main]

use std::path::Path;

use dunwatch::ingest::{Format, ReadOutcome, sbr};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let opts = common::options();
    let mut sink = common::CheckingSink::new(&opts, Format::SbrXml, data.len());
    let outcome = sbr::read_from(Path::new("fuzz.xml"), data, &opts, &mut sink)
        .expect("the sink never refuses");
    if let ReadOutcome::Failed(e) = outcome
        && let Some(offset) = e.place.offset
    {
        assert!(offset <= data.len() as u64, "failure offset past the end: {e}");
    }
});
