//! The asyncio guide's examples, as scenarios: their printed lines and virtual times asserted
//! exactly under Fifo, and their whole traces snapshotted (under Fifo and one Random seed) so any
//! change in the executor's order shows up in review (`cargo insta review`).

use scenarios::find;
use sim::{Sim, Strategy};

/// Runs a guide scenario and returns (its log lines as `t=<time> <text>`, its trace text).
fn run(name: &str, sim: &mut Sim) -> Vec<String> {
    let s = find(name).unwrap_or_else(|| panic!("no scenario {name}"));
    let outcome = sim.run((s.run)()).expect("the run fails");
    assert_eq!(outcome, Ok(()), "{name}: invariant broke");
    sim.trace()
        .logs()
        .map(|l| format!("t={} {}", l.time, l.text))
        .collect()
}

fn fifo() -> Sim {
    Sim::builder().strategy(Strategy::fifo()).build()
}

#[test]
fn say_hello_prints_hello_then_world_a_second_later() {
    assert_eq!(
        run("guide/say-hello", &mut fifo()),
        ["t=0s Hello", "t=1s World"]
    );
}

#[test]
fn my_coroutine_starts_then_ends_two_seconds_later() {
    assert_eq!(
        run("guide/my-coroutine", &mut fifo()),
        ["t=0s Start", "t=2s End"]
    );
}

#[test]
fn gather_starts_all_then_finishes_by_delay() {
    assert_eq!(
        run("guide/gather", &mut fifo()),
        [
            "t=0s Task A started",
            "t=0s Task B started",
            "t=0s Task C started",
            "t=1s Task B finished",
            "t=2s Task A finished",
            "t=3s Task C finished",
        ]
    );
}

#[test]
fn create_task_displays_both_numbers_at_two_seconds() {
    assert_eq!(
        run("guide/create-task", &mut fifo()),
        ["t=2s Number: 1", "t=2s Number: 2"]
    );
}

#[test]
fn risky_is_caught() {
    assert_eq!(run("guide/risky", &mut fifo()), ["t=0s Caught: Oops!"]);
}

#[test]
fn event_loop_run_until_complete_ends_at_one_second() {
    let mut sim = fifo();
    assert!(run("guide/event-loop", &mut sim).is_empty());
    assert_eq!(sim.trace().stats().end_time.to_string(), "1s");
}

#[test]
fn cancel_me_cleans_up_at_the_abort_instant() {
    let mut sim = fifo();
    assert_eq!(
        run("guide/cancel-me", &mut sim),
        [
            "t=0s cancel_me(): before sleep",
            "t=1s cancel_me(): cancel sleep"
        ]
    );
    assert_eq!(sim.trace().stats().end_time.to_string(), "1s");
}

#[test]
fn cooking_takes_the_longer_step_not_the_sum() {
    assert_eq!(
        run("guide/cooking", &mut fifo()),
        [
            "t=0s start chopping vegetables",
            "t=0s start boiling water",
            "t=300s done chopping vegetables",
            "t=600s done boiling water",
        ]
    );
}

#[test]
fn guide_traces_match_their_snapshots() {
    for name in [
        "guide/gather",
        "guide/create-task",
        "guide/cancel-me",
        "guide/fetch",
    ] {
        let mut sim = fifo();
        run(name, &mut sim);
        let snap = name.replace('/', "__");
        insta::assert_snapshot!(format!("{snap}__fifo"), sim.trace().to_string());
        let mut sim = Sim::new(7);
        run(name, &mut sim);
        insta::assert_snapshot!(format!("{snap}__random_seed_7"), sim.trace().to_string());
    }
}
