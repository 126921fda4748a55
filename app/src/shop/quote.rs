//! Pricing a cart (BIL-4, BIL-5): each line's list price from the catalogue, then its chain of
//! reductions — the volume rate the quantity reaches, then the line's promo code or free offer —
//! and the totals with VAT per rate and the cash rounding. Pure: what the database holds comes
//! in as arguments, so every rule of a promo code is tested here without one.

use super::{OfferChoice, Purpose, Quote, QuotedLine, Reduced, VatLine};
use crate::billing::catalogue::Catalogue;
use crate::billing::price::{self, Reduction, Taxed};
use crate::format;
use crate::money::{Currency, Money, MoneyError, Percent};
use crate::products::domain::Extensions;
use crate::products::ProductKind;

/// What a promo code takes off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromoReduction {
    Percent(Percent),
    /// At most what remains of the line.
    Amount(Money),
}

/// A promo code as the operator created it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromoCode {
    pub id: i64,
    pub code: String,
    pub reduction: PromoReduction,
    /// Empty: every kind.
    pub kinds: Vec<ProductKind>,
    pub expires_at: Option<i64>,
    pub max_uses: Option<i64>,
    pub uses: i64,
}

impl PromoCode {
    /// `20 %`, `CHF 10.00`, `100 %`.
    pub fn describe(&self) -> String {
        match self.reduction {
            PromoReduction::Percent(p) => p.label(),
            PromoReduction::Amount(m) => m.to_string(),
        }
    }

    /// Why this code cannot go on a line of `kind` in `currency`, in words; `None` when it can.
    /// `used` says whether the organization has used it on an earlier order.
    pub fn refusal(
        &self,
        kind: ProductKind,
        currency: Currency,
        used: bool,
        now: i64,
    ) -> Option<String> {
        let code = &self.code;
        if let Some(expires_at) = self.expires_at {
            if now >= expires_at {
                return Some(format!(
                    "The code {code} expired on {}.",
                    format::date(expires_at)
                ));
            }
        }
        if !self.kinds.is_empty() && !self.kinds.contains(&kind) {
            let kinds = self
                .kinds
                .iter()
                .map(|k| k.label().to_lowercase())
                .collect::<Vec<_>>()
                .join(", ");
            return Some(format!(
                "The code {code} is for {kinds} only, not for a {}.",
                kind.label().to_lowercase()
            ));
        }
        if let PromoReduction::Amount(amount) = self.reduction {
            if amount.currency != currency {
                return Some(format!(
                    "The code {code} is worth {amount}: it applies to a cart in {}.",
                    amount.currency.code()
                ));
            }
        }
        if used {
            return Some(format!(
                "Your organization has used the code {code} already: each code is used once per organization."
            ));
        }
        if let Some(max) = self.max_uses {
            if self.uses >= max {
                return Some(format!(
                    "The code {code} has been used as many times as it may be."
                ));
            }
        }
        None
    }
}

/// An offer granted to the organization: one item of `kind` free for `periods` periods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreeOffer {
    pub id: i64,
    pub kind: ProductKind,
    pub periods: i64,
    pub label: String,
}

/// A promo code typed on a line, and what was found under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedCode {
    pub code: String,
    /// `None`: no such code.
    pub found: Option<PromoCode>,
    /// The organization used it on an earlier order.
    pub used: bool,
}

/// A cart line as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub id: i64,
    pub kind: ProductKind,
    pub plan: String,
    pub name: String,
    /// The product renewed, restored or given a warranty.
    pub product_id: Option<i64>,
    pub purpose: Purpose,
    pub quantity: i64,
    pub periods: i64,
    pub promo: Option<TypedCode>,
    pub free_offer_id: Option<i64>,
    /// A transfer's authorization code, until the registry is asked (then cleared).
    pub auth_code: String,
}

/// A partner's discount (PAR-4) on a line, when one applies: the first reduction of the line's
/// chain, before the volume rate, a promo code or a free offer, each taken from what remains.
pub type Discount<'a> = &'a dyn Fn(&Line) -> Option<Percent>;

/// No partner discount: the public price.
pub fn public(_: &Line) -> Option<Percent> {
    None
}

/// The label of the partner discount on a cart line and an invoice line.
pub const PARTNER_DISCOUNT: &str = "Partner discount";

