//! The run's summary as text for the terminal and `summary.txt`, and the sweep as a table.

use std::fmt::Write as _;

use super::words::words;
use super::{Lang, LaunchStatus, Report, Sweep};

/// The summary in the source plan's terms: new communities, villages, households and people
/// involved; per township and per zone class; the demonstration communities chosen per
/// township; the launch status of each community (by which criterion it is blocked or vetoed).
pub fn report_text(r: &Report, lang: Lang) -> String {
    let w = words(lang);
    let mut s = String::new();
    let _ = writeln!(s, "{}", r.plan);
    let _ = writeln!(
        s,
        "{}",
        (w.txt_affected)(r.totals.affected, r.villages_in_layer)
    );
    let _ = writeln!(s, "{}", (w.txt_counting)(&r.counting_summary()));
    if r.totals.communities > 0 {
        let _ = writeln!(s, "{}", (w.txt_communities)(&r.totals));
    }
    // Under the count it explains: a launch field no village has.
    for m in &r.launch_fields_missing {
        let _ = writeln!(
            s,
            "!! {}",
            (w.launch_field_missing)(&m.field, &m.tried, &m.file)
        );
    }
    let _ = writeln!(s, "\n{}", w.txt_by_class);
    for c in &r.classes {
        let _ = writeln!(
            s,
            "  {:<8} {:>5} m  {:>4} {}  {:>5} {}  {:>7} {}  {:>8} {}",
            c.class,
            c.width_m,
            c.zones,
            w.unit_zones,
            c.affected.villages,
            w.unit_villages,
            c.affected.households,
            w.unit_households,
            c.affected.population,
            w.unit_people,
        );
    }
    let _ = writeln!(s, "\n{}", w.txt_by_township);
    for t in &r.townships {
        let name = if t.township.is_empty() {
            w.txt_no_township
        } else {
            t.township.as_str()
        };
        let demo = if t.demonstration.is_empty() {
            String::new()
        } else {
            format!(
                "{}{}",
                w.txt_demonstration,
                t.demonstration.join(w.list_sep)
            )
        };
        // Without communities (no launch check, no standard) there are no counts to give.
        let line = if r.communities.is_empty() {
            w.txt_township_zones
        } else {
            w.txt_township
        };
        let _ = writeln!(s, "{}", line(name, t, &demo));
    }
    if let Some(c) = &r.choice {
        let _ = writeln!(s, "\n{}", (w.txt_choice)(c));
    }
    // Each named scoring job: a line under its title.
    for job in &r.scorings {
        let chosen = job.sites.iter().filter(|x| x.chosen).count();
        let scored = job.sites.iter().filter(|x| x.score.is_some()).count();
        let _ = writeln!(
            s,
            "\n{}",
            (w.txt_scoring)(job.title(lang), job.sites.len(), scored, chosen)
        );
        let chosen: Vec<&str> = job
            .sites
            .iter()
            .filter(|x| x.chosen)
            .map(|x| {
                if x.name.is_empty() {
                    x.id.as_str()
                } else {
                    x.name.as_str()
                }
            })
            .collect();
        if !chosen.is_empty() {
            let _ = writeln!(s, "  {}", chosen.join(w.list_sep));
        }
        if let Some(c) = &job.choice {
            let _ = writeln!(s, "  {}", (w.txt_choice)(c));
        }
    }
    if r.communities.iter().any(|c| c.launch.is_some()) {
        let _ = writeln!(s, "\n{}", w.txt_launch_per_community);
        let launch: Vec<&str> = r
            .plugins
            .iter()
            .filter(|p| p.role == "launch")
            .map(|p| p.name.as_str())
            .collect();
        // Several launch checks: say which, and that the verdicts combine.
        if launch.len() > 1 {
            let _ = writeln!(s, "  {}", (w.txt_launch_plugins)(&launch));
        }
        for c in &r.communities {
            let Some(l) = &c.launch else { continue };
            // What failed, never a criterion's title after the verdict.
            let why = r.failure_text("launch", l, lang, true);
            let detail = match (l.status, &l.error) {
                (_, Some(e)) => format!(" ({e})"),
                (LaunchStatus::Launched, _) => String::new(),
                _ if why.is_empty() => String::new(),
                (LaunchStatus::Vetoed, _) => (w.why_vetoed)(&why),
                _ => (w.why_blocked)(&why),
            };
            let _ = writeln!(s, "  {}: {}{detail}", c.name, w.verdict(l.status));
        }
    }
    if let Some(p) = &r.programme {
        let _ = writeln!(s);
        for line in programme_lines(p, lang) {
            let _ = writeln!(s, "{line}");
        }
    }
    if !r.tables.is_empty() {
        let _ = writeln!(s);
        for t in &r.tables {
            let _ = writeln!(s, "{}", table_line(t, lang));
        }
    }
    if !r.targets.is_empty() {
        let _ = writeln!(s);
        for t in &r.targets {
            for line in target_lines(t, lang) {
                let _ = writeln!(s, "{line}");
            }
        }
    }
    if let Some(m) = &r.milestones {
        let _ = writeln!(s);
        for line in milestone_lines(m, lang) {
            let _ = writeln!(s, "{line}");
        }
    }
    if let Some(sweep) = &r.sweep {
        let _ = writeln!(s, "\n{} {}:", w.txt_sweep, sweep.class);
        for row in &sweep.rows {
            let _ = writeln!(
                s,
                "  {:>6} m  {:>5} {}  {:>8} {}  {:>9} {}",
                row.width_m,
                row.affected.villages,
                w.unit_villages,
                row.affected.households,
                w.unit_households,
                row.affected.population,
                w.unit_people,
            );
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(s, "\n{} ({})", w.txt_warnings, r.warnings.len());
        for warning in r.warnings_in(lang) {
            let _ = writeln!(s, "  {warning}");
        }
    }
    // Which build made it, last: the same for every run of one build.
    let _ = writeln!(s, "\n{}{}{}", w.made_with, w.colon, r.build_line(lang));
    s
}

/// The milestones' lines in summary.txt: one per milestone over every community ("节点（截至
/// 2026-08-31）：规划编制 完成 18 / 到期未完成 3（最多逾期 92 天）/ 未到期 1"), then, when the
/// communities have counties, one per county and milestone.
fn milestone_lines(m: &crate::jobs::MilestoneSection, lang: Lang) -> Vec<String> {
    let mw = super::words::milestone_words(lang);
    let as_of = m.as_of.to_string();
    let mut lines: Vec<String> = m
        .totals
        .iter()
        .map(|t| (mw.txt_line)(&as_of, m.title(&t.milestone, lang.tag()), t))
        .collect();
    for t in m.groups.iter().filter(|t| t.level == "county") {
        let colon = if lang == Lang::ZhCn { "：" } else { ": " };
        lines.push(format!(
            "  {}{colon}{}",
            t.group,
            (mw.txt_counts)(m.title(&t.milestone, lang.tag()), t)
        ));
    }
    lines
}

/// A target check's lines in summary.txt, one per target: "目标 check · target：已达到（实际
/// 13 个，要求 = 13 个）", a target measured per group with each group, and a failed plugin's
/// targets with its error.
fn target_lines(t: &super::TargetSection, lang: Lang) -> Vec<String> {
    use crate::rules::TargetStatus;
    use crate::rules::target::number_text;
    let tag = lang.tag();
    let zh = matches!(lang, Lang::ZhCn);
    t.targets
        .iter()
        .map(|row| {
            let d = &row.target;
            let unit = match (&d.unit, zh) {
                (Some(u), true) => format!(" {u}"),
                (Some(u), false) => format!(" {u}"),
                (None, _) => String::new(),
            };
            let status = row.status.word(zh);
            let detail = match (row.status, row.measured.zip(row.wanted), &t.error) {
                (TargetStatus::Error, _, Some(e)) => e.clone(),
                (_, Some((m, w)), _) => {
                    if zh {
                        format!(
                            "实际 {}{unit}，要求 {} {}{unit}",
                            number_text(m),
                            d.comparison.sign(),
                            number_text(w)
                        )
                    } else {
                        format!(
                            "measured {}{unit}, wanted {} {}{unit}",
                            number_text(m),
                            d.comparison.sign(),
                            number_text(w)
                        )
                    }
                }
                _ => row
                    .groups
                    .iter()
                    .map(|g| {
                        format!(
                            "{} {} {} {}{unit} {}",
                            g.group,
                            number_text(g.measured),
                            d.comparison.sign(),
                            number_text(g.wanted),
                            if g.met {
                                TargetStatus::Met.word(zh)
                            } else {
                                TargetStatus::Missed.word(zh)
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(if zh { "；" } else { "; " }),
            };
            if zh {
                format!(
                    "目标 {} · {}：{status}（{detail}）",
                    t.title(tag),
                    d.title(tag)
                )
            } else {
                format!(
                    "Target {} · {}: {status} ({detail})",
                    t.title(tag),
                    d.title(tag)
                )
            }
        })
        .collect()
}

/// A table's line in summary.txt: its title, its rows and its totals with their units.
fn table_line(t: &super::TableSection, lang: Lang) -> String {
    let tag = lang.tag();
    let zh = matches!(lang, Lang::ZhCn);
    let rows = t
        .rows
        .iter()
        .filter(|r| r.kind == crate::rules::RowKind::Row)
        .count();
    let totals: Vec<String> = t
        .rows
        .iter()
        .find(|r| r.kind == crate::rules::RowKind::Total)
        .map(|total| {
            t.columns
                .iter()
                .zip(&total.cells)
                .filter_map(|(c, v)| {
                    let v = v.as_ref()?;
                    let unit = c.unit.as_deref().unwrap_or("");
                    Some(
                        format!(
                            "{} {}{}{unit}",
                            c.title(tag),
                            v.text(),
                            if zh { "" } else { " " }
                        )
                        .trim_end()
                        .to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if zh {
        format!(
            "表格 {}（{}）：{rows} 行；合计 {}",
            t.title(tag),
            t.plugin,
            totals.join("，")
        )
    } else {
        format!(
            "Table {} ({}): {rows} rows; totals {}",
            t.title(tag),
            t.plugin,
            totals.join(", ")
        )
    }
}

/// The line that ends a run on the terminal: "`count` files written to → `out` (`seconds` s)".
pub fn files_written(lang: Lang, count: usize, out: &std::path::Path, seconds: f64) -> String {
    let w = words(lang);
    format!(
        "{count} {} → {} ({seconds:.2} s)",
        w.txt_files_written,
        out.display()
    )
}

/// The sweep as a table (UTF-8 with BOM): class, width_m, villages, households, population.
pub fn sweep_csv(sweep: &Sweep) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record(["class", "width_m", "villages", "households", "population"]);
    for row in &sweep.rows {
        let _ = w.write_record([
            sweep.class.clone(),
            row.width_m.to_string(),
            row.affected.villages.to_string(),
            row.affected.households.to_string(),
            row.affected.population.to_string(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// The whole plan's lines in summary.txt: the communities and the villages in none, the
/// housing, the plan's targets met or missed, the counties and 管委会.
fn programme_lines(p: &crate::jobs::ProgrammeRun, lang: Lang) -> Vec<String> {
    use super::words::{amount, programme_words};
    use crate::jobs::CapacityStatus;
    let w = programme_words(lang);
    let mut lines = Vec::new();
    let forming: Vec<&crate::jobs::ProgrammeCommunity> = p
        .communities
        .iter()
        .filter(|c| !c.village_ids.is_empty() || c.in_table)
        .collect();
    lines.push((w.txt_communities)(
        forming.len(),
        forming.iter().filter(|c| c.in_table).count(),
        forming.iter().filter(|c| c.derived).count(),
        p.unassigned.len(),
        p.unassigned.iter().filter(|v| v.in_zone).count(),
    ));
    let count = |status| forming.iter().filter(|c| c.capacity == status).count();
    lines.push((w.txt_capacity)(
        count(CapacityStatus::Sufficient),
        count(CapacityStatus::Short),
        forming.iter().filter_map(|c| c.short_units).sum(),
        forming.iter().filter_map(|c| c.short_m2).sum(),
        count(CapacityStatus::NotGiven),
    ));
    if !p.unassigned.is_empty() {
        let named: Vec<String> = p
            .unassigned
            .iter()
            .map(|v| {
                if v.name.is_empty() {
                    v.id.clone()
                } else {
                    format!("{} {}", v.id, v.name)
                }
            })
            .collect();
        lines.push(format!(
            "{} {}",
            w.txt_unassigned_heading,
            named.join(words(lang).list_sep)
        ));
    }
    let zh = matches!(lang, Lang::ZhCn);
    let vetoed_designated: Vec<&str> = p
        .communities
        .iter()
        .filter(|c| c.demonstration.flag.is_some())
        .map(|c| c.name.as_str())
        .collect();
    if !vetoed_designated.is_empty() {
        lines.push(if zh {
            format!(
                "已定为示范社区（或位于示范镇）但被一票否决、未计入示范社区：{}",
                vetoed_designated.join("、")
            )
        } else {
            format!(
                "Designated demonstration communities (or in a demonstration town) that are vetoed, not counted as demonstration communities: {}",
                vetoed_designated.join(", ")
            )
        });
    }
    let site_in_zone: Vec<String> = p
        .communities
        .iter()
        .filter(|c| c.launch_site_in_zone)
        .map(|c| {
            let zones = c.site_zone_names();
            if zh {
                format!("{}（{}）", c.name, zones.join("、"))
            } else {
                format!("{} ({})", c.name, zones.join("; "))
            }
        })
        .collect();
    if !site_in_zone.is_empty() {
        lines.push(if zh {
            format!(
                "可启动但本社区安置点位于拆迁范围内，须核实：{}",
                site_in_zone.join("、")
            )
        } else {
            format!(
                "May launch, but the community's own site lies in a demolition zone (to be resolved): {}",
                site_in_zone.join(", ")
            )
        });
    }
    if !p.goals.is_empty() {
        lines.push(w.txt_goals.to_owned());
        for g in &p.goals {
            let status = if g.met { w.met } else { w.missed };
            let line = match (g.most, g.of) {
                (Some(most), Some(of)) => {
                    let missed = if g.missed_by.is_empty() {
                        String::new()
                    } else {
                        format!("；{}", g.missed_by.join(words(lang).list_sep))
                    };
                    if zh {
                        format!(
                            "  {} {}–{} 个：{status}（{} / {} 个乡镇在此范围{missed}）",
                            (w.goal)(&g.goal),
                            g.target,
                            most,
                            amount(g.actual),
                            of
                        )
                    } else {
                        format!(
                            "  {} {}–{}: {status} ({} of {} townships within{})",
                            (w.goal)(&g.goal),
                            g.target,
                            most,
                            amount(g.actual),
                            of,
                            missed.replace('；', "; ")
                        )
                    }
                }
                _ => {
                    if matches!(lang, Lang::ZhCn) {
                        format!(
                            "  {} {}：{status}（本次 {}）",
                            (w.goal)(&g.goal),
                            g.target,
                            amount(g.actual)
                        )
                    } else {
                        format!(
                            "  {} {}: {status} (this run {})",
                            (w.goal)(&g.goal),
                            g.target,
                            amount(g.actual)
                        )
                    }
                }
            };
            lines.push(line);
        }
    }
    if !p.counties.is_empty() {
        lines.push(w.txt_counties.to_owned());
        lines.extend(p.counties.iter().map(|r| (w.txt_rollup)(r)));
    }
    if !p.boards.is_empty() {
        lines.push(w.txt_boards.to_owned());
        lines.extend(p.boards.iter().map(|r| (w.txt_rollup)(r)));
    }
    lines
}
