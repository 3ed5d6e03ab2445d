//! The plugin contract, the same for every runtime: what a plugin declares about itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::PluginFile;
use crate::error::{Error, PluginFailure, Result};

/// The version of the host–plugin contract this hecun speaks.
pub const CONTRACT_VERSION: u32 = 1;

/// What a plugin decides: its name in manifests, its code on the WebAssembly wire (one
/// definition for host and SDK, in `hecun-plugin-abi`).
pub use hecun_plugin_abi::Kind;

/// The runtime a plugin is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Runtime {
    /// A Rhai script (`script = "…"`).
    Rhai,
    /// A WebAssembly module (`module = "…"`).
    Wasm,
}

/// Sandbox limits of one plugin, from its manifest; the defaults are safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Script operations per call.
    pub max_operations: u64,
    /// Nested function calls.
    pub max_call_depth: usize,
    /// Bytes in one string.
    pub max_string_size: usize,
    /// Elements in one array.
    pub max_array_size: usize,
    /// Entries in one map.
    pub max_map_size: usize,
    /// Milliseconds per candidate: for a Rhai call, the CPU time of its thread (Linux;
    /// elsewhere the wall clock); for a WebAssembly module, wall clock for each candidate of
    /// a batch.
    pub max_millis: u64,
    /// WebAssembly: the guest's linear memory cap, in MiB (a `memory.grow` beyond it traps).
    pub max_memory_mb: u64,
    /// Terms in one site score (with an explanation asked for).
    pub max_terms: usize,
    /// Bytes of evidence (as JSON) in one answer: an exclusion's, or all of a verdict's
    /// findings' together.
    pub max_evidence_bytes: usize,
    /// Bytes of one candidate's answer: its terms (name + 20 bytes each), reasons and
    /// evidence; for a WebAssembly batch, checked on the buffer's length before it is read.
    pub max_answer_bytes: usize,
}

const DEFAULT_LIMITS: Limits = Limits {
    max_operations: 1_000_000,
    max_call_depth: 32,
    max_string_size: 64 * 1024,
    max_array_size: 100_000,
    max_map_size: 10_000,
    max_millis: 1_000,
    max_memory_mb: 64,
    max_terms: 1_000,
    max_evidence_bytes: 64 * 1024,
    max_answer_bytes: 1 << 20,
};

impl Limits {
    /// Checks a site score against the output limits; the message names the limit and the
    /// value.
    pub fn check_score(&self, score: &super::score::Score) -> std::result::Result<(), LimitBreach> {
        use super::score::Outcome;
        let n = score.terms.len();
        if n > self.max_terms {
            return Err(over("terms", n, "max_terms", self.max_terms));
        }
        let mut size: usize = score.terms.iter().map(|t| t.name.len() + 20).sum();
        if let Outcome::Excluded {
            reason, evidence, ..
        } = &score.outcome
        {
            let evidence = json_size(evidence);
            self.check_evidence_bytes(evidence)?;
            size += reason.len() + evidence;
        }
        if !score.evidence.is_empty() {
            let evidence = json_size(&score.evidence);
            self.check_evidence_bytes(evidence)?;
            size += evidence;
        }
        self.check_answer_bytes(size)
    }

    /// Checks a verdict's findings against the output limits.
    pub fn check_findings(
        &self,
        findings: &[super::verdict::Finding],
    ) -> std::result::Result<(), LimitBreach> {
        let evidence: usize = findings.iter().map(|f| json_size(&f.evidence)).sum();
        self.check_evidence_bytes(evidence)?;
        let size = evidence
            + findings
                .iter()
                .map(|f| f.criterion.len() + f.reason.len() + 13)
                .sum::<usize>();
        self.check_answer_bytes(size)
    }

    fn check_evidence_bytes(&self, bytes: usize) -> std::result::Result<(), LimitBreach> {
        if bytes > self.max_evidence_bytes {
            return Err(over(
                "bytes of evidence",
                bytes,
                "max_evidence_bytes",
                self.max_evidence_bytes,
            ));
        }
        Ok(())
    }

    /// Checks the size of one answer (a WebAssembly batch's: `bytes` for `candidates`).
    pub fn check_answer_bytes(&self, bytes: usize) -> std::result::Result<(), LimitBreach> {
        if bytes > self.max_answer_bytes {
            return Err(over(
                "bytes",
                bytes,
                "max_answer_bytes",
                self.max_answer_bytes,
            ));
        }
        Ok(())
    }
}

/// An answer over one of the manifest's output limits: which limit (as `plugin.toml` names
/// it), and the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitBreach {
    /// The limit's key in `[limits]`.
    pub limit: &'static str,
    /// What was answered, against the limit.
    pub message: String,
}

impl std::fmt::Display for LimitBreach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LimitBreach {}

impl From<LimitBreach> for String {
    fn from(breach: LimitBreach) -> String {
        breach.message
    }
}

