//! The state of one execution and every operation on it.
//!
//! Invariants, which every method keeps:
//! - No `RefCell` borrow is held while user code runs (a poll, a `Drop`, a waker call): state is
//!   taken out, the user code runs, the state is put back. User code may therefore call any `sim`
//!   API re-entrantly.
//! - A task is in the ready queue at most once, exactly when its slot says `scheduled`.
//! - Every choice with more than one option goes through the scheduler and is recorded.
//! - Time only changes in [`Core::advance`], when nothing is runnable, and in [`Core::block`],
//!   which models CPU-bound work holding the executor.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use rand_chacha::ChaCha8Rng;

use crate::builder::Config;
use crate::model::Fnv;
use crate::rt::panic_hook;
use crate::schedule::{Decision, Divergence, STREAM_FAULTS, STREAM_VALUES, Scheduler, seeded_rng};
use crate::task::raw::{Observed, RawTask};
use crate::task::table::{Body, TaskTable, WaitKind, Waiting};
use crate::task::waker::{ForeignWakes, TaskWaker};
use crate::task::{JoinError, ReadyQueue, TaskId, TaskInfo, TaskKey};
use crate::time::Instant;
use crate::time::timer_queue::TimerQueue;
use crate::trace::{Event, EventKind, Trace, TraceLevel};

mod choose;
mod clock;

/// A task panic, kept until the end of the run to see whether anybody observed it.
pub(crate) struct PanicRecord {
    pub(crate) task: TaskId,
    pub(crate) time: Instant,
    pub(crate) step: u64,
    pub(crate) message: String,
    pub(crate) location: Option<String>,
    /// `None` when nobody could ever observe it (a panic in `Drop` during an abort).
    pub(crate) observer: Option<Rc<dyn Observed>>,
    pub(crate) context: &'static str,
}

/// Why the executor found nothing to run.
pub(crate) enum Idle {
    /// The clock moved to the next deadline; keep going.
    Advanced,
    /// No timer will ever fire.
    Deadlock,
    /// The next deadline lies past the time limit.
    TimeLimit(Instant),
}

pub(crate) struct Core {
    pub(crate) sim_id: u64,
    pub(crate) foreign: Arc<ForeignWakes>,
    pub(crate) config: Config,
    now: Cell<u64>,
    step: Cell<u64>,
    current: Cell<Option<TaskKey>>,
    tasks: RefCell<TaskTable>,
    ready: RefCell<ReadyQueue>,
    pub(crate) timers: RefCell<TimerQueue>,
    sched: RefCell<Box<dyn Scheduler>>,
    values: RefCell<ChaCha8Rng>,
    faults: RefCell<ChaCha8Rng>,
    trace: RefCell<Trace>,
    forced: Cell<Option<TaskKey>>,
    round_left: Cell<usize>,
    pub(crate) divergence: RefCell<Option<Divergence>>,
    stop: Cell<bool>,
    pub(crate) panics: RefCell<Vec<PanicRecord>>,
    interleaving: Cell<u64>,
    recent: RefCell<[Option<TaskId>; 8]>,
    /// Nanoseconds of `block_for` in the poll in progress.
    poll_busy: Cell<u64>,
    full: bool,
}

impl Core {
    pub(crate) fn new(sim_id: u64, config: Config) -> Self {
        let full = config.level == TraceLevel::Full;
        let sched = config.strategy.build(config.seed);
        let values = seeded_rng(config.seed, STREAM_VALUES);
        let trace = Trace {
            level: config.level,
            ..Trace::default()
        };
        Core {
            sim_id,
            foreign: Arc::new(ForeignWakes::new(sim_id, std::thread::current().id())),
            now: Cell::new(0),
            step: Cell::new(0),
            current: Cell::new(None),
            tasks: RefCell::default(),
            ready: RefCell::default(),
            timers: RefCell::default(),
            sched: RefCell::new(sched),
            values: RefCell::new(values),
            faults: RefCell::new(seeded_rng(config.seed, STREAM_FAULTS)),
            trace: RefCell::new(trace),
            forced: Cell::new(None),
            round_left: Cell::new(0),
            divergence: RefCell::new(None),
            stop: Cell::new(false),
            panics: RefCell::default(),
            interleaving: Cell::new(Fnv::new().finish()),
            recent: RefCell::new([None; 8]),
            poll_busy: Cell::new(0),
            full,
            config,
        }
    }

