//! `tandem export incidents`: the export endpoint's stream written to a
//! file as it arrives — into `FILE.part`, renamed to FILE only once the
//! server has sent the end, so a cut-short export never passes for whole.

use std::path::Path;

use anyhow::Context;
use futures::StreamExt;
use reqwest::Method;
use tokio::io::AsyncWriteExt;

use super::{Client, ClientError, refusal};
use crate::api::export::ExportQuery;

impl Client {
    /// Streams the incidents `q` finds into `out`; returns the bytes written.
    pub async fn export_incidents(&self, q: &ExportQuery, out: &Path) -> anyhow::Result<u64> {
        let req = self
            .request(Method::GET, "/api/v1/export/incidents")
            .query(q);
        let res = self.dispatch(req).await?;
        if !res.status().is_success() {
            return Err(refusal(res).await.into());
        }
        let part = out.with_extension(match out.extension() {
            Some(e) => format!("{}.part", e.to_string_lossy()),
            None => "part".into(),
        });
        let streamed = async {
            let mut file = tokio::fs::File::create(&part)
                .await
                .with_context(|| format!("creating {}", part.display()))?;
            let mut written = 0u64;
            let mut body = res.bytes_stream();
            while let Some(chunk) = body.next().await {
                let chunk = chunk
                    .map_err(ClientError::Network)
                    .context("the export was cut short; nothing was written to the file")?;
                file.write_all(&chunk).await?;
                written += chunk.len() as u64;
            }
            file.sync_all().await?;
            tokio::fs::rename(&part, out)
                .await
                .with_context(|| format!("moving {} to {}", part.display(), out.display()))?;
            anyhow::Ok(written)
        }
        .await;
        if streamed.is_err() {
            let _ = tokio::fs::remove_file(&part).await;
        }
        streamed
    }
}
