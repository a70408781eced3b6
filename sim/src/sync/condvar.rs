//! `Condvar`: asyncio's `Condition`, used with a [`Mutex`].

use super::cell::StateCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::mutex::{Mutex, MutexGuard};
use super::name_of;
use super::permits::{Acquire, Permits};
use crate::rt::primitives::{self, Handed, WaitList, WaitSlot, WaiterId};

/// A condition variable for simulated tasks (asyncio's `Condition`), used with a
/// [`Mutex`](super::Mutex): [`wait`](Condvar::wait) gives up the lock, waits for a notification,
/// and takes the lock back before returning.
///
/// - Notifications are FIFO: [`notify_one`](Condvar::notify_one) releases the oldest waiter,
///   [`notify_all`](Condvar::notify_all) all of them, in the order they started waiting.
/// - Under `Fifo`, a released waiter is queued on its mutex at once (in that order) and proceeds
///   only when the mutex is handed to it, so never before the notifier unlocks.
/// - Under an exploring strategy, whether a notified waiter **barges** is a recorded decision:
///   it may re-lock like any newcomer, so another task can take the lock between the
///   notification and the re-lock (as in asyncio, where the woken task calls `acquire()`
///   again). Code that checks its condition with `if` instead of `while` around `wait`, or that
///   assumes the notified task runs next, fails there.
/// - [`spurious_wakeups(true)`](Condvar::spurious_wakeups) also lets a wait return without any
///   notification (a recorded decision, never under `Fifo`), as `std::sync::Condvar`'s and
///   POSIX condition variables may; asyncio's `Condition` never does, so it is off by default.
/// - Notifying with nobody waiting does nothing (no permit is stored, unlike
///   [`Notify`](super::Notify)). Notifying without holding the lock is allowed.
/// - A waiter dropped after being notified but before it re-locked passes the notification to
///   the next waiter (as asyncio does), so a `notify_one` is not lost; the price is that this
///   can release a waiter that started waiting after the notification (a spurious wake-up, which
///   is why conditions are checked in a loop: see [`wait_while`](Condvar::wait_while)).
///
/// ```
/// use std::rc::Rc;
/// use sim::sync::{Condvar, Mutex};
///
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let state = Rc::new((Mutex::new(false), Condvar::new()));
///     let s2 = state.clone();
///     let waiter = sim::spawn(async move {
///         let (m, cv) = &*s2;
///         let g = cv.wait_while(m.lock().await, |ready| !*ready).await;
///         assert!(*g);
///     });
///     let (m, cv) = &*state;
///     *m.lock().await = true;
///     cv.notify_one();
///     waiter.await.unwrap();
/// }).unwrap();
/// ```
#[derive(Default)]
pub struct Condvar {
    /// Grant: how the waiter gets its mutex back; request: that mutex.
    waiters: StateCell<WaitList<Wake, Arc<Permits>>>,
    name: Option<Arc<str>>,
    /// Waits may return without a notification (a recorded decision).
    spurious: bool,
}

impl Condvar {
    /// A condition variable nobody waits on.
    ///
    /// ```
    /// assert_eq!(sim::sync::Condvar::new().waiting(), 0);
    /// ```
    pub fn new() -> Self {
        Condvar::default()
    }

    /// Like [`Condvar::new`], with a name that deadlock reports show.
    ///
    /// ```
    /// assert_eq!(sim::sync::Condvar::named("not_empty").name(), Some("not_empty"));
    /// ```
    pub fn named(name: impl Into<String>) -> Self {
        Condvar {
            waiters: StateCell::default(),
            name: name_of(name),
            spurious: false,
        }
    }

    /// Lets [`wait`](Condvar::wait) return without a notification under an exploring strategy
    /// (a recorded decision at each wait; `Fifo` never does), as `std::sync::Condvar` allows:
    /// code written for such condition variables must re-check its condition in a loop, and a
    /// harness then finds the `if` that does not.
    ///
    /// ```
    /// let cv = sim::sync::Condvar::named("ready").spurious_wakeups(true);
    /// assert_eq!(cv.name(), Some("ready"));
    /// ```
    #[must_use]
    pub fn spurious_wakeups(mut self, yes: bool) -> Self {
        self.spurious = yes;
        self
    }

