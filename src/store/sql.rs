//! The SQL both databases run, on any sqlx connection: the few query shapes
//! the shared reads need ([`Sql::texts`] and the like, over `$n` binds), and
//! the lookups a write batch makes inside its own transaction (an earlier
//! answer to an idempotency key, the entity a command changes, an incident's
//! tasks, a reference counter, the log's head).
//!
//! This is the one place that states sqlx's trait bounds ("a database that
//! stores these Rust types"); everything else asks for `Sql`.

use std::future::Future;

use serde_json::value::RawValue;
use sqlx::query::Query;
use sqlx::{
    ColumnIndex, Connection, Database, Decode, Encode, Executor, FromRow, IntoArguments, Row, Type,
};
use uuid::Uuid;

use super::apply::{Head, Outcome};
use super::columns::table;
use super::{Logged, StoreError, StoreResult};
use crate::model::{EntityKind, Event};

/// A value bound to a `$n` placeholder.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Int(i64),
    Bool(bool),
}

pub const EVENT_COLUMNS: &str = "seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash, audience, was_audience";

/// An event as stored: the columns of [`EVENT_COLUMNS`].
#[derive(Debug, sqlx::FromRow)]
pub struct EventRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub entity: String,
    pub entity_id: String,
    pub version: i64,
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
    pub audience: String,
    pub was_audience: Option<String>,
}

impl TryFrom<EventRow> for Logged {
    type Error = StoreError;

    fn try_from(mut r: EventRow) -> StoreResult<Logged> {
        let audience = std::mem::take(&mut r.audience);
        let was = r.was_audience.take();
        Ok(Logged {
            event: Event::try_from(r)?,
            audience,
            was,
        })
    }
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;

    fn try_from(r: EventRow) -> StoreResult<Event> {
        let bad = |what: &str| StoreError::Corrupt(format!("event {}: bad {what}", r.seq));
        Ok(Event {
            seq: r.seq as u64,
            kind: r.kind.parse().map_err(|_| bad("kind"))?,
            entity: r.entity.parse().map_err(|_| bad("entity"))?,
            entity_id: r.entity_id.parse().map_err(|_| bad("entity_id"))?,
            version: r.version as u64,
            data: RawValue::from_string(r.data)?,
            at: r.at,
            actor: r.actor,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

pub trait Sql: Send {
    /// Runs a statement for its effect.
    fn execute(
        &mut self,
        sql: &str,
        binds: Vec<Bind>,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// The first column of each row.
    fn texts(
        &mut self,
        sql: &str,
        binds: Vec<Bind>,
    ) -> impl Future<Output = StoreResult<Vec<String>>> + Send;

    /// The first two text columns of each row.
    fn pairs(
        &mut self,
        sql: &str,
        binds: Vec<Bind>,
    ) -> impl Future<Output = StoreResult<Vec<(String, String)>>> + Send;

    /// The first two columns of the one row, either NULL.
    fn nullable_pair(
        &mut self,
        sql: &str,
        binds: Vec<Bind>,
    ) -> impl Future<Output = StoreResult<(Option<String>, Option<String>)>> + Send;

    /// One integer (NULL reads as 0).
    fn int(&mut self, sql: &str, binds: Vec<Bind>)
    -> impl Future<Output = StoreResult<i64>> + Send;

    /// Rows of [`EVENT_COLUMNS`].
    fn events(
        &mut self,
        sql: &str,
        binds: Vec<Bind>,
    ) -> impl Future<Output = StoreResult<Vec<EventRow>>> + Send;

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

impl<C, DB> Sql for C
where
    C: Connection<Database = DB>,
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut C: Executor<'c, Database = DB>,
    String: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB>,
    i64: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB>,
    bool: Type<DB> + for<'q> Encode<'q, DB>,
    EventRow: for<'r> FromRow<'r, DB::Row>,
    usize: ColumnIndex<DB::Row>,
{
    async fn execute(&mut self, sql: &str, binds: Vec<Bind>) -> StoreResult<()> {
        prepared::<DB>(sql, binds).execute(&mut *self).await?;
        Ok(())
    }

    async fn texts(&mut self, sql: &str, binds: Vec<Bind>) -> StoreResult<Vec<String>> {
        let rows = prepared::<DB>(sql, binds).fetch_all(&mut *self).await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?)
    }

    async fn pairs(&mut self, sql: &str, binds: Vec<Bind>) -> StoreResult<Vec<(String, String)>> {
        let rows = prepared::<DB>(sql, binds).fetch_all(&mut *self).await?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn nullable_pair(
        &mut self,
        sql: &str,
        binds: Vec<Bind>,
    ) -> StoreResult<(Option<String>, Option<String>)> {
        let row = prepared::<DB>(sql, binds).fetch_one(&mut *self).await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    async fn int(&mut self, sql: &str, binds: Vec<Bind>) -> StoreResult<i64> {
        let row = prepared::<DB>(sql, binds).fetch_one(&mut *self).await?;
        Ok(row.try_get::<Option<i64>, _>(0)?.unwrap_or(0))
    }

    async fn events(&mut self, sql: &str, binds: Vec<Bind>) -> StoreResult<Vec<EventRow>> {
        let rows = prepared::<DB>(sql, binds).fetch_all(&mut *self).await?;
        Ok(rows
            .iter()
            .map(EventRow::from_row)
            .collect::<Result<_, _>>()?)
    }

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
        let Some(table) = table(entity) else {
            return Ok(None);
        };
        let sql = format!("SELECT data FROM {table} WHERE id = $1");
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

fn prepared<DB>(sql: &str, binds: Vec<Bind>) -> Query<'static, DB, DB::Arguments>
where
    DB: Database,
    String: Type<DB> + for<'q> Encode<'q, DB>,
    i64: Type<DB> + for<'q> Encode<'q, DB>,
    bool: Type<DB> + for<'q> Encode<'q, DB>,
{
    binds.into_iter().fold(
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string())),
        |q, b| match b {
            Bind::Text(v) => q.bind(v),
            Bind::Int(v) => q.bind(v),
            Bind::Bool(v) => q.bind(v),
        },
    )
}
