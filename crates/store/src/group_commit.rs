//! Group commit, the part both backends share: writes queued as *jobs* for one writer task,
//! which runs the jobs waiting in one transaction, each in its own savepoint, commits once and
//! only then answers each caller.
//!
//! A job is a closure that runs its statements on the writer's open transaction (the backend's
//! `Batch`). Callers queue jobs with [`Writer::write`] and wait for their answer. The backend's
//! writer loop (`sqlite/writer.rs`, `postgres/writer.rs`) takes the jobs waiting from the
//! [`Queue`], opens the transaction, runs each job with [`Job::run`] inside a savepoint (kept if
//! the job succeeded, rolled back if it failed), commits, and then calls each [`Ran::answer`]:
//! with `None` once the commit succeeded (the caller gets its own result), with the batch's error
//! if it did not (every caller gets an error, and nothing of the batch is stored). A job that
//! never ran gets [`Job::fail`].

use std::future::Future;
use std::pin::Pin;

use tokio::sync::{mpsc, oneshot};

use crate::error::StoreError;
use crate::store::Result;

/// A boxed future that may borrow for `'a` (what a job returns).
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A queued write with its caller's reply channel, its result type erased. `B` is what it runs
/// on: the backend's batch (its open transaction and what the batch remembers).
pub(crate) trait Job<B>: Send {
    /// Runs the job's statements in the batch; says whether they succeeded and holds the answer
    /// until the batch's fate is known.
    fn run<'b>(self: Box<Self>, batch: &'b mut B) -> BoxFuture<'b, Ran>;

    /// Answers with an error without running (the batch failed before the job's turn).
    fn fail(self: Box<Self>, error: StoreError);
}

/// A job that has run.
pub(crate) struct Ran {
    /// Whether its statements succeeded (kept) or failed (to be rolled back to its savepoint).
    pub(crate) ok: bool,
    /// Sends the caller its answer: its own result once the batch has committed, or the error
    /// that stopped the batch from committing (`Some`).
    answer: Box<dyn FnOnce(Option<StoreError>) + Send>,
}

impl Ran {
    /// Answers the caller: `None` once the batch has committed, else the batch's error.
    pub(crate) fn answer(self, not_committed: Option<StoreError>) {
        (self.answer)(not_committed);
    }
}

struct Pending<F, T> {
    work: F,
    reply: oneshot::Sender<Result<T>>,
}

impl<B, F, T> Job<B> for Pending<F, T>
where
    B: Send,
    F: for<'c> FnOnce(&'c mut B) -> BoxFuture<'c, Result<T>> + Send + 'static,
    T: Send + 'static,
{
    fn run<'b>(self: Box<Self>, batch: &'b mut B) -> BoxFuture<'b, Ran> {
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

/// Where the writer task takes its jobs from.
pub(crate) type Queue<B> = mpsc::UnboundedReceiver<Box<dyn Job<B>>>;

/// The handle callers queue writes on. The writer task's [`Queue`] ends when the last handle is
/// dropped.
pub(crate) struct Writer<B> {
    jobs: mpsc::UnboundedSender<Box<dyn Job<B>>>,
}

impl<B> Clone for Writer<B> {
    fn clone(&self) -> Self {
        Writer {
            jobs: self.jobs.clone(),
        }
    }
}

impl<B> std::fmt::Debug for Writer<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl<B: Send + 'static> Writer<B> {
    /// A handle and the queue its jobs arrive on (for the backend's writer task).
    pub(crate) fn new() -> (Self, Queue<B>) {
        let (jobs, queue) = mpsc::unbounded_channel();
        (Writer { jobs }, queue)
    }

    /// Queues `work` and waits until it has run and its transaction has committed. `work`'s
    /// error means its statements were rolled back (to its savepoint); an error from the batch
    /// (begin or commit failed) means nothing of it was stored either.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        F: for<'c> FnOnce(&'c mut B) -> BoxFuture<'c, Result<T>> + Send + 'static,
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

/// The error that failed a whole batch, once for each job in it (sqlx errors cannot be
/// cloned): the same kind where it carries nothing, else an I/O error with the same text.
pub(crate) fn again(error: &sqlx::Error) -> StoreError {
    StoreError::from(match error {
        sqlx::Error::PoolClosed => sqlx::Error::PoolClosed,
        sqlx::Error::PoolTimedOut => sqlx::Error::PoolTimedOut,
        sqlx::Error::WorkerCrashed => sqlx::Error::WorkerCrashed,
        other => sqlx::Error::Io(std::io::Error::other(other.to_string())),
    })
}

/// Answers every job of a batch: the ones that ran with their own results if the batch
/// committed (`failure` is `None`), else all of them, and those that never ran, with the error.
pub(crate) fn answer_all<B>(
    answers: Vec<Ran>,
    not_run: impl Iterator<Item = Box<dyn Job<B>>>,
    failure: Option<&sqlx::Error>,
) {
    match failure {
        None => {
            for ran in answers {
                ran.answer(None);
            }
        }
        Some(error) => {
            for ran in answers {
                ran.answer(Some(again(error)));
            }
            for job in not_run {
                job.fail(again(error));
            }
        }
    }
}
