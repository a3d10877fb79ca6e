//! SMS Import/Export (sms-ie): a ZIP holding `messages.ndjson`, one JSON object per SMS or
//! MMS (every value a string; MMS text in `__parts`, MMS dates in seconds). Attachments in
//! the ZIP are not read.
//!
//! A ZIP is hostile input: the size an entry declares is not trusted. The entry is inflated
//! through a counter that stops at [`Limits::max_zip_entry_bytes`](super::Limits) and at an
//! inflated/compressed ratio no real export reaches.

use std::io::{BufReader, Read};
use std::path::Path;

use super::{ErrorKind, ReadOptions, ReadOutcome, Sink, SinkError, json};
use crate::words::Phrase;

const ENTRY: &str = "messages.ndjson";

pub fn read_zip(
    path: &Path,
    file: &std::fs::File,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let fail = |kind, detail: Phrase| Ok(ReadOutcome::failed_at_start(path, kind, detail));
    let mut archive = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(a) => a,
        // A ZIP whose central directory (at the end) is missing was cut off in transfer.
        Err(e) => {
            return fail(
                ErrorKind::Truncated,
                Phrase::new("import.detail.zip_incomplete").arg("error", e),
            );
        }
    };
    let Some(index) = archive.index_for_name(ENTRY) else {
        return fail(
            ErrorKind::Unsupported,
            Phrase::new("import.detail.zip_no_entry").arg("entry", ENTRY),
        );
    };
    let entry = match archive.by_index(index) {
        Ok(e) => e,
        Err(e) => {
            let detail = Phrase::new("import.detail.entry_error")
                .arg("entry", ENTRY)
                .arg("error", e);
            return fail(ErrorKind::Syntax, detail);
        }
    };
    let name = ENTRY.to_string();
    let compressed = entry.compressed_size().max(1);
    let limits = &opts.limits;
    let counted = Counted {
        inner: entry,
        read: 0,
        max: limits.max_zip_entry_bytes,
        max_for_ratio: compressed.saturating_mul(limits.max_zip_ratio).max(1 << 20),
    };
    let mut lines = BufReader::new(counted);
    match json::read_lines(path, Some(&name), &mut lines, opts, sink)? {
        ReadOutcome::Failed(mut e) if lines.get_ref().over() => {
            e.kind = ErrorKind::Limit;
            e.detail = Phrase::new("import.detail.zip_bomb")
                .arg("entry", &name)
                .arg("limit", lines.get_ref().what_limit())
                .into();
            Ok(ReadOutcome::Failed(e))
        }
        outcome => Ok(outcome),
    }
}

/// Counts inflated bytes and fails the read past the limits.
struct Counted<R> {
    inner: R,
    read: u64,
    max: u64,
    max_for_ratio: u64,
}

impl<R> Counted<R> {
    fn over(&self) -> bool {
        self.read > self.max || self.read > self.max_for_ratio
    }
    fn what_limit(&self) -> String {
        if self.read > self.max {
            format!("{} MB", self.max >> 20)
        } else {
            "the inflate ratio allowed".to_string()
        }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.over() {
            return Err(std::io::Error::other("ZIP entry limit exceeded"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.over() {
            return Err(std::io::Error::other("ZIP entry limit exceeded"));
        }
        Ok(n)
    }
}
