//! The time limit: the per-candidate and per-call clock read at each epoch tick, and the one
//! thread that advances every engine's epoch.

use super::store::Host;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock};
use std::time::Duration;
use wasmtime::{Engine, EngineWeak, Memory};

/// How often the engines' epoch advances: the resolution of the time limit.
pub(super) const TICK: Duration = Duration::from_millis(10);

/// The per-candidate time limit (`max_millis`), checked at each epoch tick: the guest keeps
/// the index of the candidate it is on in its `hecun_progress` slot (ABI.md); a candidate
/// seen at more ticks in a row than the limit allows is stopped. A module without the slot is
/// limited per call. The slot is the guest's word only: whatever it says, a call on `n`
/// candidates is stopped after about `(n + 1) × max_millis` (counted in the same ticks, so
/// that a loaded machine's late ticks delay both bounds alike and an honest candidate that
/// loops is stopped on its own first), so a guest that keeps moving its slot cannot run on.
#[derive(Default)]
pub(super) struct Clock {
    /// The guest's memory and the address of its progress slot, if it exports one.
    pub(super) slot: Option<(Memory, usize)>,
    /// The candidate seen at the last tick, and at how many ticks in a row.
    pub(super) last: Option<u32>,
    pub(super) ticks: u64,
    /// Ticks a candidate (a call, without the slot) may be seen at.
    pub(super) limit: u64,
    /// The candidates of the call being run, the ticks it was seen running at in all, and
    /// how many it may be seen at whatever the slot says.
    pub(super) candidates: usize,
    pub(super) total: u64,
    pub(super) budget: u64,
    /// Whether the call was stopped on its budget rather than on one candidate.
    pub(super) over_call: bool,
}

impl Clock {
    /// A new call on `candidates` candidates (1 for a call outside a batch) starts now.
    pub(super) fn restart(&mut self, candidates: usize) {
        self.last = None;
        self.ticks = 0;
        self.total = 0;
        self.candidates = candidates.max(1);
        self.over_call = false;
        // Each candidate `limit` ticks, one more candidate's worth for the ticks before the
        // guest writes its first index (the slot still holds the last call's), and the tick
        // at which a looping candidate is stopped.
        self.budget = self
            .limit
            .saturating_mul(self.candidates as u64 + 1)
            .saturating_add(2);
    }
}

/// The candidate the guest is on, from its progress slot.
pub(super) fn progress(store: &impl wasmtime::AsContext<Data = Host>) -> Option<u32> {
    let (memory, at) = store.as_context().data().clock.slot?;
    let bytes = memory.data(store).get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

/// Every engine a plugin uses, its epoch advanced every [`TICK`] by one thread while guest
/// code runs.
pub(super) static ENGINES: Mutex<Vec<EngineWeak>> = Mutex::new(Vec::new());

/// Guest code running now (loads, instantiations, calls), in any store: with none, the epoch
/// thread sleeps until some starts (a service holding a loaded plugin is not woken a hundred
/// times a second).
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// The epoch thread, to wake it when guest code starts.
static TICKER: OnceLock<std::thread::Thread> = OnceLock::new();

/// Guest code running: the epoch advances while any is.
pub(super) struct Ticking;

impl Ticking {
    pub(super) fn start() -> Ticking {
        if RUNNING.fetch_add(1, Ordering::AcqRel) == 0
            && let Some(ticker) = TICKER.get()
        {
            ticker.unpark();
        }
        Ticking
    }
}

impl Drop for Ticking {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::AcqRel);
    }
}

pub(super) fn register_ticker(engine: &Engine) {
    static SPAWN: Once = Once::new();
    if let Ok(mut engines) = ENGINES.lock() {
        engines.push(engine.weak());
    }
    SPAWN.call_once(|| {
        let spawned = std::thread::Builder::new()
            .name("hecun-wasm-epoch".into())
            .spawn(|| {
                loop {
                    if RUNNING.load(Ordering::Acquire) == 0 {
                        // Woken by the next guest code (an unpark before this park is kept).
                        std::thread::park();
                        continue;
                    }
                    std::thread::sleep(TICK);
                    let Ok(mut engines) = ENGINES.lock() else {
                        return;
                    };
                    engines.retain(|weak| match weak.upgrade() {
                        Some(engine) => {
                            engine.increment_epoch();
                            true
                        }
                        None => false,
                    });
                }
            });
        match spawned {
            Ok(handle) => {
                let _ = TICKER.set(handle.thread().clone());
            }
            // Without the thread, no time limit could be enforced: nothing would run.
            Err(_) => std::process::abort(),
        }
    });
}
