//! Reading exports: every format the phone apps write becomes a stream of [`Message`]s.
//!
//! One module per format. [`detect`] sniffs the format from the file's content (never only
//! from its name); [`read_file`] streams the messages to a sink. Errors name the file and
//! the place (byte offset, line or record) and say whether the file looked truncated, which
//! the daemon treats as "still being written, retry when it changes".

pub mod csv;
pub mod detect;
pub mod entities;
pub mod json;
mod said;
pub mod sanitize;
pub mod sbr;
pub mod sms_ie;
pub mod sqlite;
pub mod vmsg;

use std::fmt;
use std::path::{Path, PathBuf};

pub use detect::{Format, detect, detect_opened};
pub use said::Detail;

use crate::model::Message;

/// What kind of failure a parse error is; decides how the daemon reacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file ends early: half-written by a sync tool, or cut off. Retry when it changes.
    Truncated,
    /// Bytes that are not valid text in the file's encoding.
    Encoding,
    /// The structure is broken (bad XML, bad entity, bad JSON, bad row).
    Syntax,
    /// A hostile-input limit was hit (giant attribute, zip bomb, too many rows).
    Limit,
    /// The file is not in any format dunwatch reads.
    Unsupported,
    /// The file could not be read (permissions, I/O, locked database).
    Io,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Truncated => "truncated",
            ErrorKind::Encoding => "encoding error",
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Limit => "limit exceeded",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Io => "read error",
        })
    }
}

/// Where in a file something went wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub offset: Option<u64>,
    pub line: Option<u64>,
    pub record: Option<u64>,
    /// Inside an archive: the entry name.
    pub entry: Option<String>,
}

impl Place {
    pub fn offset(offset: u64) -> Place {
        Place {
            offset: Some(offset),
            ..Place::default()
        }
    }
    pub fn line(line: u64) -> Place {
        Place {
            line: Some(line),
            ..Place::default()
        }
    }
    pub fn record(record: u64) -> Place {
        Place {
            record: Some(record),
            ..Place::default()
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(entry) = &self.entry {
            parts.push(format!("entry {entry}"));
        }
        if let Some(line) = self.line {
            parts.push(format!("line {line}"));
        }
        if let Some(record) = self.record {
            parts.push(format!("message {record}"));
        }
        if let Some(offset) = self.offset {
            parts.push(format!("byte {offset}"));
        }
        if parts.is_empty() {
            f.write_str("start of file")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// A problem with one file (or one record of it), naming the file and the place.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {place}: {kind}: {detail}", path.display())]
pub struct ParseError {
    pub path: PathBuf,
    pub place: Place,
    pub kind: ErrorKind,
    pub detail: Detail,
}

impl ParseError {
    pub fn new(path: &Path, place: Place, kind: ErrorKind, detail: impl Into<Detail>) -> Self {
        ParseError {
            path: path.to_path_buf(),
            place,
            kind,
            detail: detail.into(),
        }
    }

    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        ParseError::new(path, Place::default(), ErrorKind::Io, err.to_string())
    }

    /// True when the file probably is still being written: retry when it changes.
    pub fn is_incomplete(&self) -> bool {
        self.kind == ErrorKind::Truncated
    }
}

/// Opens `path` for reading only if it is a regular file. The open itself does not block
/// (`O_NONBLOCK`: a FIFO put in a backup's place would otherwise wait for a writer for ever)
/// and the check is made on the opened descriptor (`fstat`), so a name swapped between a
/// look and the open cannot slip a FIFO, socket or device through. Every reader opens
/// through here.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    open_checked(path, false)
}

/// [`open_regular`], refusing a symbolic link in the last component of `path` (for a name
/// already resolved and checked: a link put in its place since is not followed).
pub fn open_regular_nofollow(path: &Path) -> std::io::Result<std::fs::File> {
    open_checked(path, true)
}

fn open_checked(path: &Path, nofollow: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let no_link = if nofollow { libc::O_NOFOLLOW } else { 0 };
        options.custom_flags(libc::O_NONBLOCK | no_link);
    }
    #[cfg(not(unix))]
    let _ = nofollow;
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            NOT_REGULAR,
        ));
    }
    #[cfg(unix)]
    {
        // Reads of a regular file never block anyway; clear the flag so nothing below sees
        // EAGAIN.
        use std::os::fd::AsRawFd;
        let fd = file.as_raw_fd();
        // SAFETY: fcntl on a descriptor this function owns, with integer arguments only.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
    }
    Ok(file)
}

/// What [`open_regular`] says of anything but a regular file.
pub const NOT_REGULAR: &str =
    "not a regular file (a FIFO, socket or device): skipped; backups are ordinary files";

/// The descriptor, read from its first byte again (detection, hashing and reading take
/// turns on one descriptor).
pub fn rewind(file: &std::fs::File) -> std::io::Result<&std::fs::File> {
    use std::io::Seek as _;
    let mut f = file;
    f.seek(std::io::SeekFrom::Start(0))?;
    Ok(file)
}

