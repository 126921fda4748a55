//! The server functions of signing in: the password step, the second step (a code from the
//! authenticator app or a backup code), and the common tail both end with.

#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::account::SignedIn;
use crate::error::AppError;
use crate::two_factor::Challenge;
use leptos::prelude::*;

/// Signs in with email and password. One answer for every kind of failure.
#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<SignedIn, AppError> {
    SignIn::serve(|cx| async move {
        let remember: bool = remember.is_some();
        let email = normalize_email(&email)?;
        if password.is_empty() {
            return Err(AppError::validation("password", "Enter your password."));
        }
        let next = next.as_deref().and_then(safe_next);
        // An address that failed too often is refused before any hashing.
        lockout::ensure_address_allowed(&cx.state, &cx.origin).await?;
        let mut tx = cx.read().await?;
        let found = access::credentials(&mut tx, &email).await?;
        tx.commit().await?;
        let user_id = found.as_ref().map(|(id, _)| *id);
        let stored = found.map(|(_, hash)| hash);
        // Unknown accounts are checked against a dummy hash: same work, same answer.
        let valid = &cx
            .state
            .passwords
            .verify(password.clone(), stored.clone())
            .await?;
        let renewed = match valid {
            true => renewed_hash(&cx.state, password, stored).await,
            false => None,
        };
        let mut tx = cx.write().await?;
        // A sign-in always gets a fresh token: whatever session the browser carried ends here.
        if let Some(previous) = request::session_token(&cx.state)? {
            access::delete_session(&mut tx, &tokens::hash_token(&previous)).await?;
        }
        let log = |action, detail| NewEntry {
            action,
            actor_user_id: user_id,
            organization_id: None,
            product_id: None,
            detail,
            origin: &cx.origin,
            at: cx.now(),
        };
        let (user_id, true) = (user_id, valid) else {
            // Wrong password (or no such account): counted against the address and the
            // account. Even the failure that locks the account gets the generic answer; only
            // someone who knows the password learns that it is locked.
            lockout::count_failure(
                &cx.state,
                &mut tx,
                user_id,
                "wrong password",
                &cx.origin,
                cx.now(),
            )
            .await?;
            record(&mut tx, log(ActivityAction::SignInFailed, "wrong password")).await?;
            tx.commit().await?;
            return Err(AppError::invalid_credentials());
        };
        let Some(user_id) = user_id else {
            return Err(AppError::invalid_credentials());
        };
        if access::locked_at(&mut tx, user_id).await?.is_some() {
            record(&mut tx, log(ActivityAction::SignInFailed, "account locked")).await?;
            tx.commit().await?;
            return Err(lockout::locked());
        }
        store_renewed_hash(&mut tx, user_id, renewed).await?;
        if !two_factor::has_second_factor(&mut tx, user_id).await? {
            let account = access::account(&mut tx, user_id)
                .await?
                .ok_or_else(AppError::invalid_credentials)?;
            return finish_sign_in(&cx, tx, &account, remember, "password", next).await;
        }
        // The password was right; the session can do nothing but finish the sign-in.
        let (cookie, _) = start_session(
            &cx.state,
            &mut tx,
            user_id,
            remember,
            Stage::SecondFactor,
            &cx.origin,
        )
        .await?;
        record(&mut tx, log(ActivityAction::SecondFactorRequested, "")).await?;
        let redirect = match &next {
            Some(next) => format!("/login/two-factor?next={}", format::percent_encode(next)),
            None => "/login/two-factor".to_owned(),
        };
        tx.commit().await?;
        request::set_cookie(&cookie);
        Ok(SignedIn { redirect })
    })
    .await
}

/// For the second step of a sign-in: which proofs this person can give.
#[server(endpoint = "second_factor_challenge")]
pub async fn second_factor_challenge() -> Result<Challenge, AppError> {
    SecondFactorChallenge::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let challenge = proof::challenge(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(challenge)
    })
    .await
}

