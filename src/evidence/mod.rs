//! Evidence for a complaint: the chosen messages as CSV, JSON and a printable HTML page, each
//! with its original source file and position (and the record's own bytes when the backup
//! is still the one imported: see [`original`]), optionally copies of the backup files, plus
//! a manifest that lets anyone show that nothing was edited afterwards.
//!
//! Integrity has three layers. `manifest.json` lists the SHA-256 of every file, and
//! `manifest.sha256` holds the SHA-256 of the manifest itself (in `sha256sum -c` format), so
//! one changed byte anywhere makes some hash differ. Inside `messages.json`, each message
//! carries the SHA-256 of its own content and a chain hash over all messages before it. A
//! careful forger can recompute all of those; what they cannot change is the manifest's
//! SHA-256 printed at export time and recorded in the database (migration 7), which
//! [`verify`] checks the folder against.

pub mod original;
pub mod verify;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::Reason;
use crate::store::Store;
use crate::store::history::{Entry, Filter};
use crate::words::{Failed, OrSay as _, Phrase};
pub use original::{Original, SOURCES_DIR, SourceNote};
pub use verify::{Against, Basis, Problem, Verified, verify};

pub const FORMAT: &str = "dunwatch-evidence/1";
pub const MESSAGES_CSV: &str = "messages.csv";
pub const MESSAGES_JSON: &str = "messages.json";
pub const MESSAGES_HTML: &str = "messages.html";
pub const MANIFEST: &str = "manifest.json";
pub const MANIFEST_SUM: &str = "manifest.sha256";
/// The chain starts from the hash of this text, so an empty export still has a head.
const CHAIN_SEED: &str = "dunwatch-evidence-v1";

/// The hashed content of one message, in a fixed field order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Content {
    /// Position in this export, from 1.
    pub seq: u64,
    /// The message id in the dunwatch database.
    pub id: i64,
    /// RFC 3339 with the local offset; null when the export had no time.
    pub time: Option<String>,
    pub sender: String,
    pub contact: Option<String>,
    pub direction: String,
    pub body: String,
    pub category: String,
    /// The engine's category when the user corrected it.
    pub engine_category: Option<String>,
    pub lender: Option<String>,
    pub reasons: Vec<Reason>,
    /// The backup file the message was read from, and where in it.
    pub source_file: Option<String>,
    pub position: serde_json::Value,
    /// The record's bytes in that file, when the file is still the one imported. Absent
    /// from exports made before it existed, whose hashes must still check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<Original>,
    /// The copy of the backup file in this export (`--with-sources`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_copy: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    #[serde(flatten)]
    pub content: Content,
    /// SHA-256 of the content's JSON.
    pub sha256: String,
    /// SHA-256 of (previous chain hash ‖ this sha256), hex; the last one is the chain head.
    pub chain: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileHash {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created: String,
    pub tool: String,
    pub database: String,
    /// The filters used, as the user gave them.
    pub selection: Vec<String>,
    pub messages: u64,
    pub chain_head: String,
    pub files: Vec<FileHash>,
    /// The backup files the messages came from: copied or not, still as imported or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceNote>,
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

pub(crate) fn content_hash(c: &Content) -> String {
    sha256_hex(&serde_json::to_vec(c).expect("content serializes"))
}

pub(crate) fn chain_next(prev: &str, record_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(record_hash.as_bytes());
    hex(&h.finalize())
}

pub(crate) fn chain_seed() -> String {
    sha256_hex(CHAIN_SEED.as_bytes())
}

fn content_of(seq: u64, e: &Entry, tz: &jiff::tz::TimeZone) -> Content {
    Content {
        seq,
        id: e.id,
        time: e
            .ts_ms
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .map(|t| {
                t.to_zoned(tz.clone())
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
            }),
        sender: e.sender.clone(),
        contact: e.contact.clone(),
        direction: e.direction.as_str().to_string(),
        body: e.body.clone(),
        category: e.category.as_str().to_string(),
        engine_category: e.engine_category.map(|c| c.as_str().to_string()),
        lender: e.lender.clone(),
        reasons: e.reasons.clone(),
        source_file: e.source.clone(),
        position: e.position.clone(),
        original: None,
        source_copy: None,
    }
}

/// Creates a new file readable by the user only.
fn create_private_file(path: &Path) -> Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .or_say(|| Phrase::new("export.cannot_create").arg("file", path.display()))
}

/// Writes `data` to a new file readable by the user only.
fn write_private_file(path: &Path, data: &[u8]) -> Result<()> {
    let mut f = create_private_file(path)?;
    f.write_all(data)
        .and_then(|()| f.sync_all())
        .or_say(|| Phrase::new("export.cannot_write").arg("file", path.display()))
}

/// What an export wrote.
#[derive(Debug)]
pub struct Exported {
    pub dir: PathBuf,
    pub messages: u64,
    pub chain_head: String,
    pub manifest_sha256: String,
    /// The backup files, copied or not.
    pub sources: Vec<SourceNote>,
    /// How many messages carry their original record's bytes.
    pub originals: usize,
}

