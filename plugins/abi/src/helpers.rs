//! The spatial helpers: the one list of what every runtime offers a rule.
//!
//! The host's WebAssembly linker, its Rhai registration and the SDK's imports are each checked
//! against [`HELPERS`] by a test (in `hecun-core` and `hecun-plugin-sdk`), so that a helper
//! cannot exist in one runtime only.

/// The WebAssembly module the helpers are imported from.
pub const IMPORT_MODULE: &str = "hecun";

/// A parameter's or an answer's type, as a rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// Text (a layer or field name).
    Text,
    /// A number (metres); Rhai also takes a whole number.
    Number,
    /// A whole number.
    Int,
    /// Yes or no.
    Bool,
    /// A number, or none (`()` in Rhai, `None` in the SDK).
    OptionalNumber,
    /// The nearest feature, `{ id, distance }`, or none.
    OptionalNearest,
    /// A list of ids.
    Ids,
    /// A map from group (text) to a number: a Rhai map, a `BTreeMap<String, f64>` in the SDK.
    NumberByGroup,
    /// A map from group to a whole number (a count).
    IntByGroup,
    /// A map from group to a number or none (a mean; none for a group without features).
    OptionalNumberByGroup,
}

/// One parameter of a helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Its name in the docs.
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// Whether it may be left out (only trailing ones: the feature class).
    pub optional: bool,
}

/// A runtime a rule can be written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// Rhai scripts: the helpers are methods of the candidate.
    Rhai,
    /// WebAssembly modules through the SDK: methods of `Candidate`.
    Wasm,
}

/// A WebAssembly value type in an import's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmType {
    /// `i32` (also pointers and lengths).
    I32,
    /// `i64`.
    I64,
    /// `f64`.
    F64,
}

/// A WebAssembly import of module [`IMPORT_MODULE`]: its name and signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Import {
    /// The import's name.
    pub name: &'static str,
    /// Its parameters.
    pub params: &'static [WasmType],
    /// Its results.
    pub results: &'static [WasmType],
}

/// One spatial helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Helper {
    /// Its name: the Rhai method and the SDK's `Candidate` method.
    pub name: &'static str,
    /// Its parameters after the candidate.
    pub params: &'static [Param],
    /// Its answer.
    pub returns: Type,
    /// What it answers, in one line.
    pub doc: &'static str,
    /// The runtimes that offer it: all.
    pub runtimes: &'static [Runtime],
    /// The WebAssembly import the SDK calls for it; `None` for one the SDK answers from
    /// another helper (`in_zone` is `touches("zones", class)`).
    pub import: Option<Import>,
}

impl Helper {
    /// How many arguments it takes after the candidate: the least and the most.
    pub fn arity(&self) -> (usize, usize) {
        let required = self.params.iter().filter(|p| !p.optional).count();
        (required, self.params.len())
    }
}

const ALL: &[Runtime] = &[Runtime::Rhai, Runtime::Wasm];

const LAYER: Param = Param {
    name: "layer",
    ty: Type::Text,
    optional: false,
};
const CLASS: Param = Param {
    name: "class",
    ty: Type::Text,
    optional: true,
};
const METRES: Param = Param {
    name: "metres",
    ty: Type::Number,
    optional: false,
};
const FIELD: Param = Param {
    name: "field",
    ty: Type::Text,
    optional: false,
};
const AREA_LAYER: Param = Param {
    name: "area_layer",
    ty: Type::Text,
    optional: false,
};
const AREA_ID: Param = Param {
    name: "area_id",
    ty: Type::Text,
    optional: false,
};
const BY: Param = Param {
    name: "by",
    ty: Type::Text,
    optional: false,
};

use WasmType::{F64, I32, I64};

