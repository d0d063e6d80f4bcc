//! What SQLite reads differently; every read itself is shared (`store::read`).

use sqlx::Sqlite;

use crate::store::query::SNAPSHOT_PAGE;
use crate::store::reader::Dialect;

impl Dialect for Sqlite {
    fn contains(haystack: &str, needle: &str) -> String {
        format!("instr({haystack}, {needle}) > 0")
    }

    /// A read transaction: WAL gives it one state until it ends.
    const BEGIN_SNAPSHOT: &'static str = "BEGIN";

    /// Pages by rowid, the table's own order, rather than through the id index.
    fn snapshot_page(source: &str, after: &str) -> String {
        format!(
            "SELECT group_concat(data, ','), CAST(max(r) AS TEXT) FROM \
             (SELECT t.rowid AS r, t.data AS data FROM {source} \
              AND t.rowid > CAST({after} AS INTEGER) ORDER BY t.rowid LIMIT {SNAPSHOT_PAGE})"
        )
    }

    const FIRST_KEY: &'static str = "0";
}
