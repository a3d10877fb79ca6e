//! The files the backends write: filled in from their templates, written or deleted with a
//! line in the [`Log`] for each.

use std::io;
use std::path::Path;

use anyhow::Result;

use super::Log;
use crate::words::{OrSay, Phrase};

/// Writes a file (and its folder), replacing what was there. The file is 0644 and the
/// folders it creates 0755 whatever the umask: a service file another user could rewrite
/// would run their commands as this user at the next login.
pub(crate) fn write_file(path: &Path, text: &str, log: &mut Log) -> Result<()> {
    let write = || -> Result<()> {
        if let Some(dir) = path.parent() {
            crate::paths::create_dir_with_mode(dir, 0o755)?;
        }
        std::fs::write(path, text)?;
        crate::paths::set_mode(path, 0o644)
    };
    write().or_say(|| Phrase::new("cli.service.error.write").arg("path", path.display()))?;
    log.say(Phrase::new("cli.service.wrote").arg("path", path.display()));
    Ok(())
}

/// Deletes a file if it is there.
pub(crate) fn remove_file(path: &Path, log: &mut Log) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {
            log.say(Phrase::new("cli.service.deleted").arg("path", path.display()));
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => {
            Err(e).or_say(|| Phrase::new("cli.service.error.delete").arg("path", path.display()))
        }
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
