//! The single SQLite writer: group commit.
//!
//! One task owns the only write connection. It takes every command waiting
//! in its queue, runs them all in one transaction and commits once, so one
//! fsync acknowledges the whole batch (see `batch` for how the batch's rows
//! are written). A command the rules refuse has written
//! nothing (see `apply`), so it never spoils its neighbours; a database error
//! fails the whole batch and nobody gets a 2xx for it.

use std::sync::Arc;

use sqlx::{Connection, SqliteConnection};
use tokio::sync::{broadcast, mpsc};

use crate::store::StoreResult;
use crate::store::apply::Head;
use crate::store::buffer::{BatchResult, apply_batch};
use crate::store::queue::{self, Job};
use crate::store::sql::Sql;

pub async fn run(
    mut conn: SqliteConnection,
    mut jobs: mpsc::Receiver<Job>,
    events: broadcast::Sender<Arc<crate::store::Published>>,
) {
    let mut head = match conn.head().await {
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
                for e in queue::answer(&mut batch, results) {
                    // No receiver is fine: nobody is listening yet.
                    let _ = events.send(crate::store::Published::new(e));
                }
            }
            Err(e) => {
                head = before;
                queue::fail(&mut batch, &e);
            }
        }
    }
}

async fn run_batch(
    conn: &mut SqliteConnection,
    head: &mut Head,
    batch: &[Job],
) -> StoreResult<BatchResult> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let results = apply_batch(&mut *tx, head, batch).await?;
    tx.commit().await?;
    Ok(results)
}
