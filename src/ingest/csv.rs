//! CSV exports with a header row: iMazing, SMS to Text/Excel exports, spreadsheets people
//! make themselves. Columns are found by the names exporters give them (English and Chinese);
//! times may be epoch ms or s or local date-time text, read in the phone's time zone.
//! Files that are not UTF-8 are read as GB18030 (what Chinese Excel writes).

use std::cell::Cell;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use super::json::{Stamp, direction_word, epoch_ms, split, time_text};
use super::{ErrorKind, ParseError, Place, ReadOptions, ReadOutcome, Sink, SinkError};
use crate::model::{Direction, Message, Position};
use crate::words::Phrase;

const SENDER: &[&str] = &[
    "address",
    "number",
    "phone",
    "phone number",
    "from",
    "sender",
    "sender id",
    "chat session",
    "contact number",
    "号码",
    "手机号",
    "电话",
    "发件人",
    "对方号码",
];
const BODY: &[&str] = &[
    "body",
    "text",
    "message",
    "content",
    "sms",
    "message text",
    "内容",
    "短信内容",
    "正文",
];
const TIME: &[&str] = &[
    "date",
    "message date",
    "time",
    "timestamp",
    "datetime",
    "date/time",
    "sent date",
    "received",
    "时间",
    "日期",
    "发送时间",
    "接收时间",
];
const DIRECTION: &[&str] = &["type", "direction", "folder", "box", "类型", "方向"];
const CONTACT: &[&str] = &[
    "contact",
    "contact name",
    "name",
    "sender name",
    "联系人",
    "姓名",
];

/// The column indexes of one header row.
#[derive(Debug, Default)]
struct Columns {
    sender: Vec<usize>,
    body: Vec<usize>,
    time: Vec<usize>,
    direction: Option<usize>,
    contact: Option<usize>,
}

impl Columns {
    fn find(header: &[String]) -> Columns {
        let norm: Vec<String> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
            .collect();
        let all = |names: &[&str]| -> Vec<usize> {
            names
                .iter()
                .filter_map(|n| norm.iter().position(|h| h == n))
                .collect()
        };
        Columns {
            sender: all(SENDER),
            body: all(BODY),
            time: all(TIME),
            direction: all(DIRECTION).first().copied(),
            contact: all(CONTACT).first().copied(),
        }
    }

    fn is_messages(&self) -> bool {
        !self.body.is_empty() && (!self.sender.is_empty() || !self.time.is_empty())
    }
}

/// True when `head` starts with a header row naming a message text column and a sender or
/// time column (used by format detection).
pub fn looks_like_header(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let Ok(line) = std::str::from_utf8(line) else {
        let (text, _, _) = encoding_rs::GB18030.decode(line);
        return header_of_line(&text);
    };
    header_of_line(line)
}

