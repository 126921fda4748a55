//! Server functions of application passwords and API tokens. All of them need the person,
//! signed in: a program's credential cannot mint or revoke credentials.

use super::{Credentials, NewSecret};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "my_credentials")]
pub async fn my_credentials() -> Result<Credentials, AppError> {
    MyCredentials::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let app_passwords = store::app_passwords(&mut tx, account.id).await?;
        let api_tokens = store::api_tokens(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(Credentials {
            app_passwords,
            api_tokens,
        })
    })
    .await
}

#[server(endpoint = "create_app_password")]
pub async fn create_app_password(name: String) -> Result<NewSecret, AppError> {
    CreateAppPassword::serve(|cx| async move {
        let account = cx.account()?;
        let name = normalize_name(&name)?;
        let secret = new_app_password();
        let hash = tokens::hash_token(&normalize_app_password(&secret));
        let mut tx = cx.write().await?;
        let id = store::insert_app_password(&mut tx, account.id, &name, &hash, cx.now()).await?;
        cx.log(&mut tx, Log::own(ActivityAction::AppPasswordCreated, &name))
            .await?;
        tx.commit().await?;
        Ok(NewSecret { id, name, secret })
    })
    .await
}

#[server(endpoint = "revoke_app_password")]
pub async fn revoke_app_password(id: i64) -> Result<(), AppError> {
    RevokeAppPassword::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.write().await?;
        let name = store::delete_app_password(&mut tx, account.id, id)
            .await?
            .ok_or_else(|| AppError::not_found("application password"))?;
        cx.log(&mut tx, Log::own(ActivityAction::AppPasswordRevoked, &name))
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// `scope` is `read` or `read_write`; `expires_in_days` empty for never.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    scope: String,
    expires_in_days: String,
) -> Result<NewSecret, AppError> {
    CreateApiToken::serve(|cx| async move {
        let account = cx.account()?;
        let name = normalize_name(&name)?;
        let scope = TokenScope::parse(&scope)
            .ok_or_else(|| AppError::validation("scope", "Choose read only, or read and write."))?;
        let days = parse_expiry_days(&expires_in_days)?;
        let (random, _) = tokens::new_token();
        let secret = format!("{TOKEN_PREFIX}{random}");
        let hash = tokens::hash_token(&secret);
        let mut tx = cx.write().await?;
        let id = store::insert_api_token(
            &mut tx,
            &store::NewToken {
                user_id: account.id,
                name: &name,
                token_hash: &hash,
                scope,
                at: cx.now(),
                expires_at: days.map(|d| cx.now() + d * 86_400),
            },
        )
        .await?;
        let detail = format!("{name} ({})", scope.label().to_lowercase());
        cx.log(&mut tx, Log::own(ActivityAction::ApiTokenCreated, &detail))
            .await?;
        tx.commit().await?;
        Ok(NewSecret { id, name, secret })
    })
    .await
}

#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    RevokeApiToken::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.write().await?;
        let name = store::delete_api_token(&mut tx, account.id, id)
            .await?
            .ok_or_else(|| AppError::not_found("API token"))?;
        cx.log(&mut tx, Log::own(ActivityAction::ApiTokenRevoked, &name))
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Revokes every application password and API token; returns how many.
#[server(endpoint = "revoke_all_credentials")]
pub async fn revoke_all_credentials() -> Result<u64, AppError> {
    RevokeAllCredentials::serve(|cx| async move {
        let account = cx.account()?;
        let mut tx = cx.write().await?;
        let n = crate::access::store::delete_all_credentials(&mut tx, account.id, true).await?;
        let detail = format!("{n} revoked");
        cx.log(
            &mut tx,
            Log::own(ActivityAction::CredentialsRevoked, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::{normalize_name, parse_expiry_days, store};
    pub(super) use crate::access::Log;
    pub(super) use crate::policy::TokenScope;
    pub(super) use crate::tokens::normalize_app_password;
    pub(super) use crate::tokens::TOKEN_PREFIX;

    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::tokens;

    pub(super) use rand::Rng;

    /// Four groups of four letters (about 79 bits), easy to type into a program's settings.
    pub(super) fn new_app_password() -> String {
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
        let mut rng = rand::rngs::OsRng;
        let groups: Vec<String> = (0..4)
            .map(|_| {
                (0..4)
                    .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                    .collect()
            })
            .collect();
        groups.join("-")
    }
}
