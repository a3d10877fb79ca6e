//! Evidence on the review page: choose the messages, export them into the data folder (the
//! same export as `dunwatch evidence`), download the folder as a ZIP, and check an export.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Form, Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Deserialize;

use super::App;
use super::pages::blocking;
use crate::evidence::{Against, Basis};

/// A folder larger than this is not zipped in memory for download; the page names the folder.
const ZIP_LIMIT: u64 = 64 << 20;

impl App {
    /// Where exports made from the page go: the data folder's `evidence/`.
    fn evidence_root(&self) -> PathBuf {
        self.paths.data_dir.join("evidence")
    }

    fn evidence_page(
        &self,
        csrf: String,
        error: Option<String>,
        exported: Option<Value>,
        verified: Option<Value>,
    ) -> Response {
        let ctx = context! {
            ..self.frame("evidence", String::new()),
            ..context! {
                csrf => csrf, error => error, exported => exported, verified => verified,
                categories => Value::from(Serde(self.categories(true))),
            }
        };
        self.render("evidence.html", ctx)
    }
}

pub async fn page(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let csrf = app.secrets.session_csrf(&headers).unwrap_or_default();
    blocking(&app, move |app| {
        Ok(app.evidence_page(csrf, None, None, None))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct ExportForm {
    #[serde(flatten)]
    filters: super::pages::FilterForm,
    #[serde(default)]
    with_sources: String,
}

pub async fn export(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<ExportForm>,
) -> Response {
    let csrf = app.secrets.session_csrf(&headers).unwrap_or_default();
    blocking(&app, move |app| {
        let (filter, selection) = match form.filters.filter(app) {
            Ok(chosen) => chosen,
            Err(e) => return Ok(app.evidence_page(csrf, Some(e), None, None)),
        };
        let store = app.store();
        if store.history_count(&filter)? == 0 {
            let text = app.catalog.text("evidence.none", &[]);
            drop(store);
            return Ok(app.evidence_page(csrf, Some(text), None, None));
        }
        let name = jiff::Zoned::now()
            .strftime("evidence-%Y%m%d-%H%M%S")
            .to_string();
        let dir = app.evidence_root().join(&name);
        crate::paths::create_private_dir(&app.evidence_root())?;
        let done = crate::evidence::export(
            &store,
            &filter,
            selection,
            &dir,
            &app.config.phone_tz()?,
            form.with_sources == "1",
        )?;
        drop(store);
        let zip = (folder_size(&dir) <= ZIP_LIMIT).then(|| format!("/evidence/zip/{name}"));
        let exported = context! {
            messages => done.messages, dir => done.dir.display().to_string(),
            digest => done.manifest_sha256, zip => zip,
        };
        Ok(app.evidence_page(csrf, None, Some(exported), None))
    })
    .await
}

/// `GET /evidence/zip/NAME`: an export made from the page, as one ZIP file.
pub async fn zip(State(app): State<Arc<App>>, UrlPath(name): UrlPath<String>) -> Response {
    blocking(&app, move |app| {
        // Only the names the page gives its exports: no path can be smuggled in.
        let plain = name.starts_with("evidence-")
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let dir = app.evidence_root().join(&name);
        if !plain || !dir.is_dir() {
            return Ok(app.refuse(StatusCode::NOT_FOUND, "error.not_found"));
        }
        if folder_size(&dir) > ZIP_LIMIT {
            return Ok(app.refuse(StatusCode::PAYLOAD_TOO_LARGE, "evidence.too_big"));
        }
        let bytes = zip_folder(&dir, &name)?;
        let mut response = bytes.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/zip"),
        );
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.zip\"")) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(response)
    })
    .await
}

/// The folder's files (and `sources/`), under one top folder of its name.
fn zip_folder(dir: &Path, name: &str) -> anyhow::Result<Vec<u8>> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    let mut stack = vec![(dir.to_path_buf(), name.to_string())];
    while let Some((folder, prefix)) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&folder)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let kind = entry.file_type()?;
            let entry_name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
            if kind.is_dir() {
                stack.push((entry.path(), entry_name));
            } else if kind.is_file() {
                out.start_file(entry_name, options)?;
                out.write_all(&std::fs::read(entry.path())?)?;
            }
        }
    }
    Ok(out.finish()?.into_inner())
}

fn folder_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => folder_size(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

#[derive(Debug, Deserialize)]
pub struct VerifyForm {
    dir: String,
}

pub async fn verify(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<VerifyForm>,
) -> Response {
    let csrf = app.secrets.session_csrf(&headers).unwrap_or_default();
    blocking(&app, move |app| {
        let dir = PathBuf::from(form.dir.trim());
        let store = app.store();
        let checked = crate::evidence::verify(&dir, Against::Database(&store));
        drop(store);
        let verified = match checked {
            Ok(v) if v.problems.is_empty() && matches!(v.basis, Basis::Recorded { .. }) => {
                let count = v.messages.to_string();
                context! {
                    intact => true,
                    verdict => app.catalog.text("evidence.intact", &[("count", &count)]),
                    problems => Vec::<String>::new(),
                }
            }
            Ok(v) if v.problems.is_empty() => context! {
                intact => false,
                verdict => app.catalog.text("evidence.intact_unrecorded", &[]),
                problems => Vec::<String>::new(),
            },
            Ok(v) => {
                let count = v.problems.len().to_string();
                context! {
                    intact => false,
                    verdict => app.catalog.text("evidence.broken", &[("count", &count)]),
                    problems => v.problems.iter().map(|p| p.0.text(app.lang)).collect::<Vec<_>>(),
                }
            }
            Err(e) => context! {
                intact => false, verdict => said(&e, app.lang), problems => Vec::<String>::new(),
            },
        };
        Ok(app.evidence_page(csrf, None, None, Some(verified)))
    })
    .await
}

/// An error for the page: each cause said in `lang` where it is a phrase (the folder is
/// not an export, `--expect` is no digest, a file cannot be written), the system's in its
/// words.
pub(super) fn said(err: &anyhow::Error, lang: crate::lang::Lang) -> String {
    let causes: Vec<String> = err
        .chain()
        .map(|c| match c.downcast_ref::<crate::words::Failed>() {
            Some(f) => f.phrase.text(lang),
            None => c.to_string(),
        })
        .collect();
    causes.join(crate::words::Catalog::of(lang).word("cli.error.joiner"))
}
