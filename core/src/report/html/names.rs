//! What the page calls things the report leaves unnamed or holds as ids: a row with no
//! township, the layer a zone class comes from.

use crate::report::words::Words;

/// A township's name, or the words for "no township" when the row has none.
pub(super) fn township_name<'a>(w: &'a Words, name: &'a str) -> &'a str {
    if name.is_empty() { w.no_township } else { name }
}

/// The layer a zone class comes from, in words (`roads` and `corridors`; any other as given).
pub(super) fn layer_name<'a>(w: &'a Words, layer: &'a str) -> &'a str {
    match layer {
        "roads" => w.layer_roads,
        "corridors" => w.layer_corridors,
        other => other,
    }
}
