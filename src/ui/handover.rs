//! One review page per database. Each alert click starts `dunwatch ui --open PATH`; when a
//! page for the same database is already served, that process hands the request to it and
//! exits, so the browser opens the running server with a fresh one-time login token.
//!
//! The running server records its port and a secret in a file only the user can read
//! (0600, in the data folder beside the daemon's lock, one file per database). A hand-over
//! is `POST /handover` to 127.0.0.1 with the usual `Host` check (`guard`), carrying a MAC
//! of a fresh nonce and the page under the secret (BLAKE3 keyed), never the secret itself;
//! the answer, a login URL, carries a MAC under the secret too, so a stranger listening on
//! the port of a server that has gone cannot hand back a page of theirs. It opens no new
//! way to the page: what it gives is a one-time login token, as the URL printed at start,
//! and only to whoever can read the user's own file. A file whose server has gone is
//! ignored (nothing answers, or the answer does not prove the secret).

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::App;
use super::guard::{is_own_path, random_token};

/// How long a hand-over may take before the file is taken as stale.
const CONNECT: Duration = Duration::from_secs(2);
const ANSWER: Duration = Duration::from_secs(5);
/// How long a login token handed over stays good: the browser opens it at once.
pub const TOKEN_LIFE: Duration = Duration::from_secs(10 * 60);
/// Nonces remembered against a replayed request.
const NONCES: usize = 64;

/// What the running server writes into its file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    pub port: u16,
    /// 32 random bytes as hex: the key of the MACs.
    pub secret: String,
    pub pid: u32,
}

/// The file of the server for `db`, in `data_dir`: named by a hash of the database's path,
/// so two databases have two pages and the path itself is not spelt out.
pub fn file_for(data_dir: &Path, db: &Path) -> PathBuf {
    let db = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    let hash = blake3::hash(db.as_os_str().as_encoded_bytes()).to_hex();
    data_dir.join(format!("ui-{}.json", &hash[..16]))
}

fn key(secret: &str) -> Option<[u8; 32]> {
    blake3::Hash::from_hex(secret).ok().map(|h| *h.as_bytes())
}

/// The MAC of a request (`what` = "request") or an answer ("answer") over its parts.
fn mac(key: &[u8; 32], what: &str, parts: &[&str]) -> blake3::Hash {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(b"dunwatch ui handover ");
    h.update(what.as_bytes());
    for p in parts {
        // Lengths first: no two lists of parts hash alike.
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize()
}

/// Held by a `dunwatch ui` from asking for a running page until its own record is written:
/// two alert clicks at once then make one page, the second handing over to the first.
/// The operating system releases it however the process ends.
pub struct Starting {
    _file: Option<std::fs::File>,
}

/// How long a start waits for another to publish its record before going on regardless.
const START_WAIT: Duration = Duration::from_secs(10);

impl Starting {
    /// Takes the start lock beside `record` (`ui-….lock`), waiting a little for a start
    /// already under way. Without it (it cannot be made, or the wait is over) this start
    /// goes on alone: at worst a second page, as before.
    pub fn lock(record: &Path) -> Starting {
        let path = record.with_extension("lock");
        if let Some(dir) = path.parent() {
            let _ = crate::paths::create_private_dir(dir);
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path);
        let Ok(file) = file else {
            return Starting { _file: None };
        };
        let _ = crate::paths::set_mode(&path, 0o600);
        let deadline = std::time::Instant::now() + START_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Starting { _file: Some(file) },
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(_) => return Starting { _file: None },
            }
        }
    }
}

/// The server's side: its record, written at start and removed when it stops.
pub struct Published {
    path: PathBuf,
    record: Record,
    key: [u8; 32],
    seen: Mutex<VecDeque<String>>,
}

