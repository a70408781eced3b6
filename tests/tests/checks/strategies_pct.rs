//! PCT, the portfolio, and the determinism of every strategy.

use std::cell::Cell;
use std::rc::Rc;

use harness::{Check, Env};
use scenarios::buggy;
use sim::{Sim, Strategy};

/// Seeds of `0..n` on which `bug` fails under `strategy`.
fn failing_seeds(bug: &str, strategy: &Strategy, n: u64) -> Vec<u64> {
    let bug = buggy::find(bug).expect("bug in the catalogue");
    (0..n)
        .filter(|&seed| {
            let mut sim = Sim::builder().seed(seed).strategy(strategy.clone()).build();
            !matches!(sim.run((bug.run)()), Ok(Ok(())))
        })
        .collect()
}

#[test]
fn pct_depth_1_finds_the_long_task_finishing_first_where_random_does_not() {
    // SEMANTICS case 48 / PCT figure 5: a task needing 20 yields must finish before main's
    // single step. PCT keeps a yielding task's priority, so at depth 1 it is found whenever the
    // long task draws the higher priority (one seed in two); uniform random needs ~2^-21 luck.
    let pct = failing_seeds("B6", &Strategy::pct(1), 20);
    assert_eq!(pct, [2, 3, 6, 7, 8, 14]);
    let random = failing_seeds("B6", &Strategy::random(), 100);
    assert_eq!(random, Vec::<u64>::new());
    assert_eq!(failing_seeds("B6", &Strategy::fifo(), 1), Vec::<u64>::new());
}

#[test]
fn pct_needs_a_change_point_for_a_depth_2_bug() {
    // B2 needs one preemption inside a task's read-modify-write: impossible at depth 1 (a task
    // only ever switches to a higher-priority task, which then runs to its end), found at
    // depth 2 when the change point falls inside the window.
    assert_eq!(
        failing_seeds("B2", &Strategy::pct(1), 50),
        Vec::<u64>::new()
    );
    let depth2 = failing_seeds("B2", &Strategy::pct_with_steps(2, 8), 50);
    assert!(!depth2.is_empty());
    assert_eq!(depth2, [3, 17, 22, 25, 26, 39, 43]);
}

#[test]
fn pct_lets_a_spin_loop_make_progress() {
    // A top-priority task spinning on yield_now until another task sets a flag: PCT must not
    // keep picking the spinner forever (it is demoted after DEFAULT_SPIN_LIMIT self-wakes).
    for seed in 0..30 {
        let mut sim = Sim::builder()
            .seed(seed)
            .strategy(Strategy::pct(2))
            .max_steps(10_000)
            .build();
        let spins = sim
            .run(async {
                let flag = Rc::new(Cell::new(false));
                let f = flag.clone();
                let spinner = sim::spawn(async move {
                    let mut spins = 0u32;
                    while !f.get() {
                        spins += 1;
                        sim::task::yield_now().await;
                    }
                    spins
                });
                let f = flag.clone();
                let setter = sim::spawn(async move { f.set(true) });
                setter.await.unwrap();
                spinner.await.unwrap()
            })
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert!(
            spins <= sim::schedule::DEFAULT_SPIN_LIMIT + 1,
            "seed {seed}: {spins}"
        );
    }
}

#[test]
fn pct_switches_at_a_preemption_point_only_to_a_higher_priority_task() {
    // With depth 1 (no change points) a run is a fixed priority order: every task runs to its
    // end before any lower one starts, so the three steps of each task stay contiguous.
    for seed in 0..20 {
        let mut sim = Sim::builder().seed(seed).strategy(Strategy::pct(1)).build();
        let order = sim
            .run(async {
                let order = Rc::new(std::cell::RefCell::new(String::new()));
                let hs: Vec<_> = ['a', 'b', 'c']
                    .into_iter()
                    .map(|t| {
                        let order = order.clone();
                        sim::spawn(async move {
                            for _ in 0..3 {
                                sim::task::maybe_yield().await;
                                order.borrow_mut().push(t);
                            }
                        })
                    })
                    .collect();
                for h in hs {
                    h.await.unwrap();
                }
                order.take()
            })
            .unwrap();
        let runs = order.as_bytes().windows(2).filter(|w| w[0] != w[1]).count();
        assert_eq!(runs, 2, "seed {seed}: {order}");
    }
}

