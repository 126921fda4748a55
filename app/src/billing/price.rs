//! The price engine (BIL-5): a line's list price, then a chain of reductions, each taken from
//! what the previous one left — the partner discount (a later issue), the volume rate, a promo
//! code, a free offer — and an invoice's totals: net, VAT per rate, the 0.05 rounding, the
//! total. Pure functions over [`Money`]; every percentage goes through [`Percent::off`].

use crate::money::{cash_rounding, Currency, Money, MoneyError, Percent};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One reduction in a line's chain.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// A share of what remains.
    Percent { label: String, percent: Percent },
    /// A fixed amount, never more than what remains.
    Amount { label: String, amount: Money },
}

/// A reduction as applied: what it took, and what remained.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub label: String,
    /// What was taken off (zero or more).
    pub taken: Money,
    pub remaining: Money,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LinePrice {
    /// Unit price × quantity × periods.
    pub list: Money,
    pub steps: Vec<Step>,
    /// What the line costs, excluding VAT.
    pub net: Money,
}

/// `list` through `reductions`, in order. Never below zero: a percentage is at most 100 %
/// of what remains, a fixed amount at most what remains.
pub fn price(list: Money, reductions: &[Reduction]) -> Result<LinePrice, MoneyError> {
    if list.is_negative() {
        return Err(MoneyError::Overflow);
    }
    let mut remaining = list;
    let mut steps = Vec::with_capacity(reductions.len());
    for reduction in reductions {
        let (label, taken) = match reduction {
            Reduction::Percent { label, percent } => {
                let percent = Percent(percent.0.clamp(0, Percent::WHOLE.0));
                (label, percent.of(remaining)?)
            }
            Reduction::Amount { label, amount } => {
                if amount.currency != remaining.currency {
                    return Err(MoneyError::CurrencyMismatch(
                        remaining.currency,
                        amount.currency,
                    ));
                }
                (
                    label,
                    Money::new(amount.minor.clamp(0, remaining.minor), amount.currency),
                )
            }
        };
        remaining = remaining.checked_sub(taken)?;
        steps.push(Step {
            label: label.clone(),
            taken,
            remaining,
        });
    }
    Ok(LinePrice {
        list,
        steps,
        net: remaining,
    })
}

/// An invoice line as the totals see it: its net amount and the VAT rate stored with it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taxed {
    pub net: Money,
    pub vat_rate: Percent,
}

/// VAT at one rate: on what base, how much.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct VatAtRate {
    pub rate: Percent,
    pub base: Money,
    pub tax: Money,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Totals {
    pub net: Money,
    /// One entry per rate, lowest rate first; the tax is computed on the rate's whole base.
    pub vat: Vec<VatAtRate>,
    /// The cash rounding of the total (CHF: to 0.05), shown on its own line.
    pub rounding: Money,
    pub total: Money,
}

