//! The partner program (PAR-1, PAR-2, PAR-7), on both databases: applying and the operator's
//! decision; the Reseller area; a request for access answered with less than was asked, refused,
//! cancelled, expired; either side ending the access.

use crate::common;

use app::money::Percent;
use app::partners::operator;
use app::partners::Rate;
use app::policy::Role;
use app::products::ProductKind;
use common::{TestApp, START};
use http::StatusCode;

const DAY: i64 = 86_400;

/// A partner organization (approved with 20 % on web hostings): its legal representative's
/// cookie and the organization.
async fn partner(app: &TestApp, email: &str) -> (String, i64) {
    let (cookie, organization) = app.sign_up(email, "Hella", "Agency").await;
    let applied = app
        .call(
            "apply_as_partner",
            Some(&cookie),
            &[
                ("organization_id", &organization.to_string()),
                ("trade_register", "CHE-123.456.789"),
                ("website", "www.helvetia-web.ch"),
            ],
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let rates = [Rate {
        kind: ProductKind::WebHosting,
        percent: Percent(20_00),
    }];
    operator::approve(&app.state, organization, &rates)
        .await
        .expect("approved");
    (cookie, organization)
}

async fn ask(
    app: &TestApp,
    cookie: &str,
    partner: i64,
    email: &str,
    access: &str,
    until: &str,
) -> common::Reply {
    app.call(
        "request_customer",
        Some(cookie),
        &[
            ("organization_id", &partner.to_string()),
            ("email", email),
            ("access", access),
            ("until", until),
        ],
    )
    .await
}

/// What a customer's legal representative grants: `(access, until, product ids)`.
type Grant<'a> = (&'a str, &'a str, &'a str);

/// Grants the request of the link `token` from `customer`, as the signed-in `cookie`.
async fn grant(
    app: &TestApp,
    cookie: &str,
    customer: i64,
    token: &str,
    (access, until, products): Grant<'_>,
) -> common::Reply {
    app.call(
        "grant_partner_access",
        Some(cookie),
        &[
            ("organization_id", &customer.to_string()),
            ("token", token),
            ("access", access),
            ("until", until),
            ("product_ids", products),
        ],
    )
    .await
}

