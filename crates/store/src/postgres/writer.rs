//! Group commit of the audited writes of a [`super::PostgresStore`]: one writer per store runs
//! every write that appends to the audit chain (`create_post_audited`, `append_audit`).
//!
//! The writer takes every job waiting (up to [`MAX_BATCH`]) and runs them in one transaction
//! that starts with `LOCK TABLE audit_log IN EXCLUSIVE MODE` and reads the chain's head once.
//! Each job runs inside its own `SAVEPOINT`: a job that fails (an unknown author, a value the
//! database refuses) is rolled back to its savepoint and nothing else is undone. The writer then
//! commits once and only then answers each caller; while one batch commits, the next one queues.
//! If the batch cannot commit, every job in it gets an error and nothing of it is stored.
//!
//! Why: appends must be serialised (each entry carries the hash of the one before), and before
//! this each submission was a transaction of its own that held the table lock for four round
//! trips and a WAL flush, so submissions queued on the lock inside the database (on the 2-core
//! machine: ~520/s, 9 of the pool's 10 connections waiting for the lock, a WAL flush per
//! submission). With the lock taken once per batch, what limits the rate is the writer's own
//! round trips, one after the other, so there are few of them and each is answered quickly:
//! - a batch opens with one message (`BEGIN; LOCK ...; SELECT` the head`; SAVEPOINT job`) and
//!   ends with one (`RELEASE job; COMMIT`: a transaction a job left failed cannot be committed
//!   by mistake, since the `RELEASE` fails and the `COMMIT` is then not run);
//! - a job is its savepoint (`RELEASE job; SAVEPOINT job`, one message) and, for a submission,
//!   one statement that inserts the post, its first version and its audit entry (the post's id
//!   is taken beforehand from ids the writer reserves from the posts' identity sequence, 64 at
//!   a time, so that the entry's subject and hash can be computed before the statement);
//! - the writer runs on a thread of its own, with a single-threaded tokio runtime and a
//!   connection of its own (not one of the pool's): on the server's runtime, each answer from
//!   the database waited in the run queue behind the HTTP requests the last commit had just
//!   released (a batch's first round trip took 1.4 ms at the median, the others 0.3 ms). The
//!   connection is kept for the store's life; if it fails before a batch has run anything (the
//!   server closed it while idle), the writer connects again and starts the batch there. A
//!   connection given up while a transaction may be open on it is dropped: the server rolls
//!   the transaction back.
//!
//! Across processes nothing changes: every batch takes the table lock before reading the head,
//! so two servers on one database still append one after the other (the lock is held until the
//! commit, and the head is read by a statement that starts after the lock was granted, so it
//! sees what the other process committed). The head is never kept from one batch to the next.
//!
//! Only audited writes come here. The others (revision-guarded edits and decisions, sessions,
//! users) stay transactions of their own: they take row locks, and waiting for one inside a
//! batch would hold up every append behind it.

use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection as _, Executor as _, Row as _};
use tokio::sync::{mpsc, oneshot};

use crate::audit::GENESIS_HASH;
use crate::error::StoreError;
use crate::group_commit::{self, again, answer_all, BoxFuture, Job, Queue};
use crate::store::Result;

/// The most jobs one transaction takes. Each job's savepoint becomes a subtransaction with an
/// id of its own when it writes; PostgreSQL keeps up to 64 of those per backend in shared
/// memory and past that makes every other session's snapshot consult `pg_subtrans` until the
/// transaction ends, so a batch stays within 64.
const MAX_BATCH: usize = 64;

/// How many post ids the writer reserves from the sequence at a time.
const RESERVE_POST_IDS: i64 = 64;

/// How long the writer waits for a new connection (the pool's default acquire timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens a batch: the transaction, the lock, the chain's head, the first job's savepoint. The
/// `SELECT` is a statement of its own, started after `LOCK` returned, so at READ COMMITTED it
/// reads with a snapshot taken once the lock was granted (and at REPEATABLE READ or
/// SERIALIZABLE the transaction's snapshot is taken by it, after the lock, too).
const BEGIN: &str = "BEGIN; LOCK TABLE audit_log IN EXCLUSIVE MODE; \
     SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1; SAVEPOINT job";

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
    /// The connection, inside the batch's transaction, holding `audit_log`'s EXCLUSIVE lock.
    pub(super) conn: Conn,
    /// The chain's head, read once after the lock was granted and advanced by each append.
    pub(super) tail: Tail,
    /// Post ids reserved from the sequence and not used yet (kept from batch to batch).
    post_ids: VecDeque<i64>,
}

