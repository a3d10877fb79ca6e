//! `dunwatch ui`: the review page, served on 127.0.0.1 only while someone uses it.
//!
//! The server binds loopback on a free port (or `--port`), opens the default browser on a
//! one-time login URL (or prints it first with `--no-browser`) and stops after a stretch
//! without requests (30 minutes). Nothing listens otherwise: the daemon starts this same
//! binary when an alert asks for the page, and a start that finds a page already served
//! for the same database hands its request to it and ends ([`handover`]). Requests pass
//! [`guard`] first; pages are in [`pages`], their words and templates in [`view`].

mod evidence;
mod guard;
mod handover;
mod lists;
mod pages;
mod reports;
pub mod view;

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Result;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;

use crate::classify::Engine;
use crate::classify::registry::Registry;
use crate::config::Config;
use crate::paths::Paths;
use crate::report::Lang;
use crate::store::Store;
use crate::words::{OrSay, Phrase};

/// How long the page stays up without a request.
pub const IDLE: Duration = Duration::from_secs(30 * 60);

/// SQLite's page cache for the page, in KiB. Its lists and counts are read from indexes
/// (a count of 260 000 debt messages reads 6 MB of one), each once per request, from the
/// system's file cache: a bigger cache here adds memory, not speed (benches/ui.sh).
const PAGE_CACHE_KIB: i64 = 2048;

#[derive(Debug, Clone)]
pub struct Options {
    /// 0: a free port.
    pub port: u16,
    /// Print the URL instead of opening a browser.
    pub no_browser: bool,
    /// The page to open after logging in (`/messages/42`).
    pub open: Option<String>,
    pub idle: Duration,
}

/// Everything a request may use: the secrets, the store, the lenders, the engine
/// (corrections rewrite headlines), the config and the words of the person's language.
pub struct App {
    pub port: u16,
    secrets: guard::Secrets,
    env: Environment<'static>,
    catalog: &'static crate::words::Catalog,
    lang: Lang,
    store: Mutex<Store>,
    /// The lenders' names, for every page.
    registry: Registry,
    /// The engine, built the first time a page needs it (a correction, a report, what was
    /// learned): its compiled rules were half of the page's memory, and most visits only read.
    engine: OnceLock<Engine>,
    load_engine: EngineLoader,
    config: Config,
    paths: Paths,
    db_path: PathBuf,
    /// The private record another `dunwatch ui` hands its request over with (`handover`);
    /// none when it could not be written (then each click starts its own page, as before).
    published: Option<handover::Published>,
}

impl App {
    /// A page from `template` with `ctx`, or the error page if it cannot be written.
    fn render(&self, template: &str, ctx: minijinja::Value) -> Response {
        match self.env.get_template(template).and_then(|t| t.render(ctx)) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!("page {template}: {e:#}");
                let detail = e.to_string();
                self.refuse_with(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    self.catalog.text("error.internal", &[("detail", &detail)]),
                )
            }
        }
    }

    /// The error page with the catalog's text for `key`.
    fn refuse(&self, status: StatusCode, key: &str) -> Response {
        self.refuse_with(status, self.catalog.text(key, &[]))
    }

    fn refuse_with(&self, status: StatusCode, text: String) -> Response {
        let ctx = minijinja::context! {
            lang => self.lang_tag(), page => "", problems => 0, done => "", text => text,
        };
        let html = self
            .env
            .get_template("notice.html")
            .and_then(|t| t.render(ctx))
            .unwrap_or_else(|_| "dunwatch".to_string());
        (status, Html(html)).into_response()
    }

    /// The engine, built at the first call (two requests at once may both build it; one
    /// is kept).
    fn engine(&self) -> Result<&Engine> {
        if let Some(engine) = self.engine.get() {
            return Ok(engine);
        }
        let built = (self.load_engine)()?;
        Ok(self.engine.get_or_init(|| built))
    }

    /// The page's `lang` (so a browser picks Traditional glyphs for zh-TW) and the key of
    /// lender names, which fall back to zh-CN where no Traditional name is written.
    fn lang_tag(&self) -> &'static str {
        self.lang.code()
    }
}

/// Builds the engine, when a page first needs it.
pub type EngineLoader = Box<dyn Fn() -> Result<Engine> + Send + Sync>;

/// What `serve` needs from the command line's context.
pub struct Setup {
    pub config: Config,
    pub paths: Paths,
    pub db_path: PathBuf,
    /// The lenders the engine knows ([`Engine::load_registry`]).
    pub registry: Registry,
    pub engine: EngineLoader,
}

