//! The state of one run, and the operations every other part of `rt` builds on.
//!
//! Invariants, which every method keeps:
//! - No `RefCell` borrow is held while user code runs (a poll, a `Drop`, a waker call): state is
//!   taken out, the user code runs, the state is put back. User code may therefore call any `sim`
//!   API re-entrantly.
//! - A task is in the ready queue at most once, exactly when its slot says `scheduled`.
//! - Every choice with more than one option goes through the scheduler and is recorded.
//! - Time only changes in [`Core::advance`], when nothing is runnable, and in [`Core::block`],
//!   which models CPU-bound work holding the executor.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, VecDeque};
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;

use super::hosts::World;
use super::ready::{ReadyQueue, TaskKey};
use super::spare::{self, KEEP};
use super::streams::ValueStream;
use super::table::TaskTable;
use super::timers::TimerQueue;
use super::waker::{ForeignWakes, WakerId, WakerPool};
use super::{RunSetup, Scheduler};
use crate::model::{
    Beacon, Decision, Divergence, EventKind, Fnv, Instant, Known, Recorder, RunOptions, TaskId,
    TaskInfo, Trace, TraceEvent, TraceLevel,
};

/// A task panic, kept until the end of the run to see whether anybody observed it.
pub(crate) struct PanicRecord {
    pub(crate) task: TaskId,
    pub(crate) time: Instant,
    pub(crate) step: u64,
    pub(crate) message: String,
    pub(crate) location: Option<String>,
    /// Its joiner took the `JoinError`. A panic in `Drop` can never be observed.
    pub(crate) observed: bool,
    /// Where the failure started: this task, or the task whose `JoinError` it unwrapped.
    pub(crate) origin: TaskId,
    /// Why the panic happened where it did: empty for a poll, else e.g. "in Drop at shutdown".
    pub(crate) context: &'static str,
    /// A panic in `Drop` while the task was being aborted, whose joiner took the task's
    /// `JoinError` (Cancelled): somebody awaited the task, the panic itself reached nobody.
    pub(crate) joiner_saw_cancel: bool,
}

/// A task panic handed to the task being polled (a `JoinError` it took from a handle), kept
/// for the rest of that poll to tell what a panic of the poller was caused by.
pub(crate) struct Delivered {
    /// Where that panic started.
    pub(crate) origin: TaskId,
    /// The `JoinError`'s text, as `unwrap`/`expect` quote it.
    pub(crate) text: String,
    /// The panic's message, as `resume_unwind` re-raises it.
    pub(crate) message: String,
}

/// An await of a `sim` operation: what the step-limit error names as the await a spin loop
/// spins on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Await {
    /// The task that awaited.
    pub(crate) task: TaskId,
    /// The operation, e.g. `maybe_yield` or `Mutex::lock`.
    pub(crate) op: &'static str,
    /// The line that created the awaited future, when the operation knows it.
    pub(crate) site: Option<&'static Location<'static>>,
}

/// A task that ended, its info kept until nothing the run keeps can name it any more.
pub(crate) struct Retiring {
    pub(crate) task: TaskId,
    /// The step it ended at.
    pub(crate) step: u64,
    /// Events recorded when it ended (at [`TraceLevel::Full`]): the kept events that name it
    /// are among them.
    pub(crate) events: u64,
}

/// Steps after its end an ended task's info is kept at least: the step-limit error names the
/// tasks of the last eight polls.
pub(crate) const RECENT_STEPS: u64 = 8;

/// Why the executor found nothing to run.
pub(crate) enum Idle {
    /// The clock moved to the next deadline; keep going.
    Advanced,
    /// No timer will ever fire.
    Deadlock,
    /// The next deadline lies past the time limit.
    TimeLimit(Instant),
}

