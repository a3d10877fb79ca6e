//! Import problems: what kept a file (or a folder) from being read fully, as one cause per
//! kind, so that the person hears of each file and cause once (`store::problems`).

use std::path::{Path, PathBuf};

use super::{FileReport, FileStatus};
use crate::ingest::ErrorKind;
use crate::words::Phrase;

/// Why a file was not read fully. Its [`id`](ProblemCause::id) is what the store keys on:
/// the same file failing at another byte is the same problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemCause {
    /// The file ends early (and stayed so: the daemon waits before saying it).
    Truncated,
    Encoding,
    Syntax,
    /// A safety limit (a giant field, a zip bomb, too many rows).
    Limit,
    Unsupported,
    /// It could not be read at all (permissions, I/O, not a regular file).
    Io,
    /// Some messages could not be read; the rest were imported.
    Records,
    /// Not read on purpose (a link to a file outside the watched folders).
    Skipped,
    /// A folder that could not be listed.
    Folder,
}

impl ProblemCause {
    pub const ALL: [ProblemCause; 9] = [
        ProblemCause::Truncated,
        ProblemCause::Encoding,
        ProblemCause::Syntax,
        ProblemCause::Limit,
        ProblemCause::Unsupported,
        ProblemCause::Io,
        ProblemCause::Records,
        ProblemCause::Skipped,
        ProblemCause::Folder,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ProblemCause::Truncated => "truncated",
            ProblemCause::Encoding => "encoding",
            ProblemCause::Syntax => "syntax",
            ProblemCause::Limit => "limit",
            ProblemCause::Unsupported => "unsupported",
            ProblemCause::Io => "io",
            ProblemCause::Records => "records",
            ProblemCause::Skipped => "skipped",
            ProblemCause::Folder => "folder",
        }
    }

    pub fn from_id(id: &str) -> Option<ProblemCause> {
        ProblemCause::ALL.into_iter().find(|c| c.id() == id)
    }

    fn of_kind(kind: ErrorKind) -> ProblemCause {
        match kind {
            ErrorKind::Truncated => ProblemCause::Truncated,
            ErrorKind::Encoding => ProblemCause::Encoding,
            ErrorKind::Syntax => ProblemCause::Syntax,
            ErrorKind::Limit => ProblemCause::Limit,
            ErrorKind::Unsupported => ProblemCause::Unsupported,
            ErrorKind::Io => ProblemCause::Io,
        }
    }
}

/// What a file's report means for its recorded problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemUpdate {
    /// The file (or folder) has this problem now; the phrase names the place. It is stored
    /// as a phrase ([`Phrase::stored`]), so each reader hears it in their language.
    Noted {
        path: PathBuf,
        cause: ProblemCause,
        text: Phrase,
    },
    /// The file was read fully: whatever was recorded for it is over.
    Cleared { path: PathBuf },
}

impl ProblemUpdate {
    pub fn noted(path: &Path, cause: ProblemCause, text: Phrase) -> ProblemUpdate {
        ProblemUpdate::Noted {
            path: path.to_path_buf(),
            cause,
            text,
        }
    }

    /// The update a report calls for, or none (unchanged files, files that are not exports,
    /// and files that broke off, which the daemon first waits on).
    pub fn of(report: &FileReport) -> Option<ProblemUpdate> {
        let path = &report.path;
        match &report.status {
            FileStatus::Imported if report.record_error_count > 0 => {
                let first = report.record_errors.first().map(|e| e.said());
                let n = report.record_error_count;
                let key = if n == 1 {
                    "import.detail.records.one"
                } else {
                    "import.detail.records.other"
                };
                let text = Phrase::new(key).arg("count", n);
                let text = match first {
                    Some(first) => text.with("first", first),
                    None => text.arg("first", ""),
                };
                Some(ProblemUpdate::noted(path, ProblemCause::Records, text))
            }
            FileStatus::Imported => Some(ProblemUpdate::Cleared { path: path.clone() }),
            FileStatus::Unchanged | FileStatus::NotAnExport => None,
            FileStatus::Skipped(why) => Some(ProblemUpdate::noted(
                path,
                ProblemCause::Skipped,
                Phrase::new("import.detail.skipped")
                    .arg("file", path.display())
                    .with("why", why.clone()),
            )),
            FileStatus::Failed(e) => Some(ProblemUpdate::noted(
                path,
                ProblemCause::of_kind(e.kind),
                e.said(),
            )),
        }
    }

    /// Writes this update to the store; true when it is a problem not recorded before.
    /// Files are recorded by absolute path, so `scan w/x.xml` and the daemon watching `w`
    /// speak of the same file.
    pub fn apply(&self, store: &crate::store::Store, told: bool) -> anyhow::Result<bool> {
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        Ok(match self {
            ProblemUpdate::Noted { path, cause, text } => {
                store.note_problem(&absolute(path), cause.id(), &text.stored(), told)?
            }
            ProblemUpdate::Cleared { path } => {
                store.clear_problems(&absolute(path))?;
                false
            }
        })
    }
}

/// A recorded problem's detail as a phrase to say in the reader's language; one recorded
/// before problems were stored as phrases is its own (English) text.
pub fn stored_detail(detail: &str) -> Phrase {
    Phrase::from_stored(detail)
        .unwrap_or_else(|| Phrase::new("import.detail.as_recorded").arg("text", detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_reads_back_from_its_id() {
        for cause in ProblemCause::ALL {
            assert_eq!(ProblemCause::from_id(cause.id()), Some(cause));
        }
        assert_eq!(ProblemCause::from_id("nonsense"), None);
    }
}
