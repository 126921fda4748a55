//! Steward's server binary: configuration, storage, demo data, background work, HTTP.

use app::password::PasswordHasher;
use app::state::{AppState, SystemClock};
use leptos::config::get_configuration;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        None => run().await,
        Some("record-transfer") => record_transfer(&args[1..]).await,
        Some("create-promo-code") => create_promo_code(&args[1..]).await,
        Some("list-promo-codes") => list_promo_codes().await,
        Some("grant-free-offer") => grant_free_offer(&args[1..]).await,
        Some("list-withdrawals") => list_withdrawals().await,
        Some("simulate-registrar-domain") => simulate_registrar_domain(&args[1..]).await,
        Some("complete-withdrawal") => settle_withdrawal(&args[1..], true).await,
        Some("reverse-withdrawal") => settle_withdrawal(&args[1..], false).await,
        Some("list-partner-applications") => list_partner_applications().await,
        Some("approve-partner") => decide_partner(&args[1..], true).await,
        Some("refuse-partner") => decide_partner(&args[1..], false).await,
        Some("set-partner-rates") => set_partner_rates(&args[1..]).await,
        Some(other) => Err(format!(
            "unknown command \"{other}\"; without one the server starts. Commands:\n  \
             record-transfer --reference RF.. --amount 100.00 --currency CHF --transfer BANK-ID\n  \
             create-promo-code --code MOVE-2027 (--percent 20 | --amount 10.00 --currency CHF) \
             [--kinds domain,web_hosting] [--expires 2027-12-31] [--uses 100]\n  \
             list-promo-codes\n  \
             grant-free-offer --organization 3 --kind domain --periods 1 --label \"A domain for a year\"\n  \
             list-withdrawals\n  \
             complete-withdrawal --id 7\n  \
             reverse-withdrawal --id 7 --reason \"The bank refused the IBAN\"\n  \
             list-partner-applications\n  \
             approve-partner --organization 3 --rates web_hosting=20,mail_service=15\n  \
             refuse-partner --organization 3 --reason \"No trade register entry under that number\"\n  \
             set-partner-rates --organization 3 --rates web_hosting=25\n  \
             simulate-registrar-domain --domain shop.com --code AUTH-CODE [--locked yes] \
             [--registered-days-ago 30] [--in-redemption yes] [--holder-confirms no]"
        )),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("steward: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The configured database, with the state the server and the operator commands share.
async fn open_state(
    config: &server::config::Config,
    settings: app::state::Settings,
) -> Result<AppState, String> {
    if let Some(path) = config.database_url.strip_prefix("sqlite://") {
        if let Some(dir) = std::path::Path::new(path.split('?').next().unwrap_or(path)).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
        }
    }
    let db = app::db::Db::connect(&config.database_url)
        .await
        .map_err(|e| format!("database: {e}"))?
        .with_outbox_key(config.outbox_key.0.clone());
    // A database named but unreadable stops the start, naming it: sessions would otherwise
    // show "Unknown" everywhere without anyone knowing why.
    let places = match &config.geoip_database {
        Some(path) => Some(Arc::new(app::places::Places::open(path)?)),
        None => None,
    };
    let state = AppState {
        db,
        places,
        passwords: Arc::new(PasswordHasher::for_this_machine()),
        pictures: Arc::new(app::workers::PictureDecoder::for_this_machine()),
        clock: Arc::new(SystemClock),
        settings: Arc::new(settings),
        // No SMS provider ships with Steward: reset by SMS is not offered (recovery::sms).
        sms: None,
        // The machine's resolvers, for verified domains' TXT records; a machine without a
        // readable resolver configuration says so and checks answer "did not answer".
        dns: match app::dns::SystemResolver::from_system() {
            Ok(resolver) => Some(Arc::new(resolver)),
            Err(error) => {
                tracing::warn!(%error, "no DNS resolver: verified domains cannot be checked");
                None
            }
        },
    };
    tracing::info!(backend = state.db.backend(), "database ready");
    Ok(state)
}