/// One run's state. Only `rt` touches it; everything else calls its methods through
/// [`super::context`].
pub(crate) struct Core {
    /// A process-unique number for this run: a waker, handle or timer from another run compares
    /// it and leaves this one alone. Never part of a trace.
    pub(super) sim_id: u64,
    /// The wakes that came from other threads while the run ran, shared with every task waker.
    pub(super) foreign: Arc<ForeignWakes>,
    /// The limits and policies the verdict depends on.
    pub(super) options: RunOptions,
    /// Virtual time, in nanoseconds since the run began.
    pub(super) now: Cell<u64>,
    /// Task polls so far (the step in progress while a task runs).
    pub(super) step: Cell<u64>,
    /// Steps toward the step limit: task polls plus awaits of `sim` operations that could
    /// complete at once (preemption points), switching or not, so that a spin loop on an await
    /// that never blocks reaches the limit too. Trace step numbers stay polls.
    pub(super) awaits: Cell<u64>,
    /// The last await of a `sim` operation, for the step-limit error.
    pub(super) last_await: Cell<Option<Await>>,
    /// The task being polled, or `None` when the executor itself acts (timers, the clock).
    pub(super) current: Cell<Option<TaskKey>>,
    /// The task being polled and the waker it was given (see [`WakerId`]); `None` between
    /// polls.
    pub(super) current_waker: Cell<Option<(TaskKey, WakerId)>>,
    /// Every task of the run, with its state and flags.
    pub(super) tasks: RefCell<TaskTable>,
    /// The task wakers by slot, reused from task to task and from run to run.
    pub(super) wakers: RefCell<WakerPool>,
    /// Tasks spawned so far, main included: the next task's id.
    pub(super) spawned: Cell<u64>,
    /// Ended tasks whose infos the trace keeps for now, in the order they ended (see
    /// [`Core::retire_task`]).
    pub(super) retiring: RefCell<VecDeque<Retiring>>,
    /// Tasks that panicked: their infos stay to the end, for the unobserved-panic check.
    pub(super) panicked: RefCell<BTreeSet<TaskId>>,
    /// The info of the task of `last_await`, once the trace let it go (the step-limit error
    /// names it).
    pub(super) last_awaiter: RefCell<Option<TaskInfo>>,
    /// The runnable tasks, in canonical order (what the scheduler chooses among).
    pub(super) ready: RefCell<ReadyQueue>,
    /// Pending timers by (deadline, registration).
    pub(super) timers: RefCell<TimerQueue>,
    /// The strategy: asked at every choice with more than one option.
    pub(super) sched: RefCell<Box<dyn Scheduler>>,
    /// The run's seed, for the streams below.
    pub(super) seed: u64,
    /// The seed's stream for the random values user code draws (seeded at the first draw: most
    /// runs draw none).
    pub(super) values: RefCell<Option<Box<ValueStream>>>,
    /// The seed's stream for injected faults, apart so faults do not shift user values.
    #[cfg_attr(
        not(any(feature = "net", feature = "fs")),
        expect(dead_code, reason = "drawn from by the net and fs features")
    )]
    pub(super) faults: RefCell<Option<Box<ValueStream>>>,
    /// What the run records: decisions and task infos (the events are in `recorder` until the
    /// run ends).
    pub(super) trace: RefCell<Trace>,
    /// The events, at [`TraceLevel::Full`]: the most recent ones, compactly.
    pub(super) recorder: RefCell<Recorder>,
    /// The task a preemption point switched to: the next step runs it without a new choice.
    pub(super) forced: Cell<Option<TaskKey>>,
    /// Tasks still to poll in the current round; at 0 a new round starts, due timers first.
    pub(super) round_left: Cell<usize>,
    /// The first decision a replayed schedule could not fit; stops the run.
    pub(super) divergence: RefCell<Option<Divergence>>,
    /// Set with `divergence`: the loop stops before its next step.
    pub(super) stop: Cell<bool>,
    /// Tasks whose later panics count as observed: children a `gather` stopped listening to
    /// after it propagated a sibling's failure (asyncio marks them retrieved).
    pub(super) adopted: RefCell<Vec<TaskId>>,
    /// Every task panic so far, for the unobserved-panic check at the end.
    pub(super) panics: RefCell<Vec<PanicRecord>>,
    /// Task panics handed to the task in this poll (cleared when a poll starts).
    pub(super) delivered: RefCell<Vec<Delivered>>,
    /// `delivered` is not empty (a flag, so the usual poll does not touch the list).
    pub(super) delivered_any: Cell<bool>,
    /// A hash of the id of the task polled at each step (equal for equal interleavings).
    pub(super) interleaving: Cell<u64>,
    /// Polls that returned `Pending` with no `sim` wait noted and no wake-up pending: the task
    /// awaited a future `sim` does not control (see [`RunStats::foreign_awaits`]).
    ///
    /// [`RunStats::foreign_awaits`]: crate::model::RunStats::foreign_awaits
    pub(super) foreign_awaits: Cell<u64>,
    /// The last eight tasks polled, indexed by step modulo 8.
    pub(super) recent: [Cell<Option<TaskId>>; 8],
    /// Nanoseconds of `block_for` in the poll in progress (the starvation check).
    pub(super) poll_busy: Cell<u64>,
    /// True at [`TraceLevel::Full`]: events are recorded.
    pub(super) full: bool,
    /// Bytes of encoded decisions the run keeps (past them it counts them).
    pub(super) schedule_budget: usize,
    /// Events the run keeps (the most recent).
    pub(super) keep_events: usize,
    /// Where every event goes as a text line, if anywhere.
    pub(super) sink: Option<crate::model::Sink>,
    /// The run's hosts and what `net` and `fs` attach to them.
    pub(super) world: RefCell<World>,
    /// Where the run publishes its progress for watchers on other threads (never read here).
    pub(super) beacon: Option<Arc<Beacon>>,
}

