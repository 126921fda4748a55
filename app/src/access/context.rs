//! The request context every server function starts from. Its door and its reach come from the
//! function's own row in `policy::SERVER_FUNCTIONS`, looked up by the function's type, so a row
//! and its code cannot disagree: the body never picks an `authenticate` variant or an action.

use super::authentication::{self, PageMemo, Proven, Via};
use super::organization::{self, Member};
use crate::access::store::StoredSession;
use crate::access::Account;
use crate::activity::store::{record, NewEntry};
use crate::activity::ActivityAction;
use crate::db::Tx;
use crate::error::{AppError, ErrorCode};
use crate::policy::{self, Action, Caller, Reach, ServerFunction};
use crate::request::{self, Origin};
use crate::state::AppState;
use server_fn::ServerFn;
use std::future::Future;
use tracing::Instrument;

/// Who is calling, from where, at what time, through which row of the permission table.
pub struct Context {
    pub state: AppState,
    pub origin: Origin,
    /// The clock, read once: one instant for the whole call ([`Context::now`]).
    now: i64,
    pub row: &'static ServerFunction,
    /// Whoever the door let in: `None` for doors that let anyone in (the way in, emailed links)
    /// or only someone signed out.
    proven: Option<Proven>,
}

/// Every server function's body: `MyFunction::serve(|cx| body(cx, arguments…))`.
pub trait Serve: ServerFn {
    /// Runs the body behind this function's door, inside a span that names the function and
    /// the caller; an error also sets the HTTP status its code names.
    fn serve<T, Body>(
        body: impl FnOnce(Context) -> Body + Send,
    ) -> impl Future<Output = Result<T, AppError>> + Send
    where
        T: Send,
        Body: Future<Output = Result<T, AppError>> + Send,
    {
        let endpoint = Self::PATH.strip_prefix("/api/").unwrap_or(Self::PATH);
        let span = tracing::info_span!(
            "server_function",
            endpoint,
            account = tracing::field::Empty,
            organization = tracing::field::Empty
        );
        async move {
            let result = match Context::enter(endpoint).await {
                Ok(cx) => body(cx).await,
                Err(error) => Err(error),
            };
            request::respond(result)
        }
        .instrument(span)
    }
}

impl<F: ServerFn> Serve for F {}

impl Context {
    /// Finds the row and runs its door. A function without a row never runs (the dispatcher
    /// refuses it over HTTP; this refuses it when the server renders a page).
    async fn enter(endpoint: &str) -> Result<Context, AppError> {
        let row = policy::server_function(endpoint).ok_or_else(|| {
            tracing::error!("a server function without its row in policy::SERVER_FUNCTIONS");
            AppError::internal()
        })?;
        let state = request::state()?;
        let origin = request::origin(&state)?;
        let now = state.now();
        let proven = door(&state, &origin, row.caller)
            .await
            .inspect_err(|error| refused("door", error))?;
        if let Some(proven) = &proven {
            tracing::Span::current().record("account", proven.account.id);
        }
        if row.confirm {
            confirmed_recently(proven.as_ref(), now)
                .inspect_err(|error| refused("confirm", error))?;
        }
        Ok(Context {
            state,
            origin,
            now,
            row,
            proven,
        })
    }

    /// The call's instant: the clock as read once when the call came in. Bodies take their
    /// time from here, never from the clock, so a call sees one instant throughout.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The person (or the program's account) the door let in. Calling it behind a door that
    /// lets anyone in is a mistake in the code, answered as an internal error.
    pub fn account(&self) -> Result<&Account, AppError> {
        self.proven.as_ref().map(|p| &p.account).ok_or_else(|| {
            tracing::error!(endpoint = self.row.endpoint, "no caller behind this door");
            AppError::internal()
        })
    }

    /// The caller, if the door let anyone through who proved who they are.
    pub fn proven(&self) -> Option<&Proven> {
        self.proven.as_ref()
    }

    /// Whether the caller came in person (a browser session): parts of an answer that are the
    /// person's own security are never shown to a program.
    pub fn in_person(&self) -> bool {
        self.proven.as_ref().is_some_and(|p| p.via == Via::Session)
    }

    /// The session the caller came in with (the current one, among the person's sessions).
    pub fn session(&self) -> Result<&StoredSession, AppError> {
        self.proven
            .as_ref()
            .and_then(|p| p.session.as_ref())
            .ok_or_else(AppError::unauthenticated)
    }

    /// A transaction that only reads, for a row that reaches no organization (its own
    /// account, a link, the way in). A row that reaches an organization or a product enters
    /// through [`Context::read_in`] or [`Context::read_products`] instead: asked here, it is a
    /// mistake in the code, answered as an internal error before anything is read.
    pub async fn read(&self) -> Result<Tx, AppError> {
        self.outside_organizations()?;
        Ok(self.state.db.read().await?)
    }

    /// A transaction that writes: the change, its activity-log entry and its emails commit
    /// together or not at all. Like [`Context::read`], only for rows that reach no
    /// organization ([`Context::write_in`], [`Context::write_products`]).
    pub async fn write(&self) -> Result<Tx, AppError> {
        self.outside_organizations()?;
        Ok(self.state.db.write().await?)
    }

