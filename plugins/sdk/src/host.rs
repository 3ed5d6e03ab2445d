//! The spatial helpers: imports from the host (module `hecun`) in WebAssembly; natively (unit
//! tests), the [`Host`] a test installs, or an error.
//!
//! The imports are declared once, by `imports!`, which also lists them for a test against
//! the table of `hecun-plugin-abi` (the host's linker and its Rhai registration are checked
//! against the same table).

use std::collections::BTreeMap;
use std::fmt;

/// Why a spatial helper could not answer (a layer the plan does not load, a candidate
/// without a place). The host answers that candidate with the error whatever the rule does
/// next, so a rule usually passes it on with `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperError {
    helper: &'static str,
    message: String,
}

impl HelperError {
    fn new(helper: &'static str, message: String) -> HelperError {
        HelperError { helper, message }
    }

    /// A grouped answer of another kind than the helper gives.
    pub(crate) fn unexpected(helper: &'static str, value: &GroupValue) -> HelperError {
        HelperError::new(helper, format!("the host answered a group with {value:?}"))
    }

    /// The helper that could not answer.
    pub fn helper(&self) -> &'static str {
        self.helper
    }
}

/// In WebAssembly, "a spatial helper could not answer" (the host keeps the reason and
/// answers it itself); natively, the reason the test's [`Host`] gave.
impl fmt::Display for HelperError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HelperError {}

/// The message, so that `?` passes a helper's error on from a rule's `Result<_, String>`.
impl From<HelperError> for String {
    fn from(e: HelperError) -> String {
        e.message
    }
}

/// A WebAssembly value type of an import, from the Rust type that declares it.
#[cfg(test)]
trait WasmValue {
    const TYPE: hecun_plugin_abi::WasmType;
}
#[cfg(test)]
mod wasm_value {
    use super::WasmValue;
    use hecun_plugin_abi::WasmType;
    impl WasmValue for i32 {
        const TYPE: WasmType = WasmType::I32;
    }
    impl WasmValue for i64 {
        const TYPE: WasmType = WasmType::I64;
    }
    impl WasmValue for f64 {
        const TYPE: WasmType = WasmType::F64;
    }
    // Pointers into the module's memory are i32 in wasm32.
    impl<T> WasmValue for *const T {
        const TYPE: WasmType = WasmType::I32;
    }
    impl<T> WasmValue for *mut T {
        const TYPE: WasmType = WasmType::I32;
    }
}

/// Declares the imports (in WebAssembly) and lists them as `DECLARED` (in tests).
macro_rules! imports {
    (module $module:literal; $(fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?;)*) => {
        #[cfg(target_arch = "wasm32")]
        mod imports {
            #[link(wasm_import_module = $module)]
            unsafe extern "C" {
                $(pub fn $name($($arg: $ty),*) $(-> $ret)?;)*
            }
        }

        #[cfg(test)]
        const MODULE: &str = $module;

        /// The imports as declared: name, parameters, results.
        #[cfg(test)]
        #[allow(clippy::type_complexity)]
        const DECLARED: &[(&str, &[hecun_plugin_abi::WasmType], &[hecun_plugin_abi::WasmType])] = &[
            $((
                stringify!($name),
                &[$(<$ty as WasmValue>::TYPE),*],
                &[$(<$ret as WasmValue>::TYPE)?],
            ),)*
        ];
    };
}