#[test]
fn portfolio_alternates_its_members_across_seeds() {
    let p = Strategy::portfolio(vec![Strategy::fifo(), Strategy::pct(1), Strategy::random()]);
    assert_eq!(p.name(), "portfolio(fifo,pct1,random)");
    let picked: Vec<&str> = (0..6).map(|s| p.pick(s).name()).collect();
    assert_eq!(picked, ["fifo", "pct1", "random", "fifo", "pct1", "random"]);
    // And a run under the portfolio is the run under its member, with the same seed.
    let b9 = buggy::find("B9").unwrap();
    for seed in 0..6 {
        let digest = |s: &Strategy| {
            let mut sim = Sim::builder().seed(seed).strategy(s.clone()).build();
            let _ = sim.run((b9.run)());
            sim.trace().digest()
        };
        assert_eq!(digest(&p), digest(p.pick(seed)), "seed {seed}");
    }
    // B6 fails only on the seeds that picked PCT.
    let fails = failing_seeds("B6", &p, 30);
    assert!(!fails.is_empty());
    assert!(fails.iter().all(|s| s % 3 == 1), "{fails:?}");
}

#[test]
#[should_panic(expected = "Strategy::portfolio needs at least one strategy")]
fn empty_portfolio_is_refused() {
    let _ = Strategy::portfolio(Vec::new());
}

#[test]
#[should_panic(expected = "depth must be at least 1")]
fn pct_depth_zero_is_refused() {
    let _ = Strategy::pct(0);
}

/// One of each kind of strategy, PCT at each depth, with and without a given length.
fn every_strategy() -> [Strategy; 7] {
    [
        Strategy::fifo(),
        Strategy::random(),
        Strategy::pct(1),
        Strategy::pct(2),
        Strategy::pct(3),
        Strategy::pct_with_steps(3, 20),
        Strategy::portfolio(vec![Strategy::random(), Strategy::pct(2), Strategy::pct(3)]),
    ]
}

#[test]
fn every_strategy_is_deterministic() {
    let strategies = every_strategy();
    for bug in buggy::catalogue() {
        for strategy in &strategies {
            for seed in [0, 1, 7, 12_345] {
                let run = || {
                    let mut sim = Sim::builder().seed(seed).strategy(strategy.clone()).build();
                    let out = format!("{:?}", sim.run((bug.run)()).map_err(|e| e.to_string()));
                    (out, sim.trace().digest(), sim.trace().schedule().clone())
                };
                let (first, second) = (run(), run());
                assert_eq!(first, second, "{} under {strategy} seed {seed}", bug.name);
                // The recorded schedule replays to the same trace.
                let mut replay = Sim::builder()
                    .seed(seed)
                    .strategy(Strategy::replay(first.2.clone()))
                    .build();
                let out = format!("{:?}", replay.run((bug.run)()).map_err(|e| e.to_string()));
                assert_eq!(
                    out, first.0,
                    "{} replay of {strategy} seed {seed}",
                    bug.name
                );
            }
        }
    }
}

#[test]
fn negative_controls_never_fail() {
    for name in ["B9'", "B15'"] {
        let control = buggy::find(name).unwrap();
        assert!(control.is_control());
    }
    for strategy in [
        Strategy::fifo(),
        Strategy::random(),
        Strategy::pct(1),
        Strategy::pct(2),
        Strategy::pct_with_steps(3, 10),
    ] {
        for name in ["B9'", "B15'"] {
            assert_eq!(
                failing_seeds(name, &strategy, 200),
                Vec::<u64>::new(),
                "{name} under {strategy}"
            );
        }
    }
}

#[test]
fn main_spinning_on_yield_until_four_workers_finish_is_fair_under_every_strategy() {
    // SEMANTICS case 45 (shuttle `yield_spin_loop_fair`): at most 50 steps.
    let strategies = every_strategy();
    for strategy in &strategies {
        for seed in 0..50 {
            let mut sim = Sim::builder().seed(seed).strategy(strategy.clone()).build();
            sim.run(async {
                let count = Rc::new(Cell::new(0));
                for _ in 0..4 {
                    let count = count.clone();
                    sim::spawn(async move { count.set(count.get() + 1) });
                }
                while count.get() < 4 {
                    sim::task::yield_now().await;
                }
            })
            .unwrap();
            let steps = sim.trace().stats().steps;
            assert!(steps <= 50, "{strategy} seed {seed}: {steps} steps");
        }
    }
}

