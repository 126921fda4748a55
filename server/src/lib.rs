//! The HTTP host: wires the Leptos app, its server functions and the request-wide defences
//! (cross-site request refusal, body size limit, security headers, sign-in gate for pages).

pub mod config;

use app::access::authentication::authenticate_token;
use app::access::AVATAR_PATH;
use app::account::profile::{my_avatar, upload_avatar, AVATAR_MAX_BYTES};
use app::activity::ActivityFilter;
use app::error::{AppError, ErrorCode};
use app::organizations::activity::view::EXPORT_PATH;
use app::request::session_token_in;
use app::state::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::Query;
use axum::extract::{Path, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::collections::HashMap;
use std::sync::Arc;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Server function arguments are small forms; nothing legitimate comes near this.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// The app's routes, listed once per process. To list them, Leptos renders the app with
/// resource loading suppressed process-wide (leptos-rs/leptos#4773): a page another router of
/// the same process renders meanwhile would wait forever for its data. One server has one
/// router, but the tests build one per app, side by side.
static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();

pub fn router(state: AppState, options: LeptosOptions) -> Router {
    let routes = ROUTES.get_or_init(|| generate_route_list(App)).clone();
    let context_state = state.clone();
    let gate_state = state.clone();
    let security_state = state.clone();
    let avatar_state = state.clone();
    let export_state = state.clone();
    let invoice_state = state.clone();
    let device_state = state.clone();
    let root_state = state;
    let static_files = Arc::new(StaticFiles::scan(&options.site_root));
    Router::new()
        .route(
            "/",
            get(move |request: Request| root(root_state.clone(), request)),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route(DEVICE_AUTH_PATH, {
            let state = device_state.clone();
            post(move |request: Request| device_auth(state.clone(), request))
        })
        .route(EXPORT_PATH, {
            let state = export_state.clone();
            get(move |request: Request| export_activity(state.clone(), request))
        })
        .route(app::partners::EXPORT_PATH, {
            let state = export_state.clone();
            get(move |request: Request| export_billing_history(state.clone(), request))
        })
        .route(app::organizations::people::MEMBER_AVATAR_PATH, {
            let state = invoice_state.clone();
            get(move |request: Request| member_avatar(state.clone(), request))
        })
        .route(app::shop::INVOICE_PDF_PATH, {
            let state = invoice_state.clone();
            get(move |request: Request| invoice_pdf(state.clone(), request))
        })
        .route(AUTOCONFIG_PATH, {
            let state = invoice_state.clone();
            get(move |request: Request| mail_autoconfig(state.clone(), request))
        })
        .route(app::mailboxes::servers::APPLE_PROFILE_PATH, {
            let state = invoice_state.clone();
            get(move |request: Request| apple_profile(state.clone(), request))
        })
        .route(app::billing::QR_BILL_PDF_PATH, {
            let state = invoice_state.clone();
            get(move |request: Request| qr_bill_pdf(state.clone(), request))
        })
        .route(AVATAR_PATH, {
            let (read_state, write_state) = (avatar_state.clone(), avatar_state.clone());
            get(move |request: Request| avatar(read_state.clone(), request))
                .post(move |request: Request| upload_avatar_route(write_state.clone(), request))
        })
        .route("/security", {
            let state = security_state.clone();
            get(move |request: Request| account_page(state.clone(), request, "security".into()))
        })
        .route("/security/{*rest}", {
            let state = security_state.clone();
            get(move |Path(rest): Path<String>, request: Request| {
                account_page(state.clone(), request, format!("security/{rest}"))
            })
        })
        .leptos_routes_with_context(
            &options,
            routes,
            // Per rendered page: the state, and a fresh memo of the session and memberships its
            // server functions prove (read once per page, not once per function).
            move || {
                provide_context(context_state.clone());
                provide_context(app::access::authentication::PageMemo::default());
            },
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        // The build's files, served as they are (or their precompressed copy) with conditional
        // requests answered 304: what is revalidated costs a round trip, not a download.
        .nest_service(
            &format!("/{}", options.site_pkg_dir),
            tower_http::services::ServeDir::new(
                std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir),
            )
            .precompressed_br()
            .precompressed_gzip(),
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            sign_in_gate(gate_state.clone(), request, next)
        }))
        .layer(middleware::from_fn(server_functions))
        .layer(middleware::from_fn(refuse_cross_site))
        .layer(middleware::from_fn(no_store))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            cache_static_files(static_files.clone(), request, next)
        }))
        .layer(middleware::from_fn(limit_body))
        .layer(middleware::from_fn(retry_after_when_unavailable))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // HTML pages set their own policy with a per-response script nonce (app::shell);
        // everything else gets this one, which allows no inline script.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&app::content_security_policy(None))
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
        ))
        // Pages, server-function answers and anything else not already compressed, when the
        // browser accepts it: gzip at its fastest level, chosen by measurement (README "The
        // server": on the 62 KB products page, 126 µs for 17.2 KB against brotli's 624 µs for
        // 12.4 KB at tower-http's default quality — a fifth of the CPU for 5 KB more). Static
        // files come precompressed from the build (`cargo leptos build --precompress`, brotli at
        // its best, once) and keep their own encoding.
        .layer(
            CompressionLayer::new()
                .no_br()
                .gzip(true)
                .quality(CompressionLevel::Fastest)
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE_BYTES))),
        )
        // One span per request (method and path only: cookies and bodies are never logged).
        .layer(TraceLayer::new_for_http())
        .with_state(options)
}

