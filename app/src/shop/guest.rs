//! Ordering is a way in (the seeds: "ordering a product = creating an account"): someone signed
//! out searches a domain name and fills a cart on the order page, then creates their account
//! and organization. The cart waits on the server under the hash of a random cookie (30 days at
//! most) and moves into the organization whose shop the person opens once signed in — the
//! first thing a new account sees after confirming its address.

use super::{DomainFound, OrderCatalogue};
#[cfg(feature = "ssr")]
use crate::access::Serve;
use crate::error::AppError;
use leptos::prelude::*;

/// The catalogue and the visitor's cart.
#[server(endpoint = "order_page")]
pub async fn order_page() -> Result<OrderCatalogue, AppError> {
    OrderPage::serve(|cx| async move {
        let currency = Currency::Chf;
        let lines = match token() {
            Some(token) => {
                let mut tx = cx.read().await?;
                let lines = store::guest_lines(&mut tx, &tokens::hash_token(&token)).await?;
                tx.commit().await?;
                lines
            }
            None => Vec::new(),
        };
        let quote = crate::shop::quote::quote(
            catalogue::current(),
            crate::products::domain::current(),
            currency,
            &lines,
            &[],
            &crate::shop::quote::public,
            cx.now(),
        )
        .map_err(|e| AppError::validation("cart", e.to_string()))?;
        let offerings = catalogue::current()
            .plans
            .iter()
            .filter(|plan| plan.kind != ProductKind::Domain)
            .map(|plan| super::offer::offering(plan, currency))
            .collect();
        let domain_prices = crate::products::domain::current()
            .extensions
            .iter()
            .map(|e| DomainPrice {
                extension: format!(".{}", e.tld),
                price: e.price(currency),
            })
            .collect();
        Ok(OrderCatalogue {
            offerings,
            domain_prices,
            quote,
        })
    })
    .await
}

/// Whether a domain name can be registered here, and its price for a year.
#[server(endpoint = "find_domain")]
pub async fn find_domain(name: String) -> Result<DomainFound, AppError> {
    FindDomain::serve(|cx| async move {
        let name = super::offer::sold_domain(&name)?;
        let mut tx = cx.read().await?;
        let here = store::name_taken(&mut tx, ProductKind::Domain, &name).await?;
        tx.commit().await?;
        // Registered by nobody: neither here nor, as the registry says, at another registrar.
        let taken = here
            || crate::products::registry::current()
                .is_registered(&cx.state, &name)
                .await?;
        let price = (!taken)
            .then(|| crate::products::domain::current().of(&name))
            .flatten()
            .map(|e| e.price(Currency::Chf));
        Ok(DomainFound {
            name,
            available: !taken,
            price,
        })
    })
    .await
}

/// Adds a new product to the visitor's cart: a domain name (one at a time) or a named product
/// of the catalogue, for `periods` months or years.
#[server(endpoint = "add_to_guest_cart")]
pub async fn add_to_guest_cart(kind: String, name: String, periods: i64) -> Result<(), AppError> {
    AddToGuestCart::serve(|cx| async move {
        check_amounts(1, periods)?;
        super::offer::free_at_registry(&cx.state, &kind, &name).await?;
        let token = token().unwrap_or_else(|| tokens::new_token().0);
        let hash = tokens::hash_token(&token);
        let mut tx = cx.write().await?;
        store::forget_guest_carts(&mut tx, cx.now() - GUEST_CART_DAYS * 86_400).await?;
        let (kind, name) = super::offer::new_product(&mut tx, &kind, &name, 1).await?;
        let lines = store::guest_lines(&mut tx, &hash).await?;
        if lines.len() >= GUEST_CART_LINES_MAX {
            return Err(AppError::validation(
                "cart",
                format!("A cart holds at most {GUEST_CART_LINES_MAX} lines before you sign up."),
            ));
        }
        if lines.iter().any(|l| l.kind == kind && l.name == name) {
            return Err(AppError::validation(
                "name",
                format!("{name} is in the cart already."),
            ));
        }
        store::add_guest_line(&mut tx, &hash, kind, &name, periods, cx.now()).await?;
        tx.commit().await?;
        // Each addition renews the cookie's 30 days.
        request::set_cookie(&request::guest_cart_cookie(
            Some(&token),
            request::secure_cookies(&cx.state, &cx.origin),
        ));
        Ok(())
    })
    .await
}

