//! Every scenario reaches its expected verdict: correct programs pass under Fifo and every seed
//! of a Random sweep; buggy ones are caught within their budget.

use scenarios::{Expect, catalogue};
use sim::{Sim, Strategy, TraceLevel};

fn passes(s: &scenarios::Scenario, mut sim: Sim) -> Result<(), String> {
    match sim.run((s.run)()) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(broken)) => Err(format!("invariant broke: {broken}")),
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn correct_scenarios_pass_under_fifo_and_a_random_sweep() {
    for s in catalogue().iter().filter(|s| s.expect == Expect::Passes) {
        let fifo = Sim::builder().strategy(Strategy::fifo()).build();
        if let Err(e) = passes(s, fifo) {
            panic!("{} failed under fifo: {e}", s.name);
        }
        for seed in 0..32 {
            let sim = Sim::builder()
                .seed(seed)
                .trace_level(TraceLevel::Decisions)
                .build();
            if let Err(e) = passes(s, sim) {
                panic!("{} failed under random seed {seed}: {e}", s.name);
            }
        }
    }
}

#[test]
fn buggy_scenarios_are_caught_within_their_budget() {
    for s in catalogue() {
        let Expect::Caught { within } = s.expect else {
            continue;
        };
        // The strategies `cargo explore` uses; one of them must catch it within the budget.
        let strategies = [Strategy::fifo(), Strategy::random(), Strategy::pct(3)];
        let caught = strategies.iter().any(|strategy| {
            (0..within).any(|seed| {
                let sim = Sim::builder()
                    .seed(seed)
                    .strategy(strategy.clone())
                    .trace_level(TraceLevel::Decisions)
                    .build();
                passes(&s, sim).is_err()
            })
        });
        assert!(
            caught,
            "{} was not caught within {within} seeds by fifo, random or pct3",
            s.name
        );
    }
}

#[test]
fn names_are_unique_and_grouped() {
    let all = catalogue();
    let mut names: Vec<_> = all.iter().map(|s| s.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "duplicate scenario names");
    assert!(
        all.iter()
            .all(|s| s.name.contains('/') && !s.description.is_empty())
    );
}
