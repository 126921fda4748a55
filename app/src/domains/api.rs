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
    GetDomain::serve(|cx| server_side::facts(cx, organization_id, product_id)).await
}

/// Puts the restore of a domain in redemption in the cart (restore fee + one year of renewal);
/// answers with the cart line.
#[server(endpoint = "restore_domain")]
pub async fn restore_domain(organization_id: i64, product_id: i64) -> Result<i64, AppError> {
    RestoreDomain::serve(|cx| server_side::restore(cx, organization_id, product_id)).await
}

/// Puts `years` of renewal warranty for a domain in the cart; answers with the cart line.
#[server(endpoint = "add_domain_warranty")]
pub async fn add_domain_warranty(
    organization_id: i64,
    product_id: i64,
    years: i64,
) -> Result<i64, AppError> {
    AddDomainWarranty::serve(|cx| server_side::warranty(cx, organization_id, product_id, years))
        .await
}

#[server(endpoint = "released_domains")]
pub async fn released_domains(organization_id: i64) -> Result<Vec<ReleasedDomain>, AppError> {
    ReleasedDomains::serve(|cx| server_side::released(cx, organization_id)).await
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::super::{store, DomainFacts, ReleasedDomain, RestoreOffer, WARRANTY_YEARS_MAX};
    use crate::access::organization::products_for;
    use crate::access::{Context, Log};
    use crate::activity::ActivityAction;
    use crate::error::AppError;
    use crate::products::{domain, DomainStage, ProductKind};
    use crate::shop::quote::Line;
    use crate::shop::{store as shop, Purpose};

    pub async fn facts(
        cx: Context,
        organization_id: i64,
        product_id: i64,
    ) -> Result<DomainFacts, AppError> {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let member = cx.member(&mut tx, organization_id).await?;
        let only_for = products_for(member.role, account.id);
        let (name, stage, expires_at, warranty_until) =
            store::domain(&mut tx, organization_id, only_for, product_id)
                .await?
                .ok_or_else(|| AppError::not_found("domain"))?;
        let currency = crate::products::store::billing_currency(&mut tx, organization_id).await?;
        tx.commit().await?;
        let extension = domain::current()
            .of(&name)
            .ok_or_else(|| AppError::not_found("domain extension"))?;
        let renewal_price = extension.price(currency);
        let restore = match (stage, extension.restore_fee(currency), expires_at) {
            (DomainStage::Redemption, Some(fee), Some(expires_at)) => Some(RestoreOffer {
                fee,
                renewal: renewal_price,
                total: fee
                    .checked_add(renewal_price)
                    .map_err(|e| AppError::validation("price", e.to_string()))?,
                until: extension.deadlines(expires_at).restore_until,
            }),
            _ => None,
        };
        Ok(DomainFacts {
            product_id,
            standing: crate::products::standing(
                ProductKind::Domain,
                &name,
                stage,
                expires_at,
                cx.now,
                currency,
            ),
            name,
            stage,
            expires_at,
            rules: extension.rules(),
            renewal_price,
            restore,
            warranty_until,
            warranty_price: extension.warranty_price(currency),
            may_order: member.may(crate::policy::Action::UseBilling),
        })
    }

    /// Adds a line about one of the organization's domains to its cart, once.
    async fn add(
        cx: Context,
        organization_id: i64,
        product_id: i64,
        purpose: Purpose,
        periods: i64,
    ) -> Result<i64, AppError> {
        let mut tx = cx.write().await?;
        cx.member(&mut tx, organization_id).await?;
        crate::access::store::lock_organization(&mut tx, organization_id).await?;
        let (name, ..) = store::domain(&mut tx, organization_id, None, product_id)
            .await?
            .ok_or_else(|| AppError::not_found("domain"))?;
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
                added_by: cx.account()?.id,
                at: cx.now,
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

    pub async fn restore(
        cx: Context,
        organization_id: i64,
        product_id: i64,
    ) -> Result<i64, AppError> {
        add(cx, organization_id, product_id, Purpose::Restore, 1).await
    }

    pub async fn warranty(
        cx: Context,
        organization_id: i64,
        product_id: i64,
        years: i64,
    ) -> Result<i64, AppError> {
        if !(1..=WARRANTY_YEARS_MAX).contains(&years) {
            return Err(AppError::validation(
                "years",
                format!("Choose 1 to {WARRANTY_YEARS_MAX} years of warranty."),
            ));
        }
        add(cx, organization_id, product_id, Purpose::Warranty, years).await
    }

    pub async fn released(
        cx: Context,
        organization_id: i64,
    ) -> Result<Vec<ReleasedDomain>, AppError> {
        let account = cx.account()?;
        let mut tx = cx.read().await?;
        let member = cx.member(&mut tx, organization_id).await?;
        let only_for = products_for(member.role, account.id);
        let released = store::released(&mut tx, organization_id, only_for).await?;
        tx.commit().await?;
        Ok(released)
    }
}