/// The partner asks bea@bakery.ch for full access; she signs up (her organization is the
/// customer) and has the emailed link: `(her cookie, her organization, the link's token)`.
async fn bakery_asked(app: &TestApp, agency: &str, partner: i64) -> (String, i64, String) {
    let asked = ask(
        app,
        agency,
        partner,
        "bea@bakery.ch",
        "full_customer_pays",
        "",
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let (bakery, customer) = app.sign_up("bea@bakery.ch", "Bea", "Baker").await;
    let token = app
        .mailed_token("bea@bakery.ch", "/partner-request")
        .await
        .expect("a link in the email");
    (bakery, customer, token)
}

/// `endpoint` (cancel_customer_request, end_customer, end_partner_access) on one relationship,
/// from `organization`'s side.
async fn on_relationship(
    app: &TestApp,
    endpoint: &str,
    cookie: &str,
    organization: i64,
    relationship: &str,
) -> common::Reply {
    app.call(
        endpoint,
        Some(cookie),
        &[
            ("organization_id", &organization.to_string()),
            ("relationship_id", relationship),
        ],
    )
    .await
}

async fn reseller(app: &TestApp, cookie: &str, partner: i64) -> common::Reply {
    app.call(
        "reseller",
        Some(cookie),
        &[("organization_id", &partner.to_string())],
    )
    .await
}

on_every_backend!(
    an_application_is_reviewed_by_the_operator_logged_and_emailed,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("lea@agency.ch", "Lea", "Legal").await;
        let id = organization.to_string();
        let apply = |register: &'static str, website: &'static str| {
            let (app, cookie, id) = (&app, cookie.clone(), id.clone());
            async move {
                app.call(
                    "apply_as_partner",
                    Some(&cookie),
                    &[
                        ("organization_id", &id),
                        ("trade_register", register),
                        ("website", website),
                    ],
                )
                .await
            }
        };
        let bad = apply("CHE-123.456.789", "not a website").await;
        assert_eq!(bad.code(), "validation", "{}", bad.body);
        assert_eq!(bad.json()["field"], "website");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM partners").await,
            0,
            "nothing stored"
        );
        let applied = apply("CHE-123.456.789", "agency.ch").await;
        assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
        let twice = apply("CHE-123.456.789", "agency.ch").await;
        assert_eq!(twice.code(), "validation", "one application at a time");
        // An administrator cannot apply: legal representatives commit the organization.
        app.sign_up("adam@agency.ch", "Adam", "Admin").await;
        app.add_member(organization, "adam@agency.ch", Role::Administrator)
            .await;
        let admin = app.sign_in("adam@agency.ch").await;
        let refused = app
            .call(
                "apply_as_partner",
                Some(&admin),
                &[
                    ("organization_id", &id),
                    ("trade_register", "CHE-1"),
                    ("website", "a.ch"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let program = app
            .call(
                "partner_program",
                Some(&cookie),
                &[("organization_id", &id)],
            )
            .await;
        assert_eq!(program.json()["state"], "applied", "{}", program.body);
        assert_eq!(program.json()["website"], "https://agency.ch");
        // Not a partner yet: no Reseller area.
        let area = reseller(&app, &cookie, organization).await;
        assert_eq!(area.status, StatusCode::FORBIDDEN, "{}", area.body);
        assert!(
            area.body.contains("apply to the partner program"),
            "{}",
            area.body
        );

        // The operator refuses, saying why; the organization applies again and is approved.
        assert!(
            operator::refuse(&app.state, organization, "  ")
                .await
                .is_err(),
            "a reason is needed"
        );
        operator::refuse(
            &app.state,
            organization,
            "No entry under that number in the register.",
        )
        .await
        .expect("refused");
        let program = app
            .call(
                "partner_program",
                Some(&cookie),
                &[("organization_id", &id)],
            )
            .await;
        assert_eq!(program.json()["state"], "refused");
        assert_eq!(program.json()["may_apply"], true);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'lea@agency.ch' AND subject LIKE 'The partner application of%'").await,
            1
        );
        assert_eq!(
            apply("CHE-123.456.780", "agency.ch").await.status,
            StatusCode::OK
        );
        let rates = operator::parse_rates("web_hosting=20,mail_service=12.5").expect("rates");
        operator::approve(&app.state, organization, &rates)
            .await
            .expect("approved");
        assert!(
            operator::approve(&app.state, organization, &rates)
                .await
                .is_err(),
            "nothing left to approve"
        );
        let program = app
            .call(
                "partner_program",
                Some(&cookie),
                &[("organization_id", &id)],
            )
            .await;
        assert_eq!(program.json()["state"], "approved", "{}", program.body);
        assert_eq!(program.json()["rates"].as_array().map(Vec::len), Some(2));
        let approved = app
            .mail_bodies(
                "recipient = 'lea@agency.ch' AND subject LIKE '% is now a Steward partner'",
            )
            .await;
        assert_eq!(approved.len(), 1);
        assert!(
            approved[0].contains("20 % on web hosting, 12.5 % on mail service"),
            "{}",
            approved[0]
        );
        operator::set_rates(
            &app.state,
            organization,
            &operator::parse_rates("web_hosting=25").expect("rates"),
        )
        .await
        .expect("changed");
        let logged = app
            .texts(&format!(
                "SELECT action FROM activity_log WHERE organization_id = {organization} AND action LIKE 'partner%' ORDER BY id"
            ))
            .await;
        assert_eq!(
            logged,
            [
                "partner_applied",
                "partner_refused",
                "partner_applied",
                "partner_approved",
                "partner_rates_changed"
            ]
        );
        // The Reseller area opens for the legal representative and the administrator, and the
        // shell offers it.
        assert_eq!(
            reseller(&app, &cookie, organization).await.status,
            StatusCode::OK
        );
        assert_eq!(
            reseller(&app, &admin, organization).await.status,
            StatusCode::OK
        );
        let shell = app
            .call(
                "organization_shell",
                Some(&admin),
                &[("organization_id", &id)],
            )
            .await;
        assert_eq!(shell.json()["reseller"], true, "{}", shell.body);
    }
);

on_every_backend!(
    a_customer_grants_less_than_was_asked_and_the_partner_sees_both,
    |app: TestApp| async move {
        let (agency, partner_id) = partner(&app, "hella@agency.ch").await;
        let asked = ask(
            &app,
            &agency,
            partner_id,
            "Bea@Bakery.ch",
            "full_partner_pays",
            "",
        )
        .await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
        let again = ask(&app, &agency, partner_id, "bea@bakery.ch", "limited", "").await;
        assert_eq!(
            again.code(),
            "validation",
            "one waiting request per address"
        );

        // The customer signs up, finds the request by its link, and grants limited access to
        // one of two products, with an end date.
        let (bakery, customer_id) = app.sign_up("bea@bakery.ch", "Bea", "Baker").await;
        let products = app
            .add_products(customer_id, &["bakery.ch", "private.ch"])
            .await;
        let token = app
            .mailed_token("bea@bakery.ch", "/partner-request")
            .await
            .expect("a link in the email");
        let opened = app
            .call("open_partner_request", Some(&bakery), &[("token", &token)])
            .await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
        let opened = opened.json();
        assert_eq!(opened["partner"], "Hella Agency");
        assert_eq!(opened["requested"], "full_partner_pays");
        assert_eq!(opened["granters"][0]["id"], customer_id);
        assert_eq!(
            opened["granters"][0]["products"].as_array().map(Vec::len),
            Some(2)
        );
        // Nothing of another organization can be granted.
        let (_, other) = app.sign_up("oz@other.ch", "Oz", "Other").await;
        let foreign = app.add_products(other, &["other.ch"]).await[0];
        let limited = |ids: String, until: &'static str| {
            let (app, bakery, token) = (&app, bakery.clone(), token.clone());
            async move { grant(app, &bakery, customer_id, &token, ("limited", until, &ids)).await }
        };
        assert_eq!(limited(foreign.to_string(), "").await.code(), "not_found");
        assert_eq!(
            limited(String::new(), "").await.json()["field"],
            "product_ids"
        );
        assert_eq!(
            limited(products[0].to_string(), "2001-01-01").await.json()["field"],
            "until"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM partner_customers WHERE state = 'active'")
                .await,
            0,
            "nothing granted by a refused answer"
        );
        let until = app::format::iso_date(START + 60 * DAY);
        let granted = grant(
            &app,
            &bakery,
            customer_id,
            &token,
            ("limited", &until, &products[0].to_string()),
        )
        .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        // The link works once.
        let reused = app
            .call("open_partner_request", Some(&bakery), &[("token", &token)])
            .await;
        assert_eq!(reused.code(), "not_found");

        // The partner sees what it asked and what it got, apart.
        let area = reseller(&app, &agency, partner_id).await;
        let row = &area.json()["rows"][0];
        assert_eq!(row["customer"], "Bea Baker", "{}", area.body);
        assert_eq!(row["requested"], "full_partner_pays");
        assert_eq!(row["granted"], "limited");
        assert_eq!(row["products"], serde_json::json!(["bakery.ch"]));
        assert_eq!(row["state"], "active");
        assert!(row["granted_until"].as_i64().is_some());
        // The customer's profile: asked and granted side by side, the products, the history.
        let profile = app
            .call(
                "reseller_customer",
                Some(&agency),
                &[
                    ("organization_id", &partner_id.to_string()),
                    (
                        "relationship_id",
                        &row["id"].as_i64().expect("id").to_string(),
                    ),
                ],
            )
            .await;
        assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
        let profile = profile.json();
        assert_eq!(profile["row"]["requested"], "full_partner_pays");
        assert_eq!(profile["row"]["granted"], "limited");
        assert_eq!(profile["requested_by"], "Hella Agency");
        assert_eq!(profile["answered_by"], "Bea Baker");
        assert_eq!(profile["products"], serde_json::json!(["bakery.ch"]));
        let history: Vec<&str> = profile["history"]
            .as_array()
            .map(|h| h.iter().filter_map(|e| e[1].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            history,
            [
                "Hella Agency asked bea@bakery.ch for full access, with the partner's payment methods",
                "Bea Baker granted limited access to chosen products"
            ]
        );
        let told = app
            .mail_bodies(
                "recipient = 'hella@agency.ch' AND subject = 'Bea Baker granted you access'",
            )
            .await;
        assert_eq!(told.len(), 1);
        assert!(
            told[0].contains("Asked: Full access, with the partner's payment methods")
                && told[0].contains("Granted: Limited access to chosen products (bakery.ch) until"),
            "{}",
            told[0]
        );
        for organization in [partner_id, customer_id] {
            assert_eq!(
                app.count(&format!(
                    "SELECT COUNT(*) FROM activity_log WHERE organization_id = {organization} AND action = 'partner_access_granted'"
                ))
                .await,
                1
            );
        }
        // The customer's settings list the partner; the same partner cannot be granted twice.
        let listed = app
            .call(
                "partners_with_access",
                Some(&bakery),
                &[("organization_id", &customer_id.to_string())],
            )
            .await;
        assert_eq!(
            listed.json()[0]["partner"],
            "Hella Agency",
            "{}",
            listed.body
        );
        ask(&app, &agency, partner_id, "bea@bakery.ch", "limited", "").await;
        let second = app
            .mailed_token("bea@bakery.ch", "/partner-request")
            .await
            .expect("link");
        let twice = grant(
            &app,
            &bakery,
            customer_id,
            &second,
            ("full_customer_pays", "", ""),
        )
        .await;
        assert_eq!(twice.code(), "validation", "{}", twice.body);

        // The customer ends it: gone from their settings at once, and the partner is told.
        let relationship = listed.json()[0]["id"].as_i64().expect("id").to_string();
        let ended = on_relationship(
            &app,
            "end_partner_access",
            &bakery,
            customer_id,
            &relationship,
        )
        .await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
        let listed = app
            .call(
                "partners_with_access",
                Some(&bakery),
                &[("organization_id", &customer_id.to_string())],
            )
            .await;
        assert_eq!(listed.json(), serde_json::json!([]));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'hella@agency.ch' AND subject = 'Hella Agency''s access to Bea Baker ended'").await,
            1
        );
        let again = on_relationship(
            &app,
            "end_partner_access",
            &bakery,
            customer_id,
            &relationship,
        )
        .await;
        assert_eq!(again.code(), "not_found");
    }
);

