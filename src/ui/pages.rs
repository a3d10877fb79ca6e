//! The pages of the review page and the changes their buttons make. Each handler reads (or
//! writes) the store off the async runtime and hands plain values to its template; the
//! words come from the catalog, the escaping from the template engine.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::{Deserialize, Serialize};

use super::App;
use crate::model::Category;
use crate::review::Corrected;
use crate::store::history::{Count, Entry, Filter};
use crate::store::senders::Side;

/// Messages per page of the inbox.
const PER_PAGE: usize = 50;
/// Characters of a message shown in a list.
const EXCERPT: usize = 120;
/// A text search's matches are counted exactly up to this many, then shown as "more than":
/// counting them reads each message (a search of 1–2 characters, or of `other` messages,
/// which the search index leaves out), or looks up every trigram match. Without a text
/// search every count is read from an index (migration 11) and is exact.
///
/// Measured on benches/ui.sh's database of 1 000 000 messages (release build, 2 shared
/// cores at load 4–5, 2026-12-02), the count alone (`Store::history_count_upto`, median of
/// 7) exact / capped here, in ms: debt-related, no search 44 (exact, 259 590); lender
/// webank 21 (exact); scam 4 (exact); search 微粒贷 89 / 27 (89 861 matches); 逾期 541 / 41
/// (120 363); overdue + 逾期 130 / 25; webank + 逾期 243 / 35; every category + 验证码
/// 777 / 21 (300 583). The whole first page (benches/ui.sh, median of 20) with exact
/// search counts: 微粒贷 95, 逾期 427, overdue + 逾期 148, webank + 逾期 283, all + 验证码
/// 728; with this cap 39, 45, 54, 62, 37. Exact search counts do not fit the page's
/// 100 ms, so they stay capped.
const SEARCH_COUNT_CAP: u64 = 10_000;

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(inbox))
        .route("/messages/{id}", get(message))
        .route("/messages/{id}/mark", axum::routing::post(mark))
        .route(
            "/senders",
            get(super::lists::senders).post(super::lists::set_sender),
        )
        .route(
            "/lenders",
            get(super::lists::lenders).post(super::lists::declare_lender),
        )
        .route("/reports", get(super::reports::list))
        .route("/reports/view", get(super::reports::view))
        .route(
            "/evidence",
            get(super::evidence::page).post(super::evidence::export),
        )
        .route(
            "/evidence/verify",
            axum::routing::post(super::evidence::verify),
        )
        .route("/evidence/zip/{name}", get(super::evidence::zip))
        .route("/learned", get(super::lists::learned))
        .route("/problems", get(problems))
        .route("/settings", get(settings))
        .route("/static/app.css", get(style))
        .with_state(app)
}

