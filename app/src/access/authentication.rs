//! Who is calling: a session cookie, or — for programs — an API token or an application
//! password in the `Authorization` header; and the doors of `policy::Caller` that let them in.
//! Reads nothing cached: every call goes to the database.

use crate::access::organization::Member;
use crate::access::store;
use crate::access::store::Stage;
use crate::access::store::StoredSession;
use crate::access::Account;
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::db::Tx;
use crate::error::{AppError, ErrorCode};
use crate::mail::normalize_email;
use crate::policy::Caller;
use crate::policy::TokenScope;
use crate::request::{self, Origin};
use crate::state::AppState;
use crate::tokens;
use crate::tokens::TOKEN_PREFIX;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// How the caller proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A signed-in person (session cookie).
    Session,
    /// A program with an application password (HTTP Basic).
    AppPassword,
    /// A program with an API token (`Authorization: Bearer`).
    ApiToken(TokenScope),
}

/// Someone who proved who they are.
#[derive(Clone, Debug)]
pub struct Proven {
    pub account: Account,
    pub via: Via,
    /// The signed-in session, when the proof was a session cookie.
    pub session: Option<StoredSession>,
}

/// Who is calling this server function: a full session (password and, where set up, the
/// second factor), an API token or an application password.
pub async fn caller(state: &AppState, origin: &Origin) -> Result<Proven, AppError> {
    if let Some(header) = request::authorization()? {
        let (account, via) = program(state, &header, origin).await?;
        return Ok(Proven {
            account,
            via,
            session: None,
        });
    }
    let token = request::session_token(state)?.ok_or_else(AppError::unauthenticated)?;
    let (session, account) = PageMemo::live_session(state, &token).await?;
    if !session.is_full() {
        return Err(AppError::second_factor_required());
    }
    Ok(Proven {
        account,
        via: Via::Session,
        session: Some(session),
    })
}

/// What a page's request proved, remembered for the rest of that request: a page renders
/// several server functions (at once), each behind its door, and each would otherwise read the
/// session, the person and their membership of the organization again. The first to ask reads;
/// the others wait for that answer. Provided fresh for each rendered page (`server::router`),
/// so it never outlives the request; a server function called over HTTP is alone in its
/// request and finds none. Only a live session is kept, with the hash of its token; a
/// membership is remembered only for functions that read (one that writes reads it again in
/// its own transaction, see `Context::write_in`).
#[derive(Clone, Default)]
pub struct PageMemo {
    session: Arc<OnceCell<(tokens::TokenHash, StoredSession, Account)>>,
    /// (person, organization) → their membership as the page's first reader found it.
    memberships: Arc<Mutex<HashMap<(i64, i64), Arc<OnceCell<Option<Member>>>>>>,
}

impl PageMemo {
    async fn live_session(
        state: &AppState,
        token: &str,
    ) -> Result<(StoredSession, Account), AppError> {
        let Some(memo) = leptos::prelude::use_context::<PageMemo>() else {
            return live_session(state, token).await;
        };
        let hash = tokens::hash_token(token);
        let (kept_hash, session, account) = memo
            .session
            .get_or_try_init(|| async {
                let (session, account) = live_session(state, token).await?;
                Ok::<_, AppError>((hash.clone(), session, account))
            })
            .await?;
        if !tokens::same_hash(kept_hash, &hash) {
            return live_session(state, token).await;
        }
        Ok((session.clone(), account.clone()))
    }

    /// The person's membership of the organization, for a function that only reads: read in
    /// `tx` by the page's first function to ask, remembered for the others.
    pub(crate) async fn membership(
        tx: &mut Tx,
        organization_id: i64,
        user_id: i64,
        now: i64,
    ) -> Result<Option<Member>, AppError> {
        let Some(memo) = leptos::prelude::use_context::<PageMemo>() else {
            return Ok(store::standing_in(tx, organization_id, user_id, now).await?);
        };
        let cell = memo
            .memberships
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry((user_id, organization_id))
            .or_default()
            .clone();
        let found = cell
            .get_or_try_init(|| async {
                Ok::<_, AppError>(store::standing_in(tx, organization_id, user_id, now).await?)
            })
            .await?;
        Ok(found.clone())
    }
}

/// Who is calling an HTTP route that is not a server function (a download, an upload),
/// from its request headers: the same credentials as [`caller`].
async fn caller_in(
    state: &AppState,
    headers: &http::HeaderMap,
    origin: &Origin,
) -> Result<(Account, Via), AppError> {
    if let Some(header) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return program(state, header, origin).await;
    }
    let token =
        request::session_token_in(state, headers, origin).ok_or_else(AppError::unauthenticated)?;
    Ok((authenticate_token(state, &token).await?, Via::Session))
}

