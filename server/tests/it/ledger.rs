//! The prepaid account's ledger (BIL-3) on SQLite and Postgres: racing debits for a balance
//! that covers one succeed once, the same event booked twice (even at once) is one entry, the
//! credit of a cancelled order's transfer, a withdrawal's reserve, and the entries' immutability.

use crate::common;

use app::billing::ledger::{self, Booked, EntryKind, Event};
use app::error::ErrorCode;
use app::money::{Currency, Money};
use app::state::AppState;
use common::TestApp;

fn chf(minor: i64) -> Money {
    Money::new(minor, Currency::Chf)
}

/// Books one event in a transaction of its own, as a request would.
async fn book(
    app: &AppState,
    organization_id: i64,
    kind: EntryKind,
    minor: i64,
    key: &str,
) -> Result<Booked, ErrorCode> {
    let mut tx = app.db.write().await.expect("tx");
    let booked = ledger::book(
        &mut tx,
        &Event {
            organization_id,
            kind,
            amount: chf(minor),
            key,
            reference: key,
            at: app.now(),
        },
    )
    .await;
    match booked {
        Ok(booked) => {
            tx.commit().await.expect("commit");
            Ok(booked)
        }
        Err(error) => Err(error.code),
    }
}

async fn balance(app: &TestApp, organization_id: i64) -> Money {
    let mut tx = app.state.db.read().await.expect("tx");
    let balance = ledger::balance(&mut tx, organization_id, Currency::Chf)
        .await
        .expect("balance");
    tx.commit().await.expect("commit");
    balance
}

on_every_backend!(
    two_checkouts_racing_for_a_balance_that_covers_one_succeed_once,
    |app: TestApp| async move {
        for round in 0..4 {
            let organization = 100 + round;
            book(
                &app.state,
                organization,
                EntryKind::TopUp,
                100_00,
                &format!("top-up {round}"),
            )
            .await
            .expect("top-up");
            let racers: Vec<_> = (0..6)
                .map(|i| {
                    let app = app.state.clone();
                    let key = format!("order {round}/{i}");
                    tokio::spawn(async move {
                        book(&app, organization, EntryKind::Payment, 80_00, &key).await
                    })
                })
                .collect();
            let mut paid = 0;
            for racer in racers {
                match racer.await.expect("joined") {
                    Ok(Booked::New(_)) => paid += 1,
                    Ok(Booked::Already(_)) => panic!("distinct orders are distinct events"),
                    Err(code) => assert_eq!(code, ErrorCode::InsufficientBalance),
                }
            }
            assert_eq!(paid, 1, "round {round}");
            assert_eq!(balance(&app, organization).await, chf(20_00));
        }
    }
);

on_every_backend!(
    the_same_event_booked_again_or_at_once_is_one_entry,
    |app: TestApp| async move {
        let first = book(
            &app.state,
            7,
            EntryKind::TopUp,
            50_00,
            "transfer:RF18 5390 0754 7034",
        )
        .await
        .expect("booked");
        assert!(matches!(first, Booked::New(_)));
        let again = book(
            &app.state,
            7,
            EntryKind::TopUp,
            50_00,
            "transfer:RF18 5390 0754 7034",
        )
        .await
        .expect("replayed");
        assert_eq!(again, Booked::Already(first.id()));
        // Four workers reading the same bank statement at once.
        let racers: Vec<_> = (0..4)
            .map(|_| {
                let app = app.state.clone();
                tokio::spawn(async move {
                    book(&app, 7, EntryKind::TopUp, 30_00, "transfer:RF77").await
                })
            })
            .collect();
        let mut new = 0;
        for racer in racers {
            if let Booked::New(_) = racer.await.expect("joined").expect("booked") {
                new += 1;
            }
        }
        assert_eq!(new, 1);
        // A paid order replayed pays once, even when the balance could not pay it twice.
        let paid = book(&app.state, 7, EntryKind::Payment, 70_00, "order:1:payment")
            .await
            .expect("paid");
        assert_eq!(
            book(&app.state, 7, EntryKind::Payment, 70_00, "order:1:payment").await,
            Ok(Booked::Already(paid.id()))
        );
        assert_eq!(balance(&app, 7).await, chf(10_00));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM ledger_entries WHERE organization_id = 7")
                .await,
            3
        );
    }
);