/// Runs store work off the runtime; a failure becomes the error page.
pub(super) async fn blocking(
    app: &Arc<App>,
    work: impl FnOnce(&App) -> anyhow::Result<Response> + Send + 'static,
) -> Response {
    let inner = app.clone();
    match tokio::task::spawn_blocking(move || work(&inner)).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => {
            tracing::error!("review page: {e:#}");
            let detail = super::evidence::said(&e, app.lang);
            app.refuse_with(
                StatusCode::INTERNAL_SERVER_ERROR,
                app.catalog.text("error.internal", &[("detail", &detail)]),
            )
        }
        Err(e) => app.refuse_with(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

impl App {
    pub(super) fn store(&self) -> std::sync::MutexGuard<'_, crate::store::Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn category_label(&self, c: Category) -> String {
        crate::lang::category_name(c, self.lang).to_string()
    }

    pub(super) fn lender_name(&self, id: &str) -> String {
        self.registry.get(id).map_or_else(
            || id.to_string(),
            |l| l.display(self.lang_tag()).to_string(),
        )
    }

    pub(super) fn time(&self, ts_ms: Option<i64>) -> String {
        let tz = self
            .config
            .phone_tz()
            .unwrap_or_else(|_| jiff::tz::TimeZone::system());
        ts_ms
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .map_or_else(
                || self.catalog.text("time.none", &[]),
                |t| t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string(),
            )
    }

    fn row(&self, e: &Entry) -> Row {
        let excerpt: String = e.body.chars().take(EXCERPT).collect();
        Row {
            id: e.id,
            category: e.category.as_str(),
            category_label: self.category_label(e.category),
            time: self.time(e.ts_ms),
            sender: e.sender.clone(),
            contact: e.contact.clone(),
            lender: e.lender.as_deref().map(|l| self.lender_name(l)),
            excerpt: if excerpt.len() < e.body.len() {
                format!("{excerpt}…")
            } else {
                excerpt
            },
        }
    }

    /// The values every page's frame needs.
    pub(super) fn frame(&self, page: &str, done: String) -> minijinja::Value {
        let problems = self.store().import_problems().map_or(0, |p| p.len());
        context! { lang => self.lang_tag(), page => page, problems => problems, done => done }
    }

    pub(super) fn categories(&self, with_groups: bool) -> Vec<Choice> {
        let mut out = Vec::new();
        if with_groups {
            out.push(Choice {
                value: "debt".into(),
                label: self.catalog.text("filter.debt", &[]),
            });
            out.push(Choice {
                value: "all".into(),
                label: self.catalog.text("filter.all", &[]),
            });
        }
        out.extend(Category::ALL.iter().map(|c| Choice {
            value: c.as_str().into(),
            label: self.category_label(*c),
        }));
        out
    }
}

#[derive(Serialize)]
struct Row {
    id: i64,
    category: &'static str,
    category_label: String,
    time: String,
    sender: String,
    contact: Option<String>,
    lender: Option<String>,
    excerpt: String,
}

#[derive(Serialize)]
pub(super) struct Choice {
    value: String,
    label: String,
}

/// The filters of the inbox and of an evidence export, as their forms send them (every
/// field may be empty).
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub(super) struct FilterForm {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub lender: String,
    #[serde(default)]
    pub sender: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
}

impl FilterForm {
    /// The store's filter and, for an evidence manifest, what it selects in words; or the
    /// sentence for the page that says what is wrong with the form.
    pub(super) fn filter(&self, app: &App) -> Result<(Filter, Vec<String>), String> {
        let bad = || app.catalog.text("error.bad_request", &[]);
        let mut filter = Filter::default();
        let category = self.category.trim();
        filter.categories = match category {
            "" | "debt" => Category::DEBT.to_vec(),
            "all" => Vec::new(),
            c => vec![c.parse::<Category>().map_err(|_| bad())?],
        };
        let mut said = vec![format!(
            "category: {}",
            if category.is_empty() {
                "debt"
            } else {
                category
            }
        )];
        let lender = self.lender.trim();
        if !lender.is_empty() {
            let found = app.registry.find_lender(lender);
            filter.lender = Some(found.map_err(|e| unknown_lender(app, &e))?.id.clone());
            said.push(format!("lender: {lender}"));
        }
        for (value, slot, name) in [
            (&self.sender, &mut filter.sender, "sender"),
            (&self.q, &mut filter.search, "search"),
        ] {
            if !value.trim().is_empty() {
                *slot = Some(value.trim().to_string());
                said.push(format!("{name}: {}", value.trim()));
            }
        }
        for (value, slot, end_of_day, name) in [
            (&self.since, &mut filter.since_ms, false, "since"),
            (&self.until, &mut filter.until_ms, true, "until"),
        ] {
            let value = value.trim();
            if !value.is_empty() {
                let day = day_start_ms(value, app, end_of_day);
                *slot = Some(
                    day.ok_or_else(|| app.catalog.text("filter.bad_date", &[("value", value)]))?,
                );
                said.push(format!("{name}: {value}"));
            }
        }
        // Both ends are whole days, `until` included: a range whose end comes before its
        // start would match nothing without a word, as on the command line.
        if let (Some(from), Some(to)) = (filter.since_ms, filter.until_ms)
            && from >= to
        {
            return Err(app.catalog.text(
                "filter.reversed",
                &[("since", self.since.trim()), ("until", self.until.trim())],
            ));
        }
        Ok((filter, said))
    }
}

/// "No lender X is known" in the page's words, with the lenders whose names come close.
fn unknown_lender(app: &App, e: &crate::classify::registry::UnknownLender) -> String {
    let catalog = app.catalog;
    if e.close.is_empty() {
        return catalog.text("filter.no_lender", &[("lender", &e.what)]);
    }
    let close: Vec<String> = app
        .registry
        .named(&e.close, app.lang_tag())
        .map(|(id, name)| catalog.text("filter.lender_named", &[("id", id), ("name", name)]))
        .collect();
    let close = close.join(catalog.word("filter.list_sep"));
    catalog.text(
        "filter.no_lender_close",
        &[("lender", &e.what), ("close", &close)],
    )
}

/// The inbox's query: its filters and the page.
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct InboxQuery {
    #[serde(flatten)]
    form: FilterForm,
    /// A string, as `flatten` reads every field (a number would not parse).
    #[serde(default)]
    page: String,
}

async fn inbox(State(app): State<Arc<App>>, Query(q): Query<InboxQuery>) -> Response {
    blocking(&app, move |app| {
        let (mut filter, error) = match q.form.filter(app) {
            Ok((filter, _)) => (filter, None),
            Err(e) => (Filter::default(), Some(e)),
        };
        filter.limit = PER_PAGE;
        let page_no = q.page.parse::<usize>().unwrap_or(1).max(1);
        filter.offset = (page_no - 1) * PER_PAGE;
        let (rows, count) = if error.is_some() {
            (Vec::new(), Count { n: 0, more: false })
        } else {
            let store = app.store();
            let rows: Vec<Row> = store.history(&filter)?.iter().map(|e| app.row(e)).collect();
            let cap = if filter.search.is_some() {
                SEARCH_COUNT_CAP
            } else {
                u64::MAX
            };
            (rows, store.history_count_upto(&filter, cap)?)
        };
        let pages = (count.n as usize).div_ceil(PER_PAGE).max(1);
        // Past the counted pages of a search there are more while the pages are full.
        let has_older = page_no < pages || (count.more && rows.len() == PER_PAGE);
        let link = |page: usize| {
            let mut to = q.clone();
            to.page = page.to_string();
            format!("/?{}", serde_urlencoded::to_string(&to).unwrap_or_default())
        };
        let ctx = context! {
            ..app.frame("inbox", String::new()),
            ..context! {
                categories => Value::from(Serde(app.categories(true))),
                filter => context! {
                    category => if q.form.category.is_empty() { "debt" } else { &q.form.category },
                    lender => q.form.lender.clone(), q => q.form.q.clone(),
                    since => q.form.since.clone(), until => q.form.until.clone(),
                },
                error => error, rows => Value::from(Serde(&rows)), total => count.n,
                more => count.more, pages => pages, page_no => page_no,
                newer => (page_no > 1).then(|| link(page_no - 1)),
                older => has_older.then(|| link(page_no + 1)),
            }
        };
        Ok(app.render("inbox.html", ctx))
    })
    .await
}

/// `2026-11-30` at midnight (or, for `until`, the next midnight) in the phone's zone.
pub(super) fn day_start_ms(text: &str, app: &App, end_of_day: bool) -> Option<i64> {
    let date: jiff::civil::Date = text.parse().ok()?;
    let date = if end_of_day {
        date.tomorrow().ok()?
    } else {
        date
    };
    let tz = app.config.phone_tz().ok()?;
    Some(date.to_zoned(tz).ok()?.timestamp().as_millisecond())
}

/// After a change: which one, for the line that says it was done.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Done {
    #[serde(default)]
    done: String,
    #[serde(default)]
    sender: String,
    #[serde(default)]
    lender: String,
    #[serde(default)]
    category: String,
}

