//! The spatial helpers: imports from the host (module `hecun`) in WebAssembly; natively (unit
//! tests), the [`testing::Host`](crate::testing::Host) a test installs, or an error.

use std::cell::RefCell;

thread_local! {
    /// Why a helper could not answer for the candidate being run: its answer becomes an error
    /// (in WebAssembly the host keeps the reason and answers the error itself).
    static FAILED: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub(crate) fn take_failure() -> Option<String> {
    FAILED.with(|f| f.borrow_mut().take())
}

fn failed(message: String) {
    FAILED.with(|f| {
        f.borrow_mut().get_or_insert(message);
    });
}

#[cfg(target_arch = "wasm32")]
mod imports {
    #[link(wasm_import_module = "hecun")]
    unsafe extern "C" {
        #[link_name = "distance_to"]
        pub fn distance_to(index: i32, l: *const u8, ll: i32, c: *const u8, cl: i32) -> f64;
        #[link_name = "nearest"]
        pub fn nearest(
            index: i32,
            l: *const u8,
            ll: i32,
            c: *const u8,
            cl: i32,
            id: *mut u8,
            id_cap: i32,
            id_len: *mut u32,
        ) -> f64;
        #[link_name = "count_within"]
        pub fn count_within(
            index: i32,
            l: *const u8,
            ll: i32,
            c: *const u8,
            cl: i32,
            m: f64,
        ) -> i64;
        #[link_name = "ids_within"]
        pub fn ids_within(
            index: i32,
            l: *const u8,
            ll: i32,
            c: *const u8,
            cl: i32,
            m: f64,
            out: *mut u8,
            out_cap: i32,
        ) -> i64;
        #[link_name = "sum_within"]
        pub fn sum_within(index: i32, l: *const u8, ll: i32, f: *const u8, fl: i32, m: f64) -> f64;
        #[link_name = "overlap_share"]
        pub fn overlap_share(index: i32, l: *const u8, ll: i32, c: *const u8, cl: i32) -> f64;
        #[link_name = "touches"]
        pub fn touches(index: i32, l: *const u8, ll: i32, c: *const u8, cl: i32) -> i32;
        #[link_name = "has_layer"]
        pub fn has_layer(l: *const u8, ll: i32) -> i32;
        #[link_name = "has_geometry"]
        pub fn has_geometry(index: i32) -> i32;
        #[link_name = "panic"]
        pub fn panic(message: *const u8, len: i32);
    }

    /// A class as (pointer, length); a negative length is any class.
    pub fn class(class: Option<&str>) -> (*const u8, i32) {
        match class {
            Some(c) => (c.as_ptr(), c.len() as i32),
            None => (std::ptr::null(), -1),
        }
    }
}

/// Reports a panic's message and place to the host (import `panic`) before the module traps,
/// so that the host's error says what went wrong, not only that the module trapped.
#[cfg(target_arch = "wasm32")]
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

#[cfg(target_arch = "wasm32")]
const CANNOT: &str = "a spatial helper could not answer";

#[cfg(target_arch = "wasm32")]
pub(crate) fn distance_to(index: u32, layer: &str, class: Option<&str>) -> Option<f64> {
    let (c, cl) = imports::class(class);
    // SAFETY: the pointers and lengths name live UTF-8 strings in this module's memory.
    let d =
        unsafe { imports::distance_to(index as i32, layer.as_ptr(), layer.len() as i32, c, cl) };
    (!d.is_nan()).then_some(d)
}

/// Asks the host for bytes it writes into a buffer of ours: `ask(buffer)` returns the whole
/// length (`None`: no answer); when it did not fit, ask again with room for it.
#[cfg(target_arch = "wasm32")]
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

#[cfg(target_arch = "wasm32")]
pub(crate) fn nearest(index: u32, layer: &str, class: Option<&str>) -> Option<(String, f64)> {
    let (c, cl) = imports::class(class);
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
    })?;
    Some((String::from_utf8_lossy(&id).into_owned(), distance))
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn count_within(index: u32, layer: &str, metres: f64, class: Option<&str>) -> i64 {
    let (c, cl) = imports::class(class);
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
        failed(CANNOT.to_owned());
        return 0;
    }
    n
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn ids_within(index: u32, layer: &str, metres: f64, class: Option<&str>) -> Vec<String> {
    let (c, cl) = imports::class(class);
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
    });
    match ids {
        Some(bytes) => decode_ids(&bytes),
        None => {
            failed(CANNOT.to_owned());
            Vec::new()
        }
    }
}