    /// Enters the organization the row reaches, to read: the transaction and the caller's
    /// membership, checked with the row's action for the member as they stand. Not a member:
    /// not found. A row reaching products enters here only when its body then names the
    /// products through [`Context::products_of`].
    /// On a rendered page the membership is read once for all the page's functions
    /// (`PageMemo`).
    pub async fn read_in(&self, organization_id: i64) -> Result<(Tx, Member), AppError> {
        let mut tx = self.state.db.read().await?;
        let action = self.action()?;
        let user_id = self.account()?.id;
        tracing::Span::current().record("organization", organization_id);
        let found = PageMemo::membership(&mut tx, organization_id, user_id, self.now).await?;
        let member = organization::allowed(found, action)
            .inspect_err(|error| refused("organization", error))?;
        Self::entered(&mut tx, &member);
        Ok((tx, member))
    }

    /// As [`Context::read_in`], with a transaction that writes; the membership is always read
    /// in that transaction.
    pub async fn write_in(&self, organization_id: i64) -> Result<(Tx, Member), AppError> {
        let mut tx = self.state.db.write().await?;
        let member = self.member(&mut tx, organization_id).await?;
        Ok((tx, member))
    }

    /// Enters a product row, to read: the organization as [`Context::read_in`], then each of
    /// `product_ids` through the one product-reach query ([`Context::products_of`]).
    pub async fn read_products(
        &self,
        organization_id: i64,
        product_ids: &[i64],
    ) -> Result<(Tx, Member), AppError> {
        let (mut tx, member) = self.read_in(organization_id).await?;
        self.products_of(&mut tx, &member, product_ids).await?;
        Ok((tx, member))
    }

    /// As [`Context::read_products`], with a transaction that writes (and, behind a door that
    /// writes, only products the caller may manage).
    pub async fn write_products(
        &self,
        organization_id: i64,
        product_ids: &[i64],
    ) -> Result<(Tx, Member), AppError> {
        let (mut tx, member) = self.write_in(organization_id).await?;
        self.products_of(&mut tx, &member, product_ids).await?;
        Ok((tx, member))
    }

    /// Refuses a bare transaction to a row whose reach is an organization's or a product's.
    fn outside_organizations(&self) -> Result<(), AppError> {
        match self.row.reach {
            Reach::Organization(_) | Reach::Product(_) => {
                tracing::error!(
                    endpoint = self.row.endpoint,
                    "a bare transaction asked for a row that reaches an organization"
                );
                Err(AppError::internal())
            }
            _ => Ok(()),
        }
    }

    /// The action of this function's reach (an organization's or a product's).
    fn action(&self) -> Result<Action, AppError> {
        match self.row.reach {
            Reach::Organization(action) | Reach::Product(action) => Ok(action),
            _ => {
                tracing::error!(
                    endpoint = self.row.endpoint,
                    "asked for a membership, but the row reaches no organization"
                );
                Err(AppError::internal())
            }
        }
    }

    /// The caller's membership of `organization_id`, if the row's action is allowed for the
    /// member as they stand. Not a member: not found.
    async fn member(&self, tx: &mut Tx, organization_id: i64) -> Result<Member, AppError> {
        let action = self.action()?;
        let user_id = self.account()?.id;
        tracing::Span::current().record("organization", organization_id);
        let member = organization::authorize(tx, organization_id, user_id, action, self.now)
            .await
            .inspect_err(|error| refused("organization", error))?;
        Self::entered(tx, &member);
        Ok(member)
    }

    /// Each of `product_ids` as the row's product reach finds it, through the one
    /// product-reach query (`access::store::reached_product`): the organization's product,
    /// reached by the person — every product for the roles that see them all, otherwise those
    /// given to them, with billing rights when the row's action is [`Action::UseBilling`] —
    /// and, behind a door that writes, managed: a product whose management is blocked only by
    /// those who may block it. An id outside that reach is not found. Only for rows whose reach
    /// is a product's; the entries [`Context::read_products`] and [`Context::write_products`]
    /// run it, a body calls it itself for products it names later (and words its own "not
    /// found").
    pub async fn products_of(
        &self,
        tx: &mut Tx,
        member: &Member,
        product_ids: &[i64],
    ) -> Result<(), AppError> {
        let Reach::Product(action) = self.row.reach else {
            tracing::error!(
                endpoint = self.row.endpoint,
                "asked for products, but the row's reach is not a product's"
            );
            return Err(AppError::internal());
        };
        self.reach_products(tx, member, action == Action::UseBilling, product_ids)
            .await
    }

    /// For a row that reaches the organization's billing (the cart, an order): each of
    /// `product_ids` must be one the member may pay for — every product for the roles that see
    /// them all, otherwise those they hold billing rights on — and manage (not blocked, unless
    /// they may block). An id outside that reach is not found.
    pub async fn billed_products(
        &self,
        tx: &mut Tx,
        member: &Member,
        product_ids: &[i64],
    ) -> Result<(), AppError> {
        if !matches!(
            self.row.reach,
            Reach::Organization(Action::UseBilling | Action::Shop)
        ) {
            tracing::error!(
                endpoint = self.row.endpoint,
                "asked for billed products, but the row does not reach billing"
            );
            return Err(AppError::internal());
        }
        self.reach_products(tx, member, true, product_ids).await
    }

