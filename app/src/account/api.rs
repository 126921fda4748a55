//! Server functions of accounts: sign up, sign in, sign out, who am I.

use super::{SignUpStarted, SignedIn};
use crate::access::Account;
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

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
    company: Option<String>,
) -> Result<SignUpStarted, AppError> {
    SignUp::serve(|cx| async move {
        let remember: bool = remember.is_some();
        let company: String = company.unwrap_or_default();
        let email = normalize_email(&email)?;
        let first_name = normalize_name("first_name", "first name", &first_name)?;
        let last_name = normalize_name("last_name", "last name", &last_name)?;
        let organization_name = normalize_company(&company)?;
        check_new_password(&password, &email)?;
        // Hashed whether or not the address is free: the same work, the same answer.
        let password_hash = cx.state.passwords.hash(password).await?;
        let base = &cx.state.settings.public_url;
        let mut tx = cx.write().await?;
        match crate::access::store::credentials(&mut tx, &email).await? {
            Some((user_id, _)) => {
                // Taken: its owner learns of the attempt (at most once an hour), nobody else.
                record_own(
                    &mut tx,
                    ActivityAction::SignUpAttempted,
                    user_id,
                    "",
                    &cx.origin,
                    cx.now(),
                )
                .await?;
                if store::claim_sign_up_notice(&mut tx, user_id, cx.now()).await? {
                    let notice = crate::mail::messages::sign_up_attempted(&email, base)?;
                    crate::mail::store::enqueue(&mut tx, &notice, cx.now()).await?;
                }
            }
            // At most three confirmation emails an hour to one address: nobody can use
            // sign-up to flood a mailbox (the answer stays the same).
            None if store::pending_sign_ups_since(&mut tx, &email, cx.now() - 3600).await? >= 3 => {
            }
            None => {
                store::prune_pending_sign_ups(&mut tx, &email, cx.now()).await?;
                let (token, token_hash) = tokens::new_token();
                let id = store::insert_pending_sign_up(
                    &mut tx,
                    &store::NewPendingSignUp {
                        email: &email,
                        first_name: &first_name,
                        last_name: &last_name,
                        password_hash: &password_hash,
                        remember,
                        organization_name: &organization_name,
                        token_hash: &token_hash,
                        at: cx.now(),
                        expires_at: cx.now() + SIGN_UP_CONFIRMATION_SECONDS,
                    },
                )
                .await?;
                send_code(&mut tx, id, &email, &token, base, cx.now()).await?;
            }
        }
        tx.commit().await?;
        Ok(SignUpStarted { email })
    })
    .await
}

