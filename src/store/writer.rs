//! The single writer of a store, for every backend: it takes the commands
//! waiting in the queue as one batch, runs them in one transaction, commits
//! once (group commit), answers each caller, and hands the batch's events to
//! the publisher.
//!
//! It survives its connection: a batch that meets a database failure is
//! answered with that failure (nobody gets a 2xx for it), the connection is
//! dropped and made again with backoff, and while the database cannot be
//! reached commands are refused at once (503) instead of waiting. A commit
//! that broke off is never guessed at: once the broken transaction has
//! certainly ended, the log is read to see whether the batch's last event is
//! there with its hash, and the callers are answered accordingly.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::apply::Head;
use super::buffer::BatchResult;
use super::publish::Committed;
use super::queue::{self, Job};
use super::{StoreError, StoreResult};

/// Longest a batch may take from BEGIN to the end of COMMIT; past it the
/// connection is presumed stuck and dropped.
const BATCH_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest one attempt to (re)connect may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);
/// How long an unknown commit outcome is worked on before the callers are
/// told it is unknown.
const SETTLE_WITHIN: Duration = Duration::from_secs(15);

/// What a batch got to before it failed: once `results` is set the commit
/// may have been sent, and `last` is the last event it would have written.
#[derive(Default)]
pub struct Attempt {
    pub results: Option<BatchResult>,
    pub last: Option<Head>,
}

impl Attempt {
    /// Records what the batch will have done once committed; call just before COMMIT.
    pub fn before_commit(&mut self, results: BatchResult, head: &Head, head_before: u64) {
        self.last = (head.seq > head_before).then(|| head.clone());
        self.results = Some(results);
    }
}

/// What differs between databases: how the write connection is made, how a
/// batch's transaction is run, and how a broken commit is settled.
pub trait Backend: Send + Sync + 'static {
    type Conn: Send;
    /// Identifies a connection's session after the connection is gone.
    type Session: Send;

    fn connect(&self) -> impl Future<Output = StoreResult<Self::Conn>> + Send;

    fn session(conn: &Self::Conn) -> Self::Session;

    /// Runs `batch` in one transaction after the log head read inside it, and
    /// commits; fills `attempt` (see [`Attempt::before_commit`]) before COMMIT.
    fn write(
        &self,
        conn: &mut Self::Conn,
        batch: &[Job],
        attempt: &mut Attempt,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Waits until the transaction of the lost `session` has certainly ended,
    /// then says whether the event `last` is in the log with its hash.
    fn landed(
        &self,
        conn: &mut Self::Conn,
        session: &Self::Session,
        last: &Head,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
}

struct Connection<B: Backend> {
    conn: Option<B::Conn>,
    /// While down: no attempt before this.
    retry_at: Instant,
    backoff: Duration,
}

impl<B: Backend> Connection<B> {
    /// The connection, made again if it was lost (at most one attempt per backoff).
    async fn get(&mut self, backend: &B) -> StoreResult<&mut B::Conn> {
        if self.conn.is_none() {
            if Instant::now() < self.retry_at {
                return Err(StoreError::Unavailable(
                    "the database connection is being re-established".into(),
                ));
            }
            match tokio::time::timeout(CONNECT_TIMEOUT, backend.connect()).await {
                Ok(Ok(c)) => {
                    tracing::info!("the writer is connected to the database");
                    self.conn = Some(c);
                    self.backoff = BACKOFF_MIN;
                }
                failed => {
                    // Whatever the database said, failing to connect is "unavailable".
                    let e = match failed {
                        Ok(Err(e)) => StoreError::Unavailable(format!("connecting: {e}")),
                        _ => StoreError::Unavailable("connecting timed out".into()),
                    };
                    self.retry_at = Instant::now() + self.backoff;
                    self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
                    return Err(e);
                }
            }
        }
        self.conn
            .as_mut()
            .ok_or_else(|| StoreError::Unavailable("no database connection".into()))
    }
}

/// Runs the writer until the queue closes (the store was dropped); each
/// committed batch's events go to `publisher`.
pub async fn run<B: Backend>(
    backend: B,
    first: Option<B::Conn>,
    mut jobs: mpsc::Receiver<Job>,
    publisher: Arc<dyn Committed>,
) {
    let mut link = Connection::<B> {
        conn: first,
        retry_at: Instant::now(),
        backoff: BACKOFF_MIN,
    };
    let mut batch = Vec::new();
    while queue::next_batch(&mut jobs, &mut batch).await {
        let conn = match link.get(&backend).await {
            Ok(c) => c,
            Err(e) => {
                queue::fail(&mut batch, &e);
                continue;
            }
        };
        let session = B::session(conn);
        let mut attempt = Attempt::default();
        let outcome =
            tokio::time::timeout(BATCH_TIMEOUT, backend.write(conn, &batch, &mut attempt)).await;
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(_) => Some(StoreError::Unavailable(format!(
                "the batch took longer than {BATCH_TIMEOUT:?}"
            ))),
        };
        let Some(failure) = failure else {
            match attempt.results {
                Some(results) => {
                    let events = queue::answer(&mut batch, results);
                    publisher.committed(events).await;
                }
                None => queue::fail(&mut batch, &StoreError::Database("no results".into())),
            }
            continue;
        };
        // A connection that failed inside a transaction is not trusted again.
        link.conn = None;
        match (attempt.results, attempt.last) {
            // Failed before COMMIT was sent: nothing was written.
            (None, _) => queue::fail(&mut batch, &failure),
            // Nothing to commit but refusals and replays, which stand as they are.
            (Some(results), None) => {
                let _ = queue::answer(&mut batch, results);
            }
            (Some(results), Some(last)) => {
                tracing::warn!("a commit broke off ({failure}); settling it");
                match settle(&backend, &mut link, &session, &last).await {
                    Ok(true) => {
                        let events = queue::answer(&mut batch, results);
                        publisher.committed(events).await;
                    }
                    Ok(false) => queue::fail(&mut batch, &failure),
                    Err(e) => queue::fail(&mut batch, &StoreError::OutcomeUnknown(e.to_string())),
                }
            }
        }
    }
}

/// Whether the broken commit landed, asked on a new connection until it can
/// be told or [`SETTLE_WITHIN`] passes.
async fn settle<B: Backend>(
    backend: &B,
    link: &mut Connection<B>,
    session: &B::Session,
    last: &Head,
) -> StoreResult<bool> {
    let deadline = Instant::now() + SETTLE_WITHIN;
    loop {
        let answer = match link.get(backend).await {
            Ok(conn) => {
                match tokio::time::timeout(CONNECT_TIMEOUT, backend.landed(conn, session, last))
                    .await
                {
                    Ok(r) => r,
                    Err(_) => Err(StoreError::Unavailable("the check timed out".into())),
                }
            }
            Err(e) => Err(e),
        };
        match answer {
            Ok(landed) => {
                tracing::info!(
                    "the broken commit of seq {} {}",
                    last.seq,
                    if landed { "landed" } else { "did not land" }
                );
                return Ok(landed);
            }
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => {
                link.conn = None;
                tokio::time::sleep(BACKOFF_MIN.max(link.backoff)).await;
            }
        }
    }
}
