//! Where each message came from, as evidence: the original record's bytes cut from the
//! backup file, and (`--with-sources`) a copy of every backup file in the export.
//!
//! The store keeps, per message, its source file and position (record number; byte offset
//! for XML and JSON Lines; line for CSV, vMessage and JSON Lines), and per file the BLAKE3
//! of its content at the last import. The bytes are cut only from a file whose content still
//! has that hash, so they are the bytes the message was read from; a file rewritten since (a
//! new backup under the same name) is still copied, but marked as not the one imported. ZIP
//! entries, JSON documents and SQLite databases carry their record number only.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::Store;
use crate::store::history::Entry;
use crate::words::{Failed, OrSay as _, Phrase};

/// The folder of the export that holds the copies of the backup files.
pub const SOURCES_DIR: &str = "sources";
/// A record longer than this is not quoted (message texts are capped far below).
const MAX_RECORD: usize = 1 << 20;

/// The bytes of the record a message was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Original {
    /// Where the record starts in the source file, in bytes.
    pub offset: u64,
    pub length: u64,
    /// The bytes, as text when they are UTF-8 …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// … else in base64 (a GBK vMessage or CSV).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
}

impl Original {
    fn new(offset: u64, bytes: Vec<u8>) -> Original {
        let length = bytes.len() as u64;
        match String::from_utf8(bytes) {
            Ok(text) => Original {
                offset,
                length,
                text: Some(text),
                base64: None,
            },
            Err(e) => {
                use base64::Engine as _;
                Original {
                    offset,
                    length,
                    text: None,
                    base64: Some(base64::engine::general_purpose::STANDARD.encode(e.as_bytes())),
                }
            }
        }
    }
}

/// One backup file the exported messages came from, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceNote {
    /// The path the messages were imported from.
    pub file: String,
    /// Its copy in the export (`sources/01-sms.xml`), with `--with-sources`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
    /// SHA-256 of the file as it is now (of the copy, when copied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The file is, byte for byte, the one the messages were imported from.
    pub same_as_imported: bool,
    /// Why it was not copied, or why it differs, for the person reading the manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why it could not be read or copied, for the command line to say in the person's
    /// words (the note says it in the manifest's).
    #[serde(skip)]
    pub unread: Option<Phrase>,
}

/// What the sources gave each message: its original bytes and the name of its copy.
#[derive(Debug, Default)]
pub struct Found {
    /// By index in the exported entries.
    pub originals: HashMap<usize, Original>,
    pub copies: HashMap<usize, String>,
    pub notes: Vec<SourceNote>,
    /// The files written under `sources/`: (name, bytes, sha256).
    pub written: Vec<(String, u64, String)>,
}

/// Reads every source file of `entries` once: hashes it, copies it into `dir/sources/`
/// when `copy` is set, and cuts out the records of the messages it gave.
pub fn gather(store: &Store, entries: &[Entry], dir: &Path, copy: bool) -> Result<Found> {
    let mut by_source: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(path) = e.source.as_deref() else {
            continue;
        };
        let slot = *index.entry(path).or_insert_with(|| {
            by_source.push((path.to_string(), Vec::new()));
            by_source.len() - 1
        });
        by_source[slot].1.push(i);
    }
    let mut found = Found::default();
    if copy && !by_source.is_empty() {
        crate::paths::create_private_dir(&dir.join(SOURCES_DIR))?;
    }
    for (n, (path, members)) in by_source.into_iter().enumerate() {
        let record = store.source(&path)?;
        let mut note = SourceNote {
            file: path.clone(),
            copy: None,
            sha256: None,
            same_as_imported: false,
            note: None,
            unread: None,
        };
        let file = match crate::ingest::open_regular(Path::new(&path)) {
            Ok(f) => f,
            Err(e) => {
                note.note = Some(format!("not read: {e}"));
                note.unread = Some(Phrase::new("export.source_unreadable").arg("error", e));
                found.notes.push(note);
                continue;
            }
        };
        let copy_name = copy.then(|| format!("{SOURCES_DIR}/{:02}-{}", n + 1, plain_name(&path)));
        let (blake, sha, bytes) =
            match hash_and_copy(&file, copy_name.as_deref().map(|c| dir.join(c))) {
                Ok(h) => h,
                Err(e) => {
                    note.note = Some(format!("not read: {e:#}"));
                    note.unread = Some(unread(&e));
                    found.notes.push(note);
                    continue;
                }
            };
        note.sha256 = Some(sha.clone());
        note.same_as_imported = record
            .as_ref()
            .and_then(|r| r.hash.as_deref())
            .is_some_and(|h| h == blake.as_bytes());
        if !note.same_as_imported {
            note.note = Some(
                "changed since the messages were imported from it (a newer backup under the \
                 same name?): their original bytes are not quoted from it"
                    .into(),
            );
        }
        if let Some(name) = &copy_name {
            found.written.push((name.clone(), bytes, sha));
            for &i in &members {
                found.copies.insert(i, name.clone());
            }
            note.copy = Some(name.clone());
        }
        if note.same_as_imported {
            let format = record.as_ref().and_then(|r| r.format.as_deref());
            let wanted: Vec<(usize, &serde_json::Value, &str)> = members
                .iter()
                .map(|&i| (i, &entries[i].position, entries[i].body.as_str()))
                .collect();
            found.originals.extend(cut_records(&file, format, &wanted));
        }
        found.notes.push(note);
    }
    Ok(found)
}