impl Core {
    /// The state for a new run: the one the last run on this thread left ([`super::spare`]),
    /// reset in place, else a new one. Its trace takes `last`'s buffers (emptied), leaving an
    /// empty trace there.
    pub(super) fn start(sim_id: u64, setup: RunSetup, last: &mut Trace) -> Rc<Core> {
        let mut core = spare::take()
            .filter(|c| Rc::strong_count(c) == 1 && Rc::weak_count(c) == 0)
            .unwrap_or_else(|| Rc::new(Core::new(&setup)));
        let c = Rc::get_mut(&mut core).expect("a new or retired state is not shared");
        std::mem::swap(c.trace.get_mut(), last);
        c.reset(sim_id, setup);
        core
    }

    /// A state as [`Core::retire`] leaves one, to be [reset](Core::reset) for its run.
    fn new(setup: &RunSetup) -> Self {
        Core {
            sim_id: 0,
            foreign: Arc::new(ForeignWakes::new(0, std::thread::current().id())),
            options: setup.options.clone(),
            now: Cell::new(0),
            step: Cell::new(0),
            awaits: Cell::new(0),
            last_await: Cell::new(None),
            current: Cell::new(None),
            current_waker: Cell::new(None),
            tasks: RefCell::default(),
            wakers: RefCell::default(),
            spawned: Cell::new(0),
            retiring: RefCell::default(),
            panicked: RefCell::default(),
            last_awaiter: RefCell::new(None),
            ready: RefCell::default(),
            timers: RefCell::default(),
            sched: RefCell::new(Box::new(Retired)),
            seed: 0,
            values: RefCell::new(None),
            faults: RefCell::new(None),
            trace: RefCell::default(),
            recorder: RefCell::default(),
            forced: Cell::new(None),
            round_left: Cell::new(0),
            divergence: RefCell::new(None),
            stop: Cell::new(false),
            adopted: RefCell::default(),
            panics: RefCell::default(),
            delivered: RefCell::default(),
            delivered_any: Cell::new(false),
            interleaving: Cell::new(0),
            foreign_awaits: Cell::new(0),
            recent: Default::default(),
            poll_busy: Cell::new(0),
            full: false,
            schedule_budget: 0,
            keep_events: 0,
            sink: None,
            world: RefCell::default(),
            beacon: None,
        }
    }

    /// Makes a retired run's state (see [`Core::retire`], which emptied its buffers and
    /// dropped what the run held) what [`Core::new`] makes, keeping the buffers' capacity. Every
    /// field is named, so a new field must be considered here (and in `retire`) too.
    fn reset(&mut self, sim_id: u64, setup: RunSetup) {
        let Core {
            sim_id: id,
            foreign,
            options,
            now,
            step,
            awaits,
            last_await,
            current,
            current_waker,
            tasks,
            wakers,
            spawned,
            retiring,
            panicked,
            last_awaiter,
            ready,
            timers,
            sched,
            seed,
            values,
            faults,
            trace,
            recorder,
            forced,
            round_left,
            divergence,
            stop,
            adopted,
            panics,
            delivered,
            delivered_any,
            interleaving,
            foreign_awaits,
            recent,
            poll_busy,
            full,
            schedule_budget,
            keep_events,
            sink,
            world,
            beacon,
        } = self;
        // Emptied by `retire`.
        debug_assert!(tasks.get_mut().is_empty() && ready.get_mut().is_empty());
        debug_assert!(timers.get_mut().live() == 0 && retiring.get_mut().is_empty());
        debug_assert!(panicked.get_mut().is_empty() && last_awaiter.get_mut().is_none());
        debug_assert!(values.get_mut().is_none() && faults.get_mut().is_none());
        debug_assert!(divergence.get_mut().is_none() && adopted.get_mut().is_empty());
        debug_assert!(panics.get_mut().is_empty() && delivered.get_mut().is_empty());
        debug_assert!(sink.is_none() && beacon.is_none());
        // Kept as `retire` left it: its wakers are reused once the run's `foreign` is known.
        let _ = (world, wakers);
        *id = sim_id;
        let owner = std::thread::current().id();
        // Reused only when no waker of the last run is left anywhere.
        match Arc::get_mut(foreign) {
            Some(w) => w.reset(sim_id, owner),
            None => *foreign = Arc::new(ForeignWakes::new(sim_id, owner)),
        }
        *options = setup.options;
        now.set(0);
        step.set(0);
        awaits.set(0);
        last_await.set(None);
        current.set(None);
        current_waker.set(None);
        spawned.set(0);
        *sched.get_mut() = setup.scheduler;
        *seed = setup.seed;
        trace.get_mut().clear_for(setup.level, KEEP, SCHEDULE_BYTES);
        *recorder.get_mut() = Recorder::default();
        forced.set(None);
        round_left.set(0);
        stop.set(false);
        delivered_any.set(false);
        interleaving.set(Fnv::new().finish());
        foreign_awaits.set(0);
        for r in recent.iter() {
            r.set(None);
        }
        poll_busy.set(0);
        *full = setup.level == TraceLevel::Full;
        *schedule_budget = setup.schedule_budget;
        *keep_events = setup.keep_events;
        *sink = setup.sink;
        *beacon = setup.beacon;
    }