impl ReadOutcome {
    /// A read that failed at the start of the file.
    pub fn failed_at_start(path: &Path, kind: ErrorKind, detail: impl Into<Detail>) -> Self {
        ReadOutcome::Failed(ParseError::new(path, Place::default(), kind, detail))
    }
}

/// Settings that change how files are read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Time zone for formats that store local wall-clock times without a zone.
    pub phone_tz: jiff::tz::TimeZone,
    pub limits: Limits,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            phone_tz: jiff::tz::TimeZone::system(),
            limits: Limits::default(),
        }
    }
}

/// Bounds a hostile file cannot pass. Each refusal is a [`ErrorKind::Limit`] error naming the
/// file and the place; readers skip the record and go on where the rest of the file can
/// still be read safely.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest message body kept, in bytes; longer bodies are an error for that record.
    pub max_body_bytes: usize,
    /// Largest single XML element (tag with its attributes, MMS media excluded), and largest
    /// run of text, comment or other markup between two elements: each is capped while it
    /// streams in. Also the longest value SQLite may load from a phone database. Past it the parser cannot find the element's end safely, so the file
    /// stops there.
    pub max_element_bytes: usize,
    /// Largest ZIP entry read, counted as it is inflated (the header's size is not trusted).
    pub max_zip_entry_bytes: u64,
    /// Largest inflated/compressed ratio of a ZIP entry over 1 MB (a zip bomb's is in the
    /// thousands; text compresses about 5–20 times).
    pub max_zip_ratio: u64,
    /// Largest single attribute value or field (address, contact name, part text) after
    /// decoding; a larger one costs its record.
    pub max_attribute_bytes: usize,
    /// Longest CSV row, capped while it streams in (the CSV reader gathers a row whole
    /// before it can be looked at). A longer one stops the file there.
    pub max_row_bytes: usize,
    /// Largest phone database (or its `-wal`) copied to read it, which is needed only when
    /// its `-wal` holds changes; others are read in place, whatever their size.
    pub max_copy_bytes: u64,
    /// Longest SQLite may work on reading one phone database (not counting the time spent
    /// classifying and storing its messages).
    pub max_query_time: std::time::Duration,
    /// Most messages (records) read from one file; the rest of the file is refused.
    pub max_records: usize,
    /// Deepest element nesting (XML) or object/array nesting (JSON); deeper input stops the
    /// file, since its structure can no longer be followed.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1 << 20,
            max_element_bytes: 8 << 20,
            max_zip_entry_bytes: 4 << 30,
            max_zip_ratio: 200,
            // MMS text parts can be long; SMS attributes are small.
            max_attribute_bytes: 2 << 20,
            // A row holds one message (at most max_body_bytes) and a few short fields.
            max_row_bytes: 8 << 20,
            // The largest iPhone sms.db we have heard of is a few GB.
            max_copy_bytes: 2 << 30,
            // A 500 000-message database reads in seconds.
            max_query_time: std::time::Duration::from_secs(120),
            // Ten times the largest real backup we have heard of (a 10-year phone, ~500 000).
            max_records: 5_000_000,
            max_depth: 64,
        }
    }
}

impl Limits {
    /// The error for a refused record or file, naming the limit and the setting it comes from.
    pub fn error(path: &Path, place: Place, detail: impl Into<Detail>) -> ParseError {
        ParseError::new(path, place, ErrorKind::Limit, detail)
    }
}

/// Receives messages as a reader produces them. Returning an error stops the read (e.g. the
/// database is gone); the error is passed through unchanged.
pub trait Sink {
    fn message(&mut self, msg: Message) -> anyhow::Result<()>;
    /// A record that could not be read; the reader goes on with the next one where it safely
    /// can.
    fn record_error(&mut self, err: ParseError);
}

/// A sink that keeps everything in memory: for tests, tools and small files.
#[derive(Debug, Default)]
pub struct Collect {
    pub msgs: Vec<Message>,
    pub errors: Vec<ParseError>,
}

impl Sink for Collect {
    fn message(&mut self, msg: Message) -> anyhow::Result<()> {
        self.msgs.push(msg);
        Ok(())
    }
    fn record_error(&mut self, err: ParseError) {
        self.errors.push(err);
    }
}

/// How a read ended.
#[derive(Debug)]
pub enum ReadOutcome {
    /// Every record was read (record errors, if any, went to the sink).
    Complete,
    /// The file broke off at this error; the messages before it were delivered.
    Failed(ParseError),
}

/// Why a read stopped early other than a parse error: the sink refused.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct SinkError(#[from] pub anyhow::Error);

/// Reads every message of `path` in `format` into `sink`: opens it ([`open_regular`]) and
/// reads that descriptor ([`read_opened`]).
pub fn read_file(
    path: &Path,
    format: Format,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    match open_regular(path) {
        Ok(file) => read_opened(path, &file, format, opts, sink),
        Err(e) => Ok(ReadOutcome::Failed(ParseError::io(path, &e))),
    }
}

