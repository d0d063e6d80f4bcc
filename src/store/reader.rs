//! What the shared reads run on: [`Reader`], implemented once for any sqlx
//! pool whose database says how its SQL differs ([`Dialect`]), the binds, and
//! the event row. The snapshot lives here too, since it needs a connection of
//! its own rather than the pool.

use std::future::Future;

use futures::StreamExt;
use futures::stream::BoxStream;
use serde_json::value::RawValue;
use sqlx::query::Query;
use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Row, Type,
};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::query::Chunker;
use super::{StoreError, StoreResult};
use crate::api::CentreInfo;
use crate::model::{Centre, Event};

/// A value bound to a `$n` placeholder.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Int(i64),
    Bool(bool),
}

/// What the shared reads run on: a few primitives, implemented once below
/// for any sqlx pool whose database is a [`Dialect`].
pub trait Reader: Send + Sync + 'static {
    /// SQL that is true when the text `haystack` contains `needle`.
    fn contains(haystack: &str, needle: &str) -> String;

    /// The first column of each row.
    fn texts(
        &self,
        sql: String,
        binds: Vec<Bind>,
    ) -> impl Future<Output = StoreResult<Vec<String>>> + Send;

    /// The first two text columns of each row.
    fn pairs(
        &self,
        sql: String,
        binds: Vec<Bind>,
    ) -> impl Future<Output = StoreResult<Vec<(String, String)>>> + Send;

    /// One integer (NULL reads as 0).
    fn int(&self, sql: String, binds: Vec<Bind>) -> impl Future<Output = StoreResult<i64>> + Send;

    /// Rows of [`EVENT_COLUMNS`].
    fn events(
        &self,
        sql: String,
        binds: Vec<Bind>,
    ) -> impl Future<Output = StoreResult<Vec<EventRow>>> + Send;

    /// The snapshot as JSON text chunks, read in one consistent transaction.
    fn snapshot(
        &self,
        closed_within_hours: u32,
    ) -> impl Future<Output = StoreResult<BoxStream<'static, StoreResult<String>>>> + Send;
}

/// What differs between the databases the shared reads run on.
pub trait Dialect: Database {
    /// SQL that is true when the text `haystack` contains `needle`.
    fn contains(haystack: &str, needle: &str) -> String;

    /// Starts the snapshot's transaction: every statement in it sees one state.
    const BEGIN_SNAPSHOT: &'static str;

    /// One page of a snapshot array, in key order: the rows' `data` joined by
    /// commas, and the page's last key as text (both NULL past the end).
    /// `source` is `table t WHERE …`; `after` is the placeholder of the key
    /// the page starts after.
    fn snapshot_page(source: &str, after: &str) -> String;

    /// The key before every row.
    const FIRST_KEY: &'static str;
}

/// The bounds are sqlx's way of saying "a database that stores these Rust
/// types"; both SQLite and PostgreSQL meet them.
impl<DB> Reader for Pool<DB>
where
    DB: Dialect,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    String: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB>,
    i64: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB>,
    bool: Type<DB> + for<'q> Encode<'q, DB>,
    EventRow: for<'r> FromRow<'r, DB::Row>,
    usize: ColumnIndex<DB::Row>,
{
    fn contains(haystack: &str, needle: &str) -> String {
        DB::contains(haystack, needle)
    }

    async fn texts(&self, sql: String, binds: Vec<Bind>) -> StoreResult<Vec<String>> {
        let rows = prepared::<DB>(sql, binds).fetch_all(self).await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?)
    }

    async fn pairs(&self, sql: String, binds: Vec<Bind>) -> StoreResult<Vec<(String, String)>> {
        let rows = prepared::<DB>(sql, binds).fetch_all(self).await?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn int(&self, sql: String, binds: Vec<Bind>) -> StoreResult<i64> {
        let row = prepared::<DB>(sql, binds).fetch_one(self).await?;
        Ok(row.try_get::<Option<i64>, _>(0)?.unwrap_or(0))
    }

    async fn events(&self, sql: String, binds: Vec<Bind>) -> StoreResult<Vec<EventRow>> {
        let rows = prepared::<DB>(sql, binds).fetch_all(self).await?;
        Ok(rows
            .iter()
            .map(EventRow::from_row)
            .collect::<Result<_, _>>()?)
    }

    async fn snapshot(
        &self,
        closed_within_hours: u32,
    ) -> StoreResult<BoxStream<'static, StoreResult<String>>> {
        let mut conn = self.acquire().await?;
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            if let Err(e) = write_snapshot::<DB>(&mut conn, closed_within_hours, &tx).await {
                let _ = tx.send(Err(e)).await;
            }
        });
        Ok(ReceiverStream::new(rx).boxed())
    }
}

