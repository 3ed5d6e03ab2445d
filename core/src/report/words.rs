//! Every fixed word of every text output (the HTML page, `summary.txt`, `hecun diff`), in both
//! languages, in one place.
//!
//! One struct with a field per word (rather than a lookup by key) so that a word missing in one
//! language is a compile error, not a blank on the planner's printout. Words with numbers or
//! names inside are `fn` fields: the word order differs between the languages.

use super::numbers::{thousands, wan};
use super::{Choice, Counts, Lang, LaunchStatus, Totals, TownshipRow, ZoneRef};
use crate::pipeline::affected::{Counting, Summary};

/// A share (0–1) as a percentage without float noise: 0.2 → "20", 0.125 → "12.5".
fn percent(share: f64) -> String {
    let text = format!("{:.6}", share * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The words around the data.
pub(super) struct Words {
    // report.html
    pub html_lang: &'static str,
    pub report_kind: &'static str,
    pub metric_crs: &'static str,
    pub made_with: &'static str,
    pub contents: &'static str,
    pub list_sep: &'static str,
    pub colon: &'static str,
    pub dash: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    /// The engine's own evidence keys (`village`, `field`, `value`, and `file_field`, the
    /// column a model field was read from), as the page names them.
    pub evidence_key: fn(&str) -> Option<&'static str>,

    pub sec_summary: &'static str,
    pub sec_map: &'static str,
    pub sec_townships: &'static str,
    pub sec_classes: &'static str,
    pub sec_communities: &'static str,
    pub sec_verdicts: &'static str,
    pub sec_sites: &'static str,
    pub sec_terms: &'static str,
    pub sec_villages: &'static str,
    pub sec_sweep: &'static str,
    pub sec_tables: &'static str,
    pub sec_targets: &'static str,
    pub sec_plugins: &'static str,
    pub sec_warnings: &'static str,

    pub villages_in_layer: &'static str,
    pub affected_villages: &'static str,
    pub affected_households: &'static str,
    pub affected_people: &'static str,
    pub new_communities: &'static str,
    pub merged_villages: &'static str,
    pub merged_households: &'static str,
    pub merged_people: &'static str,
    pub n_launched: &'static str,
    pub n_blocked: &'static str,
    pub n_vetoed: &'static str,
    pub n_check_errors: &'static str,
    pub n_sites: &'static str,
    pub n_sites_chosen: &'static str,

    pub col_township: &'static str,
    pub col_villages_in_layer: &'static str,
    pub col_affected_villages: &'static str,
    pub col_households: &'static str,
    pub col_people: &'static str,
    pub col_communities: &'static str,
    pub col_launched: &'static str,
    pub col_blocked: &'static str,
    pub col_vetoed: &'static str,
    pub col_demonstration: &'static str,
    pub col_class: &'static str,
    pub col_layer: &'static str,
    pub col_width: &'static str,
    pub col_zones: &'static str,
    pub col_community: &'static str,
    pub col_villages: &'static str,
    pub col_launch: &'static str,
    pub col_standard: &'static str,
    pub col_rank: &'static str,
    pub col_id: &'static str,
    pub col_name: &'static str,
    pub col_score: &'static str,
    pub col_rank_in_township: &'static str,
    pub col_chosen: &'static str,
    pub col_excluded: &'static str,
    pub col_term: &'static str,
    pub col_weight: &'static str,
    pub col_value: &'static str,
    pub col_contribution: &'static str,
    pub col_share: &'static str,
    pub col_zone_list: &'static str,
    pub col_role: &'static str,
    pub col_plugin: &'static str,
    pub col_version: &'static str,
    pub col_runtime: &'static str,
    /// The edition of the standard a plugin applies (planning standards), in the plugin table.
    pub edition: &'static str,
    pub col_criterion: &'static str,
    pub col_kind: &'static str,
    pub col_reason: &'static str,
    pub col_evidence: &'static str,
    pub sum: &'static str,

    pub st_launched: &'static str,
    pub st_blocked: &'static str,
    pub st_vetoed: &'static str,
    pub st_error: &'static str,
    pub std_met: &'static str,
    pub std_missed: &'static str,
    pub veto: &'static str,
    pub not_met: &'static str,
    pub all_met: &'static str,
    pub no_check: &'static str,
    pub check_error: &'static str,
    pub score_error: &'static str,

    pub layer_roads: &'static str,
    pub layer_corridors: &'static str,
    pub role_launch: &'static str,
    pub role_standard: &'static str,
    pub role_sites: &'static str,

    pub legend: &'static str,
    pub lg_townships: &'static str,
    pub lg_zones: &'static str,
    pub lg_corridors: &'static str,
    pub lg_roads: &'static str,
    pub lg_villages: &'static str,
    pub lg_untouched: &'static str,
    pub lg_sites: &'static str,
    pub lg_site_out: &'static str,
    pub lg_site_chosen: &'static str,
    pub north: &'static str,
    pub scale: &'static str,
    pub map_note: &'static str,
    /// Before the number of names left off the map.
    pub labels_left_off: &'static str,

    pub top_per_township: &'static str,
    pub no_township: &'static str,
    pub no_map: &'static str,
    pub no_affected: &'static str,
    pub no_communities: &'static str,
    pub no_sites: &'static str,
    pub no_terms: &'static str,
    pub no_plugins: &'static str,
    pub no_warnings: &'static str,

    pub sweep_class: &'static str,
    pub sweep_planned: &'static str,
    pub sweep_x: &'static str,
    pub sweep_y: &'static str,

    /// A headline's count of households or people with its unit (zh-CN: `3.42万户`; the
    /// exact figure is in the tables), the unit being `unit_households` or `unit_people`.
    pub headline_count: fn(u64, &str) -> String,

    // summary.txt
    pub txt_affected: fn(Counts, usize) -> String,
    /// The counting rule, with the villages it leaves out or the pro-rata estimate.
    pub txt_counting: fn(&Summary) -> String,
    pub txt_communities: fn(&Totals) -> String,
    pub txt_by_class: &'static str,
    pub txt_by_township: &'static str,
    pub txt_no_township: &'static str,
    /// Before the list of demonstration communities of a township.
    pub txt_demonstration: &'static str,
    /// How sites were chosen under `[scoring] per` / `quota`, with the total.
    pub txt_choice: fn(&Choice) -> String,
    /// A named scoring job: its title, candidates, scored and chosen.
    pub txt_scoring: fn(&str, usize, usize, usize) -> String,
    /// A township's line: its name, its numbers, then the demonstration communities.
    pub txt_township: fn(&str, &TownshipRow, &str) -> String,
    /// A township's line when the plan forms no communities (no launch check, no standard
    /// selection): its numbers inside the zones only, no community counts of zero.
    pub txt_township_zones: fn(&str, &TownshipRow, &str) -> String,
    pub txt_launch_per_community: &'static str,
    /// Several launch checks, combined per community.
    pub txt_launch_plugins: fn(&[&str]) -> String,
    pub txt_sweep: &'static str,
    pub txt_warnings: &'static str,
    /// The terminal's last line after a run: how many files, where.
    pub txt_files_written: &'static str,

    // hecun verify (a delivered folder against its run manifest)
    pub vfy_changed: &'static str,
    pub vfy_missing: &'static str,
    pub vfy_not_a_file: &'static str,
    pub vfy_extra: &'static str,
    /// An input's finding: the finding's word, then the input's role.
    pub vfy_input: fn(&str, &str) -> String,
    /// The folder is as written: folder, outputs checked.
    pub vfy_folder_ok: fn(&str, usize) -> String,
    /// The folder is not: folder, findings.
    pub vfy_folder_differs: fn(&str, usize) -> String,
    /// Inputs checked and as read: count.
    pub vfy_inputs_ok: fn(usize) -> String,
    /// The run's working folder is not there.
    pub vfy_inputs_not_here: fn(&str) -> String,
    /// The build that made the run differs from this one: the differences.
    pub vfy_other_build: fn(&str) -> String,
    pub unit_zones: &'static str,
    pub unit_villages: &'static str,
    pub unit_households: &'static str,
    pub unit_people: &'static str,
    pub verdict_launched: &'static str,
    pub verdict_blocked: &'static str,
    pub verdict_vetoed: &'static str,
    pub verdict_error: &'static str,

    // hecun diff
    /// Between the clauses of a site's reason.
    pub clause_sep: &'static str,
    pub diff_counts: fn(Counts) -> String,
    pub diff_inside: &'static str,
    pub diff_villages_added: &'static str,
    pub diff_villages_removed: &'static str,
    pub diff_sites_changed: &'static str,
    pub diff_communities_changed: &'static str,
    pub diff_no_change: &'static str,
    pub diff_now_chosen: &'static str,
    pub diff_no_longer_chosen: &'static str,
    /// A zone a village lies in: the zone, what it was drawn around, its width.
    pub diff_zone: fn(&ZoneRef, &str, &str) -> String,
    /// The zones a village lies in and the share of its area inside them.
    pub diff_zones_share: fn(&str, &str) -> String,
    pub diff_now_inside: &'static str,
    pub diff_no_longer_inside: fn(&str) -> String,
    /// Before the zone classes whose width changed.
    pub diff_widths: &'static str,
    pub diff_now_excluded: fn(&str) -> String,
    pub diff_no_longer_excluded: fn(&str) -> String,
    pub diff_plugin_error: fn(&str) -> String,
    /// Score before, after, and the terms that moved.
    pub diff_score: fn(f64, f64, &str) -> String,
    /// Rank in the township, sites chosen per township before and after.
    pub diff_top: fn(&str, &str, &str) -> String,
    pub diff_own_score: fn(f64) -> String,
    /// Before the sites that passed a site or fell behind it.
    pub diff_passed: &'static str,
    pub diff_excluded: &'static str,
    pub diff_error: &'static str,
    pub diff_role_launch: &'static str,
    pub diff_role_standard: &'static str,
    /// Criteria failing now and not before, worded as verdicts word failures.
    pub diff_now_failing: fn(&str) -> String,
    /// Criteria failing before and not now.
    pub diff_no_longer_failing: fn(&str) -> String,

    // Verdicts (the page, summary.txt, hecun diff): what failed, never the criterion's title
    // after "vetoed".
    /// A criterion without a failure wording: its title (or titles) as not met.
    pub failed_not_met: fn(&str) -> String,
    /// The villages of a veto: the first few ids and how many in all.
    pub failed_villages: fn(&[&str], usize) -> String,
    /// Between the failures of a verdict.
    pub failure_sep: &'static str,
    /// After "blocked": what failed.
    pub why_blocked: fn(&str) -> String,
    /// After "vetoed": what failed.
    pub why_vetoed: fn(&str) -> String,

    // The small page's map and items (issue 15, h-svg).
    /// The map's permanent basic farmland layer (legend, tooltips).
    pub lg_farmland: &'static str,
    /// The map's ecological red-line layer (legend, tooltips).
    pub lg_redline: &'static str,
    /// A launch field no village has a value for: the field, the file field names tried and
    /// the villages' file.
    pub launch_field_missing: fn(&str, &str, &str) -> String,
    /// Before the distances hecun measured for a site (under its terms).
    pub measured_intro: &'static str,
    /// Each measured distance's title, by engine feature (`town_distance`…).
    pub measured_titles: [(&'static str, &'static str); 3],
    /// The column of a site's terms that holds the distance a term was computed from (its
    /// plugin's `[[terms]] measure`).
    pub col_measured: &'static str,
    // Evidence values as the page writes them (findings.rs): a distance (`*_m`) and an area
    // (`*_m2`) with their unit after the number.
    pub unit_metres: &'static str,
    pub unit_square_metres: &'static str,
}

const ZH: Words = Words {
    html_lang: "zh-CN",
    report_kind: "合村并城规划报告",
    metric_crs: "量算坐标系",
    made_with: "生成工具",
    contents: "目录",
    list_sep: "、",
    colon: "：",
    dash: "—",
    yes: "是",
    no: "否",
    evidence_key: |k| match k {
        "village" => Some("行政村"),
        "field" => Some("模型字段"),
        "file_field" => Some("数据字段"),
        "value" => Some("取值"),
        "community" => Some("新社区"),
        _ => None,
    },

    sec_summary: "总体情况",
    sec_map: "区域图",
    sec_townships: "分乡镇统计",
    sec_classes: "分道路与廊道等级统计",
    sec_communities: "新社区启动情况",
    sec_verdicts: "启动判定说明",
    sec_sites: "安置点评分与选址",
    sec_terms: "评分构成",
    sec_villages: "涉及拆迁的行政村",
    sec_sweep: "控制宽度敏感性分析",
    sec_tables: "测算表",
    sec_targets: "目标核查",
    sec_plugins: "规则插件",
    sec_warnings: "提示",

    villages_in_layer: "图层内行政村",
    affected_villages: "涉及行政村",
    affected_households: "涉及户数",
    affected_people: "涉及人口",
    new_communities: "新社区",
    merged_villages: "并入新社区的行政村",
    merged_households: "并入新社区的户数",
    merged_people: "并入新社区的人口",
    n_launched: "可启动",
    n_blocked: "暂缓启动",
    n_vetoed: "一票否决",
    n_check_errors: "判定出错",
    n_sites: "候选安置点",
    n_sites_chosen: "入选安置点",

    col_township: "乡镇",
    col_villages_in_layer: "行政村总数",
    col_affected_villages: "涉及村数",
    col_households: "户数",
    col_people: "人口",
    col_communities: "新社区",
    col_launched: "可启动",
    col_blocked: "暂缓",
    col_vetoed: "否决",
    col_demonstration: "示范社区",
    col_class: "等级",
    col_layer: "类别",
    col_width: "控制宽度",
    col_zones: "控制区段",
    col_community: "新社区",
    col_villages: "合并村数",
    col_launch: "启动状态",
    col_standard: "规划标准",
    col_rank: "排名",
    col_id: "编号",
    col_name: "名称",
    col_score: "得分",
    col_rank_in_township: "乡镇内排名",
    col_chosen: "选定",
    col_excluded: "排除原因",
    col_term: "评分项",
    col_weight: "权重",
    col_value: "取值",
    col_contribution: "贡献（权重×取值）",
    col_share: "拆迁范围占比",
    col_zone_list: "所在控制区",
    col_role: "用途",
    col_plugin: "插件",
    col_version: "版本",
    col_runtime: "运行环境",
    edition: "标准版本",
    col_criterion: "标准项",
    col_kind: "性质",
    col_reason: "原因",
    col_evidence: "依据",
    sum: "合计",

    st_launched: "可启动",
    st_blocked: "暂缓",
    st_vetoed: "一票否决",
    st_error: "出错",
    std_met: "达标",
    std_missed: "未达标",
    veto: "一票否决",
    not_met: "未满足",
    all_met: "各项启动标准均满足。",
    no_check: "未进行启动判定。",
    check_error: "判定未能完成",
    score_error: "评分出错",

    layer_roads: "道路",
    layer_corridors: "生态廊道",
    role_launch: "启动判定",
    role_standard: "规划标准",
    role_sites: "选址评分",

    legend: "图例",
    lg_townships: "乡镇界",
    lg_zones: "拆迁控制区",
    lg_corridors: "生态廊道",
    lg_roads: "道路",
    lg_villages: "行政村（拆迁范围占比）",
    lg_untouched: "未涉及",
    lg_sites: "候选安置点（得分）",
    lg_site_out: "已排除或评分出错",
    lg_site_chosen: "入选安置点",
    north: "北",
    scale: "比例尺",
    map_note: "鼠标悬停可查看村庄、安置点详情。",
    labels_left_off: "为免重叠未标注的名称（乡镇、安置点悬停可见，道路、廊道见图例）：",

    top_per_township: "每个乡镇入选安置点数",
    no_township: "（未属乡镇）",
    no_map: "本报告未附地图图层。",
    no_affected: "没有行政村位于拆迁控制区内。",
    no_communities: "本次未组建新社区。",
    no_sites: "本次未对安置点评分。",
    no_terms: "无评分项。",
    no_plugins: "本次未运行规则插件。",
    no_warnings: "无。",

    sweep_class: "变化的等级",
    sweep_planned: "规划宽度",
    sweep_x: "控制宽度（米）",
    sweep_y: "涉及户数",

    headline_count: |n, unit| format!("{}{unit}", wan(n as f64)),

    txt_affected: |a, in_layer| {
        format!(
            "拆迁范围内：涉及行政村 {} 个（图层共 {in_layer} 个），{}户，{}人",
            a.villages,
            wan(a.households as f64),
            wan(a.population as f64)
        )
    },
    txt_counting: |r| match r.counting {
        Counting::Whole => {
            "计数规则：整村计入——村域任一部分位于拆迁范围内，即计入该村全部户数和人口。".to_owned()
        }
        Counting::MinShare { share } => {
            let b = r.below_share;
            format!(
                "计数规则：村域面积至少 {p}% 位于拆迁范围内的村整村计入；另有 {} 个村（{}户，{}人）部分位于范围内但不足 {p}%，未计入（见 below_share_villages.csv）。",
                b.villages,
                wan(b.households as f64),
                wan(b.population as f64),
                p = percent(share)
            )
        }
        Counting::ProRata => {
            let e = r.pro_rata.unwrap_or_default();
            format!(
                "计数规则：整村计入；按各村位于范围内的面积比例折算（估计），约 {}户，{}人。",
                wan(e.households),
                wan(e.population)
            )
        }
    },
    txt_communities: |t| {
        let c = t.in_communities;
        format!(
            "新建社区 {} 个，合并行政村 {} 个，{}户，{}人；可启动 {}，暂缓 {}，一票否决 {}{}",
            t.communities,
            c.villages,
            wan(c.households as f64),
            wan(c.population as f64),
            t.launched,
            t.blocked,
            t.vetoed,
            if t.check_errors > 0 {
                format!("，检查出错 {}", t.check_errors)
            } else {
                String::new()
            }
        )
    },
    txt_by_class: "按范围类别：",
    txt_by_township: "按乡镇：",
    txt_no_township: "（未知乡镇）",
    txt_demonstration: "；示范社区：",
    txt_scoring: |title, n, scored, chosen| {
        format!("{title}：候选 {n} 处，评分 {scored} 处，选定 {chosen} 处")
    },
    txt_choice: |c| {
        let counts = match c.top {
            Some(n) => format!("每组 {n} 处"),
            None => quota_list(c, "，", "其余", |q| format!("（配额 {q}）")),
        };
        let per = if c.per == "township" {
            "乡镇"
        } else {
            &c.per
        };
        format!("选址按{per}分组：{counts}；共选定 {} 处", c.chosen)
    },
    txt_township: |name, t, demo| {
        format!(
            "  {name}：拆迁范围内 {} 村 {} 户 {} 人；社区 {}（可启动 {}，暂缓 {}，否决 {}）{demo}",
            t.affected.villages,
            t.affected.households,
            t.affected.population,
            t.communities,
            t.launched,
            t.blocked,
            t.vetoed
        )
    },
    txt_township_zones: |name, t, demo| {
        format!(
            "  {name}：拆迁范围内 {} 村 {} 户 {} 人{demo}",
            t.affected.villages, t.affected.households, t.affected.population
        )
    },
    txt_launch_per_community: "各社区启动情况：",
    txt_launch_plugins: |p| {
        format!(
            "启动判定插件：{}（全部满足方可启动，任一否决即否决）",
            p.join("、")
        )
    },
    txt_sweep: "宽度试算",
    txt_warnings: "提示",
    txt_files_written: "个文件已写入",
    vfy_changed: "已改动",
    vfy_missing: "缺失",
    vfy_not_a_file: "不再是普通文件",
    vfy_extra: "多出（运行清单中没有）",
    vfy_input: |what, role| format!("输入{what}（{role}）"),
    vfy_folder_ok: |dir, n| format!("{dir}：{n} 个输出文件均与运行清单一致（SHA-256），无多余文件"),
    vfy_folder_differs: |dir, n| format!("{dir}：{n} 处与运行清单不符"),
    vfy_inputs_ok: |n| format!("输入：{n} 个文件均与运行时一致"),
    vfy_inputs_not_here: |dir| format!("未检查输入：运行时的工作目录 {dir} 不在此处"),
    vfy_other_build: |d| format!("运行时的程序版本与当前不同：{d}（结果仍可能一致）"),
    unit_zones: "条",
    unit_villages: "村",
    unit_households: "户",
    unit_people: "人",
    verdict_launched: "可启动",
    verdict_blocked: "暂缓",
    verdict_vetoed: "一票否决",
    verdict_error: "出错",

    clause_sep: "，",
    diff_counts: |x| {
        format!(
            "{} 个村，{} 户，{} 人",
            x.villages, x.households, x.population
        )
    },
    diff_inside: "拆迁范围内：",
    diff_villages_added: "新增村庄",
    diff_villages_removed: "移出村庄",
    diff_sites_changed: "选址变化",
    diff_communities_changed: "社区结论变化",
    diff_no_change: "无变化",
    diff_now_chosen: "，新入选",
    diff_no_longer_chosen: "，落选",
    diff_zone: |z, what, width| format!("{}{what}（{}，{width} 米）", z.class, z.id),
    diff_zones_share: |zones, share| format!("{zones}拆迁范围，占村域面积 {share}%"),
    diff_now_inside: "新进入",
    diff_no_longer_inside: |zones| format!("不再位于任何拆迁范围内（原在{zones}）"),
    diff_widths: "；宽度 ",
    diff_now_excluded: |why| format!("被排除：{why}"),
    diff_no_longer_excluded: |why| format!("不再被排除（原因曾是：{why}）"),
    diff_plugin_error: |e| format!("插件出错：{e}"),
    diff_score: |b, a, terms| format!("得分 {b:.3} → {a:.3}（{terms}）"),
    diff_top: |n, b, a| format!("乡镇内第 {n} 名；每乡镇选取 {b} → {a} 个"),
    diff_own_score: |v| format!("自身得分未变（{v:.3}）"),
    diff_passed: "；名次交换：",
    diff_excluded: "排除",
    diff_error: "出错",
    diff_role_launch: "启动",
    diff_role_standard: "规划标准",
    diff_now_failing: |x| format!("，新增问题（{x}）"),
    diff_no_longer_failing: |x| format!("，问题消除（{x}）"),

    failed_not_met: |t| format!("未满足：{t}"),
    failed_villages: |ids, n| {
        if ids.len() < n {
            format!("（村 {} 等 {n} 个）", ids.join("、"))
        } else {
            format!("（村 {}）", ids.join("、"))
        }
    },
    failure_sep: "；",
    why_blocked: |x| format!("（{x}）"),
    why_vetoed: |x| format!("：{x}"),

    lg_farmland: "永久基本农田",
    lg_redline: "生态保护红线",
    launch_field_missing: |field, tried, file| {
        format!(
            "所有村庄均缺少字段 {field}（尝试的字段名：{tried}；文件 {file}）：依据它的启动条件在每个社区都不满足，“可启动”数因此为 0 或偏低，并非各村实际情况"
        )
    },
    measured_intro: "hecun 测得的距离（插件据此计算各项得分）",
    measured_titles: [
        ("town_distance", "距镇区中心（乡镇几何中心）"),
        ("road_distance", "距最近道路"),
        ("village_distance", "距并入村庄（按人口加权平均）"),
    ],
    col_measured: "测得距离",
    unit_metres: " 米",
    unit_square_metres: " 平方米",
};

const EN: Words = Words {
    html_lang: "en",
    report_kind: "Village-merging planning report",
    metric_crs: "Metric CRS",
    made_with: "Made with",
    contents: "Contents",
    list_sep: ", ",
    colon: ": ",
    dash: "—",
    yes: "yes",
    no: "no",
    evidence_key: |k| match k {
        "village" => Some("village"),
        "field" => Some("field"),
        "file_field" => Some("column in the file"),
        "value" => Some("value"),
        "community" => Some("community"),
        _ => None,
    },

    sec_summary: "Summary",
    sec_map: "Map",
    sec_townships: "By township",
    sec_classes: "By road and corridor class",
    sec_communities: "Launch status of the new communities",
    sec_verdicts: "Why each community stands where it does",
    sec_sites: "Candidate sites and the sites chosen",
    sec_terms: "Terms of each score",
    sec_villages: "Affected villages",
    sec_sweep: "Width sweep",
    sec_tables: "Tables",
    sec_targets: "Targets",
    sec_plugins: "Plugins",
    sec_warnings: "Warnings",

    villages_in_layer: "Villages in the layer",
    affected_villages: "Villages affected",
    affected_households: "Households affected",
    affected_people: "People affected",
    new_communities: "New communities",
    merged_villages: "Villages merged",
    merged_households: "Households merged",
    merged_people: "People merged",
    n_launched: "Launched",
    n_blocked: "Blocked",
    n_vetoed: "Vetoed",
    n_check_errors: "Check failed",
    n_sites: "Candidate sites",
    n_sites_chosen: "Sites chosen",

    col_township: "Township",
    col_villages_in_layer: "Villages",
    col_affected_villages: "Affected villages",
    col_households: "Households",
    col_people: "People",
    col_communities: "Communities",
    col_launched: "Launched",
    col_blocked: "Blocked",
    col_vetoed: "Vetoed",
    col_demonstration: "Demonstration communities",
    col_class: "Class",
    col_layer: "Layer",
    col_width: "Zone width",
    col_zones: "Zones",
    col_community: "Community",
    col_villages: "Villages",
    col_launch: "Launch status",
    col_standard: "Planning standard",
    col_rank: "Rank",
    col_id: "Id",
    col_name: "Name",
    col_score: "Score",
    col_rank_in_township: "Rank in township",
    col_chosen: "Chosen",
    col_excluded: "Excluded because",
    col_term: "Term",
    col_weight: "Weight",
    col_value: "Value",
    col_contribution: "Contribution (weight × value)",
    col_share: "Share inside",
    col_zone_list: "Zones",
    col_role: "Role",
    col_plugin: "Plugin",
    col_version: "Version",
    col_runtime: "Runtime",
    edition: "Edition",
    col_criterion: "Criterion",
    col_kind: "Kind",
    col_reason: "Reason",
    col_evidence: "Evidence",
    sum: "Total",

    st_launched: "launched",
    st_blocked: "blocked",
    st_vetoed: "vetoed",
    st_error: "error",
    std_met: "met",
    std_missed: "not met",
    veto: "veto",
    not_met: "not met",
    all_met: "Every launch criterion holds.",
    no_check: "No launch check was run.",
    check_error: "The check failed to run",
    score_error: "scoring failed",

    layer_roads: "road",
    layer_corridors: "corridor",
    role_launch: "launch check",
    role_standard: "planning standard",
    role_sites: "site scoring",

    legend: "Legend",
    lg_townships: "Township boundary",
    lg_zones: "Demolition zones",
    lg_corridors: "Ecological corridors",
    lg_roads: "Roads",
    lg_villages: "Villages (share inside the zones)",
    lg_untouched: "untouched",
    lg_sites: "Candidate sites (score)",
    lg_site_out: "excluded or failed",
    lg_site_chosen: "chosen site",
    north: "N",
    scale: "Scale",
    map_note: "Hover over a village or site for its details.",
    labels_left_off: "Names left off where they would overlap (townships and sites: hover for them; roads and corridors: see the legend): ",

    top_per_township: "Sites chosen per township",
    no_township: "(no township)",
    no_map: "This report carries no map layers.",
    no_affected: "No village lies inside a demolition zone.",
    no_communities: "No new communities were formed in this run.",
    no_sites: "No sites were scored in this run.",
    no_terms: "No terms.",
    no_plugins: "No plugins ran.",
    no_warnings: "None.",

    sweep_class: "Class varied",
    sweep_planned: "planned",
    sweep_x: "Zone width (m)",
    sweep_y: "Households affected",

    headline_count: |n, _| thousands(n),

    txt_affected: |a, in_layer| {
        format!(
            "inside the demolition zones: {} of {in_layer} villages, {} households, {} people",
            a.villages,
            thousands(a.households),
            thousands(a.population)
        )
    },
    txt_counting: |r| {
        match r.counting {
        Counting::Whole => "counting: whole villages — a village counts with all its households and people when any part of it lies in a zone.".to_owned(),
        Counting::MinShare { share } => {
            let b = r.below_share;
            format!(
                "counting: villages with at least {p} % of their area inside the zones count whole; {} more villages ({} households, {} people) lie partly inside but under {p} % and are not counted (below_share_villages.csv).",
                b.villages,
                b.households,
                b.population,
                p = percent(share)
            )
        }
        Counting::ProRata => {
            let e = r.pro_rata.unwrap_or_default();
            format!(
                "counting: whole villages; estimated pro rata by each village's share of area inside the zones: about {} households, {} people.",
                e.households.round(),
                e.population.round()
            )
        }
    }
    },
    txt_communities: |t| {
        let c = t.in_communities;
        format!(
            "new communities: {}, merging {} villages, {} households, {} people; launched {}, blocked {}, vetoed {}{}",
            t.communities,
            c.villages,
            thousands(c.households),
            thousands(c.population),
            t.launched,
            t.blocked,
            t.vetoed,
            if t.check_errors > 0 {
                format!(", check errors {}", t.check_errors)
            } else {
                String::new()
            }
        )
    },
    txt_by_class: "by zone class:",
    txt_by_township: "by township:",
    txt_no_township: "(no township)",
    txt_demonstration: "; demonstration: ",
    txt_scoring: |title, n, scored, chosen| {
        format!("{title}: {n} candidates, {scored} scored, {chosen} chosen")
    },
    txt_choice: |c| {
        let counts = match c.top {
            Some(n) => format!("best {n} per group"),
            None => quota_list(c, ", ", "others", |q| format!(" (quota {q})")),
        };
        format!(
            "Sites chosen per {}: {counts}; {} chosen in all",
            c.per, c.chosen
        )
    },
    txt_township: |name, t, demo| {
        format!(
            "  {name}: {} villages, {} households, {} people inside; {} communities ({} launched, {} blocked, {} vetoed){demo}",
            t.affected.villages,
            t.affected.households,
            t.affected.population,
            t.communities,
            t.launched,
            t.blocked,
            t.vetoed
        )
    },
    txt_township_zones: |name, t, demo| {
        format!(
            "  {name}: {} villages, {} households, {} people inside{demo}",
            t.affected.villages, t.affected.households, t.affected.population
        )
    },
    txt_launch_per_community: "launch status per community:",
    txt_launch_plugins: |p| {
        format!(
            "launch checks: {} (launches only if all pass; any veto vetoes)",
            p.join(", ")
        )
    },
    txt_sweep: "width sweep of",
    txt_warnings: "warnings",
    txt_files_written: "files written to",
    vfy_changed: "changed",
    vfy_missing: "missing",
    vfy_not_a_file: "no longer a regular file",
    vfy_extra: "extra (not in the run manifest)",
    vfy_input: |what, role| format!("input {what} ({role})"),
    vfy_folder_ok: |dir, n| {
        format!("{dir}: all {n} outputs as the run wrote them (SHA-256), no other file")
    },
    vfy_folder_differs: |dir, n| format!("{dir}: {n} differences from the run manifest"),
    vfy_inputs_ok: |n| format!("inputs: all {n} files as the run read them"),
    vfy_inputs_not_here: |dir| {
        format!("inputs not checked: the run's working folder {dir} is not here")
    },
    vfy_other_build: |d| {
        format!("the run was made by another build: {d} (results may still match)")
    },
    unit_zones: "zones",
    unit_villages: "villages",
    unit_households: "households",
    unit_people: "people",
    verdict_launched: "launched",
    verdict_blocked: "blocked",
    verdict_vetoed: "vetoed",
    verdict_error: "error",

    clause_sep: ", ",
    diff_counts: |x| {
        format!(
            "{} villages, {} households, {} people",
            x.villages, x.households, x.population
        )
    },
    diff_inside: "inside the zones: ",
    diff_villages_added: "villages added",
    diff_villages_removed: "villages removed",
    diff_sites_changed: "sites changed",
    diff_communities_changed: "communities changed",
    diff_no_change: "no change",
    diff_now_chosen: ", now chosen",
    diff_no_longer_chosen: ", no longer chosen",
    diff_zone: |z, what, width| format!("the {} zone of {what} ({}, {width} m)", z.class, z.id),
    diff_zones_share: |zones, share| format!("{zones}, {share} % of its area"),
    diff_now_inside: "now inside ",
    diff_no_longer_inside: |zones| format!("no longer inside any zone (was inside {zones})"),
    diff_widths: "; width ",
    diff_now_excluded: |why| format!("now excluded: {why}"),
    diff_no_longer_excluded: |why| format!("no longer excluded (was: {why})"),
    diff_plugin_error: |e| format!("plugin error: {e}"),
    diff_score: |b, a, terms| format!("score {b:.3} → {a:.3} ({terms})"),
    diff_top: |n, b, a| format!("rank {n} in its township; sites chosen per township {b} → {a}"),
    diff_own_score: |v| format!("its own score is unchanged ({v:.3})"),
    diff_passed: "; passed by or passing: ",
    diff_excluded: "excluded",
    diff_error: "error",
    diff_role_launch: "launch",
    diff_role_standard: "standard",
    diff_now_failing: |x| format!(", now failing ({x})"),
    diff_no_longer_failing: |x| format!(", no longer failing ({x})"),

    failed_not_met: |t| format!("not met: {t}"),
    failed_villages: |ids, n| {
        let list = ids.join(", ");
        match (ids.len(), n) {
            (1, 1) => format!(" (village {list})"),
            (k, n) if k < n => format!(" (villages {list} and {} more)", n - k),
            _ => format!(" (villages {list})"),
        }
    },
    failure_sep: "; ",
    why_blocked: |x| format!(" ({x})"),
    why_vetoed: |x| format!(": {x}"),

    lg_farmland: "Permanent basic farmland",
    lg_redline: "Ecological protection red line",
    launch_field_missing: |field, tried, file| {
        format!(
            "No village has a value for {field} (field names tried: {tried}; file {file}): every criterion that reads it fails in every community, so the count that may launch says so, not the villages' actual state"
        )
    },
    measured_intro: "Distances hecun measured (what the plugin computed the terms from)",
    measured_titles: [
        (
            "town_distance",
            "to the town centre (the township's centroid)",
        ),
        ("road_distance", "to the nearest road"),
        (
            "village_distance",
            "to the merged villages (population-weighted mean)",
        ),
    ],
    col_measured: "Measured distance",
    unit_metres: " m",
    unit_square_metres: " m²",
};

/// The words for `lang`.
pub(super) fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    }
}

