//! `tandem admin tls self-signed`: a certificate authority, a server
//! certificate and one client certificate per centre, for a test deployment
//! of HTTPS and mutual TLS. A real deployment uses its administration's CA.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

use crate::model::Centre;

/// What was written, for the operator to see.
#[derive(Debug)]
pub struct Written {
    pub files: Vec<PathBuf>,
}

/// Writes `ca.pem`, `server.pem` + `server-key.pem` (valid for `hosts`) and
/// `client-TRP.pem` + `client-TRP-key.pem` (and BEN) into `dir`. Keys are
/// written 0600; the CA's key is not kept, so nothing more can be signed
/// with it.
pub fn self_signed(dir: &Path, hosts: &[String]) -> anyhow::Result<Written> {
    if hosts.is_empty() {
        anyhow::bail!("name at least one host the server is reached by (--host localhost)");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Tandem test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate()?)?;
    let mut written = Written { files: Vec::new() };
    let mut write = |name: &str, text: &str, secret: bool| -> anyhow::Result<()> {
        let path = dir.join(name);
        crate::paths::write_file(&path, text.as_bytes(), secret)?;
        written.files.push(path);
        Ok(())
    };
    write("ca.pem", &ca.pem(), false)?;

    let mut server = CertificateParams::new(hosts.to_vec())
        .context("a --host is not a valid DNS name or IP address")?;
    server
        .distinguished_name
        .push(DnType::CommonName, hosts.first().map_or("tandem", |h| h));
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate()?;
    let cert = server.signed_by(&key, &ca)?;
    write("server.pem", &cert.pem(), false)?;
    write("server-key.pem", &key.serialize_pem(), true)?;

    for centre in [Centre::Trp, Centre::Ben] {
        let mut client = CertificateParams::new(Vec::<String>::new())?;
        client
            .distinguished_name
            .push(DnType::CommonName, format!("tandem-{centre}"));
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate()?;
        let cert = client.signed_by(&key, &ca)?;
        write(&format!("client-{centre}.pem"), &cert.pem(), false)?;
        write(
            &format!("client-{centre}-key.pem"),
            &key.serialize_pem(),
            true,
        )?;
    }
    Ok(written)
}