/// Smaller answers go out as they are: compressing them saves less than it costs.
pub const COMPRESS_ABOVE_BYTES: u16 = 1024;

/// The static files a browser may keep, found when the server starts: under `/pkg`, the files
/// whose name carries the hash of their content (`steward.<hash>.wasm`: cargo-leptos names them
/// so with `hash-files`) — but only where the name still matches the content, checked here,
/// because the build rewrites some files (the loaders that name each other) after naming them;
/// those, and a build without hashes, are asked for again each time. And the public files at
/// the top of the site (the favicon).
#[derive(Clone, Debug, Default)]
pub struct StaticFiles {
    immutable: std::collections::HashSet<String>,
    public: std::collections::HashSet<String>,
}

/// The content hash in a built file's name (`steward.<hash>.wasm`), if it has one.
fn name_hash(name: &str) -> Option<&str> {
    name.split('.').find(|part| {
        part.len() == 22
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The one hash two files that name each other share (the main JS and the split loader, an
/// ES-module cycle; `scripts/name-by-content.mjs` names them): MD5 of both contents in name
/// order, with the shared hash written as 22 zeros.
fn joint_hash(group: &[&(std::path::PathBuf, String, String)], shared: &str) -> Option<String> {
    let mut sorted = group.to_vec();
    sorted.sort_by(|a, b| a.1.cmp(&b.1));
    let mut all = Vec::new();
    for (path, _, _) in sorted {
        let text = String::from_utf8(std::fs::read(path).ok()?).ok()?;
        all.extend_from_slice(text.replace(shared, &"0".repeat(22)).as_bytes());
    }
    Some(content_hash(&all))
}

/// The hash cargo-leptos puts in a file name: MD5 of the content, base64url without padding.
pub fn content_hash(bytes: &[u8]) -> String {
    use base64::Engine as _;
    use md5::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(md5::Md5::digest(bytes))
}

impl StaticFiles {
    pub fn scan(site_root: &str) -> StaticFiles {
        let mut found = StaticFiles::default();
        let files = |dir: std::path::PathBuf| {
            std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| Some((e.path(), e.file_name().into_string().ok()?)))
                .filter(|(_, name)| !name.ends_with(".br") && !name.ends_with(".gz"))
                .collect::<Vec<_>>()
        };
        let root = std::path::PathBuf::from(site_root);
        let pkg: Vec<(std::path::PathBuf, String, String)> = files(root.join("pkg"))
            .into_iter()
            .filter_map(|(path, name)| {
                let named = name_hash(&name)?.to_string();
                Some((path, name, named))
            })
            .collect();
        for (path, name, named) in &pkg {
            let holds = match std::fs::read(path) {
                Ok(bytes) => {
                    content_hash(&bytes) == *named || {
                        let group: Vec<_> = pkg.iter().filter(|(_, _, h)| h == named).collect();
                        group.len() == 2 && joint_hash(&group, named).as_deref() == Some(named)
                    }
                }
                Err(error) => {
                    tracing::warn!(%name, %error, "cannot read a static file");
                    false
                }
            };
            if holds {
                found.immutable.insert(format!("/pkg/{name}"));
            } else {
                tracing::debug!(%name, "named by a hash that is not its content's: revalidated");
            }
        }
        for (_, name) in files(root) {
            found.public.insert(format!("/{name}"));
        }
        found
    }

    /// The `Cache-Control` of a static file at `path`, or `None` for anything else.
    pub fn cache_control(&self, path: &str) -> Option<&'static str> {
        if self.immutable.contains(path) {
            Some("public, max-age=31536000, immutable")
        } else if path.starts_with("/pkg/") {
            Some("no-cache")
        } else if self.public.contains(path) {
            Some("public, max-age=86400")
        } else {
            None
        }
    }
}

/// Sets the cache policy of static files (see [`StaticFiles`]). Never on a page, and never over
/// a policy a handler already chose: a page stays `no-store` whatever its path looks like.
async fn cache_static_files(files: Arc<StaticFiles>, request: Request, next: Next) -> Response {
    let policy = (request.method() == Method::GET || request.method() == Method::HEAD)
        .then(|| files.cache_control(request.uri().path()))
        .flatten();
    let mut response = next.run(request).await;
    let Some(policy) = policy else {
        return response;
    };
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let served = matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED);
    if served && !html && !response.headers().contains_key(header::CACHE_CONTROL) {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        // The same name is sent as brotli, gzip or as it is: caches keep one per encoding.
        if !headers.contains_key(header::VARY) {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    response
}

/// Around every server function (`/api/…`; leptos_axum routes each one by its exact path):
/// deny by default — one without its row in the permission table (`policy::SERVER_FUNCTIONS`)
/// is never run — and answer with the status that the error's code names.
async fn server_functions(request: Request, next: Next) -> Response {
    let Some(endpoint) = request.uri().path().strip_prefix("/api/") else {
        return next.run(request).await;
    };
    if app::policy::server_function(endpoint).is_none() {
        tracing::error!(%endpoint, "no server function, or one without its row in policy::SERVER_FUNCTIONS");
        return error_response(AppError::not_found("server function"));
    }
    status_from_error_code(next.run(request).await).await
}

/// A server function that failed before its body ran (arguments missing, malformed, of the
/// wrong type, or not UTF-8) is answered by the server-function layer with 500 whatever the
/// cause. The body is our error, with its stable code: the status follows that code, so a
/// client's mistake is a 4xx and a 5xx means a fault on our side.
async fn status_from_error_code(response: Response) -> Response {
    if !response.status().is_server_error() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT_BYTES).await else {
        return error_response(AppError::internal());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.code.http_status();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The one JSON error answer outside a server function: the status its code names.
fn error_response(error: AppError) -> Response {
    json_error(error.code.http_status(), &error)
}

/// Whether a state-changing request may proceed: browsers say where a request comes from
/// (`Sec-Fetch-Site`, or `Origin` in older ones); anything from another site is refused.
/// Requests carrying neither come from programs, which cannot ride on a visitor's cookies.
pub fn same_site_request(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin") | Ok("none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let origin_host = origin.to_str().ok().and_then(|o| {
        o.split_once("://")
            .map(|(_, rest)| rest.trim_end_matches('/').to_owned())
    });
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if same_site_request(request.method(), request.headers()) {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        error_response(AppError::new(
            ErrorCode::CrossSite,
            "This request came from another website and was refused. Reload Steward and try again.",
        ))
    }
}

/// Pages and server-function answers are never stored by a browser or a proxy: they show one
/// person's data, and a page's script nonce is valid for that one response only.
async fn no_store(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if (api || html) && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Reads at most [`BODY_LIMIT_BYTES`] of a request body, whether or not it declared its length;
/// anything longer is refused with 413 before any handler sees it.
async fn limit_body(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    // A profile picture may be up to 5 MB (checked again, with its own message, when decoded).
    let limit = if parts.uri.path() == AVATAR_PATH {
        AVATAR_MAX_BYTES + 1
    } else {
        BODY_LIMIT_BYTES
    };
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) if parts.uri.path() == AVATAR_PATH => json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &AppError::validation(
                "avatar",
                "The picture is larger than 5 MB. Choose a smaller file.",
            ),
        ),
        Err(_) => json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &AppError::new(ErrorCode::Validation, "The request is too large."),
        ),
    }
}

/// Organization pages need a valid session: without one, go to the sign-in page first (or, for
/// a sign-in waiting for its second factor, back to that step). Every page also learns the time
/// zone its times are shown in (`app::request::page_zone`), which `app::shell` puts in it.
async fn sign_in_gate(state: AppState, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let page =
        request.method() == Method::GET && !path.starts_with("/api/") && !path.starts_with("/pkg/");
    let mut chosen_zone = None;
    if request.method() == Method::GET && path.starts_with("/o/") {
        let origin = app::request::Origin::from_request(&request, state.settings.trust_proxy);
        let outcome = match session_token_in(&state, request.headers(), &origin) {
            Some(token) => authenticate_token(&state, &token).await,
            None => Err(AppError::unauthenticated()),
        };
        match outcome {
            Ok(account) => chosen_zone = Some(account.time_zone),
            // A sign-in still owing its second factor goes back to that step.
            Err(e) if e.code == ErrorCode::SecondFactorRequired => {
                return Redirect::to("/login/two-factor").into_response()
            }
            // Not a reason to sign in again: the session may be fine once the database is back.
            Err(e) if e.code == ErrorCode::Unavailable => return unavailable_page(&path),
            Err(_) => return Redirect::to("/login").into_response(),
        }
    }
    if page {
        let zone = app::request::page_zone(request.headers(), chosen_zone.as_deref(), state.now());
        request.extensions_mut().insert(zone);
    }
    next.run(request).await
}

/// How long a client should wait before retrying an answer of 503 (the database unreachable,
/// or the password hasher at capacity).
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// Every 503 says when to try again, whoever produced it (a server function's `unavailable` or
/// `busy`, a page whose session could not be checked).
async fn retry_after_when_unavailable(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .entry(header::RETRY_AFTER)
            .or_insert(HeaderValue::from(RETRY_AFTER_SECONDS));
    }
    response
}

