//! What the page calls things the report leaves unnamed or holds as ids: a village with no
//! township, the layers a zone class comes from.

use crate::report::words::Words;

pub(super) fn township_name<'a>(w: &'a Words, name: &'a str) -> &'a str {
    if name.is_empty() { w.no_township } else { name }
}

pub(super) fn layer_name<'a>(w: &'a Words, layer: &'a str) -> &'a str {
    match layer {
        "roads" => w.layer_roads,
        "corridors" => w.layer_corridors,
        other => other,
    }
}
