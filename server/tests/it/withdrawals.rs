//! Money requested back from the prepaid account (BIL-3), on SQLite and Postgres: the IBAN
//! checked, the amount reserved at once (never more than the balance, even for two requests
//! at once), then paid out or given back by the operator, each step logged.

use crate::common;

use app::billing::WithdrawalStatus;
use app::money::{Currency, Money};
use common::TestApp;
use http::StatusCode;

fn chf(minor: i64) -> Money {
    Money::new(minor, Currency::Chf)
}

async fn balance(app: &TestApp, organization: i64) -> Money {
    let mut tx = app.state.db.read().await.expect("tx");
    let balance = app::billing::ledger::balance(&mut tx, organization, Currency::Chf)
        .await
        .expect("balance");
    tx.commit().await.expect("commit");
    balance
}

fn form<'a>(organization: &'a str, amount: &'a str, iban: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("organization_id", organization),
        ("currency", "CHF"),
        ("amount", amount),
        ("method", "bank_account"),
        ("destination", iban),
        ("holder", "Bea Buyer"),
    ]
}

const IBAN: &str = "CH93 0076 2011 6238 5295 7";

on_every_backend!(
    a_withdrawal_is_reserved_then_paid_out_or_given_back,
    |app: TestApp| async move {
        let (cookie, organization) = app.sign_up("bea@example.com", "Bea", "Buyer").await;
        let id = organization.to_string();
        app::shop::operator::record_transfer(
            &app.state,
            &app::billing::reference::for_organization(organization),
            chf(100_00),
            "T-1",
        )
        .await
        .expect("top-up");

        let typo = app
            .call(
                "request_withdrawal",
                Some(&cookie),
                &form(&id, "30.00", "CH93 0076 2011 6238 5295 8"),
            )
            .await;
        assert_eq!(
            typo.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            typo.body
        );
        assert_eq!(typo.json()["field"], "destination");
        let too_much = app
            .call(
                "request_withdrawal",
                Some(&cookie),
                &form(&id, "100.01", IBAN),
            )
            .await;
        assert_eq!(too_much.code(), "insufficient_balance", "{}", too_much.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM withdrawals").await, 0);

        let first = app
            .call(
                "request_withdrawal",
                Some(&cookie),
                &form(&id, "30.00", IBAN),
            )
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let first = first.json().as_i64().expect("id");
        assert_eq!(balance(&app, organization).await, chf(70_00));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM activity_log WHERE action = 'withdrawal_requested'")
                .await,
            1
        );
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM outbox WHERE subject = 'Withdrawal of CHF 30.00 requested'"
            )
            .await,
            1
        );
        let second = app
            .call(
                "request_withdrawal",
                Some(&cookie),
                &form(&id, "20.00", IBAN),
            )
            .await
            .json()
            .as_i64()
            .expect("id");

        // The operator gives the first back and pays the second out.
        let reversed = app::billing::withdrawal::settle(
            &app.state,
            first,
            WithdrawalStatus::Reversed,
            "The bank refused the account",
        )
        .await
        .expect("reversed");
        assert_eq!(reversed.status, WithdrawalStatus::Reversed);
        assert_eq!(balance(&app, organization).await, chf(80_00));
        app::billing::withdrawal::settle(&app.state, second, WithdrawalStatus::Completed, "")
            .await
            .expect("completed");
        assert_eq!(balance(&app, organization).await, chf(80_00));
        let again =
            app::billing::withdrawal::settle(&app.state, second, WithdrawalStatus::Reversed, "x")
                .await
                .expect_err("settled already");
        assert!(
            again.message.contains("settled already"),
            "{}",
            again.message
        );
        assert_eq!(balance(&app, organization).await, chf(80_00));

        let statement = app
            .call(
                "prepaid_account",
                Some(&cookie),
                &[("organization_id", &id)],
            )
            .await
            .json();
        assert_eq!(statement["withdrawals"][0]["status"], "Completed");
        assert_eq!(statement["withdrawals"][1]["destination"], IBAN);
        assert_eq!(
            statement["withdrawals"][1]["note"],
            "The bank refused the account"
        );

        // Two requests at once for more than the balance covers together: one goes through.
        let replies = app
            .call_all(
                (0..2)
                    .map(|_| {
                        (
                            "request_withdrawal",
                            Some(cookie.clone()),
                            form(&id, "60.00", IBAN)
                                .into_iter()
                                .map(|(k, v)| (k, v.to_owned()))
                                .collect(),
                        )
                    })
                    .collect(),
            )
            .await;
        let granted = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!(
            granted,
            1,
            "{:?}",
            replies.iter().map(|r| &r.body).collect::<Vec<_>>()
        );
        assert_eq!(balance(&app, organization).await, chf(20_00));
    }
);

on_every_backend!(
    only_legal_representatives_send_money_away_and_every_owner_hears_of_it,
    |app: TestApp| async move {
        let (bea, organization) = app.sign_up("bea@example.com", "Bea", "Boss").await;
        let (ada, _) = app.sign_up("ada@example.com", "Ada", "Admin").await;
        let (cole, _) = app.sign_up("cole@example.com", "Cole", "Collab").await;
        app.add_member(
            organization,
            "ada@example.com",
            app::policy::Role::Administrator,
        )
        .await;
        let cole_id = app
            .add_member(
                organization,
                "cole@example.com",
                app::policy::Role::Collaborator,
            )
            .await;
        let product = app.add_products(organization, &["billing-rights.ch"]).await[0];
        app.exec(&format!(
            "INSERT INTO product_access (product_id, user_id, billing, created_at) VALUES ({product}, {cole_id}, TRUE, 0)"
        ))
        .await;
        app::shop::operator::record_transfer(
            &app.state,
            &app::billing::reference::for_organization(organization),
            chf(100_00),
            "T-2",
        )
        .await
        .expect("top-up");
        let id = organization.to_string();

        // Billing rights open the prepaid account, not the way out of it; nor does the
        // administrator's role.
        for (who, cookie) in [("collaborator", &cole), ("administrator", &ada)] {
            let statement = app
                .call("prepaid_account", Some(cookie), &[("organization_id", &id)])
                .await;
            assert_eq!(
                statement.status,
                StatusCode::OK,
                "{who}: {}",
                statement.body
            );
            assert_eq!(statement.json()["may_withdraw"], false, "{who}");
            let refused = app
                .call(
                    "request_withdrawal",
                    Some(cookie),
                    &form(&id, "10.00", IBAN),
                )
                .await;
            assert_eq!(refused.code(), "forbidden", "{who}: {}", refused.body);
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM withdrawals").await, 0);
        assert_eq!(balance(&app, organization).await, chf(100_00));

        let statement = app
            .call("prepaid_account", Some(&bea), &[("organization_id", &id)])
            .await;
        assert_eq!(statement.json()["may_withdraw"], true);
        let granted = app
            .call("request_withdrawal", Some(&bea), &form(&id, "10.00", IBAN))
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        let mailed = app
            .texts(
                "SELECT recipient FROM outbox WHERE subject = 'Withdrawal of CHF 10.00 requested' ORDER BY recipient",
            )
            .await;
        assert_eq!(mailed, ["ada@example.com", "bea@example.com"]);
        let ada_copy = app
            .mail_bodies("recipient = 'ada@example.com' AND subject LIKE 'Withdrawal%'")
            .await;
        assert!(
            ada_copy[0].contains("Bea Boss asked for CHF 10.00"),
            "{}",
            ada_copy[0]
        );
    }
);
