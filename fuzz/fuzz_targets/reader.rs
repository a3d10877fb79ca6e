//! Shared by the per-format targets: the fuzz input written as a file and read by one reader,
//! chosen up front (not by detection), so that mutations which break detection still reach
//! the reader's own checks.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use dunwatch::ingest::{self, Format, ReadOutcome};

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

/// Writes `data` as the fuzz process's file, clearing what a previous input left beside it
/// (a SQLite journal or WAL), and returns its path.
pub fn write_input(data: &[u8]) -> &'static Path {
    let path = &*FILE;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::write(path, data).expect("write the fuzz input");
    path
}

/// Writes `data` as a file and reads it as `format`.
pub fn read_as(format: Format, data: &[u8]) {
    read_written(write_input(data), format, data.len());
}

/// Reads the written input as `format`: no panic, every message and error within the limits
/// and the input (see `common::CheckingSink`), every failure renders.
pub fn read_written(path: &Path, format: Format, input_len: usize) {
    let opts = common::options();
    let mut sink = common::CheckingSink::new(&opts, format, input_len);
    let outcome = ingest::read_file(path, format, &opts, &mut sink).expect("the sink never refuses");
    if let ReadOutcome::Failed(e) = outcome {
        let _ = e.to_string();
    }
}