#[test]
fn strategy_names_parse_back_to_the_same_strategy() {
    let b4 = buggy::find("B4").unwrap();
    for strategy in [
        Strategy::pct(1),
        Strategy::pct(3),
        Strategy::pct_with_steps(2, 40),
        Strategy::portfolio(vec![
            Strategy::random(),
            Strategy::pct_with_steps(2, 40),
            Strategy::fifo(),
        ]),
    ] {
        let parsed = harness::parse_strategy(strategy.name()).unwrap();
        assert_eq!(parsed.name(), strategy.name());
        for seed in 0..5 {
            let digest = |s: &Strategy| {
                let mut sim = Sim::builder().seed(seed).strategy(s.clone()).build();
                let _ = sim.run((b4.run)());
                sim.trace().digest()
            };
            assert_eq!(digest(&parsed), digest(&strategy), "{strategy} seed {seed}");
        }
    }
    for bad in [
        "pct0",
        "pct2(k=x)",
        "portfolio()",
        "portfolio(random,quantum)",
    ] {
        assert!(harness::parse_strategy(bad).is_err(), "{bad}");
    }
}

/// The share of `0..n` on which `bug` fails under `strategy` (PCT's `k` learned as a check does).
fn rate(bug: &str, strategy: &Strategy, n: u64) -> f64 {
    let program = buggy::find(bug).unwrap().run;
    let strategy = strategy.learned(|fifo| {
        let _ = Sim::builder().strategy(fifo).build().run(program());
    });
    failing_seeds(bug, &strategy, n).len() as f64 / n as f64
}

#[test]
fn a_check_learns_pcts_k_and_finds_b2_at_the_learned_rate() {
    let b2 = buggy::find("B2").unwrap().run;
    let failures = |strategy: Strategy| {
        Check::new()
            .seeds(400)
            .strategy(strategy)
            .keep_going(true)
            .shrink(false)
            .no_regressions()
            .env(Env::empty())
            .explore(b2)
            .failures
    };
    // A check with `Strategy::pct(2)` learns k = 5 from a Fifo run: it fails exactly as often as
    // PCT with k fixed at 5, and far more often than with the old default of 64 points.
    let learned = failures(Strategy::pct(2));
    assert_eq!(learned, failures(Strategy::pct_with_steps(2, 5)));
    let at_64 = failures(Strategy::pct_with_steps(2, 64));
    assert!(
        learned > 50 && learned > 5 * at_64,
        "{learned} vs {at_64} at k = 64"
    );

    // The report names the strategy with its k, the name that rebuilds it: the failing seed
    // re-run alone under that name fails the same way.
    let report = Check::new()
        .strategy(Strategy::pct(2))
        .no_regressions()
        .env(Env::empty())
        .explore(b2)
        .report
        .expect("pct2 finds B2");
    assert_eq!(report.token.strategy, "pct2(k=5)");
    let again = Check::new()
        .no_regressions()
        .env(
            Env::empty()
                .with("SEEDLOOP_SEED", report.token.seed.to_string())
                .with("SEEDLOOP_STRATEGY", report.token.strategy.clone()),
        )
        .explore(b2);
    assert!(again.report.unwrap().failure.same_as(&report.failure));
}

#[test]
fn pct_counts_only_points_where_a_change_can_act() {
    // B5's Fifo run takes six Run and Preempt decisions; the scheduling point right after t1
    // ended has nobody to demote, so PCT counts five.
    let b5 = buggy::find("B5").unwrap().run;
    let mut fifo = Sim::builder()
        .strategy(Strategy::fifo())
        .trace_level(sim::TraceLevel::Decisions)
        .build();
    fifo.run(b5()).unwrap().unwrap();
    assert_eq!(
        fifo.trace().schedule().to_string(),
        "r1/2 p-/2 p-/2 r2/2 p-/2 p-/2"
    );
    let learned = Strategy::pct(3).learned(|f| {
        Sim::builder()
            .strategy(f)
            .build()
            .run(b5())
            .unwrap()
            .unwrap();
    });
    assert_eq!(learned.name(), "pct3(k=5)");
}

#[test]
fn abba_deadlocks_in_most_random_runs_and_the_depth_1_bugs_keep_their_rates() {
    // A fair coin at each preemption point deadlocks B5 in 3/8 of the runs (three coins must
    // come up right on each of three paths); a per-run taste for switching, and no switching
    // straight back, make it most runs.
    assert!(rate("B5", &Strategy::random(), 400) > 0.55);
    // PCT(3) with the points it counts: its two change points hit t1's second lock more often.
    assert!(rate("B5", &Strategy::pct(3), 400) > 0.33);
    // Depth 1: use-before-init needs t2 first (half the runs); the long task needs PCT.
    let b3 = rate("B3", &Strategy::random(), 400);
    assert!((0.42..0.58).contains(&b3), "{b3}");
    let b6 = rate("B6", &Strategy::pct(1), 400);
    assert!((0.42..0.58).contains(&b6), "{b6}");
}