on_every_backend!(
    requests_are_refused_cancelled_expire_and_the_partner_ends_access,
    |app: TestApp| async move {
        let (agency, partner_id) = partner(&app, "hella@agency.ch").await;
        // Refused from the link: the partner's legal representatives are told.
        ask(
            &app,
            &agency,
            partner_id,
            "no@thanks.ch",
            "full_customer_pays",
            "",
        )
        .await;
        let token = app
            .mailed_token("no@thanks.ch", "/partner-request")
            .await
            .expect("link");
        let refused = app
            .call("refuse_partner_request", None, &[("token", &token)])
            .await;
        assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'hella@agency.ch' AND subject = 'no@thanks.ch refused your request for access'").await,
            1
        );
        assert_eq!(
            app.call("refuse_partner_request", None, &[("token", &token)])
                .await
                .code(),
            "not_found"
        );
        // Cancelled by the partner: the link stops working.
        ask(&app, &agency, partner_id, "later@bakery.ch", "limited", "").await;
        let token = app
            .mailed_token("later@bakery.ch", "/partner-request")
            .await
            .expect("link");
        let area = reseller(&app, &agency, partner_id).await;
        let waiting = area.json()["rows"][0]["id"]
            .as_i64()
            .expect("row")
            .to_string();
        let cancelled = on_relationship(
            &app,
            "cancel_customer_request",
            &agency,
            partner_id,
            &waiting,
        )
        .await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
        assert_eq!(
            app.call("open_partner_request", None, &[("token", &token)])
                .await
                .code(),
            "not_found"
        );
        // Unanswered for 30 days: expired.
        ask(&app, &agency, partner_id, "slow@bakery.ch", "limited", "").await;
        let token = app
            .mailed_token("slow@bakery.ch", "/partner-request")
            .await
            .expect("link");
        app.clock.advance(30 * DAY);
        assert_eq!(
            app.call("open_partner_request", None, &[("token", &token)])
                .await
                .code(),
            "not_found"
        );
        // A month on, the partner signs in again.
        let agency = app.sign_in("hella@agency.ch").await;
        // A partner is never its own customer.
        ask(&app, &agency, partner_id, "hella@agency.ch", "limited", "").await;
        let own = app
            .mailed_token("hella@agency.ch", "/partner-request")
            .await
            .expect("link");
        let opened = app
            .call("open_partner_request", Some(&agency), &[("token", &own)])
            .await;
        assert_eq!(
            opened.json()["granters"],
            serde_json::json!([]),
            "{}",
            opened.body
        );
        let itself = grant(
            &app,
            &agency,
            partner_id,
            &own,
            ("full_customer_pays", "", ""),
        )
        .await;
        assert_eq!(itself.code(), "validation", "{}", itself.body);

        // Granted in full, then ended by the partner: the customer is told.
        let (bakery, customer_id, token) = bakery_asked(&app, &agency, partner_id).await;
        let granted = grant(
            &app,
            &bakery,
            customer_id,
            &token,
            ("full_customer_pays", "", ""),
        )
        .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        let area = reseller(&app, &agency, partner_id).await;
        let rows = area.json()["rows"].as_array().cloned().unwrap_or_default();
        let active = rows
            .iter()
            .find(|r| r["state"] == "active")
            .expect("an active customer");
        assert_eq!(active["granted"], "full_customer_pays");
        let states: Vec<&str> = rows.iter().filter_map(|r| r["state"].as_str()).collect();
        assert!(
            states.contains(&"refused") && states.contains(&"cancelled"),
            "{states:?}"
        );
        let ended = app
            .call(
                "end_customer",
                Some(&agency),
                &[
                    ("organization_id", &partner_id.to_string()),
                    (
                        "relationship_id",
                        &active["id"].as_i64().expect("id").to_string(),
                    ),
                ],
            )
            .await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'bea@bakery.ch' AND subject = 'Hella Agency''s access to Bea Baker ended'").await,
            1
        );
        let listed = app
            .call(
                "partners_with_access",
                Some(&bakery),
                &[("organization_id", &customer_id.to_string())],
            )
            .await;
        assert_eq!(listed.json(), serde_json::json!([]));
    }
);

