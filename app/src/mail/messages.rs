//! Every email Steward sends, one function a message: its subject and its words live here and
//! nowhere else, so a message is found, reviewed and tested in one place. Each returns an
//! [`Email`] built through [`Email::new`], so nothing a name or an address carries can add a
//! header; the tests below check every message for its content and for that.

use super::{signature, when_and_where, Email};
use crate::error::AppError;
use crate::format;
use crate::request::Origin;

/// A message with Steward's signature at its end.
fn compose(to: &str, subject: impl Into<String>, body: String) -> Result<Email, AppError> {
    Email::new(to, subject, body + "\n" + signature())
}

/// To whom, when and from where: what every message about an account's security says.
pub struct Occurrence<'a> {
    pub to: &'a str,
    pub first_name: &'a str,
    /// Where people reach Steward, for links.
    pub base: &'a str,
    pub now: i64,
    pub origin: &'a Origin,
}

impl Occurrence<'_> {
    /// The message: a greeting by first name, `text`, and Steward's signature.
    fn message(&self, subject: &str, text: String) -> Result<Email, AppError> {
        compose(
            self.to,
            subject,
            format!("Hello {},\n\n{text}", self.first_name),
        )
    }

    /// Time, IP address and device, one per line.
    fn context(&self) -> String {
        when_and_where(self.now, self.origin)
    }

    /// The device, as its user agent names it.
    fn device(&self) -> String {
        format::device(&self.origin.user_agent)
    }
}

/// Someone tried to sign up with an address that already has an account.
pub fn sign_up_attempted(to: &str, base: &str) -> Result<Email, AppError> {
    let body = format!(
        "Hello,\n\nSomeone just tried to create a Steward account with this email address ({to}). It already has an account, so nothing was created.\n\nIf it was you, sign in instead:\n{base}/login\n\nForgot your password? Choose a new one here:\n{base}/forgot-password\n\nIf it was not you, there is nothing to do: your account is unchanged.",
    );
    compose(
        to,
        "Someone tried to create a Steward account with your address",
        body,
    )
}

/// The code and the link that confirm a sign-up's address.
pub fn confirm_sign_up(to: &str, code: &str, base: &str, token: &str) -> Result<Email, AppError> {
    let body = format!(
        "Hello,\n\nTo finish creating your Steward account, confirm that this address is yours: enter this code on the sign-up page\n\n    {code}\n\nor open this link (you will be asked for the password you chose):\n{base}/signup/confirm?token={token}\n\nBoth work for 24 hours. If you did not sign up for Steward, ignore this message: no account is created.",
    );
    compose(to, "Confirm your email address for Steward", body)
}

/// The account's password was changed (by the person, signed in).
pub fn password_changed(at: &Occurrence<'_>) -> Result<Email, AppError> {
    at.message(
        "Your Steward password was changed",
        format!(
            "The password of your Steward account was changed.\n\n{context}\n\nAll other sessions were signed out. If you did not do this, your account may be in someone else's hands: contact an administrator of your organization at once.",
            context = at.context(),
        ),
    )
}

/// To the new address: the link that makes it the login email.
pub fn confirm_new_email(
    to: &str,
    first_name: &str,
    base: &str,
    token: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\nTo make this address the login email of your Steward account, open this link within 24 hours (it works once):\n{base}/confirm-email?token={token}\n\nIf you did not ask for this, ignore this message: nothing changes.",
    );
    compose(to, "Confirm your new Steward login email", body)
}

/// To the current address: a change of the login email was asked for.
pub fn email_change_requested(
    to: &str,
    first_name: &str,
    new_email: &str,
    base: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\nSomeone signed in to your Steward account asked to change its login email to {new_email}. It changes only when the link sent to that address is opened.\n\nIf this wasn't you, change your password now:\n{base}/security/compromised",
    );
    compose(
        to,
        "A change of your Steward login email was requested",
        body,
    )
}

/// To the old address, once the new one is confirmed.
pub fn email_changed(to: &str, first_name: &str, new_email: &str) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\nThe login email of your Steward account is now {new_email}. This address ({to}) no longer signs in.\n\nIf this wasn't you, contact an administrator of your organization at once.",
    );
    compose(to, "Your Steward login email was changed", body)
}

/// The account is gone, as its owner asked.
pub fn account_deleted(to: &str, first_name: &str) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\nYour Steward account {to} was deleted, as you asked. Your sessions, passwords, two-factor methods, application passwords and API tokens no longer exist, and you left all your organizations.\n\nIf you did not ask for this, contact the organizations you belonged to.",
    );
    compose(to, "Your Steward account is deleted", body)
}

/// What a message about a product names.
pub struct ProductNotice<'a> {
    pub actor: &'a str,
    pub product: &'a str,
    pub kind: &'a str,
    pub organization: &'a str,
    pub organization_id: i64,
    pub product_id: i64,
    pub base: &'a str,
}

