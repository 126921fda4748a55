//! Blocking a member (ORG-6), removing one (ORG-7) and leaving (ORG-8), on SQLite and Postgres.

use crate::common;

use app::policy::Role;
use common::TestApp;
use http::StatusCode;

fn form<'a>(organization: &'a str, user: &'a str) -> [(&'a str, &'a str); 2] {
    [("organization_id", organization), ("user_id", user)]
}

/// `set_member_blocked`'s form: block (`true`) or unblock the person.
fn blocking<'a>(organization: &'a str, user: &'a str, blocked: bool) -> [(&'a str, &'a str); 3] {
    let blocked = if blocked { "true" } else { "false" };
    [
        ("organization_id", organization),
        ("user_id", user),
        ("blocked", blocked),
    ]
}

on_every_backend!(
    a_blocked_member_keeps_everything_but_reaches_nothing_until_unblocked,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (admin, _) = app.sign_up("adam@example.com", "Adam", "Admin").await;
        let (worker, _) = app.sign_up("wil@example.com", "Wil", "Worker").await;
        let (stranger, _) = app.sign_up("sid@example.com", "Sid", "Stranger").await;
        let boss_id = app
            .count("SELECT id FROM users WHERE email = 'boss@example.com'")
            .await;
        let admin_id = app
            .add_member(organization, "adam@example.com", Role::Administrator)
            .await;
        let worker_id = app
            .add_member(organization, "wil@example.com", Role::Collaborator)
            .await;
        let ids = app
            .add_products(organization, &["shop.ch", "other.ch"])
            .await;
        {
            let mut tx = app.state.db.write().await.expect("tx");
            app::products::store::grant_access(&mut tx, ids[0], worker_id, true, 0)
                .await
                .expect("grant");
            tx.commit().await.expect("commit");
        }
        let org = organization.to_string();
        let (worker_text, admin_text, boss_text) = (
            worker_id.to_string(),
            admin_id.to_string(),
            boss_id.to_string(),
        );
        assert_eq!(
            app.all_products(&worker, &org).await.json()["products"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );

        // Refusals first: none of them changes anything.
        let refusals = [
            (&admin, boss_text.as_str(), "forbidden"), // above the administrator
            (&admin, admin_text.as_str(), "forbidden"), // oneself
            (&worker, admin_text.as_str(), "forbidden"), // a collaborator may not block
            (&stranger, worker_text.as_str(), "not_found"),
            (&admin, "999999", "not_found"),
        ];
        for (cookie, target, code) in refusals {
            let reply = app
                .call(
                    "set_member_blocked",
                    Some(cookie),
                    &blocking(&org, target, true),
                )
                .await;
            assert_eq!(reply.code(), code, "block {target}: {}", reply.body);
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM memberships WHERE blocked_at IS NOT NULL")
                .await,
            0
        );
        let not_blocked = app
            .call(
                "set_member_blocked",
                Some(&admin),
                &blocking(&org, &worker_text, false),
            )
            .await;
        assert_eq!(not_blocked.code(), "validation");

        let blocked = app
            .call(
                "set_member_blocked",
                Some(&admin),
                &blocking(&org, &worker_text, true),
            )
            .await;
        assert_eq!(blocked.status, StatusCode::OK, "{}", blocked.body);
        assert_eq!(
            app.call(
                "set_member_blocked",
                Some(&admin),
                &blocking(&org, &worker_text, true)
            )
            .await
            .code(),
            "validation"
        );

        // Still a member, access kept on record, but nothing reachable beyond the name.
        let shell = app
            .call(
                "organization_shell",
                Some(&worker),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(shell.status, StatusCode::OK, "{}", shell.body);
        assert_eq!(shell.json()["current"]["blocked"], true);
        let overview = app
            .call(
                "organization_overview",
                Some(&worker),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(overview.json()["blocked"], true);
        assert!(
            overview.json()["members"].is_null(),
            "a blocked member does not see the people"
        );
        let listed = app.all_products(&worker, &org).await;
        assert_eq!(listed.code(), "forbidden");
        assert!(listed.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("blocked your access"));
        let product = app
            .call(
                "get_product",
                Some(&worker),
                &[
                    ("organization_id", &org),
                    ("product_id", &ids[0].to_string()),
                ],
            )
            .await;
        assert_eq!(product.code(), "forbidden");
        let users = app
            .call(
                "organization_users",
                Some(&worker),
                &[("organization_id", &org), ("search", "")],
            )
            .await;
        assert_eq!(users.code(), "forbidden");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM product_access WHERE user_id = {worker_id}"
            ))
            .await,
            1
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'wil@example.com' AND subject = 'Your access to Bea Boss is suspended'").await,
            1
        );
        // The users page shows the badge.
        let page = app
            .call(
                "organization_users",
                Some(&admin),
                &[("organization_id", &org), ("search", "wil")],
            )
            .await;
        assert_eq!(page.json()["members"][0]["blocked"], true);

        // A blocked administrator loses the administrator's powers too.
        assert_eq!(
            app.call(
                "set_member_blocked",
                Some(&boss),
                &blocking(&org, &admin_text, true)
            )
            .await
            .status,
            StatusCode::OK
        );
        let by_blocked = app
            .call(
                "set_member_blocked",
                Some(&admin),
                &blocking(&org, &worker_text, false),
            )
            .await;
        assert_eq!(by_blocked.code(), "forbidden");
        let invite = app
            .call(
                "invite_person",
                Some(&admin),
                &[
                    ("organization_id", &org),
                    ("email", "x@example.com"),
                    ("role", "external"),
                    ("products", ""),
                    ("billing", ""),
                ],
            )
            .await;
        assert_eq!(invite.code(), "forbidden");
        assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);

        // Unblocked: everything is back as it was.
        assert_eq!(
            app.call(
                "set_member_blocked",
                Some(&boss),
                &blocking(&org, &worker_text, false)
            )
            .await
            .status,
            StatusCode::OK
        );
        let back = app.all_products(&worker, &org).await;
        assert_eq!(
            back.json()["products"].as_array().map(Vec::len),
            Some(1),
            "{}",
            back.body
        );
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM activity_log WHERE organization_id = {organization} AND action IN ('member_blocked', 'member_unblocked')")).await,
            3
        );
    }
);