on_every_backend!(
    an_end_date_ends_the_access_by_itself_after_its_reminder_once_across_workers,
    |app: TestApp| async move {
        use app::partners::scheduler::{run, Run};
        let (agency, partner_id) = partner(&app, "hella@agency.ch").await;
        let (bakery, customer_id, token) = bakery_asked(&app, &agency, partner_id).await;
        let until = app::format::iso_date(START + 40 * DAY);
        let granted = grant(
            &app,
            &bakery,
            customer_id,
            &token,
            ("full_customer_pays", &until, ""),
        )
        .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        assert_eq!(
            run(&app.state, "w1").await.expect("run"),
            Some(Run::default())
        );
        // Within 14 days of the end: one reminder to both sides, however many workers run.
        app.clock.advance(30 * DAY);
        let (one, two) = tokio::join!(run(&app.state, "w1"), run(&app.state, "w2"));
        let reminded: usize = [one, two]
            .into_iter()
            .map(|r| r.expect("run").map_or(0, |r| r.reminded))
            .sum();
        assert_eq!(reminded, 1);
        assert_eq!(
            run(&app.state, "w2").await.expect("run"),
            Some(Run::default())
        );
        // A month on, the customer signs in again.
        let bakery = app.sign_in("bea@bakery.ch").await;
        for who in ["hella@agency.ch", "bea@bakery.ch"] {
            assert_eq!(
                app.count(&format!(
                    "SELECT COUNT(*) FROM outbox WHERE recipient = '{who}' AND subject LIKE 'Hella Agency''s access to Bea Baker ends on %'"
                ))
                .await,
                1,
                "{who}"
            );
        }
        let listed = app
            .call(
                "partners_with_access",
                Some(&bakery),
                &[("organization_id", &customer_id.to_string())],
            )
            .await;
        assert_eq!(
            listed.json().as_array().map(Vec::len),
            Some(1),
            "still granted"
        );
        // At the date: ended, logged on both sides, both told.
        app.clock.advance(11 * DAY);
        let bakery = app.sign_in("bea@bakery.ch").await;
        let agency = app.sign_in("hella@agency.ch").await;
        let listed = app
            .call(
                "partners_with_access",
                Some(&bakery),
                &[("organization_id", &customer_id.to_string())],
            )
            .await;
        assert_eq!(
            listed.json(),
            serde_json::json!([]),
            "lapsed at the date, before the job runs"
        );
        let (one, two) = tokio::join!(run(&app.state, "w1"), run(&app.state, "w2"));
        let ended: usize = [one, two]
            .into_iter()
            .map(|r| r.expect("run").map_or(0, |r| r.ended))
            .sum();
        assert_eq!(ended, 1);
        let area = reseller(&app, &agency, partner_id).await;
        assert_eq!(area.json()["rows"][0]["state"], "ended", "{}", area.body);
        for organization in [partner_id, customer_id] {
            assert_eq!(
                app.count(&format!(
                    "SELECT COUNT(*) FROM activity_log WHERE organization_id = {organization} AND action IN ('partner_access_end_reminded', 'partner_access_ended')"
                ))
                .await,
                2
            );
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE subject = 'Hella Agency''s access to Bea Baker ended'").await,
            2
        );
    }
);

