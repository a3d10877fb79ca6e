//! Which files an import reads, and what identifies a file's content: listing folders
//! (skipping, and naming, the ones that cannot be read), the roots links may point into,
//! the names sync tools use for files still arriving, and the content hash.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::ingest;
use crate::words::{OrSay as _, Phrase};

/// The canonical forms of `paths`, for [`Importer::roots`]: what `scan` was given, or the
/// watched folders. One that cannot be resolved (not there yet) is left out.
pub fn roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect()
}

/// What [`collect_files`] found.
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<PathBuf>,
    /// Folders inside the tree that could not be listed (no permission), each with why; the
    /// rest of the tree was listed.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Expands files and folders (recursively, in a stable order) into the files to import.
/// Hidden files and the temporary names sync tools use are left out. A folder inside the
/// tree that cannot be listed is skipped and named in [`Found::unreadable`]; only a path
/// given here that cannot be read at all is an error.
pub fn collect_files(paths: &[PathBuf]) -> Result<Found> {
    let mut found = Found::default();
    for p in paths {
        // Said in the person's words by the command line; the system's reason follows.
        let meta = std::fs::metadata(p)
            .or_say(|| Phrase::new("cli.scan.cannot_read").arg("path", p.display()))?;
        if meta.is_dir() {
            std::fs::read_dir(p)
                .or_say(|| Phrase::new("cli.scan.cannot_list").arg("path", p.display()))?;
            walk(p, &mut found, 0);
        } else {
            found.files.push(p.clone());
        }
    }
    Ok(found)
}

fn walk(dir: &Path, found: &mut Found, depth: usize) {
    // Symlink loops and absurd nesting end here.
    if depth > 32 {
        return;
    }
    let mut entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(list) => list.filter_map(|e| e.ok()).collect(),
        Err(e) => {
            found.unreadable.push((dir.to_path_buf(), e.to_string()));
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if is_ignored_name(&path) {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            walk(&path, found, depth + 1);
        } else if ft.is_file() || (ft.is_symlink() && path.is_file()) {
            // A link to a file is listed; the import decides whether it may be followed.
            found.files.push(path);
        }
    }
}

/// The line that names a folder [`collect_files`] could not list.
pub fn unreadable_text(dir: &Path, why: &str) -> Phrase {
    Phrase::new("import.detail.folder")
        .arg("dir", dir.display())
        .arg("why", why)
}

/// Hidden files and the partial/temporary names of browsers, office suites and sync tools:
/// Syncthing writes `.syncthing.NAME.tmp` and renames it into place, LibreOffice keeps
/// `.~lock.NAME#` beside an open file, Nextcloud `.NAME.~XXXX`, Resilio `NAME.!sync`,
/// WinSCP `NAME.filepart`, browsers `.part`/`.crdownload`, Office `~$NAME`.
pub fn is_ignored_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    // Hidden names cover `.syncthing.*.tmp` and `.~lock.*#` too; they are named for clarity.
    name.starts_with('.')
        || (lower.starts_with(".syncthing.") && lower.ends_with(".tmp"))
        || name.starts_with(".~lock.")
        || name.starts_with("~$")
        || name.starts_with("~lock.")
        || lower.ends_with(".tmp")
        || lower.ends_with(".part")
        || lower.ends_with(".crdownload")
        || lower.ends_with(".partial")
        || lower.ends_with(".filepart")
        || lower.ends_with(".!sync")
        || lower.ends_with(".download")
        || lower.ends_with('~')
}

#[cfg(test)]
mod ignored_name_tests {
    use super::*;

    #[test]
    fn sync_tool_temporary_names_are_ignored_and_backups_are_not() {
        for name in [
            ".syncthing.sms-20261118.xml.tmp",
            ".~lock.sms.xml#",
            "~$sms.xml",
            "sms.xml.part",
            "sms.xml.crdownload",
            "sms.xml.filepart",
            "sms.xml.!sync",
            "sms.xml.TMP",
            "sms.xml~",
            ".hidden.xml",
        ] {
            assert!(is_ignored_name(Path::new(name)), "{name}");
        }
        for name in [
            "sms-20261118.xml",
            "backup.vmsg",
            "messages.ndjson",
            "sms.db",
        ] {
            assert!(!is_ignored_name(Path::new(name)), "{name}");
        }
    }
}

