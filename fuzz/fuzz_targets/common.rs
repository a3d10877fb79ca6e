//! Shared by the fuzz targets: a sink that checks what every reader promises.
#![allow(dead_code)]

use dunwatch::ingest::{Format, Limits, ParseError, ReadOptions, Sink};
use dunwatch::model::Message;

/// Small limits, so that fuzz inputs of a few kilobytes reach every refusal path.
pub fn options() -> ReadOptions {
    ReadOptions {
        phone_tz: jiff::tz::TimeZone::UTC,
        limits: Limits {
            max_body_bytes: 2048,
            max_element_bytes: 8192,
            max_attribute_bytes: 4096,
            max_row_bytes: 8192,
            max_records: 500,
            max_depth: 16,
            ..Limits::default()
        },
    }
}

/// Checks every message and error against the limits and the input size.
pub struct CheckingSink<'a> {
    pub opts: &'a ReadOptions,
    /// The largest byte offset a position may name: the input's length, or for a ZIP (whose
    /// positions are inside the inflated entry) the entry limit.
    pub max_offset: u64,
    pub messages: usize,
    pub errors: usize,
}

impl<'a> CheckingSink<'a> {
    pub fn new(opts: &'a ReadOptions, format: Format, input_len: usize) -> Self {
        let max_offset = match format {
            Format::SmsIeZip => opts.limits.max_zip_entry_bytes,
            _ => input_len as u64,
        };
        CheckingSink { opts, max_offset, messages: 0, errors: 0 }
    }
}

impl Sink for CheckingSink<'_> {
    fn message(&mut self, msg: Message) -> anyhow::Result<()> {
        assert!(
            msg.body.len() <= self.opts.limits.max_body_bytes,
            "a body of {} bytes passed the limit",
            msg.body.len()
        );
        if let Some(offset) = msg.position.offset {
            assert!(offset <= self.max_offset, "offset {offset} past the end");
        }
        self.messages += 1;
        assert!(
            self.messages <= self.opts.limits.max_records,
            "more messages than max_records"
        );
        Ok(())
    }

    fn record_error(&mut self, err: ParseError) {
        if let Some(offset) = err.place.offset {
            assert!(offset <= self.max_offset, "error offset {offset} past the end: {err}");
        }
        // Errors are shown to the user: they must render.
        let _ = err.to_string();
        self.errors += 1;
    }
}
