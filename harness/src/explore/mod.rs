//! Exhaustive exploration: every schedule of a program, depth first, within a preemption bound.
//!
//! [`Exhaustive::run`] runs the program again and again, each time under a scheduler that
//! replays a prefix of choices and then takes the first untried option, until a run fails or
//! every schedule has been run. It then says which: "all 1,680 schedules explored, no failure".
//!
//! **Fewest preemptions first.** By default the search deepens its bound step by step, as CHESS
//! does: every schedule with no preemption, then those with exactly one, and so on up to the
//! bound, so the first failure it reports needs as few preemptions as any failure within the
//! bound, and a bug that needs one switch early in the run is not hidden behind the whole
//! subtree of a long task. A level re-runs, without counting them again, the schedules of the
//! levels before it that lie on its paths, so [`Exploration::runs`] exceeds
//! [`Exploration::schedules`]. [`Exhaustive::iterative`]`(false)` makes one depth-first pass
//! instead, in which every run is a new schedule.
//!
//! **Schedules.** Two runs are different schedules when they differ in at least one recorded
//! decision: which runnable task runs at a scheduling point, whether a preemption point switches
//! (and to whom), which of simultaneous events wins, and small random values (below).
//!
//! **Preemptions** are what the bound limits: a switch at a preemption point away from a task that
//! could have continued (a `Preempt` decision naming a task, as [`sim::schedule::Schedule::
//! preemptions`] counts). Choosing among runnable tasks at a scheduling point is free, even when
//! the task that just ran is among them (it yielded): a yield hands the processor over
//! voluntarily, as in CHESS's context bounding, and treating it as a preemption would make a spin
//! loop on `yield_now` unexplorable at bound 0 (it could never let anybody else run).
//!
//! **Yields.** Because switching at a yield is free, a task spinning on `yield_now` until another
//! task acts would give the search an infinite path (continue the spinner, again and again). So
//! continuing a task right after its own yield, while another task is runnable, is allowed at
//! most [`Exhaustive::yield_limit`] times in a row (default 2); the search is exhaustive over the
//! schedules within that limit. A bug that needs a task to run through many of its own yields
//! while another waits (the planted bug B6 in `scenarios::buggy`: 20) needs a higher limit, at the price of a larger space for
//! programs that spin.
//!
//! **Random values.** A value drawn with a bound of at most [`Exhaustive::value_limit`]
//! (default 8) is a choice the search enumerates, like a task choice (so `sim::rand::range(0..4)`
//! is explored with each of its four values); wider values are drawn from the seed and not
//! enumerated, so the search is exhaustive only over the interleavings for those.
//!
//! ```
//! use std::{cell::Cell, rc::Rc};
//! use harness::explore::Exhaustive;
//!
//! // Two read-modify-write increments with a preemption point between the read and the write.
//! let increments = || async {
//!     let c = Rc::new(Cell::new(0));
//!     let hs: Vec<_> = (0..2).map(|_| {
//!         let c = c.clone();
//!         sim::spawn(async move {
//!             let x = c.get();
//!             sim::task::maybe_yield().await;
//!             c.set(x + 1);
//!         })
//!     }).collect();
//!     for h in hs { h.await.unwrap(); }
//!     if c.get() == 2 { Ok(()) } else { Err(format!("lost update: {}", c.get())) }
//! };
//! let outcome = Exhaustive::new().preemption_bound(0).run(increments);
//! assert!(outcome.is_exhausted()); // no failure without a preemption...
//! let outcome = Exhaustive::new().preemption_bound(1).run(increments);
//! let found = outcome.failure.unwrap(); // ...and one preemption finds it
//! assert_eq!(found.preemptions, 1);
//! assert_eq!(found.message, "lost update: 1");
//! ```

mod tree;

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::rc::Rc;

use sim::schedule::Schedule;
use sim::{Sim, Strategy, TraceLevel};

use tree::{DfsScheduler, Tree};