    /// The run's scheduler, for another run to reuse; the state keeps one that is never asked.
    pub(super) fn take_scheduler(&self) -> Box<dyn Scheduler> {
        std::mem::replace(&mut *self.sched.borrow_mut(), Box::new(Retired))
    }

    /// The run is over (every task dropped, the trace taken, no other reference to the state
    /// left but stray ones): empties its state of everything the run held (the scheduler, the
    /// hosts, the sink, the beacon are dropped now, as when the state itself was dropped) and
    /// leaves it to the next run on this thread. State something still refers to (a socket
    /// kept past the run) is dropped instead, when that goes.
    pub(super) fn retire(mut core: Rc<Core>) {
        let Some(c) = Rc::get_mut(&mut core) else {
            return;
        };
        c.tasks.get_mut().clear_keeping(KEEP);
        c.wakers.get_mut().retire();
        c.ready.get_mut().clear_keeping(KEEP);
        c.timers.get_mut().clear_keeping(KEEP);
        clear_keeping_deque(c.retiring.get_mut());
        c.panicked.get_mut().clear();
        *c.last_awaiter.get_mut() = None;
        *c.sched.get_mut() = Box::new(Retired);
        *c.values.get_mut() = None;
        *c.faults.get_mut() = None;
        *c.divergence.get_mut() = None;
        clear_keeping_vec(c.adopted.get_mut());
        clear_keeping_vec(c.panics.get_mut());
        clear_keeping_vec(c.delivered.get_mut());
        c.sink = None;
        *c.world.get_mut() = World::default();
        c.beacon = None;
        spare::give(core);
    }

    // ----- identity, clock ------------------------------------------------------------------

    /// This run's process-unique number.
    #[inline]
    pub(crate) fn sim_id(&self) -> u64 {
        self.sim_id
    }

    #[inline]
    pub(crate) fn now(&self) -> Instant {
        Instant::from_nanos(self.now.get())
    }

    #[inline]
    pub(crate) fn step(&self) -> u64 {
        self.step.get()
    }

    /// True once the run took as many steps as its limit allows.
    #[inline]
    pub(crate) fn at_step_limit(&self) -> bool {
        self.awaits.get() >= self.options.max_steps
    }

    /// Counts an await of `op` (created at `site`) by the current task toward the step limit.
    /// Returns true when that reaches the limit: the caller then ends the poll (`Pending`) so
    /// the run can stop, even in a loop that never suspends.
    #[inline]
    pub(crate) fn count_await(
        &self,
        op: &'static str,
        site: Option<&'static Location<'static>>,
    ) -> bool {
        let n = self.awaits.get() + 1;
        self.awaits.set(n);
        self.last_await.set(Some(Await {
            task: self.current_id(),
            op,
            site,
        }));
        n >= self.options.max_steps
    }

    /// Notes an await of `op` that always suspends (its poll is the step that counts).
    #[inline]
    pub(crate) fn note_await(&self, op: &'static str, site: Option<&'static Location<'static>>) {
        self.last_await.set(Some(Await {
            task: self.current_id(),
            op,
            site,
        }));
    }

