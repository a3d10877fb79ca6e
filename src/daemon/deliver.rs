//! Alert delivery: the due alerts are read, held for quiet hours or shown on the desktop,
//! and their state recorded before they are shown, so that a kill in between loses an alert
//! rather than showing it twice.

use std::time::Duration;

use tokio::time::Instant;
use tracing::info;

use super::{Daemon, off_runtime};
use crate::alert::desktop;
use crate::alert::{self, Plan, State};

impl Daemon {
    /// Shows (or holds) the alerts that are due.
    pub(super) async fn deliver(&mut self) {
        if self.store_corrupt.is_some() {
            // Showing an alert means recording it; nothing is written to a corrupted file
            // (the import's warning says what to do). They wait in the file for its recovery.
            return;
        }
        let store = self.alert_store.clone();
        let due = off_runtime("read pending alerts", move || {
            let mut store = store.lock().expect("alert store");
            // Follows the file the importer follows (said in the log by the import). A
            // deleted file is the importer's to recreate and report: opening it here first
            // would make the importer meet a "replaced" file and say the wrong thing.
            if store.file_change() == Some(crate::store::FileChange::Deleted) {
                return Ok(Vec::new());
            }
            store.reopen_if_moved()?;
            Ok(store.due_alerts()?)
        })
        .await;
        let Some(items) = self.settle("alert-read", "pending alerts can be read again", due) else {
            // Try again later rather than only at the next import.
            self.alert_wake = Some(Instant::now() + self.opts.retry_after);
            return;
        };
        let now = jiff::Zoned::now();
        let quiet_end = self
            .policy
            .quiet
            .filter(|q| q.contains_time(&now))
            .map(|q| q.next_end(&now));
        let had_items = !items.is_empty();
        match alert::plan(items, &self.policy, &now) {
            Plan::Nothing => {}
            Plan::Hold(ids) => {
                let n = ids.len();
                if self.set_state(ids, State::Held).await {
                    info!(
                        "{n} alert(s) held for quiet hours ({}), a digest follows",
                        self.config.alerts.quiet_hours
                    );
                }
            }
            Plan::Send(notices) => {
                for notice in notices {
                    let rendered = desktop::render(&notice, self.policy.language);
                    // Marked sent before showing: a kill in between loses this alert instead
                    // of showing it twice. An alert that cannot be recorded is not shown.
                    if !self.set_state(notice.ids(), State::Sent).await {
                        self.alert_wake = Some(Instant::now() + self.opts.retry_after);
                        return;
                    }
                    match self.desktop.show(&rendered).await {
                        Ok(()) => {
                            info!(
                                "alert shown: {:?} ({} message(s))",
                                rendered.summary,
                                notice.items().len()
                            );
                        }
                        Err(_) => {
                            // Logged once by Desktop; the rows go back to pending (or held)
                            // for the retry.
                            self.unclaim(notice.ids()).await;
                            self.alert_wake = Some(Instant::now() + self.opts.retry_after);
                            return;
                        }
                    }
                }
            }
        }
        if had_items && let Some(end) = quiet_end {
            let wait = end
                .timestamp()
                .duration_since(now.timestamp())
                .unsigned_abs();
            // A second late, so the window has surely ended when we look again.
            self.alert_wake = Some(Instant::now() + wait + Duration::from_secs(1));
        }
    }

    async fn unclaim(&mut self, ids: Vec<i64>) {
        let store = self.alert_store.clone();
        let done = off_runtime("record alert state", move || {
            let mut store = store.lock().expect("alert store");
            Ok(store.unclaim_alerts(&ids)?)
        })
        .await;
        self.settle("alert-state", "alert state is recorded again", done);
    }

    async fn set_state(&mut self, ids: Vec<i64>, state: State) -> bool {
        let store = self.alert_store.clone();
        let done = off_runtime("record alert state", move || {
            let mut store = store.lock().expect("alert store");
            Ok(store.set_alert_state(&ids, state)?)
        })
        .await;
        self.settle("alert-state", "alert state is recorded again", done)
            .is_some()
    }
}
