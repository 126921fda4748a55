//! Money, exactly (BIL-5). An amount is a whole number of minor units (centimes, cents) with
//! its currency; CHF and EUR are separate price lists and never converted. Percentages are
//! hundredths of a percent (`Percent(810)` is 8.10 %) and are applied with `rust_decimal`
//! under one rounding rule — half away from zero, to the cent — in [`Percent::of`]; CHF totals
//! are then rounded to 0.05 ([`cash_rounding`]). Nothing here, nor anywhere money flows, uses
//! floating point.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Chf,
    Eur,
}

impl Currency {
    pub const ALL: [Currency; 2] = [Currency::Chf, Currency::Eur];

    pub fn code(self) -> &'static str {
        match self {
            Currency::Chf => "CHF",
            Currency::Eur => "EUR",
        }
    }

    pub fn parse(code: &str) -> Option<Currency> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The smallest amount a total is paid in: 5 centimes in Switzerland (there is no 1- or
    /// 2-centime coin), 1 cent in euros.
    pub fn cash_unit(self) -> i64 {
        match self {
            Currency::Chf => 5,
            Currency::Eur => 1,
        }
    }
}

/// What went wrong with an amount: the sentence is for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoneyError {
    /// Two amounts of different currencies were added or compared.
    CurrencyMismatch(Currency, Currency),
    /// Beyond what an `i64` of centimes holds (some 92 thousand billion francs).
    Overflow,
    /// Text that is not an amount like `347.20`.
    NotAnAmount(String),
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyError::CurrencyMismatch(a, b) => {
                write!(
                    f,
                    "{} and {} amounts cannot be added together.",
                    a.code(),
                    b.code()
                )
            }
            MoneyError::Overflow => f.write_str("This amount is too large."),
            MoneyError::NotAnAmount(text) => write!(
                f,
                "\"{text}\" is not an amount: write it like 347.20, with at most two decimals."
            ),
        }
    }
}

impl std::error::Error for MoneyError {}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    /// Centimes or cents.
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub const fn zero(currency: Currency) -> Money {
        Money::new(0, currency)
    }

    /// `347.20`, `347,20`, `5`, `-12.5` or `18'000.00` in `currency`: at most two decimals;
    /// apostrophes and spaces between the digits are Swiss thousands separators, as a person
    /// may copy them from a page.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let wrong = || MoneyError::NotAnAmount(text.to_owned());
        let ungrouped: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, '\'' | '’' | ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        let trimmed = ungrouped.as_str();
        let (negative, digits) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (whole, fraction) = match digits.split_once(['.', ',']) {
            Some((whole, fraction)) => (whole, fraction),
            None => (digits, ""),
        };
        let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !is_digits(whole) || !is_digits(fraction) || fraction.len() > 2 {
            return Err(wrong());
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::Overflow)?;
        let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| wrong())?;
        let minor = whole
            .checked_mul(100)
            .and_then(|m| m.checked_add(cents))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(if negative { -minor } else { minor }, currency))
    }

    fn same(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// This amount `count` times (a quantity, a number of periods).
    pub fn times(self, count: i64) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_mul(count).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// The sum of `amounts`, all in `currency`.
    pub fn sum(
        currency: Currency,
        amounts: impl IntoIterator<Item = Money>,
    ) -> Result<Money, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), |total, amount| {
                total.checked_add(amount)
            })
    }

    pub fn is_negative(self) -> bool {
        self.minor < 0
    }

    /// The same amount with the other sign: a reduction shown as money taken off.
    pub fn negated(self) -> Money {
        Money::new(-self.minor, self.currency)
    }

    /// The number alone as a form field holds it, without separators: `1234.50`.
    pub fn amount(self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// The number alone as a person reads it in Switzerland: `18'000.00`, `-1'234.50`.
    pub fn grouped(self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut out = String::with_capacity(whole.len() + whole.len() / 3 + 4);
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push('\'');
            }
            out.push(digit);
        }
        format!("{sign}{out}.{:02}", abs % 100)
    }
}

/// `CHF 18'000.00`, `CHF -14.05`: the one way an amount is written for people — on pages, in
/// emails, CSV and PDFs — the sign always after the currency.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency.code(), self.grouped())
    }
}

