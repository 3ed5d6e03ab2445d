//! The plugin kinds: their names in manifests and their codes on the wire.

use serde::Deserialize;

/// What a plugin decides. In manifests by [`name`](Self::name) (`kind = "site-score"`); on
/// the wire by [`code`](Self::code), the `kind` argument of `hecun_run`.
// The declaration order is the order serde lists the names in when a manifest's kind is
// unknown: keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
// Not `non_exhaustive`: every match on the kinds should be made to answer a new one. A new
// kind is additive within ABI 1 (`table`, code 4, and `target`, code 5, came later): a module built for the first
// three is never asked for a kind its manifest does not declare, so it stays valid, and its
// SDK answers a kind it does not know with an error, not a trap.
pub enum Kind {
    /// Pass, fail or veto a community's launch (启动标准).
    LaunchCheck,
    /// Score a candidate site, or exclude it with a reason.
    SiteScore,
    /// Choose the planning standard that applies and check it.
    StandardSelection,
    /// Compute a table once per run: rows with the columns the manifest declares (budgets,
    /// quotas, indicators); the engine checks them and adds subtotals and totals.
    Table,
    /// Check plan-level targets once per run, after every other stage ("13 centres, 2 per
    /// district"): the rule measures, the engine compares with what is wanted and says met
    /// or missed.
    Target,
}

impl Kind {
    /// Every kind, in code order.
    pub const ALL: [Kind; 5] = [
        Kind::SiteScore,
        Kind::LaunchCheck,
        Kind::StandardSelection,
        Kind::Table,
        Kind::Target,
    ];

    /// The kind's name as manifests write it.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::LaunchCheck => "launch-check",
            Kind::SiteScore => "site-score",
            Kind::StandardSelection => "standard-selection",
            Kind::Table => "table",
            Kind::Target => "target",
        }
    }

    /// The kind's code on the wire (`hecun_run(kind, …)`): 1 site score, 2 launch check,
    /// 3 standard selection, 4 table, 5 target.
    pub const fn code(self) -> i32 {
        match self {
            Kind::SiteScore => 1,
            Kind::LaunchCheck => 2,
            Kind::StandardSelection => 3,
            Kind::Table => 4,
            Kind::Target => 5,
        }
    }

    /// The kind of a code; `None` for a code ABI [`ABI_VERSION`](crate::ABI_VERSION) does not
    /// know.
    pub const fn from_code(code: i32) -> Option<Kind> {
        match code {
            1 => Some(Kind::SiteScore),
            2 => Some(Kind::LaunchCheck),
            3 => Some(Kind::StandardSelection),
            4 => Some(Kind::Table),
            5 => Some(Kind::Target),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn codes_are_those_of_abi_1_and_round_trip() {
        let codes: [i32; 5] = Kind::ALL.map(Kind::code);
        assert_eq!(codes, [1, 2, 3, 4, 5]);
        for kind in Kind::ALL {
            assert_eq!(Kind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(Kind::from_code(0), None);
        assert_eq!(Kind::from_code(6), None);
        assert_eq!(Kind::SiteScore.name(), "site-score");
        assert_eq!(Kind::Table.name(), "table");
        assert_eq!(Kind::Target.name(), "target");
    }
}
