//! `hecun verify` and `hecun replay` in words: what is not as the run left it, one file a
//! line, in the chosen language.

use super::Lang;
use super::words::words;
use crate::run::{Finding, InputFinding, Verification};

/// The word for a finding: changed, missing, not a regular file, extra.
fn finding_word(f: &Finding, lang: Lang) -> &'static str {
    let w = words(lang);
    match f {
        Finding::Changed { .. } => w.vfy_changed,
        Finding::Missing { .. } => w.vfy_missing,
        Finding::NotAFile { .. } => w.vfy_not_a_file,
        Finding::Extra { .. } => w.vfy_extra,
    }
}

/// An output folder's finding as a line: `changed: affected_villages.csv`.
pub fn finding_line(f: &Finding, lang: Lang) -> String {
    format!(
        "{}{}{}",
        finding_word(f, lang),
        words(lang).colon,
        f.path().display()
    )
}

/// An input's finding as a line: `input changed (villages): gis-data/demo/villages.geojson`.
pub fn input_line(f: &InputFinding, lang: Lang) -> String {
    let w = words(lang);
    format!(
        "{}{}{}",
        (w.vfy_input)(finding_word(&f.finding, lang), &f.role),
        w.colon,
        f.finding.path().display()
    )
}

/// The folder's verdict: as written (with the count of outputs), or the count of findings.
pub fn verify_summary(v: &Verification, lang: Lang) -> String {
    let w = words(lang);
    let dir = v.folder.display().to_string();
    if v.folder_as_written() {
        (w.vfy_folder_ok)(&dir, v.outputs_recorded)
    } else {
        (w.vfy_folder_differs)(&dir, v.outputs.len())
    }
}

/// The inputs' verdict when there is no finding to list: all as read, or not checked (the
/// run's working folder is not here); `None` when findings are listed.
pub fn inputs_summary(v: &Verification, lang: Lang) -> Option<String> {
    let w = words(lang);
    if v.inputs_not_here {
        Some((w.vfy_inputs_not_here)(
            &v.working_folder.display().to_string(),
        ))
    } else if v.inputs.is_empty() {
        Some((w.vfy_inputs_ok)(v.inputs_recorded))
    } else {
        None
    }
}

/// The line saying the run was made by another build, naming the differences
/// ([`Build::differences`](crate::run::Build::differences)).
pub fn other_build(differences: &[String], lang: Lang) -> String {
    (words(lang).vfy_other_build)(&differences.join(words(lang).list_sep))
}