/// A percentage in hundredths of a percent: `Percent(2000)` is 20 %, `Percent(810)` 8.1 %.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(pub i64);

impl Percent {
    pub const ZERO: Percent = Percent(0);
    pub const WHOLE: Percent = Percent(100_00);

    /// `20`, `8.1`, `12.25` (percent, at most two decimals), between 0 and 100.
    pub fn parse(text: &str) -> Option<Percent> {
        let hundredths = Money::parse(text, Currency::Chf).ok()?.minor;
        (0..=100_00)
            .contains(&hundredths)
            .then_some(Percent(hundredths))
    }

    /// `20 %`, `8.1 %`.
    pub fn label(self) -> String {
        let whole = self.0 / 100;
        match self.0 % 100 {
            0 => format!("{whole} %"),
            f if f % 10 == 0 => format!("{whole}.{} %", f / 10),
            f => format!("{whole}.{f:02} %"),
        }
    }
}

#[cfg(feature = "ssr")]
mod exact {
    use super::{Money, MoneyError, Percent};
    use rust_decimal::{Decimal, RoundingStrategy};

    /// The one rounding rule: half away from zero, to the cent.
    pub fn to_cent(value: Decimal) -> Result<i64, MoneyError> {
        use rust_decimal::prelude::ToPrimitive;
        value
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .ok_or(MoneyError::Overflow)
    }

    impl Percent {
        /// This percentage of `amount`, rounded by the one rule.
        pub fn of(self, amount: Money) -> Result<Money, MoneyError> {
            let value = Decimal::from(amount.minor) * Decimal::new(self.0, 4);
            Ok(Money::new(to_cent(value)?, amount.currency))
        }

        /// `amount` less this percentage of it (a reduction applied to what remains).
        pub fn off(self, amount: Money) -> Result<Money, MoneyError> {
            amount.checked_sub(self.of(amount)?)
        }
    }
}

#[cfg(feature = "ssr")]
pub use exact::to_cent;

