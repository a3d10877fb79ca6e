//! Format detection from content: magic bytes and the first few kilobytes, never only the
//! file name (backup apps let users rename files, sync tools add suffixes).

use std::io::Read;
use std::path::Path;

use super::{ErrorKind, ParseError, Place};

/// Every export format dunwatch knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// SMS Backup & Restore XML (`<smses>`), also Signal/Silence plaintext backups.
    SbrXml,
    /// Super Backup (超级备份) XML (`<allsms>`).
    SuperBackupXml,
    /// SMS Import/Export ZIP with `messages.ndjson`.
    SmsIeZip,
    /// Newline-delimited JSON messages (sms-ie's bare `.ndjson`, JSON Lines, SmsForwarder).
    Ndjson,
    /// A JSON document: an array of messages or one message object.
    Json,
    /// vMessage `.vmsg` / `.vmg`.
    Vmsg,
    /// iPhone `sms.db` from a computer backup.
    IosSmsDb,
    /// Android `mmssms.db`.
    AndroidMmsSms,
    /// CSV with a header row.
    Csv,
}

impl Format {
    /// A short name for summaries and errors.
    pub fn name(self) -> &'static str {
        match self {
            Format::SbrXml => "SMS Backup & Restore XML",
            Format::SuperBackupXml => "Super Backup XML",
            Format::SmsIeZip => "SMS Import/Export ZIP",
            Format::Ndjson => "JSON Lines",
            Format::Json => "JSON",
            Format::Vmsg => "vMessage",
            Format::IosSmsDb => "iPhone sms.db",
            Format::AndroidMmsSms => "Android mmssms.db",
            Format::Csv => "CSV",
        }
    }

    /// A stable identifier stored in the database.
    pub fn id(self) -> &'static str {
        match self {
            Format::SbrXml => "sbr-xml",
            Format::SuperBackupXml => "superbackup-xml",
            Format::SmsIeZip => "sms-ie-zip",
            Format::Ndjson => "ndjson",
            Format::Json => "json",
            Format::Vmsg => "vmsg",
            Format::IosSmsDb => "ios-sms-db",
            Format::AndroidMmsSms => "android-mmssms-db",
            Format::Csv => "csv",
        }
    }
}

/// How many bytes of the start of a file detection looks at.
pub const SNIFF_BYTES: usize = 8192;

/// Detects the format of `path` from its content. `Ok(None)` means "not an SMS export we
/// know" (a photo, a calls backup), which callers skip quietly when walking folders.
pub fn detect(path: &Path) -> Result<Option<Format>, ParseError> {
    let file = super::open_regular(path).map_err(|e| ParseError::io(path, &e))?;
    detect_opened(path, &file)
}

/// Detects the format of the open `file` (named `path`, for errors) from its first bytes.
pub fn detect_opened(path: &Path, file: &std::fs::File) -> Result<Option<Format>, ParseError> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    super::rewind(file)
        .and_then(|f| f.take(SNIFF_BYTES as u64).read_to_end(&mut head))
        .map_err(|e| ParseError::io(path, &e))?;
    if head.starts_with(b"PK\x03\x04") {
        // Only an archive with messages.ndjson is an export; a complete ZIP without it (photos,
        // documents) is not. One that cannot be opened yet may still be arriving: the reader
        // says so.
        let file = super::rewind(file).map_err(|e| ParseError::io(path, &e))?;
        return Ok(match zip::ZipArchive::new(std::io::BufReader::new(file)) {
            Ok(zip) if zip.index_for_name("messages.ndjson").is_none() => None,
            _ => Some(Format::SmsIeZip),
        });
    }
    if head.starts_with(SQLITE_MAGIC) {
        // Which phone database (if any) needs a look at its tables. A locked one is an
        // error to retry later; a damaged one goes to the reader, which says what is wrong.
        return match super::sqlite::probe(path, file) {
            Ok(format) => Ok(format),
            Err(e @ super::sqlite::OpenError::Locked) => {
                Err(ParseError::new(path, Place::default(), e.kind(), e.said()))
            }
            Err(_) => Ok(Some(Format::AndroidMmsSms)),
        };
    }
    Ok(sniff(&head))
}

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// Detects a format from the first bytes of a file.
pub fn sniff(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"SQLite format 3\0") {
        // Which SQLite database it is needs a look at its tables; the SQLite readers do
        // that and refuse a database that is not theirs.
        return Some(sqlite_guess());
    }
    if head.starts_with(b"PK\x03\x04") {
        return Some(Format::SmsIeZip);
    }
    if is_utf16le_vmsg(head) {
        return Some(Format::Vmsg);
    }
    let text = strip_bom(head);
    let lead = trim_ascii_start(text);
    if lead.starts_with(b"<") {
        return sniff_xml(lead);
    }
    if lead.len() >= 10 && lead[..10].eq_ignore_ascii_case(b"BEGIN:VMSG") {
        return Some(Format::Vmsg);
    }
    if lead.starts_with(b"[") {
        return Some(Format::Json);
    }
    if lead.starts_with(b"{") {
        // One complete object on the first line: JSON Lines. Otherwise a (pretty-printed)
        // document.
        let first = lead.split(|&b| b == b'\n').next().unwrap_or(lead);
        let whole_line = first.len() < lead.len();
        return Some(
            if whole_line && serde_json::from_slice::<serde_json::Value>(first).is_ok() {
                Format::Ndjson
            } else {
                Format::Json
            },
        );
    }
    if super::csv::looks_like_header(lead) {
        return Some(Format::Csv);
    }
    None
}