    /// Wakes `waker` (the context's of the future being polled): when it is the polled task's
    /// own, by rescheduling that task directly, else through the waker. The effect is the
    /// same; the direct way skips the waker's lookup of this thread's simulation.
    #[inline]
    pub(crate) fn wake_by(&self, waker: &Waker) {
        match self.current_waker.get() {
            Some((key, id)) if id == WakerId::of(waker) => self.wake(key),
            _ => waker.wake_by_ref(),
        }
    }

    /// The task being polled (main's id between polls, when the executor acts for nobody).
    #[inline]
    pub(crate) fn current_id(&self) -> TaskId {
        self.current.get().map_or(TaskId::MAIN, |k| k.id())
    }

    #[inline]
    pub(crate) fn is_full(&self) -> bool {
        self.full
    }

    /// `name#id` of a task (`task#id` once nothing keeps its info: see [`Core::retire_task`]).
    pub(crate) fn label(&self, id: TaskId) -> String {
        match self.info(id) {
            Some(info) => info.label(),
            None => id.to_string(),
        }
    }

    /// What is known of a task: see [`Core::retire_task`] for how long.
    pub(crate) fn info(&self, id: TaskId) -> Option<TaskInfo> {
        if let Some(info) = self.trace.borrow().task(id) {
            return Some(info.clone());
        }
        self.last_awaiter
            .borrow()
            .as_ref()
            .filter(|i| i.id == id)
            .cloned()
    }

    /// Keeps the info of a new task (its id is the next one) and its slot.
    pub(super) fn keep_info(&self, info: TaskInfo, slot: u32) {
        let id = info.id.as_u64();
        debug_assert_eq!(id, self.spawned.get());
        self.spawned.set(id + 1);
        self.trace
            .borrow_mut()
            .tasks
            .insert(id, Known { info, slot });
    }

    /// Task `id` ended for good. Its info (name, spawn site) stays while anything the run keeps
    /// can still name it: the events kept at [`TraceLevel::Full`] (all of them are recorded by
    /// now), the step-limit error's last polls ([`RECENT_STEPS`]), the unobserved-panic check
    /// (a task that panicked keeps its info). Then the trace lets it go, so that what a run
    /// keeps follows the tasks alive, not every task it spawned. Also lets go of the infos of
    /// the tasks that ended before and are no longer named.
    pub(super) fn retire_task(&self, id: TaskId) {
        let step = self.step.get();
        let (recorded, dropped) = if self.full {
            let r = self.recorder.borrow();
            (r.recorded(), r.dropped())
        } else {
            (0, 0)
        };
        let mut retiring = self.retiring.borrow_mut();
        retiring.push_back(Retiring {
            task: id,
            step,
            events: recorded,
        });
        while let Some(r) = retiring.front() {
            if r.step + RECENT_STEPS > step || r.events > dropped {
                break;
            }
            let task = r.task;
            retiring.pop_front();
            if self.panicked.borrow().contains(&task) {
                continue;
            }
            let known = self.trace.borrow_mut().tasks.remove(task.as_u64());
            if self.last_await.get().is_some_and(|a| a.task == task) {
                *self.last_awaiter.borrow_mut() = known.map(|k| k.info);
            }
        }
    }

    /// The last (up to) 8 tasks polled, oldest first.
    pub(super) fn recent_tasks(&self) -> Vec<TaskId> {
        let step = self.step.get();
        (0..8u64)
            .rev()
            .filter_map(|back| step.checked_sub(back))
            .filter_map(|s| self.recent[(s % 8) as usize].get())
            .collect()
    }

    // ----- trace ----------------------------------------------------------------------------

    /// Records an event at [`TraceLevel::Full`]. Always inlined so that at `Decisions` a call
    /// costs a test of one flag, with no event built and none dropped (out of line, the unused
    /// event goes through `EventKind`'s drop glue).
    #[inline(always)]
    pub(crate) fn event(&self, kind: EventKind) {
        if self.full {
            self.push_event(kind);
        } else if owns_heap(&kind) {
            drop(kind);
        } else {
            // Nothing to free: skip the call to `EventKind`'s drop glue, which the optimizer
            // does not see through, on the path every step takes.
            std::mem::forget(kind);
        }
    }

