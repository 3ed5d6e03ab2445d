//! The run manifest (`run_manifest.json`): what went in and what came out of a run, so that
//! anyone can show later exactly how each decision was reached — and rerun it.
//!
//! Every input file (the plan, each layer, each plugin's manifest and code) is named with its
//! SHA-256, beside the parameters and limits in force, the counts, the warnings, and the
//! SHA-256 of every output, and the build that ran ([`Build`]: version, commit, features, the
//! program's SHA-256). Only `timings_s` differs between two runs of the same inputs by the
//! same build. `hecun verify` checks a folder against it ([`verify_folder`](super::verify_folder)).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::identity::Build;
use crate::error::{Error, Result};
use crate::model::webmap::InputCrs;
use crate::pipeline::plan::Plan;
use crate::report::Totals;
use crate::rules::{Limits, Manifest, Runtime};

/// The manifest's own format version.
pub const MANIFEST_VERSION: u32 = 1;

/// A run manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    /// The format version ([`MANIFEST_VERSION`]).
    pub manifest_version: u32,
    /// `hecun` and its version.
    pub tool: Tool,
    /// The build that made the run: version, commit, cargo features and the running
    /// program's SHA-256 ([`Build::current`]); absent from manifests written before it was
    /// recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    /// The folder the run was made in, relative to this manifest's folder: the relative
    /// paths of the plan, layers and plugins below are relative to it. `hecun replay` works
    /// from there, so it can be run from anywhere, and after the project and its output
    /// folder are moved together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_folder: Option<PathBuf>,
    /// The plan file.
    pub plan: InputFile,
    /// The plan's name.
    pub plan_name: String,
    /// Every layer file the plan lists, by layer name.
    pub inputs: Vec<InputFile>,
    /// Every plugin that ran.
    pub plugins: Vec<PluginUse>,
    /// The options the run was given beyond the plan (what `hecun replay` gives again).
    pub options: RunOptions,
    /// The zone widths in force, metres per class.
    pub widths_m: BTreeMap<String, f64>,
    /// The CRS distances and areas were computed in.
    pub metric_crs: String,
    /// The coordinate engine.
    pub crs_engine: String,
    /// The headline numbers.
    pub counts: Totals,
    /// Every output file but this one.
    pub outputs: Vec<InputFile>,
    /// What the planner should know.
    pub warnings: Vec<String>,
    /// Wall time of each step, seconds (the one member that differs between reruns).
    pub timings_s: BTreeMap<String, f64>,
}

/// The tool that made the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// `hecun`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Cargo features that change results (`proj`: PROJ as the coordinate engine).
    pub features: Vec<String>,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "hecun".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            features: if cfg!(feature = "proj") {
                vec!["proj".into()]
            } else {
                Vec::new()
            },
        }
    }
}

/// A file and its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// What it is (a layer name, `plan`, `plugin.toml`, `script`, `module`), or the output
    /// file's name.
    pub role: String,
    /// Its path as the run was given it (relative paths: to the run's working folder).
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// The SHA-256 of its content, lower-case hex.
    pub sha256: String,
}

impl InputFile {
    /// Hashes the file at `path`.
    pub fn hash(role: &str, path: &Path) -> Result<InputFile> {
        let (bytes, sha256) = sha256_file(path)?;
        Ok(InputFile {
            role: role.to_owned(),
            path: path.to_owned(),
            bytes,
            sha256,
        })
    }

    /// Whether the file at `path` (this one's, unless another is given) still has this
    /// content; the message names the file and both hashes when not.
    pub fn verify(&self) -> Result<()> {
        // A file swapped for a device or a pipe would be read without end: only a regular
        // file is read, and no more of it than the run hashed (plus one byte, to see growth).
        let meta = std::fs::metadata(&self.path).map_err(|e| Error::io(&self.path, e))?;
        if !meta.is_file() {
            return Err(Error::config(
                self.path.display().to_string(),
                format!("the {} is no longer a regular file", self.role),
            ));
        }
        let file = std::fs::File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let (_, now) = sha256_reader(&self.path, file.take(self.bytes + 1))?;
        if now == self.sha256 {
            Ok(())
        } else {
            Err(Error::config(
                self.path.display().to_string(),
                format!(
                    "the {} changed since the run: SHA-256 {} recorded, {} now",
                    self.role, self.sha256, now
                ),
            ))
        }
    }
}