fn over(what: &str, value: usize, limit: &'static str, max: usize) -> LimitBreach {
    let message = format!(
        "answered {value} {what}, more than its limit {limit} = {max} (plugin.toml [limits]; \
         at most {})",
        match limit {
            "max_terms" => LIMIT_CEILINGS.max_terms,
            "max_evidence_bytes" => LIMIT_CEILINGS.max_evidence_bytes,
            _ => LIMIT_CEILINGS.max_answer_bytes,
        }
    );
    LimitBreach { limit, message }
}

/// The length of `value` as compact JSON, counted without building the text.
fn json_size(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

impl Default for Limits {
    fn default() -> Self {
        DEFAULT_LIMITS
    }
}

/// The largest value each [`Limits`] field may take (the defaults are in [`Limits::default`]).
///
/// These keep the host safe whatever a manifest says: `max_call_depth` keeps recursion
/// within the native stack the calls run on (see `rhai_runtime.rs`), the sizes bound what one
/// value can allocate (a Rhai blob is bounded by `max_array_size`), and the clock is the
/// last word on everything else.
pub const LIMIT_CEILINGS: Limits = Limits {
    max_operations: 1_000_000_000,
    max_call_depth: 64,
    max_string_size: 16 << 20,
    max_array_size: 1_000_000,
    max_map_size: 100_000,
    max_millis: 60_000,
    max_memory_mb: 1024,
    max_terms: 10_000,
    max_evidence_bytes: 1 << 20,
    max_answer_bytes: 16 << 20,
};

impl Limits {
    /// The limits as given, if each is at least 1 and at most its ceiling
    /// ([`LIMIT_CEILINGS`]); else which limit, its value and the allowed range. Zero is
    /// refused: in Rhai it would mean "unlimited", which switches the sandbox off.
    pub fn checked(self) -> std::result::Result<Limits, String> {
        let c = LIMIT_CEILINGS;
        let fields: [(&str, u64, u64); 10] = [
            ("max_operations", self.max_operations, c.max_operations),
            (
                "max_call_depth",
                self.max_call_depth as u64,
                c.max_call_depth as u64,
            ),
            (
                "max_string_size",
                self.max_string_size as u64,
                c.max_string_size as u64,
            ),
            (
                "max_array_size",
                self.max_array_size as u64,
                c.max_array_size as u64,
            ),
            (
                "max_map_size",
                self.max_map_size as u64,
                c.max_map_size as u64,
            ),
            ("max_millis", self.max_millis, c.max_millis),
            ("max_memory_mb", self.max_memory_mb, c.max_memory_mb),
            ("max_terms", self.max_terms as u64, c.max_terms as u64),
            (
                "max_evidence_bytes",
                self.max_evidence_bytes as u64,
                c.max_evidence_bytes as u64,
            ),
            (
                "max_answer_bytes",
                self.max_answer_bytes as u64,
                c.max_answer_bytes as u64,
            ),
        ];
        for (name, value, ceiling) in fields {
            if value == 0 || value > ceiling {
                return Err(format!(
                    "[limits] {name} = {value} is out of range: give 1 to {ceiling} \
                     (0 is not \"unlimited\"; the sandbox's limits cannot be switched off)"
                ));
            }
        }
        Ok(self)
    }
}

/// One of a plugin's own test cases: an input and what the plugin must answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// What the case shows.
    pub name: String,
    /// The candidate, as the engine would hand it over.
    pub input: toml::Value,
    /// The expected answer: `status`, and for launch checks the `failed` and `vetoes` criteria.
    pub expect: toml::Value,
    /// For a plugin that reads an earlier stage's tables (`tables.NAME.COLUMN`): the rows of
    /// each, as the engine would hand them over in `params.tables` (a table not given is
    /// handed over with no rows).
    #[serde(default)]
    pub tables: BTreeMap<String, toml::Value>,
    /// Parameters in place of the manifest's defaults for this case, one at a time, as a
    /// plan's `params` replaces them (each must be one the manifest declares). A table's or a
    /// target's `input.params` is the parameters in force, filled in as a run does.
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
}

/// A criterion a check plugin reports (a launch criterion, a standard's threshold), with the
/// titles reports show for it instead of its id.
///
/// ```toml
/// [[criteria]]
/// id = "no_forced_demolition"
/// title = { zh-CN = "无强制拆迁（一票否决）", en = "No forced demolition (one-vote veto)" }
/// failed = { zh-CN = "存在强制拆迁", en = "forced demolition found" }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// The id its findings carry (`plan_approved`).
    pub id: String,
    /// Its title by language tag (`zh-CN`, `en`): what must hold.
    pub title: BTreeMap<String, String>,
    /// What a verdict says when it fails, by language tag (`存在强制拆迁`): the negation of the
    /// title, which the engine cannot invent. Optional; without it a verdict says "未满足：" /
    /// "not met: " and the title.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failed: BTreeMap<String, String>,
}

impl Criterion {
    /// The title in language `tag` (`zh-CN`), else in the same language of another region
    /// (`zh`, `zh-TW` for `zh-CN`), else none.
    pub fn title(&self, tag: &str) -> Option<&str> {
        title_in(&self.title, tag)
    }

