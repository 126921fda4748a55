//! Per-request helpers for server functions: who is calling, from where, and how to answer.

use crate::error::AppError;
use crate::state::{AppState, CookieSecurity};
use crate::tokens;
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
        Self::from(&parts.headers, &parts.extensions, &parts.uri, trust_proxy)
    }

    pub fn from_request<B>(request: &http::Request<B>, trust_proxy: bool) -> Origin {
        Self::from(
            request.headers(),
            request.extensions(),
            request.uri(),
            trust_proxy,
        )
    }

    fn from(
        headers: &HeaderMap,
        extensions: &http::Extensions,
        uri: &http::Uri,
        trust_proxy: bool,
    ) -> Origin {
        let peer = extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let forwarded = trust_proxy.then(|| forwarded_client(headers)).flatten();
        let ip = forwarded.or(peer).unwrap_or_else(|| "unknown".to_owned());
        let user_agent: String = header_str(headers, "user-agent")
            .unwrap_or("")
            .chars()
            .take(USER_AGENT_MAX)
            .collect();
        let https = uri.scheme_str() == Some("https")
            || (trust_proxy && header_str(headers, "x-forwarded-proto") == Some("https"));
        Origin {
            ip,
            user_agent,
            https,
        }
    }
}

/// The client address that our own reverse proxy saw: the right-most `X-Forwarded-For`
/// entry, which the proxy appended. Everything left of it was sent by the client and can say
/// anything. Several headers count as one list, in order.
fn forwarded_client(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
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

pub fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the server function context");
        AppError::internal()
    })
}

pub fn origin(state: &AppState) -> Result<Origin, AppError> {
    Ok(Origin::from_parts(&parts()?, state.settings.trust_proxy))
}

/// The session token in the request's cookie, if it has a well-formed one.
pub fn session_token(state: &AppState) -> Result<Option<String>, AppError> {
    let parts = parts()?;
    let origin = Origin::from_parts(&parts, state.settings.trust_proxy);
    Ok(session_token_in(state, &parts.headers, &origin))
}

/// The session token in this request's cookies, if there is a well-formed one: the
/// `__Host-` cookie where cookies are Secure, the plain one elsewhere.
pub fn session_token_in(state: &AppState, headers: &HeaderMap, origin: &Origin) -> Option<String> {
    let secure = secure_cookies(state, origin);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| tokens::token_from_cookie_header(h, secure))
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
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(error.code.http_status());
        }
    }
    result
}

/// A redirect target taken from a link: only a path on this site.
pub fn safe_next(next: &str) -> Option<String> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
        && next.len() <= 200;
    ok.then(|| next.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin_of(forwarded: &[&str], trust_proxy: bool) -> Origin {
        let mut request = http::Request::builder().uri("/api/x");
        for value in forwarded {
            request = request.header("x-forwarded-for", *value);
        }
        let (parts, _) = request.body(()).unwrap_or_default().into_parts();
        Origin::from_parts(&parts, trust_proxy)
    }

    #[test]
    fn behind_a_proxy_the_client_is_the_entry_the_proxy_appended() {
        // The client wrote "6.6.6.6" itself; the proxy appended the address it saw.
        assert_eq!(origin_of(&["6.6.6.6, 203.0.113.7"], true).ip, "203.0.113.7");
        assert_eq!(
            origin_of(&["6.6.6.6", "203.0.113.7"], true).ip,
            "203.0.113.7"
        );
        assert_eq!(origin_of(&["203.0.113.7"], true).ip, "203.0.113.7");
        // Without a trusted proxy the header is ignored altogether.
        assert_eq!(origin_of(&["6.6.6.6"], false).ip, "unknown");
        assert_eq!(origin_of(&[" , "], true).ip, "unknown");
    }
}

/// The time zone a page is shown in: the person's own choice (their profile), else the one
/// their browser reported (the `steward_tz` cookie), else the operator's.
pub fn page_zone(headers: &HeaderMap, chosen: Option<&str>, now: i64) -> crate::format::Zone {
    let reported = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == crate::format::BROWSER_ZONE_COOKIE)
        .map(|(_, value)| value.trim());
    chosen
        .filter(|name| !name.is_empty())
        .into_iter()
        .chain(reported)
        .find_map(|name| crate::format::Zone::named(name, now))
        .unwrap_or_else(crate::format::operator_zone)
}

/// The cookie that names a signed-out visitor's cart (`shop::guest`).
pub const GUEST_CART_COOKIE: &str = "steward_cart";

/// The value of cookie `name` in this request, if any.
pub fn cookie_value(name: &str) -> Option<String> {
    let parts = parts().ok()?;
    let found = parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.trim().to_owned());
    found
}

/// The `Set-Cookie` value of a guest cart (30 days), or the one that removes it (`None`).
pub fn guest_cart_cookie(token: Option<&str>, secure: bool) -> String {
    let mut value = match token {
        Some(token) => format!(
            "{GUEST_CART_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
            30 * 86_400
        ),
        None => format!("{GUEST_CART_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    };
    if secure {
        value.push_str("; Secure");
    }
    value
}
