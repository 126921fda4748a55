//! Runtime configuration: the `[steward]` table of Leptos.toml, overridden by environment
//! variables. (Leptos's own settings live in that file's `[package.metadata.leptos]` table.)

use app::mail::deliver::{MailSettings, SmtpSecurity, Transport};
use app::state::{CookieSecurity, Settings};
use serde::Deserialize;
use std::env;

#[derive(Debug, Clone)]
pub struct Config {
    /// The file both Steward and Leptos read.
    pub path: String,
    pub database_url: String,
    pub demo_data: bool,
    pub settings: Settings,
    pub mail: MailSettings,
    /// The operator's price catalogue (TOML), when one is named; else the shipped one.
    pub catalogue: Option<String>,
    /// The operator's domain extension table (TOML), when one is named; else the shipped one.
    pub domain_extensions: Option<String>,
    /// The operator's IP geolocation database (`.mmdb`: MaxMind GeoLite2 City, DB-IP City Lite),
    /// for the place of each session (`geoip_database`, `STEWARD_GEOIP_DATABASE`); none by default.
    pub geoip_database: Option<String>,
    /// The IANA time zone of emails, and of pages for people whose browser has not said
    /// (`time_zone`, `STEWARD_TIME_ZONE`; Europe/Zurich).
    pub time_zone: String,
    /// The key outbox bodies are sealed with, and where it came from (for the start-up log).
    pub outbox_key: (app::tokens::SecretKey, OutboxKeySource),
}

/// Where the outbox key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxKeySource {
    /// `outbox_key` / `STEWARD_OUTBOX_KEY`.
    Configured,
    /// The key file (`outbox_key_file`), read or just made.
    File(String),
}

