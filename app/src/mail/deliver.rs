//! The outbox worker: claims due messages and delivers them over SMTP (lettre), or writes them
//! as .eml files when no SMTP server is configured. Failed attempts are retried with
//! exponential backoff; a message is given up after [`MAX_ATTEMPTS`].
//!
//! Delivery is at least once in the face of crashes (a worker that dies between the SMTP
//! server's "250 OK" and recording it lets the lease expire, and the message goes again) and
//! exactly once otherwise, however many workers share the database.

use super::store::{self, Claimed};
use crate::state::AppState;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::Body;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rand::RngCore;
use std::path::PathBuf;
use std::time::Duration;

pub const MAX_ATTEMPTS: i64 = 8;
/// How long a worker may hold a message before another may take it.
pub const LEASE_SECONDS: i64 = 120;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP (a relay on the same machine or a test server).
    None,
    /// STARTTLS, required (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

#[derive(Clone, Debug)]
pub enum Transport {
    Smtp {
        host: String,
        port: u16,
        security: SmtpSecurity,
        credentials: Option<(String, String)>,
    },
    /// Each message becomes a file in this folder.
    Files(PathBuf),
}

#[derive(Clone, Debug)]
pub struct MailSettings {
    pub from: String,
    pub transport: Transport,
}

pub struct Mailer {
    from: Mailbox,
    transport: Sender,
}

enum Sender {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("mail_from {:?}: {e}", settings.from))?;
        let transport = match &settings.transport {
            Transport::Files(dir) => Sender::Files(dir.clone()),
            Transport::Smtp {
                host,
                port,
                security,
                credentials,
            } => {
                let builder = match security {
                    SmtpSecurity::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    }
                    SmtpSecurity::StartTls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                            .map_err(|e| format!("smtp_host {host:?}: {e}"))?
                    }
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                        .map_err(|e| format!("smtp_host {host:?}: {e}"))?,
                };
                let mut builder = builder.port(*port).timeout(Some(Duration::from_secs(20)));
                if let Some((user, password)) = credentials {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                Sender::Smtp(builder.build())
            }
        };
        Ok(Mailer { from, transport })
    }

    /// Where messages go, for the start-up log.
    pub fn describe(&self) -> String {
        match &self.transport {
            Sender::Smtp(_) => "SMTP".to_owned(),
            Sender::Files(dir) => format!("files in {}", dir.display()),
        }
    }

    fn message(&self, claimed: &Claimed) -> Result<Message, String> {
        let to: Mailbox = claimed
            .recipient
            .parse()
            .map_err(|e| format!("recipient: {e}"))?;
        let body = readable_body(claimed.body.as_ref().map_err(|e| e.to_string())?);
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(claimed.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("message: {e}"))
    }

    /// Delivers one message; `Err` carries a reason for the log and the outbox row.
    pub async fn send(&self, claimed: &Claimed) -> Result<(), String> {
        let message = self.message(claimed)?;
        match &self.transport {
            Sender::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Sender::Files(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
                let path = dir.join(format!("{}-{:06}.eml", claimed.created_at, claimed.id));
                tokio::fs::write(&path, message.formatted())
                    .await
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                tracing::info!(path = %path.display(), subject = %claimed.subject, "email written to a file (no SMTP server configured)");
                Ok(())
            }
        }
    }
}

/// The body as plain 7bit/8bit text with CRLF line ends whenever every line fits SMTP's limit
/// (998 bytes), so the message — links included — reads as written in any mailbox and in the
/// .eml files. Only a body with longer lines gets lettre's quoted-printable or base64.
pub fn readable_body(text: &str) -> Body {
    let normalized = text.replace("\r\n", "\n");
    let fits = normalized.split('\n').all(|line| line.len() <= 998) && !normalized.contains('\0');
    if !fits {
        return Body::new(text.to_owned());
    }
    let encoding = if normalized.is_ascii() {
        ContentTransferEncoding::SevenBit
    } else {
        ContentTransferEncoding::EightBit
    };
    let mut crlf = normalized.replace('\n', "\r\n");
    if !crlf.ends_with("\r\n") {
        crlf.push_str("\r\n");
    }
    Body::dangerous_pre_encoded(crlf.into_bytes(), encoding)
}

/// Seconds to wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, … at most an hour.
pub fn backoff_seconds(attempts: i64) -> i64 {
    let exponent = (attempts - 1).clamp(0, 10) as u32;
    (30 * 2i64.pow(exponent)).min(3600)
}

fn claim_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Delivers every message that is due now; returns how many were sent.
pub async fn deliver_due(state: &AppState, mailer: &Mailer) -> Result<usize, sqlx::Error> {
    let token = claim_token();
    let mut sent = 0;
    loop {
        let now = state.now();
        let mut tx = state.db.write().await?;
        let claimed = store::claim_next(&mut tx, now, LEASE_SECONDS, &token).await?;
        tx.commit().await?;
        let Some(claimed) = claimed else {
            return Ok(sent);
        };
        let outcome = mailer.send(&claimed).await;
        let now = state.now();
        let mut tx = state.db.write().await?;
        match outcome {
            Ok(()) => {
                store::mark_sent(&mut tx, claimed.id, &token, now).await?;
                sent += 1;
            }
            Err(error) => {
                let retry_at = (claimed.attempts < MAX_ATTEMPTS)
                    .then(|| now + backoff_seconds(claimed.attempts));
                tracing::warn!(id = claimed.id, attempts = claimed.attempts, %error, gave_up = retry_at.is_none(), "email delivery failed");
                store::mark_failed(&mut tx, claimed.id, &token, &error, now, retry_at).await?;
            }
        }
        tx.commit().await?;
    }
}

/// The worker: looks for due messages every second, forever.
pub async fn run(state: AppState, mailer: Mailer) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(error) = deliver_due(&state, &mailer).await {
            tracing::warn!(%error, "the outbox could not be read");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_seconds(1), 30);
        assert_eq!(backoff_seconds(2), 60);
        assert_eq!(backoff_seconds(3), 120);
        assert_eq!(backoff_seconds(8), 3600);
        assert_eq!(backoff_seconds(50), 3600);
    }

    #[test]
    fn bodies_stay_readable_text() {
        let long_link = format!(
            "https://steward.example.com/unlock?token={}",
            "x".repeat(43)
        );
        let body = readable_body(&format!("Hello Chloé,\n\n{long_link}\n"));
        assert_eq!(body.encoding(), ContentTransferEncoding::EightBit);
        let text = String::from_utf8(body.into_vec()).unwrap_or_default();
        assert!(
            text.contains(&long_link) && text.contains("Chloé,\r\n"),
            "{text}"
        );
        assert_eq!(
            readable_body("plain").encoding(),
            ContentTransferEncoding::SevenBit
        );
        assert_ne!(
            readable_body(&"y".repeat(1200)).encoding(),
            ContentTransferEncoding::SevenBit,
            "an over-long line is encoded"
        );
    }

    #[test]
    fn bad_sender_addresses_are_refused_at_start() {
        let settings = MailSettings {
            from: "Steward <not an address>".into(),
            transport: Transport::Files("data/mail".into()),
        };
        assert!(Mailer::new(&settings).is_err());
    }
}
