//! Verified domains (SEC-10's prerequisite), on both databases, with DNS answered from the
//! test's zone: the record to create, a check that finds nothing, the wrong value, a resolver
//! down, then the right value; sticky once verified; one organization per domain; public mail
//! domains refused; each change logged; only administrators and legal representatives.

use crate::common;

use app::policy::Role;
use common::TestApp;
use http::StatusCode;

async fn add(app: &TestApp, cookie: &str, organization: i64, domain: &str) -> common::Reply {
    app.call(
        "add_verified_domain",
        Some(cookie),
        &[
            ("organization_id", &organization.to_string()),
            ("domain", domain),
        ],
    )
    .await
}

async fn check(app: &TestApp, cookie: &str, organization: i64, id: i64) -> common::Reply {
    app.call(
        "check_verified_domain",
        Some(cookie),
        &[
            ("organization_id", &organization.to_string()),
            ("domain_id", &id.to_string()),
        ],
    )
    .await
}

async fn listed(app: &TestApp, cookie: &str, organization: i64) -> serde_json::Value {
    let reply = app
        .call(
            "verified_domains",
            Some(cookie),
            &[("organization_id", &organization.to_string())],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["domains"].clone()
}

on_every_backend!(
    a_domain_is_verified_by_its_txt_record_once_and_for_one_organization,
    |app: TestApp| async move {
        let (lea, acme) = app.sign_up("lea@acme.ch", "Lea", "Legal").await;
        // Bad input, each with its reason; nothing stored.
        for (typed, says) in [
            ("https://acme.ch", "no https://"),
            ("acme", "extension"),
            ("gmail.com", "public mail service"),
        ] {
            let refused = add(&app, &lea, acme, typed).await;
            assert_eq!(refused.code(), "validation", "{typed}: {}", refused.body);
            assert_eq!(refused.json()["field"], "domain");
            assert!(
                refused.json()["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(says),
                "{}",
                refused.body
            );
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM organization_domains").await,
            0
        );

        let added = add(&app, &lea, acme, " ACME.ch ").await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        let id = added.json().as_i64().expect("id");
        assert_eq!(
            add(&app, &lea, acme, "acme.ch").await.code(),
            "validation",
            "once"
        );
        let domains = listed(&app, &lea, acme).await;
        assert_eq!(domains[0]["domain"], "acme.ch");
        assert!(domains[0]["verified_at"].is_null());
        let token = domains[0]["token"].as_str().expect("token").to_owned();
        assert!(token.len() >= 20, "{token}");

        // Nothing published yet; then the wrong value; then the resolvers are down.
        let nothing = check(&app, &lea, acme, id).await.json();
        assert_eq!(nothing["verified"], false);
        assert!(
            nothing["problem"]
                .as_str()
                .unwrap_or_default()
                .contains("No TXT record at _steward-challenge.acme.ch"),
            "{nothing}"
        );
        app.zone.publish(
            "_steward-challenge.acme.ch",
            "steward-verification=someone-else",
        );
        let wrong = check(&app, &lea, acme, id).await.json();
        assert_eq!(wrong["verified"], false);
        assert!(
            wrong["problem"]
                .as_str()
                .unwrap_or_default()
                .contains("none holds"),
            "{wrong}"
        );
        app.zone.set_unavailable(true);
        let down = check(&app, &lea, acme, id).await.json();
        assert!(
            down["problem"]
                .as_str()
                .unwrap_or_default()
                .contains("did not answer"),
            "{down}"
        );
        app.zone.set_unavailable(false);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM organization_domains WHERE verified_at IS NOT NULL")
                .await,
            0,
            "a failed check writes nothing"
        );

        // The right record: verified, logged once; withdrawing the record changes nothing.
        app.zone.publish(
            "_steward-challenge.acme.ch",
            &format!("steward-verification={token}"),
        );
        let verified = check(&app, &lea, acme, id).await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
        assert_eq!(verified.json()["verified"], true);
        app.zone.withdraw("_steward-challenge.acme.ch");
        assert_eq!(
            check(&app, &lea, acme, id).await.json()["verified"],
            true,
            "sticky"
        );
        assert!(!listed(&app, &lea, acme).await[0]["verified_at"].is_null());
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM activity_log WHERE organization_id = {acme} AND action IN ('verified_domain_added', 'verified_domain_verified')"
            ))
            .await,
            2
        );

        // Another organization cannot have it.
        let (max, other) = app.sign_up("max@other.ch", "Max", "Other").await;
        let taken = add(&app, &max, other, "acme.ch").await;
        assert_eq!(taken.code(), "validation", "{}", taken.body);
        assert!(taken.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("another organization"));
        // Nor check Acme's domain by its id: not found there.
        assert_eq!(
            check(&app, &max, other, id).await.status,
            StatusCode::NOT_FOUND
        );

        // A collaborator of Acme may not touch its domains.
        app.sign_up("cole@acme.ch", "Cole", "Collab").await;
        app.add_member(acme, "cole@acme.ch", Role::Collaborator)
            .await;
        let cole = app.sign_in("cole@acme.ch").await;
        assert_eq!(
            add(&app, &cole, acme, "cole.ch").await.status,
            StatusCode::FORBIDDEN
        );

        // Removed: logged; the domain is free for another organization to prove.
        let removed = app
            .call(
                "remove_verified_domain",
                Some(&lea),
                &[
                    ("organization_id", &acme.to_string()),
                    ("domain_id", &id.to_string()),
                ],
            )
            .await;
        assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
        assert_eq!(
            listed(&app, &lea, acme).await.as_array().map(Vec::len),
            Some(0)
        );
        assert_eq!(
            add(&app, &max, other, "acme.ch").await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM activity_log WHERE organization_id = {acme} AND action = 'verified_domain_removed'"
            ))
            .await,
            1
        );
    }
);

on_every_backend!(
    two_organizations_proving_one_domain_at_once_end_with_one_owner,
    |app: TestApp| async move {
        let (lea, acme) = app.sign_up("lea@acme.ch", "Lea", "Legal").await;
        let (max, other) = app.sign_up("max@other.ch", "Max", "Other").await;
        let mut ids = Vec::new();
        for (cookie, organization) in [(&lea, acme), (&max, other)] {
            let added = add(&app, cookie, organization, "shared.ch").await;
            assert_eq!(added.status, StatusCode::OK, "{}", added.body);
            let id = added.json().as_i64().expect("id");
            let token = app
                .texts(&format!(
                    "SELECT token FROM organization_domains WHERE id = {id}"
                ))
                .await
                .remove(0);
            app.zone.publish(
                "_steward-challenge.shared.ch",
                &format!("steward-verification={token}"),
            );
            ids.push((cookie.clone(), organization, id));
        }
        let calls = ids
            .iter()
            .map(|(cookie, organization, id)| -> common::Call<'_> {
                (
                    "check_verified_domain",
                    Some(cookie.clone()),
                    vec![
                        ("organization_id", organization.to_string()),
                        ("domain_id", id.to_string()),
                    ],
                )
            })
            .collect();
        let replies = app.call_all(calls).await;
        let verified = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK && r.json()["verified"] == true)
            .count();
        assert_eq!(
            verified,
            1,
            "{:?}",
            replies.iter().map(|r| &r.body).collect::<Vec<_>>()
        );
        for reply in replies.iter().filter(|r| r.status != StatusCode::OK) {
            assert_eq!(reply.code(), "validation", "{}", reply.body);
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM organization_domains WHERE verified_at IS NOT NULL")
                .await,
            1
        );
    }
);