/// To every member: a product's management was blocked (PRD-3), or unblocked.
pub fn product_blocked(
    to: &str,
    first_name: &str,
    notice: &ProductNotice<'_>,
    blocked: bool,
) -> Result<Email, AppError> {
    let ProductNotice {
        actor,
        product,
        kind,
        organization,
        organization_id,
        product_id,
        base,
    } = notice;
    let (subject, what, consequence) = if blocked {
        (
            format!("Management of {product} is blocked"),
            "blocked the management of",
            "Until it is unblocked, only administrators and the legal representative can manage it; everyone else with access can still see it.",
        )
    } else {
        (
            format!("Management of {product} is unblocked"),
            "unblocked the management of",
            "Everyone with access can manage it again.",
        )
    };
    let body = format!(
        "Hello {first_name},\n\n{actor} {what} {product} ({kind}) in the organization {organization}.\n\n{consequence}\n{base}/o/{organization_id}/products/{product_id}",
    );
    compose(to, subject, body)
}

/// A product about to expire (BIL-6).
pub struct ExpiryNotice<'a> {
    pub product: &'a str,
    pub kind: &'a str,
    pub organization: &'a str,
    pub organization_id: i64,
    pub product_id: i64,
    /// Whole days left, rounded up.
    pub days_left: i64,
    pub expires_at: i64,
    pub base: &'a str,
}

/// To those who see the organization's billing: a product expires in a few days (BIL-6).
pub fn product_expiring(
    to: &str,
    first_name: &str,
    notice: &ExpiryNotice<'_>,
) -> Result<Email, AppError> {
    let ExpiryNotice {
        product,
        kind,
        organization,
        organization_id,
        product_id,
        days_left,
        expires_at,
        base,
    } = notice;
    let when = match days_left {
        1 => "tomorrow".to_owned(),
        n => format!("in {n} days"),
    };
    let subject = format!("{product} expires {when}");
    let body = format!(
        "Hello {first_name},\n\n{product} ({kind}) of the organization {organization} expires {when}, on {}.\n\nTo keep it, renew it before then:\n{base}/o/{organization_id}/products/{product_id}\n\nThe days of these reminders are set in Billing notifications.",
        format::date(*expires_at)
    );
    compose(to, subject, body)
}

/// A domain that moved on after its expiry (PRD-4): expired, in redemption, being deleted, or
/// released.
pub struct DomainStageNotice<'a> {
    pub domain: &'a str,
    pub organization: &'a str,
    pub organization_id: i64,
    pub product_id: i64,
    /// "Expired", "In redemption", …
    pub stage: &'a str,
    /// Where it stands, with until when and for how much ("expired today — renew at the normal
    /// price until 2027-01-02").
    pub standing: &'a str,
    /// Still something to do (renew or restore): the link to its page is given.
    pub actionable: bool,
    pub base: &'a str,
}

/// To those who see the organization's billing: a domain moved on after its expiry (PRD-4).
pub fn domain_stage_changed(
    to: &str,
    first_name: &str,
    notice: &DomainStageNotice<'_>,
) -> Result<Email, AppError> {
    let DomainStageNotice {
        domain,
        organization,
        organization_id,
        product_id,
        stage,
        standing,
        actionable,
        base,
    } = notice;
    let subject = format!("{domain}: {}", stage.to_lowercase());
    let next = if *actionable {
        format!("To keep it, act from its page:\n{base}/o/{organization_id}/products/{product_id}")
    } else {
        "It is kept in the released-domains history of the organization.".to_owned()
    };
    let body = format!(
        "Hello {first_name},\n\nThe domain {domain} of the organization {organization}: {standing}.\n\n{next}",
    );
    compose(to, subject, body)
}

/// A domain transfer in that failed (PRD-5), and how to restart it.
pub struct TransferFailedNotice<'a> {
    pub domain: &'a str,
    pub organization: &'a str,
    /// What went wrong and what to do, in plain words.
    pub reason: &'a str,
    pub remedy: &'a str,
    /// The single-use restart link (the domain's page with its token).
    pub link: &'a str,
    pub link_days: i64,
}

/// To those who see the organization's billing: a transfer failed, why, and the link to restart
/// it without paying again (PRD-5).
pub fn transfer_failed(
    to: &str,
    first_name: &str,
    notice: &TransferFailedNotice<'_>,
) -> Result<Email, AppError> {
    let TransferFailedNotice {
        domain,
        organization,
        reason,
        remedy,
        link,
        link_days,
    } = notice;
    let subject = format!("The transfer of {domain} failed");
    let body = format!(
        "Hello {first_name},\n\nThe transfer of {domain} to the organization {organization} failed.\n\nWhy: {reason}\n\nWhat to do: {remedy}\n\nThen restart the transfer from this link (once, within {link_days} days; the transfer fee is not charged again):\n{link}\n\nThe domain's page shows the same instructions.",
    );
    compose(to, subject, body)
}

/// To those who see the organization's billing: a transfer in succeeded (PRD-5).
pub fn domain_transferred(
    to: &str,
    first_name: &str,
    domain: &str,
    organization: &str,
    expires_at: i64,
) -> Result<Email, AppError> {
    let subject = format!("{domain} is transferred");
    let body = format!(
        "Hello {first_name},\n\nThe domain {domain} is now managed by the organization {organization}. It expires on {}.",
        format::date(expires_at)
    );
    compose(to, subject, body)
}