/// A plugin that ran, with its files, parameters and limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginUse {
    /// What it decided: `launch`, `standard` or `sites`.
    pub role: String,
    /// The plugin's name.
    pub name: String,
    /// The plugin's version.
    pub version: String,
    /// `rhai` or `wasm`.
    pub runtime: String,
    /// The contract version it speaks.
    pub contract: u32,
    /// Its manifest and its script or module.
    pub files: Vec<InputFile>,
    /// The parameters in force (the manifest's defaults).
    pub params: BTreeMap<String, toml::Value>,
    /// The sandbox limits in force.
    pub limits: Limits,
    /// Sites chosen per township (site scoring only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub top: Option<usize>,
    /// The attribute the candidates are grouped by for choosing (a scoring's `per`; absent:
    /// the township).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub per: Option<String>,
    /// The count chosen per group value (a scoring's `quota` table, in place of `top`; `*`
    /// for the groups it does not name); absent: `top` per group.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub quota: BTreeMap<String, usize>,
    /// What it was given, as its `reads` declares: each layer (`layer?` when it does without
    /// it) and the fields of it handed over, and each earlier stage's table it read
    /// (`tables.NAME`) with the columns of it handed over; nothing else reached it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reads: BTreeMap<String, Vec<String>>,
}

impl PluginUse {
    /// The same use, recording how a scoring chooses: its `per` and `quota`.
    pub fn choosing(mut self, scoring: &crate::pipeline::plan::SiteScoring) -> PluginUse {
        self.per = scoring.per.clone();
        self.quota = scoring.quota.clone();
        self
    }

    /// Describes the plugin at `path` (folder or plugin.toml), hashing its files.
    pub fn describe(role: &str, path: &Path, top: Option<usize>) -> Result<PluginUse> {
        let (manifest, code) = Manifest::load(path)?;
        let (dir, toml_path) = crate::rules::plugin_paths(path);
        let runtime = manifest.runtime();
        let declared = manifest.declared();
        let (code_role, kind) = match runtime {
            Runtime::Rhai => ("script", crate::rules::PluginFile::Script),
            Runtime::Wasm => ("module", crate::rules::PluginFile::Module),
        };
        // Through the plugin's bounded reader: a manifest naming a device or a host file is
        // refused, not hashed.
        let file = |role: &str, path: &Path, kind| -> Result<InputFile> {
            let bytes = crate::rules::read_plugin_file(&manifest.name, &dir, path, kind, "")?;
            Ok(InputFile {
                role: role.to_owned(),
                path: path.to_owned(),
                bytes: bytes.len() as u64,
                sha256: sha256_bytes(&bytes),
            })
        };
        Ok(PluginUse {
            role: role.to_owned(),
            name: manifest.name.clone(),
            version: manifest.version.clone(),
            runtime: match runtime {
                Runtime::Rhai => "rhai",
                Runtime::Wasm => "wasm",
            }
            .to_owned(),
            contract: manifest.contract,
            files: vec![
                file(
                    "plugin.toml",
                    &toml_path,
                    crate::rules::PluginFile::Manifest,
                )?,
                file(code_role, &code, kind)?,
            ],
            params: manifest.params.clone(),
            limits: manifest.limits,
            top,
            per: None,
            quota: BTreeMap::new(),
            reads: declared
                .layers()
                .map(|l| {
                    let name = if l.optional {
                        format!("{}?", l.layer)
                    } else {
                        l.layer.clone()
                    };
                    (name, l.fields.clone())
                })
                // An earlier stage's table: `tables.NAME` and the columns read of it.
                .chain(declared.tables().map(|(name, columns)| {
                    (
                        format!("{}.{name}", crate::rules::reads::TABLES),
                        columns.to_vec(),
                    )
                }))
                .collect(),
        })
    }
}

