//! Server functions of the activity log (SEC-9): my own entries across my organizations, and
//! an organization's entries for its legal representatives and administrators, both filtered
//! and paged by keyset. The CSV export streams the same query (see [`export`]).

#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::activity::ActivityPage;
use crate::error::AppError;
use crate::invitations::ProductChoice;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the filter form offers in this organization.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FilterChoices {
    /// The organization's products I can reach.
    pub products: Vec<ProductChoice>,
    /// Whether I may read the whole organization's log.
    pub can_view_organization: bool,
}

#[cfg(feature = "ssr")]
fn filter(
    from: Option<String>,
    to: Option<String>,
    action: Option<String>,
    product: Option<String>,
    search: Option<String>,
) -> crate::activity::ActivityFilter {
    crate::activity::ActivityFilter {
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        action: action.unwrap_or_default(),
        product: product.unwrap_or_default(),
        search: search.unwrap_or_default(),
    }
}

/// My own entries across all organizations, newest first. Every filter may be left out;
/// `before` is the cursor from the previous page (`ActivityPage::older`).
#[server(endpoint = "my_activity")]
pub async fn my_activity(
    from: Option<String>,
    to: Option<String>,
    action: Option<String>,
    product: Option<String>,
    search: Option<String>,
    before: Option<i64>,
) -> Result<ActivityPage, AppError> {
    let filter = filter(from, to, action, product, search);
    MyActivity::serve(|cx| async move {
        let me = cx.account()?;
        let query = filter.parse()?;
        let mut tx = cx.read().await?;
        let page = store::page(&mut tx, Scope::Actor(me.id), &query, before).await?;
        tx.commit().await?;
        Ok(page)
    })
    .await
}

/// The organization's entries, whoever made them (legal representatives and administrators).
#[server(endpoint = "organization_activity")]
#[allow(clippy::too_many_arguments)]
pub async fn organization_activity(
    organization_id: i64,
    from: Option<String>,
    to: Option<String>,
    action: Option<String>,
    product: Option<String>,
    search: Option<String>,
    before: Option<i64>,
) -> Result<ActivityPage, AppError> {
    let filter = filter(from, to, action, product, search);
    OrganizationActivity::serve(|cx| async move {
        let query = filter.parse()?;
        let (mut tx, _) = cx.read_in(organization_id).await?;
        let scope = Scope::Organization(organization_id);
        let page = store::page(&mut tx, scope, &query, before).await?;
        tx.commit().await?;
        Ok(page)
    })
    .await
}

#[server(endpoint = "activity_filter_choices")]
pub async fn activity_filter_choices(organization_id: i64) -> Result<FilterChoices, AppError> {
    ActivityFilterChoices::serve(|cx| async move {
        let me = cx.account()?;
        let (mut tx, membership) = cx.read_in(organization_id).await?;
        let products = if membership.may(Action::ViewProducts) {
            let all = crate::invitations::store::product_choices(&mut tx, organization_id).await?;
            if membership.may(Action::ViewAllProducts) {
                all
            } else {
                // By id: a name is unique only per kind of product.
                let mine = crate::organizations::store::member_product_ids(
                    &mut tx,
                    organization_id,
                    me.id,
                )
                .await?;
                all.into_iter().filter(|p| mine.contains(&p.id)).collect()
            }
        } else {
            Vec::new()
        };
        tx.commit().await?;
        Ok(FilterChoices {
            products,
            can_view_organization: membership.may(Action::ViewActivity),
        })
    })
    .await
}

#[cfg(feature = "ssr")]
pub use ssr::export;

#[cfg(feature = "ssr")]
use ssr::{store, Scope};

#[cfg(feature = "ssr")]
use crate::policy::Action;

#[cfg(feature = "ssr")]
mod ssr {

    pub(super) use crate::access::authentication::authenticate_request;
    pub(super) use crate::activity::store::{self, Scope};
    pub(super) use crate::activity::{csv_row, ActivityFilter, CSV_HEADER};
    pub(super) use crate::error::AppError;
    pub(super) use crate::policy::{Action, Caller};

    pub(super) use crate::state::AppState;

    /// Rows fetched per round trip while exporting.
    pub(super) const EXPORT_BATCH: i64 = 1000;

    /// The CSV export (RFC 4180, UTF-8, CRLF) of a filtered view, as a stream of chunks: the
    /// header first, then one batch of rows at a time by keyset, so memory stays flat however
    /// long the log. `organization`: that organization's log (its legal representatives and
    /// administrators only); `None`: my own. The caller is authenticated by the session cookie
    /// in `headers`; everything is checked before the first byte is sent.
    pub async fn export(
        state: AppState,
        headers: &http::HeaderMap,
        origin: &crate::request::Origin,
        organization: Option<i64>,
        filter: ActivityFilter,
    ) -> Result<
        impl futures::Stream<Item = Result<String, std::io::Error>> + Send + 'static,
        AppError,
    > {
        let me = authenticate_request(&state, headers, origin, Caller::Reader).await?;
        let query = filter.parse()?;
        let scope = match organization {
            Some(id) => {
                let mut tx = state.db.read().await?;
                let now = state.now();
                crate::access::organization::authorize(
                    &mut tx,
                    id,
                    me.id,
                    Action::ViewActivity,
                    now,
                )
                .await?;
                tx.commit().await?;
                Scope::Organization(id)
            }
            None => Scope::Actor(me.id),
        };
        // (cursor, header sent, finished)
        let start = (None::<i64>, false, false);
        // Fused: the compression layer may poll once more after the end, which a bare
        // `unfold` answers with a panic.
        use futures::StreamExt as _;
        Ok(
            futures::stream::unfold(start, move |(cursor, started, done)| {
                let (state, query) = (state.clone(), query.clone());
                async move {
                    if done {
                        return None;
                    }
                    if !started {
                        return Some((Ok(CSV_HEADER.to_owned()), (cursor, true, false)));
                    }
                    let batch = async {
                        let mut tx = state.db.read().await?;
                        let rows =
                            store::search(&mut tx, scope, &query, cursor, EXPORT_BATCH).await?;
                        tx.commit().await?;
                        Ok::<_, sqlx::Error>(rows)
                    }
                    .await;
                    match batch {
                        Ok(rows) if rows.is_empty() => None,
                        Ok(rows) => {
                            let last = rows.last().map(|e| e.id);
                            let finished = (rows.len() as i64) < EXPORT_BATCH;
                            let mut chunk = crate::export::Chunk::new();
                            for row in &rows {
                                chunk.row(csv_row(row));
                            }
                            let text = chunk.finish();
                            Some((Ok(text), (last, true, finished)))
                        }
                        Err(error) => {
                            tracing::error!(%error, "activity export failed midway");
                            Some((
                                Err(std::io::Error::other("the export failed midway")),
                                (cursor, true, true),
                            ))
                        }
                    }
                }
            })
            .fuse(),
        )
    }
}
