//! asyncio's `Queue`, with FIFO hand-off: [`Queue`] and its errors.
//!
//! # Model
//!
//! A queue of `maxsize` slots (0 = unbounded) shared by any number of producers and consumers
//! (clone the handle). `put` takes a slot if one is free and no earlier `put` waits, else joins a
//! FIFO line; each slot freed by a `get` is handed straight to the oldest blocked `put`. `get`
//! takes the oldest item, else joins a FIFO line; each item put while getters wait is handed
//! straight to the oldest of them. Alongside, the queue counts *unfinished tasks*: +1 per item
//! put, -1 per [`task_done`](Queue::task_done); [`join`](Queue::join) waits for zero.
//!
//! # Invariants
//!
//! - **No barging**: a newcomer never takes a slot or an item handed to an earlier waiter, so
//!   `put_nowait` fails while blocked puts wait, even if the queue looks short of its maxsize.
//! - **Nothing lost or duplicated on cancellation**: a dropped `get` that was handed an item
//!   passes it to the next waiting getter or back to the front of the queue; a dropped `put`
//!   never added its item, and passes on a slot it was handed.
//! - **Every `put`, `get` and `join` is a preemption point** on its first poll.
//! - **Shutdown** ([`shutdown`](Queue::shutdown)): puts fail from then on (blocked ones too);
//!   blocked getters fail; a graceful shutdown leaves queued items to be got, an immediate one
//!   discards them (and counts them done, so `join` returns once the rest are done).
//!
//! | asyncio                          | seedloop                                   |
//! |----------------------------------|--------------------------------------------|
//! | `asyncio.Queue(maxsize)`         | `Queue::new(maxsize)`, `Queue::named(..)`  |
//! | `await q.put(x)` / `q.put_nowait(x)` | `q.put(x).await?` / `q.put_nowait(x)?` |
//! | `await q.get()` / `q.get_nowait()`   | `q.get().await?` / `q.get_nowait()?`   |
//! | `QueueFull` / `QueueEmpty`       | `TryPutError::Full` / `TryGetError::Empty` |
//! | `QueueShutDown`                  | [`QueueShutDown`], `..::ShutDown`          |
//! | `q.task_done()` (`ValueError`)   | `q.task_done()` ([`TaskDoneError`])        |
//! | `await q.join()`                 | `q.join().await`                           |
//! | `q.shutdown(immediate=False)`    | `q.shutdown(false)`                        |
//! | a cancelled `get`/`put`          | its future dropped: nothing lost           |

mod error;
mod ops;

use crate::sync::cell::StateCell;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;

pub use error::{QueueShutDown, TaskDoneError, TryGetError, TryPutError};
pub use ops::{Get, Join, Put};

use super::chan::{Chan, Wakes};
use super::pending::WaitSite;
use crate::rt::primitives::WaitList;

/// asyncio's `Queue`: a FIFO queue of at most `maxsize` items (0 = unbounded) between tasks,
/// with `task_done`/`join` accounting and `shutdown`. Cloning the handle shares the queue.
///
/// ```
/// use std::time::Duration;
/// use sim::channel::Queue;
/// let mut sim = sim::Sim::builder().strategy(sim::Strategy::fifo()).build();
/// let t = sim.run(async {
///     let q = Queue::named("jobs", 2);
///     for w in 0..2 {
///         let q = q.clone();
///         sim::spawn(async move {
///             while let Ok(job) = q.get().await {
///                 sim::time::sleep(Duration::from_secs(job)).await;
///                 q.task_done().unwrap();
///             }
///         });
///     }
///     for job in [1, 1, 1, 1] { q.put(job).await.unwrap(); }
///     q.join().await; // two workers, four 1 s jobs
///     q.shutdown(false);
///     sim::time::now()
/// }).unwrap();
/// assert_eq!(t.as_nanos(), 2_000_000_000);
/// ```
pub struct Queue<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    chan: StateCell<Chan<T>>,
    tasks: StateCell<Tasks>,
    name: Option<Arc<str>>,
    maxsize: usize,
}

/// The `task_done`/`join` accounting.
#[derive(Default)]
struct Tasks {
    unfinished: usize,
    joiners: WaitList<()>,
}

impl Tasks {
    fn done(&mut self, n: usize, wk: &mut Wakes) {
        self.unfinished -= n;
        if self.unfinished == 0 {
            wk.extend(self.joiners.grant_all(|_| ()));
        }
    }
}

impl<T> Queue<T> {
    /// A queue of at most `maxsize` items; 0 means unbounded (as in asyncio).
    ///
    /// ```
    /// let q = sim::channel::Queue::<u32>::new(0);
    /// assert_eq!(q.maxsize(), 0);
    /// assert!(q.empty() && !q.full());
    /// ```
    pub fn new(maxsize: usize) -> Self {
        Self::build(None, maxsize)
    }