impl Published {
    /// Writes the record for this server (replacing a stale one) readable by the user
    /// alone: written under a temporary name created 0600, then renamed into place.
    pub fn write(path: PathBuf, port: u16) -> Result<Published> {
        let secret = random_token();
        let key = key(&secret).context("a fresh secret is 32 bytes")?;
        let record = Record {
            port,
            secret,
            pid: std::process::id(),
        };
        if let Some(dir) = path.parent() {
            crate::paths::create_private_dir(dir)?;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        crate::paths::set_mode(&tmp, 0o600)?;
        file.write_all(serde_json::to_string(&record)?.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Published {
            path,
            record,
            key,
            seen: Mutex::new(VecDeque::new()),
        })
    }

    /// Whether `nonce` and `next` come with the MAC only the secret's holder can make, and
    /// the nonce was not seen before.
    fn verify(&self, nonce: &str, next: &str, sent: &str) -> bool {
        let Ok(sent) = blake3::Hash::from_hex(sent) else {
            return false;
        };
        // `Hash` compares in constant time.
        if mac(&self.key, "request", &[nonce, next]) != sent || nonce.len() < 32 {
            return false;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.iter().any(|n| n == nonce) {
            return false;
        }
        if seen.len() >= NONCES {
            seen.pop_front();
        }
        seen.push_back(nonce.to_string());
        true
    }
}

impl Drop for Published {
    /// The file goes with the server, unless another server has written its own since.
    fn drop(&mut self) {
        let ours = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|t| serde_json::from_str::<Record>(&t).ok())
            .is_some_and(|r| r == self.record);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[derive(Deserialize)]
struct Ask {
    nonce: String,
    next: String,
    mac: String,
}

/// `POST /handover` (after the `Host` check): a fresh login URL for a request that proves
/// the secret. A browser's request (it says its `Origin`) is refused whatever it carries.
pub async fn answer(app: &App, request: Request) -> Response {
    let Some(published) = app.published.as_ref() else {
        return app.refuse(StatusCode::NOT_FOUND, "error.not_found");
    };
    if request.method() != axum::http::Method::POST
        || request.headers().contains_key(header::ORIGIN)
    {
        return app.refuse(StatusCode::FORBIDDEN, "error.forbidden");
    }
    let Ok(bytes) = axum::body::to_bytes(request.into_body(), 8 << 10).await else {
        return app.refuse(StatusCode::PAYLOAD_TOO_LARGE, "error.bad_request");
    };
    let Ok(ask) = serde_urlencoded::from_bytes::<Ask>(&bytes) else {
        return app.refuse(StatusCode::BAD_REQUEST, "error.bad_request");
    };
    if !published.verify(&ask.nonce, &ask.next, &ask.mac) {
        return app.refuse(StatusCode::UNAUTHORIZED, "error.unauthorized");
    }
    let next = if is_own_path(&ask.next) {
        ask.next.as_str()
    } else {
        "/"
    };
    // A click on an alert is the person's request: the page stays up for them.
    let token = app.secrets.issue(TOKEN_LIFE);
    let url = match login_url(app.port, &token, next) {
        Ok(url) => url,
        Err(_) => return app.refuse(StatusCode::INTERNAL_SERVER_ERROR, "error.bad_request"),
    };
    let proof = mac(&published.key, "answer", &[&ask.nonce, &url]).to_hex();
    tracing::info!("the review page was asked for again: a new login handed over");
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from(format!("{url}\n{proof}\n")),
    )
        .into_response()
}

/// The one-time login URL of the server on `port`.
pub fn login_url(port: u16, token: &str, next: &str) -> Result<String> {
    let query = serde_urlencoded::to_string([("token", token), ("next", next)])?;
    Ok(format!("http://127.0.0.1:{port}/login?{query}"))
}

/// The client's side: asks the server recorded in `path` for a login URL to `next`. `None`
/// when there is no such server (no file, a file not the user's alone, nothing answering,
/// an answer without the proof) or it listens elsewhere than the `port` asked for (0: any):
/// then this process serves the page itself.
pub fn ask(path: &Path, next: &str, port: u16) -> Option<String> {
    let record = read_private(path)?;
    if port != 0 && port != record.port {
        return None;
    }
    match ask_server(&record, next) {
        Ok(url) => Some(url),
        Err(e) => {
            tracing::debug!(
                "{}: no review page answers ({e:#}); starting one",
                path.display()
            );
            None
        }
    }
}

/// The record, if the file is a regular file of this user's that nobody else may read or
/// write (a file others could write could point the browser anywhere).
fn read_private(path: &Path) -> Option<Record> {
    let file = crate::ingest::open_regular_nofollow(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = file.metadata().ok()?;
        // SAFETY: geteuid has no preconditions.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me || meta.mode() & 0o077 != 0 {
            tracing::warn!("{}: not private to this user; ignored", path.display());
            return None;
        }
    }
    let mut text = String::new();
    file.take(4096).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

fn ask_server(record: &Record, next: &str) -> Result<String> {
    let key = key(&record.secret).context("the recorded secret is not 32 bytes")?;
    let nonce = random_token();
    let sent = mac(&key, "request", &[&nonce, next]).to_hex();
    let body = serde_urlencoded::to_string([
        ("nonce", nonce.as_str()),
        ("next", next),
        ("mac", sent.as_str()),
    ])?;
    let port = record.port;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut s = TcpStream::connect_timeout(&addr, CONNECT)?;
    s.set_read_timeout(Some(ANSWER))?;
    s.set_write_timeout(Some(ANSWER))?;
    let head = format!(
        "POST /handover HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())?;
    s.write_all(body.as_bytes())?;
    let mut raw = Vec::new();
    s.take(64 << 10).read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").context("no answer")?;
    if head.split(' ').nth(1) != Some("200") {
        bail!("answered {}", head.lines().next().unwrap_or(""));
    }
    let mut lines = body.lines();
    let (url, proof) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    let proof = blake3::Hash::from_hex(proof.trim()).context("no proof")?;
    if mac(&key, "answer", &[&nonce, url]) != proof {
        bail!("the answer does not prove the secret");
    }
    if !url.starts_with(&format!("http://127.0.0.1:{port}/login?")) {
        bail!("not a login URL of that server");
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_is_private_and_goes_with_its_server() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_for(dir.path(), &dir.path().join("db.sqlite"));
        let published = Published::write(path.clone(), 4242).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(read_private(&path).unwrap().port, 4242);
        drop(published);
        assert!(!path.exists());
    }

    #[test]
    fn a_request_needs_the_secrets_mac_and_a_fresh_nonce() {
        let dir = tempfile::tempdir().unwrap();
        let published = Published::write(dir.path().join("ui.json"), 1).unwrap();
        let nonce = random_token();
        let good = mac(&published.key, "request", &[&nonce, "/x"]).to_hex();
        let other = mac(&[7; 32], "request", &[&nonce, "/x"]).to_hex();
        assert!(!published.verify(&nonce, "/x", &other));
        assert!(!published.verify(&nonce, "/y", &good), "bound to the page");
        assert!(published.verify(&nonce, "/x", &good));
        assert!(!published.verify(&nonce, "/x", &good), "a replay");
        assert!(!published.verify(&nonce, "/x", "zz"));
    }

    #[test]
    fn a_file_others_can_read_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ui.json");
        let record = Record {
            port: 1,
            secret: random_token(),
            pid: 1,
        };
        std::fs::write(&path, serde_json::to_string(&record).unwrap()).unwrap();
        crate::paths::set_mode(&path, 0o644).unwrap();
        assert_eq!(read_private(&path), None);
        crate::paths::set_mode(&path, 0o600).unwrap();
        assert_eq!(read_private(&path), Some(record));
    }

    #[test]
    fn a_stale_record_finds_no_server() {
        // A port nothing listens on: bound, then released.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ui.json");
        let published = Published::write(path.clone(), port).unwrap();
        assert_eq!(ask(&path, "/", 0), None);
        drop(published);
    }
}