/// What the order emails say about an order and its invoice (BIL-4).
pub struct OrderNotice<'a> {
    pub organization: &'a str,
    pub organization_id: i64,
    pub invoice: &'a str,
    pub total: crate::money::Money,
    /// "Prepaid balance", "Bank transfer", "Nothing to pay".
    pub payment: &'a str,
    /// The reference a bank transfer must carry; empty when nothing is to be transferred.
    pub reference: &'a str,
    /// One line per item ordered.
    pub items: &'a [String],
    pub base: &'a str,
}

fn order_summary(notice: &OrderNotice<'_>) -> String {
    let items = notice
        .items
        .iter()
        .map(|i| format!("- {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let payment = if notice.reference.is_empty() {
        format!("Payment: {}.", notice.payment)
    } else {
        format!(
            "Payment: bank transfer of {} with the reference {} (the order is carried out when it arrives).",
            notice.total, notice.reference
        )
    };
    format!(
        "{items}\n\nTotal: {} (VAT included), invoice {}.\n{payment}\n\nInvoices: {}/o/{}/billing/invoices",
        notice.total, notice.invoice, notice.base, notice.organization_id
    )
}

/// To the person who placed an order: what was ordered and how it is paid.
pub fn order_placed(
    to: &str,
    first_name: &str,
    notice: &OrderNotice<'_>,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\nyour order for the organization {} was placed:\n\n{}",
        notice.organization,
        order_summary(notice)
    );
    compose(
        to,
        format!("Order placed: invoice {}", notice.invoice),
        body,
    )
}

/// To those who see the organization's billing, when they asked for it (BIL-2).
pub fn invoice_issued(
    to: &str,
    first_name: &str,
    notice: &OrderNotice<'_>,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\ninvoice {} was issued to the organization {}:\n\n{}\n\nThese emails are turned off in Billing notifications.",
        notice.invoice,
        notice.organization,
        order_summary(notice)
    );
    compose(to, format!("Invoice {} issued", notice.invoice), body)
}

/// To the person who asked for prepaid money back (BIL-3).
/// To every legal representative and administrator of the organization when a withdrawal is
/// requested (BIL-3): money leaving the organization is never news to its owners. `requester`
/// is `None` in the requester's own copy.
pub fn withdrawal_requested(
    to: &str,
    first_name: &str,
    requester: Option<&str>,
    organization: &str,
    amount: &str,
    destination: &str,
) -> Result<Email, AppError> {
    let who = match requester {
        None => "you asked".to_owned(),
        Some(name) => format!("{name} asked"),
    };
    let body = format!(
        "Hello {first_name},\n\n{who} for {amount} of the prepaid account of {organization} to be paid to {destination}. The amount is reserved now and paid out within a few working days.\n\nIf nobody in your organization asked for this, change your password and tell your organization's legal representatives at once: Steward's support can still stop the payment until it is paid out."
    );
    compose(to, format!("Withdrawal of {amount} requested"), body)
}

/// What the renewal emails say about one product (BIL-2).
pub struct RenewalNotice<'a> {
    pub product: &'a str,
    pub kind: &'a str,
    pub organization: &'a str,
    pub organization_id: i64,
    /// The current expiry (reminder, failure) or the new one (confirmation).
    pub date: i64,
    pub total: crate::money::Money,
    pub base: &'a str,
}

/// 14 days before a product renews itself, to those who see billing, when they asked for it.
pub fn renewal_reminder(
    to: &str,
    first_name: &str,
    n: &RenewalNotice<'_>,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\n{} ({}) of the organization {} renews itself on {} for {} (VAT included), paid from the prepaid account. Make sure its balance covers it:\n{}/o/{}/billing/prepaid\n\nTo stop the renewal, turn automatic renewal off in the shop before then. These reminders are turned off in Billing notifications.",
        n.product, n.kind, n.organization, format::date(n.date), n.total, n.base, n.organization_id
    );
    compose(
        to,
        format!("{} renews itself on {}", n.product, format::date(n.date)),
        body,
    )
}

/// After a product renewed itself and was paid from the prepaid account.
pub fn renewal_done(
    to: &str,
    first_name: &str,
    n: &RenewalNotice<'_>,
    invoice: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\n{} ({}) of the organization {} was renewed until {}. {} was paid from the prepaid account; invoice {invoice}:\n{}/o/{}/billing/invoices\n\nThese confirmations are turned off in Billing notifications.",
        n.product, n.kind, n.organization, format::date(n.date), n.total, n.base, n.organization_id
    );
    compose(to, format!("{} was renewed", n.product), body)
}

/// A product could not renew itself: always sent, whatever the switches (it is about to lapse).
pub fn renewal_failed(
    to: &str,
    first_name: &str,
    n: &RenewalNotice<'_>,
    reason: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\n{} ({}) of the organization {} could not renew itself: {reason}\n\nRenew it from the shop, or top up the prepaid account:\n{}/o/{}/billing/shop",
        n.product, n.kind, n.organization, n.base, n.organization_id
    );
    compose(to, format!("{} could not be renewed", n.product), body)
}

