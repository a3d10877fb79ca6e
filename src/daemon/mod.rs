//! `dunwatch run`: watch the folders, import what changes, alert on what matters.
//!
//! One tokio task owns the state and reacts to four things: debounced file changes from
//! [`watch`], the end of an import job, a timer (quiet hours ending, a notification retry, a
//! half-written file that stopped changing) and SIGINT/SIGTERM. Imports are synchronous
//! (SQLite, parsers) and run one job at a time on a blocking thread with their own database
//! connection; alert bookkeeping uses a second connection, also off the runtime. Every write
//! is a transaction, so stopping at any moment leaves nothing half-written.
//!
//! The jobs live beside this file: `watch` (events to paths), `import_job` (the import thread
//! and its reports), `deliver` (alerts to the desktop), `reload` (config and rules swapped in
//! when their files change), `weekly` (the summary), `lock` (one daemon per database).

mod deliver;
mod import_job;
pub mod lock;
mod pressed;
mod problems;
pub mod reload;
pub mod watch;
mod weekly;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::{debug, info, warn};

use crate::alert::Policy;
use crate::alert::desktop::{Desktop, Invoked};
use crate::classify::Engine;
use crate::config::{Config, DEFAULT_TOML};
use crate::import::{NotExports, ProblemCause, ProblemUpdate};
use crate::ingest::ReadOptions;
use crate::paths::Paths;
use crate::report::WeeklySchedule;
use crate::store::Store;

use import_job::JobResult;
use lock::InstanceLock;
use reload::Loaded;
use watch::{Change, Watcher};

/// Timings; the defaults suit a desktop, tests shorten them.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long a file must be quiet before it is read.
    pub debounce: Duration,
    /// A half-written file that has not changed for this long is reported (once).
    pub stale_after: Duration,
    /// How long to wait before trying the notification server again.
    pub retry_after: Duration,
    /// How long to wait before importing again after the database refused a write (disk
    /// full, read-only, locked by another program for longer than the busy timeout).
    pub store_retry: Duration,
    /// How often folders are looked at when they are polled instead of watched.
    pub poll_every: Duration,
    /// Poll from the start (folders on network filesystems, where the kernel sends no
    /// events); otherwise polling is only the fallback when the kernel's limit is reached.
    pub force_poll: bool,
    /// Longest an import keeps its transaction open before committing what it has.
    pub commit_every: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            debounce: Duration::from_millis(350),
            stale_after: Duration::from_secs(120),
            retry_after: Duration::from_secs(60),
            store_retry: Duration::from_secs(30),
            poll_every: Duration::from_secs(5),
            force_poll: false,
            commit_every: crate::import::COMMIT_EVERY,
        }
    }
}

/// What the first run created, for the welcome screen.
#[derive(Debug)]
pub struct FirstRun {
    pub config_file: PathBuf,
    pub watch_dirs: Vec<PathBuf>,
    pub created_dirs: Vec<PathBuf>,
}

/// Everything checked and opened before the daemon starts serving.
pub struct Prepared {
    pub paths: Paths,
    pub first_run: Option<FirstRun>,
    pub db_path: PathBuf,
    pub watch_dirs: Vec<PathBuf>,
    lock: InstanceLock,
    loaded: Loaded,
    engine: Engine,
    import_store: Store,
    alert_store: Store,
}

/// Takes the instance lock, writes the default config on the first run, loads config and
/// rules, and opens the database. Any error here stops `run` with a message.
pub fn prepare(paths: Paths) -> Result<Prepared> {
    let lock = InstanceLock::acquire(&paths.lock_file())?;
    let first_run = first_run(&paths)?;
    let loaded = reload::load_config(&paths)?;
    let engine = reload::load_engine(&paths)?;
    let db_path = loaded.config.database_path(&paths);
    let writable = || {
        format!(
            "cannot open the database {} for writing; make its folder and files writable by \
             this user, or set `database` in {} to another file",
            db_path.display(),
            paths.config_file.display()
        )
    };
    let open = || match Store::open(&db_path) {
        // Its message says what to do; "make it writable" would be wrong advice.
        Err(e) if e.is_corrupt() => Err(anyhow::Error::from(e)),
        other => other.with_context(writable),
    };
    let import_store = open()?;
    let alert_store = open()?;
    // Damage SQLite meets only on the pages it reads is found here, before any write. Any
    // other failure of the check (another program's lock) is the import's to meet and report.
    if let Err(e) = import_store.quick_check()
        && e.is_corrupt()
    {
        return Err(anyhow::Error::from(e));
    }
    Ok(Prepared {
        watch_dirs: loaded.watch_dirs.clone(),
        paths,
        first_run,
        db_path,
        lock,
        loaded,
        engine,
        import_store,
        alert_store,
    })
}

