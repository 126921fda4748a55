//! The shop (BIL-4): an organization's cart (new products and renewals, each line with its
//! quantity and periods), promo codes and free offers on its lines, the order that one
//! checkout places — its invoice, its payment from the prepaid balance or by bank transfer,
//! the products it creates or extends — and the invoices page with each invoice as a PDF.
//! Prices come from the catalogue and the price engine of `billing`; money from `money`.

pub mod api;
#[cfg(feature = "ssr")]
pub mod cashback;
#[cfg(feature = "ssr")]
pub mod checkout;
pub mod guest;
pub mod guest_view;
#[cfg(feature = "ssr")]
pub mod offer;
#[cfg(feature = "ssr")]
pub mod operator;
#[cfg(feature = "ssr")]
pub mod payment;
#[cfg(feature = "ssr")]
pub mod pdf;
#[cfg(feature = "ssr")]
pub mod quote;
#[cfg(feature = "ssr")]
pub mod renewals;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;

use crate::billing::BillingAddress;
use crate::enums::stored;
use crate::error::AppError;
use crate::money::{Currency, Money, Percent};
use crate::products::ProductKind;
use serde::{Deserialize, Serialize};

/// The HTTP route of an invoice's PDF: `?organization=ID&invoice=ID`.
pub const INVOICE_PDF_PATH: &str = "/invoice.pdf";

/// At most this many items on one line, and this many periods (months or years).
pub const QUANTITY_MAX: i64 = 1000;
pub const PERIODS_MAX: i64 = 120;
/// Lines in one cart.
pub const CART_LINES_MAX: usize = 200;
pub const NAME_MAX_CHARS: usize = 63;
pub const PROMO_CODE_MAX_CHARS: usize = 32;

/// `1 month`, `3 years`.
pub fn periods_label(period: &str, periods: i64) -> String {
    match (period, periods) {
        ("year", 1) => "1 year".to_owned(),
        ("year", n) => format!("{n} years"),
        (_, 1) => "1 month".to_owned(),
        (_, n) => format!("{n} months"),
    }
}

stored! {
    /// What a cart or order line does.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
    #[serde(rename_all = "snake_case")]
    pub enum Purpose {
        /// New products.
        #[default]
        New,
        /// More periods of a product the organization has.
        Renewal,
        /// A domain in redemption brought back: the restore fee and one year of renewal.
        Restore,
        /// Years of renewal warranty for a domain.
        Warranty,
        /// A domain moved here from another registrar, with its authorization code.
        Transfer,
    }
}

/// What an item of an order is, in words: "Domain name example.ch", "Renewal of Web hosting
/// shop", "Restore of Domain name example.com (restore fee + renewal)".
pub fn describe_item(purpose: Purpose, label: &str, name: &str) -> String {
    match purpose {
        Purpose::New => format!("{label} {name}"),
        Purpose::Renewal => format!("Renewal of {label} {name}"),
        Purpose::Restore => format!("Restore of {label} {name} (restore fee + renewal)"),
        Purpose::Warranty => format!("Renewal warranty for {label} {name}"),
        Purpose::Transfer => format!("Transfer of {label} {name}"),
    }
}

/// Something the shop sells: a plan of the catalogue, priced in the cart's currency.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Offering {
    pub kind: ProductKind,
    pub plan: String,
    pub label: String,
    /// What it is for, in a sentence (the catalogue's).
    #[serde(default)]
    pub description: String,
    /// "month" or "year".
    pub period: String,
    /// One item for one period, VAT excluded.
    pub unit: Money,
    /// "from 5: 10 %", … (the whole quantity gets the rate it reaches).
    pub tiers: Vec<String>,
}

/// What the order page (someone signed out) shows: the catalogue, a domain name's price by
/// extension, and the visitor's cart priced in CHF.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OrderCatalogue {
    pub offerings: Vec<Offering>,
    pub domain_prices: Vec<DomainPrice>,
    pub quote: Quote,
}

/// A year of a domain name of one extension, VAT excluded.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DomainPrice {
    pub extension: String,
    pub price: Money,
}

/// The answer to a domain search.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DomainFound {
    /// As normalised: `example.ch`.
    pub name: String,
    pub available: bool,
    /// A year's price (when it is available).
    pub price: Option<Money>,
}

/// A product's renewal as its page shows it (products other than domains, which have their own
/// panel): when it expires, whether it renews itself, what a period costs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RenewalFacts {
    pub product_id: i64,
    pub name: String,
    pub expires_at: i64,
    pub auto_renew: bool,
    /// One item for one period, VAT excluded.
    pub price: Money,
    /// "month" or "year".
    pub period: String,
    /// May renew and switch automatic renewal (billing rights).
    pub may_order: bool,
}

/// Where the cart's promo code went.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PromoApplied {
    pub code: String,
    /// The line's description: "Domain name example.ch".
    pub line: String,
}

