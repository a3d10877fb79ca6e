//! Arbitrary bytes read as a file of the Json format (see reader.rs).
#![no_main]

use dunwatch::ingest::Format;
use libfuzzer_sys::fuzz_target;

#[path = "reader.rs"]
mod reader;

fuzz_target!(|data: &[u8]| reader::read_as(Format::Json, data));
