//! How a caller steers a run: progress, cancellation, a deadline, a thread pool.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::error::{Error, Result};

/// What a caller may ask of a run besides its inputs; every part is optional
/// (`RunControl::default()` runs to the end, silently, on rayon's global pool).
///
/// A set cancel flag or a passed deadline is seen between stages and while the villages are
/// joined to the zones (per village), and the run then returns [`Error::Cancelled`].
///
/// ```
/// use std::sync::atomic::AtomicBool;
/// use std::time::{Duration, Instant};
/// use hecun::RunControl;
///
/// let stop = AtomicBool::new(false);
/// let control = RunControl::default()
///     .cancel(&stop)
///     .deadline(Instant::now() + Duration::from_secs(30));
/// assert!(control.check("load").is_ok());
/// ```
#[derive(Clone, Copy, Default)]
pub struct RunControl<'a> {
    /// Told the name of each stage as it starts.
    pub progress: Option<&'a (dyn Fn(&str) + Sync)>,
    /// Set (by another thread) to stop the run.
    pub cancel: Option<&'a AtomicBool>,
    /// The run stops when this instant passes.
    pub deadline: Option<Instant>,
    /// The pool the run's parallel work runs on; `None`: rayon's global pool.
    pub pool: Option<&'a rayon::ThreadPool>,
}

impl std::fmt::Debug for RunControl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunControl")
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .field("deadline", &self.deadline)
            .field(
                "pool",
                &self.pool.map(rayon::ThreadPool::current_num_threads),
            )
            .finish()
    }
}

impl<'a> RunControl<'a> {
    /// Tells `progress` each stage as it starts.
    pub fn progress(mut self, progress: &'a (dyn Fn(&str) + Sync)) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Stops the run when `flag` is set.
    pub fn cancel(mut self, flag: &'a AtomicBool) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// Stops the run when `at` passes.
    pub fn deadline(mut self, at: Instant) -> Self {
        self.deadline = Some(at);
        self
    }

    /// Runs the parallel work on `pool`.
    pub fn pool(mut self, pool: &'a rayon::ThreadPool) -> Self {
        self.pool = Some(pool);
        self
    }

    /// Why the run must stop now, if it must.
    pub(crate) fn stop_reason(&self) -> Option<&'static str> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            Some("cancelled")
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            Some("past its deadline")
        } else {
            None
        }
    }

    /// [`Error::Cancelled`] naming `stage` if the run must stop.
    pub fn check(&self, stage: &'static str) -> Result<()> {
        match self.stop_reason() {
            Some(reason) => Err(Error::Cancelled { stage, reason }),
            None => Ok(()),
        }
    }

    /// Checks, then tells `progress` that `stage` starts.
    pub(crate) fn stage(&self, stage: &'static str) -> Result<()> {
        self.check(stage)?;
        if let Some(p) = self.progress {
            p(stage);
        }
        Ok(())
    }

    /// Runs `work` on the caller's pool, if any.
    pub(crate) fn install<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        match self.pool {
            Some(pool) => pool.install(work),
            None => work(),
        }
    }
}
