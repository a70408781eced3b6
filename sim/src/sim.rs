//! `Sim`: one deterministic execution of an async program.
//!
//! The loop, in full: fire due timers at the start of each round; ask the strategy which
//! runnable task to poll; poll it; when nothing is runnable, jump the clock to the earliest
//! deadline; when there is no deadline either and main has not returned, report a deadlock.
//! When main returns, drop every leftover task (their `Drop` guards run at that instant) and
//! report unobserved panics.

use std::future::Future;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use crate::builder::{Config, SimBuilder};
use crate::context;
use crate::core::{Core, Idle, describe_wait};
use crate::error::{BlockedTask, SimError, SimErrorKind};
use crate::options::RunOptions;
use crate::panic::{Panic, QuietGuard};
use crate::schedule::Strategy;
use crate::task::TaskId;
use crate::time::Instant;
use crate::trace::{EventKind, Trace};

/// Process-unique simulation numbers, so a waker from one run never wakes a task of another.
/// (Never part of a trace: it does not affect determinism.)
static NEXT_SIM_ID: AtomicU64 = AtomicU64::new(1);

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
        }
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.config.seed
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
        let sim_id = NEXT_SIM_ID.fetch_add(1, Ordering::Relaxed);
        let core = Rc::new(Core::new(sim_id, self.config.clone()));
        let Ok(_entered) = context::enter(core.clone()) else {
            return Err(nested_run(site));
        };
        let _quiet = QuietGuard::new();
        let (main_key, main_waker) = core.register_main(site);
        let mut main = Some(Box::pin(main));
        let mut output = None;

        let outcome: Result<(), SimError> = loop {
            // A divergence taken by `next_task`'s choice stops the run before that task runs.
            let next = core.next_task();
            if core.must_stop() {
                break Err(stop_error(&core));
            }
            let Some(key) = next else {
                match core.advance() {
                    Idle::Advanced => continue,
                    Idle::Deadlock => break Err(deadlock(&core)),
                    Idle::TimeLimit(at) => break Err(time_limit(&core, at)),
                }
            };
            if core.step() >= core.config.options.max_steps {
                break Err(step_limit(&core));
            }
            let Some((body, abort)) = core.begin_step(key) else {
                continue;
            };
            // Progress beacon hook (beacon.rs): written for watchers, never read by the run.
            if let Some(beacon) = &core.config.beacon {
                beacon.note_poll(key.id, core.step(), core.now(), || core.info(key.id));
            }
            let mut main_returned = false;
            if key == main_key {
                let Some(fut) = main.as_mut() else { continue };
                core.set_current(Some(key));
                core.event(EventKind::Poll);
                let mut cx = Context::from_waker(&main_waker);
                let res = catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(&mut cx)));
                match res {
                    Ok(Poll::Ready(v)) => {
                        core.event(EventKind::Complete);
                        output = Some(v);
                        main_returned = true;
                    }
                    Ok(Poll::Pending) => {}
                    Err(payload) => {
                        let p = Panic::from_payload(payload);
                        core.event(EventKind::Panicked {
                            message: p.message().to_string(),
                        });
                        core.set_current(None);
                        break Err(main_panicked(&core, p));
                    }
                }
                core.set_current(None);
            } else if let Some(body) = body {
                if abort {
                    core.run_abort(key, body);
                } else {
                    core.run_task(key, body);
                }
            }
            let busy = core.take_poll_busy();
            if busy > core.config.options.max_poll_nanos() {
                break Err(starvation(&core, key.id, busy));
            }
            if main_returned {
                break Ok(());
            }
            // A divergence or foreign wake during this poll stops the run before the next choice.
            if core.must_stop() {
                break Err(stop_error(&core));
            }
        };
        // A divergence or foreign wake noticed during main's last poll must not be lost just
        // because main returned in that same poll.
        if outcome.is_ok() {
            core.finish_schedule();
        }
        let outcome = match outcome {
            Ok(()) if core.must_stop() => Err(stop_error(&core)),
            other => other,
        };

        // Main's future goes first (it may hold guards the others wait on), as main.
        core.set_current(Some(main_key));
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| drop(main.take()))) {
            core.record_panic(TaskId::MAIN, payload, None, "in Drop of main's future");
        }
        core.set_current(None);
        let leftovers = core.shutdown();
        let result = match outcome {
            Ok(()) => match unobserved_panic(&core) {
                Some(e) => Err(e),
                None if leftovers > 0 && core.config.options.fail_on_leftover_tasks => {
                    Err(leftover_error(&core, leftovers))
                }
                None => Ok(output.expect("main completed")),
            },
            Err(e) => Err(e),
        };
        self.trace = core.take_trace();
        result
    }
}

fn error(core: &Core, kind: SimErrorKind, headline: String) -> SimError {
    SimError::new(kind, core.now(), core.step(), headline)
}

fn nested_run(site: &'static Location<'static>) -> SimError {
    SimError::new(
        SimErrorKind::NestedRun,
        Instant::ZERO,
        0,
        format!(
            "Sim::run called at {}:{} inside a running simulation; nothing was run",
            site.file(),
            site.line()
        ),
    )
    .with_help(
        "a simulation runs one program on one thread: `.await` the future inside the running \
         simulation (or `sim::spawn` it) instead of starting another run",
    )
}

fn deadlock(core: &Core) -> SimError {
    let mut e = error(
        core,
        SimErrorKind::Deadlock,
        format!(
            "deadlock at t={} (step {}): no task can run and no timer will fire, but main has \
             not returned",
            core.now(),
            core.step()
        ),
    )
    .with_help(
        "each task above waits for something no running task will provide: a lock held \
         across an await, a channel whose other end is idle, a JoinHandle of a task that \
         waits for its joiner, or a sleep with no end",
    );
    e.repr_mut().blocked = core
        .blocked_tasks()
        .into_iter()
        .filter_map(|(id, waits)| {
            Some(BlockedTask {
                task: core.info(id)?,
                waits: waits.iter().map(|w| describe_wait(core, w)).collect(),
            })
        })
        .collect();
    e
}