/// Prices `lines` in `currency`. `offers` are the organization's unused free offers; `discount`
/// says which lines a paying partner's discount reduces first. A line whose code does not apply
/// carries the reason and takes nothing off for it.
pub fn quote(
    catalogue: &Catalogue,
    extensions: &Extensions,
    currency: Currency,
    lines: &[Line],
    offers: &[FreeOffer],
    discount: Discount<'_>,
    now: i64,
) -> Result<Quote, MoneyError> {
    let mut quoted = Vec::with_capacity(lines.len());
    let mut taxed = Vec::with_capacity(lines.len());
    let mut codes_seen: Vec<String> = Vec::new();
    for line in lines {
        let Some(plan) = catalogue.plan(line.kind, &line.plan) else {
            // A plan the operator removed since the line was added: priced at nothing and
            // refused at checkout.
            quoted.push(QuotedLine {
                id: line.id,
                kind: line.kind,
                description: describe(line, line.kind.label()),
                renewal: line.product_id.is_some(),
                purpose: line.purpose,
                quantity: line.quantity,
                periods: line.periods,
                period: "year".into(),
                list: Money::zero(currency),
                reductions: Vec::new(),
                net: Money::zero(currency),
                vat_rate: catalogue.vat_rate,
                promo_code: String::new(),
                problem: Some("This plan is no longer sold: remove the line.".into()),
                free_offer_id: None,
                offers: Vec::new(),
            });
            continue;
        };
        let mut problem = None;
        let mut unit = plan.unit_price(currency);
        let mut description = describe(line, &plan.label);
        // A restore's fee, on top of its year of renewal.
        let mut fee = Money::zero(currency);
        if line.kind == ProductKind::Domain {
            match extensions.of(&line.name) {
                // A domain the organization has, of an extension the table no longer lists:
                // renewed at the catalogue's price.
                None if line.purpose == Purpose::Renewal => {}
                None => {
                    problem = Some(format!(
                        "This extension is not sold here: the shop registers {}.",
                        extensions.listed()
                    ))
                }
                Some(extension) => {
                    unit = extension.price(currency);
                    match line.purpose {
                        Purpose::Warranty => unit = extension.warranty_price(currency),
                        Purpose::Transfer => {
                            unit = extension.transfer_price(currency);
                            if (line.quantity, line.periods) != (1, 1) {
                                problem = Some(
                                    "A transfer adds one year: keep 1 year (renew it once it is here)."
                                        .into(),
                                );
                            }
                        }
                        Purpose::Restore => match extension.restore_fee(currency) {
                            Some(restore_fee) => {
                                fee = restore_fee;
                                description = format!(
                                    "Restore of {} {}: restore fee {restore_fee} + renewal {unit}",
                                    plan.label, line.name
                                );
                                if (line.quantity, line.periods) != (1, 1) {
                                    problem = Some(
                                        "A restore is the restore fee and one year of renewal: keep 1 year."
                                            .into(),
                                    );
                                }
                            }
                            None => {
                                problem = Some(format!(
                                    "The registry of .{} offers no restore.",
                                    extension.tld
                                ))
                            }
                        },
                        Purpose::New | Purpose::Renewal => {}
                    }
                }
            }
        }
        let list = unit
            .times(line.quantity)?
            .times(line.periods)?
            .checked_add(fee)?;
        let mut reductions = Vec::new();
        if let Some(percent) = discount(line).filter(|p| p.0 > 0) {
            reductions.push(Reduction::Percent {
                label: format!("{PARTNER_DISCOUNT} {}", percent.label()),
                percent,
            });
        }
        if let Some(tier) = plan.volume_reduction(line.quantity) {
            reductions.push(Reduction::Percent {
                label: format!("Volume rate from {} items", tier.from),
                percent: tier.reduction,
            });
        }
        let mut promo_code = String::new();
        if let Some(typed) = line
            .promo
            .as_ref()
            .filter(|_| !matches!(line.purpose, Purpose::Restore | Purpose::Warranty))
        {
            promo_code = typed.code.clone();
            match &typed.found {
                None => problem = Some(format!("There is no promo code {}.", typed.code)),
                Some(code) => {
                    let refusal = if codes_seen.contains(&code.code) {
                        Some(format!(
                            "The code {} is on another line already: a code is used once per organization.",
                            code.code
                        ))
                    } else {
                        code.refusal(line.kind, currency, typed.used, now)
                    };
                    match refusal {
                        Some(why) => problem = Some(why),
                        None => {
                            codes_seen.push(code.code.clone());
                            let label = format!("Promo code {}", code.code);
                            reductions.push(match code.reduction {
                                PromoReduction::Percent(percent) => {
                                    Reduction::Percent { label, percent }
                                }
                                PromoReduction::Amount(amount) => {
                                    Reduction::Amount { label, amount }
                                }
                            });
                        }
                    }
                }
            }
        }
        let mut free_offer_id = None;
        // An offer is a product for some periods: a new one or a renewal, never a restore fee,
        // a warranty or a transfer.
        let takes_offers = matches!(line.purpose, Purpose::New | Purpose::Renewal);
        if let Some(id) = line.free_offer_id.filter(|_| takes_offers) {
            match offers.iter().find(|o| o.id == id && o.kind == line.kind) {
                Some(offer) => {
                    free_offer_id = Some(id);
                    reductions.push(Reduction::Amount {
                        label: format!("Free offer: {}", offer.label),
                        amount: unit.times(offer.periods.min(line.periods))?,
                    });
                }
                None => {
                    problem.get_or_insert_with(|| {
                        "This free offer is no longer available: choose another or none.".into()
                    });
                }
            }
        }
        let priced = price::price(list, &reductions)?;
        taxed.push(Taxed {
            net: priced.net,
            vat_rate: catalogue.vat_rate,
        });
        quoted.push(QuotedLine {
            id: line.id,
            kind: line.kind,
            description,
            renewal: line.product_id.is_some(),
            purpose: line.purpose,
            quantity: line.quantity,
            periods: line.periods,
            period: plan.period.as_str().into(),
            list,
            reductions: priced
                .steps
                .into_iter()
                .map(|s| Reduced {
                    label: s.label,
                    taken: s.taken,
                })
                .collect(),
            net: priced.net,
            vat_rate: catalogue.vat_rate,
            promo_code,
            problem,
            free_offer_id,
            offers: offers
                .iter()
                .filter(|o| o.kind == line.kind && takes_offers)
                .filter(|o| {
                    // An offer chosen on another line is not offered again.
                    Some(o.id) == line.free_offer_id
                        || !lines.iter().any(|l| l.free_offer_id == Some(o.id))
                })
                .map(|o| OfferChoice {
                    id: o.id,
                    label: o.label.clone(),
                })
                .collect(),
        });
    }
    let totals = price::totals(currency, &taxed)?;
    Ok(Quote {
        currency,
        lines: quoted,
        net: totals.net,
        vat: totals
            .vat
            .into_iter()
            .map(|v| VatLine {
                rate: v.rate,
                base: v.base,
                tax: v.tax,
            })
            .collect(),
        rounding: totals.rounding,
        total: totals.total,
    })
}