async fn remove(
    app: &TestApp,
    cookie: &str,
    org: &str,
    user: &str,
    email: &str,
    understood: bool,
) -> common::Reply {
    let mut form = vec![
        ("organization_id", org),
        ("user_id", user),
        ("my_email", email),
    ];
    if understood {
        form.push(("understood", "on"));
    }
    app.call("remove_member", Some(cookie), &form).await
}

on_every_backend!(
    removing_a_user_needs_my_email_and_the_tick_and_keeps_the_organizations_things,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (admin, _) = app.sign_up("adam@example.com", "Adam", "Admin").await;
        let (worker, worker_organization) = app.sign_up("wil@example.com", "Wil", "Worker").await;
        let boss_id = app
            .count("SELECT id FROM users WHERE email = 'boss@example.com'")
            .await;
        let admin_id = app
            .add_member(organization, "adam@example.com", Role::Administrator)
            .await;
        let worker_id = app
            .add_member(organization, "wil@example.com", Role::Collaborator)
            .await;
        let ids = app
            .add_products(organization, &["shop.ch", "other.ch", "third.ch"])
            .await;
        {
            let mut tx = app.state.db.write().await.expect("tx");
            for (product, billing) in [(ids[0], true), (ids[1], false)] {
                app::products::store::grant_access(&mut tx, product, worker_id, billing, 0)
                    .await
                    .expect("grant");
            }
            tx.commit().await.expect("commit");
        }
        let org = organization.to_string();
        let (worker_text, admin_text, boss_text) = (
            worker_id.to_string(),
            admin_id.to_string(),
            boss_id.to_string(),
        );

        let plan = app
            .call("removal_review", Some(&admin), &form(&org, &worker_text))
            .await;
        assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
        assert_eq!(plan.json()["products"].as_array().map(Vec::len), Some(2));
        assert_eq!(plan.json()["products"][0]["name"], "other.ch");
        assert_eq!(plan.json()["products"][1]["billing"], true);
        assert!(plan.json()["refusal"].is_null());
        assert_eq!(
            app.call("removal_review", Some(&admin), &form(&org, &boss_text))
                .await
                .code(),
            "forbidden"
        );
        assert_eq!(
            app.call("removal_review", Some(&worker), &form(&org, &admin_text))
                .await
                .code(),
            "forbidden"
        );

        // Every refusal leaves everything in place.
        let wrong_email = remove(&app, &admin, &org, &worker_text, "wil@example.com", true).await;
        assert_eq!(
            wrong_email.json()["field"],
            "my_email",
            "{}",
            wrong_email.body
        );
        let unticked = remove(&app, &admin, &org, &worker_text, "ADAM@example.com ", false).await;
        assert_eq!(unticked.json()["field"], "understood");
        assert_eq!(
            remove(&app, &admin, &org, &admin_text, "adam@example.com", true)
                .await
                .code(),
            "forbidden"
        );
        assert_eq!(
            remove(&app, &admin, &org, &boss_text, "adam@example.com", true)
                .await
                .code(),
            "forbidden"
        );
        assert_eq!(
            remove(&app, &worker, &org, &admin_text, "wil@example.com", true)
                .await
                .code(),
            "forbidden"
        );
        let elsewhere = remove(
            &app,
            &admin,
            &worker_organization.to_string(),
            &worker_text,
            "adam@example.com",
            true,
        )
        .await;
        assert_eq!(elsewhere.code(), "not_found");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM memberships WHERE organization_id = {organization}"
            ))
            .await,
            3
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM product_access WHERE user_id = {worker_id}"
            ))
            .await,
            2
        );

        let removed = remove(&app, &admin, &org, &worker_text, "ADAM@example.com ", true).await;
        assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM memberships WHERE user_id = {worker_id}"
            ))
            .await,
            1,
            "their own organization stays"
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM product_access WHERE user_id = {worker_id}"
            ))
            .await,
            0
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM products WHERE organization_id = {organization}"
            ))
            .await,
            3
        );
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM activity_log WHERE organization_id = {organization} AND action = 'member_removed'")).await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'wil@example.com' AND subject = 'You were removed from Bea Boss'").await, 1);
        let gone = app
            .call(
                "organization_shell",
                Some(&worker),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(gone.code(), "not_found");
        assert_eq!(
            remove(&app, &admin, &org, &worker_text, "adam@example.com", true)
                .await
                .code(),
            "not_found"
        );
        let _ = boss;
    }
);