/// A total rounded to what can be paid in its currency (CHF: to 0.05, half away from zero),
/// with the rounding difference that the invoice shows on a line of its own.
pub fn cash_rounding(total: Money) -> (Money, Money) {
    let unit = total.currency.cash_unit();
    let rest = total.minor.rem_euclid(unit);
    let down = total.minor - rest;
    // Half away from zero: 2.5 centimes go up for a positive total, down for a negative one.
    let rounded = if rest * 2 > unit || (rest * 2 == unit && total.minor > 0) {
        down + unit
    } else {
        down
    };
    (
        Money::new(rounded, total.currency),
        Money::new(rounded - total.minor, total.currency),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chf(minor: i64) -> Money {
        Money::new(minor, Currency::Chf)
    }

    #[test]
    fn amounts_read_the_swiss_way() {
        assert_eq!(chf(1_800_000).to_string(), "CHF 18'000.00");
        assert_eq!(chf(100_000_000).to_string(), "CHF 1'000'000.00");
        assert_eq!(chf(99_999).to_string(), "CHF 999.99");
        assert_eq!(chf(100_000).to_string(), "CHF 1'000.00");
        assert_eq!(chf(5).to_string(), "CHF 0.05");
        assert_eq!(chf(0).to_string(), "CHF 0.00");
        // One negative style: the sign after the currency, grouping kept.
        assert_eq!(chf(-1_405).to_string(), "CHF -14.05");
        assert_eq!(chf(-123_450).to_string(), "CHF -1'234.50");
        assert_eq!(chf(260).negated().to_string(), "CHF -2.60");
        assert_eq!(Money::new(-5, Currency::Eur).to_string(), "EUR -0.05");
        assert_eq!(chf(i64::MIN + 1).negated().minor, i64::MAX);
        // The form field's value stays plain, and what a page shows parses back.
        assert_eq!(chf(1_800_000).amount(), "18000.00");
        for minor in [0, 5, -5, 99_999, 100_000, -123_450, 1_800_000, 123_456_789] {
            let shown = chf(minor).grouped();
            assert_eq!(
                Money::parse(&shown, Currency::Chf),
                Ok(chf(minor)),
                "{shown}"
            );
        }
        assert_eq!(Money::parse("18’000", Currency::Chf), Ok(chf(1_800_000)));
        assert_eq!(Money::parse("1 234,5", Currency::Chf), Ok(chf(123_450)));
        assert!(Money::parse("12'34'5.0.0", Currency::Chf).is_err());
    }

    #[test]
    fn amounts_are_read_with_at_most_two_decimals() {
        assert_eq!(Money::parse("347.20", Currency::Chf), Ok(chf(347_20)));
        assert_eq!(Money::parse(" 347,2 ", Currency::Chf), Ok(chf(347_20)));
        assert_eq!(
            Money::parse("5", Currency::Eur),
            Ok(Money::new(5_00, Currency::Eur))
        );
        assert_eq!(Money::parse("-12.5", Currency::Chf), Ok(chf(-12_50)));
        for wrong in ["", "1.234", "abc", "1.2.3", "12a", "-", ".5", "1e3"] {
            assert!(Money::parse(wrong, Currency::Chf).is_err(), "{wrong:?}");
        }
        assert_eq!(
            Money::parse("99999999999999999999", Currency::Chf),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn amounts_print_with_their_currency() {
        assert_eq!(chf(347_20).to_string(), "CHF 347.20");
        assert_eq!(Money::new(-5, Currency::Eur).to_string(), "EUR -0.05");
        assert_eq!(chf(0).amount(), "0.00");
    }

    #[test]
    fn currencies_never_mix() {
        let euros = Money::new(1_00, Currency::Eur);
        assert_eq!(
            chf(1_00).checked_add(euros),
            Err(MoneyError::CurrencyMismatch(Currency::Chf, Currency::Eur))
        );
        assert!(Money::sum(Currency::Chf, [chf(1), euros]).is_err());
        assert_eq!(chf(i64::MAX).checked_add(chf(1)), Err(MoneyError::Overflow));
        assert_eq!(chf(i64::MAX).times(2), Err(MoneyError::Overflow));
    }

    #[test]
    fn percentages_round_half_away_from_zero() {
        assert_eq!(Percent(20_00).of(chf(347_20)), Ok(chf(69_44)));
        assert_eq!(Percent(8_10).of(chf(100_00)), Ok(chf(8_10)));
        // 8.1 % of 0.50 is 0.0405: down; 10 % of 0.05 is 0.005: up, and away from zero below.
        assert_eq!(Percent(8_10).of(chf(50)), Ok(chf(4)));
        assert_eq!(Percent(10_00).of(chf(5)), Ok(chf(1)));
        assert_eq!(Percent(10_00).of(chf(-5)), Ok(chf(-1)));
        assert_eq!(Percent(25_00).off(chf(277_76)), Ok(chf(208_32)));
    }

    #[test]
    fn percentages_are_read_between_zero_and_a_hundred() {
        assert_eq!(Percent::parse("8.1"), Some(Percent(8_10)));
        assert_eq!(Percent::parse("100"), Some(Percent::WHOLE));
        assert_eq!(Percent::parse("0"), Some(Percent::ZERO));
        for wrong in ["100.01", "-1", "ten", "1.234"] {
            assert_eq!(Percent::parse(wrong), None, "{wrong:?}");
        }
        assert_eq!(Percent(8_10).label(), "8.1 %");
        assert_eq!(Percent(25_00).label(), "25 %");
        assert_eq!(Percent(12_25).label(), "12.25 %");
    }

    #[test]
    fn a_chf_total_is_rounded_to_five_centimes_with_its_difference() {
        assert_eq!(cash_rounding(chf(1_02)), (chf(1_00), chf(-2)));
        assert_eq!(cash_rounding(chf(1_03)), (chf(1_05), chf(2)));
        assert_eq!(cash_rounding(chf(1_05)), (chf(1_05), chf(0)));
        assert_eq!(cash_rounding(chf(-2)), (chf(0), chf(2)));
        assert_eq!(cash_rounding(chf(-3)), (chf(-5), chf(-2)));
        let euros = Money::new(1_03, Currency::Eur);
        assert_eq!(cash_rounding(euros), (euros, Money::zero(Currency::Eur)));
    }
}
