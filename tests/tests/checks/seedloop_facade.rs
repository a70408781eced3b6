//! The `seedloop` facade: sim's names at the top level, the harness's entry points beside them,
//! and `#[seedloop::test]` with builder methods, strategy names and run options by name.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

#[test]
fn sim_and_the_harness_answer_to_one_crate() {
    let mut sim = seedloop::Sim::builder()
        .seed(3)
        .strategy(seedloop::Strategy::fifo())
        .build();
    let out = sim
        .run(async {
            let a = seedloop::spawn(async {
                seedloop::time::sleep(Duration::from_secs(2)).await;
                seedloop::log!("slept");
                1
            });
            let b = seedloop::spawn(async { 2 });
            let (tx, mut rx) = seedloop::channel::mpsc::unbounded_channel();
            tx.send(3).unwrap();
            let lock = seedloop::sync::Mutex::new(4);
            let four = *lock.lock().await;
            a.await.unwrap() + b.await.unwrap() + rx.recv().await.unwrap() + four
        })
        .unwrap();
    assert_eq!(out, 10);
    assert_eq!(sim.trace().logs().next().unwrap().text, "slept");

    let outcome = seedloop::Check::new()
        .seeds(4)
        .no_regressions()
        .explore(|| async { seedloop::task::yield_now().await });
    assert!(outcome.passed());
    assert_eq!(outcome.schedules_run, 4);
    let token = seedloop::harness::Token {
        seed: 7,
        strategy: "random".into(),
        schedules_run: 1,
        preemptions_before: 0,
        test: 0,
        options: seedloop::RunOptions::default().max_steps(500),
        schedule: seedloop::schedule::Schedule::from(vec![seedloop::schedule::Decision::Value {
            value: 42,
            bound: 100,
        }]),
    };
    assert_eq!(seedloop::Token::parse(&token.encode()), Ok(token));
}

#[seedloop::test(seeds = 8, strategy = "pct")]
async fn builder_methods_and_strategy_names() {
    let hits = Rc::new(Cell::new(0));
    let h = hits.clone();
    seedloop::spawn(async move { h.set(h.get() + 1) })
        .await
        .unwrap();
    assert_eq!(hits.get(), 1);
}

#[seedloop::test(seeds = 4, fail_on_unobserved_panic = false, max_poll_time = "100ms")]
async fn run_options_by_name() {
    // With the option's default, this panic nobody awaits would fail the run.
    seedloop::spawn(async { panic!("nobody awaits this") });
    seedloop::task::yield_now().await;
    seedloop::task::block_for(Duration::from_millis(50));
}

#[seedloop::test(seeds = 1, max_poll_time = "10ms", regressions = false)]
#[should_panic(expected = "in one poll (limit 0.01s)")]
async fn a_run_option_by_name_takes_effect() {
    // A 50 ms poll breaks the 10 ms limit set by name.
    seedloop::task::block_for(Duration::from_millis(50));
}

#[seedloop::test(max_pol_time = "10ms")]
#[should_panic(expected = "max_poll_time")]
async fn an_unknown_option_names_the_valid_ones() {}

mod imported {
    // `#[test]` is now seedloop's attribute: its expansion must not name itself again.
    use seedloop::test;

    #[test(seeds = 2)]
    async fn an_imported_attribute_does_not_expand_into_itself() {
        seedloop::task::yield_now().await;
    }
}

#[harness::test(crate = "::seedloop::harness", seeds = 2)]
async fn the_crate_path_can_be_given() {
    seedloop::task::yield_now().await;
}