/// `(index, layer_ptr, layer_len, class_ptr, class_len)`.
const ON_LAYER_OF_CLASS: &[WasmType] = &[I32, I32, I32, I32, I32];
/// `(index, layer_ptr, layer_len, field_ptr, field_len)`.
const FIELD_OF_LAYER: &[WasmType] = &[I32, I32, I32, I32, I32];
/// `(index, layer_ptr, layer_len, field_ptr, field_len, area_layer_ptr, area_layer_len,
/// area_id_ptr, area_id_len)`.
const FIELD_IN_AREA: &[WasmType] = &[I32, I32, I32, I32, I32, I32, I32, I32, I32];
/// `(index, layer_ptr, layer_len, text_ptr, text_len, out_ptr, out_cap)`: a grouping (the
/// `by` attribute or the area layer) and the buffer the groups are written to.
const COUNT_GROUPED: &[WasmType] = &[I32, I32, I32, I32, I32, I32, I32];
/// `(index, layer_ptr, layer_len, field_ptr, field_len, text_ptr, text_len, out_ptr,
/// out_cap)`.
const FIELD_GROUPED: &[WasmType] = &[I32, I32, I32, I32, I32, I32, I32, I32, I32];

/// Every spatial helper, in the order the host lists its imports in errors.
pub const HELPERS: &[Helper] = &[
    Helper {
        name: "distance_to",
        params: &[LAYER, CLASS],
        returns: Type::OptionalNumber,
        doc: "metres to the nearest feature of the layer (of that class); none if it has none",
        runtimes: ALL,
        import: Some(Import {
            name: "distance_to",
            params: ON_LAYER_OF_CLASS,
            results: &[F64],
        }),
    },
    Helper {
        name: "nearest",
        params: &[LAYER, CLASS],
        returns: Type::OptionalNearest,
        doc: "the id and distance of the nearest feature (of that class); none if it has none",
        runtimes: ALL,
        import: Some(Import {
            name: "nearest",
            // ... then (id_ptr, id_cap, id_len_ptr).
            params: &[I32, I32, I32, I32, I32, I32, I32, I32],
            results: &[F64],
        }),
    },
    Helper {
        name: "has_geometry",
        params: &[],
        returns: Type::Bool,
        doc: "whether the candidate has a place the helpers can measure from",
        runtimes: ALL,
        import: Some(Import {
            name: "has_geometry",
            params: &[I32],
            results: &[I32],
        }),
    },
    Helper {
        name: "count_within",
        params: &[LAYER, METRES, CLASS],
        returns: Type::Int,
        doc: "how many features of the layer (of that class) lie within that distance",
        runtimes: ALL,
        import: Some(Import {
            name: "count_within",
            params: &[I32, I32, I32, I32, I32, F64],
            results: &[I64],
        }),
    },
    Helper {
        name: "ids_within",
        params: &[LAYER, METRES, CLASS],
        returns: Type::Ids,
        doc: "the ids of the features of the layer (of that class) within that distance, in file order",
        runtimes: ALL,
        import: Some(Import {
            name: "ids_within",
            // ... then (out_ptr, out_cap).
            params: &[I32, I32, I32, I32, I32, F64, I32, I32],
            results: &[I64],
        }),
    },
    Helper {
        name: "sum_within",
        params: &[LAYER, FIELD, METRES],
        returns: Type::Number,
        doc: "the sum of a numeric attribute over the features of the layer within that distance (0 if none; an error for an unknown field or a value that is not a number)",
        runtimes: ALL,
        import: Some(Import {
            name: "sum_within",
            params: &[I32, I32, I32, I32, I32, F64],
            results: &[F64],
        }),
    },
    Helper {
        name: "mean_within",
        params: &[LAYER, FIELD, METRES],
        returns: Type::OptionalNumber,
        doc: "the mean of a numeric attribute over the features of the layer within that distance; none if none lies within",
        runtimes: ALL,
        import: Some(Import {
            name: "mean_within",
            params: &[I32, I32, I32, I32, I32, F64],
            results: &[F64],
        }),
    },
    Helper {
        name: "sum_inside",
        params: &[LAYER, FIELD],
        returns: Type::Number,
        doc: "the sum of a numeric attribute over the features of the layer inside the candidate's polygon (by representative point)",
        runtimes: ALL,
        import: Some(Import {
            name: "sum_inside",
            params: FIELD_OF_LAYER,
            results: &[F64],
        }),
    },
    Helper {
        name: "count_inside",
        params: &[LAYER],
        returns: Type::Int,
        doc: "how many features of the layer lie inside the candidate's polygon (by representative point)",
        runtimes: ALL,
        import: Some(Import {
            name: "count_inside",
            params: &[I32, I32, I32],
            results: &[I64],
        }),
    },
    Helper {
        name: "mean_inside",
        params: &[LAYER, FIELD],
        returns: Type::OptionalNumber,
        doc: "the mean of a numeric attribute over the features of the layer inside the candidate's polygon; none if there are none",
        runtimes: ALL,
        import: Some(Import {
            name: "mean_inside",
            params: FIELD_OF_LAYER,
            results: &[F64],
        }),
    },
    Helper {
        name: "sum_in_area",
        params: &[LAYER, FIELD, AREA_LAYER, AREA_ID],
        returns: Type::Number,
        doc: "the sum of a numeric attribute over the features of the layer in one feature (by id) of an area layer: that area's entry of sum_by_area",
        runtimes: ALL,
        import: Some(Import {
            name: "sum_in_area",
            params: FIELD_IN_AREA,
            results: &[F64],
        }),
    },
    Helper {
        name: "count_in_area",
        params: &[LAYER, AREA_LAYER, AREA_ID],
        returns: Type::Int,
        doc: "how many features of the layer lie in one feature (by id) of an area layer: that area's entry of count_by_area",
        runtimes: ALL,
        import: Some(Import {
            name: "count_in_area",
            params: &[I32, I32, I32, I32, I32, I32, I32],
            results: &[I64],
        }),
    },
    Helper {
        name: "mean_in_area",
        params: &[LAYER, FIELD, AREA_LAYER, AREA_ID],
        returns: Type::OptionalNumber,
        doc: "the mean of a numeric attribute over the features of the layer in one feature of an area layer; none if there are none",
        runtimes: ALL,
        import: Some(Import {
            name: "mean_in_area",
            params: FIELD_IN_AREA,
            results: &[F64],
        }),
    },
    Helper {
        name: "sum_by",
        params: &[LAYER, FIELD, BY],
        returns: Type::NumberByGroup,
        doc: "the sum of a numeric attribute over all features of the layer per value of attribute `by` (per township, per district), groups sorted",
        runtimes: ALL,
        import: Some(Import {
            name: "sum_by",
            params: FIELD_GROUPED,
            results: &[I64],
        }),
    },
    Helper {
        name: "count_by",
        params: &[LAYER, BY],
        returns: Type::IntByGroup,
        doc: "how many features of the layer have each value of attribute `by`, groups sorted",
        runtimes: ALL,
        import: Some(Import {
            name: "count_by",
            params: COUNT_GROUPED,
            results: &[I64],
        }),
    },
    Helper {
        name: "mean_by",
        params: &[LAYER, FIELD, BY],
        returns: Type::OptionalNumberByGroup,
        doc: "the mean of a numeric attribute over the features of the layer per value of attribute `by`, groups sorted",
        runtimes: ALL,
        import: Some(Import {
            name: "mean_by",
            params: FIELD_GROUPED,
            results: &[I64],
        }),
    },
    Helper {
        name: "sum_by_area",
        params: &[LAYER, FIELD, AREA_LAYER],
        returns: Type::NumberByGroup,
        doc: "the sum of a numeric attribute over the features of the layer per feature (id) of an area layer, each feature in the first area holding its representative point; every area listed",
        runtimes: ALL,
        import: Some(Import {
            name: "sum_by_area",
            params: FIELD_GROUPED,
            results: &[I64],
        }),
    },
    Helper {
        name: "count_by_area",
        params: &[LAYER, AREA_LAYER],
        returns: Type::IntByGroup,
        doc: "how many features of the layer lie in each feature (id) of an area layer; every area listed",
        runtimes: ALL,
        import: Some(Import {
            name: "count_by_area",
            params: COUNT_GROUPED,
            results: &[I64],
        }),
    },
    Helper {
        name: "mean_by_area",
        params: &[LAYER, FIELD, AREA_LAYER],
        returns: Type::OptionalNumberByGroup,
        doc: "the mean of a numeric attribute over the features of the layer per feature of an area layer; none for an area without features",
        runtimes: ALL,
        import: Some(Import {
            name: "mean_by_area",
            params: FIELD_GROUPED,
            results: &[I64],
        }),
    },
    Helper {
        name: "overlap_share",
        params: &[LAYER, CLASS],
        returns: Type::Number,
        doc: "the share (0–1) of the candidate's area the layer (of that class) covers",
        runtimes: ALL,
        import: Some(Import {
            name: "overlap_share",
            params: ON_LAYER_OF_CLASS,
            results: &[F64],
        }),
    },
    Helper {
        name: "touches",
        params: &[LAYER, CLASS],
        returns: Type::Bool,
        doc: "whether the candidate touches a feature of the layer (of that class)",
        runtimes: ALL,
        import: Some(Import {
            name: "touches",
            params: ON_LAYER_OF_CLASS,
            results: &[I32],
        }),
    },
    Helper {
        name: "in_zone",
        params: &[CLASS],
        returns: Type::Bool,
        doc: "whether the candidate touches a demolition zone (of that class): touches(\"zones\", class)",
        runtimes: ALL,
        import: None,
    },
    Helper {
        name: "has_layer",
        params: &[LAYER],
        returns: Type::Bool,
        doc: "whether the plan loads the layer",
        runtimes: ALL,
        // No candidate index: every candidate of a batch has the same layers (ABI.md).
        import: Some(Import {
            name: "has_layer",
            params: &[I32, I32],
            results: &[I32],
        }),
    },
];

