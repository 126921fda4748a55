//! What the shop offers, as the cart and the order page (signed out) both read it: the
//! catalogue's plans as shown, a domain name of an extension it sells, a new product as typed.

use super::{check_domain_name, check_product_name, store, Offering};
use crate::billing::catalogue;
use crate::db::Tx;
use crate::error::AppError;
use crate::money::Currency;
use crate::products::ProductKind;
use crate::state::AppState;

/// A plan of the catalogue as the shop shows it, priced in `currency`.
pub fn offering(plan: &catalogue::Plan, currency: Currency) -> Offering {
    Offering {
        kind: plan.kind,
        plan: plan.plan.clone(),
        label: plan.label.clone(),
        description: plan.description.clone(),
        period: plan.period.as_str().into(),
        unit: plan.unit_price(currency),
        tiers: plan
            .tiers
            .iter()
            .map(|t| format!("from {}: −{}", t.from, t.reduction.label()))
            .collect(),
    }
}

/// A domain name as typed, of an extension the shop sells (whether it is free is asked
/// apart).
pub fn sold_domain(raw: &str) -> Result<String, AppError> {
    let name = check_domain_name(raw)?;
    let extensions = crate::products::domain::current();
    if extensions.of(&name).is_none() {
        return Err(AppError::validation(
            "name",
            format!(
                "This extension is not sold here: the shop registers {}.",
                extensions.listed()
            ),
        ));
    }
    Ok(name)
}

/// A new product as typed: a kind the shop sells and a name it may have — for a domain, a
/// name of a listed extension that nobody has (one at a time).
pub async fn new_product(
    tx: &mut Tx,
    kind: &str,
    name: &str,
    quantity: i64,
) -> Result<(ProductKind, String), AppError> {
    let kind = ProductKind::parse(kind)
        .filter(|k| catalogue::current().plan(*k, "standard").is_some())
        .ok_or_else(|| AppError::validation("kind", "Choose a product from the list."))?;
    if kind != ProductKind::Domain {
        return Ok((kind, check_product_name(name)?));
    }
    let name = sold_domain(name)?;
    if quantity != 1 {
        return Err(AppError::validation(
            "quantity",
            "A domain name is registered once: order one at a time.",
        ));
    }
    if store::name_taken(tx, kind, &name).await? {
        return Err(AppError::validation(
            "name",
            format!("{name} is not available: it is registered already, or in the cart."),
        ));
    }
    Ok((kind, name))
}

/// A new domain is asked of the registry (`products::registry`) before it goes in a cart, and
/// before any transaction opens (a real registry is a call over the network): one registered at
/// another registrar can only be transferred in. Other kinds, and names `new_product` refuses
/// anyway, pass here.
pub async fn free_at_registry(state: &AppState, kind: &str, name: &str) -> Result<(), AppError> {
    if ProductKind::parse(kind) != Some(ProductKind::Domain) {
        return Ok(());
    }
    let Ok(name) = sold_domain(name) else {
        return Ok(());
    };
    if crate::products::registry::current()
        .is_registered(state, &name)
        .await?
    {
        return Err(AppError::validation(
            "name",
            format!("{name} is not available: it is registered at another registrar. If it is yours, transfer it to Steward instead (Domains → Transfer a domain)."),
        ));
    }
    Ok(())
}
