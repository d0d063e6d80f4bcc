//! A real server on 127.0.0.1 (port 0) over a fresh SQLite file, seeded, with one officer per role.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use tandem::admin;
use tandem::api::{Agency, Incident, NewIncident, NewTask, Task, Unit};
use tandem::client::{Client, new_key};
use tandem::demo::seed::Seed;
use tandem::model::Location;
use tandem::model::{Category, Centre, Officer, Role, Severity};
use tandem::server::{self, Running};
use tandem::store::{self, Store};

pub struct TestServer {
    pub url: String,
    pub store: Arc<dyn Store>,
    pub db_path: std::path::PathBuf,
    pub officers: HashMap<Role, (Officer, String)>,
    /// The agency the liaison acts for, and one it does not.
    pub agency: Agency,
    pub other_agency: Agency,
    running: Option<Running>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("tandem.db");
        let store = store::open(db_path.to_str().unwrap()).await.unwrap();
        Seed::embedded().load(store.as_ref()).await.unwrap();
        let agencies = store.agencies().await.unwrap();
        let agency = agencies.iter().find(|a| a.code == "LCG-W").unwrap().clone();
        let other_agency = agencies.iter().find(|a| a.code == "LBG-E").unwrap().clone();
        let mut officers = HashMap::new();
        for role in Role::ALL {
            let agency_code = (*role == Role::Liaison).then_some("LCG-W");
            let o = admin::add_officer(
                store.as_ref(),
                &format!("{role} officer"),
                *role,
                Centre::Trp,
                agency_code,
            )
            .await
            .unwrap();
            officers.insert(*role, o);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = server::spawn(store.clone(), listener).unwrap();
        TestServer {
            url: format!("http://{}", running.addr),
            store,
            db_path,
            officers,
            agency,
            other_agency,
            running: Some(running),
            _dir: dir,
        }
    }

    pub fn token(&self, role: Role) -> &str {
        &self.officers[&role].1
    }

    pub fn officer(&self, role: Role) -> &Officer {
        &self.officers[&role].0
    }

    pub fn client(&self, role: Role) -> Client {
        Client::new(&self.url, self.token(role)).unwrap()
    }

    pub async fn head(&self) -> u64 {
        self.store.head().await.unwrap()
    }

    pub async fn shutdown(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await.unwrap();
        }
    }

    /// A new incident reported by the duty officer.
    pub async fn incident(&self, title: &str) -> Incident {
        self.client(Role::DutyOfficer)
            .create_incident(&new_key(), &new_incident(title))
            .await
            .unwrap()
    }

    /// A task for the liaison's agency on `incident`.
    pub async fn task(&self, incident: &Incident) -> Task {
        self.client(Role::DutyOfficer)
            .create_task(
                &new_key(),
                incident.id,
                &NewTask {
                    agency_id: self.agency.id,
                    title: "Intercept the boat off Zuwara".into(),
                    unit_id: None,
                    priority: None,
                    due_at: None,
                },
            )
            .await
            .unwrap()
    }

    pub async fn unit_of(&self, agency: &Agency) -> Unit {
        self.store
            .units()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.agency_id == agency.id)
            .unwrap()
    }
}

pub fn new_incident(title: &str) -> NewIncident {
    NewIncident {
        title: title.to_string(),
        category: Category::SmugglingFuel,
        severity: Severity::High,
        location: Location {
            lat: 33.1494989,
            lon: 11.5679306,
            sector: Some("Ras Ajdir".into()),
            crossing: Some("Ras Ajdir".into()),
        },
        description: "Tanker trucks queuing off-road south of the crossing".into(),
        source: None,
        occurred_at: None,
        centre: None,
        lead_agency_id: None,
        supporting_agency_ids: vec![],
        tags: vec![],
    }
}
