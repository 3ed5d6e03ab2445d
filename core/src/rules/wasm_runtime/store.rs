//! A guest's store: what the host keeps in it, its memory cap and the clock, and the engine
//! (with its cache of compiled modules) it lives in.

use super::clock::{Clock, TICK, progress};
use crate::index::spatial::SpatialLayers;
use crate::rules::candidate::{Candidate, FeatureNames};
use crate::rules::contract::Manifest;
use std::path::PathBuf;
use wasmtime::{Cache, Config, Engine, ResourceLimiter, Store, UpdateDeadline};

/// What the host keeps in a guest's store: the batch being run and what went wrong in it.
pub(super) struct Host {
    /// The batch being run, which the helpers answer about.
    pub(super) batch: Placed,
    /// The first helper failure of each candidate of the batch: that candidate's answer.
    pub(super) helper_errors: Vec<Option<String>>,
    /// A fault the host found in the guest's use of the imports (it traps).
    pub(super) fault: Option<String>,
    /// The message of a panic the guest reported before trapping.
    pub(super) panic: Option<String>,
    /// The linear-memory cap, in bytes.
    pub(super) max_memory: usize,
    /// Whether the guest asked for more memory than the cap.
    pub(super) memory_refused: bool,
    /// The time limit: which candidate the guest is on, and since how many ticks.
    pub(super) clock: Clock,
}

/// The candidates of a batch as the helpers need them. Only those with a place (a geometry,
/// layers) are kept whole; for the others the helpers' answer depends on the id alone, so a
/// grid cell costs no allocation unless a helper is asked about it.
#[derive(Default)]
pub(super) struct Placed {
    /// Per candidate: the candidate, when it has a place.
    pub(super) candidates: Vec<Option<Candidate>>,
    /// The ids, one after the other; `ends[i]` is where candidate `i`'s ends.
    pub(super) ids: String,
    pub(super) ends: Vec<usize>,
}

impl Placed {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn clear(&mut self) {
        self.candidates.clear();
        self.ids.clear();
        self.ends.clear();
    }

    pub(super) fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.ids[start..self.ends[i]]
    }

    /// Candidate `i` for a helper: itself, or one with nothing but its id.
    pub(super) fn candidate(&self, i: usize) -> Option<Candidate> {
        let placed = self.candidates.get(i)?;
        Some(match placed {
            Some(c) => c.clone(),
            None => Candidate::new(self.id(i), FeatureNames::from(Vec::new()), Vec::new()),
        })
    }

    /// The layers of the batch: the host splits batches where candidates' layers differ.
    pub(super) fn layers(&self) -> Option<&SpatialLayers> {
        self.candidates.iter().flatten().find_map(Candidate::layers)
    }
}

impl ResourceLimiter for Host {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_memory {
            self.memory_refused = true;
            return Err(wasmtime::Error::msg("memory limit reached"));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        4
    }

    fn memories(&self) -> usize {
        1
    }
}

/// The memory cap in bytes, and the ticks at which one candidate (or one call) may be seen
/// running: it is stopped after at least `max_millis`, at most two ticks more.
pub(super) fn limits(manifest: &Manifest) -> (usize, u64) {
    let bytes = manifest.limits.max_memory_mb.saturating_mul(1 << 20);
    let ticks = manifest.limits.max_millis.div_ceil(TICK.as_millis() as u64);
    (usize::try_from(bytes).unwrap_or(usize::MAX), ticks)
}

/// The engine of one plugin: epoch interruption on, its cache (if any).
pub(super) fn engine(cache: Option<Cache>) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.cache(cache);
    Engine::new(&config)
}

pub(super) fn new_store(engine: &Engine, (max_memory, ticks): (usize, u64)) -> Store<Host> {
    let mut store = Store::new(
        engine,
        Host {
            batch: Placed::default(),
            helper_errors: Vec::new(),
            fault: None,
            panic: None,
            max_memory,
            memory_refused: false,
            clock: Clock {
                limit: ticks,
                ..Clock::default()
            },
        },
    );
    // The start function runs at instantiation: under the clock as one call.
    store.data_mut().clock.restart(1);
    store.limiter(|host| host);
    // Called at every tick while the guest runs (the deadline is one tick ahead): a tick
    // costs nothing to the guest between them.
    store.epoch_deadline_callback(|mut ctx| {
        let on = progress(&ctx);
        let clock = &mut ctx.data_mut().clock;
        if on == clock.last {
            clock.ticks += 1;
        } else {
            clock.last = on;
            clock.ticks = 1;
        }
        if clock.ticks > clock.limit {
            return Ok(UpdateDeadline::Interrupt);
        }
        clock.total += 1;
        if clock.total > clock.budget {
            clock.over_call = true;
            return Ok(UpdateDeadline::Interrupt);
        }
        Ok(UpdateDeadline::Continue(1))
    });
    store.set_epoch_deadline(1);
    store
}

/// Where compiled modules are cached unless the caller says otherwise.
pub(super) fn default_cache_dir() -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let dir = if let Some(dir) = env("HECUN_CACHE_DIR") {
        PathBuf::from(dir)
    } else if let Some(dir) = env("XDG_CACHE_HOME") {
        PathBuf::from(dir).join("hecun/wasmtime")
    } else {
        PathBuf::from(env("HOME")?).join(".cache/hecun/wasmtime")
    };
    if dir.is_absolute() {
        Some(dir)
    } else {
        std::env::current_dir().ok().map(|cwd| cwd.join(dir))
    }
}