/// Reads every message of the open `file` (whose name is `path`, for errors) in `format`
/// into `sink`, from its first byte. The caller opened it once, so a file renamed over this
/// one meanwhile is not read half from each.
///
/// Whatever the reader, the body and record limits hold: a message over
/// [`Limits::max_body_bytes`] becomes a record error, and the file stops with a limit error
/// after [`Limits::max_records`] messages (readers check these themselves, with better
/// places; this is the net under every reader, including ones added later).
pub fn read_opened(
    path: &Path,
    file: &std::fs::File,
    format: Format,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let mut guard = LimitSink {
        inner: sink,
        path,
        limits: &opts.limits,
        delivered: 0,
        over: false,
    };
    match read_unguarded(path, file, format, opts, &mut guard) {
        Err(_) if guard.over => Ok(ReadOutcome::Failed(Limits::error(
            path,
            Place::record(guard.delivered as u64 + 1),
            crate::words::Phrase::new("import.detail.too_many")
                .arg("limit", opts.limits.max_records),
        ))),
        other => other,
    }
}

/// Enforces the limits every reader must respect, on the messages it delivers.
struct LimitSink<'a> {
    inner: &'a mut dyn Sink,
    path: &'a Path,
    limits: &'a Limits,
    delivered: usize,
    over: bool,
}

/// The read was stopped by the record limit (turned into a limit error by [`read_file`]).
#[derive(Debug, thiserror::Error)]
#[error("record limit reached")]
struct RecordLimit;

impl Sink for LimitSink<'_> {
    fn message(&mut self, msg: Message) -> anyhow::Result<()> {
        if self.delivered >= self.limits.max_records {
            self.over = true;
            return Err(RecordLimit.into());
        }
        if msg.body.len() > self.limits.max_body_bytes {
            let place = Place {
                offset: msg.position.offset,
                line: msg.position.line,
                record: Some(msg.position.record),
                entry: None,
            };
            self.inner.record_error(Limits::error(
                self.path,
                place,
                crate::words::Phrase::new("import.detail.body_too_long")
                    .arg("size", msg.body.len())
                    .arg("limit", self.limits.max_body_bytes),
            ));
            return Ok(());
        }
        self.delivered += 1;
        self.inner.message(msg)
    }

    fn record_error(&mut self, err: ParseError) {
        self.inner.record_error(err);
    }
}

fn read_unguarded(
    path: &Path,
    file: &std::fs::File,
    format: Format,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let file = match rewind(file) {
        Ok(f) => f,
        Err(e) => return Ok(ReadOutcome::Failed(ParseError::io(path, &e))),
    };
    match format {
        Format::SbrXml => sbr::read_from(path, file, opts, sink),
        Format::SmsIeZip => sms_ie::read_zip(path, file, opts, sink),
        Format::Ndjson => json::read_lines(path, None, std::io::BufReader::new(file), opts, sink),
        Format::Json => json::read_document(path, file, opts, sink),
        Format::Csv => csv::read(path, file, opts, sink),
        Format::IosSmsDb | Format::AndroidMmsSms => sqlite::read(path, file, opts, sink),
        Format::Vmsg => vmsg::read(path, file, opts, sink),
        Format::SuperBackupXml => sbr::read_root(path, file, sbr::Root::Allsms, opts, sink),
    }
}

#[cfg(test)]
mod limit_sink_tests {
    use super::*;
    use crate::model::{Direction, Position};

    fn msg(i: u64, body: &str) -> Message {
        Message {
            zoneless: None,
            sender: "1".into(),
            body: body.into(),
            ts_ms: Some(i as i64),
            direction: Direction::In,
            contact: None,
            position: Position {
                record: i,
                offset: None,
                line: Some(i),
            },
        }
    }

    #[test]
    fn the_net_under_every_reader_refuses_long_bodies_and_stops_after_the_record_limit() {
        let limits = Limits {
            max_body_bytes: 5,
            max_records: 2,
            ..Limits::default()
        };
        let mut c = Collect::default();
        let mut guard = LimitSink {
            inner: &mut c,
            path: Path::new("x.csv"),
            limits: &limits,
            delivered: 0,
            over: false,
        };
        guard.message(msg(1, "short")).unwrap();
        guard.message(msg(2, "far too long")).unwrap();
        guard.message(msg(3, "ok")).unwrap();
        assert!(guard.message(msg(4, "no")).is_err());
        assert!(guard.over);
        let bodies: Vec<&str> = c.msgs.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["short", "ok"]);
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].kind, ErrorKind::Limit);
        assert_eq!(
            c.errors[0].to_string(),
            "x.csv: line 2, message 2: limit exceeded: message text of 12 bytes is over the limit of 5; skipped"
        );
    }
}
