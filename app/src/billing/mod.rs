//! Billing (BIL-1..6): what things cost and how they are paid. So far the price catalogue
//! ([`catalogue`]: the operator's TOML file, with volume tiers), the price engine ([`price`]:
//! a line's chain of reductions, an invoice's VAT and rounding), both exact over
//! `crate::money`, the prepaid account's ledger ([`ledger`]) and its page, and the billing
//! addresses invoices are addressed to (BIL-1).

pub mod api;
#[cfg(feature = "ssr")]
pub mod catalogue;
#[cfg(feature = "ssr")]
pub mod ledger;
#[cfg(feature = "ssr")]
pub mod operator;
#[cfg(feature = "ssr")]
pub mod price;
#[cfg(feature = "ssr")]
pub mod qr_bill;
pub mod reference;
#[cfg(feature = "ssr")]
pub mod scheduler;
#[cfg(feature = "ssr")]
pub mod store;
pub mod view;
#[cfg(feature = "ssr")]
pub mod withdrawal;
// The postal address rules are shared with a product's holder (`crate::address`).
pub use crate::address::{
    country_name, AddressInput, COUNTRIES, NAME_MAX_CHARS, POSTAL_CODE_MAX_CHARS, STREET_MAX_CHARS,
    VAT_NUMBER_MAX_CHARS,
};
use crate::enums::stored;
use crate::error::AppError;
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// One entry of a prepaid account, as shown.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LedgerLine {
    pub id: i64,
    pub at: i64,
    /// What the entry records, for people ("Top-up", "Payment", …).
    pub kind: String,
    pub reference: String,
    /// Signed: credits positive, debits negative.
    pub amount: Money,
}

/// A prepaid account in one currency: its balance and its entries, newest first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CurrencyStatement {
    pub balance: Money,
    pub entries: Vec<LedgerLine>,
}

/// The organization's prepaid account, one statement per currency it has been used in (CHF
/// alone, empty, when it never was).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PrepaidStatement {
    pub organization: String,
    /// What a bank transfer to the prepaid account must carry (`reference::for_organization`).
    pub reference: String,
    pub currencies: Vec<CurrencyStatement>,
    /// Money requested back, newest first.
    pub withdrawals: Vec<Withdrawal>,
    /// Whether the caller may request money back (`Action::WithdrawMoney`: legal
    /// representatives only).
    pub may_withdraw: bool,
    /// How to top up by bank transfer, with the Swiss QR-bill; `None` when the operator's
    /// catalogue names no bank account.
    #[serde(default)]
    pub slip: Option<PaymentSlip>,
}

/// How to pay by bank transfer: to whom, which account, with which reference — and the same as
/// a Swiss QR-bill (`qr_bill`), whose code a banking app scans.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PaymentSlip {
    /// The beneficiary's name and address, line by line.
    pub beneficiary: Vec<String>,
    /// The IBAN (or QR-IBAN) in groups of four, as on paper.
    pub iban: String,
    /// The reference the transfer must carry, as printed.
    pub reference: String,
    /// `None`: the payer chooses the amount (a top-up).
    pub amount: Option<Money>,
    pub currency: crate::money::Currency,
    /// The Swiss QR Code: its width in modules and its modules as an SVG path.
    pub qr_size: u32,
    pub qr_path: String,
    /// The Swiss cross over the code's middle: `(x, y, width, height, black)` in modules.
    pub cross: Vec<(f32, f32, f32, f32, bool)>,
}

/// Where the printable payment part of a top-up is (`?organization=ID&currency=CHF&amount=…`).
pub const QR_BILL_PDF_PATH: &str = "/qr-bill.pdf";

stored! {
    /// Where a withdrawal goes.
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum WithdrawalMethod labelled {
        #[strum(message = "Bank account")]
        BankAccount,
        #[strum(serialize = "paypal", message = "PayPal")]
        PayPal,
    }
}

impl WithdrawalMethod {
    /// How a destination of this method is shown: an IBAN in groups of four.
    pub fn shown(self, destination: &str) -> String {
        match self {
            WithdrawalMethod::BankAccount => iban_on_paper(destination),
            WithdrawalMethod::PayPal => destination.to_owned(),
        }
    }
}