/// "Send the code again": a new code and link for the address's newest pending sign-up, at
/// most one a minute and three an hour (counted with sign-up's own emails). Like sign-up, the
/// answer does not say whether anything was waiting.
#[server(endpoint = "resend_sign_up_code")]
pub async fn resend_sign_up_code(email: String) -> Result<SignUpStarted, AppError> {
    ResendSignUpCode::serve(|cx| async move {
        let email = normalize_email(&email)?;
        let base = &cx.state.settings.public_url;
        let mut tx = cx.write().await?;
        if let Some((id, sent_at)) = store::newest_pending_sign_up(&mut tx, &email, cx.now()).await? {
            if cx.now() - sent_at < SIGN_UP_RESEND_SECONDS {
                return Err(AppError::new(
                    ErrorCode::RateLimited,
                    "A code was sent less than a minute ago. Give it a moment to arrive (and look in the spam folder) before asking again.",
                ));
            }
            if store::pending_sign_ups_since(&mut tx, &email, cx.now() - 3600).await? >= 3 {
                return Err(AppError::new(
                    ErrorCode::RateLimited,
                    "Three codes went to this address in the last hour. Use the newest email, or ask again in an hour.",
                ));
            }
            let (token, token_hash) = tokens::new_token();
            let expires_at = cx.now() + SIGN_UP_CONFIRMATION_SECONDS;
            let new_id =
                store::copy_pending_sign_up(&mut tx, id, &token_hash, cx.now(), expires_at).await?;
            send_code(&mut tx, new_id, &email, &token, base, cx.now()).await?;
            store::prune_pending_sign_ups(&mut tx, &email, cx.now()).await?;
        }
        tx.commit().await?;
        Ok(SignUpStarted { email })
    })
    .await
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
    ConfirmSignUp::serve(|cx| async move {
        let email: String = email.unwrap_or_default();
        let code: String = code.unwrap_or_default();
        let token: String = token.unwrap_or_default();
        let password: String = password.unwrap_or_default();
        crate::access::lockout::ensure_address_allowed(&cx.state, &cx.origin).await?;
        let pending = if !token.trim().is_empty() {
            if password.is_empty() {
                return Err(AppError::validation(
                    "password",
                    "Enter the password you chose when signing up.",
                ));
            }
            let token_hash = tokens::hash_token(token.trim());
            let mut tx = cx.write().await?;
            let found = store::attempt_pending_sign_ups(
                &mut tx,
                None,
                Some(&token_hash),
                cx.now(),
                SIGN_UP_CODE_ATTEMPTS,
            )
            .await?;
            tx.commit().await?;
            let found = found.into_iter().next().ok_or_else(confirmation_gone)?;
            let right = &cx
                .state
                .passwords
                .verify(password, Some(found.password_hash.clone()))
                .await?;
            let mut tx = cx.write().await?;
            if !right {
                crate::access::lockout::count_address_attempt(
                    &cx.state, &mut tx, &cx.origin, cx.now(),
                )
                .await?;
                tx.commit().await?;
                return Err(AppError::validation(
                    "password",
                    "This is not the password chosen when signing up.",
                ));
            }
            let pending = store::take_pending_sign_up(&mut tx, found.id, cx.now())
                .await?
                .ok_or_else(confirmation_gone)?;
            (pending, tx)
        } else {
            let email = normalize_email(&email)?;
            let code = normalize_code(&code).ok_or_else(|| {
                AppError::validation("code", "Enter the 6 digits from the email.")
            })?;
            let mut tx = cx.write().await?;
            // Every live pending sign-up of the address spends an attempt (five end them).
            let live = store::attempt_pending_sign_ups(
                &mut tx,
                Some(&email),
                None,
                cx.now(),
                SIGN_UP_CODE_ATTEMPTS,
            )
            .await?;
            let Some(found) = live
                .iter()
                .find(|p| p.code_hash.as_str() == code_hash(p.id, &code).as_str())
            else {
                // A wrong code also counts against the address, like a failed sign-in.
                crate::access::lockout::count_address_attempt(
                    &cx.state, &mut tx, &cx.origin, cx.now(),
                )
                .await?;
                tx.commit().await?;
                return Err(AppError::validation(
                    "code",
                    "This code is not right, or it has expired. Check the newest email from Steward.",
                ));
            };
            let pending = store::take_pending_sign_up(&mut tx, found.id, cx.now())
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
            at: cx.now(),
        };
        let (user_id, organization_id) =
            create_account(&mut tx, &new, Some(&pending.organization_name), &cx.origin).await?;
        cx.log(
            &mut tx,
            Log::own(ActivityAction::EmailConfirmed, "sign-up").by(user_id),
        )
        .await?;
        store::drop_pending_sign_ups(&mut tx, &pending.email).await?;
        if let Some(previous) = request::session_token(&cx.state)? {
            crate::access::store::delete_session(&mut tx, &tokens::hash_token(&previous)).await?;
        }
        let (cookie, _) = start_session(
            &cx.state,
            &mut tx,
            user_id,
            pending.remember,
            Stage::Full,
            &cx.origin,
        )
        .await?;
        tx.commit().await?;
        request::set_cookie(&cookie);
        // Came from the order page with a cart: it waits in the new organization's shop.
        let redirect = if request::cookie_value(request::GUEST_CART_COOKIE).is_some() {
            format!("/o/{organization_id}/billing/shop?added=1#cart")
        } else {
            format!("/o/{organization_id}")
        };
        Ok(SignedIn { redirect })
    })
    .await
}

/// Ends the current session.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    SignOut::serve(|cx| async move {
        if let Some(token) = request::session_token(&cx.state)? {
            let mut tx = cx.write().await?;
            if let Some(user_id) =
                crate::access::store::delete_session(&mut tx, &tokens::hash_token(&token)).await?
            {
                record_own(
                    &mut tx,
                    ActivityAction::SignOut,
                    user_id,
                    "",
                    &cx.origin,
                    cx.now(),
                )
                .await?;
            }
            tx.commit().await?;
        }
        request::set_cookie(&tokens::clearing_cookie(request::secure_cookies(
            &cx.state, &cx.origin,
        )));
        Ok(())
    })
    .await
}

/// The signed-in person's account.
#[server(endpoint = "my_account")]
pub async fn my_account() -> Result<Account, AppError> {
    MyAccount::serve(|cx| async move { Ok(cx.account()?.clone()) }).await
}

