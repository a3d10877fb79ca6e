//! `evidence verify`: an export checked file by file, message by message, and — what a
//! careful forger cannot recompute — its manifest's SHA-256 against the one recorded in the
//! database when the export was made, or against the one the person wrote down (`--expect`).
//!
//! Only files the manifest names are read, and only as plain names inside the folder (or
//! `sources/NAME`): a manifest naming `/dev/zero`, `/etc/shadow` or `../x`, or a file that
//! is a symlink, is a problem reported, never a file opened.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Result;
use sha2::{Digest, Sha256};

use super::original::SOURCES_DIR;
use super::{
    MANIFEST, MANIFEST_SUM, MESSAGES_CSV, MESSAGES_HTML, MESSAGES_JSON, Manifest, Record,
    chain_next, chain_seed, content_hash, hex, sha256_hex,
};
use crate::store::Store;
use crate::store::evidence::ExportRecord;
use crate::words::{Failed, Phrase};

/// The manifest and messages.json are read whole; anything larger is no export of ours.
const MAX_MANIFEST: u64 = 64 << 20;

/// What the manifest's digest is checked against.
pub enum Against<'a> {
    /// The record made when the export was written (this computer's database).
    Database(&'a Store),
    /// The SHA-256 printed at export time, given by the person (`--expect`).
    Expected(String),
    /// No database at this path, and no `--expect`.
    Nothing(PathBuf),
}

/// What the digest was checked against, for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// Matches the export recorded in this database at that time.
    Recorded { db: PathBuf, record: ExportRecord },
    /// Matches the SHA-256 given with `--expect`.
    Expected,
    /// Nothing to check against: consistent in itself only, which a forger can arrange.
    NoRecord { db: PathBuf },
    /// The digest differs from the record or the expectation (a problem says how).
    Mismatch,
}

/// One thing `verify` found wrong, naming the file or message: a phrase of the catalog
/// (`export.verify.*`) that whoever shows it says in the reader's language, its file names
/// and the system's words as they came (the shower makes them safe where it prints them).
/// `Display` is the English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem(pub Phrase);

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// `phrase` with `{error}` filled by what went wrong reading a file: our own reasons
/// (a link, too large) as phrases, the system's in its words.
fn with_error(phrase: Phrase, e: &std::io::Error) -> Phrase {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<Failed>()) {
        Some(f) => phrase.with("error", f.phrase.clone()),
        None => phrase.arg("error", e),
    }
}

/// An I/O error whose reason is one of ours, said by [`with_error`].
fn refused(kind: std::io::ErrorKind, phrase: Phrase) -> std::io::Error {
    std::io::Error::new(kind, Failed::new(phrase))
}

/// What `verify` checked.
#[derive(Debug)]
pub struct Verified {
    pub messages: u64,
    pub chain_head: Option<String>,
    pub manifest_sha256: String,
    pub basis: Basis,
    pub problems: Vec<Problem>,
}

impl Verified {
    /// Nothing wrong, and the digest matched a record or an expectation.
    pub fn intact(&self) -> bool {
        self.problems.is_empty() && matches!(self.basis, Basis::Recorded { .. } | Basis::Expected)
    }
}

/// A manifest entry is a plain name in the folder, or `sources/NAME`.
fn plain_entry(name: &str) -> bool {
    let plain = |n: &str| {
        !n.is_empty()
            && n != "."
            && n != ".."
            && !n.contains(['/', '\\', '\0'])
            && !n.chars().any(char::is_control)
    };
    match name.split_once('/') {
        None => plain(name),
        Some((dir, rest)) => dir == SOURCES_DIR && plain(rest),
    }
}

/// Opens an entry of the export: no symlink on the way, a regular file, never blocking.
fn open_entry(dir: &Path, name: &str) -> std::io::Result<File> {
    let not_plain = |key: &'static str| refused(std::io::ErrorKind::InvalidInput, Phrase::new(key));
    if let Some((sub, _)) = name.split_once('/') {
        let m = std::fs::symlink_metadata(dir.join(sub))?;
        if !m.is_dir() {
            return Err(not_plain("export.verify.folder_link"));
        }
    }
    let path = dir.join(name);
    if std::fs::symlink_metadata(&path)?.file_type().is_symlink() {
        return Err(not_plain("export.verify.link"));
    }
    crate::ingest::open_regular(&path)
}