/// The file name of `path` with anything but letters, digits, `.`, `_` and `-` replaced,
/// so that a copy's name is a plain name inside the export.
fn plain_name(path: &str) -> String {
    let base = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if out.trim_matches('.').is_empty() {
        out = "source".into();
    }
    out
}

/// BLAKE3 (to compare with the store's) and SHA-256 (for the manifest) of the whole file,
/// and its length; with `copy_to`, written there (0600) on the way.
fn hash_and_copy(
    mut file: &File,
    copy_to: Option<std::path::PathBuf>,
) -> Result<(blake3::Hash, String, u64)> {
    file.seek(SeekFrom::Start(0))?;
    let mut out = match &copy_to {
        Some(p) => Some(super::create_private_file(p)?),
        None => None,
    };
    let mut blake = blake3::Hasher::new();
    let mut sha = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        blake.update(&buf[..n]);
        sha.update(&buf[..n]);
        total += n as u64;
        if let (Some(o), Some(p)) = (out.as_mut(), &copy_to) {
            o.write_all(&buf[..n])
                .or_say(|| Phrase::new("export.cannot_write").arg("file", p.display()))?;
        }
    }
    if let (Some(o), Some(p)) = (out, &copy_to) {
        o.sync_all()
            .or_say(|| Phrase::new("export.cannot_write").arg("file", p.display()))?;
    }
    Ok((blake.finalize(), super::hex(&sha.finalize()), total))
}

/// Why a source could not be hashed or copied: what dunwatch could not do (write the
/// copy), else that the file cannot be read, with the system's reason.
fn unread(e: &anyhow::Error) -> Phrase {
    let system: Vec<String> = e
        .chain()
        .filter(|c| !c.is::<Failed>())
        .map(ToString::to_string)
        .collect();
    let system = system.join(": ");
    match e.chain().find_map(|c| c.downcast_ref::<Failed>()) {
        Some(f) => Phrase::new("export.because")
            .with("what", f.phrase.clone())
            .arg("error", system),
        None => Phrase::new("export.source_unreadable").arg("error", system),
    }
}

/// The records of `wanted` (entry index, stored position) in a file of `format`.
fn cut_records(
    file: &File,
    format: Option<&str>,
    wanted: &[(usize, &serde_json::Value, &str)],
) -> HashMap<usize, Original> {
    let get = |p: &serde_json::Value, k: &str| p.get(k).and_then(serde_json::Value::as_u64);
    let mut out = HashMap::new();
    match format {
        Some("sbr-xml" | "superbackup-xml") => {
            for &(i, p, _) in wanted {
                if let Some(o) = get(p, "offset").and_then(|at| at_offset(file, at, xml_element)) {
                    out.insert(i, o);
                }
            }
        }
        Some("ndjson") => {
            for &(i, p, _) in wanted {
                if let Some(o) = get(p, "offset").and_then(|at| at_offset(file, at, one_line)) {
                    out.insert(i, o);
                }
            }
        }
        Some("vmsg") => {
            let lines = lines_of(wanted);
            let found = by_lines(file, &lines, vmsg_record_ends, false).unwrap_or_default();
            out.extend(
                found
                    .into_iter()
                    .filter_map(|(i, mut c)| (!c.is_empty()).then(|| (i, c.swap_remove(0)))),
            );
        }
        Some("csv") => {
            // The line stored for a CSV record has been where the record before it ended
            // (the reader's position is read before the record is); so the record at the
            // line and the first one after it are cut, and the one holding the message's
            // text is kept, whichever way the reader counts.
            let lines = lines_of(wanted);
            let found = by_lines(file, &lines, csv_record_ends, true).unwrap_or_default();
            let bodies: HashMap<usize, &str> = wanted.iter().map(|&(i, _, b)| (i, b)).collect();
            for (i, candidates) in found {
                let probe = csv_probe(bodies[&i]);
                if let Some(o) = candidates
                    .into_iter()
                    .find(|c| c.text.as_deref().is_some_and(|t| t.contains(&probe)))
                {
                    out.insert(i, o);
                }
            }
        }
        _ => {}
    }
    out
}

