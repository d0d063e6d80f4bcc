//! HTTPS for `tandem serve`: a rustls acceptor from PEM files, TLS 1.2 and
//! 1.3 only, optionally demanding client certificates signed by one CA
//! (mutual TLS, for the link between the centres); and the rule that plain
//! HTTP is served on loopback only unless the operator insists.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use thiserror::Error;
use tokio_rustls::TlsAcceptor;

/// The files a TLS listener is made from.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// When set, every client must present a certificate signed by this CA.
    pub client_ca: Option<PathBuf>,
}

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("{path}: {why}")]
    File { path: String, why: String },
    #[error("the TLS settings do not fit together: {0}")]
    Config(String),
}

fn file_error(path: &Path, why: impl std::fmt::Display) -> TlsError {
    TlsError::File {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

/// Every certificate in a PEM file; an error if there is none.
pub fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| file_error(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(path, e))?;
    if certs.is_empty() {
        return Err(file_error(
            path,
            "holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)",
        ));
    }
    Ok(certs)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| {
        file_error(
            path,
            format!("no private key read ({e}); expected PEM: -----BEGIN PRIVATE KEY-----"),
        )
    })
}

/// The process's one crypto provider (aws-lc-rs, as reqwest and sqlx use).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A TLS acceptor for `files`, speaking HTTP/2 and HTTP/1.1.
pub fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor, TlsError> {
    let certs = certificates(&files.cert)?;
    let key = private_key(&files.key)?;
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let builder = match &files.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in certificates(ca)? {
                roots.add(cert).map_err(|e| file_error(ca, e))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(roots.into(), provider())
                .build()
                .map_err(|e| file_error(ca, e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_single_cert(certs, key).map_err(|e| {
        TlsError::Config(format!(
            "{} and {}: {e}",
            files.cert.display(),
            files.key.display()
        ))
    })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Why `serve` will not start on `addrs` in plain HTTP, if it will not:
/// tokens and reports would cross the network readable by anyone on the path.
pub fn plain_http_refusal(addrs: &[SocketAddr], insecure_http: bool) -> Option<String> {
    let exposed: Vec<String> = addrs
        .iter()
        .filter(|a| !a.ip().is_loopback())
        .map(ToString::to_string)
        .collect();
    if exposed.is_empty() || insecure_http {
        return None;
    }
    Some(format!(
        "refusing to serve plain HTTP on {}: tokens and reports would cross the network \
         unencrypted. Give --tls-cert and --tls-key (see `tandem admin tls self-signed` for a \
         test deployment), listen on 127.0.0.1 behind a TLS proxy, or pass --insecure-http to \
         accept the risk",
        exposed.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback_unless_insisted() {
        let lo: SocketAddr = "127.0.0.1:8470".parse().unwrap();
        let lo6: SocketAddr = "[::1]:8470".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:8470".parse().unwrap();
        assert!(plain_http_refusal(&[lo, lo6], false).is_none());
        let refusal = plain_http_refusal(&[lo, any], false).unwrap();
        assert!(refusal.contains("0.0.0.0:8470") && refusal.contains("--insecure-http"));
        assert!(plain_http_refusal(&[any], true).is_none());
    }

    #[test]
    fn a_missing_or_empty_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let files = TlsFiles {
            cert: empty.clone(),
            key: dir.path().join("missing.pem"),
            client_ca: None,
        };
        let e = acceptor(&files).err().unwrap().to_string();
        assert!(
            e.contains("empty.pem") && e.contains("no certificate"),
            "{e}"
        );
    }
}
