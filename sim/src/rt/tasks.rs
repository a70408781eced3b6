//! Tasks on the run: spawning, waking, aborting, polling, ending, joining.
//!
//! [`Core::poll`] is the one place a task's future is polled, main's and spawned ones alike;
//! what follows a poll (a spawned task's end, main's return) is decided by its caller. A task
//! ends in exactly one of four ways, each waking its joiner *before* its future is dropped (so
//! the trace shows the wake, then whatever the future's `Drop` does): it returns, it panics, it
//! is aborted, or the run ends first.

use std::any::Any;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Poll, Waker};

use super::core::{Core, Delivered, PanicRecord};
use super::hosts::HostId;
use super::panic_hook;
use super::raw::{Dropped, RawTask};
use super::ready::TaskKey;
use super::table::{Body, Stage, TaskState, WaitKind, WaitNote};
use crate::model::{EventKind, JoinError, Panic, TaskId, TaskInfo};

thread_local! {
    /// Main's name, shared by every run on this thread (a run names main without allocating).
    static MAIN_NAME: Arc<str> = Arc::from("main");
}

/// The context of a panic in `Drop` while a task's future is dropped by `abort()`.
pub(super) const ABORTING: &str = "in Drop while being aborted";

/// What a step does with the task it picked.
pub(super) enum Turn {
    /// Poll main (its future is on the run's stack).
    Main,
    /// Poll a spawned task.
    Poll(Body),
    /// Drop an aborted task's future instead of polling it.
    Abort(Body),
}

/// What one poll of a task gave.
pub(super) enum Polled {
    Pending,
    /// The future returned (and, for a spawned task, was dropped: `Err` if its `Drop` panicked).
    Returned(Dropped),
    /// The poll panicked; the `Panicked` event is recorded.
    Panicked(Panic),
}

impl Core {
    fn waker_for(&self, key: TaskKey) -> Waker {
        self.wakers.borrow_mut().waker(key, &self.foreign)
    }

    /// Registers main (task 0, slot 0) and returns its waker, for main's block.
    pub(super) fn register_main(&self, site: &'static Location<'static>) -> (TaskKey, Waker) {
        let key =
            self.tasks
                .borrow_mut()
                .insert(TaskId::MAIN, TaskState::Main, false, HostId::MAIN);
        debug_assert_eq!(key.slot, 0);
        self.keep_info(
            TaskInfo {
                id: TaskId::MAIN,
                name: Some(MAIN_NAME.with(Arc::clone)),
                spawned_at: site,
                parent: TaskId::MAIN,
            },
            key.slot,
        );
        self.schedule(key);
        (key, self.waker_for(key))
    }

    /// Adds a task whose `JoinHandle` the caller makes, on `host` (`None`: the spawner's); it
    /// first runs when the spawner suspends.
    pub(crate) fn spawn(
        &self,
        task: Pin<Box<dyn RawTask>>,
        name: Option<Box<str>>,
        site: &'static Location<'static>,
        host: Option<HostId>,
    ) -> TaskKey {
        let id = TaskId::from_u64(self.spawned.get());
        let host = host.unwrap_or_else(|| self.current_host());
        let key = {
            let mut tasks = self.tasks.borrow_mut();
            let mut task = task;
            task.as_mut().set_waker(self.waker_for(tasks.next_key(id)));
            tasks.insert(id, TaskState::Suspended(task), true, host)
        };
        let parent = self.current_id();
        self.keep_info(
            TaskInfo {
                id,
                name: name.map(Arc::from),
                spawned_at: site,
                parent,
            },
            key.slot,
        );
        self.event(EventKind::Spawn { child: id });
        self.sched.borrow_mut().on_spawn(id);
        self.schedule(key);
        key
    }

    /// Puts an unfinished, unscheduled task in the ready queue. Returns whether it was added.
    fn schedule(&self, key: TaskKey) -> bool {
        {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(key) else {
                return false;
            };
            if slot.scheduled || slot.stage() == Stage::Finished {
                return false;
            }
            slot.scheduled = true;
        }
        self.ready.borrow_mut().push(key);
        true
    }

    pub(crate) fn wake(&self, key: TaskKey) {
        if self.schedule(key) {
            self.event(EventKind::Wake { target: key.id() });
        }
    }

