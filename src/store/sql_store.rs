//! The one [`Store`] implementation: a backend's read pool (a [`Reader`]),
//! its write queue and its live broadcast. Backends differ only in how they
//! open these and in what runs behind them.

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use tokio::sync::broadcast;
use uuid::Uuid;

use super::attention::{self, AttentionState};
use super::queue::Queue;
use super::reader::Reader;
use super::{Credential, Logged, OfficerRecord, Outcome, Published, Request, Store, StoreResult};
use super::{audit, read};
use crate::api::{
    Agency, Event, Incident, IncidentDetail, IncidentQuery, Page, Task, TaskQuery, Unit,
    VerifyReport,
};
use crate::model::checkpoint::Trust;
use crate::model::{Centre, Viewer};
use std::collections::HashSet;
use time::OffsetDateTime;

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
        viewer: Viewer,
    ) -> BoxFuture<'_, StoreResult<BoxStream<'static, StoreResult<String>>>> {
        Box::pin(self.reader.snapshot(closed_within_hours, viewer))
    }

    fn events_after(&self, after: u64, limit: u32) -> BoxFuture<'_, StoreResult<Vec<Logged>>> {
        Box::pin(read::events_after(&self.reader, after, limit))
    }

    fn head(&self) -> BoxFuture<'_, StoreResult<u64>> {
        Box::pin(read::head(&self.reader))
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.events.subscribe()
    }

    fn incident(
        &self,
        id: Uuid,
        viewer: &Viewer,
    ) -> BoxFuture<'_, StoreResult<Option<IncidentDetail>>> {
        let viewer = viewer.clone();
        Box::pin(async move { read::incident(&self.reader, id, &viewer).await })
    }

    fn search_incidents(
        &self,
        q: IncidentQuery,
        viewer: &Viewer,
    ) -> BoxFuture<'_, StoreResult<Page<Incident>>> {
        let viewer = viewer.clone();
        Box::pin(async move { read::search_incidents(&self.reader, q, &viewer).await })
    }

    fn tasks(&self, q: TaskQuery, viewer: &Viewer) -> BoxFuture<'_, StoreResult<Page<Task>>> {
        let viewer = viewer.clone();
        Box::pin(async move { read::tasks(&self.reader, q, &viewer).await })
    }

    fn agencies(&self, viewer: &Viewer) -> BoxFuture<'_, StoreResult<Vec<Agency>>> {
        let viewer = viewer.clone();
        Box::pin(async move { read::agencies(&self.reader, &viewer).await })
    }

    fn units(&self, viewer: &Viewer) -> BoxFuture<'_, StoreResult<Vec<Unit>>> {
        let viewer = viewer.clone();
        Box::pin(async move { read::units(&self.reader, &viewer).await })
    }

    fn officers(&self) -> BoxFuture<'_, StoreResult<Vec<OfficerRecord>>> {
        Box::pin(read::officers(&self.reader))
    }

    fn verify(&self, trust: &Trust) -> BoxFuture<'_, StoreResult<VerifyReport>> {
        let trust = trust.clone();
        Box::pin(async move { audit::verify(&self.reader, &trust).await })
    }

    fn beat(
        &self,
        instance: Uuid,
        present: Vec<crate::api::Presence>,
        window: std::time::Duration,
    ) -> BoxFuture<'_, StoreResult<()>> {
        let now = time::OffsetDateTime::now_utc();
        Box::pin(async move {
            super::presence::beat(&self.reader, instance, &present, now, window).await
        })
    }

    fn presence(
        &self,
        window: std::time::Duration,
    ) -> BoxFuture<'_, StoreResult<Vec<crate::api::Presence>>> {
        let now = time::OffsetDateTime::now_utc();
        Box::pin(super::presence::list(&self.reader, now, window))
    }

    fn shifts(
        &self,
        q: crate::api::ShiftQuery,
    ) -> BoxFuture<'_, StoreResult<Vec<crate::model::Shift>>> {
        Box::pin(async move { super::shifts::list(&self.reader, &q).await })
    }

    fn verify_rows(&self) -> BoxFuture<'_, StoreResult<VerifyReport>> {
        Box::pin(audit::verify_rows(&self.reader))
    }

    fn checkpoints(&self, after: u64, limit: u32) -> BoxFuture<'_, StoreResult<Vec<Event>>> {
        Box::pin(audit::checkpoints(&self.reader, after, limit))
    }

    fn report_sources(
        &self,
        centre: Centre,
        from: OffsetDateTime,
        to: OffsetDateTime,
        viewer: &Viewer,
    ) -> BoxFuture<'_, StoreResult<(Vec<Incident>, Vec<Task>)>> {
        use super::columns::millis;
        let viewer = viewer.clone();
        Box::pin(async move {
            read::report_sources(&self.reader, centre, millis(from), millis(to), &viewer).await
        })
    }

    fn stats(
        &self,
        by: crate::api::stats::StatsBy,
        (window_s, bucket_s): (i64, i64),
        now: OffsetDateTime,
        viewer: &Viewer,
    ) -> BoxFuture<'_, StoreResult<crate::api::stats::Stats>> {
        let viewer = viewer.clone();
        Box::pin(async move {
            let sla = crate::model::Sla::default();
            super::stats::stats(&self.reader, by, window_s, bucket_s, now, &sla, &viewer).await
        })
    }

    fn attention_state(
        &self,
        centre: Centre,
        now: OffsetDateTime,
    ) -> BoxFuture<'_, StoreResult<AttentionState>> {
        Box::pin(attention::state(&self.reader, centre, now))
    }

    fn incident_of(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Option<(Centre, String)>>> {
        Box::pin(attention::incident_of(&self.reader, id))
    }

    fn before(&self, entity_id: Uuid, seq: u64) -> BoxFuture<'_, StoreResult<Option<String>>> {
        Box::pin(attention::before(&self.reader, entity_id, seq))
    }

    fn seen(&self, officer: Uuid) -> BoxFuture<'_, StoreResult<HashSet<String>>> {
        Box::pin(attention::seen(&self.reader, officer))
    }

    fn mark_seen(&self, officer: Uuid, items: Vec<String>) -> BoxFuture<'_, StoreResult<()>> {
        let now = OffsetDateTime::now_utc();
        Box::pin(async move { attention::mark_seen(&self.reader, officer, &items, now).await })
    }
}