/// To a member removed from an organization (ORG-7).
pub fn removed_from_organization(
    to: &str,
    first_name: &str,
    actor: &str,
    organization: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\n{actor} removed you from the organization {organization}. You no longer reach its products; your Steward account and your other organizations are unchanged.",
    );
    compose(to, format!("You were removed from {organization}"), body)
}

/// To each member without two-factor authentication, when their organization starts to
/// require it (SEC-4).
pub fn two_factor_required(
    to: &str,
    first_name: &str,
    actor: &str,
    organization: &str,
    organization_id: i64,
    base: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\n{actor} made two-factor authentication mandatory in the organization {organization}. Until you set it up, that organization only opens its Security page to you; your other organizations are not affected.\n\nSet it up here (an authenticator app takes two minutes):\n{base}/o/{organization_id}/security",
    );
    compose(
        to,
        format!("{organization} now requires two-factor authentication"),
        body,
    )
}

/// What a message about a member's place in an organization names.
pub struct MemberNotice<'a> {
    pub first_name: &'a str,
    pub actor: &'a str,
    pub organization: &'a str,
    pub organization_id: i64,
    pub base: &'a str,
}

/// To a member whose role was changed (ORG-5).
pub fn role_changed(
    to: &str,
    notice: &MemberNotice<'_>,
    old: &str,
    new: &str,
) -> Result<Email, AppError> {
    let MemberNotice {
        first_name,
        actor,
        organization,
        organization_id,
        base,
    } = notice;
    let body = format!(
        "Hello {first_name},\n\n{actor} changed your role in the organization {organization}.\n\nBefore: {old}\nNow: {new}\n\nYour next action in Steward already runs with the new role.\n{base}/o/{organization_id}",
    );
    compose(
        to,
        format!("Your role in {organization} is now {new}"),
        body,
    )
}

/// To a collaborator or external person whose access to a product changed (ORG-10).
pub fn product_access_changed(
    to: &str,
    notice: &MemberNotice<'_>,
    product: &str,
    old: &str,
    new: &str,
) -> Result<Email, AppError> {
    let MemberNotice {
        first_name,
        actor,
        organization,
        organization_id,
        base,
    } = notice;
    let body = format!(
        "Hello {first_name},\n\n{actor} changed what you can do with {product} in the organization {organization}.\n\nBefore: {old}\nNow: {new}\n\nYour next action in Steward already runs with it.\n{base}/o/{organization_id}/products",
    );
    compose(
        to,
        format!("Your access to {product} in {organization}"),
        body,
    )
}

/// To a member blocked (ORG-6), or unblocked.
pub fn member_blocked(
    to: &str,
    notice: &MemberNotice<'_>,
    blocked: bool,
) -> Result<Email, AppError> {
    let MemberNotice {
        first_name,
        actor,
        organization,
        organization_id,
        base,
    } = notice;
    let (subject, what) = if blocked {
        (
            format!("Your access to {organization} is suspended"),
            format!("{actor} blocked your access to the organization {organization}. You remain a member and nothing of yours was deleted, but you cannot see or manage its products until you are unblocked."),
        )
    } else {
        (
            format!("Your access to {organization} is back"),
            format!("{actor} unblocked your access to the organization {organization}: you reach its products again, as before."),
        )
    };
    let body = format!("Hello {first_name},\n\n{what}\n{base}/o/{organization_id}",);
    compose(to, subject, body)
}

/// An invitation to join an organization (ORG-4), with the products it gives.
/// To a legal representative of the organization a product is to be moved to (PRD-8).
pub fn product_move_requested(
    to: &str,
    requester: &str,
    from_organization: &str,
    product: &str,
    expires_at: i64,
    url: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello,\n\n{requester} of the organization {from_organization} wants to move the product {product} to an organization you represent on Steward.\n\nOpen this link to see it and accept it into one of your organizations, or refuse it (it works once, until {expires}):\n{url}\n\nOnce accepted, your organization pays for it: its automatic renewal stays off until you turn it on.\nIf you did not expect this, ignore this email: nothing moves without you.",
        expires = format::datetime_named(expires_at),
    );
    compose(
        to,
        format!("{from_organization} wants to move {product} to you"),
        body,
    )
}

/// To whoever asked to move a product: the answer (PRD-8).
pub fn product_move_answered(
    to: &str,
    first_name: &str,
    product: &str,
    to_organization: Option<&str>,
) -> Result<Email, AppError> {
    let (subject, what) = match to_organization {
        Some(organization) => (
            format!("{product} moved to {organization}"),
            format!(
                "{product} was accepted by {organization}: it is theirs now, with its billing."
            ),
        ),
        None => (
            format!("The move of {product} was refused"),
            format!("The move of {product} was refused: it stays in your organization."),
        ),
    };
    compose(to, subject, format!("Hello {first_name},\n\n{what}"))
}