on_every_backend!(
    two_legal_representatives_removing_each_other_at_once_leave_one,
    |app: TestApp| async move {
        let (first, organization) = app.sign_up("one@example.com", "One", "Rep").await;
        let (second, _) = app.sign_up("two@example.com", "Two", "Rep").await;
        let first_id = app
            .count("SELECT id FROM users WHERE email = 'one@example.com'")
            .await;
        let second_id = app
            .add_member(organization, "two@example.com", Role::LegalRepresentative)
            .await;
        let org = organization.to_string();
        let form_of = |user: i64, email: &str| {
            vec![
                ("organization_id", org.clone()),
                ("user_id", user.to_string()),
                ("my_email", email.to_owned()),
                ("understood", "on".to_owned()),
            ]
        };
        let replies = app
            .call_all(vec![
                (
                    "remove_member",
                    Some(first.clone()),
                    form_of(second_id, "one@example.com"),
                ),
                (
                    "remove_member",
                    Some(second.clone()),
                    form_of(first_id, "two@example.com"),
                ),
            ])
            .await;
        let succeeded = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!(
            succeeded,
            1,
            "{:?}",
            replies.iter().map(|r| &r.body).collect::<Vec<_>>()
        );
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM memberships WHERE organization_id = {organization} AND role = 'legal_representative'")).await,
            1
        );
    }
);