/// The second step of a sign-in: a code from the authenticator app or a backup code.
/// `proof` is `authenticator_app` or `backup_code`.
#[server(endpoint = "verify_second_factor")]
pub async fn verify_second_factor(
    proof: String,
    code: String,
    next: Option<String>,
) -> Result<SignedIn, AppError> {
    VerifySecondFactor::serve(|cx| async move {
        let proof = ProofKind::parse(&proof)?;
        let (pending, account) = (cx.session()?, cx.account()?);
        let user_id = account.id;
        let mut tx = cx.write().await?;
        let refusal = proof::check(&mut tx, user_id, proof, &code, cx.now())
            .await?
            .err();

        let clear_cookie = || {
            request::set_cookie(&tokens::clearing_cookie(request::secure_cookies(
                &cx.state, &cx.origin,
            )))
        };
        if let Some(refusal) = refusal {
            let what = match proof {
                ProofKind::AuthenticatorApp => "wrong authenticator app code",
                ProofKind::BackupCode => "wrong backup code",
            };
            cx.log(
                &mut tx,
                Log::own(ActivityAction::SecondFactorFailed, what).by(user_id),
            )
            .await?;
            // Wrong codes count toward the account's lockout like wrong passwords.
            let count = lockout::count_failure(
                &cx.state,
                &mut tx,
                Some(user_id),
                what,
                &cx.origin,
                cx.now(),
            )
            .await?;
            if count.is_some_and(|c| c.locked_at.is_some()) {
                access::delete_session_by_id(&mut tx, pending.id).await?;
                tx.commit().await?;
                clear_cookie();
                return Err(lockout::locked());
            }
            let failures = access::count_second_factor_failure(&mut tx, pending.id).await?;
            if failures >= SECOND_FACTOR_ATTEMPTS {
                access::delete_session_by_id(&mut tx, pending.id).await?;
                tx.commit().await?;
                clear_cookie();
                return Err(AppError::new(
                    ErrorCode::Unauthenticated,
                    "Too many wrong codes. Sign in again with your password.",
                ));
            }
            tx.commit().await?;
            return Err(refusal);
        }
        // The account may have been locked since the password was accepted.
        if access::locked_at(&mut tx, user_id).await?.is_some() {
            access::delete_session_by_id(&mut tx, pending.id).await?;
            tx.commit().await?;
            clear_cookie();
            return Err(lockout::locked());
        }

        // A new token for the full session: the pending one ends here.
        access::delete_session_by_id(&mut tx, pending.id).await?;
        let next = next.as_deref().and_then(safe_next);
        finish_sign_in(&cx, tx, account, pending.persistent, proof.label(), next).await
    })
    .await
}

/// Abandons a sign-in waiting for its second factor.
#[server(endpoint = "cancel_sign_in")]
pub async fn cancel_sign_in() -> Result<(), AppError> {
    CancelSignIn::serve(|cx| async move {
        if let Ok((pending, account)) = pending_sign_in(&cx.state).await {
            let mut tx = cx.write().await?;
            access::delete_session_by_id(&mut tx, pending.id).await?;
            cx.log(
                &mut tx,
                Log::own(ActivityAction::SignInCancelled, "").by(account.id),
            )
            .await?;
            tx.commit().await?;
        }
        request::set_cookie(&tokens::clearing_cookie(request::secure_cookies(
            &cx.state, &cx.origin,
        )));
        Ok(())
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use crate::access::authentication::{pending_sign_in, start_session};
    pub(super) use crate::access::lockout;
    pub(super) use crate::access::store::{self as access, Stage};
    pub(super) use crate::access::Log;
    pub(super) use crate::access::{Account, Context};
    pub(super) use crate::account::api::{landing_page, renewed_hash, store_renewed_hash};
    pub(super) use crate::account::SignedIn;
    pub(super) use crate::activity::store::{record, NewEntry};
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::{AppError, ErrorCode};
    pub(super) use crate::format;
    pub(super) use crate::mail::normalize_email;
    pub(super) use crate::request::{self, safe_next};
    pub(super) use crate::tokens;
    pub(super) use crate::two_factor::{
        proof, store as two_factor, ProofKind, SECOND_FACTOR_ATTEMPTS,
    };

    /// The common end of every sign-in — with the password alone, or with the password and then
    /// a second factor: a new full session, its log entry, the failure count reset and the
    /// sign-in alert (`lockout::on_success`), the transaction committed, the cookie set, and
    /// where to go (`next`, or the organization the person lands in).
    pub async fn finish_sign_in(
        cx: &Context,
        mut tx: Tx,
        account: &Account,
        remember: bool,
        method: &str,
        next: Option<String>,
    ) -> Result<SignedIn, AppError> {
        let (cookie, session_id) = start_session(
            &cx.state,
            &mut tx,
            account.id,
            remember,
            Stage::Full,
            &cx.origin,
        )
        .await?;
        cx.log(
            &mut tx,
            Log::own(ActivityAction::SignInSucceeded, method).by(account.id),
        )
        .await?;
        lockout::on_success(
            &cx.state,
            &mut tx,
            account,
            session_id,
            method,
            &cx.origin,
            cx.now(),
        )
        .await?;
        let redirect = match next {
            Some(next) => next,
            None => landing_page(&mut tx, account.id).await?,
        };
        tx.commit().await?;
        request::set_cookie(&cookie);
        Ok(SignedIn { redirect })
    }
}