/// A page that cannot be served while the database is unreachable: 503, nothing lost, and the
/// person is not sent to sign in again (their session is likely fine).
fn unavailable_page(path: &str) -> Response {
    let error = AppError::unavailable();
    // Steward's own frame and stylesheet (no script: nothing to hydrate), and a way to try the
    // same page again.
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light\">\
         <link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.svg\">\
         <title>Temporarily unavailable – Steward</title><style>{}</style></head><body>\
         <main class=\"auth-page\" id=\"main\"><div class=\"auth-card\">\
         <p class=\"brand-large\">Steward</p><h1>Temporarily unavailable</h1>\
         <p role=\"alert\">{}</p><p><a class=\"button primary\" href=\"{}\">Try again</a></p>\
         </div></main></body></html>",
        app::STYLESHEET,
        app::format::escape_html(&error.message),
        app::format::escape_html(path),
    );
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Links in emails name pages of the account, not of an organization: `/security/…` opens that
/// page in the organization I land in, or the sign-in page that comes back here afterwards.
async fn account_page(state: AppState, request: Request, page: String) -> Response {
    let safe = page
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '-');
    if !safe {
        return StatusCode::NOT_FOUND.into_response();
    }
    let origin = app::request::Origin::from_request(&request, state.settings.trust_proxy);
    let signed_in = match session_token_in(&state, request.headers(), &origin) {
        Some(token) => authenticate_token(&state, &token).await.ok(),
        None => None,
    };
    let Some(account) = signed_in else {
        return Redirect::to(&format!("/login?next=/{page}")).into_response();
    };
    in_landing_organization(&state, account.id, &page).await
}