imports! {
    module "hecun";
    fn distance_to(index: i32, l: *const u8, ll: i32, c: *const u8, cl: i32) -> f64;
    fn nearest(
        index: i32,
        l: *const u8,
        ll: i32,
        c: *const u8,
        cl: i32,
        id: *mut u8,
        id_cap: i32,
        id_len: *mut u32,
    ) -> f64;
    fn has_geometry(index: i32) -> i32;
    fn count_within(index: i32, l: *const u8, ll: i32, c: *const u8, cl: i32, m: f64) -> i64;
    fn ids_within(
        index: i32,
        l: *const u8,
        ll: i32,
        c: *const u8,
        cl: i32,
        m: f64,
        out: *mut u8,
        out_cap: i32,
    ) -> i64;
    fn sum_within(index: i32, l: *const u8, ll: i32, f: *const u8, fl: i32, m: f64) -> f64;
    fn mean_within(index: i32, l: *const u8, ll: i32, f: *const u8, fl: i32, m: f64) -> f64;
    fn sum_inside(index: i32, l: *const u8, ll: i32, f: *const u8, fl: i32) -> f64;
    fn count_inside(index: i32, l: *const u8, ll: i32) -> i64;
    fn mean_inside(index: i32, l: *const u8, ll: i32, f: *const u8, fl: i32) -> f64;
    fn sum_in_area(
        index: i32,
        l: *const u8,
        ll: i32,
        f: *const u8,
        fl: i32,
        a: *const u8,
        al: i32,
        id: *const u8,
        idl: i32,
    ) -> f64;
    fn count_in_area(
        index: i32,
        l: *const u8,
        ll: i32,
        a: *const u8,
        al: i32,
        id: *const u8,
        idl: i32,
    ) -> i64;
    fn mean_in_area(
        index: i32,
        l: *const u8,
        ll: i32,
        f: *const u8,
        fl: i32,
        a: *const u8,
        al: i32,
        id: *const u8,
        idl: i32,
    ) -> f64;
    fn sum_by(
        index: i32,
        l: *const u8,
        ll: i32,
        f: *const u8,
        fl: i32,
        g: *const u8,
        gl: i32,
        out: *mut u8,
        out_cap: i32,
    ) -> i64;
    fn count_by(
        index: i32,
        l: *const u8,
        ll: i32,
        g: *const u8,
        gl: i32,
        out: *mut u8,
        out_cap: i32,
    ) -> i64;
    fn mean_by(
        index: i32,
        l: *const u8,
        ll: i32,
        f: *const u8,
        fl: i32,
        g: *const u8,
        gl: i32,
        out: *mut u8,
        out_cap: i32,
    ) -> i64;
    fn sum_by_area(
        index: i32,
        l: *const u8,
        ll: i32,
        f: *const u8,
        fl: i32,
        g: *const u8,
        gl: i32,
        out: *mut u8,
        out_cap: i32,
    ) -> i64;
    fn count_by_area(
        index: i32,
        l: *const u8,
        ll: i32,
        g: *const u8,
        gl: i32,
        out: *mut u8,
        out_cap: i32,
    ) -> i64;
    fn mean_by_area(
        index: i32,
        l: *const u8,
        ll: i32,
        f: *const u8,
        fl: i32,
        g: *const u8,
        gl: i32,
        out: *mut u8,
        out_cap: i32,
    ) -> i64;
    fn overlap_share(index: i32, l: *const u8, ll: i32, c: *const u8, cl: i32) -> f64;
    fn touches(index: i32, l: *const u8, ll: i32, c: *const u8, cl: i32) -> i32;
    fn has_layer(l: *const u8, ll: i32) -> i32;
    fn panic(message: *const u8, len: i32);
}

/// The candidate's failure the host recorded since the last call, natively (a test's
/// [`Host`] keeps it, as hecun does): a rule that drops a helper's error still answers with
/// it, in a test as in hecun. In WebAssembly, none: the host keeps it and answers it itself.
#[cfg(target_arch = "wasm32")]
pub(crate) fn take_failure() -> Option<String> {
    None
}

#[cfg(target_arch = "wasm32")]
mod guest {
    use super::{HelperError, imports};

    /// A class as (pointer, length); a negative length is any class.
    fn class(class: Option<&str>) -> (*const u8, i32) {
        match class {
            Some(c) => (c.as_ptr(), c.len() as i32),
            None => (std::ptr::null(), -1),
        }
    }

    /// The host keeps the reason (and answers the candidate with it): ours says only which
    /// helper it was.
    fn cannot(helper: &'static str) -> HelperError {
        HelperError::new(helper, "a spatial helper could not answer".to_owned())
    }

    /// Reports a panic's message and place to the host (import `panic`) before the module
    /// traps, so that the host's error says what went wrong, not only that the module trapped.
    pub(crate) fn report_panics() {
        std::panic::set_hook(Box::new(|info| {
            let payload = info.payload();
            let what = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("a panic");
            let message = match info.location() {
                Some(at) => format!("{what} (at {}:{})", at.file(), at.line()),
                None => what.to_owned(),
            };
            // SAFETY: a live UTF-8 string in this module's memory.
            unsafe { imports::panic(message.as_ptr(), message.len() as i32) };
        }));
    }

