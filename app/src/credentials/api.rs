//! Server functions of application passwords and API tokens. All of them need the person,
//! signed in: a program's credential cannot mint or revoke credentials.

use super::{Credentials, NewSecret};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "my_credentials")]
pub async fn my_credentials() -> Result<Credentials, AppError> {
    crate::request::respond(server_side::list().await)
}

#[server(endpoint = "create_app_password")]
pub async fn create_app_password(name: String) -> Result<NewSecret, AppError> {
    crate::request::respond(server_side::create_app_password(name).await)
}

#[server(endpoint = "revoke_app_password")]
pub async fn revoke_app_password(id: i64) -> Result<(), AppError> {
    crate::request::respond(server_side::revoke(id, false).await)
}

/// `scope` is `read` or `read_write`; `expires_in_days` empty for never.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    scope: String,
    expires_in_days: String,
) -> Result<NewSecret, AppError> {
    crate::request::respond(server_side::create_api_token(name, scope, expires_in_days).await)
}

#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    crate::request::respond(server_side::revoke(id, true).await)
}

/// Revokes every application password and API token; returns how many.
#[server(endpoint = "revoke_all_credentials")]
pub async fn revoke_all_credentials() -> Result<u64, AppError> {
    crate::request::respond(server_side::revoke_all().await)
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::{
        normalize_app_password, normalize_name, parse_expiry_days, store, Credentials, NewSecret,
        TokenScope, TOKEN_PREFIX,
    };
    use crate::account::api::authenticate_in_person;
    use crate::account::session;
    use crate::activity::store::record_own as log;
    use crate::activity::ActivityAction;
    use crate::error::AppError;
    use crate::request;
    use rand::Rng;

    pub async fn list() -> Result<Credentials, AppError> {
        let state = request::state()?;
        let account = authenticate_in_person(&state).await?;
        let mut tx = state.db.read().await?;
        let app_passwords = store::app_passwords(&mut tx, account.id).await?;
        let api_tokens = store::api_tokens(&mut tx, account.id).await?;
        tx.commit().await?;
        Ok(Credentials {
            app_passwords,
            api_tokens,
        })
    }

    /// Four groups of four letters (about 79 bits), easy to type into a program's settings.
    fn new_app_password() -> String {
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

    pub async fn create_app_password(name: String) -> Result<NewSecret, AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_in_person(&state).await?;
        let name = normalize_name(&name)?;
        let secret = new_app_password();
        let hash = session::hash_token(&normalize_app_password(&secret));
        let now = state.now();
        let mut tx = state.db.write().await?;
        let id = store::insert_app_password(&mut tx, account.id, &name, &hash, now).await?;
        log(
            &mut tx,
            ActivityAction::AppPasswordCreated,
            account.id,
            &name,
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(NewSecret { id, name, secret })
    }

    pub async fn create_api_token(
        name: String,
        scope: String,
        expires_in_days: String,
    ) -> Result<NewSecret, AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_in_person(&state).await?;
        let name = normalize_name(&name)?;
        let scope = TokenScope::parse(&scope)
            .ok_or_else(|| AppError::validation("scope", "Choose read only, or read and write."))?;
        let days = parse_expiry_days(&expires_in_days)?;
        let (random, _) = session::new_token();
        let secret = format!("{TOKEN_PREFIX}{random}");
        let hash = session::hash_token(&secret);
        let now = state.now();
        let mut tx = state.db.write().await?;
        let id = store::insert_api_token(
            &mut tx,
            &store::NewToken {
                user_id: account.id,
                name: &name,
                token_hash: &hash,
                scope,
                at: now,
                expires_at: days.map(|d| now + d * 86_400),
            },
        )
        .await?;
        let detail = format!("{name} ({})", scope.label().to_lowercase());
        log(
            &mut tx,
            ActivityAction::ApiTokenCreated,
            account.id,
            &detail,
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(NewSecret { id, name, secret })
    }

    pub async fn revoke(id: i64, token: bool) -> Result<(), AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_in_person(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        let (deleted, action, what) = if token {
            (
                store::delete_api_token(&mut tx, account.id, id).await?,
                ActivityAction::ApiTokenRevoked,
                "API token",
            )
        } else {
            (
                store::delete_app_password(&mut tx, account.id, id).await?,
                ActivityAction::AppPasswordRevoked,
                "application password",
            )
        };
        let name = deleted.ok_or_else(|| AppError::not_found(what))?;
        log(&mut tx, action, account.id, &name, &origin, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn revoke_all() -> Result<u64, AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let account = authenticate_in_person(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        let n = store::delete_all(&mut tx, account.id, true).await?;
        let detail = format!("{n} revoked");
        log(
            &mut tx,
            ActivityAction::CredentialsRevoked,
            account.id,
            &detail,
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}
