//! The large page's embedded data, compressed.
//!
//! A province's page embeds tens of megabytes of JSON (the map's layers, every row of the long
//! tables, every community's verdict and every site's terms as HTML). The file is mailed and
//! opened from a stick, so each such block is written gzip-compressed and base64'd (a few times
//! smaller) in a `<script type="application/json" data-encoding="gzip+base64">`, and the page
//! decodes it with the browser's own `DecompressionStream('gzip')` (`unpack.js`: no library,
//! no network). Base64 is letters, digits, `+`, `/` and `=`, so nothing in a block can end its
//! script element. The compression level is fixed and the gzip header carries no time or
//! name, so the same report gives the same bytes.

use std::io::Write;

use base64::Engine;
use flate2::{Compression, GzBuilder};

/// The `data-encoding` of a compressed block, as `unpack.js` reads it.
pub(super) const ENCODING: &str = "gzip+base64";

/// The compression level: fixed, so the bytes are (zlib's 6, its default, is within a few per
/// cent of 9 on this text at a fraction of the time).
const LEVEL: u32 = 6;

/// The script that decodes the blocks (`window.hecunUnpack`), written once near the top of
/// the large page, before any script that reads a block.
const SCRIPT: &str = include_str!("unpack.js");

/// `text` (a block's JSON, as it would have been embedded) gzip-compressed and base64'd.
pub(super) fn pack(text: &str) -> String {
    let mut gz = GzBuilder::new()
        .mtime(0)
        .write(Vec::with_capacity(text.len() / 4), Compression::new(LEVEL));
    // Writing to memory cannot fail.
    gz.write_all(text.as_bytes())
        .expect("gzip into memory cannot fail");
    let bytes = gz.finish().expect("gzip into memory cannot fail");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The opening tag of a compressed block, with its other attributes (`id="…"`, escaped).
pub(super) fn open_tag(attrs: &str) -> String {
    format!("<script type=\"application/json\" {attrs} data-encoding=\"{ENCODING}\">")
}

/// The decoder script, its message (in the page's language) for a browser without
/// `DecompressionStream` carried on the element, so it needs no block decoded to say it.
pub(super) fn script(unsupported: &str) -> String {
    format!(
        "<script data-unsupported=\"{}\">\n{SCRIPT}</script>\n",
        super::fmt::esc(unsupported)
    )
}

/// The text a block packs, read back (tests: the page's blocks decode to what was written).
#[cfg(test)]
pub(crate) fn unpack(packed: &str) -> String {
    use std::io::Read;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(packed.trim())
        .expect("base64");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("gzip");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_text_reads_back_the_same() {
        for text in ["", "[]", "{\"a\":\"村<\\/td>&amp;\"}", &"x".repeat(100_000)] {
            let p = pack(text);
            assert!(
                p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
            );
            assert_eq!(unpack(&p), text);
        }
    }

    #[test]
    fn packing_is_deterministic_and_smaller() {
        let text: String = (0..5_000).map(|i| format!("[\"村{i}\",{i}],")).collect();
        assert_eq!(pack(&text), pack(&text));
        // Base64 costs a third on top of gzip; still well under half of the text.
        assert!(pack(&text).len() * 2 < text.len());
        // The gzip header: no time, no name (bytes 4..8 are the mtime).
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(pack(&text))
            .unwrap();
        assert_eq!(&bytes[..4], &[0x1f, 0x8b, 8, 0]);
        assert_eq!(&bytes[4..8], &[0, 0, 0, 0]);
    }

    #[test]
    fn decoder_script_cannot_end_its_element() {
        assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
        assert!(!SCRIPT.contains("<!--"));
    }
}