impl Words {
    /// A launch status (or any status of a check other than a standard's met / not met), as
    /// `summary.txt` and `hecun diff` word it.
    pub fn verdict(&self, s: LaunchStatus) -> &'static str {
        match s {
            LaunchStatus::Launched => self.verdict_launched,
            LaunchStatus::Blocked => self.verdict_blocked,
            LaunchStatus::Vetoed => self.verdict_vetoed,
            LaunchStatus::Error => self.verdict_error,
        }
    }
}

/// A quota table in words: the named groups in order, then `*` as `rest`.
/// Each group of a quota table with the sites chosen in it, and the quota after a group
/// where fewer were chosen (`惠济区 3（配额 4）`): a quota that could not be filled is said.
fn quota_list(c: &Choice, sep: &str, rest: &str, short_of: impl Fn(usize) -> String) -> String {
    let mut parts: Vec<String> = c
        .quota
        .iter()
        .filter(|(g, _)| g.as_str() != "*")
        .map(|(g, &n)| {
            let chosen = c.chosen_per_group.get(g).copied().unwrap_or(0);
            if chosen < n {
                format!("{g} {chosen}{}", short_of(n))
            } else {
                format!("{g} {n}")
            }
        })
        .collect();
    if let Some(n) = c.quota.get("*") {
        parts.push(format!("{rest} {n}"));
    }
    parts.join(sep)
}