pub fn totals(currency: Currency, lines: &[Taxed]) -> Result<Totals, MoneyError> {
    let mut bases: BTreeMap<Percent, Money> = BTreeMap::new();
    for line in lines {
        let base = bases.entry(line.vat_rate).or_insert(Money::zero(currency));
        *base = base.checked_add(line.net)?;
    }
    let net = Money::sum(currency, lines.iter().map(|l| l.net))?;
    let vat = bases
        .into_iter()
        .map(|(rate, base)| {
            Ok(VatAtRate {
                rate,
                base,
                tax: rate.of(base)?,
            })
        })
        .collect::<Result<Vec<_>, MoneyError>>()?;
    let gross = net.checked_add(Money::sum(currency, vat.iter().map(|v| v.tax))?)?;
    let (total, rounding) = cash_rounding(gross);
    Ok(Totals {
        net,
        vat,
        rounding,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::catalogue::Catalogue;
    use crate::money::{Currency, Money, Percent};
    use crate::products::ProductKind;
    use proptest::prelude::*;

    fn chf(minor: i64) -> Money {
        Money::new(minor, Currency::Chf)
    }

    fn percent(label: &str, hundredths: i64) -> Reduction {
        Reduction::Percent {
            label: label.to_owned(),
            percent: Percent(hundredths),
        }
    }

    /// The partner pricing example of the seeds: 35 web hostings, the partner discount, then
    /// the volume rate, each on what remains.
    #[test]
    fn the_seeds_partner_example_comes_out_to_the_cent() {
        let catalogue = Catalogue::shipped();
        let hosting = catalogue
            .plan(ProductKind::WebHosting, "standard")
            .expect("web hosting");
        let volume = hosting.volume_reduction(35).expect("a tier at 35");
        assert_eq!(volume.reduction, Percent(25_00));
        for (currency, list, after_partner, net) in [
            (Currency::Chf, 347_20, 277_76, 208_32),
            (Currency::Eur, 201_25, 161_00, 120_75),
        ] {
            let list_price = hosting.unit_price(currency).times(35).expect("no overflow");
            assert_eq!(list_price, Money::new(list, currency));
            let line = price(
                list_price,
                &[
                    percent("Partner discount", 20_00),
                    percent("Volume rate", volume.reduction.0),
                ],
            )
            .expect("priced");
            assert_eq!(line.steps[0].remaining, Money::new(after_partner, currency));
            assert_eq!(line.steps[1].remaining, Money::new(net, currency));
            assert_eq!(line.net, Money::new(net, currency));
            // −40 % in all.
            assert_eq!(list - net, list * 40 / 100);
        }
    }

    #[test]
    fn a_full_discount_is_a_zero_line_and_a_fixed_amount_never_goes_below_zero() {
        let free = price(chf(13_00), &[percent("Promo code FREE", 100_00)]).expect("priced");
        assert_eq!(free.net, chf(0));
        let capped = price(
            chf(13_00),
            &[Reduction::Amount {
                label: "Voucher".into(),
                amount: chf(50_00),
            }],
        )
        .expect("priced");
        assert_eq!((capped.steps[0].taken, capped.net), (chf(13_00), chf(0)));
        let mixed = price(
            chf(10_00),
            &[Reduction::Amount {
                label: "Voucher".into(),
                amount: Money::new(1_00, Currency::Eur),
            }],
        );
        assert!(mixed.is_err());
    }

    #[test]
    fn vat_is_computed_per_rate_and_a_chf_total_is_rounded_to_five_centimes() {
        let lines = [
            Taxed {
                net: chf(208_32),
                vat_rate: Percent(8_10),
            },
            Taxed {
                net: chf(13_00),
                vat_rate: Percent(8_10),
            },
            Taxed {
                net: chf(10_00),
                vat_rate: Percent(2_60),
            },
        ];
        let totals = totals(Currency::Chf, &lines).expect("totals");
        assert_eq!(totals.net, chf(231_32));
        // 2.6 % of 10.00 = 0.26; 8.1 % of 221.32 = 17.92692 → 17.93.
        assert_eq!(
            totals.vat,
            vec![
                VatAtRate {
                    rate: Percent(2_60),
                    base: chf(10_00),
                    tax: chf(26)
                },
                VatAtRate {
                    rate: Percent(8_10),
                    base: chf(221_32),
                    tax: chf(17_93)
                },
            ]
        );
        // 231.32 + 0.26 + 17.93 = 249.51 → 249.50, a rounding line of −0.01.
        assert_eq!((totals.total, totals.rounding), (chf(249_50), chf(-1)));
        let euros = super::totals(
            Currency::Eur,
            &[Taxed {
                net: Money::new(120_75, Currency::Eur),
                vat_rate: Percent(8_10),
            }],
        )
        .expect("totals");
        assert_eq!(euros.rounding, Money::zero(Currency::Eur));
        assert_eq!(euros.total, Money::new(130_53, Currency::Eur));
    }

    /// Half away from zero, written independently of `rust_decimal`: in integers.
    fn share(minor: i64, hundredths: i64) -> i64 {
        let product = minor as i128 * hundredths as i128;
        let rounded = (product.abs() + 5_000) / 10_000;
        (rounded * product.signum()) as i64
    }

    fn rate() -> impl Strategy<Value = Percent> {
        prop_oneof![
            Just(Percent(0)),
            Just(Percent(2_60)),
            Just(Percent(3_80)),
            Just(Percent(8_10))
        ]
    }

    fn reduction() -> impl Strategy<Value = Reduction> {
        prop_oneof![
            (0i64..=100_00).prop_map(|p| percent("p", p)),
            (0i64..=10_000_00).prop_map(|a| Reduction::Amount {
                label: "a".into(),
                amount: chf(a)
            }),
        ]
    }

    proptest! {
        #[test]
        fn a_percentage_is_rounded_half_away_from_zero_to_the_cent(
            minor in -1_000_000_000i64..1_000_000_000,
            hundredths in 0i64..=100_00,
        ) {
            let of = Percent(hundredths).of(chf(minor)).expect("no overflow");
            prop_assert_eq!(of.minor, share(minor, hundredths));
        }

        #[test]
        fn reductions_never_make_a_line_negative_and_account_for_every_centime(
            list in 0i64..100_000_000,
            chain in proptest::collection::vec(reduction(), 0..6),
        ) {
            let line = price(chf(list), &chain).expect("priced");
            let mut before = chf(list);
            for step in &line.steps {
                prop_assert!(step.taken.minor >= 0);
                prop_assert!(step.remaining.minor >= 0);
                prop_assert_eq!(before.checked_sub(step.taken).expect("same currency"), step.remaining);
                before = step.remaining;
            }
            let taken: i64 = line.steps.iter().map(|s| s.taken.minor).sum();
            prop_assert_eq!(line.net.minor, list - taken);
        }

        #[test]
        fn an_invoices_lines_add_up_to_its_totals(
            lines in proptest::collection::vec((0i64..10_000_000, rate()), 0..20),
            chf_or_eur in any::<bool>(),
        ) {
            let currency = if chf_or_eur { Currency::Chf } else { Currency::Eur };
            let taxed: Vec<Taxed> = lines
                .iter()
                .map(|(net, rate)| Taxed { net: Money::new(*net, currency), vat_rate: *rate })
                .collect();
            let totals = totals(currency, &taxed).expect("totals");
            let net: i64 = lines.iter().map(|(net, _)| net).sum();
            prop_assert_eq!(totals.net.minor, net);
            let bases: i64 = totals.vat.iter().map(|v| v.base.minor).sum();
            prop_assert_eq!(bases, net);
            for vat in &totals.vat {
                prop_assert_eq!(vat.tax.minor, share(vat.base.minor, vat.rate.0));
            }
            let tax: i64 = totals.vat.iter().map(|v| v.tax.minor).sum();
            prop_assert_eq!(totals.total.minor, net + tax + totals.rounding.minor);
            prop_assert_eq!(totals.total.minor % currency.cash_unit(), 0);
            prop_assert!(totals.rounding.minor.abs() * 2 <= currency.cash_unit());
        }

        #[test]
        fn volume_tiers_only_ever_lower_the_unit_price(quantity in 1i64..200) {
            let catalogue = Catalogue::shipped();
            for plan in &catalogue.plans {
                let here = plan.volume_reduction(quantity).map_or(0, |t| t.reduction.0);
                let next = plan.volume_reduction(quantity + 1).map_or(0, |t| t.reduction.0);
                prop_assert!(next >= here, "{} at {}", plan.label, quantity);
            }
        }
    }
}
