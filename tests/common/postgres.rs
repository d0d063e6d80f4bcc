//! Several server instances over one fresh PostgreSQL database, for the
//! tests that need PostgreSQL itself (they run whenever
//! TANDEM_TEST_POSTGRES_URL is set; `.ci/run` sets it).

use std::sync::Arc;

use tandem::admin;
use tandem::model::{Centre, Role};
use tandem::reference::Seed;
use tandem::server::{self, Running};
use tandem::store::{self, Store};

pub struct Deployment {
    pub instances: Vec<(String, Option<Running>)>,
    pub store: Arc<dyn Store>,
    pub url: String,
    pub duty: String,
    pub observer: String,
    pub db: Option<(String, String)>,
}

impl Drop for Deployment {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.db.take() {
            super::drop_postgres(admin, name);
        }
    }
}

/// A fresh database with `n` instances serving it; None when no PostgreSQL is configured.
pub async fn deployment(n: usize) -> Option<Deployment> {
    if std::env::var("TANDEM_TEST_POSTGRES_URL").is_err() {
        // CI must run them: a skipped test there would read as a pass.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but TANDEM_TEST_POSTGRES_URL is not: the PostgreSQL tests must run"
        );
        eprintln!("TANDEM_TEST_POSTGRES_URL is not set: PostgreSQL test skipped");
        return None;
    }
    let (admin_url, name, url) = super::fresh_postgres().await;
    let first = store::open(&url).await.unwrap();
    admin::load_seed(&Seed::embedded(), first.as_ref())
        .await
        .unwrap();
    let (_, duty) = admin::add_officer(
        first.as_ref(),
        "Salem",
        Role::DutyOfficer,
        Centre::Trp,
        None,
    )
    .await
    .unwrap();
    let (_, observer) =
        admin::add_officer(first.as_ref(), "Watcher", Role::Observer, Centre::Ben, None)
            .await
            .unwrap();
    let mut instances = Vec::new();
    for i in 0..n {
        let s = if i == 0 {
            first.clone()
        } else {
            store::open(&url).await.unwrap()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = server::spawn(s, listener).unwrap();
        instances.push((format!("http://{}", running.addr), Some(running)));
    }
    Some(Deployment {
        instances,
        store: first,
        url,
        duty,
        observer,
        db: Some((admin_url, name)),
    })
}
