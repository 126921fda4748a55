//! What the README promises about requests that overlap, on SQLite and Postgres: racing accepts
//! of one invitation join once; two legal representatives demoting each other at the same time
//! leave one legal representative; and a change that fails after its email was put in the outbox
//! leaves neither the email nor its activity-log entry behind.

use crate::common;

use app::policy::Role;
use common::{Call, TestApp};
use http::StatusCode;

async fn exec(app: &TestApp, sql: &str) {
    let mut tx = app.state.db.write().await.expect("tx");
    on_db!(&mut tx, |c| sqlx::query(sql)
        .execute(&mut **c)
        .await
        .map(|_| ()))
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
    tx.commit().await.expect("commit");
}

/// The token of the last invitation link mailed to `email`.
async fn invitation_token(app: &TestApp, email: &str) -> String {
    let bodies = app.mail_bodies(&format!("recipient = '{email}'")).await;
    bodies
        .iter()
        .find_map(|body| {
            let rest = body.split("&token=").nth(1)?;
            rest.split_whitespace().next().map(str::to_owned)
        })
        .expect("an invitation link")
}

async fn invite(app: &TestApp, cookie: &str, organization: i64, email: &str) {
    let organization = organization.to_string();
    let reply = app
        .call(
            "invite_person",
            Some(cookie),
            &[
                ("organization_id", &organization),
                ("email", email),
                ("role", "administrator"),
                ("products", ""),
                ("billing", ""),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

fn successes(replies: &[common::Reply]) -> usize {
    replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count()
}

on_every_backend!(
    racing_accepts_of_one_invitation_join_once,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        let (_, _) = app.sign_up("kim@example.com", "Kim", "Known").await;
        invite(&app, &boss, organization, "kim@example.com").await;
        let token = invitation_token(&app, "kim@example.com").await;
        // The invited person, signed in twice, accepts six times at once.
        let sessions = [
            app.sign_in("kim@example.com").await,
            app.sign_in("kim@example.com").await,
        ];
        let calls: Vec<Call> = (0..6)
            .map(|i| {
                (
                    "accept_invitation",
                    Some(sessions[i % 2].clone()),
                    vec![
                        ("organization_id", organization.to_string()),
                        ("token", token.clone()),
                    ],
                )
            })
            .collect();
        let replies = app.call_all(calls).await;
        assert_eq!(successes(&replies), 1, "{:?}", statuses(&replies));
        let kim = app
            .count("SELECT id FROM users WHERE email = 'kim@example.com'")
            .await;
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM memberships WHERE organization_id = {organization} AND user_id = {kim}"
            ))
            .await,
            1
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'invitation_accepted'")
                .await,
            1
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE recipient = 'boss@example.com' AND subject LIKE '%joined%'")
                .await,
            1
        );

        // A link for an address without an account: racing sign-ups through it make one account.
        invite(&app, &boss, organization, "new@example.com").await;
        let token = invitation_token(&app, "new@example.com").await;
        let calls: Vec<Call> = (0..4)
            .map(|_| {
                (
                    "join_with_new_account",
                    None,
                    vec![
                        ("organization_id", organization.to_string()),
                        ("token", token.clone()),
                        ("first_name", "Nia".to_owned()),
                        ("last_name", "New".to_owned()),
                        ("password", common::PASSWORD.to_owned()),
                    ],
                )
            })
            .collect();
        let replies = app.call_all(calls).await;
        assert_eq!(successes(&replies), 1, "{:?}", statuses(&replies));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM users WHERE email = 'new@example.com'")
                .await,
            1
        );
    }
);