/// With no config file (and none named by `--config`): write the commented default and
/// create the folders it watches.
fn first_run(paths: &Paths) -> Result<Option<FirstRun>> {
    if paths.config_explicit || paths.config_file.exists() {
        return Ok(None);
    }
    if let Some(dir) = paths.config_file.parent() {
        crate::paths::create_private_dir(dir)
            .with_context(|| format!("cannot create the config folder {}", dir.display()))?;
    }
    // create_new: never overwrite a config another process wrote in the meantime.
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&paths.config_file)
    {
        Ok(mut f) => {
            use std::io::Write;
            // The config names the person's folders: theirs alone, whatever the umask.
            crate::paths::set_mode(&paths.config_file, 0o600)?;
            f.write_all(DEFAULT_TOML.as_bytes())
                .with_context(|| format!("cannot write {}", paths.config_file.display()))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(None),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot write {}", paths.config_file.display()));
        }
    }
    let config = Config::parse(DEFAULT_TOML, &paths.config_file)?;
    let mut created = Vec::new();
    for dir in config.watch_dirs() {
        if !dir.exists() {
            // Backups are private messages: a folder only the person can enter.
            crate::paths::create_private_dir(&dir)
                .with_context(|| format!("cannot create the watched folder {}", dir.display()))?;
            created.push(dir);
        }
    }
    Ok(Some(FirstRun {
        config_file: paths.config_file.clone(),
        watch_dirs: config.watch_dirs(),
        created_dirs: created,
    }))
}

/// Runs until SIGINT or SIGTERM.
pub fn serve(prepared: Prepared, opts: Options) -> Result<()> {
    // One thread is plenty for a loop that mostly waits; imports get blocking threads.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(4)
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let (tx, rx) = mpsc::unbounded_channel();
        let watcher = Watcher::new(opts.debounce, opts.poll_every, opts.force_poll, tx)?;
        let (pressed_tx, pressed) = mpsc::unbounded_channel();
        let mut daemon = Daemon::new(prepared, opts, watcher, Desktop::with_buttons(pressed_tx));
        daemon.start_watching();
        daemon.run(rx, pressed).await
    })
}

struct Daemon {
    paths: Paths,
    opts: Options,
    _lock: InstanceLock,
    config: Config,
    policy: Arc<Policy>,
    read_opts: ReadOptions,
    engine: Arc<Engine>,
    db_path: PathBuf,
    watch_dirs: Vec<PathBuf>,
    import_store: Arc<Mutex<Store>>,
    /// Files found not to be SMS exports, kept for the whole run so that a rescan after the
    /// kernel dropped events only stats them; lent to each import job.
    not_exports: Arc<Mutex<NotExports>>,
    alert_store: Arc<Mutex<Store>>,
    watcher: Watcher,
    queue: Queue,
    job: Option<JoinHandle<JobResult>>,
    cancel: Arc<AtomicBool>,
    desktop: Desktop,
    /// When to look at due alerts again (quiet hours end, retry after a failed show).
    alert_wake: Option<Instant>,
    /// The database was found corrupted: nothing is written to it until it is moved aside.
    store_corrupt: Option<String>,
    /// Files not imported because the database refused a write: retried at `retry_at`.
    postponed: BTreeSet<PathBuf>,
    retry_at: Option<Instant>,
    /// Files that broke off, probably still being written: retried when they change.
    incomplete: HashMap<PathBuf, Incomplete>,
    /// Problems of files and folders found since the last look, and the ends of earlier
    /// ones: recorded and told once per file and cause by [`Daemon::settle_problems`].
    problem_updates: Vec<ProblemUpdate>,
    /// Import problems may be waiting for a desktop notice (at start: from an earlier run
    /// whose notice was never shown; later: a notice the desktop did not take).
    problems_untold: bool,
    /// Problems not tied to one file (database, watcher, alerts) already reported, by topic.
    problems: HashMap<&'static str, String>,
    config_print: Option<blake3::Hash>,
    rules_print: Option<blake3::Hash>,
    /// A rules reload running on a blocking thread, and whether the files changed again
    /// while it ran.
    rules_job: Option<JoinHandle<reload::RulesLoad>>,
    rules_again: bool,
    /// When the weekly summary is written (`reports.weekly`), and when to look again.
    weekly: Option<WeeklySchedule>,
    report_wake: Option<Instant>,
}