/// The wanted entries' stored lines, ascending: (line, entry index).
fn lines_of(wanted: &[(usize, &serde_json::Value, &str)]) -> Vec<(u64, usize)> {
    let mut lines: Vec<(u64, usize)> = wanted
        .iter()
        .filter_map(|&(i, p, _)| {
            p.get("line")
                .and_then(serde_json::Value::as_u64)
                .map(|l| (l, i))
        })
        .collect();
    lines.sort_unstable();
    lines
}

/// A piece of the message's text as a CSV file writes it (quotes doubled): the start of its
/// first line, which no trimming or line-break translation on import changes.
fn csv_probe(body: &str) -> String {
    let first: String = body
        .trim()
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(24)
        .collect();
    first.replace('"', "\"\"")
}

/// Reads up to [`MAX_RECORD`] bytes at `offset`; `len` finds where the record in them
/// starts and how long it is.
fn at_offset(
    mut file: &File,
    offset: u64,
    len: fn(&[u8]) -> Option<(usize, usize)>,
) -> Option<Original> {
    file.seek(SeekFrom::Start(offset)).ok()?;
    let mut buf = Vec::new();
    file.take(MAX_RECORD as u64).read_to_end(&mut buf).ok()?;
    let (skip, n) = len(&buf)?;
    buf.truncate(skip + n);
    Some(Original::new(offset + skip as u64, buf.split_off(skip)))
}

/// The `<sms …/>` or `<mms>…</mms>` element at the start of `buf` (after blanks).
fn xml_element(buf: &[u8]) -> Option<(usize, usize)> {
    use quick_xml::events::Event;
    let start = buf.iter().position(|b| !b.is_ascii_whitespace())?;
    if buf[start] != b'<' {
        return None;
    }
    let mut reader = quick_xml::Reader::from_reader(&buf[start..]);
    match reader.read_event().ok()? {
        Event::Empty(_) => {}
        Event::Start(e) => {
            let name = e.name().as_ref().to_owned();
            reader.read_to_end(quick_xml::name::QName(&name)).ok()?;
        }
        _ => return None,
    }
    Some((start, reader.buffer_position() as usize))
}