/// The names of the products `cookie` lists in `organization` (`None`: refused, with its code).
async fn listed(app: &TestApp, cookie: &str, organization: i64) -> Result<Vec<String>, String> {
    let id = organization.to_string();
    let reply = app
        .call(
            "list_products",
            Some(cookie),
            &[
                ("organization_id", id.as_str()),
                ("search", ""),
                ("kind", ""),
                ("status", ""),
                ("tag", ""),
                ("sort", ""),
            ],
        )
        .await;
    if reply.status != StatusCode::OK {
        return Err(reply.code());
    }
    let mut names: Vec<String> = reply.json()["products"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

/// The status code `endpoint` answers `cookie` in `organization` with only its id.
async fn answer(app: &TestApp, cookie: &str, endpoint: &str, organization: i64) -> StatusCode {
    app.call(
        endpoint,
        Some(cookie),
        &[("organization_id", &organization.to_string())],
    )
    .await
    .status
}

on_every_backend!(
    a_partner_enters_a_customer_with_exactly_the_rights_granted_and_never_more,
    |app: TestApp| async move {
        let (agency, partner_id) = partner(&app, "hella@agency.ch").await;
        app.exec(&format!(
            "UPDATE organizations SET name = 'Helvetia Web Agency' WHERE id = {partner_id}"
        ))
        .await;
        // The partner's administrator, and two collaborators: one will be delegated the bakery.
        for (email, first, role) in [
            ("adam@agency.ch", "Adam", Role::Administrator),
            ("cole@agency.ch", "Cole", Role::Collaborator),
            ("dora@agency.ch", "Dora", Role::Collaborator),
        ] {
            app.sign_up(email, first, "Agency").await;
            app.add_member(partner_id, email, role).await;
        }
        let admin = app.sign_in("adam@agency.ch").await;
        let cole = app.sign_in("cole@agency.ch").await;
        let dora = app.sign_in("dora@agency.ch").await;

        // The bakery grants full access with its own payment methods.
        let (bakery, customer_id, token) = bakery_asked(&app, &agency, partner_id).await;
        app.add_products(customer_id, &["bakery.ch", "private.ch"])
            .await;
        let granted = grant(
            &app,
            &bakery,
            customer_id,
            &token,
            ("full_customer_pays", "", ""),
        )
        .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        let members_before = app.count("SELECT COUNT(*) FROM memberships").await;

        // Legal representative and administrator: every product, and the bakery's billing.
        for cookie in [&agency, &admin] {
            assert_eq!(
                listed(&app, cookie, customer_id).await,
                Ok(vec!["bakery.ch".to_owned(), "private.ch".to_owned()])
            );
            assert_eq!(
                answer(&app, cookie, "prepaid_account", customer_id).await,
                StatusCode::OK
            );
        }
        let shell = app
            .call(
                "organization_shell",
                Some(&agency),
                &[("organization_id", &customer_id.to_string())],
            )
            .await;
        assert_eq!(
            shell.json()["current"]["partner"]["partner_name"],
            "Helvetia Web Agency",
            "{}",
            shell.body
        );
        // Never the bakery's people, settings, log, or anything that changes who is in it.
        for endpoint in [
            "organization_settings",
            "organization_activity",
            "partners_with_access",
        ] {
            assert_eq!(
                answer(&app, &agency, endpoint, customer_id).await,
                StatusCode::FORBIDDEN,
                "{endpoint}"
            );
        }
        let users = app
            .call(
                "organization_users",
                Some(&agency),
                &[
                    ("organization_id", &customer_id.to_string()),
                    ("search", ""),
                ],
            )
            .await;
        assert_eq!(users.status, StatusCode::FORBIDDEN, "{}", users.body);
        let invite = app
            .call(
                "invite_person",
                Some(&agency),
                &[
                    ("organization_id", &customer_id.to_string()),
                    ("email", "hella@agency.ch"),
                    ("role", "legal_representative"),
                    ("products", ""),
                    ("billing", ""),
                ],
            )
            .await;
        assert_eq!(invite.status, StatusCode::FORBIDDEN, "{}", invite.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM memberships").await,
            members_before
        );

        // What the partner does there is logged in the bakery's log with the partner's name,
        // and in the partner's own log.
        let tag = app
            .call(
                "create_tag",
                Some(&agency),
                &[
                    ("organization_id", &customer_id.to_string()),
                    ("name", "Managed"),
                    ("colour", "blue"),
                ],
            )
            .await;
        assert_eq!(tag.status, StatusCode::OK, "{}", tag.body);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM activity_log WHERE organization_id = {customer_id} AND action = 'tag_created' AND for_organization_id = {partner_id}"
            ))
            .await,
            1,
            "the bakery's entry names the partner"
        );
        let log = app
            .call(
                "organization_activity",
                Some(&bakery),
                &[
                    ("organization_id", &customer_id.to_string()),
                    ("action", "tag_created"),
                ],
            )
            .await;
        assert_eq!(
            log.json()["entries"][0]["actor"],
            "Hella Agency (for Helvetia Web Agency)",
            "{}",
            log.body
        );
        assert_eq!(
            app.texts(&format!(
                "SELECT detail FROM activity_log WHERE organization_id = {partner_id} AND action = 'tag_created'"
            ))
            .await,
            ["for Bea Baker: Managed"]
        );

        // Collaborators: only with the bakery delegated to them, from the next request.
        assert_eq!(
            listed(&app, &cole, customer_id).await,
            Err("not_found".to_owned())
        );
        assert_eq!(
            listed(&app, &dora, customer_id).await,
            Err("not_found".to_owned())
        );
        let area = app
            .call(
                "reseller",
                Some(&admin),
                &[("organization_id", &partner_id.to_string())],
            )
            .await;
        let relationship = area.json()["rows"][0]["id"]
            .as_i64()
            .expect("row")
            .to_string();
        let dora_id = app
            .count("SELECT id FROM users WHERE email = 'dora@agency.ch'")
            .await
            .to_string();
        let delegate = |delegated: &'static str| {
            let (app, admin, relationship, dora_id) =
                (&app, admin.clone(), relationship.clone(), dora_id.clone());
            async move {
                app.call(
                    "set_customer_delegation",
                    Some(&admin),
                    &[
                        ("organization_id", &partner_id.to_string()),
                        ("relationship_id", &relationship),
                        ("user_id", &dora_id),
                        ("delegated", delegated),
                    ],
                )
                .await
            }
        };
        assert_eq!(delegate("true").await.status, StatusCode::OK);
        assert_eq!(
            listed(&app, &dora, customer_id).await.map(|l| l.len()),
            Ok(2)
        );
        assert_eq!(
            listed(&app, &cole, customer_id).await,
            Err("not_found".to_owned())
        );
        let shell = app
            .call(
                "organization_shell",
                Some(&dora),
                &[("organization_id", &partner_id.to_string())],
            )
            .await;
        assert_eq!(
            shell.json()["customers"][0][1],
            "Bea Baker",
            "{}",
            shell.body
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'dora@agency.ch' AND subject = 'You now manage Bea Baker for Helvetia Web Agency'").await,
            1
        );
        assert_eq!(delegate("false").await.status, StatusCode::OK);
        assert_eq!(
            listed(&app, &dora, customer_id).await,
            Err("not_found".to_owned())
        );

        // A partner can never make itself a member: its people are not in the bakery's members,
        // and an access it has not been granted (another partner's) is not found.
        let (stranger, _) = partner(&app, "other@partner.ch").await;
        assert_eq!(
            listed(&app, &stranger, customer_id).await,
            Err("not_found".to_owned())
        );

        // Ended by the bakery: gone at the partner's very next request.
        let listed_partners = app
            .call(
                "partners_with_access",
                Some(&bakery),
                &[("organization_id", &customer_id.to_string())],
            )
            .await;
        let id = listed_partners.json()[0]["id"]
            .as_i64()
            .expect("id")
            .to_string();
        let ended = on_relationship(&app, "end_partner_access", &bakery, customer_id, &id).await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
        assert_eq!(
            listed(&app, &agency, customer_id).await,
            Err("not_found".to_owned())
        );
        assert_eq!(
            answer(&app, &agency, "prepaid_account", customer_id).await,
            StatusCode::NOT_FOUND
        );
    }
);