/// The counting rule of `summary` as a sentence in `lang` (summary.txt of `hecun affected`,
/// which has no report).
pub(crate) fn counting_sentence(summary: &Summary, lang: Lang) -> String {
    (words(lang).txt_counting)(summary)
}

/// How a column's cells go into the workbook (`tables.xlsx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Words, written as text.
    Text,
    /// An identifier made of digits (a 12-digit 统计用区划代码, a list of ids): text, so that
    /// a spreadsheet keeps its leading zeros and every digit.
    Code,
    /// A count or a measure, written as a number (a cell that is not one stays text).
    Number,
}

/// The column titles of the workbook's sheets, one row per CSV column: the CSV's file (`*`:
/// any of hecun's own tables), its machine heading, how its cells are written, the title in
/// Chinese and in English. A heading `prefix:` stands for every heading that starts with it
/// (`term:access`), the rest following the title. The CSVs keep their machine headings (the
/// plugins' and scripts' contract); the workbook is what a person reads.
#[rustfmt::skip]
pub(super) const COLUMN_TITLES: &[(&str, &str, CellKind, &str, &str)] = &[
    // affected_villages.csv
    ("affected_villages.csv", "id", CellKind::Code, "村庄代码", "Village ID"),
    ("affected_villages.csv", "name", CellKind::Text, "村庄名称", "Village"),
    ("affected_villages.csv", "fraction_inside", CellKind::Number, "范围内面积占比", "Share inside"),
    ("affected_villages.csv", "zone_count", CellKind::Number, "涉及范围数", "Zones"),
    ("affected_villages.csv", "zone_classes", CellKind::Text, "范围类别", "Zone classes"),
    ("affected_villages.csv", "zones", CellKind::Code, "范围编号", "Zone IDs"),
    // below_share_villages.csv (a minimum share: the villages touched but not counted)
    ("below_share_villages.csv", "id", CellKind::Code, "村庄代码", "Village ID"),
    ("below_share_villages.csv", "name", CellKind::Text, "村庄名称", "Village"),
    ("below_share_villages.csv", "fraction_inside", CellKind::Number, "范围内面积占比", "Share inside"),
    ("below_share_villages.csv", "zone_count", CellKind::Number, "涉及范围数", "Zones"),
    ("below_share_villages.csv", "zone_classes", CellKind::Text, "范围类别", "Zone classes"),
    ("below_share_villages.csv", "zones", CellKind::Code, "范围编号", "Zone IDs"),
    // townships.csv
    ("townships.csv", "villages", CellKind::Number, "受影响村庄数", "Affected villages"),
    ("townships.csv", "households", CellKind::Number, "受影响户数", "Affected households"),
    ("townships.csv", "population", CellKind::Number, "受影响人口", "Affected people"),
    ("townships.csv", "villages_in_layer", CellKind::Number, "村庄总数", "Villages in layer"),
    // zone_classes.csv
    ("zone_classes.csv", "class", CellKind::Text, "范围类别", "Zone class"),
    ("zone_classes.csv", "width_m", CellKind::Number, "宽度（米）", "Width (m)"),
    ("zone_classes.csv", "zones", CellKind::Number, "范围数", "Zones"),
    ("zone_classes.csv", "villages", CellKind::Number, "受影响村庄数", "Affected villages"),
    ("zone_classes.csv", "households", CellKind::Number, "受影响户数", "Affected households"),
    ("zone_classes.csv", "population", CellKind::Number, "受影响人口", "Affected people"),
    // milestones.csv
    ("milestones.csv", "community", CellKind::Code, "社区编号", "Community ID"),
    ("milestones.csv", "name", CellKind::Text, "社区名称", "Community"),
    ("milestones.csv", "county", CellKind::Text, "县（市、区）", "County"),
    ("milestones.csv", "board", CellKind::Text, "管委会", "Board"),
    ("milestones.csv", "milestone", CellKind::Text, "节点", "Milestone"),
    ("milestones.csv", "due", CellKind::Text, "截止日期", "Due date"),
    ("milestones.csv", "done_on", CellKind::Text, "完成日期", "Done on"),
    ("milestones.csv", "status", CellKind::Text, "状态", "Status"),
    ("milestones.csv", "days", CellKind::Number, "天数（逾期完成/剩余/逾期）", "Days (late / left / overdue)"),
    // milestones_by_group.csv
    ("milestones_by_group.csv", "level", CellKind::Text, "分组方式", "Level"),
    ("milestones_by_group.csv", "group", CellKind::Text, "分组", "Group"),
    ("milestones_by_group.csv", "milestone", CellKind::Text, "节点", "Milestone"),
    ("milestones_by_group.csv", "due_date", CellKind::Text, "截止日期", "Due date"),
    ("milestones_by_group.csv", "done", CellKind::Number, "已完成", "Done"),
    ("milestones_by_group.csv", "done_late", CellKind::Number, "其中逾期完成", "Of which late"),
    ("milestones_by_group.csv", "due", CellKind::Number, "未到期", "Due"),
    ("milestones_by_group.csv", "overdue", CellKind::Number, "到期未完成", "Overdue"),
    ("milestones_by_group.csv", "unknown", CellKind::Number, "未知", "Unknown"),
    ("milestones_by_group.csv", "max_overdue_days", CellKind::Number, "最多逾期天数", "Most days overdue"),
    // launch_checks.csv, standards.csv
    ("communities.csv", "id", CellKind::Code, "社区编号", "Community ID"),
    ("communities.csv", "name", CellKind::Text, "社区名称", "Community"),
    ("communities.csv", "township", CellKind::Text, "乡镇", "Township"),
    ("communities.csv", "county", CellKind::Text, "县（市）区", "County"),
    ("communities.csv", "board", CellKind::Text, "管委会", "Board"),
    ("communities.csv", "designations", CellKind::Text, "称号", "Designations"),
    ("communities.csv", "in_table", CellKind::Text, "在社区名册中", "In the office's table"),
    ("communities.csv", "join", CellKind::Text, "村庄归属依据", "Villages joined by"),
    ("communities.csv", "derived", CellKind::Text, "归属系推定", "Derived"),
    ("communities.csv", "villages", CellKind::Number, "村庄数", "Villages"),
    ("communities.csv", "zone_villages", CellKind::Number, "拆迁区内村庄数", "Villages in the zones"),
    ("communities.csv", "zone_households", CellKind::Number, "拆迁区内户数", "Households in the zones"),
    ("communities.csv", "zone_people", CellKind::Number, "拆迁区内人口", "People in the zones"),
    ("communities.csv", "planned_households", CellKind::Number, "规划户数", "Planned households"),
    ("communities.csv", "floor_area_m2", CellKind::Number, "规划建筑面积（平方米）", "Planned floor area (m²)"),
    ("communities.csv", "capacity_units", CellKind::Number, "安置房套数", "Dwellings"),
    ("communities.csv", "capacity_m2", CellKind::Number, "安置房面积（平方米）", "Housing floor area (m²)"),
    ("communities.csv", "needed_m2", CellKind::Number, "所需安置面积（平方米）", "Floor area needed (m²)"),
    ("communities.csv", "capacity", CellKind::Text, "安置容量", "Capacity"),
    ("communities.csv", "short_units", CellKind::Number, "缺口（套）", "Short (dwellings)"),
    ("communities.csv", "short_m2", CellKind::Number, "缺口（平方米）", "Short (m²)"),
    ("communities.csv", "launch", CellKind::Text, "启动检查结果", "Launch check"),
    ("communities.csv", "score", CellKind::Number, "安置点评分", "Site score"),
    ("communities.csv", "demonstration", CellKind::Text, "示范社区", "Demonstration community"),
    ("communities.csv", "demonstration_why", CellKind::Text, "示范社区依据", "Why (not)"),
    ("communities.csv", "criteria_met", CellKind::Text, "符合的遴选条件", "Criteria met"),
    ("communities.csv", "flag", CellKind::Text, "须核实", "To resolve"),
    ("communities.csv", "site_zones", CellKind::Text, "安置点所在拆迁范围（占比）", "Own site in zones (share)"),
    ("communities.csv", "launch_site_in_zone", CellKind::Text, "可启动但安置点在拆迁范围内", "May launch, site in a zone"),
    ("unassigned_villages.csv", "id", CellKind::Code, "村庄代码", "Village ID"),
    ("unassigned_villages.csv", "name", CellKind::Text, "村庄名称", "Village"),
    ("unassigned_villages.csv", "township", CellKind::Text, "乡镇", "Township"),
    ("unassigned_villages.csv", "county", CellKind::Text, "县（市）区", "County"),
    ("unassigned_villages.csv", "households", CellKind::Number, "户数", "Households"),
    ("unassigned_villages.csv", "population", CellKind::Number, "人口", "People"),
    ("unassigned_villages.csv", "in_zone", CellKind::Text, "在拆迁区内", "In a zone"),
    ("goals.csv", "goal", CellKind::Text, "目标", "Target"),
    ("goals.csv", "target", CellKind::Number, "规划目标", "Planned"),
    ("goals.csv", "most", CellKind::Number, "上限", "At most"),
    ("goals.csv", "actual", CellKind::Number, "本次结果", "This run"),
    ("goals.csv", "of", CellKind::Number, "乡镇数", "Townships"),
    ("goals.csv", "met", CellKind::Text, "是否达到", "Met"),
    ("goals.csv", "missed_by", CellKind::Text, "未达到的乡镇", "Townships that miss it"),
    ("township_rollup.csv", "township", CellKind::Text, "乡镇", "Township"),
    ("township_rollup.csv", "townships", CellKind::Number, "乡镇数", "Townships"),
    ("township_rollup.csv", "communities", CellKind::Number, "新社区数", "Communities"),
    ("township_rollup.csv", "villages", CellKind::Number, "村庄数", "Villages"),
    ("township_rollup.csv", "unassigned", CellKind::Number, "未纳入社区村庄", "Villages in no community"),
    ("township_rollup.csv", "zone_villages", CellKind::Number, "拆迁区内村庄", "Villages in the zones"),
    ("township_rollup.csv", "households", CellKind::Number, "拆迁区内户数", "Households in the zones"),
    ("township_rollup.csv", "people", CellKind::Number, "拆迁区内人口", "People in the zones"),
    ("township_rollup.csv", "launchable", CellKind::Number, "可启动社区", "May launch"),
    ("township_rollup.csv", "blocked", CellKind::Number, "暂缓社区", "Blocked"),
    ("township_rollup.csv", "vetoed", CellKind::Number, "否决社区", "Vetoed"),
    ("township_rollup.csv", "capacity_short", CellKind::Number, "安置房不足社区", "Housing short"),
    ("township_rollup.csv", "capacity_not_given", CellKind::Number, "未填报容量社区", "Capacity not given"),
    ("counties.csv", "county", CellKind::Code, "县（市）区", "County"),
    ("counties.csv", "townships", CellKind::Number, "乡镇数", "Townships"),
    ("counties.csv", "communities", CellKind::Number, "新社区数", "Communities"),
    ("counties.csv", "villages", CellKind::Number, "村庄数", "Villages"),
    ("counties.csv", "unassigned", CellKind::Number, "未纳入社区村庄", "Villages in no community"),
    ("counties.csv", "zone_villages", CellKind::Number, "拆迁区内村庄", "Villages in the zones"),
    ("counties.csv", "households", CellKind::Number, "拆迁区内户数", "Households in the zones"),
    ("counties.csv", "people", CellKind::Number, "拆迁区内人口", "People in the zones"),
    ("counties.csv", "launchable", CellKind::Number, "可启动社区", "May launch"),
    ("counties.csv", "blocked", CellKind::Number, "暂缓社区", "Blocked"),
    ("counties.csv", "vetoed", CellKind::Number, "否决社区", "Vetoed"),
    ("counties.csv", "capacity_short", CellKind::Number, "安置房不足社区", "Housing short"),
    ("counties.csv", "capacity_not_given", CellKind::Number, "未填报容量社区", "Capacity not given"),
    ("boards.csv", "board", CellKind::Text, "管委会", "Board"),
    ("boards.csv", "townships", CellKind::Number, "乡镇数", "Townships"),
    ("boards.csv", "communities", CellKind::Number, "新社区数", "Communities"),
    ("boards.csv", "villages", CellKind::Number, "村庄数", "Villages"),
    ("boards.csv", "unassigned", CellKind::Number, "未纳入社区村庄", "Villages in no community"),
    ("boards.csv", "zone_villages", CellKind::Number, "拆迁区内村庄", "Villages in the zones"),
    ("boards.csv", "households", CellKind::Number, "拆迁区内户数", "Households in the zones"),
    ("boards.csv", "people", CellKind::Number, "拆迁区内人口", "People in the zones"),
    ("boards.csv", "launchable", CellKind::Number, "可启动社区", "May launch"),
    ("boards.csv", "blocked", CellKind::Number, "暂缓社区", "Blocked"),
    ("boards.csv", "vetoed", CellKind::Number, "否决社区", "Vetoed"),
    ("boards.csv", "capacity_short", CellKind::Number, "安置房不足社区", "Housing short"),
    ("boards.csv", "capacity_not_given", CellKind::Number, "未填报容量社区", "Capacity not given"),
    ("*", "community", CellKind::Text, "新社区", "Community"),
    ("*", "status", CellKind::Text, "结果", "Status"),
    ("*", "status:", CellKind::Text, "结果：", "Status: "),
    ("*", "failed", CellKind::Text, "未满足条件", "Failed criteria"),
    ("*", "vetoes", CellKind::Text, "否决项", "Vetoes"),
    ("*", "standard", CellKind::Text, "适用标准", "Standard"),
    ("*", "village_ids", CellKind::Code, "村庄代码", "Village IDs"),
    ("*", "site", CellKind::Code, "安置点编号", "Site ID"),
    ("*", "site_area_m2", CellKind::Number, "安置点面积（平方米）", "Site area (m²)"),
    ("*", "land_per_person_m2", CellKind::Number, "人均用地（平方米）", "Land per person (m²)"),
    ("*", "land_use", CellKind::Text, "用地类型", "Land use"),
    ("*", "land_use_share", CellKind::Number, "用地类型占比", "Land use share"),
    ("*", "zoning_shares", CellKind::Text, "规划分区占比", "Zoning shares"),
    ("*", "note", CellKind::Text, "说明", "Note"),
    ("*", "error", CellKind::Text, "插件错误", "Plugin error"),
    // sites_scored.csv, NAME_scored.csv
    ("*", "rank", CellKind::Number, "排名", "Rank"),
    ("*", "group", CellKind::Text, "分组", "Group"),
    ("*", "group_rank", CellKind::Number, "组内排名", "Rank in group"),
    ("*", "township_rank", CellKind::Number, "乡镇内排名", "Rank in township"),
    ("*", "chosen", CellKind::Text, "入选", "Chosen"),
    ("*", "score", CellKind::Number, "得分", "Score"),
    ("*", "excluded", CellKind::Text, "排除原因", "Excluded because"),
    ("*", "area_m2", CellKind::Number, "面积（平方米）", "Area (m²)"),
    ("*", "road_distance", CellKind::Number, "距道路（米）", "To road (m)"),
    ("*", "town_distance", CellKind::Number, "距镇区（米）", "To town (m)"),
    ("*", "village_distance", CellKind::Number, "距村庄（米）", "To village (m)"),
    ("*", "villages_merged", CellKind::Number, "合并村庄数", "Villages merged"),
    ("*", "in_zone", CellKind::Text, "位于拆迁范围", "In a zone"),
    ("*", "zone_share", CellKind::Number, "拆迁范围占比", "Zone share"),
    ("*", "in_corridor", CellKind::Text, "位于廊道", "In a corridor"),
    ("*", "corridor_share", CellKind::Number, "廊道占比", "Corridor share"),
    ("*", "farmland_share", CellKind::Number, "耕地占比", "Farmland share"),
    ("*", "redline_share", CellKind::Number, "生态红线占比", "Red line share"),
    ("*", "term:", CellKind::Number, "得分项：", "Term: "),
    // Every table.
    ("*", "id", CellKind::Code, "编号", "ID"),
    ("*", "name", CellKind::Text, "名称", "Name"),
    ("*", "township", CellKind::Text, "乡镇", "Township"),
    ("*", "villages", CellKind::Number, "村庄数", "Villages"),
    ("*", "households", CellKind::Number, "户数", "Households"),
    ("*", "population", CellKind::Number, "人口", "Population"),
];

