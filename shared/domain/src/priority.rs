//! ITIL priority: derived from impact and urgency through a matrix the operator may configure.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    High,
    Medium,
    Low,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    High,
    Medium,
    Low,
}

/// P1 (critical) .. P5 (planning). Serialized as `"P1"`.."P5"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
    P5,
}

impl Priority {
    pub const ALL: [Priority; 5] = [Self::P1, Self::P2, Self::P3, Self::P4, Self::P5];

    /// 1 for P1 .. 5 for P5: the order used for sorting.
    pub fn rank(self) -> u8 {
        match self {
            Self::P1 => 1,
            Self::P2 => 2,
            Self::P3 => 3,
            Self::P4 => 4,
            Self::P5 => 5,
        }
    }

    pub fn from_rank(rank: u8) -> Option<Self> {
        Self::ALL.get(usize::from(rank).checked_sub(1)?).copied()
    }

    /// Accepts `P1` or `p1` or `1`.
    pub fn parse(text: &str) -> Option<Self> {
        let digits = text.trim().trim_start_matches(['P', 'p']);
        digits.parse::<u8>().ok().and_then(Self::from_rank)
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{}", self.rank())
    }
}

fn index_of_impact(impact: Impact) -> usize {
    match impact {
        Impact::High => 0,
        Impact::Medium => 1,
        Impact::Low => 2,
    }
}

fn index_of_urgency(urgency: Urgency) -> usize {
    match urgency {
        Urgency::High => 0,
        Urgency::Medium => 1,
        Urgency::Low => 2,
    }
}

/// Rows are impact (high, medium, low), columns urgency (high, medium, low).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityMatrix {
    pub high: [Priority; 3],
    pub medium: [Priority; 3],
    pub low: [Priority; 3],
}

impl Default for PriorityMatrix {
    /// The ITIL default: P1 only when both impact and urgency are high.
    fn default() -> Self {
        use Priority::*;
        Self {
            high: [P1, P2, P3],
            medium: [P2, P3, P4],
            low: [P3, P4, P5],
        }
    }
}

impl PriorityMatrix {
    pub fn priority(&self, impact: Impact, urgency: Urgency) -> Priority {
        let row = match index_of_impact(impact) {
            0 => &self.high,
            1 => &self.medium,
            _ => &self.low,
        };
        row[index_of_urgency(urgency)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itil_default_matrix() {
        let m = PriorityMatrix::default();
        assert_eq!(m.priority(Impact::High, Urgency::High), Priority::P1);
        assert_eq!(m.priority(Impact::High, Urgency::Low), Priority::P3);
        assert_eq!(m.priority(Impact::Medium, Urgency::High), Priority::P2);
        assert_eq!(m.priority(Impact::Medium, Urgency::Medium), Priority::P3);
        assert_eq!(m.priority(Impact::Low, Urgency::Medium), Priority::P4);
        assert_eq!(m.priority(Impact::Low, Urgency::Low), Priority::P5);
    }

    #[test]
    fn configured_matrix_is_used() {
        let m = PriorityMatrix {
            low: [Priority::P2; 3],
            ..PriorityMatrix::default()
        };
        assert_eq!(m.priority(Impact::Low, Urgency::Low), Priority::P2);
    }

    #[test]
    fn priority_parses_both_spellings() {
        assert_eq!(Priority::parse("P2"), Some(Priority::P2));
        assert_eq!(Priority::parse("4"), Some(Priority::P4));
        assert_eq!(Priority::parse("P9"), None);
        assert_eq!(Priority::parse("high"), None);
        assert_eq!(Priority::P3.to_string(), "P3");
    }
}
