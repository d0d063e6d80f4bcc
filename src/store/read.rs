//! Reads, written once for every backend: the event log, an incident's
//! detail, search, task lists, the audit walk.
//!
//! The SQL is shared: SQLite and PostgreSQL both take `$n` placeholders, and
//! where the dialects differ the [`Reader`] says how.

use std::fmt::Write as _;

use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::query::{self, parse_cursor, parse_time};
use super::reader::Reader;
use super::roster;
use super::sql::{Bind, EVENT_COLUMNS};
use super::{Credential, Logged, OfficerRecord, StoreResult};
use crate::api::{Agency, IncidentDetail, IncidentQuery, Page, TaskQuery};
use crate::model::{EntityKind, Event, Incident, Note, Task, Unit, Viewer};

/// SQL text with its binds, numbering placeholders as they are pushed.
#[derive(Default)]
pub(super) struct Sql {
    pub(super) text: String,
    pub(super) binds: Vec<Bind>,
}

impl Sql {
    pub(super) fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            binds: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder and binds `value` to it.
    pub(super) fn bind(&mut self, value: Bind) -> &mut Sql {
        self.binds.push(value);
        let _ = write!(self.text, "${}", self.binds.len());
        self
    }

    fn next_placeholder(&self) -> String {
        format!("${}", self.binds.len() + 1)
    }
}

fn text(s: impl Into<String>) -> Bind {
    Bind::Text(s.into())
}

pub async fn head<R: Reader>(r: &R) -> StoreResult<u64> {
    Ok(r.int("SELECT MAX(seq) FROM events".into(), vec![]).await? as u64)
}

pub async fn authenticate<R: Reader>(r: &R, token_hash: &str) -> StoreResult<Option<Credential>> {
    let sql = "SELECT o.data, t.data FROM tokens t JOIN officers o ON o.id = t.officer_id \
               WHERE t.hash = $1 AND NOT o.revoked";
    let rows = r.pairs(sql.into(), vec![text(token_hash)]).await?;
    let Some((officer, token)) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(Credential {
        officer: serde_json::from_str(officer)?,
        token: serde_json::from_str(token)?,
    }))
}

/// Agencies as `viewer` may see them (store::roster).
pub async fn agencies<R: Reader>(r: &R, viewer: &Viewer) -> StoreResult<Vec<Agency>> {
    Ok(roster::agencies(all(r, roster::AGENCIES).await?, viewer))
}

/// Units as `viewer` may see them: the agencies give each unit's region,
/// the open tasks naming units who else sees their positions.
pub async fn units<R: Reader>(r: &R, viewer: &Viewer) -> StoreResult<Vec<Unit>> {
    let agencies: Vec<Agency> = all(r, roster::AGENCIES).await?;
    let tasked = r.pairs(roster::TASKED.into(), vec![]).await?;
    let units = r.texts(roster::UNITS.into(), vec![]).await?;
    roster::units(&units, &agencies, &tasked, viewer)
}

/// Every row's `data` JSON, decoded.
pub async fn all<R: Reader, T: DeserializeOwned>(r: &R, sql: &str) -> StoreResult<Vec<T>> {
    let rows = r.texts(sql.into(), vec![]).await?;
    rows.iter().map(|j| Ok(serde_json::from_str(j)?)).collect()
}

pub async fn officers<R: Reader>(r: &R) -> StoreResult<Vec<OfficerRecord>> {
    // Officer ids are UUIDv7, so id order is the order they were added in.
    let sql = "SELECT data, CASE WHEN revoked THEN 'yes' ELSE 'no' END FROM officers ORDER BY id";
    let rows = r.pairs(sql.into(), vec![]).await?;
    rows.iter()
        .map(|(data, revoked)| {
            Ok(OfficerRecord {
                officer: serde_json::from_str(data)?,
                revoked: revoked == "yes",
            })
        })
        .collect()
}

pub async fn events_after<R: Reader>(r: &R, after: u64, limit: u32) -> StoreResult<Vec<Logged>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2");
    let rows = r
        .events(sql, vec![Bind::Int(after as i64), Bind::Int(limit as i64)])
        .await?;
    rows.into_iter().map(Logged::try_from).collect()
}

