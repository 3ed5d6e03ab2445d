//! A later stage reading an earlier stage's results: a scoring or launch-check plugin that
//! declares `tables.NAME.COLUMN` in `reads` is handed the rows of the plan's table
//! `[tables.NAME]` (computed before the scorings and launch checks), with the declared
//! columns only, as `params.tables.NAME` — in both runtimes, as parameters are.

use super::table::TableRun;
use crate::error::{Error, Result};
use crate::pipeline::plan::Plan;
use crate::rules::plugin::Plugin;
use crate::rules::table::Table;
use crate::rules::{Kind, Manifest};

/// Checks the tables `manifest` reads against the tables `plan` runs, from their plugins'
/// manifests (nothing is computed): a table the plan does not run, or a column its plugin
/// does not declare, is an error naming the plugin, the table and the column — before a run.
pub fn check_table_reads(plan: &Plan, manifest: &Manifest) -> Result<()> {
    let declared = manifest.declared();
    if declared.tables().next().is_none() {
        return Ok(());
    }
    let mut run: Vec<(String, String, Vec<String>)> = Vec::new();
    for spec in &plan.tables {
        let (table, _) = Manifest::load(&spec.plugin)?;
        table.expect_kind(
            Kind::Table,
            &format!(
                "{}: [tables.{}] plugin = {}",
                plan.path.display(),
                spec.name,
                spec.plugin.display()
            ),
        )?;
        let columns = table.columns.iter().map(|c| c.id.clone()).collect();
        run.push((spec.name.clone(), table.name, columns));
    }
    let refs: Vec<(&str, &str, Vec<&str>)> = run
        .iter()
        .map(|(n, p, c)| {
            (
                n.as_str(),
                p.as_str(),
                c.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    declared
        .check_tables(&manifest.name, &refs)
        .map_err(|e| match e {
            Error::Config { context, message } => {
                Error::config(format!("{}: {context}", plan.path.display()), message)
            }
            other => other,
        })
}

/// `plugin`, handed the tables it reads (see the module's doc): each from `done` (the
/// tables the run computed) when there, else computed here from the plan's `[tables.NAME]`
/// (a job run on its own: `hecun score`). A plugin that reads no table is returned as it is.
pub fn with_tables(plan: &Plan, plugin: Plugin, done: &[TableRun]) -> Result<Plugin> {
    let declared = plugin.manifest().declared();
    if declared.tables().next().is_none() {
        return Ok(plugin);
    }
    check_table_reads(plan, plugin.manifest())?;
    let mut tables = serde_json::Map::new();
    for (name, columns) in declared.tables() {
        let computed;
        let table = match done.iter().find(|t| t.table.name == name) {
            Some(t) => &t.table,
            None => {
                // Checked above: the plan runs it.
                let Some(spec) = plan.tables.iter().find(|s| s.name == name) else {
                    continue;
                };
                computed = TableRun::run(plan, spec)?;
                &computed.table
            }
        };
        tables.insert(name.to_owned(), rows_of(table, columns).into());
    }
    plugin.with_tables(tables)
}

/// The rows of `table` (not its subtotals and totals: the plugin's own rows), each an object
/// of `columns` only, in the table's order.
pub fn rows_of(table: &Table, columns: &[String]) -> Vec<serde_json::Value> {
    let picked: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| columns.contains(&c.id))
        .map(|(k, _)| k)
        .collect();
    table
        .rows
        .iter()
        .map(|row| {
            let object: serde_json::Map<String, serde_json::Value> = picked
                .iter()
                .map(|&k| {
                    (
                        table.columns[k].id.clone(),
                        serde_json::to_value(&row[k]).unwrap_or_default(),
                    )
                })
                .collect();
            serde_json::Value::Object(object)
        })
        .collect()
}