/// The door of `policy::Caller` for whoever proved who they are: a read-only API token
/// does not write, and a program's credential never acts for the person in person.
pub fn admit(door: Caller, via: Via) -> Result<(), AppError> {
    match (door, via) {
        (Caller::InPerson, Via::AppPassword | Via::ApiToken(_)) => Err(AppError::new(
            ErrorCode::Forbidden,
            "Security settings can only be changed by the person, signed in to Steward, not with an API token or application password.",
        )),
        (Caller::Writer, Via::ApiToken(TokenScope::Read)) => Err(AppError::new(
            ErrorCode::Forbidden,
            "This API token can only read. Create a read-and-write token to make changes.",
        )),
        _ => Ok(()),
    }
}

/// For an HTTP route that is not a server function: its door (`policy::HTTP_ROUTES`),
/// with the credentials in these headers.
pub async fn authenticate_request(
    state: &AppState,
    headers: &http::HeaderMap,
    origin: &Origin,
    door: Caller,
) -> Result<Account, AppError> {
    let (account, via) = caller_in(state, headers, origin).await?;
    admit(door, via)?;
    Ok(account)
}

/// For an HTTP route that reaches into an organization (`Reach::Organization(action)`): the
/// door as above, then the caller's membership there for `action` — not found for a stranger,
/// forbidden for a role the table refuses, exactly as for server functions.
pub async fn authorize_request(
    state: &AppState,
    headers: &http::HeaderMap,
    origin: &Origin,
    door: Caller,
    organization_id: i64,
    action: crate::policy::Action,
) -> Result<(Account, crate::access::OrganizationSummary), AppError> {
    let account = authenticate_request(state, headers, origin, door).await?;
    let mut tx = state.db.read().await?;
    let membership = crate::access::organization::authorize(
        &mut tx,
        organization_id,
        account.id,
        action,
        state.now(),
    )
    .await?;
    tx.commit().await?;
    Ok((account, membership))
}

fn bad_program_credential() -> AppError {
    AppError::new(
        ErrorCode::Unauthenticated,
        "This API token or application password is not valid: it may have expired or been revoked.",
    )
}

/// A program's credential. An application password is the account's email and a secret
/// in HTTP Basic — guessable in the same way as the password — so a wrong one counts
/// against the account's lockout and the address's throttle, and a locked account's
/// application passwords stop working until it is unlocked. API tokens are 256-bit
/// bearer secrets, not guessable, and keep working while the account is locked: a lockout
/// can be set off by anyone who knows the address, and must not break the owner's
/// integrations (the owner revokes tokens from Security, or all at once with "This
/// wasn't me").
async fn program(
    state: &AppState,
    header: &str,
    origin: &Origin,
) -> Result<(Account, Via), AppError> {
    let now = state.now();
    let (kind, id, user_id, last_used, via) = if let Some(token) = header.strip_prefix("Bearer ") {
        let token = token.trim();
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
            return Err(bad_program_credential());
        }
        let mut tx = state.db.read().await?;
        let (id, user_id, scope, last_used) =
            crate::access::store::token_by_hash(&mut tx, &tokens::hash_token(token), now)
                .await?
                .ok_or_else(bad_program_credential)?;
        tx.commit().await?;
        let scope = TokenScope::parse(&scope).ok_or_else(bad_program_credential)?;
        ("token", id, user_id, last_used, Via::ApiToken(scope))
    } else if let Some(basic) = header.strip_prefix("Basic ") {
        let (id, user_id, last_used) = app_password(state, basic, origin, now).await?;
        ("password", id, user_id, last_used, Via::AppPassword)
    } else {
        return Err(bad_program_credential());
    };
    let mut tx = state.db.read().await?;
    let account = crate::access::store::account(&mut tx, user_id)
        .await?
        .ok_or_else(bad_program_credential)?;
    tx.commit().await?;
    // "Last used" is written at most once a minute.
    if last_used.is_none_or(|at| now - at >= 60) {
        let mut tx = state.db.write().await?;
        if kind == "token" {
            crate::access::store::touch_token(&mut tx, id, now).await?;
        } else {
            crate::access::store::touch_app_password(&mut tx, id, now).await?;
        }
        tx.commit().await?;
    }
    Ok((account, via))
}

