//! The outbox and its delivery worker, against a real SMTP server on loopback (aiosmtpd,
//! started by scripts/test), on SQLite and Postgres.

use crate::common;

use app::mail::deliver::{self, MailSettings, Mailer, SmtpSecurity, Transport};
use app::mail::{store, Email};
use common::{received, test_smtp, unique_address, TestApp};

async fn enqueue(app: &TestApp, emails: &[Email]) {
    let mut tx = app.state.db.write().await.expect("tx");
    for email in emails {
        store::enqueue(&mut tx, email, app.state.now())
            .await
            .expect("enqueue");
    }
    tx.commit().await.expect("commit");
}

on_every_backend!(
    two_workers_deliver_each_message_exactly_once,
    |app: TestApp| async move {
        let Some((_, maildir)) = test_smtp() else {
            return;
        };
        let to = unique_address("race");
        let emails: Vec<Email> = (0..12)
            .map(|i| {
                Email::new(&to, format!("Message {i}"), format!("Body of message {i}."))
                    .expect("email")
            })
            .collect();
        enqueue(&app, &emails).await;

        // Two workers (as two server processes would) race over the same rows.
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let state = app.state.clone();
                tokio::spawn(async move {
                    let (mailer, _) = test_smtp().expect("smtp");
                    deliver::deliver_due(&state, &mailer)
                        .await
                        .expect("deliver")
                })
            })
            .collect();
        let mut sent = 0;
        for worker in workers {
            sent += worker.await.expect("worker");
        }
        assert_eq!(sent, 12);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
                .await,
            12
        );
        let got = received(&maildir, &to);
        assert_eq!(got.len(), 12, "each message arrives once");
        for i in 0..12 {
            let subject = format!("Subject: Message {i}");
            assert_eq!(
                got.iter()
                    .filter(|m| m.lines().any(|l| l == subject))
                    .count(),
                1,
                "{subject}"
            );
        }
        assert!(got
            .iter()
            .all(|m| m.contains("From: Steward <steward@test.example>")));
        // Delivered: the mailbox holds the only copy of what the message said.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE body <> ''")
                .await,
            0
        );
        // Nothing is sent twice on the next round.
        let (mailer, _) = test_smtp().expect("smtp");
        assert_eq!(
            deliver::deliver_due(&app.state, &mailer)
                .await
                .expect("deliver"),
            0
        );
    }
);

on_every_backend!(
    an_email_exists_only_if_its_change_commits,
    |app: TestApp| async move {
        let email = Email::new("ghost@test.example", "Never sent", "…").expect("email");
        let mut tx = app.state.db.write().await.expect("tx");
        store::enqueue(&mut tx, &email, app.state.now())
            .await
            .expect("enqueue");
        drop(tx); // rolled back, as when the change it belongs to fails
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
    }
);

on_every_backend!(
    failed_deliveries_back_off_and_are_given_up_after_the_last_attempt,
    |app: TestApp| async move {
        // A port where nothing listens.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = closed.local_addr().expect("addr").port();
        drop(closed);
        let mailer = Mailer::new(&MailSettings {
            from: "Steward <steward@test.example>".into(),
            transport: Transport::Smtp {
                host: "127.0.0.1".into(),
                port,
                security: SmtpSecurity::None,
                credentials: None,
            },
        })
        .expect("mailer");
        enqueue(
            &app,
            &[Email::new("nobody@test.example", "Retry me", "…").expect("email")],
        )
        .await;

        assert_eq!(
            deliver::deliver_due(&app.state, &mailer)
                .await
                .expect("deliver"),
            0
        );
        assert_eq!(app.count("SELECT attempts FROM outbox").await, 1);
        assert_eq!(
            app.count("SELECT next_attempt_at FROM outbox").await,
            app.state.now() + 30
        );
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM outbox WHERE last_error IS NOT NULL AND failed_at IS NULL"
            )
            .await,
            1
        );
        // Waiting for the next attempt, the body is the only copy and is kept.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE body = '…'")
                .await,
            1
        );
        // Not due yet: nothing is tried.
        deliver::deliver_due(&app.state, &mailer)
            .await
            .expect("deliver");
        assert_eq!(app.count("SELECT attempts FROM outbox").await, 1);
        for _ in 1..deliver::MAX_ATTEMPTS {
            app.clock.advance(3600);
            deliver::deliver_due(&app.state, &mailer)
                .await
                .expect("deliver");
        }
        assert_eq!(
            app.count("SELECT attempts FROM outbox").await,
            deliver::MAX_ATTEMPTS
        );
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL AND sent_at IS NULL"
            )
            .await,
            1
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM outbox WHERE body <> ''")
                .await,
            0,
            "a message given up keeps no body"
        );
        app.clock.advance(3600);
        deliver::deliver_due(&app.state, &mailer)
            .await
            .expect("deliver");
        assert_eq!(
            app.count("SELECT attempts FROM outbox").await,
            deliver::MAX_ATTEMPTS,
            "given up"
        );
    }
);

#[tokio::test]
async fn without_smtp_messages_become_eml_files() {
    let app = TestApp::sqlite().await;
    let dir = std::env::temp_dir().join(format!("steward-mail-{}", unique_address("dir")));
    let mailer = Mailer::new(&MailSettings {
        from: "Steward <steward@localhost>".into(),
        transport: Transport::Files(dir.clone()),
    })
    .expect("mailer");
    enqueue(
        &app,
        &[Email::new(
            "ada@example.com",
            "Hello Ada",
            "A line of text.\nhttp://127.0.0.1:3000/unlock?token=a-live-link-token",
        )
        .expect("email")],
    )
    .await;
    assert_eq!(
        deliver::deliver_due(&app.state, &mailer)
            .await
            .expect("deliver"),
        1
    );
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("mail dir")
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    let path = files[0].path();
    assert_eq!(path.extension().and_then(|e| e.to_str()), Some("eml"));
    let text = std::fs::read_to_string(&path).expect("eml");
    assert!(
        text.contains("Subject: Hello Ada") && text.contains("To: ada@example.com"),
        "{text}"
    );
    assert!(text.contains("A line of text."));
    // The outbox kept no copy of the link.
    let bodies = app.texts("SELECT body FROM outbox").await;
    assert_eq!(bodies, vec![String::new()]);
    let _ = std::fs::remove_dir_all(&dir);
}
