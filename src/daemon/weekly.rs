//! The weekly summary, written and announced by the daemon at `reports.weekly`.

use std::time::Duration;

use tokio::time::Instant;
use tracing::{debug, info};

use super::{Daemon, off_runtime};
use crate::alert::desktop;
use crate::report::{self, Period};

impl Daemon {
    /// Writes the weekly summary if the last scheduled moment has passed and its file is not
    /// there yet (so a summary missed while the computer was off is written at the next
    /// start, and a restart never writes it twice), notifies, and sleeps until the next one.
    pub(super) async fn weekly_report(&mut self) {
        let Some(schedule) = self.weekly else {
            return;
        };
        // Let imports settle first, so the summary counts what arrived while dunwatch was off.
        if self.job.is_some() || !self.queue.files.is_empty() || !self.queue.dirs.is_empty() {
            self.report_wake = Some(Instant::now() + Duration::from_secs(5));
            return;
        }
        let tz = self.read_opts.phone_tz.clone();
        let now = jiff::Timestamp::now().to_zoned(tz.clone());
        let due = schedule.last_at_or_before(&now);
        let period = Period::previous_week(due.timestamp(), tz);
        let path = report::weekly_path(&self.config, &self.paths, &period);
        if path.exists() {
            debug!("weekly summary {} already written", path.display());
        } else {
            self.write_weekly(due.timestamp()).await;
        }
        // Monotonic sleeps stop while a laptop is suspended: look again at least hourly.
        let wait = schedule
            .next_after(&now)
            .timestamp()
            .duration_since(now.timestamp())
            .unsigned_abs()
            .min(Duration::from_secs(3600));
        self.report_wake = Some(Instant::now() + wait + Duration::from_secs(1));
    }

    async fn write_weekly(&mut self, anchor: jiff::Timestamp) {
        let store = self.alert_store.clone();
        let (config, paths) = (self.config.clone(), self.paths.clone());
        let engine = self.engine.clone();
        let done = off_runtime("write the weekly summary", move || {
            report::weekly(
                &store.lock().expect("alert store"),
                &engine,
                &config,
                &paths,
                anchor,
            )
        })
        .await;
        let Some((path, report)) =
            self.settle("weekly", "the weekly summary can be written again", done)
        else {
            return;
        };
        info!("weekly summary written to {}", path.display());
        // A week with no debt-related message is written but not announced.
        if report.debt_total == 0 {
            return;
        }
        let rendered = desktop::render_weekly(&report.summary, &path, report.language);
        // Without a notification server Desktop logs it once; the file is there regardless.
        let _ = self.desktop.show(&rendered).await;
    }
}
