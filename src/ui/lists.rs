//! The lists of the review page: trusted and blocked senders, the lenders (marked and seen),
//! what the corrections taught; and the buttons that change them.

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::App;
use super::pages::{Done, blocking};
use crate::model::Category;
use crate::store::senders::Side;

#[derive(Debug, Deserialize)]
pub(super) struct SenderForm {
    sender: String,
    #[serde(default)]
    side: String,
    #[serde(default)]
    back: String,
}

/// Where to go after a change: a page of this server, else the inbox.
pub(super) fn back_to(back: &str, done: &[(&str, &str)]) -> Response {
    let path = if super::guard::is_own_path(back) && !back.contains('?') {
        back
    } else {
        "/"
    };
    let query = serde_urlencoded::to_string(done).unwrap_or_default();
    Redirect::to(&format!("{path}?{query}")).into_response()
}

pub(super) async fn set_sender(
    State(app): State<Arc<App>>,
    Form(form): Form<SenderForm>,
) -> Response {
    blocking(&app, move |app| {
        let sender = form.sender.trim().to_string();
        if crate::store::normalize_sender(&sender).is_empty() {
            return Ok(app.refuse(StatusCode::BAD_REQUEST, "error.bad_request"));
        }
        let store = app.store();
        let done = match form.side.as_str() {
            "trust" => {
                store.set_sender_side(&sender, Side::Trust)?;
                "trusted"
            }
            "block" => {
                store.set_sender_side(&sender, Side::Block)?;
                "blocked"
            }
            "" => {
                store.remove_sender(&sender)?;
                "untrusted"
            }
            _ => return Ok(app.refuse(StatusCode::BAD_REQUEST, "error.bad_request")),
        };
        Ok(back_to(&form.back, &[("done", done), ("sender", &sender)]))
    })
    .await
}

pub(super) async fn senders(
    State(app): State<Arc<App>>,
    Query(done): Query<Done>,
    headers: HeaderMap,
) -> Response {
    let csrf = app.secrets.session_csrf(&headers).unwrap_or_default();
    blocking(&app, move |app| {
        let list = app.store().sender_list()?;
        let mut listed = Vec::new();
        for (side, key) in [(Side::Trust, "senders.trusted"), (Side::Block, "senders.blocked")] {
            let senders: Vec<minijinja::Value> = list
                .iter()
                .filter(|l| l.side == side)
                .map(|l| context! { sender => l.sender.clone(), since => l.added.get(..10).unwrap_or("") })
                .collect();
            if !senders.is_empty() {
                listed.push(context! { label => app.catalog.text(key, &[]), senders => senders });
            }
        }
        let ctx = context! {
            ..app.frame("senders", app.done_text(&done)),
            ..context! { listed => listed, csrf => csrf }
        };
        Ok(app.render("senders.html", ctx))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub(super) struct LenderForm {
    lender: String,
    state: String,
    #[serde(default)]
    back: String,
}

pub(super) async fn declare_lender(
    State(app): State<Arc<App>>,
    Form(form): Form<LenderForm>,
) -> Response {
    blocking(&app, move |app| {
        let Some(lender) = app.registry.get(&form.lender) else {
            return Ok(app.refuse(StatusCode::BAD_REQUEST, "error.bad_request"));
        };
        let state = match form.state.as_str() {
            "have" => crate::store::person::Declared::Have,
            "none" => crate::store::person::Declared::None,
            _ => return Ok(app.refuse(StatusCode::BAD_REQUEST, "error.bad_request")),
        };
        app.store().declare_account(&lender.id, state)?;
        let back = if form.back.is_empty() {
            "/lenders"
        } else {
            &form.back
        };
        Ok(back_to(
            back,
            &[("done", &form.state), ("lender", &lender.id)],
        ))
    })
    .await
}

pub(super) async fn lenders(
    State(app): State<Arc<App>>,
    Query(done): Query<Done>,
    headers: HeaderMap,
) -> Response {
    let csrf = app.secrets.session_csrf(&headers).unwrap_or_default();
    blocking(&app, move |app| {
        let seen: Vec<minijinja::Value> = app
            .store()
            .lender_counts()?
            .into_iter()
            .map(|(id, n)| context! { name => app.lender_name(&id), id => id, count => n })
            .collect();
        let declared: Vec<minijinja::Value> = app
            .store()
            .declared_accounts()?
            .into_iter()
            .map(|(id, state, at)| {
                let key = match state {
                    crate::store::person::Declared::Have => "lenders.declared_have",
                    crate::store::person::Declared::None => "lenders.declared_none",
                };
                context! {
                    name => app.lender_name(&id), id => id,
                    state_label => app.catalog.text(key, &[]), since => app.time(Some(at)),
                }
            })
            .collect();
        let ctx = context! {
            ..app.frame("lenders", app.done_text(&done)),
            ..context! { declared => declared, seen => seen, csrf => csrf }
        };
        Ok(app.render("lenders.html", ctx))
    })
    .await
}

/// What the corrections taught, read as it is (`dunwatch learn` recounts it).
pub(super) async fn learned(State(app): State<Arc<App>>) -> Response {
    blocking(&app, move |app| {
        let w = &app.engine()?.tuning().learned;
        let store = app.store();
        let summary = store.learned_summary()?;
        let model = crate::classify::learned::Model::new(store.learned_counts()?, w);
        drop(store);
        let categories: Vec<minijinja::Value> = Category::ALL
            .into_iter()
            .map(|c| {
                let row = summary.get(c);
                let words = model
                    .top_tokens(c, 8)
                    .into_iter()
                    .map(|(t, _)| t)
                    .collect::<Vec<_>>()
                    .join(" · ");
                context! {
                    label => app.category_label(c), messages => row.messages,
                    active => model.active().contains(&c),
                    needed => w.min_messages.saturating_sub(row.messages), words => words,
                }
            })
            .collect();
        let ctx = context! {
            ..app.frame("learned", String::new()),
            ..context! {
                categories => categories, corrections => summary.messages(),
                min => w.min_messages,
            }
        };
        Ok(app.render("learned.html", ctx))
    })
    .await
}