/// A redirect to `page` inside the organization the person lands in (the one used last, or the
/// one with the most to see).
async fn in_landing_organization(state: &AppState, user_id: i64, page: &str) -> Response {
    let landing = async {
        let mut tx = state.db.read().await?;
        let found = app::access::store::landing_organization(&mut tx, user_id).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(found)
    }
    .await;
    match landing {
        Ok(Some(organization)) => {
            let path = format!("/o/{organization}/{page}");
            Redirect::to(path.trim_end_matches('/')).into_response()
        }
        // Signed in, but in no organization (they left their last one).
        Ok(None) => Redirect::to("/welcome").into_response(),
        Err(error) if app::error::database_unreachable(&error) => {
            unavailable_page(&format!("/{page}"))
        }
        Err(error) => {
            tracing::error!(%error, "could not find the landing organization");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Body::from("Something went wrong on our side."),
            )
                .into_response()
        }
    }
}

/// An error as JSON with `status` (413 for a body over its limit, where the code says only
/// "validation"); [`error_response`] for the status the code names.
fn json_error(status: StatusCode, error: &AppError) -> Response {
    let body = serde_json::to_string(error).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// My profile picture (ACC-3): the stored 256×256 PNG, for me only.
async fn avatar(state: AppState, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let origin = app::request::Origin::from_parts(&parts, state.settings.trust_proxy);
    match my_avatar(&state, &parts.headers, &origin).await {
        Ok(Some(png)) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (
                    header::CACHE_CONTROL,
                    "private, max-age=31536000, immutable",
                ),
            ],
            png,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => error_response(error),
    }
}

