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

use std::future::Future;
use std::pin::Pin;

use sqlx::sqlite::SqlitePool;
use sqlx::{Sqlite, Transaction};
use tokio::sync::{mpsc, oneshot};

use crate::error::StoreError;
use crate::store::Result;

/// The most jobs one transaction takes. Large enough to cover every request in flight on a
/// busy server; small enough that one commit never holds back a queue of thousands.
const MAX_BATCH: usize = 128;

/// A boxed future that may borrow for `'a` (what a job returns).
pub(super) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a job runs on: the batch's open transaction.
pub(super) struct Batch {
    /// The `BEGIN IMMEDIATE` transaction (SQLite's write lock is held).
    pub(super) conn: Transaction<'static, Sqlite>,
    /// The audit log's last `(seq, hash)` as this transaction sees it, kept so that a batch
    /// reads it once rather than once per entry; `None` until read. Forgotten whenever a job is
    /// rolled back (its entry may have been the last one).
    pub(super) audit_tail: Option<(i64, String)>,
}

/// A queued write with its caller's reply channel, its result type erased.
trait Job: Send {
    /// Runs the job's statements in the batch; says whether they succeeded and holds the answer
    /// until the batch's fate is known.
    fn run(self: Box<Self>, batch: &mut Batch) -> BoxFuture<'_, Ran>;

    /// Answers with an error without running (the batch failed before the job's turn).
    fn fail(self: Box<Self>, error: StoreError);
}

/// A job that has run.
struct Ran {
    /// Whether its statements succeeded (kept) or failed (to be rolled back to its savepoint).
    ok: bool,
    /// Sends the caller its answer: its own result once the batch has committed, or the error
    /// that stopped the batch from committing (`Some`).
    answer: Box<dyn FnOnce(Option<StoreError>) + Send>,
}

struct Pending<F, T> {
    work: F,
    reply: oneshot::Sender<Result<T>>,
}

impl<F, T> Job for Pending<F, T>
where
    F: for<'c> FnOnce(&'c mut Batch) -> BoxFuture<'c, Result<T>> + Send + 'static,
    T: Send + 'static,
{
    fn run(self: Box<Self>, batch: &mut Batch) -> BoxFuture<'_, Ran> {
        let Pending { work, reply } = *self;
        Box::pin(async move {
            let result = work(batch).await;
            Ran {
                ok: result.is_ok(),
                answer: Box::new(move |not_committed| {
                    let answer = match (result, not_committed) {
                        (Ok(_), Some(error)) => Err(error),
                        (result, _) => result,
                    };
                    // The caller may have gone (its request was cancelled): nobody to tell.
                    drop(reply.send(answer));
                }),
            }
        })
    }

    fn fail(self: Box<Self>, error: StoreError) {
        drop(self.reply.send(Err(error)));
    }
}

/// The handle callers queue writes on. The writer task stops when the last handle is dropped.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    jobs: mpsc::UnboundedSender<Box<dyn Job>>,
}

impl Writer {
    /// Starts the writer task on the current tokio runtime.
    pub(super) fn start(pool: SqlitePool) -> Self {
        let (jobs, queue) = mpsc::unbounded_channel();
        tokio::spawn(run(pool, queue));
        Writer { jobs }
    }

    /// Queues `work` and waits until it has run and its transaction has committed. `work`'s
    /// error means its statements were rolled back (to its savepoint); an error from the batch
    /// (begin or commit failed) means nothing of it was stored either.
    pub(super) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        F: for<'c> FnOnce(&'c mut Batch) -> BoxFuture<'c, Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Box::new(Pending { work, reply }))
            .map_err(|_| writer_gone())?;
        answer.await.map_err(|_| writer_gone())?
    }
}

/// The writer task stopped (the runtime is shutting down).
fn writer_gone() -> StoreError {
    StoreError::from(sqlx::Error::WorkerCrashed)
}

/// The writer task: one batch at a time, each made of every job waiting when it starts.
async fn run(pool: SqlitePool, mut queue: mpsc::UnboundedReceiver<Box<dyn Job>>) {
    loop {
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        if queue.recv_many(&mut jobs, MAX_BATCH).await == 0 {
            return; // every handle is gone
        }
        run_batch(&pool, jobs).await;
    }
}

/// Runs `jobs` in one transaction and answers each of them.
async fn run_batch(pool: &SqlitePool, jobs: Vec<Box<dyn Job>>) {
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
        answers.push(ran.answer);
        let end: &[&str] = if ran.ok {
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
    match failure {
        None => {
            for answer in answers {
                answer(None);
            }
        }
        Some(error) => {
            for answer in answers {
                answer(Some(again(&error)));
            }
            for job in queued {
                job.fail(again(&error));
            }
        }
    }
}

/// Runs statements that return nothing, in order.
async fn execute(batch: &mut Batch, statements: &[&'static str]) -> Result<(), sqlx::Error> {
    for sql in statements {
        sqlx::query(sql).execute(&mut *batch.conn).await?;
    }
    Ok(())
}

/// The error that failed a whole batch, once for each job in it (sqlx errors cannot be
/// cloned): the same kind where it carries nothing, else an I/O error with the same text.
fn again(error: &sqlx::Error) -> StoreError {
    StoreError::from(match error {
        sqlx::Error::PoolClosed => sqlx::Error::PoolClosed,
        sqlx::Error::PoolTimedOut => sqlx::Error::PoolTimedOut,
        sqlx::Error::WorkerCrashed => sqlx::Error::WorkerCrashed,
        other => sqlx::Error::Io(std::io::Error::other(other.to_string())),
    })
}