/// The workbook's sheet names of hecun's own tables: the CSV's file, the name in Chinese and
/// in English. Other tables are named by [`sheet_title`].
pub(super) const SHEET_TITLES: &[(&str, &str, &str)] = &[
    ("affected_villages.csv", "受影响村庄", "Affected villages"),
    (
        "below_share_villages.csv",
        "不足占比未计入村庄",
        "Villages below the share",
    ),
    ("townships.csv", "乡镇汇总", "Townships"),
    ("zone_classes.csv", "范围类别", "Zone classes"),
    ("launch_checks.csv", "启动检查", "Launch checks"),
    ("standards.csv", "规划标准", "Standards"),
    ("sites_scored.csv", "选址评分", "Sites"),
    ("milestones.csv", "进度节点", "Milestones"),
    ("milestones_by_group.csv", "节点汇总", "Milestones by group"),
    ("communities.csv", "新社区名册", "Communities"),
    (
        "unassigned_villages.csv",
        "未纳入社区村庄",
        "Villages in no community",
    ),
    ("township_rollup.csv", "分乡镇", "Per township"),
    ("counties.csv", "分县区", "Per county"),
    ("boards.csv", "分管委会", "Per board"),
    ("goals.csv", "目标任务", "Plan targets"),
];

/// The sheet name of a plan's own table, target check or named scoring, from its CSV's
/// file (`tables/funding.csv`, `targets/goals.csv`, `clinics_scored.csv`).
pub(super) fn sheet_title(file: &str, lang: Lang) -> String {
    let zh = lang == Lang::ZhCn;
    if let Some(name) = file
        .strip_prefix("tables/")
        .and_then(|f| f.strip_suffix(".csv"))
    {
        return format!("{}{name}", if zh { "表-" } else { "Table " });
    }
    if let Some(name) = file
        .strip_prefix("targets/")
        .and_then(|f| f.strip_suffix(".csv"))
    {
        return format!("{}{name}", if zh { "目标-" } else { "Target " });
    }
    if let Some(name) = file.strip_suffix("_scored.csv") {
        return format!("{}{name}", if zh { "评分-" } else { "Scoring " });
    }
    file.strip_suffix(".csv").unwrap_or(file).to_owned()
}