/// "Confirm it's you": the account password again. The current session then counts as
/// confirmed for `policy::CONFIRMATION_SECONDS`, for the server functions whose row asks it. A
/// wrong password counts like a failed sign-in (see `confirm_password`).
#[server(endpoint = "confirm_identity")]
pub async fn confirm_identity(password: String) -> Result<(), AppError> {
    ConfirmIdentity::serve(|cx| async move {
        confirm_password(&cx, password).await?;
        let session = cx.session()?.id;
        let mut tx = cx.write().await?;
        crate::access::store::confirm_session(&mut tx, session, cx.now()).await?;
        cx.log(&mut tx, Log::own(ActivityAction::IdentityConfirmed, ""))
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::{
        check_new_password, normalize_code, normalize_company, normalize_name, store,
        SIGN_UP_CODE_ATTEMPTS, SIGN_UP_CONFIRMATION_SECONDS, SIGN_UP_RESEND_SECONDS,
    };
    pub(super) use crate::access::authentication::start_session;
    pub(super) use crate::access::store::Stage;
    pub(super) use crate::access::{Context, Log};
    pub(super) use crate::activity::store::{record_in, record_own};
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::mail::normalize_email;
    pub(super) use crate::password::HashedPassword;
    pub(super) use crate::tokens;

    pub(super) use crate::db::Tx;
    pub(super) use crate::error::{AppError, ErrorCode};

    pub(super) use crate::policy::Role;
    pub(super) use crate::request::{self, Origin};
    pub(super) use crate::state::AppState;

    /// Checks the signed-in person's current password before a sensitive change. A wrong one
    /// counts like a failed sign-in — against the account's lockout and the address's
    /// throttle — so a stolen session cannot guess the password without limit; a locked
    /// account confirms nothing until it is unlocked.
    pub async fn confirm_password(cx: &Context, password: String) -> Result<(), AppError> {
        let (state, user_id) = (&cx.state, cx.account()?.id);
        if password.is_empty() {
            return Err(AppError::validation(
                "password",
                "Enter your current password.",
            ));
        }
        let origin = &cx.origin;
        crate::access::lockout::ensure_address_allowed(state, &origin).await?;
        let mut tx = state.db.read().await?;
        let stored = store::password_hash(&mut tx, user_id).await?;
        let locked = crate::access::store::locked_at(&mut tx, user_id)
            .await?
            .is_some();
        tx.commit().await?;
        if locked {
            return Err(crate::access::lockout::locked());
        }
        let valid = state
            .passwords
            .verify(password.clone(), stored.clone())
            .await?;
        let renewed = match valid {
            true => renewed_hash(state, password, stored).await,
            false => None,
        };
        let now = cx.now();
        let mut tx = state.db.write().await?;
        if valid {
            crate::access::store::reset_failures(&mut tx, user_id).await?;
            store_renewed_hash(&mut tx, user_id, renewed).await?;
            tx.commit().await?;
            return Ok(());
        }
        let count = crate::access::lockout::count_failure(
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
                crate::access::store::delete_session(&mut tx, &tokens::hash_token(&token)).await?;
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
            request::set_cookie(&tokens::clearing_cookie(request::secure_cookies(
                state, &origin,
            )));
            return Err(crate::access::lockout::locked());
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
        stored: Option<HashedPassword>,
    ) -> Option<(HashedPassword, HashedPassword)> {
        let stored = stored.filter(|s| crate::password::needs_rehash(s))?;
        // Busy is no reason to fail a sign-in: the hash is renewed at a later one.
        let new = state.passwords.hash(password).await.ok()?;
        Some((stored, new))
    }

    /// Stores a renewed hash, unless the password changed in between.
    pub async fn store_renewed_hash(
        tx: &mut Tx,
        user_id: i64,
        renewed: Option<(HashedPassword, HashedPassword)>,
    ) -> Result<(), AppError> {
        if let Some((old, new)) = renewed {
            store::set_password_hash_if(tx, user_id, &old, &new).await?;
        }
        Ok(())
    }

    /// Where a signed-in person lands: the organization they used last, or the one with the most
    /// to see (see `organizations::store::landing_organization`).
    pub async fn landing_page(tx: &mut Tx, user_id: i64) -> Result<String, AppError> {
        Ok(crate::access::store::landing_organization(tx, user_id)
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
        organization_name: Option<&str>,
        origin: &Origin,
    ) -> Result<(i64, i64), AppError> {
        let user_id = store::insert_user(tx, new).await?.ok_or_else(|| AppError {
            code: ErrorCode::EmailTaken,
            message: "An account with this email address already exists. Sign in instead.".into(),
            field: Some("email".into()),
        })?;
        let name = organization_name
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{} {}", new.first_name, new.last_name));
        let organization_id = crate::access::store::insert_organization(tx, &name, new.at).await?;
        crate::access::store::insert_membership(
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

    /// Gives the pending sign-up `id` its code and puts the email with the code and the link
    /// in the outbox.
    pub(super) async fn send_code(
        tx: &mut Tx,
        id: i64,
        email: &str,
        token: &str,
        base: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let code = confirmation_code();
        store::set_pending_code(tx, id, &code_hash(id, &code)).await?;
        let message = crate::mail::messages::confirm_sign_up(email, &code, base, token)?;
        crate::mail::store::enqueue(tx, &message, now).await?;
        Ok(())
    }

    /// Six random digits.
    pub(super) fn confirmation_code() -> String {
        use rand::Rng;
        format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000))
    }

    /// The stored form of a code: bound to its pending sign-up.
    pub(super) fn code_hash(id: i64, code: &str) -> tokens::TokenHash {
        tokens::hash_token(&format!("sign-up {id}: {code}"))
    }

    pub(super) fn confirmation_gone() -> AppError {
        AppError::new(
            ErrorCode::Validation,
            "This confirmation does not work any more: it was used already, or it is older than 24 hours. Sign up again to get a new one.",
        )
    }
}
