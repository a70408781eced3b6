//! `LocalSet`: a group of `!Send` tasks. In the simulation every task runs on one thread, so a
//! `LocalSet` only groups tasks: awaiting it waits for them all, dropping it aborts them.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::{AbortHandle, JoinHandle};
use crate::runtime::Runtime;

#[derive(Default)]
struct Group {
    live: usize,
    waker: Option<Waker>,
}

/// Decrements the group's count when its task ends, however it ends.
struct Member(Rc<RefCell<Group>>);

impl Drop for Member {
    fn drop(&mut self) {
        let waker = {
            let mut g = self.0.borrow_mut();
            g.live -= 1;
            if g.live == 0 { g.waker.take() } else { None }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// A set of tasks that need not be `Send` (tokio's `task::LocalSet`).
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use std::rc::Rc;
/// let local = tokio::task::LocalSet::new();
/// let shared = Rc::new(std::cell::Cell::new(0));
/// let s = shared.clone();
/// local.spawn_local(async move { s.set(s.get() + 1) });
/// local.run_until(async {}).await;
/// local.await; // every task of the set has finished
/// assert_eq!(shared.get(), 1);
/// # });
/// ```
pub struct LocalSet {
    group: Rc<RefCell<Group>>,
    tasks: RefCell<Vec<AbortHandle>>,
    _not_send: PhantomData<Rc<()>>,
}

impl LocalSet {
    /// An empty set.
    pub fn new() -> LocalSet {
        LocalSet {
            group: Rc::default(),
            tasks: RefCell::default(),
            _not_send: PhantomData,
        }
    }

    /// Spawns `future` as a task of this set.
    ///
    /// # Panics
    /// Outside a simulation.
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.group.borrow_mut().live += 1;
        let member = Member(self.group.clone());
        let h = super::handle::spawn_task(async move {
            let _member = member;
            future.await
        });
        self.tasks.borrow_mut().push(h.abort_handle());
        h
    }

    /// Runs `future` to completion while the set's tasks run too (they always do here).
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        future.await
    }

    /// Runs `future` on `rt` (see [`Runtime::block_on`]).
    ///
    /// # Panics
    /// Inside a simulation.
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &Runtime, future: F) -> F::Output {
        rt.block_on(future)
    }

    /// Enters the set's context (a no-op guard: every task is local already).
    pub fn enter(&self) -> LocalEnterGuard {
        LocalEnterGuard {
            _not_send: PhantomData,
        }
    }
}

impl Default for LocalSet {
    fn default() -> Self {
        LocalSet::new()
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet")
            .field("live", &self.group.borrow().live)
            .finish()
    }
}

impl Future for LocalSet {
    type Output = ();

    /// Ready once every task spawned on the set has ended.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut g = self.group.borrow_mut();
        if g.live == 0 {
            Poll::Ready(())
        } else {
            g.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        for t in self.tasks.borrow().iter() {
            t.abort();
        }
    }
}

/// Returned by [`LocalSet::enter`].
#[derive(Debug)]
pub struct LocalEnterGuard {
    _not_send: PhantomData<Rc<()>>,
}