fn header_of_line(line: &str) -> bool {
    let delimiter = delimiter_of(line);
    // A header has at least two columns. Without a delimiter there is nothing to split, and
    // building a CSV reader for every photo in a synced folder costs more than the rest of
    // the look at it.
    if !line.as_bytes().contains(&delimiter) {
        return false;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(line.as_bytes());
    let Some(Ok(record)) = reader.records().next() else {
        return false;
    };
    let header: Vec<String> = record.iter().map(str::to_string).collect();
    header.len() >= 2 && Columns::find(&header).is_messages()
}

fn delimiter_of(line: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// What the CSV reader buffers ahead of the row it is reading.
const BUFFER: usize = 64 << 10;

pub fn read(
    path: &Path,
    mut file: &std::fs::File,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let mut head = Vec::new();
    if let Err(e) = file.by_ref().take(64 << 10).read_to_end(&mut head) {
        return Ok(ReadOutcome::Failed(ParseError::io(path, &e)));
    }
    // A cut in the middle of a character at the end of the sample is not an encoding error.
    let utf8 = match std::str::from_utf8(&head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or(&head);
    let delimiter = delimiter_of(&String::from_utf8_lossy(first_line));
    let raw = std::io::Cursor::new(head).chain(file);
    let source: Box<dyn Read> = if utf8 {
        Box::new(raw)
    } else {
        // Not UTF-8: GB18030 (what Chinese Excel writes), decoded as it streams.
        Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding_rs::GB18030))
                .build(raw),
        )
    };
    let allowed = Rc::new(Cell::new(0u64));
    let capped = RowCap {
        inner: source,
        read: 0,
        allowed: allowed.clone(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(BUFFER)
        .from_reader(capped);
    let row_limit = opts.limits.max_row_bytes as u64;
    allowed.set(row_limit + BUFFER as u64);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            let (kind, detail): (ErrorKind, crate::ingest::Detail) = if is_row_too_long(&e) {
                (
                    ErrorKind::Limit,
                    Phrase::new("import.detail.csv_header_too_long")
                        .arg("limit", row_limit)
                        .into(),
                )
            } else {
                let detail = Phrase::new("import.detail.csv_no_header").arg("error", e);
                (ErrorKind::Syntax, detail.into())
            };
            return Ok(ReadOutcome::Failed(ParseError::new(
                path,
                Place::line(1),
                kind,
                detail,
            )));
        }
    };
    let columns = Columns::find(&header);
    if !columns.is_messages() {
        return Ok(ReadOutcome::Failed(ParseError::new(
            path,
            Place::line(1),
            ErrorKind::Unsupported,
            Phrase::new("import.detail.csv_no_columns").arg("found", header.join(", ")),
        )));
    }
    let mut record = csv::StringRecord::new();
    let mut n = 0u64;
    loop {
        let line = reader.position().line();
        // The reader may take one row and what it buffers ahead of it, no more.
        allowed.set(reader.position().byte() + row_limit + BUFFER as u64);
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(ReadOutcome::Complete),
            Ok(true) => {}
            Err(e) => {
                n += 1;
                let place = Place {
                    line: Some(line),
                    record: Some(n),
                    ..Place::default()
                };
                let kind = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => ErrorKind::Encoding,
                    csv::ErrorKind::Io(_) if is_row_too_long(&e) => {
                        return Ok(ReadOutcome::Failed(ParseError::new(
                            path,
                            place,
                            ErrorKind::Limit,
                            Phrase::new("import.detail.csv_row_too_long").arg("limit", row_limit),
                        )));
                    }
                    csv::ErrorKind::Io(_) => {
                        return Ok(ReadOutcome::Failed(ParseError::new(
                            path,
                            place,
                            ErrorKind::Io,
                            e.to_string(),
                        )));
                    }
                    _ => ErrorKind::Syntax,
                };
                sink.record_error(ParseError::new(path, place, kind, e.to_string()));
                continue;
            }
        }
        n += 1;
        let place = Place {
            line: Some(line),
            record: Some(n),
            ..Place::default()
        };
        if record.len() != header.len() {
            sink.record_error(ParseError::new(
                path,
                place,
                ErrorKind::Syntax,
                Phrase::new("import.detail.csv_ragged")
                    .arg("fields", record.len())
                    .arg("header", header.len()),
            ));
            continue;
        }
        let field = |cols: &[usize]| {
            cols.iter()
                .map(|&i| record.get(i).unwrap_or("").trim())
                .find(|v| !v.is_empty())
                .map(str::to_string)
        };
        let body = field(&columns.body).unwrap_or_default();
        if body.len() > opts.limits.max_body_bytes {
            sink.record_error(ParseError::new(
                path,
                place,
                ErrorKind::Limit,
                Phrase::new("import.detail.csv_body_too_long")
                    .arg("limit", opts.limits.max_body_bytes),
            ));
            continue;
        }
        let direction = match columns.direction.and_then(|i| record.get(i)).map(str::trim) {
            Some("3") => continue, // a draft
            Some("2" | "4" | "5" | "6") => Direction::Out,
            Some(word) => direction_word(word).unwrap_or(Direction::In),
            None => Direction::In,
        };
        let (ts_ms, zoneless) = split(columns.time.iter().filter_map(|&i| record.get(i)).find_map(
            |v| match v.trim().parse::<i64>() {
                Ok(n) => epoch_ms(n).map(Stamp::zoned),
                Err(_) => time_text(v, &opts.phone_tz),
            },
        ));
        sink.message(Message {
            sender: field(&columns.sender).unwrap_or_default(),
            body,
            ts_ms,
            zoneless,
            direction,
            contact: columns
                .contact
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            position: Position {
                record: n,
                offset: None,
                line: Some(line),
            },
        })?;
    }
}

