//! Scheduling strategies: the oracle behind every choice the executor makes.
//!
//! The executor asks its [`Scheduler`] five kinds of question and records every answer that had
//! more than one option as a [`Decision`]:
//!
//! - **which task runs next** at a scheduling point (the running task returned `Pending` or
//!   finished, or a new round started): [`Scheduler::choose_task`];
//! - **whether to switch** at a preemption point (an await on a `sim` operation that could
//!   complete at once, such as [`crate::task::maybe_yield`]): [`Scheduler::choose_preemption`];
//! - **which of simultaneous events wins** (a timeout and its future ready at the same instant):
//!   [`Scheduler::choose_branch`];
//! - **which random value** user code gets from [`crate::rand`]: [`Scheduler::choose_value`];
//! - **whether a future marked cancellable is dropped** at an await
//!   ([`crate::task::cancellable`]): [`Scheduler::choose_cancel`] (never under Fifo).
//!
//! [`Strategy`] names a scheduler and builds a fresh one for each run from the run's seed.

mod cancel;
mod fifo;
mod pct;
mod random;
mod replay;

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

pub use crate::model::{
    DEFAULT_SCHEDULE_BYTES, Decision, Divergence, ParseScheduleError, Schedule, ScheduleIter,
};
pub use crate::rt::{Choice, Runnable, Scheduler, ValueStream};
pub use pct::{DEFAULT_PCT_STEPS, DEFAULT_SPIN_LIMIT};

type Factory = Rc<dyn Fn(u64) -> Box<dyn Scheduler>>;

/// Which scheduler a run uses. Cheap to clone; each run builds a fresh scheduler from the seed.
///
/// ```
/// use sim::{Sim, Strategy};
/// let mut sim = Sim::builder().seed(3).strategy(Strategy::fifo()).build();
/// assert_eq!(sim.run(async { 1 + 1 }).unwrap(), 2);
/// ```
#[derive(Clone)]
pub struct Strategy {
    name: Name,
    kind: Kind,
}

/// A strategy's name: the built-in ones are constants, so making a strategy (every
/// `Sim::builder()` makes the default one) allocates nothing.
#[derive(Clone)]
enum Name {
    Static(&'static str),
    Shared(Rc<str>),
}

impl From<&'static str> for Name {
    fn from(s: &'static str) -> Self {
        Name::Static(s)
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Name::Static(s) => s,
            Name::Shared(s) => s,
        }
    }
}

#[derive(Clone)]
enum Kind {
    Fifo,
    Random,
    Replay {
        schedule: Rc<Schedule>,
        strict: bool,
    },
    Custom(Factory),
    Pct {
        depth: u32,
        /// `None` until learned ([`Strategy::learned`]); runs then use [`DEFAULT_PCT_STEPS`].
        steps: Option<u64>,
    },
    Portfolio(Rc<[Strategy]>),
}

impl Strategy {
    /// asyncio's order exactly: the oldest runnable task runs next, preemption points never
    /// switch, ties take the documented default, cancellable futures are never cancelled.
    /// Random values still come from the seed.
    pub fn fifo() -> Self {
        Strategy {
            name: "fifo".into(),
            kind: Kind::Fifo,
        }
    }

    /// Seeded random choice: uniform among runnable tasks at every scheduling point; at a
    /// preemption point "continue" against a switch to each runnable task, weighted by a
    /// stickiness drawn once per run (runs range from round-robin at every operation to
    /// run-until-suspended), and a task just switched to rarely switched away again before its
    /// next operation; a future marked [cancellable](crate::task::cancellable) is dropped at an
    /// await with a per-run chance. See the `random` module notes for why.
    pub fn random() -> Self {
        Strategy {
            name: "random".into(),
            kind: Kind::Random,
        }
    }

    /// Follows `schedule` exactly and reports [`crate::SimError::is_diverged`] at the first
    /// decision that does not fit the program. Once the schedule is used up the run continues as
    /// Fifo, with random values from the seed.
    pub fn replay(schedule: Schedule) -> Self {
        Strategy {
            name: "replay".into(),
            kind: Kind::Replay {
                schedule: Rc::new(schedule),
                strict: true,
            },
        }
    }

    /// Like [`Strategy::replay`], but a decision that does not fit falls back to the default
    /// choice instead of stopping the run. Shrinkers use it to try edited schedules.
    pub fn replay_lenient(schedule: Schedule) -> Self {
        Strategy {
            name: "replay-lenient".into(),
            kind: Kind::Replay {
                schedule: Rc::new(schedule),
                strict: false,
            },
        }
    }