/// A member's picture for the people of their organization:
/// `/people/avatar?organization=ID&user=ID&v=VERSION` (the version only changes the address).
async fn member_avatar(state: AppState, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let origin = app::request::Origin::from_parts(&parts, state.settings.trust_proxy);
    let Ok(Query(params)) = Query::<HashMap<String, String>>::try_from_uri(&parts.uri) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let id = |key: &str| params.get(key).and_then(|v| v.parse::<i64>().ok());
    let (Some(organization), Some(user)) = (id("organization"), id("user")) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let found = app::organizations::people::api::ssr::member_avatar(
        &state,
        &parts.headers,
        &origin,
        organization,
        user,
    )
    .await;
    match found {
        Ok(Some(png)) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (
                    header::CACHE_CONTROL,
                    "private, max-age=31536000, immutable",
                ),
            ],
            png,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => error_response(error),
    }
}

/// Upload of my profile picture: the file is the body. JSON back, like a server function.
async fn upload_avatar_route(state: AppState, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let origin = app::request::Origin::from_parts(&parts, state.settings.trust_proxy);
    let bytes = match axum::body::to_bytes(body, AVATAR_MAX_BYTES + 1).await {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => {
            return json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &AppError::validation("avatar", "The picture is larger than 5 MB."),
            )
        }
    };
    match upload_avatar(&state, &parts.headers, &origin, bytes).await {
        Ok(saved) => axum::Json(saved).into_response(),
        Err(error) => error_response(error),
    }
}

/// Where the operator's IMAP/SMTP servers check a device password (MAIL-4; README, "Mail
/// services"). Not a server function and not for browsers: it answers only a caller presenting
/// the operator's secret (`mail_auth_token`), and is closed when none is configured.
pub const DEVICE_AUTH_PATH: &str = "/mail/device-auth";

/// What the mail server sends: the address and the password its client typed, and the client's
/// IP address as the mail server saw it.
#[derive(serde::Deserialize)]
struct DeviceAuthRequest {
    address: String,
    password: String,
    #[serde(default)]
    remote_ip: String,
}

