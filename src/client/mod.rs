//! The HTTP client of the v1 API, shared by the console, the simulator and tests.
//!
//! Every mutation carries an Idempotency-Key chosen by the caller, so a retry
//! after a lost answer is harmless; every PATCH carries the version it was
//! based on.

mod audit;
pub mod cache;
pub mod call;
mod events;
mod export;
pub mod mirror;
pub mod outbox;
pub mod report;
mod shifts;
mod tls;

pub use events::{EventStream, parse_sse};
pub use tls::TlsOptions;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;
use tokio_util::io::{StreamReader, SyncIoBridge};
use uuid::Uuid;

use crate::api::*;

#[derive(Debug, Error)]
pub enum ClientError {
    /// The server answered with a problem.
    #[error("{0}")]
    Problem(Box<Problem>),
    /// The cursor is no longer served: take a new snapshot.
    #[error("the server no longer serves this cursor; a new snapshot is needed")]
    Gone,
    #[error("cannot reach the server: {0}")]
    Network(#[from] reqwest::Error),
    #[error("the server sent something unreadable: {0}")]
    Decode(String),
    /// A certificate or key named in the settings cannot be used.
    #[error("TLS settings: {0}")]
    Tls(String),
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

/// Silence after which a link counts as dead. The server sends a heartbeat
/// after 15 s without an event, so a live stream is never this quiet.
pub const LINK_TIMEOUT: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The API client. It knows every instance it may use and moves to the
/// next one when the current one cannot be reached (failover); whichever
/// instance answers, the data is the same (one shared database).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    servers: Arc<[String]>,
    current: Arc<AtomicUsize>,
    /// Shared by every clone: a rotated token is used by all at once.
    token: Arc<std::sync::RwLock<String>>,
}

/// A request and the instance it was built for.
struct Req {
    rb: reqwest::RequestBuilder,
    server: usize,
}

impl Req {
    fn query<T: Serialize + ?Sized>(mut self, q: &T) -> Req {
        self.rb = self.rb.query(q);
        self
    }
}

impl Client {
    pub fn new(server: &str, token: &str) -> ClientResult<Client> {
        Client::with_servers(&[server.to_string()], token)
    }

    /// A client for several instances of one deployment, tried in turn.
    pub fn with_servers(servers: &[String], token: &str) -> ClientResult<Client> {
        Client::configured(servers, token, LINK_TIMEOUT, &TlsOptions::default())
    }

    /// [`Client::with_servers`] that counts a link silent for `link_timeout`
    /// as dead (no answer, or no byte of a body, the event stream's heartbeat
    /// included, within it fails the request as a network error) and trusts
    /// and presents what `tls` names.
    pub fn configured(
        servers: &[String],
        token: &str,
        link_timeout: Duration,
        tls: &TlsOptions,
    ) -> ClientResult<Client> {
        let builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT.min(link_timeout))
            .read_timeout(link_timeout)
            .tcp_nodelay(true);
        let http = tls.apply(builder)?.build()?;
        let servers: Vec<String> = servers
            .iter()
            .map(|s| s.trim().trim_end_matches('/').to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if servers.is_empty() {
            return Err(ClientError::Decode("no server URL given".into()));
        }
        Ok(Client {
            http,
            servers: servers.into(),
            current: Arc::new(AtomicUsize::new(0)),
            token: Arc::new(std::sync::RwLock::new(token.to_string())),
        })
    }

    /// The instance in use now.
    pub fn server(&self) -> &str {
        &self.servers[self.current.load(Ordering::SeqCst) % self.servers.len()]
    }

    fn request(&self, method: Method, path: &str) -> Req {
        let server = self.current.load(Ordering::SeqCst) % self.servers.len();
        let token = self.token.read().unwrap_or_else(|p| p.into_inner()).clone();
        let rb = self
            .http
            .request(method, format!("{}{path}", self.servers[server]))
            .bearer_auth(token);
        Req { rb, server }
    }

