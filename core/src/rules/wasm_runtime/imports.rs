//! The imports a guest may use: the spatial helpers, answered from the batch's candidates.
//!
//! Which they are, with their signatures, is `hecun-plugin-abi`'s table (`imports()`); a test
//! below holds the linker to it, as the SDK's test holds its declarations and
//! `rhai_runtime`'s its registration.

use super::store::Host;
use crate::rules::candidate::{Candidate, helpers};
use hecun_plugin_abi::wire;
use wasmtime::{Caller, Engine, Linker};

/// The imports: the spatial helpers, answered from the candidate at `index` of the batch.
pub(super) fn linker(engine: &Engine) -> wasmtime::Result<Linker<Host>> {
    let mut linker = Linker::new(engine);
    linker.func_wrap(
        "hecun",
        "distance_to",
        |mut caller: Caller<'_, Host>, index: i32, lp: i32, ll: i32, cp: i32, cl: i32| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            helper(&mut caller, "distance_to", index, f64::NAN, |c| {
                Ok(helpers::distance_to(c, &layer, class.as_deref())?.unwrap_or(f64::NAN))
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "nearest",
        |mut caller: Caller<'_, Host>,
         index: i32,
         lp: i32,
         ll: i32,
         cp: i32,
         cl: i32,
         id_ptr: i32,
         id_cap: i32,
         id_len: i32| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            let nearest = helper(&mut caller, "nearest", index, None, |c| {
                helpers::nearest(c, &layer, class.as_deref())
            })?;
            let Some((id, distance)) = nearest else {
                return Ok(f64::NAN);
            };
            // The id, as much of it as fits, and its whole length: the guest asks again
            // with room for it when it did not fit.
            let fits = id.len().min(usize::try_from(id_cap).unwrap_or(0));
            write_guest(&mut caller, id_ptr, &id.as_bytes()[..fits])?;
            write_guest(&mut caller, id_len, &(id.len() as u32).to_le_bytes())?;
            Ok(distance)
        },
    )?;
    linker.func_wrap(
        "hecun",
        "count_within",
        |mut caller: Caller<'_, Host>,
         index: i32,
         lp: i32,
         ll: i32,
         cp: i32,
         cl: i32,
         metres: f64| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            helper(&mut caller, "count_within", index, -1_i64, |c| {
                Ok(helpers::count_within(c, &layer, metres, class.as_deref())? as i64)
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "ids_within",
        |mut caller: Caller<'_, Host>,
         index: i32,
         lp: i32,
         ll: i32,
         cp: i32,
         cl: i32,
         metres: f64,
         out_ptr: i32,
         out_cap: i32| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            let ids = helper(&mut caller, "ids_within", index, None, |c| {
                helpers::ids_within(c, &layer, metres, class.as_deref()).map(Some)
            })?;
            let Some(ids) = ids else {
                return Ok(-1_i64);
            };
            // Each id as its length (u32, little-endian) and its bytes; as much as fits, and
            // the whole length returned: the guest asks again with room for it.
            let mut encoded = Vec::new();
            wire::put_ids(&mut encoded, ids.iter().map(String::as_str));
            let fits = encoded.len().min(usize::try_from(out_cap).unwrap_or(0));
            write_guest(&mut caller, out_ptr, &encoded[..fits])?;
            Ok(encoded.len() as i64)
        },
    )?;
    linker.func_wrap(
        "hecun",
        "sum_within",
        |mut caller: Caller<'_, Host>,
         index: i32,
         lp: i32,
         ll: i32,
         fp: i32,
         fl: i32,
         metres: f64| {
            let (layer, field) = (text(&mut caller, lp, ll)?, text(&mut caller, fp, fl)?);
            helper(&mut caller, "sum_within", index, f64::NAN, |c| {
                helpers::sum_within(c, &layer, &field, metres)
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "overlap_share",
        |mut caller: Caller<'_, Host>, index: i32, lp: i32, ll: i32, cp: i32, cl: i32| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            helper(&mut caller, "overlap_share", index, f64::NAN, |c| {
                helpers::overlap_share(c, &layer, class.as_deref())
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "touches",
        |mut caller: Caller<'_, Host>, index: i32, lp: i32, ll: i32, cp: i32, cl: i32| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            helper(&mut caller, "touches", index, -1_i32, |c| {
                Ok(i32::from(helpers::touches(c, &layer, class.as_deref())?))
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "has_layer",
        |mut caller: Caller<'_, Host>, lp: i32, ll: i32| {
            let layer = text(&mut caller, lp, ll)?;
            // Every candidate of a batch has the same layers (batches are split where they
            // differ), so the batch's answer is each candidate's, as in Rhai.
            let loaded = caller
                .data()
                .batch
                .layers()
                .is_some_and(|layers| layers.get(&layer).is_some());
            Ok(i32::from(loaded))
        },
    )?;
    linker.func_wrap(
        "hecun",
        "has_geometry",
        |mut caller: Caller<'_, Host>, index: i32| {
            helper(&mut caller, "has_geometry", index, 0, |c| {
                Ok(i32::from(c.geometry().is_some()))
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "panic",
        |mut caller: Caller<'_, Host>, ptr: i32, len: i32| {
            let message = text(&mut caller, ptr, len)?;
            caller.data_mut().panic = Some(message);
            Ok(())
        },
    )?;
    Ok(linker)
}

/// Answers a helper about candidate `index`: its failure is recorded as that candidate's
/// answer and the guest gets `fail` (NaN or −1); an index outside the batch traps.
pub(super) fn helper<T>(
    caller: &mut Caller<'_, Host>,
    name: &str,
    index: i32,
    fail: T,
    answer: impl FnOnce(&Candidate) -> std::result::Result<T, String>,
) -> wasmtime::Result<T> {
    let host = caller.data_mut();
    let Some((i, candidate)) = usize::try_from(index)
        .ok()
        .and_then(|i| Some((i, host.batch.candidate(i)?)))
    else {
        let fault = format!(
            "called {name} for candidate #{index} of a batch of {}",
            host.batch.len()
        );
        host.fault = Some(fault.clone());
        return Err(wasmtime::Error::msg(fault));
    };
    match answer(&candidate) {
        Ok(value) => Ok(value),
        Err(message) => {
            let slot = &mut host.helper_errors[i];
            if slot.is_none() {
                *slot = Some(format!("{name}: {message}"));
            }
            Ok(fail)
        }
    }
}

/// A UTF-8 string in guest memory; out of bounds or not UTF-8 traps.
pub(super) fn text(caller: &mut Caller<'_, Host>, ptr: i32, len: i32) -> wasmtime::Result<String> {
    let memory = caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .ok_or_else(|| wasmtime::Error::msg("the module exports no memory"))?;
    let data = memory.data(&*caller);
    let bytes = usize::try_from(ptr)
        .ok()
        .zip(usize::try_from(len).ok())
        .and_then(|(p, l)| data.get(p..p.checked_add(l)?));
    let result = match bytes.map(std::str::from_utf8) {
        Some(Ok(s)) => Ok(s.to_owned()),
        Some(Err(_)) => Err(format!(
            "passed a string at {ptr} ({len} bytes) that is not UTF-8"
        )),
        None => Err(format!(
            "passed a string at {ptr} ({len} bytes) outside its memory"
        )),
    };
    result.map_err(|fault| {
        caller.data_mut().fault = Some(fault.clone());
        wasmtime::Error::msg(fault)
    })
}

/// Writes `bytes` into guest memory at `ptr`; out of bounds traps.
pub(super) fn write_guest(
    caller: &mut Caller<'_, Host>,
    ptr: i32,
    bytes: &[u8],
) -> wasmtime::Result<()> {
    let memory = caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .ok_or_else(|| wasmtime::Error::msg("the module exports no memory"))?;
    let written = usize::try_from(ptr)
        .ok()
        .and_then(|at| memory.write(&mut *caller, at, bytes).ok());
    if written.is_none() {
        let fault = format!(
            "gave a buffer at {ptr} ({} bytes) outside its memory",
            bytes.len()
        );
        caller.data_mut().fault = Some(fault.clone());
        return Err(wasmtime::Error::msg(fault));
    }
    Ok(())
}

/// An optional class: a negative length means any class.
pub(super) fn class(
    caller: &mut Caller<'_, Host>,
    ptr: i32,
    len: i32,
) -> wasmtime::Result<Option<String>> {
    if len < 0 {
        return Ok(None);
    }
    text(caller, ptr, len).map(Some)
}

#[cfg(test)]
mod tests {
    use super::linker;
    use crate::rules::wasm_runtime::store::{engine, new_store};
    use hecun_plugin_abi::{IMPORT_MODULE, WasmType, imports};
    use wasmtime::{Extern, ValType};

    fn wasm_type(t: &ValType) -> WasmType {
        match t {
            ValType::I32 => WasmType::I32,
            ValType::I64 => WasmType::I64,
            ValType::F64 => WasmType::F64,
            other => panic!("the linker uses {other}, which no import of the ABI has"),
        }
    }

    /// The linker defines exactly the imports of hecun-plugin-abi's table, each with its
    /// signature: a helper linked here and not in the table (or the other way) fails.
    #[test]
    fn the_linker_is_the_abi_tables() {
        let engine = engine(None).unwrap();
        let linker = linker(&engine).unwrap();
        let mut store = new_store(&engine, (1 << 20, 100));
        // The functions first: reading their types needs the store the iteration holds.
        let funcs: Vec<(String, wasmtime::Func)> = linker
            .iter(&mut store)
            .map(|(module, name, item)| {
                assert_eq!(module, IMPORT_MODULE, "{module}.{name}");
                let Extern::Func(f) = item else {
                    panic!("{module}.{name} is not a function")
                };
                (name.to_owned(), f)
            })
            .collect();
        let mut linked: Vec<(String, Vec<WasmType>, Vec<WasmType>)> = funcs
            .into_iter()
            .map(|(name, f)| {
                let ty = f.ty(&store);
                let params = ty.params().map(|t| wasm_type(&t)).collect();
                let results = ty.results().map(|t| wasm_type(&t)).collect();
                (name, params, results)
            })
            .collect();
        linked.sort_by(|a, b| a.0.cmp(&b.0));
        let mut table: Vec<(String, Vec<WasmType>, Vec<WasmType>)> = imports()
            .map(|i| (i.name.to_owned(), i.params.to_vec(), i.results.to_vec()))
            .collect();
        table.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(linked, table);
    }
}