fn step_limit(core: &Core) -> SimError {
    let recent: Vec<String> = core
        .recent_tasks()
        .into_iter()
        .map(|t| core.label(t))
        .collect();
    error(
        core,
        SimErrorKind::StepLimit,
        format!(
            "step limit reached: {} task polls at t={} without main returning",
            core.config.options.max_steps,
            core.now()
        ),
    )
    .with_detail(format!("the last polls ran: {}", recent.join(", ")))
    .with_detail(format!(
        "{} tasks alive, {} timers pending",
        core.live_tasks(),
        core.timers_pending()
    ))
    .with_help(
        "a task that never waits for time or another task (a spin loop on yield_now or \
         maybe_yield?) keeps the clock from moving; if the program really needs more steps, \
         raise the limit with SimBuilder::max_steps",
    )
}

fn time_limit(core: &Core, next: Instant) -> SimError {
    error(
        core,
        SimErrorKind::TimeLimit,
        format!(
            "virtual-time limit reached: the next timer is due at t={next}, past the limit of t={}",
            Instant::from_nanos(core.config.options.max_time_nanos())
        ),
    )
    .with_detail(format!(
        "{} tasks alive, {} timers pending",
        core.live_tasks(),
        core.timers_pending()
    ))
    .with_help(
        "a loop that sleeps or ticks an interval forever keeps the run going; stop it when \
         main is done, or raise the limit with SimBuilder::max_time",
    )
}

fn main_panicked(core: &Core, p: Panic) -> SimError {
    let mut e = error(
        core,
        SimErrorKind::MainPanicked,
        format!(
            "main panicked at t={} (step {}): {p}",
            core.now(),
            core.step()
        ),
    );
    let r = e.repr_mut();
    r.task = core.info(TaskId::MAIN);
    r.panic_message = Some(p.message().to_string());
    r.panic = Some(p);
    e
}

fn unobserved_panic(core: &Core) -> Option<SimError> {
    if !core.config.options.fail_on_unobserved_panic {
        return None;
    }
    let panics = core.panics.borrow();
    let unobserved: Vec<_> = panics
        .iter()
        .filter(|p| !p.observer.as_ref().is_some_and(|o| o.observed()))
        .collect();
    let first = unobserved.first()?;
    let info = core.info(first.task);
    let label = core.label(first.task);
    let at = first
        .location
        .as_deref()
        .map(|l| format!(" at {l}"))
        .unwrap_or_default();
    let mut e = SimError::new(
        SimErrorKind::UnobservedPanic,
        first.time,
        first.step,
        format!(
            "task {label} panicked at t={} (step {}) and nobody awaited it: '{}'{at}",
            first.time, first.step, first.message
        ),
    );
    if let Some(i) = &info {
        e = e.with_detail(format!(
            "{label} was spawned at {}:{}",
            i.spawned_at.file(),
            i.spawned_at.line()
        ));
    }
    for other in unobserved.iter().skip(1) {
        e = e.with_detail(format!(
            "also: task {} panicked at t={}: '{}'",
            core.label(other.task),
            other.time,
            other.message
        ));
    }
    let help = if first.context.is_empty() {
        "await the task's JoinHandle to handle its failure, or build the Sim with \
         fail_on_unobserved_panic(false) if losing it is intended"
    } else {
        "a Drop implementation panicked; Drop runs when a task is aborted, finishes or is \
         dropped at shutdown, and must not panic"
    };
    let r = e.repr_mut();
    r.task = info;
    r.panic_message = Some(first.message.clone());
    drop(panics);
    Some(e.with_help(help))
}

fn leftover_error(core: &Core, n: usize) -> SimError {
    error(
        core,
        SimErrorKind::LeftoverTasks,
        format!("main returned at t={} with {n} task(s) still running; they were dropped", core.now()),
    )
    .with_help("await or abort every task before main returns, or allow leftovers with fail_on_leftover_tasks(false)")
}

fn starvation(core: &Core, task: TaskId, busy: u64) -> SimError {
    let label = core.label(task);
    let mut e = error(
        core,
        SimErrorKind::Starvation,
        format!(
            "task {label} held the executor for {} of CPU-bound work in one poll (limit {}), ending at t={}",
            Instant::from_nanos(busy),
            Instant::from_nanos(core.config.options.max_poll_nanos()),
            core.now()
        ),
    )
    .with_help(
        "no other task can run while one computes without awaiting: split the work with \
         yield_now between chunks, or move it off the event loop",
    );
    e.repr_mut().task = core.info(task);
    e
}

fn stop_error(core: &Core) -> SimError {
    if let Some(d) = core.divergence.borrow().clone() {
        return error(
            core,
            SimErrorKind::Diverged,
            format!(
                "replay diverged at step {} (t={}): {d}",
                core.step(),
                core.now()
            ),
        )
        .with_help(
            "the program, its inputs or seedloop changed since the schedule was recorded; \
             re-run the seed sweep to find a fresh failing schedule",
        );
    }
    error(
        core,
        SimErrorKind::ForeignWake,
        format!(
            "a simulated task's waker was woken from thread `{}` at t={} (step {})",
            core.foreign.thread(),
            core.now(),
            core.step()
        ),
    )
    .with_help(
        "something outside the simulation (a real thread, a tokio runtime, a blocking pool) holds \
         a simulated task's waker; runs would depend on real thread timing. Use sim:: primitives \
         inside the simulation",
    )
}