fn prepared<DB>(sql: String, binds: Vec<Bind>) -> Query<'static, DB, DB::Arguments>
where
    DB: Database,
    String: Type<DB> + for<'q> Encode<'q, DB>,
    i64: Type<DB> + for<'q> Encode<'q, DB>,
    bool: Type<DB> + for<'q> Encode<'q, DB>,
{
    binds
        .into_iter()
        .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), |q, b| match b {
            Bind::Text(v) => q.bind(v),
            Bind::Int(v) => q.bind(v),
            Bind::Bool(v) => q.bind(v),
        })
}

pub const EVENT_COLUMNS: &str =
    "seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash";

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

/// Writes the snapshot JSON in chunks from one transaction, so a large
/// snapshot is consistent at its seq and never held whole in memory. The
/// database joins each page of rows itself: per-row overhead through the
/// driver, not I/O, bounds a snapshot.
async fn write_snapshot<DB>(
    conn: &mut DB::Connection,
    closed_within_hours: u32,
    out: &mpsc::Sender<StoreResult<String>>,
) -> StoreResult<()>
where
    DB: Dialect,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    String: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB>,
    i64: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB>,
    bool: Type<DB> + for<'q> Encode<'q, DB>,
    usize: ColumnIndex<DB::Row>,
{
    sqlx::query(DB::BEGIN_SNAPSHOT).execute(&mut *conn).await?;
    let result = async {
        let head = prepared::<DB>("SELECT MAX(seq) FROM events".into(), vec![])
            .fetch_one(&mut *conn)
            .await?;
        let seq = head.try_get::<Option<i64>, _>(0)?.unwrap_or(0);
        let cutoff = (OffsetDateTime::now_utc()
            - time::Duration::hours(closed_within_hours.into()))
        .unix_timestamp()
            * 1000;
        let centres: Vec<CentreInfo> = Centre::ALL
            .iter()
            .map(|c| CentreInfo {
                code: *c,
                name: c.name().into(),
            })
            .collect();
        let mut w = Chunker::new(out);
        w.push(&format!(
            "{{\"seq\":{seq},\"centres\":{}",
            serde_json::to_string(&centres)?
        ))
        .await?;
        let recent = Some(cutoff);
        let arrays = [
            ("agencies", "agencies t WHERE TRUE", None),
            ("units", "units t WHERE TRUE", None),
            (
                "incidents",
                "incidents t WHERE (t.is_open OR t.closed_at_ms >= $1)",
                recent,
            ),
            (
                "tasks",
                "tasks t JOIN incidents i ON i.id = t.incident_id \
                 WHERE (i.is_open OR i.closed_at_ms >= $1)",
                recent,
            ),
            ("officers", "officers t WHERE TRUE", None),
        ];
        for (name, source, cutoff) in arrays {
            w.begin_array(name).await?;
            let after = if cutoff.is_some() { "$2" } else { "$1" };
            let sql = DB::snapshot_page(source, after);
            let mut key = DB::FIRST_KEY.to_string();
            loop {
                let binds = cutoff.map(Bind::Int).into_iter().chain([Bind::Text(key)]);
                let row = prepared::<DB>(sql.clone(), binds.collect())
                    .fetch_one(&mut *conn)
                    .await?;
                let (Some(json), Some(last)) = (
                    row.try_get::<Option<String>, _>(0)?,
                    row.try_get::<Option<String>, _>(1)?,
                ) else {
                    break;
                };
                w.item(&json).await?;
                key = last;
            }
            w.end_array().await?;
        }
        w.push("}").await?;
        w.flush().await
    }
    .await;
    let _ = sqlx::query("COMMIT").execute(&mut *conn).await;
    result
}
