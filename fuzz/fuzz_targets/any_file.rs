//! Arbitrary bytes as a file in the watched folder: detect the format from the content, then
//! read it with whichever reader claims it — the path every file takes in `scan` and the
//! daemon. Readers added to `ingest::read_file` are covered without changing this target.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use dunwatch::ingest::{self, ReadOutcome, detect};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

/// One file per fuzz process, in memory (/dev/shm) when there is one.
static FILE: LazyLock<PathBuf> = LazyLock::new(|| {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    base.join(format!("dunwatch-fuzz-{}.bin", std::process::id()))
});

fuzz_target!(|data: &[u8]| {
    let path = &*FILE;
    std::fs::write(path, data).expect("write the fuzz input");
    // Detection reads only the head, and agrees with sniffing the bytes directly except for
    // ZIP archives and SQLite databases, which it opens to look inside. A database another
    // program holds is an error; nothing else is.
    let head = &data[..data.len().min(detect::SNIFF_BYTES)];
    let format = match detect::detect(path) {
        Ok(f) => f,
        Err(e) => {
            assert!(head.starts_with(b"SQLite format 3\0"), "{e}");
            return;
        }
    };
    if !head.starts_with(b"PK\x03\x04") && !head.starts_with(b"SQLite format 3\0") {
        assert_eq!(format, detect::sniff(head));
    }
    let Some(format) = format else { return };
    let opts = common::options();
    let mut sink = common::CheckingSink {
        opts: &opts,
        input_len: data.len() as u64,
        messages: 0,
        errors: 0,
    };
    let outcome = ingest::read_file(path, format, &opts, &mut sink).expect("the sink never refuses");
    if let ReadOutcome::Failed(e) = outcome {
        let _ = e.to_string();
    }
});
