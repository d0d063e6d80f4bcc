//! What the shared reads run on: [`Reader`], implemented once for any sqlx
//! pool whose database says how its SQL differs ([`Dialect`]). The snapshot
//! lives here too, since it needs one connection for its whole transaction.

use std::future::Future;

use futures::StreamExt;
use futures::stream::BoxStream;
use sqlx::{Connection, Database, Pool};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::query::Chunker;
use super::roster;
use super::sql::{Bind, EventRow, Sql};
use super::{StoreError, StoreResult};
use crate::api::CentreInfo;
use crate::model::{Agency, Centre, Viewer};

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

    /// Rows of [`super::sql::EVENT_COLUMNS`].
    fn events(
        &self,
        sql: String,
        binds: Vec<Bind>,
    ) -> impl Future<Output = StoreResult<Vec<EventRow>>> + Send;

    /// The snapshot as JSON text chunks, read in one consistent transaction.
    fn snapshot(
        &self,
        closed_within_hours: u32,
        viewer: Viewer,
    ) -> impl Future<Output = StoreResult<BoxStream<'static, StoreResult<String>>>> + Send;

    /// The `data` of every row of `source` (`table t WHERE …`, its binds
    /// first), as pages of rows joined by commas: a few round trips for
    /// many rows, rather than one per row.
    fn pages(
        &self,
        source: String,
        binds: Vec<Bind>,
    ) -> impl Future<Output = StoreResult<Vec<String>>> + Send;

    /// Statements in one transaction, beside the writer: only for what is
    /// not part of the record (presence).
    fn write(
        &self,
        statements: Vec<(String, Vec<Bind>)>,
    ) -> impl Future<Output = StoreResult<()>> + Send;
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