    // ----- clock, identity ------------------------------------------------------------------

    pub(crate) fn now(&self) -> Instant {
        Instant::from_nanos(self.now.get())
    }

    pub(crate) fn step(&self) -> u64 {
        self.step.get()
    }

    pub(crate) fn current(&self) -> Option<TaskKey> {
        self.current.get()
    }

    pub(crate) fn set_current(&self, key: Option<TaskKey>) {
        self.current.set(key);
    }

    pub(crate) fn is_full(&self) -> bool {
        self.full
    }

    pub(crate) fn label(&self, id: TaskId) -> String {
        self.trace.borrow().label(id)
    }

    pub(crate) fn info(&self, id: TaskId) -> Option<TaskInfo> {
        self.trace.borrow().task(id).cloned()
    }

    // ----- trace ----------------------------------------------------------------------------

    /// Records an event at [`TraceLevel::Full`]. Inlined so that at `Decisions` a call costs a
    /// test of one flag, with no event built.
    #[inline]
    pub(crate) fn event(&self, kind: EventKind) {
        if self.full {
            self.push_event(kind);
        }
    }

    #[inline(never)]
    fn push_event(&self, kind: EventKind) {
        let e = Event {
            step: self.step.get(),
            time: self.now(),
            task: self.current.get().map(|k| k.id),
            kind,
        };
        self.trace.borrow_mut().events.push(e);
    }

    fn decided(&self, d: Decision) {
        self.trace.borrow_mut().schedule.push(d);
        self.event(EventKind::Decision(d));
    }

    fn diverge(&self, d: Divergence) {
        self.divergence.borrow_mut().get_or_insert(d);
        self.stop.set(true);
    }

    /// True when the run must stop before the next step (divergence, foreign wake).
    pub(crate) fn must_stop(&self) -> bool {
        self.stop.get() || self.foreign.is_flagged()
    }

    pub(crate) fn take_trace(&self) -> Trace {
        let mut t = std::mem::take(&mut *self.trace.borrow_mut());
        t.stats.steps = self.step.get();
        t.stats.tasks = t.tasks.len() as u64;
        t.stats.end_time = self.now();
        t.stats.interleaving = self.interleaving.get();
        t
    }

    // ----- tasks ----------------------------------------------------------------------------

    fn waker_for(&self, key: TaskKey) -> Waker {
        Waker::from(Arc::new(TaskWaker {
            key,
            foreign: self.foreign.clone(),
        }))
    }

    /// Registers main (task 0, slot 0) and returns its waker.
    pub(crate) fn register_main(&self, site: &'static Location<'static>) -> (TaskKey, Waker) {
        let key = self.tasks.borrow_mut().insert(TaskId::MAIN);
        debug_assert_eq!(key.slot, 0);
        self.trace.borrow_mut().tasks.push(TaskInfo {
            id: TaskId::MAIN,
            name: Some("main".into()),
            spawned_at: site,
            parent: TaskId::MAIN,
        });
        self.schedule(key);
        (key, self.waker_for(key))
    }

