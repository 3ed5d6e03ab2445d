//! What a module must be before it runs: bounded to compile, the ABI's exports with their
//! signatures, and no import but the helpers.

use crate::rules::wasm_answer::ABI_VERSION;
use hecun_plugin_abi::{IMPORT_MODULE, imports};
use wasmtime::{ExternType, FuncType, Module, ValType};

/// The most functions a module may define, and the largest body one function may have.
/// Compiling is the one step of a load the clock cannot stop (Cranelift is not interruptible),
/// so its work is bounded by the module's size instead: a module of 100,000 small functions
/// took 16 s to compile; the shipped rules define a few hundred, none over 64 KiB.
pub const MAX_MODULE_FUNCTIONS: u32 = 10_000;
/// See [`MAX_MODULE_FUNCTIONS`].
pub const MAX_FUNCTION_BYTES: usize = 256 * 1024;

/// Refuses a module whose compilation could run away (see [`MAX_MODULE_FUNCTIONS`]); a
/// module that does not parse is left to wasmtime, which says what is wrong with it.
pub(super) fn check_compile_bound(binary: &[u8]) -> std::result::Result<(), String> {
    use wasmparser::Payload;
    for payload in wasmparser::Parser::new(0).parse_all(binary) {
        match payload {
            Ok(Payload::CodeSectionStart { count, .. }) if count > MAX_MODULE_FUNCTIONS => {
                return Err(format!(
                    "defines {count} functions, more than the {MAX_MODULE_FUNCTIONS} a module \
                     may have (compiling is bounded by size, not by the clock)"
                ));
            }
            Ok(Payload::CodeSectionEntry(body)) if body.range().len() > MAX_FUNCTION_BYTES => {
                return Err(format!(
                    "has a function of {} bytes, more than the {MAX_FUNCTION_BYTES} one function \
                     may have (compiling is bounded by size, not by the clock)",
                    body.range().len()
                ));
            }
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

pub(super) fn check_export(
    module: &Module,
    name: &str,
    params: &[ValType],
    results: &[ValType],
) -> std::result::Result<(), String> {
    let want = || {
        let list = |types: &[ValType]| {
            types
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("({}) -> ({})", list(params), list(results))
    };
    match module.get_export(name) {
        None => Err(format!("does not export {name}")),
        Some(ExternType::Func(f)) if same_signature(&f, params, results) => Ok(()),
        Some(_) => Err(format!(
            "exports {name}, but not as a function {} (ABI {ABI_VERSION})",
            want()
        )),
    }
}

pub(super) fn same_signature(f: &FuncType, params: &[ValType], results: &[ValType]) -> bool {
    let same = |a: &mut dyn ExactSizeIterator<Item = ValType>, b: &[ValType]| {
        a.len() == b.len() && a.zip(b).all(|(x, y)| ValType::eq(&x, y))
    };
    same(&mut f.params(), params) && same(&mut f.results(), results)
}

/// Every import of the module must be one of the helpers, with its signature.
pub(super) fn check_imports(module: &Module) -> std::result::Result<(), String> {
    let provided: Vec<String> = imports()
        .map(|i| format!("{IMPORT_MODULE}.{}", i.name))
        .collect();
    for import in module.imports() {
        let known = import.module() == IMPORT_MODULE && imports().any(|i| i.name == import.name());
        if !known {
            return Err(format!(
                "imports {}.{}, which hecun does not provide (it provides {})",
                import.module(),
                import.name(),
                provided.join(", ")
            ));
        }
    }
    Ok(())
}