/// The ids `ids_within` wrote: each as its length (u32, little-endian) and its bytes.
#[cfg(any(target_arch = "wasm32", test))]
fn decode_ids(mut bytes: &[u8]) -> Vec<String> {
    let mut ids = Vec::new();
    while let Some((len, rest)) = bytes.split_first_chunk::<4>() {
        let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
        ids.push(String::from_utf8_lossy(&rest[..len]).into_owned());
        bytes = &rest[len..];
    }
    ids
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn sum_within(index: u32, layer: &str, field: &str, metres: f64) -> f64 {
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
        failed(CANNOT.to_owned());
    }
    s
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn overlap_share(index: u32, layer: &str, class: Option<&str>) -> f64 {
    let (c, cl) = imports::class(class);
    // SAFETY: as above.
    let s =
        unsafe { imports::overlap_share(index as i32, layer.as_ptr(), layer.len() as i32, c, cl) };
    if s.is_nan() {
        failed(CANNOT.to_owned());
    }
    s
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn touches(index: u32, layer: &str, class: Option<&str>) -> bool {
    let (c, cl) = imports::class(class);
    // SAFETY: as above.
    let t = unsafe { imports::touches(index as i32, layer.as_ptr(), layer.len() as i32, c, cl) };
    if t < 0 {
        failed(CANNOT.to_owned());
    }
    t == 1
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn has_layer(_index: u32, layer: &str) -> bool {
    // SAFETY: as above.
    unsafe { imports::has_layer(layer.as_ptr(), layer.len() as i32) == 1 }
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn has_geometry(index: u32) -> bool {
    // SAFETY: no pointers.
    unsafe { imports::has_geometry(index as i32) == 1 }
}

// ---- Natively: the test's host, if one is installed ----

#[cfg(not(target_arch = "wasm32"))]
fn with_host<T>(
    fallback: T,
    ask: impl FnOnce(&dyn crate::testing::Host) -> Result<T, String>,
) -> T {
    match crate::testing::HOST.with(|h| h.borrow().as_ref().map(|h| ask(h.as_ref()))) {
        Some(Ok(answer)) => answer,
        Some(Err(message)) => {
            failed(message);
            fallback
        }
        None => {
            failed(
                "the spatial helpers answer only inside hecun (natively, install a testing::Host)"
                    .to_owned(),
            );
            fallback
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn distance_to(index: u32, layer: &str, class: Option<&str>) -> Option<f64> {
    with_host(None, |h| h.distance_to(index, layer, class))
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn nearest(index: u32, layer: &str, class: Option<&str>) -> Option<(String, f64)> {
    with_host(None, |h| h.nearest(index, layer, class))
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn count_within(index: u32, layer: &str, metres: f64, class: Option<&str>) -> i64 {
    with_host(0, |h| h.count_within(index, layer, metres, class))
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn ids_within(index: u32, layer: &str, metres: f64, class: Option<&str>) -> Vec<String> {
    with_host(Vec::new(), |h| h.ids_within(index, layer, metres, class))
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn sum_within(index: u32, layer: &str, field: &str, metres: f64) -> f64 {
    with_host(f64::NAN, |h| h.sum_within(index, layer, field, metres))
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn overlap_share(index: u32, layer: &str, class: Option<&str>) -> f64 {
    with_host(f64::NAN, |h| h.overlap_share(index, layer, class))
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn touches(index: u32, layer: &str, class: Option<&str>) -> bool {
    with_host(false, |h| h.touches(index, layer, class))
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn has_layer(index: u32, layer: &str) -> bool {
    // As in Rhai, a candidate without layers has none; that is not an error.
    crate::testing::HOST.with(|h| {
        h.borrow()
            .as_ref()
            .is_some_and(|h| h.has_layer(index, layer))
    })
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn has_geometry(index: u32) -> bool {
    crate::testing::HOST.with(|h| h.borrow().as_ref().is_some_and(|h| h.has_geometry(index)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_decode_as_the_host_encodes_them() {
        let mut bytes = Vec::new();
        for id in ["A1", "", "甲22"] {
            bytes.extend_from_slice(&(id.len() as u32).to_le_bytes());
            bytes.extend_from_slice(id.as_bytes());
        }
        assert_eq!(super::decode_ids(&bytes), ["A1", "", "甲22"]);
        assert!(super::decode_ids(&[]).is_empty());
        // Cut short (the host never does): what is there, no panic.
        assert_eq!(super::decode_ids(&bytes[..5]), ["A"]);
    }
}