/// Cashback (PAR-5): for each line of `public` (the quote of `lines` the customer pays), what
/// the partner would have saved on it — the public price less the partner's price, both after
/// the whole chain — for the lines `discount` names; zero for the others.
pub fn cashback(
    catalogue: &Catalogue,
    extensions: &Extensions,
    public: &Quote,
    lines: &[Line],
    offers: &[FreeOffer],
    discount: Discount<'_>,
    now: i64,
) -> Result<Vec<Money>, MoneyError> {
    let partner = quote(
        catalogue,
        extensions,
        public.currency,
        lines,
        offers,
        discount,
        now,
    )?;
    public
        .lines
        .iter()
        .zip(&partner.lines)
        .map(|(public, partner)| {
            // Never negative: the discount only ever takes more off.
            Ok(Money::new(
                (public.net.minor - partner.net.minor).max(0),
                public.net.currency,
            ))
        })
        .collect()
}

fn describe(line: &Line, label: &str) -> String {
    super::describe_item(line.purpose, label, &line.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn chf(minor: i64) -> Money {
        Money::new(minor, Currency::Chf)
    }

    fn line(id: i64, kind: ProductKind, quantity: i64, periods: i64) -> Line {
        Line {
            id,
            kind,
            plan: "standard".into(),
            name: if kind == ProductKind::Domain {
                format!("item-{id}.ch")
            } else {
                format!("item-{id}")
            },
            product_id: None,
            purpose: Purpose::New,
            quantity,
            periods,
            promo: None,
            free_offer_id: None,
            auth_code: String::new(),
        }
    }

    fn code(code: &str, reduction: PromoReduction) -> PromoCode {
        PromoCode {
            id: 1,
            code: code.into(),
            reduction,
            kinds: Vec::new(),
            expires_at: None,
            max_uses: None,
            uses: 0,
        }
    }

    fn typed(found: PromoCode) -> Option<TypedCode> {
        Some(TypedCode {
            code: found.code.clone(),
            found: Some(found),
            used: false,
        })
    }

    #[test]
    fn a_cart_shows_each_reduction_and_the_vat_before_anything_is_charged() {
        let catalogue = Catalogue::shipped();
        let mut hosting = line(1, ProductKind::WebHosting, 35, 1);
        hosting.promo = typed(code("MOVE", PromoReduction::Percent(Percent(10_00))));
        let domain = line(2, ProductKind::Domain, 1, 1);
        let quote = quote(
            &catalogue,
            &Extensions::shipped(),
            Currency::Chf,
            &[hosting, domain],
            &[],
            &public,
            NOW,
        )
        .expect("quote");
        let hosting = &quote.lines[0];
        assert_eq!(hosting.list, chf(347_20));
        assert_eq!(
            hosting
                .reductions
                .iter()
                .map(|r| (r.label.as_str(), r.taken))
                .collect::<Vec<_>>(),
            [
                ("Volume rate from 35 items", chf(86_80)),
                ("Promo code MOVE", chf(26_04)),
            ]
        );
        assert_eq!(hosting.net, chf(234_36));
        assert_eq!(quote.lines[1].net, chf(13_00));
        assert_eq!(quote.net, chf(247_36));
        // 8.1 % of 247.36 = 20.03616 → 20.04; 267.40 is already a multiple of 0.05.
        assert_eq!(quote.vat[0].tax, chf(20_04));
        assert_eq!((quote.rounding, quote.total), (chf(0), chf(267_40)));
        assert!(!quote.has_problems());
    }

    #[test]
    fn a_full_discount_gives_a_zero_total() {
        let catalogue = Catalogue::shipped();
        let mut domain = line(1, ProductKind::Domain, 1, 2);
        domain.promo = typed(code("FREE", PromoReduction::Percent(Percent::WHOLE)));
        let quote = quote(
            &catalogue,
            &Extensions::shipped(),
            Currency::Eur,
            &[domain],
            &[],
            &public,
            NOW,
        )
        .expect("quote");
        assert_eq!(quote.total, Money::zero(Currency::Eur));
    }

    #[test]
    fn a_code_that_does_not_fit_says_why_and_takes_nothing_off() {
        let catalogue = Catalogue::shipped();
        let cases: Vec<(PromoCode, bool, Currency, &str)> = vec![
            (
                PromoCode {
                    expires_at: Some(NOW - 1),
                    ..code("OLD", PromoReduction::Percent(Percent(10_00)))
                },
                false,
                Currency::Chf,
                "expired on",
            ),
            (
                PromoCode {
                    kinds: vec![ProductKind::MailService],
                    ..code("MAIL", PromoReduction::Percent(Percent(10_00)))
                },
                false,
                Currency::Chf,
                "for mail service only",
            ),
            (
                code(
                    "TEN",
                    PromoReduction::Amount(Money::new(10_00, Currency::Eur)),
                ),
                false,
                Currency::Chf,
                "applies to a cart in EUR",
            ),
            (
                code("ONCE", PromoReduction::Percent(Percent(10_00))),
                true,
                Currency::Chf,
                "used the code ONCE already",
            ),
            (
                PromoCode {
                    max_uses: Some(3),
                    uses: 3,
                    ..code("GONE", PromoReduction::Percent(Percent(10_00)))
                },
                false,
                Currency::Chf,
                "as many times as it may",
            ),
        ];
        for (promo, used, currency, why) in cases {
            let mut domain = line(1, ProductKind::Domain, 1, 1);
            domain.promo = Some(TypedCode {
                code: promo.code.clone(),
                found: Some(promo),
                used,
            });
            let quote = quote(
                &catalogue,
                &Extensions::shipped(),
                currency,
                &[domain],
                &[],
                &public,
                NOW,
            )
            .expect("quote");
            let problem = quote.lines[0].problem.clone().expect(why);
            assert!(problem.contains(why), "{problem} (wanted {why})");
            assert!(quote.lines[0].reductions.is_empty());
            assert!(quote.has_problems());
        }
        let mut unknown = line(1, ProductKind::Domain, 1, 1);
        unknown.promo = Some(TypedCode {
            code: "NOPE".into(),
            found: None,
            used: false,
        });
        let quote = quote(
            &catalogue,
            &Extensions::shipped(),
            Currency::Chf,
            &[unknown],
            &[],
            &public,
            NOW,
        )
        .expect("quote");
        assert_eq!(
            quote.lines[0].problem.as_deref(),
            Some("There is no promo code NOPE.")
        );
    }

    #[test]
    fn several_codes_go_on_several_lines_but_one_code_on_one_line() {
        let catalogue = Catalogue::shipped();
        let ten = code("TEN", PromoReduction::Percent(Percent(10_00)));
        let other = PromoCode {
            id: 2,
            ..code("FIVE", PromoReduction::Amount(chf(5_00)))
        };
        let mut a = line(1, ProductKind::Domain, 1, 1);
        a.promo = typed(ten.clone());
        let mut b = line(2, ProductKind::Drive, 1, 1);
        b.promo = typed(other);
        let mut c = line(3, ProductKind::Domain, 1, 1);
        c.promo = typed(ten);
        let quote = quote(
            &catalogue,
            &Extensions::shipped(),
            Currency::Chf,
            &[a, b, c],
            &[],
            &public,
            NOW,
        )
        .expect("quote");
        assert_eq!(quote.lines[0].net, chf(11_70));
        assert_eq!(quote.lines[1].net, chf(55_00));
        assert!(quote.lines[2]
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("on another line")));
    }

    #[test]
    fn a_free_offer_covers_one_item_for_its_periods_and_is_offered_to_one_line() {
        let catalogue = Catalogue::shipped();
        let offer = FreeOffer {
            id: 7,
            kind: ProductKind::Domain,
            periods: 1,
            label: "A domain for a year".into(),
        };
        let mut chosen = line(1, ProductKind::Domain, 1, 3);
        chosen.free_offer_id = Some(7);
        let other = line(2, ProductKind::Domain, 1, 1);
        let hosting = line(3, ProductKind::WebHosting, 1, 1);
        let quote = quote(
            &catalogue,
            &Extensions::shipped(),
            Currency::Chf,
            &[chosen, other, hosting],
            &[offer],
            &public,
            NOW,
        )
        .expect("quote");
        assert_eq!(quote.lines[0].net, chf(26_00));
        assert_eq!(quote.lines[0].offers.len(), 1);
        assert!(quote.lines[1].offers.is_empty(), "taken by line 1");
        assert!(quote.lines[2].offers.is_empty(), "not for hostings");
    }

    #[test]
    fn a_restore_is_the_fee_plus_one_year_and_an_extension_prices_its_domains() {
        let catalogue = Catalogue::shipped();
        let extensions = Extensions::shipped();
        let mut restore = line(1, ProductKind::Domain, 1, 1);
        restore.name = "shop.com".into();
        restore.product_id = Some(9);
        restore.purpose = Purpose::Restore;
        let mut renewal = line(2, ProductKind::Domain, 1, 2);
        renewal.name = "shop.fr".into();
        renewal.product_id = Some(10);
        renewal.purpose = Purpose::Renewal;
        let mut warranty = line(3, ProductKind::Domain, 1, 1);
        warranty.name = "shop.de".into();
        warranty.product_id = Some(11);
        warranty.purpose = Purpose::Warranty;
        let priced = quote(
            &catalogue,
            &extensions,
            Currency::Chf,
            &[restore.clone(), renewal, warranty],
            &[],
            &public,
            NOW,
        )
        .expect("quote");
        // .com: restore fee 120.00 + one year 16.00.
        assert_eq!(priced.lines[0].list, chf(136_00));
        assert_eq!(
            priced.lines[0].description,
            "Restore of Domain name shop.com: restore fee CHF 120.00 + renewal CHF 16.00"
        );
        assert_eq!(priced.lines[1].list, chf(24_00));
        assert_eq!(
            priced.lines[1].description,
            "Renewal of Domain name shop.fr"
        );
        assert_eq!(priced.lines[2].list, chf(5_00));
        assert!(!priced.has_problems());
        // More than one year, or an extension not sold: said on the line.
        restore.periods = 2;
        let mut unknown = line(4, ProductKind::Domain, 1, 1);
        unknown.name = "shop.xyz".into();
        let refused = quote(
            &catalogue,
            &extensions,
            Currency::Chf,
            &[restore, unknown],
            &[],
            &public,
            NOW,
        )
        .expect("quote");
        assert!(refused.lines[0]
            .problem
            .as_deref()
            .unwrap_or_default()
            .contains("keep 1 year"));
        assert!(refused.lines[1]
            .problem
            .as_deref()
            .unwrap_or_default()
            .contains(".ch, .li, .com"));
    }
}