#[derive(Deserialize, Default)]
struct File {
    #[serde(default)]
    steward: Section,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Section {
    database_url: Option<String>,
    demo_data: Option<bool>,
    cookie_security: Option<String>,
    trust_proxy: Option<bool>,
    session_idle_minutes: Option<i64>,
    session_absolute_hours: Option<i64>,
    remembered_idle_days: Option<i64>,
    remembered_absolute_days: Option<i64>,
    public_url: Option<String>,
    address_failure_limit: Option<i64>,
    address_failure_window_minutes: Option<i64>,
    mail_from: Option<String>,
    mail_dir: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_security: Option<String>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    catalogue: Option<String>,
    time_zone: Option<String>,
    domain_extensions: Option<String>,
    geoip_database: Option<String>,
    mail_device_key: Option<String>,
    outbox_key: Option<String>,
    outbox_key_file: Option<String>,
    mail_auth_token: Option<String>,
    mail_imap_host: Option<String>,
    mail_imap_port: Option<u16>,
    mail_imap_security: Option<String>,
    mail_smtp_host: Option<String>,
    mail_smtp_port: Option<u16>,
    mail_smtp_security: Option<String>,
}

/// The IMAP and SMTP servers mail clients are told to use (`mail_imap_host` …, or
/// `STEWARD_MAIL_IMAP_HOST` …); `{domain}` in a host name is the address's domain.
fn mail_servers(s: &Section) -> Result<app::state::MailServerSettings, String> {
    let defaults = app::state::MailServerSettings::default();
    let port = |name: &str, env: &str, file: Option<u16>, default: u16| match env_text(env) {
        Some(text) => text
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or(format!("{name} must be a port number, 1 to 65535")),
        None => Ok(file.unwrap_or(default)),
    };
    let tls = |name: &str, env: &str, file: &Option<String>, default: bool| match env_text(env)
        .or(file.clone())
    {
        None => Ok(default),
        Some(text) => match app::mailboxes::servers::Encryption::parse(&text) {
            Some(e) => Ok(e == app::mailboxes::servers::Encryption::Tls),
            None => Err(format!(
                "{name} must be \"tls\" or \"starttls\", not \"{text}\""
            )),
        },
    };
    Ok(app::state::MailServerSettings {
        imap_host: env_text("STEWARD_MAIL_IMAP_HOST")
            .or(s.mail_imap_host.clone())
            .unwrap_or(defaults.imap_host),
        imap_port: port(
            "mail_imap_port",
            "STEWARD_MAIL_IMAP_PORT",
            s.mail_imap_port,
            defaults.imap_port,
        )?,
        imap_tls: tls(
            "mail_imap_security",
            "STEWARD_MAIL_IMAP_SECURITY",
            &s.mail_imap_security,
            defaults.imap_tls,
        )?,
        smtp_host: env_text("STEWARD_MAIL_SMTP_HOST")
            .or(s.mail_smtp_host.clone())
            .unwrap_or(defaults.smtp_host),
        smtp_port: port(
            "mail_smtp_port",
            "STEWARD_MAIL_SMTP_PORT",
            s.mail_smtp_port,
            defaults.smtp_port,
        )?,
        smtp_tls: tls(
            "mail_smtp_security",
            "STEWARD_MAIL_SMTP_SECURITY",
            &s.mail_smtp_security,
            defaults.smtp_tls,
        )?,
    })
}

fn env_text(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn mail_settings(s: &Section) -> Result<MailSettings, String> {
    let from = env_text("STEWARD_MAIL_FROM")
        .or(s.mail_from.clone())
        .unwrap_or_else(|| "Steward <steward@localhost>".to_owned());
    let transport = match env_text("STEWARD_SMTP_HOST").or(s.smtp_host.clone()) {
        None => Transport::Files(
            env_text("STEWARD_MAIL_DIR")
                .or(s.mail_dir.clone())
                .unwrap_or_else(|| "data/mail".to_owned())
                .into(),
        ),
        Some(host) => {
            let security = match env_text("STEWARD_SMTP_SECURITY")
                .or(s.smtp_security.clone())
                .as_deref()
            {
                None | Some("starttls") => SmtpSecurity::StartTls,
                Some("tls") => SmtpSecurity::Tls,
                Some("none") => SmtpSecurity::None,
                Some(other) => {
                    return Err(format!(
                        "smtp_security must be starttls, tls or none, not {other:?}"
                    ))
                }
            };
            let port = match env_text("STEWARD_SMTP_PORT") {
                Some(p) => p
                    .parse()
                    .map_err(|_| format!("STEWARD_SMTP_PORT is not a port: {p:?}"))?,
                None => s.smtp_port.unwrap_or(match security {
                    SmtpSecurity::Tls => 465,
                    SmtpSecurity::StartTls => 587,
                    SmtpSecurity::None => 25,
                }),
            };
            let username = env_text("STEWARD_SMTP_USERNAME").or(s.smtp_username.clone());
            let password = env_text("STEWARD_SMTP_PASSWORD").or(s.smtp_password.clone());
            Transport::Smtp {
                host,
                port,
                security,
                credentials: username.map(|u| (u, password.unwrap_or_default())),
            }
        }
    };
    Ok(MailSettings { from, transport })
}

/// The key outbox bodies are sealed with (`app::mail::seal`): the operator's (`outbox_key`,
/// `STEWARD_OUTBOX_KEY`: 64 hex digits), or else the one in the key file (`outbox_key_file`,
/// `STEWARD_OUTBOX_KEY_FILE`; `data/outbox.key`), made on first start with permissions 0600.
/// Never the database: the point of sealing is that the database files alone reveal nothing.
fn outbox_key(s: &Section) -> Result<(app::tokens::SecretKey, OutboxKeySource), String> {
    use app::tokens::SecretKey;
    const HINT: &str = "64 hexadecimal digits (for example: openssl rand -hex 32)";
    if let Some(hex) = env_text("STEWARD_OUTBOX_KEY").or(s.outbox_key.clone()) {
        let key = SecretKey::from_hex(&hex).ok_or(format!("outbox_key must be {HINT}"))?;
        return Ok((key, OutboxKeySource::Configured));
    }
    let path = env_text("STEWARD_OUTBOX_KEY_FILE")
        .or(s.outbox_key_file.clone())
        .unwrap_or_else(|| "data/outbox.key".to_owned());
    let read = |path: &str| -> Result<SecretKey, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("outbox_key_file {path}: {e}"))?;
        SecretKey::from_hex(&text).ok_or(format!("outbox_key_file {path} must hold {HINT}"))
    };
    if std::path::Path::new(&path).exists() {
        return read(&path).map(|key| (key, OutboxKeySource::File(path)));
    }
    // Made beside, then linked into place: of two processes starting at once, one key wins and
    // both read it; nobody ever reads a half-written file.
    let file = std::path::Path::new(&path);
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let draft = format!("{path}.{}.new", std::process::id());
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options
            .open(&draft)
            .map_err(|e| format!("outbox_key_file {draft}: {e}"))?;
        writeln!(out, "{}", SecretKey::generate().to_hex())
            .and_then(|()| out.sync_all())
            .map_err(|e| format!("outbox_key_file {draft}: {e}"))?;
    }
    let linked = std::fs::hard_link(&draft, &path);
    let _ = std::fs::remove_file(&draft);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("outbox_key_file {path}: {e}")),
    }
    read(&path).map(|key| (key, OutboxKeySource::File(path)))
}

fn env_flag(name: &str) -> Option<bool> {
    env::var(name)
        .ok()
        .map(|v| matches!(v.trim(), "1" | "true" | "yes" | "on"))
}