on_every_backend!(
    limited_access_reaches_the_granted_products_and_an_end_date_or_the_partner_paying_closes_billing,
    |app: TestApp| async move {
        let (agency, partner_id) = partner(&app, "hella@agency.ch").await;
        let (bakery, customer_id, token) = bakery_asked(&app, &agency, partner_id).await;
        let products = app.add_products(customer_id, &["bakery.ch", "private.ch"]).await;
        let until = app::format::iso_date(START + 10 * DAY);
        let granted = grant(&app, &bakery, customer_id, &token, ("limited", &until, &products[0].to_string())).await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        assert_eq!(listed(&app, &agency, customer_id).await, Ok(vec!["bakery.ch".to_owned()]));
        let other = app
            .call(
                "get_product",
                Some(&agency),
                &[("organization_id", &customer_id.to_string()), ("product_id", &products[1].to_string())],
            )
            .await;
        assert_eq!(other.code(), "not_found", "{}", other.body);
        assert_eq!(answer(&app, &agency, "prepaid_account", customer_id).await, StatusCode::FORBIDDEN);
        // Past its end date, before any job runs: not found.
        app.clock.advance(11 * DAY);
        let agency = app.sign_in("hella@agency.ch").await;
        assert_eq!(listed(&app, &agency, customer_id).await, Err("not_found".to_owned()));

        // Full access paid by the partner: the products, but not the customer's billing (the
        // partner's payment methods pay).
        let asked = ask(&app, &agency, partner_id, "bea@bakery.ch", "full_partner_pays", "").await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
        let token = app.mailed_token("bea@bakery.ch", "/partner-request").await.expect("link");
        let bakery = app.sign_in("bea@bakery.ch").await;
        app.exec("UPDATE partner_customers SET state = 'ended' WHERE state = 'active'").await;
        let granted = grant(&app, &bakery, customer_id, &token, ("full_partner_pays", "", "")).await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        assert_eq!(listed(&app, &agency, customer_id).await.map(|l| l.len()), Ok(2));
        assert_eq!(answer(&app, &agency, "prepaid_account", customer_id).await, StatusCode::FORBIDDEN);
    }
);

