//! `dunwatch doctor`: everything a bug report needs, read without changing anything.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::Ctx;
use crate::config::Config;
use crate::lang::Lang;
use crate::service::{Options, System};
use crate::store::Store;
use crate::store::problems::ImportProblem;
use crate::untrusted::one_line;
use crate::words::text;
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct DoctorArgs {}

/// How long to wait for the desktop's notification server to answer.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(2);

pub fn run(ctx: &Ctx, _args: DoctorArgs) -> Result<ExitCode> {
    let mut out = super::stdout();
    let paths = &ctx.paths;
    let lang = ctx.lang;
    let t = |key: &str, args: &[(&str, &str)]| ctx.t(key, args);
    // Paths are the person's, but a folder name is still text anyone could have chosen.
    let path = |p: &Path| one_line(&p.display().to_string()).into_owned();
    let exe = std::env::current_exe()
        .map(|p| path(&p))
        .unwrap_or_else(|e| t("cli.doctor.exe_unknown", &[("error", &e.to_string())]));
    writeln!(out, "dunwatch {} ({exe})", env!("CARGO_PKG_VERSION"))?;
    let system = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    writeln!(out, "{}", t("cli.doctor.system", &[("system", &system)]))?;
    writeln!(
        out,
        "{}",
        t("cli.doctor.language", &[("lang", lang.code())])
    )?;

    writeln!(out, "\n{}", t("cli.doctor.paths", &[]))?;
    let config_state = if paths.config_file.exists() {
        t("cli.doctor.exists", &[])
    } else {
        t("cli.doctor.config_defaults", &[])
    };
    let file = path(&paths.config_file);
    writeln!(
        out,
        "{}",
        t(
            "cli.doctor.config_file",
            &[("path", &file), ("state", &config_state)]
        )
    )?;
    let data = path(&paths.data_dir);
    writeln!(out, "{}", t("cli.doctor.data_dir", &[("path", &data)]))?;
    let rules_dir = paths.user_rules_dir();
    writeln!(
        out,
        "{}",
        t(
            "cli.doctor.user_rules",
            &[
                ("path", &path(&rules_dir)),
                ("state", &rule_files(&rules_dir, lang))
            ]
        )
    )?;

    let config = match ctx.config() {
        Ok(config) => {
            writeln!(out, "\n{}", t("cli.doctor.config_valid", &[]))?;
            Some(config)
        }
        Err(e) => {
            let error = one_line(&super::error_text(&e, lang)).into_owned();
            writeln!(
                out,
                "\n{}",
                t("cli.doctor.config_invalid", &[("error", &error)])
            )?;
            None
        }
    };

    writeln!(out, "\n{}", t("cli.doctor.watched", &[]))?;
    match &config {
        Some(config) => {
            for (name, dir) in config.watch.iter().zip(config.watch_dirs()) {
                let state = if dir.is_dir() {
                    t("cli.doctor.exists", &[])
                } else if dir.exists() {
                    t("cli.doctor.not_a_folder", &[])
                } else {
                    t("cli.doctor.missing", &[])
                };
                let (name, dir) = (one_line(name), path(&dir));
                let args = [("name", name.as_ref()), ("path", &dir), ("state", &state)];
                writeln!(out, "{}", t("cli.doctor.watch_dir", &args))?;
            }
        }
        None => writeln!(out, "{}", t("cli.doctor.watched_unknown", &[]))?,
    }

    let db = match &config {
        Some(c) => ctx.db_path(c),
        None => Config::default().database_path(paths),
    };
    writeln!(out)?;
    for line in database_lines(&db, lang) {
        writeln!(out, "{line}")?;
    }

    match ctx.engine() {
        Ok(engine) => writeln!(
            out,
            "\n{}",
            t(
                "cli.doctor.rules_loaded",
                &[
                    ("rules", &engine.rules().len().to_string()),
                    ("lenders", &engine.registry().lenders.len().to_string()),
                    ("sources", &one_line(&engine.sources.join(sep(lang)))),
                ]
            )
        )?,
        Err(e) => {
            let error = one_line(&super::error_text(&e, lang)).into_owned();
            writeln!(
                out,
                "\n{}",
                t("cli.doctor.rules_failed", &[("error", &error)])
            )?
        }
    }

    writeln!(
        out,
        "{}",
        t(
            "cli.doctor.notifications",
            &[("server", &one_line(&notification_server(lang)))]
        )
    )?;

    writeln!(out, "\n{}", t("cli.doctor.service", &[]))?;
    match super::service::host(ctx) {
        Ok(host) => {
            for line in super::service::status_lines(&host, None, Options::default(), &System, lang)
            {
                writeln!(out, "  {line}")?;
            }
        }
        Err(e) => writeln!(
            out,
            "  {}",
            t(
                "cli.doctor.service_unknown",
                &[("error", &one_line(&super::error_text(&e, lang)))]
            )
        )?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn rule_files(dir: &Path, lang: Lang) -> String {
    match std::fs::read_dir(dir) {
        Err(_) => text(lang, "cli.doctor.rules_no_folder", &[]),
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml") && !n.starts_with('.'))
                .collect();
            names.sort();
            if names.is_empty() {
                text(lang, "cli.doctor.rules_none", &[])
            } else {
                text(
                    lang,
                    "cli.doctor.rules_files",
                    &[
                        ("count", &names.len().to_string()),
                        ("names", &one_line(&names.join(sep(lang)))),
                    ],
                )
            }
        }
    }
}

/// Size and counts, read-only: doctor never creates or migrates a database.
fn database_lines(db: &Path, lang: Lang) -> Vec<String> {
    let t = |key: &str, args: &[(&str, &str)]| text(lang, key, args);
    let path = one_line(&db.display().to_string()).into_owned();
    let Ok(meta) = std::fs::metadata(db) else {
        return vec![t("cli.doctor.db_none", &[("path", &path)])];
    };
    let wal = std::fs::metadata(format!("{}-wal", db.display()))
        .map(|m| m.len())
        .unwrap_or(0);
    let mut lines = vec![t(
        "cli.doctor.db",
        &[
            ("path", &path),
            ("size", &human_size(meta.len())),
            ("wal", &human_size(wal)),
        ],
    )];
    let unreadable = |e: &dyn std::fmt::Display| {
        t(
            "cli.doctor.db_unreadable",
            &[("error", &one_line(&e.to_string()))],
        )
    };
    let store = match Store::open_read_only(db) {
        Ok(store) => store,
        Err(e) => {
            lines.push(unreadable(&e));
            return lines;
        }
    };
    match store.category_counts() {
        Ok(by_category) => {
            let total: i64 = by_category.iter().map(|(_, n)| n).sum();
            let parts: Vec<String> = by_category
                .iter()
                .map(|(c, n)| {
                    let name = c
                        .parse::<crate::model::Category>()
                        .map_or_else(|_| c.clone(), |c| super::speak::category_label(c, lang));
                    format!("{name} {n}")
                })
                .collect();
            lines.push(t(
                "cli.doctor.db_messages",
                &[
                    ("total", &total.to_string()),
                    ("parts", &parts.join(sep(lang))),
                ],
            ));
        }
        Err(e) => lines.push(unreadable(&e)),
    }
    if let Ok((files, failed)) = store.source_counts() {
        lines.push(t(
            "cli.doctor.db_sources",
            &[
                ("files", &files.to_string()),
                ("failed", &failed.to_string()),
            ],
        ));
    }
    match store.import_problems() {
        Ok(problems) if problems.is_empty() => {
            lines.push(format!("\n{}", t("cli.doctor.problems_none", &[])))
        }
        Ok(problems) => {
            lines.push(format!(
                "\n{}",
                t(
                    "cli.doctor.problems",
                    &[("count", &problems.len().to_string())]
                )
            ));
            lines.extend(problems.iter().flat_map(|p| problem_lines(p, lang)));
        }
        Err(e) => lines.push(format!(
            "\n{}",
            t(
                "cli.doctor.problems_unreadable",
                &[("error", &one_line(&e.to_string()))]
            )
        )),
    }
    lines
}

/// Between the names of a list, in `lang`.
fn sep(lang: Lang) -> &'static str {
    crate::words::Catalog::of(lang).word("cli.list_sep")
}

