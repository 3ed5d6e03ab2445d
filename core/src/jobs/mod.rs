//! The planning jobs that run local rules over a plan's data: launch checks per community
//! ([`LaunchRun`]), site scoring ([`SiteScoreRun`]), planning-standard selection
//! ([`StandardRun`]), grid scoring ([`score_grid`]) and the plan's deadlines per community
//! ([`milestone_statuses`]), with the communities they work on
//! ([`communities()`]) and the scene of layers their plugins query ([`build_scene`]). Each
//! builds candidates, asks the rules engine ([`crate::rules`]) and writes its own tables.

pub(crate) mod communities;
pub(crate) mod demonstration;
pub(crate) mod grid_score;
pub(crate) mod launch;
pub(crate) mod milestones;
pub(crate) mod programme;
pub(crate) mod reads;
pub(crate) mod scene;
pub(crate) mod sites;
pub(crate) mod stages;
pub(crate) mod standard;
pub(crate) mod table;
pub(crate) mod target;

/// The roster's designations, which a demonstration candidate carries.
pub use crate::model::community::Designation;
pub use communities::{
    Community, CommunityRow, CommunityTable, Grouping, Join, communities, group_communities,
};
pub use demonstration::{
    DemoCandidate, DemoChoice, DemoCriterion, DemoFlag, DemoStatus, DemonstrationRule,
    TownshipDemo, choose_demonstration, site_in_zones, township_demonstrations,
};
pub use grid_score::{GRID_FEATURES, GridLayers, GridScores, GridSpec, score_cells, score_grid};
pub use launch::{
    LAUNCH_ENGINE_KEYS, LAUNCH_VILLAGE_KEYS, LaunchRun, MissingLaunchField, SitePlaces,
    check_communities, check_communities_declared, launch_csv, launch_fields_missing_everywhere,
    launch_input, launch_input_declared, launch_json, read_launch_fields,
};
pub use milestones::{
    CommunityMilestones, Holds, MILESTONES_BY_GROUP_CSV, MILESTONES_CSV, Milestone, MilestoneRun,
    MilestoneSection, MilestoneStatus, MilestoneSubject, MilestoneTally, check_milestone_criteria,
    criteria_passed, milestone_statuses, parse_as_of, status_text, today_utc,
};
pub use programme::{
    CapacityStatus, GoalResult, Goals, ProgrammeCommunity, ProgrammeInputs, ProgrammeRun,
    ProgrammeSpec, RollUp, UnassignedVillage, county_code, plan_grouping, read_community_table,
    village_county,
};
pub use reads::{check_plan_reads, declared_properties, declared_values, plan_layer};
pub use scene::{SceneLayer, build_scene, build_scene_reading, read_scene_layer};
pub use sites::{SITE_FEATURES, SiteScoreRun, site_candidates};
pub use stages::{check_table_reads, rows_of, with_tables};
pub use standard::{
    COMMUNITY_FEATURES, StandardRun, community_candidates, land_use, zoning_shares,
};
pub use table::{TableRun, table_input};
pub use target::{TARGET_RUN_KEYS, TARGET_SITE_KEYS, TargetInputs, TargetRun, target_input};
