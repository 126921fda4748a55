//! One error type for every server function: a stable machine code plus a sentence for people.
//! It crosses the wire as JSON, so the browser shows exactly what the server decided.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// Stable error codes. Programs match on these; they never change meaning once released.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input is malformed or breaks a rule; `field` names the input when there is one.
    Validation,
    /// Unknown email or wrong password: deliberately one code for both.
    InvalidCredentials,
    /// No valid session.
    Unauthenticated,
    /// The password was right but the sign-in still owes its second factor.
    SecondFactorRequired,
    /// The object does not exist, or belongs to someone else (the two are indistinguishable).
    NotFound,
    /// Signed in and a member, but the role does not allow this action.
    Forbidden,
    /// A state-changing request that did not come from this site.
    CrossSite,
    /// The organization requires two-factor authentication and the caller has none yet (SEC-4):
    /// only setting it up (in Security) is open to them there.
    TwoFactorRequired,
    /// The server function changes something sensitive and the person has not confirmed it is
    /// them recently ("confirm it's you"): the account password again, then the same request.
    ConfirmationRequired,
    /// The object changed since the form was opened (another person, or another tab, saved
    /// first): nothing was overwritten; reload and make the change again.
    Stale,
    /// The email address is already registered.
    EmailTaken,
    /// The prepaid balance does not cover the payment (BIL-3): nothing was debited.
    InsufficientBalance,
    /// Too many failed sign-ins: the account is locked until unlocked by link or administrator.
    AccountLocked,
    /// Too many failed sign-ins from this address; retry later.
    RateLimited,
    /// The server is at capacity for expensive work (password hashing); retry shortly.
    Busy,
    /// The database cannot be reached (stopped, restarting, or every connection taken): nothing
    /// was changed; the answer says when to retry (`Retry-After`).
    Unavailable,
    /// The request could not be carried to or from the server.
    Transport,
    /// Something failed on our side; details are in the server log, never in the response.
    Internal,
}

#[cfg(feature = "ssr")]
impl ErrorCode {
    /// The HTTP status an error with this code is answered with.
    pub fn http_status(self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            ErrorCode::Validation | ErrorCode::EmailTaken => S::UNPROCESSABLE_ENTITY,
            ErrorCode::Stale | ErrorCode::InsufficientBalance => S::CONFLICT,
            ErrorCode::InvalidCredentials
            | ErrorCode::Unauthenticated
            | ErrorCode::SecondFactorRequired => S::UNAUTHORIZED,
            ErrorCode::NotFound => S::NOT_FOUND,
            ErrorCode::Forbidden
            | ErrorCode::CrossSite
            | ErrorCode::TwoFactorRequired
            | ErrorCode::ConfirmationRequired => S::FORBIDDEN,
            ErrorCode::AccountLocked => S::LOCKED,
            ErrorCode::RateLimited => S::TOO_MANY_REQUESTS,
            ErrorCode::Busy | ErrorCode::Unavailable => S::SERVICE_UNAVAILABLE,
            ErrorCode::Transport => S::BAD_REQUEST,
            ErrorCode::Internal => S::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// The form field the message belongs next to, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Validation,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }
    pub fn invalid_credentials() -> Self {
        Self::new(
            ErrorCode::InvalidCredentials,
            "The email address or the password is incorrect.",
        )
    }
    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "Your session has ended. Please sign in again.",
        )
    }
    pub fn second_factor_required() -> Self {
        Self::new(
            ErrorCode::SecondFactorRequired,
            "Finish signing in with your second factor first.",
        )
    }
    /// A pending sign-in that ended (expired, cancelled, too many wrong codes).
    pub fn sign_in_again() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "This sign-in has ended. Please sign in again with your password.",
        )
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(
            ErrorCode::NotFound,
            format!("This {what} does not exist or is not available to your account."),
        )
    }
    pub fn forbidden() -> Self {
        Self::new(
            ErrorCode::Forbidden,
            "Your role in this organization does not allow this action.",
        )
    }
    /// A save that started from an older version than the one stored.
    pub fn stale() -> Self {
        Self::new(
            ErrorCode::Stale,
            "This changed since you opened it: reload the page to see the latest version, then make your change again. Nothing was overwritten.",
        )
    }
    pub fn busy() -> Self {
        Self::new(
            ErrorCode::Busy,
            "The server is busy, try again in a moment.",
        )
    }
    pub fn unavailable() -> Self {
        Self::new(
            ErrorCode::Unavailable,
            "Steward cannot reach its database right now, so nothing was changed. Try again in a moment.",
        )
    }
    pub fn internal() -> Self {
        Self::new(
            ErrorCode::Internal,
            "Something went wrong on our side. Please try again.",
        )
    }
    /// The message to show next to `field`, if this error belongs there.
    pub fn for_field(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::new(
                ErrorCode::Transport,
                "The server could not be reached. Check your connection and try again.",
            ),
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => AppError::new(
                ErrorCode::Validation,
                "The form was incomplete or malformed. Please check it and try again.",
            ),
            _ => AppError::internal(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// Logged with where it happened: `?` passes its own place in the code. A database that
    /// cannot be reached is `unavailable` (503, retry later), not a fault of ours (500).
    #[track_caller]
    fn from(error: sqlx::Error) -> Self {
        let at = std::panic::Location::caller();
        if database_unreachable(&error) {
            tracing::warn!(%error, file = at.file(), line = at.line(), "database unreachable");
            return AppError::unavailable();
        }
        tracing::error!(%error, file = at.file(), line = at.line(), "database error");
        AppError::internal()
    }
}

/// Whether `error` says the database could not be reached rather than that a statement failed:
/// no connection to be had (refused, reset, timed out, pool closed at shutdown), or Postgres
/// ending or refusing the session (SQLSTATE class 08, connection exception; 57P01–57P03,
/// shutting down or starting up). Once it is back, the pool connects again by itself.
#[cfg(feature = "ssr")]
pub fn database_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => e.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_stable_snake_case() {
        let json = serde_json::to_string(&AppError::invalid_credentials()).unwrap_or_default();
        assert!(json.contains("\"code\":\"invalid_credentials\""), "{json}");
        let back: AppError = serde_json::from_str(&json).unwrap_or_else(|_| AppError::internal());
        assert_eq!(back, AppError::invalid_credentials());
    }

    #[test]
    fn an_unreachable_database_is_unavailable_and_a_failed_statement_internal() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(
            AppError::from(sqlx::Error::Io(refused)).code,
            ErrorCode::Unavailable
        );
        assert_eq!(
            AppError::from(sqlx::Error::PoolTimedOut).code,
            ErrorCode::Unavailable
        );
        assert_eq!(
            AppError::from(sqlx::Error::RowNotFound).code,
            ErrorCode::Internal
        );
        assert_eq!(
            AppError::from(sqlx::Error::ColumnNotFound("x".into())).code,
            ErrorCode::Internal
        );
    }

    #[test]
    fn statuses_follow_codes() {
        assert_eq!(ErrorCode::CrossSite.http_status().as_u16(), 403);
        assert_eq!(ErrorCode::ConfirmationRequired.http_status().as_u16(), 403);
        assert_eq!(ErrorCode::Busy.http_status().as_u16(), 503);
        assert_eq!(ErrorCode::Unavailable.http_status().as_u16(), 503);
        assert_eq!(ErrorCode::NotFound.http_status().as_u16(), 404);
        assert_eq!(ErrorCode::InvalidCredentials.http_status().as_u16(), 401);
    }
}