/// `200 {"allowed":true}`; `403 {"allowed":false,"reason":…,"message":…}` for a refusal; `429` for
/// too many refusals of the address; `401` without the operator's secret; `404` when closed.
async fn device_auth(state: AppState, request: Request) -> Response {
    use app::mailboxes::DeviceAnswer;
    let Some(expected) = state.settings.mail_auth_token.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (parts, body) = request.into_parts();
    let presented = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|token| app::tokens::hash_token(token.trim()));
    // Compared as hashes, in constant time: the secret itself is never compared byte by byte.
    if !presented.is_some_and(|p| app::tokens::same_hash(&p, &expected)) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let Ok(attempt) = serde_json::from_slice::<DeviceAuthRequest>(&bytes) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({
                "error": "Send JSON: {\"address\": …, \"password\": …, \"remote_ip\": …}"
            })),
        )
            .into_response();
    };
    // The client's address as the mail server saw it: required (the limits on guessing count
    // per client network), and an IP address.
    let remote_ip = match attempt.remote_ip.trim() {
        "" => return (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({
                "error": "remote_ip is required: the client's IP address as the mail server saw it"
            })),
        )
            .into_response(),
        text => match text.parse::<std::net::IpAddr>() {
            Ok(ip) => ip.to_string(),
            Err(_) => {
                return (
                    StatusCode::BAD_REQUEST,
                    axum::Json(serde_json::json!({ "error": "remote_ip is not an IP address" })),
                )
                    .into_response()
            }
        },
    };
    let answer = app::mailboxes::device::authenticate(
        &state,
        &app::mailboxes::device::Attempt {
            address: &attempt.address,
            password: &attempt.password,
            remote_ip: &remote_ip,
        },
    )
    .await;
    match answer {
        Ok(DeviceAnswer::Allowed) => {
            axum::Json(serde_json::json!({ "allowed": true })).into_response()
        }
        Ok(refused) => (
            if refused == DeviceAnswer::TooManyAttempts {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::FORBIDDEN
            },
            axum::Json(serde_json::json!({
                "allowed": false,
                "reason": refused.as_str(),
                "message": refused.message(),
            })),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(reason = %error.message, "device sign-in could not be checked");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// The CSV export of a filtered activity view (SEC-9), streamed: my own entries, or with
/// `organization=<id>` that organization's (for its legal representatives and administrators).
async fn export_activity(state: AppState, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let origin = app::request::Origin::from_parts(&parts, state.settings.trust_proxy);
    let Ok(Query(params)) = Query::<HashMap<String, String>>::try_from_uri(&parts.uri) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let text = |key: &str| params.get(key).cloned().unwrap_or_default();
    let organization = match params.get("organization").map(|o| o.parse::<i64>()) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => return StatusCode::NOT_FOUND.into_response(),
    };
    let filter = ActivityFilter {
        from: text("from"),
        to: text("to"),
        action: text("action"),
        product: text("product"),
        search: text("search"),
    };
    match app::organizations::activity::api::export(
        state,
        &parts.headers,
        &origin,
        organization,
        filter,
    )
    .await
    {
        Ok(stream) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"steward-activity.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            Body::from_stream(stream),
        )
            .into_response(),
        Err(error) => error_response(error),
    }
}

/// A partner's export of its customers' billing history (PAR-6), streamed:
/// `?organization=ID&history=invoices|renewals|cashback&from=YYYY-MM-DD&to=YYYY-MM-DD&customers=1,2`
/// (the period's last day excluded; empty fields: everything, all customers).
async fn export_billing_history(state: AppState, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let origin = app::request::Origin::from_parts(&parts, state.settings.trust_proxy);
    let Ok(Query(params)) = Query::<HashMap<String, String>>::try_from_uri(&parts.uri) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let text = |key: &str| params.get(key).cloned().unwrap_or_default();
    let Some(Ok(organization)) = params.get("organization").map(|o| o.parse::<i64>()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let wanted = match app::partners::export::Wanted::parse(
        &text("history"),
        &text("from"),
        &text("to"),
        &text("customers"),
    ) {
        Ok(wanted) => wanted,
        Err(error) => return error_response(error),
    };
    let disposition = format!("attachment; filename=\"{}\"", wanted.file_name());
    match app::partners::export::export(state, &parts.headers, &origin, organization, wanted).await
    {
        Ok(stream) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            Body::from_stream(stream),
        )
            .into_response(),
        Err(error) => error_response(error),
    }
}

