//! A domain's life after it expires (PRD-4), as pure rules: the per-extension table the operator
//! edits (`extensions.toml` beside this file holds the defaults), the stage a domain is in at a
//! given time, and what the list and the domain's page say about it. The scheduler (in
//! `domains`) moves each stored domain to the stage these rules give, once.

use crate::format;
use crate::money::{Currency, Money};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The table Steward ships.
pub const DEFAULT: &str = include_str!("extensions.toml");

const DAY: i64 = 86_400;

static CURRENT: std::sync::OnceLock<Extensions> = std::sync::OnceLock::new();

/// Makes `table` the one in force, once, at start (the operator's file). `Err` when the table
/// was read already.
pub fn install(table: Extensions) -> Result<(), Extensions> {
    CURRENT.set(table)
}

/// The table in force: the operator's, or the shipped one.
pub fn current() -> &'static Extensions {
    CURRENT.get_or_init(Extensions::shipped)
}

pub use super::DomainStage as Stage;

/// One extension's rules and prices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    pub tld: String,
    price: BTreeMap<Currency, Money>,
    warranty: BTreeMap<Currency, Money>,
    transfer: BTreeMap<Currency, Money>,
    pub grace_days: i64,
    pub redemption_days: i64,
    pub pending_delete_days: i64,
    /// `None`: the registry offers no restore.
    restore_fee: Option<BTreeMap<Currency, Money>>,
    pub source: String,
}

/// The moments a domain that expires at a given time moves on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadlines {
    pub expires_at: i64,
    /// Renewable at the normal price until then.
    pub renew_until: i64,
    /// Restorable until then (when the registry offers it).
    pub restore_until: i64,
    /// Free for anyone from then on.
    pub released_at: i64,
}

impl Extension {
    /// One year of registration or renewal.
    pub fn price(&self, currency: Currency) -> Money {
        self.price
            .get(&currency)
            .copied()
            .unwrap_or(Money::zero(currency))
    }

    /// One year of renewal warranty.
    pub fn warranty_price(&self, currency: Currency) -> Money {
        self.warranty
            .get(&currency)
            .copied()
            .unwrap_or(Money::zero(currency))
    }

    /// A transfer in from another registrar (it includes a year).
    pub fn transfer_price(&self, currency: Currency) -> Money {
        self.transfer
            .get(&currency)
            .copied()
            .unwrap_or(Money::zero(currency))
    }

    /// The restore fee; `None` when the registry offers no restore.
    pub fn restore_fee(&self, currency: Currency) -> Option<Money> {
        self.restore_fee.as_ref().map(|fees| {
            fees.get(&currency)
                .copied()
                .unwrap_or(Money::zero(currency))
        })
    }

    pub fn deadlines(&self, expires_at: i64) -> Deadlines {
        let renew_until = expires_at + self.grace_days * DAY;
        let restore_until = renew_until + self.redemption_days * DAY;
        Deadlines {
            expires_at,
            renew_until,
            restore_until,
            released_at: restore_until + self.pending_delete_days * DAY,
        }
    }

    /// The stage of a domain expiring at `expires_at`, at `now`.
    pub fn stage_at(&self, expires_at: i64, now: i64) -> Stage {
        let d = self.deadlines(expires_at);
        if now < d.expires_at {
            Stage::Active
        } else if now < d.renew_until {
            Stage::Expired
        } else if now < d.restore_until {
            Stage::Redemption
        } else if now < d.released_at {
            Stage::PendingDelete
        } else {
            Stage::Released
        }
    }

    /// The extension's rules in a sentence, for the domain's page.
    pub fn rules(&self) -> String {
        let mut parts = Vec::new();
        parts.push(match self.grace_days {
            0 => "Not renewable after its expiry at the normal price".to_owned(),
            n => format!("Renewable at the normal price for {n} days after expiry"),
        });
        if self.redemption_days > 0 {
            parts.push(match self.restore_fee {
                Some(_) => format!(
                    "then in redemption for {} days, restorable for the restore fee and one year of renewal",
                    self.redemption_days
                ),
                None => format!(
                    "then held by the registry for {} days without a restore",
                    self.redemption_days
                ),
            });
        }
        if self.pending_delete_days > 0 {
            parts.push(format!(
                "then deleted at the registry within {} days",
                self.pending_delete_days
            ));
        }
        parts.push("then free for anyone to register".to_owned());
        format!("Rules of .{}: {}.", self.tld, parts.join("; "))
    }