pub fn invitation(
    to: &str,
    inviter: &str,
    organization: &str,
    role: &str,
    products: &[String],
    expires_at: i64,
    url: &str,
) -> Result<Email, AppError> {
    let reach = if products.is_empty() {
        String::new()
    } else {
        format!(
            "\nYou will have access to:\n{}\n",
            products
                .iter()
                .map(|p| format!("  - {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    let body = format!(
        "Hello,\n\n{inviter} invites you to join the organization {organization} on Steward as {role}.\n{reach}\nAccept the invitation here (the link works once, until {expires}):\n{url}\n\nIf you do not know {inviter} or did not expect this, ignore this email: nothing happens without you.",
        expires = format::datetime_named(expires_at),
    );
    compose(
        to,
        format!("{inviter} invites you to {organization} on Steward"),
        body,
    )
}

/// To the inviter: the invitation was accepted.
pub fn invitation_accepted(
    to: &str,
    name: &str,
    email: &str,
    role: &str,
    organization: &str,
    organization_id: i64,
    base: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello,\n\n{name} ({email}) accepted your invitation and is now {role} of {organization}.\n{base}/o/{organization_id}/users",
    );
    compose(to, format!("{name} joined {organization}"), body)
}

/// A password reset link (to the login email, or the recovery email).
pub fn password_reset_link(
    at: &Occurrence<'_>,
    login: &str,
    token: &str,
) -> Result<Email, AppError> {
    at.message(
        "Reset your Steward password",
        format!(
            "Someone — probably you — asked to reset the password of your Steward account ({login}).\n\nTo choose a new password, open this link within 30 minutes (it works once):\n{base}/reset-password?token={token}\n\nAsked at {time} from {ip} ({device}).\nIf you did not ask, ignore this message: your password stays as it is. Two-factor authentication, if you use it, is still asked at the next sign-in.",
            base = at.base,
            time = format::datetime_named(at.now),
            ip = at.origin.ip,
            device = at.device(),
        ),
    )
}

/// The password was reset through a link.
pub fn password_was_reset(at: &Occurrence<'_>) -> Result<Email, AppError> {
    at.message(
        "Your Steward password was reset",
        format!(
            "The password of your Steward account was just reset through a reset link, and every session was signed out.\n\n{context}\n\nIf this was not you, someone can read your email or your phone's messages: reset your password again at once ({base}/forgot-password), secure that mailbox, and turn on two-factor authentication.",
            base = at.base,
            context = at.context(),
        ),
    )
}

/// A sign-in failed (for those who asked to be told), with a "this wasn't me" link.
pub fn failed_sign_in(at: &Occurrence<'_>, what: &str, link: &str) -> Result<Email, AppError> {
    at.message(
        "Failed sign-in to your Steward account",
        format!(
            "A sign-in to your Steward account failed ({what}).\n\n{context}\n\nIf this was you, there is nothing to do. If it wasn't, someone may be trying to guess your password: secure your account here (the link works once, for 7 days):\n{base}/not-me?token={link}",
            base = at.base,
            context = at.context(),
        ),
    )
}

/// To someone given the use of an email address of a mail service (MAIL-1): which address,
/// what they may do, and that its passwords are not their Steward password (ACC-9).
pub fn mail_access_given(
    to: &str,
    address: &str,
    organization: &str,
    rights: &str,
    base: &str,
) -> Result<Email, AppError> {
    let subject = format!("You can now use {address}");
    let body = format!(
        "Hello,\n\nThe organization {organization} gave you the use of the email address {address}.\n\nWhat you may manage on it: {rights}.\n\nSign in to Steward with your own login identifier (this address, {to}) to see it under \"My mail addresses\"; if you have no Steward account yet, create one with this address:\n{base}/signup\n\nThe address's own passwords (one per device, for email clients) are different from your Steward password: a device password is given to you by its administrator, or through a setup link.",
    );
    compose(to, subject, body)
}

/// A device setup link for an email address (MAIL-4), sent to the user who will set it up.
pub fn device_setup(
    to: &str,
    address: &str,
    organization: &str,
    device: &str,
    link: &str,
    days: i64,
) -> Result<Email, AppError> {
    let subject = format!("Set up {address} on your device");
    let body = format!(
        "Hello,\n\n{organization} invites you to set up the email address {address} on your device \"{device}\". Open this link (it works once, within {days} days) to get the device's own password, to enter in your email client:\n{link}\n\nThis password is for this address on this device only; it is not your Steward password.",
    );
    compose(to, subject, body)
}

/// A sign-in succeeded (for those who asked to be told), with a "this wasn't me" link.
pub fn new_sign_in(at: &Occurrence<'_>, method: &str, link: &str) -> Result<Email, AppError> {
    at.message(
        "New sign-in to your Steward account",
        format!(
            "Your Steward account was just signed in to.\n\n{context}\nMethod: {method}\n\nIf this was you, there is nothing to do.\nIf this wasn't you, end that session and secure your account here (the link works once, for 7 days):\n{base}/not-me?token={link}",
            base = at.base,
            context = at.context(),
        ),
    )
}

/// The account locked itself after too many failures (SEC-7); the link unlocks it.
pub fn account_locked(at: &Occurrence<'_>, link: &str) -> Result<Email, AppError> {
    at.message(
        "Your Steward account has been locked",
        format!(
            "After too many failed sign-ins in a row, your Steward account has been locked to protect it. The last attempt came from {ip} ({device}) at {time}.\n\nTo unlock it, open this link within one hour (it works once):\n{base}/unlock?token={link}\n\nAn administrator or legal representative of one of your organizations can also unlock your account.\nIf these attempts were not yours, change your password once you are back in and consider turning on two-factor authentication.",
            base = at.base,
            ip = at.origin.ip,
            device = at.device(),
            time = format::datetime_named(at.now),
        ),
    )
}

/// What a partner asks a customer for (PAR-2).
pub struct PartnerRequest<'a> {
    pub partner: &'a str,
    pub requested_by: &'a str,
    /// The kind of access, in words.
    pub access: &'a str,
    /// The end date asked for (the first instant after it), if any.
    pub until: Option<i64>,
    /// Until when the link works.
    pub expires_at: i64,
    pub url: &'a str,
}

/// To the customer a partner asks for access (PAR-2): what is asked, and the link to answer.
pub fn partner_access_requested(to: &str, request: &PartnerRequest<'_>) -> Result<Email, AppError> {
    let until = match request.until {
        Some(until) => format!(", until {}", format::date(until - 1)),
        None => String::new(),
    };
    let body = format!(
        "Hello,\n\n{by} of {partner}, a partner of Steward, asks to manage your organization's products: {access}{until}.\n\nOpen this link to see the request and grant it — or grant less: another kind of access, only some products, an end date — or refuse it (it works until {expires}):\n{url}\n\nIf you have no Steward account yet, create one from that page first. Whatever you grant, you can end at any time in your organization's settings.\nIf you did not expect this, ignore this email: nobody gets access without you.",
        by = request.requested_by,
        partner = request.partner,
        access = request.access,
        expires = format::datetime_named(request.expires_at),
        url = request.url,
    );
    compose(
        to,
        format!("{} asks to manage your products", request.partner),
        body,
    )
}

/// To a partner's legal representatives: what the customer granted, beside what was asked.
pub fn partner_access_granted(
    to: &str,
    first_name: &str,
    customer: &str,
    requested: &str,
    granted: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\n{customer} answered your request.\n\nAsked: {requested}\nGranted: {granted}\n\n{customer} is now in your Reseller area."
    );
    compose(to, format!("{customer} granted you access"), body)
}