struct Incomplete {
    error: crate::words::Phrase,
    since: Instant,
    mtime: Option<SystemTime>,
}

/// Files and folders waiting for the next import job.
#[derive(Default)]
struct Queue {
    files: BTreeSet<PathBuf>,
    dirs: BTreeSet<PathBuf>,
}

enum Wake {
    Shutdown(&'static str),
    Change(Option<Change>),
    JobDone(Result<JobResult, tokio::task::JoinError>),
    RulesLoaded(Result<reload::RulesLoad, tokio::task::JoinError>),
    Timer,
    /// A button on a notification was pressed.
    Pressed(Invoked),
}

impl Daemon {
    fn new(p: Prepared, opts: Options, watcher: Watcher, desktop: Desktop) -> Daemon {
        let config_print = reload::fingerprint(&p.paths.config_file);
        let rules_print = reload::rules_fingerprint(&p.paths.user_rules_dir());
        Daemon {
            opts,
            _lock: p.lock,
            config: p.loaded.config,
            policy: Arc::new(p.loaded.policy),
            weekly: p.loaded.weekly,
            // At start: catch up on a summary missed while the computer was off.
            report_wake: p.loaded.weekly.map(|_| Instant::now()),
            read_opts: p.loaded.read_opts,
            engine: Arc::new(p.engine),
            db_path: p.db_path,
            watch_dirs: p.watch_dirs,
            import_store: Arc::new(Mutex::new(p.import_store)),
            not_exports: Arc::new(Mutex::new(NotExports::default())),
            alert_store: Arc::new(Mutex::new(p.alert_store)),
            watcher,
            queue: Queue::default(),
            job: None,
            cancel: Arc::new(AtomicBool::new(false)),
            desktop,
            alert_wake: None,
            incomplete: HashMap::new(),
            store_corrupt: None,
            postponed: BTreeSet::new(),
            retry_at: None,
            problem_updates: Vec::new(),
            problems_untold: true,
            problems: HashMap::new(),
            config_print,
            rules_print,
            rules_job: None,
            rules_again: false,
            paths: p.paths,
        }
    }

    /// Watches the backup folders and the config and rules, and queues the catch-up scan
    /// of everything that changed while the daemon was not running.
    fn start_watching(&mut self) {
        for dir in self.watch_dirs.clone() {
            self.watch_backup_dir(&dir);
        }
        let config_dir = self.paths.config_file.parent().map(Path::to_path_buf);
        if let Some(dir) = config_dir.filter(|d| d.is_dir())
            && let Err(e) = self.watcher.watch(&dir, false)
        {
            warn!("config changes will not be noticed: {e:#}");
        }
        self.watch_rules_dir();
        if self.watcher.polling() {
            info!(
                "looking at the folders for changes every {} s (polling)",
                self.opts.poll_every.as_secs_f32()
            );
        }
        info!(
            "dunwatch {} watching {} folder(s); database {}",
            env!("CARGO_PKG_VERSION"),
            self.watch_dirs.len(),
            self.db_path.display()
        );
    }

    fn watch_backup_dir(&mut self, dir: &Path) {
        if !dir.is_dir() {
            warn!(
                "watched folder {} does not exist; create it or change `watch` in {}",
                dir.display(),
                self.paths.config_file.display()
            );
            return;
        }
        match self.watcher.watch_tree(dir) {
            Ok(skipped) => {
                info!("watching {}", dir.display());
                for (sub, why) in skipped {
                    let text = crate::import::unreadable_text(&sub, &why);
                    self.report_problem(ProblemUpdate::noted(&sub, ProblemCause::Folder, text));
                }
                self.queue.dirs.insert(dir.to_path_buf());
            }
            Err(e) => warn!("{e:#}"),
        }
    }

    fn watch_rules_dir(&mut self) {
        let rules = self.paths.user_rules_dir();
        if rules.is_dir()
            && !self.watcher.is_watched(&rules)
            && let Err(e) = self.watcher.watch(&rules, true)
        {
            warn!("rule changes will not be noticed: {e:#}");
        }
    }