/// Stops the CSV reader at a row longer than the limit, while it streams in: the reader
/// gathers a row whole before handing it over, so a 2 GB field would take 2 GB of memory.
/// `allowed` is how far into the text the reader may read, moved on after each row.
struct RowCap<R> {
    inner: R,
    read: u64,
    allowed: Rc<Cell<u64>>,
}

/// True when the CSV reader stopped because [`RowCap`] refused more of a row.
fn is_row_too_long(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Io(io) if io.get_ref().is_some_and(|e| e.is::<RowTooLong>()))
}

/// Carried through the CSV reader's I/O error when a row is too long.
#[derive(Debug, thiserror::Error)]
#[error("a row longer than the limit")]
struct RowTooLong;

impl<R: Read> Read for RowCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.allowed.get().saturating_sub(self.read);
        if left == 0 && !buf.is_empty() {
            return Err(std::io::Error::other(RowTooLong));
        }
        let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..n])?;
        self.read += got as u64;
        Ok(got)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{Collect, Limits};

    fn read_text(bytes: &[u8], limits: Limits) -> (Collect, ReadOutcome) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        let file = crate::ingest::open_regular(&path).unwrap();
        let opts = ReadOptions {
            limits,
            ..ReadOptions::default()
        };
        let mut c = Collect::default();
        let outcome = read(Path::new("t.csv"), &file, &opts, &mut c).unwrap();
        (c, outcome)
    }

    #[test]
    fn a_row_longer_than_the_limit_stops_the_file_there_naming_the_limit_and_line() {
        let long = "x".repeat(300_000);
        let text = format!(
            "address,date,body\n1,1700000000000,短\n2,1700000001000,\"{long}\"\n3,1,after\n"
        );
        let limits = Limits {
            max_row_bytes: 100_000,
            ..Limits::default()
        };
        let (c, outcome) = read_text(text.as_bytes(), limits);
        assert_eq!(c.msgs.len(), 1);
        let ReadOutcome::Failed(err) = outcome else {
            panic!("should stop at the long row")
        };
        assert_eq!(err.kind, ErrorKind::Limit);
        assert_eq!(err.place.line, Some(3), "{err}");
        assert!(err.detail.contains("limit of 100000 bytes"), "{err}");
        // Under the limit the same file reads whole.
        let (c, outcome) = read_text(text.as_bytes(), Limits::default());
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(c.msgs.len(), 3);
    }

    #[test]
    fn a_gb18030_file_whose_decoder_finishes_early_is_read_without_a_panic() {
        // Found by the `csv` fuzz target: the hand-written streaming decoder called
        // encoding_rs again after it had finished.
        let bytes = include_bytes!("../../tests/fixtures/fuzz/csv-gb18030-decoder-finished.csv");
        let (c, _) = read_text(bytes, Limits::default());
        assert!(c.msgs.len() + c.errors.len() > 0);
    }

    #[test]
    fn gb18030_is_decoded_as_it_streams_across_read_boundaries() {
        // Longer than the decoder's input buffer, so characters split between reads.
        let rows: String = (0..3000)
            .map(|i| format!("95384,{},您的借款已逾期第{i}天\n", 1_700_000_000_000i64 + i))
            .collect();
        let text = format!("号码,时间,内容\n{rows}");
        let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
        let (c, outcome) = read_text(&bytes, Limits::default());
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(c.msgs.len(), 3000);
        assert_eq!(c.msgs[2999].body, "您的借款已逾期第2999天");
    }
}