pub fn load() -> Result<Config, String> {
    let path = env::var("STEWARD_CONFIG").unwrap_or_else(|_| "Leptos.toml".to_owned());
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let file: File = toml::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let s = file.steward;
    let defaults = Settings::default();
    let cookie_security = match env::var("STEWARD_COOKIE_SECURITY")
        .ok()
        .or(s.cookie_security.clone())
        .as_deref()
    {
        None | Some("auto") => CookieSecurity::Auto,
        Some("always") => CookieSecurity::Always,
        Some("never") => CookieSecurity::Never,
        Some(other) => {
            return Err(format!(
                "cookie_security must be auto, always or never, not {other:?}"
            ))
        }
    };
    let positive =
        |name: &str, value: Option<i64>, unit: i64, default: i64| -> Result<i64, String> {
            match value {
                None => Ok(default),
                Some(v) if v > 0 => Ok(v * unit),
                Some(v) => Err(format!("{name} must be positive, not {v}")),
            }
        };
    let settings = Settings {
        session_idle_seconds: positive(
            "session_idle_minutes",
            s.session_idle_minutes,
            60,
            defaults.session_idle_seconds,
        )?,
        session_absolute_seconds: positive(
            "session_absolute_hours",
            s.session_absolute_hours,
            3600,
            defaults.session_absolute_seconds,
        )?,
        remembered_idle_seconds: positive(
            "remembered_idle_days",
            s.remembered_idle_days,
            86_400,
            defaults.remembered_idle_seconds,
        )?,
        remembered_absolute_seconds: positive(
            "remembered_absolute_days",
            s.remembered_absolute_days,
            86_400,
            defaults.remembered_absolute_seconds,
        )?,
        cookie_security,
        trust_proxy: env_flag("STEWARD_TRUST_PROXY")
            .or(s.trust_proxy)
            .unwrap_or(false),
        public_url: env_text("STEWARD_PUBLIC_URL")
            .or(s.public_url.clone())
            .map(|u| u.trim_end_matches('/').to_owned())
            .unwrap_or_default(),
        address_failure_limit: positive(
            "address_failure_limit",
            s.address_failure_limit,
            1,
            defaults.address_failure_limit,
        )?,
        address_failure_window_seconds: positive(
            "address_failure_window_minutes",
            s.address_failure_window_minutes,
            60,
            defaults.address_failure_window_seconds,
        )?,
        mail_device_key: match env_text("STEWARD_MAIL_DEVICE_KEY").or(s.mail_device_key.clone()) {
            None => None,
            Some(hex) => Some(app::tokens::SecretKey::from_hex(&hex).ok_or(
                "mail_device_key must be 64 hexadecimal digits (for example: openssl rand -hex 32)",
            )?),
        },
        mail_auth_token: match env_text("STEWARD_MAIL_AUTH_TOKEN").or(s.mail_auth_token.clone()) {
            None => None,
            Some(token) if token.trim().len() < 32 => {
                return Err("mail_auth_token must be at least 32 characters (for example: openssl rand -hex 32)".to_owned())
            }
            Some(token) => Some(app::tokens::hash_token(token.trim())),
        },
        mail_servers: mail_servers(&s)?,
    };
    let mail = mail_settings(&s)?;
    let outbox_key = outbox_key(&s)?;
    let database_url = env::var("DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .or(s.database_url)
        .unwrap_or_else(|| "sqlite://data/steward.db".to_owned());
    Ok(Config {
        path,
        database_url,
        demo_data: env_flag("STEWARD_DEMO_DATA")
            .or(s.demo_data)
            .unwrap_or(false),
        settings,
        mail,
        catalogue: env_text("STEWARD_CATALOGUE").or(s.catalogue),
        domain_extensions: env_text("STEWARD_DOMAIN_EXTENSIONS").or(s.domain_extensions),
        geoip_database: env_text("STEWARD_GEOIP_DATABASE").or(s.geoip_database),
        time_zone: env_text("STEWARD_TIME_ZONE")
            .or(s.time_zone)
            .unwrap_or_else(|| "Europe/Zurich".to_owned()),
        outbox_key,
    })
}

/// Puts the operator's time zone in force (for emails and for pages whose browser has not said).
pub fn install_time_zone(config: &Config) -> Result<(), String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let zone = app::format::Zone::named(&config.time_zone, now).ok_or_else(|| {
        format!(
            "time_zone {:?} is not in the time zone database: use a name like Europe/Zurich or UTC",
            config.time_zone
        )
    })?;
    app::format::set_operator_zone(zone);
    Ok(())
}

/// Puts the operator's price catalogue and domain extension table in force (checked: a mistake
/// stops here, naming what to fix), or keeps the shipped ones.
pub fn install_catalogue(config: &Config) -> Result<(), String> {
    if let Some(path) = &config.catalogue {
        let text = std::fs::read_to_string(path).map_err(|e| format!("catalogue {path}: {e}"))?;
        let catalogue = app::billing::catalogue::Catalogue::parse(&text)
            .map_err(|e| format!("catalogue {path}: {e}"))?;
        app::billing::catalogue::install(catalogue)
            .map_err(|_| "the catalogue was read twice".to_owned())?;
    }
    let Some(path) = &config.domain_extensions else {
        return Ok(());
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("domain_extensions {path}: {e}"))?;
    let table = app::products::domain::Extensions::parse(&text)
        .map_err(|e| format!("domain_extensions {path}: {e}"))?;
    app::products::domain::install(table)
        .map_err(|_| "the domain extension table was read twice".to_owned())
}
