//! Every path dunwatch uses is resolved here, once, so that tests and users can move all of
//! them with `--db`, `--config`, `DUNWATCH_DATA_DIR` and `DUNWATCH_CONFIG_DIR`.

use std::env;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

pub const DATA_DIR_ENV: &str = "DUNWATCH_DATA_DIR";
pub const CONFIG_DIR_ENV: &str = "DUNWATCH_CONFIG_DIR";

/// The resolved locations for one invocation.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    /// The config file (may not exist yet: then the embedded default applies).
    pub config_file: PathBuf,
    /// True when `--config` named the file explicitly: then it must exist.
    pub config_explicit: bool,
    /// The database named by `--db`, which wins over the config file's `database` key.
    pub db_override: Option<PathBuf>,
}

impl Paths {
    pub fn resolve(db: Option<&Path>, config: Option<&Path>) -> Result<Paths> {
        let config_dir = match env_dir(CONFIG_DIR_ENV)? {
            Some(dir) => dir,
            None => project_dirs()?.config_dir().to_path_buf(),
        };
        let data_dir = match env_dir(DATA_DIR_ENV)? {
            Some(dir) => dir,
            None => project_dirs()?.data_dir().to_path_buf(),
        };
        let config_file = config
            .map(Path::to_path_buf)
            .unwrap_or_else(|| config_dir.join("config.toml"));
        Ok(Paths {
            config_dir,
            data_dir,
            config_file,
            config_explicit: config.is_some(),
            db_override: db.map(Path::to_path_buf),
        })
    }

    /// Where user rule files live; they add to or override the shipped packs.
    pub fn user_rules_dir(&self) -> PathBuf {
        self.config_dir.join("rules")
    }

    pub fn default_db(&self) -> PathBuf {
        self.data_dir.join("dunwatch.db")
    }

    pub fn default_reports_dir(&self) -> PathBuf {
        self.data_dir.join("reports")
    }

    /// The single-instance lock of the daemon.
    pub fn lock_file(&self) -> PathBuf {
        self.data_dir.join("dunwatch.lock")
    }
}

fn env_dir(var: &str) -> Result<Option<PathBuf>> {
    match env::var_os(var) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => {
            let p = PathBuf::from(v);
            if p.is_relative() {
                // A relative data dir would move with the working directory of whoever
                // starts the daemon; refuse it rather than scatter databases around.
                bail!("{var} must be an absolute path, got {}", p.display());
            }
            Ok(Some(p))
        }
    }
}

fn project_dirs() -> Result<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "dunwatch")
        .context("cannot find the home directory; set DUNWATCH_DATA_DIR and DUNWATCH_CONFIG_DIR")
}

/// The user's home directory.
pub fn home_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf())
}

/// Expands a leading `~` or `~/` to the home directory; other paths are returned as they are.
pub fn expand_tilde(path: &str) -> PathBuf {
    if path == "~" {
        if let Some(home) = home_dir() {
            return home;
        }
    } else if let Some(rest) = path.strip_prefix("~/")
        && let Some(home) = home_dir()
    {
        return home.join(rest);
    }
    PathBuf::from(path)
}

/// Creates a directory (and parents) that only the user can enter, as the database and
/// exports hold private messages. The folders it creates get 0700 whatever the umask.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    create_dir_with_mode(dir, 0o700)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict permissions of {}", dir.display()))?;
    }
    Ok(())
}

/// Creates `dir` and its missing parents, each given `mode` explicitly (a umask of 000
/// would otherwise leave them writable by everyone). Folders that exist are left alone.
pub fn create_dir_with_mode(dir: &Path, mode: u32) -> Result<()> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    for d in missing.into_iter().rev() {
        if d.as_os_str().is_empty() {
            continue;
        }
        match std::fs::create_dir(d) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", d.display())),
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(mode))
                .with_context(|| format!("cannot set the permissions of {}", d.display()))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
    }
    Ok(())
}

/// Gives `path` exactly `mode` (0600 for private files, 0644 for service files).
pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot set the permissions of {}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_expands_to_home_and_other_paths_stay() {
        let home = home_dir().unwrap();
        assert_eq!(expand_tilde("~/SMSBackup"), home.join("SMSBackup"));
        assert_eq!(expand_tilde("~"), home);
        assert_eq!(expand_tilde("/tmp/x"), PathBuf::from("/tmp/x"));
        assert_eq!(expand_tilde("a~/b"), PathBuf::from("a~/b"));
    }
}