stored! {
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum WithdrawalStatus labelled {
        /// Reserved on the prepaid account, waiting for the operator to pay it out.
        #[strum(message = "Requested: reserved until it is paid out")]
        Requested,
        #[strum(message = "Paid out")]
        Completed,
        /// The operator could not pay it out: the amount is back on the account.
        #[strum(message = "Given back to the prepaid account")]
        Reversed,
    }
}

/// Money requested back from the prepaid account (BIL-3).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Withdrawal {
    pub id: i64,
    pub requested_at: i64,
    pub amount: Money,
    pub method: WithdrawalMethod,
    /// The IBAN in groups of four, or the PayPal address.
    pub destination: String,
    pub holder: String,
    pub status: WithdrawalStatus,
    pub settled_at: Option<i64>,
    /// The operator's word when it was given back.
    pub note: String,
}

/// An IBAN in groups of four, as printed on paper (`CH93 0076 2011 6238 5295 7`).
pub fn iban_on_paper(electronic: &str) -> String {
    electronic
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The label of a stored entry kind.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "top_up" => "Top-up by bank transfer",
        "order_credit" => "Credit from a cancelled order",
        "payment" => "Payment",
        "withdrawal" => "Withdrawal (reserved, then paid out)",
        "reversal" => "Withdrawal given back",
        "cashback" => "Partner cashback",
        _ => "Other",
    }
}

/// Where an organization's invoices are addressed (BIL-1). Read as stored (`store::addresses`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BillingAddress {
    pub id: i64,
    pub name: String,
    pub company: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166 code, one of [`COUNTRIES`].
    pub country: String,
    pub vat_number: String,
    /// Proposed at checkout and at each renewal.
    pub is_default: bool,
    /// Sent back with an edit: a save from an older version is refused.
    pub version: i64,
}

impl BillingAddress {
    /// The address as printed on an invoice, line by line.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.company.is_empty() {
            lines.push(self.company.clone());
        }
        lines.push(self.name.clone());
        lines.push(self.street.clone());
        lines.push(format!(
            "{}-{} {}",
            self.country, self.postal_code, self.city
        ));
        lines.push(country_name(&self.country).to_owned());
        if !self.vat_number.is_empty() {
            lines.push(format!("VAT {}", self.vat_number));
        }
        lines
    }
}

stored! {
    /// A billing email an organization can turn off (BIL-2).
    #[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Notice labelled {
        #[strum(message = "Invoice issued")]
        InvoiceIssued,
        #[strum(message = "Reminder before an automatic renewal")]
        RenewalReminder,
        #[strum(message = "Renewal and debit confirmation")]
        RenewalConfirmation,
    }
}

impl Notice {
    pub fn description(self) -> &'static str {
        match self {
            Notice::InvoiceIssued => "An email with each new invoice.",
            Notice::RenewalReminder => {
                "14 days before a product renews itself, what it will cost and how it will be paid."
            }
            Notice::RenewalConfirmation => {
                "After a product renewed itself and was paid from the prepaid account."
            }
        }
    }
}

/// The organization's billing emails, and when products about to expire are reminded.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NotificationSettings {
    pub invoice_issued: bool,
    pub renewal_reminder: bool,
    pub renewal_confirmation: bool,
    /// Days before expiry, largest first (BIL-6).
    pub expiry_reminder_days: Vec<i64>,
}

impl NotificationSettings {
    pub fn is_on(&self, notice: Notice) -> bool {
        match notice {
            Notice::InvoiceIssued => self.invoice_issued,
            Notice::RenewalReminder => self.renewal_reminder,
            Notice::RenewalConfirmation => self.renewal_confirmation,
        }
    }
}

pub const DEFAULT_EXPIRY_REMINDER_DAYS: [i64; 3] = [30, 14, 7];
pub const EXPIRY_REMINDERS_MAX: usize = 5;
pub const EXPIRY_REMINDER_MAX_DAYS: i64 = 90;

