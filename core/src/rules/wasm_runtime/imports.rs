//! The imports a guest may use: the spatial helpers, answered from the batch's candidates.
//!
//! Which they are, with their signatures, is `hecun-plugin-abi`'s table (`imports()`); a test
//! below holds the linker to it, as the SDK's test holds its declarations and
//! `rhai_runtime`'s its registration.

use std::collections::BTreeMap;

use super::store::Host;
use crate::rules::candidate::{Candidate, Value, helpers};
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
    aggregates(&mut linker)?;
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

/// The aggregate helpers (`sum_inside`, `count_by`, …): numbers as `f64` (NaN for none and
/// for a failure, as `distance_to`), counts as `i64` (−1 for a failure), groups written to the
/// guest's buffer as `wire::put_groups` has them (the whole length returned, −1 for a
/// failure: the guest asks again with room for it).
fn aggregates(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    type C<'a> = Caller<'a, Host>;
    linker.func_wrap(
        "hecun",
        "mean_within",
        |mut caller: C<'_>, index: i32, lp: i32, ll: i32, fp: i32, fl: i32, metres: f64| {
            let (layer, field) = (text(&mut caller, lp, ll)?, text(&mut caller, fp, fl)?);
            helper(&mut caller, "mean_within", index, f64::NAN, |c| {
                Ok(helpers::mean_within(c, &layer, &field, metres)?.unwrap_or(f64::NAN))
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "sum_inside",
        |mut caller: C<'_>, index: i32, lp: i32, ll: i32, fp: i32, fl: i32| {
            let (layer, field) = (text(&mut caller, lp, ll)?, text(&mut caller, fp, fl)?);
            helper(&mut caller, "sum_inside", index, f64::NAN, |c| {
                helpers::sum_inside(c, &layer, &field)
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "count_inside",
        |mut caller: C<'_>, index: i32, lp: i32, ll: i32| {
            let layer = text(&mut caller, lp, ll)?;
            helper(&mut caller, "count_inside", index, -1_i64, |c| {
                Ok(helpers::count_inside(c, &layer)? as i64)
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "mean_inside",
        |mut caller: C<'_>, index: i32, lp: i32, ll: i32, fp: i32, fl: i32| {
            let (layer, field) = (text(&mut caller, lp, ll)?, text(&mut caller, fp, fl)?);
            helper(&mut caller, "mean_inside", index, f64::NAN, |c| {
                Ok(helpers::mean_inside(c, &layer, &field)?.unwrap_or(f64::NAN))
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "sum_in_area",
        |mut caller: C<'_>,
         index: i32,
         lp: i32,
         ll: i32,
         fp: i32,
         fl: i32,
         ap: i32,
         al: i32,
         ip: i32,
         il: i32| {
            let (layer, field) = (text(&mut caller, lp, ll)?, text(&mut caller, fp, fl)?);
            let (area, id) = (text(&mut caller, ap, al)?, text(&mut caller, ip, il)?);
            helper(&mut caller, "sum_in_area", index, f64::NAN, |c| {
                helpers::sum_in_area(c, &layer, &field, &area, &id)
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "count_in_area",
        |mut caller: C<'_>, index: i32, lp: i32, ll: i32, ap: i32, al: i32, ip: i32, il: i32| {
            let layer = text(&mut caller, lp, ll)?;
            let (area, id) = (text(&mut caller, ap, al)?, text(&mut caller, ip, il)?);
            helper(&mut caller, "count_in_area", index, -1_i64, |c| {
                Ok(helpers::count_in_area(c, &layer, &area, &id)? as i64)
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "mean_in_area",
        |mut caller: C<'_>,
         index: i32,
         lp: i32,
         ll: i32,
         fp: i32,
         fl: i32,
         ap: i32,
         al: i32,
         ip: i32,
         il: i32| {
            let (layer, field) = (text(&mut caller, lp, ll)?, text(&mut caller, fp, fl)?);
            let (area, id) = (text(&mut caller, ap, al)?, text(&mut caller, ip, il)?);
            helper(&mut caller, "mean_in_area", index, f64::NAN, |c| {
                Ok(helpers::mean_in_area(c, &layer, &field, &area, &id)?.unwrap_or(f64::NAN))
            })
        },
    )?;
    type Numbers = fn(&Candidate, &str, &str, &str) -> Result<BTreeMap<String, f64>, String>;
    type Means = fn(&Candidate, &str, &str, &str) -> Result<BTreeMap<String, Option<f64>>, String>;
    type Counts = fn(&Candidate, &str, &str) -> Result<BTreeMap<String, i64>, String>;
    for (name, f) in [
        ("sum_by", helpers::sum_by as Numbers),
        ("sum_by_area", helpers::sum_by_area),
    ] {
        linker.func_wrap(
            "hecun",
            name,
            move |mut caller: C<'_>,
                  index: i32,
                  lp: i32,
                  ll: i32,
                  fp: i32,
                  fl: i32,
                  gp: i32,
                  gl: i32,
                  out: i32,
                  cap: i32| {
                let (layer, field) = (text(&mut caller, lp, ll)?, text(&mut caller, fp, fl)?);
                let by = text(&mut caller, gp, gl)?;
                let groups = helper(&mut caller, name, index, None, |c| {
                    Ok(Some(
                        f(c, &layer, &field, &by)?
                            .into_iter()
                            .map(|(k, v)| (k, Value::Float(v)))
                            .collect(),
                    ))
                })?;
                write_groups(&mut caller, groups, out, cap)
            },
        )?;
    }
    for (name, f) in [
        ("mean_by", helpers::mean_by as Means),
        ("mean_by_area", helpers::mean_by_area),
    ] {
        linker.func_wrap(
            "hecun",
            name,
            move |mut caller: C<'_>,
                  index: i32,
                  lp: i32,
                  ll: i32,
                  fp: i32,
                  fl: i32,
                  gp: i32,
                  gl: i32,
                  out: i32,
                  cap: i32| {
                let (layer, field) = (text(&mut caller, lp, ll)?, text(&mut caller, fp, fl)?);
                let by = text(&mut caller, gp, gl)?;
                let groups = helper(&mut caller, name, index, None, |c| {
                    Ok(Some(
                        f(c, &layer, &field, &by)?
                            .into_iter()
                            .map(|(k, v)| (k, v.map_or(Value::Missing, Value::Float)))
                            .collect(),
                    ))
                })?;
                write_groups(&mut caller, groups, out, cap)
            },
        )?;
    }
    for (name, f) in [
        ("count_by", helpers::count_by as Counts),
        ("count_by_area", helpers::count_by_area),
    ] {
        linker.func_wrap(
            "hecun",
            name,
            move |mut caller: C<'_>,
                  index: i32,
                  lp: i32,
                  ll: i32,
                  gp: i32,
                  gl: i32,
                  out: i32,
                  cap: i32| {
                let (layer, by) = (text(&mut caller, lp, ll)?, text(&mut caller, gp, gl)?);
                let groups = helper(&mut caller, name, index, None, |c| {
                    Ok(Some(
                        f(c, &layer, &by)?
                            .into_iter()
                            .map(|(k, v)| (k, Value::Int(v)))
                            .collect(),
                    ))
                })?;
                write_groups(&mut caller, groups, out, cap)
            },
        )?;
    }
    Ok(())
}

/// Writes a grouped answer into the guest's buffer, as much as fits, and returns its whole
/// length (−1 when the helper failed).
fn write_groups(
    caller: &mut Caller<'_, Host>,
    groups: Option<Vec<(String, Value)>>,
    out: i32,
    cap: i32,
) -> wasmtime::Result<i64> {
    let Some(groups) = groups else {
        return Ok(-1);
    };
    let on_wire: Vec<(&str, wire::Value<'_>)> = groups
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Float(f) => wire::Value::Float(*f),
                Value::Int(i) => wire::Value::Int(*i),
                _ => wire::Value::Missing,
            };
            (k.as_str(), v)
        })
        .collect();
    let mut encoded = Vec::new();
    wire::put_groups(&mut encoded, &on_wire);
    let fits = encoded.len().min(usize::try_from(cap).unwrap_or(0));
    write_guest(caller, out, &encoded[..fits])?;
    Ok(encoded.len() as i64)
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