/// The words of the milestones (时间节点): the report's section, the summary's lines and
/// `hecun diff`'s progress, in both languages. Kept apart from [`Words`] so that the
/// milestones' words travel together.
pub(super) struct MilestoneWords {
    pub sec: &'static str,
    pub as_of: fn(&str) -> String,
    pub col_community: &'static str,
    pub col_township: &'static str,
    pub col_county: &'static str,
    pub col_board: &'static str,
    pub col_milestone: &'static str,
    pub col_due_date: &'static str,
    pub col_days: &'static str,
    pub col_group: &'static str,
    pub col_done: &'static str,
    pub col_done_late: &'static str,
    pub col_due: &'static str,
    pub col_overdue: &'static str,
    pub col_unknown: &'static str,
    pub overdue_heading: &'static str,
    pub none_overdue: &'static str,
    pub totals_heading: &'static str,
    pub level: fn(&str) -> &'static str,
    /// `as_of`, milestone title, tally: one line of summary.txt.
    pub txt_line: fn(&str, &str, &crate::jobs::MilestoneTally) -> String,
    /// The counts of a tally, after a group's name.
    pub txt_counts: fn(&str, &crate::jobs::MilestoneTally) -> String,
    pub diff_heading: fn(&str, &str) -> String,
    pub diff_now_done: &'static str,
    pub diff_newly_overdue: &'static str,
    pub diff_still_overdue: &'static str,
}

