//! Server functions of accounts: sign up, sign in, sign out, who am I.

use super::{Account, SignUpStarted, SignedIn};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use server_side::*;

/// Starts a sign-up: the address gets a link and a 6-digit code; the account (with its
/// personal organization) exists once one of them comes back ([`confirm_sign_up`]). The answer
/// is the same for a free and a taken address; a taken one's owner gets a notice instead.
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    email: String,
    first_name: String,
    last_name: String,
    password: String,
    remember: Option<String>,
) -> Result<SignUpStarted, AppError> {
    crate::request::respond(
        server_side::sign_up(email, first_name, last_name, password, remember.is_some()).await,
    )
}

/// Confirms a sign-up's address — with `email` and the 6-digit `code` (on the sign-up page),
/// or with the emailed link's `token` and the `password` chosen at sign-up (so that whoever
/// opens a link they did not ask for cannot end up in an account someone else set up with
/// their address) — creates the account and signs the person in.
#[server(endpoint = "confirm_sign_up")]
pub async fn confirm_sign_up(
    email: Option<String>,
    code: Option<String>,
    token: Option<String>,
    password: Option<String>,
) -> Result<SignedIn, AppError> {
    crate::request::respond(
        server_side::confirm_sign_up(
            email.unwrap_or_default(),
            code.unwrap_or_default(),
            token.unwrap_or_default(),
            password.unwrap_or_default(),
        )
        .await,
    )
}

/// Signs in with email and password. One answer for every kind of failure.
#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<SignedIn, AppError> {
    crate::request::respond(server_side::sign_in(email, password, remember.is_some(), next).await)
}

/// Ends the current session.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::request::respond(server_side::sign_out().await)
}

