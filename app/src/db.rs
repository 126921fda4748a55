//! Storage: one portable SQL dialect (`$N` parameters, integer times, `RETURNING`) run on
//! SQLite (the embedded default) or Postgres. Each dialect keeps its own migrations; store code is
//! written once and expanded for both backends by [`on_db!`](crate::db::on_db).

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool, Handle),
    Postgres(PgPool, Handle),
}

/// An open transaction on either backend. Dropping it without [`Tx::commit`] rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>, Handle),
    Postgres(Transaction<'static, Postgres>, Handle),
}

/// What one database handle and the transactions it opens carry besides the connection: how
/// many statements have run through it (a test reads it around one request to hold the number
/// of queries a page makes), and the key outbox bodies are sealed with (`mail::seal`), which
/// lives outside the database and reaches every transaction that may write an email.
#[derive(Clone, Debug)]
pub struct Handle {
    statements: std::sync::Arc<std::sync::atomic::AtomicU64>,
    outbox_key: std::sync::Arc<crate::tokens::SecretKey>,
    /// Set on a transaction that entered a customer as one of a partner's people (PAR-3):
    /// every activity-log entry it writes there names the partner.
    acting_for: Option<std::sync::Arc<ActingFor>>,
}

/// A customer entered as one of a partner's people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActingFor {
    pub customer_id: i64,
    pub customer: String,
    pub partner_id: i64,
}

impl Handle {
    fn new() -> Handle {
        Handle {
            statements: Default::default(),
            // Until the operator's key is given (`Db::with_outbox_key`): a fresh one, good for
            // as long as this handle lives (tests, one-off commands that send nothing).
            outbox_key: std::sync::Arc::new(crate::tokens::SecretKey::generate()),
            acting_for: None,
        }
    }
    pub fn count(&self) {
        self.statements
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.statements.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Runs the same statement code against whichever backend the transaction is on, counted as
/// one statement (each body here runs one: a query built at run time, a locking read).
/// Inside the body, `$c` is `&mut Transaction<'static, _>`: execute with `&mut **$c`.
/// Reached as `crate::db::on_db!` (a path within the crate: nothing at the crate's root).
macro_rules! on_db {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite($c, n) => {
                n.count();
                $body
            }
            $crate::db::Tx::Postgres($c, n) => {
                n.count();
                $body
            }
        }
    };
}
pub(crate) use on_db;

/// One statement, written as its SQL and its arguments: `exec!(tx, SQL, a, b)` runs it for
/// nothing back; `affected!` answers how many rows it changed; `fetch_one!`, `fetch_optional!`
/// and `fetch_all!` read rows (`query_as`, typed by where they go); `scalar_one!`,
/// `scalar_optional!` and `scalar_all!` read one column. Each is `on_db!` around the same
/// sqlx calls, so a statement is still written once for both databases. Each is counted
/// ([`Handle`]).
macro_rules! statement {
    ($kind:ident, $fetch:ident, [$($then:tt)*], $tx:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $tx {
            $crate::db::Tx::Sqlite(c, n) => {
                n.count();
                sqlx::$kind($sql)$(.bind($arg))*.$fetch(&mut **c).await$($then)*
            }
            $crate::db::Tx::Postgres(c, n) => {
                n.count();
                sqlx::$kind($sql)$(.bind($arg))*.$fetch(&mut **c).await$($then)*
            }
        }
    };
}
macro_rules! exec {
    ($($t:tt)*) => { $crate::db::statement!(query, execute, [.map(|_| ())], $($t)*) };
}
macro_rules! affected {
    ($($t:tt)*) => {
        $crate::db::statement!(query, execute, [.map(|done| done.rows_affected())], $($t)*)
    };
}
macro_rules! fetch_one {
    ($($t:tt)*) => { $crate::db::statement!(query_as, fetch_one, [], $($t)*) };
}
macro_rules! fetch_optional {
    ($($t:tt)*) => { $crate::db::statement!(query_as, fetch_optional, [], $($t)*) };
}
macro_rules! fetch_all {
    ($($t:tt)*) => { $crate::db::statement!(query_as, fetch_all, [], $($t)*) };
}
macro_rules! scalar_one {
    ($($t:tt)*) => { $crate::db::statement!(query_scalar, fetch_one, [], $($t)*) };
}
macro_rules! scalar_optional {
    ($($t:tt)*) => { $crate::db::statement!(query_scalar, fetch_optional, [], $($t)*) };
}
macro_rules! scalar_all {
    ($($t:tt)*) => { $crate::db::statement!(query_scalar, fetch_all, [], $($t)*) };
}
/// Declares a row read by column name — `sqlx::FromRow`: each field is the statement's column
/// of that name (an expression, or a column two tables share, named with `AS`), so a statement
/// and its row agree by name, not by position — with [`Row::id`] from its `id` field.
macro_rules! row {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(sqlx::FromRow)]
        $vis struct $name {
            $($(#[$fmeta])* $fvis $field: $ty),*
        }
        impl $crate::db::Row for $name {
            fn id(&self) -> i64 {
                self.id
            }
        }
    };
}

pub(crate) use {
    affected, exec, fetch_all, fetch_one, fetch_optional, row, scalar_all, scalar_one,
    scalar_optional, statement,
};

