//! The bytes that cross: the batch buffer written into the guest, and its answer read back.

use super::Guest;
use super::store::Placed;
use crate::index::spatial::SpatialLayers;
use crate::rules::candidate::{Candidate, FeatureSink, Features, Value};
use hecun_plugin_abi::wire::{self, put_str};

/// Copies `parts`, one after the other, into a buffer the guest allocates; returns its
/// (ptr, len).
pub(super) fn write_input(guest: &mut Guest, parts: &[&[u8]]) -> wasmtime::Result<(i32, i32)> {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let len =
        i32::try_from(total).map_err(|_| wasmtime::Error::msg("the input is larger than 2 GiB"))?;
    let ptr = guest.alloc.call(&mut guest.store, len)?;
    let mut at = u32::try_from(ptr)
        .map_err(|_| wasmtime::Error::msg(format!("hecun_alloc returned {ptr}, not an address")))?
        as usize;
    for part in parts {
        guest
            .memory
            .write(&mut guest.store, at, part)
            .map_err(|_| {
                wasmtime::Error::msg(format!(
                    "hecun_alloc returned {ptr}, outside its memory for {len} bytes"
                ))
            })?;
        at += part.len();
    }
    Ok((ptr, len))
}

/// The answer buffer `(ptr << 32) | len` in guest memory.
pub(super) fn read_output(guest: &Guest, packed: i64) -> wasmtime::Result<&[u8]> {
    let packed = packed as u64;
    let (ptr, len) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
    guest
        .memory
        .data(&guest.store)
        .get(ptr..ptr.saturating_add(len))
        .ok_or_else(|| {
            wasmtime::Error::msg(format!(
                "answered with a buffer at {ptr} ({len} bytes) outside its memory"
            ))
        })
}

/// Builds the batch buffer of the ABI straight from [`Features`], with no [`Candidate`] per
/// candidate unless it has a place; its buffers are reused from batch to batch.
#[derive(Default)]
pub(super) struct Encoder {
    /// The feature names of the batch (its first candidate's).
    pub(super) names: Vec<String>,
    /// The candidates' entries: id, values, attributes.
    pub(super) body: Vec<u8>,
    /// The candidates, for the helpers.
    pub(super) placed: Placed,
    /// The candidate being read: its feature count, whether its names or layers are not
    /// the batch's, and its layers.
    pub(super) feature: usize,
    pub(super) differs: bool,
    /// The candidate's layers and the batch's, by address: they are only compared.
    pub(super) layers: Option<*const SpatialLayers>,
    pub(super) batch_layers: Option<*const SpatialLayers>,
}

impl Encoder {
    /// Encodes `candidates[start..end]`, stopping before the first whose feature names or
    /// layers differ from `candidates[start]`'s; returns where it stopped.
    pub(super) fn fill(&mut self, candidates: &[&dyn Features], start: usize, end: usize) -> usize {
        self.names.clear();
        self.body.clear();
        self.placed.clear();
        for (i, c) in candidates.iter().enumerate().take(end).skip(start) {
            let mark = (self.body.len(), self.placed.ids.len());
            self.feature = 0;
            self.differs = false;
            self.layers = None;
            c.read_into(self);
            if i == start {
                self.batch_layers = self.layers;
                continue;
            }
            if self.differs || self.feature != self.names.len() || self.layers != self.batch_layers
            {
                self.body.truncate(mark.0);
                self.placed.ids.truncate(mark.1);
                self.placed.ends.pop();
                self.placed.candidates.pop();
                return i;
            }
        }
        end
    }

    /// What precedes the candidates: the explain flag, the names, the count.
    pub(super) fn header(&self, explain: bool) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(16 + self.names.iter().map(|n| n.len() + 4).sum::<usize>());
        wire::put_batch_header(&mut out, explain, &self.names, self.placed.len());
        out
    }
}

impl FeatureSink for Encoder {
    fn id(&mut self, id: &str) {
        put_str(&mut self.body, id);
        self.placed.ids.push_str(id);
        self.placed.ends.push(self.placed.ids.len());
    }

    fn feature(&mut self, name: &str, value: &Value) {
        if self.placed.ends.len() == 1 {
            self.names.push(name.to_owned());
        } else if self.names.get(self.feature).is_none_or(|n| n != name) {
            self.differs = true;
        }
        self.feature += 1;
        value.put(&mut self.body);
    }

    fn attributes(&mut self, json: &str) {
        put_str(&mut self.body, json);
    }

    fn place(&mut self, candidate: Option<&Candidate>) {
        self.layers = candidate
            .and_then(Candidate::layers)
            .map(|l| l as *const SpatialLayers);
        self.placed.candidates.push(candidate.cloned());
    }
}