/// Narrows a query to the rows whose `column` audience admits `viewer`.
pub(super) fn seen_by<R: Reader>(sql: &mut Sql, column: &str, viewer: &Viewer) {
    let Some(needles) = viewer.needles() else {
        return;
    };
    sql.push(" AND (");
    for (i, needle) in needles.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        let placeholder = sql.next_placeholder();
        sql.push(&R::contains(column, &placeholder))
            .binds
            .push(text(needle.clone()));
    }
    sql.push(")");
}

/// An incident with its notes, tasks and timeline as `viewer` may see them;
/// `None` when it does not exist or is hidden from them alike.
pub async fn incident<R: Reader>(
    r: &R,
    id: Uuid,
    viewer: &Viewer,
) -> StoreResult<Option<IncidentDetail>> {
    let key = id;
    let id = Bind::Text(id.to_string());
    let found = r
        .pairs(
            "SELECT data, audience FROM incidents WHERE id = $1".into(),
            vec![id.clone()],
        )
        .await?;
    let Some((json, audience)) = found.first() else {
        return Ok(None);
    };
    if !viewer.admits(audience) {
        return Ok(None);
    }
    let incident: Incident = serde_json::from_str(json)?;
    let notes = r
        .texts(
            "SELECT data FROM notes WHERE incident_id = $1 ORDER BY at_ms, id".into(),
            vec![id.clone()],
        )
        .await?;
    let tasks: Vec<Task> = r
        .pairs(
            "SELECT data, audience FROM tasks WHERE incident_id = $1 ORDER BY id".into(),
            vec![id.clone()],
        )
        .await?
        .iter()
        .filter(|(_, audience)| viewer.admits(audience))
        .map(|(json, _)| serde_json::from_str::<Task>(json))
        .collect::<Result<_, _>>()?;
    let hidden_task = |e: &Event| {
        e.entity == EntityKind::Task
            && e.entity_id != key
            && !tasks.iter().any(|t| t.id == e.entity_id)
    };
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE entity_id = $1 \
         OR entity_id IN (SELECT id FROM tasks WHERE incident_id = $1) \
         OR entity_id IN (SELECT id FROM notes WHERE incident_id = $1) ORDER BY seq"
    );
    let timeline = r.events(sql, vec![id]).await?;
    Ok(Some(IncidentDetail {
        incident,
        timeline: timeline
            .into_iter()
            .map(Event::try_from)
            .filter(|e| !e.as_ref().is_ok_and(hidden_task))
            .collect::<StoreResult<_>>()?,
        notes: notes
            .iter()
            .map(|j| serde_json::from_str::<Note>(j))
            .collect::<Result<_, _>>()?,
        tasks,
    }))
}

/// Newest first; the cursor is `<reported_at_ms>:<id>` of the page's last row.
pub async fn search_incidents<R: Reader>(
    r: &R,
    q: IncidentQuery,
    viewer: &Viewer,
) -> StoreResult<Page<Incident>> {
    let limit = query::limit(q.limit)?;
    let mut sql = Sql::new("SELECT reported_at_ms || ':' || id, data FROM incidents WHERE 1 = 1");
    seen_by::<R>(&mut sql, "audience", viewer);
    if let Some(words) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
        let words = query::bounded("q", words)?;
        let needle = sql.next_placeholder();
        sql.push(" AND ")
            .push(&R::contains("search", &needle))
            .binds
            .push(text(words.trim().to_lowercase()));
    }
    let equal = [
        ("status", q.status.map(|s| s.as_str().to_string())),
        ("severity", q.severity.map(|s| s.as_str().to_string())),
        ("category", q.category.map(|c| c.as_str().to_string())),
        ("centre", q.centre.map(|c| c.as_str().to_string())),
        ("lead_agency_id", q.agency.map(|a| a.to_string())),
    ];
    for (column, value) in equal {
        if let Some(v) = value {
            sql.push(&format!(" AND {column} = ")).bind(text(v));
        }
    }
    if let Some(s) = &q.since {
        sql.push(" AND reported_at_ms >= ")
            .bind(Bind::Int(parse_time("since", s)?));
    }
    if let Some(u) = &q.until {
        sql.push(" AND reported_at_ms < ")
            .bind(Bind::Int(parse_time("until", u)?));
    }
    if let Some(c) = &q.cursor {
        let (ms, id) = parse_cursor(c)?;
        sql.push(" AND (reported_at_ms, id) < (")
            .bind(Bind::Int(ms))
            .push(", ")
            .bind(text(id))
            .push(")");
    }
    sql.push(" ORDER BY reported_at_ms DESC, id DESC LIMIT ")
        .bind(Bind::Int(limit as i64 + 1));
    page(r.pairs(sql.text, sql.binds).await?, limit)
}