/// Days before expiry as typed ("30, 14, 7"): up to five whole numbers from 1 to 90, each
/// once; none at all turns the reminders off. Largest first.
pub fn parse_reminder_days(text: &str) -> Result<Vec<i64>, AppError> {
    let wrong = |message: String| AppError::validation("days", message);
    let mut days = Vec::new();
    for part in text.split([',', ' ', ';']).filter(|p| !p.trim().is_empty()) {
        let day: i64 = part.trim().parse().map_err(|_| {
            wrong(format!(
                "\"{}\" is not a number of days: write them like 30, 14, 7.",
                part.trim()
            ))
        })?;
        if !(1..=EXPIRY_REMINDER_MAX_DAYS).contains(&day) {
            return Err(wrong(format!(
                "A reminder comes 1 to {EXPIRY_REMINDER_MAX_DAYS} days before expiry, not {day}."
            )));
        }
        if days.contains(&day) {
            return Err(wrong(format!("{day} days is there twice.")));
        }
        days.push(day);
    }
    if days.len() > EXPIRY_REMINDERS_MAX {
        return Err(wrong(format!(
            "At most {EXPIRY_REMINDERS_MAX} reminders: choose the days that matter most."
        )));
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminder_days_are_up_to_five_distinct_days_from_one_to_ninety() {
        assert_eq!(parse_reminder_days("7, 30 ,14"), Ok(vec![30, 14, 7]));
        assert_eq!(parse_reminder_days(""), Ok(vec![]));
        assert_eq!(parse_reminder_days("90 1"), Ok(vec![90, 1]));
        for (wrong, why) in [
            ("0", "1 to 90"),
            ("91", "1 to 90"),
            ("seven", "not a number"),
            ("7, 7", "twice"),
            ("1,2,3,4,5,6", "At most 5"),
            ("-3", "1 to 90"),
        ] {
            let error = parse_reminder_days(wrong).expect_err(wrong);
            assert_eq!(error.field.as_deref(), Some("days"));
            assert!(error.message.contains(why), "{wrong}: {}", error.message);
        }
    }

    #[test]
    fn every_notice_reads_back_from_its_name() {
        for &notice in Notice::ALL {
            assert_eq!(Notice::parse(notice.as_str()), Some(notice));
        }
        assert_eq!(Notice::parse("everything"), None);
    }

    fn check(postal_code: &str, country: &str, vat: &str) -> Result<AddressInput, AppError> {
        AddressInput::check(
            " Lea Legal ",
            "",
            "Rue du Lac 1",
            postal_code,
            "Lausanne",
            country,
            vat,
        )
    }

    #[test]
    fn an_address_is_trimmed_and_its_country_is_a_code_from_the_list() {
        let ok = check("1003", "ch", "CHE-123.456.789 MWST").expect("valid");
        assert_eq!((ok.name.as_str(), ok.country.as_str()), ("Lea Legal", "CH"));
        assert_eq!(
            check("1003", "XX", "").map_err(|e| e.field),
            Err(Some("country".into()))
        );
        assert_eq!(
            check("10<03", "CH", "").map_err(|e| e.field),
            Err(Some("postal_code".into()))
        );
        assert_eq!(
            check("", "CH", "").map_err(|e| e.field),
            Err(Some("postal_code".into()))
        );
        assert_eq!(
            check("1003", "CH", "CHE;1").map_err(|e| e.field),
            Err(Some("vat_number".into()))
        );
        let long = "x".repeat(NAME_MAX_CHARS + 1);
        let refused = AddressInput::check(&long, "", "Street 1", "1003", "Lausanne", "CH", "");
        assert_eq!(refused.map_err(|e| e.field), Err(Some("name".into())));
        let broken = AddressInput::check("Lea", "", "Street\n1", "1003", "Lausanne", "CH", "");
        assert_eq!(broken.map_err(|e| e.field), Err(Some("street".into())));
    }

    #[test]
    fn an_address_prints_as_on_an_invoice() {
        let address = BillingAddress {
            id: 1,
            name: "Lea Legal".into(),
            company: "Helvetia Web Agency SA".into(),
            street: "Rue du Lac 1".into(),
            postal_code: "1003".into(),
            city: "Lausanne".into(),
            country: "CH".into(),
            vat_number: "CHE-123.456.789 MWST".into(),
            is_default: true,
            version: 1,
        };
        assert_eq!(
            address.lines(),
            [
                "Helvetia Web Agency SA",
                "Lea Legal",
                "Rue du Lac 1",
                "CH-1003 Lausanne",
                "Switzerland",
                "VAT CHE-123.456.789 MWST"
            ]
        );
    }
}
