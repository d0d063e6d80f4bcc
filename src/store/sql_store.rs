//! The one [`Store`] implementation: a backend's read pool (a [`Reader`]),
//! its write queue and its live broadcast. Backends differ only in how they
//! open these and in what runs behind them.

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use tokio::sync::broadcast;
use uuid::Uuid;

use super::queue::Queue;
use super::read;
use super::reader::Reader;
use super::{Credential, OfficerRecord, Outcome, Published, Request, Store, StoreResult};
use crate::api::{
    Agency, Event, Incident, IncidentDetail, IncidentQuery, Page, Task, TaskQuery, Unit,
    VerifyReport,
};

/// Events kept for live subscribers; one that falls further behind resyncs from the log.
pub const LIVE_BUFFER: usize = 65_536;

pub struct SqlStore<R: Reader> {
    pub(super) reader: R,
    pub(super) writer: Queue,
    pub(super) events: broadcast::Sender<Arc<Published>>,
}

impl<R: Reader> Store for SqlStore<R> {
    fn authenticate(&self, token_hash: &str) -> BoxFuture<'_, StoreResult<Option<Credential>>> {
        let token_hash = token_hash.to_string();
        Box::pin(async move { read::authenticate(&self.reader, &token_hash).await })
    }

    fn execute(&self, request: Request) -> BoxFuture<'_, StoreResult<Outcome>> {
        Box::pin(self.writer.execute(request))
    }

    fn snapshot(
        &self,
        closed_within_hours: u32,
    ) -> BoxFuture<'_, StoreResult<BoxStream<'static, StoreResult<String>>>> {
        Box::pin(self.reader.snapshot(closed_within_hours))
    }

    fn events_after(&self, after: u64, limit: u32) -> BoxFuture<'_, StoreResult<Vec<Event>>> {
        Box::pin(read::events_after(&self.reader, after, limit))
    }

    fn head(&self) -> BoxFuture<'_, StoreResult<u64>> {
        Box::pin(read::head(&self.reader))
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.events.subscribe()
    }

    fn incident(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Option<IncidentDetail>>> {
        Box::pin(read::incident(&self.reader, id))
    }

    fn search_incidents(&self, q: IncidentQuery) -> BoxFuture<'_, StoreResult<Page<Incident>>> {
        Box::pin(read::search_incidents(&self.reader, q))
    }

    fn tasks(&self, q: TaskQuery) -> BoxFuture<'_, StoreResult<Page<Task>>> {
        Box::pin(read::tasks(&self.reader, q))
    }

    fn agencies(&self) -> BoxFuture<'_, StoreResult<Vec<Agency>>> {
        Box::pin(read::all(
            &self.reader,
            "SELECT data FROM agencies ORDER BY code",
        ))
    }

    fn units(&self) -> BoxFuture<'_, StoreResult<Vec<Unit>>> {
        Box::pin(read::all(
            &self.reader,
            "SELECT data FROM units ORDER BY callsign",
        ))
    }

    fn officers(&self) -> BoxFuture<'_, StoreResult<Vec<OfficerRecord>>> {
        Box::pin(read::officers(&self.reader))
    }

    fn verify(&self) -> BoxFuture<'_, StoreResult<VerifyReport>> {
        Box::pin(read::verify(&self.reader))
    }
}