    /// The name given to [`Condvar::named`].
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Unlocks `guard`'s mutex, waits for a notification, re-locks (FIFO) and returns the new
    /// guard. A preemption point. Dropping the future unlocks (if it had not yet) and never
    /// leaves the mutex locked.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use sim::sync::{Condvar, Mutex};
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let pair = Rc::new((Mutex::new(0), Condvar::new()));
    ///     let p2 = pair.clone();
    ///     sim::spawn(async move {
    ///         let (m, cv) = &*p2;
    ///         *m.lock().await = 7;
    ///         cv.notify_all();
    ///     });
    ///     let (m, cv) = &*pair;
    ///     let mut g = m.lock().await;
    ///     while *g == 0 {
    ///         g = cv.wait(g).await;
    ///     }
    ///     assert_eq!(*g, 7);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn wait<'a, T>(&'a self, guard: MutexGuard<'a, T>) -> CondvarWait<'a, T> {
        self.wait_at(guard, Location::caller())
    }

    fn wait_at<'a, T>(
        &'a self,
        guard: MutexGuard<'a, T>,
        site: &'static Location<'static>,
    ) -> CondvarWait<'a, T> {
        CondvarWait {
            cv: self,
            mutex: MutexGuard::mutex(&guard),
            step: Step::Start(guard),
            slot: WaitSlot::new("Condvar::wait", site),
            site,
        }
    }

    /// Waits (as [`wait`](Condvar::wait), repeatedly) while `condition` holds for the
    /// protected value; returns the guard once it does not. Checks before the first wait.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use sim::sync::{Condvar, Mutex};
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let pair = Rc::new((Mutex::new(Vec::new()), Condvar::new()));
    ///     let p2 = pair.clone();
    ///     sim::spawn(async move {
    ///         for i in 0..3 {
    ///             p2.0.lock().await.push(i);
    ///             p2.1.notify_one();
    ///         }
    ///     });
    ///     let g = pair.1.wait_while(pair.0.lock().await, |v| v.len() < 3).await;
    ///     assert_eq!(*g, [0, 1, 2]);
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn wait_while<'a, T, F>(
        &'a self,
        guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> impl Future<Output = MutexGuard<'a, T>> + 'a
    where
        T: 'a,
        F: FnMut(&mut T) -> bool + 'a,
    {
        let site = Location::caller();
        async move {
            let mut guard = guard;
            while condition(&mut guard) {
                guard = self.wait_at(guard, site).await;
            }
            guard
        }
    }

    /// Releases the oldest waiter (it re-locks the mutex, then returns). Does nothing when
    /// nobody waits.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use sim::sync::{Condvar, Mutex};
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let pair = Rc::new((Mutex::new(()), Condvar::new()));
    ///     let p2 = pair.clone();
    ///     let waiter = sim::spawn(async move { drop(p2.1.wait(p2.0.lock().await).await) });
    ///     while pair.1.waiting() == 0 {
    ///         sim::task::yield_now().await;
    ///     }
    ///     pair.1.notify_one();
    ///     waiter.await.unwrap();
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn notify_one(&self) {
        crate::rt::primitives::signal(
            "Condvar::notify_one",
            self.name.as_ref(),
            std::panic::Location::caller(),
        );
        let wakers = {
            let mut list = self.waiters.borrow_mut();
            notify_front(&mut list)
        };
        wake_all(wakers);
    }

    /// Releases every waiter, in the order they started waiting (they re-lock in that order).
    ///
    /// ```
    /// use std::rc::Rc;
    /// use sim::sync::{Condvar, Mutex};
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let pair = Rc::new((Mutex::new(()), Condvar::new()));
    ///     let waiters: Vec<_> = (0..3).map(|_| {
    ///         let p = pair.clone();
    ///         sim::spawn(async move { drop(p.1.wait(p.0.lock().await).await) })
    ///     }).collect();
    ///     while pair.1.waiting() < 3 {
    ///         sim::task::yield_now().await;
    ///     }
    ///     pair.1.notify_all();
    ///     for w in waiters { w.await.unwrap(); }
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn notify_all(&self) {
        crate::rt::primitives::signal(
            "Condvar::notify_all",
            self.name.as_ref(),
            std::panic::Location::caller(),
        );
        let wakers = {
            let mut list = self.waiters.borrow_mut();
            let mut wakers = Vec::new();
            while !list.is_empty() {
                wakers.extend(notify_front(&mut list));
            }
            wakers
        };
        wake_all(wakers);
    }

    /// Tasks waiting for a notification.
    ///
    /// ```
    /// assert_eq!(sim::sync::Condvar::new().waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.waiters.borrow().waiting()
    }
}

/// Moves the oldest waiter to its mutex's queue; returns who to wake (it, and whoever the mutex
/// hands itself to, if it was free).
/// How a notified waiter gets its mutex back.
enum Wake {
    /// Queued on the mutex at notification time, at this place (direct hand-off).
    Queued(WaiterId),
    /// Re-locks when it runs, like any newcomer (another task may take the lock first).
    Barge,
}

