//! The single SQLite writer: group commit and the [`WriteTx`] implementation.
//!
//! One task owns the only write connection. It takes every command waiting
//! in its queue, runs them all in one transaction and commits once, so one
//! fsync acknowledges the whole batch (see `batch` for how the batch's rows
//! are written). A command the rules refuse has written
//! nothing (see `apply`), so it never spoils its neighbours; a database error
//! fails the whole batch and nobody gets a 2xx for it.

use std::sync::Arc;

use sqlx::{Connection, Row as _, SqliteConnection};

use crate::store::buffer::Buffered;
use tokio::sync::{broadcast, mpsc};

use crate::model::Event;
use crate::store::apply::{self, Head, Outcome};
use crate::store::queue::{self, Job};
use crate::store::{StoreError, StoreResult};

pub async fn run(
    mut conn: SqliteConnection,
    mut jobs: mpsc::Receiver<Job>,
    events: broadcast::Sender<Arc<crate::store::Published>>,
) {
    let mut head = match read_head(&mut conn).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!("writer cannot read the event log head: {e}");
            return;
        }
    };
    let mut batch = Vec::new();
    while queue::next_batch(&mut jobs, &mut batch).await {
        let before = head.clone();
        match run_batch(&mut conn, &mut head, &batch).await {
            Ok(results) => {
                for (job, result) in batch.drain(..).zip(results) {
                    let reply = result.map(|(outcome, evs)| {
                        for e in evs {
                            // No receiver is fine: nobody is listening yet.
                            let _ = events.send(crate::store::Published::new(e));
                        }
                        outcome
                    });
                    let _ = job.reply.send(reply);
                }
            }
            Err(e) => {
                head = before;
                queue::fail(&mut batch, &e);
            }
        }
    }
}

type BatchResult = Vec<StoreResult<(Outcome, Vec<Event>)>>;

async fn run_batch(
    conn: &mut SqliteConnection,
    head: &mut Head,
    batch: &[Job],
) -> Result<BatchResult, StoreError> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let mut results = Vec::with_capacity(batch.len());
    let mut buffered = Buffered::new(&mut *tx);
    for job in batch {
        let result = apply::apply(&mut buffered, head, &job.request).await;
        if let Err(StoreError::Database(e)) = result {
            // Part of this command may be written: the whole batch must go.
            return Err(StoreError::Database(e));
        }
        results.push(result);
    }
    buffered.flush().await?;
    tx.commit().await?;
    Ok(results)
}

pub async fn read_head(conn: &mut SqliteConnection) -> StoreResult<Head> {
    let row = sqlx::query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => Head {
            seq: r.get::<i64, _>(0) as u64,
            hash: r.get(1),
        },
        None => Head::default(),
    })
}