/// Serves until nobody has asked for a page for `opts.idle`, or until SIGINT/SIGTERM. When
/// a page for the same database is already served (and `--port`, if given, is its port),
/// hands the request to it instead: the browser opens there, and this returns at once.
pub fn serve(setup: Setup, opts: Options) -> Result<()> {
    let record = handover::file_for(&setup.paths.data_dir, &setup.db_path);
    let next = opts.open.clone().unwrap_or_else(|| "/".to_string());
    // Until this page's record is written (or this hands over): one start at a time.
    let starting = handover::Starting::lock(&record);
    if let Some(url) = handover::ask(&record, &next, opts.port) {
        let catalog = crate::words::Catalog::of(Lang::from_config(&setup.config));
        let shown = show(&url, opts.no_browser, catalog)?;
        eprintln!("{}\n{shown}", catalog.text("cli.ui.handed_over", &[]));
        return Ok(());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .or_say(|| Phrase::new("cli.ui.error.runtime"))?;
    rt.block_on(serve_async(setup, opts, starting))
}

async fn serve_async(setup: Setup, opts: Options, starting: handover::Starting) -> Result<()> {
    let store = Store::open(&setup.db_path)?;
    store.limit_page_cache(PAGE_CACHE_KIB)?;
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port))
        .await
        .or_say(|| Phrase::new("cli.ui.error.listen").arg("port", opts.port))?;
    let port = listener.local_addr()?.port();
    let record = handover::file_for(&setup.paths.data_dir, &setup.db_path);
    let published = match handover::Published::write(record, port) {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::warn!("a second `dunwatch ui` will start its own page: {e:#}");
            None
        }
    };
    // Published: the next start may ask this page.
    drop(starting);
    let token = guard::random_token();
    let lang = Lang::from_config(&setup.config);
    let catalog = crate::words::Catalog::of(lang);
    let app = Arc::new(App {
        port,
        secrets: guard::Secrets::new(token.clone()),
        env: view::environment(catalog),
        catalog,
        lang,
        store: Mutex::new(store),
        registry: setup.registry,
        engine: OnceLock::new(),
        load_engine: setup.engine,
        config: setup.config,
        paths: setup.paths,
        db_path: setup.db_path,
        published,
    });
    let next = opts.open.clone().unwrap_or_else(|| "/".to_string());
    let url = handover::login_url(port, &token, &next)?;
    let shown = show(&url, opts.no_browser, catalog)?;
    eprintln!("{shown}\n{}", closes(catalog, opts.idle));
    tracing::info!(
        "review page on 127.0.0.1:{port}; it stops after {} min without a request",
        opts.idle.as_secs() / 60
    );
    let router = pages::router(app.clone()).layer(axum::middleware::from_fn_with_state(
        app.clone(),
        guard::guard,
    ));
    axum::serve(listener, router)
        .with_graceful_shutdown(until_idle_or_signal(app, opts.idle))
        .await
        .or_say(|| Phrase::new("cli.ui.error.stopped"))?;
    Ok(())
}

/// Prints the login URL as the first line of standard output (either way: a browser that
/// fails to start leaves it to be copied), opens it unless `no_browser`, and returns what to
/// do with it, for standard error (standard output is the URL alone).
fn show(url: &str, no_browser: bool, catalog: &crate::words::Catalog) -> Result<String> {
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{url}")?;
        out.flush()?;
    }
    Ok(if no_browser {
        catalog.text("cli.ui.open_address", &[])
    } else {
        match open::that_detached(url) {
            Ok(()) => catalog.text("cli.ui.opened", &[]),
            Err(e) => {
                let error = crate::untrusted::one_line(&e.to_string()).into_owned();
                let said = catalog.text("cli.ui.no_browser", &[("error", &error)]);
                format!("dunwatch: {said}")
            }
        }
    })
}

/// When the page stops by itself, in whole minutes (seconds when shorter, as in tests).
fn closes(catalog: &crate::words::Catalog, idle: Duration) -> String {
    let seconds = idle.as_millis().div_ceil(1000) as u64;
    match seconds / 60 {
        0 => catalog.count("cli.ui.closes_seconds", seconds, &[]),
        minutes => catalog.count("cli.ui.closes_minutes", minutes, &[]),
    }
}

/// Resolves once nobody has asked for a page for `idle`, or on SIGINT/SIGTERM.
async fn until_idle_or_signal(app: Arc<App>, idle: Duration) {
    let tick = (idle / 10).clamp(Duration::from_millis(50), Duration::from_secs(10));
    let watch = async {
        loop {
            tokio::time::sleep(tick).await;
            let last = *app
                .secrets
                .last_request
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if Instant::now().duration_since(last) >= idle {
                tracing::info!("no request for {} s: the review page stops", idle.as_secs());
                return;
            }
        }
    };
    tokio::select! {
        () = watch => {}
        _ = tokio::signal::ctrl_c() => {}
        () = terminate() => {}
    }
}

#[cfg(unix)]
async fn terminate() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            term.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending().await
}
