//! What PostgreSQL reads differently; every read itself is shared (`store::read`).

use sqlx::Postgres;

use crate::store::query::SNAPSHOT_PAGE;
use crate::store::reader::Dialect;

impl Dialect for Postgres {
    fn contains(haystack: &str, needle: &str) -> String {
        format!("strpos({haystack}, {needle}) > 0")
    }

    /// Other instances keep committing: REPEATABLE READ holds one state for
    /// every statement of the snapshot.
    const BEGIN_SNAPSHOT: &'static str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

    fn snapshot_page(source: &str, after: &str) -> String {
        format!(
            "SELECT string_agg(data, ',' ORDER BY id), max(id) FROM \
             (SELECT t.id AS id, t.data AS data FROM {source} \
              AND t.id > {after} ORDER BY t.id LIMIT {SNAPSHOT_PAGE}) page"
        )
    }

    const FIRST_KEY: &'static str = "";
}