on_every_backend!(
    the_demo_partner_manages_its_customers_as_the_readme_says,
    |app: TestApp| async move {
        assert!(app::demo::seed_if_empty(&app.state).await.expect("demo"));
        let organization = |name: &'static str| {
            let app = &app;
            async move {
                app.count(&format!(
                    "SELECT id FROM organizations WHERE name = '{name}' ORDER BY id LIMIT 1"
                ))
                .await
            }
        };
        let agency = organization("Helvetia Web Agency").await;
        let bakery = organization("Lakeside Bakery").await;
        let club = organization("Alpine Trail Club").await;
        let sign_in = |email: &'static str| app.sign_in_with(email, app::demo::DEMO_PASSWORD);
        let bruno = sign_in("bruno@demo.steward.test").await;
        let every_bakery_product = listed(&app, &bruno, bakery).await.expect("full access");
        assert!(!every_bakery_product.is_empty());
        assert_eq!(
            listed(&app, &bruno, club).await,
            Ok(vec![
                "Hosting alpine-trail-club".to_owned(),
                "Mail alpine-trail-club.ch".to_owned()
            ])
        );
        // David, a collaborator of the agency, was delegated the bakery.
        let david = sign_in("david@demo.steward.test").await;
        assert_eq!(listed(&app, &david, bakery).await, Ok(every_bakery_product));
        // Chloé, an administrator of the agency, reaches the club's two products through it.
        let chloe = sign_in("chloe@demo.steward.test").await;
        assert_eq!(listed(&app, &chloe, club).await.map(|l| l.len()), Ok(2));
        let area = reseller(&app, &bruno, agency).await;
        let states: Vec<String> = area.json()["rows"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r["state"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(
            states.iter().filter(|s| *s == "active").count(),
            2,
            "{states:?}"
        );
        assert_eq!(
            states.iter().filter(|s| *s == "requested").count(),
            1,
            "{states:?}"
        );
        // Cashback in the history: this month, from both customers.
        let customers: Vec<String> = area.json()["cashback"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|m| m["customer"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(customers, ["Alpine Trail Club", "Lakeside Bakery"]);
    }
);