    /// A strategy built by `factory(seed)` for each run, reported under `name`.
    ///
    /// ```
    /// use sim::schedule::{Choice, Runnable, Scheduler};
    /// use sim::task::TaskId;
    /// use sim::{Sim, Strategy};
    ///
    /// /// Always runs the newest runnable task.
    /// struct Lifo;
    /// impl Scheduler for Lifo {
    ///     fn choose_task(&mut self, r: Runnable<'_>) -> Choice<usize> { Ok(r.len() - 1) }
    ///     fn choose_preemption(&mut self, _: TaskId, _: Runnable<'_>) -> Choice<Option<usize>> { Ok(None) }
    ///     fn choose_branch(&mut self, _: u32) -> Choice<u32> { Ok(0) }
    /// }
    /// let mut sim = Sim::builder().strategy(Strategy::custom("lifo", |_seed| Lifo)).build();
    /// assert_eq!(sim.run(async { 7 }).unwrap(), 7);
    /// ```
    pub fn custom<S, F>(name: &str, factory: F) -> Self
    where
        S: Scheduler + 'static,
        F: Fn(u64) -> S + 'static,
    {
        let factory: Factory = Rc::new(move |seed| Box::new(factory(seed)));
        Strategy {
            name: Name::Shared(name.into()),
            kind: Kind::Custom(factory),
        }
    }

    /// PCT with bug depth `depth` (≥ 1): random task priorities, `depth − 1` priority change
    /// points spread over the program's `k` scheduling points, with `k` learned from one Fifo run
    /// of the program ([`Strategy::learned`]; the harness's checks and `cargo explore` do it
    /// before they sweep, and the strategy's name then shows `k`: `pct2(k=6)`). A [`crate::Sim`]
    /// run of an unlearned PCT spreads the change points over [`DEFAULT_PCT_STEPS`] points. See
    /// the `pct` module notes on which points count, on yields and on spin loops.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// use sim::{Sim, Strategy};
    /// // "The long task finishes before main looks": about one run in two at depth 1.
    /// let found = (0..20).filter(|&seed| {
    ///     let mut sim = Sim::builder().seed(seed).strategy(Strategy::pct(1)).build();
    ///     sim.run(async {
    ///         let done = Rc::new(Cell::new(false));
    ///         let d = done.clone();
    ///         let _long = sim::spawn(async move {
    ///             for _ in 0..20 { sim::task::yield_now().await; }
    ///             d.set(true);
    ///         });
    ///         sim::task::maybe_yield().await;
    ///         done.get()
    ///     }).unwrap()
    /// }).count();
    /// assert!(found > 0);
    /// assert_eq!(Strategy::pct(3).name(), "pct3");
    /// ```
    ///
    /// # Panics
    /// When `depth` is 0.
    pub fn pct(depth: u32) -> Self {
        Self::pct_of(depth, None)
    }

    /// PCT with its `depth − 1` change points drawn among the first `steps` counted scheduling
    /// points (what [`Strategy::learned`] would learn, fixed by hand). The name shows `steps`:
    /// `pct2(k=200)`.
    ///
    /// ```
    /// let s = sim::Strategy::pct_with_steps(2, 200);
    /// assert_eq!(s.name(), "pct2(k=200)");
    /// assert!(!s.learns_steps());
    /// ```
    ///
    /// # Panics
    /// When `depth` is 0.
    pub fn pct_with_steps(depth: u32, steps: u64) -> Self {
        Self::pct_of(depth, Some(steps.max(1)))
    }

    fn pct_of(depth: u32, steps: Option<u64>) -> Self {
        assert!(
            depth >= 1,
            "Strategy::pct: depth must be at least 1 (the number of ordering constraints the bug \
             needs; 1 = one task must run before another), got 0"
        );
        let name = match steps {
            None => format!("pct{depth}"),
            Some(k) => format!("pct{depth}(k={k})"),
        };
        Strategy {
            name: Name::Shared(name.into()),
            kind: Kind::Pct { depth, steps },
        }
    }

    /// True when the strategy (or a member of a portfolio) still has to learn a parameter from
    /// the program: a [`Strategy::pct`] whose `k` is not fixed.
    ///
    /// ```
    /// use sim::Strategy;
    /// assert!(Strategy::pct(2).learns_steps());
    /// assert!(Strategy::portfolio(vec![Strategy::random(), Strategy::pct(1)]).learns_steps());
    /// assert!(!Strategy::random().learns_steps());
    /// ```
    pub fn learns_steps(&self) -> bool {
        match &self.kind {
            Kind::Pct { steps, .. } => steps.is_none(),
            Kind::Portfolio(members) => members.iter().any(Strategy::learns_steps),
            _ => false,
        }
    }

