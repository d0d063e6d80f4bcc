//! The queue in front of a store's single writer: requests wait here, the
//! writer takes all that are waiting as one batch (group commit), and each
//! caller gets its own answer back.

use tokio::sync::{mpsc, oneshot};

use super::apply::{Outcome, Request};
use super::buffer::BatchResult;
use super::{StoreError, StoreResult};

/// Most commands in one transaction; bounds the latency of the last in a batch.
const MAX_BATCH: usize = 256;

pub struct Job {
    pub request: Request,
    pub reply: oneshot::Sender<StoreResult<Outcome>>,
}

#[derive(Clone)]
pub struct Queue(mpsc::Sender<Job>);

impl Queue {
    pub fn new() -> (Queue, mpsc::Receiver<Job>) {
        let (tx, rx) = mpsc::channel(4096);
        (Queue(tx), rx)
    }

    /// Queues one request and waits for the writer's answer.
    pub async fn execute(&self, request: Request) -> StoreResult<Outcome> {
        let stopped = || StoreError::Unavailable("the writer has stopped".into());
        let (reply, answer) = oneshot::channel();
        self.0
            .send(Job { request, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Waits for a job, then takes every job already waiting into `batch`;
/// false when the queue is closed.
pub async fn next_batch(jobs: &mut mpsc::Receiver<Job>, batch: &mut Vec<Job>) -> bool {
    let Some(first) = jobs.recv().await else {
        return false;
    };
    batch.push(first);
    while batch.len() < MAX_BATCH {
        match jobs.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    true
}

/// Answers every job of a committed batch; returns the events the batch
/// wrote, in seq order.
pub fn answer(batch: &mut Vec<Job>, results: BatchResult) -> Vec<super::Logged> {
    let mut events = Vec::new();
    for (job, result) in batch.drain(..).zip(results) {
        let _ = job.reply.send(result.map(|(outcome, written)| {
            events.extend(written);
            outcome
        }));
    }
    events
}

/// Answers every job of a batch that did not commit: nobody gets a 2xx for it.
pub fn fail(batch: &mut Vec<Job>, e: &StoreError) {
    if !batch.is_empty() {
        tracing::error!("batch of {} commands not written: {e}", batch.len());
    }
    for job in batch.drain(..) {
        let _ = job.reply.send(Err(e.clone()));
    }
}
