//! Server functions of active sessions and the connection log.

use super::ActiveSession;
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::activity::ConnectionPage;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "active_sessions")]
pub async fn active_sessions() -> Result<Vec<ActiveSession>, AppError> {
    ActiveSessions::serve(|cx| async move {
        let (current, account) = (cx.session()?, cx.account()?);
        let mut tx = cx.read().await?;
        let sessions = accounts::sessions_of(&mut tx, account.id, cx.now()).await?;
        tx.commit().await?;
        Ok(sessions
            .into_iter()
            .map(|s| ActiveSession {
                id: s.id,
                device: format::device(&s.user_agent),
                place: crate::places::shown(cx.state.places.as_deref(), &s.ip),
                ip: s.ip,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                current: s.id == current.id,
                persistent: s.persistent,
            })
            .collect())
    })
    .await
}

/// Ends one of my sessions (another device is signed out at its next request).
#[server(endpoint = "end_session")]
pub async fn end_session(session_id: i64) -> Result<(), AppError> {
    EndSession::serve(|cx| async move {
        let (current, account) = (cx.session()?, cx.account()?);
        let mut tx = cx.write().await?;
        if !accounts::delete_user_session(&mut tx, account.id, session_id).await? {
            return Err(AppError::not_found("session"));
        }
        let detail = if session_id == current.id {
            "this session"
        } else {
            "another session"
        };
        cx.log(&mut tx, Log::own(ActivityAction::SessionEnded, detail))
            .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Ends every session of mine except this one; returns how many ended.
#[server(endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    EndOtherSessions::serve(|cx| async move {
        let (current, account) = (cx.session()?, cx.account()?);
        let mut tx = cx.write().await?;
        let ended = accounts::delete_other_sessions(&mut tx, account.id, current.id).await?;
        let detail = format!("{ended} ended");
        cx.log(
            &mut tx,
            Log::own(ActivityAction::OtherSessionsEnded, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    })
    .await
}

/// My sign-in attempts, newest first; `before` is the cursor of the previous page.
#[server(endpoint = "connection_log")]
pub async fn connection_log(before: Option<i64>) -> Result<ConnectionPage, AppError> {
    ConnectionLog::serve(|cx| async move {
        let (_, account) = (cx.session()?, cx.account()?);
        let mut tx = cx.read().await?;
        let page = connections_of(&mut tx, account.id, before).await?;
        tx.commit().await?;
        Ok(page)
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {

    pub(super) use crate::access::Log;

    pub(super) use crate::account::store as accounts;
    pub(super) use crate::activity::store::connections_of;
    pub(super) use crate::activity::ActivityAction;

    pub(super) use crate::format;
}
