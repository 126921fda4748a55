//! Server functions of the activity log.

use super::ActivityPage;
use crate::error::AppError;
use leptos::prelude::*;

/// My own entries across all organizations, newest first. `before` is the cursor from the
/// previous page (`ActivityPage::older`).
#[server(endpoint = "my_activity")]
pub async fn my_activity(before: Option<i64>) -> Result<ActivityPage, AppError> {
    use crate::request::{respond, state};
    respond(
        async move {
            let state = state()?;
            let me = crate::account::api::authenticate(&state).await?;
            let mut tx = state.db.read().await?;
            let page = super::store::for_actor(&mut tx, me.id, before).await?;
            tx.commit().await?;
            Ok(page)
        }
        .await,
    )
}