/// At most this many lines in a signed-out visitor's cart.
pub const GUEST_CART_LINES_MAX: usize = 20;

/// A product of the organization that can be renewed from the shop.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Renewable {
    pub product_id: i64,
    pub name: String,
    pub kind: ProductKind,
    pub expires_at: Option<i64>,
    /// Renews itself at expiry for one period, paid from the prepaid balance.
    pub auto_renew: bool,
}

/// A reduction as applied to a line.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Reduced {
    pub label: String,
    pub taken: Money,
}

/// A free offer a line may take.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OfferChoice {
    pub id: i64,
    pub label: String,
}

/// One line of the cart, priced.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct QuotedLine {
    pub id: i64,
    pub kind: ProductKind,
    pub description: String,
    pub renewal: bool,
    pub purpose: Purpose,
    pub quantity: i64,
    pub periods: i64,
    pub period: String,
    /// Unit price × quantity × periods.
    pub list: Money,
    pub reductions: Vec<Reduced>,
    /// VAT excluded.
    pub net: Money,
    pub vat_rate: Percent,
    /// As typed on the line ("" for none).
    pub promo_code: String,
    /// Why the code does not apply (then it takes nothing off, and the order cannot be placed).
    pub problem: Option<String>,
    pub free_offer_id: Option<i64>,
    /// The organization's free offers this line may take.
    pub offers: Vec<OfferChoice>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct VatLine {
    pub rate: Percent,
    pub base: Money,
    pub tax: Money,
}

/// What the cart costs, before anything is charged.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Quote {
    pub currency: Currency,
    pub lines: Vec<QuotedLine>,
    pub net: Money,
    pub vat: Vec<VatLine>,
    /// CHF totals are rounded to 0.05; this is the difference, shown on its own line.
    pub rounding: Money,
    pub total: Money,
}

impl Quote {
    pub fn has_problems(&self) -> bool {
        self.lines.iter().any(|l| l.problem.is_some())
    }
}

/// Everything the shop page shows.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Shop {
    pub organization: String,
    pub offerings: Vec<Offering>,
    pub renewable: Vec<Renewable>,
    pub quote: Quote,
    pub addresses: Vec<BillingAddress>,
    /// The prepaid balance in the cart's currency.
    pub balance: Money,
    /// Sent back with the order: the same key twice places one order. A new one comes with
    /// each load of the page.
    pub order_key: String,
    /// A partner pays for this order with its own payment methods (PAR-4): the cart is at its
    /// price, the addresses and the balance are its own.
    #[serde(default)]
    pub paid_by: Option<PaidBy>,
}

/// Who pays for an order a partner's person places in a customer's shop (PAR-4).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PaidBy {
    pub partner: String,
    /// The person may spend the partner's money (else they fill the cart for someone who may).
    pub may_pay: bool,
}

stored! {
    /// How an order is paid.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Payment labelled {
        /// From the prepaid account's balance, at once.
        #[strum(message = "Prepaid balance")]
        Prepaid,
        /// The order waits for a bank transfer carrying the invoice's reference.
        #[strum(message = "Bank transfer")]
        BankTransfer,
        /// Nothing to pay (a 100 % promo code, a free offer).
        #[strum(serialize = "none", message = "Nothing to pay")]
        Nothing,
    }
}

stored! {
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum OrderStatus labelled {
        #[strum(message = "Awaiting bank transfer")]
        AwaitingPayment,
        #[strum(message = "Paid")]
        Paid,
        #[strum(message = "Cancelled")]
        Cancelled,
    }
}

/// `CHF-000042`: invoices are numbered without a gap in each currency.
pub fn invoice_number(currency: Currency, number: i64) -> String {
    format!("{}-{number:06}", currency.code())
}

/// One invoice on the invoices page.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct InvoiceSummary {
    pub id: i64,
    pub order_id: i64,
    pub number: String,
    pub issued_at: i64,
    pub total: Money,
    pub status: OrderStatus,
    pub payment: Payment,
    /// What the bank transfer must carry (bank-transfer orders).
    pub reference: String,
    /// One line per cart line: "Domain name example.ch, 1 year".
    pub items: Vec<String>,
}

/// What placing an order did.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Placed {
    pub order_id: i64,
    pub invoice_id: i64,
    pub invoice: String,
    pub status: OrderStatus,
    pub total: Money,
    pub reference: String,
    /// For an order waiting for its bank transfer: how to pay it, with its Swiss QR-bill.
    #[serde(default)]
    pub slip: Option<crate::billing::PaymentSlip>,
}

