//! The price catalogue (BIL-5): for each product kind and plan, its price per period in each
//! currency and its volume tiers. The operator edits it as a TOML file; Steward ships
//! `catalogue.toml` beside this file as the defaults. A catalogue is checked when it is read —
//! both currencies for every plan, tiers in growing order — so a mistake stops the server at
//! start with the line to fix, not a customer at checkout.

use crate::enums::stored;
use crate::money::{Currency, Money, Percent};
use crate::products::ProductKind;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The catalogue Steward ships.
pub const DEFAULT: &str = include_str!("catalogue.toml");

static CURRENT: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();

/// Makes `catalogue` the one the shop prices with, once, at start (the operator's file named
/// in Leptos.toml). `Err` when prices were taken already.
pub fn install(catalogue: Catalogue) -> Result<(), Catalogue> {
    CURRENT.set(catalogue)
}

/// The catalogue in force: the operator's, or the shipped one.
pub fn current() -> &'static Catalogue {
    CURRENT.get_or_init(Catalogue::shipped)
}

stored! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Period {
        Month,
        Year,
    }
}

/// From `from` items on, the whole quantity is `reduction` off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tier {
    pub from: i64,
    pub reduction: Percent,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub kind: ProductKind,
    pub plan: String,
    pub label: String,
    /// One sentence for the shop: what it is for.
    pub description: String,
    pub period: Period,
    prices: BTreeMap<Currency, Money>,
    /// Growing quantities, growing reductions.
    pub tiers: Vec<Tier>,
}

impl Plan {
    /// The price of one item for one period.
    pub fn unit_price(&self, currency: Currency) -> Money {
        self.prices
            .get(&currency)
            .copied()
            .unwrap_or(Money::zero(currency))
    }

    /// The volume reduction `quantity` items get: the last tier they reach.
    pub fn volume_reduction(&self, quantity: i64) -> Option<Tier> {
        self.tiers
            .iter()
            .rev()
            .find(|t| quantity >= t.from)
            .copied()
    }
}

/// Who invoices (the operator), as printed on every invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Supplier {
    pub name: String,
    pub address: Vec<String>,
    pub vat_number: String,
    /// The account bank transfers go to, and the creditor as the Swiss QR-bill names it;
    /// `None` when the catalogue gives no IBAN (then no QR-bill is shown).
    pub bank: Option<Bank>,
}

/// The operator's bank account, for QR-bills.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bank {
    /// Without spaces, checked (country format and check digits).
    pub iban: String,
    pub creditor: super::qr_bill::Address,
}

