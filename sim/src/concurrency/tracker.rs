//! Completion order of a set of `JoinHandle`s, at O(1) per completion.
//!
//! Each handle is polled once with its own waker, which records the handle's index in a shared
//! inbox when the task finishes and then wakes whichever task is waiting on the set. The inbox
//! therefore holds completions in the exact order the executor finished the tasks, which a scan
//! of the handles after the fact could not recover (two tasks finishing in one round).
//!
//! Wakers must be `Send + Sync`, so the inbox sits behind a `std::sync::Mutex`; it is only ever
//! locked on the simulation's thread, and never while a waker is called.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

use super::Completion;
use crate::task::JoinHandle;

#[derive(Default)]
struct InboxState {
    finished: VecDeque<usize>,
    waiter: Option<Waker>,
    closed: bool,
}

#[derive(Default)]
struct Inbox(Mutex<InboxState>);

impl Inbox {
    fn lock(&self) -> MutexGuard<'_, InboxState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct SlotWaker {
    index: usize,
    inbox: Arc<Inbox>,
}

impl Wake for SlotWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let waiter = {
            let mut st = self.inbox.lock();
            if st.closed {
                return;
            }
            st.finished.push_back(self.index);
            st.waiter.clone()
        };
        if let Some(w) = waiter {
            w.wake();
        }
    }
}

/// A set of handles that yields their results in completion order.
pub(crate) struct Tracker<T> {
    handles: Vec<Option<JoinHandle<T>>>,
    wakers: Vec<Waker>,
    inbox: Arc<Inbox>,
    /// Finished before registration: they come first, in argument order.
    early: VecDeque<Completion<T>>,
    registered: bool,
    remaining: usize,
}

impl<T> Tracker<T> {
    pub(crate) fn new(handles: Vec<JoinHandle<T>>) -> Self {
        let remaining = handles.len();
        Tracker {
            handles: handles.into_iter().map(Some).collect(),
            wakers: Vec::new(),
            inbox: Arc::default(),
            early: VecDeque::new(),
            registered: false,
            remaining,
        }
    }

    /// Number of handles given.
    pub(crate) fn len(&self) -> usize {
        self.handles.len()
    }

    /// Handles whose result has not been returned yet.
    pub(crate) fn remaining(&self) -> usize {
        self.remaining
    }

    /// True when every task still tracked has already finished (nothing to wait for).
    pub(crate) fn all_finished(&self) -> bool {
        self.early.is_empty() && self.handles.iter().flatten().all(JoinHandle::is_finished)
    }

    /// Aborts every task whose result was not returned yet.
    pub(crate) fn abort_all(&self) {
        for h in self.handles.iter().flatten() {
            h.abort_if_in_run();
        }
    }

    /// Gives back the handles not returned yet, in argument order, and stops listening to them.
    pub(crate) fn take_pending(&mut self) -> Vec<JoinHandle<T>> {
        self.close();
        self.remaining = 0;
        self.handles.iter_mut().filter_map(Option::take).collect()
    }

    /// Lets the unfinished tasks run on after a sibling's failure was propagated: their own
    /// failures count as observed (asyncio's `gather` marks them retrieved), so a second panic
    /// does not fail the run as if nobody had awaited it. They are still in the trace.
    pub(crate) fn detach_all(&mut self) {
        for h in self.take_pending() {
            h.release_observed();
        }
    }

    fn close(&self) {
        let waiter = {
            let mut st = self.inbox.lock();
            st.closed = true;
            st.finished.clear();
            st.waiter.take()
        };
        drop(waiter);
    }
}

impl<T: 'static> Tracker<T> {
    /// The next completion, `Ready(None)` once every handle's result was returned.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Completion<T>>> {
        {
            let mut st = self.inbox.lock();
            match &st.waiter {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => st.waiter = Some(cx.waker().clone()),
            }
        }
        if !self.registered {
            self.registered = true;
            self.register();
        }
        if let Some(c) = self.early.pop_front() {
            return Poll::Ready(Some(c));
        }
        loop {
            let next = self.inbox.lock().finished.pop_front();
            let Some(index) = next else { break };
            if let Some(c) = self.try_take(index) {
                return Poll::Ready(Some(c));
            }
        }
        if self.remaining == 0 {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    }

    fn register(&mut self) {
        self.wakers = (0..self.handles.len())
            .map(|index| {
                Waker::from(Arc::new(SlotWaker {
                    index,
                    inbox: self.inbox.clone(),
                }))
            })
            .collect();
        for index in 0..self.handles.len() {
            if let Some(c) = self.try_take(index) {
                self.early.push_back(c);
            }
        }
    }

    /// Polls handle `index` with its own waker; takes it if finished.
    fn try_take(&mut self, index: usize) -> Option<Completion<T>> {
        let handle = self.handles[index].as_mut()?;
        let mut cx = Context::from_waker(&self.wakers[index]);
        match Pin::new(&mut *handle).poll(&mut cx) {
            Poll::Ready(result) => {
                let id = handle.id();
                self.handles[index] = None;
                self.remaining -= 1;
                Some(Completion { index, id, result })
            }
            Poll::Pending => None,
        }
    }
}

impl<T> Drop for Tracker<T> {
    fn drop(&mut self) {
        self.close();
    }
}
