//! Server functions of the domain lifecycle: a domain's facts (its panel), restoring a domain in
//! redemption and buying renewal warranty — both as cart lines, priced and paid through the
//! shop's checkout — and the released domains.

use super::{DomainFacts, ReleasedDomain};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_domain")]
pub async fn get_domain(organization_id: i64, product_id: i64) -> Result<DomainFacts, AppError> {
    GetDomain::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, member) = cx.read_products(organization_id, &[product_id]).await?;
        let only_for = products_for(&member, account.id);
        let store::DomainRow {
            name,
            stage,
            expires_at,
            warranty_until,
            auto_renew,
            ..
        } = store::domain(&mut tx, organization_id, only_for, product_id)
            .await?
            .ok_or_else(|| AppError::not_found("domain"))?;
        let currency = crate::products::store::billing_currency(&mut tx, organization_id).await?;
        let transfer = store::transfer_of(&mut tx, product_id).await?.and_then(
            |(state, failure, attempts)| {
                Some(super::TransferFacts {
                    state: super::TransferState::parse(&state)?,
                    failure: failure
                        .as_deref()
                        .and_then(super::TransferFailure::parse),
                    attempts,
                })
            },
        );
        // What a restore or a late renewal is paid from (they cannot wait for a bank transfer).
        let prepaid_balance = if member.may(crate::policy::Action::UseBilling) {
            Some(crate::billing::ledger::balance(&mut tx, organization_id, currency).await?)
        } else {
            None
        };
        tx.commit().await?;
        // A domain of an extension the table no longer lists renews at the catalogue's price,
        // without restore or warranty.
        let extension = domain::current().of(&name);
        let renewal_price = match extension {
            Some(extension) => extension.price(currency),
            None => crate::billing::catalogue::current()
                .plan(ProductKind::Domain, "standard")
                .map_or(crate::money::Money::zero(currency), |p| {
                    p.unit_price(currency)
                }),
        };
        let restore = match (
            stage,
            extension.and_then(|e| e.restore_fee(currency)),
            extension.zip(expires_at),
        ) {
            (DomainStage::Redemption, Some(fee), Some((extension, expires_at))) => {
                Some(RestoreOffer {
                    fee,
                    renewal: renewal_price,
                    total: fee
                        .checked_add(renewal_price)
                        .map_err(|e| AppError::validation("price", e.to_string()))?,
                    until: extension.deadlines(expires_at).restore_until,
                })
            }
            _ => None,
        };
        Ok(DomainFacts {
            product_id,
            standing: crate::products::standing(
                ProductKind::Domain,
                &name,
                stage,
                expires_at,
                cx.now(),
                currency,
            ),
            name,
            stage,
            expires_at,
            rules: extension.map(|e| e.rules()).unwrap_or_else(|| {
                "This extension is not in the operator's table: it renews at the catalogue's price, without restore or warranty.".to_owned()
            }),
            renewal_price,
            restore,
            warranty_until,
            warranty_price: extension
                .map_or(crate::money::Money::zero(currency), |e| e.warranty_price(currency)),
            may_order: member.may(crate::policy::Action::UseBilling),
            transfer,
            auto_renew,
            prepaid_balance,
        })
    })
    .await
}

/// Puts the restore of a domain in redemption in the cart (restore fee + one year of renewal);
/// answers with the cart line.
#[server(endpoint = "restore_domain")]
pub async fn restore_domain(organization_id: i64, product_id: i64) -> Result<i64, AppError> {
    RestoreDomain::serve(|cx| async move {
        add(cx, organization_id, product_id, Purpose::Restore, 1).await
    })
    .await
}

/// Puts `years` of renewal warranty for a domain in the cart; answers with the cart line.
#[server(endpoint = "add_domain_warranty")]
pub async fn add_domain_warranty(
    organization_id: i64,
    product_id: i64,
    years: i64,
) -> Result<i64, AppError> {
    AddDomainWarranty::serve(|cx| async move {
        if !(1..=WARRANTY_YEARS_MAX).contains(&years) {
            return Err(AppError::validation(
                "years",
                format!("Choose 1 to {WARRANTY_YEARS_MAX} years of warranty."),
            ));
        }
        add(cx, organization_id, product_id, Purpose::Warranty, years).await
    })
    .await
}

