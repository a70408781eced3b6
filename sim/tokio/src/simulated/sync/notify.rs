//! `Notify` and `Barrier`, wrapping `sim`'s.

use std::fmt;
use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::lazy::LazyNotify;

/// Wakes one task or all waiting tasks (tokio's `sync::Notify`): `notify_one` with nobody
/// waiting stores one permit for the next `notified().await`; `notify_waiters` wakes every
/// `Notified` future created before it (polled or not) and stores nothing.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use std::sync::Arc;
/// let notify = Arc::new(tokio::sync::Notify::new());
/// let n = notify.clone();
/// let waiter = tokio::spawn(async move { n.notified().await; "woken" });
/// notify.notify_one();
/// assert_eq!(waiter.await.unwrap(), "woken");
/// # });
/// ```
pub struct Notify {
    inner: LazyNotify,
}

impl Notify {
    /// A notify with no permit stored.
    pub fn new() -> Notify {
        Notify {
            inner: LazyNotify::new(),
        }
    }

    /// A notify with no permit stored, in a `const` context (a `static`; see
    /// [`Mutex::const_new`](super::Mutex::const_new) about statics in a sweep).
    ///
    /// ```
    /// # use seedloop_tokio as tokio;
    /// use tokio::sync::Notify;
    /// static SHUTDOWN: Notify = Notify::const_new();
    /// # tokio::__seedloop::doc_run(async {
    /// SHUTDOWN.notify_one();
    /// SHUTDOWN.notified().await; // the stored permit
    /// # });
    /// ```
    pub const fn const_new() -> Notify {
        Notify {
            inner: LazyNotify::new(),
        }
    }

    /// A future that completes when notified.
    #[track_caller]
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            inner: self.inner.notified(),
            _pin: PhantomPinned,
        }
    }

    /// Wakes the oldest waiting task, or stores a permit for the next `notified()`.
    pub fn notify_one(&self) {
        self.inner.notify_one();
    }

    /// Like [`Notify::notify_one`]. (tokio wakes the newest waiter; the simulation's `Notify`
    /// keeps one FIFO line, so this wakes the oldest.)
    pub fn notify_last(&self) {
        self.inner.notify_one();
    }

    /// Wakes every task waiting now; stores nothing.
    pub fn notify_waiters(&self) {
        self.inner.notify_waiters();
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

pin_project! {
    /// Future of [`Notify::notified`]; like tokio's, it is `!Unpin`.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Notified<'a> {
        inner: sim::sync::Notified<'a>,
        #[pin]
        _pin: PhantomPinned,
    }
}

impl Notified<'_> {
    /// In tokio, registers the future as a waiter before it is polled. Here a `Notified` already
    /// receives `notify_waiters` from its creation, and a `notify_one` that finds no polled
    /// waiter stores a permit this future takes at its first poll, so there is nothing to do:
    /// returns `false` (not notified yet).
    pub fn enable(self: Pin<&mut Self>) -> bool {
        false
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(self.project().inner).poll(cx)
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Notified")
    }
}

/// Lets `n` tasks wait for each other (tokio's `sync::Barrier`); one of each group of `n` is the
/// leader.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// use std::sync::Arc;
/// let b = Arc::new(tokio::sync::Barrier::new(2));
/// let b2 = b.clone();
/// let h = tokio::spawn(async move { b2.wait().await.is_leader() });
/// let me = b.wait().await.is_leader();
/// assert!(me ^ h.await.unwrap()); // exactly one leader
/// # });
/// ```
pub struct Barrier {
    inner: sim::sync::Barrier,
}

impl Barrier {
    /// A barrier for `n` tasks (0 is taken as 1, as tokio does).
    pub fn new(n: usize) -> Barrier {
        Barrier {
            inner: sim::sync::Barrier::new(n.max(1)),
        }
    }

    /// Waits until `n` tasks wait.
    pub async fn wait(&self) -> BarrierWaitResult {
        BarrierWaitResult(self.inner.wait().await.is_leader())
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// What [`Barrier::wait`] returns.
#[derive(Clone, Debug)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// True for exactly one task of each group.
    pub fn is_leader(&self) -> bool {
        self.0
    }
}