/// Nokia-style `.vmg` files are UTF-16LE, often without a byte-order mark.
fn is_utf16le_vmsg(head: &[u8]) -> bool {
    let body = head.strip_prefix(b"\xFF\xFE").unwrap_or(head);
    let want = "BEGIN:VMSG".encode_utf16().flat_map(u16::to_le_bytes);
    body.len() >= 20 && body.iter().copied().take(20).eq(want)
}

/// Both SQLite formats start alike; the SQLite readers tell them apart by table names.
fn sqlite_guess() -> Format {
    Format::IosSmsDb
}

fn sniff_xml(lead: &[u8]) -> Option<Format> {
    // Skip the declaration, comments and processing instructions; the first element name
    // decides.
    let mut rest = lead;
    loop {
        rest = trim_ascii_start(rest);
        if rest.starts_with(b"<?") {
            rest = &rest[find(rest, b"?>")? + 2..];
        } else if rest.starts_with(b"<!--") {
            rest = &rest[find(rest, b"-->")? + 3..];
        } else if rest.starts_with(b"<!") {
            rest = &rest[find(rest, b">")? + 1..];
        } else {
            break;
        }
    }
    if starts_with_element(rest, b"smses") {
        Some(Format::SbrXml)
    } else if starts_with_element(rest, b"allsms") {
        Some(Format::SuperBackupXml)
    } else {
        None
    }
}

fn starts_with_element(s: &[u8], name: &[u8]) -> bool {
    s.len() > name.len() + 1
        && s[0] == b'<'
        && &s[1..=name.len()] == name
        && matches!(
            s[name.len() + 1],
            b' ' | b'>' | b'\t' | b'\r' | b'\n' | b'/'
        )
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// The error for a file whose content matches no known format.
pub fn unsupported(path: &Path) -> ParseError {
    ParseError::new(
        path,
        Place::default(),
        ErrorKind::Unsupported,
        crate::words::Phrase::new("import.detail.not_export"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbr_is_detected_after_declaration_comment_and_stylesheet() {
        let head = b"\xEF\xBB\xBF<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n\
            <!--File Created By SMS Backup & Restore v10.05.602 on 06/08/2019 02:10:16-->\n\
            <?xml-stylesheet type=\"text/xsl\" href=\"sms.xsl\"?>\n<smses count=\"1\">";
        assert_eq!(sniff(head), Some(Format::SbrXml));
    }

    #[test]
    fn calls_backup_and_other_xml_are_not_messages() {
        assert_eq!(sniff(b"<?xml version='1.0'?><calls count=\"2\">"), None);
        assert_eq!(sniff(b"<smsesx>"), None);
        assert_eq!(sniff(b"<allsms count=\"3\">"), Some(Format::SuperBackupXml));
    }

    #[test]
    fn text_formats_are_recognised_by_their_first_lines() {
        assert_eq!(sniff(b"BEGIN:VMSG\r\nVERSION: 1.1\r\n"), Some(Format::Vmsg));
        let utf16: Vec<u8> = "BEGIN:VMSG\nVERSION:1.1"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(sniff(&utf16), Some(Format::Vmsg));
        assert_eq!(sniff(b"{\"a\":1}\n{\"a\":2}\n"), Some(Format::Ndjson));
        assert_eq!(sniff(b"{\n  \"messages\": []\n}"), Some(Format::Json));
        assert_eq!(sniff(b"[{\"from\":\"1\"}]"), Some(Format::Json));
        assert_eq!(
            sniff(b"address,date,body\n95384,1709604930000,hi\n"),
            Some(Format::Csv)
        );
        assert_eq!(
            sniff(b"name,age\nbob,3\n"),
            None,
            "a CSV that is not messages"
        );
        assert_eq!(sniff(b"just some notes\n"), None);
    }

    #[test]
    fn zip_and_sqlite_are_recognised_by_magic() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Format::SmsIeZip));
        assert!(sniff(b"SQLite format 3\0....").is_some());
        assert_eq!(sniff(b"\x89PNG\r\n"), None);
    }
}