/// `$1, $2, …, $n`: the numbered parameters of an `IN (…)` list of `n` values bound in order (both
/// dialects take them; for a list the caller bounds, such as one page of products).
pub fn in_list(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row read from the database, with its id (for [`parsed`]'s log).
pub trait Row {
    fn id(&self) -> i64;
}

macro_rules! rows_with_an_id_first {
    ($($rest:ident)*) => {
        impl<$($rest),*> Row for (i64, $($rest,)*) {
            fn id(&self) -> i64 {
                self.0
            }
        }
    };
}
rows_with_an_id_first!(B);
rows_with_an_id_first!(B C);
rows_with_an_id_first!(B C D);
rows_with_an_id_first!(B C D E);
rows_with_an_id_first!(B C D E F);
rows_with_an_id_first!(B C D E F G);
rows_with_an_id_first!(B C D E F G H);
rows_with_an_id_first!(B C D E F G H I);
rows_with_an_id_first!(B C D E F G H I J);
rows_with_an_id_first!(B C D E F G H I J K);
rows_with_an_id_first!(B C D E F G H I J K L);
rows_with_an_id_first!(B C D E F G H I J K L M);
rows_with_an_id_first!(B C D E F G H I J K L M N);
rows_with_an_id_first!(B C D E F G H I J K L M N O);
rows_with_an_id_first!(B C D E F G H I J K L M N O P);

/// `rows` of `table` made into values by `parse`. A row that does not parse (a kind, role or
/// state this version does not know) is left out and logged with its table and id, never
/// dropped silently.
pub fn parsed<R: Row, T>(
    table: &'static str,
    rows: Vec<R>,
    parse: impl Fn(R) -> Option<T>,
) -> Vec<T> {
    rows.into_iter()
        .filter_map(|row| {
            let id = row.id();
            let value = parse(row);
            if value.is_none() {
                tracing::error!(table, id, "a stored row does not parse: left out");
            }
            value
        })
        .collect()
}

impl Db {
    /// Connects and applies pending migrations. `sqlite://path` (created if missing),
    /// `sqlite::memory:` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            POSTGRES_MIGRATIONS.run(&pool).await?;
            Db::Postgres(pool, Handle::new())
        } else {
            let memory = url.contains(":memory:");
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .journal_mode(if memory {
                    SqliteJournalMode::Memory
                } else {
                    SqliteJournalMode::Wal
                })
                .synchronous(SqliteSynchronous::Normal);
            // SQLite has one writer at a time; a few connections let readers proceed beside it.
            // An in-memory database lives in one connection, so it gets exactly one.
            let pool = SqlitePoolOptions::new()
                .max_connections(if memory { 1 } else { 4 })
                .min_connections(if memory { 1 } else { 0 })
                .idle_timeout(if memory {
                    None
                } else {
                    Some(Duration::from_secs(600))
                })
                .max_lifetime(if memory {
                    None
                } else {
                    Some(Duration::from_secs(3600))
                })
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            SQLITE_MIGRATIONS.run(&pool).await?;
            Db::Sqlite(pool, Handle::new())
        };
        Ok(db)
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(..) => "sqlite",
            Db::Postgres(..) => "postgres",
        }
    }

    /// A transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so a read-then-write never fails to upgrade under concurrency.
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool, n) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, n.clone()),
            Db::Postgres(pool, n) => Tx::Postgres(pool.begin().await?, n.clone()),
        })
    }

    /// A transaction that only reads: one consistent snapshot.
    pub async fn read(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool, n) => Tx::Sqlite(pool.begin().await?, n.clone()),
            Db::Postgres(pool, n) => Tx::Postgres(pool.begin().await?, n.clone()),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool, _) => pool.close().await,
            Db::Postgres(pool, _) => pool.close().await,
        }
    }

    /// The statements run so far through this handle ([`Handle`]).
    pub fn statements(&self) -> u64 {
        self.handle().get()
    }

    fn handle(&self) -> &Handle {
        match self {
            Db::Sqlite(_, h) | Db::Postgres(_, h) => h,
        }
    }

    /// This handle, sealing outbox bodies with the operator's key from now on.
    pub fn with_outbox_key(mut self, key: crate::tokens::SecretKey) -> Db {
        match &mut self {
            Db::Sqlite(_, h) | Db::Postgres(_, h) => h.outbox_key = std::sync::Arc::new(key),
        }
        self
    }

    /// The key outbox bodies are sealed with (`mail::seal`).
    pub fn outbox_key(&self) -> &crate::tokens::SecretKey {
        &self.handle().outbox_key
    }
}

impl Tx {
    /// The key outbox bodies are sealed with (`mail::seal`).
    pub fn outbox_key(&self) -> &crate::tokens::SecretKey {
        match self {
            Tx::Sqlite(_, h) | Tx::Postgres(_, h) => &h.outbox_key,
        }
    }

    /// Marks this transaction as one of a partner's people's, inside a customer (PAR-3).
    pub fn act_for(&mut self, acting: ActingFor) {
        match self {
            Tx::Sqlite(_, h) | Tx::Postgres(_, h) => {
                h.acting_for = Some(std::sync::Arc::new(acting))
            }
        }
    }

    /// The customer this transaction entered for a partner, if it did.
    pub fn acting_for(&self) -> Option<std::sync::Arc<ActingFor>> {
        match self {
            Tx::Sqlite(_, h) | Tx::Postgres(_, h) => h.acting_for.clone(),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx, _) => tx.commit().await,
            Tx::Postgres(tx, _) => tx.commit().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{in_list, parsed};

    #[test]
    fn parameters_number_the_values_in_order() {
        assert_eq!(in_list(1), "$1");
        assert_eq!(in_list(3), "$1, $2, $3");
    }

    #[test]
    fn a_row_that_does_not_parse_is_left_out_and_the_others_kept() {
        let rows = vec![
            (1_i64, "7".to_owned()),
            (2, "seven".to_owned()),
            (3, "9".to_owned()),
        ];
        let values: Vec<i64> = parsed("numbers", rows, |(_, text)| text.parse().ok());
        assert_eq!(values, [7, 9]);
    }
}
