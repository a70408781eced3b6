//! `Sim`: one deterministic execution of an async program, configured by a seed, a strategy
//! and run options. `Sim::run` builds the strategy's scheduler from the seed and hands it to
//! the runtime (`rt::run`), which runs the loop.

use std::future::Future;
use std::panic::Location;

use crate::builder::{Config, SimBuilder};
use crate::model::{RunOptions, SimError, Trace};
use crate::rt::{self, RunSetup};
use crate::schedule::{Scheduler, Strategy};

/// A deterministic single-threaded executor with virtual time.
///
/// ```
/// use std::time::Duration;
/// use sim::{Sim, time};
///
/// let mut sim = Sim::new(7); // seed 7, Random strategy
/// let out = sim.run(async {
///     let a = sim::spawn(async { time::sleep(Duration::from_secs(2)).await; "A" });
///     let b = sim::spawn(async { time::sleep(Duration::from_secs(1)).await; "B" });
///     (a.await.unwrap(), b.await.unwrap(), time::now())
/// }).unwrap();
/// assert_eq!((out.0, out.1), ("A", "B"));
/// assert_eq!(out.2.as_nanos(), 2_000_000_000); // two virtual seconds, no real waiting
/// ```
pub struct Sim {
    config: Config,
    trace: Trace,
    /// The last run's scheduler, when the strategy can reseed it for the next run.
    spare: Option<Box<dyn Scheduler>>,
}

impl Sim {
    /// A simulation with `seed` and the [`Strategy::random`] scheduler.
    pub fn new(seed: u64) -> Sim {
        Sim::builder().seed(seed).build()
    }

    /// Configure a simulation.
    pub fn builder() -> SimBuilder {
        SimBuilder::default()
    }

    pub(crate) fn from_config(config: Config) -> Sim {
        Sim {
            config,
            trace: Trace::default(),
            spare: None,
        }
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.config.seed
    }

    /// Makes the next runs use `seed`, everything else as it was: a sweep over seeds can run
    /// them all on one `Sim` (each run is still a fresh execution, as [`Sim::run`] says).
    ///
    /// ```
    /// let draw = || async { sim::rand::random::<u64>() };
    /// let mut sim = sim::Sim::new(1);
    /// sim.set_seed(2);
    /// assert_eq!(sim.seed(), 2);
    /// assert_eq!(sim.run(draw()).unwrap(), sim::Sim::new(2).run(draw()).unwrap());
    /// ```
    pub fn set_seed(&mut self, seed: u64) {
        self.config.seed = seed;
    }

    /// The strategy.
    pub fn strategy(&self) -> &Strategy {
        &self.config.strategy
    }

    /// The limits and policies every run of this `Sim` uses.
    ///
    /// ```
    /// assert_eq!(sim::Sim::new(0).options(), &sim::RunOptions::default());
    /// ```
    pub fn options(&self) -> &RunOptions {
        &self.config.options
    }

    /// The trace of the last run (empty before the first).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Takes the trace of the last run, leaving an empty one.
    pub fn take_trace(&mut self) -> Trace {
        std::mem::take(&mut self.trace)
    }

    /// Runs `main` to completion as task 0 and returns its output.
    ///
    /// Each call is a fresh execution: the clock starts at zero and the strategy is rebuilt from
    /// the seed, so calling `run` twice with the same program gives the same trace. `main` need
    /// not be `'static` (it may borrow from the caller); tasks it spawns must be.
    ///
    /// # Errors
    /// A [`SimError`] when main panics, a deadlock or a limit is reached, a spawned task panicked
    /// without anybody awaiting it, a replayed schedule diverges, a waker is used from another
    /// thread, or `run` is called inside a running simulation.
    #[track_caller]
    pub fn run<F: Future>(&mut self, main: F) -> Result<F::Output, SimError> {
        let site = Location::caller();
        let setup = RunSetup {
            seed: self.config.seed,
            level: self.config.level,
            schedule_budget: self.config.schedule_budget,
            keep_events: self.config.keep_events,
            sink: self.config.sink.as_ref().map(|s| s.0.clone()),
            options: self.config.options.clone(),
            scheduler: self
                .config
                .strategy
                .build_reusing(self.config.seed, self.spare.take()),
            beacon: self.config.beacon.clone(),
        };
        let reuse = self.config.strategy.reuses_schedulers();
        let spare = reuse.then_some(&mut self.spare);
        rt::run(setup, main, site, &mut self.trace, spare)
    }
}

#[cfg(test)]
mod tests {
    use super::Sim;
    use crate::Strategy;

    async fn three_tasks() -> u64 {
        let handles: Vec<_> = (0..3u64)
            .map(|i| {
                crate::spawn(async move {
                    for _ in 0..3 {
                        crate::task::yield_now().await;
                    }
                    i
                })
            })
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum + crate::rand::random::<u64>() % 7
    }

    /// A sweep on one `Sim` reseeds the last run's Random scheduler in place, and each seed
    /// still gets the schedule, interleaving and output a fresh `Sim` gives it.
    #[test]
    fn a_reused_random_scheduler_schedules_as_a_fresh_one() {
        let mut sim = Sim::new(0);
        for seed in 0..40 {
            sim.set_seed(seed);
            let out = sim.run(three_tasks()).unwrap();
            assert!(
                sim.spare.is_some(),
                "seed {seed}: the scheduler was not kept"
            );
            let mut fresh = Sim::new(seed);
            assert_eq!(out, fresh.run(three_tasks()).unwrap(), "seed {seed}");
            assert_eq!(
                sim.trace().schedule(),
                fresh.trace().schedule(),
                "seed {seed}"
            );
            assert_eq!(
                sim.trace().stats.interleaving,
                fresh.trace().stats.interleaving,
                "seed {seed}"
            );
        }
    }