/// Exports the messages matching `filter` (oldest first) into `dir`, which must not exist or
/// be empty; with `with_sources`, copies of their backup files too. `selection` describes the
/// filter for the manifest; times are written in `tz` (the user's zone) with their offset.
/// The manifest's SHA-256 is recorded in the database for [`verify`].
pub fn export(
    store: &Store,
    filter: &Filter,
    selection: Vec<String>,
    dir: &Path,
    tz: &jiff::tz::TimeZone,
    with_sources: bool,
) -> Result<Exported> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir)
            .or_say(|| Phrase::new("export.cannot_read").arg("dir", dir.display()))?;
        if entries.next().is_some() {
            return Err(
                Failed::new(Phrase::new("export.not_empty").arg("dir", dir.display())).into(),
            );
        }
    }
    crate::paths::create_private_dir(dir)?;
    let mut entries = store.history(filter)?;
    entries.reverse();
    let mut found = original::gather(store, &entries, dir, with_sources)?;
    let originals = found.originals.len();

    let mut prev = chain_seed();
    let mut records = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let mut content = content_of(i as u64 + 1, e, tz);
        content.original = found.originals.remove(&i);
        content.source_copy = found.copies.remove(&i);
        let sha = content_hash(&content);
        let chain = chain_next(&prev, &sha);
        prev.clone_from(&chain);
        records.push(Record {
            content,
            sha256: sha,
            chain,
        });
    }
    let chain_head = prev;

    let json = {
        let mut v = serde_json::to_vec_pretty(&records)?;
        v.push(b'\n');
        v
    };
    let csv = render_csv(&records)?;
    let html = render_html(&records, &chain_head, &selection)?;
    let mut files = Vec::new();
    for (name, data) in [
        (MESSAGES_CSV, csv.as_slice()),
        (MESSAGES_JSON, json.as_slice()),
        (MESSAGES_HTML, html.as_bytes()),
    ] {
        write_private_file(&dir.join(name), data)?;
        files.push(FileHash {
            name: name.to_string(),
            bytes: data.len() as u64,
            sha256: sha256_hex(data),
        });
    }
    for (name, bytes, sha256) in std::mem::take(&mut found.written) {
        files.push(FileHash {
            name,
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        format: FORMAT.to_string(),
        created: crate::store::history::rfc3339(crate::store::now_ms()),
        tool: format!("dunwatch {}", env!("CARGO_PKG_VERSION")),
        database: store.path().display().to_string(),
        selection,
        messages: records.len() as u64,
        chain_head: chain_head.clone(),
        files,
        sources: found.notes.clone(),
    };
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
    manifest_bytes.push(b'\n');
    let manifest_sha256 = sha256_hex(&manifest_bytes);
    write_private_file(&dir.join(MANIFEST), &manifest_bytes)?;
    write_private_file(
        &dir.join(MANIFEST_SUM),
        format!("{manifest_sha256}  {MANIFEST}\n").as_bytes(),
    )?;
    let here = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    store
        .record_export(&crate::store::evidence::ExportRecord {
            manifest_sha256: manifest_sha256.clone(),
            chain_head: chain_head.clone(),
            messages: records.len() as i64,
            dir: here.display().to_string(),
            created_ms: crate::store::now_ms(),
        })
        .with_context(|| {
            format!(
                "the export in {} is complete, but its SHA-256 could not be recorded in the \
                 database (write it down: {manifest_sha256})",
                dir.display()
            )
        })?;
    Ok(Exported {
        dir: dir.to_path_buf(),
        messages: records.len() as u64,
        chain_head,
        manifest_sha256,
        sources: found.notes,
        originals,
    })
}

/// A cell a spreadsheet would run as a formula (`=HYPERLINK(...)`, `=cmd|...`, `+`, `-`, `@`,
/// or one that starts with a tab or carriage return) is written with a leading `'`, which
/// spreadsheets show as text (OWASP's advice for CSV injection). The exact text is in
/// messages.json, which the hashes cover.
fn neutralised(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn render_csv(records: &[Record]) -> Result<Vec<u8>> {
    // A UTF-8 byte order mark first, or Excel reads the Chinese as mojibake.
    let mut w = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    w.write_record([
        "seq",
        "id",
        "time",
        "sender",
        "contact",
        "direction",
        "category",
        "engine_category",
        "lender",
        "body",
        "reasons",
        "source_file",
        "record",
        "line",
        "byte_offset",
        "sha256",
        "chain",
        "source_copy",
        "original_offset",
        "original_length",
    ])?;
    for r in records {
        let c = &r.content;
        let pos = |k: &str| {
            c.position
                .get(k)
                .and_then(serde_json::Value::as_u64)
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        let reasons = c
            .reasons
            .iter()
            .map(|r| {
                if r.evidence.is_empty() {
                    r.rule.clone()
                } else {
                    format!("{} [{}]", r.rule, r.evidence)
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        w.write_record(
            [
                c.seq.to_string(),
                c.id.to_string(),
                c.time.clone().unwrap_or_default(),
                c.sender.clone(),
                c.contact.clone().unwrap_or_default(),
                c.direction.clone(),
                c.category.clone(),
                c.engine_category.clone().unwrap_or_default(),
                c.lender.clone().unwrap_or_default(),
                c.body.clone(),
                reasons,
                c.source_file.clone().unwrap_or_default(),
                pos("record"),
                pos("line"),
                pos("offset"),
                r.sha256.clone(),
                r.chain.clone(),
                c.source_copy.clone().unwrap_or_default(),
                c.original
                    .as_ref()
                    .map(|o| o.offset.to_string())
                    .unwrap_or_default(),
                c.original
                    .as_ref()
                    .map(|o| o.length.to_string())
                    .unwrap_or_default(),
            ]
            .map(neutralised),
        )?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// messages.html, from `src/templates/evidence.html.j2`.
fn render_html(records: &[Record], chain_head: &str, selection: &[String]) -> Result<String> {
    #[derive(Serialize)]
    struct Row<'a> {
        c: &'a Content,
        sha256: &'a str,
        position: String,
    }
    #[derive(Serialize)]
    struct Page<'a> {
        rows: Vec<Row<'a>>,
        chain_head: &'a str,
        selection: &'a [String],
    }
    let rows = records
        .iter()
        .map(|r| Row {
            c: &r.content,
            sha256: &r.sha256,
            position: describe_position(&r.content.position),
        })
        .collect();
    crate::templates::render(
        crate::templates::EVIDENCE_HTML,
        Page {
            rows,
            chain_head,
            selection,
        },
    )
}

/// ", record 12, line 40, byte 1234" from the stored position JSON, in English as the
/// evidence page and `show` write it.
pub fn describe_position(pos: &serde_json::Value) -> String {
    describe_position_in(pos, crate::lang::Lang::En)
}

/// The place of a message in its backup, in `lang`: each part after the separator.
pub fn describe_position_in(pos: &serde_json::Value, lang: crate::lang::Lang) -> String {
    let words = crate::words::Catalog::of(lang);
    let mut out = String::new();
    for (key, word) in [
        ("record", "export.position.record"),
        ("line", "export.position.line"),
        ("offset", "export.position.offset"),
    ] {
        if let Some(v) = pos.get(key).and_then(serde_json::Value::as_u64) {
            out.push_str(words.word("export.position.separator"));
            out.push_str(&words.text(word, &[("n", &v.to_string())]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(sender: &str, body: &str, file: &str, original: Option<Original>) -> Record {
        Record {
            content: Content {
                seq: 1,
                id: 7,
                time: Some("2026-11-16T10:00:00+08:00".into()),
                sender: sender.into(),
                contact: Some(format!("contact {sender}")),
                direction: "in".into(),
                body: body.into(),
                category: "scam".into(),
                engine_category: None,
                lender: None,
                reasons: vec![],
                source_file: Some(file.into()),
                position: serde_json::json!({"record": 3}),
                original,
                source_copy: Some(format!("sources/1-{file}")),
            },
            sha256: "ab".into(),
            chain: "cd".into(),
        }
    }

    #[test]
    fn evidence_page_shows_bidi_overrides_as_visible_escapes() {
        let r = record("95\u{202e}588", "逾期\u{2067}x", "sms\u{202e}lmx.xml", None);
        let html = render_html(&[r], "h", &["sender: 95\u{202e}588".into()]).unwrap();
        assert!(
            !html.contains(['\u{202e}', '\u{2067}']),
            "a bidi control reached the page"
        );
        assert!(
            html.contains("<td>95\\u{202e}588<br>contact 95\\u{202e}588</td>"),
            "{html}"
        );
        assert!(html.contains("逾期\\u{2067}x"), "{html}");
        assert!(
            html.contains(
                "<td>sms\\u{202e}lmx.xml, record 3<br>copy 副本: sources&#x2f;1-sms\\u{202e}lmx.xml"
            ),
            "{html}"
        );
        assert!(
            html.contains("selection: sender: 95\\u{202e}588</p>"),
            "{html}"
        );
    }

    #[test]
    fn evidence_page_escapes_markup_in_every_field_and_the_original_record() {
        let original = Original {
            offset: 10,
            length: 40,
            text: Some("<sms body=\"</pre><script>x</script>\" />".into()),
            base64: None,
        };
        let r = record(
            "<b>95588</b>",
            "<script>alert(1)</script>",
            "<i>.xml",
            Some(original),
        );
        let html = render_html(&[r], "<h>", &["<sel>".into()]).unwrap();
        assert!(
            !html.contains("<script") && !html.contains("<b>") && !html.contains("<i>"),
            "{html}"
        );
        assert!(
            html.contains("<pre class=\"h\">&lt;sms body=&quot;&lt;&#x2f;pre&gt;"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"h\">&lt;h&gt;</span>"),
            "{html}"
        );
        assert!(html.contains("selection: &lt;sel&gt;</p>"), "{html}");
    }
}