/// Puts the transfer of a domain from another registrar in the cart, with its authorization
/// code; answers with the cart line.
#[server(endpoint = "add_transfer")]
pub async fn add_transfer(
    organization_id: i64,
    name: String,
    auth_code: String,
) -> Result<i64, AppError> {
    AddTransfer::serve(|cx| async move {
        let name = crate::shop::check_domain_name(&name)?;
        let code = check_auth_code(&auth_code)?;
        let extensions = domain::current();
        if extensions.of(&name).is_none() {
            return Err(AppError::validation(
                "name",
                format!(
                    "This extension is not managed here: transfers are for {}.",
                    extensions.listed()
                ),
            ));
        }
        let (mut tx, _) = cx.write_in(organization_id).await?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        let cart = shop::cart(&mut tx, organization_id).await?;
        if cart.len() >= crate::shop::CART_LINES_MAX {
            return Err(AppError::validation(
                "cart",
                "The cart is full: place this order first.",
            ));
        }
        if shop::name_taken(&mut tx, ProductKind::Domain, &name).await?
            || cart.iter().any(|l| {
                l.line.kind == ProductKind::Domain
                    && l.line.name == name
                    && l.line.product_id.is_none()
            })
        {
            return Err(AppError::validation(
                "name",
                format!("{name} is managed here already, or in the cart."),
            ));
        }
        let id = shop::add_line(
            &mut tx,
            &shop::NewLine {
                organization_id,
                kind: ProductKind::Domain,
                plan: "standard",
                name: &name,
                product_id: None,
                purpose: Purpose::Transfer,
                quantity: 1,
                periods: 1,
                auth_code: &code,
                added_by: cx.account()?.id,
                at: cx.now(),
            },
        )
        .await?;
        cx.log(
            &mut tx,
            Log::organization(
                ActivityAction::CartChanged,
                organization_id,
                &format!("Added: transfer of {name}"),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// Restarts a failed transfer with the code typed again (and, from the emailed link, its
/// token); never charged again. Answers whether the domain is transferred now.
#[server(endpoint = "restart_transfer")]
pub async fn restart_transfer(
    organization_id: i64,
    product_id: i64,
    auth_code: String,
    token: String,
) -> Result<bool, AppError> {
    RestartTransfer::serve(|cx| async move {
        let code = check_auth_code(&auth_code)?;
        let account_id = cx.account()?.id;
        let (mut tx, member) = cx.write_products(organization_id, &[product_id]).await?;
        let name = managed_domain(&mut tx, &member, account_id, product_id).await?;
        if !token.is_empty() {
            let hash = crate::tokens::hash_token(&token);
            if !crate::products::lifecycle::use_restart_link(
                &mut tx,
                product_id,
                hash.as_str(),
                cx.now(),
            )
            .await?
            {
                return Err(AppError::validation(
                    "token",
                    "This restart link was used already or has expired: restart the transfer from the form on this page.",
                ));
            }
        }
        if !crate::products::lifecycle::retry(&mut tx, organization_id, product_id).await? {
            return Err(AppError::validation(
                "product_id",
                format!("The transfer of {name} is not waiting for a restart."),
            ));
        }
        let transfer = store::PendingTransfer {
            product_id,
            organization_id,
            organization: member.name.clone(),
            name,
            code,
        };
        // Claimed (pending again), committed; the registry is asked outside any transaction.
        tx.commit().await?;
        let answer = match crate::products::registry::current()
            .transfer_in(&cx.state, &transfer.name, &transfer.code, cx.now())
            .await
        {
            Ok(answer) => answer,
            Err(error) => {
                let (mut tx, _) = cx.write_in(organization_id).await?;
                crate::products::lifecycle::back_to_failed(&mut tx, product_id).await?;
                tx.commit().await?;
                return Err(error);
            }
        };
        // Each transaction enters anew: the membership is checked again.
        let (mut tx, _) = cx.write_in(organization_id).await?;
        super::transfer::record_answer(
            &cx.state,
            &mut tx,
            &transfer,
            answer,
            Some((account_id, &cx.origin)),
            cx.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(answer.is_ok())
    })
    .await
}

#[server(endpoint = "released_domains")]
pub async fn released_domains(organization_id: i64) -> Result<Vec<ReleasedDomain>, AppError> {
    ReleasedDomains::serve(|cx| async move {
        let account = cx.account()?;
        let (mut tx, member) = cx.read_in(organization_id).await?;
        let only_for = products_for(&member, account.id);
        let released = store::released(&mut tx, organization_id, only_for).await?;
        tx.commit().await?;
        Ok(released)
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub(super) use super::super::{check_auth_code, store, RestoreOffer, WARRANTY_YEARS_MAX};
    pub(super) use crate::access::organization::{may_manage, products_for};
    pub(super) use crate::access::{Context, Log, Member};
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::AppError;
    pub(super) use crate::products::{domain, DomainStage, ProductKind};
    pub(super) use crate::shop::quote::Line;
    pub(super) use crate::shop::{store as shop, Purpose};

    /// The name of a domain of the member's organization that this person reaches and may
    /// manage (PRD-3); not found otherwise.
    pub(super) async fn managed_domain(
        tx: &mut Tx,
        member: &Member,
        account_id: i64,
        product_id: i64,
    ) -> Result<String, AppError> {
        let domain = store::domain(tx, member.id, products_for(&member, account_id), product_id)
            .await?
            .ok_or_else(|| AppError::not_found("domain"))?;
        may_manage(member.role, domain.blocked)?;
        Ok(domain.name)
    }

    /// Adds a line about one of the organization's domains to its cart, once.
    pub(super) async fn add(
        cx: Context,
        organization_id: i64,
        product_id: i64,
        purpose: Purpose,
        periods: i64,
    ) -> Result<i64, AppError> {
        let account_id = cx.account()?.id;
        let (mut tx, member) = cx.write_products(organization_id, &[product_id]).await?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        let name = managed_domain(&mut tx, &member, account_id, product_id).await?;
        let cart = shop::cart(&mut tx, organization_id).await?;
        if cart.len() >= crate::shop::CART_LINES_MAX {
            return Err(AppError::validation(
                "cart",
                "The cart is full: place this order first.",
            ));
        }
        if cart
            .iter()
            .any(|l| l.line.product_id == Some(product_id) && l.line.purpose == purpose)
        {
            return Err(AppError::validation(
                "product_id",
                format!(
                    "{} for {name} is in the cart already.",
                    match purpose {
                        Purpose::Restore => "The restore",
                        _ => "Renewal warranty",
                    }
                ),
            ));
        }
        let line = Line {
            id: 0,
            kind: ProductKind::Domain,
            plan: "standard".into(),
            name: name.clone(),
            product_id: Some(product_id),
            purpose,
            quantity: 1,
            periods,
            promo: None,
            free_offer_id: None,
            auth_code: String::new(),
        };
        if let Some(problem) =
            crate::shop::checkout::domain_line_problem(&mut tx, organization_id, &line).await?
        {
            return Err(AppError::validation("product_id", problem));
        }
        if purpose == Purpose::Restore {
            let offered = domain::current()
                .of(&name)
                .is_some_and(|e| e.restore_fee(crate::money::Currency::Chf).is_some());
            if !offered {
                return Err(AppError::validation(
                    "product_id",
                    format!("The registry of {name} offers no restore."),
                ));
            }
        }
        let id = shop::add_line(
            &mut tx,
            &shop::NewLine {
                organization_id,
                kind: ProductKind::Domain,
                plan: "standard",
                name: &name,
                product_id: Some(product_id),
                purpose,
                quantity: 1,
                periods,
                auth_code: "",
                added_by: cx.account()?.id,
                at: cx.now(),
            },
        )
        .await?;
        let what = match purpose {
            Purpose::Restore => format!("Added: restore of {name}"),
            _ => format!("Added: renewal warranty for {name}, {periods} year(s)"),
        };
        cx.log(
            &mut tx,
            Log::organization(ActivityAction::CartChanged, organization_id, &what),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
