//! The reads a write batch makes inside its own transaction — an earlier
//! answer to an idempotency key, the entity a command changes, an incident's
//! tasks, a reference counter, the log's head — written once for any sqlx
//! connection.

use std::future::Future;

use sqlx::{ColumnIndex, Connection, Database, Decode, Encode, Executor, IntoArguments, Row, Type};
use uuid::Uuid;

use super::StoreResult;
use super::apply::{Head, Outcome};
use super::columns::table;
use crate::model::EntityKind;

pub trait Lookups: Send {
    /// The request hash and answer stored for `(actor, key)`, if any.
    fn idempotent(
        &mut self,
        actor: &str,
        key: &str,
    ) -> impl Future<Output = StoreResult<Option<(String, Outcome)>>> + Send;

    /// An entity's stored JSON.
    fn load(
        &mut self,
        entity: EntityKind,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<String>>> + Send;

    /// The stored JSON of an incident's tasks, by id.
    fn tasks_of(&mut self, incident: Uuid)
    -> impl Future<Output = StoreResult<Vec<String>>> + Send;

    /// The last reference number a centre issued in a year.
    fn counter(
        &mut self,
        centre: &str,
        year: i32,
    ) -> impl Future<Output = StoreResult<Option<u32>>> + Send;

    /// The event log's last seq and hash.
    fn head(&mut self) -> impl Future<Output = StoreResult<Head>> + Send;
}

impl<C, DB> Lookups for C
where
    C: Connection<Database = DB>,
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut C: Executor<'c, Database = DB>,
    String: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB>,
    i64: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB>,
    usize: ColumnIndex<DB::Row>,
{
    async fn idempotent(
        &mut self,
        actor: &str,
        key: &str,
    ) -> StoreResult<Option<(String, Outcome)>> {
        let sql = "SELECT request_hash, status, etag, body FROM idempotency \
                   WHERE actor = $1 AND key = $2";
        let row = sqlx::query(sql)
            .bind(actor.to_string())
            .bind(key.to_string())
            .fetch_optional(&mut *self)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let outcome = Outcome {
            status: r.try_get::<i64, _>(1)? as u16,
            etag: r.try_get::<Option<i64>, _>(2)?.map(|v| v as u64),
            body: r.try_get(3)?,
            replayed: false,
        };
        Ok(Some((r.try_get(0)?, outcome)))
    }

    async fn load(&mut self, entity: EntityKind, id: Uuid) -> StoreResult<Option<String>> {
        let sql = format!("SELECT data FROM {} WHERE id = $1", table(entity));
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&mut *self)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    async fn tasks_of(&mut self, incident: Uuid) -> StoreResult<Vec<String>> {
        let rows = sqlx::query("SELECT data FROM tasks WHERE incident_id = $1 ORDER BY id")
            .bind(incident.to_string())
            .fetch_all(&mut *self)
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?)
    }

    async fn counter(&mut self, centre: &str, year: i32) -> StoreResult<Option<u32>> {
        let row = sqlx::query("SELECT n FROM reference_counters WHERE centre = $1 AND year = $2")
            .bind(centre.to_string())
            .bind(i64::from(year))
            .fetch_optional(&mut *self)
            .await?;
        Ok(row
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()?
            .map(|n| n as u32))
    }

    async fn head(&mut self) -> StoreResult<Head> {
        let row = sqlx::query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *self)
            .await?;
        Ok(match row {
            Some(r) => Head {
                seq: r.try_get::<i64, _>(0)? as u64,
                hash: r.try_get(1)?,
            },
            None => Head::default(),
        })
    }
}