/// Removes line `id` of this browser's cart.
#[server(endpoint = "remove_from_guest_cart")]
pub async fn remove_from_guest_cart(id: i64) -> Result<(), AppError> {
    RemoveFromGuestCart::serve(|cx| async move {
        let Some(token) = token() else {
            return Ok(());
        };
        let mut tx = cx.write().await?;
        store::remove_guest_line(&mut tx, &tokens::hash_token(&token), id).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The server-only helpers and imports the functions above use.
#[cfg(feature = "ssr")]
use ssr::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    pub(super) use super::super::{
        check_amounts, store, DomainPrice, Purpose, GUEST_CART_LINES_MAX,
    };
    pub(super) use crate::access::{Context, Log};
    pub(super) use crate::activity::ActivityAction;
    pub(super) use crate::billing::catalogue;
    pub(super) use crate::db::Tx;
    pub(super) use crate::error::AppError;
    pub(super) use crate::money::Currency;
    pub(super) use crate::products::ProductKind;
    pub(super) use crate::request::{self, GUEST_CART_COOKIE};
    pub(super) use crate::tokens::{self, TokenHash};

    /// Lines added this long ago are forgotten (the cookie lasts as long from its last line).
    pub(super) const GUEST_CART_DAYS: i64 = 30;

    /// The visitor's cart token, when their browser has a well-formed one.
    pub(super) fn token() -> Option<String> {
        request::cookie_value(GUEST_CART_COOKIE).filter(|t| tokens::well_formed(t))
    }

    /// Moves the visitor's cart (if this browser has one) into the organization's, inside `tx`:
    /// each line still available becomes a cart line, logged; then the guest cart is gone, so a
    /// second call moves nothing. Returns how many lines moved.
    pub async fn claim(cx: &Context, tx: &mut Tx, organization_id: i64) -> Result<usize, AppError> {
        let Some(token) = token() else {
            return Ok(0);
        };
        let hash: TokenHash = tokens::hash_token(&token);
        let lines = store::take_guest_lines(tx, &hash).await?;
        let in_cart = store::cart(tx, organization_id).await?;
        let mut moved = Vec::new();
        for line in lines {
            let fits = super::super::offer::new_product(tx, line.kind.as_str(), &line.name, 1)
                .await
                .is_ok();
            let twice = in_cart
                .iter()
                .any(|l| l.line.kind == line.kind && l.line.name == line.name);
            if !fits || twice || in_cart.len() + moved.len() >= super::super::CART_LINES_MAX {
                continue;
            }
            store::add_line(
                tx,
                &store::NewLine {
                    organization_id,
                    kind: line.kind,
                    plan: "standard",
                    name: &line.name,
                    product_id: None,
                    purpose: Purpose::New,
                    quantity: 1,
                    periods: line.periods,
                    auth_code: "",
                    added_by: cx.account()?.id,
                    at: cx.now(),
                },
            )
            .await?;
            moved.push(format!("{} {}", line.kind.label(), line.name));
        }
        if !moved.is_empty() {
            cx.log(
                tx,
                Log::organization(
                    ActivityAction::CartChanged,
                    organization_id,
                    &format!("Added from the order page: {}", moved.join(", ")),
                ),
            )
            .await?;
        }
        request::set_cookie(&request::guest_cart_cookie(
            None,
            request::secure_cookies(&cx.state, &cx.origin),
        ));
        Ok(moved.len())
    }
}
