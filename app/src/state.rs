//! What every server function can reach: storage, the password hasher, the clock, the settings.
//! Provided to Leptos as context by the server crate.

use crate::db::Db;
use crate::password::PasswordHasher;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Time, injectable so that expiry can be tested without sleeping.
pub trait Clock: Send + Sync + 'static {
    /// Unix seconds, UTC.
    fn now(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// A clock tests can move by hand.
#[derive(Default)]
pub struct ManualClock(std::sync::atomic::AtomicI64);

impl ManualClock {
    pub fn new(start: i64) -> Self {
        Self(std::sync::atomic::AtomicI64::new(start))
    }
    pub fn advance(&self, seconds: i64) {
        self.0
            .fetch_add(seconds, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// When the session cookie carries the `Secure` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieSecurity {
    /// Secure whenever the request arrived over https (directly or per a trusted proxy).
    Auto,
    Always,
    Never,
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// A browser-session sign-in ends after this many seconds without a request.
    pub session_idle_seconds: i64,
    /// …and at the latest this long after sign-in.
    pub session_absolute_seconds: i64,
    /// A "keep me signed in" session ends after this many seconds without a request.
    pub remembered_idle_seconds: i64,
    /// …and at the latest this long after sign-in.
    pub remembered_absolute_seconds: i64,
    pub cookie_security: CookieSecurity,
    /// Believe `X-Forwarded-For` / `X-Forwarded-Proto` (only behind a reverse proxy you run).
    pub trust_proxy: bool,
    /// Where people reach Steward, for links in emails (no trailing slash).
    pub public_url: String,
    /// Failed sign-ins allowed from one address per window, whatever the accounts.
    pub address_failure_limit: i64,
    pub address_failure_window_seconds: i64,
    /// The key device passwords of mail addresses are hashed with (`STEWARD_MAIL_DEVICE_KEY`);
    /// without one, the server makes one once and keeps it in the database.
    pub mail_device_key: Option<crate::tokens::SecretKey>,
    /// The hash of the secret the operator's mail servers present to the device-authentication
    /// endpoint (`STEWARD_MAIL_AUTH_TOKEN`); without one, that endpoint is closed.
    pub mail_auth_token: Option<crate::tokens::TokenHash>,
    /// The mail servers clients connect to, shown with every device password.
    pub mail_servers: MailServerSettings,
}

/// The operator's IMAP and SMTP servers (`mail_imap_host` … in Leptos.toml); `{domain}` in a
/// host name stands for the address's domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailServerSettings {
    pub imap_host: String,
    pub imap_port: u16,
    /// TLS from the first byte; else STARTTLS.
    pub imap_tls: bool,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: bool,
}

impl Default for MailServerSettings {
    fn default() -> Self {
        MailServerSettings {
            imap_host: "mail.{domain}".to_owned(),
            imap_port: 993,
            imap_tls: true,
            smtp_host: "mail.{domain}".to_owned(),
            smtp_port: 465,
            smtp_tls: true,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            // NIST SP 800-63B (AAL2): re-authenticate after 30 minutes of inactivity.
            session_idle_seconds: 30 * 60,
            session_absolute_seconds: 12 * 3600,
            remembered_idle_seconds: 14 * 24 * 3600,
            remembered_absolute_seconds: 30 * 24 * 3600,
            cookie_security: CookieSecurity::Auto,
            trust_proxy: false,
            public_url: "http://127.0.0.1:3000".to_owned(),
            address_failure_limit: 30,
            address_failure_window_seconds: 15 * 60,
            mail_device_key: None,
            mail_auth_token: None,
            mail_servers: MailServerSettings::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub passwords: Arc<PasswordHasher>,
    /// Profile pictures are decoded here, a bounded number at a time.
    pub pictures: Arc<crate::workers::PictureDecoder>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    /// A text-message provider for password reset by SMS; none by default (see recovery::sms).
    pub sms: Option<Arc<dyn crate::sms::SmsSender>>,
    /// The operator's IP geolocation database, for the place of each session (SEC-5); none by
    /// default (`crate::places`).
    pub places: Option<Arc<crate::places::Places>>,
    /// DNS lookups (verified domains' TXT records): the system's resolvers in the server; the
    /// tests' zone in the tests; none: a check says the resolvers did not answer.
    pub dns: Option<Arc<dyn crate::dns::TxtLookup>>,
}

impl AppState {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}
