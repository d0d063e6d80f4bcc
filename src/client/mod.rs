//! The HTTP client of the v1 API, shared by the console, the simulator and tests.
//!
//! Every mutation carries an Idempotency-Key chosen by the caller, so a retry
//! after a lost answer is harmless; every PATCH carries the version it was
//! based on.

pub mod cache;
pub mod call;
mod events;
pub mod mirror;
pub mod outbox;

pub use events::{EventStream, parse_sse};

use reqwest::{Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;
use uuid::Uuid;

use crate::api::*;

#[derive(Debug, Error)]
pub enum ClientError {
    /// The server answered with a problem.
    #[error("{0}")]
    Problem(Problem),
    /// The cursor is no longer served: take a new snapshot.
    #[error("the server no longer serves this cursor; a new snapshot is needed")]
    Gone,
    #[error("cannot reach the server: {0}")]
    Network(#[from] reqwest::Error),
    #[error("the server sent something unreadable: {0}")]
    Decode(String),
}

impl ClientError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Problem(p) => Some(p.status),
            ClientError::Gone => Some(410),
            _ => None,
        }
    }

    /// Whether the request may be retried as is (the link, not the request, failed).
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Network(_) => true,
            ClientError::Problem(p) => p.status >= 500,
            _ => false,
        }
    }
}

pub type ClientResult<T> = Result<T, ClientError>;

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    pub fn new(server: &str, token: &str) -> ClientResult<Client> {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(5))
            .tcp_nodelay(true)
            .build()?;
        Ok(Client {
            http,
            base: server.trim_end_matches('/').to_string(),
            token: token.to_string(),
        })
    }

    pub fn server(&self) -> &str {
        &self.base
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    async fn send<T: DeserializeOwned>(&self, rb: reqwest::RequestBuilder) -> ClientResult<T> {
        let res = rb.send().await?;
        let status = res.status();
        let bytes = res.bytes().await?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()));
        }
        if status == StatusCode::GONE {
            return Err(ClientError::Gone);
        }
        Err(ClientError::Problem(
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                Problem::new(
                    status.as_u16(),
                    "unexpected",
                    status.canonical_reason().unwrap_or("Error"),
                    String::from_utf8_lossy(&bytes)
                        .chars()
                        .take(300)
                        .collect::<String>(),
                )
            }),
        ))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> ClientResult<T> {
        self.send(self.request(Method::GET, path)).await
    }

    async fn mutate<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        key: &str,
        if_match: Option<u64>,
        body: &B,
    ) -> ClientResult<T> {
        let mut rb = self
            .request(method, path)
            .header(IDEMPOTENCY_KEY, key)
            .json(body);
        if let Some(v) = if_match {
            rb = rb.header(header::IF_MATCH, format!("\"{v}\""));
        }
        self.send(rb).await
    }

    pub async fn me(&self) -> ClientResult<Officer> {
        self.get("/api/v1/me").await
    }

    pub async fn snapshot(&self) -> ClientResult<Snapshot> {
        self.get("/api/v1/snapshot").await
    }

    pub async fn incident(&self, id: Uuid) -> ClientResult<IncidentDetail> {
        self.get(&format!("/api/v1/incidents/{id}")).await
    }

    pub async fn search(&self, q: &IncidentQuery) -> ClientResult<Page<Incident>> {
        self.send(self.request(Method::GET, "/api/v1/incidents").query(q))
            .await
    }

    pub async fn tasks(&self, q: &TaskQuery) -> ClientResult<Page<Task>> {
        self.send(self.request(Method::GET, "/api/v1/tasks").query(q))
            .await
    }

    pub async fn agencies(&self) -> ClientResult<Vec<Agency>> {
        self.get("/api/v1/agencies").await
    }

    pub async fn units(&self) -> ClientResult<Vec<Unit>> {
        self.get("/api/v1/units").await
    }

    pub async fn verify(&self) -> ClientResult<VerifyReport> {
        self.get("/api/v1/audit/verify").await
    }

    pub async fn create_incident(&self, key: &str, new: &NewIncident) -> ClientResult<Incident> {
        self.mutate(Method::POST, "/api/v1/incidents", key, None, new)
            .await
    }

    pub async fn patch_incident(
        &self,
        key: &str,
        id: Uuid,
        version: u64,
        patch: &IncidentPatch,
    ) -> ClientResult<Incident> {
        self.mutate(
            Method::PATCH,
            &format!("/api/v1/incidents/{id}"),
            key,
            Some(version),
            patch,
        )
        .await
    }

    pub async fn add_note(&self, key: &str, incident: Uuid, text: &str) -> ClientResult<Note> {
        let body = NewNote {
            text: text.to_string(),
        };
        self.mutate(
            Method::POST,
            &format!("/api/v1/incidents/{incident}/notes"),
            key,
            None,
            &body,
        )
        .await
    }

    pub async fn create_task(
        &self,
        key: &str,
        incident: Uuid,
        task: &NewTask,
    ) -> ClientResult<Task> {
        self.mutate(
            Method::POST,
            &format!("/api/v1/incidents/{incident}/tasks"),
            key,
            None,
            task,
        )
        .await
    }

    pub async fn patch_task(
        &self,
        key: &str,
        id: Uuid,
        version: u64,
        patch: &TaskPatch,
    ) -> ClientResult<Task> {
        self.mutate(
            Method::PATCH,
            &format!("/api/v1/tasks/{id}"),
            key,
            Some(version),
            patch,
        )
        .await
    }

    pub async fn patch_unit(
        &self,
        key: &str,
        id: Uuid,
        version: u64,
        patch: &UnitPatch,
    ) -> ClientResult<Unit> {
        self.mutate(
            Method::PATCH,
            &format!("/api/v1/units/{id}"),
            key,
            Some(version),
            patch,
        )
        .await
    }

    pub async fn merge(&self, key: &str, id: Uuid, into: Uuid) -> ClientResult<MergeResult> {
        self.mutate(
            Method::POST,
            &format!("/api/v1/incidents/{id}/merge"),
            key,
            None,
            &MergeRequest { into },
        )
        .await
    }

    /// Opens the live event stream after `after` (the seq of the state already held).
    pub async fn events(&self, after: u64) -> ClientResult<EventStream> {
        let res = self
            .request(Method::GET, "/api/v1/events")
            .header("last-event-id", after.to_string())
            .header(header::ACCEPT, "text/event-stream")
            .send()
            .await?;
        match res.status() {
            StatusCode::OK => Ok(EventStream::new(res)),
            StatusCode::GONE => Err(ClientError::Gone),
            status => {
                let bytes = res.bytes().await?;
                Err(ClientError::Problem(
                    serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                        Problem::new(
                            status.as_u16(),
                            "unexpected",
                            "event stream refused",
                            String::from_utf8_lossy(&bytes),
                        )
                    }),
                ))
            }
        }
    }
}

/// A fresh idempotency key for one intended change.
pub fn new_key() -> String {
    Uuid::now_v7().to_string()
}
