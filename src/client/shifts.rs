//! Shifts from the client side: start the officer's own, end it with a
//! handover note, acknowledge a handover, list who is on duty; the
//! officer's attention queue and its seen-marks.

use reqwest::Method;
use uuid::Uuid;

use super::{Client, ClientResult};
use crate::api::{EndShift, Shift};
use crate::model::Centre;

impl Client {
    pub async fn start_shift(&self, key: &str) -> ClientResult<Shift> {
        self.mutate(
            Method::POST,
            "/api/v1/shifts",
            key,
            None,
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn end_shift(&self, key: &str, id: Uuid, note: &str) -> ClientResult<Shift> {
        let body = EndShift {
            handover_note: note.to_string(),
        };
        self.mutate(
            Method::POST,
            &format!("/api/v1/shifts/{id}/end"),
            key,
            None,
            &body,
        )
        .await
    }

    pub async fn acknowledge_handover(&self, key: &str, id: Uuid) -> ClientResult<Shift> {
        let path = format!("/api/v1/shifts/{id}/handover/ack");
        self.mutate(Method::POST, &path, key, None, &serde_json::json!({}))
            .await
    }

    /// The shift report of `centre` over `[from, to)`.
    pub async fn shift_report(
        &self,
        centre: Centre,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
    ) -> ClientResult<crate::model::report::ShiftReport> {
        let rfc = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        };
        let q = [
            ("centre", centre.as_str().to_string()),
            ("from", rfc(from)),
            ("to", rfc(to)),
        ];
        self.send(self.request(Method::GET, "/api/v1/reports/shift").query(&q))
            .await
    }

    /// Shifts of `centre`, newest first: on duty now, or ended.
    pub async fn shifts(&self, centre: Centre, on_duty: bool) -> ClientResult<Vec<Shift>> {
        let q = [
            ("centre", centre.as_str().to_string()),
            ("on_duty", on_duty.to_string()),
            ("limit", "50".to_string()),
        ];
        self.send(self.request(Method::GET, "/api/v1/shifts").query(&q))
            .await
    }
}

impl Client {
    /// What needs this officer now.
    pub async fn attention(&self) -> ClientResult<crate::api::AttentionQueue> {
        self.send(self.request(Method::GET, "/api/v1/attention"))
            .await
    }

    /// Marks attention items seen; the queue as it is then.
    pub async fn mark_seen(
        &self,
        key: &str,
        items: Vec<String>,
    ) -> ClientResult<crate::api::AttentionQueue> {
        let body = crate::api::MarkSeen { items };
        self.mutate(Method::POST, "/api/v1/attention/seen", key, None, &body)
            .await
    }
}