impl Supplier {
    /// Line by line, as on an invoice: name, address, VAT number.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![self.name.clone()];
        lines.extend(self.address.iter().cloned());
        lines.push(format!("VAT {}", self.vat_number));
        lines
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalogue {
    pub supplier: Supplier,
    pub vat_rate: Percent,
    pub plans: Vec<Plan>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    supplier: Option<SupplierFile>,
    vat: VatFile,
    #[serde(default)]
    plan: Vec<PlanFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SupplierFile {
    name: String,
    address: Vec<String>,
    vat_number: String,
    iban: Option<String>,
    street: Option<String>,
    building_number: Option<String>,
    postal_code: Option<String>,
    town: Option<String>,
    country: Option<String>,
}

impl SupplierFile {
    /// The bank account and the structured creditor address, when an IBAN is given.
    fn bank(&self) -> Result<Option<Bank>, String> {
        let Some(iban) = &self.iban else {
            return Ok(None);
        };
        use iban::IbanLike;
        let parsed: iban::Iban = iban.parse().map_err(|_| {
            format!("supplier.iban \"{iban}\" is not an IBAN (format or check digits)")
        })?;
        let compact = parsed.electronic_str().to_owned();
        if !(compact.starts_with("CH") || compact.starts_with("LI")) {
            return Err(
                "supplier.iban: a Swiss QR-bill needs a Swiss or Liechtenstein account".into(),
            );
        }
        let field = |name: &str, value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty() && !v.chars().any(char::is_control))
                .map(str::to_owned)
                .ok_or_else(|| format!("supplier.{name} is needed with an IBAN: the QR-bill names the creditor's structured address"))
        };
        let country = field("country", &self.country)?.to_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "supplier.country \"{country}\" is not a two-letter country code"
            ));
        }
        Ok(Some(Bank {
            iban: compact,
            creditor: super::qr_bill::Address {
                name: self.name.trim().to_owned(),
                street: field("street", &self.street)?,
                building_number: self
                    .building_number
                    .as_deref()
                    .unwrap_or("")
                    .trim()
                    .to_owned(),
                postal_code: field("postal_code", &self.postal_code)?,
                town: field("town", &self.town)?,
                country,
            },
        }))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VatFile {
    rate: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    kind: String,
    plan: String,
    label: String,
    #[serde(default)]
    description: String,
    period: String,
    price: BTreeMap<String, String>,
    #[serde(default)]
    tiers: Vec<TierFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TierFile {
    from: i64,
    reduction: String,
}

impl Catalogue {
    /// Reads and checks a catalogue; the error names what to fix.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let vat_rate = Percent::parse(&file.vat.rate)
            .ok_or_else(|| format!("vat.rate \"{}\" is not a percentage", file.vat.rate))?;
        let supplier = file.supplier.ok_or(
            "[supplier] is missing: who invoices (name, address, vat_number) is printed on every invoice",
        )?;
        let line_ok = |t: &str| !t.trim().is_empty() && !t.chars().any(char::is_control);
        if !line_ok(&supplier.name)
            || !line_ok(&supplier.vat_number)
            || supplier.address.is_empty()
            || !supplier.address.iter().all(|l| line_ok(l))
        {
            return Err(
                "supplier: name, vat_number and each address line are one line of text, none empty"
                    .to_owned(),
            );
        }
        let bank = supplier.bank()?;
        let supplier = Supplier {
            bank,
            name: supplier.name.trim().to_owned(),
            address: supplier
                .address
                .iter()
                .map(|l| l.trim().to_owned())
                .collect(),
            vat_number: supplier.vat_number.trim().to_owned(),
        };
        let mut plans: Vec<Plan> = Vec::new();
        for entry in file.plan {
            let name = format!("plan {}/{}", entry.kind, entry.plan);
            let kind = ProductKind::parse(&entry.kind)
                .ok_or_else(|| format!("{name}: no product kind \"{}\"", entry.kind))?;
            let period = match entry.period.as_str() {
                "month" => Period::Month,
                "year" => Period::Year,
                other => return Err(format!("{name}: period \"{other}\" is not month or year")),
            };
            let prices = crate::products::domain::parse_prices(&name, &entry.price)?;
            let mut tiers = Vec::new();
            for tier in entry.tiers {
                let reduction = Percent::parse(&tier.reduction).ok_or_else(|| {
                    format!(
                        "{name}: tier reduction \"{}\" is not a percentage",
                        tier.reduction
                    )
                })?;
                let tier = Tier {
                    from: tier.from,
                    reduction,
                };
                if tier.from < 2 {
                    return Err(format!("{name}: a tier starts at a quantity of 2 or more"));
                }
                if let Some(last) = tiers.last() {
                    let last: &Tier = last;
                    if tier.from <= last.from || tier.reduction < last.reduction {
                        return Err(format!(
                            "{name}: tiers must grow — quantity {} ({}) comes after {} ({})",
                            tier.from,
                            tier.reduction.label(),
                            last.from,
                            last.reduction.label()
                        ));
                    }
                }
                tiers.push(tier);
            }
            if plans.iter().any(|p| p.kind == kind && p.plan == entry.plan) {
                return Err(format!("{name} is listed twice"));
            }
            plans.push(Plan {
                kind,
                plan: entry.plan,
                label: entry.label,
                description: entry.description.trim().to_owned(),
                period,
                prices,
                tiers,
            });
        }
        Ok(Catalogue {
            supplier,
            vat_rate,
            plans,
        })
    }

    pub fn shipped() -> Catalogue {
        Catalogue::parse(DEFAULT).expect("the shipped catalogue is valid (tested)")
    }

    pub fn plan(&self, kind: ProductKind, plan: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.kind == kind && p.plan == plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_prices_every_product_kind_in_both_currencies() {
        let catalogue = Catalogue::parse(DEFAULT).expect("valid");
        assert_eq!(catalogue.vat_rate, Percent(8_10));
        for &kind in ProductKind::ALL {
            let plan = catalogue.plan(kind, "standard").expect("a standard plan");
            for currency in Currency::ALL {
                assert!(plan.unit_price(currency).minor > 0, "{kind:?} {currency:?}");
            }
        }
    }

    #[test]
    fn the_whole_quantity_gets_the_tier_it_reaches() {
        let catalogue = Catalogue::shipped();
        let hosting = catalogue
            .plan(ProductKind::WebHosting, "standard")
            .expect("plan");
        assert_eq!(hosting.volume_reduction(4), None);
        assert_eq!(
            hosting.volume_reduction(5).map(|t| t.reduction),
            Some(Percent(10_00))
        );
        assert_eq!(
            hosting.volume_reduction(34).map(|t| t.reduction),
            Some(Percent(20_00))
        );
        assert_eq!(
            hosting.volume_reduction(35).map(|t| t.reduction),
            Some(Percent(25_00))
        );
    }

    const SUPPLIER: &str =
        "[supplier]\nname = \"Host SA\"\naddress = [\"Rue 1\", \"1003 Lausanne\"]\nvat_number = \"CHE-1\"\n";

    #[test]
    fn a_wrong_catalogue_says_what_to_fix() {
        let plan = |body: &str| {
            format!("{SUPPLIER}[vat]\nrate = \"8.1\"\n[[plan]]\nkind = \"drive\"\nplan = \"standard\"\nlabel = \"Drive\"\n{body}")
        };
        let cases = [
            (plan("period = \"year\"\nprice = { CHF = \"60\" }"), "no price in EUR"),
            (plan("period = \"week\"\nprice = { CHF = \"1\", EUR = \"1\" }"), "period \"week\""),
            (plan("period = \"year\"\nprice = { CHF = \"1.234\", EUR = \"1\" }"), "is not an amount"),
            (plan("period = \"year\"\nprice = { CHF = \"-1\", EUR = \"1\" }"), "cannot be negative"),
            (plan("period = \"year\"\nprice = { USD = \"1\", EUR = \"1\" }"), "no currency \"USD\""),
            (
                plan("period = \"year\"\nprice = { CHF = \"1\", EUR = \"1\" }\ntiers = [{ from = 10, reduction = \"20\" }, { from = 5, reduction = \"30\" }]"),
                "tiers must grow",
            ),
            (
                plan("period = \"year\"\nprice = { CHF = \"1\", EUR = \"1\" }\ntiers = [{ from = 5, reduction = \"20\" }, { from = 10, reduction = \"10\" }]"),
                "tiers must grow",
            ),
            (
                plan("period = \"year\"\nprice = { CHF = \"1\", EUR = \"1\" }\ntiers = [{ from = 5, reduction = \"120\" }]"),
                "is not a percentage",
            ),
            ("[vat]\nrate = \"eight\"\n".to_owned(), "vat.rate"),
            ("[vat]\nrate = \"8.1\"\n".to_owned(), "[supplier] is missing"),
            (
                format!("{}[vat]\nrate = \"8.1\"\n", SUPPLIER.replace("Host SA", "")),
                "none empty",
            ),
            (plan("period = \"year\"\nprice = { CHF = \"1\", EUR = \"1\" }\nsurprise = 1"), "surprise"),
        ];
        for (text, expected) in cases {
            let error = Catalogue::parse(&text).expect_err(expected);
            assert!(error.contains(expected), "{error} (wanted {expected})");
        }
    }
}