    /// The failure wording in language `tag`, else in the same language of another region,
    /// else none (a verdict then words the failure from the title).
    pub fn failed(&self, tag: &str) -> Option<&str> {
        title_in(&self.failed, tag)
    }
}

/// The title of `titles` in language `tag`, else in the same language of another region.
pub(crate) fn title_in<'a>(titles: &'a BTreeMap<String, String>, tag: &str) -> Option<&'a str> {
    let primary = |t: &str| {
        t.split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    titles
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(tag))
        .or_else(|| titles.iter().find(|(t, _)| primary(t) == primary(tag)))
        .map(|(_, title)| title.as_str())
}

/// A term a site-score plugin answers, with the titles reports show for it instead of its
/// name (`town_centre` is not a word of a Chinese page), and the measurement hecun hands the
/// plugin that the term is computed from, if any: a term's value (0.62) reads right only
/// beside the distance it came from (1,240 m), so the report shows that distance on the
/// term's row.
///
/// ```toml
/// [[terms]]
/// id = "town_centre"
/// title = { zh-CN = "距镇区中心", en = "closeness to the town centre" }
/// measure = "town_distance"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermTitle {
    /// The name its terms carry (`town_centre`).
    pub id: String,
    /// Its title by language tag (`zh-CN`, `en`).
    pub title: BTreeMap<String, String>,
    /// The measurement it is computed from: one of [`TERM_MEASURES`] (checked when the
    /// manifest is read); none when it comes from something else (a spatial helper, a
    /// parameter, several measurements).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<String>,
}

/// The measurements a `[[terms]] measure` may name: the distances in metres hecun computes
/// for each candidate site and hands the plugin (see `jobs/sites.rs`), in the order reports
/// list them.
pub const TERM_MEASURES: [&str; 3] = ["town_distance", "road_distance", "village_distance"];

/// What a table column holds; the engine refuses a row whose value is of another type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// Text (a district's name).
    Text,
    /// A number (an amount in 元); an integer answered is taken as the same number.
    Number,
    /// A whole number (people, centres); a number with no fractional part is taken.
    Integer,
}

/// What the engine puts in a table column's subtotal and total rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TotalRule {
    /// The sum of the column (numbers and integers only).
    Sum,
    /// Nothing (a share, a rate, a text).
    None,
}

/// A column of a table plugin's rows, with its titles; the engine checks every row against
/// the columns and adds the subtotals and totals.
///
/// ```toml
/// [[columns]]
/// id = "base_funding"
/// title = { zh-CN = "基础经费", en = "Base funding" }
/// type = "number"
/// unit = "元"
/// total = "sum"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// The key of the column in each row (`base_funding`).
    pub id: String,
    /// Its title by language tag (`zh-CN`, `en`).
    pub title: BTreeMap<String, String>,
    /// What it holds.
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// Its unit (`元`, `人`), shown after the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Its subtotals and total: `sum` (the default for numbers and integers) or `none` (the
    /// default, and the only choice, for text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<TotalRule>,
}

impl Column {
    /// The title in language `tag`, else in the same language of another region, else in
    /// any language the manifest gives (a heading in another language reads better than an
    /// id).
    pub fn title(&self, tag: &str) -> &str {
        title_in(&self.title, tag)
            .or_else(|| self.title.values().next().map(String::as_str))
            .unwrap_or(&self.id)
    }

    /// Whether its subtotals and total are sums.
    pub fn sums(&self) -> bool {
        match self.total {
            Some(rule) => rule == TotalRule::Sum,
            None => self.kind != ColumnType::Text,
        }
    }
}

/// A plugin's manifest (`plugin.toml`), beside its script.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The plugin's name, used in every message about it.
    pub name: String,
    /// The plugin's own version.
    pub version: String,
    /// The contract version it was written for.
    pub contract: u32,
    /// What it decides.
    pub kind: Kind,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// The layers and fields it reads (`layer`, `layer.field`, `layer?`): the contract,
    /// checked against the plan before a run; only declared fields are handed over (see
    /// [`Manifest::declared`]).
    #[serde(default)]
    pub reads: Vec<String>,
    /// The Rhai script, relative to the manifest (exactly one of `script` and `module`).
    #[serde(default)]
    pub script: Option<PathBuf>,
    /// The WebAssembly module (`.wasm`, or `.wat` text), relative to the manifest.
    #[serde(default)]
    pub module: Option<PathBuf>,
    /// Parameters and their defaults, handed to the plugin as `params`.
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
    /// Sandbox limits.
    #[serde(default)]
    pub limits: Limits,
    /// The criteria a check plugin reports, in the order reports list them, with their
    /// titles. Optional; when given, a test case whose answer names a criterion not declared
    /// here fails (a misspelt id would otherwise show as an unexplained id).
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// The terms a site-score plugin answers, with their titles (optional; reports show a
    /// term's name where none is given).
    #[serde(default)]
    pub terms: Vec<TermTitle>,
    /// Titles of the keys of its evidence, by key then language tag (`[evidence]
    /// zone_share = { zh-CN = "拆迁范围占比", en = "share inside the zones" }`); optional,
    /// reports show the key where none is given.
    #[serde(default)]
    pub evidence: BTreeMap<String, BTreeMap<String, String>>,
    /// Its reasons per language (`[messages.ID] zh-CN = "…{arg}…"`): the plugin answers a
    /// message id and arguments, the host fills the template of the report's language (see
    /// `message.rs`). Optional: a reason may be text, shown as written.
    #[serde(default)]
    pub messages: super::message::Messages,
    /// A table plugin's columns, in the order the table shows them (required for `table`,
    /// refused for other kinds).
    #[serde(default)]
    pub columns: Vec<Column>,
    /// A table plugin's grouping column: the engine adds a subtotal row per value of it.
    #[serde(default)]
    pub group_by: Option<String>,
    /// A target plugin's targets (required for `target`, refused for other kinds): what it
    /// measures, and how the engine judges each.
    #[serde(default)]
    pub targets: Vec<super::target::TargetDecl>,
    /// The plugin's own test cases, run by `hecun plugin test`.
    #[serde(default)]
    pub tests: Vec<TestCase>,
}