    /// Like [`new`](Self::new), with a name that deadlock reports show
    /// (`Queue::get on \`jobs\` at src/x.rs:57`).
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// let err = sim.run(async {
    ///     let q = sim::channel::Queue::<u32>::named("jobs", 0);
    ///     q.get().await
    /// }).unwrap_err();
    /// assert!(err.to_string().contains("Queue::get on `jobs`"));
    /// ```
    pub fn named(name: impl Into<String>, maxsize: usize) -> Self {
        Self::build(Some(Arc::from(name.into())), maxsize)
    }

    fn build(name: Option<Arc<str>>, maxsize: usize) -> Self {
        let cap = if maxsize == 0 { usize::MAX } else { maxsize };
        Queue {
            inner: Arc::new(Inner {
                chan: StateCell::new(Chan::new(cap)),
                tasks: StateCell::default(),
                name,
                maxsize,
            }),
        }
    }

    /// Puts `item` at the back, waiting (in FIFO order with other blocked puts) while the queue
    /// is full. Fails, giving the item back, once the queue is shut down. A preemption point.
    ///
    /// Cancel-safe: a `put` future dropped before it completes did not add its item.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let q = sim::channel::Queue::new(1);
    ///     q.put("a").await.unwrap();
    ///     let q2 = q.clone();
    ///     let t = sim::spawn(async move { q2.put("b").await.unwrap() }); // waits for a slot
    ///     assert_eq!(q.get().await.unwrap(), "a");
    ///     t.await.unwrap();
    ///     assert_eq!(q.get().await.unwrap(), "b");
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn put(&self, item: T) -> Put<'_, T> {
        Put::new(self, item, Location::caller())
    }

    /// Removes and returns the oldest item, waiting (in FIFO order with other blocked gets)
    /// while the queue is empty. Fails once the queue is shut down and empty. A preemption
    /// point.
    ///
    /// Cancel-safe: an item handed to a `get` future that is dropped before taking it goes to
    /// the next waiting getter, or back to the front of the queue.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let q = sim::channel::Queue::new(0);
    ///     let q2 = q.clone();
    ///     let t = sim::spawn(async move { q2.get().await.unwrap() }); // waits for an item
    ///     q.put(7).await.unwrap();
    ///     assert_eq!(t.await.unwrap(), 7);
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn get(&self) -> Get<'_, T> {
        Get::new(self, Location::caller())
    }

    /// Puts `item` without waiting: fails when the queue is full (or blocked puts are first in
    /// line), or shut down.
    ///
    /// ```
    /// let q = sim::channel::Queue::new(1);
    /// assert!(q.put_nowait(1).is_ok());
    /// assert_eq!(q.put_nowait(2).unwrap_err().into_inner(), 2);
    /// ```
    pub fn put_nowait(&self, item: T) -> Result<(), TryPutError<T>> {
        let mut wk = Wakes::default();
        let mut c = self.inner.chan.borrow_mut();
        let r = match c.try_reserve() {
            Err(()) => Err(TryPutError::ShutDown(item)),
            Ok(false) => Err(TryPutError::Full(item)),
            Ok(true) => c.commit(item, &mut wk).map_err(TryPutError::ShutDown),
        };
        drop(c);
        if r.is_ok() {
            self.inner.tasks.borrow_mut().unfinished += 1;
        }
        wk.wake();
        r
    }

    /// Removes and returns the oldest item without waiting.
    ///
    /// ```
    /// let q = sim::channel::Queue::new(0);
    /// q.put_nowait(1).unwrap();
    /// assert_eq!(q.get_nowait(), Ok(1));
    /// assert!(q.get_nowait().is_err());
    /// ```
    pub fn get_nowait(&self) -> Result<T, TryGetError> {
        let mut wk = Wakes::default();
        let mut c = self.inner.chan.borrow_mut();
        let r = match c.try_take(&mut wk) {
            Some(v) => Ok(v),
            None if c.is_closed() => Err(TryGetError::ShutDown),
            None => Err(TryGetError::Empty),
        };
        drop(c);
        wk.wake();
        r
    }

    /// How many tasks wait in [`get`](Queue::get) (asyncio tests read `len(q._getters)`).
    ///
    /// ```
    /// assert_eq!(sim::channel::Queue::<u8>::new(1).getters_waiting(), 0);
    /// ```
    pub fn getters_waiting(&self) -> usize {
        self.inner.chan.borrow().waiting().0
    }

    /// How many tasks wait in [`put`](Queue::put) (asyncio's `len(q._putters)`).
    ///
    /// ```
    /// assert_eq!(sim::channel::Queue::<u8>::new(1).putters_waiting(), 0);
    /// ```
    pub fn putters_waiting(&self) -> usize {
        self.inner.chan.borrow().waiting().1
    }

    /// Items in the queue: put and not yet got (including items handed to a waiting getter
    /// that has not run yet, as asyncio counts them).
    ///
    /// ```
    /// let q = sim::channel::Queue::new(0);
    /// q.put_nowait('x').unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn qsize(&self) -> usize {
        self.inner.chan.borrow().len()
    }

    /// True when [`qsize`](Self::qsize) is 0.
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// True when a `put` would wait: every slot is taken (by items, or reserved for blocked
    /// puts that were handed one) or blocked puts are first in line. Never for an unbounded
    /// queue.
    ///
    /// ```
    /// let q = sim::channel::Queue::new(1);
    /// assert!(!q.full());
    /// q.put_nowait(()).unwrap();
    /// assert!(q.full());
    /// ```
    pub fn full(&self) -> bool {
        self.inner.chan.borrow().is_full()
    }

    /// The maxsize it was created with (0 = unbounded).
    pub fn maxsize(&self) -> usize {
        self.inner.maxsize
    }

    /// The name given to [`named`](Self::named).
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// Marks one item got earlier as processed, for [`join`](Self::join). Calling it more times
    /// than items were put is an error (asyncio's `ValueError`).
    ///
    /// ```
    /// let q = sim::channel::Queue::new(0);
    /// q.put_nowait(1).unwrap();
    /// q.get_nowait().unwrap();
    /// assert!(q.task_done().is_ok());
    /// assert!(q.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut wk = Wakes::default();
        {
            let mut t = self.inner.tasks.borrow_mut();
            if t.unfinished == 0 {
                return Err(TaskDoneError);
            }
            t.done(1, &mut wk);
        }
        wk.wake();
        Ok(())
    }

    /// Items put and not yet marked [`task_done`](Self::task_done).
    pub fn unfinished_tasks(&self) -> usize {
        self.inner.tasks.borrow().unfinished
    }

    /// Waits until every item put has been marked [`task_done`](Self::task_done); returns at
    /// once (after its preemption point) when none is unfinished.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let q = sim::channel::Queue::<u32>::new(0);
    ///     q.join().await; // nothing was put
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn join(&self) -> Join<'_, T> {
        Join::new(self, Location::caller())
    }

    /// Shuts the queue down (asyncio 3.13): every later `put` fails, blocked puts and gets are
    /// woken with [`QueueShutDown`]. With `immediate == false` the items already queued can
    /// still be got; with `immediate == true` they are discarded (dropped now) and counted as
    /// done, so `join` returns once the items got earlier are done. Shutting down twice is
    /// harmless; a later immediate shutdown still discards.
    ///
    /// ```
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let q = sim::channel::Queue::new(0);
    ///     q.put(1).await.unwrap();
    ///     q.put(2).await.unwrap();
    ///     q.shutdown(false);
    ///     assert_eq!(q.get().await.unwrap(), 1); // graceful: still there
    ///     q.shutdown(true);
    ///     assert!(q.get().await.is_err()); // immediate: discarded
    ///     q.task_done().unwrap(); // for item 1; item 2 was counted done when discarded
    ///     q.join().await;
    /// }).unwrap();
    /// ```
    pub fn shutdown(&self, immediate: bool) {
        let mut wk = Wakes::default();
        let discarded = {
            let mut c = self.inner.chan.borrow_mut();
            c.close(&mut wk);
            if immediate { c.drain() } else { Vec::new() }
        };
        if !discarded.is_empty() {
            let mut t = self.inner.tasks.borrow_mut();
            let n = discarded.len().min(t.unfinished);
            t.done(n, &mut wk);
        }
        wk.wake();
        drop(discarded);
    }

    /// True once [`shutdown`](Self::shutdown) was called.
    pub fn is_shut_down(&self) -> bool {
        self.inner.chan.borrow().is_closed()
    }

    fn site(&self, op: &'static str, site: &'static Location<'static>) -> WaitSite<'_> {
        WaitSite {
            op,
            name: self.inner.name.as_ref(),
            site,
        }
    }
}

impl<T> Clone for Queue<T> {
    /// Another handle to the same queue.
    fn clone(&self) -> Self {
        Queue {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("name", &self.name())
            .field("maxsize", &self.maxsize())
            .field("qsize", &self.qsize())
            .field("unfinished_tasks", &self.unfinished_tasks())
            .field("shut_down", &self.is_shut_down())
            .finish()
    }
}