    /// What the list and the domain's page say about a domain in `stage`, in words; `None`
    /// while it is active.
    pub fn standing(
        &self,
        stage: Stage,
        expires_at: i64,
        now: i64,
        currency: Currency,
    ) -> Option<String> {
        let d = self.deadlines(expires_at);
        let ago = match (now - expires_at).div_euclid(DAY) {
            i64::MIN..=0 => "today".to_owned(),
            1 => "yesterday".to_owned(),
            n => format!("{n} days ago"),
        };
        match stage {
            Stage::Active => None,
            Stage::Expired => Some(format!(
                "expired {ago} — renew at the normal price until {}",
                format::date(d.renew_until)
            )),
            Stage::Redemption => Some(match self.restore_fee(currency) {
                Some(fee) => format!(
                    "in redemption — restore until {} for {fee} + renewal",
                    format::date(d.restore_until)
                ),
                None => format!(
                    "in redemption — the registry of .{} offers no restore; the domain is free for anyone from {}",
                    self.tld,
                    format::date(d.released_at)
                ),
            }),
            Stage::PendingDelete => Some(format!(
                "being deleted at the registry — nothing can be done; free for anyone from {}",
                format::date(d.released_at)
            )),
            Stage::Released => Some(format!(
                "released on {} — free for anyone to register",
                format::date(d.released_at)
            )),
        }
    }
}

/// The table: one row per extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extensions {
    pub extensions: Vec<Extension>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    extension: Vec<ExtensionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtensionFile {
    tld: String,
    price: BTreeMap<String, String>,
    warranty: BTreeMap<String, String>,
    transfer: BTreeMap<String, String>,
    grace_days: i64,
    redemption_days: i64,
    pending_delete_days: i64,
    restore_fee: Option<BTreeMap<String, String>>,
    source: String,
}

/// Amounts by currency code, as written in an operator's file: both currencies, none negative.
pub fn parse_prices(
    name: &str,
    written: &BTreeMap<String, String>,
) -> Result<BTreeMap<Currency, Money>, String> {
    let mut prices = BTreeMap::new();
    for (code, amount) in written {
        let currency = Currency::parse(code)
            .ok_or_else(|| format!("{name}: no currency \"{code}\" (CHF or EUR)"))?;
        let price = Money::parse(amount, currency).map_err(|e| format!("{name}: {e}"))?;
        if price.is_negative() {
            return Err(format!("{name}: a price cannot be negative"));
        }
        prices.insert(currency, price);
    }
    for currency in Currency::ALL {
        if !prices.contains_key(&currency) {
            return Err(format!("{name}: no price in {}", currency.code()));
        }
    }
    Ok(prices)
}

