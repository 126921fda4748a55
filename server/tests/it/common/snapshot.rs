//! A whole database to come back to, and a log of every row a call wrote.
//!
//! The permission matrix builds its world once, snapshots it, and restores the snapshot only
//! after a call changed something. On SQLite the in-memory database is serialized and
//! deserialized (`sqlite3_serialize`, well under a millisecond). On Postgres every table is
//! copied into a schema of its own and copied back in one transaction with triggers and foreign
//! keys off (`session_replication_role = replica`), sequences reset: about 30 ms, where a
//! database made from a template (`CREATE DATABASE … TEMPLATE`) took 250–300 ms for the
//! world's 10 MB here, and a new pool besides.
//!
//! What a call changed is read from `_changes`, filled by triggers generated from the
//! catalogue on every table: one row per row inserted, updated (even to the same values) or
//! deleted, with the organization, product and tag it belongs to.

use super::TestApp;
use app::db::Db;

pub enum Snapshot {
    Sqlite(Vec<u8>),
    /// The statements that put every table back (one transaction).
    Postgres(String),
}

/// What the calls since the last [`TestApp::forget_changes`] wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// The tables written, each once.
    pub tables: Vec<String>,
    /// How many of the rows written belong to the organization asked about.
    pub in_organization: i64,
}

impl Changes {
    pub fn any(&self) -> bool {
        !self.tables.is_empty()
    }
}

impl TestApp {
    /// The database as it is now.
    pub async fn snapshot(&self) -> Snapshot {
        match &self.state.db {
            Db::Sqlite(pool, _) => {
                let mut connection = pool.acquire().await.expect("the connection");
                let bytes = connection.serialize(None).await.expect("serialize");
                Snapshot::Sqlite(bytes.to_vec())
            }
            Db::Postgres(_, _) => {
                let tables = self.tables().await;
                let mut copy = String::from("CREATE SCHEMA snapshot;");
                let mut restore = String::from(
                    "BEGIN; SET LOCAL session_replication_role = replica; DELETE FROM _changes;",
                );
                for table in &tables {
                    copy.push_str(&format!(
                        "CREATE TABLE snapshot.\"{table}\" AS SELECT * FROM public.\"{table}\";"
                    ));
                    restore.push_str(&format!("DELETE FROM public.\"{table}\";"));
                }
                for table in &tables {
                    restore.push_str(&format!(
                        "INSERT INTO public.\"{table}\" SELECT * FROM snapshot.\"{table}\";"
                    ));
                }
                for sequence in self
                    .texts(
                        "SELECT format('SELECT setval(%L, %s, %s);', \
                         schemaname || '.' || sequencename, COALESCE(last_value, 1), \
                         CASE WHEN last_value IS NULL THEN 'false' ELSE 'true' END) FROM pg_sequences WHERE schemaname = 'public'",
                    )
                    .await
                {
                    restore.push_str(&sequence);
                }
                restore.push_str("COMMIT;");
                self.raw(&copy).await;
                Snapshot::Postgres(restore)
            }
        }
    }

    /// Back to `snapshot`, every table as it was.
    pub async fn restore(&self, snapshot: &Snapshot) {
        match (snapshot, &self.state.db) {
            (Snapshot::Sqlite(bytes), Db::Sqlite(pool, _)) => {
                let mut connection = pool.acquire().await.expect("the connection");
                let buffer = sqlx::sqlite::SqliteOwnedBuf::try_from(&bytes[..]).expect("a buffer");
                connection
                    .deserialize(None, buffer, false)
                    .await
                    .expect("deserialize");
            }
            (Snapshot::Postgres(restore), Db::Postgres(_, _)) => self.raw(restore).await,
            _ => panic!("a snapshot of the other backend"),
        }
    }

    /// Statements sent as they are, several at once (Postgres).
    async fn raw(&self, sql: &str) {
        let Db::Postgres(pool, _) = &self.state.db else {
            panic!("raw statements are for Postgres")
        };
        sqlx::raw_sql(sql)
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }

    /// The application's tables (not the migration bookkeeping nor the change log).
    pub async fn tables(&self) -> Vec<String> {
        if matches!(self.state.db, Db::Sqlite(_, _)) {
            self.texts(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' \
                 AND name <> '_changes' ORDER BY name",
            )
            .await
        } else {
            self.texts(
                "SELECT tablename::text FROM pg_catalog.pg_tables WHERE schemaname = 'public' \
                 AND tablename NOT LIKE '_sqlx%' AND tablename <> '_changes' ORDER BY tablename",
            )
            .await
        }
    }

    /// From now on every row written to any table is logged in `_changes`.
    pub async fn log_changes(&self) {
        self.exec(
            "CREATE TABLE _changes (tbl TEXT NOT NULL, org BIGINT, product BIGINT, tag BIGINT)",
        )
        .await;
        let tables = self.tables().await;
        if matches!(self.state.db, Db::Sqlite(_, _)) {
            for table in tables {
                let columns = self
                    .texts(&format!("SELECT name FROM pragma_table_info('{table}')"))
                    .await;
                let column = |row: &str, name: &str| {
                    if columns.iter().any(|c| c == name) {
                        format!("{row}.{name}")
                    } else {
                        "NULL".to_owned()
                    }
                };
                let log = |row: &str| {
                    let org = if table == "organizations" {
                        format!("{row}.id")
                    } else {
                        column(row, "organization_id")
                    };
                    format!(
                        "INSERT INTO _changes VALUES ('{table}', {org}, {}, {});",
                        column(row, "product_id"),
                        column(row, "tag_id")
                    )
                };
                for (event, rows) in [
                    ("INSERT", log("NEW")),
                    ("UPDATE", log("OLD") + &log("NEW")),
                    ("DELETE", log("OLD")),
                ] {
                    self.exec(&format!(
                        "CREATE TRIGGER \"_changed_{table}_{event}\" AFTER {event} ON \"{table}\" \
                         BEGIN {rows} END"
                    ))
                    .await;
                }
            }
        } else {
            self.exec(
                "CREATE FUNCTION _changed() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 DECLARE r jsonb; BEGIN \
                   FOREACH r IN ARRAY CASE TG_OP \
                     WHEN 'INSERT' THEN ARRAY[to_jsonb(NEW)] \
                     WHEN 'DELETE' THEN ARRAY[to_jsonb(OLD)] \
                     ELSE ARRAY[to_jsonb(OLD), to_jsonb(NEW)] END \
                   LOOP \
                     INSERT INTO _changes VALUES (TG_TABLE_NAME, \
                       (CASE WHEN TG_TABLE_NAME = 'organizations' THEN r->>'id' \
                        ELSE r->>'organization_id' END)::bigint, \
                       (r->>'product_id')::bigint, (r->>'tag_id')::bigint); \
                   END LOOP; \
                   RETURN NULL; \
                 END $$",
            )
            .await;
            for table in tables {
                self.exec(&format!(
                    "CREATE TRIGGER _changed AFTER INSERT OR UPDATE OR DELETE ON \"{table}\" \
                     FOR EACH ROW EXECUTE FUNCTION _changed()"
                ))
                .await;
            }
        }
    }

    /// What was written since the log was last emptied; `organization`'s share counted apart
    /// (its own rows, and those of its products and tags).
    pub async fn changes(&self, organization: i64) -> Changes {
        let tables = self
            .texts("SELECT DISTINCT tbl FROM _changes ORDER BY tbl")
            .await;
        let in_organization = self
            .count(&format!(
                "SELECT COUNT(*) FROM _changes WHERE org = {organization} \
                 OR product IN (SELECT id FROM products WHERE organization_id = {organization}) \
                 OR tag IN (SELECT id FROM tags WHERE organization_id = {organization})"
            ))
            .await;
        Changes {
            tables,
            in_organization,
        }
    }

    pub async fn forget_changes(&self) {
        self.exec("DELETE FROM _changes").await;
    }
}