    #[inline(never)]
    fn push_event(&self, kind: EventKind) {
        let step = self.step.get();
        let time = self.now();
        let task = self.current.get().map(|k| k.id());
        if let Some(sink) = &self.sink {
            let e = TraceEvent {
                step,
                time,
                task,
                kind,
            };
            let line = self.trace.borrow().render(&e);
            // A sink that records into this run again (a log line) is not re-entered.
            if let Ok(mut sink) = sink.try_borrow_mut() {
                (*sink)(&line);
            }
            self.recorder
                .borrow_mut()
                .record(step, time, task, e.kind, self.keep_events);
        } else {
            self.recorder
                .borrow_mut()
                .record(step, time, task, kind, self.keep_events);
        }
    }

    /// Records decision `d` and its event. (`next_task` does the same in place, under the
    /// borrow of the trace its choice already holds.)
    #[inline(always)]
    pub(super) fn decided(&self, d: Decision) {
        self.trace
            .borrow_mut()
            .schedule
            .record(d, self.schedule_budget);
        self.event(EventKind::Decision(d));
    }

    /// Decisions taken so far (kept or not).
    pub(crate) fn decisions_taken(&self) -> u64 {
        let t = self.trace.borrow();
        t.schedule.len() as u64 + t.schedule.omitted()
    }

    pub(super) fn diverge(&self, d: Divergence) {
        self.divergence.borrow_mut().get_or_insert(d);
        self.stop.set(true);
    }

    /// True when the run must stop before the next step (divergence, foreign wake).
    #[inline]
    pub(super) fn must_stop(&self) -> bool {
        self.stop.get() || self.foreign.is_flagged()
    }

    /// Hands the trace so far, with its counters, to `out` (in place: a trace is a few hundred
    /// bytes), leaving `out`'s old one here.
    pub(super) fn take_trace_into(&self, out: &mut Trace) {
        let mut t = self.trace.borrow_mut();
        if self.full {
            let recorded = std::mem::take(&mut *self.recorder.borrow_mut()).finish();
            t.events = recorded.events;
            t.dropped = recorded.dropped;
            t.dropped_hash = recorded.dropped_hash;
        }
        t.stats.steps = self.step.get();
        t.stats.tasks = self.spawned.get();
        t.stats.end_time = self.now();
        t.stats.interleaving = self.interleaving.get();
        t.stats.foreign_awaits = self.foreign_awaits.get();
        std::mem::swap(&mut *t, out);
    }
}

/// Room for encoded decisions a run's schedule starts with.
const SCHEDULE_BYTES: usize = 64;

/// The scheduler a retired run's state holds: the run's own is dropped when it ends (a custom
/// one may hold the user's state). Never asked anything.
struct Retired;

impl Scheduler for Retired {
    fn choose_task(&mut self, _: crate::rt::Runnable<'_>) -> crate::rt::Choice<usize> {
        Ok(0)
    }
    fn choose_preemption(
        &mut self,
        _: TaskId,
        _: crate::rt::Runnable<'_>,
    ) -> crate::rt::Choice<Option<usize>> {
        Ok(None)
    }
    fn choose_branch(&mut self, _: u32) -> crate::rt::Choice<u32> {
        Ok(0)
    }
}

/// Empties `v`, keeping its buffer unless it grew past [`KEEP`] entries.
fn clear_keeping_vec<T>(v: &mut Vec<T>) {
    if v.capacity() > KEEP {
        *v = Vec::new();
    } else {
        v.clear();
    }
}

/// Empties `v`, keeping its buffer unless it grew past [`KEEP`] entries.
fn clear_keeping_deque<T>(v: &mut VecDeque<T>) {
    if v.capacity() > KEEP {
        *v = VecDeque::new();
    } else {
        v.clear();
    }
}

/// True for the kinds that own memory (a text, a name): the others need no drop. Every kind is
/// listed, so a new one must be classed here.
#[inline(always)]
fn owns_heap(kind: &EventKind) -> bool {
    match kind {
        EventKind::Panicked { .. }
        | EventKind::Log(_)
        | EventKind::Op { .. }
        | EventKind::Wait { .. }
        | EventKind::Signal { .. } => true,
        EventKind::Spawn { .. }
        | EventKind::Poll
        | EventKind::Wake { .. }
        | EventKind::Yield
        | EventKind::Sleep { .. }
        | EventKind::TimerFired { .. }
        | EventKind::ClockAdvanced { .. }
        | EventKind::Complete
        | EventKind::AbortRequested { .. }
        | EventKind::Aborted
        | EventKind::Decision(_)
        | EventKind::Leftover
        | EventKind::Blocked { .. } => false,
    }
}
