//! The operator's side of the partner program: applications reviewed, approved with their
//! discount rates or refused with a reason, rates changed — each logged in the organization's
//! activity log and emailed to its legal representatives, in one transaction. Reached through
//! the server's commands (`server approve-partner …`), never from a page.

use super::{store, PartnerState, Rate};
use crate::activity::ActivityAction;
use crate::db::Tx;
use crate::error::AppError;
use crate::money::Percent;
use crate::products::ProductKind;
use crate::request::Origin;
use crate::state::AppState;

fn command_line() -> Origin {
    Origin {
        ip: "command line".into(),
        user_agent: "steward operator command".into(),
        https: false,
    }
}

/// Rates as the operator types them: `web_hosting=20,mail_service=12.5` (a product kind and a
/// percentage above 0 and below 100, each kind once).
pub fn parse_rates(text: &str) -> Result<Vec<Rate>, AppError> {
    let mut rates: Vec<Rate> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || {
            AppError::validation(
                "rates",
                format!("{part:?}: write each rate as kind=percent, like web_hosting=20 (kinds: domain, web_hosting, mail_service, cloud_server, drive)."),
            )
        };
        let (kind, percent) = part.split_once('=').ok_or_else(bad)?;
        let kind = ProductKind::parse(kind.trim()).ok_or_else(bad)?;
        let percent = Percent::parse(percent.trim())
            .filter(|p| p.0 > 0 && p.0 < Percent::WHOLE.0)
            .ok_or_else(bad)?;
        if rates.iter().any(|r| r.kind == kind) {
            return Err(bad());
        }
        rates.push(Rate { kind, percent });
    }
    Ok(rates)
}

/// "20 % on web hostings, 12.5 % on mail services", or "no discount rates yet".
pub fn rates_words(rates: &[Rate]) -> String {
    if rates.is_empty() {
        return "no discount rates yet".into();
    }
    rates
        .iter()
        .map(|r| format!("{} on {}", r.percent.label(), r.kind.label().to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The decision's log entry and its message to the legal representatives, then the commit.
async fn decided(
    mut tx: Tx,
    action: ActivityAction,
    organization_id: i64,
    detail: &str,
    now: i64,
    message: impl Fn(&str, &str) -> Result<crate::mail::Email, AppError>,
) -> Result<(), AppError> {
    super::log_unattended(
        &mut tx,
        &command_line(),
        action,
        organization_id,
        detail,
        now,
    )
    .await?;
    super::tell_legal_representatives(&mut tx, organization_id, now, message).await?;
    tx.commit().await?;
    Ok(())
}

fn nothing_to_decide(name: &str) -> AppError {
    AppError::validation(
        "organization",
        format!(
            "{name} has no application under review (list them with list-partner-applications)."
        ),
    )
}

/// Approves the organization's application with its discount rates; answers its name.
pub async fn approve(
    state: &AppState,
    organization_id: i64,
    rates: &[Rate],
) -> Result<String, AppError> {
    let now = state.now();
    let mut tx = state.db.write().await?;
    let name = named(&mut tx, organization_id).await?;
    if !store::decide(&mut tx, organization_id, PartnerState::Approved, "", now).await? {
        return Err(nothing_to_decide(&name));
    }
    store::set_rates(&mut tx, organization_id, rates).await?;
    let words = rates_words(rates);
    let detail = format!("partner program: approved, {words}");
    decided(
        tx,
        ActivityAction::PartnerApproved,
        organization_id,
        &detail,
        now,
        |to, first| crate::mail::messages::partner_approved(to, first, &name, &words),
    )
    .await?;
    Ok(name)
}

/// Refuses the organization's application, saying why; answers its name.
pub async fn refuse(
    state: &AppState,
    organization_id: i64,
    reason: &str,
) -> Result<String, AppError> {
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::validation(
            "reason",
            "Say why in 1 to 500 characters: the organization reads it.",
        ));
    }
    let now = state.now();
    let mut tx = state.db.write().await?;
    let name = named(&mut tx, organization_id).await?;
    if !store::decide(
        &mut tx,
        organization_id,
        PartnerState::Refused,
        &reason,
        now,
    )
    .await?
    {
        return Err(nothing_to_decide(&name));
    }
    let detail = format!("partner program: refused ({reason})");
    decided(
        tx,
        ActivityAction::PartnerRefused,
        organization_id,
        &detail,
        now,
        |to, first| crate::mail::messages::partner_refused(to, first, &name, &reason),
    )
    .await?;
    Ok(name)
}

/// Replaces an approved partner's discount rates; answers its name.
pub async fn set_rates(
    state: &AppState,
    organization_id: i64,
    rates: &[Rate],
) -> Result<String, AppError> {
    let now = state.now();
    let mut tx = state.db.write().await?;
    let name = named(&mut tx, organization_id).await?;
    if !store::is_partner(&mut tx, organization_id).await? {
        return Err(AppError::validation(
            "organization",
            format!("{name} is not an approved partner."),
        ));
    }
    let before = rates_words(&store::rates(&mut tx, organization_id).await?);
    store::set_rates(&mut tx, organization_id, rates).await?;
    let words = rates_words(rates);
    let detail = format!("partner discount rates: {before} → {words}");
    decided(
        tx,
        ActivityAction::PartnerRatesChanged,
        organization_id,
        &detail,
        now,
        |to, first| crate::mail::messages::partner_rates_changed(to, first, &name, &words),
    )
    .await?;
    Ok(name)
}

/// The applications waiting for the operator, one line each.
pub async fn applications(state: &AppState) -> Result<Vec<String>, AppError> {
    let mut tx = state.db.read().await?;
    let rows = store::applications(&mut tx).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, register, website, at)| {
            format!(
                "{id}\t{name}\t{register}\t{website}\tapplied {}",
                crate::format::date(at)
            )
        })
        .collect())
}

async fn named(tx: &mut Tx, organization_id: i64) -> Result<String, AppError> {
    crate::billing::store::organization_name(tx, organization_id)
        .await?
        .ok_or_else(|| AppError::not_found("organization"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_read_as_the_operator_types_them() {
        let rates = parse_rates("web_hosting=20, mail_service=12.5").expect("rates");
        assert_eq!(
            rates,
            [
                Rate {
                    kind: ProductKind::WebHosting,
                    percent: Percent(20_00)
                },
                Rate {
                    kind: ProductKind::MailService,
                    percent: Percent(12_50)
                },
            ]
        );
        assert_eq!(
            rates_words(&rates),
            "20 % on web hosting, 12.5 % on mail service"
        );
        assert_eq!(parse_rates("").expect("none"), []);
        for bad in [
            "web_hosting",
            "boats=10",
            "web_hosting=0",
            "web_hosting=100",
            "web_hosting=20,web_hosting=10",
            "drive=-5",
        ] {
            assert!(parse_rates(bad).is_err(), "{bad}");
        }
    }
}
