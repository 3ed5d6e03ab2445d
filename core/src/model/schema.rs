//! Which field of a file holds which model field.
//!
//! Planners' files name fields in Chinese (村名, 户数, 人口…) or English. Each layer kind has
//! model fields, each with default file names tried in order; a plan or the CLI overrides them.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{Error, Result};

/// What a layer holds, which decides the model fields read from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum LayerKind {
    /// Administrative villages (polygons).
    Villages,
    /// Roads (lines with a class).
    Roads,
    /// Ecological corridors (polygons, or lines with a width).
    Corridors,
    /// Townships (polygons).
    Townships,
    /// Candidate resettlement sites (polygons).
    Sites,
    /// Land-use zoning (polygons with a land-use class: 城镇建设用地, 产业集聚区…).
    Zoning,
    /// Public-service facilities (points with a type: 学校, 幼儿园, 卫生院, 养老…).
    Facilities,
    /// Permanent basic farmland (polygons).
    Farmland,
    /// Ecological protection red line (polygons).
    Redline,
    /// The office's roster of new communities (a table keyed by community id, geometry
    /// optional): name, township, county, 管委会, site, designations, villages, capacity,
    /// milestone dates.
    Communities,
    /// A layer hecun has no model of (`[layers.patients]`): any geometry, and any model
    /// names, each mapped by the plan to a file field. Read when a plugin declares it.
    Other,
}

impl LayerKind {
    /// The name used in plan files and messages.
    pub fn name(self) -> &'static str {
        match self {
            LayerKind::Villages => "villages",
            LayerKind::Roads => "roads",
            LayerKind::Corridors => "corridors",
            LayerKind::Townships => "townships",
            LayerKind::Sites => "sites",
            LayerKind::Zoning => "zoning",
            LayerKind::Facilities => "facilities",
            LayerKind::Farmland => "farmland",
            LayerKind::Redline => "redline",
            LayerKind::Communities => "communities",
            LayerKind::Other => "other",
        }
    }

    /// The model fields of this kind: name, default file field names, meaning.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            LayerKind::Villages => VILLAGE_FIELDS,
            LayerKind::Roads => ROAD_FIELDS,
            LayerKind::Corridors => CORRIDOR_FIELDS,
            LayerKind::Townships => TOWNSHIP_FIELDS,
            LayerKind::Sites => SITE_FIELDS,
            LayerKind::Zoning => ZONING_FIELDS,
            LayerKind::Facilities => FACILITY_FIELDS,
            LayerKind::Communities => COMMUNITY_FIELDS,
            LayerKind::Farmland | LayerKind::Redline | LayerKind::Other => AREA_FIELDS,
        }
    }

    /// The layers that rules may read besides villages, roads and corridors.
    pub fn context_kinds() -> [LayerKind; 6] {
        [
            LayerKind::Townships,
            LayerKind::Sites,
            LayerKind::Zoning,
            LayerKind::Facilities,
            LayerKind::Farmland,
            LayerKind::Redline,
        ]
    }
}

impl fmt::Display for LayerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One model field: its name, the file field names tried by default, and what it means.
#[derive(Debug)]
pub struct FieldSpec {
    /// The model's name for the field.
    pub name: &'static str,
    /// File field names tried in order when the schema does not name one.
    pub defaults: &'static [&'static str],
    /// What the field means.
    pub meaning: &'static str,
}

const ID: &[&str] = &["id", "ID", "编号", "代码"];
const NAME: &[&str] = &["name", "名称"];

