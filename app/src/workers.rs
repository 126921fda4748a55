//! Bounded pools of dedicated threads for CPU- and memory-heavy work (password hashing, picture
//! decoding).
//!
//! A pool has a fixed number of worker threads, started once, and a short queue. Each worker
//! keeps its own state across jobs — the password hasher's 19 MiB argon2 block, for example —
//! so the memory such work needs is bounded by `workers × state` and allocated once, instead of
//! once per job on whichever blocking thread happens to run it (which, with glibc's allocator,
//! left a sign-in flood's memory behind for good). Work beyond `workers + queue` is refused at
//! once with [`AppError::busy`]: a burst slows nobody else down and never grows the memory.

use crate::error::AppError;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

type Job<S> = Box<dyn FnOnce(&mut S) + Send>;

/// A place in a pool's queue. Holding one keeps a slot taken.
pub struct Admission(#[allow(dead_code)] OwnedSemaphorePermit);

pub struct WorkerPool<S> {
    admit: Arc<Semaphore>,
    jobs: Mutex<mpsc::Sender<Job<S>>>,
    workers: usize,
    states: Arc<AtomicUsize>,
}

impl<S: 'static> WorkerPool<S> {
    /// Starts `workers` threads named `name-N`; each makes its state with `init` before its first
    /// job and keeps it. At most `queue` jobs wait while all workers are busy.
    pub fn new(
        name: &str,
        workers: usize,
        queue: usize,
        init: impl Fn() -> S + Send + Sync + 'static,
    ) -> Self {
        let workers = workers.max(1);
        let (sender, receiver) = mpsc::channel::<Job<S>>();
        let receiver = Arc::new(Mutex::new(receiver));
        let init = Arc::new(init);
        let states = Arc::new(AtomicUsize::new(0));
        let mut started = 0;
        for index in 0..workers {
            let (receiver, init, states) = (receiver.clone(), init.clone(), states.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("{name}-{index}"))
                .spawn(move || {
                    let mut state: Option<S> = None;
                    loop {
                        // The lock is held only while waiting for the next job, never while
                        // working: idle workers queue up behind it.
                        let job = match receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => return,
                        };
                        // All senders gone: the pool was dropped.
                        let Ok(job) = job else { return };
                        let state = state.get_or_insert_with(|| {
                            states.fetch_add(1, Ordering::SeqCst);
                            init()
                        });
                        // A job that panics loses its answer (the caller gets "internal"),
                        // not the worker.
                        if catch_unwind(AssertUnwindSafe(|| job(state))).is_err() {
                            tracing::error!("a worker job panicked");
                        }
                    }
                });
            match spawned {
                Ok(_) => started += 1,
                Err(error) => tracing::error!(%error, "could not start a worker thread"),
            }
        }
        WorkerPool {
            admit: Arc::new(Semaphore::new(started + queue)),
            jobs: Mutex::new(sender),
            workers: started,
            states,
        }
    }

    /// How many worker threads run.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// How many worker states (memory blocks, for the hasher) were ever made: at most one per
    /// worker, however many jobs ran.
    pub fn states_made(&self) -> usize {
        self.states.load(Ordering::SeqCst)
    }

    /// Takes a place in the queue, or says busy at once.
    pub fn try_admit(&self) -> Result<Admission, AppError> {
        if self.workers == 0 {
            return Err(AppError::internal());
        }
        self.admit
            .clone()
            .try_acquire_owned()
            .map(Admission)
            .map_err(|_| AppError::busy())
    }

    /// Runs `work` on a worker with that worker's state, or refuses at once when the queue is
    /// full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut S) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let admission = self.try_admit()?;
        let (answer, answered) = oneshot::channel();
        // The place is held until the job has run, even if the caller stops waiting for it.
        let job: Job<S> = Box::new(move |state| {
            let _admission = admission;
            let _ = answer.send(work(state));
        });
        let sent = match self.jobs.lock() {
            Ok(jobs) => jobs.send(job).is_ok(),
            Err(_) => false,
        };
        if !sent {
            return Err(AppError::internal());
        }
        answered.await.map_err(|_| AppError::internal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[tokio::test]
    async fn each_worker_makes_its_state_once_whatever_the_number_of_jobs() {
        let pool = WorkerPool::new("test", 2, 64, || vec![0u8; 1024]);
        let mut jobs = Vec::new();
        for n in 0..40u8 {
            jobs.push(pool.run(move |buffer: &mut Vec<u8>| {
                buffer[0] = n;
                buffer.len()
            }));
        }
        for job in jobs {
            assert_eq!(job.await, Ok(1024));
        }
        assert_eq!(pool.workers(), 2);
        assert!(pool.states_made() <= 2, "{} states", pool.states_made());
        assert!(pool.states_made() >= 1);
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_and_frees_up_afterwards() {
        let pool = WorkerPool::new("test", 1, 1, || ());
        let first = pool.try_admit();
        let second = pool.try_admit();
        assert!(first.is_ok() && second.is_ok());
        let refused = pool.run(|_| 1).await;
        assert_eq!(refused.err().map(|e| e.code), Some(ErrorCode::Busy));
        drop(first);
        drop(second);
        assert_eq!(pool.run(|_| 1).await, Ok(1));
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_worker_carries_on() {
        let pool = WorkerPool::new("test", 1, 1, || 0u32);
        let failed = pool.run(|_| -> u32 { panic!("boom") }).await;
        assert_eq!(failed.err().map(|e| e.code), Some(ErrorCode::Internal));
        assert_eq!(
            pool.run(|count| {
                *count += 1;
                *count
            })
            .await,
            Ok(1)
        );
        assert_eq!(pool.states_made(), 1);
    }
}

/// Decodes pictures on a small pool of its own: at most `workers` decodes at once, a short
/// queue, and a busy answer beyond it — so uploads in parallel cannot add more than
/// `workers ×` one decode's memory to the server's (the caller bounds one decode's pixels).
pub struct PictureDecoder {
    pool: WorkerPool<()>,
}

impl PictureDecoder {
    pub fn new(workers: usize, queue: usize) -> Self {
        PictureDecoder {
            pool: WorkerPool::new("pictures", workers, queue, || ()),
        }
    }

    /// One decode at a time, four waiting: profile pictures are rare, memory is not free.
    pub fn for_this_machine() -> Self {
        Self::new(1, 4)
    }

    /// Takes a place in the queue, or says busy at once.
    pub fn try_admit(&self) -> Result<Admission, AppError> {
        self.pool.try_admit()
    }

    /// Runs `decode` on the pool; busy when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        decode: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        self.pool.run(move |_| decode()).await?
    }
}