    pub(crate) fn distance_to(
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<Option<f64>, HelperError> {
        let (c, cl) = self::class(class);
        // SAFETY: the pointers and lengths name live UTF-8 strings in this module's memory.
        let d = unsafe {
            imports::distance_to(index as i32, layer.as_ptr(), layer.len() as i32, c, cl)
        };
        // NaN is "none" and "cannot" alike: for the latter the host answers the error.
        Ok((!d.is_nan()).then_some(d))
    }

    /// Asks the host for bytes it writes into a buffer of ours: `ask(buffer)` returns the
    /// whole length (`None`: no answer); when it did not fit, ask again with room for it.
    fn with_room(start: usize, mut ask: impl FnMut(&mut [u8]) -> Option<usize>) -> Option<Vec<u8>> {
        let mut buffer = vec![0u8; start];
        loop {
            let len = ask(&mut buffer)?;
            if len <= buffer.len() {
                buffer.truncate(len);
                return Some(buffer);
            }
            buffer.resize(len, 0);
        }
    }

    pub(crate) fn nearest(
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<Option<(String, f64)>, HelperError> {
        let (c, cl) = self::class(class);
        let mut distance = f64::NAN;
        let id = with_room(64, |id| {
            let mut len = 0u32;
            // SAFETY: as above; `id` has `id.len()` writable bytes and `len` is a writable u32.
            distance = unsafe {
                imports::nearest(
                    index as i32,
                    layer.as_ptr(),
                    layer.len() as i32,
                    c,
                    cl,
                    id.as_mut_ptr(),
                    id.len() as i32,
                    &mut len,
                )
            };
            (!distance.is_nan()).then_some(len as usize)
        });
        Ok(id.map(|id| (String::from_utf8_lossy(&id).into_owned(), distance)))
    }

    pub(crate) fn count_within(
        index: u32,
        layer: &str,
        metres: f64,
        class: Option<&str>,
    ) -> Result<i64, HelperError> {
        let (c, cl) = self::class(class);
        // SAFETY: as above.
        let n = unsafe {
            imports::count_within(
                index as i32,
                layer.as_ptr(),
                layer.len() as i32,
                c,
                cl,
                metres,
            )
        };
        if n < 0 {
            return Err(cannot("count_within"));
        }
        Ok(n)
    }

    pub(crate) fn ids_within(
        index: u32,
        layer: &str,
        metres: f64,
        class: Option<&str>,
    ) -> Result<Vec<String>, HelperError> {
        let (c, cl) = self::class(class);
        let ids = with_room(256, |out| {
            // SAFETY: as above; `out` has `out.len()` writable bytes.
            let n = unsafe {
                imports::ids_within(
                    index as i32,
                    layer.as_ptr(),
                    layer.len() as i32,
                    c,
                    cl,
                    metres,
                    out.as_mut_ptr(),
                    out.len() as i32,
                )
            };
            usize::try_from(n).ok()
        })
        .ok_or_else(|| cannot("ids_within"))?;
        Ok(super::decode_ids(&ids))
    }

    pub(crate) fn sum_within(
        index: u32,
        layer: &str,
        field: &str,
        metres: f64,
    ) -> Result<f64, HelperError> {
        // SAFETY: as above.
        let s = unsafe {
            imports::sum_within(
                index as i32,
                layer.as_ptr(),
                layer.len() as i32,
                field.as_ptr(),
                field.len() as i32,
                metres,
            )
        };
        if s.is_nan() {
            return Err(cannot("sum_within"));
        }
        Ok(s)
    }

    /// A number the host answers NaN for "none" and "cannot" alike (it answers the latter
    /// itself).
    fn optional(n: f64) -> Option<f64> {
        (!n.is_nan()).then_some(n)
    }

    /// A number that always exists when the host can answer.
    fn number(helper: &'static str, n: f64) -> Result<f64, HelperError> {
        if n.is_nan() {
            return Err(cannot(helper));
        }
        Ok(n)
    }

    fn count(helper: &'static str, n: i64) -> Result<i64, HelperError> {
        if n < 0 {
            return Err(cannot(helper));
        }
        Ok(n)
    }

    /// `(pointer, length)` of a string for an import.
    fn s(text: &str) -> (*const u8, i32) {
        (text.as_ptr(), text.len() as i32)
    }

    pub(crate) fn mean_within(
        index: u32,
        layer: &str,
        field: &str,
        metres: f64,
    ) -> Result<Option<f64>, HelperError> {
        let ((l, ll), (f, fl)) = (s(layer), s(field));
        // SAFETY: the pointers and lengths name live UTF-8 strings in this module's memory.
        Ok(optional(unsafe {
            imports::mean_within(index as i32, l, ll, f, fl, metres)
        }))
    }

    pub(crate) fn sum_inside(index: u32, layer: &str, field: &str) -> Result<f64, HelperError> {
        let ((l, ll), (f, fl)) = (s(layer), s(field));
        // SAFETY: as above.
        number("sum_inside", unsafe {
            imports::sum_inside(index as i32, l, ll, f, fl)
        })
    }

    pub(crate) fn count_inside(index: u32, layer: &str) -> Result<i64, HelperError> {
        let (l, ll) = s(layer);
        // SAFETY: as above.
        count("count_inside", unsafe {
            imports::count_inside(index as i32, l, ll)
        })
    }

    pub(crate) fn mean_inside(
        index: u32,
        layer: &str,
        field: &str,
    ) -> Result<Option<f64>, HelperError> {
        let ((l, ll), (f, fl)) = (s(layer), s(field));
        // SAFETY: as above.
        Ok(optional(unsafe {
            imports::mean_inside(index as i32, l, ll, f, fl)
        }))
    }

    pub(crate) fn sum_in_area(
        index: u32,
        layer: &str,
        field: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<f64, HelperError> {
        let ((l, ll), (f, fl)) = (s(layer), s(field));
        let ((a, al), (i, il)) = (s(area_layer), s(area_id));
        // SAFETY: as above.
        number("sum_in_area", unsafe {
            imports::sum_in_area(index as i32, l, ll, f, fl, a, al, i, il)
        })
    }

    pub(crate) fn count_in_area(
        index: u32,
        layer: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<i64, HelperError> {
        let (l, ll) = s(layer);
        let ((a, al), (i, il)) = (s(area_layer), s(area_id));
        // SAFETY: as above.
        count("count_in_area", unsafe {
            imports::count_in_area(index as i32, l, ll, a, al, i, il)
        })
    }

    pub(crate) fn mean_in_area(
        index: u32,
        layer: &str,
        field: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<Option<f64>, HelperError> {
        let ((l, ll), (f, fl)) = (s(layer), s(field));
        let ((a, al), (i, il)) = (s(area_layer), s(area_id));
        // SAFETY: as above.
        Ok(optional(unsafe {
            imports::mean_in_area(index as i32, l, ll, f, fl, a, al, i, il)
        }))
    }

    /// A grouped answer: the import writes it into `out` (at most `out_cap` bytes) and
    /// returns its whole length, −1 when it cannot answer.
    fn grouped(
        helper: &'static str,
        mut ask: impl FnMut(*mut u8, i32) -> i64,
    ) -> Result<super::Groups, HelperError> {
        let bytes = with_room(256, |out| {
            usize::try_from(ask(out.as_mut_ptr(), out.len() as i32)).ok()
        })
        .ok_or_else(|| cannot(helper))?;
        super::decode_groups(&bytes)
            .ok_or_else(|| HelperError::new(helper, "the host's groups did not decode".to_owned()))
    }

    /// `sum_by`, `mean_by`, `sum_by_area`, `mean_by_area`: a field and a grouping.
    pub(crate) fn field_grouped(
        helper: &'static str,
        index: u32,
        layer: &str,
        field: &str,
        grouping: &str,
    ) -> Result<super::Groups, HelperError> {
        let ((l, ll), (f, fl), (g, gl)) = (s(layer), s(field), s(grouping));
        let import = match helper {
            "sum_by" => imports::sum_by,
            "mean_by" => imports::mean_by,
            "sum_by_area" => imports::sum_by_area,
            _ => imports::mean_by_area,
        };
        // SAFETY: as above; `out` has `cap` writable bytes.
        grouped(helper, |out, cap| unsafe {
            import(index as i32, l, ll, f, fl, g, gl, out, cap)
        })
    }

    /// `count_by`, `count_by_area`: a grouping.
    pub(crate) fn count_grouped(
        helper: &'static str,
        index: u32,
        layer: &str,
        grouping: &str,
    ) -> Result<super::Groups, HelperError> {
        let ((l, ll), (g, gl)) = (s(layer), s(grouping));
        let import = match helper {
            "count_by" => imports::count_by,
            _ => imports::count_by_area,
        };
        // SAFETY: as above.
        grouped(helper, |out, cap| unsafe {
            import(index as i32, l, ll, g, gl, out, cap)
        })
    }

    pub(crate) fn overlap_share(
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<f64, HelperError> {
        let (c, cl) = self::class(class);
        // SAFETY: as above.
        let s = unsafe {
            imports::overlap_share(index as i32, layer.as_ptr(), layer.len() as i32, c, cl)
        };
        if s.is_nan() {
            return Err(cannot("overlap_share"));
        }
        Ok(s)
    }

    pub(crate) fn touches(
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<bool, HelperError> {
        let (c, cl) = self::class(class);
        // SAFETY: as above.
        let t =
            unsafe { imports::touches(index as i32, layer.as_ptr(), layer.len() as i32, c, cl) };
        if t < 0 {
            return Err(cannot("touches"));
        }
        Ok(t == 1)
    }

    pub(crate) fn has_layer(_index: u32, layer: &str) -> bool {
        // SAFETY: as above.
        unsafe { imports::has_layer(layer.as_ptr(), layer.len() as i32) == 1 }
    }

    pub(crate) fn has_geometry(index: u32) -> bool {
        // SAFETY: no pointers.
        unsafe { imports::has_geometry(index as i32) == 1 }
    }
}

#[cfg(target_arch = "wasm32")]
pub(crate) use guest::*;

/// A grouped answer as it crosses: each group and its value (a number, a count, or none).
pub(crate) type Groups = Vec<(String, GroupValue)>;

/// One group's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum GroupValue {
    Number(f64),
    Count(i64),
    None,
}

/// The groups the host wrote (`hecun-plugin-abi`'s `put_groups`); `None` if they do not decode.
#[cfg(any(target_arch = "wasm32", test))]
fn decode_groups(bytes: &[u8]) -> Option<Groups> {
    use hecun_plugin_abi::wire::{self, Value};
    let groups = wire::groups(bytes).ok()?;
    groups
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Float(f) => GroupValue::Number(f),
                Value::Int(i) => GroupValue::Count(i),
                Value::Missing => GroupValue::None,
                _ => return None,
            };
            Some((k.to_owned(), v))
        })
        .collect()
}

/// The ids `ids_within` wrote (`hecun-plugin-abi`'s id list).
#[cfg(any(target_arch = "wasm32", test))]
fn decode_ids(bytes: &[u8]) -> Vec<String> {
    hecun_plugin_abi::wire::ids(bytes)
        .map(|id| String::from_utf8_lossy(id).into_owned())
        .collect()
}

// ---- Natively: the test's host, if one is installed ----

/// What the spatial helpers answer in a native test ([`testing::set_host`]); by default each
/// cannot answer. `index` is the candidate's index in the batch.
///
/// [`testing::set_host`]: crate::testing::set_host
pub trait Host {
    /// Metres to the nearest feature of `layer` (of `class`), `None` when there is none.
    fn distance_to(
        &self,
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<Option<f64>, String> {
        let _ = (index, class);
        Err(format!("no answer for distance_to({layer:?}) in this test"))
    }
    /// The id and distance of the nearest feature.
    fn nearest(
        &self,
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<Option<(String, f64)>, String> {
        let _ = (index, class);
        Err(format!("no answer for nearest({layer:?}) in this test"))
    }
    /// Features within `metres`.
    fn count_within(
        &self,
        index: u32,
        layer: &str,
        metres: f64,
        class: Option<&str>,
    ) -> Result<i64, String> {
        let _ = (index, metres, class);
        Err(format!(
            "no answer for count_within({layer:?}) in this test"
        ))
    }
    /// The ids of the features within `metres`, in file order.
    fn ids_within(
        &self,
        index: u32,
        layer: &str,
        metres: f64,
        class: Option<&str>,
    ) -> Result<Vec<String>, String> {
        let _ = (index, metres, class);
        Err(format!("no answer for ids_within({layer:?}) in this test"))
    }
    /// The sum of `field` over the features within `metres`.
    fn sum_within(&self, index: u32, layer: &str, field: &str, metres: f64) -> Result<f64, String> {
        let _ = (index, field, metres);
        Err(format!("no answer for sum_within({layer:?}) in this test"))
    }
    /// The mean of `field` over the features within `metres`; `None` when there are none.
    fn mean_within(
        &self,
        index: u32,
        layer: &str,
        field: &str,
        metres: f64,
    ) -> Result<Option<f64>, String> {
        let _ = (index, field, metres);
        Err(format!("no answer for mean_within({layer:?}) in this test"))
    }
    /// The sum of `field` over the features inside the candidate's polygon.
    fn sum_inside(&self, index: u32, layer: &str, field: &str) -> Result<f64, String> {
        let _ = (index, field);
        Err(format!("no answer for sum_inside({layer:?}) in this test"))
    }
    /// How many features lie inside the candidate's polygon.
    fn count_inside(&self, index: u32, layer: &str) -> Result<i64, String> {
        let _ = index;
        Err(format!(
            "no answer for count_inside({layer:?}) in this test"
        ))
    }
    /// The mean of `field` over the features inside the candidate's polygon.
    fn mean_inside(&self, index: u32, layer: &str, field: &str) -> Result<Option<f64>, String> {
        let _ = (index, field);
        Err(format!("no answer for mean_inside({layer:?}) in this test"))
    }
    /// The sum of `field` over the features in feature `area_id` of `area_layer`.
    fn sum_in_area(
        &self,
        index: u32,
        layer: &str,
        field: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<f64, String> {
        let _ = (index, field, area_layer, area_id);
        Err(format!("no answer for sum_in_area({layer:?}) in this test"))
    }
    /// How many features lie in feature `area_id` of `area_layer`.
    fn count_in_area(
        &self,
        index: u32,
        layer: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<i64, String> {
        let _ = (index, area_layer, area_id);
        Err(format!(
            "no answer for count_in_area({layer:?}) in this test"
        ))
    }
    /// The mean of `field` over the features in feature `area_id` of `area_layer`.
    fn mean_in_area(
        &self,
        index: u32,
        layer: &str,
        field: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<Option<f64>, String> {
        let _ = (index, field, area_layer, area_id);
        Err(format!(
            "no answer for mean_in_area({layer:?}) in this test"
        ))
    }
    /// The sum of `field` per value of attribute `by`.
    fn sum_by(
        &self,
        index: u32,
        layer: &str,
        field: &str,
        by: &str,
    ) -> Result<BTreeMap<String, f64>, String> {
        let _ = (index, field, by);
        Err(format!("no answer for sum_by({layer:?}) in this test"))
    }
    /// How many features have each value of attribute `by`.
    fn count_by(&self, index: u32, layer: &str, by: &str) -> Result<BTreeMap<String, i64>, String> {
        let _ = (index, by);
        Err(format!("no answer for count_by({layer:?}) in this test"))
    }
    /// The mean of `field` per value of attribute `by`.
    fn mean_by(
        &self,
        index: u32,
        layer: &str,
        field: &str,
        by: &str,
    ) -> Result<BTreeMap<String, Option<f64>>, String> {
        let _ = (index, field, by);
        Err(format!("no answer for mean_by({layer:?}) in this test"))
    }
    /// The sum of `field` per feature of `area_layer`.
    fn sum_by_area(
        &self,
        index: u32,
        layer: &str,
        field: &str,
        area_layer: &str,
    ) -> Result<BTreeMap<String, f64>, String> {
        let _ = (index, field, area_layer);
        Err(format!("no answer for sum_by_area({layer:?}) in this test"))
    }
    /// How many features lie in each feature of `area_layer`.
    fn count_by_area(
        &self,
        index: u32,
        layer: &str,
        area_layer: &str,
    ) -> Result<BTreeMap<String, i64>, String> {
        let _ = (index, area_layer);
        Err(format!(
            "no answer for count_by_area({layer:?}) in this test"
        ))
    }
    /// The mean of `field` per feature of `area_layer`.
    fn mean_by_area(
        &self,
        index: u32,
        layer: &str,
        field: &str,
        area_layer: &str,
    ) -> Result<BTreeMap<String, Option<f64>>, String> {
        let _ = (index, field, area_layer);
        Err(format!(
            "no answer for mean_by_area({layer:?}) in this test"
        ))
    }
    /// The share of the candidate's area that `layer` (of `class`) covers.
    fn overlap_share(&self, index: u32, layer: &str, class: Option<&str>) -> Result<f64, String> {
        let _ = (index, class);
        Err(format!(
            "no answer for overlap_share({layer:?}) in this test"
        ))
    }
    /// Whether the candidate touches `layer` (of `class`).
    fn touches(&self, index: u32, layer: &str, class: Option<&str>) -> Result<bool, String> {
        let _ = (index, class);
        Err(format!("no answer for touches({layer:?}) in this test"))
    }
    /// Whether the plan loads `layer`.
    fn has_layer(&self, index: u32, layer: &str) -> bool {
        let _ = (index, layer);
        false
    }
    /// Whether the candidate has a geometry.
    fn has_geometry(&self, index: u32) -> bool {
        let _ = index;
        false
    }
}

/// The test's host (`testing::set_host`) and the failure it recorded for the candidate being
/// run (hecun keeps the same record, in its store). Unused in WebAssembly, where the host is
/// hecun.
#[derive(Default)]
pub(crate) struct Installed {
    pub(crate) host: Option<Box<dyn Host>>,
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    failed: Option<String>,
}

thread_local! {
    pub(crate) static HOST: std::cell::RefCell<Installed> =
        std::cell::RefCell::new(Installed::default());
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::*;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::collections::BTreeMap;

    use super::{GroupValue, Groups, HOST, HelperError, Host};

    pub(crate) fn take_failure() -> Option<String> {
        HOST.with(|h| h.borrow_mut().failed.take())
    }

    fn with_host<T>(
        helper: &'static str,
        ask: impl FnOnce(&dyn Host) -> Result<T, String>,
    ) -> Result<T, HelperError> {
        let answer = HOST.with(|h| match h.borrow().host.as_deref() {
            Some(host) => ask(host),
            None => Err(
                "the spatial helpers answer only inside hecun (natively, install a testing::Host)"
                    .to_owned(),
            ),
        });
        if let Err(message) = &answer {
            HOST.with(|h| {
                h.borrow_mut().failed.get_or_insert_with(|| message.clone());
            });
        }
        answer.map_err(|message| HelperError::new(helper, message))
    }

    pub(crate) fn distance_to(
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<Option<f64>, HelperError> {
        with_host("distance_to", |h| h.distance_to(index, layer, class))
    }

    pub(crate) fn nearest(
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<Option<(String, f64)>, HelperError> {
        with_host("nearest", |h| h.nearest(index, layer, class))
    }

    pub(crate) fn count_within(
        index: u32,
        layer: &str,
        metres: f64,
        class: Option<&str>,
    ) -> Result<i64, HelperError> {
        with_host("count_within", |h| {
            h.count_within(index, layer, metres, class)
        })
    }

    pub(crate) fn ids_within(
        index: u32,
        layer: &str,
        metres: f64,
        class: Option<&str>,
    ) -> Result<Vec<String>, HelperError> {
        with_host("ids_within", |h| h.ids_within(index, layer, metres, class))
    }

    pub(crate) fn sum_within(
        index: u32,
        layer: &str,
        field: &str,
        metres: f64,
    ) -> Result<f64, HelperError> {
        with_host("sum_within", |h| h.sum_within(index, layer, field, metres))
    }

    pub(crate) fn mean_within(
        index: u32,
        layer: &str,
        field: &str,
        metres: f64,
    ) -> Result<Option<f64>, HelperError> {
        with_host("mean_within", |h| {
            h.mean_within(index, layer, field, metres)
        })
    }

    pub(crate) fn sum_inside(index: u32, layer: &str, field: &str) -> Result<f64, HelperError> {
        with_host("sum_inside", |h| h.sum_inside(index, layer, field))
    }

    pub(crate) fn count_inside(index: u32, layer: &str) -> Result<i64, HelperError> {
        with_host("count_inside", |h| h.count_inside(index, layer))
    }

    pub(crate) fn mean_inside(
        index: u32,
        layer: &str,
        field: &str,
    ) -> Result<Option<f64>, HelperError> {
        with_host("mean_inside", |h| h.mean_inside(index, layer, field))
    }

    pub(crate) fn sum_in_area(
        index: u32,
        layer: &str,
        field: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<f64, HelperError> {
        with_host("sum_in_area", |h| {
            h.sum_in_area(index, layer, field, area_layer, area_id)
        })
    }

    pub(crate) fn count_in_area(
        index: u32,
        layer: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<i64, HelperError> {
        with_host("count_in_area", |h| {
            h.count_in_area(index, layer, area_layer, area_id)
        })
    }

    pub(crate) fn mean_in_area(
        index: u32,
        layer: &str,
        field: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<Option<f64>, HelperError> {
        with_host("mean_in_area", |h| {
            h.mean_in_area(index, layer, field, area_layer, area_id)
        })
    }

    fn numbers(m: BTreeMap<String, f64>) -> Groups {
        m.into_iter()
            .map(|(k, v)| (k, GroupValue::Number(v)))
            .collect()
    }

    fn means(m: BTreeMap<String, Option<f64>>) -> Groups {
        m.into_iter()
            .map(|(k, v)| (k, v.map_or(GroupValue::None, GroupValue::Number)))
            .collect()
    }

    fn counts(m: BTreeMap<String, i64>) -> Groups {
        m.into_iter()
            .map(|(k, v)| (k, GroupValue::Count(v)))
            .collect()
    }

    /// `sum_by`, `mean_by`, `sum_by_area`, `mean_by_area`, as in WebAssembly.
    pub(crate) fn field_grouped(
        helper: &'static str,
        index: u32,
        layer: &str,
        field: &str,
        grouping: &str,
    ) -> Result<Groups, HelperError> {
        with_host(helper, |h| match helper {
            "sum_by" => h.sum_by(index, layer, field, grouping).map(numbers),
            "mean_by" => h.mean_by(index, layer, field, grouping).map(means),
            "sum_by_area" => h.sum_by_area(index, layer, field, grouping).map(numbers),
            _ => h.mean_by_area(index, layer, field, grouping).map(means),
        })
    }

    /// `count_by`, `count_by_area`.
    pub(crate) fn count_grouped(
        helper: &'static str,
        index: u32,
        layer: &str,
        grouping: &str,
    ) -> Result<Groups, HelperError> {
        with_host(helper, |h| match helper {
            "count_by" => h.count_by(index, layer, grouping).map(counts),
            _ => h.count_by_area(index, layer, grouping).map(counts),
        })
    }

    pub(crate) fn overlap_share(
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<f64, HelperError> {
        with_host("overlap_share", |h| h.overlap_share(index, layer, class))
    }

    pub(crate) fn touches(
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<bool, HelperError> {
        with_host("touches", |h| h.touches(index, layer, class))
    }

    pub(crate) fn has_layer(index: u32, layer: &str) -> bool {
        // As in Rhai, a candidate without layers has none; that is not an error.
        HOST.with(|h| {
            h.borrow()
                .host
                .as_ref()
                .is_some_and(|h| h.has_layer(index, layer))
        })
    }

    pub(crate) fn has_geometry(index: u32) -> bool {
        HOST.with(|h| {
            h.borrow()
                .host
                .as_ref()
                .is_some_and(|h| h.has_geometry(index))
        })
    }
}

#[cfg(test)]
mod tests {
    use hecun_plugin_abi::{IMPORT_MODULE, imports};

    #[test]
    fn ids_decode_as_the_host_encodes_them() {
        let mut bytes = Vec::new();
        hecun_plugin_abi::wire::put_ids(&mut bytes, ["A1", "", "甲22"]);
        assert_eq!(super::decode_ids(&bytes), ["A1", "", "甲22"]);
        assert!(super::decode_ids(&[]).is_empty());
        // Cut short (the host never does): what is there, no panic.
        assert_eq!(super::decode_ids(&bytes[..5]), ["A"]);
    }

    #[test]
    fn groups_decode_as_the_host_encodes_them() {
        use super::GroupValue;
        use hecun_plugin_abi::wire::{Value, put_groups};
        let mut bytes = Vec::new();
        put_groups(
            &mut bytes,
            &[
                ("东镇", Value::Float(-0.5)),
                ("T2", Value::Int(7)),
                ("", Value::Missing),
            ],
        );
        assert_eq!(
            super::decode_groups(&bytes),
            Some(vec![
                ("东镇".to_owned(), GroupValue::Number(-0.5)),
                ("T2".to_owned(), GroupValue::Count(7)),
                (String::new(), GroupValue::None),
            ])
        );
        // Cut short, or a value no group has: none, no panic.
        assert_eq!(super::decode_groups(&bytes[..bytes.len() - 1]), None);
        let mut text = Vec::new();
        put_groups(&mut text, &[("a", Value::Text("x"))]);
        assert_eq!(super::decode_groups(&text), None);
        assert_eq!(super::decode_groups(&[]), None);
    }

    /// The SDK imports exactly what hecun-plugin-abi's table says the host provides, with the
    /// same signatures: a helper added to the table and not here (or here and not in the
    /// table) fails this test.
    #[test]
    fn the_imports_are_the_abi_tables() {
        assert_eq!(super::MODULE, IMPORT_MODULE);
        let table: Vec<_> = imports().map(|i| (i.name, i.params, i.results)).collect();
        assert_eq!(super::DECLARED, table.as_slice());
    }
}