fn zh_counts(title: &str, t: &crate::jobs::MilestoneTally) -> String {
    let mut s = format!("{title} 完成 {}", t.done);
    if t.done_late > 0 {
        s.push_str(&format!("（其中逾期完成 {}）", t.done_late));
    }
    s.push_str(&format!(" / 到期未完成 {}", t.overdue));
    if t.overdue > 0 {
        s.push_str(&format!("（最多逾期 {} 天）", t.max_overdue_days));
    }
    s.push_str(&format!(" / 未到期 {}", t.due));
    if t.unknown > 0 {
        s.push_str(&format!(" / 未知 {}", t.unknown));
    }
    s
}

fn en_counts(title: &str, t: &crate::jobs::MilestoneTally) -> String {
    let mut s = format!("{title}: done {}", t.done);
    if t.done_late > 0 {
        s.push_str(&format!(" ({} late)", t.done_late));
    }
    s.push_str(&format!(" / overdue {}", t.overdue));
    if t.overdue > 0 {
        s.push_str(&format!(" (up to {} days)", t.max_overdue_days));
    }
    s.push_str(&format!(" / due {}", t.due));
    if t.unknown > 0 {
        s.push_str(&format!(" / unknown {}", t.unknown));
    }
    s
}

static MILESTONES_ZH: MilestoneWords = MilestoneWords {
    sec: "进度节点",
    as_of: |d| format!("截至 {d}"),
    col_community: "社区",
    col_township: "乡镇",
    col_county: "县（市、区）",
    col_board: "管委会",
    col_milestone: "节点",
    col_due_date: "截止日期",
    col_days: "天数",
    col_group: "分组",
    col_done: "完成",
    col_done_late: "其中逾期完成",
    col_due: "未到期",
    col_overdue: "到期未完成",
    col_unknown: "未知",
    overdue_heading: "到期未完成（按逾期天数）",
    none_overdue: "没有到期未完成的节点。",
    totals_heading: "完成情况",
    level: |l| match l {
        "all" => "合计",
        "township" => "乡镇",
        "county" => "县（市、区）",
        "board" => "管委会",
        _ => "",
    },
    txt_line: |as_of, title, t| format!("节点（截至{as_of}）：{}", zh_counts(title, t)),
    txt_counts: zh_counts,
    diff_heading: |a, b| format!("节点进度（{a} → {b}）"),
    diff_now_done: "新完成",
    diff_newly_overdue: "新逾期",
    diff_still_overdue: "仍逾期",
};

