//! `Barrier`: asyncio's `Barrier`, reusable across generations.

use super::cell::StateCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::name_of;
use crate::rt::primitives::{Handed, WaitList, WaitSlot};

/// Lets `n` tasks wait for each other (asyncio's `Barrier`, tokio's `Barrier`): each
/// [`wait`](Barrier::wait) blocks until `n` tasks are waiting, then all of them pass together
/// and the barrier starts its next generation, empty.
///
/// Each passing task learns its arrival index (`0..n`, in the order the tasks arrived) and
/// whether it is the leader: the last to arrive, the one whose arrival released the others.
/// A waiter dropped before the barrier opened simply leaves (the count goes down, later
/// arrivals take its place); there is no broken state.
///
/// ```
/// use std::{rc::Rc, time::Duration};
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let barrier = Rc::new(sim::sync::Barrier::new(3));
///     let tasks: Vec<_> = (1..=3u64).map(|i| {
///         let b = barrier.clone();
///         sim::spawn(async move {
///             sim::time::sleep(Duration::from_secs(i)).await;
///             let r = b.wait().await;
///             (sim::time::elapsed().as_secs(), r.index(), r.is_leader())
///         })
///     }).collect();
///     let mut out = Vec::new();
///     for t in tasks { out.push(t.await.unwrap()); }
///     assert_eq!(out, [(3, 0, false), (3, 1, false), (3, 2, true)]);
/// }).unwrap();
/// ```
pub struct Barrier {
    n: usize,
    state: StateCell<State>,
    name: Option<Arc<str>>,
}

struct State {
    generation: u64,
    /// Grant: the arrival index.
    waiters: WaitList<usize>,
}

impl Barrier {
    /// A barrier for `n` tasks (`0` acts as `1`: every `wait` passes at once, as leader).
    ///
    /// ```
    /// assert_eq!(sim::sync::Barrier::new(0).parties(), 1);
    /// ```
    pub fn new(n: usize) -> Self {
        Barrier {
            n: n.max(1),
            state: StateCell::new(State {
                generation: 0,
                waiters: WaitList::default(),
            }),
            name: None,
        }
    }

    /// Like [`Barrier::new`], with a name that deadlock reports show.
    ///
    /// ```
    /// assert_eq!(sim::sync::Barrier::named("start", 2).name(), Some("start"));
    /// ```
    pub fn named(name: impl Into<String>, n: usize) -> Self {
        Barrier {
            name: name_of(name),
            ..Barrier::new(n)
        }
    }

    /// The name given to [`Barrier::named`].
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// How many tasks each generation waits for.
    ///
    /// ```
    /// assert_eq!(sim::sync::Barrier::new(4).parties(), 4);
    /// ```
    pub fn parties(&self) -> usize {
        self.n
    }

    /// Tasks waiting in the current generation.
    ///
    /// ```
    /// assert_eq!(sim::sync::Barrier::new(2).waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.state.borrow().waiters.waiting()
    }

    /// Generations completed so far.
    ///
    /// ```
    /// assert_eq!(sim::sync::Barrier::new(2).generation(), 0);
    /// ```
    pub fn generation(&self) -> u64 {
        self.state.borrow().generation
    }

    /// Arrives and waits until `n` tasks have arrived. A preemption point (before arriving).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let b = sim::sync::Barrier::new(1);
    ///     assert!(b.wait().await.is_leader());
    ///     assert!(b.wait().await.is_leader()); // reusable
    ///     assert_eq!(b.generation(), 2);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn wait(&self) -> BarrierWait<'_> {
        BarrierWait {
            barrier: self,
            slot: WaitSlot::new("Barrier::wait", Location::caller()),
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("name", &self.name)
            .field("parties", &self.n)
            .field("waiting", &self.waiting())
            .field("generation", &self.generation())
            .finish()
    }
}

/// What [`Barrier::wait`] tells a passing task.
///
/// ```
/// use std::rc::Rc;
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let b = Rc::new(sim::sync::Barrier::new(2));
///     let b2 = b.clone();
///     let other = sim::spawn(async move { b2.wait().await });
///     let mine = b.wait().await;
///     let theirs = other.await.unwrap();
///     assert!(mine.is_leader() != theirs.is_leader());
///     assert_eq!(mine.index() + theirs.index(), 1);
/// }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarrierWaitResult {
    index: usize,
    leader: bool,
}

impl BarrierWaitResult {
    /// True for exactly one task per generation: the last to arrive.
    pub fn is_leader(&self) -> bool {
        self.leader
    }

    /// The task's arrival order in its generation, `0..n`.
    pub fn index(&self) -> usize {
        self.index
    }
}

/// Future of [`Barrier::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct BarrierWait<'a> {
    barrier: &'a Barrier,
    slot: WaitSlot,
}

impl Future for BarrierWait<'_> {
    type Output = BarrierWaitResult;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        let this = &mut *self;
        if this.slot.preempt_named(cx, this.barrier.name.as_ref()) {
            return Poll::Pending;
        }
        let n = this.barrier.n;
        let mut st = this.barrier.state.borrow_mut();
        let result = match this.slot.poll(&mut st.waiters, cx.waker()) {
            Handed::Grant(index) => Some(BarrierWaitResult {
                index,
                leader: false,
            }),
            Handed::NotYet => None,
            Handed::NotQueued if st.waiters.waiting() + 1 == n => {
                st.generation += 1;
                let mut next = 0;
                let wakers = st.waiters.grant_all(|_| {
                    next += 1;
                    next - 1
                });
                drop(st);
                for w in wakers {
                    w.wake();
                }
                this.slot.done();
                return Poll::Ready(BarrierWaitResult {
                    index: n - 1,
                    leader: true,
                });
            }
            Handed::NotQueued => {
                this.slot.join(&mut st.waiters, cx.waker(), ());
                None
            }
        };
        drop(st);
        match result {
            Some(r) => {
                this.slot.done();
                Poll::Ready(r)
            }
            None => {
                this.slot.note(this.barrier.name.as_ref());
                Poll::Pending
            }
        }
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        if self.slot.is_waiting() {
            // Waiting: it leaves. Released already: the generation passed; nothing to return.
            let _ = self
                .slot
                .cancel(&mut self.barrier.state.borrow_mut().waiters);
        }
    }
}