/// The options of a run beyond its plan.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunOptions {
    /// `--input-crs`.
    pub input_crs: Option<String>,
    /// `--metric-crs`.
    pub metric_crs: Option<String>,
    /// `--crs-engine`.
    pub crs_engine: Option<String>,
    /// `--keep-going`.
    pub keep_going: bool,
    /// `--check-all`.
    pub check_all: bool,
    /// `--count` (`whole`, `min-share`, `pro-rata`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<String>,
    /// `--min-share`, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_share: Option<String>,
    /// `--no-zones`.
    pub no_zones: bool,
    /// `--no-gpkg` (left out of the manifest when off, as manifests before it were).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_gpkg: bool,
    /// `--no-xlsx` (absent from manifests of runs that wrote the workbook, and of runs made
    /// before it existed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_xlsx: bool,
    /// `--shapefile ENCODING`: the layers also as Shapefiles, text in ENCODING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shapefile: Option<String>,
    /// `--width CLASS=METRES` overrides, in the order given.
    pub widths: Vec<String>,
    /// `--sweep CLASS=FROM..TO/STEP`.
    pub sweep: Option<String>,
    /// `--lang`.
    pub lang: String,
}

impl RunOptions {
    /// The encoding `--shapefile` names, if it was given; an encoding Shapefiles are not
    /// written in is an error naming the option.
    pub fn shapefile_encoding(&self) -> Result<Option<&'static encoding_rs::Encoding>> {
        self.shapefile
            .as_deref()
            .map(|name| {
                crate::io::shapefile::shapefile_encoding(name)
                    .map_err(|e| Error::param(format!("--shapefile {name}"), e))
            })
            .transpose()
    }

    /// Applies the options to a plan's affected-villages job: the CRSs, the engine,
    /// `keep_going` and `check_all`, then the width overrides (a class as the plan names it,
    /// or ring / radial / expressway / corridor). Errors name the option as the CLI spells it.
    pub fn apply(&self, plan: &mut Plan) -> Result<()> {
        self.apply_to_job(&mut plan.affected)?;
        if let Some(stated) = self.stated_input_crs()? {
            for source in plan.context.values_mut().chain(plan.sites.as_mut()) {
                source.settings.state_input_crs(stated);
            }
        }
        for w in &self.widths {
            let (class, metres) = crate::model::zone::parse_width(w)?;
            plan.affected.zones = plan
                .affected
                .zones
                .with_width(&class, metres)
                .map_err(|e| Error::param(format!("--width {w}"), e.to_string()))?;
        }
        Ok(())
    }

    /// `--input-crs`, parsed.
    fn stated_input_crs(&self) -> Result<Option<InputCrs>> {
        self.input_crs
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e: Error| Error::param("--input-crs", e.to_string()))
    }

    /// The options that are not widths, applied to a job.
    pub fn apply_to_job(&self, job: &mut crate::pipeline::job::AffectedJob) -> Result<()> {
        let named = |option: &str, e: Error| Error::param(option, e.to_string());
        if let Some(stated) = self.stated_input_crs()? {
            // A web map's coordinates are read as EPSG:4326 and converted layer by layer.
            job.input_crs = stated.read_as();
            // The flag states the CRS of the job's layers (a Shapefile's .prj naming another
            // is an error), replacing the plan's `[crs] input` but not a layer's own `crs`.
            let sources = [&mut job.villages, &mut job.roads]
                .into_iter()
                .chain(job.corridors.as_mut())
                .chain(job.townships.as_mut());
            for source in sources {
                source.settings.state_input_crs(stated);
            }
        }
        if let Some(crs) = &self.metric_crs {
            job.metric_crs = Some(crs.parse().map_err(|e| named("--metric-crs", e))?);
        }
        if let Some(engine) = &self.crs_engine {
            job.engine = engine.parse().map_err(|e| named("--crs-engine", e))?;
        }
        job.keep_going |= self.keep_going;
        job.check_all |= self.check_all;
        if self.count.is_some() || self.min_share.is_some() {
            let share = self
                .min_share
                .as_deref()
                .map(|s| {
                    s.trim().parse::<f64>().map_err(|_| {
                        Error::param("--min-share", format!("{s:?} is not a number (e.g. 0.2)"))
                    })
                })
                .transpose()?;
            job.counting = crate::pipeline::plan::counting(self.count.as_deref(), share)
                .map_err(|e| Error::param("--count / --min-share", e))?;
        }
        Ok(())
    }
}