/// To a partner's legal representatives: the customer refused (or nobody will answer).
pub fn partner_request_refused(
    to: &str,
    first_name: &str,
    partner: &str,
    email: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\n{email} refused {partner}'s request for access: nothing was granted."
    );
    compose(to, format!("{email} refused your request for access"), body)
}

/// To the other side's legal representatives when a partner's access ends (`side`: "the
/// partner", "the customer", "its end date").
pub fn partner_access_ended(
    to: &str,
    first_name: &str,
    partner: &str,
    customer: &str,
    side: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\n{partner}'s access to {customer} was ended by {side}: {partner}'s people no longer reach {customer}'s products or billing."
    );
    compose(to, format!("{partner}'s access to {customer} ended"), body)
}

/// To both sides, 14 days before a grant's end date.
pub fn partner_access_ending(
    to: &str,
    first_name: &str,
    partner: &str,
    customer: &str,
    until: i64,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\n{partner}'s access to {customer} ends on {date}, as granted. To keep it, {customer}'s legal representative grants a new request from {partner}.",
        date = format::date(until - 1),
    );
    compose(
        to,
        format!(
            "{partner}'s access to {customer} ends on {}",
            format::date(until - 1)
        ),
        body,
    )
}

/// To an organization's legal representatives: its application to the partner program was
/// approved, with its discount rates.
pub fn partner_approved(
    to: &str,
    first_name: &str,
    organization: &str,
    rates: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\n{organization} is now a Steward partner. Your discount rates: {rates}.\n\nThe Reseller area in the side menu lists your managed customers; a legal representative adds them with \"Add a customer\"."
    );
    compose(to, format!("{organization} is now a Steward partner"), body)
}

/// To an organization's legal representatives: its application was refused, and why.
pub fn partner_refused(
    to: &str,
    first_name: &str,
    organization: &str,
    reason: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\nThe application of {organization} to the partner program was not accepted: {reason}\n\nA legal representative can apply again in the organization's settings."
    );
    compose(
        to,
        format!("The partner application of {organization}"),
        body,
    )
}

/// To a partner's legal representatives: its discount rates changed.
pub fn partner_rates_changed(
    to: &str,
    first_name: &str,
    organization: &str,
    rates: &str,
) -> Result<Email, AppError> {
    let body = format!(
        "Hello {first_name},\n\nThe partner discount rates of {organization} are now: {rates}. They apply to orders and renewals from now on."
    );
    compose(to, format!("New partner rates for {organization}"), body)
}

