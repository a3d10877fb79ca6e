//! `dunwatch doctor`: everything a bug report needs, read without changing anything.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::Ctx;
use crate::config::Config;
use crate::service::{Options, System};
use crate::store::Store;
use crate::store::problems::ImportProblem;
use crate::untrusted::one_line;
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct DoctorArgs {}

/// How long to wait for the desktop's notification server to answer.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(2);

pub fn run(ctx: &Ctx, _args: DoctorArgs) -> Result<ExitCode> {
    let mut out = super::stdout();
    let paths = &ctx.paths;
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|e| format!("unknown ({e})"));
    writeln!(out, "dunwatch {} ({exe})", env!("CARGO_PKG_VERSION"))?;
    writeln!(
        out,
        "system:       {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )?;

    writeln!(out, "\npaths")?;
    let config_state = if paths.config_file.exists() {
        "exists"
    } else {
        "not created yet: the defaults apply"
    };
    writeln!(
        out,
        "  config file  {} ({config_state})",
        paths.config_file.display()
    )?;
    writeln!(out, "  data dir     {}", paths.data_dir.display())?;
    let rules_dir = paths.user_rules_dir();
    writeln!(
        out,
        "  user rules   {} ({})",
        rules_dir.display(),
        rule_files(&rules_dir)
    )?;

    let config = match ctx.config() {
        Ok(config) => {
            writeln!(out, "\nconfig: valid")?;
            Some(config)
        }
        Err(e) => {
            writeln!(out, "\nconfig: INVALID: {e:#}")?;
            None
        }
    };

    writeln!(out, "\nwatched folders")?;
    match &config {
        Some(config) => {
            for (name, dir) in config.watch.iter().zip(config.watch_dirs()) {
                let state = if dir.is_dir() {
                    "exists"
                } else if dir.exists() {
                    "NOT A FOLDER"
                } else {
                    "MISSING: `dunwatch run` creates it, or fix `watch` in the config"
                };
                writeln!(out, "  {name} -> {} ({state})", dir.display())?;
            }
        }
        None => writeln!(out, "  unknown until the config is fixed")?,
    }

    let db = match &config {
        Some(c) => ctx.db_path(c),
        None => Config::default().database_path(paths),
    };
    writeln!(out)?;
    for line in database_lines(&db) {
        writeln!(out, "{line}")?;
    }

    match ctx.engine() {
        Ok(engine) => writeln!(
            out,
            "\nrules: loaded, {} rules and {} lenders from {}",
            engine.rules().len(),
            engine.registry().lenders.len(),
            engine.sources.join(", ")
        )?,
        Err(e) => writeln!(out, "\nrules: FAILED to load: {e:#}")?,
    }

    writeln!(out, "notifications: {}", notification_server())?;

    writeln!(out, "\nservice")?;
    match super::service::host(ctx) {
        Ok(host) => {
            for line in super::service::status_lines(&host, None, Options::default(), &System) {
                writeln!(out, "  {line}")?;
            }
        }
        Err(e) => writeln!(out, "  unknown: {e:#}")?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn rule_files(dir: &Path) -> String {
    match std::fs::read_dir(dir) {
        Err(_) => "no folder: only the built-in rules".to_string(),
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml") && !n.starts_with('.'))
                .collect();
            names.sort();
            if names.is_empty() {
                "no rule files".to_string()
            } else {
                format!("{} rule files: {}", names.len(), names.join(", "))
            }
        }
    }
}

/// Size and counts, read-only: doctor never creates or migrates a database.
fn database_lines(db: &Path) -> Vec<String> {
    let Ok(meta) = std::fs::metadata(db) else {
        return vec![format!(
            "database: {} (not created yet: the first scan or run creates it)",
            db.display()
        )];
    };
    let wal = std::fs::metadata(format!("{}-wal", db.display()))
        .map(|m| m.len())
        .unwrap_or(0);
    let mut lines = vec![format!(
        "database: {} ({} + {} write-ahead log)",
        db.display(),
        human_size(meta.len()),
        human_size(wal)
    )];
    let store = match Store::open_read_only(db) {
        Ok(store) => store,
        Err(e) => {
            lines.push(format!("  cannot read it: {e}"));
            return lines;
        }
    };
    match store.category_counts() {
        Ok(by_category) => {
            let total: i64 = by_category.iter().map(|(_, n)| n).sum();
            let parts: Vec<String> = by_category
                .iter()
                .map(|(c, n)| format!("{c} {n}"))
                .collect();
            lines.push(format!("  messages:     {total} ({})", parts.join(", ")));
        }
        Err(e) => lines.push(format!("  cannot read it: {e}")),
    }
    if let Ok((files, failed)) = store.source_counts() {
        lines.push(format!(
            "  source files: {files} ({failed} not fully read at the last scan)"
        ));
    }
    match store.import_problems() {
        Ok(problems) if problems.is_empty() => lines.push("\nimport problems: none".to_string()),
        Ok(problems) => {
            lines.push(format!(
                "\nimport problems: {} (the messages read before each problem are stored; a \
                 file is read again when it changes)",
                problems.len()
            ));
            lines.extend(problems.iter().flat_map(problem_lines));
        }
        Err(e) => lines.push(format!("\nimport problems: cannot read them: {e}")),
    }
    lines
}

/// One problem: the file by name, then why, since when, and whether the person was told.
fn problem_lines(p: &ImportProblem) -> [String; 2] {
    let since = jiff::Timestamp::from_millisecond(p.first_seen_ms)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    let gone = if std::path::Path::new(&p.path).exists() {
        ""
    } else {
        ", the file is no longer there"
    };
    let told = if p.told { "told" } else { "not told yet" };
    [
        format!("  {}", one_line(&p.path)),
        format!(
            "    {} since {since} ({told}{gone}): {}",
            p.cause,
            one_line(&p.detail)
        ),
    ]
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Asks the desktop's notification server who it is (D-Bus GetServerInformation), giving
/// up after a short wait: a missing session bus can block for much longer.
#[cfg(all(unix, not(target_os = "macos")))]
fn notification_server() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(notify_rust::get_server_information().map_err(|e| e.to_string()));
    });
    match rx.recv_timeout(NOTIFY_TIMEOUT) {
        Ok(Ok(info)) => format!(
            "{} {} by {} (spec {})",
            info.name, info.version, info.vendor, info.spec_version
        ),
        Ok(Err(e)) => format!("none: {e}; alerts wait until a notification server answers"),
        Err(_) => format!(
            "none answered within {} s; alerts wait until one does",
            NOTIFY_TIMEOUT.as_secs()
        ),
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn notification_server() -> String {
    let _ = NOTIFY_TIMEOUT;
    "the system's notification centre (not checked on this platform)".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_human() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(3 * 1024 * 1024), "3.0 MiB");
    }
}
