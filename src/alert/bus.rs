//! Showing a notification over the session bus (notify-rust, async), with buttons where the
//! notification server has them: a click or Details opens the review page there, Not a
//! scam and Trust this number act at once (their labels are `alert.button.*` in the
//! message catalog). What a button was pressed for comes back to the daemon as an
//! [`Invoked`]; where the server has no buttons, the body says how to open the page instead.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::desktop::{Lang, Rendered, Urgency};
use crate::words;

/// A button on a notification: its key (what the daemon does) and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub key: &'static str,
    pub label: String,
}

impl Button {
    /// The click on the notification, shown as a button where servers show it.
    pub fn details(lang: Lang) -> Button {
        Button {
            key: DEFAULT,
            label: words::text(lang, "alert.button.details", &[]),
        }
    }

    pub fn not_scam(lang: Lang) -> Button {
        Button {
            key: NOT_SCAM,
            label: words::text(lang, "alert.button.not_scam", &[]),
        }
    }

    pub fn trust(lang: Lang) -> Button {
        Button {
            key: TRUST,
            label: words::text(lang, "alert.button.trust", &[]),
        }
    }

    pub fn open_report(lang: Lang) -> Button {
        Button {
            key: DEFAULT,
            label: words::text(lang, "alert.button.open_report", &[]),
        }
    }
}

/// The freedesktop key of a click on the notification.
pub const DEFAULT: &str = "default";
pub const NOT_SCAM: &str = "not-scam";
pub const TRUST: &str = "trust";

/// What a notification is about, for its buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Message {
        id: i64,
        sender: String,
    },
    /// A grouped alert or a digest: the inbox from its oldest message on.
    Inbox {
        since_ms: Option<i64>,
    },
    Report(PathBuf),
    Problems,
}

/// A button pressed on a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoked {
    pub target: Target,
    pub key: String,
}

/// Why a notification was not shown.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(String);

/// Shows notifications; remembers whether the desktop can take them so a missing server is
/// logged once, not at every alert, and whether it has buttons.
#[derive(Debug, Default)]
pub struct Desktop {
    failing: bool,
    /// Whether the server has buttons (`actions` capability), once asked.
    buttons: Option<bool>,
    /// Where pressed buttons go; `None`: notifications without buttons.
    pressed: Option<UnboundedSender<Invoked>>,
}

/// How long a notification's buttons are listened to.
const BUTTONS_LAST: Duration = Duration::from_secs(24 * 3600);

/// A notification server that does not answer within this is treated as missing.
const SHOW_TIMEOUT: Duration = Duration::from_secs(5);

impl Desktop {
    pub fn new() -> Desktop {
        Desktop::default()
    }

    /// Notifications with buttons, whose presses are sent to `pressed`.
    pub fn with_buttons(pressed: UnboundedSender<Invoked>) -> Desktop {
        Desktop {
            pressed: Some(pressed),
            ..Desktop::default()
        }
    }

    pub async fn show(&mut self, r: &Rendered) -> Result<(), Unavailable> {
        let with_buttons = self.pressed.is_some()
            && r.target.is_some()
            && !r.buttons.is_empty()
            && self.server_has_buttons().await;
        let result = show_notification(r, with_buttons, self.pressed.clone()).await;
        match &result {
            Ok(()) if self.failing => {
                tracing::info!("desktop notifications work again");
                self.failing = false;
            }
            Ok(()) => {}
            Err(e) if !self.failing => {
                tracing::warn!(
                    "cannot show desktop notifications ({e}); messages are still imported, and alerts wait until a notification server answers"
                );
                self.failing = true;
                self.buttons = None;
            }
            Err(e) => tracing::debug!("desktop notifications still unavailable: {e}"),
        }
        result
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    async fn server_has_buttons(&mut self) -> bool {
        if let Some(known) = self.buttons {
            return known;
        }
        let asked = tokio::time::timeout(
            SHOW_TIMEOUT,
            tokio::task::spawn_blocking(notify_rust::get_capabilities),
        )
        .await;
        let has = matches!(&asked, Ok(Ok(Ok(caps))) if caps.iter().any(|c| c == "actions"));
        if matches!(asked, Ok(Ok(Ok(_)))) {
            tracing::debug!("the notification server has buttons: {has}");
            self.buttons = Some(has);
        }
        has
    }

    #[cfg(not(all(unix, not(target_os = "macos"))))]
    async fn server_has_buttons(&mut self) -> bool {
        false
    }
}

/// The body as shown: with buttons as it is, without them with the line that says how to
/// open the page.
fn body_for(r: &Rendered, with_buttons: bool) -> String {
    if with_buttons || r.without_buttons.is_empty() {
        r.body.clone()
    } else {
        format!(
            "{}\n{}",
            r.body,
            super::desktop::escape_markup(&r.without_buttons)
        )
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
async fn show_notification(
    r: &Rendered,
    with_buttons: bool,
    pressed: Option<UnboundedSender<Invoked>>,
) -> Result<(), Unavailable> {
    let mut n = notify_rust::Notification::new();
    n.appname("dunwatch")
        .summary(&r.summary)
        .body(&body_for(r, with_buttons))
        .icon(match r.urgency {
            Urgency::Critical => "dialog-warning",
            _ => "dialog-information",
        })
        .urgency(match r.urgency {
            Urgency::Low => notify_rust::Urgency::Low,
            Urgency::Normal => notify_rust::Urgency::Normal,
            Urgency::Critical => notify_rust::Urgency::Critical,
        });
    if with_buttons {
        for b in &r.buttons {
            n.action(b.key, &b.label);
        }
    }
    let handle = match tokio::time::timeout(SHOW_TIMEOUT, n.show_async()).await {
        Ok(Ok(handle)) => handle,
        Ok(Err(e)) => return Err(Unavailable(e.to_string())),
        Err(_) => {
            return Err(Unavailable(format!(
                "the notification server did not answer within {} s",
                SHOW_TIMEOUT.as_secs()
            )));
        }
    };
    if let (true, Some(pressed), Some(target)) = (with_buttons, pressed, r.target.clone()) {
        // Waits for this notification's button or its closing, off the daemon's loop; a
        // server that never says a notification closed does not keep the wait for ever.
        tokio::spawn(async move {
            let wait = handle.wait_for_action_async(|response| {
                let key = match response {
                    notify_rust::NotificationResponse::Default => DEFAULT.to_string(),
                    notify_rust::NotificationResponse::Action(key) => key.clone(),
                    _ => return,
                };
                let _ = pressed.send(Invoked { target, key });
            });
            let _ = tokio::time::timeout(BUTTONS_LAST, wait).await;
        });
    }
    Ok(())
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
async fn show_notification(
    r: &Rendered,
    _with_buttons: bool,
    _pressed: Option<UnboundedSender<Invoked>>,
) -> Result<(), Unavailable> {
    // macOS and Windows backends of notify-rust are synchronous: keep them off the runtime.
    let (summary, body) = (r.summary.clone(), body_for(r, false));
    tokio::task::spawn_blocking(move || {
        notify_rust::Notification::new()
            .appname("dunwatch")
            .summary(&summary)
            .body(&body)
            .show()
            .map(|_| ())
            .map_err(|e| Unavailable(e.to_string()))
    })
    .await
    .map_err(|e| Unavailable(e.to_string()))?
}