on_every_backend!(
    leaving_is_refused_to_the_last_legal_representative_and_the_last_user,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (worker, worker_organization) = app.sign_up("wil@example.com", "Wil", "Worker").await;
        let (stranger, _) = app.sign_up("sid@example.com", "Sid", "Stranger").await;
        let worker_id = app
            .add_member(organization, "wil@example.com", Role::Collaborator)
            .await;
        let ids = app.add_products(organization, &["shop.ch"]).await;
        {
            let mut tx = app.state.db.write().await.expect("tx");
            app::products::store::grant_access(&mut tx, ids[0], worker_id, false, 0)
                .await
                .expect("grant");
            tx.commit().await.expect("commit");
        }
        let org = organization.to_string();
        let refused = app
            .call(
                "leave_organization",
                Some(&boss),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(refused.code(), "validation");
        assert!(
            refused.json()["message"]
                .as_str()
                .unwrap_or_default()
                .contains("only legal representative"),
            "{}",
            refused.body
        );
        assert_eq!(
            app.call(
                "leave_organization",
                Some(&stranger),
                &[("organization_id", &org)]
            )
            .await
            .code(),
            "not_found"
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM memberships WHERE organization_id = {organization}"
            ))
            .await,
            2
        );

        // A blocked member may still leave.
        assert_eq!(
            app.call(
                "set_member_blocked",
                Some(&boss),
                &blocking(&org, &worker_id.to_string(), true)
            )
            .await
            .status,
            StatusCode::OK
        );
        let left = app
            .call(
                "leave_organization",
                Some(&worker),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(left.status, StatusCode::OK, "{}", left.body);
        assert_eq!(left.json(), format!("/o/{worker_organization}"));
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM product_access WHERE user_id = {worker_id}"
            ))
            .await,
            0
        );
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM activity_log WHERE organization_id = {organization} AND action = 'left_organization'")).await, 1);

        // Alone in an organization (as its legal representative, or not): refused with the reason.
        let alone = app
            .call(
                "leave_organization",
                Some(&worker),
                &[("organization_id", &worker_organization.to_string())],
            )
            .await;
        assert_eq!(alone.code(), "validation");
    }
);

on_every_backend!(
    a_blocked_legal_representative_never_counts_as_the_one_who_stays,
    |app: TestApp| async move {
        // Two legal representatives and a collaborator.
        let (lea, organization) = app.sign_up("lea@example.com", "Lea", "Legal").await;
        let (leo, _) = app.sign_up("leo@example.com", "Leo", "Legal").await;
        let leo_id = app
            .add_member(organization, "leo@example.com", Role::LegalRepresentative)
            .await;
        app.sign_up("cleo@example.com", "Cleo", "Colleague").await;
        app.add_member(organization, "cleo@example.com", Role::Collaborator)
            .await;
        let lea_id = app
            .count("SELECT id FROM users WHERE email = 'lea@example.com'")
            .await;
        let org = organization.to_string();
        let (lea_text, leo_text) = (lea_id.to_string(), leo_id.to_string());
        // Lea blocks Leo: she still answers for the organization, so that is allowed.
        let blocked = app
            .call(
                "set_member_blocked",
                Some(&lea),
                &blocking(&org, &leo_text, true),
            )
            .await;
        assert_eq!(blocked.status, StatusCode::OK, "{}", blocked.body);
        // Now she is the only one who does: she may neither leave nor delete her account, and
        // the blocked Leo counts for nothing.
        let leave = app
            .call(
                "leave_organization",
                Some(&lea),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(leave.code(), "validation", "{}", leave.body);
        assert!(
            leave.json()["message"]
                .as_str()
                .unwrap_or_default()
                .contains("not blocked"),
            "{}",
            leave.body
        );
        let check = app.call("account_deletion_check", Some(&lea), &[]).await;
        assert_eq!(
            check.json().as_array().map(Vec::len),
            Some(1),
            "{}",
            check.body
        );
        let delete = app
            .call(
                "delete_my_account",
                Some(&lea),
                &[("password", common::PASSWORD), ("understood", "on")],
            )
            .await;
        assert_eq!(delete.code(), "validation", "{}", delete.body);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM users WHERE email = 'lea@example.com'")
                .await,
            1
        );
        // Leo, blocked, cannot act at all.
        let by_blocked = app
            .call(
                "set_member_blocked",
                Some(&leo),
                &blocking(&org, &lea_text, true),
            )
            .await;
        assert_eq!(by_blocked.code(), "forbidden", "{}", by_blocked.body);
        // The blocked legal representative may go: the organization keeps Lea.
        let leo_leaves = app
            .call(
                "leave_organization",
                Some(&leo),
                &[("organization_id", &org)],
            )
            .await;
        assert_eq!(leo_leaves.status, StatusCode::OK, "{}", leo_leaves.body);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM memberships WHERE organization_id = {organization} AND role = 'legal_representative' AND blocked_at IS NULL"
            ))
            .await,
            1
        );
    }
);
