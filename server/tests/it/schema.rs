//! The two migration dialects describe one schema: after every migration, SQLite and Postgres
//! have the same tables, the same columns with the same nullability, the same primary and
//! foreign keys, and the same indexes (by their columns and uniqueness; names may differ, and
//! SQLite's automatic indexes for UNIQUE constraints count as the unique indexes they are).

use crate::common::TestApp;
use std::collections::BTreeSet;

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// Column and whether it may be NULL.
    columns: BTreeSet<(String, bool)>,
    primary_key: Vec<String>,
    /// Column → referenced table and column.
    foreign_keys: BTreeSet<(String, String, String)>,
    /// Unique or not, and the columns in order (`<expression>` for an expression).
    indexes: BTreeSet<(bool, Vec<String>)>,
}

type Schema = std::collections::BTreeMap<String, Table>;

async fn rows(app: &TestApp, sql: &str) -> Vec<Vec<String>> {
    // Each row as one text, fields separated by a unit separator (portable across both).
    app.texts(sql)
        .await
        .into_iter()
        .map(|r| r.split('\u{1f}').map(str::to_owned).collect())
        .collect()
}

async fn sqlite_schema(app: &TestApp) -> Schema {
    let mut schema = Schema::new();
    for table in app.tables().await {
        let mut t = Table::default();
        let mut key: Vec<(i64, String)> = Vec::new();
        for r in rows(
            app,
            &format!(
                "SELECT name || char(31) || \"notnull\" || char(31) || pk FROM pragma_table_info('{table}')"
            ),
        )
        .await
        {
            let pk: i64 = r[2].parse().expect("pk");
            // A primary key column is never NULL (SQLite's rowid alias says 0 here).
            t.columns.insert((r[0].clone(), r[1] == "0" && pk == 0));
            if pk > 0 {
                key.push((pk, r[0].clone()));
            }
        }
        key.sort();
        t.primary_key = key.into_iter().map(|(_, c)| c).collect();
        for r in rows(
            app,
            &format!(
                "SELECT \"from\" || char(31) || \"table\" || char(31) || COALESCE(\"to\", '') \
                 FROM pragma_foreign_key_list('{table}')"
            ),
        )
        .await
        {
            // `REFERENCES users` names no column: the referenced table's key, `id` here.
            let to = if r[2].is_empty() {
                "id".to_owned()
            } else {
                r[2].clone()
            };
            t.foreign_keys.insert((r[0].clone(), r[1].clone(), to));
        }
        for r in rows(
            app,
            &format!(
                "SELECT name || char(31) || \"unique\" || char(31) || origin FROM pragma_index_list('{table}')"
            ),
        )
        .await
        {
            if r[2] == "pk" {
                continue;
            }
            let columns = app
                .texts(&format!(
                    "SELECT COALESCE(name, '<expression>') FROM pragma_index_info('{}') ORDER BY seqno",
                    r[0]
                ))
                .await;
            t.indexes.insert((r[1] == "1", columns));
        }
        schema.insert(table, t);
    }
    schema
}

