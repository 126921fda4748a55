//! The scheduler (BIL-6) on SQLite and Postgres, with the manual clock: each expiry reminder is
//! sent once, by one of two racing workers, at the interval the organization chose; a product
//! bought close to its expiry gets only the most urgent reminder; a lease keeps a second worker
//! out while the first runs.

use crate::common;

use app::billing::scheduler::{self, EXPIRY_REMINDERS};
use common::TestApp;

const DAY: i64 = 24 * 3600;

async fn reminders_to(app: &TestApp, email: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM outbox WHERE recipient = '{email}' AND subject LIKE '%expires%'"
    ))
    .await
}

/// Two workers run the job at the same moment; returns how many reminders were sent in all.
async fn race(app: &TestApp) -> usize {
    let (a, b) = (app.state.clone(), app.state.clone());
    let first = tokio::spawn(async move { scheduler::expiry_reminders(&a, "worker-a").await });
    let second = tokio::spawn(async move { scheduler::expiry_reminders(&b, "worker-b").await });
    let mut sent = 0;
    for run in [first.await.expect("joined"), second.await.expect("joined")] {
        if let Some(run) = run.expect("ran") {
            sent += run.reminders;
        }
    }
    sent
}

on_every_backend!(
    each_expiry_reminder_is_sent_once_at_the_interval_chosen,
    |app: TestApp| async move {
        let (_, organization) = app.sign_up("owner@example.com", "Olga", "Owner").await;
        let product = app.add_products(organization, &["expiring.ch"]).await[0];
        let expires = app.state.now() + 40 * DAY;
        app.exec(&format!(
            "UPDATE products SET expires_at = {expires} WHERE id = {product}"
        ))
        .await;

        // 40 days before: nothing is due.
        assert_eq!(race(&app).await, 0);
        // 30 days before (the default intervals: 30, 14, 7): one reminder, whoever runs.
        app.clock.advance(10 * DAY);
        assert_eq!(race(&app).await, 1);
        assert_eq!(race(&app).await, 0, "never twice");
        assert_eq!(reminders_to(&app, "owner@example.com").await, 1);
        // Straight to 5 days before: the 14-day reminder was missed; only the 7-day one goes.
        app.clock.advance(25 * DAY);
        assert_eq!(race(&app).await, 1);
        assert_eq!(reminders_to(&app, "owner@example.com").await, 2);
        let body = app.mail_bodies("subject LIKE '%expires in 5 days%'").await;
        assert_eq!(body.len(), 1, "the last reminder counts the days left");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM activity_log WHERE action = 'expiry_reminder_sent' AND organization_id = {organization}"
            ))
            .await,
            2
        );
        // Renewed for a year: a new expiry date, new reminders when their time comes.
        app.exec(&format!(
            "UPDATE products SET expires_at = {} WHERE id = {product}",
            expires + 365 * DAY
        ))
        .await;
        assert_eq!(race(&app).await, 0);
        app.clock.advance(360 * DAY);
        assert_eq!(race(&app).await, 1);
    }
);

on_every_backend!(
    the_organizations_own_intervals_count_and_none_means_none,
    |app: TestApp| async move {
        let (_, organization) = app.sign_up("fay@example.com", "Fay", "Finance").await;
        let product = app.add_products(organization, &["late.ch"]).await[0];
        let expires = app.state.now() + 50 * DAY;
        // A hosting: a domain is reminded a month and a week before whatever is chosen.
        app.exec(&format!(
            "UPDATE products SET expires_at = {expires}, kind = 'web_hosting' WHERE id = {product}"
        ))
        .await;
        let set = |days: &'static str| {
            let organization = organization.to_string();
            let app = &app;
            async move {
                // Days pass between the calls: a fresh sign-in each time.
                let cookie = app.sign_in("fay@example.com").await;
                let reply = app
                    .call(
                        "set_expiry_reminders",
                        Some(&cookie),
                        &[("organization_id", &organization), ("days", days)],
                    )
                    .await;
                assert_eq!(reply.status, http::StatusCode::OK, "{}", reply.body);
            }
        };
        set("45").await;
        app.clock.advance(5 * DAY);
        assert_eq!(race(&app).await, 1, "45 days before");
        set("").await;
        app.clock.advance(40 * DAY);
        assert_eq!(race(&app).await, 0, "no reminders chosen");
    }
);

on_every_backend!(
    a_domain_is_reminded_a_month_and_a_week_before_whatever_was_chosen,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("gus@example.com", "Gus", "Domains").await;
        let product = app.add_products(organization, &["remind-me.ch"]).await[0];
        let expires = app.state.now() + 50 * DAY;
        app.exec(&format!(
            "UPDATE products SET expires_at = {expires} WHERE id = {product}"
        ))
        .await;
        let reply = app
            .call(
                "set_expiry_reminders",
                Some(&cookie),
                &[("organization_id", &organization.to_string()), ("days", "")],
            )
            .await;
        assert_eq!(reply.status, http::StatusCode::OK, "{}", reply.body);
        app.clock.advance(20 * DAY);
        assert_eq!(race(&app).await, 1, "a month before");
        app.clock.advance(22 * DAY);
        assert_eq!(race(&app).await, 0, "eight days before");
        app.clock.advance(DAY);
        assert_eq!(race(&app).await, 1, "a week before");
        assert_eq!(race(&app).await, 0, "once");
    }
);

on_every_backend!(
    a_lease_keeps_a_second_worker_out_until_it_ends,
    |app: TestApp| async move {
        let now = app.state.now();
        let mut tx = app.state.db.write().await.expect("tx");
        let first =
            app::billing::store::claim_job(&mut tx, EXPIRY_REMINDERS, "worker-a", now, now + 300)
                .await
                .expect("claim");
        tx.commit().await.expect("commit");
        assert!(first);
        // While worker-a holds the lease (it crashed, say), worker-b does not run the job…
        assert_eq!(
            scheduler::expiry_reminders(&app.state, "worker-b")
                .await
                .expect("ran"),
            None
        );
        // …until the lease runs out.
        app.clock.advance(301);
        assert!(scheduler::expiry_reminders(&app.state, "worker-b")
            .await
            .expect("ran")
            .is_some());
    }
);