static VILLAGE_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "id",
        defaults: &["id", "ID", "统计用区划代码", "区划代码", "编号", "代码"],
        meaning: "village id, e.g. the 12-digit 统计用区划代码",
    },
    FieldSpec {
        name: "name",
        defaults: &["name", "村名", "名称", "村庄名称"],
        meaning: "village name (村名)",
    },
    FieldSpec {
        name: "township",
        defaults: &["township", "乡镇", "乡镇名称", "乡镇街道", "镇"],
        meaning: "township the village belongs to (乡镇)",
    },
    FieldSpec {
        name: "households",
        defaults: &["households", "户数", "总户数"],
        meaning: "number of households (户数), a whole number",
    },
    FieldSpec {
        name: "population",
        defaults: &["population", "人口", "总人口", "人口数"],
        meaning: "number of people (人口), a whole number",
    },
    FieldSpec {
        name: "community",
        defaults: &["community", "社区", "新社区", "安置社区"],
        meaning: "the new community the village merges into (default: the nearest site of its township)",
    },
    FieldSpec {
        name: "county",
        defaults: &["county", "县区", "县(市)区", "县（市）区", "区县", "县市区"],
        meaning: "the county (县(市)区) the village belongs to (default: the first 6 digits of a 12-digit 统计用区划代码)",
    },
    FieldSpec {
        name: "board",
        defaults: &["board", "管委会"],
        meaning: "the 管委会 (development-zone board) that runs the village's resettlement, if any",
    },
    FieldSpec {
        name: "plan_approved",
        defaults: &["plan_approved", "方案通过"],
        meaning: "启动标准 1: the plan is accepted by the residents and approved by the higher authority",
    },
    FieldSpec {
        name: "new_homestead_approved",
        defaults: &["new_homestead_approved", "新批宅基地"],
        meaning: "启动标准 2: homestead land was newly approved",
    },
    FieldSpec {
        name: "new_construction",
        defaults: &["new_construction", "新建建筑"],
        meaning: "启动标准 2: something was newly built",
    },
    FieldSpec {
        name: "land_legal",
        defaults: &["land_legal", "用地合法"],
        meaning: "启动标准 3: newly occupied construction land is legal",
    },
    FieldSpec {
        name: "infra_started",
        defaults: &["infra_started", "基础设施开工"],
        meaning: "启动标准 4: infrastructure and public-service facilities have started",
    },
    FieldSpec {
        name: "resettlement_started",
        defaults: &["resettlement_started", "安置房开工"],
        meaning: "启动标准 5: resettlement housing has started",
    },
    FieldSpec {
        name: "forced_demolition",
        defaults: &["forced_demolition", "强制拆迁", "强拆"],
        meaning: "forced demolition happened: a one-vote veto",
    },
];

static ROAD_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "id",
        defaults: ID,
        meaning: "road id",
    },
    FieldSpec {
        name: "name",
        defaults: &["name", "名称", "道路名称"],
        meaning: "road name",
    },
    FieldSpec {
        name: "class",
        defaults: &["class", "等级", "道路等级", "类别"],
        meaning: "road class, which decides the buffer width (ring, radial, expressway, …)",
    },
];

static CORRIDOR_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "id",
        defaults: ID,
        meaning: "corridor id",
    },
    FieldSpec {
        name: "name",
        defaults: NAME,
        meaning: "corridor name",
    },
    FieldSpec {
        name: "class",
        defaults: &["level", "class", "级别", "等级"],
        meaning: "corridor level, which decides the margin; without one the class is `corridor`",
    },
    FieldSpec {
        name: "width",
        defaults: &["width_m", "width", "宽度"],
        meaning: "for line corridors: the width of the belt in metres (half on each side)",
    },
];

static TOWNSHIP_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "id",
        defaults: ID,
        meaning: "township id",
    },
    FieldSpec {
        name: "name",
        defaults: &["name", "名称", "乡镇", "township"],
        meaning: "township name, as the villages' township field writes it",
    },
    FieldSpec {
        name: "type",
        defaults: &["type", "乡镇类型", "类型"],
        meaning: "the township's type: 镇 (also 建制镇), 乡 (also 民族乡) or 街道 (also 街道办事处); the plan's rule of planning standards tells a 镇 from a 乡",
    },
];

static SITE_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "id",
        defaults: ID,
        meaning: "site id",
    },
    FieldSpec {
        name: "name",
        defaults: &["name", "名称", "社区"],
        meaning: "the community the site is for (villages' community field names it)",
    },
    FieldSpec {
        name: "township",
        defaults: &["township", "乡镇"],
        meaning: "township of the site",
    },
];

static ZONING_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "id",
        defaults: ID,
        meaning: "zoning area id",
    },
    FieldSpec {
        name: "name",
        defaults: NAME,
        meaning: "zoning area name",
    },
    FieldSpec {
        name: "class",
        defaults: &["class", "用地类型", "类型", "land_use"],
        meaning: "land-use class (城镇建设用地 urban construction land, 产业集聚区 industrial cluster, 乡村建设用地 …)",
    },
];

static FACILITY_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "id",
        defaults: ID,
        meaning: "facility id",
    },
    FieldSpec {
        name: "name",
        defaults: NAME,
        meaning: "facility name",
    },
    FieldSpec {
        name: "class",
        defaults: &["class", "类型", "type"],
        meaning: "facility type (学校, 幼儿园, 卫生院, 养老 …)",
    },
];

