//! One harness for both databases: every scenario runs against the real router, on a fresh
//! in-memory SQLite database and on a fresh database in the throwaway Postgres cluster.

#![allow(dead_code)]

pub mod buyer;
pub mod snapshot;

use app::db::Db;
use app::password::PasswordHasher;
use app::state::{AppState, ManualClock, Settings};
use axum::body::Body;
use axum::Router;
use http::{header, HeaderMap, Method, Request, StatusCode};
use leptos::config::LeptosOptions;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub const START: i64 = 1_790_000_000;
pub const PASSWORD: &str = "a long and unusual phrase";

/// A server function call: name, session cookie, form fields.
pub type Call<'a> = (&'a str, Option<String>, Vec<(&'a str, String)>);

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    /// The DNS zone the server's lookups answer from.
    pub zone: Arc<app::dns::FakeZone>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as bytes, for answers that are not text (images).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }
    /// `steward_session=…` from the Set-Cookie header, ready for a Cookie header.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie()
            .and_then(|c| c.split(';').next().map(str::to_owned))
            .filter(|c| c.len() > "steward_session=".len())
    }
    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// The same statement code against whichever backend a test's transaction is on (the app's
/// `db::on_db!` is the crate's own; tests write their set-up SQL through this one).
macro_rules! on_db {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            app::db::Tx::Sqlite($c, _) => $body,
            app::db::Tx::Postgres($c, _) => $body,
        }
    };
}

/// How a scenario is run on each backend. Postgres is skipped (with a note) only when no test
/// cluster is configured and STEWARD_REQUIRE_POSTGRES is unset; the test command sets both.

