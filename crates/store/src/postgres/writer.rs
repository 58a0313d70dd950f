//! Group commit of the audited writes of a [`super::PostgresStore`]: one writer task per store
//! runs every write that appends to the audit chain (`create_post_audited`, `append_audit`).
//!
//! The writer takes every job waiting (up to [`MAX_BATCH`]) and runs them in one transaction
//! that starts with `LOCK TABLE audit_log IN EXCLUSIVE MODE` and reads the chain's head once. Each job runs inside its own `SAVEPOINT`: a job
//! that fails (an unknown author, a value the database refuses) is rolled back to its savepoint
//! and nothing else is undone, and the chain head it may have advanced is put back. The writer
//! then commits once and only then answers each caller; while one batch commits, the next one
//! queues. If the batch cannot commit, every job in it gets an error and nothing of it is
//! stored.
//!
//! Why: appends must be serialised (each entry carries the hash of the one before), and before
//! this each submission was a transaction of its own that held the table lock for four round
//! trips and a WAL flush, so submissions queued on the lock inside the database (on the 2-core
//! machine: ~520/s, 9 of 10 pool connections waiting on the lock, one WAL flush per
//! submission). Now the lock is taken once per batch, the chain head is read once per batch,
//! and a batch's submissions share one commit.
//!
//! Across processes nothing changes: every batch takes the table lock before reading the head,
//! so two servers on one database still append one after the other (the lock is held until the
//! commit; at READ COMMITTED the head is read with a snapshot taken after the lock was granted,
//! so it sees what the other process committed). The head is never kept from one batch to the
//! next.
//!
//! Only audited writes come here. The others (revision-guarded edits and decisions, sessions,
//! users) stay transactions of their own: they take row locks, and waiting for one inside a
//! batch would hold up every append behind it.

use sqlx::postgres::{PgConnection, PgPool};
use sqlx::{Executor as _, Postgres, Transaction};

use crate::audit::GENESIS_HASH;
use crate::group_commit::{again, answer_all, Job, Queue};

/// The most jobs one transaction takes. Each job's savepoint becomes a subtransaction with an
/// id of its own when it writes; PostgreSQL keeps up to 64 of those per backend in shared
/// memory and past that makes every other session's snapshot consult `pg_subtrans` until the
/// transaction ends, so a batch stays within 64.
const MAX_BATCH: usize = 64;

/// The audit chain's head as the batch's transaction sees it.
#[derive(Debug, Clone)]
pub(super) struct Tail {
    /// The last entry's seq (0 for an empty log).
    pub(super) seq: i64,
    /// The last entry's hash ([`GENESIS_HASH`] for an empty log).
    pub(super) hash: String,
}

/// What a job runs on: the batch's open transaction.
pub(super) struct Batch {
    /// The transaction, holding `audit_log`'s EXCLUSIVE lock.
    pub(super) conn: Transaction<'static, Postgres>,
    /// The chain's head, read once after the lock was granted and advanced by each append.
    pub(super) tail: Tail,
}

/// The handle callers queue audited writes on (see [`crate::group_commit`]).
pub(super) type Writer = crate::group_commit::Writer<Batch>;

/// Starts the writer task on the current tokio runtime.
pub(super) fn start(pool: PgPool) -> Writer {
    let (writer, queue) = Writer::new();
    tokio::spawn(run(pool, queue));
    writer
}

/// The writer task: one batch at a time, each made of every job waiting when it starts.
async fn run(pool: PgPool, mut queue: Queue<Batch>) {
    loop {
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        if queue.recv_many(&mut jobs, MAX_BATCH).await == 0 {
            return; // every handle is gone
        }
        run_batch(&pool, jobs).await;
    }
}

/// Opens the batch's transaction, takes the table lock and reads the chain's head. (Not `BEGIN;
/// LOCK ...` in one message: if the lock failed there, sqlx would not know a transaction was
/// open and could hand the connection back to the pool inside it.)
async fn begin(pool: &PgPool) -> Result<Batch, sqlx::Error> {
    let mut conn = pool.begin().await?;
    sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE")
        .execute(&mut *conn)
        .await?;
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let tail = match last {
        Some((seq, hash)) => Tail { seq, hash },
        None => Tail {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        },
    };
    Ok(Batch { conn, tail })
}

/// Runs `jobs` in one transaction and answers each of them.
async fn run_batch(pool: &PgPool, jobs: Vec<Box<dyn Job<Batch>>>) {
    let mut queued = jobs.into_iter();
    let mut batch = match begin(pool).await {
        Ok(batch) => batch,
        Err(error) => {
            answer_all(Vec::new(), queued, Some(&error));
            return;
        }
    };
    let mut answers = Vec::with_capacity(queued.len());
    // An error that leaves the transaction unusable (the connection broke): the batch is rolled
    // back and every job in it fails.
    let mut broken = None;
    // What the savepoint `job` holds: nothing yet, the state before the job that just
    // succeeded (a new one is needed), or the current state (after a rollback to it).
    let mut savepoint = Savepoint::None;
    for job in queued.by_ref() {
        let set = match savepoint {
            Savepoint::None => Some("SAVEPOINT job"),
            // One round trip: the finished job's savepoint goes, the next job's is set.
            Savepoint::Behind => Some("RELEASE job; SAVEPOINT job"),
            Savepoint::Current => None,
        };
        if let Some(sql) = set {
            if let Err(error) = simple(&mut batch.conn, sql).await {
                job.fail(again(&error));
                broken = Some(error);
                break;
            }
        }
        let tail_before = batch.tail.clone();
        let ran = job.run(&mut batch).await;
        if ran.ok {
            savepoint = Savepoint::Behind;
        } else {
            batch.tail = tail_before;
            if let Err(error) = simple(&mut batch.conn, "ROLLBACK TO job").await {
                answers.push(ran);
                broken = Some(error);
                break;
            }
            savepoint = Savepoint::Current;
        }
        answers.push(ran);
    }
    let failure = match broken {
        None => batch.conn.commit().await.err(),
        Some(error) => {
            // Its own error is what matters; a rollback that fails leaves nothing committed
            // either (the connection is closed, or sqlx rolls back a transaction it gets back
            // unfinished).
            drop(batch.conn.rollback().await);
            Some(error)
        }
    };
    answer_all(answers, queued, failure.as_ref());
}

/// Runs `sql` (statements without parameters, so sqlx sends them as one simple query: one round
/// trip however many there are).
async fn simple(conn: &mut PgConnection, sql: &'static str) -> Result<(), sqlx::Error> {
    conn.execute(sql).await.map(drop)
}

/// Where the savepoint `job` stands before the next job.
#[derive(Clone, Copy)]
enum Savepoint {
    /// Not set yet in this batch.
    None,
    /// Set before the job that just succeeded: the next job needs its own.
    Behind,
    /// Rolled back to, so it holds the current state: the next job can use it as it is.
    Current,
}
