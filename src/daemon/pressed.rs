//! A button pressed on a notification: open the review page there (the same binary, the same
//! database and config, started directly, never through a shell), or act at once and say so.

use std::process::{Command, Stdio};

use tracing::{info, warn};

use super::{Daemon, off_runtime};
use crate::alert::desktop::{
    self, Button, DEFAULT, Invoked, Lang, NOT_SCAM, Rendered, TRUST, Target, Urgency,
};
use crate::model::Category;
use crate::review::Corrected;
use crate::store::senders::Side;
use crate::words;

impl Daemon {
    pub(super) async fn on_pressed(&mut self, invoked: Invoked) {
        use crate::alert::desktop::Target as T;
        let key = invoked.key.as_str();
        match invoked.target {
            T::Message { id, .. } if key == DEFAULT => self.open_page(&format!("/messages/{id}")),
            T::Message { id, sender } if key == NOT_SCAM => self.not_a_scam(id, sender).await,
            T::Message { id, sender } if key == TRUST => self.trust(id, sender).await,
            T::Inbox { since_ms } => {
                let since = since_ms
                    .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
                    .map(|t| {
                        t.to_zoned(self.read_opts.phone_tz.clone())
                            .date()
                            .to_string()
                    });
                match since {
                    Some(day) => self.open_page(&format!("/?since={day}")),
                    None => self.open_page("/"),
                }
            }
            T::Report(path) => {
                info!("opening the weekly summary {}", path.display());
                if let Err(e) = open::that_detached(&path) {
                    warn!("cannot open {}: {e}", path.display());
                }
            }
            T::Problems => self.open_page("/problems"),
            T::Message { .. } => {}
        }
    }

    /// Starts `dunwatch ui --open PATH` with this daemon's database and config.
    fn open_page(&self, path: &str) {
        let exe = match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => {
                warn!("cannot open the review page: {e}");
                return;
            }
        };
        info!("opening the review page at {path}");
        let started = Command::new(exe)
            .arg("--db")
            .arg(&self.db_path)
            .arg("--config")
            .arg(&self.paths.config_file)
            .args(["ui", "--open", path])
            .stdin(Stdio::null())
            // Its first line is the login URL with its one-time token: not for the journal.
            .stdout(Stdio::null())
            .spawn();
        match started {
            // Waited for on a thread of its own, so that it leaves no zombie behind.
            Ok(mut child) => {
                std::thread::spawn(move || child.wait());
            }
            Err(e) => warn!("cannot start the review page: {e}"),
        }
    }

    async fn not_a_scam(&mut self, id: i64, sender: String) {
        let store = self.alert_store.clone();
        let engine = self.engine.clone();
        let done = off_runtime("record the correction", move || {
            let store = store.lock().unwrap_or_else(|e| e.into_inner());
            crate::review::correct(&store, &engine, id, Some(Category::Other))
        })
        .await;
        let lang = self.confirm_lang();
        match done {
            Ok(Corrected::Done { .. }) => {
                info!("message {id} marked not a scam from its alert");
                let summary = words::text(lang, "alert.done.not_scam.summary", &[]);
                let body = words::text(lang, "alert.done.not_scam.body", &[]);
                self.confirm(summary, body, lang, Target::Message { id, sender })
                    .await;
            }
            Ok(_) => warn!("message {id} from an alert is no longer stored"),
            Err(e) => warn!("{e}"),
        }
    }

    async fn trust(&mut self, id: i64, sender: String) {
        let store = self.alert_store.clone();
        let who = sender.clone();
        let done = off_runtime("trust the sender", move || {
            let store = store.lock().unwrap_or_else(|e| e.into_inner());
            Ok(store.set_sender_side(&who, Side::Trust)?)
        })
        .await;
        if let Err(e) = done {
            warn!("{e}");
            return;
        }
        info!("sender of message {id} trusted from its alert");
        let lang = self.confirm_lang();
        let shown = crate::untrusted::one_line(&sender).into_owned();
        let summary = words::text(lang, "alert.done.trusted.summary", &[("sender", &shown)]);
        let body = words::text(lang, "alert.done.trusted.body", &[]);
        self.confirm(summary, body, lang, Target::Message { id, sender })
            .await;
    }

    /// A short notice that a button did what it says, with the click opening the message.
    async fn confirm(&mut self, summary: String, body: String, lang: Lang, target: Target) {
        let rendered = Rendered {
            summary,
            body: desktop::escape_markup(&body),
            urgency: Urgency::Low,
            buttons: vec![Button::details(lang)],
            target: Some(target),
            without_buttons: String::new(),
        };
        let _ = self.desktop.show(&rendered).await;
    }

    fn confirm_lang(&self) -> Lang {
        Lang::from_config(&self.config)
    }
}
