//! QGIS styles (QML) for the layers of `hecun.gpkg`, in the report's map colours: villages by
//! their share inside the zones, zones by class (roads' palette, corridors' greens), launch
//! checks and standards by verdict, scored sites by score.
//!
//! Each style is a rule-based renderer (one rule per colour, a filter expression each), the
//! one renderer that also shows the values no bin holds (a site without a score).

use std::fmt::Write as _;

use serde_json::Value;

use super::write::OutputLayer;
use crate::report::palette::{
    CORRIDOR_SHADES, ROAD_PALETTE, SITE_BINS, SITE_OUT, VILLAGE_BINS, VILLAGE_LINE,
    VILLAGE_UNTOUCHED,
};

/// The report's verdict colours (report.html's `--ok`, `--warn`, `--bad`, `--muted`).
const PASS: &str = "#1a7f37";
const FAIL: &str = "#a15c00";
const VETO: &str = "#b42318";
const MUTED: &str = "#666666";

/// One rule: a filter (QGIS expression; `None`: everything else), a legend label, a colour.
struct Rule {
    filter: Option<String>,
    label: String,
    colour: String,
}

fn rule(filter: Option<String>, label: impl Into<String>, colour: &str) -> Rule {
    Rule {
        filter,
        label: label.into(),
        colour: colour.to_owned(),
    }
}

/// `"field"` in a QGIS expression.
fn field(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'` in a QGIS expression.
fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `#rrggbb` as QGIS's `r,g,b,a`.
fn rgba(hex: &str, alpha: u8) -> String {
    let h = hex.trim_start_matches('#');
    let c = |i: usize| u8::from_str_radix(h.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128);
    format!("{},{},{},{alpha}", c(0), c(2), c(4))
}

fn values<'a>(layer: &'a OutputLayer, name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    layer
        .features
        .iter()
        .filter_map(move |(p, _)| p.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v))
}

fn number(x: f64) -> String {
    // Shortest text that reads back as the same number: the filter matches the bin exactly.
    serde_json::to_string(&x).unwrap_or_else(|_| "0".to_owned())
}

