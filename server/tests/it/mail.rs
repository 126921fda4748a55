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
        assert_eq!(app.mail_bodies("TRUE").await, ["…"]);
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
    assert_eq!(app.mail_bodies("TRUE").await, vec![String::new()]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether `needle` occurs in any file of `dir` (the database, its write-ahead log, its
/// shared-memory index).
fn in_files(dir: &std::path::Path, needle: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("database dir")
        .flatten()
        .filter(|file| {
            let bytes = std::fs::read(file.path()).unwrap_or_default();
            bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        })
        .map(|file| file.file_name().to_string_lossy().into_owned())
        .collect()
}

/// The attack: a copy of the database files (a backup, a stolen disk) read for the link of a
/// pending password reset. The outbox seals bodies under a key kept outside the database, so
/// the token is in none of the files — not while the email waits, not after it is sent, and not
/// in the write-ahead log or a free page — while the person's mailbox gets the working link.
#[tokio::test]
async fn a_mailed_link_never_reaches_the_database_files() {
    let dir = std::env::temp_dir().join(format!("steward-files-{}", unique_address("db")));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = app::db::Db::connect(&format!("sqlite://{}/steward.db", dir.display()))
        .await
        .expect("SQLite file");
    let app = TestApp::with_db(db, app::password::PasswordHasher::new(2, 64)).await;
    app.sign_up("ada@example.com", "Ada", "Files").await;
    let asked = app
        .call(
            "request_password_reset",
            None,
            &[("email", "ada@example.com")],
        )
        .await;
    assert_eq!(asked.status, http::StatusCode::OK, "{}", asked.body);
    let token = app
        .mailed_token("ada@example.com", "/reset-password")
        .await
        .expect("a reset link in the outbox");
    assert_eq!(
        in_files(&dir, &token),
        Vec::<String>::new(),
        "while the email waits"
    );
    assert_eq!(
        in_files(&dir, "reset-password"),
        Vec::<String>::new(),
        "no word of the body is readable either"
    );

    let mail_dir = dir.join("mail");
    let mailer = Mailer::new(&MailSettings {
        from: "Steward <steward@localhost>".into(),
        transport: Transport::Files(mail_dir.clone()),
    })
    .expect("mailer");
    assert!(
        deliver::deliver_due(&app.state, &mailer)
            .await
            .expect("deliver")
            >= 1
    );
    assert!(
        !in_files(&mail_dir, &token).is_empty(),
        "the mailbox gets the working link"
    );
    app.state.db.close().await; // checkpoints the write-ahead log into the database file
    std::fs::remove_dir_all(&mail_dir).expect("mail dir");
    assert_eq!(
        in_files(&dir, &token),
        Vec::<String>::new(),
        "after it is sent"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

on_every_backend!(
    the_outbox_holds_bodies_sealed_and_each_process_sends_what_it_can_open,
    |app: TestApp| async move {
        let link = "https://steward.example/unlock?token=a-live-link-token";
        enqueue(
            &app,
            &[Email::new("ada@example.com", "Unlock", format!("Open {link}")).expect("email")],
        )
        .await;
        let stored = app.texts("SELECT body FROM outbox").await;
        assert!(
            stored.len() == 1 && !stored[0].contains(link) && !stored[0].contains("Open "),
            "the database holds the body sealed: {stored:?}"
        );
        assert_eq!(app.mail_bodies("TRUE").await, [format!("Open {link}")]);

        // Another process, started with another outbox key, on the same database: it leaves
        // the message alone (it could not open it) and says so; this one sends it.
        let other = app
            .state
            .db
            .clone()
            .with_outbox_key(app::tokens::SecretKey::generate());
        let mut tx = other.read().await.expect("tx");
        assert_eq!(
            store::waiting_for_another_key(&mut tx)
                .await
                .expect("count"),
            1
        );
        drop(tx);
        let mut other_state = app.state.clone();
        other_state.db = other;
        let dir = std::env::temp_dir().join(format!("steward-mail-{}", unique_address("keys")));
        let mailer = Mailer::new(&MailSettings {
            from: "Steward <steward@localhost>".into(),
            transport: Transport::Files(dir.clone()),
        })
        .expect("mailer");
        assert_eq!(
            deliver::deliver_due(&other_state, &mailer)
                .await
                .expect("deliver"),
            0
        );
        assert_eq!(app.count("SELECT attempts FROM outbox").await, 0);
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
        let text = std::fs::read_to_string(files[0].path()).expect("eml");
        assert!(text.contains(link), "{text}");
        let _ = std::fs::remove_dir_all(&dir);

        // A row whose body was tampered with is not sent as garbage: it fails, and is retried
        // until given up, like any failure.
        enqueue(
            &app,
            &[Email::new("bo@example.com", "Hi", "Hello").expect("email")],
        )
        .await;
        app.exec("UPDATE outbox SET subject = 'Changed' WHERE recipient = 'bo@example.com'")
            .await;
        assert_eq!(
            deliver::deliver_due(&app.state, &mailer)
                .await
                .expect("deliver"),
            0
        );
        assert_eq!(
            app.texts("SELECT last_error FROM outbox WHERE recipient = 'bo@example.com'")
                .await,
            ["the body does not open with this server's outbox key"]
        );
    }
);
