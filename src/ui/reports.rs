//! The weekly reports on the review page: the last weeks to open, and any range. A report is
//! the same page `dunwatch report --format html` writes, built when asked.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use minijinja::value::Value;
use serde::Deserialize;

use super::App;
use super::pages::blocking;
use crate::report::{Format, Period, Report};

/// How many past weeks the list offers.
const WEEKS: usize = 12;

/// The report page carries its own styles inline: its policy allows them and nothing else.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                          form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

pub async fn list(State(app): State<Arc<App>>) -> Response {
    blocking(&app, move |app| {
        let tz = app.config.phone_tz()?;
        let mut period = Period::week_of(jiff::Timestamp::now(), tz.clone());
        let mut weeks = Vec::new();
        for _ in 0..WEEKS {
            let (first, last) = (period.first_day.to_string(), period.last_day.to_string());
            let written = crate::report::weekly_path(&app.config, &app.paths, &period).exists();
            weeks.push(context! {
                label => app.catalog.text("reports.week", &[("first", &first), ("last", &last)]),
                from => first, to => last, written => written,
            });
            let before = period.start()?.timestamp() - jiff::SignedDuration::from_hours(1);
            period = Period::week_of(before, tz.clone());
        }
        let this_week = Period::week_of(jiff::Timestamp::now(), tz);
        let ctx = context! {
            ..app.frame("reports", String::new()),
            ..context! {
                weeks => Value::from(weeks),
                from => this_week.first_day.to_string(), to => this_week.last_day.to_string(),
            }
        };
        Ok(app.render("reports.html", ctx))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct Range {
    from: String,
    to: String,
}

pub async fn view(State(app): State<Arc<App>>, Query(range): Query<Range>) -> Response {
    blocking(&app, move |app| {
        let tz = app.config.phone_tz()?;
        let (Ok(first), Ok(last)) = (range.from.parse(), range.to.parse()) else {
            return Ok(app.refuse(StatusCode::BAD_REQUEST, "error.bad_request"));
        };
        let Ok(period) = Period::range(first, last, tz) else {
            return Ok(app.refuse(StatusCode::BAD_REQUEST, "error.bad_request"));
        };
        let report = Report::build(&app.store(), app.engine()?, period, app.lang)?;
        let mut response = axum::response::Html(report.render(Format::Html)?).into_response();
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(REPORT_CSP),
        );
        Ok(response)
    })
    .await
}
