//! `shield`: await a task without letting the awaiter's cancellation reach it.
//!
//! In Rust, cancellation is dropping a future, so what a dropped awaiter cancels is exactly the
//! futures it owns. `shield` moves the work out of the awaiter into a task of its own: dropping
//! the [`Shield`] (its awaiter aborted, a timeout around it) detaches that task instead. The
//! outcome stays observable through any [`ShieldWatch`] taken beforehand: the first of the
//! shield and its watches to collect the outcome gets it.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

use crate::rt::primitives;
use crate::task::{JoinError, JoinHandle, TaskId};

enum Slot<T> {
    Empty,
    Value(T),
    Taken,
}

struct ShieldCell<T> {
    slot: RefCell<Slot<T>>,
    finished: Cell<bool>,
    waiters: RefCell<Vec<Waker>>,
    handle: RefCell<Option<JoinHandle<()>>>,
    id: Cell<Option<TaskId>>,
    site: &'static Location<'static>,
}

impl<T> ShieldCell<T> {
    /// `Ready(None)` when someone else already took the outcome.
    fn poll_take(&self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if !self.finished.get() {
            let mut waiters = self.waiters.borrow_mut();
            if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
                waiters.push(cx.waker().clone());
            }
            drop(waiters);
            primitives::wait_on("shield", None, Some(self.site));
            return Poll::Pending;
        }
        let slot = std::mem::replace(&mut *self.slot.borrow_mut(), Slot::Taken);
        match slot {
            Slot::Value(v) => Poll::Ready(Some(Ok(v))),
            Slot::Taken => Poll::Ready(None),
            Slot::Empty => {
                // No value: the task panicked or was aborted; its handle holds the error.
                let handle = self.handle.borrow_mut().take();
                let Some(mut handle) = handle else {
                    return Poll::Ready(None);
                };
                match Pin::new(&mut handle).poll(cx) {
                    Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
                    _ => unreachable!("a shielded task that left no value finished with an error"),
                }
            }
        }
    }
}

pin_project! {
    struct Shielded<F, T> {
        #[pin]
        fut: F,
        cell: Rc<ShieldCell<T>>,
        // Last, so the watchers are woken after the future's own `Drop` guards ran.
        exit: Exit<T>,
    }
}

struct Exit<T> {
    cell: Rc<ShieldCell<T>>,
}

impl<T> Drop for Exit<T> {
    fn drop(&mut self) {
        self.cell.finished.set(true);
        let waiters = std::mem::take(&mut *self.cell.waiters.borrow_mut());
        for w in waiters {
            w.wake();
        }
    }
}

impl<F: Future<Output = T>, T> Future for Shielded<F, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        match this.fut.poll(cx) {
            Poll::Ready(v) => {
                *this.cell.slot.borrow_mut() = Slot::Value(v);
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Runs `fut` as a task of its own and awaits it, so that cancelling the awaiter does not
/// cancel `fut`: asyncio's `shield`. Dropping the returned [`Shield`] detaches the task; take a
/// [`Shield::watch`] first to observe its outcome after the awaiter is gone.
///
/// ```
/// use std::time::Duration;
/// use sim::time::{sleep, timeout};
///
/// let mut sim = sim::Sim::new(4);
/// sim.run(async {
///     let mut s = sim::shield(async { sleep(Duration::from_secs(2)).await; "saved" });
///     let watch = s.watch();
///     // The timeout drops only the awaiting side...
///     assert!(timeout(Duration::from_secs(1), &mut s).await.is_err());
///     drop(s);
///     // ...the shielded work runs on and its value is still there.
///     assert_eq!(watch.await.unwrap().unwrap(), "saved");
///     assert_eq!(sim::time::elapsed(), Duration::from_secs(2));
/// }).unwrap();
/// ```
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn shield<F>(fut: F) -> Shield<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let cell = Rc::new(ShieldCell {
        slot: RefCell::new(Slot::Empty),
        finished: Cell::new(false),
        waiters: RefCell::default(),
        handle: RefCell::new(None),
        id: Cell::new(None),
        site: Location::caller(),
    });
    let handle = crate::spawn(Shielded {
        fut,
        cell: cell.clone(),
        exit: Exit { cell: cell.clone() },
    });
    cell.id.set(Some(handle.id()));
    *cell.handle.borrow_mut() = Some(handle);
    Shield { cell }
}

/// Future of [`shield`]: the shielded task's outcome. Dropping it detaches the task.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let s: sim::concurrency::Shield<u8> = sim::shield(async { 1 });
///     assert!(!s.is_finished());
///     assert_eq!(s.id().as_u64(), 1);
///     assert_eq!(s.await.unwrap(), 1);
/// }).unwrap();
/// ```
#[must_use = "futures do nothing unless awaited; the shielded task runs either way"]
pub struct Shield<T> {
    cell: Rc<ShieldCell<T>>,
}

impl<T> Shield<T> {
    /// Another way to observe the outcome, which outlives this `Shield` (e.g. outside the task
    /// that may be aborted). See [`shield`] for an example.
    pub fn watch(&self) -> ShieldWatch<T> {
        ShieldWatch {
            cell: self.cell.clone(),
        }
    }

    /// The shielded task's id.
    pub fn id(&self) -> TaskId {
        self.cell
            .id
            .get()
            .expect("a shield's task id is set at creation")
    }

    /// True once the shielded task finished (completed, panicked or was aborted).
    pub fn is_finished(&self) -> bool {
        self.cell.finished.get()
    }
}

impl<T> Future for Shield<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.cell.poll_take(cx).map(|o| {
            o.expect(
                "a Shield was awaited after a ShieldWatch (or an earlier poll) took its outcome",
            )
        })
    }
}

impl<T> fmt::Debug for Shield<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shield")
            .field("id", &self.cell.id.get())
            .field("finished", &self.cell.finished.get())
            .finish()
    }
}

/// Observes a shielded task's outcome; see [`Shield::watch`]. Resolves to `Some(outcome)` when
/// the task finished, or `None` when the [`Shield`] or another watch took the outcome first.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let s = sim::shield(async { 7 });
///     let (w1, w2) = (s.watch(), s.watch());
///     drop(s);
///     assert_eq!(w1.await.unwrap().unwrap(), 7);
///     assert!(w2.await.is_none());
/// }).unwrap();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct ShieldWatch<T> {
    cell: Rc<ShieldCell<T>>,
}

impl<T> Clone for ShieldWatch<T> {
    fn clone(&self) -> Self {
        ShieldWatch {
            cell: self.cell.clone(),
        }
    }
}

impl<T> ShieldWatch<T> {
    /// True once the shielded task finished.
    pub fn is_finished(&self) -> bool {
        self.cell.finished.get()
    }
}

impl<T> Future for ShieldWatch<T> {
    type Output = Option<Result<T, JoinError>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.cell.poll_take(cx)
    }
}

impl<T> fmt::Debug for ShieldWatch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShieldWatch")
            .field("finished", &self.cell.finished.get())
            .finish()
    }
}