    async fn reach_products(
        &self,
        tx: &mut Tx,
        member: &Member,
        billing: bool,
        product_ids: &[i64],
    ) -> Result<(), AppError> {
        let only_for = organization::products_for(&member, self.account()?.id);
        let writes = self.row.caller != Caller::Reader;
        for product_id in product_ids {
            let blocked = crate::access::store::reached_product(
                tx,
                member.id,
                only_for,
                billing,
                *product_id,
            )
            .await?
            .ok_or_else(|| AppError::not_found("product"))
            .inspect_err(|error| refused("product", error))?;
            if writes {
                organization::may_manage(member.role, blocked)
                    .inspect_err(|error| refused("product", error))?;
            }
        }
        Ok(())
    }

    /// Marks a transaction that entered a customer as one of a partner's people: every log
    /// entry it writes there names the partner (`activity::store::record`).
    fn entered(tx: &mut Tx, member: &Member) {
        if let Some(via) = &member.partner {
            tx.act_for(crate::db::ActingFor {
                customer_id: member.id,
                customer: member.name.clone(),
                partner_id: via.partner_id,
            });
        }
    }

    /// One activity-log entry by the caller (nobody, behind a door that lets anyone in).
    pub async fn log(&self, tx: &mut Tx, entry: Log<'_>) -> Result<(), AppError> {
        record(
            tx,
            NewEntry {
                action: entry.action,
                actor_user_id: entry
                    .actor
                    .or_else(|| self.proven.as_ref().map(|p| p.account.id)),
                organization_id: entry.organization,
                product_id: entry.product,
                detail: entry.detail,
                origin: &self.origin,
                at: self.now,
            },
        )
        .await?;
        Ok(())
    }
}

/// What an activity-log entry says beyond who, from where and when (the context knows those).
#[derive(Clone, Copy, Debug)]
pub struct Log<'a> {
    pub action: ActivityAction,
    pub organization: Option<i64>,
    pub product: Option<i64>,
    pub detail: &'a str,
    /// Someone else than the caller (behind a door that lets anyone in: the account the link
    /// or the sign-in is about).
    pub actor: Option<i64>,
}

impl<'a> Log<'a> {
    /// About the caller's own account.
    pub fn own(action: ActivityAction, detail: &'a str) -> Self {
        Log {
            action,
            organization: None,
            product: None,
            detail,
            actor: None,
        }
    }

    /// About an organization.
    pub fn organization(action: ActivityAction, organization: i64, detail: &'a str) -> Self {
        Log {
            organization: Some(organization),
            ..Log::own(action, detail)
        }
    }

    /// About one product of an organization.
    pub fn product(
        action: ActivityAction,
        organization: i64,
        product: i64,
        detail: &'a str,
    ) -> Self {
        Log {
            product: Some(product),
            ..Log::organization(action, organization, detail)
        }
    }

    /// By this account rather than the caller.
    pub fn by(self, actor: i64) -> Self {
        Log {
            actor: Some(actor),
            ..self
        }
    }
}

/// Runs a door of `policy::Caller`.
async fn door(state: &AppState, origin: &Origin, door: Caller) -> Result<Option<Proven>, AppError> {
    match door {
        Caller::Anyone => Ok(None),
        Caller::SignedOut => match authentication::caller(state, origin).await {
            Ok(_) => Err(AppError::new(
                ErrorCode::Validation,
                "You are signed in to another account: sign out, then open the link again.",
            )),
            Err(_) => Ok(None),
        },
        Caller::HalfwaySignedIn => {
            let (session, account) = authentication::pending_sign_in(state).await?;
            Ok(Some(Proven {
                account,
                via: Via::Session,
                session: Some(session),
            }))
        }
        Caller::Reader | Caller::Writer | Caller::InPerson => {
            let proven = authentication::caller(state, origin).await?;
            authentication::admit(door, proven.via)?;
            Ok(Some(proven))
        }
    }
}

/// "Confirm it's you": the session proved it is the person within the last
/// `policy::CONFIRMATION_SECONDS` (by signing in, or with `confirm_identity`).
fn confirmed_recently(proven: Option<&Proven>, now: i64) -> Result<(), AppError> {
    let confirmed_at = proven
        .and_then(|p| p.session.as_ref())
        .and_then(|s| s.confirmed_at);
    if confirmed_at.is_some_and(|at| now - at < policy::CONFIRMATION_SECONDS) {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::ConfirmationRequired,
        "For your security, confirm it's you: enter your password again, then repeat what you were doing.",
    ))
}

/// Every refusal is traced with its reason (the error's code and sentence; never a secret).
fn refused(at: &str, error: &AppError) {
    tracing::info!(at, code = ?error.code, reason = %error.message, "refused");
}
