//! What every request to the review page passes before a page sees it. Loopback is no
//! boundary against the browser (any web page can send it requests), so:
//!
//! - the `Host` must be `127.0.0.1:PORT` or `localhost:PORT` (DNS rebinding);
//! - the URL dunwatch opens carries a one-time token, exchanged at `/login` for an HttpOnly,
//!   SameSite=Strict session cookie, then redirected to a clean URL; without the cookie every
//!   request gets 401;
//! - every change is a POST carrying the session's CSRF token; without it, 403 and nothing
//!   changes;
//! - every answer forbids framing, sniffing, caching and anything from outside (CSP).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::App;

pub const COOKIE: &str = "dunwatch_session";

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// How many handed-over login tokens may wait at once (the oldest goes first).
const PENDING: usize = 16;

/// The secrets of one server run.
pub struct Secrets {
    /// One-time login tokens, each exchanged once for a session, with when it stops being
    /// good: never for the one printed at start, soon for those handed over
    /// (`handover`).
    login: Mutex<Vec<(String, Option<Instant>)>>,
    /// Session id → its CSRF token.
    sessions: Mutex<HashMap<String, String>>,
    /// When the last request came, for stopping when nobody looks.
    pub last_request: Mutex<Instant>,
}

impl Secrets {
    pub fn new(login: String) -> Secrets {
        Secrets {
            login: Mutex::new(vec![(login, None)]),
            sessions: Mutex::new(HashMap::new()),
            last_request: Mutex::new(Instant::now()),
        }
    }

    /// A request of the person's: the idle time starts again.
    pub fn touch(&self) {
        *self.last_request.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    /// The CSRF token of the session this request carries, if it carries a valid one.
    pub fn session_csrf(&self, headers: &HeaderMap) -> Option<String> {
        let id = cookie(headers, COOKIE)?;
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions
            .iter()
            .find(|(sid, _)| same(sid, &id))
            .map(|(_, csrf)| csrf.clone())
    }

    /// A new one-time login token, good for `life` (a hand-over: the person asked for the
    /// page again, so the idle time starts again too).
    pub fn issue(&self, life: std::time::Duration) -> String {
        let token = random_token();
        let mut login = self.login.lock().unwrap_or_else(|e| e.into_inner());
        // The oldest handed-over token makes room; the one printed at start stays.
        if login.len() >= PENDING
            && let Some(oldest) = login.iter().position(|(_, until)| until.is_some())
        {
            login.remove(oldest);
        }
        login.push((token.clone(), Some(Instant::now() + life)));
        drop(login);
        self.touch();
        token
    }

    /// Trades a one-time token for a new session (id, CSRF token); `None` if the token is
    /// wrong, was used, or is too old.
    fn exchange(&self, token: &str) -> Option<String> {
        let mut login = self.login.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        login.retain(|(_, until)| until.is_none_or(|u| now < u));
        // Every token is compared, so the time taken says nothing of which one matched.
        let found = login.iter().fold(false, |acc, (t, _)| acc | same(t, token));
        if !found {
            return None;
        }
        login.retain(|(t, _)| !same(t, token));
        drop(login);
        self.touch();
        let id = random_token();
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), random_token());
        Some(id)
    }
}

/// 32 random bytes as hex, from the operating system's generator.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator");
    // 64 lowercase hex digits, the form `blake3::Hash::from_hex` reads back.
    blake3::Hash::from_bytes(bytes).to_hex().to_string()
}