    async fn run(
        mut self,
        mut rx: mpsc::UnboundedReceiver<Change>,
        mut pressed: mpsc::UnboundedReceiver<Invoked>,
    ) -> Result<()> {
        let shutdown = shutdown_signal();
        tokio::pin!(shutdown);
        loop {
            self.start_job();
            let deadline = self.next_deadline();
            let wake = tokio::select! {
                sig = &mut shutdown => Wake::Shutdown(sig),
                change = rx.recv() => Wake::Change(change),
                Some(invoked) = pressed.recv() => Wake::Pressed(invoked),
                done = async { self.job.as_mut().expect("guarded").await }, if self.job.is_some() => {
                    Wake::JobDone(done)
                }
                rules = async { self.rules_job.as_mut().expect("guarded").await }, if self.rules_job.is_some() => {
                    Wake::RulesLoaded(rules)
                }
                _ = sleep_until(deadline), if deadline.is_some() => Wake::Timer,
            };
            match wake {
                Wake::Shutdown(sig) => {
                    info!("{sig} received, stopping");
                    break;
                }
                Wake::Change(Some(Change::Paths(paths))) => self.on_paths(paths),
                Wake::Change(Some(Change::Error(e))) => {
                    self.warn_once("watcher", format!("file watcher: {e}"))
                }
                Wake::Change(Some(Change::WatchLimit(text))) => self.on_watch_limit(text),
                Wake::Change(Some(Change::Rescan)) => self.on_rescan(),
                Wake::Change(None) => {
                    warn!("the file watcher stopped; stopping");
                    break;
                }
                Wake::JobDone(done) => {
                    self.job = None;
                    match done {
                        Ok(result) => self.on_job_done(result).await,
                        Err(e) => warn!("an import stopped unexpectedly: {e}"),
                    }
                }
                Wake::RulesLoaded(done) => self.rules_loaded(done),
                Wake::Timer => self.on_timer().await,
                Wake::Pressed(invoked) => self.on_pressed(invoked).await,
            }
        }
        self.shutdown().await;
        Ok(())
    }

    fn next_deadline(&self) -> Option<Instant> {
        let stale = self
            .incomplete
            .values()
            .map(|i| i.since + self.opts.stale_after)
            .min();
        [self.alert_wake, stale, self.retry_at, self.report_wake]
            .into_iter()
            .flatten()
            .min()
    }

    /// Sorts changed paths into reloads and imports.
    fn on_paths(&mut self, paths: Vec<PathBuf>) {
        let (mut config_changed, mut rules_changed) = (false, false);
        for path in paths {
            if reload::is_config_file(&self.paths, &path) {
                config_changed = true;
                continue;
            }
            if reload::is_rules_path(&self.paths, &path) {
                rules_changed = true;
                continue;
            }
            let Some(root) = self.watch_dirs.iter().find(|d| path.starts_with(d)) else {
                continue;
            };
            if watch::is_ignored_under(root, &path) || self.is_own_file(&path) {
                debug!("ignored {}", path.display());
                continue;
            }
            match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() => {
                    // A folder that could not be read before (its mode changed) or one made
                    // inside a folder watched on its own: watch it now.
                    if !self.watcher.covers(&path) && std::fs::read_dir(&path).is_ok() {
                        match self.watcher.watch_tree(&path) {
                            Ok(skipped) => {
                                self.report_problem(ProblemUpdate::Cleared { path: path.clone() });
                                for (sub, why) in skipped {
                                    let text = crate::import::unreadable_text(&sub, &why);
                                    let cause = ProblemCause::Folder;
                                    self.report_problem(ProblemUpdate::noted(&sub, cause, text));
                                }
                            }
                            Err(e) => warn!("{e:#}"),
                        }
                    }
                    self.queue.dirs.insert(path);
                }
                Ok(m) if m.is_file() => {
                    self.queue.files.insert(path);
                }
                Ok(_) => {}
                Err(_) => {
                    // Deleted (or renamed away): its messages stay in the history.
                    debug!("{} is gone", path.display());
                    self.incomplete.remove(&path);
                }
            }
        }
        if config_changed {
            self.reload_config();
        }
        if rules_changed {
            // The rules folder may just have been created.
            self.watch_rules_dir();
            self.reload_rules();
        }
    }

    /// The database, its WAL and the lock may live inside a watched folder; never import them.
    fn is_own_file(&self, path: &Path) -> bool {
        let db = self.db_path.as_os_str().to_string_lossy();
        path.as_os_str().to_string_lossy().starts_with(&*db) || path == self._lock.path()
    }

    /// Warns about a problem once, until it goes away ([`Daemon::resolved`]) or changes.
    fn warn_once(&mut self, topic: &'static str, text: String) {
        if self.problems.get(topic) != Some(&text) {
            warn!("{text}");
            self.problems.insert(topic, text);
        }
    }