/// One problem: the file by name, then why (in the words of the alert and the page), since
/// when, and whether the person was told.
fn problem_lines(p: &ImportProblem, lang: Lang) -> [String; 2] {
    let cause = crate::import::ProblemCause::from_id(&p.cause).map_or_else(
        || p.cause.clone(),
        |c| crate::alert::desktop::cause_words(c, lang).to_string(),
    );
    let since = jiff::Timestamp::from_millisecond(p.first_seen_ms)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    let gone = if std::path::Path::new(&p.path).exists() {
        String::new()
    } else {
        text(lang, "cli.doctor.problem_gone", &[])
    };
    let told = text(
        lang,
        if p.told {
            "cli.doctor.problem_told"
        } else {
            "cli.doctor.problem_not_told"
        },
        &[],
    );
    // Recorded as a phrase: said in this reader's language, what it names kept to one line.
    let detail = crate::import::stored_detail(&p.detail).text_with(lang, &|s| one_line(s).into());
    [
        format!("  {}", one_line(&p.path)),
        text(
            lang,
            "cli.doctor.problem",
            &[
                ("cause", &cause),
                ("since", &since),
                ("told", &told),
                ("gone", &gone),
                ("detail", &detail),
            ],
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
fn notification_server(lang: Lang) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(notify_rust::get_server_information().map_err(|e| e.to_string()));
    });
    match rx.recv_timeout(NOTIFY_TIMEOUT) {
        Ok(Ok(info)) => format!(
            "{} {} by {} (spec {})",
            info.name, info.version, info.vendor, info.spec_version
        ),
        Ok(Err(e)) => text(lang, "cli.doctor.notify_none", &[("error", &e)]),
        Err(_) => text(
            lang,
            "cli.doctor.notify_timeout",
            &[("seconds", &NOTIFY_TIMEOUT.as_secs().to_string())],
        ),
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn notification_server(lang: Lang) -> String {
    let _ = NOTIFY_TIMEOUT;
    text(lang, "cli.doctor.notify_system", &[])
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
