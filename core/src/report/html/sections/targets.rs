//! The plan's target checks (`[targets.NAME]`): one titled table each, a row per target (and
//! per group of a target measured per group) with what was measured, what is wanted and
//! whether it is met, as the engine judged it.

use std::fmt::Write;

use crate::report::Report;
use crate::report::html::fmt::esc;
use crate::report::html::grid::Grid;
use crate::report::html::page::Page;
use crate::rules::TargetStatus;
use crate::rules::target::number_text;

pub(super) fn targets(page: &mut Page, report: &Report) {
    if report.targets.is_empty() {
        return;
    }
    let w = page.w;
    let tag = page.lang.tag();
    let zh = tag.starts_with("zh");
    page.open("targets", w.sec_targets);
    let heads: [(&str, bool); 5] = if zh {
        [
            ("目标", false),
            ("分组", false),
            ("实际值", true),
            ("要求", true),
            ("结果", false),
        ]
    } else {
        [
            ("Target", false),
            ("Group", false),
            ("Measured", true),
            ("Wanted", true),
            ("Result", false),
        ]
    };
    for (i, t) in report.targets.iter().enumerate() {
        let _ = writeln!(
            page.body,
            "<h3 id=\"targets-{}\">{}</h3>\n<p class=\"note\">{}</p>",
            i + 1,
            esc(t.title(tag)),
            esc(&t.plugin)
        );
        if let Some(e) = &t.error {
            let _ = writeln!(
                page.body,
                "<p class=\"st-error\">{}：{}</p>",
                esc(TargetStatus::Error.word(zh)),
                esc(e)
            );
        }
        let mut g = Grid::new(&format!("targets-{}-rows", i + 1), &heads);
        for row in &t.targets {
            let d = &row.target;
            let unit = d.unit.as_deref().unwrap_or("");
            let with_unit = |v: f64| {
                if unit.is_empty() {
                    number_text(v)
                } else {
                    format!("{} {unit}", number_text(v))
                }
            };
            let mut line = |group: &str, values: Option<(f64, f64)>, status: TargetStatus| {
                g.tr(None);
                g.td(d.title(tag));
                g.td_name(group);
                match values {
                    Some((m, wv)) => {
                        g.td_num(&with_unit(m));
                        g.td_num(&format!("{} {}", d.comparison.sign(), with_unit(wv)));
                    }
                    None => {
                        g.td("");
                        g.td("");
                    }
                }
                let class = match status {
                    TargetStatus::Met => "st-launched",
                    TargetStatus::Missed => "st-blocked",
                    TargetStatus::Error => "st-error",
                };
                g.td_html(&format!(
                    "<span class=\"{class}\">{}</span>",
                    esc(status.word(zh))
                ));
            };
            if row.groups.is_empty() {
                line("", row.measured.zip(row.wanted), row.status);
            } else {
                for gm in &row.groups {
                    let status = if gm.met {
                        TargetStatus::Met
                    } else {
                        TargetStatus::Missed
                    };
                    line(&gm.group, Some((gm.measured, gm.wanted)), status);
                }
            }
        }
        g.write(page);
    }
    page.close();
}
