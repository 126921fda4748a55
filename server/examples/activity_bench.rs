//! Activity-log paging at scale (SEC-9): fills a fresh SQLite file with a million entries and
//! times pages of the activity views, first and deep, with and without filters. Numbers go to
//! the README; nothing here is a test.
//!
//!     cargo run --release -p server --example activity_bench [-- <entries>]

use app::activity::store::{page, Scope};
use app::activity::ActivityFilter;
use app::db::Db;
use std::time::Instant;

const RUNS: usize = 50;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let entries: i64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("steward-activity-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let db = Db::connect(&url).await?;

    let started = Instant::now();
    if let Db::Sqlite(pool, _) = &db {
        // Five people, four organizations, a product on a third of the entries, five actions,
        // one entry every 30 seconds (about a year).
        sqlx::query(
            "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1) \
             INSERT INTO activity_log (occurred_at, actor_user_id, organization_id, product_id, action, detail, ip, user_agent) \
             SELECT 1700000000 + n * 30, 1 + n % 5, 1 + n % 4, CASE WHEN n % 3 = 0 THEN 1 + n % 500 END, \
               CASE n % 5 WHEN 0 THEN 'sign_in_succeeded' WHEN 1 THEN 'products_tagged' WHEN 2 THEN 'role_changed' \
                          WHEN 3 THEN 'tag_created' ELSE 'product_blocked' END, \
               'entry ' || n, '192.0.2.' || (n % 250), 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0' FROM seq",
        )
        .bind(entries)
        .execute(pool)
        .await?;
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    println!(
        "{entries} entries written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let middle = entries / 2;
    let week_start = app::format::date(1_700_000_000 + middle * 30);
    let week_end = app::format::date(1_700_000_000 + middle * 30 + 6 * 86_400);
    let cases: Vec<(&str, Scope, ActivityFilter, Option<i64>)> = vec![
        (
            "my activity, first page",
            Scope::Actor(1),
            ActivityFilter::default(),
            None,
        ),
        (
            "my activity, page in the middle",
            Scope::Actor(1),
            ActivityFilter::default(),
            Some(middle),
        ),
        (
            "organization, first page",
            Scope::Organization(1),
            ActivityFilter::default(),
            None,
        ),
        (
            "organization, page in the middle",
            Scope::Organization(1),
            ActivityFilter::default(),
            Some(middle),
        ),
        (
            "organization, one action type",
            Scope::Organization(1),
            ActivityFilter {
                action: "role_changed".into(),
                ..Default::default()
            },
            Some(middle),
        ),
        (
            "organization, one week",
            Scope::Organization(1),
            ActivityFilter {
                from: week_start.clone(),
                to: week_end.clone(),
                ..Default::default()
            },
            None,
        ),
        (
            "organization, one product",
            Scope::Organization(1),
            ActivityFilter {
                product: "5".into(),
                ..Default::default()
            },
            None,
        ),
        (
            "my activity, free text (common)",
            Scope::Actor(1),
            ActivityFilter {
                search: "192.0.2.1".into(),
                ..Default::default()
            },
            None,
        ),
        (
            "my activity, free text (rare: scans)",
            Scope::Actor(1),
            ActivityFilter {
                search: "entry 99999".into(),
                ..Default::default()
            },
            None,
        ),
    ];
    println!("| page of 25 | median | max | entries |");
    println!("|---|---|---|---|");
    for (label, scope, filter, before) in cases {
        let query = filter.parse()?;
        let mut times = Vec::with_capacity(RUNS);
        let mut found = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let mut tx = db.read().await?;
            let result = page(&mut tx, scope, &query, before).await?;
            tx.commit().await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            found = result.entries.len();
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "| {label} | {:.2} ms | {:.2} ms | {found} |",
            times[RUNS / 2],
            times[RUNS - 1]
        );
    }
    drop(db);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