impl Manifest {
    /// A warning for each layer the plugin reads that is not among `loaded`, saying what
    /// follows (`consequence`: in English, in 简体中文).
    pub fn missing_layer_warnings(
        &self,
        loaded: &[&str],
        consequence: (&str, &str),
    ) -> Vec<crate::Warning> {
        self.layers_missing(loaded)
            .into_iter()
            .map(|layer| {
                let message = format!(
                    "plugin {:?} reads layer {layer:?}, which the plan does not list: {}",
                    self.name, consequence.0
                );
                let zh = format!(
                    "插件 {:?} 读取图层 {layer:?}，但 plan 未列出该图层：{}",
                    self.name, consequence.1
                );
                crate::Warning::new(crate::WarningKind::LayerNotListed, message, zh)
                    .with_value(layer)
            })
            .collect()
    }

    /// The layers the plugin says it reads (`reads` entries `layer` or `layer.field`) that are
    /// not among `loaded`: what it gets from them will be missing (`()` in a script).
    pub fn layers_missing<'a>(&'a self, loaded: &[&str]) -> Vec<&'a str> {
        let mut missing: Vec<&str> = self
            .reads
            .iter()
            .map(|r| r.split('.').next().unwrap_or(r))
            // `tables.NAME.COLUMN` reads a table of the plan, not a layer.
            .filter(|layer| *layer != super::reads::TABLES && !loaded.contains(layer))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    /// The `reads` entries, parsed (checked when the manifest is read).
    pub fn declared(&self) -> super::reads::Reads {
        super::reads::Reads::parse(&self.reads).unwrap_or_default()
    }

    /// Refuses a plugin of another kind than `want` where `slot` (`the plan p's [scoring]
    /// sites`, `--plugin`) needs one, naming the slot, the plugin and both kinds.
    pub fn expect_kind(&self, want: Kind, slot: &str) -> Result<()> {
        if self.kind == want {
            return Ok(());
        }
        Err(Error::config(
            slot.to_owned(),
            format!(
                "needs a {} plugin, but plugin {:?} is a {} plugin",
                want.name(),
                self.name,
                self.kind.name()
            ),
        ))
    }

    /// The declared criterion `id`, if any.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    fn check_criteria(&self) -> std::result::Result<(), String> {
        if !self.criteria.is_empty() && self.kind == Kind::SiteScore {
            return Err(
                "declares [[criteria]], but a site-score plugin reports terms and exclusions, not criteria"
                    .into(),
            );
        }
        if !self.criteria.is_empty() && self.kind == Kind::Table {
            return Err(
                "declares [[criteria]], but a table plugin answers rows: declare [[columns]]"
                    .into(),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.criteria {
            if c.id.trim().is_empty() {
                return Err("a [[criteria]] entry has an empty id".into());
            }
            if !seen.insert(c.id.as_str()) {
                return Err(format!("criterion {:?} is declared twice", c.id));
            }
            if c.title.is_empty() || c.title.values().any(|t| t.trim().is_empty()) {
                return Err(format!(
                    "criterion {:?} needs a title in at least one language (title = {{ zh-CN = \"…\" }})",
                    c.id
                ));
            }
            if c.failed.values().any(|t| t.trim().is_empty()) {
                return Err(format!(
                    "criterion {:?} has an empty failure wording: give the words a verdict says \
                     when it fails (failed = {{ zh-CN = \"…\" }}) or leave `failed` out",
                    c.id
                ));
            }
        }
        Ok(())
    }

    /// `[[terms]]` only on a site-score plugin, each once with a title; `[evidence]` titles
    /// not empty.
    fn check_titles(&self) -> std::result::Result<(), String> {
        if !self.terms.is_empty() && self.kind != Kind::SiteScore {
            return Err(format!(
                "declares [[terms]], but a {} plugin answers no terms (only site-score plugins do)",
                self.kind.name()
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in &self.terms {
            if t.id.trim().is_empty() {
                return Err("a [[terms]] entry has an empty id".into());
            }
            if !seen.insert(t.id.as_str()) {
                return Err(format!("term {:?} is declared twice", t.id));
            }
            if t.title.is_empty() || t.title.values().any(|x| x.trim().is_empty()) {
                return Err(format!(
                    "term {:?} needs a title in at least one language (title = {{ zh-CN = \"…\" }})",
                    t.id
                ));
            }
            // A misspelt measurement would put no distance (or the wrong one) beside the
            // term: refused, naming what may be named.
            if let Some(m) = &t.measure
                && !TERM_MEASURES.contains(&m.as_str())
            {
                return Err(format!(
                    "term {:?} has measure = {m:?}, which is not a measurement hecun gives a \
                     site-score plugin: name one of {} (or leave `measure` out)",
                    t.id,
                    TERM_MEASURES.join(", ")
                ));
            }
        }
        for (key, titles) in &self.evidence {
            if titles.is_empty() || titles.values().any(|x| x.trim().is_empty()) {
                return Err(format!(
                    "[evidence] {key} needs a title in at least one language ({key} = {{ zh-CN = \"…\" }})"
                ));
            }
        }
        Ok(())
    }

    /// The declared column `id`, if any.
    pub fn column(&self, id: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.id == id)
    }

    fn check_columns(&self) -> std::result::Result<(), String> {
        if self.kind != Kind::Table {
            if !self.columns.is_empty() || self.group_by.is_some() {
                return Err(format!(
                    "declares [[columns]] or group_by, but a {} plugin does not answer a table",
                    self.kind.name()
                ));
            }
            return Ok(());
        }
        if self.columns.is_empty() {
            return Err(
                "a table plugin declares its columns: [[columns]] id = \"…\", title = { zh-CN = \"…\" }, type = \"text\" | \"number\" | \"integer\""
                    .into(),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.columns {
            if c.id.trim().is_empty() {
                return Err("a [[columns]] entry has an empty id".into());
            }
            if !seen.insert(c.id.as_str()) {
                return Err(format!("column {:?} is declared twice", c.id));
            }
            if c.title.is_empty() || c.title.values().any(|t| t.trim().is_empty()) {
                return Err(format!(
                    "column {:?} needs a title in at least one language (title = {{ zh-CN = \"…\" }})",
                    c.id
                ));
            }
            if c.kind == ColumnType::Text && c.total == Some(TotalRule::Sum) {
                return Err(format!(
                    "column {:?} is text: its total can only be \"none\"",
                    c.id
                ));
            }
        }
        if let Some(group) = &self.group_by
            && self.column(group).is_none()
        {
            return Err(format!(
                "group_by = {group:?} names no declared column (columns: {})",
                self.columns
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(())
    }

    /// Puts a plan's parameters in place of the manifest's defaults (`where_` names the plan
    /// table giving them): a parameter the manifest does not declare is refused, naming it.
    pub fn override_params(
        &mut self,
        params: &BTreeMap<String, toml::Value>,
        where_: &str,
    ) -> Result<()> {
        for (key, value) in params {
            match self.params.get_mut(key) {
                Some(slot) => *slot = value.clone(),
                None => {
                    return Err(Error::config(
                        where_.to_owned(),
                        format!(
                            "params.{key}: plugin {:?} declares no parameter {key:?} (it declares: {})",
                            self.name,
                            self.params.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// For a plugin that reads an earlier stage's tables (`tables.NAME.COLUMN`): puts each
    /// declared table, with no rows, in `params.tables`, so that a rule that reads its tables
    /// when it is built finds them at load; a run hands over the rows in their place
    /// ([`Plugin::with_tables`](super::Plugin::with_tables)). Called after
    /// [`Manifest::override_params`], so that a plan cannot give `params.tables` itself.
    // Called by the runtimes' loaders: unused when built without either.
    #[cfg_attr(not(any(feature = "rhai", feature = "wasm")), allow(dead_code))]
    pub(crate) fn hand_over_empty_tables(&mut self) {
        let declared = self.declared();
        if declared.tables().next().is_none() {
            return;
        }
        let tables: toml::Table = declared
            .tables()
            .map(|(name, _)| (name.to_owned(), toml::Value::Array(Vec::new())))
            .collect();
        self.params
            .insert(super::reads::TABLES.to_owned(), toml::Value::Table(tables));
    }

    /// The runtime that runs the plugin: Rhai for a `script`, WebAssembly for a `module`.
    pub fn runtime(&self) -> Runtime {
        if self.module.is_some() {
            Runtime::Wasm
        } else {
            Runtime::Rhai
        }
    }

    /// Reads `plugin.toml` (or the manifest file named), refusing another contract version
    /// with a message that says which side to upgrade. Returns the manifest and the path of
    /// its script or module.
    pub fn load(path: &Path) -> Result<(Manifest, PathBuf)> {
        let (dir, file) = super::files::plugin_paths(path);
        // Before the manifest is read, the plugin is known by its folder.
        let folder = dir.display().to_string();
        let text = super::files::read_plugin_text(&folder, &dir, &file, PluginFile::Manifest)?;
        Manifest::parse(&file, &text)
    }

    /// Parses the text of the manifest file `file` (named in messages; its script or module
    /// is resolved against its folder) as [`Manifest::load`] does, without reading anything.
    pub fn parse(file: &Path, text: &str) -> Result<(Manifest, PathBuf)> {
        let (dir, file) = super::files::plugin_paths(file);
        // The parse error says where and what, not the line it quotes.
        let mut manifest: Manifest = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|span| {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                    format!("line {line}, column {column}: ")
                })
                .unwrap_or_default();
            Error::config(file.display().to_string(), format!("{at}{}", e.message()))
        })?;
        let context = || format!("plugin {:?} ({})", manifest.name, file.display());
        if manifest.contract > CONTRACT_VERSION {
            return Err(Error::config(
                context(),
                format!(
                    "written for plugin contract {}, but this hecun speaks contract {CONTRACT_VERSION}: upgrade hecun",
                    manifest.contract
                ),
            ));
        }
        if manifest.contract < CONTRACT_VERSION {
            return Err(Error::config(
                context(),
                format!(
                    "written for plugin contract {}, but this hecun speaks contract {CONTRACT_VERSION}: upgrade the plugin",
                    manifest.contract
                ),
            ));
        }
        manifest
            .check_criteria()
            .map_err(|e| Error::config(context(), e))?;
        manifest
            .check_columns()
            .map_err(|e| Error::config(context(), e))?;
        manifest
            .check_titles()
            .map_err(|e| Error::config(context(), e))?;
        super::message::check_messages(&manifest.messages)
            .map_err(|e| Error::config(context(), e))?;
        super::target::check_targets(&manifest).map_err(|e| Error::config(context(), e))?;
        let declared =
            super::reads::Reads::parse(&manifest.reads).map_err(|e| Error::config(context(), e))?;
        if let Some((table, _)) = declared.tables().next() {
            if manifest.kind == Kind::Table {
                return Err(Error::config(
                    context(),
                    format!(
                        "a table reads layers, not another table (reads tables.{table}.…): \
                         the tables of a plan run side by side, before the scorings and launch \
                         checks that read them"
                    ),
                ));
            }
            if manifest.params.contains_key(super::reads::TABLES) {
                return Err(Error::config(
                    context(),
                    "reads tables (tables.NAME.COLUMN), which reach it as params.tables, and \
                     declares a parameter of that name too: rename the parameter",
                ));
            }
        }
        let code = match (&manifest.script, &manifest.module) {
            (Some(script), None) => script.clone(),
            (None, Some(module)) => module.clone(),
            (Some(_), Some(_)) => {
                return Err(Error::config(
                    context(),
                    "names both a script and a module: give exactly one",
                ));
            }
            (None, None) => {
                return Err(Error::config(
                    context(),
                    "names neither a script (Rhai) nor a module (WebAssembly): give one",
                ));
            }
        };
        if super::files::lexically_outside(&code) {
            return Err(Error::Plugin {
                plugin: manifest.name.clone(),
                failure: PluginFailure::Load,
                candidate: None,
                line: None,
                message: format!(
                    "its {} {} is outside the plugin's folder {}: name a file in the plugin's own folder",
                    if manifest.script.is_some() {
                        "script"
                    } else {
                        "module"
                    },
                    code.display(),
                    dir.display()
                ),
            });
        }
        let limits = manifest
            .limits
            .checked()
            .map_err(|e| Error::config(context(), e))?;
        manifest.limits = limits;
        Ok((manifest, dir.join(code)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(kind: &str, criteria: &str) -> std::result::Result<Manifest, String> {
        let text = format!(
            "name = \"t\"\nversion = \"1\"\ncontract = 1\nkind = \"{kind}\"\nscript = \"s.rhai\"\n{criteria}"
        );
        let m: Manifest = toml::from_str(&text).map_err(|e| e.to_string())?;
        m.check_criteria()?;
        m.check_titles()?;
        m.check_columns().map(|()| m)
    }

    #[test]
    fn output_limits_out_of_range_are_refused_and_zero_is_not_unlimited() {
        let limits = |line: &str| -> Limits {
            let m: Manifest = toml::from_str(&format!(
                "name = \"t\"\nversion = \"1\"\ncontract = 1\nkind = \"site-score\"\n\
                 script = \"s.rhai\"\n[limits]\n{line}\n"
            ))
            .unwrap();
            m.limits
        };
        let e = limits("max_terms = 0").checked().unwrap_err();
        assert!(e.contains("max_terms = 0 is out of range"), "{e}");
        let e = limits("max_evidence_bytes = 99999999")
            .checked()
            .unwrap_err();
        assert!(e.contains("max_evidence_bytes = 99999999"), "{e}");
        assert!(
            e.contains(&LIMIT_CEILINGS.max_evidence_bytes.to_string()),
            "{e}"
        );
        let ok = limits("max_answer_bytes = 16777216").checked().unwrap();
        assert_eq!(ok.max_answer_bytes, LIMIT_CEILINGS.max_answer_bytes);
        assert_eq!(ok.max_terms, Limits::default().max_terms);
    }

    #[test]
    fn a_score_over_an_output_limit_names_the_limit_and_the_value() {
        use crate::rules::score::{Outcome, Score, Term};
        let limits = Limits {
            max_terms: 2,
            max_evidence_bytes: 10,
            max_answer_bytes: 100,
            ..Limits::default()
        };
        let term = |name: &str| Term {
            name: name.into(),
            weight: 1.0,
            value: 1.0,
        };
        let mut score = Score {
            outcome: Outcome::Scored(1.0),
            terms: vec![term("a"), term("b")],
            evidence: Default::default(),
        };
        assert_eq!(limits.check_score(&score), Ok(()));
        score.terms.push(term("c"));
        let err = limits.check_score(&score).unwrap_err().to_string();
        assert!(
            err.contains("answered 3 terms") && err.contains("max_terms = 2"),
            "{err}"
        );
        score.terms = vec![term(&"x".repeat(200))];
        let err = limits.check_score(&score).unwrap_err().to_string();
        assert!(err.contains("max_answer_bytes = 100"), "{err}");
        let evidence: std::collections::BTreeMap<String, serde_json::Value> =
            [("k".to_owned(), serde_json::json!("0123456789"))].into();
        let score = Score {
            outcome: Outcome::Excluded {
                reasons: Default::default(),
                reason: "r".into(),
                evidence: evidence.clone(),
            },
            terms: Vec::new(),
            evidence: Default::default(),
        };
        let err = limits.check_score(&score).unwrap_err().to_string();
        assert!(err.contains("answered 18 bytes of evidence"), "{err}");
        // A score's own evidence is bounded the same way.
        let score = Score {
            outcome: Outcome::Scored(1.0),
            terms: Vec::new(),
            evidence,
        };
        let err = limits.check_score(&score).unwrap_err().to_string();
        assert!(err.contains("answered 18 bytes of evidence"), "{err}");
    }

    #[test]
    fn criterion_titles_fall_back_within_the_language_only() {
        let m = manifest(
            "launch-check",
            "[[criteria]]\nid = \"a\"\ntitle = { zh = \"甲\", en-GB = \"A\" }\n",
        )
        .unwrap();
        let a = m.criterion("a").unwrap();
        assert_eq!(a.title("zh-CN"), Some("甲"));
        assert_eq!(a.title("en"), Some("A"));
        assert_eq!(a.title("EN-gb"), Some("A"));
        assert_eq!(a.title("fr"), None);
        assert_eq!(a.failed("zh-CN"), None);
        assert!(m.criterion("b").is_none());
        let m = manifest(
            "launch-check",
            "[[criteria]]\nid = \"a\"\ntitle = { zh-CN = \"无甲\" }\nfailed = { zh-CN = \"存在甲\", en = \"A found\" }\n",
        )
        .unwrap();
        let a = m.criterion("a").unwrap();
        assert_eq!(a.failed("zh-CN"), Some("存在甲"));
        assert_eq!(a.failed("en-GB"), Some("A found"));
        assert_eq!(a.failed("fr"), None);
        let err = manifest(
            "launch-check",
            "[[criteria]]\nid = \"a\"\ntitle = { zh-CN = \"无甲\" }\nfailed = { en = \" \" }\n",
        )
        .unwrap_err();
        assert!(err.contains("\"a\" has an empty failure wording"), "{err}");
    }

    #[test]
    fn table_columns_are_checked_when_the_manifest_is_read() {
        let column = |id: &str, kind: &str, extra: &str| {
            format!(
                "[[columns]]\nid = \"{id}\"\ntitle = {{ en = \"T\" }}\ntype = \"{kind}\"\n{extra}"
            )
        };
        let ok = format!("{}{}", column("d", "text", ""), column("n", "integer", ""));
        let m = manifest("table", &format!("group_by = \"d\"\n{ok}")).unwrap();
        assert!(!m.column("d").unwrap().sums() && m.column("n").unwrap().sums());
        let err = manifest("table", "").unwrap_err();
        assert!(err.contains("[[columns]]"), "{err}");
        let err = manifest("table", &format!("group_by = \"x\"\n{ok}")).unwrap_err();
        assert!(
            err.contains("group_by = \"x\"") && err.contains("d, n"),
            "{err}"
        );
        let err = manifest("table", &column("d", "text", "total = \"sum\"")).unwrap_err();
        assert!(err.contains("column \"d\" is text"), "{err}");
        let err = manifest("table", &format!("{ok}{}", column("d", "number", ""))).unwrap_err();
        assert!(err.contains("\"d\" is declared twice"), "{err}");
        let err = manifest("launch-check", &ok).unwrap_err();
        assert!(
            err.contains("launch-check plugin does not answer a table"),
            "{err}"
        );
        let err = manifest("table", &column("d", "date", "")).unwrap_err();
        assert!(err.contains("date"), "{err}");
    }

    #[test]
    fn an_unknown_term_measure_is_refused_naming_the_plugin_the_term_and_the_allowed_names() {
        for runtime in ["script = \"score.rhai\"", "module = \"score.wasm\""] {
            let text = format!(
                "name = \"my-score\"\nversion = \"1\"\ncontract = 1\nkind = \"site-score\"\n\
                 {runtime}\n[[terms]]\nid = \"near_road\"\ntitle = {{ en = \"road\" }}\n\
                 measure = \"road_dist\"\n"
            );
            let err = Manifest::parse(Path::new("p/plugin.toml"), &text)
                .unwrap_err()
                .to_string();
            for part in [
                "\"my-score\"",
                "plugin.toml",
                "term \"near_road\"",
                "\"road_dist\"",
                "town_distance, road_distance, village_distance",
            ] {
                assert!(err.contains(part), "{part} not in {err}");
            }
            let good = text.replace("road_dist\"", "road_distance\"");
            let (m, _) = Manifest::parse(Path::new("p/plugin.toml"), &good).unwrap();
            assert_eq!(m.terms[0].measure.as_deref(), Some("road_distance"));
        }
    }

    /// Every measurement a term may name is a feature hecun computes for each site.
    #[test]
    fn term_measures_are_site_features_the_engine_computes() {
        for name in TERM_MEASURES {
            assert!(
                super::super::reads::engine::SITE_FEATURES.contains(&name),
                "{name}"
            );
        }
    }

    #[test]
    fn term_and_evidence_titles_are_checked_when_the_manifest_is_read() {
        let term = "[[terms]]\nid = \"town_centre\"\ntitle = { zh-CN = \"距镇区中心\" }\n";
        let m = manifest("site-score", term).unwrap();
        assert_eq!(m.terms[0].title["zh-CN"], "距镇区中心");
        let err = manifest("launch-check", term).unwrap_err();
        assert!(
            err.contains("[[terms]]") && err.contains("launch-check"),
            "{err}"
        );
        let err = manifest("site-score", &format!("{term}{term}")).unwrap_err();
        assert!(err.contains("\"town_centre\" is declared twice"), "{err}");
        let err = manifest("site-score", "[[terms]]\nid = \"a\"\ntitle = {}\n").unwrap_err();
        assert!(err.contains("term \"a\" needs a title"), "{err}");
        // What a term is computed from: one of the measurements hecun gives the plugin.
        assert_eq!(m.terms[0].measure, None);
        for name in TERM_MEASURES {
            let m = manifest("site-score", &format!("{term}measure = \"{name}\"\n")).unwrap();
            assert_eq!(m.terms[0].measure.as_deref(), Some(name));
        }
        for bad in ["town_dist", "", "zone_share", "Town_Distance"] {
            let err = manifest("site-score", &format!("{term}measure = \"{bad}\"\n")).unwrap_err();
            assert!(
                err.contains(&format!("term \"town_centre\" has measure = \"{bad}\""))
                    && err.contains("town_distance, road_distance, village_distance"),
                "{err}"
            );
        }
        let ok = "[evidence]\nzone_share = { zh-CN = \"拆迁范围占比\", en = \"share\" }\n";
        let m = manifest("launch-check", ok).unwrap();
        assert_eq!(m.evidence["zone_share"]["en"], "share");
        let err = manifest("site-score", "[evidence]\nzone_share = { en = \"\" }\n").unwrap_err();
        assert!(err.contains("[evidence] zone_share needs a title"), "{err}");
    }

    #[test]
    fn criteria_are_checked_when_the_manifest_is_read() {
        let one = "[[criteria]]\nid = \"a\"\ntitle = { en = \"A\" }\n";
        assert!(manifest("launch-check", one).is_ok());
        assert!(manifest("standard-selection", one).is_ok());
        let err = manifest("site-score", one).unwrap_err();
        assert!(err.contains("site-score"), "{err}");
        let err = manifest("launch-check", &format!("{one}{one}")).unwrap_err();
        assert!(err.contains("\"a\" is declared twice"), "{err}");
        let err = manifest("launch-check", "[[criteria]]\nid = \"a\"\ntitle = {}\n").unwrap_err();
        assert!(err.contains("needs a title"), "{err}");
        let err = manifest(
            "launch-check",
            "[[criteria]]\nid = \" \"\ntitle = { en = \"A\" }\n",
        )
        .unwrap_err();
        assert!(err.contains("empty id"), "{err}");
        // A misspelt key is refused, not ignored.
        let err = manifest(
            "launch-check",
            "[[criteria]]\nid = \"a\"\ntitel = { en = \"A\" }\n",
        )
        .unwrap_err();
        assert!(err.contains("titel"), "{err}");
    }
}