on_every_backend!(
    a_cancelled_orders_transfer_is_credited_and_pays_the_next_order,
    |app: TestApp| async move {
        // The order was cancelled while its transfer of CHF 42.15 was under way; the transfer
        // arrives: its amount is credited to the prepaid account, once.
        for _ in 0..2 {
            book(
                &app.state,
                9,
                EntryKind::OrderCredit,
                42_15,
                "transfer:order-17",
            )
            .await
            .expect("credited");
        }
        assert_eq!(balance(&app, 9).await, chf(42_15));
        assert_eq!(
            book(&app.state, 9, EntryKind::Payment, 42_20, "order:18:payment").await,
            Err(ErrorCode::InsufficientBalance)
        );
        book(&app.state, 9, EntryKind::Payment, 42_15, "order:18:payment")
            .await
            .expect("paid");
        assert_eq!(balance(&app, 9).await, chf(0));
    }
);

on_every_backend!(
    a_withdrawal_reserves_the_amount_until_it_is_given_back,
    |app: TestApp| async move {
        book(&app.state, 11, EntryKind::TopUp, 70_00, "transfer:w")
            .await
            .expect("top-up");
        book(&app.state, 11, EntryKind::Withdrawal, 50_00, "withdrawal:1")
            .await
            .expect("reserved");
        assert_eq!(balance(&app, 11).await, chf(20_00));
        assert_eq!(
            book(&app.state, 11, EntryKind::Withdrawal, 30_00, "withdrawal:2").await,
            Err(ErrorCode::InsufficientBalance)
        );
        book(
            &app.state,
            11,
            EntryKind::Reversal,
            50_00,
            "withdrawal:1:reversal",
        )
        .await
        .expect("given back");
        assert_eq!(balance(&app, 11).await, chf(70_00));
        // Nothing is ever zero or negative on its own: the kind says which way it goes.
        assert_eq!(
            book(&app.state, 11, EntryKind::TopUp, 0, "zero").await,
            Err(ErrorCode::Validation)
        );
        assert_eq!(
            book(&app.state, 11, EntryKind::TopUp, -5_00, "negative").await,
            Err(ErrorCode::Validation)
        );
    }
);

on_every_backend!(
    ledger_entries_cannot_be_changed_or_removed,
    |app: TestApp| async move {
        book(&app.state, 13, EntryKind::TopUp, 10_00, "transfer:x")
            .await
            .expect("booked");
        for sql in [
            "UPDATE ledger_entries SET amount_minor = 1000000 WHERE organization_id = 13",
            "DELETE FROM ledger_entries WHERE organization_id = 13",
        ] {
            let mut tx = app.state.db.write().await.expect("tx");
            let refused = on_db!(&mut tx, |c| sqlx::query(sql)
                .execute(&mut **c)
                .await
                .map(|_| ()));
            assert!(refused.is_err(), "{sql} went through");
        }
        assert_eq!(balance(&app, 13).await, chf(10_00));
    }
);

on_every_backend!(
    an_incoming_transfer_is_credited_once_to_the_account_its_reference_names,
    |app: TestApp| async move {
        use app::billing::{operator, reference};
        let (_, organization) = app.sign_up("pia@example.com", "Pia", "Payer").await;
        let reference = reference::for_organization(organization);
        let amount = Money::parse("250.00", Currency::Chf).expect("amount");
        let first = operator::record_transfer(&app.state, &reference, amount, "BANK-1")
            .await
            .expect("credited");
        assert!(matches!(first.booked, Booked::New(_)));
        // The same statement line again: nothing changes.
        let again = operator::record_transfer(&app.state, &reference, amount, "BANK-1")
            .await
            .expect("recognised");
        assert_eq!(again.booked, Booked::Already(first.booked.id()));
        assert_eq!(balance(&app, organization).await, chf(250_00));
        let logged = format!(
            "SELECT COUNT(*) FROM activity_log WHERE action = 'prepaid_top_up' AND organization_id = {organization}"
        );
        assert_eq!(app.count(&logged).await, 1);
        // A mistyped reference, or one naming no organization, credits nobody.
        let mut typo = reference.clone();
        let last = typo.pop().expect("a character");
        typo.push(if last == '1' { '2' } else { '1' });
        let refused = operator::record_transfer(&app.state, &typo, amount, "BANK-2").await;
        assert_eq!(refused.map_err(|e| e.code), Err(ErrorCode::Validation));
        let nobody = reference::for_organization(organization + 1000);
        let refused = operator::record_transfer(&app.state, &nobody, amount, "BANK-3").await;
        assert_eq!(refused.map_err(|e| e.code), Err(ErrorCode::NotFound));
        assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries").await, 1);
    }
);
