//! Server functions of active sessions and the connection log.

use super::{ActiveSession, ConnectionPage};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "active_sessions")]
pub async fn active_sessions() -> Result<Vec<ActiveSession>, AppError> {
    crate::request::respond(server_side::list().await)
}

/// Ends one of my sessions (another device is signed out at its next request).
#[server(endpoint = "end_session")]
pub async fn end_session(session_id: i64) -> Result<(), AppError> {
    crate::request::respond(server_side::end(session_id).await)
}

/// Ends every session of mine except this one; returns how many ended.
#[server(endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    crate::request::respond(server_side::end_others().await)
}

/// My sign-in attempts, newest first; `before` is the cursor of the previous page.
#[server(endpoint = "connection_log")]
pub async fn connection_log(before: Option<i64>) -> Result<ConnectionPage, AppError> {
    crate::request::respond(server_side::connections(before).await)
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::{ActiveSession, ConnectionPage};
    use crate::account::api::current_session;
    use crate::account::store as accounts;
    use crate::activity::store::{connections_of, record_own};
    use crate::activity::ActivityAction;
    use crate::error::AppError;
    use crate::format;
    use crate::request;

    pub async fn list() -> Result<Vec<ActiveSession>, AppError> {
        let state = request::state()?;
        let (current, account) = current_session(&state).await?;
        let mut tx = state.db.read().await?;
        let sessions = accounts::sessions_of(&mut tx, account.id, state.now()).await?;
        tx.commit().await?;
        Ok(sessions
            .into_iter()
            .map(|s| ActiveSession {
                id: s.id,
                device: format::device(&s.user_agent),
                ip: s.ip,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                current: s.id == current.id,
                persistent: s.persistent,
            })
            .collect())
    }

    pub async fn end(session_id: i64) -> Result<(), AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let (current, account) = current_session(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        if !accounts::delete_user_session(&mut tx, account.id, session_id).await? {
            return Err(AppError::not_found("session"));
        }
        let detail = if session_id == current.id {
            "this session"
        } else {
            "another session"
        };
        record_own(
            &mut tx,
            ActivityAction::SessionEnded,
            account.id,
            detail,
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn end_others() -> Result<u64, AppError> {
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let (current, account) = current_session(&state).await?;
        let now = state.now();
        let mut tx = state.db.write().await?;
        let ended = accounts::delete_other_sessions(&mut tx, account.id, current.id).await?;
        let detail = format!("{ended} ended");
        record_own(
            &mut tx,
            ActivityAction::OtherSessionsEnded,
            account.id,
            &detail,
            &origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    }

    pub async fn connections(before: Option<i64>) -> Result<ConnectionPage, AppError> {
        let state = request::state()?;
        let (_, account) = current_session(&state).await?;
        let mut tx = state.db.read().await?;
        let page = connections_of(&mut tx, account.id, before).await?;
        tx.commit().await?;
        Ok(page)
    }
}
