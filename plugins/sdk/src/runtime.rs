//! The guest side of the ABI: buffers, `hecun_init`, `hecun_run`. Used by the export macros;
//! not part of the API.

use std::cell::{OnceCell, RefCell};
use std::sync::atomic::{AtomicU32, Ordering};

use hecun_plugin_abi::Kind;
use hecun_plugin_abi::wire::{self, Reader};

use crate::answer::{Outcome, Score};
use crate::candidate::{Candidate, Params};
use crate::host;
use crate::rules::{LaunchCheck, SiteScore, StandardSelection, Table, Target};
use crate::value::Value;
use crate::wire::Writer;

/// The loaded plugin, of one of the kinds.
pub enum Plugin {
    /// A site score (kind 1).
    SiteScore(Box<dyn SiteScore>),
    /// A launch check (kind 2).
    LaunchCheck(Box<dyn LaunchCheck>),
    /// A standard selection (kind 3).
    StandardSelection(Box<dyn StandardSelection>),
    /// A table (kind 4).
    Table(Box<dyn Table>),
    /// A target check (kind 5).
    Target(Box<dyn Target>),
}

impl Plugin {
    fn kind(&self) -> Kind {
        match self {
            Plugin::SiteScore(_) => Kind::SiteScore,
            Plugin::LaunchCheck(_) => Kind::LaunchCheck,
            Plugin::StandardSelection(_) => Kind::StandardSelection,
            Plugin::Table(_) => Kind::Table,
            Plugin::Target(_) => Kind::Target,
        }
    }
}

fn kind_name(code: i32) -> String {
    match Kind::from_code(code) {
        Some(kind) => kind.name().to_owned(),
        None => format!("kind {code}"),
    }
}

/// The module's progress slot (export `hecun_progress`, ABI.md): the index of the candidate
/// being answered, so that after a trap or at the time limit the host knows which candidate
/// it was, answers the others without it, and limits the time of each candidate rather than
/// of the whole batch.
#[derive(Debug, Default)]
pub struct Progress(AtomicU32);

impl Progress {
    /// Not in a batch.
    pub const IDLE: u32 = u32::MAX;

    /// A slot that says "not in a batch".
    pub const fn new() -> Progress {
        Progress(AtomicU32::new(Progress::IDLE))
    }

    /// An atomic store rather than a plain one: the host reads the slot while the guest
    /// runs, so the store must not be merged with the next or moved past a loop.
    fn set(&self, index: u32) {
        self.0.store(index, Ordering::Relaxed);
    }

    /// The index last set.
    pub fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Loads the plugin from its parameters' JSON text.
pub(crate) fn load(
    params: &str,
    new: impl FnOnce(&Params) -> Result<Plugin, String>,
) -> Result<Plugin, String> {
    new(&Params::from_json(params)?)
}

/// A batch's header: the explain flag, the feature names, the candidate count.
struct Header<'a> {
    explain: bool,
    names: Vec<&'a str>,
    n: usize,
}

/// One candidate's entry, read in place (its values into `values`, reused from candidate to
/// candidate: a batch is decoded as it is answered, with no allocation per candidate).
struct Entry<'a> {
    id: &'a str,
    attributes: &'a str,
    /// A value that did not decode (bad JSON): the candidate's answer is this error.
    error: Option<String>,
}

fn header<'a>(r: &mut Reader<'a>) -> Result<Header<'a>, wire::Error> {
    let explain = r.u8()? != 0;
    let n_features = r.u32()? as usize;
    let names = (0..n_features)
        .map(|_| r.str())
        .collect::<Result<Vec<_>, _>>()?;
    let n = r.u32()? as usize;
    Ok(Header { explain, names, n })
}

fn entry<'a>(
    r: &mut Reader<'a>,
    n_features: usize,
    values: &mut Vec<Value>,
) -> Result<Entry<'a>, wire::Error> {
    values.clear();
    let id = r.str()?;
    let mut error = None;
    for _ in 0..n_features {
        match Value::from_wire(r.value()?) {
            Ok(v) => values.push(v),
            Err(e) => {
                error.get_or_insert(e);
                values.push(Value::Missing);
            }
        }
    }
    let attributes = r.str()?;
    Ok(Entry {
        id,
        attributes,
        error,
    })
}

/// A batch that does not decode is the host's bug, not a candidate's: the progress slot is
/// cleared first, so that the host blames no candidate for it.
fn undecodable(progress: &Progress, e: impl std::fmt::Display) -> ! {
    progress.set(Progress::IDLE);
    panic!("hecun-plugin-sdk: the batch does not decode ({e}): host and SDK disagree on the ABI")
}

