//! The files the backends write: filled in from their templates, written or deleted with a
//! line in the [`Log`] for each.

use std::io;
use std::path::Path;

use anyhow::{Context, Result};

use super::Log;

/// Writes a file (and its folder), replacing what was there.
pub(crate) fn write_file(path: &Path, text: &str, log: &mut Log) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    log.say(format!("wrote {}", path.display()));
    Ok(())
}

/// Deletes a file if it is there.
pub(crate) fn remove_file(path: &Path, log: &mut Log) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {
            log.say(format!("deleted {}", path.display()));
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot delete {}", path.display())),
    }
}

/// Replaces `@NAME@` placeholders; every placeholder in the template must be given.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("@{name}@"), value);
    }
    debug_assert!(
        !out.contains("@EXEC@") && !out.contains("@TARGET@") && !out.contains("@LABEL@"),
        "unfilled placeholder in {out}"
    );
    out
}