static MILESTONES_EN: MilestoneWords = MilestoneWords {
    sec: "Milestones",
    as_of: |d| format!("As of {d}"),
    col_community: "Community",
    col_township: "Township",
    col_county: "County",
    col_board: "Board",
    col_milestone: "Milestone",
    col_due_date: "Due date",
    col_days: "Days",
    col_group: "Group",
    col_done: "Done",
    col_done_late: "Of which late",
    col_due: "Due",
    col_overdue: "Overdue",
    col_unknown: "Unknown",
    overdue_heading: "Overdue, longest first",
    none_overdue: "No milestone is overdue.",
    totals_heading: "Progress",
    level: |l| match l {
        "all" => "All",
        "township" => "Township",
        "county" => "County",
        "board" => "Board",
        _ => "",
    },
    txt_line: |as_of, title, t| format!("Milestones (as of {as_of}): {}", en_counts(title, t)),
    txt_counts: en_counts,
    diff_heading: |a, b| format!("Milestone progress ({a} → {b})"),
    diff_now_done: "now done",
    diff_newly_overdue: "newly overdue",
    diff_still_overdue: "still overdue",
};

/// The milestones' words in `lang`.
pub(super) fn milestone_words(lang: Lang) -> &'static MilestoneWords {
    match lang {
        Lang::ZhCn => &MILESTONES_ZH,
        Lang::En => &MILESTONES_EN,
    }
}

/// The words of the whole plan's tables (communities, roll-ups, goals), in one language.
pub(crate) struct ProgrammeWords {
    pub sec_goals: &'static str,
    pub sec_counties: &'static str,
    pub sec_boards: &'static str,
    pub sec_communities: &'static str,
    pub sec_unassigned: &'static str,
    pub col_goal: &'static str,
    pub col_target: &'static str,
    pub col_actual: &'static str,
    pub col_met: &'static str,
    pub col_county: &'static str,
    pub col_board: &'static str,
    pub col_townships: &'static str,
    pub col_unassigned: &'static str,
    pub col_designations: &'static str,
    pub col_join: &'static str,
    pub col_capacity: &'static str,
    pub col_need: &'static str,
    pub col_short: &'static str,
    pub col_in_zone: &'static str,
    pub col_demonstration: &'static str,
    pub col_site_in_zone: &'static str,
    /// Whether and why a community is a demonstration community.
    pub demo_status: fn(&crate::jobs::DemoChoice) -> String,
    pub met: &'static str,
    pub missed: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub unknown_county: &'static str,
    /// The summary's heading line of the plan's communities.
    pub txt_communities: fn(
        total: usize,
        in_table: usize,
        derived: usize,
        unassigned: usize,
        unassigned_in_zone: usize,
    ) -> String,
    /// The summary's capacity line.
    pub txt_capacity: fn(
        sufficient: usize,
        short: usize,
        short_units: f64,
        short_m2: f64,
        not_given: usize,
    ) -> String,
    pub txt_goals: &'static str,
    pub txt_counties: &'static str,
    pub txt_boards: &'static str,
    /// One roll-up line: name, townships, communities, villages, unassigned, zone villages,
    /// households, people, launchable.
    pub txt_rollup: fn(&crate::jobs::RollUp) -> String,
    pub txt_unassigned_heading: &'static str,
    /// How a community's villages joined it.
    pub join: fn(&str) -> &'static str,
    /// A capacity status.
    pub capacity: fn(crate::jobs::CapacityStatus) -> &'static str,
    /// A goal's title.
    pub goal: fn(&str) -> &'static str,
    pub unit_units: &'static str,
    pub unit_m2: &'static str,
}

// ---- h-tables: the large page's paged tables and detail views ----

/// The words of the large page's paged tables and detail views (see `html/grid.rs` and
/// `html/paged.js`); the script gets them as JSON, so both say the same.
pub(crate) struct PagedWords {
    /// "Rows a–b of n": `{a}`, `{b}`, `{n}` filled with counts.
    pub rows_of: &'static str,
    pub no_rows: &'static str,
    pub filter: &'static str,
    pub first: &'static str,
    pub prev: &'static str,
    pub next: &'static str,
    pub last: &'static str,
    /// A column header's tooltip.
    pub sort_hint: &'static str,
    /// The township detail's heading before the township's name.
    pub township_detail: &'static str,
    pub back_to_townships: &'static str,
    /// Under a section whose blocks are shown one at a time: how many and how to see one.
    pub details_note: fn(usize) -> String,
    /// A list cut short: "共 N 条，显示前 k 条".
    pub shown_of: fn(usize, usize) -> String,
    pub col_warning: &'static str,
}

static PAGED_ZH: PagedWords = PagedWords {
    rows_of: "第 {a}–{b} 行，共 {n} 行",
    no_rows: "没有匹配的行",
    filter: "筛选（名称、区划代码…）",
    first: "首页",
    prev: "上一页",
    next: "下一页",
    last: "末页",
    sort_hint: "点击排序",
    township_detail: "乡镇详情",
    back_to_townships: "返回乡镇表",
    details_note: |n| {
        format!(
            "共 {} 项；点击表中的名称查看其说明（一次显示一项）。",
            thousands(n as u64)
        )
    },
    shown_of: |n, k| {
        format!(
            "共 {} 条，显示前 {} 条",
            thousands(n as u64),
            thousands(k as u64)
        )
    },
    col_warning: "警告",
};

static PAGED_EN: PagedWords = PagedWords {
    rows_of: "rows {a}–{b} of {n}",
    no_rows: "No rows match",
    filter: "Filter (name, code…)",
    first: "First",
    prev: "Previous",
    next: "Next",
    last: "Last",
    sort_hint: "Click to sort",
    township_detail: "Township detail",
    back_to_townships: "Back to the townships table",
    details_note: |n| {
        format!(
            "{} in all; click a name in the table above to read its explanation (one at a time).",
            thousands(n as u64)
        )
    },
    shown_of: |n, k| {
        format!(
            "{} in all, the first {} shown",
            thousands(n as u64),
            thousands(k as u64)
        )
    },
    col_warning: "Warning",
};

/// The large page's paged-table words in `lang`.
pub(crate) fn paged_words(lang: Lang) -> &'static PagedWords {
    match lang {
        Lang::ZhCn => &PAGED_ZH,
        Lang::En => &PAGED_EN,
    }
}

// ---- h-pack: the large page's compressed data ----

/// What the large page says in a browser that cannot inflate its compressed data (no
/// `DecompressionStream`): which browsers can, and what is there without it.
pub(crate) fn unsupported_browser(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => {
            "此浏览器无法解压本报告内嵌的数据，地图、完整表格和各项说明无法显示（各表仅显示第一页）。\
             请用 Chrome/Edge 80 及以上、Firefox 113 及以上或 Safari 16.4 及以上版本打开。"
        }
        Lang::En => {
            "This browser cannot decompress the report's embedded data, so the map, the full \
             tables and the explanations cannot be shown (each table shows its first page only). \
             Open the report in Chrome or Edge 80+, Firefox 113+ or Safari 16.4+."
        }
    }
}

