//! The re-search: when no single edit makes a failing schedule simpler, runs with fewer
//! preemptions than it, placed anywhere, with random free choices.
//!
//! Editing passes remove, move or swap the decisions a schedule already has. They stop in a
//! local minimum when the simplest failing schedule switches at a point where the current one
//! does not: a random run of bug B7 that preempted the checker needs no preemption at all, only
//! the checker run last, and removing its one switch alone passes. So when the passes are stuck
//! at `p` preemptions, up to [`RESEARCH_RUNS`] runs each take at most `p − 1` preemptions, at
//! random preemption points, with uniformly random free choices, about as many cancellations
//! as the current schedule has at random cancellation points, and the failing run's random
//! values. The first that fails the same bug becomes the current schedule and the passes start
//! again from it. Every run is seeded from the shrink's seed, so a shrink stays deterministic.

use std::future::Future;

use sim::Strategy;
use sim::schedule::{Choice, Runnable, Scheduler};
use sim::task::TaskId;

use super::follower::Key;
use super::{Candidate, Shrinker};
use crate::sweep::TestOutput;

/// Runs the re-search may take each time the passes are stuck.
///
/// ```
/// assert!(harness::shrink::RESEARCH_RUNS < harness::shrink::DEFAULT_SHRINK_BUDGET);
/// ```
pub const RESEARCH_RUNS: u32 = 32;

/// Random free choices, at most `left` switches at preemption points, each taken with
/// probability `chance / out_of`, and cancellations with probability `cancel / cancel_points`.
struct Bounded {
    state: u64,
    left: usize,
    chance: u64,
    out_of: u64,
    cancel: u64,
    cancel_points: u64,
}

impl Bounded {
    fn below(&mut self, n: u64) -> u64 {
        // SplitMix64; the modulo bias is irrelevant for a search.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
}

impl Scheduler for Bounded {
    fn choose_task(&mut self, runnable: Runnable<'_>) -> Choice<usize> {
        Ok(self.below(runnable.len() as u64) as usize)
    }

    fn choose_preemption(&mut self, _: TaskId, runnable: Runnable<'_>) -> Choice<Option<usize>> {
        if self.left == 0 || self.below(self.out_of) >= self.chance {
            return Ok(None);
        }
        self.left -= 1;
        Ok(Some(self.below(runnable.len() as u64) as usize))
    }

    fn choose_branch(&mut self, of: u32) -> Choice<u32> {
        Ok(self.below(u64::from(of)) as u32)
    }

    fn choose_cancel(&mut self, _: TaskId, _: u32) -> Choice<bool> {
        Ok(self.cancel > 0 && self.below(self.cancel_points) < self.cancel)
    }
}

impl<F, Fut> Shrinker<'_, F>
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: TestOutput,
{
    /// A failing candidate with fewer preemptions than `cur`, found by random runs that take
    /// fewer; `None` when `cur` has none, or none of the runs fails the same bug.
    pub(super) fn research(&mut self, cur: &Candidate) -> Option<Candidate> {
        let complexity = cur.complexity();
        let bound = complexity.preemptions.checked_sub(1)?;
        // Spread the allowed switches over the preemption points a run of this length has, and
        // as many cancellations as it has over its cancellation points (where the cancellation
        // that matters sits depends on the interleaving, so it must be looked for too).
        let count = |cancel: bool| {
            let n = cur
                .marks
                .iter()
                .filter(|m| match m.key {
                    Key::Preempt(..) => !cancel,
                    Key::Cancel(..) => cancel,
                    _ => false,
                })
                .count();
            n.max(1) as u64
        };
        let (points, cancel_points) = (count(false), count(true));
        for attempt in 0..u64::from(RESEARCH_RUNS) {
            let state = self.seed ^ (attempt << 32) ^ ((bound as u64) << 48);
            let strategy = Strategy::custom("shrink", move |_| Bounded {
                state,
                left: bound,
                chance: bound as u64,
                out_of: points,
                cancel: complexity.cancellations as u64,
                cancel_points,
            });
            if let Some(schedule) = self.try_strategy(strategy) {
                // Learn the keys of its decisions, so the passes can edit it.
                let found = self.try_strict(&schedule)?;
                if found.complexity() < complexity {
                    return Some(found);
                }
            }
            if self.runs >= self.budget {
                return None;
            }
        }
        None
    }
}