/// The content hash of the open `file`, read from its start.
///
/// A file without holes hashes as its bytes. A sparse file (a 20 GB "backup" that is 8 KB
/// on disk) hashes as its data regions with their places, without reading the gigabytes of
/// zeros its holes stand for: in another mode of the hash (a derived key), so it can never
/// equal the hash of a file without holes. The same content laid out with other holes hashes
/// differently and is only read once more.
pub(super) fn hash_file(file: &std::fs::File) -> std::io::Result<[u8; 32]> {
    let len = file.metadata()?.len();
    let regions = data_regions(file, len).unwrap_or_else(|| vec![(0, len)]);
    let sparse = len > 0 && regions.as_slice() != [(0, len)];
    let mut hasher = if sparse {
        blake3::Hasher::new_derive_key("dunwatch 2026 sparse file content")
    } else {
        blake3::Hasher::new()
    };
    let mut buf = vec![0u8; 1 << 20];
    let mut file = ingest::rewind(file)?;
    for (start, end) in regions {
        use std::io::{Read, Seek};
        if sparse {
            hasher.update(&start.to_le_bytes());
            hasher.update(&(end - start).to_le_bytes());
        }
        file.seek(std::io::SeekFrom::Start(start))?;
        let mut region = file.take(end - start);
        loop {
            let n = region.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
    }
    if sparse {
        hasher.update(&len.to_le_bytes());
    }
    Ok(*hasher.finalize().as_bytes())
}

/// The data regions `[start, end)` of a file of `len` bytes (`SEEK_DATA`/`SEEK_HOLE`), or
/// `None` where the system or file system cannot say (then all of it is data).
fn data_regions(file: &std::fs::File, len: u64) -> Option<Vec<(u64, u64)>> {
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    {
        use std::os::fd::AsRawFd;
        let fd = file.as_raw_fd();
        let mut regions = Vec::new();
        let mut pos = 0u64;
        while pos < len {
            // SAFETY: lseek on a descriptor we hold, with plain integer arguments.
            let data = unsafe { libc::lseek(fd, pos as libc::off_t, libc::SEEK_DATA) };
            if data < 0 {
                // ENXIO: no data after `pos`, the rest is a hole; anything else: no answer.
                return (std::io::Error::last_os_error().raw_os_error() == Some(libc::ENXIO))
                    .then_some(regions);
            }
            let data = (data as u64).min(len);
            // SAFETY: as above.
            let hole = unsafe { libc::lseek(fd, data as libc::off_t, libc::SEEK_HOLE) };
            if hole < 0 {
                return None;
            }
            let hole = (hole as u64).min(len);
            if hole > data {
                regions.push((data, hole));
            }
            pos = hole.max(data + 1);
        }
        Some(regions)
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    {
        let _ = (file, len);
        None
    }
}

#[cfg(test)]
mod hash_tests {
    use super::*;

    #[test]
    fn a_sparse_file_hashes_without_reading_its_holes_and_never_as_its_plain_bytes() {
        use std::io::{Seek, Write};
        let dir = tempfile::tempdir().unwrap();
        let (plain, holey) = (dir.path().join("plain"), dir.path().join("holey"));
        let size = 16u64 << 30;
        let mut f = std::fs::File::create(&holey).unwrap();
        f.write_all(b"head").unwrap();
        f.set_len(size).unwrap();
        f.seek(std::io::SeekFrom::End(-4)).unwrap();
        f.write_all(b"tail").unwrap();
        drop(f);
        let start = std::time::Instant::now();
        let open = |p: &Path| ingest::open_regular(p).unwrap();
        let a = hash_file(&open(&holey)).unwrap();
        // 16 GB of zeros would take a minute to read.
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(a, hash_file(&open(&holey)).unwrap());
        std::fs::write(&plain, b"head and tail").unwrap();
        let b = hash_file(&open(&plain)).unwrap();
        assert_eq!(b, *blake3::hash(b"head and tail").as_bytes());
        assert_ne!(a, b);
        // A change inside a data region changes the hash.
        let mut f = std::fs::File::options().write(true).open(&holey).unwrap();
        f.write_all(b"HEAD").unwrap();
        drop(f);
        assert_ne!(a, hash_file(&open(&holey)).unwrap());
    }
}
