//! SQL for application passwords and API tokens.

use super::{ApiToken, AppPassword};
use crate::db::Tx;
use crate::db::{fetch_all, row, scalar_one, scalar_optional};
use crate::policy::TokenScope;

pub async fn app_passwords(tx: &mut Tx, user_id: i64) -> Result<Vec<AppPassword>, sqlx::Error> {
    const SQL: &str = "SELECT id, name, created_at, last_used_at FROM app_passwords WHERE user_id = $1 ORDER BY id";
    let rows: Vec<(i64, String, i64, Option<i64>)> = fetch_all!(tx, SQL, user_id)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at, last_used_at)| AppPassword {
            id,
            name,
            created_at,
            last_used_at,
        })
        .collect())
}

row! {
    /// An API token as listed.
    struct TokenRow {
        id: i64,
        name: String,
        scope: String,
        created_at: i64,
        expires_at: Option<i64>,
        last_used_at: Option<i64>,
    }
}

pub async fn api_tokens(tx: &mut Tx, user_id: i64) -> Result<Vec<ApiToken>, sqlx::Error> {
    const SQL: &str = "SELECT id, name, scope, created_at, expires_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY id";
    let rows: Vec<TokenRow> = fetch_all!(tx, SQL, user_id)?;
    Ok(crate::db::parsed(
        "api_tokens",
        rows,
        |TokenRow {
             id,
             name,
             scope,
             created_at,
             expires_at,
             last_used_at,
         }| {
            Some(ApiToken {
                id,
                name,
                scope: TokenScope::parse(&scope)?,
                created_at,
                expires_at,
                last_used_at,
            })
        },
    ))
}

pub async fn insert_app_password(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    secret_hash: &str,
    at: i64,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO app_passwords (user_id, name, secret_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    scalar_one!(tx, SQL, user_id, name, secret_hash, at)
}

pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub scope: TokenScope,
    pub at: i64,
    pub expires_at: Option<i64>,
}

pub async fn insert_api_token(tx: &mut Tx, token: &NewToken<'_>) -> Result<i64, sqlx::Error> {
    const SQL: &str =
        "INSERT INTO api_tokens (user_id, name, token_hash, scope, created_at, expires_at) \
                       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    scalar_one!(
        tx,
        SQL,
        token.user_id,
        token.name,
        token.token_hash,
        token.scope.as_str(),
        token.at,
        token.expires_at
    )
}

/// Deletes one of the person's application passwords; returns its name when there was one.
pub async fn delete_app_password(
    tx: &mut Tx,
    user_id: i64,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    const SQL: &str = "DELETE FROM app_passwords WHERE id = $1 AND user_id = $2 RETURNING name";
    scalar_optional!(tx, SQL, id, user_id)
}

pub async fn delete_api_token(
    tx: &mut Tx,
    user_id: i64,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    const SQL: &str = "DELETE FROM api_tokens WHERE id = $1 AND user_id = $2 RETURNING name";
    scalar_optional!(tx, SQL, id, user_id)
}
