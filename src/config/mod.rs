//! The TOML configuration (keys fixed in PRODUCT.md). A missing file means the embedded
//! default; a broken file is an error that names the file, line and column.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::model::Category;
use crate::paths::{Paths, expand_tilde};

/// The commented default configuration, printed by `dunwatch config default` and written on
/// first run.
pub const DEFAULT_TOML: &str = include_str!("default.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub watch: Vec<String>,
    pub database: Option<String>,
    pub language: Language,
    /// IANA zone name for formats with local times; `None` = this computer's zone.
    pub phone_timezone: Option<String>,
    pub alerts: AlertsConfig,
    pub reports: ReportsConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Language {
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "zh-TW")]
    ZhTw,
    #[serde(rename = "en")]
    En,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    pub categories: Vec<Category>,
    pub max_age_days: u32,
    pub quiet_hours: String,
    /// Alert messages without a time when the file they came from changed within
    /// `max_age_days` (off by default: an old backup copied today is "fresh" too).
    pub undated_from_fresh_files: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportsConfig {
    pub weekly: String,
    pub dir: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            watch: vec!["~/SMSBackup".to_string()],
            database: None,
            language: Language::Auto,
            phone_timezone: None,
            alerts: AlertsConfig::default(),
            reports: ReportsConfig::default(),
        }
    }
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            categories: vec![Category::Scam, Category::Harassment, Category::Overdue],
            max_age_days: 3,
            quiet_hours: "22:00-08:00".to_string(),
            undated_from_fresh_files: false,
        }
    }
}

impl Default for ReportsConfig {
    fn default() -> Self {
        ReportsConfig {
            weekly: "Mon 09:00".to_string(),
            dir: None,
        }
    }
}

impl Config {
    /// Parses a config text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Config> {
        toml::from_str(text).map_err(|e| {
            // toml's message already carries "line N, column M" and a snippet.
            anyhow::anyhow!("invalid config file {}:\n{e}", origin.display())
        })
    }

    /// Loads the config for these paths: the file if it exists, else the embedded default.
    pub fn load(paths: &Paths) -> Result<Config> {
        match std::fs::read_to_string(&paths.config_file) {
            Ok(text) => Config::parse(&text, &paths.config_file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !paths.config_explicit => {
                Ok(Config::default())
            }
            Err(e) => Err(e).with_context(|| {
                format!("cannot read config file {}", paths.config_file.display())
            }),
        }
    }

    /// The database file: `--db`, else the config's `database`, else the data dir.
    pub fn database_path(&self, paths: &Paths) -> PathBuf {
        if let Some(db) = &paths.db_override {
            return db.clone();
        }
        match &self.database {
            Some(db) if !db.is_empty() => expand_tilde(db),
            _ => paths.default_db(),
        }
    }

    pub fn watch_dirs(&self) -> Vec<PathBuf> {
        self.watch.iter().map(|w| expand_tilde(w)).collect()
    }

    pub fn reports_dir(&self, paths: &Paths) -> PathBuf {
        match &self.reports.dir {
            Some(dir) if !dir.is_empty() => expand_tilde(dir),
            _ => paths.default_reports_dir(),
        }
    }

    /// The phone's time zone for local wall-clock times.
    pub fn phone_tz(&self) -> Result<jiff::tz::TimeZone> {
        match &self.phone_timezone {
            None => Ok(jiff::tz::TimeZone::system()),
            Some(name) if name.is_empty() => Ok(jiff::tz::TimeZone::system()),
            Some(name) => jiff::tz::TimeZone::get(name)
                .with_context(|| format!("phone_timezone {name:?} is not a known time zone")),
        }
    }

    /// Checks values that TOML types cannot: time formats and ranges.
    pub fn validate(&self) -> Result<()> {
        if self.watch.is_empty() {
            bail!("`watch` is empty: name at least one folder to watch");
        }
        self.phone_tz()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_parses_to_the_built_in_defaults() {
        let parsed = Config::parse(DEFAULT_TOML, Path::new("default.toml")).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn unknown_key_is_an_error_naming_file_and_line() {
        let err = Config::parse(
            "watch = []\n[alerts]\nmax_age = 3\n",
            Path::new("/x/c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("/x/c.toml"), "{err}");
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn bad_category_is_rejected() {
        let err = Config::parse("[alerts]\ncategories = [\"spam\"]\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("spam"), "{err}");
    }
}