    pub(crate) fn spawn(
        &self,
        fut: Pin<Box<dyn RawTask>>,
        name: Option<Box<str>>,
        site: &'static Location<'static>,
    ) -> TaskKey {
        let id = TaskId::from_u64(self.trace.borrow().tasks.len() as u64);
        let key = self.tasks.borrow_mut().insert(id);
        let waker = self.waker_for(key);
        if let Some(slot) = self.tasks.borrow_mut().get_mut(key) {
            slot.body = Some(Body { fut, waker });
        }
        let parent = self.current.get().map_or(TaskId::MAIN, |k| k.id);
        self.trace.borrow_mut().tasks.push(TaskInfo {
            id,
            name,
            spawned_at: site,
            parent,
        });
        self.event(EventKind::Spawn { child: id });
        self.sched.borrow_mut().on_spawn(id);
        self.schedule(key);
        key
    }

    /// Puts a live, unscheduled task in the ready queue. Returns whether it was added.
    fn schedule(&self, key: TaskKey) -> bool {
        {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(key) else {
                return false;
            };
            if slot.scheduled {
                return false;
            }
            slot.scheduled = true;
        }
        self.ready.borrow_mut().push(key);
        true
    }

    pub(crate) fn wake(&self, key: TaskKey) {
        if self.schedule(key) {
            self.event(EventKind::Wake { target: key.id });
        }
    }

    pub(crate) fn abort(&self, key: TaskKey) {
        {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(key) else {
                return;
            };
            if slot.abort {
                return;
            }
            slot.abort = true;
        }
        self.event(EventKind::AbortRequested { target: key.id });
        self.schedule(key);
    }

    #[allow(dead_code, reason = "used by task groups")]
    pub(crate) fn is_live(&self, key: TaskKey) -> bool {
        self.tasks.borrow().get(key).is_some()
    }

    /// Live tasks other than main, in spawn order (a crashing host aborts its own).
    #[allow(dead_code, reason = "used by the net and fs features")]
    pub(crate) fn live_spawned(&self) -> Vec<TaskKey> {
        self.tasks.borrow().live_spawned()
    }

    /// Notes what the current task is about to wait on (cleared at its next poll).
    pub(crate) fn note_wait(&self, kind: WaitKind, site: Option<&'static Location<'static>>) {
        if let Some(key) = self.current.get() {
            if let Some(slot) = self.tasks.borrow_mut().get_mut(key) {
                slot.waits.push(Waiting { kind, site });
            }
        }
    }

    pub(crate) fn blocked_tasks(&self) -> Vec<(TaskId, Vec<Waiting>)> {
        self.tasks.borrow().live_with_waits()
    }

    pub(crate) fn live_tasks(&self) -> usize {
        self.tasks.borrow().live_count()
    }

    /// Starts a step on `key`: counts it and returns the task's body (None for main).
    pub(crate) fn begin_step(&self, key: TaskKey) -> Option<(Option<Body>, bool)> {
        let step = self.step.get() + 1;
        self.step.set(step);
        let mut h = Fnv(self.interleaving.get());
        h.write_u64(key.id.as_u64());
        self.interleaving.set(h.finish());
        self.recent.borrow_mut()[(step % 8) as usize] = Some(key.id);
        let mut tasks = self.tasks.borrow_mut();
        let slot = tasks.get_mut(key)?;
        slot.scheduled = false;
        slot.waits.clear();
        Some((slot.body.take(), slot.abort))
    }

    /// The last (up to) 8 tasks polled, oldest first.
    pub(crate) fn recent_tasks(&self) -> Vec<TaskId> {
        let step = self.step.get();
        let recent = self.recent.borrow();
        (0..8u64)
            .rev()
            .filter_map(|back| step.checked_sub(back))
            .filter_map(|s| recent[(s % 8) as usize])
            .collect()
    }