/// SHA-256 and length of an open file, streamed.
fn hash_file(mut f: File) -> std::io::Result<(String, u64)> {
    let mut h = Sha256::new();
    let total = std::io::copy(&mut f, &mut h)?;
    Ok((hex(&h.finalize()), total))
}

fn read_small(dir: &Path, name: &str) -> std::io::Result<Vec<u8>> {
    let f = open_entry(dir, name)?;
    let mut data = Vec::new();
    f.take(MAX_MANIFEST + 1).read_to_end(&mut data)?;
    if data.len() as u64 > MAX_MANIFEST {
        return Err(refused(
            std::io::ErrorKind::InvalidData,
            Phrase::new("export.verify.too_large").arg("bytes", MAX_MANIFEST),
        ));
    }
    Ok(data)
}

/// Checks an evidence folder: the manifest's digest against `against`, its own hash, every
/// file's hash and size (and that no file was added), every message's hash and the chain.
pub fn verify(dir: &Path, against: Against<'_>) -> Result<Verified> {
    let manifest_bytes = match read_small(dir, MANIFEST) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failed::new(
                Phrase::new("export.verify.not_export")
                    .arg("dir", dir.display())
                    .arg("file", MANIFEST),
            )
            .into());
        }
        Err(e) => {
            let phrase = with_error(
                Phrase::new("export.verify.cannot_read").arg("file", dir.join(MANIFEST).display()),
                &e,
            );
            return Err(Failed::new(phrase).into());
        }
    };
    let digest = sha256_hex(&manifest_bytes);
    let mut problems = Vec::new();
    let mut p = |phrase: Phrase| problems.push(Problem(phrase));
    let basis = match against {
        Against::Expected(want) => {
            let want = want.trim().to_ascii_lowercase();
            if want.len() != 64 || !want.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Failed::new(
                    Phrase::new("export.verify.bad_expect").arg("value", format!("{want:?}")),
                )
                .into());
            }
            if want == digest {
                Basis::Expected
            } else {
                p(Phrase::new("export.verify.not_expected")
                    .arg("file", MANIFEST)
                    .arg("digest", &digest)
                    .arg("want", &want));
                Basis::Mismatch
            }
        }
        Against::Database(store) => match store.export_by_digest(&digest)? {
            Some(record) => Basis::Recorded {
                db: store.path().to_path_buf(),
                record,
            },
            None => {
                let here = std::fs::canonicalize(dir)
                    .unwrap_or_else(|_| dir.to_path_buf())
                    .display()
                    .to_string();
                match store.export_in_dir(&here)? {
                    Some(r) => {
                        p(Phrase::new("export.verify.not_recorded")
                            .arg("file", MANIFEST)
                            .arg("made", crate::store::history::rfc3339(r.created_ms))
                            .arg("then", &r.manifest_sha256)
                            .arg("digest", &digest));
                        Basis::Mismatch
                    }
                    None => Basis::NoRecord {
                        db: store.path().to_path_buf(),
                    },
                }
            }
        },
        Against::Nothing(db) => Basis::NoRecord { db },
    };
    match read_small(dir, MANIFEST_SUM) {
        Ok(sum) if sum == format!("{digest}  {MANIFEST}\n").as_bytes() => {}
        Ok(_) => p(Phrase::new("export.verify.sum_changed")
            .arg("file", MANIFEST)
            .arg("sum", MANIFEST_SUM)),
        Err(e) => p(with_error(
            Phrase::new("export.verify.unreadable").arg("file", MANIFEST_SUM),
            &e,
        )),
    }
    let manifest: Option<Manifest> = match serde_json::from_slice(&manifest_bytes) {
        Ok(m) => Some(m),
        Err(e) => {
            p(Phrase::new("export.verify.damaged")
                .arg("file", MANIFEST)
                .arg("error", e));
            None
        }
    };
    let mut listed: Vec<String> = Vec::new();
    if let Some(m) = &manifest {
        for f in &m.files {
            if !plain_entry(&f.name) {
                p(Phrase::new("export.verify.outside")
                    .arg("file", MANIFEST)
                    .arg("name", format!("{:?}", f.name)));
                continue;
            }
            listed.push(f.name.clone());
            match open_entry(dir, &f.name).and_then(hash_file) {
                Ok((sha, bytes)) => {
                    if sha != f.sha256 || bytes != f.bytes {
                        p(Phrase::new("export.verify.file_changed").arg("name", &f.name));
                    }
                }
                Err(e) => p(with_error(
                    Phrase::new("export.verify.missing").arg("name", &f.name),
                    &e,
                )),
            }
        }
        for required in [MESSAGES_CSV, MESSAGES_JSON, MESSAGES_HTML] {
            if !m.files.iter().any(|f| f.name == required) {
                p(Phrase::new("export.verify.not_listed")
                    .arg("file", MANIFEST)
                    .arg("name", required));
            }
        }
    }
    unlisted(dir, "", &listed, &mut p);
    let (count, head) = check_messages(dir, manifest.as_ref(), &mut p);
    Ok(Verified {
        messages: count,
        chain_head: head,
        manifest_sha256: digest,
        basis,
        problems,
    })
}

