//! The record's checks from the client side: verification on the server,
//! the whole log page by page (auditor accounts), and a witness's alarm.

use reqwest::Method;

use super::{Client, ClientResult};
use crate::api::{LogPage, VerifyReport, WitnessAlarm};

impl Client {
    pub async fn verify(&self) -> ClientResult<VerifyReport> {
        self.get("/api/v1/audit/verify").await
    }

    /// The server's check of its rows against the log, without the chain walk.
    pub async fn verify_rows(&self) -> ClientResult<VerifyReport> {
        self.send(
            self.request(Method::GET, "/api/v1/audit/verify")
                .query(&[("scope", "rows")]),
        )
        .await
    }

    /// Up to `limit` events after `after`, whole, with the head now.
    pub async fn log(&self, after: u64, limit: u32) -> ClientResult<LogPage> {
        let q = [("after", after.to_string()), ("limit", limit.to_string())];
        self.send(self.request(Method::GET, "/api/v1/audit/log").query(&q))
            .await
    }

    pub async fn raise_alarm(&self, key: &str, alarm: &WitnessAlarm) -> ClientResult<WitnessAlarm> {
        self.mutate(Method::POST, "/api/v1/audit/alarms", key, None, alarm)
            .await
    }
}
