//! Asks every aggregate helper about a candidate and answers a score whose terms are the
//! answers, in the order of `core/tests/fixtures/aggregates.rhai`, so that the host's test can
//! compare the two runtimes term by term, to the bit.

use std::collections::BTreeMap;

use hecun_plugin_sdk::{Candidate, Outcome, Params, Score, SiteScore};

/// The layer, field, grouping attribute, area layer, area id and distance to ask about.
pub struct Aggregates {
    layer: String,
    field: String,
    by: String,
    areas: String,
    area: String,
    metres: f64,
}

fn text(params: &Params, name: &str) -> Result<String, String> {
    params
        .text(name)
        .map(str::to_owned)
        .ok_or_else(|| format!("parameter {name:?} is missing"))
}

/// The running total and the terms, as the script adds them up.
struct Total<'a> {
    score: &'a mut Score,
    sum: f64,
}

impl Total<'_> {
    fn add(&mut self, name: &str, value: f64) {
        self.sum += self.score.term(name, 1.0, value);
    }

    fn optional(&mut self, name: &str, value: Option<f64>) {
        match value {
            Some(v) => self.add(name, v),
            None => self.add(&format!("{name}=none"), 0.0),
        }
    }

    /// A group's terms add up on their own first, then to the total, as the script's
    /// `groups` function returns its subtotal.
    fn means(&mut self, name: &str, groups: &BTreeMap<String, Option<f64>>) {
        let mut sub = Total {
            score: &mut *self.score,
            sum: 0.0,
        };
        for (k, v) in groups {
            sub.optional(&format!("{name}:{k}"), *v);
        }
        self.sum += sub.sum;
    }

    fn groups(&mut self, name: &str, groups: &BTreeMap<String, f64>) {
        let groups = groups.iter().map(|(k, v)| (k.clone(), Some(*v))).collect();
        self.means(name, &groups);
    }

    fn counts(&mut self, name: &str, groups: &BTreeMap<String, i64>) {
        let groups = groups
            .iter()
            .map(|(k, v)| (k.clone(), Some(*v as f64)))
            .collect();
        self.means(name, &groups);
    }
}

impl SiteScore for Aggregates {
    fn new(params: &Params) -> Result<Self, String> {
        Ok(Aggregates {
            layer: text(params, "layer")?,
            field: text(params, "field")?,
            by: text(params, "by")?,
            areas: text(params, "areas")?,
            area: text(params, "area")?,
            metres: params.require_number("metres")?,
        })
    }

    fn score(&self, c: &Candidate, score: &mut Score) -> Result<Outcome, String> {
        let (l, f, by, areas) = (&*self.layer, &*self.field, &*self.by, &*self.areas);
        let mut t = Total { score, sum: 0.0 };
        t.add("sum_within", c.sum_within(l, f, self.metres)?);
        t.optional("mean_within", c.mean_within(l, f, self.metres)?);
        if c.flag("polygon") == Some(true) {
            t.add("sum_inside", c.sum_inside(l, f)?);
            t.add("count_inside", c.count_inside(l)? as f64);
            t.optional("mean_inside", c.mean_inside(l, f)?);
        }
        t.add("sum_in_area", c.sum_in_area(l, f, areas, &self.area)?);
        t.add(
            "count_in_area",
            c.count_in_area(l, areas, &self.area)? as f64,
        );
        t.optional("mean_in_area", c.mean_in_area(l, f, areas, &self.area)?);
        t.groups("sum_by", &c.sum_by(l, f, by)?);
        t.counts("count_by", &c.count_by(l, by)?);
        t.means("mean_by", &c.mean_by(l, f, by)?);
        t.groups("sum_by_area", &c.sum_by_area(l, f, areas)?);
        t.counts("count_by_area", &c.count_by_area(l, areas)?);
        t.means("mean_by_area", &c.mean_by_area(l, f, areas)?);
        Ok(t.sum.into())
    }
}

hecun_plugin_sdk::export_site_score!(Aggregates);