/// Whether the layer is a folder read through GDAL (a File Geodatabase).
fn is_gdal_folder(source: &crate::pipeline::job::LayerSource) -> bool {
    let format = source
        .settings
        .format
        .unwrap_or_else(|| crate::io::read::Format::of_path(&source.path));
    format == crate::io::read::Format::Gdal && source.path.is_dir()
}

/// The files of layer `name`: its file, and for a Shapefile the files beside it that the
/// reader reads (`villages.dbf`…: a changed attribute table or `.prj` changes the results
/// as a changed `.shp` does, and replay must see it).
fn layer_inputs(
    inputs: &mut Vec<InputFile>,
    name: &str,
    source: &crate::pipeline::job::LayerSource,
) -> Result<()> {
    // A File Geodatabase is a folder: each of its files is an input (sorted, for a
    // deterministic manifest).
    if is_gdal_folder(source) {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&source.path)
            .map_err(|e| Error::io(&source.path, e))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .map_err(|e| Error::io(&source.path, e))?;
        files.retain(|p| p.is_file());
        files.sort();
        for file in files {
            let part = file.file_name().unwrap_or_default().to_string_lossy();
            inputs.push(InputFile::hash(&format!("{name}/{part}"), &file)?);
        }
        return Ok(());
    }
    inputs.push(InputFile::hash(name, &source.path)?);
    let format = source
        .settings
        .format
        .unwrap_or_else(|| crate::io::read::Format::of_path(&source.path));
    if format == crate::io::read::Format::Shapefile {
        for (ext, path) in crate::io::shapefile::sidecars(&source.path) {
            inputs.push(InputFile::hash(&format!("{name}.{ext}"), &path)?);
        }
    }
    Ok(())
}

impl RunManifest {
    /// The manifest of a run of `plan` that used `plugins`: hashes the plan and every layer
    /// file it lists. `counts`, `outputs`, `warnings` and `timings_s` are filled by the caller.
    pub fn new(plan: &Plan, plugins: Vec<PluginUse>, options: RunOptions) -> Result<RunManifest> {
        // Hashing reads every layer whole: refuse a folder or a device (`/dev/zero` would
        // never end) before hashing, as the reader would.
        let layers = [&plan.affected.villages, &plan.affected.roads]
            .into_iter()
            .chain(&plan.affected.corridors)
            .chain(plan.context.values());
        for source in layers {
            if source.is_in_memory() {
                return Err(Error::config(
                    plan.path.display().to_string(),
                    format!(
                        "layer {} is in memory: a run manifest records files by their SHA-256; \
                         run the plan without writing a manifest (PlanRun::run, then \
                         PlanRun::output_files)",
                        source.path.display()
                    ),
                ));
            }
            // A File Geodatabase is a folder (its files are hashed one by one).
            if !is_gdal_folder(source) {
                crate::io::read::check_input_file(&source.path, crate::io::read::MAX_LAYER_BYTES)?;
            }
        }
        let mut inputs = Vec::new();
        layer_inputs(&mut inputs, "villages", &plan.affected.villages)?;
        layer_inputs(&mut inputs, "roads", &plan.affected.roads)?;
        if let Some(c) = &plan.affected.corridors {
            layer_inputs(&mut inputs, "corridors", c)?;
        }
        for (name, source) in &plan.context {
            layer_inputs(&mut inputs, name, source)?;
        }
        // The rosters joined to the layers are inputs as much as the layers.
        let named = [
            ("villages", &plan.affected.villages),
            ("roads", &plan.affected.roads),
        ]
        .into_iter()
        .chain(plan.affected.corridors.as_ref().map(|c| ("corridors", c)))
        .chain(plan.context.iter().map(|(n, s)| (n.as_str(), s)));
        for (name, source) in named {
            for (k, roster) in source.rosters.iter().enumerate() {
                crate::io::read::check_input_file(&roster.path, crate::io::read::MAX_LAYER_BYTES)?;
                inputs.push(InputFile::hash(
                    &format!("{name} roster {}", k + 1),
                    &roster.path,
                )?);
            }
        }
        Ok(RunManifest {
            manifest_version: MANIFEST_VERSION,
            tool: Tool::default(),
            build: Some(Build::current()),
            working_folder: None,
            plan: InputFile::hash("plan", &plan.path)?,
            plan_name: plan.name.clone(),
            inputs,
            plugins,
            options,
            widths_m: plan.affected.zones.widths().clone(),
            metric_crs: String::new(),
            crs_engine: format!("{:?}", plan.affected.engine).to_lowercase(),
            counts: Totals::default(),
            outputs: Vec::new(),
            warnings: Vec::new(),
            timings_s: BTreeMap::new(),
        })
    }

