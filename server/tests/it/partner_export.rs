//! The billing-history export of a partner's customers (PAR-6), on both databases, read back by
//! a real CSV parser: invoices, renewals and cashback for a period (its first day included, its
//! last excluded), all customers or the ticked ones, text that would run as a formula defused,
//! amounts as numbers; nobody else's history, and a clear refusal of a bad request.

use crate::common;
use crate::partner_pricing::{add, grant_customer, place, world};

use common::buyer::{buyer, chf, top_up};
use common::TestApp;
use http::{Method, StatusCode};

const DAY: i64 = 86_400;

/// The CSV's header and records, as a spreadsheet program reads them.
fn parsed(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new().from_reader(body.as_bytes());
    let header = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    let records = reader
        .records()
        .map(|r| {
            r.expect("an RFC 4180 record")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    (header, records)
}

on_every_backend!(
    the_export_holds_one_history_of_a_period_for_all_or_the_ticked_customers,
    |app: TestApp| async move {
        let w = world(&app, "full_customer_pays", &["bakery.ch"]).await;
        let partner = w.partner.to_string();
        // A second customer, the café, granted full access paid by the partner; its name as
        // someone might have typed a formula.
        let cafe = buyer(&app, "cleo@cafe.ch").await;
        let agency_shop = common::buyer::Buyer {
            cookie: w.agency.clone(),
            organization: partner.clone(),
            address: w.partner_address.clone(),
        };
        grant_customer(
            &app,
            &agency_shop,
            &cafe,
            "cleo@cafe.ch",
            "full_partner_pays",
            &[],
        )
        .await;
        app.exec(&format!(
            "UPDATE organizations SET name = '=HYPERLINK(\"http://evil.example\",\"Café\")' WHERE id = {}",
            cafe.id()
        ))
        .await;
        top_up(&app, w.bakery.id(), chf(100_00), "BAKERY-1").await;
        let bakery_domain = app
            .count("SELECT id FROM products WHERE name = 'bakery.ch'")
            .await;

        // Day 0: Bea renews bakery.ch (CHF 13.00, 10 % cashback); the partner orders a web
        // hosting for the café at its price, on its own invoice.
        let day0 = app.state.now();
        add(
            &app,
            &w.bakery.cookie,
            &w.bakery,
            "domain",
            "bakery.ch",
            "1",
            bakery_domain,
        )
        .await;
        let renewed = w
            .bakery
            .place(&app, "prepaid", "bakery-renewal-000001")
            .await;
        assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
        add(&app, &w.agency, &cafe, "web_hosting", "cafe site", "1", 0).await;
        let for_cafe = place(
            &app,
            &w.agency,
            &cafe,
            "CHF",
            &w.partner_address,
            "prepaid",
            "partner-for-cafe-0001",
        )
        .await;
        assert_eq!(for_cafe.status, StatusCode::OK, "{}", for_cafe.body);
        // Day 40: Bea orders a web hosting (CHF 9.92, 20 % cashback: 1.98).
        app.clock.advance(40 * DAY);
        // Sessions end meanwhile: both sign in again.
        let bakery = common::buyer::Buyer {
            cookie: app.sign_in("bea@bakery.ch").await,
            organization: w.bakery.organization.clone(),
            address: w.bakery.address.clone(),
        };
        bakery
            .add(&app, "web_hosting", "bakery site", "1", "1")
            .await;
        bakery.placed(&app, "bakery-order-0000040").await;
        let day40 = app.state.now();

        let export = |cookie: String, query: String| {
            let app = &app;
            let partner = partner.clone();
            async move {
                app.send(
                    Method::GET,
                    &format!("/reseller-export.csv?organization={partner}&{query}"),
                    &[("cookie", &cookie)],
                    String::new(),
                )
                .await
            }
        };
        let date = app::format::iso_date;
        let agency = app.sign_in("hella@agency.ch").await;

        // Every invoice of the partner's customers it may read, in the whole period.
        let all = export(
            agency.clone(),
            format!(
                "history=invoices&from={}&to={}",
                date(day0),
                date(day40 + DAY)
            ),
        )
        .await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.body);
        assert_eq!(
            all.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/csv; charset=utf-8")
        );
        let disposition = all
            .headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            disposition.starts_with("attachment; filename=\"steward-invoices-"),
            "{disposition}"
        );
        assert!(
            all.body.ends_with("\r\n") && all.body.contains("\r\n"),
            "CRLF line ends"
        );
        let (header, rows) = parsed(&all.body);
        assert_eq!(
            header,
            [
                "customer",
                "customer_id",
                "invoice",
                "issued_utc",
                "status",
                "paid_by",
                "currency",
                "net",
                "vat",
                "total"
            ]
        );
        assert_eq!(rows.len(), 3, "{rows:?}");
        let cafe_row = rows
            .iter()
            .find(|r| r[1] == cafe.organization)
            .expect("the café's invoice");
        // Defused: a spreadsheet shows the text, it does not run it.
        assert!(cafe_row[0].starts_with("'=HYPERLINK("), "{cafe_row:?}");
        assert_eq!(cafe_row[5], "partner");
        assert_eq!(cafe_row[7], "7.94", "the partner's price: 9.92 − 20 %");
        // Amounts are numbers a spreadsheet adds up.
        for row in &rows {
            for amount in &row[7..10] {
                assert!(amount.parse::<f64>().is_ok(), "{amount}");
            }
        }

        // The period's last day is excluded: up to day 40, only day 0's two invoices; from the
        // day after day 0, only day 40's.
        let (_, first) = parsed(
            &export(
                agency.clone(),
                format!("from={}&to={}", date(day0), date(day40)),
            )
            .await
            .body,
        );
        assert_eq!(first.len(), 2, "{first:?}");
        let (_, second) = parsed(
            &export(
                agency.clone(),
                format!("from={}&to={}", date(day0 + DAY), date(day40 + DAY)),
            )
            .await
            .body,
        );
        assert_eq!(second.len(), 1, "{second:?}");
        assert_eq!(second[0][1], w.bakery.organization);

        // Ticked customers only.
        let (_, ticked) = parsed(
            &export(agency.clone(), format!("customers={}", cafe.organization))
                .await
                .body,
        );
        assert_eq!(ticked.len(), 1);
        assert_eq!(ticked[0][1], cafe.organization);

        // Renewals: Bea's renewal of bakery.ch.
        let (header, renewals) =
            parsed(&export(agency.clone(), "history=renewals".into()).await.body);
        assert_eq!(header[5], "product");
        assert_eq!(renewals.len(), 1, "{renewals:?}");
        assert_eq!(
            (
                renewals[0][4].as_str(),
                renewals[0][5].as_str(),
                renewals[0][6].as_str(),
                renewals[0][9].as_str(),
                renewals[0][11].as_str()
            ),
            ("domain", "bakery.ch", "1", "customer", "13.00")
        );

        // Cashback: credited on day 0 and day 40, from the bakery only (the café's order had
        // the discount).
        let (header, cashback) =
            parsed(&export(agency.clone(), "history=cashback".into()).await.body);
        assert_eq!(header.last().map(String::as_str), Some("cashback"));
        let amounts: Vec<&str> = cashback.iter().map(|r| r[8].as_str()).collect();
        assert_eq!(amounts, ["1.30", "1.98"]);
        assert!(cashback.iter().all(|r| r[1] == w.bakery.organization));

        // A period that holds nothing still has its header.
        let (header, none) = parsed(
            &export(agency.clone(), "from=2001-01-01&to=2001-02-01".into())
                .await
                .body,
        );
        assert_eq!((header.len(), none.len()), (10, 0));

        // Refusals: a period ending before it starts; a customer that is not the partner's;
        // the customer's own people on the partner's export.
        let backwards = export(
            agency.clone(),
            format!("from={}&to={}", date(day40), date(day0)),
        )
        .await;
        assert_eq!(
            backwards.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            backwards.body
        );
        assert_eq!(backwards.json()["field"], "to");
        let stranger = export(agency.clone(), format!("customers={}", w.partner)).await;
        assert_eq!(stranger.status, StatusCode::NOT_FOUND, "{}", stranger.body);
        let bea = export(bakery.cookie.clone(), String::new()).await;
        assert_eq!(bea.status, StatusCode::NOT_FOUND, "{}", bea.body);
    }
);