impl Batch {
    /// An id for a new post, from the posts' identity sequence: the next one reserved, after
    /// reserving [`RESERVE_POST_IDS`] more if none is left. Unique like the column's default
    /// (which draws from the same sequence); ids reserved and never used are gaps, as the ids
    /// of rolled-back inserts are.
    pub(super) async fn next_post_id(&mut self) -> Result<i64, sqlx::Error> {
        if self.post_ids.is_empty() {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT nextval(pg_get_serial_sequence('posts', 'id')) \
                 FROM generate_series(1, $1)",
            )
            .bind(RESERVE_POST_IDS)
            .fetch_all(&mut *self.conn)
            .await?;
            self.post_ids.extend(ids);
        }
        self.post_ids
            .pop_front()
            .ok_or_else(|| sqlx::Error::Protocol("nextval returned no rows".into()))
    }
}

/// The writer's connection, with whether a transaction may be open on it (then it is not used
/// again but dropped, which closes it; the server rolls the transaction back).
pub(super) struct Conn {
    conn: PgConnection,
    open: bool,
}

impl Deref for Conn {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}

impl Conn {
    /// Runs statements without parameters (sqlx sends them as one simple query: one round trip
    /// however many there are).
    async fn simple(&mut self, sql: &'static str) -> Result<(), sqlx::Error> {
        self.conn.execute(sql).await.map(drop)
    }

    /// Opens a batch on this connection: see [`BEGIN`].
    async fn begin(mut self) -> Result<(Conn, Tail), sqlx::Error> {
        self.open = true;
        let rows = self.conn.fetch_all(BEGIN).await?;
        let tail = match rows.first() {
            Some(row) => Tail {
                seq: row.try_get(0)?,
                hash: row.try_get(1)?,
            },
            None => Tail {
                seq: 0,
                hash: GENESIS_HASH.to_owned(),
            },
        };
        Ok((self, tail))
    }

    /// Commits, unless a job left the transaction failed (then `RELEASE` fails, the `COMMIT`
    /// after it in the same message is not run, and the caller rolls back).
    async fn commit(&mut self) -> Result<(), sqlx::Error> {
        self.simple("RELEASE job; COMMIT").await?;
        self.open = false;
        Ok(())
    }

    /// Rolls back; if that fails too, the connection stays marked open and is dropped.
    async fn rollback(&mut self) {
        if self.simple("ROLLBACK").await.is_ok() {
            self.open = false;
        }
    }
}

/// The handle callers queue audited writes on (see [`crate::group_commit`]).
#[derive(Debug, Clone)]
pub(super) struct Writer {
    jobs: group_commit::Writer<Batch>,
    /// Asks the writer to close its connection (and refuse further jobs); answered when done.
    close: mpsc::UnboundedSender<oneshot::Sender<()>>,
}

impl Writer {
    /// Queues `work` and waits until it has run and its transaction has committed (see
    /// [`group_commit::Writer::write`]).
    pub(super) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        F: for<'c> FnOnce(&'c mut Batch) -> BoxFuture<'c, Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        self.jobs.write(work).await
    }

    /// Closes the writer's connection once the batch running (if any) is done; later jobs fail
    /// as they would on a closed pool.
    pub(super) async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.close.send(done).is_ok() {
            // An error means the writer has already stopped: nothing left to close.
            drop(closed.await);
        }
    }
}

/// Starts the writer on a thread of its own, which connects with `options` when the first job
/// arrives. The thread ends when the last handle is dropped.
pub(super) fn start(options: PgConnectOptions) -> std::io::Result<Writer> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (jobs, queue) = group_commit::Writer::new();
    let (close, close_requests) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("postguard-pg-writer".into())
        .spawn(move || runtime.block_on(run(options, queue, close_requests)))?;
    Ok(Writer { jobs, close })
}