    /// After a network failure on `server`, move on to the next instance
    /// (once, however many requests failed on it at the same time).
    fn failed(&self, server: usize) {
        let _ = self.current.compare_exchange(
            server,
            (server + 1) % self.servers.len(),
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
    }

    async fn dispatch(&self, req: Req) -> ClientResult<reqwest::Response> {
        req.rb.send().await.map_err(|e| {
            self.failed(req.server);
            ClientError::Network(e)
        })
    }

    async fn send<T: DeserializeOwned>(&self, req: Req) -> ClientResult<T> {
        let res = self.dispatch(req).await?;
        if !res.status().is_success() {
            return Err(refusal(res).await);
        }
        let bytes = res.bytes().await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
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
        let mut req = self.request(method, path);
        req.rb = req.rb.header(IDEMPOTENCY_KEY, key).json(body);
        if let Some(v) = if_match {
            req.rb = req.rb.header(header::IF_MATCH, format!("\"{v}\""));
        }
        self.send(req).await
    }

    /// Asks for a new token for this officer (the one in use stays valid a
    /// few minutes more) and uses it from now on, in every clone.
    pub async fn rotate_token(&self, key: &str, hours: Option<u32>) -> ClientResult<IssuedToken> {
        let issued: IssuedToken = self
            .mutate(
                Method::POST,
                "/api/v1/me/token",
                key,
                None,
                &RotateToken { hours },
            )
            .await?;
        *self.token.write().unwrap_or_else(|p| p.into_inner()) = issued.token.clone();
        Ok(issued)
    }

    pub async fn me(&self) -> ClientResult<Officer> {
        self.get("/api/v1/me").await
    }

    /// The signed-in officer with their token's record (its expiry).
    pub async fn whoami(&self) -> ClientResult<Me> {
        self.get("/api/v1/me").await
    }

    /// The snapshot, decoded as it arrives: a large one is never held as
    /// text beside its decoded form (169 MB of JSON for 100k incidents).
    pub async fn snapshot(&self) -> ClientResult<Snapshot> {
        let res = self
            .dispatch(self.request(Method::GET, "/api/v1/snapshot"))
            .await?;
        if !res.status().is_success() {
            return Err(refusal(res).await);
        }
        let body =
            futures::StreamExt::map(res.bytes_stream(), |c| c.map_err(std::io::Error::other));
        let reader = SyncIoBridge::new(StreamReader::new(body));
        let decode =
            move || serde_json::from_reader(std::io::BufReader::with_capacity(256 * 1024, reader));
        match tokio::task::spawn_blocking(decode).await {
            Ok(Ok(snapshot)) => Ok(snapshot),
            Ok(Err(e)) => Err(body_error(e)),
            Err(e) => Err(ClientError::Decode(format!("decoding the snapshot: {e}"))),
        }
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

    /// A step of a handover: ask, accept or decline.
    pub async fn handover(
        &self,
        key: &str,
        id: Uuid,
        step: &call::HandoverStep,
    ) -> ClientResult<Incident> {
        use crate::model::ownership::{HandoverAsk, Reason};
        let path = format!("/api/v1/incidents/{id}/handover");
        match step {
            call::HandoverStep::Ask { to, note } => {
                let ask = HandoverAsk {
                    to: *to,
                    note: note.clone(),
                };
                self.mutate(Method::POST, &path, key, None, &ask).await
            }
            call::HandoverStep::Accept => {
                let empty = serde_json::json!({});
                self.mutate(Method::POST, &format!("{path}/accept"), key, None, &empty)
                    .await
            }
            call::HandoverStep::Decline { reason } => {
                let reason = Reason {
                    reason: reason.clone(),
                };
                self.mutate(Method::POST, &format!("{path}/decline"), key, None, &reason)
                    .await
            }
        }
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
        let mut req = self.request(Method::GET, "/api/v1/events");
        req.rb = req
            .rb
            .header("last-event-id", after.to_string())
            .header(header::ACCEPT, "text/event-stream");
        let res = self.dispatch(req).await?;
        match res.status() {
            StatusCode::OK => Ok(EventStream::new(res)),
            _ => Err(refusal(res).await),
        }
    }
}

/// A fresh idempotency key for one intended change.
pub fn new_key() -> String {
    Uuid::now_v7().to_string()
}

/// The error an unsuccessful answer stands for.
async fn refusal(res: reqwest::Response) -> ClientError {
    let status = res.status();
    if status == StatusCode::GONE {
        return ClientError::Gone;
    }
    let bytes = match res.bytes().await {
        Ok(b) => b,
        Err(e) => return ClientError::Network(e),
    };
    ClientError::Problem(Box::new(serde_json::from_slice(&bytes).unwrap_or_else(
        |_| {
            Problem::new(
                status.as_u16(),
                "unexpected",
                status.canonical_reason().unwrap_or("Error"),
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(300)
                    .collect::<String>(),
            )
        },
    )))
}

/// A streamed body's decoding error: the link's failure when the link failed
/// (so it is retried), the server's text otherwise.
fn body_error(e: serde_json::Error) -> ClientError {
    if e.is_io() {
        let io = std::io::Error::from(e);
        let text = io.to_string();
        return match io
            .into_inner()
            .map(|inner| inner.downcast::<reqwest::Error>())
        {
            Some(Ok(link)) => ClientError::Network(*link),
            _ => ClientError::Decode(text),
        };
    }
    ClientError::Decode(e.to_string())
}