impl App {
    /// The sentence for a change just made, from the catalog; empty for none.
    pub(super) fn done_text(&self, d: &Done) -> String {
        let key = match d.done.as_str() {
            "marked" => "done.marked",
            "cleared" => "done.cleared",
            "trusted" => "done.trusted",
            "blocked" => "done.blocked",
            "untrusted" => "done.untrusted",
            "have" => "done.have",
            "none" => "done.none",
            _ => return String::new(),
        };
        let category = d
            .category
            .parse::<Category>()
            .map(|c| self.category_label(c))
            .unwrap_or_default();
        let lender = self.lender_name(&d.lender);
        self.catalog.text(
            key,
            &[
                ("sender", &d.sender),
                ("lender", &lender),
                ("category", &category),
            ],
        )
    }
}

#[derive(Serialize)]
struct Part {
    text: String,
    mark: bool,
}

/// The text cut where the reasons' quoted words are, so that the page can mark them.
fn highlighted(body: &str, quotes: &[&str]) -> Vec<Part> {
    let mut marked = vec![false; body.len()];
    for q in quotes.iter().filter(|q| !q.trim().is_empty()) {
        for (at, _) in body.match_indices(q) {
            marked[at..at + q.len()].iter_mut().for_each(|m| *m = true);
        }
    }
    let mut parts: Vec<Part> = Vec::new();
    for (i, c) in body.char_indices() {
        let mark = marked[i];
        match parts.last_mut() {
            Some(p) if p.mark == mark => p.text.push(c),
            _ => parts.push(Part {
                text: c.to_string(),
                mark,
            }),
        }
    }
    parts
}