impl Extensions {
    /// Reads and checks a table; the error names what to fix.
    pub fn parse(text: &str) -> Result<Extensions, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut extensions: Vec<Extension> = Vec::new();
        for row in file.extension {
            let name = format!("extension .{}", row.tld);
            let tld_ok = !row.tld.is_empty()
                && row.tld.split('.').all(|label| {
                    !label.is_empty()
                        && label
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                });
            if !tld_ok {
                return Err(format!(
                    "{name}: write the extension in lower case without its leading dot (\"ch\", \"co.uk\")"
                ));
            }
            for (what, days) in [
                ("grace_days", row.grace_days),
                ("redemption_days", row.redemption_days),
                ("pending_delete_days", row.pending_delete_days),
            ] {
                if !(0..=365).contains(&days) {
                    return Err(format!("{name}: {what} is a number of days from 0 to 365"));
                }
            }
            if extensions.iter().any(|e| e.tld == row.tld) {
                return Err(format!("{name} is listed twice"));
            }
            extensions.push(Extension {
                price: parse_prices(&format!("{name} price"), &row.price)?,
                warranty: parse_prices(&format!("{name} warranty"), &row.warranty)?,
                transfer: parse_prices(&format!("{name} transfer"), &row.transfer)?,
                restore_fee: row
                    .restore_fee
                    .as_ref()
                    .map(|fees| parse_prices(&format!("{name} restore_fee"), fees))
                    .transpose()?,
                tld: row.tld,
                grace_days: row.grace_days,
                redemption_days: row.redemption_days,
                pending_delete_days: row.pending_delete_days,
                source: row.source,
            });
        }
        if extensions.is_empty() {
            return Err("the table lists no [[extension]]".to_owned());
        }
        Ok(Extensions { extensions })
    }

    pub fn shipped() -> Extensions {
        Extensions::parse(DEFAULT).expect("the shipped extension table is valid (tested)")
    }

    /// The row of a domain name: its longest listed suffix ("shop.co.uk" → "co.uk" before "uk").
    pub fn of(&self, domain: &str) -> Option<&Extension> {
        self.extensions
            .iter()
            .filter(|e| {
                domain
                    .strip_suffix(e.tld.as_str())
                    .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.'))
            })
            .max_by_key(|e| e.tld.len())
    }

    /// ".ch, .com, …" for a message.
    pub fn listed(&self) -> String {
        self.extensions
            .iter()
            .map(|e| format!(".{}", e.tld))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPIRY: i64 = 1_800_000_000;

    fn chf(minor: i64) -> Money {
        Money::new(minor, Currency::Chf)
    }

    #[test]
    fn the_shipped_table_has_the_issue_s_extensions_and_the_registries_numbers() {
        let table = Extensions::shipped();
        for tld in ["ch", "li", "com", "net", "fr", "de", "eu"] {
            let row = table.of(&format!("example.{tld}")).expect(tld);
            assert!(row.price(Currency::Chf).minor > 0 && row.price(Currency::Eur).minor > 0);
            assert!(!row.source.is_empty());
        }
        let com = table.of("shop.com").expect("com");
        assert_eq!((com.redemption_days, com.pending_delete_days), (30, 5));
        assert_eq!(table.of("shop.fr").map(|e| e.redemption_days), Some(30));
        assert_eq!(table.of("shop.eu").map(|e| e.redemption_days), Some(40));
        assert_eq!(table.of("shop.de").map(|e| e.grace_days), Some(0));
        assert_eq!(table.of("shop.xyz"), None);
        assert_eq!(table.of("ch"), None);
    }

    #[test]
    fn each_stage_begins_at_its_deadline() {
        let table = Extensions::shipped();
        let com = table.of("shop.com").expect("com");
        let d = com.deadlines(EXPIRY);
        assert_eq!(d.renew_until, EXPIRY + 30 * DAY);
        assert_eq!(d.restore_until, EXPIRY + 60 * DAY);
        assert_eq!(d.released_at, EXPIRY + 65 * DAY);
        assert_eq!(com.stage_at(EXPIRY, EXPIRY - 1), Stage::Active);
        assert_eq!(com.stage_at(EXPIRY, EXPIRY), Stage::Expired);
        assert_eq!(com.stage_at(EXPIRY, d.renew_until - 1), Stage::Expired);
        assert_eq!(com.stage_at(EXPIRY, d.renew_until), Stage::Redemption);
        assert_eq!(com.stage_at(EXPIRY, d.restore_until), Stage::PendingDelete);
        assert_eq!(com.stage_at(EXPIRY, d.released_at), Stage::Released);
        // No grace and no pending delete: straight from expiry to redemption, then released.
        let fr = table.of("shop.fr").expect("fr");
        assert_eq!(fr.stage_at(EXPIRY, EXPIRY), Stage::Redemption);
        assert_eq!(fr.stage_at(EXPIRY, EXPIRY + 30 * DAY), Stage::Released);
    }

    #[test]
    fn the_words_say_until_when_and_for_how_much() {
        let table = Extensions::shipped();
        let com = table.of("shop.com").expect("com");
        let now = EXPIRY + 3 * DAY + 5;
        assert_eq!(
            com.standing(Stage::Expired, EXPIRY, now, Currency::Chf)
                .as_deref(),
            Some(
                format!(
                    "expired 3 days ago — renew at the normal price until {}",
                    format::date(EXPIRY + 30 * DAY)
                )
                .as_str()
            )
        );
        assert_eq!(
            com.standing(Stage::Redemption, EXPIRY, EXPIRY + 40 * DAY, Currency::Chf),
            Some(format!(
                "in redemption — restore until {} for CHF 120.00 + renewal",
                format::date(EXPIRY + 60 * DAY)
            ))
        );
        assert_eq!(com.restore_fee(Currency::Chf), Some(chf(12_000)));
        assert_eq!(
            com.standing(Stage::Active, EXPIRY, now, Currency::Chf),
            None
        );
    }

    const ROW: &str = "[[extension]]\ntld = \"test\"\nprice = { CHF = \"1\", EUR = \"1\" }\nwarranty = { CHF = \"1\", EUR = \"1\" }\ntransfer = { CHF = \"1\", EUR = \"1\" }\nsource = \"a test\"\n";

    #[test]
    fn a_registry_without_restore_is_a_table_row() {
        let table = Extensions::parse(&format!(
            "{ROW}grace_days = 0\nredemption_days = 10\npending_delete_days = 0\n"
        ))
        .expect("valid");
        let row = table.of("a.test").expect("row");
        assert_eq!(row.restore_fee(Currency::Chf), None);
        let words = row
            .standing(Stage::Redemption, EXPIRY, EXPIRY + DAY, Currency::Chf)
            .unwrap_or_default();
        assert!(words.contains("offers no restore"), "{words}");
    }

    #[test]
    fn a_wrong_table_says_what_to_fix() {
        let days = "grace_days = 0\nredemption_days = 10\npending_delete_days = 0\n";
        let cases = [
            (ROW.replace("\"test\"", "\".Test\"") + days, "lower case"),
            (
                format!("{ROW}grace_days = 0\nredemption_days = 400\npending_delete_days = 0\n"),
                "redemption_days is a number of days",
            ),
            (
                ROW.replace("EUR = \"1\" }\nwarranty", "USD = \"1\" }\nwarranty") + days,
                "no currency \"USD\"",
            ),
            (
                format!("{ROW}{days}restore_fee = {{ CHF = \"5\" }}\n"),
                "restore_fee: no price in EUR",
            ),
            (format!("{ROW}{days}{ROW}{days}"), "listed twice"),
            ("extension = []\n".to_owned(), "no [[extension]]"),
            (format!("{ROW}{days}surprise = 1\n"), "surprise"),
        ];
        for (text, expected) in cases {
            let error = Extensions::parse(&text).expect_err(expected);
            assert!(error.contains(expected), "{error} (wanted {expected})");
        }
    }
}
