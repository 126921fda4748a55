//! Server functions of the partner program (PAR-1, PAR-2).

use super::{CustomerProfile, PartnerWithAccess, ProgramFacts, RequestOpening, ResellerArea};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

/// The settings page's part about the partner program: where the organization stands, its
/// rates once approved, and whether I may apply.
#[server(endpoint = "partner_program")]
pub async fn partner_program(organization_id: i64) -> Result<ProgramFacts, AppError> {
    PartnerProgram::serve(|cx| async move {
        let (mut tx, member) = cx.read_in(organization_id).await?;
        let found = store::program(&mut tx, organization_id).await?;
        let rates = store::rates(&mut tx, organization_id).await?;
        tx.commit().await?;
        let may_apply = member.may(Action::ManagePartnership)
            && found
                .as_ref()
                .is_none_or(|f| f.state() == Some(super::PartnerState::Refused));
        Ok(match found {
            Some(found) => super::ProgramFacts {
                state: found.state(),
                trade_register: found.trade_register,
                website: found.website,
                applied_at: Some(found.applied_at),
                decided_at: found.decided_at,
                refusal_reason: found.refusal_reason,
                rates,
                may_apply,
            },
            None => super::ProgramFacts {
                state: None,
                trade_register: String::new(),
                website: String::new(),
                applied_at: None,
                decided_at: None,
                refusal_reason: String::new(),
                rates,
                may_apply,
            },
        })
    })
    .await
}

