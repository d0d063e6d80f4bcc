//! What a client trusts and how it proves itself over HTTPS: the system's
//! roots plus a deployment's own CA (`ca_file`), and optionally a client
//! certificate for mutual TLS (`client_cert` + `client_key`).

use std::path::{Path, PathBuf};

use super::ClientError;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Extra CA certificates (PEM) trusted beside the system's roots.
    pub ca_file: Option<PathBuf>,
    /// Client certificate chain (PEM) presented when the server asks.
    pub client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub client_key: Option<PathBuf>,
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, ClientError> {
    std::fs::read(path).map_err(|e| ClientError::Tls(format!("{what} {}: {e}", path.display())))
}

impl TlsOptions {
    /// `builder` set up to trust and present what these options name.
    pub fn apply(
        &self,
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, ClientError> {
        let mut builder = builder;
        if let Some(ca) = &self.ca_file {
            let certs = reqwest::Certificate::from_pem_bundle(&read(ca, "ca_file")?)
                .map_err(|e| ClientError::Tls(format!("ca_file {}: {e}", ca.display())))?;
            if certs.is_empty() {
                return Err(ClientError::Tls(format!(
                    "ca_file {} holds no PEM certificate",
                    ca.display()
                )));
            }
            builder = builder.tls_certs_merge(certs);
        }
        match (&self.client_cert, &self.client_key) {
            (None, None) => {}
            (Some(cert), Some(key)) => {
                let mut pem = read(cert, "client_cert")?;
                pem.push(b'\n');
                pem.extend(read(key, "client_key")?);
                let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
                    ClientError::Tls(format!(
                        "client_cert {} with client_key {}: {e}",
                        cert.display(),
                        key.display()
                    ))
                })?;
                builder = builder.identity(identity);
            }
            _ => {
                return Err(ClientError::Tls(
                    "client_cert and client_key go together: set both or neither".into(),
                ));
            }
        }
        Ok(builder)
    }
}
