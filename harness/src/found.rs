//! The first failure of a sweep: confirmed deterministic by two more runs, shrunk, and turned
//! into the report of a replay of its token.

use std::future::Future;

use sim::{RunOptions, Strategy, TraceLevel};

use crate::context::TestContext;
use crate::determinism::{Nondeterminism, compare_schedules, compare_traces};
use crate::replay::{Replayed, nondeterminism_text, replay_parsed};
use crate::report::Report;
use crate::shrink::{Complexity, Shrunk, shrink};
use crate::sweep::{Failure, TestOutput, run_once};
use crate::token::Token;

/// The first failure of a sweep, as found (at `TraceLevel::Decisions`).
pub(crate) struct Found<'s> {
    pub(crate) seed: u64,
    pub(crate) strategy: &'s Strategy,
    pub(crate) options: &'s RunOptions,
    pub(crate) failure: Failure,
    pub(crate) schedule: sim::schedule::Schedule,
    pub(crate) schedules_run: u64,
}

impl Found<'_> {
    /// Re-runs the seed at full level twice (the same decisions and the same trace, or it is
    /// nondeterminism), shrinks, and builds the report from a replay of the shrunk token.
    pub(crate) fn confirm_and_report<F, Fut>(
        self,
        body: &F,
        context: &TestContext,
        shrink_budget: Option<u32>,
    ) -> Result<(Box<Report>, Option<Shrunk>), String>
    where
        F: Fn() -> Fut,
        Fut: Future,
        Fut::Output: TestOutput,
    {
        let what = format!("seed {} (strategy {})", self.seed, self.strategy);
        let full = || {
            run_once(
                self.options,
                self.seed,
                self.strategy.clone(),
                TraceLevel::Full,
                body,
            )
        };
        let (a, b) = (full(), full());
        // Two full traces that differ say more (which task, at which await) than the sweep's
        // decisions that differ from the first of them.
        let differs = compare_traces(&a.trace, &b.trace)
            .or_else(|| compare_schedules(&self.schedule, a.trace.schedule()))
            .or_else(|| {
                let same = matches!((&a.failure, &b.failure), (Some(x), Some(y)) if x.same_as(&self.failure) && y.same_as(&self.failure));
                (!same).then(|| Nondeterminism {
                    inside: None,
                    at: "the end".to_string(),
                    first: format!("failed with: {}", self.failure.description),
                    second: match &a.failure {
                        Some(f) => format!("failed with: {}", f.description),
                        None => "passed".to_string(),
                    },
                })
            });
        if let Some(n) = differs {
            return Err(nondeterminism_text(
                &what,
                Some(&self.failure.description),
                &n,
            ));
        }
        let schedule = a.trace.schedule().clone();
        let shrunk = shrink_budget.map(|budget| {
            shrink(
                body,
                self.seed,
                self.options,
                &self.failure,
                &schedule,
                budget,
            )
        });
        let before = shrunk.as_ref().map_or(
            Complexity {
                preemptions: schedule.preemptions(),
                ..Complexity::default()
            },
            |s| s.before,
        );
        let token_for = |schedule: sim::schedule::Schedule| {
            Token::new(
                self.seed,
                self.strategy.name(),
                self.schedules_run,
                before.preemptions as u64,
                self.options.clone(),
                schedule,
            )
            .for_test(context.check_name())
        };
        let candidates = shrunk
            .iter()
            .map(|s| s.schedule.clone())
            .chain(std::iter::once(schedule));
        for s in candidates {
            match replay_parsed(token_for(s), body, context.clone()) {
                Replayed::Failed(r) if r.failure.same_bug_as(&self.failure) => {
                    return Ok((r, shrunk));
                }
                Replayed::Nondeterministic(n) => {
                    return Err(nondeterminism_text(
                        &what,
                        Some(&self.failure.description),
                        &n,
                    ));
                }
                _ => {}
            }
        }
        Err(nondeterminism_text(
            &what,
            Some(&self.failure.description),
            &Nondeterminism {
                inside: None,
                at: "its replay".to_string(),
                first: format!("failed with: {}", self.failure.description),
                second: "the recorded schedule, replayed, did not fail the same way".to_string(),
            },
        ))
    }
}