    /// The outcome of [`off_runtime`] work on `topic`: a failure is reported once (however
    /// often it recurs), and the recovery once when it ends.
    fn settle<T>(
        &mut self,
        topic: &'static str,
        recovered: &str,
        done: Result<T, String>,
    ) -> Option<T> {
        match done {
            Ok(value) => {
                self.resolved(topic, recovered);
                Some(value)
            }
            Err(text) => {
                self.warn_once(topic, text);
                None
            }
        }
    }

    /// A problem reported by [`Daemon::warn_once`] is gone: say so once.
    fn resolved(&mut self, topic: &'static str, text: &str) {
        if self.problems.remove(topic).is_some() {
            info!("{text}");
        }
    }

    /// The kernel's event queue overflowed: events, maybe the one of a new backup, are
    /// lost. Every watched folder is looked through again; unchanged files are skipped by
    /// their size and time, so this costs a directory listing, not a re-import. Not a
    /// warning: nothing is lost once the catch-up has run.
    fn on_rescan(&mut self) {
        if self.watch_dirs.iter().all(|d| self.queue.dirs.contains(d)) {
            return; // already queued by an earlier overflow of the same burst
        }
        info!(
            "the system dropped file events during a burst of changes; looking through the watched folders again"
        );
        self.queue_all_folders();
        self.reload_config();
        self.watch_rules_dir();
        self.reload_rules();
    }

    /// Queues a look through every watched folder (a catch-up after events may have been
    /// missed).
    fn queue_all_folders(&mut self) {
        self.queue.dirs.extend(self.watch_dirs.iter().cloned());
    }

    /// The kernel refused to watch a folder created while running: poll everything from now
    /// on, and catch up on what changed meanwhile.
    fn on_watch_limit(&mut self, text: String) {
        if self.watcher.polling() {
            return;
        }
        self.warn_once(
            "watch-limit",
            format!(
                "{text}; watching the folders by looking every {} s instead",
                self.opts.poll_every.as_secs_f32()
            ),
        );
        match self.watcher.fall_back_to_polling() {
            Ok(()) => {
                self.queue_all_folders();
            }
            Err(e) => self.warn_once("watcher", format!("{e:#}")),
        }
    }

    /// A file's (or folder's) problem, or its end: recorded and told once per file and
    /// cause when the daemon next settles them ([`Daemon::settle_problems`]).
    fn report_problem(&mut self, update: ProblemUpdate) {
        self.problem_updates.push(update);
    }

    async fn on_timer(&mut self) {
        let now = Instant::now();
        if self.retry_at.is_some_and(|t| t <= now) {
            self.retry_at = None;
            debug!("trying {} postponed file(s) again", self.postponed.len());
            self.queue.files.append(&mut self.postponed);
        }
        if self.alert_wake.is_some_and(|t| t <= now) {
            self.alert_wake = None;
            self.deliver().await;
        }
        if self.report_wake.is_some_and(|t| t <= now) {
            self.report_wake = None;
            self.weekly_report().await;
        }
        let stale: Vec<PathBuf> = self
            .incomplete
            .iter()
            .filter(|(_, i)| i.since + self.opts.stale_after <= now)
            .map(|(p, _)| p.clone())
            .collect();
        for path in stale {
            let Some(inc) = self.incomplete.remove(&path) else {
                continue;
            };
            let mtime = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            if mtime.is_some() && mtime == inc.mtime {
                let text = crate::words::Phrase::new("import.detail.stale")
                    .with("problem", inc.error)
                    .arg("seconds", self.opts.stale_after.as_secs());
                self.report_problem(ProblemUpdate::noted(&path, ProblemCause::Truncated, text));
            }
        }
        self.settle_problems(true).await;
    }

    async fn shutdown(mut self) {
        self.cancel.store(true, Ordering::Release);
        if let Some(job) = self.job.take() {
            info!("finishing the file being imported before stopping");
            if let Ok(result) = job.await {
                for r in result.reports {
                    self.on_report(r);
                }
            }
        }
        // Recorded, so the next start does not say them again; its notice waits for that start.
        self.settle_problems(false).await;
        self.watcher.stop();
        info!("stopped");
    }
}

/// Runs database work on a blocking thread; a failure comes back as "cannot {what}: …" for
/// the caller to report (once: see [`Daemon::settle`]), so the daemon carries on.
async fn off_runtime<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("cannot {what}: {e:#}")),
        Err(e) => Err(format!("cannot {what}: {e}")),
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

/// Resolves on SIGINT or SIGTERM (Ctrl-C elsewhere) with the signal's name.
async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => tokio::select! {
                _ = int.recv() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            },
            _ => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
