//! Per-request helpers for server functions: who is calling, from where, and how to answer.

use crate::account::session;
use crate::error::AppError;
use crate::state::{AppState, CookieSecurity};
use http::request::Parts;
use http::{header, HeaderMap, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::net::SocketAddr;

/// Where a request came from, as recorded in sessions and the activity log.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub ip: String,
    pub user_agent: String,
    /// Arrived over https (directly, or per a trusted proxy).
    pub https: bool,
}

const USER_AGENT_MAX: usize = 512;

impl Origin {
    pub fn from_parts(parts: &Parts, trust_proxy: bool) -> Origin {
        let headers = &parts.headers;
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let forwarded = trust_proxy
            .then(|| header_str(headers, "x-forwarded-for"))
            .flatten()
            .and_then(|v| v.split(',').next().map(|s| s.trim().to_owned()))
            .filter(|s| !s.is_empty());
        let ip = forwarded.or(peer).unwrap_or_else(|| "unknown".to_owned());
        let user_agent: String = header_str(headers, "user-agent")
            .unwrap_or("")
            .chars()
            .take(USER_AGENT_MAX)
            .collect();
        let https = parts.uri.scheme_str() == Some("https")
            || (trust_proxy && header_str(headers, "x-forwarded-proto") == Some("https"));
        Origin {
            ip,
            user_agent,
            https,
        }
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The application state provided by the server.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::internal()
    })
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the server function context");
        AppError::internal()
    })
}

pub fn origin(state: &AppState) -> Result<Origin, AppError> {
    Ok(Origin::from_parts(&parts()?, state.settings.trust_proxy))
}

/// The session token in the request's cookie, if it has a well-formed one.
pub fn session_token() -> Result<Option<String>, AppError> {
    Ok(session_token_in(&parts()?.headers))
}

/// The session token in these request headers' cookies, if there is a well-formed one.
pub fn session_token_in(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(session::token_from_cookie_header)
        .map(str::to_owned)
}

/// The `Authorization` header, when a program sent one.
pub fn authorization() -> Result<Option<String>, AppError> {
    let parts = parts()?;
    Ok(parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned))
}

/// Whether cookies set on this response carry `Secure`.
pub fn secure_cookies(state: &AppState, origin: &Origin) -> bool {
    match state.settings.cookie_security {
        CookieSecurity::Always => true,
        CookieSecurity::Never => false,
        CookieSecurity::Auto => origin.https,
    }
}

pub fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
}

/// Ends every server function: an error also sets the HTTP status that matches its code.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        if let (Some(response), Ok(status)) = (
            use_context::<ResponseOptions>(),
            http::StatusCode::from_u16(error.code.http_status()),
        ) {
            response.set_status(status);
        }
    }
    result
}