    /// Polls a spawned task's body once, then files it back, completes or fails it.
    pub(crate) fn run_task(&self, key: TaskKey, mut body: Body) {
        self.current.set(Some(key));
        self.event(EventKind::Poll);
        let mut cx = Context::from_waker(&body.waker);
        let res = catch_unwind(AssertUnwindSafe(|| body.fut.as_mut().poll_task(&mut cx)));
        match res {
            Ok(Poll::Pending) => {
                if let Some(slot) = self.tasks.borrow_mut().get_mut(key) {
                    slot.body = Some(body);
                }
            }
            Ok(Poll::Ready(())) => {
                self.event(EventKind::Complete);
                self.dispose(key, body, "in Drop after completing");
            }
            Err(payload) => {
                let observer = body.fut.observer();
                let err = self.record_panic(key.id, payload, Some(observer), "");
                body.fut.as_mut().fail(err);
                self.dispose(key, body, "in Drop after panicking");
            }
        }
        self.current.set(None);
    }

    /// Drops an aborted task's future (its `Drop` guards run now) and reports it cancelled.
    pub(crate) fn run_abort(&self, key: TaskKey, mut body: Body) {
        self.current.set(Some(key));
        self.event(EventKind::Aborted);
        body.fut
            .as_mut()
            .fail(JoinError::cancelled(key.id, self.label(key.id)));
        self.dispose(key, body, "in Drop while being aborted");
        self.current.set(None);
    }

    /// Drops a task body with the task as current, catching a panicking `Drop`, and frees it.
    fn dispose(&self, key: TaskKey, body: Body, context: &'static str) {
        let prev = self.current.replace(Some(key));
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(body))) {
            self.record_panic(key.id, payload, None, context);
        }
        self.current.set(prev);
        if self.tasks.borrow_mut().remove(key) {
            self.ready.borrow_mut().remove(key);
        }
    }

    pub(crate) fn record_panic(
        &self,
        task: TaskId,
        payload: Box<dyn Any + Send>,
        observer: Option<Rc<dyn Observed>>,
        context: &'static str,
    ) -> JoinError {
        let panic = panic_hook::caught(payload);
        let message = if context.is_empty() {
            panic.message().to_string()
        } else {
            format!("{} ({context})", panic.message())
        };
        self.event(EventKind::Panicked {
            message: message.clone(),
        });
        self.panics.borrow_mut().push(PanicRecord {
            task,
            time: self.now(),
            step: self.step.get(),
            message,
            location: panic.location().map(str::to_string),
            observer,
            context,
        });
        JoinError::panicked(task, self.label(task), panic)
    }

    /// Drops every task still alive when main returned, in spawn order, until none is left
    /// (a `Drop` may spawn). Returns how many were dropped.
    pub(crate) fn shutdown(&self) -> usize {
        let mut dropped = 0;
        loop {
            let keys = self.tasks.borrow().live_spawned();
            if keys.is_empty() {
                break;
            }
            for key in keys {
                let body = self
                    .tasks
                    .borrow_mut()
                    .get_mut(key)
                    .and_then(|s| s.body.take());
                self.current.set(Some(key));
                self.event(EventKind::Leftover);
                match body {
                    Some(mut body) => {
                        body.fut
                            .as_mut()
                            .fail(JoinError::cancelled(key.id, self.label(key.id)));
                        self.dispose(key, body, "in Drop at shutdown");
                    }
                    None => {
                        self.tasks.borrow_mut().remove(key);
                    }
                }
                self.current.set(None);
                dropped += 1;
            }
        }
        dropped
    }
}

/// Formats a wait for reports.
pub(crate) fn describe_wait(core: &Core, w: &Waiting) -> String {
    let what = match &w.kind {
        WaitKind::Sleep { until } if *until == Instant::MAX => "sleep forever".to_string(),
        WaitKind::Sleep { until } => format!("sleep until t={until}"),
        WaitKind::Join { task } => format!("JoinHandle of {}", core.label(*task)),
        WaitKind::Yield => "yield".to_string(),
        WaitKind::Resource { op, name: Some(n) } => format!("{op} on `{n}`"),
        WaitKind::Resource { op, name: None } => (*op).to_string(),
    };
    match w.site {
        Some(site) => format!("{what} at {}:{}", site.file(), site.line()),
        None => what,
    }
}
