//! Group commit: one writer task runs every write of a [`super::SqliteStore`].
//!
//! A write is a *job*: a closure that runs its statements on the writer's connection. Callers
//! queue jobs on a channel and wait for their answer. The writer takes every job waiting (up to
//! [`MAX_BATCH`]), opens one `BEGIN IMMEDIATE` transaction, runs the jobs in order, each inside
//! its own `SAVEPOINT` (a job that fails, e.g. with a revision `Conflict` or a constraint error,
//! is rolled back to its savepoint and nothing else is undone), commits once, and only then
//! answers each caller. While one batch commits, the next one queues, so under load many writes
//! share one commit (one WAL fsync) and one transaction's fixed costs; alone, a write is a batch
//! of one.
//!
//! Durability is unchanged: a caller gets `Ok` only after the `COMMIT` holding its data has
//! succeeded (WAL with `synchronous = FULL`: the commit is on disk). If the batch cannot commit,
//! every job in it gets an error and nothing of it is stored.
//!
//! Jobs run one after another in one transaction, so each sees the writes of those before it:
//! revision checks and the audit chain ("read the last hash, append") stay race-free, and audit
//! entries are appended in the order the jobs run.

use sqlx::sqlite::SqlitePool;
use sqlx::{Sqlite, Transaction};

use crate::group_commit::{again, answer_all, Job, Queue};

/// The most jobs one transaction takes. Large enough to cover every request in flight on a
/// busy server; small enough that one commit never holds back a queue of thousands.
const MAX_BATCH: usize = 128;

/// What a job runs on: the batch's open transaction.
pub(super) struct Batch {
    /// The `BEGIN IMMEDIATE` transaction (SQLite's write lock is held).
    pub(super) conn: Transaction<'static, Sqlite>,
    /// The audit log's last `(seq, hash)` as this transaction sees it, kept so that a batch
    /// reads it once rather than once per entry; `None` until read. Forgotten whenever a job is
    /// rolled back (its entry may have been the last one).
    pub(super) audit_tail: Option<(i64, String)>,
}

/// The handle callers queue writes on (see [`crate::group_commit`]).
pub(super) type Writer = crate::group_commit::Writer<Batch>;

/// Starts the writer task on the current tokio runtime.
pub(super) fn start(pool: SqlitePool) -> Writer {
    let (writer, queue) = Writer::new();
    tokio::spawn(run(pool, queue));
    writer
}

/// The writer task: one batch at a time, each made of every job waiting when it starts.
async fn run(pool: SqlitePool, mut queue: Queue<Batch>) {
    loop {
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        if queue.recv_many(&mut jobs, MAX_BATCH).await == 0 {
            return; // every handle is gone
        }
        run_batch(&pool, jobs).await;
    }
}

/// Runs `jobs` in one transaction and answers each of them.
async fn run_batch(pool: &SqlitePool, jobs: Vec<Box<dyn Job<Batch>>>) {
    let mut queued = jobs.into_iter();
    let mut batch = match pool.begin_with("BEGIN IMMEDIATE").await {
        Ok(conn) => Batch {
            conn,
            audit_tail: None,
        },
        Err(error) => {
            for job in queued {
                job.fail(again(&error));
            }
            return;
        }
    };
    let mut answers = Vec::with_capacity(queued.len());
    // An error that leaves the transaction unusable (SQLite may have rolled it back by itself,
    // e.g. on a full disk): the batch is rolled back and every job in it fails.
    let mut broken = None;
    for job in queued.by_ref() {
        if let Err(error) = execute(&mut batch, &["SAVEPOINT job"]).await {
            job.fail(again(&error));
            broken = Some(error);
            break;
        }
        let ran = job.run(&mut batch).await;
        let ok = ran.ok;
        answers.push(ran);
        let end: &[&str] = if ok {
            &["RELEASE job"]
        } else {
            batch.audit_tail = None;
            &["ROLLBACK TO job", "RELEASE job"]
        };
        if let Err(error) = execute(&mut batch, end).await {
            broken = Some(error);
            break;
        }
    }
    let failure = match broken {
        None => batch.conn.commit().await.err(),
        Some(error) => {
            // Its own error is what matters; a rollback that fails leaves nothing committed
            // either (sqlx rolls back a transaction it gets back unfinished).
            drop(batch.conn.rollback().await);
            Some(error)
        }
    };
    answer_all(answers, queued, failure.as_ref());
}

/// Runs statements that return nothing, in order.
async fn execute(batch: &mut Batch, statements: &[&'static str]) -> Result<(), sqlx::Error> {
    for sql in statements {
        sqlx::query(sql).execute(&mut *batch.conn).await?;
    }
    Ok(())
}