macro_rules! on_every_backend {
    ($name:ident, $scenario:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::common::TestApp::sqlite().await;
                ($scenario)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::common::TestApp::postgres().await {
                    ($scenario)(app).await;
                }
            }
        }
    };
    ($name:ident, settings: $settings:expr, $scenario:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::common::TestApp::sqlite_with($settings).await;
                ($scenario)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::common::TestApp::postgres_with($settings).await {
                    ($scenario)(app).await;
                }
            }
        }
    };
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        Self::sqlite_with(Settings::default()).await
    }

    pub async fn postgres() -> Option<TestApp> {
        Self::postgres_with(Settings::default()).await
    }

    pub async fn sqlite_with(settings: Settings) -> TestApp {
        let db = Db::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        Self::build(db, PasswordHasher::new(2, 64), settings).await
    }

    pub async fn postgres_with(settings: Settings) -> Option<TestApp> {
        let db = fresh_postgres().await?;
        Some(Self::build(db, PasswordHasher::new(2, 64), settings).await)
    }

    pub async fn with_db(db: Db, hasher: PasswordHasher) -> TestApp {
        Self::build(db, hasher, Settings::default()).await
    }

    /// On SQLite, serving the static files of `site_root` (as the build lays them out).
    pub async fn sqlite_with_site(site_root: &str) -> TestApp {
        let db = Db::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        let mut app = Self::build(db, PasswordHasher::new(2, 64), Settings::default()).await;
        let mut options = leptos_options();
        options.site_root = site_root.into();
        app.router = server::router(app.state.clone(), options);
        app
    }

    async fn build(db: Db, hasher: PasswordHasher, settings: Settings) -> TestApp {
        let clock = Arc::new(ManualClock::new(START));
        // DNS answers from a zone the test fills (verified domains): never the network.
        let zone = Arc::new(app::dns::FakeZone::default());
        let state = AppState {
            db,
            passwords: Arc::new(hasher),
            pictures: Arc::new(app::workers::PictureDecoder::new(1, 4)),
            clock: clock.clone(),
            settings: Arc::new(settings),
            sms: None,
            places: None,
            dns: Some(zone.clone()),
        };
        let router = server::router(state.clone(), leptos_options());
        TestApp {
            router,
            state,
            clock,
            zone,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> Reply {
        self.send_bytes(method, path, headers, body.into_bytes())
            .await
    }

    /// Any request with a body of bytes, with exactly these headers.
    pub async fn send_bytes(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        dispatch(self.router.clone(), method, path.to_owned(), headers, body).await
    }

    /// A same-origin POST of raw bytes (a file upload), as the browser's fetch sends it.
    pub async fn upload(
        &self,
        path: &str,
        cookie: Option<&str>,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Reply {
        let mut headers = vec![
            ("content-type".to_owned(), content_type.to_owned()),
            ("sec-fetch-site".to_owned(), "same-origin".to_owned()),
            ("user-agent".to_owned(), USER_AGENT.to_owned()),
        ];
        if let Some(cookie) = cookie {
            headers.push(("cookie".to_owned(), cookie.to_owned()));
        }
        dispatch(
            self.router.clone(),
            Method::POST,
            path.to_owned(),
            headers,
            bytes,
        )
        .await
    }

    /// Calls a server function with extra request headers (a cookie, an Authorization header).
    pub async fn call_with(
        &self,
        name: &str,
        extra: &[(&str, &str)],
        form: &[(&str, &str)],
    ) -> Reply {
        let (path, mut headers, body) = browser_call(name, None, form);
        headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        dispatch(self.router.clone(), Method::POST, path, headers, body).await
    }

    /// Calls a server function the way the browser does: a same-origin form POST.
    pub async fn call(&self, name: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Reply {
        let (path, headers, body) = browser_call(name, cookie, form);
        dispatch(self.router.clone(), Method::POST, path, headers, body).await
    }

    /// The same calls at the same time, each on its own task (the runtime has several threads),
    /// so their transactions really overlap. Replies come back in the order of `calls`.
    pub async fn call_all(&self, calls: Vec<Call<'_>>) -> Vec<Reply> {
        let mut tasks = Vec::new();
        for (name, cookie, form) in calls {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (path, headers, body) = browser_call(name, cookie.as_deref(), &form);
            tasks.push(tokio::spawn(dispatch(
                self.router.clone(),
                Method::POST,
                path,
                headers,
                body,
            )));
        }
        let mut replies = Vec::new();
        for task in tasks {
            replies.push(task.await.expect("call task"));
        }
        replies
    }

    /// Signs up a new person, confirms the address with the emailed link, and returns their
    /// session cookie and personal organization id.
    pub async fn sign_up(&self, email: &str, first: &str, last: &str) -> (String, i64) {
        let reply = self
            .call(
                "sign_up",
                None,
                &[
                    ("email", email),
                    ("first_name", first),
                    ("last_name", last),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "sign-up failed: {}",
            reply.body
        );
        let confirmed = self.confirm_sign_up(email).await;
        assert_eq!(
            confirmed.status,
            StatusCode::OK,
            "confirmation failed: {}",
            confirmed.body
        );
        Self::signed_in(&confirmed)
    }

    /// Confirms the newest pending sign-up of `email` with its emailed link.
    pub async fn confirm_sign_up(&self, email: &str) -> Reply {
        let token = self
            .mailed_token(email, "/signup/confirm")
            .await
            .expect("a confirmation link in the outbox");
        self.call(
            "confirm_sign_up",
            None,
            &[("token", &token), ("password", PASSWORD)],
        )
        .await
    }

    /// The session cookie and organization id of a reply that signed someone in to their
    /// personal organization.
    pub fn signed_in(reply: &Reply) -> (String, i64) {
        let redirect = reply.json()["redirect"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let organization_id = redirect
            .trim_start_matches("/o/")
            .parse()
            .expect("redirect names the organization");
        (
            reply.session_cookie().expect("session cookie"),
            organization_id,
        )
    }

    /// The text column of every row `sql` returns.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        let mut tx = self.state.db.read().await.expect("read");
        let rows = on_db!(&mut tx, |c| sqlx::query_scalar::<_, String>(sql)
            .fetch_all(&mut **c)
            .await)
        .expect("texts");
        rows
    }

    /// The bodies of the outbox messages `condition` (SQL on `outbox`) selects, newest first,
    /// opened with this server's outbox key as the worker opens them ("" once erased).
    pub async fn mail_bodies(&self, condition: &str) -> Vec<String> {
        let sql = format!(
            "SELECT recipient, subject, body FROM outbox WHERE {condition} ORDER BY id DESC"
        );
        let mut tx = self.state.db.read().await.expect("read");
        let rows = on_db!(&mut tx, |c| sqlx::query_as::<_, (String, String, String)>(
            &sql
        )
        .fetch_all(&mut **c)
        .await)
        .expect("outbox");
        let key = self.state.db.outbox_key();
        rows.into_iter()
            .map(|(to, subject, body)| match body.as_str() {
                "" => String::new(),
                sealed => app::mail::seal::open(key, &to, &subject, sealed).expect("a sealed body"),
            })
            .collect()
    }

    /// The token of the last link to `path` (e.g. "/unlock") mailed to `email`, from the outbox.
    pub async fn mailed_token(&self, email: &str, path: &str) -> Option<String> {
        let bodies = self.mail_bodies(&format!("recipient = '{email}'")).await;
        let marker = format!("{path}?token=");
        bodies.iter().find_map(|body| {
            body.split(&marker).nth(1).map(|rest| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
        })
    }

    /// Makes the existing account `email` a member of the organization; returns its user id.
    pub async fn add_member(&self, organization: i64, email: &str, role: app::policy::Role) -> i64 {
        let user = self
            .count(&format!("SELECT id FROM users WHERE email = '{email}'"))
            .await;
        let mut tx = self.state.db.write().await.expect("tx");
        app::access::store::insert_membership(&mut tx, organization, user, role, 0)
            .await
            .expect("member");
        tx.commit().await.expect("commit");
        user
    }

    /// Active domain names with these names in the organization; returns their ids.
    pub async fn add_products(&self, organization: i64, names: &[&str]) -> Vec<i64> {
        use app::products::store::{insert, NewProduct};
        let now = self.state.now();
        let mut tx = self.state.db.write().await.expect("tx");
        let mut ids = Vec::new();
        for name in names {
            let product = NewProduct {
                organization_id: organization,
                kind: app::products::ProductKind::Domain,
                name,
                status: app::products::ProductStatus::Active,
                expires_at: None,
                holder: "Holder AG",
                at: now,
            };
            ids.push(insert(&mut tx, &product).await.expect("product"));
        }
        tx.commit().await.expect("commit");
        ids
    }

    /// The whole, unfiltered product list of an organization as the signed-in person sees it.
    pub async fn all_products(&self, cookie: &str, organization: &str) -> Reply {
        self.call(
            "list_products",
            Some(cookie),
            &[
                ("organization_id", organization),
                ("search", ""),
                ("kind", ""),
                ("status", ""),
                ("tag", ""),
                ("sort", ""),
            ],
        )
        .await
    }

    /// Turns on an authenticator app for the signed-in person (two-factor authentication);
    /// returns the backup codes that come with it.
    pub async fn turn_on_totp(&self, cookie: &str) -> Vec<String> {
        let started = self.call("start_totp_enrolment", Some(cookie), &[]).await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.body);
        let secret = app::two_factor::totp::decode_secret(
            started.json()["secret"].as_str().unwrap_or_default(),
        )
        .expect("secret");
        let code = app::two_factor::totp::code_at(
            &secret,
            app::two_factor::totp::DIGITS,
            self.state.now() as u64,
        );
        let confirmed = self
            .call(
                "confirm_totp_enrolment",
                Some(cookie),
                &[("code", &code), ("label", "Phone")],
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        confirmed.json()["codes"]
            .as_array()
            .map(|codes| {
                codes
                    .iter()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Signs in with the test password; returns the session cookie.
    pub async fn sign_in(&self, email: &str) -> String {
        self.sign_in_with(email, PASSWORD).await
    }

    pub async fn sign_in_with(&self, email: &str, password: &str) -> String {
        let reply = self
            .call("sign_in", None, &[("email", email), ("password", password)])
            .await;
        reply.session_cookie().expect("signed in")
    }

    /// Runs one statement in a transaction of its own (a test's set-up).
    pub async fn exec(&self, sql: &str) {
        let mut tx = self.state.db.write().await.expect("tx");
        on_db!(&mut tx, |c| sqlx::query(sql)
            .execute(&mut **c)
            .await
            .map(|_| ()))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        tx.commit().await.expect("commit");
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let mut tx = self.state.db.read().await.expect("read");
        let n = on_db!(&mut tx, |c| sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&mut **c)
            .await)
        .expect("count");
        n
    }
}

/// The Leptos options the test router runs with.
pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("steward")
        .site_root("target/site")
        .build()
}

pub const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36";

fn browser_call(
    name: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> (String, Vec<(String, String)>, String) {
    let body = serde_urlencoded::to_string(form).expect("form");
    let mut headers: Vec<(String, String)> = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("accept", "application/json"),
        ("sec-fetch-site", "same-origin"),
        ("user-agent", USER_AGENT),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if let Some(cookie) = cookie {
        headers.push(("cookie".into(), cookie.to_owned()));
    }
    (format!("/api/{name}"), headers, body)
}

async fn dispatch(
    router: Router,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: impl Into<Body>,
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:3000");
    for (name, value) in &headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let request = request.body(body.into()).expect("request");
    let response = router.oneshot(request).await.expect("router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 8 * 1024 * 1024)
        .await
        .unwrap_or_default();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
    }
}

/// The test SMTP server (aiosmtpd, started by scripts/test): a mailer that delivers to it and
/// the maildir where it stores what it received. `None` (with a note) when it is not running
/// and STEWARD_REQUIRE_SMTP is unset.
pub fn test_smtp() -> Option<(app::mail::deliver::Mailer, std::path::PathBuf)> {
    use app::mail::deliver::{MailSettings, Mailer, SmtpSecurity, Transport};
    let (Ok(port), Ok(maildir)) = (
        std::env::var("TEST_SMTP_PORT"),
        std::env::var("TEST_SMTP_MAILDIR"),
    ) else {
        assert!(
            std::env::var("STEWARD_REQUIRE_SMTP").is_err(),
            "STEWARD_REQUIRE_SMTP is set but TEST_SMTP_PORT/TEST_SMTP_MAILDIR are not"
        );
        eprintln!("note: no test SMTP server (scripts/test starts one); this check is skipped");
        return None;
    };
    let mailer = Mailer::new(&MailSettings {
        from: "Steward <steward@test.example>".into(),
        transport: Transport::Smtp {
            host: "127.0.0.1".into(),
            port: port.parse().expect("TEST_SMTP_PORT"),
            security: SmtpSecurity::None,
            credentials: None,
        },
    })
    .expect("mailer");
    Some((mailer, maildir.into()))
}

/// Every message in the maildir addressed to `recipient`, as raw text.
pub fn received(maildir: &std::path::Path, recipient: &str) -> Vec<String> {
    let mut found = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let to_line = text
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("to:"))
                .unwrap_or_default()
                .to_owned();
            if to_line.contains(recipient) {
                found.push(text);
            }
        }
    }
    found
}

/// A recipient address no other test uses.
pub fn unique_address(prefix: &str) -> String {
    use rand::Rng;
    format!(
        "{prefix}-{:012x}@test.example",
        rand::thread_rng().gen::<u64>() >> 16
    )
}

/// A new, empty database in the test cluster, so tests never see each other's rows.
/// A new database in the test cluster, copied from a template migrated once per process (each
/// test used to run every migration itself).
async fn fresh_postgres() -> Option<Db> {
    if std::env::var("TEST_POSTGRES_URL").is_err() {
        assert!(
            std::env::var("STEWARD_REQUIRE_POSTGRES").is_err(),
            "STEWARD_REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not"
        );
        eprintln!("note: TEST_POSTGRES_URL is not set; this Postgres run is skipped (scripts/test sets it)");
        return None;
    }
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let template = TEMPLATE
        .get_or_init(|| async {
            let name = postgres_name("steward_template");
            postgres_admin(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create the template database");
            let db = Db::connect(&postgres_url(&name))
                .await
                .expect("migrate the template database");
            db.close().await;
            name
        })
        .await;
    let name = postgres_name("steward_test");
    copy_postgres(template, &name).await;
    let db = Db::connect(&postgres_url(&name))
        .await
        .expect("connect to the test database");
    Some(db)
}

fn postgres_name(prefix: &str) -> String {
    use rand::Rng;
    format!("{prefix}_{:016x}", rand::thread_rng().gen::<u64>())
}

/// The URL of database `name` in the test cluster.
fn postgres_url(name: &str) -> String {
    let base = std::env::var("TEST_POSTGRES_URL").expect("TEST_POSTGRES_URL");
    let (prefix, _) = base.rsplit_once('/').expect("database URL has a path");
    format!("{prefix}/{name}")
}

/// One statement on the cluster's maintenance database.
async fn postgres_admin(sql: &str) -> Result<(), sqlx::Error> {
    let base = std::env::var("TEST_POSTGRES_URL").expect("TEST_POSTGRES_URL");
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&base)
        .await
        .expect("connect to the test cluster");
    let done = sqlx::query(sql).execute(&mut admin).await.map(|_| ());
    let _ = sqlx::Connection::close(admin).await;
    done
}

/// `CREATE DATABASE copy TEMPLATE template`. A template must have no session: one just closed
/// may take a moment to end on the server, so "being accessed by other users" is tried again.
async fn copy_postgres(template: &str, copy: &str) {
    let sql = format!("CREATE DATABASE {copy} TEMPLATE {template}");
    for _ in 0..200 {
        match postgres_admin(&sql).await {
            Ok(()) => return,
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55006") => {
                // Sessions of a pool just closed may linger: nothing uses them any more.
                let _ = postgres_admin(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = '{template}' AND pid <> pg_backend_pid()"
                ))
                .await;
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            Err(e) => panic!("{sql}: {e}"),
        }
    }
    panic!("{sql}: the template stayed in use");
}