/// Applies to become a partner (PAR-7): the organization's trade-register number and website,
/// reviewed by the operator. Again after a refusal; never twice at once.
#[server(endpoint = "apply_as_partner")]
pub async fn apply_as_partner(
    organization_id: i64,
    trade_register: String,
    website: String,
) -> Result<(), AppError> {
    ApplyAsPartner::serve(|cx| async move {
        let account = cx.account()?;
        let trade_register = super::normalize_trade_register(&trade_register)?;
        let website = super::normalize_website(&website)?;
        let (mut tx, _) = cx.write_in(organization_id).await?;
        if !store::apply(
            &mut tx,
            organization_id,
            &trade_register,
            &website,
            account.id,
            cx.now(),
        )
        .await?
        {
            return Err(AppError::validation(
                "trade_register",
                "This organization's application is under review, or it is a partner already.",
            ));
        }
        let detail = format!("trade register {trade_register}, website {website}");
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::PartnerApplied, organization_id, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The Reseller area: the partner's customers and requests (PAR-1).
#[server(endpoint = "reseller")]
pub async fn reseller(organization_id: i64) -> Result<ResellerArea, AppError> {
    Reseller::serve(|cx| async move {
        let (mut tx, member) = cx.read_in(organization_id).await?;
        partner_only(&mut tx, organization_id, &member.name).await?;
        let mut rows = store::customers(&mut tx, organization_id).await?;
        let rates = store::rates(&mut tx, organization_id).await?;
        let collaborators = store::collaborators(&mut tx, organization_id).await?;
        let delegations = store::delegations(&mut tx, organization_id).await?;
        let since = crate::format::add_months(cx.now(), -super::STATEMENT_MONTHS);
        let cashback =
            crate::shop::cashback::credited_cashback(&mut tx, organization_id, since).await?;
        tx.commit().await?;
        for row in &mut rows {
            row.delegated = delegations
                .iter()
                .filter(|(customer, _)| Some(*customer) == row.customer_id)
                .map(|(_, user)| *user)
                .collect();
        }
        Ok(super::ResellerArea {
            partner: member.name.clone(),
            rows,
            rates,
            may_manage: member.may(Action::ManagePartnership),
            may_delegate: member.may(Action::DelegateCustomers),
            collaborators,
            cashback: super::statement(&cashback),
            now: cx.now(),
        })
    })
    .await
}

/// One customer's profile in the Reseller area: asked and granted side by side, who pays, the
/// products the partner reaches, and the relationship's history.
#[server(endpoint = "reseller_customer")]
pub async fn reseller_customer(
    organization_id: i64,
    relationship_id: i64,
) -> Result<CustomerProfile, AppError> {
    ResellerCustomer::serve(|cx| async move {
        let (mut tx, member) = cx.read_in(organization_id).await?;
        partner_only(&mut tx, organization_id, &member.name).await?;
        let row = store::customers(&mut tx, organization_id)
            .await?
            .into_iter()
            .find(|r| r.id == relationship_id)
            .ok_or_else(|| AppError::not_found("customer"))?;
        let (requested_by, answered_by, reminded_at) =
            store::people_of(&mut tx, organization_id, relationship_id)
                .await?
                .ok_or_else(|| AppError::not_found("customer"))?;
        let products = match (row.active(cx.now()), row.granted, row.customer_id) {
            (true, Some(super::PartnerAccess::Limited), _) => row.products.clone(),
            (true, Some(_), Some(customer)) => store::products_of(&mut tx, customer)
                .await?
                .into_iter()
                .map(|(_, name)| name)
                .collect(),
            _ => Vec::new(),
        };
        tx.commit().await?;
        let history = history(
            &row,
            requested_by.as_deref(),
            answered_by.as_deref(),
            reminded_at,
            cx.now(),
        );
        Ok(super::CustomerProfile {
            row,
            requested_by,
            answered_by,
            products,
            history,
            now: cx.now(),
        })
    })
    .await
}

/// Asks `email` (a legal representative of the customer's organization, or someone who will
/// create one) for access of the kind `access`, until `until` (`YYYY-MM-DD`, or empty). They
/// get a link, valid 30 days, to grant it — or less — or refuse it.
#[server(endpoint = "request_customer")]
pub async fn request_customer(
    organization_id: i64,
    email: String,
    access: String,
    until: String,
) -> Result<(), AppError> {
    RequestCustomer::serve(|cx| async move {
        let account = cx.account()?;
        let email = crate::mail::normalize_email(&email)?;
        let access = access_field("access", &access)?;
        let until = super::parse_until("until", &until, cx.now())?;
        let (mut tx, member) = cx.write_in(organization_id).await?;
        partner_only(&mut tx, organization_id, &member.name).await?;
        if store::waiting_for(&mut tx, organization_id, &email, cx.now()).await? {
            return Err(AppError::validation(
                "email",
                format!("A request to {email} is waiting for its answer already: cancel it first to send another."),
            ));
        }
        let (token, token_hash) = crate::tokens::new_token();
        let expires_at = cx.now() + super::REQUEST_LIFETIME_SECONDS;
        store::insert_request(
            &mut tx,
            &store::NewRequest {
                partner_id: organization_id,
                email: &email,
                token_hash: token_hash.as_str(),
                requested_by: account.id,
                at: cx.now(),
                expires_at,
                access,
                until,
            },
        )
        .await?;
        let url = format!("{}/partner-request?token={token}", cx.state.settings.public_url);
        let message = crate::mail::messages::partner_access_requested(
            &email,
            &crate::mail::messages::PartnerRequest {
                partner: &member.name,
                requested_by: &account.full_name(),
                access: access.label(),
                until,
                expires_at,
                url: &url,
            },
        )?;
        crate::mail::store::enqueue(&mut tx, &message, cx.now()).await?;
        let detail = format!("{} asked of {email}", access.label());
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::PartnerAccessRequested, organization_id, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Cancels a request waiting for its answer (its link stops working).
#[server(endpoint = "cancel_customer_request")]
pub async fn cancel_customer_request(
    organization_id: i64,
    relationship_id: i64,
) -> Result<(), AppError> {
    CancelCustomerRequest::serve(|cx| async move {
        let (mut tx, _) = cx.write_in(organization_id).await?;
        let found = store::of_partner(&mut tx, organization_id, relationship_id)
            .await?
            .ok_or_else(|| AppError::not_found("request"))?;
        if !store::close_request(&mut tx, found.id, RelationshipState::Cancelled, cx.now()).await? {
            return Err(AppError::validation(
                "relationship_id",
                "This request is not waiting for an answer any more.",
            ));
        }
        let detail = format!("request to {} cancelled", found.email);
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::PartnerRequestCancelled,
                organization_id,
                &detail,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Ends the partner's access to a customer, from the partner's side: gone at its very next
/// request; the customer's legal representatives are told.
#[server(endpoint = "end_customer")]
pub async fn end_customer(organization_id: i64, relationship_id: i64) -> Result<(), AppError> {
    EndCustomer::serve(|cx| async move {
        let (mut tx, _) = cx.write_in(organization_id).await?;
        let found = store::of_partner(&mut tx, organization_id, relationship_id)
            .await?
            .ok_or_else(|| AppError::not_found("customer"))?;
        end(&cx, &mut tx, &found, "the partner").await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// What the emailed link offers: who asks for what, and — for someone signed in — the
/// organizations they represent, each with its products (for a limited grant).
#[server(endpoint = "open_partner_request")]
pub async fn open_partner_request(token: String) -> Result<RequestOpening, AppError> {
    OpenPartnerRequest::serve(|cx| async move {
        let signed_in = crate::access::authentication::caller(&cx.state, &cx.origin)
            .await
            .ok()
            .map(|p| p.account);
        let mut tx = cx.read().await?;
        let found = usable(&mut tx, &token, cx.now()).await?;
        let mut granters = Vec::new();
        if let Some(account) = &signed_in {
            for m in crate::access::store::memberships_of(&mut tx, account.id).await? {
                if m.id != found.partner_id && m.may(Action::GrantPartnerAccess) {
                    let products = store::products_of(&mut tx, m.id).await?;
                    granters.push(super::Granter {
                        id: m.id,
                        name: m.name,
                        products,
                    });
                }
            }
        }
        tx.commit().await?;
        Ok(super::RequestOpening {
            requested: access_stored(&found.requested_access)?,
            partner: found.partner,
            requested_by: found.requested_by_name,
            email: found.email,
            requested_until: found.requested_until,
            expires_at: found.request_expires_at,
            signed_in_as: signed_in.map(|a| a.email),
            granters,
        })
    })
    .await
}

/// Refuses the request: the partner gets no access, and is told.
#[server(endpoint = "refuse_partner_request")]
pub async fn refuse_partner_request(token: String) -> Result<(), AppError> {
    RefusePartnerRequest::serve(|cx| async move {
        let mut tx = cx.write().await?;
        let found = usable(&mut tx, &token, cx.now()).await?;
        if !store::close_request(&mut tx, found.id, RelationshipState::Refused, cx.now()).await? {
            return Err(gone());
        }
        let detail = format!("{} refused the request", found.email);
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::PartnerRequestRefused,
                found.partner_id,
                &detail,
            ),
        )
        .await?;
        crate::partners::tell_legal_representatives(
            &mut tx,
            found.partner_id,
            cx.now(),
            |to, first| {
                crate::mail::messages::partner_request_refused(
                    to,
                    first,
                    &found.partner,
                    &found.email,
                )
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Grants the request from `organization_id`, which the signed-in person represents: the kind
/// `access` (the one asked for, or another), until `until` (`YYYY-MM-DD`, or empty), and for a
/// limited grant the products `product_ids` (comma-separated, at least one, each of this
/// organization). Requested and granted are kept apart; the partner's legal representatives
/// are told what they got.
#[server(endpoint = "grant_partner_access")]
pub async fn grant_partner_access(
    organization_id: i64,
    token: String,
    access: String,
    until: String,
    product_ids: String,
) -> Result<(), AppError> {
    GrantPartnerAccess::serve(|cx| async move {
        let account = cx.account()?;
        let access = access_field("access", &access)?;
        let until = super::parse_until("until", &until, cx.now())?;
        let products = if access == super::PartnerAccess::Limited {
            let ids = crate::tags::parse_ids(&product_ids)?;
            if ids.is_empty() {
                return Err(AppError::validation(
                    "product_ids",
                    "Choose the products the partner may manage.",
                ));
            }
            ids
        } else {
            Vec::new()
        };
        let (mut tx, customer) = cx.write_in(organization_id).await?;
        let found = usable(&mut tx, &token, cx.now()).await?;
        if found.partner_id == organization_id {
            return Err(AppError::validation(
                "organization_id",
                "A partner cannot be its own customer: choose another organization.",
            ));
        }
        let owned = store::products_of(&mut tx, organization_id).await?;
        if let Some(stray) = products.iter().find(|id| !owned.iter().any(|(p, _)| p == *id)) {
            tracing::info!(product = stray, "a grant named a product of another organization");
            return Err(AppError::not_found("product"));
        }
        if !store::grant(&mut tx, found.id, organization_id, account.id, cx.now(), access, until).await? {
            return Err(AppError::validation(
                "organization_id",
                format!("{} gave {} access already: end that access first, or answer from another organization.", customer.name, found.partner),
            ));
        }
        store::add_products(&mut tx, found.id, &products).await?;
        let requested = access_stored(&found.requested_access)?;
        let names: Vec<&str> = owned
            .iter()
            .filter(|(id, _)| products.contains(id))
            .map(|(_, name)| name.as_str())
            .collect();
        let granted = granted_words(access, until, &names);
        let detail = format!("{} granted to {}: {granted}", access.label(), found.partner);
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::PartnerAccessGranted, organization_id, &detail),
        )
        .await?;
        let detail = format!(
            "{} granted {granted} (asked: {})",
            customer.name,
            requested.label()
        );
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::PartnerAccessGranted, found.partner_id, &detail),
        )
        .await?;
        crate::partners::tell_legal_representatives(&mut tx, found.partner_id, cx.now(), |to, first| {
            crate::mail::messages::partner_access_granted(to, first, &customer.name, requested.label(), &granted)
        })
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The partners with access to this organization now, for its settings.
#[server(endpoint = "partners_with_access")]
pub async fn partners_with_access(
    organization_id: i64,
) -> Result<Vec<PartnerWithAccess>, AppError> {
    PartnersWithAccess::serve(|cx| async move {
        let (mut tx, _) = cx.read_in(organization_id).await?;
        let partners = store::partners_of(&mut tx, organization_id, cx.now()).await?;
        tx.commit().await?;
        Ok(partners)
    })
    .await
}

/// Ends a partner's access to this organization, from the customer's side: gone at the
/// partner's very next request; the partner's legal representatives are told.
#[server(endpoint = "end_partner_access")]
pub async fn end_partner_access(
    organization_id: i64,
    relationship_id: i64,
) -> Result<(), AppError> {
    EndPartnerAccess::serve(|cx| async move {
        let (mut tx, _) = cx.write_in(organization_id).await?;
        let found = store::of_customer(&mut tx, organization_id, relationship_id)
            .await?
            .ok_or_else(|| AppError::not_found("partner"))?;
        end(&cx, &mut tx, &found, "the customer").await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Delegates a customer to one of the partner's collaborators, or takes it back (PAR-7): they
/// reach it from the switcher's Customers list, with the rights the customer granted, from
/// their very next request. Logged, and the collaborator is told by email.
#[server(endpoint = "set_customer_delegation")]
pub async fn set_customer_delegation(
    organization_id: i64,
    relationship_id: i64,
    user_id: i64,
    delegated: bool,
) -> Result<(), AppError> {
    SetCustomerDelegation::serve(|cx| async move {
        let (mut tx, partner) = cx.write_in(organization_id).await?;
        let found = store::of_partner(&mut tx, organization_id, relationship_id)
            .await?
            .ok_or_else(|| AppError::not_found("customer"))?;
        let (Some(customer_id), Some(customer)) = (found.customer_id, found.customer.clone())
        else {
            return Err(AppError::not_found("customer"));
        };
        if found.state != RelationshipState::Active.as_str() {
            return Err(AppError::validation(
                "relationship_id",
                format!("{customer} is not a customer any more."),
            ));
        }
        let collaborators = store::collaborators(&mut tx, organization_id).await?;
        let Some((_, name)) = collaborators.iter().find(|(id, _)| *id == user_id) else {
            return Err(AppError::not_found("collaborator"));
        };
        if !store::set_delegated(
            &mut tx,
            organization_id,
            user_id,
            customer_id,
            delegated,
            cx.now(),
        )
        .await?
        {
            return Ok(());
        }
        let detail = if delegated {
            format!("{customer} delegated to {name}")
        } else {
            format!("{customer} no longer delegated to {name}")
        };
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::CustomerDelegationChanged,
                organization_id,
                &detail,
            ),
        )
        .await?;
        if let Some(person) = crate::access::store::account(&mut tx, user_id).await? {
            let email = crate::mail::messages::customer_delegation_changed(
                &person.email,
                &person.first_name,
                &partner.name,
                &customer,
                delegated,
            )?;
            crate::mail::store::enqueue(&mut tx, &email, cx.now()).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
use crate::policy::Action;
/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::store;
    use super::super::PartnerAccess;
    pub(super) use super::super::RelationshipState;
    pub(super) use crate::access::{Context, Log};
    pub(super) use crate::activity::ActivityAction;
    use crate::db::Tx;
    use crate::error::{AppError, ErrorCode};

    /// A link that is unknown, answered, cancelled or expired: all the same to whoever holds it.
    pub(super) fn gone() -> AppError {
        AppError::new(
            ErrorCode::NotFound,
            "This request for access is no longer valid: it was answered or cancelled, or its 30 days are over. The partner can send a new one.",
        )
    }

    pub(super) async fn usable(
        tx: &mut Tx,
        token: &str,
        now: i64,
    ) -> Result<store::OpenRequest, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Err(gone());
        }
        let hash = crate::tokens::hash_token(token);
        store::open_request(tx, hash.as_str(), now)
            .await?
            .ok_or_else(gone)
    }

    /// The Reseller area is a partner's: an organization the operator has not approved is told
    /// how to become one.
    pub(super) async fn partner_only(
        tx: &mut Tx,
        organization_id: i64,
        name: &str,
    ) -> Result<(), AppError> {
        if store::is_partner(tx, organization_id).await? {
            return Ok(());
        }
        Err(AppError::new(
            ErrorCode::Forbidden,
            format!("{name} is not a partner: a legal representative can apply to the partner program in Settings."),
        ))
    }

    /// An access kind as a form sends it.
    pub(super) fn access_field(field: &str, text: &str) -> Result<PartnerAccess, AppError> {
        PartnerAccess::parse(text.trim())
            .ok_or_else(|| AppError::validation(field, "Choose the kind of access."))
    }

    /// An access kind as stored (a row a newer version wrote is refused, not misread).
    pub(super) fn access_stored(text: &str) -> Result<PartnerAccess, AppError> {
        PartnerAccess::parse(text).ok_or_else(|| {
            tracing::error!(access = text, "an access kind this version does not know");
            AppError::internal()
        })
    }

    /// A relationship's history from its own dates, oldest first.
    pub(super) fn history(
        row: &super::super::CustomerRow,
        requested_by: Option<&str>,
        answered_by: Option<&str>,
        reminded_at: Option<i64>,
        now: i64,
    ) -> Vec<(i64, String)> {
        let mut history = vec![(
            row.requested_at,
            format!(
                "{} asked {} for {}",
                requested_by.unwrap_or("Someone"),
                row.email,
                row.requested.label().to_lowercase()
            ),
        )];
        match (row.state, row.since) {
            (RelationshipState::Requested, _) if row.request_expires_at <= now => history.push((
                row.request_expires_at,
                "The request expired without an answer".to_owned(),
            )),
            (RelationshipState::Refused, _) => history.push((
                row.answered_at.unwrap_or(row.requested_at),
                "The customer refused".to_owned(),
            )),
            (RelationshipState::Cancelled, _) => history.push((
                row.answered_at.unwrap_or(row.requested_at),
                "The partner cancelled the request".to_owned(),
            )),
            (_, Some(since)) => history.push((
                since,
                format!(
                    "{} granted {}",
                    answered_by.unwrap_or("The customer"),
                    row.granted
                        .map(|g| g.label().to_lowercase())
                        .unwrap_or_default()
                ),
            )),
            _ => {}
        }
        if let Some(at) = reminded_at {
            history.push((at, "Both sides were told the end date is near".to_owned()));
        }
        if let Some(at) = row.ended_at {
            history.push((at, "The access ended".to_owned()));
        }
        history
    }

    /// What a grant gives, in words: "Limited access to chosen products (alpha.ch, beta.ch)
    /// until 30.06.2027".
    pub(super) fn granted_words(
        access: PartnerAccess,
        until: Option<i64>,
        products: &[&str],
    ) -> String {
        let mut words = access.label().to_owned();
        if !products.is_empty() {
            words.push_str(&format!(" ({})", products.join(", ")));
        }
        if let Some(until) = until {
            words.push_str(&format!(" until {}", crate::format::date(until - 1)));
        }
        words
    }

    /// Ends an active relationship, from `side` ("the partner", "the customer"): both logs,
    /// and the other side's legal representatives told.
    pub(super) async fn end(
        cx: &Context,
        tx: &mut Tx,
        found: &store::Found,
        side: &str,
    ) -> Result<(), AppError> {
        let (Some(customer_id), Some(customer)) = (found.customer_id, found.customer.as_deref())
        else {
            return Err(AppError::validation(
                "relationship_id",
                "This request was never granted: cancel it instead.",
            ));
        };
        if !store::end(tx, found.id, cx.now()).await? {
            return Err(AppError::validation(
                "relationship_id",
                "This access has ended already.",
            ));
        }
        let detail = format!("{}'s access to {customer} ended by {side}", found.partner);
        for organization in [found.partner_id, customer_id] {
            cx.log(
                tx,
                Log::organization(ActivityAction::PartnerAccessEnded, organization, &detail),
            )
            .await?;
        }
        let told = if side == "the partner" {
            customer_id
        } else {
            found.partner_id
        };
        crate::partners::tell_legal_representatives(tx, told, cx.now(), |to, first| {
            crate::mail::messages::partner_access_ended(to, first, &found.partner, customer, side)
        })
        .await?;
        Ok(())
    }
}