async fn postgres_schema(app: &TestApp) -> Schema {
    let mut schema = Schema::new();
    for table in app.tables().await {
        let mut t = Table::default();
        for r in rows(
            app,
            &format!(
                "SELECT column_name::text || chr(31) || is_nullable::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = '{table}'"
            ),
        )
        .await
        {
            t.columns.insert((r[0].clone(), r[1] == "YES"));
        }
        t.primary_key = app
            .texts(&format!(
                "SELECT a.attname::text FROM pg_index i \
                 JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON TRUE \
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                 WHERE i.indrelid = 'public.\"{table}\"'::regclass AND i.indisprimary ORDER BY k.n"
            ))
            .await;
        for r in rows(
            app,
            &format!(
                "SELECT a.attname::text || chr(31) || c.confrelid::regclass::text || chr(31) || b.attname::text \
                 FROM pg_constraint c \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
                 JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = c.confkey[1] \
                 WHERE c.contype = 'f' AND c.conrelid = 'public.\"{table}\"'::regclass"
            ),
        )
        .await
        {
            t.foreign_keys
                .insert((r[0].clone(), r[1].trim_matches('"').to_owned(), r[2].clone()));
        }
        for r in rows(
            app,
            &format!(
                "SELECT i.indexrelid::text || chr(31) || CASE WHEN i.indisunique THEN '1' ELSE '0' END \
                 FROM pg_index i WHERE i.indrelid = 'public.\"{table}\"'::regclass AND NOT i.indisprimary"
            ),
        )
        .await
        {
            let columns = app
                .texts(&format!(
                    "SELECT COALESCE(a.attname::text, '<expression>') \
                     FROM pg_index i \
                     JOIN LATERAL unnest(i.indkey[0:i.indnkeyatts - 1]) WITH ORDINALITY AS k(attnum, n) ON TRUE \
                     LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0 \
                     WHERE i.indexrelid = {} ORDER BY k.n",
                    r[0]
                ))
                .await;
            t.indexes.insert((r[1] == "1", columns));
        }
        schema.insert(table, t);
    }
    schema
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_two_migration_dialects_give_the_same_schema() {
    let sqlite = sqlite_schema(&TestApp::sqlite().await).await;
    let Some(postgres) = TestApp::postgres().await else {
        return;
    };
    let postgres = postgres_schema(&postgres).await;
    assert!(sqlite.len() > 40, "only {} tables", sqlite.len());
    let names = |s: &Schema| s.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(names(&sqlite), names(&postgres), "the tables differ");
    let count = |s: &Schema, f: fn(&Table) -> usize| s.values().map(f).sum::<usize>();
    for schema in [&sqlite, &postgres] {
        eprintln!(
            "{} tables, {} columns, {} foreign keys, {} indexes",
            schema.len(),
            count(schema, |t| t.columns.len()),
            count(schema, |t| t.foreign_keys.len()),
            count(schema, |t| t.indexes.len())
        );
    }
    let mut differences = Vec::new();
    for (table, lite) in &sqlite {
        let pg = &postgres[table];
        for (what, a, b) in [
            (
                "columns (name, nullable)",
                format!("{:?}", lite.columns),
                format!("{:?}", pg.columns),
            ),
            (
                "primary key",
                format!("{:?}", lite.primary_key),
                format!("{:?}", pg.primary_key),
            ),
            (
                "foreign keys",
                format!("{:?}", lite.foreign_keys),
                format!("{:?}", pg.foreign_keys),
            ),
            (
                "indexes (unique, columns)",
                format!("{:?}", lite.indexes),
                format!("{:?}", pg.indexes),
            ),
        ] {
            if a != b {
                differences.push(format!("{table}: {what}\n  sqlite:   {a}\n  postgres: {b}"));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// Every SQL statement written as a constant in `app/src` (`const SQL: &str = "SELECT …"`),
/// read from the source.
fn stored_statements() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("app/src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("a source file");
            for (at, _) in source.match_indices(": &str = \"") {
                let line_start = source[..at].rfind('\n').map_or(0, |n| n + 1);
                if !source[line_start..at].trim_start().starts_with("const ") {
                    continue;
                }
                let text = literal(&source[at + ": &str = \"".len()..]);
                let head = text.trim_start().to_ascii_uppercase();
                if ["SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WITH "]
                    .iter()
                    .any(|k| head.starts_with(k))
                {
                    let name = source[line_start..at].trim().to_owned();
                    let file = path
                        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                        .unwrap_or(&path);
                    found.push((format!("{} {name}", file.display()), text));
                }
            }
        }
    }
    found
}

/// A Rust string literal's value, from just after its opening quote.
fn literal(rest: &str) -> String {
    let mut value = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('\n') => {
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                }
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some(other) => value.push(other),
                None => break,
            },
            c => value.push(c),
        }
    }
    value
}

/// Prepared (parsed, planned against the migrated schema) on both databases: a statement
/// naming a column one dialect's migrations forgot fails here, not in production.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_stored_statement_prepares_on_both_databases() {
    let statements = stored_statements();
    assert!(
        statements.len() > 200,
        "only {} statements found",
        statements.len()
    );
    let sqlite = TestApp::sqlite().await;
    let postgres = TestApp::postgres().await;
    let mut failures = Vec::new();
    for app in std::iter::once(&sqlite).chain(postgres.as_ref()) {
        for (name, sql) in &statements {
            // Outside any transaction: one failure must not abort the others (Postgres).
            let prepared = match &app.state.db {
                app::db::Db::Sqlite(pool, _) => {
                    let mut c = pool.acquire().await.expect("connection");
                    sqlx::Executor::prepare(&mut *c, sql.as_str())
                        .await
                        .map(|_| ())
                }
                app::db::Db::Postgres(pool, _) => {
                    let mut c = pool.acquire().await.expect("connection");
                    sqlx::Executor::prepare(&mut *c, sql.as_str())
                        .await
                        .map(|_| ())
                }
            };
            if let Err(error) = prepared {
                failures.push(format!("{} — {name}: {error}", app.state.db.backend()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} statements do not prepare:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