/// The rules of a table: by its name and the fields it has.
fn rules(table: &str, names: &[String], layer: &OutputLayer) -> Vec<Rule> {
    let has = |n: &str| names.iter().any(|x| x == n);
    if table == "affected_villages" && has("fraction_inside") {
        let f = field("fraction_inside");
        let mut rules = vec![rule(
            Some(format!("{f} IS NULL OR {f} <= 0")),
            "0%",
            VILLAGE_UNTOUCHED,
        )];
        let mut lower = 0.0;
        for (k, (upper, colour)) in VILLAGE_BINS.iter().enumerate() {
            let last = k + 1 == VILLAGE_BINS.len();
            let filter = if last {
                format!("{f} > {}", number(lower))
            } else {
                format!("{f} > {} AND {f} <= {}", number(lower), number(*upper))
            };
            rules.push(rule(
                Some(filter),
                format!("{:.0}–{:.0}%", lower * 100.0, upper * 100.0),
                colour,
            ));
            lower = *upper;
        }
        return rules;
    }
    if has("status") {
        let f = field("status");
        return vec![
            rule(Some(format!("{f} = 'pass'")), "pass 通过", PASS),
            rule(Some(format!("{f} = 'fail'")), "fail 未通过", FAIL),
            rule(Some(format!("{f} = 'veto'")), "veto 否决", VETO),
            rule(None, "error 出错", MUTED),
        ];
    }
    if has("hecun_score") {
        let f = field("hecun_score");
        let scores: Vec<f64> = values(layer, "hecun_score")
            .filter_map(Value::as_f64)
            .filter(|s| s.is_finite())
            .collect();
        let mut rules = vec![rule(
            Some(format!("{f} IS NULL")),
            "excluded / no score 排除或未评分",
            SITE_OUT,
        )];
        let (min, max) = scores
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &s| {
                (lo.min(s), hi.max(s))
            });
        if scores.is_empty() || max <= min {
            rules.push(rule(
                Some(format!("{f} IS NOT NULL")),
                "scored 已评分",
                SITE_BINS[SITE_BINS.len() - 1],
            ));
            return rules;
        }
        // Equal intervals over the layer's range, as the report's map bins scores.
        let step = (max - min) / SITE_BINS.len() as f64;
        for (i, colour) in SITE_BINS.iter().enumerate() {
            let lo = min + step * i as f64;
            let hi = min + step * (i + 1) as f64;
            let filter = match i {
                0 => format!("{f} < {}", number(hi)),
                i if i + 1 == SITE_BINS.len() => format!("{f} >= {}", number(lo)),
                _ => format!("{f} >= {} AND {f} < {}", number(lo), number(hi)),
            };
            rules.push(rule(Some(filter), format!("{lo:.2} – {hi:.2}"), colour));
        }
        return rules;
    }
    if table == "zones" && has("class") {
        // Road classes take the road palette in name order; corridor levels the greens,
        // widest first (distance_m), as the report's map colours them.
        let mut roads: Vec<String> = Vec::new();
        let mut corridors: Vec<(f64, String)> = Vec::new();
        for (p, _) in &layer.features {
            let get = |n: &str| p.iter().rev().find(|(k, _)| k == n).map(|(_, v)| v);
            let Some(class) = get("class").and_then(Value::as_str) else {
                continue;
            };
            let width = get("distance_m").and_then(Value::as_f64).unwrap_or(0.0);
            if get("source_layer").and_then(Value::as_str) == Some("corridors") {
                if !corridors.iter().any(|(_, c)| c == class) {
                    corridors.push((width, class.to_owned()));
                }
            } else if !roads.iter().any(|c| c == class) {
                roads.push(class.to_owned());
            }
        }
        roads.sort();
        corridors.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let f = field("class");
        let mut rules: Vec<Rule> = roads
            .iter()
            .enumerate()
            .map(|(i, c)| {
                rule(
                    Some(format!("{f} = {}", text(c))),
                    c.clone(),
                    ROAD_PALETTE[i % ROAD_PALETTE.len()],
                )
            })
            .collect();
        rules.extend(corridors.iter().enumerate().map(|(i, (_, c))| {
            rule(
                Some(format!("{f} = {}", text(c))),
                c.clone(),
                CORRIDOR_SHADES[i % CORRIDOR_SHADES.len()],
            )
        }));
        rules.push(rule(None, "other 其他", MUTED));
        return rules;
    }
    vec![rule(None, table, ROAD_PALETTE[0])]
}

/// One symbol of the geometry's kind in `colour`: polygons filled (zones half transparent,
/// so the villages under them show), lines and points in the colour.
fn symbol(out: &mut String, name: usize, geometry_type: &str, colour: &str, table: &str) {
    let (kind, class, props): (&str, &str, Vec<(&str, String)>) = match geometry_type {
        "POINT" | "MULTIPOINT" => (
            "marker",
            "SimpleMarker",
            vec![
                ("color", rgba(colour, 255)),
                ("name", "circle".to_owned()),
                ("outline_color", rgba("#ffffff", 255)),
                ("outline_width", "0.2".to_owned()),
                ("size", "2.6".to_owned()),
            ],
        ),
        "LINESTRING" | "MULTILINESTRING" => (
            "line",
            "SimpleLine",
            vec![
                ("line_color", rgba(colour, 255)),
                ("line_width", "0.6".to_owned()),
                ("line_style", "solid".to_owned()),
            ],
        ),
        _ => {
            let alpha = if table == "zones" { 110 } else { 255 };
            let outline = if table == "zones" {
                colour
            } else {
                VILLAGE_LINE
            };
            (
                "fill",
                "SimpleFill",
                vec![
                    ("color", rgba(colour, alpha)),
                    ("style", "solid".to_owned()),
                    ("outline_color", rgba(outline, 255)),
                    ("outline_style", "solid".to_owned()),
                    ("outline_width", "0.26".to_owned()),
                ],
            )
        }
    };
    let _ = writeln!(
        out,
        "      <symbol type=\"{kind}\" name=\"{name}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">"
    );
    let _ = writeln!(
        out,
        "        <layer class=\"{class}\" pass=\"0\" locked=\"0\" enabled=\"1\">"
    );
    // QGIS 3.26+ reads the Option map; older 3.x the prop list: both are written, as QGIS
    // itself wrote them for years.
    out.push_str("          <Option type=\"Map\">\n");
    for (k, v) in &props {
        let _ = writeln!(
            out,
            "            <Option type=\"QString\" name=\"{k}\" value=\"{}\"/>",
            xml(v)
        );
    }
    out.push_str("          </Option>\n");
    for (k, v) in &props {
        let _ = writeln!(out, "          <prop k=\"{k}\" v=\"{}\"/>", xml(v));
    }
    out.push_str("        </layer>\n      </symbol>\n");
}

