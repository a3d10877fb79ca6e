//! Import problems reach the person once per file and cause: a warning in the log and a
//! desktop notice listing the files, recorded in the database (`store::problems`) so that a
//! restart does not say them again; `doctor` lists them by name.

use tracing::{debug, warn};

use super::{Daemon, off_runtime};
use crate::alert::desktop;
use crate::import::ProblemUpdate;

impl Daemon {
    /// Records the problems found since the last call (and the ends of earlier ones), warns
    /// of those not recorded before, and, with `notify`, shows one notice for every problem
    /// the person has not been told of.
    pub(super) async fn settle_problems(&mut self, notify: bool) {
        let updates = std::mem::take(&mut self.problem_updates);
        if updates.is_empty() && !(notify && self.problems_untold) {
            return;
        }
        let store = self.alert_store.clone();
        let texts: Vec<String> = updates.iter().filter_map(noted_text).collect();
        let done = off_runtime("record import problems", move || {
            let store = store
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut new = Vec::new();
            for update in &updates {
                if update.apply(&store, false)? {
                    new.extend(noted_text(update));
                } else if let ProblemUpdate::Noted { path, cause, .. } = update {
                    debug!("{} ({}): said before", path.display(), cause.id());
                }
            }
            Ok((new, store.untold_problems()?))
        })
        .await;
        let Some((new, untold)) =
            self.settle("problems", "import problems can be recorded again", done)
        else {
            // Not recorded: say them in the log at least.
            for text in texts {
                warn!("{text}");
            }
            return;
        };
        for text in new {
            warn!("{text}");
        }
        if !notify {
            return;
        }
        self.problems_untold = false;
        if untold.is_empty() {
            return;
        }
        let lang = crate::lang::Lang::from_config(&self.config);
        let rendered = desktop::render_problems(&untold, lang);
        if self.desktop.show(&rendered).await.is_err() {
            // Shown when the desktop answers again, with whatever came meanwhile.
            self.problems_untold = true;
            return;
        }
        let store = self.alert_store.clone();
        let done = off_runtime("record that import problems were told", move || {
            let store = store
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Ok(store.mark_problems_told()?)
        })
        .await;
        self.settle("problems", "import problems can be recorded again", done);
    }
}

fn noted_text(update: &ProblemUpdate) -> Option<String> {
    match update {
        // For the log, in English.
        ProblemUpdate::Noted { text, .. } => Some(text.to_string()),
        ProblemUpdate::Cleared { .. } => None,
    }
}