/// Says where the outbox key comes from, and whether messages wait for another one.
async fn announce_outbox_key(config: &server::config::Config, state: &AppState) {
    use server::config::OutboxKeySource;
    match &config.outbox_key.1 {
        OutboxKeySource::Configured => tracing::info!("outbox bodies are sealed with outbox_key"),
        OutboxKeySource::File(path) if state.db.backend() == "postgres" => tracing::warn!(
            "outbox bodies are sealed with the key in {path}: every Steward process on this Postgres database needs the same key; give them outbox_key (STEWARD_OUTBOX_KEY) (README, Configuration)"
        ),
        OutboxKeySource::File(path) => {
            tracing::info!("outbox bodies are sealed with the key in {path}: keep it out of database backups")
        }
    }
    let waiting = match state.db.read().await {
        Ok(mut tx) => app::mail::store::waiting_for_another_key(&mut tx)
            .await
            .unwrap_or(0),
        Err(_) => 0,
    };
    if waiting > 0 {
        tracing::warn!(
            waiting,
            "emails in the outbox were sealed with another outbox key: this process cannot send them; a process started with that key will"
        );
    }
}

/// `--name value` pairs.
fn flags(args: &[String]) -> Result<std::collections::HashMap<String, String>, String> {
    let mut flags = std::collections::HashMap::new();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let name = flag
            .strip_prefix("--")
            .ok_or_else(|| format!("expected a --flag, got \"{flag}\""))?;
        let value = rest
            .next()
            .ok_or_else(|| format!("--{name} needs a value"))?;
        flags.insert(name.to_owned(), value.clone());
    }
    Ok(flags)
}

/// The state the operator commands work on (the configured database).
async fn operator_state() -> Result<AppState, String> {
    let config = server::config::load()?;
    server::config::install_catalogue(&config)?;
    server::config::install_time_zone(&config)?;
    open_state(&config, config.settings.clone()).await
}

/// `record-transfer`: an incoming bank transfer, credited to the prepaid account its reference
/// names, or paying the order whose invoice carries it (once per bank id of the transfer).
async fn record_transfer(args: &[String]) -> Result<(), String> {
    let flags = flags(args)?;
    let flag = |name: &str| {
        flags
            .get(name)
            .cloned()
            .ok_or_else(|| format!("record-transfer needs --{name}"))
    };
    let currency =
        app::money::Currency::parse(&flag("currency")?).ok_or("--currency is CHF or EUR")?;
    let amount = app::money::Money::parse(&flag("amount")?, currency).map_err(|e| e.to_string())?;
    let state = operator_state().await?;
    let said = app::shop::operator::record_transfer(
        &state,
        &flag("reference")?,
        amount,
        &flag("transfer")?,
    )
    .await
    .map_err(|e| e.message);
    state.db.close().await;
    println!("{}", said?);
    Ok(())
}

