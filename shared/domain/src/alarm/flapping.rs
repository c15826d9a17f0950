//! Flap detection as Nagios does it: the last 21 observed states; each change between two
//! neighbours is weighted linearly from 0.75 (oldest) to 1.25 (newest); the weighted sum over
//! the 20 transitions, as a percentage, starts flapping at or above the high threshold and
//! stops it at or below the low one. The gap between the two keeps it from flickering.

use serde::{Deserialize, Serialize};

pub const HISTORY: usize = 21;
const LOW_WEIGHT: f64 = 0.75;
const HIGH_WEIGHT: f64 = 1.25;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FlapThresholds {
    /// Percent state change at which flapping starts (Nagios default for services: 20).
    pub high: f64,
    /// Percent state change at which flapping stops (Nagios default: 5).
    pub low: f64,
}

impl Default for FlapThresholds {
    fn default() -> Self {
        Self {
            high: 20.0,
            low: 5.0,
        }
    }
}

/// The observed states, oldest first: `true` for a problem, `false` for OK.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateHistory {
    states: Vec<bool>,
}

impl StateHistory {
    pub fn record(&mut self, problem: bool) {
        if self.states.len() == HISTORY {
            self.states.remove(0);
        }
        self.states.push(problem);
    }

    /// Weighted percent state change. Fewer than 21 states count as if the missing older ones
    /// had not changed, so a fresh alarm never starts out flapping.
    pub fn percent_change(&self) -> f64 {
        let offset = HISTORY - self.states.len();
        let changes: f64 = self
            .states
            .windows(2)
            .enumerate()
            .filter(|(_, pair)| pair[0] != pair[1])
            .map(|(i, _)| {
                // position of the newer state of the pair among 1..=20
                let x = (i + 1 + offset) as f64;
                (x - 1.0) * (HIGH_WEIGHT - LOW_WEIGHT) / (HISTORY as f64 - 2.0) + LOW_WEIGHT
            })
            .sum();
        changes * 100.0 / (HISTORY as f64 - 1.0)
    }

    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }
}

/// Whether flapping starts, stops or stays as it is, given the current flag.
pub fn flapping_after(was_flapping: bool, percent: f64, thresholds: FlapThresholds) -> bool {
    if was_flapping {
        percent > thresholds.low
    } else {
        percent >= thresholds.high
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(states: &[bool]) -> StateHistory {
        let mut h = StateHistory::default();
        for s in states {
            h.record(*s);
        }
        h
    }

    #[test]
    fn steady_state_is_zero() {
        assert_eq!(history(&[true; 21]).percent_change(), 0.0);
        assert_eq!(history(&[]).percent_change(), 0.0);
    }

    #[test]
    fn alternating_every_time_is_one_hundred_percent() {
        let states: Vec<bool> = (0..21).map(|i| i % 2 == 0).collect();
        let p = history(&states).percent_change();
        assert!((p - 100.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn recent_changes_weigh_more_than_old_ones() {
        let mut old = vec![false; 21];
        old[1] = true; // changes at transitions 1 and 2 (oldest)
        let mut new = vec![false; 21];
        new[19] = true; // changes at transitions 19 and 20 (newest)
        assert!(history(&new).percent_change() > history(&old).percent_change());
        // the oldest weight is 0.75, the newest 1.25: (0.75 + 0.776) / 20 and (1.224 + 1.25) / 20
        assert!((history(&old).percent_change() - 7.631578947).abs() < 1e-6);
        assert!((history(&new).percent_change() - 12.368421052).abs() < 1e-6);
    }

    #[test]
    fn hysteresis_between_the_thresholds() {
        let t = FlapThresholds::default();
        assert!(!flapping_after(false, 19.9, t));
        assert!(flapping_after(false, 20.0, t));
        assert!(
            flapping_after(true, 10.0, t),
            "stays flapping between low and high"
        );
        assert!(!flapping_after(true, 5.0, t));
    }

    #[test]
    fn keeps_only_the_last_21_states() {
        let mut h = history(&[true, false, true, false]);
        for _ in 0..30 {
            h.record(true);
        }
        assert_eq!(h.len(), HISTORY);
        assert_eq!(h.percent_change(), 0.0);
    }
}