/// Checks `email:secret` of HTTP Basic: `(id, user_id, last_used)` of the application
/// password, or a failure counted like a wrong password at sign-in.
async fn app_password(
    state: &AppState,
    basic: &str,
    origin: &Origin,
    now: i64,
) -> Result<(i64, i64, Option<i64>), AppError> {
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad_program_credential)?;
    let (email, secret) = decoded.split_once(':').ok_or_else(bad_program_credential)?;
    let email = normalize_email(email).map_err(|_| bad_program_credential())?;
    crate::access::lockout::ensure_address_allowed(state, origin).await?;
    let hash = tokens::hash_token(&crate::tokens::normalize_app_password(secret));
    let mut tx = state.db.read().await?;
    let found = crate::access::store::app_password_by_hash(&mut tx, &email, &hash).await?;
    let owner = crate::access::store::credentials(&mut tx, &email)
        .await?
        .map(|(id, _)| id);
    let locked = match owner {
        Some(user_id) => crate::access::store::locked_at(&mut tx, user_id)
            .await?
            .is_some(),
        None => false,
    };
    tx.commit().await?;
    match found {
        Some(found) if !locked => Ok(found),
        Some(_) => Err(crate::access::lockout::locked()),
        None => {
            let mut tx = state.db.write().await?;
            crate::access::lockout::count_failure(
                state,
                &mut tx,
                owner,
                "wrong application password",
                origin,
                now,
            )
            .await?;
            record(
                &mut tx,
                NewEntry {
                    action: ActivityAction::AppPasswordFailed,
                    actor_user_id: owner,
                    organization_id: None,
                    product_id: None,
                    detail: "",
                    origin,
                    at: now,
                },
            )
            .await?;
            tx.commit().await?;
            Err(bad_program_credential())
        }
    }
}

pub async fn authenticate_token(state: &AppState, token: &str) -> Result<Account, AppError> {
    let (session, account) = live_session(state, token).await?;
    if !session.is_full() {
        return Err(AppError::second_factor_required());
    }
    Ok(account)
}

/// The sign-in behind the request's cookie that still owes its second factor.
pub async fn pending_sign_in(
    state: &AppState,
) -> Result<(crate::access::store::StoredSession, Account), AppError> {
    let token = request::session_token(state)?.ok_or_else(AppError::sign_in_again)?;
    let (session, account) = live_session(state, &token)
        .await
        .map_err(|_| AppError::sign_in_again())?;
    if session.is_full() {
        return Err(AppError::new(
            ErrorCode::Validation,
            "You are already signed in.",
        ));
    }
    Ok((session, account))
}

/// The session of this token and its account, if it has not expired (absolute or idle).
async fn live_session(
    state: &AppState,
    token: &str,
) -> Result<(crate::access::store::StoredSession, Account), AppError> {
    let now = state.now();
    let hash = tokens::hash_token(token);
    let mut tx = state.db.read().await?;
    let found = crate::access::store::session_by_token_hash(&mut tx, &hash).await?;
    let Some(found) = found else {
        return Err(AppError::unauthenticated());
    };
    let idle_limit = if found.persistent && found.is_full() {
        state.settings.remembered_idle_seconds
    } else {
        state.settings.session_idle_seconds
    };
    let expired = now >= found.expires_at || now - found.last_seen_at >= idle_limit;
    let account = crate::access::store::account(&mut tx, found.user_id).await?;
    tx.commit().await?;
    if expired {
        let mut tx = state.db.write().await?;
        crate::access::store::delete_session_by_id(&mut tx, found.id).await?;
        tx.commit().await?;
        return Err(AppError::unauthenticated());
    }
    // Idle time is measured from the last request; write it at most once a minute.
    if now - found.last_seen_at >= 60 {
        let mut tx = state.db.write().await?;
        crate::access::store::touch_session(&mut tx, found.id, now).await?;
        tx.commit().await?;
    }
    let account = account.ok_or_else(AppError::unauthenticated)?;
    Ok((found, account))
}

/// Inserts a new session; returns the `Set-Cookie` value to send once committed, and the
/// session's id.
/// A pending sign-in (stage `SecondFactor`) lives a few minutes in a browser-session cookie
/// and remembers whether the full session it becomes should be persistent.
pub async fn start_session(
    state: &AppState,
    tx: &mut Tx,
    user_id: i64,
    remember: bool,
    stage: Stage,
    origin: &Origin,
) -> Result<(String, i64), AppError> {
    let now = state.now();
    let lifetime = match (stage, remember) {
        (Stage::SecondFactor, _) => SECOND_FACTOR_WINDOW_SECONDS,
        (Stage::Full, true) => state.settings.remembered_absolute_seconds,
        (Stage::Full, false) => state.settings.session_absolute_seconds,
    };
    let cookie_lifetime = (remember && stage == Stage::Full).then_some(lifetime);
    let (token, token_hash) = tokens::new_token();
    let id = crate::access::store::insert_session(
        tx,
        &crate::access::store::NewSession {
            user_id,
            token_hash: &token_hash,
            persistent: remember,
            stage,
            at: now,
            expires_at: now + lifetime,
            origin,
        },
    )
    .await?;
    let secure = request::secure_cookies(state, origin);
    Ok((tokens::cookie(&token, cookie_lifetime, secure), id))
}

/// How long the second step may take after the password was accepted.
pub const SECOND_FACTOR_WINDOW_SECONDS: i64 = 10 * 60;