/// The QML document of table `table`'s default style.
pub(super) fn qml(
    table: &str,
    names: &[String],
    layer: &OutputLayer,
    geometry_type: &str,
) -> String {
    let rules = rules(table, names, layer);
    let mut out = String::new();
    out.push_str("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n");
    out.push_str("<qgis version=\"3.28.0\" styleCategories=\"Symbology\">\n");
    out.push_str(
        "  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" \
         forceraster=\"0\" referencescale=\"-1\">\n",
    );
    out.push_str("    <rules key=\"{hecun-root}\">\n");
    for (i, r) in rules.iter().enumerate() {
        let filter = match &r.filter {
            Some(f) => format!(" filter=\"{}\"", xml(f)),
            None => " filter=\"ELSE\"".to_owned(),
        };
        let _ = writeln!(
            out,
            "      <rule key=\"{{hecun-{i}}}\" symbol=\"{i}\" label=\"{}\"{filter}/>",
            xml(&r.label)
        );
    }
    out.push_str("    </rules>\n    <symbols>\n");
    for (i, r) in rules.iter().enumerate() {
        symbol(&mut out, i, geometry_type, &r.colour, table);
    }
    out.push_str("    </symbols>\n  </renderer-v2>\n  <layerGeometryType>");
    out.push_str(match geometry_type {
        "POINT" | "MULTIPOINT" => "0",
        "LINESTRING" | "MULTILINESTRING" => "1",
        _ => "2",
    });
    out.push_str("</layerGeometryType>\n</qgis>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(rows: &[(&str, Value)]) -> OutputLayer {
        OutputLayer {
            features: rows
                .iter()
                .map(|(k, v)| (vec![((*k).to_owned(), v.clone())], None))
                .collect(),
        }
    }

    #[test]
    fn colours_and_escaping() {
        assert_eq!(rgba("#bd0026", 255), "189,0,38,255");
        let l = layer(&[("status", Value::from("pass"))]);
        let q = qml("launch_checks", &["status".to_owned()], &l, "MULTIPOLYGON");
        assert!(q.contains("filter=\"&quot;status&quot; = 'pass'\""), "{q}");
        assert!(q.contains(&rgba(PASS, 255)));
        // A class with a quote is escaped in the expression and in XML.
        let l = OutputLayer {
            features: vec![(
                vec![
                    ("class".to_owned(), Value::from("O'Neil <路>")),
                    ("source_layer".to_owned(), Value::from("roads")),
                ],
                None,
            )],
        };
        let q = qml("zones", &["class".to_owned()], &l, "MULTIPOLYGON");
        assert!(q.contains("'O''Neil &lt;路&gt;'"), "{q}");
    }

    #[test]
    fn scores_bin_over_the_range_with_nulls_grey() {
        let l = layer(&[
            ("hecun_score", Value::from(10.0)),
            ("hecun_score", Value::from(50.0)),
            ("hecun_score", Value::Null),
        ]);
        let r = rules("sites_scored", &["hecun_score".to_owned()], &l);
        assert_eq!(r.len(), 1 + SITE_BINS.len());
        assert_eq!(r[0].colour, SITE_OUT);
        assert_eq!(
            r[1].filter.as_deref(),
            Some("\"hecun_score\" < 20.0"),
            "first bin"
        );
        assert_eq!(r[4].filter.as_deref(), Some("\"hecun_score\" >= 40.0"));
    }
}