    /// The strategy with what it learns fixed. When it [learns](Strategy::learns_steps), calls
    /// `run` once with a Fifo strategy that counts the scheduling points PCT counts; `run` must
    /// run the program under it (with whatever options and seed the caller sweeps with: the
    /// count is deterministic). Each unlearned PCT then gets that count as its `k`
    /// (`pct2` becomes `pct2(k=6)`, in a portfolio too), so the name says how to rebuild it.
    /// A strategy that learns nothing is returned as is and `run` is not called.
    ///
    /// ```
    /// use sim::{Sim, Strategy};
    /// let program = || async {
    ///     let t = sim::spawn(async { sim::task::maybe_yield().await });
    ///     sim::task::maybe_yield().await;
    ///     t.await.unwrap();
    /// };
    /// let learned = Strategy::portfolio(vec![Strategy::random(), Strategy::pct(2)]).learned(|fifo| {
    ///     Sim::builder().strategy(fifo).build().run(program()).unwrap();
    /// });
    /// assert_eq!(learned.name(), "portfolio(random,pct2(k=1))"); // main's maybe_yield, with t ready
    /// assert!(!learned.learns_steps());
    /// ```
    pub fn learned(&self, run: impl FnOnce(Strategy)) -> Strategy {
        if !self.learns_steps() {
            return self.clone();
        }
        let points = Rc::new(Cell::new(0));
        let out = points.clone();
        run(Strategy::custom("fifo", move |_| {
            pct::Learner::new(out.clone())
        }));
        self.with_steps(points.get().max(1))
    }

    /// Every unlearned PCT with `k = steps`.
    fn with_steps(&self, steps: u64) -> Strategy {
        match &self.kind {
            Kind::Pct { depth, steps: None } => Strategy::pct_with_steps(*depth, steps),
            Kind::Portfolio(members) => {
                Strategy::portfolio(members.iter().map(|m| m.with_steps(steps)).collect())
            }
            _ => self.clone(),
        }
    }

    /// Alternates `strategies` across seeds: seed `s` runs under `strategies[s % len]` (with
    /// seed `s`), so a sweep of consecutive seeds gives each its share.
    ///
    /// ```
    /// use sim::Strategy;
    /// let p = Strategy::portfolio(vec![Strategy::random(), Strategy::pct(3)]);
    /// assert_eq!(p.name(), "portfolio(random,pct3)");
    /// assert_eq!(p.pick(5).name(), "pct3");
    /// ```
    ///
    /// # Panics
    /// When `strategies` is empty.
    pub fn portfolio(strategies: Vec<Strategy>) -> Self {
        assert!(
            !strategies.is_empty(),
            "Strategy::portfolio needs at least one strategy to alternate, got an empty list"
        );
        let names: Vec<&str> = strategies.iter().map(Strategy::name).collect();
        Strategy {
            name: Name::Shared(format!("portfolio({})", names.join(",")).into()),
            kind: Kind::Portfolio(strategies.into()),
        }
    }

    /// The strategy that actually runs seed `seed`: itself, except for a portfolio, which
    /// answers its member for that seed.
    pub fn pick(&self, seed: u64) -> &Strategy {
        match &self.kind {
            Kind::Portfolio(members) => {
                let i = usize::try_from(seed % members.len() as u64).unwrap_or(0);
                members[i].pick(seed)
            }
            _ => self,
        }
    }

    /// The strategy's name, as reports print it (`fifo`, `random`, `replay`, …).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True for [`Strategy::fifo`].
    ///
    /// ```
    /// assert!(sim::Strategy::fifo().is_fifo());
    /// assert!(!sim::Strategy::random().is_fifo());
    /// ```
    pub fn is_fifo(&self) -> bool {
        matches!(self.kind, Kind::Fifo)
    }

    /// [`Strategy::build`], reusing `spare` (a scheduler this strategy built for an earlier run)
    /// when the strategy can reseed it in place: Random's can, so a sweep allocates none.
    pub(crate) fn build_reusing(
        &self,
        seed: u64,
        spare: Option<Box<dyn Scheduler>>,
    ) -> Box<dyn Scheduler> {
        if let Some(mut s) = spare.filter(|_| self.reuses_schedulers()) {
            if s.reseed(seed) {
                return s;
            }
        }
        self.build(seed)
    }

    /// True when this strategy's schedulers may serve another run through
    /// [`Strategy::build_reusing`].
    pub(crate) fn reuses_schedulers(&self) -> bool {
        matches!(self.kind, Kind::Random)
    }

    pub(crate) fn build(&self, seed: u64) -> Box<dyn Scheduler> {
        match &self.kind {
            Kind::Fifo => Box::new(fifo::Fifo),
            Kind::Random => Box::new(random::RandomScheduler::new(seed)),
            Kind::Replay { schedule, strict } => {
                Box::new(replay::Replay::new(schedule.clone(), *strict))
            }
            Kind::Custom(factory) => factory(seed),
            Kind::Pct { depth, steps } => Box::new(pct::Pct::new(
                seed,
                *depth,
                steps.unwrap_or(DEFAULT_PCT_STEPS),
            )),
            Kind::Portfolio(_) => self.pick(seed).build(seed),
        }
    }
}

impl Default for Strategy {
    /// [`Strategy::random`].
    fn default() -> Self {
        Strategy::random()
    }
}

impl fmt::Debug for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Strategy({})", &*self.name)
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}