    /// Records the current folder as the working folder, relative to the output folder `out`
    /// that will hold this manifest (`out` itself may not exist yet; its parent must).
    pub fn record_working_folder(&mut self, out: &Path) -> Result<()> {
        let cwd = std::env::current_dir().map_err(|e| Error::io(Path::new("."), e))?;
        let cwd = cwd.canonicalize().map_err(|e| Error::io(&cwd, e))?;
        let out = cwd.join(out);
        // Symbolic links and `..` resolved on both sides, or the relative path could be wrong.
        let out = match (out.parent(), out.file_name()) {
            (Some(parent), Some(name)) => parent
                .canonicalize()
                .map_err(|e| Error::io(parent, e))?
                .join(name),
            _ => out.canonicalize().map_err(|e| Error::io(&out, e))?,
        };
        self.working_folder = pathdiff::diff_paths(&cwd, &out);
        Ok(())
    }

    /// The folder the run was made in, found from the manifest's own path (`manifest_path`);
    /// `None` for a manifest that does not record it (paths are then relative to wherever
    /// replay is run).
    pub fn working_folder_from(&self, manifest_path: &Path) -> Option<PathBuf> {
        let folder = self.working_folder.as_ref()?;
        let dir = manifest_path.parent().unwrap_or(Path::new(""));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        Some(dir.join(folder))
    }

    /// Reads a manifest written by [`RunManifest::to_json`].
    pub fn load(path: &Path) -> Result<RunManifest> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let manifest: RunManifest = serde_json::from_str(&text)
            .map_err(|e| Error::config(path.display().to_string(), e.to_string()))?;
        if manifest.manifest_version != MANIFEST_VERSION {
            return Err(Error::config(
                path.display().to_string(),
                format!(
                    "run manifest version {}, this hecun reads version {MANIFEST_VERSION}",
                    manifest.manifest_version
                ),
            ));
        }
        Ok(manifest)
    }

    /// Checks that the plan, every layer and every plugin file still have the content the
    /// run hashed: the first that does not is named.
    pub fn verify_inputs(&self) -> Result<()> {
        self.plan.verify()?;
        for f in &self.inputs {
            f.verify()?;
        }
        for p in &self.plugins {
            for f in &p.files {
                f.verify()?;
            }
        }
        Ok(())
    }

    /// The manifest as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The size and SHA-256 (lower-case hex) of a file, read in 1 MiB blocks.
pub fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    sha256_reader(path, f)
}

fn sha256_reader(path: &Path, mut f: impl Read) -> Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((total, hex(&hasher.finalize())))
}

/// The SHA-256 of `bytes`, lower-case hex.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_strings() {
        // FIPS 180-2 test vectors.
        assert_eq!(
            sha256_bytes(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_bytes(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, vec![b'a'; 3 << 20]).unwrap();
        assert_eq!(
            sha256_file(&p).unwrap().1,
            sha256_bytes(&vec![b'a'; 3 << 20])
        );
    }
}