/// Two legal representatives, four rounds, doing `endpoint` (with `field` = `value`) to each
/// other at the same instant: exactly one succeeds, and the organization keeps exactly one
/// legal representative who is not blocked.
async fn at_each_other(
    app: &TestApp,
    prefix: &str,
    endpoint: &'static str,
    field: &'static str,
    value: &str,
) {
    for round in 0..4 {
        let first = format!("{prefix}a{round}@example.com");
        let second = format!("{prefix}b{round}@example.com");
        let (one, organization) = app.sign_up(&first, "Lea", "Legal").await;
        let (other, _) = app.sign_up(&second, "Leo", "Legal").await;
        let other_id = app
            .add_member(organization, &second, Role::LegalRepresentative)
            .await;
        let one_id = app
            .count(&format!("SELECT id FROM users WHERE email = '{first}'"))
            .await;
        let call = |cookie: &str, user: i64| -> Call {
            (
                endpoint,
                Some(cookie.to_owned()),
                vec![
                    ("organization_id", organization.to_string()),
                    ("user_id", user.to_string()),
                    (field, value.to_owned()),
                ],
            )
        };
        let replies = app
            .call_all(vec![call(&one, other_id), call(&other, one_id)])
            .await;
        assert_eq!(
            successes(&replies),
            1,
            "{endpoint}, round {round}: {:?}",
            statuses(&replies)
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM memberships WHERE organization_id = {organization} AND role = 'legal_representative' AND blocked_at IS NULL"
            ))
            .await,
            1,
            "{endpoint}, round {round}"
        );
    }
}

on_every_backend!(
    two_legal_representatives_demoting_each_other_leave_one,
    |app: TestApp| async move {
        at_each_other(&app, "demote", "change_role", "role", "administrator").await;
    }
);

on_every_backend!(
    a_change_that_fails_after_its_email_was_queued_leaves_neither_email_nor_log,
    |app: TestApp| async move {
        let (boss, organization) = app.sign_up("boss@example.com", "Bea", "Boss").await;
        app.sign_up("cleo@example.com", "Cleo", "Colleague").await;
        app.add_member(organization, "cleo@example.com", Role::Collaborator)
            .await;
        let product = app.add_products(organization, &["example.ch"]).await[0];
        // Blocking a product emails every member, one after the other; the outbox refuses the
        // second message, so the first is already queued when the change fails.
        let refuse_second =
            "(SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Management of%') >= 1";
        if matches!(app.state.db, app::db::Db::Sqlite(_, _)) {
            exec(
                &app,
                &format!(
                    "CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox WHEN {refuse_second} \
                     BEGIN SELECT RAISE(ABORT, 'the outbox is full'); END"
                ),
            )
            .await;
        } else {
            exec(
                &app,
                &format!(
                    "CREATE FUNCTION refuse_mail() RETURNS trigger AS $$ BEGIN \
                     IF {refuse_second} THEN RAISE EXCEPTION 'the outbox is full'; END IF; \
                     RETURN NEW; END $$ LANGUAGE plpgsql"
                ),
            )
            .await;
            exec(
                &app,
                "CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_mail()",
            )
            .await;
        }
        let log_before = app.count("SELECT COUNT(*) FROM activity_log").await;
        let reply = app
            .call(
                "set_product_blocked",
                Some(&boss),
                &[
                    ("organization_id", &organization.to_string()),
                    ("product_id", &product.to_string()),
                    ("blocked", "true"),
                ],
            )
            .await;
        assert!(
            reply.status.is_server_error(),
            "{} {}",
            reply.status,
            reply.body
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Management of%'")
                .await,
            0,
            "the first email was rolled back with the change"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log").await,
            log_before,
            "no log entry for a change that did not happen"
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM products WHERE id = {product} AND blocked_at IS NOT NULL"
            ))
            .await,
            0
        );
    }
);

fn statuses(replies: &[common::Reply]) -> Vec<(u16, String)> {
    replies
        .iter()
        .map(|r| (r.status.as_u16(), r.body.chars().take(120).collect()))
        .collect()
}

on_every_backend!(
    two_legal_representatives_blocking_each_other_leave_one_unblocked,
    |app: TestApp| async move {
        at_each_other(&app, "block", "set_member_blocked", "blocked", "true").await;
    }
);