/// The recorded choice between the two (`Fifo`: hand-off, today's order).
fn barges() -> bool {
    primitives::branch(2) == 1
}

fn notify_front(list: &mut WaitList<Wake, Arc<Permits>>) -> Vec<Waker> {
    let mut others = Vec::new();
    if list.is_empty() {
        return others;
    }
    let barge = barges();
    let waker = list.grant_front_with(|mutex, waker| {
        if barge {
            return Wake::Barge;
        }
        let (id, granted) = mutex.enqueue(waker, 1);
        others = granted;
        Wake::Queued(id)
    });
    // The released task is woken even when the mutex is not free yet, so that it re-notes
    // what it waits on (the mutex) for deadlock reports.
    others.extend(waker);
    others
}

fn wake_all(wakers: Vec<Waker>) {
    for w in wakers {
        w.wake();
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar")
            .field("name", &self.name)
            .field("waiting", &self.waiting())
            .finish()
    }
}

enum Step<'a, T> {
    /// Not polled yet: still holds the lock.
    Start(MutexGuard<'a, T>),
    /// Unlocked, waiting for a notification (in the condvar's list).
    Waiting,
    /// Re-locking the mutex: queued on it at notification, or locking anew after barging or a
    /// spurious wake-up (`notified` false).
    Relock {
        acq: Acquire,
        notified: bool,
    },
    Done,
}

/// Future of [`Condvar::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct CondvarWait<'a, T> {
    cv: &'a Condvar,
    mutex: &'a Mutex<T>,
    step: Step<'a, T>,
    /// Its place among the condvar's waiters.
    slot: WaitSlot,
    site: &'static Location<'static>,
}

const RELOCK: &str = "Mutex::lock (re-locking after Condvar::wait)";

impl<'a, T> Future for CondvarWait<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let this = &mut *self;
        if this.slot.preempt_named(cx, this.cv.name.as_ref()) {
            return Poll::Pending;
        }
        loop {
            match std::mem::replace(&mut this.step, Step::Done) {
                Step::Start(guard) if this.cv.spurious && primitives::branch(2) == 1 => {
                    // A spurious wake-up: back to the mutex without waiting to be notified.
                    drop(guard);
                    this.step = Step::Relock {
                        acq: Acquire::new(1, RELOCK, this.site),
                        notified: false,
                    };
                }
                Step::Start(guard) => {
                    let permits = this.mutex.permits().clone();
                    this.slot
                        .join(&mut this.cv.waiters.borrow_mut(), cx.waker(), permits);
                    this.step = Step::Waiting;
                    drop(guard); // unlock after joining the queue, outside the borrow
                    this.slot.note(this.cv.name.as_ref());
                    return Poll::Pending;
                }
                Step::Waiting => {
                    let mut list = this.cv.waiters.borrow_mut();
                    match this.slot.poll(&mut list, cx.waker()) {
                        Handed::Grant(Wake::Queued(place)) => {
                            this.step = Step::Relock {
                                acq: Acquire::enqueued(place, 1, RELOCK, this.site),
                                notified: true,
                            };
                        }
                        Handed::Grant(Wake::Barge) => {
                            this.step = Step::Relock {
                                acq: Acquire::new(1, RELOCK, this.site),
                                notified: true,
                            };
                        }
                        Handed::NotYet | Handed::NotQueued => {
                            drop(list);
                            this.step = Step::Waiting;
                            this.slot.note(this.cv.name.as_ref());
                            return Poll::Pending;
                        }
                    }
                }
                Step::Relock { mut acq, notified } => {
                    return match acq.poll(this.mutex.permits(), cx) {
                        Poll::Ready(_) => Poll::Ready(MutexGuard::new(this.mutex)),
                        Poll::Pending => {
                            this.step = Step::Relock { acq, notified };
                            Poll::Pending
                        }
                    };
                }
                Step::Done => panic!("`Condvar::wait` future polled after it completed"),
            }
        }
    }
}

impl<T> Drop for CondvarWait<'_, T> {
    fn drop(&mut self) {
        let notified = match std::mem::replace(&mut self.step, Step::Done) {
            Step::Start(guard) => {
                drop(guard);
                false
            }
            Step::Waiting => {
                let place = self.slot.cancel(&mut self.cv.waiters.borrow_mut());
                match place {
                    Some(Wake::Queued(place)) => {
                        Acquire::enqueued(place, 1, RELOCK, self.site).cancel(self.mutex.permits());
                        true
                    }
                    Some(Wake::Barge) => true,
                    None => false,
                }
            }
            Step::Relock { mut acq, notified } => {
                acq.cancel(self.mutex.permits());
                notified
            }
            Step::Done => false,
        };
        if notified {
            self.cv.notify_one();
        }
    }
}