/// The signed-in person's account.
#[server(endpoint = "my_account")]
pub async fn my_account() -> Result<Account, AppError> {
    crate::request::respond(
        async {
            let state = crate::request::state()?;
            authenticate(&state).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::{
        check_new_password, normalize_code, normalize_email, normalize_name, store, Account,
        SignUpStarted, SignedIn, SIGN_UP_CODE_ATTEMPTS, SIGN_UP_CONFIRMATION_SECONDS,
    };
    use crate::account::session;
    use crate::account::store::Stage;
    use crate::activity::store::{record, record_in, record_own, NewEntry};
    use crate::activity::ActivityAction;
    use crate::credentials::store as credentials;
    use crate::credentials::{TokenScope, TOKEN_PREFIX};
    use crate::db::Tx;
    use crate::error::{AppError, ErrorCode};
    use crate::format;
    use crate::organizations::store as organizations;
    use crate::policy::{Caller, Role};
    use crate::request::{self, Origin};
    use crate::safety::store as safety;
    use crate::safety::{guard, safe_next};
    use crate::security::store as security;
    use crate::security::SECOND_FACTOR_WINDOW_SECONDS;
    use crate::state::AppState;

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

    /// Who is calling: a session cookie, or — for programs — an API token or an application
    /// password in the `Authorization` header. Reads nothing cached: every call goes to the
    /// database.
    pub async fn caller(state: &AppState) -> Result<(Account, Via), AppError> {
        if let Some(header) = request::authorization()? {
            return program(state, &header, &request::origin(state)?).await;
        }
        let token = request::session_token(state)?.ok_or_else(AppError::unauthenticated)?;
        Ok((authenticate_token(state, &token).await?, Via::Session))
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
        let token = request::session_token_in(state, headers, origin)
            .ok_or_else(AppError::unauthenticated)?;
        Ok((authenticate_token(state, &token).await?, Via::Session))
    }

    /// The door of `policy::Caller` for whoever proved who they are: a read-only API token
    /// does not write, and a program's credential never acts for the person in person.
    fn admit(door: Caller, (account, via): (Account, Via)) -> Result<Account, AppError> {
        match (door, via) {
            (Caller::InPerson, Via::AppPassword | Via::ApiToken(_)) => Err(AppError::new(
                ErrorCode::Forbidden,
                "Security settings can only be changed by the person, signed in to Steward, not with an API token or application password.",
            )),
            (Caller::Writer, Via::ApiToken(TokenScope::Read)) => Err(AppError::new(
                ErrorCode::Forbidden,
                "This API token can only read. Create a read-and-write token to make changes.",
            )),
            _ => Ok(account),
        }
    }

    /// For server functions that only read: any valid credential.
    pub async fn authenticate(state: &AppState) -> Result<Account, AppError> {
        admit(Caller::Reader, caller(state).await?)
    }

    /// Like [`authenticate`], and whether the caller came in person (a browser session), for
    /// read answers with a part that is the person's own security: never shown to a program.
    pub async fn authenticate_reading(state: &AppState) -> Result<(Account, bool), AppError> {
        let (account, via) = caller(state).await?;
        let in_person = via == Via::Session;
        Ok((admit(Caller::Reader, (account, via))?, in_person))
    }

    /// For server functions that change something: a read-only token is refused.
    pub async fn authenticate_to_change(state: &AppState) -> Result<Account, AppError> {
        admit(Caller::Writer, caller(state).await?)
    }

    /// For the account's own security (passwords, methods, tokens, sessions): only the person,
    /// signed in; a program's credential never reaches these.
    pub async fn authenticate_in_person(state: &AppState) -> Result<Account, AppError> {
        admit(Caller::InPerson, caller(state).await?)
    }

    /// For an HTTP route that is not a server function: its door (`policy::HTTP_ROUTES`),
    /// with the credentials in these headers.
    pub async fn authenticate_request(
        state: &AppState,
        headers: &http::HeaderMap,
        origin: &Origin,
        door: Caller,
    ) -> Result<Account, AppError> {
        admit(door, caller_in(state, headers, origin).await?)
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
        let (kind, id, user_id, last_used, via) =
            if let Some(token) = header.strip_prefix("Bearer ") {
                let token = token.trim();
                if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
                    return Err(bad_program_credential());
                }
                let mut tx = state.db.read().await?;
                let (id, user_id, scope, last_used) =
                    credentials::token_by_hash(&mut tx, &session::hash_token(token), now)
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
        let account = store::account(&mut tx, user_id)
            .await?
            .ok_or_else(bad_program_credential)?;
        tx.commit().await?;
        // "Last used" is written at most once a minute.
        if last_used.is_none_or(|at| now - at >= 60) {
            let mut tx = state.db.write().await?;
            if kind == "token" {
                credentials::touch_token(&mut tx, id, now).await?;
            } else {
                credentials::touch_app_password(&mut tx, id, now).await?;
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
        guard::ensure_address_allowed(state, origin).await?;
        let hash = session::hash_token(&crate::credentials::normalize_app_password(secret));
        let mut tx = state.db.read().await?;
        let found = credentials::app_password_by_hash(&mut tx, &email, &hash).await?;
        let owner = store::credentials(&mut tx, &email).await?.map(|(id, _)| id);
        let locked = match owner {
            Some(user_id) => safety::locked_at(&mut tx, user_id).await?.is_some(),
            None => false,
        };
        tx.commit().await?;
        match found {
            Some(found) if !locked => Ok(found),
            Some(_) => Err(guard::locked()),
            None => {
                let mut tx = state.db.write().await?;
                guard::count_failure(
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

    /// Like [`authenticate`], with the session itself (to tell it apart from the others).
    pub async fn current_session(
        state: &AppState,
    ) -> Result<(store::StoredSession, Account), AppError> {
        // A program's credential is refused here as everywhere in the person's own security
        // (not found to be a session, which would read as "not signed in").
        if request::authorization()?.is_some() {
            authenticate_in_person(state).await?;
        }
        let token = request::session_token(state)?.ok_or_else(AppError::unauthenticated)?;
        let (session, account) = live_session(state, &token).await?;
        if !session.is_full() {
            return Err(AppError::second_factor_required());
        }
        Ok((session, account))
    }

    /// The sign-in behind the request's cookie that still owes its second factor.
    pub async fn pending_sign_in(
        state: &AppState,
    ) -> Result<(store::StoredSession, Account), AppError> {
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
    ) -> Result<(store::StoredSession, Account), AppError> {
        let now = state.now();
        let hash = session::hash_token(token);
        let mut tx = state.db.read().await?;
        let found = store::session_by_token_hash(&mut tx, &hash).await?;
        let Some(found) = found else {
            return Err(AppError::unauthenticated());
        };
        let idle_limit = if found.persistent && found.is_full() {
            state.settings.remembered_idle_seconds
        } else {
            state.settings.session_idle_seconds
        };
        let expired = now >= found.expires_at || now - found.last_seen_at >= idle_limit;
        let account = store::account(&mut tx, found.user_id).await?;
        tx.commit().await?;
        if expired {
            let mut tx = state.db.write().await?;
            store::delete_session_by_id(&mut tx, found.id).await?;
            tx.commit().await?;
            return Err(AppError::unauthenticated());
        }
        // Idle time is measured from the last request; write it at most once a minute.
        if now - found.last_seen_at >= 60 {
            let mut tx = state.db.write().await?;
            store::touch_session(&mut tx, found.id, now).await?;
            tx.commit().await?;
        }
        let account = account.ok_or_else(AppError::unauthenticated)?;
        Ok((found, account))
    }

    /// Checks the signed-in person's current password before a sensitive change. A wrong one
    /// counts like a failed sign-in — against the account's lockout and the address's
    /// throttle — so a stolen session cannot guess the password without limit; a locked
    /// account confirms nothing until it is unlocked.
    pub async fn confirm_password(
        state: &AppState,
        user_id: i64,
        password: String,
    ) -> Result<(), AppError> {
        if password.is_empty() {
            return Err(AppError::validation(
                "password",
                "Enter your current password.",
            ));
        }
        let origin = request::origin(state)?;
        guard::ensure_address_allowed(state, &origin).await?;
        let mut tx = state.db.read().await?;
        let stored = store::password_hash(&mut tx, user_id).await?;
        let locked = safety::locked_at(&mut tx, user_id).await?.is_some();
        tx.commit().await?;
        if locked {
            return Err(guard::locked());
        }
        let valid = state
            .passwords
            .verify(password.clone(), stored.clone())
            .await?;
        let renewed = match valid {
            true => renewed_hash(state, password, stored).await,
            false => None,
        };
        let now = state.now();
        let mut tx = state.db.write().await?;
        if valid {
            safety::reset_failures(&mut tx, user_id).await?;
            store_renewed_hash(&mut tx, user_id, renewed).await?;
            tx.commit().await?;
            return Ok(());
        }
        let count = guard::count_failure(
            state,
            &mut tx,
            Some(user_id),
            "wrong password when confirming a change",
            &origin,
            now,
        )
        .await?;
        // The session that guessed until the account locked is ended with it: the lock must
        // not shut out the owner while leaving the guesser in.
        let locked_now = count.is_some_and(|c| c.just_locked);
        if locked_now {
            if let Some(token) = request::session_token(state)? {
                store::delete_session(&mut tx, &session::hash_token(&token)).await?;
            }
        }
        record_own(
            &mut tx,
            ActivityAction::PasswordCheckFailed,
            user_id,
            "",
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        if locked_now {
            request::set_cookie(&session::clearing_cookie(request::secure_cookies(
                state, &origin,
            )));
            return Err(guard::locked());
        }
        Err(AppError::validation(
            "password",
            "This is not your current password.",
        ))
    }

    /// After the right password: when the stored hash was made with weaker parameters than
    /// today's, `(old, new)` — a hash with today's, computed here, outside any transaction.
    pub async fn renewed_hash(
        state: &AppState,
        password: String,
        stored: Option<String>,
    ) -> Option<(String, String)> {
        let stored = stored.filter(|s| crate::account::password::needs_rehash(s))?;
        // Busy is no reason to fail a sign-in: the hash is renewed at a later one.
        let new = state.passwords.hash(password).await.ok()?;
        Some((stored, new))
    }

    /// Stores a renewed hash, unless the password changed in between.
    pub async fn store_renewed_hash(
        tx: &mut Tx,
        user_id: i64,
        renewed: Option<(String, String)>,
    ) -> Result<(), AppError> {
        if let Some((old, new)) = renewed {
            store::set_password_hash_if(tx, user_id, &old, &new).await?;
        }
        Ok(())
    }

    /// Where a signed-in person lands: the organization they used last, or the one with the most
    /// to see (see `organizations::store::landing_organization`).
    pub async fn landing_page(tx: &mut Tx, user_id: i64) -> Result<String, AppError> {
        Ok(organizations::landing_organization(tx, user_id)
            .await?
            .map(|id| format!("/o/{id}"))
            .unwrap_or_else(|| "/".to_owned()))
    }

    /// Everything sign-up writes, in the caller's transaction: the user, their personal
    /// organization, the membership as legal representative and one activity entry.
    /// Returns the user id and the organization id.
    pub async fn create_account(
        tx: &mut Tx,
        new: &store::NewUser<'_>,
        origin: &Origin,
    ) -> Result<(i64, i64), AppError> {
        let user_id = store::insert_user(tx, new).await?.ok_or_else(|| AppError {
            code: ErrorCode::EmailTaken,
            message: "An account with this email address already exists. Sign in instead.".into(),
            field: Some("email".into()),
        })?;
        let name = format!("{} {}", new.first_name, new.last_name);
        let organization_id = organizations::insert_organization(tx, &name, new.at).await?;
        organizations::insert_membership(
            tx,
            organization_id,
            user_id,
            Role::LegalRepresentative,
            new.at,
        )
        .await?;
        record_in(
            tx,
            ActivityAction::SignUp,
            user_id,
            organization_id,
            "",
            origin,
            new.at,
        )
        .await?;
        Ok((user_id, organization_id))
    }

    pub async fn sign_up(
        email: String,
        first_name: String,
        last_name: String,
        password: String,
        remember: bool,
    ) -> Result<SignUpStarted, AppError> {
        let state = request::state()?;
        let email = normalize_email(&email)?;
        let first_name = normalize_name("first_name", "first name", &first_name)?;
        let last_name = normalize_name("last_name", "last name", &last_name)?;
        check_new_password(&password, &email)?;
        // Hashed whether or not the address is free: the same work, the same answer.
        let password_hash = state.passwords.hash(password).await?;
        let now = state.now();
        let base = &state.settings.public_url;
        let mut tx = state.db.write().await?;
        match store::credentials(&mut tx, &email).await? {
            Some((user_id, _)) => {
                // Taken: its owner learns of the attempt (at most once an hour), nobody else.
                record_own(
                    &mut tx,
                    ActivityAction::SignUpAttempted,
                    user_id,
                    "",
                    &request::origin(&state)?,
                    now,
                )
                .await?;
                if store::claim_sign_up_notice(&mut tx, user_id, now).await? {
                    let body = format!(
                        "Hello,\n\nSomeone just tried to create a Steward account with this email address ({email}). It already has an account, so nothing was created.\n\nIf it was you, sign in instead:\n{base}/login\n\nForgot your password? Choose a new one here:\n{base}/forgot-password\n\nIf it was not you, there is nothing to do: your account is unchanged.\n{signature}",
                        signature = crate::mail::signature(),
                    );
                    let notice = crate::mail::Email::new(
                        &email,
                        "Someone tried to create a Steward account with your address",
                        body,
                    )?;
                    crate::mail::store::enqueue(&mut tx, &notice, now).await?;
                }
            }
            // At most three confirmation emails an hour to one address: nobody can use
            // sign-up to flood a mailbox (the answer stays the same).
            None if store::pending_sign_ups_since(&mut tx, &email, now - 3600).await? >= 3 => {}
            None => {
                store::prune_pending_sign_ups(&mut tx, &email, now).await?;
                let (token, token_hash) = session::new_token();
                let id = store::insert_pending_sign_up(
                    &mut tx,
                    &store::NewPendingSignUp {
                        email: &email,
                        first_name: &first_name,
                        last_name: &last_name,
                        password_hash: &password_hash,
                        remember,
                        token_hash: &token_hash,
                        at: now,
                        expires_at: now + SIGN_UP_CONFIRMATION_SECONDS,
                    },
                )
                .await?;
                let code = confirmation_code();
                store::set_pending_code(&mut tx, id, &code_hash(id, &code)).await?;
                let body = format!(
                    "Hello,\n\nTo finish creating your Steward account, confirm that this address is yours: enter this code on the sign-up page\n\n    {code}\n\nor open this link (you will be asked for the password you chose):\n{base}/signup/confirm?token={token}\n\nBoth work for 24 hours. If you did not sign up for Steward, ignore this message: no account is created.\n{signature}",
                    signature = crate::mail::signature(),
                );
                let message = crate::mail::Email::new(
                    &email,
                    "Confirm your email address for Steward",
                    body,
                )?;
                crate::mail::store::enqueue(&mut tx, &message, now).await?;
            }
        }
        tx.commit().await?;
        Ok(SignUpStarted { email })
    }

    /// Six random digits.
    fn confirmation_code() -> String {
        use rand::Rng;
        format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000))
    }

    /// The stored form of a code: bound to its pending sign-up.
    fn code_hash(id: i64, code: &str) -> String {
        session::hash_token(&format!("sign-up {id}: {code}"))
    }

    fn confirmation_gone() -> AppError {
        AppError::new(
            ErrorCode::Validation,
            "This confirmation does not work any more: it was used already, or it is older than 24 hours. Sign up again to get a new one.",
        )
    }

    pub async fn confirm_sign_up(
        email: String,
        code: String,
        token: String,
        password: String,
    ) -> Result<SignedIn, AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let now = state.now();
        guard::ensure_address_allowed(&state, &origin).await?;
        let pending = if !token.trim().is_empty() {
            if password.is_empty() {
                return Err(AppError::validation(
                    "password",
                    "Enter the password you chose when signing up.",
                ));
            }
            let token_hash = session::hash_token(token.trim());
            let mut tx = state.db.write().await?;
            let found = store::attempt_pending_sign_ups(
                &mut tx,
                None,
                Some(&token_hash),
                now,
                SIGN_UP_CODE_ATTEMPTS,
            )
            .await?;
            tx.commit().await?;
            let found = found.into_iter().next().ok_or_else(confirmation_gone)?;
            let right = state
                .passwords
                .verify(password, Some(found.password_hash.clone()))
                .await?;
            let mut tx = state.db.write().await?;
            if !right {
                guard::count_address_attempt(&state, &mut tx, &origin, now).await?;
                tx.commit().await?;
                return Err(AppError::validation(
                    "password",
                    "This is not the password chosen when signing up.",
                ));
            }
            let pending = store::take_pending_sign_up(&mut tx, found.id, now)
                .await?
                .ok_or_else(confirmation_gone)?;
            (pending, tx)
        } else {
            let email = normalize_email(&email)?;
            let code = normalize_code(&code).ok_or_else(|| {
                AppError::validation("code", "Enter the 6 digits from the email.")
            })?;
            let mut tx = state.db.write().await?;
            // Every live pending sign-up of the address spends an attempt (five end them).
            let live = store::attempt_pending_sign_ups(
                &mut tx,
                Some(&email),
                None,
                now,
                SIGN_UP_CODE_ATTEMPTS,
            )
            .await?;
            let Some(found) = live.iter().find(|p| p.code_hash == code_hash(p.id, &code)) else {
                // A wrong code also counts against the address, like a failed sign-in.
                guard::count_address_attempt(&state, &mut tx, &origin, now).await?;
                tx.commit().await?;
                return Err(AppError::validation(
                    "code",
                    "This code is not right, or it has expired. Check the newest email from Steward.",
                ));
            };
            let pending = store::take_pending_sign_up(&mut tx, found.id, now)
                .await?
                .ok_or_else(confirmation_gone)?;
            (pending, tx)
        };
        let (pending, mut tx) = pending;
        let new = store::NewUser {
            email: &pending.email,
            first_name: &pending.first_name,
            last_name: &pending.last_name,
            password_hash: &pending.password_hash,
            at: now,
        };
        let (user_id, organization_id) = create_account(&mut tx, &new, &origin).await?;
        record_own(
            &mut tx,
            ActivityAction::EmailConfirmed,
            user_id,
            "sign-up",
            &origin,
            now,
        )
        .await?;
        store::drop_pending_sign_ups(&mut tx, &pending.email).await?;
        if let Some(previous) = request::session_token(&state)? {
            store::delete_session(&mut tx, &session::hash_token(&previous)).await?;
        }
        let (cookie, _) = start_session(
            &state,
            &mut tx,
            user_id,
            pending.remember,
            Stage::Full,
            &origin,
        )
        .await?;
        tx.commit().await?;
        request::set_cookie(&cookie);
        Ok(SignedIn {
            redirect: format!("/o/{organization_id}"),
        })
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
        let (token, token_hash) = session::new_token();
        let id = store::insert_session(
            tx,
            &store::NewSession {
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
        Ok((session::cookie(&token, cookie_lifetime, secure), id))
    }

    pub async fn sign_in(
        email: String,
        password: String,
        remember: bool,
        next: Option<String>,
    ) -> Result<SignedIn, AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let email = normalize_email(&email)?;
        if password.is_empty() {
            return Err(AppError::validation("password", "Enter your password."));
        }
        let next = next.as_deref().and_then(safe_next);
        // An address that failed too often is refused before any hashing.
        guard::ensure_address_allowed(&state, &origin).await?;
        let mut tx = state.db.read().await?;
        let found = store::credentials(&mut tx, &email).await?;
        tx.commit().await?;
        let user_id = found.as_ref().map(|(id, _)| *id);
        let stored = found.map(|(_, hash)| hash);
        // Unknown accounts are checked against a dummy hash: same work, same answer.
        let valid = state
            .passwords
            .verify(password.clone(), stored.clone())
            .await?;
        let renewed = match valid {
            true => renewed_hash(&state, password, stored).await,
            false => None,
        };

        let now = state.now();
        let mut tx = state.db.write().await?;
        // A sign-in always gets a fresh token: whatever session the browser carried ends here.
        if let Some(previous) = request::session_token(&state)? {
            store::delete_session(&mut tx, &session::hash_token(&previous)).await?;
        }
        let log = |action, detail| NewEntry {
            action,
            actor_user_id: user_id,
            organization_id: None,
            product_id: None,
            detail,
            origin: &origin,
            at: now,
        };
        let (user_id, true) = (user_id, valid) else {
            // Wrong password (or no such account): counted against the address and the
            // account. Even the failure that locks the account gets the generic answer; only
            // someone who knows the password learns that it is locked.
            guard::count_failure(&state, &mut tx, user_id, "wrong password", &origin, now).await?;
            record(&mut tx, log(ActivityAction::SignInFailed, "wrong password")).await?;
            tx.commit().await?;
            return Err(AppError::invalid_credentials());
        };
        let Some(user_id) = user_id else {
            return Err(AppError::invalid_credentials());
        };
        if safety::locked_at(&mut tx, user_id).await?.is_some() {
            record(&mut tx, log(ActivityAction::SignInFailed, "account locked")).await?;
            tx.commit().await?;
            return Err(guard::locked());
        }
        store_renewed_hash(&mut tx, user_id, renewed).await?;
        let (cookie, redirect) = if security::has_second_factor(&mut tx, user_id).await? {
            // The password was right; the session can do nothing but finish the sign-in.
            let (cookie, _) = start_session(
                &state,
                &mut tx,
                user_id,
                remember,
                Stage::SecondFactor,
                &origin,
            )
            .await?;
            record(&mut tx, log(ActivityAction::SecondFactorRequested, "")).await?;
            let redirect = match &next {
                Some(next) => format!("/login/two-factor?next={}", format::percent_encode(next)),
                None => "/login/two-factor".to_owned(),
            };
            (cookie, redirect)
        } else {
            let (cookie, session_id) =
                start_session(&state, &mut tx, user_id, remember, Stage::Full, &origin).await?;
            record(&mut tx, log(ActivityAction::SignInSucceeded, "password")).await?;
            let account = store::account(&mut tx, user_id)
                .await?
                .ok_or_else(AppError::invalid_credentials)?;
            guard::on_success(
                &state, &mut tx, &account, session_id, "password", &origin, now,
            )
            .await?;
            let redirect = match next {
                Some(next) => next,
                None => landing_page(&mut tx, user_id).await?,
            };
            (cookie, redirect)
        };
        tx.commit().await?;
        request::set_cookie(&cookie);
        Ok(SignedIn { redirect })
    }

    pub async fn sign_out() -> Result<(), AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        if let Some(token) = request::session_token(&state)? {
            let mut tx = state.db.write().await?;
            if let Some(user_id) =
                store::delete_session(&mut tx, &session::hash_token(&token)).await?
            {
                record_own(
                    &mut tx,
                    ActivityAction::SignOut,
                    user_id,
                    "",
                    &origin,
                    state.now(),
                )
                .await?;
            }
            tx.commit().await?;
        }
        request::set_cookie(&session::clearing_cookie(request::secure_cookies(
            &state, &origin,
        )));
        Ok(())
    }
}
