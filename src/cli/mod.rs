//! The command line. One module per command, each with its clap arguments and a `run`.
//! Global options (`--db`, `--config`) and the environment overrides resolve once into a
//! [`Ctx`].

mod check;
mod classify;
mod config_cmd;
mod doctor;
mod evidence;
mod feedback;
mod help;
mod history;
mod learn;
mod lenders;
mod mark;
mod report;
mod rules;
mod run;
mod said;
mod scan;
mod service;
mod show;
mod speak;
mod stats;
mod trust;
mod ui;

pub use help::command as localized_command;
pub use rules::{evaluate, read_labelled_file};
pub use said::Said;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{FromArgMatches, Parser, Subcommand};

use crate::classify::Engine;
use crate::config::Config;
use crate::lang::Lang;
use crate::paths::Paths;
use crate::store::Store;

const ENV_HELP: &str = "\
Environment:
  DUNWATCH_DATA_DIR    where the database and reports live (default: the platform data dir)
  DUNWATCH_CONFIG_DIR  where config.toml and user rules live (default: the platform config dir)
  DUNWATCH_LOG         log filter, e.g. info, debug, dunwatch=trace (default: warn; info for run)";

#[derive(Debug, Parser)]
#[command(
    name = "dunwatch",
    version,
    about = "Watches your exported SMS backups and tells real overdue notices from lender scams and illegal debt collection",
    after_help = ENV_HELP
)]
pub struct Cli {
    /// The SQLite database with the history.
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The configuration file (TOML).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import backup files or folders once (format detected from content).
    Scan(scan::ScanArgs),
    /// Classify JSON Lines messages from stdin, one verdict per line on stdout.
    Classify(classify::ClassifyArgs),
    /// Explain the verdict on one message.
    Check(check::CheckArgs),
    /// List stored messages, newest first.
    History(history::HistoryArgs),
    /// Show one message in full: the verdict, every reason with its evidence, the advice.
    Show(show::ShowArgs),
    /// Correct the category of a message (your verdict wins in history and reports).
    Mark(mark::MarkArgs),
    /// Trust a sender: its future messages are not called scams.
    Trust(trust::SenderArgs),
    /// Block a sender: its future messages are kept as scams.
    Block(trust::SenderArgs),
    /// Take a sender off the trust or block list.
    Untrust(trust::SenderArgs),
    /// List trusted and blocked senders.
    Senders(trust::ListArgs),
    /// The lenders dunwatch knows, and which of them you have an account with (`lenders
    /// add ID`, `lenders remove ID`).
    Lenders(lenders::LendersArgs),
    /// Counts by category, lender and week.
    Stats(stats::StatsArgs),
    /// Your corrections, for `rules eval`.
    #[command(subcommand)]
    Feedback(feedback::FeedbackCommand),
    /// What your corrections taught (`learn`), or forget it (`learn forget`).
    Learn(learn::LearnArgs),
    /// A summary for a week or a date range, as Markdown, HTML or JSON.
    Report(report::ReportArgs),
    /// Review in the browser: the messages, the verdicts and why, corrections, senders,
    /// import problems (a page on 127.0.0.1, only while you use it).
    Ui(ui::UiArgs),
    /// Export messages as evidence with hashes (`evidence --out DIR`), or check an export
    /// (`evidence verify DIR`).
    Evidence(evidence::EvidenceArgs),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(config_cmd::ConfigCommand),
    /// Check, test and measure the rule packs.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// The daemon: watch the backup folders, import, alert on the desktop (foreground).
    Run(run::RunArgs),
    /// Start dunwatch at login: install, uninstall, or check the service.
    #[command(subcommand)]
    Service(service::ServiceAction),
    /// Paths, config, folders, database, rules, notifications and service: what a bug
    /// report needs.
    Doctor(doctor::DoctorArgs),
    /// Write man pages, shell completions and the packaged unit (for packagers).
    #[command(hide = true)]
    Generate(service::GenerateArgs),
}

/// What every command gets: resolved paths and lazy access to config, store and engine.
pub struct Ctx {
    pub paths: Paths,
    /// The language every word is said in (`Lang::from_config`), resolved once.
    pub lang: Lang,
}