/// Files in the folder (or in `sources/`) that the manifest does not list: added later.
fn unlisted(dir: &Path, sub: &str, listed: &[String], p: &mut impl FnMut(Phrase)) {
    let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let full = if sub.is_empty() {
            name.clone()
        } else {
            format!("{sub}/{name}")
        };
        if sub.is_empty() && (name == MANIFEST || name == MANIFEST_SUM) {
            continue;
        }
        if sub.is_empty() && name == SOURCES_DIR && e.file_type().is_ok_and(|t| t.is_dir()) {
            unlisted(dir, SOURCES_DIR, listed, p);
            continue;
        }
        if !listed.contains(&full) {
            p(Phrase::new("export.verify.added").arg("name", full));
        }
    }
}

/// Every message's hash, its place, and the chain; returns the count and the chain head.
fn check_messages(
    dir: &Path,
    manifest: Option<&Manifest>,
    p: &mut impl FnMut(Phrase),
) -> (u64, Option<String>) {
    let data = match read_small(dir, MESSAGES_JSON) {
        Ok(d) => d,
        Err(e) => {
            p(with_error(
                Phrase::new("export.verify.unreadable").arg("file", MESSAGES_JSON),
                &e,
            ));
            return (0, None);
        }
    };
    let records = match serde_json::from_slice::<Vec<Record>>(&data) {
        Ok(r) => r,
        Err(e) => {
            p(Phrase::new("export.verify.damaged")
                .arg("file", MESSAGES_JSON)
                .arg("error", e));
            return (0, None);
        }
    };
    let mut prev = chain_seed();
    for (i, r) in records.iter().enumerate() {
        let c = &r.content;
        let at = |key: &'static str| {
            Phrase::new(key)
                .arg("file", MESSAGES_JSON)
                .arg("seq", c.seq)
                .arg("id", c.id)
        };
        if content_hash(c) != r.sha256 {
            p(at("export.verify.message_changed"));
        }
        if c.seq != i as u64 + 1 {
            p(at("export.verify.out_of_place").arg("position", i + 1));
        }
        let chain = chain_next(&prev, &r.sha256);
        if chain != r.chain {
            p(at("export.verify.chain_breaks"));
        }
        prev = chain;
    }
    let count = records.len() as u64;
    if let Some(m) = manifest {
        if m.chain_head != prev {
            p(Phrase::new("export.verify.head_differs")
                .arg("file", MESSAGES_JSON)
                .arg("head", &prev)
                .arg("manifest", &m.chain_head));
        }
        if m.messages != count {
            p(Phrase::new("export.verify.count_differs")
                .arg("file", MESSAGES_JSON)
                .arg("count", count)
                .arg("manifest", m.messages));
        }
    }
    (count, Some(prev))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_and_sources_entries_are_manifest_entries() {
        for ok in ["messages.csv", "sources/01-sms.xml", "短信.html"] {
            assert!(plain_entry(ok), "{ok}");
        }
        for bad in [
            "/dev/zero",
            "/etc/shadow",
            "../x",
            "..",
            ".",
            "",
            "a/b",
            "sources/../x",
            "sources/",
            "sources/a/b",
            "a\\b",
            "a\nb",
        ] {
            assert!(!plain_entry(bad), "{bad:?}");
        }
    }
}
