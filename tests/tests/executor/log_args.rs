//! `log!` arguments with side effects (issue 11, item 8): a run takes the same decisions at
//! every trace level, and an argument whose formatting itself takes a decision is named.

use std::fmt;

use sim::{Sim, Strategy, TraceLevel};

fn run(seed: u64, level: TraceLevel) -> (u64, sim::schedule::Schedule) {
    let mut sim = Sim::builder()
        .seed(seed)
        .strategy(Strategy::random())
        .trace_level(level)
        .build();
    let out = sim
        .run(async {
            sim::log!("drew {}", sim::rand::range(0..1000u64));
            let t = sim::spawn(async { sim::rand::range(0..1000u64) });
            sim::task::maybe_yield().await;
            t.await.unwrap() + sim::rand::range(0..1000u64)
        })
        .unwrap();
    (out, sim.trace().schedule().clone())
}

#[test]
fn an_argument_that_draws_a_value_draws_it_at_every_level() {
    for seed in 0..20 {
        assert_eq!(
            run(seed, TraceLevel::Full),
            run(seed, TraceLevel::Decisions),
            "seed {seed}"
        );
    }
}

/// Draws a random value when it is formatted.
struct DrawsWhenShown;

impl fmt::Display for DrawsWhenShown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", sim::rand::range(0..10u64))
    }
}

#[test]
fn an_argument_whose_formatting_takes_a_decision_fails_the_run_and_says_so() {
    let mut sim = Sim::builder().seed(1).build();
    let err = sim
        .run(async { sim::log!("shown as {}", DrawsWhenShown) })
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("a `log!` argument changed the run"), "{text}");
    assert!(text.contains("log_args.rs"), "names the line: {text}");
}