/// A PDF made for the caller (file name and bytes), shown in the browser and never cached; or
/// the refusal with its status and stable code.
fn pdf_response(made: Result<(String, Vec<u8>), app::error::AppError>) -> Response {
    match made {
        Ok((name, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => error_response(error),
    }
}

/// An invoice as a PDF: `/invoice.pdf?organization=ID&invoice=ID`.
async fn invoice_pdf(state: AppState, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let origin = app::request::Origin::from_parts(&parts, state.settings.trust_proxy);
    let Ok(Query(params)) = Query::<HashMap<String, String>>::try_from_uri(&parts.uri) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let id = |key: &str| params.get(key).and_then(|v| v.parse::<i64>().ok());
    let (Some(organization), Some(invoice)) = (id("organization"), id("invoice")) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let made =
        app::shop::api::ssr::invoice_pdf(&state, &parts.headers, &origin, organization, invoice)
            .await;
    pdf_response(made)
}

/// The address of `?emailaddress=` and the operator's servers for it; 404 for what is not an
/// address.
#[allow(clippy::result_large_err)]
fn mail_servers_asked(
    state: &AppState,
    request: &Request,
) -> Result<(String, app::mailboxes::servers::MailServers), Response> {
    let Ok(Query(params)) = Query::<HashMap<String, String>>::try_from_uri(request.uri()) else {
        return Err(StatusCode::BAD_REQUEST.into_response());
    };
    let address = params.get("emailaddress").map(String::as_str).unwrap_or("");
    let Ok(address) = app::mail::normalize_email(address) else {
        return Err(StatusCode::NOT_FOUND.into_response());
    };
    let servers =
        app::mailboxes::servers::ServerTemplate::from_settings(&state.settings.mail_servers)
            .for_address(&address);
    Ok((address, servers))
}

/// An Apple profile for `?emailaddress=` without its password, served over https for iPhone and
/// iPad (which install profiles from a link, not from the data URL of the page): Mail asks for
/// the device password while installing it. Public, like Thunderbird's autoconfiguration.
async fn apple_profile(state: AppState, request: Request) -> Response {
    let (address, servers) = match mail_servers_asked(&state, &request) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let profile = servers.mobileconfig("Mail", None, app::mailboxes::servers::profile_id(&address));
    let disposition = format!(
        "attachment; filename=\"{}.mobileconfig\"",
        address.replace(
            |c: char| !(c.is_ascii_alphanumeric() || "@.-_".contains(c)),
            "_"
        )
    );
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/x-apple-aspen-config"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        profile,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Where Thunderbird looks for a domain's mail settings (`autoconfig.<domain>` pointed here).
const AUTOCONFIG_PATH: &str = "/.well-known/autoconfig/mail/config-v1.1.xml";

/// Thunderbird's autoconfiguration for `?emailaddress=`: the operator's IMAP and SMTP servers
/// for that address's domain (`mailboxes::servers`). Public, like the domain's MX records.
async fn mail_autoconfig(state: AppState, request: Request) -> Response {
    let (_, servers) = match mail_servers_asked(&state, &request) {
        Ok(found) => found,
        Err(response) => return response,
    };
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        servers.autoconfig_xml(),
    )
        .into_response()
}

/// A top-up's printable Swiss QR-bill: `/qr-bill.pdf?organization=ID&currency=CHF&amount=50`
/// (no amount: the payer fills it in).
async fn qr_bill_pdf(state: AppState, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let origin = app::request::Origin::from_parts(&parts, state.settings.trust_proxy);
    let Ok(Query(params)) = Query::<HashMap<String, String>>::try_from_uri(&parts.uri) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let Some(organization) = params
        .get("organization")
        .and_then(|v| v.parse::<i64>().ok())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let text = |key: &str| params.get(key).map(String::as_str).unwrap_or("");
    let currency = match text("currency") {
        "" => "CHF",
        other => other,
    };
    let made = app::billing::api::ssr::qr_bill_pdf(
        &state,
        &parts.headers,
        &origin,
        organization,
        currency,
        text("amount"),
    )
    .await;
    pdf_response(made)
}

/// `/` opens the organization I land in, or the sign-in page.
async fn root(state: AppState, request: Request) -> Response {
    let origin = app::request::Origin::from_request(&request, state.settings.trust_proxy);
    let Some(token) = session_token_in(&state, request.headers(), &origin) else {
        return Redirect::to("/login").into_response();
    };
    let Ok(account) = authenticate_token(&state, &token).await else {
        return Redirect::to("/login").into_response();
    };
    in_landing_organization(&state, account.id, "").await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn the_content_hash_is_the_one_cargo_leptos_names_files_with() {
        // base64url(MD5("")), unpadded: 22 characters.
        assert_eq!(content_hash(b""), "1B2M2Y8AsgTpgAmY7PhCfg");
    }

    #[test]
    fn cross_site_rules() {
        let post = Method::POST;
        assert!(same_site_request(
            &Method::GET,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(same_site_request(
            &post,
            &headers(&[("sec-fetch-site", "same-origin")])
        ));
        assert!(!same_site_request(
            &post,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(!same_site_request(
            &post,
            &headers(&[("sec-fetch-site", "same-site")])
        ));
        assert!(same_site_request(
            &post,
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ])
        ));
        assert!(!same_site_request(
            &post,
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:3000")
            ])
        ));
        assert!(!same_site_request(
            &post,
            &headers(&[("origin", "null"), ("host", "127.0.0.1:3000")])
        ));
        assert!(same_site_request(&post, &headers(&[])));
    }
}
