//! SQLite's side of group commit ([`Bulk`]): multi-row statements for the
//! rows a batch buffered, single reads for what a command needs.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::model::marking::incident_audience;
use crate::model::{Agency, Incident, Note, Task, Unit};
use crate::store::buffer::{Answer, Bulk};
use crate::store::columns::{awaiting, due_ms, millis, search_text, triaged_ms};
use crate::store::{Logged, StoreResult};

/// Rows per multi-row INSERT: well under SQLite's 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 500;

impl Bulk for SqliteConnection {
    async fn write_incidents(&mut self, rows: &[(Incident, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT OR REPLACE INTO incidents (id, reference, centre, status, severity, category, \
                 lead_agency_id, is_open, closed_at_ms, reported_at_ms, search, version, data, audience, \
                 awaiting, sector, triaged_at_ms) ",
            );
            b.push_values(chunk, |mut r, (i, json)| {
                r.push_bind(i.id.to_string())
                    .push_bind(i.reference.clone())
                    .push_bind(i.centre.as_str())
                    .push_bind(i.status.as_str())
                    .push_bind(i.severity.as_str())
                    .push_bind(i.category.as_str())
                    .push_bind(i.lead_agency_id.map(|a| a.to_string()))
                    .push_bind(i.status.is_open())
                    .push_bind(i.closed_at.map(millis))
                    .push_bind(millis(i.reported_at))
                    .push_bind(search_text(i))
                    .push_bind(i.version as i64)
                    .push_bind(json.clone())
                    .push_bind(incident_audience(i))
                    .push_bind(awaiting(i))
                    .push_bind(i.location.sector.clone())
                    .push_bind(triaged_ms(i));
            });
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_tasks(&mut self, rows: &[(Task, String, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT OR REPLACE INTO tasks (id, incident_id, agency_id, status, is_open, version, data, \
                 audience, unit_id, due_at_ms) ",
            );
            b.push_values(chunk, |mut r, (t, json, audience)| {
                r.push_bind(t.id.to_string())
                    .push_bind(t.incident_id.to_string())
                    .push_bind(t.agency_id.to_string())
                    .push_bind(t.status.as_str())
                    .push_bind(t.status.is_open())
                    .push_bind(t.version as i64)
                    .push_bind(json.clone())
                    .push_bind(audience.clone())
                    .push_bind(t.unit_id.map(|u| u.to_string()))
                    .push_bind(due_ms(t));
            });
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_notes(&mut self, rows: &[(Note, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO notes (id, incident_id, at_ms, data) ");
            b.push_values(chunk, |mut r, (n, json)| {
                r.push_bind(n.id.to_string())
                    .push_bind(n.incident_id.to_string())
                    .push_bind(millis(n.at))
                    .push_bind(json.clone());
            });
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_units(&mut self, rows: &[(Unit, String)]) -> StoreResult<()> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT OR REPLACE INTO units (id, agency_id, callsign, version, data) ",
            );
            b.push_values(chunk, |mut r, (u, json)| {
                r.push_bind(u.id.to_string())
                    .push_bind(u.agency_id.to_string())
                    .push_bind(u.callsign.clone())
                    .push_bind(u.version as i64)
                    .push_bind(json.clone());
            });
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_agency(&mut self, a: &Agency, json: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT OR REPLACE INTO agencies (id, code, version, data) VALUES (?, ?, ?, ?)",
        )
        .bind(a.id.to_string())
        .bind(&a.code)
        .bind(a.version as i64)
        .bind(json)
        .execute(&mut *self)
        .await?;
        Ok(())
    }

    async fn write_events(&mut self, events: &[Logged]) -> StoreResult<()> {
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO events (seq, at, actor, kind, entity, entity_id, version, data, prev_hash, hash, \
                 audience, was_audience) ",
            );
            b.push_values(chunk, |mut r, logged| {
                let e = &logged.event;
                r.push_bind(e.seq as i64)
                    .push_bind(e.at.clone())
                    .push_bind(e.actor.clone())
                    .push_bind(e.kind.as_str())
                    .push_bind(e.entity.as_str())
                    .push_bind(e.entity_id.to_string())
                    .push_bind(e.version as i64)
                    .push_bind(e.data.get().to_string())
                    .push_bind(e.prev_hash.clone())
                    .push_bind(e.hash.clone())
                    .push_bind(logged.audience.clone())
                    .push_bind(logged.was.clone());
            });
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_answers(&mut self, answers: &[Answer]) -> StoreResult<()> {
        for chunk in answers.chunks(ROWS_PER_STATEMENT) {
            let mut b: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO idempotency (actor, key, request_hash, status, etag, body, at) ",
            );
            b.push_values(chunk, |mut r, (actor, key, hash, o, at)| {
                r.push_bind(actor.clone())
                    .push_bind(key.clone())
                    .push_bind(hash.clone())
                    .push_bind(o.status as i64)
                    .push_bind(o.etag.map(|v| v as i64))
                    .push_bind(o.body.clone())
                    .push_bind(*at);
            });
            b.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn write_counters(&mut self, counters: &[(String, i32, u32)]) -> StoreResult<()> {
        for (centre, year, n) in counters {
            sqlx::query("INSERT INTO reference_counters (centre, year, n) VALUES (?, ?, ?) ON CONFLICT (centre, year) DO UPDATE SET n = excluded.n")
                .bind(centre)
                .bind(year)
                .bind(*n as i64)
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }
}
