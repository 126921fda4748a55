//! Text messages, behind a provider trait. Steward ships no provider and configures none by
//! default: without one, password reset by SMS is simply not offered. An operator who wants it
//! implements [`SmsSender`] for their gateway and sets it in `AppState::sms`.
//!
//! [`RecordingSms`] is a simulation for tests: it sends nothing anywhere, and keeps what it was
//! asked to send so a test can read it back.

use futures::future::BoxFuture;
use std::sync::Mutex;

pub trait SmsSender: Send + Sync + 'static {
    /// Sends `text` to `to` (international format, `+` and digits). `Err` carries a reason for
    /// the log; the caller has already committed what the message is about.
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> BoxFuture<'a, Result<(), String>>;
}

/// Keeps every message instead of sending it (tests only).
#[derive(Default)]
pub struct RecordingSms {
    sent: Mutex<Vec<(String, String)>>,
}

impl RecordingSms {
    /// Every `(to, text)` so far.
    pub fn sent(&self) -> Vec<(String, String)> {
        self.sent.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

impl SmsSender for RecordingSms {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            self.sent
                .lock()
                .map_err(|_| "poisoned".to_owned())?
                .push((to.to_owned(), text.to_owned()));
            Ok(())
        })
    }
}