    /// Strategies that build a scheduler per run keep none.
    #[test]
    fn other_strategies_keep_no_scheduler() {
        let mut sim = Sim::builder().strategy(Strategy::pct(2)).build();
        sim.run(three_tasks()).unwrap();
        assert!(sim.spare.is_none());
    }
}

/// The task wakers' pool (`rt::waker`): runs reuse the wakers, never a kept one.
#[cfg(test)]
mod waker_pool {
    use std::cell::{Cell, RefCell};
    use std::future::poll_fn;
    use std::rc::Rc;
    use std::task::{Poll, Waker};

    use super::Sim;
    use crate::rt::{POOLED_WAKERS as POOLED, WAKERS_MADE};

    /// Task wakers allocated on this thread so far.
    fn made() -> u64 {
        WAKERS_MADE.with(Cell::get)
    }

    async fn three_yielders() -> u64 {
        let handles: Vec<_> = (0..3u64)
            .map(|i| {
                crate::spawn(async move {
                    crate::task::yield_now().await;
                    i
                })
            })
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    }

    /// A run on this thread reuses the wakers the last one left: the second run of the same
    /// program allocates none.
    #[test]
    fn a_second_run_makes_no_task_waker() {
        let mut sim = Sim::new(3);
        let before = made();
        assert_eq!(sim.run(three_yielders()).unwrap(), 3);
        assert!(made() > before, "the first run makes its wakers");
        let before = made();
        for seed in 0..5 {
            sim.set_seed(seed);
            assert_eq!(sim.run(three_yielders()).unwrap(), 3);
        }
        assert_eq!(made() - before, 0, "later runs reuse them");
    }

    /// The pool is bounded: a run with more tasks alive at once than it holds allocates a waker
    /// for each task past it, again on every run, instead of keeping one per slot for good
    /// (which would cost every parked task of a huge run eight bytes).
    #[test]
    fn only_the_first_slots_keep_a_pooled_waker() {
        async fn parked_at_once(n: usize) -> usize {
            let handles: Vec<_> = (0..n)
                .map(|_| crate::spawn(crate::task::yield_now()))
                .collect();
            let count = handles.len();
            for h in handles {
                h.await.unwrap();
            }
            count
        }
        let n = POOLED + 100;
        let mut sim = Sim::new(2);
        assert_eq!(sim.run(parked_at_once(n)).unwrap(), n);
        let before = made();
        assert_eq!(sim.run(parked_at_once(n)).unwrap(), n);
        // Slot 0 is main's; tasks take slots 1..=n, of which POOLED..=n are past the pool.
        assert_eq!(made() - before, (n + 1 - POOLED) as u64);
    }

    /// A finished task's waker that user code kept is not handed to the next task of its slot:
    /// waking it later wakes nobody (the new task, never woken otherwise, is polled once).
    #[test]
    fn a_kept_waker_of_an_ended_task_does_not_wake_the_next_task_of_its_slot() {
        let mut sim = Sim::new(1);
        let polls = sim
            .run(async {
                let kept: Rc<RefCell<Option<Waker>>> = Rc::default();
                let k = kept.clone();
                let a = crate::spawn(poll_fn(move |cx| {
                    *k.borrow_mut() = Some(cx.waker().clone());
                    Poll::Ready(())
                }));
                let a_id = a.id();
                a.await.unwrap();
                let polls = Rc::new(Cell::new(0u32));
                let p = polls.clone();
                let b = crate::spawn(poll_fn(move |_| {
                    p.set(p.get() + 1);
                    Poll::<()>::Pending
                }));
                assert_ne!(a_id, b.id());
                for _ in 0..4 {
                    crate::task::yield_now().await;
                }
                assert_eq!(polls.get(), 1);
                kept.borrow().as_ref().unwrap().wake_by_ref();
                for _ in 0..4 {
                    crate::task::yield_now().await;
                }
                drop(b);
                polls.get()
            })
            .unwrap();
        assert_eq!(polls, 1, "the stale waker woke the slot's new task");
    }

    /// Main's waker kept past its run is not reused for the next run's main (which it does not
    /// wake: that run deadlocks), and the pool goes back to reusing once it is dropped.
    #[test]
    fn a_waker_kept_past_its_run_wakes_nothing_in_the_next() {
        let mut sim = Sim::new(2);
        let kept = sim
            .run(poll_fn(|cx| Poll::Ready(cx.waker().clone())))
            .unwrap();
        let before = made();
        let stale = kept.clone();
        let mut first = true;
        let err = sim
            .run(poll_fn(move |_| {
                if std::mem::take(&mut first) {
                    stale.wake_by_ref();
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            }))
            .unwrap_err();
        assert!(err.is_deadlock(), "{err}");
        assert_eq!(made() - before, 1, "main's waker was held: a new one");
        drop(kept);
        sim.run(async {}).unwrap();
        sim.run(async {}).unwrap();
        let before = made();
        sim.run(async {}).unwrap();
        assert_eq!(made() - before, 0);
    }
}