    /// Asks for `key` to be dropped at its next step. Aborting a finished task, or twice, does
    /// nothing.
    ///
    /// Returns true when the task had not finished (it will end cancelled, or already is being
    /// aborted), false when it had (asyncio's `Task.cancel()` answer).
    pub(crate) fn abort(&self, key: TaskKey) -> bool {
        {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(key) else {
                return false;
            };
            if !slot.stage().is_unfinished() {
                return false;
            }
            if slot.abort {
                return true;
            }
            slot.abort = true;
        }
        self.event(EventKind::AbortRequested { target: key.id() });
        self.schedule(key);
        true
    }

    /// True once `key` ended (its output may still wait for its handle).
    pub(crate) fn is_finished(&self, key: TaskKey) -> bool {
        self.tasks
            .borrow()
            .get(key)
            .is_none_or(|s| s.stage() == Stage::Finished)
    }

    /// Notes what the current task is about to wait on (cleared at its next poll).
    pub(crate) fn note_wait(&self, kind: WaitKind, site: Option<&'static Location<'static>>) {
        if let Some(key) = self.current.get() {
            self.tasks
                .borrow_mut()
                .note_wait(key, WaitNote { kind, site });
        }
    }

    // ----- joining --------------------------------------------------------------------------

    /// The `JoinHandle` of `key` is polled: its output once the task ended (the slot is then
    /// freed), else `Pending` with `waker` kept to be woken at the end.
    ///
    /// # Panics
    /// When the output was already taken, or `T` is not the task's output type.
    pub(crate) fn poll_join<T: 'static>(
        &self,
        key: TaskKey,
        waker: &Waker,
    ) -> Poll<Result<T, JoinError>> {
        let mut task = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(key) else {
                drop(tasks);
                panic!("a JoinHandle was polled after it returned its result");
            };
            if slot.stage() != Stage::Finished {
                tasks.set_joiner(key, waker);
                return Poll::Pending;
            }
            match tasks.remove(key) {
                Some((TaskState::Finished(task), _)) => task,
                _ => unreachable!("the slot was finished"),
            }
        };
        let mut out: Option<Result<T, JoinError>> = None;
        task.as_mut().take_output(&mut out as &mut dyn Any);
        drop(task);
        let result = out.expect("a JoinHandle reads the output type its task was spawned with");
        if let Err(e) = &result {
            if e.is_panic() {
                self.observed(key.id(), e);
            } else if e.is_cancelled() {
                for r in self.panics.borrow_mut().iter_mut() {
                    if r.task == key.id() && r.context == ABORTING {
                        r.joiner_saw_cancel = true;
                    }
                }
            }
        }
        Poll::Ready(result)
    }

    /// The joiner of `task` took its `JoinError`: the panic of its poll (the record with no
    /// context; a panicking `Drop` cannot be observed) was observed.
    fn observed(&self, task: TaskId, e: &JoinError) {
        let origin = {
            let mut panics = self.panics.borrow_mut();
            let Some(record) = panics
                .iter_mut()
                .rev()
                .find(|r| r.task == task && r.context.is_empty())
            else {
                return;
            };
            record.observed = true;
            record.origin
        };
        self.delivered_any.set(true);
        self.delivered.borrow_mut().push(Delivered {
            origin,
            text: e.to_string(),
            message: e.panic_message().unwrap_or_default().to_string(),
        });
    }

    /// The `JoinHandle` of `key` was dropped: a finished task's output is dropped now.
    /// Like [`release_handle`](Self::release_handle), for a combinator that stops listening to
    /// a child after propagating a sibling's failure: the child's panics, before and after,
    /// count as observed (a `gather` re-raised one failure and retrieved the rest).
    pub(crate) fn release_handle_observed(&self, key: TaskKey) {
        self.adopted.borrow_mut().push(key.id());
        for r in self.panics.borrow_mut().iter_mut() {
            if r.task == key.id() && r.context.is_empty() {
                r.observed = true;
            }
        }
        self.release_handle(key);
    }

    pub(crate) fn release_handle(&self, key: TaskKey) {
        let freed = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(key) else {
                return;
            };
            slot.handle = false;
            if slot.stage() == Stage::Finished {
                tasks.remove(key)
            } else {
                None
            }
        };
        drop(freed);
    }

    fn wake_joiner(&self, key: TaskKey) {
        let joiner = self.tasks.borrow_mut().take_joiner(key);
        if let Some(w) = joiner {
            w.wake();
        }
    }

    // ----- steps ----------------------------------------------------------------------------

    /// Starts a step on `key`: counts it and takes out what to poll.
    pub(super) fn begin_step(&self, key: TaskKey) -> Option<Turn> {
        let step = self.step.get() + 1;
        self.step.set(step);
        self.awaits.set(self.awaits.get() + 1);
        self.interleaving.set(crate::model::mix_step(
            self.interleaving.get(),
            key.id().as_u64(),
        ));
        self.recent[(step % 8) as usize].set(Some(key.id()));
        let mut tasks = self.tasks.borrow_mut();
        let slot = tasks.get_mut(key)?;
        slot.scheduled = false;
        slot.noted = 0;
        match slot.stage() {
            Stage::Main => Some(Turn::Main),
            Stage::Suspended => {
                let body = slot.start_polling();
                Some(if slot.abort {
                    Turn::Abort(body)
                } else {
                    Turn::Poll(body)
                })
            }
            _ => None,
        }
    }

    /// Polls `task` (main's future or a spawned task's block) once, as the current task. The
    /// task stays current: the caller ends the step.
    ///
    /// Generic so that main's future is polled without dynamic dispatch; spawned tasks come as
    /// `dyn RawTask`.
    #[inline]
    pub(super) fn poll<T: RawTask + ?Sized>(&self, key: TaskKey, task: Pin<&mut T>) -> Polled {
        self.current.set(Some(key));
        self.current_waker.set(Some((key, task.waker_id())));
        self.event(EventKind::Poll);
        if self.delivered_any.get() {
            self.delivered.borrow_mut().clear();
            self.delivered_any.set(false);
        }
        let mut returned = || {
            self.wake_joiner(key);
            self.event(EventKind::Complete);
        };
        let res = catch_unwind(AssertUnwindSafe(|| task.poll(&mut returned)));
        self.current_waker.set(None);
        match res {
            Ok(Poll::Pending) => Polled::Pending,
            Ok(Poll::Ready(dropped)) => Polled::Returned(dropped),
            Err(payload) => {
                let p = panic_hook::caught(payload);
                self.event(EventKind::Panicked {
                    message: p.message().to_string(),
                });
                Polled::Panicked(p)
            }
        }
    }

    /// Main's poll returned `Pending`: count it if it awaited a foreign future.
    pub(super) fn main_pending(&self, key: TaskKey) {
        if let Some(slot) = self.tasks.borrow_mut().get_mut(key) {
            self.count_foreign_await(slot);
        }
    }

    /// A poll that returned `Pending` without noting a `sim` wait (every `sim` primitive notes
    /// one) and without being woken already (a yield, a preemption) awaited something `sim`
    /// does not control: a switch point no strategy can explore.
    #[inline]
    fn count_foreign_await(&self, slot: &super::table::Slot) {
        if slot.noted == 0 && !slot.scheduled {
            self.foreign_awaits.set(self.foreign_awaits.get() + 1);
        }
    }

    /// Polls a spawned task once, then files it back or ends it.
    pub(super) fn run_task(&self, key: TaskKey, body: Body) {
        let mut task = body;
        match self.poll(key, task.as_mut()) {
            Polled::Pending => {
                if let Some(slot) = self.tasks.borrow_mut().get_mut(key) {
                    self.count_foreign_await(slot);
                    slot.leave_polling(TaskState::Suspended(task));
                }
            }
            Polled::Returned(dropped) => {
                if let Err(payload) = dropped {
                    self.drop_panicked(key.id(), payload, "in Drop after completing");
                }
                self.finish(key, task, "in Drop after completing");
            }
            Polled::Panicked(p) => {
                let origin = self.cause_of(&p, key.id());
                let err = self.record_panic(key.id(), p, origin, "");
                self.end(key, task, err, "in Drop after panicking");
            }
        }
        self.current.set(None);
    }

    /// Drops an aborted task's future (its `Drop` guards run now) and reports it cancelled.
    pub(super) fn run_abort(&self, key: TaskKey, body: Body) {
        self.current.set(Some(key));
        self.event(EventKind::Aborted);
        let err = JoinError::cancelled(key.id(), self.label(key.id()));
        self.end(key, body, err, ABORTING);
        self.current.set(None);
    }

    /// Ends an unfinished task with `err` (it panicked, or is dropped unpolled): wakes its
    /// joiner, drops its future, keeps `err` for the handle.
    fn end(&self, key: TaskKey, mut task: Body, err: JoinError, context: &'static str) {
        self.wake_joiner(key);
        let prev = self.current.replace(Some(key));
        if let Err(payload) = task.as_mut().cancel(err) {
            self.drop_panicked(key.id(), payload, context);
        }
        self.current.set(prev);
        self.finish(key, task, context);
    }

    /// Files an ended task's block: kept for its handle, or freed (its output dropped now, with
    /// the task as current, a panicking `Drop` recorded).
    fn finish(&self, key: TaskKey, task: Body, context: &'static str) {
        self.sched.borrow_mut().on_end(key.id());
        let (unused, scheduled) = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(key) else {
                return;
            };
            if slot.handle {
                slot.leave_polling(TaskState::Finished(task));
                (None, std::mem::take(&mut slot.scheduled))
            } else {
                let scheduled = tasks.remove(key).is_some_and(|(_, s)| s);
                (Some(task), scheduled)
            }
        };
        if scheduled {
            self.ready.borrow_mut().remove(key);
        }
        if let Some(task) = unused {
            let prev = self.current.replace(Some(key));
            if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(task))) {
                self.drop_panicked(key.id(), payload, context);
            }
            self.current.set(prev);
        }
        self.retire_task(key.id());
    }

    // ----- panics ---------------------------------------------------------------------------

    /// The task a panic of `task` comes from: the task whose `JoinError` it unwrapped (or
    /// re-raised) in this poll, if its message says so, else `task` itself.
    pub(super) fn cause_of(&self, p: &Panic, task: TaskId) -> TaskId {
        self.delivered
            .borrow()
            .iter()
            .rev()
            .find(|d| p.message().contains(&d.text) || p.message() == d.message)
            .map_or(task, |d| d.origin)
    }

    /// Keeps a task's panic for the end-of-run check; returns its `JoinError`.
    fn record_panic(
        &self,
        task: TaskId,
        panic: Panic,
        origin: TaskId,
        context: &'static str,
    ) -> JoinError {
        let message = if context.is_empty() {
            panic.message().to_string()
        } else {
            format!("{} ({context})", panic.message())
        };
        self.panicked.borrow_mut().insert(task);
        let mut panics = self.panics.borrow_mut();
        panics.push(PanicRecord {
            task,
            time: self.now(),
            step: self.step.get(),
            message,
            location: panic.location().map(str::to_string),
            observed: context.is_empty() && self.adopted.borrow().contains(&task),
            origin,
            context,
            joiner_saw_cancel: false,
        });
        drop(panics);
        JoinError::panicked(task, self.label(task), panic)
    }

    /// A `Drop` of `task` panicked (`context` says which): recorded, never observable.
    pub(super) fn drop_panicked(
        &self,
        task: TaskId,
        payload: Box<dyn Any + Send>,
        context: &'static str,
    ) {
        let panic = panic_hook::caught(payload);
        self.event(EventKind::Panicked {
            message: format!("{} ({context})", panic.message()),
        });
        self.record_panic(task, panic, task, context);
    }

    // ----- the end of the run ---------------------------------------------------------------

    /// Drops the outputs of finished tasks whose handles outlive the run (the last thing a run
    /// does; a handle used after it panics, naming its call).
    pub(super) fn drop_outputs(&self) {
        let mut table = std::mem::take(&mut *self.tasks.borrow_mut());
        table.clear_keeping(usize::MAX);
        // A `Drop` that spawned meanwhile filled the fresh table: that one stays (its tasks
        // never run), the emptied one is not reused.
        let mut tasks = self.tasks.borrow_mut();
        if tasks.is_empty() {
            *tasks = table;
        }
    }

    /// Drops every task still unfinished when main returned, in spawn order, until none is left
    /// (a `Drop` may spawn). Returns how many were dropped.
    pub(super) fn shutdown(&self) -> usize {
        // Nothing is chosen to run any more: empty the ready queue at once rather than remove
        // each leftover from it as it ends (an order-keeping removal from the middle, which made
        // ending n runnable leftovers O(n^2)). Their `scheduled` flags stay set, so a `Drop`
        // that wakes one finds it scheduled already, as before.
        self.ready.borrow_mut().clear_keeping(usize::MAX);
        let mut dropped = 0;
        loop {
            let keys = self.tasks.borrow().unfinished_spawned();
            if keys.is_empty() {
                break;
            }
            for key in keys {
                let body = {
                    let mut tasks = self.tasks.borrow_mut();
                    tasks
                        .get_mut(key)
                        .filter(|s| s.stage() == Stage::Suspended)
                        .map(|s| s.start_polling())
                };
                self.current.set(Some(key));
                self.event(EventKind::Leftover);
                match body {
                    Some(body) => {
                        let err = JoinError::cancelled(key.id(), self.label(key.id()));
                        self.end(key, body, err, "in Drop at shutdown");
                    }
                    None => {
                        let freed = self.tasks.borrow_mut().remove(key);
                        drop(freed);
                        self.retire_task(key.id());
                    }
                }
                self.current.set(None);
                dropped += 1;
            }
        }
        dropped
    }
}