/// The writer: one batch at a time, each made of every job waiting when it starts.
async fn run(
    options: PgConnectOptions,
    mut queue: Queue<Batch>,
    mut close_requests: mpsc::UnboundedReceiver<oneshot::Sender<()>>,
) {
    let mut kept: Option<Conn> = None;
    let mut post_ids = VecDeque::new();
    let mut closed = false;
    loop {
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        tokio::select! {
            biased;
            Some(done) = close_requests.recv() => {
                if let Some(conn) = kept.take() {
                    drop(conn.conn.close().await);
                }
                closed = true;
                // The caller may have stopped waiting: nobody to tell.
                let _ = done.send(());
                continue;
            }
            received = queue.recv_many(&mut jobs, MAX_BATCH) => {
                if received == 0 {
                    break; // every handle is gone
                }
            }
        }
        if closed {
            answer_all(Vec::new(), jobs.into_iter(), Some(&sqlx::Error::PoolClosed));
            continue;
        }
        kept = run_batch(&options, kept.take(), &mut post_ids, jobs).await;
    }
    if let Some(conn) = kept {
        drop(conn.conn.close().await);
    }
}

/// A new connection for the writer.
async fn connect(options: &PgConnectOptions) -> Result<Conn, sqlx::Error> {
    let conn = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(options))
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??;
    Ok(Conn { conn, open: false })
}

/// Opens a batch on the kept connection, or on a new one if there is none or the kept one
/// fails (the server may have closed it while it was idle; nothing has run yet, so starting
/// again on another connection is safe).
async fn begin(
    options: &PgConnectOptions,
    kept: Option<Conn>,
) -> Result<(Conn, Tail), sqlx::Error> {
    if let Some(conn) = kept {
        if let Ok(opened) = conn.begin().await {
            return Ok(opened);
        }
    }
    connect(options).await?.begin().await
}

/// Runs `jobs` in one transaction and answers each of them; gives back the connection if it
/// is fit to use again (outside any transaction).
async fn run_batch(
    options: &PgConnectOptions,
    kept: Option<Conn>,
    post_ids: &mut VecDeque<i64>,
    jobs: Vec<Box<dyn Job<Batch>>>,
) -> Option<Conn> {
    let mut queued = jobs.into_iter();
    let (conn, tail) = match begin(options, kept).await {
        Ok(opened) => opened,
        Err(error) => {
            answer_all(Vec::new(), queued, Some(&error));
            return None;
        }
    };
    let mut batch = Batch {
        conn,
        tail,
        post_ids: std::mem::take(post_ids),
    };
    let mut answers = Vec::with_capacity(queued.len());
    // An error that leaves the transaction unusable (the connection broke): the batch is rolled
    // back and every job in it fails.
    let mut broken = None;
    // Whether the savepoint `job` holds the current state (it does after `BEGIN` and after a
    // rollback to it) or the state before the job that just succeeded (a new one is needed).
    let mut savepoint_current = true;
    for job in queued.by_ref() {
        if !savepoint_current {
            // One round trip: the finished job's savepoint goes, the next job's is set.
            if let Err(error) = batch.conn.simple("RELEASE job; SAVEPOINT job").await {
                job.fail(again(&error));
                broken = Some(error);
                break;
            }
        }
        let tail_before = batch.tail.clone();
        let ran = job.run(&mut batch).await;
        savepoint_current = !ran.ok;
        let ok = ran.ok;
        answers.push(ran);
        if !ok {
            // The job's entry, if it appended one before failing, is gone with it.
            batch.tail = tail_before;
            if let Err(error) = batch.conn.simple("ROLLBACK TO job").await {
                broken = Some(error);
                break;
            }
        }
    }
    let failure = match broken {
        None => batch.conn.commit().await.err(),
        Some(error) => Some(error),
    };
    if failure.is_some() {
        // Its own error is what matters; a rollback that fails leaves nothing committed either
        // (the connection is then dropped, which closes it).
        batch.conn.rollback().await;
    }
    *post_ids = std::mem::take(&mut batch.post_ids);
    answer_all(answers, queued, failure.as_ref());
    let Batch { conn, .. } = batch;
    (!conn.open).then_some(conn)
}

/// The writer thread could not be started.
pub(super) fn start_failed(error: std::io::Error) -> StoreError {
    StoreError::from(sqlx::Error::Io(error))
}