async fn message(
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
    headers: HeaderMap,
) -> Response {
    let csrf = app.secrets.session_csrf(&headers).unwrap_or_default();
    blocking(&app, move |app| {
        let store = app.store();
        let Some(e) = store.entry(id)? else {
            return Ok(app.refuse(StatusCode::NOT_FOUND, "error.not_found"));
        };
        let others: Vec<Row> = store
            .history(&Filter {
                sender: Some(e.sender.clone()),
                limit: 11,
                ..Filter::default()
            })?
            .iter()
            .filter(|o| o.id != e.id)
            .take(10)
            .map(|o| app.row(o))
            .collect();
        let side = store.sender_lists()?.side(&e.sender).map(Side::as_str);
        drop(store);
        let quotes: Vec<&str> = e.reasons.iter().map(|r| r.evidence.as_str()).collect();
        let reasons: Vec<minijinja::Value> = e
            .reasons
            .iter()
            .filter(|r| !r.description.is_empty())
            .map(|r| context! { description => r.description.clone(), evidence => r.evidence.clone() })
            .collect();
        let row = app.row(&e);
        let m = context! {
            id => e.id, category => e.category.as_str(), category_label => row.category_label,
            engine_label => e.engine_category.map(|c| app.category_label(c)),
            headline => e.headline, time => row.time, sender => e.sender, contact => e.contact,
            lender => row.lender, lender_id => e.lender, side => side,
            parts => Value::from(Serde(highlighted(&e.body, &quotes))), reasons => reasons,
            advice => e.advice.lines().filter(|l| !l.trim().is_empty()).map(str::to_string)
                .collect::<Vec<_>>(),
            source => e.source,
        };
        let ctx = context! {
            ..app.frame("inbox", app.done_text(&done)),
            ..context! {
                m => m, others => Value::from(Serde(&others)),
                choices => Value::from(Serde(app.categories(false))), csrf => csrf,
            }
        };
        Ok(app.render("message.html", ctx))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct MarkForm {
    #[serde(default)]
    category: String,
}

async fn mark(
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    Form(form): Form<MarkForm>,
) -> Response {
    blocking(&app, move |app| {
        let category = match form.category.as_str() {
            "" => None,
            c => match c.parse::<Category>() {
                Ok(c) => Some(c),
                Err(_) => return Ok(app.refuse(StatusCode::BAD_REQUEST, "error.bad_request")),
            },
        };
        let store = app.store();
        Ok(
            match crate::review::correct(&store, app.engine()?, id, category)? {
                Corrected::NoSuchMessage => app.refuse(StatusCode::NOT_FOUND, "error.not_found"),
                Corrected::NothingToClear { .. } | Corrected::Done { now: None, .. } => {
                    Redirect::to(&format!("/messages/{id}?done=cleared")).into_response()
                }
                Corrected::Done { now: Some(c), .. } => Redirect::to(&format!(
                    "/messages/{id}?done=marked&category={}",
                    c.as_str()
                ))
                .into_response(),
            },
        )
    })
    .await
}

async fn problems(State(app): State<Arc<App>>) -> Response {
    blocking(&app, move |app| {
        let list: Vec<minijinja::Value> = app
            .store()
            .import_problems()?
            .into_iter()
            .map(|p| {
                let path = std::path::Path::new(&p.path);
                let name = path
                    .file_name()
                    .map_or_else(|| p.path.clone(), |n| n.to_string_lossy().into_owned());
                // Said in the page's language; the template escapes what it fills in.
                let detail = crate::import::stored_detail(&p.detail).text(app.lang);
                let cause = crate::import::ProblemCause::from_id(&p.cause).map_or_else(
                    || p.cause.clone(),
                    |c| crate::alert::desktop::cause_words(c, app.lang).to_string(),
                );
                context! {
                    name => name, cause => cause, since => app.time(Some(p.first_seen_ms)),
                    gone => !path.exists(), path => p.path, detail => detail,
                }
            })
            .collect();
        let ctx = context! { ..app.frame("problems", String::new()), ..context! { list => list } };
        Ok(app.render("problems.html", ctx))
    })
    .await
}

async fn settings(State(app): State<Arc<App>>) -> Response {
    blocking(&app, move |app| {
        let watch: Vec<String> = app
            .config
            .watch_dirs()
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        let language = match app.config.language {
            crate::config::Language::Auto => "auto",
            crate::config::Language::ZhCn => "zh-CN",
            crate::config::Language::ZhTw => "zh-TW",
            crate::config::Language::En => "en",
        };
        let ctx = context! {
            ..app.frame("settings", String::new()),
            ..context! {
                watch => watch, quiet => app.config.alerts.quiet_hours.clone(), language => language,
                database => app.db_path.display().to_string(),
                config_file => app.paths.config_file.display().to_string(),
            }
        };
        Ok(app.render("settings.html", ctx))
    })
    .await
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        super::view::STYLE,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_server_are_redirected_to() {
        use super::super::guard::is_own_path;
        for ok in ["/", "/messages/5", "/?category=all&q=x"] {
            assert!(is_own_path(ok), "{ok}");
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "https://x",
            "",
            "/ x",
        ] {
            assert!(!is_own_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn quoted_words_are_marked_wherever_they_occur_and_the_text_is_kept_whole() {
        let parts = highlighted("请转入安全账户，安全账户由专员提供", &["安全账户", "专员"]);
        let text: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(text, "请转入安全账户，安全账户由专员提供");
        let marked: Vec<&str> = parts
            .iter()
            .filter(|p| p.mark)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(marked, ["安全账户", "安全账户", "专员"]);
    }
}