/// A count or an estimate as the summary says it: whole numbers as they are, estimates to one
/// decimal.
pub(crate) fn amount(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

static PROGRAMME_ZH: ProgrammeWords = ProgrammeWords {
    sec_goals: "目标任务",
    sec_counties: "分县（市）区",
    sec_boards: "分管委会",
    sec_communities: "新社区名册：称号、安置容量",
    sec_unassigned: "未纳入任何社区的村庄",
    col_goal: "目标",
    col_target: "规划目标",
    col_actual: "本次结果",
    col_met: "是否达到",
    col_county: "县（市）区",
    col_board: "管委会",
    col_townships: "乡镇数",
    col_unassigned: "未纳入社区村庄",
    col_designations: "称号",
    col_join: "村庄归属依据",
    col_capacity: "安置房容量",
    col_need: "拆迁区内户数 / 人数",
    col_short: "缺口",
    col_in_zone: "在拆迁区内",
    col_demonstration: "示范社区",
    col_site_in_zone: "安置点所在拆迁范围",
    demo_status: |c| {
        use crate::jobs::DemoStatus::*;
        let mut s = match c.status {
            DemonstrationTown => "是（示范镇全域）".to_owned(),
            Designated => "是（名册认定）".to_owned(),
            Ranked { rank } => format!("是（按条件和评分第 {rank}）"),
            NotRanked { rank } => format!("否（符合条件，排第 {rank}，名额已满）"),
            Ineligible => "否（不符合条件）".to_owned(),
            Vetoed => "否（一票否决）".to_owned(),
        };
        if c.flag.is_some() {
            s.push_str("：已认定示范但被否决");
        }
        s
    },
    met: "已达到",
    missed: "未达到",
    yes: "是",
    no: "否",
    unknown_county: "（县区不明）",
    txt_communities: |total, in_table, derived, unassigned, in_zone| {
        let mut s = format!("新社区 {total} 个");
        let mut of = Vec::new();
        if in_table > 0 {
            of.push(format!("社区名册 {in_table} 个"));
        }
        if derived > 0 {
            of.push(format!("含按最近安置点推定村庄归属的 {derived} 个"));
        }
        if !of.is_empty() {
            s.push_str(&format!("（{}）", of.join("；")));
        }
        s.push_str(&format!("；未纳入任何社区的村庄 {unassigned} 个"));
        if unassigned > 0 {
            s.push_str(&format!("（其中在拆迁区内 {in_zone} 个）"));
        }
        s
    },
    txt_capacity: |sufficient, short, units, m2, not_given| {
        let mut s = format!("安置房容量：充足 {sufficient} 个社区，不足 {short} 个");
        let mut gaps = Vec::new();
        if units > 0.0 {
            gaps.push(format!("缺 {} 套", amount(units)));
        }
        if m2 > 0.0 {
            gaps.push(format!("缺 {} 平方米", amount(m2)));
        }
        if !gaps.is_empty() {
            s.push_str(&format!("（{}）", gaps.join("，")));
        }
        s.push_str(&format!("，未填报 {not_given} 个"));
        s
    },
    txt_goals: "目标任务：",
    txt_counties: "分县（市）区：",
    txt_boards: "分管委会：",
    txt_rollup: |r| {
        format!(
            "  {}：乡镇 {} 个，新社区 {} 个，村庄 {} 个（未纳入社区 {} 个），拆迁区内 {} 村 {} 户 {} 人，可启动 {} 个",
            if r.name.is_empty() {
                "（未填）"
            } else {
                r.name.as_str()
            },
            r.townships,
            r.communities,
            r.villages,
            r.unassigned,
            r.zone_villages,
            amount(r.households),
            amount(r.people),
            r.launchable
        )
    },
    txt_unassigned_heading: "未纳入任何社区的村庄：",
    join: |j| match j {
        "listed" => "社区名册所列",
        "field" => "村庄“社区”字段",
        "nearest_site" => "最近安置点（推定）",
        _ => "多种",
    },
    capacity: |c| match c {
        crate::jobs::CapacityStatus::Sufficient => "充足",
        crate::jobs::CapacityStatus::Short => "不足",
        crate::jobs::CapacityStatus::NotGiven => "未填报",
        crate::jobs::CapacityStatus::NoNeed => "无需安置",
    },
    goal: |g| match g {
        "communities" => "新社区",
        "villages" => "涉及村庄",
        "households" => "涉及户数",
        "people" => "涉及人口",
        "demonstration_towns" => "示范镇",
        "demonstration_communities" => "示范社区",
        "demonstration_per_township" => "每个乡镇示范社区数",
        _ => "目标",
    },
    unit_units: "套",
    unit_m2: "平方米",
};

static PROGRAMME_EN: ProgrammeWords = ProgrammeWords {
    sec_goals: "Plan targets",
    sec_counties: "Per county",
    sec_boards: "Per management board (管委会)",
    sec_communities: "New communities: designations and housing capacity",
    sec_unassigned: "Villages in no community",
    col_goal: "Target",
    col_target: "Planned",
    col_actual: "This run",
    col_met: "Met",
    col_county: "County",
    col_board: "Board",
    col_townships: "Townships",
    col_unassigned: "Villages in no community",
    col_designations: "Designations",
    col_join: "Villages joined by",
    col_capacity: "Housing capacity",
    col_need: "Households / people in the zones",
    col_short: "Short by",
    col_in_zone: "In a zone",
    col_demonstration: "Demonstration community",
    col_site_in_zone: "Own site in demolition zones",
    demo_status: |c| {
        use crate::jobs::DemoStatus::*;
        let mut s = match c.status {
            DemonstrationTown => "yes (demonstration town, whole territory)".to_owned(),
            Designated => "yes (designated by the office)".to_owned(),
            Ranked { rank } => format!("yes (by the criteria and score, {rank})"),
            NotRanked { rank } => format!("no (eligible, {rank}, township full)"),
            Ineligible => "no (meets no criterion)".to_owned(),
            Vetoed => "no (vetoed)".to_owned(),
        };
        if c.flag.is_some() {
            s.push_str(": designated but vetoed");
        }
        s
    },
    met: "met",
    missed: "missed",
    yes: "yes",
    no: "no",
    unknown_county: "(county unknown)",
    txt_communities: |total, in_table, derived, unassigned, in_zone| {
        let mut s = format!("New communities: {total}");
        let mut of = Vec::new();
        if in_table > 0 {
            of.push(format!("{in_table} in the office's table"));
        }
        if derived > 0 {
            of.push(format!(
                "{derived} with villages joined to the nearest site by hecun"
            ));
        }
        if !of.is_empty() {
            s.push_str(&format!(" ({})", of.join("; ")));
        }
        s.push_str(&format!("; villages in no community: {unassigned}"));
        if unassigned > 0 {
            s.push_str(&format!(" ({in_zone} of them in a demolition zone)"));
        }
        s
    },
    txt_capacity: |sufficient, short, units, m2, not_given| {
        let mut s = format!(
            "Resettlement housing: sufficient in {sufficient} communities, short in {short}"
        );
        let mut gaps = Vec::new();
        if units > 0.0 {
            gaps.push(format!("{} dwellings short", amount(units)));
        }
        if m2 > 0.0 {
            gaps.push(format!("{} m² short", amount(m2)));
        }
        if !gaps.is_empty() {
            s.push_str(&format!(" ({})", gaps.join(", ")));
        }
        s.push_str(&format!(", not given in {not_given}"));
        s
    },
    txt_goals: "Plan targets:",
    txt_counties: "Per county:",
    txt_boards: "Per management board (管委会):",
    txt_rollup: |r| {
        format!(
            "  {}: {} townships, {} new communities, {} villages ({} in no community); in the zones {} villages, {} households, {} people; {} may launch",
            if r.name.is_empty() {
                "(not given)"
            } else {
                r.name.as_str()
            },
            r.townships,
            r.communities,
            r.villages,
            r.unassigned,
            r.zone_villages,
            amount(r.households),
            amount(r.people),
            r.launchable
        )
    },
    txt_unassigned_heading: "Villages in no community:",
    join: |j| match j {
        "listed" => "the office's table",
        "field" => "the village's community field",
        "nearest_site" => "nearest site (derived)",
        _ => "several",
    },
    capacity: |c| match c {
        crate::jobs::CapacityStatus::Sufficient => "sufficient",
        crate::jobs::CapacityStatus::Short => "short",
        crate::jobs::CapacityStatus::NotGiven => "not given",
        crate::jobs::CapacityStatus::NoNeed => "none needed",
    },
    goal: |g| match g {
        "communities" => "New communities",
        "villages" => "Villages moved",
        "households" => "Households moved",
        "people" => "People moved",
        "demonstration_towns" => "Demonstration towns",
        "demonstration_communities" => "Demonstration communities",
        "demonstration_per_township" => "Demonstration communities per township",
        _ => "Target",
    },
    unit_units: "dwellings",
    unit_m2: "m²",
};

/// The whole plan's words in `lang`.
pub(crate) fn programme_words(lang: Lang) -> &'static ProgrammeWords {
    match lang {
        Lang::ZhCn => &PROGRAMME_ZH,
        Lang::En => &PROGRAMME_EN,
    }
}

// ---- The large page's interactive map (html::atlas): its controls and details panel ----

/// The words of the large page's map, in one language: handed to its script in the map's data.
pub(crate) struct AtlasWords {
    pub search: &'static str,
    pub zoom_in: &'static str,
    pub zoom_out: &'static str,
    pub reset: &'static str,
    pub hint: &'static str,
    pub no_match: &'static str,
    pub needs_script: &'static str,
    pub township: &'static str,
    pub village: &'static str,
    pub site: &'static str,
    pub code: &'static str,
    pub households: &'static str,
    pub population: &'static str,
    pub share: &'static str,
    pub villages: &'static str,
    pub affected: &'static str,
    pub community: &'static str,
    pub verdict: &'static str,
    pub score: &'static str,
    pub chosen: &'static str,
    pub excluded: &'static str,
    pub detail: &'static str,
    pub north: &'static str,
    pub metres: &'static str,
    pub kilometres: &'static str,
    pub lg_share_fill: &'static str,
    pub farmland: &'static str,
    pub redline: &'static str,
    pub low_to_high: &'static str,
    pub lg_constraints: &'static str,
}

static ATLAS_ZH: AtlasWords = AtlasWords {
    search: "搜索乡镇、村名或区划代码",
    zoom_in: "放大",
    zoom_out: "缩小",
    reset: "全图",
    hint: "拖动平移，滚轮、双击或 +/− 缩放；指向或点击地物查看详情，搜索框按名称或区划代码查找。",
    no_match: "未找到",
    needs_script: "此交互地图需要浏览器启用脚本；各乡镇、各村的数字见下方表格。",
    township: "乡镇",
    village: "行政村",
    site: "候选安置点",
    code: "区划代码",
    households: "户数",
    population: "人口",
    share: "拆迁范围占比",
    villages: "行政村数",
    affected: "涉及村数",
    community: "新社区",
    verdict: "启动判定",
    score: "得分",
    chosen: "入选安置点",
    excluded: "不予选址",
    detail: "查看乡镇详情",
    north: "北",
    metres: "米",
    kilometres: "千米",
    lg_share_fill: "乡镇、行政村按拆迁范围占比着色（乡镇：涉及村数占比）",
    farmland: "永久基本农田",
    redline: "生态保护红线",
    low_to_high: "得分由低到高",
    lg_constraints: "选址约束",
};

static ATLAS_EN: AtlasWords = AtlasWords {
    search: "Search a township, village or code",
    zoom_in: "Zoom in",
    zoom_out: "Zoom out",
    reset: "Whole region",
    hint: "Drag to pan; wheel, double-click or +/− to zoom; point at or click a feature for its details; search by name or code.",
    no_match: "No match",
    needs_script: "This interactive map needs scripts enabled in the browser; the tables below give every township's and village's numbers.",
    township: "Township",
    village: "Village",
    site: "Candidate site",
    code: "Code",
    households: "Households",
    population: "People",
    share: "Share inside the zones",
    villages: "Villages",
    affected: "Villages affected",
    community: "Community",
    verdict: "Launch verdict",
    score: "Score",
    chosen: "chosen site",
    excluded: "Excluded",
    detail: "Township details",
    north: "N",
    metres: "m",
    kilometres: "km",
    lg_share_fill: "Townships and villages coloured by share inside the zones (townships: share of villages affected)",
    farmland: "Permanent basic farmland",
    redline: "Ecological red line",
    low_to_high: "score, low to high",
    lg_constraints: "Siting constraints",
};

/// The large page's map's words in `lang`.
pub(crate) fn atlas_words(lang: Lang) -> &'static AtlasWords {
    match lang {
        Lang::ZhCn => &ATLAS_ZH,
        Lang::En => &ATLAS_EN,
    }
}
