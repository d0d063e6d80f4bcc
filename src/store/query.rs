//! Pieces of reading shared by every backend: page sizes, cursors, times,
//! and the chunked writer a streamed snapshot is built with.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::mpsc;

use super::{StoreError, StoreResult};
use crate::model::DomainError;

pub const PAGE_DEFAULT: u32 = 100;
pub use crate::api::PAGE_MAX;
/// Longest free-text search and cursor accepted.
const TEXT_MAX: usize = 200;
/// Bytes per chunk of a streamed snapshot.
pub const SNAPSHOT_CHUNK: usize = 256 * 1024;
/// Rows the database concatenates per query while streaming a snapshot.
pub const SNAPSHOT_PAGE: usize = 2000;

/// The page size asked for: 1 to [`PAGE_MAX`], [`PAGE_DEFAULT`] when not given.
pub fn limit(asked: Option<u32>) -> StoreResult<u32> {
    match asked {
        None => Ok(PAGE_DEFAULT),
        Some(n) if (1..=PAGE_MAX).contains(&n) => Ok(n),
        Some(n) => Err(DomainError::invalid(
            "limit",
            format!("{n} is outside 1..={PAGE_MAX}; page through larger results with `cursor`"),
        )
        .into()),
    }
}

/// A text parameter's length, checked before it reaches a query.
pub fn bounded<'a>(field: &str, value: &'a str) -> StoreResult<&'a str> {
    if value.chars().count() > TEXT_MAX {
        return Err(
            DomainError::invalid(field, format!("is longer than {TEXT_MAX} characters")).into(),
        );
    }
    Ok(value)
}

/// An RFC 3339 time as milliseconds since the epoch.
pub fn parse_time(field: &str, value: &str) -> StoreResult<i64> {
    OffsetDateTime::parse(value, &Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| {
            DomainError::invalid(
                field,
                format!(
                    "`{}` is not an RFC 3339 time such as 2026-11-30T14:02:00Z",
                    crate::model::validate::excerpt(value, 40)
                ),
            )
            .into()
        })
}

/// Cursor: `<reported_at_ms>:<id>` of the last row of the previous page.
pub fn parse_cursor(c: &str) -> StoreResult<(i64, String)> {
    bounded("cursor", c)?
        .split_once(':')
        .and_then(|(ms, id)| Some((ms.parse().ok()?, id.to_string())))
        .ok_or_else(|| DomainError::invalid("cursor", "is not a cursor this server issued").into())
}

/// Builds a JSON document in chunks sent down a channel as they fill.
pub struct Chunker<'a> {
    buf: String,
    out: &'a mpsc::Sender<StoreResult<String>>,
    first_item: bool,
}

impl<'a> Chunker<'a> {
    pub fn new(out: &'a mpsc::Sender<StoreResult<String>>) -> Self {
        Chunker {
            buf: String::with_capacity(SNAPSHOT_CHUNK + 4096),
            out,
            first_item: true,
        }
    }

    pub async fn push(&mut self, s: &str) -> StoreResult<()> {
        self.buf.push_str(s);
        if self.buf.len() >= SNAPSHOT_CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    pub async fn flush(&mut self) -> StoreResult<()> {
        let chunk = std::mem::replace(&mut self.buf, String::with_capacity(SNAPSHOT_CHUNK + 4096));
        self.out
            .send(Ok(chunk))
            .await
            .map_err(|_| StoreError::Unavailable("snapshot reader went away".into()))
    }

    /// Starts `,"name":[`.
    pub async fn begin_array(&mut self, name: &str) -> StoreResult<()> {
        self.first_item = true;
        self.push(&format!(",\"{name}\":[")).await
    }

    /// Appends one JSON value, or several already joined by commas.
    pub async fn item(&mut self, json: &str) -> StoreResult<()> {
        if !self.first_item {
            self.buf.push(',');
        }
        self.first_item = false;
        self.push(json).await
    }

    pub async fn end_array(&mut self) -> StoreResult<()> {
        self.push("]").await
    }
}
