//! Reads over the pool: snapshot, event log, search, audit.

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use uuid::Uuid;

use crate::api::{CentreInfo, IncidentDetail, IncidentQuery, Page, TaskQuery, VerifyReport};
use crate::model::event::GENESIS_HASH;
use crate::model::{Centre, Event, Incident, Note, Task};
use crate::store::query::{self, Chunker, SNAPSHOT_PAGE, parse_cursor, parse_time};
use crate::store::{OfficerRecord, StoreError, StoreResult};

pub async fn all<T: DeserializeOwned>(pool: &SqlitePool, sql: &'static str) -> StoreResult<Vec<T>> {
    let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(pool).await?;
    rows.iter().map(|j| Ok(serde_json::from_str(j)?)).collect()
}

pub async fn officers(pool: &SqlitePool) -> StoreResult<Vec<OfficerRecord>> {
    let rows = sqlx::query("SELECT data, revoked FROM officers ORDER BY rowid")
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(OfficerRecord {
                officer: serde_json::from_str(r.get::<&str, _>(0))?,
                revoked: r.get(1),
            })
        })
        .collect()
}

fn event_from_row(r: &sqlx::sqlite::SqliteRow) -> StoreResult<Event> {
    let bad = |what: &str| StoreError::Corrupt(format!("event {}: bad {what}", r.get::<i64, _>(0)));
    Ok(Event {
        seq: r.get::<i64, _>(0) as u64,
        at: r.get(1),
        actor: r.get(2),
        kind: r.get::<&str, _>(3).parse().map_err(|_| bad("kind"))?,
        entity: r.get::<&str, _>(4).parse().map_err(|_| bad("entity"))?,
        entity_id: r.get::<&str, _>(5).parse().map_err(|_| bad("entity_id"))?,
        version: r.get::<i64, _>(6) as u64,
        data: RawValue::from_string(r.get(7))?,
        prev_hash: r.get(8),
        hash: r.get(9),
    })
}

const EVENT_COLUMNS: &str =
    "seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash";

pub async fn events_after(pool: &SqlitePool, after: u64, limit: u32) -> StoreResult<Vec<Event>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after as i64)
        .bind(limit as i64)
        .fetch_all(pool)
        .await?;
    rows.iter().map(event_from_row).collect()
}

pub async fn verify(pool: &SqlitePool) -> StoreResult<VerifyReport> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq");
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(pool);
    let mut prev = GENESIS_HASH.to_string();
    let mut count = 0u64;
    let mut first_bad = None;
    while let Some(row) = rows.try_next().await? {
        count += 1;
        let seq = row.get::<i64, _>(0) as u64;
        let good = match event_from_row(&row) {
            Ok(e) => e.seq == count && e.prev_hash == prev && e.computed_hash() == e.hash,
            Err(_) => false,
        };
        if !good && first_bad.is_none() {
            first_bad = Some(seq);
        }
        prev = row.get(9);
    }
    Ok(VerifyReport {
        ok: first_bad.is_none(),
        events: count,
        head: prev,
        first_bad_seq: first_bad,
    })
}

pub async fn incident(pool: &SqlitePool, id: Uuid) -> StoreResult<Option<IncidentDetail>> {
    let id = id.to_string();
    let Some(json) = sqlx::query_scalar::<_, String>("SELECT data FROM incidents WHERE id = ?")
        .bind(&id)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let incident: Incident = serde_json::from_str(&json)?;
    let notes: Vec<String> =
        sqlx::query_scalar("SELECT data FROM notes WHERE incident_id = ? ORDER BY at_ms, id")
            .bind(&id)
            .fetch_all(pool)
            .await?;
    let tasks: Vec<String> =
        sqlx::query_scalar("SELECT data FROM tasks WHERE incident_id = ? ORDER BY id")
            .bind(&id)
            .fetch_all(pool)
            .await?;
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE entity_id = ?1 \
         OR entity_id IN (SELECT id FROM tasks WHERE incident_id = ?1) \
         OR entity_id IN (SELECT id FROM notes WHERE incident_id = ?1) ORDER BY seq"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&id)
        .fetch_all(pool)
        .await?;
    let timeline = rows
        .iter()
        .map(event_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some(IncidentDetail {
        incident,
        timeline,
        notes: notes
            .iter()
            .map(|j| serde_json::from_str::<Note>(j))
            .collect::<Result<_, _>>()?,
        tasks: tasks
            .iter()
            .map(|j| serde_json::from_str::<Task>(j))
            .collect::<Result<_, _>>()?,
    }))
}

pub async fn search_incidents(pool: &SqlitePool, q: IncidentQuery) -> StoreResult<Page<Incident>> {
    let limit = query::limit(q.limit);
    let mut b: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT reported_at_ms, id, data FROM incidents WHERE 1 = 1");
    if let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
        b.push(" AND instr(search, ")
            .push_bind(text.trim().to_lowercase())
            .push(") > 0");
    }
    if let Some(s) = q.status {
        b.push(" AND status = ").push_bind(s.as_str());
    }
    if let Some(s) = q.severity {
        b.push(" AND severity = ").push_bind(s.as_str());
    }
    if let Some(c) = q.category {
        b.push(" AND category = ").push_bind(c.as_str());
    }
    if let Some(c) = q.centre {
        b.push(" AND centre = ").push_bind(c.as_str());
    }
    if let Some(a) = q.agency {
        b.push(" AND lead_agency_id = ").push_bind(a.to_string());
    }
    if let Some(s) = &q.since {
        b.push(" AND reported_at_ms >= ")
            .push_bind(parse_time("since", s)?);
    }
    if let Some(u) = &q.until {
        b.push(" AND reported_at_ms < ")
            .push_bind(parse_time("until", u)?);
    }
    if let Some(c) = &q.cursor {
        let (ms, id) = parse_cursor(c)?;
        b.push(" AND (reported_at_ms, id) < (")
            .push_bind(ms)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    b.push(" ORDER BY reported_at_ms DESC, id DESC LIMIT ")
        .push_bind(limit as i64 + 1);
    let rows = b.build().fetch_all(pool).await?;
    let more = rows.len() > limit as usize;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next_cursor = more
        .then(|| {
            rows.last()
                .map(|r| format!("{}:{}", r.get::<i64, _>(0), r.get::<String, _>(1)))
        })
        .flatten();
    let items = rows
        .iter()
        .map(|r| serde_json::from_str(r.get::<&str, _>(2)))
        .collect::<Result<_, _>>()?;
    Ok(Page { items, next_cursor })
}

