//! What the planner should know that did not stop the run: typed, so that a service can tell
//! a skipped feature from a missing field without reading the words.

use std::fmt;

use serde::Serialize;

use crate::error::{Error, FeatureRef};

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningKind {
    /// An unusable feature was left out (`keep_going`); the error it would have been is in
    /// the message.
    SkippedFeature,
    /// A key is written twice in a feature's properties; the last value is read.
    DuplicateKey,
    /// A field has no value in some features, or in all of them.
    MissingField,
    /// A value could not be read (`keep_going`) and counts as the message says.
    UnreadableValue,
    /// A value is readable but implausible (more households than people), and used as it is.
    ImplausibleValue,
    /// A feature lies outside the area of use of the metric CRS: its distances and areas are
    /// distorted.
    OutsideCrsArea,
    /// A roster row whose key no feature has, or a feature whose key no roster row has (or
    /// that has no key): the row is not used, the feature lacks the roster's columns.
    Unmatched,
    /// A plugin reads a layer the plan does not list.
    LayerNotListed,
    /// A Shapefile's text encoding was not named (no `.cpg`, no `encoding` in the plan) and
    /// was told from its bytes; the message says which encoding was used.
    EncodingDetected,
    /// Two sources say different things of one feature; the message says which is taken.
    Conflict,
    /// Anything else.
    Other,
}

/// Something the planner should know that did not stop the run, with the file, feature,
/// field and value it concerns where there is one. Shown as its message (the CLI's
/// `hecun: warning: …` lines, `summary.txt`, the report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Warning {
    /// What it is about.
    pub kind: WarningKind,
    /// The file concerned, as the message names it.
    pub file: Option<String>,
    /// The feature concerned: its zero-based index in the file.
    pub feature: Option<usize>,
    /// The feature's id, when it has one.
    pub feature_id: Option<String>,
    /// The field concerned, as the file names it (or the model name when the file has none).
    pub field: Option<String>,
    /// The value concerned, as written.
    pub value: Option<String>,
    /// The whole warning in words: what, where, and what follows from it (English: the
    /// CLI's `hecun: warning:` lines, the JSON outputs, the run manifest and `report.json`'s
    /// `warnings` keep these words, so that a script's grep does not depend on the plan's
    /// language).
    pub message: String,
    /// The same in 简体中文, built beside `message` where the warning is made (the zh-CN
    /// page and `summary.txt` show it). File, feature, field and value are named as in the
    /// English; an error or a plugin's text quoted in the warning stays as written, framed.
    /// Not in the JSON outputs, which keep their English shape.
    #[serde(skip)]
    pub message_zh: String,
}

impl Warning {
    /// A warning of `kind` in English (`message`) and 简体中文 (`message_zh`); say where with
    /// the `with_*` methods. Both languages are required here so that no warning reaches a
    /// Chinese page in English.
    pub fn new(
        kind: WarningKind,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Warning {
        Warning {
            kind,
            file: None,
            feature: None,
            feature_id: None,
            field: None,
            value: None,
            message: message.into(),
            message_zh: message_zh.into(),
        }
    }

    /// A warning whose words come from elsewhere (a plugin, a caller of the library) and
    /// exist in one language: the English is the text as written, the 简体中文 frames it
    /// (`提示（原文）：…`) so that the reader knows it was not translated.
    pub fn as_written(kind: WarningKind, text: impl Into<String>) -> Warning {
        let text = text.into();
        let zh = format!("提示（原文）：{text}");
        Warning::new(kind, text, zh)
    }

    /// A feature left out because of `error` (`keep_going`): `skipped: <the error>`, with
    /// the error's file, feature and field. The error stays in English in both languages
    /// (it is also the error a run without `keep_going` stops with); the 简体中文 frames it
    /// (`已跳过：<the error>`).
    pub fn skipped(error: &Error) -> Warning {
        let warning = Warning::new(
            WarningKind::SkippedFeature,
            format!("skipped: {error}"),
            format!("已跳过：{error}"),
        );
        match error {
            Error::Feature { feature, field, .. } => {
                let mut warning = warning.with_feature(feature);
                warning.field = field.clone();
                warning
            }
            Error::Io { path, .. }
            | Error::Json { path, .. }
            | Error::EmptyLayer { path }
            | Error::Format { path, .. }
            | Error::Roster { path, .. } => warning.with_file(path.display()),
            _ => warning,
        }
    }

    /// The warning about file `file`.
    pub fn with_file(mut self, file: impl fmt::Display) -> Warning {
        self.file = Some(file.to_string());
        self
    }

    /// The warning about feature `feature` (and its file).
    pub fn with_feature(mut self, feature: &FeatureRef) -> Warning {
        self.file = Some(feature.path.display().to_string());
        self.feature = Some(feature.index);
        self.feature_id = feature.id.clone();
        self
    }

    /// The warning about field `field`.
    pub fn with_field(mut self, field: impl Into<String>) -> Warning {
        self.field = Some(field.into());
        self
    }

    /// The warning about value `value`, as written.
    pub fn with_value(mut self, value: impl fmt::Display) -> Warning {
        self.value = Some(value.to_string());
        self
    }
}

impl Warning {
    /// The warning's words in `lang`.
    pub fn text(&self, lang: crate::report::Lang) -> &str {
        match lang {
            crate::report::Lang::ZhCn if !self.message_zh.is_empty() => &self.message_zh,
            _ => &self.message,
        }
    }
}

/// Feature `at` in 简体中文: its file, its place counted from 1 (第 N 个要素), the
/// zero-based `#N` the English and the CLI name it by, and its id:
/// `roads.geojson 第 18 个要素（#17，id "R0018"）`.
pub(crate) fn feature_zh(at: &FeatureRef) -> String {
    let mut s = format!(
        "{} 第 {} 个要素（#{}",
        at.path.display(),
        at.index + 1,
        at.index
    );
    if let Some(id) = &at.id {
        s.push_str(&format!("，id {id:?}"));
    }
    s.push('）');
    s
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A warning known only by its words in one language (kind [`WarningKind::Other`]; see
/// [`Warning::as_written`]).
impl From<String> for Warning {
    fn from(message: String) -> Warning {
        Warning::as_written(WarningKind::Other, message)
    }
}

impl From<&str> for Warning {
    fn from(message: &str) -> Warning {
        Warning::as_written(WarningKind::Other, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_skipped_feature_keeps_where_it_was() {
        let error = Error::feature(
            FeatureRef {
                path: PathBuf::from("roads.geojson"),
                index: 17,
                id: Some("R0018".into()),
            },
            Some("class"),
            "unknown class \"alley\"",
        );
        let w = Warning::skipped(&error);
        assert_eq!(w.kind, WarningKind::SkippedFeature);
        assert_eq!(w.file.as_deref(), Some("roads.geojson"));
        assert_eq!(w.feature, Some(17));
        assert_eq!(w.feature_id.as_deref(), Some("R0018"));
        assert_eq!(w.field.as_deref(), Some("class"));
        assert_eq!(w.to_string(), format!("skipped: {error}"));
        let zh = w.text(crate::report::Lang::ZhCn);
        assert!(zh.starts_with("已跳过："), "{zh}");
        assert!(zh.contains("roads.geojson") && zh.contains("R0018") && zh.contains("alley"));
    }
}
