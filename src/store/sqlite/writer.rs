//! SQLite's side of the single writer (`store::writer`): `BEGIN IMMEDIATE`
//! takes the database's write lock, and the log head is read inside it, so a
//! batch always appends after whatever another process (`tandem admin`, a
//! second server on the same file) committed before it.

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use crate::store::StoreResult;
use crate::store::apply::Head;
use crate::store::buffer::apply_batch;
use crate::store::queue::Job;
use crate::store::sql::{Bind, Sql};
use crate::store::writer::{Attempt, Backend};

pub struct Sqlite {
    pub options: SqliteConnectOptions,
}

impl Backend for Sqlite {
    type Conn = SqliteConnection;
    type Session = ();

    async fn connect(&self) -> StoreResult<SqliteConnection> {
        Ok(self.options.connect().await?)
    }

    fn session(_: &SqliteConnection) {}

    async fn write(
        &self,
        conn: &mut SqliteConnection,
        batch: &[Job],
        attempt: &mut Attempt,
    ) -> StoreResult<()> {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        let mut head = tx.head().await?;
        let before = head.seq;
        let results = apply_batch(&mut *tx, &mut head, batch).await?;
        attempt.before_commit(results, &head, before);
        tx.commit().await?;
        Ok(())
    }

    /// Taking the write lock waits for the lost connection's transaction
    /// (its thread may still be committing) to end either way.
    async fn landed(&self, conn: &mut SqliteConnection, _: &(), last: &Head) -> StoreResult<bool> {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        let found = tx
            .texts(
                "SELECT hash FROM events WHERE seq = $1",
                vec![Bind::Int(last.seq as i64)],
            )
            .await?;
        tx.rollback().await?;
        Ok(found.first() == Some(&last.hash))
    }
}
