//! The run's summary as text for the terminal and `summary.txt`, and the sweep as a table.

use std::fmt::Write as _;

use super::diff::status_word;
use super::{Lang, LaunchStatus, Report, Sweep};

/// The summary in the source plan's terms: new communities, villages, households and people
/// involved; per township and per zone class; the demonstration communities chosen per
/// township; the launch status of each community (by which criterion it is blocked or vetoed).
pub fn report_text(r: &Report, lang: Lang) -> String {
    let zh = lang == Lang::ZhCn;
    let mut s = String::new();
    let _ = writeln!(s, "{}", r.plan);
    let a = r.totals.affected;
    if zh {
        let _ = writeln!(
            s,
            "拆迁范围内：涉及行政村 {} 个（图层共 {} 个），{} 户，{} 人",
            a.villages, r.villages_in_layer, a.households, a.population
        );
    } else {
        let _ = writeln!(
            s,
            "inside the demolition zones: {} of {} villages, {} households, {} people",
            a.villages, r.villages_in_layer, a.households, a.population
        );
    }
    if r.totals.communities > 0 {
        let c = r.totals.in_communities;
        let t = &r.totals;
        if zh {
            let _ = writeln!(
                s,
                "新建社区 {} 个，合并行政村 {} 个，{} 户，{} 人；可启动 {}，暂缓 {}，一票否决 {}{}",
                t.communities,
                c.villages,
                c.households,
                c.population,
                t.launched,
                t.blocked,
                t.vetoed,
                if t.check_errors > 0 {
                    format!("，检查出错 {}", t.check_errors)
                } else {
                    String::new()
                }
            );
        } else {
            let _ = writeln!(
                s,
                "new communities: {}, merging {} villages, {} households, {} people; launched {}, blocked {}, vetoed {}{}",
                t.communities,
                c.villages,
                c.households,
                c.population,
                t.launched,
                t.blocked,
                t.vetoed,
                if t.check_errors > 0 {
                    format!(", check errors {}", t.check_errors)
                } else {
                    String::new()
                }
            );
        }
    }
    let _ = writeln!(
        s,
        "\n{}",
        if zh {
            "按范围类别："
        } else {
            "by zone class:"
        }
    );
    for c in &r.classes {
        let _ = writeln!(
            s,
            "  {:<8} {:>5} m  {:>4} {}  {:>5} {}  {:>7} {}  {:>8} {}",
            c.class,
            c.width_m,
            c.zones,
            if zh { "条" } else { "zones" },
            c.affected.villages,
            if zh { "村" } else { "villages" },
            c.affected.households,
            if zh { "户" } else { "households" },
            c.affected.population,
            if zh { "人" } else { "people" },
        );
    }
    let _ = writeln!(s, "\n{}", if zh { "按乡镇：" } else { "by township:" });
    for t in &r.townships {
        let name = if t.township.is_empty() {
            if zh {
                "（未知乡镇）"
            } else {
                "(no township)"
            }
        } else {
            t.township.as_str()
        };
        let demo = if t.demonstration.is_empty() {
            String::new()
        } else if zh {
            format!("；示范社区：{}", t.demonstration.join("、"))
        } else {
            format!("; demonstration: {}", t.demonstration.join(", "))
        };
        if zh {
            let _ = writeln!(
                s,
                "  {name}：拆迁范围内 {} 村 {} 户 {} 人；社区 {}（可启动 {}，暂缓 {}，否决 {}）{demo}",
                t.affected.villages,
                t.affected.households,
                t.affected.population,
                t.communities,
                t.launched,
                t.blocked,
                t.vetoed
            );
        } else {
            let _ = writeln!(
                s,
                "  {name}: {} villages, {} households, {} people inside; {} communities ({} launched, {} blocked, {} vetoed){demo}",
                t.affected.villages,
                t.affected.households,
                t.affected.population,
                t.communities,
                t.launched,
                t.blocked,
                t.vetoed
            );
        }
    }
    if r.communities.iter().any(|c| c.launch.is_some()) {
        let _ = writeln!(
            s,
            "\n{}",
            if zh {
                "各社区启动情况："
            } else {
                "launch status per community:"
            }
        );
        for c in &r.communities {
            let Some(l) = &c.launch else { continue };
            let why: Vec<&str> = r
                .criteria_in_order(
                    "launch",
                    l.findings
                        .iter()
                        .filter(|f| f.veto == (l.status == LaunchStatus::Vetoed))
                        .map(|f| f.criterion.as_str()),
                )
                .into_iter()
                .map(|id| r.criterion_title("launch", id, lang))
                .collect();
            let detail = match (l.status, &l.error) {
                (_, Some(e)) => format!(" ({e})"),
                (LaunchStatus::Launched, _) => String::new(),
                _ => format!(" ({})", why.join(if zh { "、" } else { ", " })),
            };
            let _ = writeln!(s, "  {}: {}{detail}", c.name, status_word(l.status, lang));
        }
    }
    if let Some(sweep) = &r.sweep {
        let _ = writeln!(
            s,
            "\n{} {}:",
            if zh { "宽度试算" } else { "width sweep of" },
            sweep.class
        );
        for row in &sweep.rows {
            let _ = writeln!(
                s,
                "  {:>6} m  {:>5} {}  {:>8} {}  {:>9} {}",
                row.width_m,
                row.affected.villages,
                if zh { "村" } else { "villages" },
                row.affected.households,
                if zh { "户" } else { "households" },
                row.affected.population,
                if zh { "人" } else { "people" },
            );
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(
            s,
            "\n{} ({})",
            if zh { "提示" } else { "warnings" },
            r.warnings.len()
        );
        for w in &r.warnings {
            let _ = writeln!(s, "  {w}");
        }
    }
    s
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