/// The imports that are not helpers: `panic(msg_ptr, msg_len)`, the guest's panic message
/// reported before it traps.
pub const OTHER_IMPORTS: &[Import] = &[Import {
    name: "panic",
    params: &[I32, I32],
    results: &[],
}];

/// The helper of that name.
pub fn helper(name: &str) -> Option<&'static Helper> {
    HELPERS.iter().find(|h| h.name == name)
}

/// Every import of module [`IMPORT_MODULE`] the host provides, in the order it lists them.
pub fn imports() -> impl Iterator<Item = &'static Import> {
    HELPERS
        .iter()
        .filter_map(|h| h.import.as_ref())
        .chain(OTHER_IMPORTS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn names_are_unique_and_every_helper_is_in_every_runtime() {
        let mut names: Vec<&str> = imports().map(|i| i.name).collect();
        names.extend(HELPERS.iter().map(|h| h.name));
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        // Each import is its helper's namesake; no two helpers share a name.
        assert_eq!(
            names.len(),
            n - HELPERS.iter().filter(|h| h.import.is_some()).count()
        );
        for h in HELPERS {
            assert_eq!(h.runtimes, [Runtime::Rhai, Runtime::Wasm], "{}", h.name);
            if let Some(i) = h.import {
                assert_eq!(i.name, h.name);
            }
            // Optional parameters only at the end.
            let first_optional = h.params.iter().position(|p| p.optional);
            if let Some(at) = first_optional {
                assert!(h.params[at..].iter().all(|p| p.optional), "{}", h.name);
            }
        }
    }

    #[test]
    fn the_import_order_is_the_hosts() {
        let names: Vec<&str> = imports().map(|i| i.name).collect();
        assert_eq!(
            names,
            [
                "distance_to",
                "nearest",
                "has_geometry",
                "count_within",
                "ids_within",
                "sum_within",
                "mean_within",
                "sum_inside",
                "count_inside",
                "mean_inside",
                "sum_in_area",
                "count_in_area",
                "mean_in_area",
                "sum_by",
                "count_by",
                "mean_by",
                "sum_by_area",
                "count_by_area",
                "mean_by_area",
                "overlap_share",
                "touches",
                "has_layer",
                "panic"
            ]
        );
        assert_eq!(helper("ids_within").map(Helper::arity), Some((2, 3)));
        assert_eq!(helper("has_geometry").map(Helper::arity), Some((0, 0)));
    }
}