/// `create-promo-code`: a percentage or a fixed amount off, for some product kinds, until a
/// date, a number of times (each organization once).
async fn create_promo_code(args: &[String]) -> Result<(), String> {
    use app::shop::quote::PromoReduction;
    let flags = flags(args)?;
    let code = flags.get("code").ok_or("create-promo-code needs --code")?;
    let reduction = match (flags.get("percent"), flags.get("amount")) {
        (Some(percent), None) => PromoReduction::Percent(
            app::money::Percent::parse(percent).ok_or("--percent is a number from 0.01 to 100")?,
        ),
        (None, Some(amount)) => {
            let currency = flags
                .get("currency")
                .and_then(|c| app::money::Currency::parse(c))
                .ok_or("--amount needs --currency CHF or EUR")?;
            PromoReduction::Amount(
                app::money::Money::parse(amount, currency).map_err(|e| e.to_string())?,
            )
        }
        _ => return Err("give either --percent or --amount (with --currency)".into()),
    };
    let kinds = match flags.get("kinds") {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|k| {
                app::products::ProductKind::parse(k.trim()).ok_or_else(|| {
                    format!("no product kind \"{k}\" (domain, web_hosting, mail_service, cloud_server, drive)")
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    let expires_at = match flags.get("expires") {
        None => None,
        // Valid through that day (UTC).
        Some(date) => Some(
            app::format::parse_date(date).ok_or("--expires is a date like 2027-12-31")? + 86_400,
        ),
    };
    let max_uses = match flags.get("uses") {
        None => None,
        Some(n) => Some(n.parse::<i64>().map_err(|_| "--uses is a whole number")?),
    };
    let state = operator_state().await?;
    let created = app::shop::operator::create_promo_code(
        &state,
        &app::shop::operator::PromoCodeRequest {
            code,
            reduction,
            kinds: &kinds,
            expires_at,
            max_uses,
        },
    )
    .await
    .map_err(|e| e.message);
    state.db.close().await;
    created?;
    println!("Promo code {} created.", code.to_uppercase());
    Ok(())
}

/// `list-promo-codes`: every code, what it takes off, its limits and uses.
async fn list_promo_codes() -> Result<(), String> {
    let state = operator_state().await?;
    let codes = app::shop::operator::promo_codes(&state)
        .await
        .map_err(|e| e.message);
    state.db.close().await;
    for code in codes? {
        let kinds = if code.kinds.is_empty() {
            "every product".to_owned()
        } else {
            code.kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        let until = code
            .expires_at
            .map(|e| format!(", until {}", app::format::date(e - 1)))
            .unwrap_or_default();
        let uses = match code.max_uses {
            Some(max) => format!("{}/{max} uses", code.uses),
            None => format!("{} uses", code.uses),
        };
        println!("{}\t{}\t{kinds}{until}\t{uses}", code.code, code.describe());
    }
    Ok(())
}

/// `grant-free-offer`: one item of a product kind free for some periods, for one organization.
async fn grant_free_offer(args: &[String]) -> Result<(), String> {
    let flags = flags(args)?;
    let flag = |name: &str| {
        flags
            .get(name)
            .cloned()
            .ok_or_else(|| format!("grant-free-offer needs --{name}"))
    };
    let organization: i64 = flag("organization")?
        .parse()
        .map_err(|_| "--organization is the organization's number")?;
    let kind = app::products::ProductKind::parse(&flag("kind")?).ok_or("unknown --kind")?;
    let periods: i64 = flag("periods")?
        .parse()
        .map_err(|_| "--periods is a whole number")?;
    let label = flag("label")?;
    let state = operator_state().await?;
    let granted =
        app::shop::operator::grant_free_offer(&state, organization, kind, periods, &label)
            .await
            .map_err(|e| e.message);
    state.db.close().await;
    println!("Free offer {} granted.", granted?);
    Ok(())
}

/// `list-partner-applications`: the applications to the partner program waiting for review.
async fn list_partner_applications() -> Result<(), String> {
    let state = operator_state().await?;
    let lines = app::partners::operator::applications(&state)
        .await
        .map_err(|e| e.message);
    state.db.close().await;
    let lines = lines?;
    if lines.is_empty() {
        println!("No application is waiting.");
    }
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

/// `approve-partner` (with its discount rates) or `refuse-partner` (with the reason the
/// organization reads).
async fn decide_partner(args: &[String], approve: bool) -> Result<(), String> {
    let flags = flags(args)?;
    let command = if approve {
        "approve-partner"
    } else {
        "refuse-partner"
    };
    let organization: i64 = flags
        .get("organization")
        .ok_or(format!("{command} needs --organization"))?
        .parse()
        .map_err(|_| "--organization is the organization's number")?;
    let state = operator_state().await?;
    let done = if approve {
        match app::partners::operator::parse_rates(flags.get("rates").map_or("", String::as_str)) {
            Ok(rates) => app::partners::operator::approve(&state, organization, &rates).await,
            Err(e) => Err(e),
        }
    } else {
        let reason = flags.get("reason").map_or("", String::as_str);
        app::partners::operator::refuse(&state, organization, reason).await
    };
    state.db.close().await;
    let name = done.map_err(|e| e.message)?;
    println!(
        "{name}: {}; its legal representatives are told by email.",
        if approve {
            "approved as a partner"
        } else {
            "application refused"
        }
    );
    Ok(())
}

/// `set-partner-rates`: an approved partner's discount rates, replaced.
async fn set_partner_rates(args: &[String]) -> Result<(), String> {
    let flags = flags(args)?;
    let organization: i64 = flags
        .get("organization")
        .ok_or("set-partner-rates needs --organization")?
        .parse()
        .map_err(|_| "--organization is the organization's number")?;
    let rates = app::partners::operator::parse_rates(
        flags
            .get("rates")
            .ok_or("set-partner-rates needs --rates")?,
    )
    .map_err(|e| e.message)?;
    let state = operator_state().await?;
    let done = app::partners::operator::set_rates(&state, organization, &rates).await;
    state.db.close().await;
    let name = done.map_err(|e| e.message)?;
    println!("{name}: new partner rates in force; its legal representatives are told by email.");
    Ok(())
}

/// `simulate-registrar-domain`: what the simulated current registrar knows of a domain (the
/// embedded registry simulation answers transfers from it; a real registrar ignores it).
async fn simulate_registrar_domain(args: &[String]) -> Result<(), String> {
    let flags = flags(args)?;
    let text = |name: &str| flags.get(name).map(String::as_str);
    let yes = |name: &str, default: bool| match text(name) {
        None => Ok(default),
        Some("yes") => Ok(true),
        Some("no") => Ok(false),
        Some(_) => Err(format!("--{name} is yes or no")),
    };
    let domain = text("domain").ok_or("simulate-registrar-domain needs --domain")?;
    let code = text("code").ok_or("simulate-registrar-domain needs --code")?;
    let days: i64 = text("registered-days-ago")
        .unwrap_or("400")
        .parse()
        .map_err(|_| "--registered-days-ago is a whole number")?;
    let at = app::products::registry::AtRegistrar {
        auth_code: code.to_owned(),
        locked: yes("locked", false)?,
        registered_at: 0,
        in_redemption: yes("in-redemption", false)?,
        holder_confirms: yes("holder-confirms", true)?,
    };
    let state = operator_state().await?;
    let done = async {
        let registered_at = state.now() - days * 86_400;
        let mut tx = state.db.write().await?;
        app::products::registry::set_at_registrar(
            &mut tx,
            domain,
            &app::products::registry::AtRegistrar {
                registered_at,
                ..at
            },
        )
        .await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    }
    .await
    .map_err(|e| e.to_string());
    state.db.close().await;
    done?;
    println!("The simulated registrar now answers for {domain}.");
    Ok(())
}

/// `list-withdrawals`: every withdrawal waiting to be paid out, oldest first.
async fn list_withdrawals() -> Result<(), String> {
    let state = operator_state().await?;
    let pending = async {
        let mut tx = state.db.read().await?;
        let pending = app::billing::store::pending_withdrawals(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(pending)
    }
    .await
    .map_err(|e| e.to_string());
    state.db.close().await;
    for (organization, w) in pending? {
        println!(
            "{}\torganization {organization}\t{}\t{} {}\t{}\trequested {}",
            w.id,
            w.amount,
            w.method.label(),
            w.destination,
            w.holder,
            app::format::date(w.requested_at)
        );
    }
    Ok(())
}

/// `complete-withdrawal` (paid out) or `reverse-withdrawal` (given back, with a reason).
async fn settle_withdrawal(args: &[String], completed: bool) -> Result<(), String> {
    use app::billing::WithdrawalStatus;
    let flags = flags(args)?;
    let id: i64 = flags
        .get("id")
        .ok_or("give the withdrawal's --id (list-withdrawals shows them)")?
        .parse()
        .map_err(|_| "--id is a number")?;
    let reason = flags.get("reason").cloned().unwrap_or_default();
    if !completed && reason.trim().is_empty() {
        return Err("reverse-withdrawal needs --reason (shown to the organization)".into());
    }
    let outcome = if completed {
        WithdrawalStatus::Completed
    } else {
        WithdrawalStatus::Reversed
    };
    let state = operator_state().await?;
    let settled = app::billing::withdrawal::settle(&state, id, outcome, &reason)
        .await
        .map_err(|e| e.message);
    state.db.close().await;
    let w = settled?;
    println!(
        "Withdrawal {id} ({} to {}): {}.",
        w.amount,
        w.destination,
        w.status.label().to_lowercase()
    );
    Ok(())
}

async fn run() -> Result<(), String> {
    let config = server::config::load()?;
    server::config::install_catalogue(&config)?;
    server::config::install_time_zone(&config)?;
    let leptos = get_configuration(Some(&config.path))
        .map_err(|e| format!("{}: {e}", config.path))?
        .leptos_options;
    let addr = leptos.site_addr;
    let mut settings = config.settings.clone();
    if settings.public_url.is_empty() {
        settings.public_url = format!("http://{addr}");
    }
    let mailer = app::mail::deliver::Mailer::new(&config.mail)?;
    let state = open_state(&config, settings).await?;

    if config.demo_data {
        match app::demo::seed_if_empty(&state).await {
            Ok(true) => tracing::info!("filled the empty database with demo data"),
            Ok(false) => {}
            Err(e) => return Err(format!("demo data: {}", e.message)),
        }
        println!("Demo sign-in: any of");
        for person in &app::demo::PEOPLE {
            println!(
                "  {} ({} {})",
                person.email, person.first_name, person.last_name
            );
        }
        println!("with the password: {}", app::demo::DEMO_PASSWORD);
        println!(
            "In the shop, try the promo code {} (20 % off, once per organization).",
            app::demo::DEMO_PROMO_CODE
        );
    }

    if state.settings.mail_device_key.is_none() {
        tracing::warn!(
            "no mail_device_key (STEWARD_MAIL_DEVICE_KEY) is set: device passwords are hashed with a key kept in the database itself, so a stolen copy of the database can test guesses against them; set one in production (README, Configuration)"
        );
    }
    announce_outbox_key(&config, &state).await;
    if state.settings.mail_auth_token.is_none() {
        tracing::info!("no mail_auth_token is set: POST /mail/device-auth is closed");
    }
    tokio::spawn(purge_sessions(state.clone()));
    tokio::spawn(scheduler(state.clone()));
    tracing::info!("emails go to {}", mailer.describe());
    tokio::spawn(app::mail::deliver::run(state.clone(), mailer));

    let router = server::router(state.clone(), leptos);
    use axum::serve::ListenerExt as _;
    // Pages stream in several writes: without TCP_NODELAY a write can wait for the browser's
    // delayed acknowledgement (40 ms).
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?
        .tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY");
            }
        });
    tracing::info!("Steward is listening on http://{addr}");
    println!("Steward is ready at http://{addr}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| format!("server: {e}"))?;
    state.db.close().await;
    Ok(())
}

/// Removes expired sessions and ended throttling windows every ten minutes.
async fn purge_sessions(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let result = async {
            let mut tx = state.db.write().await?;
            let now = state.now();
            let n = app::account::store::purge_expired_sessions(&mut tx, now).await?;
            app::lockout::store::purge_throttle(
                &mut tx,
                now - state.settings.address_failure_window_seconds,
            )
            .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(n)
        }
        .await;
        match result {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "removed expired sessions"),
            Err(error) => tracing::warn!(%error, "could not remove expired sessions"),
        }
    }
}

/// The scheduler's periodic jobs, every minute. Several processes may run this loop on one
/// database: each job is claimed with a lease, each effect happens once.
async fn scheduler(state: AppState) {
    let (token, _) = app::tokens::new_token();
    let worker = format!("{}-{}", std::process::id(), &token[..8]);
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match app::billing::scheduler::expiry_reminders(&state, &worker).await {
            Ok(Some(run)) if run.reminders > 0 => {
                tracing::info!(reminders = run.reminders, "sent expiry reminders")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(message = %error.message, "expiry reminders failed"),
        }
        match app::shop::renewals::renewals(&state, &worker).await {
            Ok(Some(run)) if run != app::shop::renewals::Run::default() => tracing::info!(
                reminders = run.reminders,
                renewed = run.renewed,
                failed = run.failed,
                "automatic renewals"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(message = %error.message, "automatic renewals failed"),
        }
        match app::partners::scheduler::run(&state, &worker).await {
            Ok(Some(run)) if run != app::partners::scheduler::Run::default() => tracing::info!(
                reminded = run.reminded,
                ended = run.ended,
                "partner access end dates"
            ),
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(message = %error.message, "partner access end dates failed")
            }
        }
        // After the renewals: a domain renewed at its expiry does not move on.
        match app::domains::lifecycle::run(&state, &worker).await {
            Ok(Some(run)) if run.moved > 0 => tracing::info!(
                moved = run.moved,
                released = run.released,
                "domains moved on after expiry"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(message = %error.message, "domain lifecycle failed"),
        }
        match app::domains::transfer::run(&state, &worker).await {
            Ok(Some(run)) if run != app::domains::transfer::Run::default() => tracing::info!(
                transferred = run.transferred,
                failed = run.failed,
                "domain transfers"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(message = %error.message, "domain transfers failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