/// What a program's output says about the run: implemented for `()` (always passes), `bool`
/// (true passes) and `Result<T, E>` (`Err` fails).
///
/// ```
/// use harness::explore::Verdict;
/// assert_eq!(true.verdict(), Ok(()));
/// assert_eq!(false.verdict(), Err("the program returned false".to_string()));
/// assert_eq!(Err::<(), _>("broken").verdict(), Err("broken".to_string()));
/// ```
pub trait Verdict {
    /// `Err(message)` when the run failed.
    fn verdict(self) -> Result<(), String>;
}

impl Verdict for () {
    fn verdict(self) -> Result<(), String> {
        Ok(())
    }
}

impl Verdict for bool {
    fn verdict(self) -> Result<(), String> {
        if self {
            Ok(())
        } else {
            Err("the program returned false".into())
        }
    }
}

impl<T, E: fmt::Display> Verdict for Result<T, E> {
    fn verdict(self) -> Result<(), String> {
        self.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// A depth-first search over the schedules of a program.
///
/// ```
/// use harness::explore::Exhaustive;
/// let racy = || async {
///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
///     let other = sim::spawn({
///         let hits = hits.clone();
///         async move { let read = hits.get(); sim::task::maybe_yield().await; hits.set(read + 1) }
///     });
///     let read = hits.get();
///     sim::task::maybe_yield().await;
///     hits.set(read + 1);
///     other.await.unwrap();
///     hits.get() == 2 // a `Verdict`: false fails the run
/// };
/// let found = Exhaustive::new().run(racy).failure.expect("a schedule loses the update");
/// assert_eq!(found.preemptions, 1);
/// ```
#[derive(Clone, Debug)]
pub struct Exhaustive {
    bound: Option<usize>,
    max_schedules: Option<u64>,
    max_steps: u64,
    value_limit: u64,
    yield_limit: u32,
    iterative: bool,
    seed: u64,
}

impl Default for Exhaustive {
    fn default() -> Self {
        Exhaustive::new()
    }
}

impl Exhaustive {
    /// A search with preemption bound 2 (most bugs in the literature need at most two), no limit
    /// on schedules, 100,000 steps a run, values below 9 enumerated, seed 0 for wider values,
    /// yield limit 2, fewest preemptions first.
    ///
    /// ```
    /// let outcome = harness::explore::Exhaustive::new().run(|| async {
    ///     let a = sim::spawn(async { 1 });
    ///     a.await.unwrap() == 1
    /// });
    /// assert!(outcome.is_exhausted());
    /// assert_eq!(outcome.bound, Some(2));
    /// ```
    pub fn new() -> Self {
        Exhaustive {
            bound: Some(2),
            max_schedules: None,
            max_steps: 100_000,
            value_limit: 8,
            yield_limit: 2,
            iterative: true,
            seed: 0,
        }
    }

    /// At most `bound` preemptions per schedule (a cancellable future dropped at an await,
    /// [`sim::task::cancellable`], counts as one too: both are interventions in a run).
    ///
    /// ```
    /// use harness::explore::Exhaustive;
    /// let racy = || async {
    ///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
    ///     let other = sim::spawn({
    ///         let hits = hits.clone();
    ///         async move { let read = hits.get(); sim::task::maybe_yield().await; hits.set(read + 1) }
    ///     });
    ///     let read = hits.get();
    ///     sim::task::maybe_yield().await;
    ///     hits.set(read + 1);
    ///     other.await.unwrap();
    ///     hits.get() == 2 // a `Verdict`: false fails the run
    /// };
    /// assert!(Exhaustive::new().preemption_bound(0).run(racy).is_exhausted()); // no switch, no bug
    /// assert!(Exhaustive::new().preemption_bound(1).run(racy).failure.is_some());
    /// ```
    pub fn preemption_bound(mut self, bound: usize) -> Self {
        self.bound = Some(bound);
        self
    }

    /// No preemption bound: every schedule.
    ///
    /// ```
    /// let outcome = harness::explore::Exhaustive::new().unbounded().run(|| async {
    ///     let a = sim::spawn(async { sim::task::maybe_yield().await });
    ///     a.await.unwrap();
    /// });
    /// assert!(outcome.is_exhausted());
    /// assert_eq!(outcome.bound, None);
    /// ```
    pub fn unbounded(mut self) -> Self {
        self.bound = None;
        self
    }

    /// Whether to explore level by level, fewest preemptions first (the default), or in one
    /// depth-first pass (see the module notes).
    ///
    /// ```
    /// use harness::explore::Exhaustive;
    /// let racy = || async {
    ///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
    ///     let other = sim::spawn({
    ///         let hits = hits.clone();
    ///         async move { let read = hits.get(); sim::task::maybe_yield().await; hits.set(read + 1) }
    ///     });
    ///     let read = hits.get();
    ///     sim::task::maybe_yield().await;
    ///     hits.set(read + 1);
    ///     other.await.unwrap();
    ///     hits.get() == 2 // a `Verdict`: false fails the run
    /// };
    /// // One depth-first pass may meet a failure with more preemptions first; level by level never.
    /// let one_pass = Exhaustive::new().iterative(false).run(racy).failure.unwrap();
    /// let levels = Exhaustive::new().run(racy).failure.unwrap();
    /// assert!(levels.preemptions <= one_pass.preemptions);
    /// ```
    pub fn iterative(mut self, yes: bool) -> Self {
        self.iterative = yes;
        self
    }

    /// Stop after `n` runs even if the space is not exhausted.
    ///
    /// ```
    /// let outcome = harness::explore::Exhaustive::new().max_schedules(2).run(|| async {
    ///     let tasks: Vec<_> = (0..4).map(|_| sim::spawn(sim::task::maybe_yield())).collect();
    ///     for t in tasks { t.await.unwrap(); }
    /// });
    /// assert!(!outcome.is_exhausted());
    /// assert!(outcome.schedules <= 2);
    /// ```
    pub fn max_schedules(mut self, n: u64) -> Self {
        self.max_schedules = Some(n);
        self
    }

    /// The step limit of each run (a run reaching it fails, as a likely livelock).
    ///
    /// ```
    /// let outcome = harness::explore::Exhaustive::new().max_steps(50).run(|| async {
    ///     while sim::time::now() == sim::time::Instant::ZERO {
    ///         sim::task::yield_now().await; // spins: the clock never moves
    ///     }
    /// });
    /// assert!(outcome.failure.is_some());
    /// ```
    pub fn max_steps(mut self, steps: u64) -> Self {
        self.max_steps = steps;
        self
    }

    /// Values drawn with a bound of at most `limit` are enumerated (0: none).
    ///
    /// ```
    /// // Every value of a small draw is tried: the search finds the one that fails.
    /// let outcome = harness::explore::Exhaustive::new().value_limit(8).run(|| async {
    ///     sim::rand::range(0..6u64) != 5
    /// });
    /// assert!(outcome.failure.is_some());
    /// ```
    pub fn value_limit(mut self, limit: u64) -> Self {
        self.value_limit = limit;
        self
    }

    /// How many times in a row a task may be continued right after its own yield while another
    /// task is runnable (see the module notes).
    ///
    /// ```
    /// let outcome = harness::explore::Exhaustive::new().yield_limit(1).run(|| async {
    ///     let other = sim::spawn(async { sim::task::yield_now().await });
    ///     sim::task::yield_now().await;
    ///     other.await.unwrap();
    /// });
    /// assert!(outcome.is_exhausted());
    /// ```
    pub fn yield_limit(mut self, limit: u32) -> Self {
        self.yield_limit = limit;
        self
    }

    /// The seed wider random values are drawn from.
    ///
    /// ```
    /// // A draw wider than the value limit comes from the seed, the same on every path.
    /// let draw = |seed| {
    ///     let seen = std::rc::Rc::new(std::cell::Cell::new(0));
    ///     let out = seen.clone();
    ///     harness::explore::Exhaustive::new().seed(seed).run(move || {
    ///         let seen = seen.clone();
    ///         async move { seen.set(sim::rand::range(0..1_000_000u64)) }
    ///     });
    ///     out.get()
    /// };
    /// assert_eq!(draw(7), draw(7));
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Explores `program` (called once per schedule) until a run fails or the space is
    /// exhausted. A run fails when the simulation reports an error (a panic, a deadlock, a limit)
    /// or the program's output is a failing [`Verdict`].
    ///
    /// # Panics
    /// When the program makes different choices on the same path twice (it is nondeterministic:
    /// it reads real time, real randomness or hash-map order), since the search would then be
    /// meaningless.
    ///
    /// ```
    /// use harness::explore::Exhaustive;
    /// let racy = || async {
    ///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
    ///     let other = sim::spawn({
    ///         let hits = hits.clone();
    ///         async move { let read = hits.get(); sim::task::maybe_yield().await; hits.set(read + 1) }
    ///     });
    ///     let read = hits.get();
    ///     sim::task::maybe_yield().await;
    ///     hits.set(read + 1);
    ///     other.await.unwrap();
    ///     hits.get() == 2 // a `Verdict`: false fails the run
    /// };
    /// let outcome = Exhaustive::new().run(racy);
    /// let found = outcome.failure.unwrap();
    /// assert_eq!(found.message, "the program returned false");
    /// // The failing schedule replays.
    /// let mut sim = sim::Sim::builder().strategy(sim::Strategy::replay(found.schedule)).build();
    /// assert!(!sim.run(racy()).unwrap());
    /// ```
    pub fn run<F, Fut>(&self, mut program: F) -> Exploration
    where
        F: FnMut() -> Fut,
        Fut: Future,
        Fut::Output: Verdict,
    {
        let tree = Rc::new(RefCell::new(Tree::new(
            self.bound,
            self.value_limit,
            self.yield_limit,
        )));
        let t = tree.clone();
        let strategy =
            Strategy::custom("exhaustive", move |_seed| DfsScheduler { tree: t.clone() });
        let mut sim = Sim::builder()
            .seed(self.seed)
            .strategy(strategy)
            .max_steps(self.max_steps)
            .trace_level(TraceLevel::Decisions)
            .build();
        let mut counts = Counts::default();
        let mut level = if self.iterative { Some(0) } else { self.bound };
        loop {
            *tree.borrow_mut() = Tree::new(level, self.value_limit, self.yield_limit);
            let mut new_at_level = 0;
            loop {
                if self.max_schedules.is_some_and(|m| counts.runs >= m) {
                    return self.outcome(counts, false, None);
                }
                tree.borrow_mut().rewind();
                let result = sim.run(program());
                counts.runs += 1;
                if let Some(d) = tree.borrow().diverged.clone() {
                    panic!(
                        "exhaustive search: the program is nondeterministic ({d}); it must depend \
                         only on sim's scheduling, time and randomness (no real clocks, threads, \
                         OS randomness or HashMap iteration order)"
                    );
                }
                let preemptions = tree.borrow().preemptions();
                // At level c only schedules with exactly c preemptions are new; the others ran
                // (and passed) at an earlier level.
                if !self.iterative || level == Some(preemptions) {
                    counts.schedules += 1;
                    new_at_level += 1;
                }
                let verdict = match result {
                    Ok(out) => out.verdict(),
                    Err(e) => Err(e.to_string()),
                };
                if let Err(message) = verdict {
                    let found = Found {
                        schedule_number: counts.runs,
                        schedule: sim.trace().schedule().clone(),
                        preemptions,
                        message,
                    };
                    return self.outcome(counts, false, Some(found));
                }
                if !tree.borrow_mut().advance() {
                    break;
                }
            }
            // Nothing cut by this level's bound, or no schedule of its own (none has that many
            // preemptions, so none has more): deeper levels would find nothing new.
            let done = !self.iterative
                || !tree.borrow().pruned
                || (new_at_level == 0 && level != Some(0))
                || level == self.bound;
            if done {
                return self.outcome(counts, true, None);
            }
            level = level.map(|l| l + 1);
        }
    }

    fn outcome(&self, counts: Counts, exhausted: bool, failure: Option<Found>) -> Exploration {
        Exploration {
            schedules: counts.schedules,
            runs: counts.runs,
            exhausted,
            bound: self.bound,
            failure,
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Counts {
    schedules: u64,
    runs: u64,
}

/// A failing schedule found by the search.
///
/// ```
/// use harness::explore::Exhaustive;
/// let racy = || async {
///     let hits = std::rc::Rc::new(std::cell::Cell::new(0));
///     let other = sim::spawn({
///         let hits = hits.clone();
///         async move { let read = hits.get(); sim::task::maybe_yield().await; hits.set(read + 1) }
///     });
///     let read = hits.get();
///     sim::task::maybe_yield().await;
///     hits.set(read + 1);
///     other.await.unwrap();
///     hits.get() == 2 // a `Verdict`: false fails the run
/// };
/// let found = Exhaustive::new().run(racy).failure.unwrap();
/// assert!(found.schedule_number >= 1);
/// assert_eq!(found.schedule.preemptions(), found.preemptions);
/// ```
#[derive(Clone, Debug)]
pub struct Found {
    /// Which run of the search failed (1-based): the runs it took to find the bug.
    pub schedule_number: u64,
    /// The failing run's decisions; `Strategy::replay` reproduces it.
    pub schedule: Schedule,
    /// Preemptions in it.
    pub preemptions: usize,
    /// What failed.
    pub message: String,
}

/// The result of a search.
///
/// ```
/// let outcome = harness::explore::Exhaustive::new().run(|| async {});
/// assert_eq!((outcome.schedules, outcome.exhausted), (1, true));
/// assert_eq!(outcome.to_string(), "all 1 schedules explored within preemption bound 2, no failure");
/// ```
#[derive(Clone, Debug)]
pub struct Exploration {
    /// Distinct schedules run.
    pub schedules: u64,
    /// Program runs (more than `schedules` when the search deepens its bound level by level).
    pub runs: u64,
    /// True when every schedule within the bound was run without a failure.
    pub exhausted: bool,
    /// The preemption bound used (`None`: unbounded).
    pub bound: Option<usize>,
    /// The first failure, if any.
    pub failure: Option<Found>,
}

impl Exploration {
    /// True when the whole space was explored and nothing failed.
    ///
    /// ```
    /// assert!(harness::explore::Exhaustive::new().run(|| async {}).is_exhausted());
    /// assert!(!harness::explore::Exhaustive::new().run(|| async { false }).is_exhausted());
    /// ```
    pub fn is_exhausted(&self) -> bool {
        self.exhausted
    }
}

impl fmt::Display for Exploration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let within = self
            .bound
            .map(|b| format!(" within preemption bound {b}"))
            .unwrap_or_default();
        let n = thousands(self.schedules);
        let runs = if self.runs == self.schedules {
            String::new()
        } else {
            format!(" ({} runs)", thousands(self.runs))
        };
        match &self.failure {
            Some(found) => write!(
                f,
                "failure in run {}{within} ({} preemptions): {}; replay with schedule `{}`",
                thousands(found.schedule_number),
                found.preemptions,
                found.message,
                found.schedule
            ),
            None if self.exhausted => {
                write!(f, "all {n} schedules explored{runs}{within}, no failure")
            }
            None => write!(
                f,
                "stopped after {} runs (the limit){within}: {n} schedules, no failure; the space \
                 is not exhausted",
                thousands(self.runs)
            ),
        }
    }
}

/// `1680` as `1,680`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_digits() {
        assert_eq!(super::thousands(7), "7");
        assert_eq!(super::thousands(1680), "1,680");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}