/// Answers one batch of `kind` into `out`, the index of the candidate being answered in
/// `progress`. A batch that does not decode panics (a trap, in WebAssembly).
pub(crate) fn answer(
    plugin: Option<&Plugin>,
    kind: i32,
    bytes: &[u8],
    out: &mut Writer,
    progress: &Progress,
) {
    progress.set(Progress::IDLE);
    let mut r = Reader::new(bytes);
    let batch = header(&mut r).unwrap_or_else(|e| undecodable(progress, e));
    let n_features = batch.names.len();
    let mut values = Vec::with_capacity(n_features);
    let mut score = Score::new(batch.explain);
    for index in 0..batch.n {
        let entry =
            entry(&mut r, n_features, &mut values).unwrap_or_else(|e| undecodable(progress, e));
        progress.set(index as u32);
        if let Some(e) = &entry.error {
            out.error(e);
            continue;
        }
        let plugin = match plugin {
            Some(p) if p.kind().code() == kind => p,
            Some(p) => {
                out.error(&format!(
                    "is a {} plugin, not a {}",
                    p.kind().name(),
                    kind_name(kind)
                ));
                continue;
            }
            None => {
                out.error("the plugin was not initialised (hecun_init)");
                continue;
            }
        };
        let candidate = Candidate {
            index: index as u32,
            id: entry.id,
            names: &batch.names,
            values: &values,
            attributes: entry.attributes,
            parsed: OnceCell::new(),
        };
        score.clear();
        host::take_failure();
        match plugin {
            Plugin::SiteScore(p) => {
                let result = p.score(&candidate, &mut score);
                match (host::take_failure(), result) {
                    (Some(e), _) | (None, Err(e)) => out.error(&e),
                    (None, Ok(Outcome::Scored(s)))
                    | (None, Ok(Outcome::ScoredWithEvidence { score: s, .. }))
                        if !s.is_finite() =>
                    {
                        out.error(&format!("score() returned {s}, not a finite number"))
                    }
                    (None, Ok(outcome)) => out.outcome(&outcome, score.terms()),
                }
            }
            Plugin::LaunchCheck(p) => {
                let result = p.check(&candidate);
                match (host::take_failure(), result) {
                    (Some(e), _) | (None, Err(e)) => out.error(&e),
                    (None, Ok(findings)) => out.findings(&findings),
                }
            }
            Plugin::StandardSelection(p) => {
                let result = p.select(&candidate);
                match (host::take_failure(), result) {
                    (Some(e), _) | (None, Err(e)) => out.error(&e),
                    (None, Ok(standard)) => out.standard(&standard),
                }
            }
            Plugin::Table(p) => {
                let result = p.rows(&candidate);
                match (host::take_failure(), result) {
                    (Some(e), _) | (None, Err(e)) => out.error(&e),
                    (None, Ok(rows)) => out.rows(&rows),
                }
            }
            Plugin::Target(p) => {
                let result = p.measure(&candidate);
                match (host::take_failure(), result) {
                    (Some(e), _) | (None, Err(e)) => out.error(&e),
                    (None, Ok(measures)) => out.measures(&measures),
                }
            }
        }
    }
    if !r.at_end() {
        undecodable(progress, "bytes left over after the last candidate");
    }
    progress.set(Progress::IDLE);
}

// ---- The exports' state (one instance, one thread) ----

thread_local! {
    static PLUGIN: RefCell<Option<Plugin>> = const { RefCell::new(None) };
    /// Input buffers handed out by `hecun_alloc` during this call, and spare ones to reuse.
    static LIVE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
    /// The last answer, alive until the next `hecun_init` / `hecun_run`.
    static OUTPUT: RefCell<Writer> = RefCell::new(Writer::default());
}

/// `hecun_alloc`: a buffer of `size` bytes, alive until the next `hecun_init` / `hecun_run`
/// returns.
pub fn alloc(size: i32) -> *mut u8 {
    let size = size.max(0) as usize;
    let mut buf = SPARE
        .with(|s| {
            let mut s = s.borrow_mut();
            let i = s.iter().position(|b| b.capacity() >= size)?;
            Some(s.swap_remove(i))
        })
        .unwrap_or_default();
    buf.clear();
    buf.resize(size, 0);
    let ptr = buf.as_mut_ptr();
    LIVE.with(|l| l.borrow_mut().push(buf));
    ptr
}

fn release_inputs() {
    let live: Vec<Vec<u8>> = LIVE.with(|l| std::mem::take(&mut *l.borrow_mut()));
    SPARE.with(|s| {
        let mut s = s.borrow_mut();
        s.extend(live);
        // Keep the two largest for the next calls.
        s.sort_by_key(|b| std::cmp::Reverse(b.capacity()));
        s.truncate(2);
    });
}

fn packed(bytes: &[u8]) -> i64 {
    (((bytes.as_ptr() as usize as u64) << 32) | bytes.len() as u64) as i64
}

/// `hecun_init`: loads the plugin from the parameters' JSON at `ptr`; the answer is the
/// error message's UTF-8 bytes, none when it loaded.
///
/// # Safety
///
/// `ptr..ptr + len` must be a buffer `hecun_alloc` handed out.
pub unsafe fn init(
    ptr: *const u8,
    len: i32,
    new: impl FnOnce(&Params) -> Result<Plugin, String>,
) -> i64 {
    #[cfg(target_arch = "wasm32")]
    host::report_panics();
    // SAFETY: the caller's promise.
    let input = unsafe { std::slice::from_raw_parts(ptr, len.max(0) as usize) };
    let result = match std::str::from_utf8(input) {
        Ok(text) => load(text, new),
        Err(e) => Err(format!("the parameters are not UTF-8: {e}")),
    };
    let message = match result {
        Ok(plugin) => {
            PLUGIN.with(|p| *p.borrow_mut() = Some(plugin));
            String::new()
        }
        Err(e) => {
            PLUGIN.with(|p| *p.borrow_mut() = None);
            e
        }
    };
    release_inputs();
    OUTPUT.with(|o| {
        let mut o = o.borrow_mut();
        o.bytes.clear();
        o.bytes.extend_from_slice(message.as_bytes());
        packed(&o.bytes)
    })
}

/// `hecun_run`: answers the batch at `ptr`.
///
/// # Safety
///
/// `ptr..ptr + len` must be a buffer `hecun_alloc` handed out.
pub unsafe fn run(kind: i32, ptr: *const u8, len: i32, progress: &Progress) -> i64 {
    // SAFETY: the caller's promise.
    let input = unsafe { std::slice::from_raw_parts(ptr, len.max(0) as usize) };
    let answer = OUTPUT.with(|o| {
        let mut o = o.borrow_mut();
        o.bytes.clear();
        PLUGIN.with(|p| answer(p.borrow().as_ref(), kind, input, &mut o, progress));
        packed(&o.bytes)
    });
    release_inputs();
    answer
}