static COMMUNITY_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "id",
        defaults: &["id", "ID", "社区编号", "编号", "代码"],
        meaning: "community id",
    },
    FieldSpec {
        name: "name",
        defaults: &["name", "社区名称", "名称", "社区"],
        meaning: "community name (the villages' 社区 field may name it)",
    },
    FieldSpec {
        name: "township",
        defaults: &["township", "乡镇", "乡镇名称", "乡镇街道"],
        meaning: "its township (乡镇)",
    },
    FieldSpec {
        name: "county",
        defaults: &["county", "县区", "县(市)区", "县（市）区", "区县", "县市区"],
        meaning: "its county (县(市)区)",
    },
    FieldSpec {
        name: "board",
        defaults: &["board", "管委会"],
        meaning: "the 管委会 that runs it, if any",
    },
    FieldSpec {
        name: "site",
        defaults: &["site", "安置点编号", "安置点"],
        meaning: "its resettlement site: the id (or name) of a feature of the sites layer",
    },
    FieldSpec {
        name: "designations",
        defaults: &["designations", "称号", "类别"],
        meaning: "示范镇, 示范社区, 省重点项目, 试点 (several separated by 、)",
    },
    FieldSpec {
        name: "villages",
        defaults: &["villages", "村庄代码", "所含村庄代码"],
        meaning: "the 统计用区划代码 of its villages, separated by 、 (else the villages' 社区 field)",
    },
    FieldSpec {
        name: "planned_households",
        defaults: &["planned_households", "规划户数", "规划安置户数"],
        meaning: "households the community is planned for",
    },
    FieldSpec {
        name: "floor_area_m2",
        defaults: &["floor_area_m2", "规划建筑面积"],
        meaning: "planned floor area, m²",
    },
    FieldSpec {
        name: "capacity_units",
        defaults: &["capacity_units", "安置房套数"],
        meaning: "resettlement housing capacity, in dwellings (one per household)",
    },
    FieldSpec {
        name: "capacity_m2",
        defaults: &["capacity_m2", "安置房面积"],
        meaning: "resettlement housing capacity, m² (against people × [programme] area_per_person_m2)",
    },
];

static AREA_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "id",
        defaults: ID,
        meaning: "feature id",
    },
    FieldSpec {
        name: "name",
        defaults: NAME,
        meaning: "feature name",
    },
    FieldSpec {
        name: "class",
        defaults: &["class", "类型"],
        meaning: "type of protected land",
    },
];

/// The field mapping of one layer: defaults of its kind, with overrides.
///
/// # Examples
///
/// ```
/// use hecun::{LayerKind, Schema};
///
/// let schema = Schema::new(LayerKind::Villages).with_field("households", "户数(户)")?;
/// assert_eq!(schema.candidates("households"), vec!["户数(户)"]);
/// assert!(schema.candidates("population").contains(&"人口"));
/// assert!(Schema::new(LayerKind::Roads).with_field("households", "x").is_err());
/// # Ok::<(), hecun::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    kind: LayerKind,
    overrides: BTreeMap<String, String>,
}

impl Schema {
    /// The default mapping for a kind of layer.
    pub fn new(kind: LayerKind) -> Schema {
        Schema {
            kind,
            overrides: BTreeMap::new(),
        }
    }

    /// The kind of layer.
    pub fn kind(&self) -> LayerKind {
        self.kind
    }

    /// Reads model field `model` from the file field `file_field`.
    pub fn with_field(mut self, model: &str, file_field: &str) -> Result<Schema> {
        // A layer hecun has no model of takes the plan's names as they come; so does the
        // communities table, whose own columns (milestone dates, documents) the plan names for
        // its milestones and launch checks.
        let open = matches!(self.kind, LayerKind::Other | LayerKind::Communities);
        if !open && !self.kind.fields().iter().any(|f| f.name == model) {
            let known: Vec<_> = self.kind.fields().iter().map(|f| f.name).collect();
            return Err(Error::config(
                format!("fields of layer {}", self.kind),
                format!(
                    "unknown model field {model:?} (known: {})",
                    known.join(", ")
                ),
            ));
        }
        self.overrides
            .insert(model.to_owned(), file_field.to_owned());
        Ok(self)
    }

    /// The file field names tried, in order, for model field `model`.
    pub fn candidates(&self, model: &str) -> Vec<&str> {
        if let Some(name) = self.overrides.get(model) {
            return vec![name.as_str()];
        }
        self.kind
            .fields()
            .iter()
            .find(|f| f.name == model)
            .map(|f| f.defaults.to_vec())
            .unwrap_or_default()
    }

    /// The plan's own mapping of model field `model`, if it gives one.
    pub fn mapped(&self, model: &str) -> Option<&str> {
        self.overrides.get(model).map(String::as_str)
    }

    /// The model names the plan maps to file field `file_field`.
    pub fn models_of(&self, file_field: &str) -> Vec<&str> {
        self.overrides
            .iter()
            .filter(|(_, f)| f.as_str() == file_field)
            .map(|(m, _)| m.as_str())
            .collect()
    }

    /// Whether `model` is one of the model fields of this kind (or mapped, for a layer hecun
    /// has no model of).
    pub fn knows(&self, model: &str) -> bool {
        self.overrides.contains_key(model) || self.kind.fields().iter().any(|f| f.name == model)
    }

    /// How the field is described in messages: the override, or the defaults tried.
    pub fn describe(&self, model: &str) -> String {
        self.candidates(model).join(" / ")
    }
}