impl<DB> Reader for Pool<DB>
where
    DB: Dialect,
    DB::Connection: Sql,
{
    fn contains(haystack: &str, needle: &str) -> String {
        DB::contains(haystack, needle)
    }

    async fn texts(&self, sql: String, binds: Vec<Bind>) -> StoreResult<Vec<String>> {
        acquire(self).await?.texts(&sql, binds).await
    }

    async fn pairs(&self, sql: String, binds: Vec<Bind>) -> StoreResult<Vec<(String, String)>> {
        acquire(self).await?.pairs(&sql, binds).await
    }

    async fn int(&self, sql: String, binds: Vec<Bind>) -> StoreResult<i64> {
        acquire(self).await?.int(&sql, binds).await
    }

    async fn events(&self, sql: String, binds: Vec<Bind>) -> StoreResult<Vec<EventRow>> {
        acquire(self).await?.events(&sql, binds).await
    }

    async fn pages(&self, source: String, binds: Vec<Bind>) -> StoreResult<Vec<String>> {
        let mut conn = acquire(self).await?;
        let sql = DB::snapshot_page(&source, &format!("${}", binds.len() + 1));
        let mut key = DB::FIRST_KEY.to_string();
        let mut out = Vec::new();
        loop {
            let mut page_binds = binds.clone();
            page_binds.push(Bind::Text(key));
            let (Some(rows), Some(last)) = conn.nullable_pair(&sql, page_binds).await? else {
                return Ok(out);
            };
            out.push(rows);
            key = last;
        }
    }

    async fn write(&self, statements: Vec<(String, Vec<Bind>)>) -> StoreResult<()> {
        let mut conn = acquire(self).await?;
        let mut tx = conn.begin().await?;
        for (sql, binds) in statements {
            (*tx).execute(&sql, binds).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn snapshot(
        &self,
        closed_within_hours: u32,
        viewer: Viewer,
    ) -> StoreResult<BoxStream<'static, StoreResult<String>>> {
        let mut conn = acquire(self).await?;
        let (tx, rx) = mpsc::channel(4);
        let task = tokio::spawn(async move {
            // A transaction object: dropped on any exit (an error, a panic),
            // it is rolled back before the connection is used again.
            let result = async {
                let mut read = conn.begin_with(DB::BEGIN_SNAPSHOT).await?;
                write_snapshot::<DB>(&mut read, closed_within_hours, &viewer, &tx).await?;
                read.commit().await?;
                Ok(())
            }
            .await;
            if let Err(e) = result {
                let _ = tx.send(Err(e)).await;
            }
        });
        // A reader that died without a word must still end the body as a
        // failure, never as a short but clean answer.
        let died = futures::stream::once(async move {
            task.await.err().map(|e| {
                tracing::error!("the snapshot reader failed: {e}");
                Err(StoreError::Database(format!(
                    "the snapshot reader failed: {e}"
                )))
            })
        })
        .filter_map(|failed| async move { failed });
        Ok(ReceiverStream::new(rx).chain(died).boxed())
    }
}

/// A pooled connection. Failing to get one means the database cannot be
/// reached or refuses new sessions, whatever its error code: 503, not 500.
async fn acquire<DB: Database>(pool: &Pool<DB>) -> StoreResult<sqlx::pool::PoolConnection<DB>> {
    pool.acquire()
        .await
        .map_err(|e| StoreError::Unavailable(format!("connecting to the database: {e}")))
}

/// Whether a connection going back to the pool is outside any transaction:
/// one that is not (a reader cancelled mid-way) is closed instead of reused.
pub fn idle<C: Connection>(conn: &C) -> bool {
    let idle = !conn.is_in_transaction();
    if !idle {
        tracing::warn!("a pooled connection came back inside a transaction; closing it");
    }
    idle
}

/// Writes the snapshot JSON in chunks inside the caller's transaction, so a large
/// snapshot is consistent at its seq and never held whole in memory. The
/// database joins each page of rows itself: per-row overhead through the
/// driver, not I/O, bounds a snapshot.
async fn write_snapshot<DB>(
    conn: &mut DB::Connection,
    closed_within_hours: u32,
    viewer: &Viewer,
    out: &mpsc::Sender<StoreResult<String>>,
) -> StoreResult<()>
where
    DB: Dialect,
    DB::Connection: Sql,
{
    let seq = conn.int("SELECT MAX(seq) FROM events", vec![]).await?;
    let head_hash = conn
        .texts(
            "SELECT hash FROM events WHERE seq = $1",
            vec![Bind::Int(seq)],
        )
        .await?
        .into_iter()
        .next()
        .unwrap_or_else(|| crate::model::event::GENESIS_HASH.to_string());
    let cutoff = OffsetDateTime::now_utc()
        .checked_sub(time::Duration::hours(closed_within_hours.into()))
        .map_or(i64::MIN, super::columns::millis);
    let centres: Vec<CentreInfo> = Centre::ALL
        .iter()
        .map(|c| CentreInfo {
            code: *c,
            name: c.name().into(),
        })
        .collect();
    let mut w = Chunker::new(out);
    w.push(&format!(
        "{{\"seq\":{seq},\"head_hash\":\"{head_hash}\",\"centres\":{}",
        serde_json::to_string(&centres)?
    ))
    .await?;
    // The roster is small and masked per viewer (store::roster).
    let agencies: Vec<Agency> = conn
        .texts(roster::AGENCIES, vec![])
        .await?
        .iter()
        .map(|j| serde_json::from_str(j))
        .collect::<Result<_, _>>()?;
    let tasked = conn.pairs(roster::TASKED, vec![]).await?;
    let units = conn.texts(roster::UNITS, vec![]).await?;
    let units = roster::units(&units, &agencies, &tasked, viewer)?;
    w.begin_array("agencies").await?;
    for a in roster::agencies(agencies, viewer) {
        w.item(&serde_json::to_string(&a)?).await?;
    }
    w.end_array().await?;
    w.begin_array("units").await?;
    for u in units {
        w.item(&serde_json::to_string(&u)?).await?;
    }
    w.end_array().await?;
    // `$1` is the cutoff; the viewer's needles follow; the page key is last.
    let seen_by = |column: &str| {
        let Some(needles) = viewer.needles() else {
            return (String::new(), Vec::new());
        };
        let tests: Vec<String> = (0..needles.len())
            .map(|n| DB::contains(column, &format!("${}", n + 2)))
            .collect();
        let binds = needles.iter().map(|t| Bind::Text(t.clone())).collect();
        (format!(" AND ({})", tests.join(" OR ")), binds)
    };
    let (incidents_seen, incident_binds) = seen_by("t.audience");
    let (tasks_seen, task_binds) = seen_by("t.audience");
    let arrays = [
        (
            "incidents",
            format!("incidents t WHERE (t.is_open OR t.closed_at_ms >= $1){incidents_seen}"),
            Some((cutoff, incident_binds)),
        ),
        (
            "tasks",
            format!(
                "tasks t JOIN incidents i ON i.id = t.incident_id \
                 WHERE (i.is_open OR i.closed_at_ms >= $1){tasks_seen}"
            ),
            Some((cutoff, task_binds)),
        ),
        ("officers", "officers t WHERE TRUE".to_string(), None),
    ];
    for (name, source, filter) in arrays {
        w.begin_array(name).await?;
        let fixed: Vec<Bind> = match filter {
            Some((cutoff, needles)) => std::iter::once(Bind::Int(cutoff)).chain(needles).collect(),
            None => Vec::new(),
        };
        let after = format!("${}", fixed.len() + 1);
        let sql = DB::snapshot_page(&source, &after);
        let mut key = DB::FIRST_KEY.to_string();
        loop {
            let mut binds = fixed.clone();
            binds.push(Bind::Text(key));
            let (Some(json), Some(last)) = conn.nullable_pair(&sql, binds).await? else {
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