/// The line at the start of `buf`, without its line break.
fn one_line(buf: &[u8]) -> Option<(usize, usize)> {
    let end = memchr::memchr(b'\n', buf)?;
    let end = if end > 0 && buf[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    Some((0, end))
}

/// Whether the record begun with these lines is complete after `line`: a CSV record ends
/// where its quotes balance (a quoted field may hold line breaks; `""` counts twice).
fn csv_record_ends(so_far: &[u8], _line: &[u8]) -> bool {
    memchr::memchr_iter(b'"', so_far).count().is_multiple_of(2)
}

/// A vMessage record ends with its `END:VMSG` line.
fn vmsg_record_ends(_so_far: &[u8], line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    t.len() >= 8 && t[..8].eq_ignore_ascii_case(b"END:VMSG")
}

/// One pass over a line-based file: the records starting at each wanted line (1-based,
/// ascending), each up to the line where `ends` says it is complete; with `and_next`, the
/// record right after it too (as a second candidate).
fn by_lines(
    file: &File,
    wanted: &[(u64, usize)],
    ends: fn(&[u8], &[u8]) -> bool,
    and_next: bool,
) -> std::io::Result<HashMap<usize, Vec<Original>>> {
    let mut out: HashMap<usize, Vec<Original>> = HashMap::new();
    let mut f = file;
    f.seek(SeekFrom::Start(0))?;
    let mut reader = BufReader::with_capacity(256 * 1024, f);
    // UTF-16 text counts its lines in other bytes: no quoting rather than wrong bytes.
    let head = reader.fill_buf()?;
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return Ok(out);
    }
    let mut next = 0;
    let (mut line_no, mut offset) = (0u64, 0u64);
    // The record being read: its first line and byte, and its bytes so far.
    let (mut rec_line, mut rec_offset, mut rec) = (0u64, 0u64, Vec::new());
    // Entries that want the record after the one that just ended.
    let mut waiting: Vec<usize> = Vec::new();
    let mut line = Vec::new();
    while next < wanted.len() || !waiting.is_empty() {
        line.clear();
        let n = (&mut reader)
            .take(MAX_RECORD as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        let mut length = n as u64;
        if line.len() > MAX_RECORD && line.last() != Some(&b'\n') {
            length += reader.skip_until(b'\n')? as u64;
        }
        line_no += 1;
        let start = offset;
        offset += length;
        if rec.is_empty() {
            (rec_line, rec_offset) = (line_no, start);
        }
        rec.extend_from_slice(&line);
        if length as usize > line.len() || rec.len() > MAX_RECORD {
            // Longer than any record: not quoted, and what wanted it gets nothing.
            rec.clear();
            waiting.clear();
            continue;
        }
        if !ends(&rec, &line) {
            continue;
        }
        let mut done = std::mem::take(&mut rec);
        while matches!(done.last(), Some(b'\n' | b'\r')) {
            done.pop();
        }
        let record = Original::new(rec_offset, done);
        for i in waiting.drain(..) {
            out.entry(i).or_default().push(record.clone());
        }
        // A wanted line before this record's start (inside the one before it) starts no
        // record; with `and_next` the first record after it is its candidate.
        while next < wanted.len() && wanted[next].0 < rec_line {
            if and_next {
                out.entry(wanted[next].1).or_default().push(record.clone());
            }
            next += 1;
        }
        while next < wanted.len() && wanted[next].0 == rec_line {
            let i = wanted[next].1;
            out.entry(i).or_default().push(record.clone());
            if and_next {
                waiting.push(i);
            }
            next += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_xml_element_is_cut_whole_with_markup_in_its_attributes() {
        let xml = b"  <sms body=\"a /> b\" date=\"1\" />\n<sms body=\"next\" />";
        let (skip, n) = xml_element(xml).unwrap();
        assert_eq!(&xml[skip..skip + n], b"<sms body=\"a /> b\" date=\"1\" />");
        let mms = b"<mms date=\"1\"><parts><part text=\"x\" /></parts></mms><sms />";
        let (skip, n) = xml_element(mms).unwrap();
        assert_eq!(&mms[skip..skip + n], &mms[..mms.len() - 7]);
    }

    #[test]
    fn csv_records_span_the_lines_their_quotes_hold_and_vmsg_records_end_at_end_vmsg() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        std::fs::write(&path, "a,b\r\n1,\"two\r\nlines\"\r\n2,plain\r\n").unwrap();
        let file = File::open(&path).unwrap();
        let got = by_lines(&file, &[(2, 0), (4, 1)], csv_record_ends, false).unwrap();
        assert_eq!(got[&0][0].text.as_deref(), Some("1,\"two\r\nlines\""));
        assert_eq!(got[&0][0].offset, 5);
        assert_eq!(got[&1][0].text.as_deref(), Some("2,plain"));
        // With the record after it, for a line that names the record before.
        let got = by_lines(&file, &[(1, 0)], csv_record_ends, true).unwrap();
        assert_eq!(got[&0][1].text.as_deref(), Some("1,\"two\r\nlines\""));
        assert_eq!(got[&0][1].offset, 5);
        let path = dir.path().join("m.vmsg");
        std::fs::write(
            &path,
            "BEGIN:VMSG\nX:1\nEND:VMSG\nBEGIN:VMSG\nBEGIN:VBODY\n\u{4f60}\nEND:VBODY\nEND:VMSG\n",
        )
        .unwrap();
        let file = File::open(&path).unwrap();
        let got = by_lines(&file, &[(4, 7)], vmsg_record_ends, false).unwrap();
        assert_eq!(
            got[&7][0].text.as_deref(),
            Some("BEGIN:VMSG\nBEGIN:VBODY\n\u{4f60}\nEND:VBODY\nEND:VMSG")
        );
        assert_eq!(got[&7][0].offset, 24);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_kept_in_base64() {
        let o = Original::new(3, vec![0xc4, 0xe3, b'a']);
        assert_eq!(o.text, None);
        assert_eq!(o.base64.as_deref(), Some("xONh"));
        assert_eq!(o.length, 3);
    }

    #[test]
    fn copy_names_are_plain_names() {
        assert_eq!(plain_name("/x/../sms 2024.xml"), "sms_2024.xml");
        assert_eq!(plain_name("/x/.."), "source");
        assert_eq!(plain_name("/a/短信.xml"), "短信.xml");
    }
}