/// A domain name as typed for a new registration: lower case, labels of letters, digits and
/// hyphens, a known extension. (Whether it is free is the shop's question.)
pub fn check_domain_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim().trim_end_matches('.').to_lowercase();
    let wrong = |m: &str| AppError::validation("name", m);
    if name.is_empty() {
        return Err(wrong("Enter the domain name, like example.ch."));
    }
    if name.len() > 253 {
        return Err(wrong("A domain name has at most 253 characters."));
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return Err(wrong("Add the extension: example.ch, not example."));
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err(wrong("Each part of a domain name has 1 to 63 characters."));
        }
        if !label
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(wrong(
                "A domain name has letters a–z, digits, hyphens and dots only.",
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(wrong(
                "A part of a domain name cannot begin or end with a hyphen.",
            ));
        }
    }
    Ok(name)
}

/// The name of a new product other than a domain: what people will know it by.
pub fn check_product_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim().to_owned();
    if name.is_empty() {
        return Err(AppError::validation(
            "name",
            "Give the product a name, like shop or team mail.",
        ));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(AppError::validation(
            "name",
            format!("A product name has at most {NAME_MAX_CHARS} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::validation(
            "name",
            "A product name cannot contain line breaks or control characters.",
        ));
    }
    Ok(name)
}

/// A quantity and a number of periods as typed, within bounds.
pub fn check_amounts(quantity: i64, periods: i64) -> Result<(), AppError> {
    if !(1..=QUANTITY_MAX).contains(&quantity) {
        return Err(AppError::validation(
            "quantity",
            format!("Order 1 to {QUANTITY_MAX} at a time."),
        ));
    }
    if !(1..=PERIODS_MAX).contains(&periods) {
        return Err(AppError::validation(
            "periods",
            format!("Order 1 to {PERIODS_MAX} periods at a time."),
        ));
    }
    Ok(())
}

/// A promo code as typed: trimmed, upper case; empty removes it.
pub fn normalize_promo_code(raw: &str) -> Result<String, AppError> {
    let code = raw.trim().to_uppercase();
    if code.chars().count() > PROMO_CODE_MAX_CHARS
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(AppError::validation(
            "promo_code",
            "A promo code has letters, digits, dashes and underscores only.",
        ));
    }
    Ok(code)
}

/// The billing address a product's renewals are invoiced to, for its page (BIL-1).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RenewalAddress {
    /// The address chosen for this product; `None`: the organization's default.
    pub chosen: Option<i64>,
    /// The organization's addresses, the default first.
    pub addresses: Vec<BillingAddress>,
}

/// A line about one of the organization's products (a renewal, a restore, a warranty) extends
/// that one product, once: its quantity is 1 — what is charged is what is delivered. The
/// number of periods is what buys more time.
pub fn check_product_line_quantity(product_id: Option<i64>, quantity: i64) -> Result<(), AppError> {
    if product_id.is_some() && quantity != 1 {
        return Err(AppError::validation(
            "quantity",
            "A renewal extends one product: its quantity is 1. Choose the number of periods instead.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_about_a_product_extends_it_once() {
        assert!(check_product_line_quantity(Some(7), 1).is_ok());
        assert_eq!(
            check_product_line_quantity(Some(7), 5)
                .expect_err("refused")
                .field
                .as_deref(),
            Some("quantity")
        );
        assert!(check_product_line_quantity(None, 5).is_ok());
    }

    #[test]
    fn a_domain_name_is_lower_case_with_an_extension() {
        assert_eq!(
            check_domain_name(" Example.CH. ").as_deref(),
            Ok("example.ch")
        );
        assert_eq!(
            check_domain_name("my-shop.co.uk").as_deref(),
            Ok("my-shop.co.uk")
        );
        for wrong in [
            "",
            "example",
            "-x.ch",
            "x-.ch",
            "a..ch",
            "exa mple.ch",
            "<b>.ch",
        ] {
            let error = check_domain_name(wrong).expect_err(wrong);
            assert_eq!(error.field.as_deref(), Some("name"), "{wrong}");
        }
    }

    #[test]
    fn amounts_and_codes_are_bounded() {
        assert!(check_amounts(1, 1).is_ok());
        assert!(check_amounts(QUANTITY_MAX, PERIODS_MAX).is_ok());
        assert!(check_amounts(0, 1).is_err());
        assert!(check_amounts(1, PERIODS_MAX + 1).is_err());
        assert_eq!(
            normalize_promo_code(" move-2026 ").as_deref(),
            Ok("MOVE-2026")
        );
        assert_eq!(normalize_promo_code("").as_deref(), Ok(""));
        assert!(normalize_promo_code("DROP TABLE").is_err());
    }

    #[test]
    fn names_read_back() {
        for payment in [Payment::Prepaid, Payment::BankTransfer, Payment::Nothing] {
            assert_eq!(Payment::parse(payment.as_str()), Some(payment));
        }
        for status in [
            OrderStatus::AwaitingPayment,
            OrderStatus::Paid,
            OrderStatus::Cancelled,
        ] {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(invoice_number(Currency::Chf, 42), "CHF-000042");
        assert_eq!(periods_label("year", 1), "1 year");
        assert_eq!(periods_label("month", 12), "12 months");
    }
}