/// Compares secrets in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The middleware: Host, then the login exchange, then the session, then CSRF for changes.
pub async fn guard(
    State(app): State<std::sync::Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = check(&app, request, next).await;
    let headers = response.headers_mut();
    // A page may bring a stricter or its own policy (the report's inline styles).
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

async fn check(app: &App, request: Request, next: Next) -> Response {
    let host_ok = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| {
            h == format!("127.0.0.1:{}", app.port) || h == format!("localhost:{}", app.port)
        });
    if !host_ok {
        return app.refuse(StatusCode::MISDIRECTED_REQUEST, "error.wrong_host");
    }
    if request.uri().path() == "/login" {
        return login(app, &request);
    }
    // Another `dunwatch ui` of this user's, proving the secret of the server's private file
    // (`handover`): the Host check above holds for it too.
    if request.uri().path() == "/handover" {
        return super::handover::answer(app, request).await;
    }
    let Some(csrf) = app.secrets.session_csrf(request.headers()) else {
        return app.refuse(StatusCode::UNAUTHORIZED, "error.unauthorized");
    };
    // Only the person's own requests keep the page up: any web page can send requests here
    // (without the cookie), and they must not keep it listening.
    app.secrets.touch();
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    if request.method() != Method::POST {
        return app.refuse(StatusCode::METHOD_NOT_ALLOWED, "error.bad_request");
    }
    // A browser says where a POST comes from; another site's form is refused whatever it
    // carries.
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let ours = [
            format!("http://127.0.0.1:{}", app.port),
            format!("http://localhost:{}", app.port),
        ];
        if !ours.iter().any(|o| origin.as_bytes() == o.as_bytes()) {
            return app.refuse(StatusCode::FORBIDDEN, "error.forbidden");
        }
    }
    // The form is read here to check its token, then handed on.
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 << 10).await else {
        return app.refuse(StatusCode::PAYLOAD_TOO_LARGE, "error.bad_request");
    };
    let sent = form_csrf(&bytes);
    if !sent.as_deref().is_some_and(|s| same(s, &csrf)) {
        return app.refuse(StatusCode::FORBIDDEN, "error.forbidden");
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The `csrf` field of an `application/x-www-form-urlencoded` body.
fn form_csrf(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Csrf {
        csrf: Option<String>,
    }
    serde_urlencoded::from_bytes::<Csrf>(body).ok()?.csrf
}

/// A path of this server to redirect to: it starts with one `/`, and holds only visible
/// ASCII without `\` (browsers drop tabs and read `\` as `/`, which would turn `/\t/x` or
/// `/\\x` into another site).
pub fn is_own_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// `GET /login?token=…&next=/messages/5`: a session for the right token, then the page asked
/// for (a path of this server only).
fn login(app: &App, request: &Request) -> Response {
    #[derive(serde::Deserialize)]
    struct Login {
        token: Option<String>,
        next: Option<String>,
    }
    let Ok(axum::extract::Query(q)) = axum::extract::Query::<Login>::try_from_uri(request.uri())
    else {
        return app.refuse(StatusCode::BAD_REQUEST, "error.bad_request");
    };
    let Some(session) = q.token.as_deref().and_then(|t| app.secrets.exchange(t)) else {
        return app.refuse(StatusCode::UNAUTHORIZED, "error.unauthorized");
    };
    let next = q
        .next
        .filter(|n| is_own_path(n))
        .unwrap_or_else(|| "/".to_string());
    let mut response = Redirect::to(&next).into_response();
    let cookie = format!("{COOKIE}={session}; HttpOnly; SameSite=Strict; Path=/");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_handed_over_token_is_good_once_and_only_for_its_life() {
        let secrets = Secrets::new("start".to_string());
        let token = secrets.issue(Duration::from_secs(60));
        assert!(secrets.exchange("wrong").is_none());
        assert!(secrets.exchange(&token).is_some());
        assert!(secrets.exchange(&token).is_none(), "once");
        let gone = secrets.issue(Duration::ZERO);
        assert!(secrets.exchange(&gone).is_none(), "past its life");
        // Many hand-overs never push out the token printed at start.
        for _ in 0..3 * PENDING {
            secrets.issue(Duration::from_secs(60));
        }
        assert!(secrets.exchange("start").is_some());
        assert!(secrets.exchange("start").is_none());
    }
}