/// By id; the cursor is the page's last id.
pub async fn tasks<R: Reader>(r: &R, q: TaskQuery, viewer: &Viewer) -> StoreResult<Page<Task>> {
    let limit = query::limit(q.limit)?;
    let mut sql = Sql::new("SELECT id, data FROM tasks WHERE 1 = 1");
    seen_by::<R>(&mut sql, "audience", viewer);
    if let Some(i) = q.incident {
        sql.push(" AND incident_id = ").bind(text(i.to_string()));
    }
    if let Some(a) = q.agency {
        sql.push(" AND agency_id = ").bind(text(a.to_string()));
    }
    if let Some(s) = q.status {
        sql.push(" AND status = ").bind(text(s.as_str()));
    }
    if let Some(open) = q.open {
        sql.push(" AND is_open = ").bind(Bind::Bool(open));
    }
    if let Some(c) = &q.cursor {
        sql.push(" AND id > ")
            .bind(text(query::bounded("cursor", c)?));
    }
    sql.push(" ORDER BY id LIMIT ")
        .bind(Bind::Int(limit as i64 + 1));
    page(r.pairs(sql.text, sql.binds).await?, limit)
}

/// A page of `(cursor, data)` rows fetched with one row too many, which only
/// says whether there is a next page.
fn page<T: DeserializeOwned>(rows: Vec<(String, String)>, limit: u32) -> StoreResult<Page<T>> {
    let more = rows.len() > limit as usize;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next_cursor = more.then(|| rows.last().map(|(c, _)| c.clone())).flatten();
    let items = rows
        .iter()
        .map(|(_, data)| serde_json::from_str(data))
        .collect::<Result<_, _>>()?;
    Ok(Page { items, next_cursor })
}

/// What a shift report of `centre` over `[from_ms, to_ms)` reads, as
/// `viewer` may see it: the centre's incidents reported in the window or
/// open now, and the tasks of those reported in the window — read in pages
/// of rows the database joins, since a long window holds many.
pub async fn report_sources<R: Reader>(
    r: &R,
    centre: crate::model::Centre,
    from_ms: i64,
    to_ms: i64,
    viewer: &Viewer,
) -> StoreResult<(Vec<Incident>, Vec<Task>)> {
    // `centre || ''` and `reported_at_ms + 0` keep SQLite on the table in
    // key order, where each page starts; on the centre's or the time's index
    // every page would re-read (and sort) them all.
    // Those it handed to the other centre count too (the reference keeps
    // the centre that took the report).
    let mut sql = Sql::new("incidents t WHERE (t.centre || '' = ");
    sql.bind(text(centre.as_str()));
    sql.push(" AND (t.is_open OR (t.reported_at_ms >= ")
        .bind(Bind::Int(from_ms))
        .push(" AND t.reported_at_ms < ")
        .bind(Bind::Int(to_ms))
        .push(")) OR (t.reference LIKE ")
        .bind(text(format!("{}-%", centre.as_str())))
        .push(" AND t.centre <> ")
        .bind(text(centre.as_str()))
        .push("))");
    seen_by::<R>(&mut sql, "t.audience", viewer);
    let incidents = parse_pages(r.pages(sql.text, sql.binds).await?)?;
    let mut sql =
        Sql::new("tasks t JOIN incidents i ON i.id = t.incident_id WHERE i.centre || '' = ");
    sql.bind(text(centre.as_str()));
    sql.push(" AND i.reported_at_ms + 0 >= ")
        .bind(Bind::Int(from_ms))
        .push(" AND i.reported_at_ms + 0 < ")
        .bind(Bind::Int(to_ms));
    seen_by::<R>(&mut sql, "t.audience", viewer);
    let tasks = parse_pages(r.pages(sql.text, sql.binds).await?)?;
    Ok((incidents, tasks))
}

/// Rows joined by commas, page by page, as one list.
fn parse_pages<T: DeserializeOwned>(pages: Vec<String>) -> StoreResult<Vec<T>> {
    let mut out = Vec::new();
    for page in pages {
        let rows: Vec<T> = serde_json::from_str(&format!("[{page}]"))?;
        out.extend(rows);
    }
    Ok(out)
}