/// To a partner's collaborator: a customer was delegated to them, or taken back (PAR-7).
pub fn customer_delegation_changed(
    to: &str,
    first_name: &str,
    partner: &str,
    customer: &str,
    delegated: bool,
) -> Result<Email, AppError> {
    let (subject, text) = if delegated {
        (
            format!("You now manage {customer} for {partner}"),
            format!("{partner} delegated its customer {customer} to you: you reach it from the organization switcher (Customers), with the access {customer} granted {partner}."),
        )
    } else {
        (
            format!("You no longer manage {customer} for {partner}"),
            format!("{partner} took its customer {customer} back from you: it is no longer in your Customers list."),
        )
    };
    compose(to, subject, format!("Hello {first_name},\n\n{text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://steward.example";
    /// A name as hostile as a form lets one be: a line break and a header after it.
    const HOSTILE: &str = "Eve\r\nBcc: victim@example.com";

    fn origin() -> Origin {
        Origin {
            ip: "203.0.113.7".into(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0".into(),
            https: true,
        }
    }

    /// Every message, with hostile names wherever a person typed them.
    fn every_message() -> Vec<(&'static str, Email)> {
        let items = ["Domain name example.ch, 1 year".to_owned()];
        let renewal = RenewalNotice {
            product: "example.ch",
            kind: "Domain name",
            organization: HOSTILE,
            organization_id: 9,
            date: 1_800_000_000,
            total: crate::money::Money::new(14_05, crate::money::Currency::Chf),
            base: BASE,
        };
        let order = OrderNotice {
            organization: HOSTILE,
            organization_id: 9,
            invoice: "CHF-000042",
            total: crate::money::Money::new(14_05, crate::money::Currency::Chf),
            payment: "Bank transfer",
            reference: "RF12 STWO 0000 0000 17",
            items: &items,
            base: BASE,
        };
        let o = origin();
        let product = ProductNotice {
            actor: HOSTILE,
            product: "example.ch",
            kind: "Domain name",
            organization: HOSTILE,
            organization_id: 9,
            product_id: 42,
            base: BASE,
        };
        let member = MemberNotice {
            first_name: HOSTILE,
            actor: HOSTILE,
            organization: HOSTILE,
            organization_id: 9,
            base: BASE,
        };
        let to = "ada@example.com";
        let at = Occurrence {
            to,
            first_name: HOSTILE,
            base: BASE,
            now: 0,
            origin: &o,
        };
        let all = [
            ("sign_up_attempted", sign_up_attempted(to, BASE)),
            (
                "confirm_sign_up",
                confirm_sign_up(to, "123456", BASE, "tok"),
            ),
            ("password_changed", password_changed(&at)),
            (
                "confirm_new_email",
                confirm_new_email(to, HOSTILE, BASE, "tok"),
            ),
            (
                "email_change_requested",
                email_change_requested(to, HOSTILE, "new@example.com", BASE),
            ),
            (
                "email_changed",
                email_changed(to, HOSTILE, "new@example.com"),
            ),
            ("account_deleted", account_deleted(to, HOSTILE)),
            (
                "product_blocked",
                product_blocked(to, HOSTILE, &product, true),
            ),
            (
                "product_unblocked",
                product_blocked(to, HOSTILE, &product, false),
            ),
            (
                "product_expiring",
                product_expiring(
                    to,
                    HOSTILE,
                    &ExpiryNotice {
                        product: "example.ch",
                        kind: "Domain name",
                        organization: HOSTILE,
                        organization_id: 9,
                        product_id: 42,
                        days_left: 7,
                        expires_at: 0,
                        base: BASE,
                    },
                ),
            ),
            (
                "removed_from_organization",
                removed_from_organization(to, HOSTILE, HOSTILE, HOSTILE),
            ),
            (
                "two_factor_required",
                two_factor_required(to, HOSTILE, HOSTILE, HOSTILE, 9, BASE),
            ),
            (
                "role_changed",
                role_changed(to, &member, "Collaborator", "Administrator"),
            ),
            ("member_blocked", member_blocked(to, &member, true)),
            ("member_unblocked", member_blocked(to, &member, false)),
            (
                "invitation",
                invitation(
                    to,
                    HOSTILE,
                    HOSTILE,
                    "external",
                    &["example.ch".into()],
                    0,
                    "https://steward.example/invitation?organization=9&token=tok",
                ),
            ),
            (
                "invitation_accepted",
                invitation_accepted(to, HOSTILE, "kim@example.com", "external", HOSTILE, 9, BASE),
            ),
            (
                "mail_access_given",
                mail_access_given(to, "info@example.ch", HOSTILE, "all 11 permissions", BASE),
            ),
            (
                "device_setup",
                device_setup(
                    to,
                    "info@example.ch",
                    HOSTILE,
                    HOSTILE,
                    "https://steward.example/mail-setup?token=tok",
                    30,
                ),
            ),
            ("password_reset_link", password_reset_link(&at, to, "tok")),
            ("password_was_reset", password_was_reset(&at)),
            (
                "failed_sign_in",
                failed_sign_in(&at, "wrong password", "tok"),
            ),
            ("new_sign_in", new_sign_in(&at, "password", "tok")),
            ("account_locked", account_locked(&at, "tok")),
            ("order_placed", order_placed(to, HOSTILE, &order)),
            ("renewal_reminder", renewal_reminder(to, HOSTILE, &renewal)),
            (
                "renewal_done",
                renewal_done(to, HOSTILE, &renewal, "CHF-000042"),
            ),
            (
                "renewal_failed",
                renewal_failed(
                    to,
                    HOSTILE,
                    &renewal,
                    "the prepaid balance (CHF 3.00) does not cover CHF 14.05.",
                ),
            ),
            (
                "withdrawal_requested",
                withdrawal_requested(
                    to,
                    HOSTILE,
                    Some(HOSTILE),
                    HOSTILE,
                    "CHF 27.50",
                    "Bank account CH93 0076 2011 6238 5295 7",
                ),
            ),
            ("invoice_issued", invoice_issued(to, HOSTILE, &order)),
        ];
        all.into_iter()
            .map(|(name, email)| (name, email.unwrap_or_else(|e| panic!("{name}: {e:?}"))))
            .collect()
    }

    #[test]
    fn no_name_in_any_message_can_add_a_header() {
        for (name, email) in every_message() {
            assert!(
                !email.subject().chars().any(char::is_control),
                "{name}: {:?}",
                email.subject()
            );
            assert_eq!(email.to(), "ada@example.com", "{name}");
            assert!(email.body().ends_with(signature()), "{name}");
        }
        assert!(sign_up_attempted("ada@example.com\r\nBcc: eve@example.com", BASE).is_err());
        assert!(account_deleted("Eve <eve@example.com>", "Eve").is_err());
    }

    #[test]
    fn every_message_says_what_happened_and_where_to_act() {
        let says = |name: &str, subject: &str, words: &[&str]| {
            let (_, email) = every_message()
                .into_iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("{name}"));
            assert!(
                email.subject().contains(subject),
                "{name}: {}",
                email.subject()
            );
            for w in words {
                assert!(
                    email.body().contains(w),
                    "{name} lacks {w:?}:\n{}",
                    email.body()
                );
            }
        };
        says(
            "order_placed",
            "Order placed: invoice CHF-000042",
            &[
                "- Domain name example.ch, 1 year",
                "CHF 14.05",
                "RF12 STWO 0000 0000 17",
                "/o/9/billing/invoices",
            ],
        );
        says(
            "renewal_reminder",
            "example.ch renews itself on 15.01.2027",
            &["CHF 14.05", "/o/9/billing/prepaid", "Billing notifications"],
        );
        says(
            "renewal_done",
            "example.ch was renewed",
            &["CHF-000042", "/o/9/billing/invoices"],
        );
        says(
            "renewal_failed",
            "could not be renewed",
            &["does not cover", "/o/9/billing/shop"],
        );
        says(
            "withdrawal_requested",
            "Withdrawal of CHF 27.50 requested",
            &["CH93 0076 2011 6238 5295 7", "change your password"],
        );
        says(
            "invoice_issued",
            "Invoice CHF-000042 issued",
            &["CHF 14.05", "Billing notifications"],
        );
        says(
            "product_expiring",
            "example.ch expires in 7 days",
            &["/o/9/products/42", "Billing notifications"],
        );
        says(
            "sign_up_attempted",
            "tried to create",
            &["https://steward.example/login", "/forgot-password"],
        );
        says(
            "confirm_sign_up",
            "Confirm your email",
            &["    123456", "/signup/confirm?token=tok", "24 hours"],
        );
        says(
            "password_changed",
            "password was changed",
            &["IP address: 203.0.113.7", "Device: Firefox"],
        );
        says(
            "confirm_new_email",
            "Confirm your new",
            &["/confirm-email?token=tok", "24 hours"],
        );
        says(
            "email_change_requested",
            "was requested",
            &["new@example.com", "/security/compromised"],
        );
        says(
            "email_changed",
            "was changed",
            &[
                "is now new@example.com",
                "(ada@example.com) no longer signs in",
            ],
        );
        says(
            "account_deleted",
            "is deleted",
            &["ada@example.com was deleted"],
        );
        says(
            "product_blocked",
            "Management of example.ch is blocked",
            &[
                "blocked the management of example.ch (Domain name)",
                "/o/9/products/42",
            ],
        );
        says(
            "product_unblocked",
            "is unblocked",
            &["can manage it again"],
        );
        says(
            "removed_from_organization",
            "You were removed from Eve",
            &["removed you from the organization"],
        );
        says(
            "two_factor_required",
            "now requires two-factor",
            &["/o/9/security"],
        );
        says(
            "role_changed",
            "is now Administrator",
            &["Before: Collaborator\nNow: Administrator", "/o/9"],
        );
        says("member_blocked", "is suspended", &["blocked your access"]);
        says("member_unblocked", "is back", &["unblocked your access"]);
        says(
            "invitation",
            "invites you to",
            &["as external", "  - example.ch", "token=tok"],
        );
        says(
            "invitation_accepted",
            "joined",
            &["(kim@example.com) accepted your invitation", "/o/9/users"],
        );
        says(
            "password_reset_link",
            "Reset your Steward password",
            &["/reset-password?token=tok", "30 minutes", "203.0.113.7"],
        );
        says(
            "password_was_reset",
            "was reset",
            &["/forgot-password", "IP address: 203.0.113.7"],
        );
        says(
            "failed_sign_in",
            "Failed sign-in",
            &["(wrong password)", "/not-me?token=tok"],
        );
        says(
            "new_sign_in",
            "New sign-in",
            &["Method: password", "/not-me?token=tok"],
        );
        says(
            "account_locked",
            "has been locked",
            &["/unlock?token=tok", "203.0.113.7", "one hour"],
        );
    }
}