impl Ctx {
    pub fn config(&self) -> Result<Config> {
        let file = self.paths.config_file.display().to_string();
        let config = Config::load(&self.paths)
            .context(Said(self.t("cli.error.config_load", &[("file", &file)])))?;
        config.validate().map_err(|e| {
            anyhow::anyhow!("{e:#}").context(Said(self.t(
                "cli.error.config_invalid",
                &[("file", &self.paths.config_file.display().to_string())],
            )))
        })?;
        Ok(config)
    }

    /// The catalog's words for `key` in the person's language, `{name}` filled from `args`.
    pub fn t(&self, key: &str, args: &[(&str, &str)]) -> String {
        crate::words::text(self.lang, key, args)
    }

    pub fn db_path(&self, config: &Config) -> PathBuf {
        config.database_path(&self.paths)
    }

    pub fn open_store(&self, config: &Config) -> Result<Store> {
        Ok(Store::open(&self.db_path(config))?)
    }

    /// The shipped rules and the user's, judging the hour of a message without a zone of
    /// its own in the phone's time zone (`phone_timezone`, else the computer's), as the
    /// daemon does.
    pub fn engine(&self) -> Result<Engine> {
        let user = self.paths.user_rules_dir();
        let zone = self
            .config()
            .and_then(|c| c.phone_tz())
            .unwrap_or_else(|_| jiff::tz::TimeZone::system());
        Ok(Engine::load(Some(&user))?.with_zone(zone))
    }
}

impl Ctx {
    /// What the history knows of the person (lists, lenders, history) for verdicts outside
    /// an import: from the database if there is one, else nobody in particular.
    pub fn person(&self, engine: &Engine) -> Result<crate::classify::person::Person> {
        let config = self.config()?;
        let path = self.db_path(&config);
        if !path.exists() {
            return Ok(crate::classify::person::Person::nobody());
        }
        let store = Store::open(&path)?;
        Ok(engine.person_in(&store)?)
    }
}

/// An RFC 3339 time (`2026-11-18T10:15:00+08:00`): epoch milliseconds and the offset it was
/// written with, in seconds east of UTC.
pub fn parse_rfc3339(s: &str) -> Result<(i64, i32), String> {
    let ts: jiff::Timestamp = s.parse().map_err(|e: jiff::Error| e.to_string())?;
    let pieces = jiff::fmt::temporal::Pieces::parse(s).map_err(|e| e.to_string())?;
    let offset = pieces.to_numeric_offset().map_or(0, |o| o.seconds());
    Ok((ts.as_millisecond(), offset))
}

/// Runs the command line; the exit code is 0 on success, 1 on failure, 2 on bad usage.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let early = early_paths(&args);
    let lang = early.as_ref().map_or_else(
        |_| Lang::from_config(&Config::default()),
        |p| Lang::from_config(&Config::load(p).unwrap_or_default()),
    );
    let cli = match localized_command(lang)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => return said::usage_error(e, lang),
    };
    init_logging(match cli.command {
        Command::Config(_) => "error",
        Command::Run(_) => "info",
        _ => "warn",
    });
    let result = Paths::resolve(cli.db.as_deref(), cli.config.as_deref())
        .and_then(|paths| dispatch(Ctx { paths, lang }, cli.command));
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{}", said::error_lines(&err, lang));
            ExitCode::FAILURE
        }
    }
}

/// The paths the raw arguments name, for the language of `--help` and of usage errors:
/// a `language` set in the config file wins there too.
fn early_paths(args: &[std::ffi::OsString]) -> Result<Paths> {
    let db = help::raw_value(args, "db").map(PathBuf::from);
    let config = help::raw_value(args, "config").map(PathBuf::from);
    Paths::resolve(db.as_deref(), config.as_deref())
}