pub async fn tasks(pool: &SqlitePool, q: TaskQuery) -> StoreResult<Page<Task>> {
    let limit = query::limit(q.limit);
    let mut b: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT id, data FROM tasks WHERE 1 = 1");
    if let Some(i) = q.incident {
        b.push(" AND incident_id = ").push_bind(i.to_string());
    }
    if let Some(a) = q.agency {
        b.push(" AND agency_id = ").push_bind(a.to_string());
    }
    if let Some(s) = q.status {
        b.push(" AND status = ").push_bind(s.as_str());
    }
    if let Some(open) = q.open {
        b.push(" AND is_open = ").push_bind(open);
    }
    if let Some(c) = &q.cursor {
        b.push(" AND id > ").push_bind(c.clone());
    }
    b.push(" ORDER BY id LIMIT ").push_bind(limit as i64 + 1);
    let rows = b.build().fetch_all(pool).await?;
    let more = rows.len() > limit as usize;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next_cursor = more
        .then(|| rows.last().map(|r| r.get::<String, _>(0)))
        .flatten();
    let items = rows
        .iter()
        .map(|r| serde_json::from_str(r.get::<&str, _>(1)))
        .collect::<Result<_, _>>()?;
    Ok(Page { items, next_cursor })
}

/// Streams the snapshot JSON in chunks from one read transaction, so a large
/// snapshot is consistent at its seq and never held whole in memory.
pub async fn snapshot(
    pool: SqlitePool,
    closed_within_hours: u32,
) -> StoreResult<BoxStream<'static, StoreResult<String>>> {
    let mut conn = pool.acquire().await?;
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        if let Err(e) = write_snapshot(&mut conn, closed_within_hours, &tx).await {
            let _ = tx.send(Err(e)).await;
        }
    });
    Ok(ReceiverStream::new(rx).boxed())
}

/// Appends `"name":[...]` to `w`: SQLite concatenates each page of rows
/// itself, since per-row overhead through the driver, not I/O, bounds a snapshot.
async fn array(
    w: &mut Chunker<'_>,
    conn: &mut sqlx::SqliteConnection,
    name: &str,
    source: &str,
    bind: Option<i64>,
) -> StoreResult<()> {
    w.begin_array(name).await?;
    let sql = format!(
        "SELECT group_concat(data, ','), max(r) FROM \
         (SELECT t.rowid AS r, t.data AS data FROM {source} AND t.rowid > ? ORDER BY t.rowid LIMIT {SNAPSHOT_PAGE})"
    );
    let mut after = 0i64;
    loop {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        if let Some(b) = bind {
            q = q.bind(b);
        }
        let row = q.bind(after).fetch_one(&mut *conn).await?;
        let (Some(json), Some(last)) = (
            row.get::<Option<String>, _>(0),
            row.get::<Option<i64>, _>(1),
        ) else {
            break;
        };
        w.item(&json).await?;
        after = last;
    }
    w.end_array().await
}

async fn write_snapshot(
    conn: &mut sqlx::SqliteConnection,
    closed_within_hours: u32,
    out: &mpsc::Sender<StoreResult<String>>,
) -> StoreResult<()> {
    sqlx::query("BEGIN").execute(&mut *conn).await?;
    let result = async {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events").fetch_one(&mut *conn).await?;
        let cutoff = (OffsetDateTime::now_utc() - time::Duration::hours(closed_within_hours.into())).unix_timestamp() * 1000;
        let centres: Vec<CentreInfo> = Centre::ALL.iter().map(|c| CentreInfo { code: *c, name: c.name().into() }).collect();
        let mut w = Chunker::new(out);
        w.push(&format!("{{\"seq\":{},\"centres\":{}", seq.unwrap_or(0), serde_json::to_string(&centres)?)).await?;
        array(&mut w, conn, "agencies", "agencies t WHERE 1 = 1", None).await?;
        array(&mut w, conn, "units", "units t WHERE 1 = 1", None).await?;
        array(&mut w, conn, "incidents", "incidents t WHERE (t.is_open = 1 OR t.closed_at_ms >= ?)", Some(cutoff)).await?;
        array(&mut w, conn,
            "tasks",
            "tasks t JOIN incidents i ON i.id = t.incident_id WHERE (i.is_open = 1 OR i.closed_at_ms >= ?)",
            Some(cutoff),
        )
        .await?;
        array(&mut w, conn, "officers", "officers t WHERE 1 = 1", None).await?;
        w.push("}").await?;
        w.flush().await
    }
    .await;
    let _ = sqlx::query("COMMIT").execute(&mut *conn).await;
    result
}