fn dispatch(ctx: Ctx, command: Command) -> Result<ExitCode> {
    match command {
        Command::Scan(args) => scan::run(&ctx, args),
        Command::Classify(args) => classify::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::History(args) => history::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Mark(args) => mark::run(&ctx, args),
        Command::Trust(args) => trust::set(&ctx, args, crate::store::senders::Side::Trust),
        Command::Block(args) => trust::set(&ctx, args, crate::store::senders::Side::Block),
        Command::Untrust(args) => trust::remove(&ctx, args),
        Command::Senders(args) => trust::list(&ctx, args),
        Command::Lenders(args) => lenders::run(&ctx, args),
        Command::Stats(args) => stats::run(&ctx, args),
        Command::Feedback(cmd) => feedback::run(&ctx, cmd),
        Command::Learn(args) => learn::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Evidence(args) => evidence::run(&ctx, args),
        Command::Config(cmd) => config_cmd::run(&ctx, cmd),
        Command::Rules(cmd) => rules::run(&ctx, cmd),
        Command::Run(args) => run::run(&ctx, args),
        Command::Service(action) => service::run(&ctx, action),
        Command::Doctor(args) => doctor::run(&ctx, args),
        Command::Ui(args) => ui::run(&ctx, args),
        Command::Generate(args) => service::generate(args),
    }
}

fn init_logging(default: &str) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("DUNWATCH_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // File names and quoted excerpts come from strangers: every control character and
        // bidi override in a log line is escaped, so none can forge a line or drive the
        // terminal. Which is also why there are no colours: they would be escaped too.
        .with_writer(|| crate::untrusted::LogWriter(io::stderr()))
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

/// Standard output, buffered and locked, for commands that print many lines.
pub fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::with_capacity(64 * 1024, io::stdout().lock())
}

/// Writes one line of JSON.
pub fn write_json_line(out: &mut impl Write, value: &impl serde::Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// The error and its causes on one line, each cause once: library errors often repeat their
/// source in their own message ("database error: X: X: Error code 8: X"). A module's
/// [`crate::words::Failed`] is said in `lang`.
pub fn error_text(err: &anyhow::Error, lang: Lang) -> String {
    error_text_of(err.chain(), lang)
}

/// [`error_text`] of some of an error's causes.
pub fn error_text_of<'a>(
    causes: impl Iterator<Item = &'a (dyn std::error::Error + 'static)>,
    lang: Lang,
) -> String {
    // ": " in English, "：" in Chinese.
    let joiner = crate::words::Catalog::of(lang).word("cli.error.joiner");
    let mut said: Vec<String> = Vec::new();
    for cause in causes {
        let text = said::cause_text(cause, lang);
        if said.iter().any(|s| s.contains(&text)) {
            continue;
        }
        // A cause that is a longer form of what was said ("Error code 8: X" after "X"),
        // the last said cause's own last part included.
        let last = said.last().map_or("", |s| last_part(s));
        if !last.is_empty() && text.ends_with(last) {
            continue;
        }
        said.push(text);
    }
    said.join(joiner)
}

/// What follows the last ": " or "：" of `text` (all of it when there is neither).
fn last_part(text: &str) -> &str {
    let at = [": ", "："]
        .iter()
        .filter_map(|sep| text.rfind(sep).map(|i| i + sep.len()))
        .max();
    at.map_or(text, |i| &text[i..])
}

#[cfg(test)]
mod error_text_tests {
    use super::*;

    #[test]
    fn repeated_causes_are_said_once() {
        let inner = std::io::Error::other("attempt to write a readonly database");
        let err = anyhow::Error::new(inner)
            .context("database error: attempt to write a readonly database")
            .context("/d/dunwatch.db");
        assert_eq!(
            error_text(&err, Lang::En),
            "/d/dunwatch.db: database error: attempt to write a readonly database"
        );
    }

    #[test]
    fn causes_are_joined_with_a_chinese_colon_in_chinese() {
        use crate::words::{Failed, Phrase};
        let failed = Failed::because(
            Phrase::new("cli.error.failed"),
            std::io::Error::other("disk full"),
        );
        let err = anyhow::Error::new(failed).context("/d/x");
        assert_eq!(error_text(&err, Lang::ZhCn), "/d/x：没能完成：disk full");
        assert_eq!(error_text(&err, Lang::ZhTw), "/d/x：無法完成：disk full");
        assert_eq!(
            error_text(&err, Lang::En),
            "/d/x: could not finish: disk full"
        );
        // A longer form of the last cause's last part is still said once.
        let err = anyhow::Error::new(std::io::Error::other("Error code 8: X"))
            .context("X")
            .context("database");
        assert_eq!(error_text(&err, Lang::ZhCn), "database：X");
    }
}
