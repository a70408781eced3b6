//! `CancelToken`: cooperative cancellation, a tree of flags tasks can check and wait for.

use super::cell::StateCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Waker};

use crate::rt::primitives::{Handed, WaitList, WaitSlot};

/// A cancellation request that tasks observe and act on themselves: seedloop's counterpart of
/// catching asyncio's `CancelledError` (tokio-util's `CancellationToken`).
///
/// [`JoinHandle::abort`](crate::JoinHandle::abort) drops a task at its next await: it cannot
/// clean up asynchronously or refuse. A `CancelToken` asks instead: the task sees
/// [`is_cancelled`](CancelToken::is_cancelled) or wakes from
/// [`cancelled`](CancelToken::cancelled), then finishes its work, awaits its cleanup, or carries
/// on, as it decides.
///
/// Clones share one flag. A [`child_token`](CancelToken::child_token) is cancelled with its
/// parent (and its own children), never the other way round. Cancelling is permanent.
///
/// ```
/// use std::time::Duration;
/// use sim::sync::CancelToken;
///
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let token = CancelToken::new();
///     let t = token.child_token();
///     let worker = sim::spawn(async move {
///         let mut done = 0;
///         while !t.is_cancelled() {
///             sim::time::sleep(Duration::from_secs(1)).await;
///             done += 1;
///         }
///         sim::log!("cleaning up"); // could await here: nobody drops this task
///         done
///     });
///     sim::time::sleep(Duration::from_millis(2500)).await;
///     token.cancel();
///     assert_eq!(worker.await.unwrap(), 3);
/// }).unwrap();
/// ```
#[derive(Clone, Default)]
pub struct CancelToken {
    node: Arc<Node>,
}

#[derive(Default)]
struct Node {
    state: StateCell<State>,
}

#[derive(Default)]
struct State {
    cancelled: bool,
    waiters: WaitList<()>,
    children: Vec<Weak<Node>>,
    /// Dead children are swept when the list reaches this length.
    sweep_at: usize,
}

/// Cancels `node` and its subtree; collects the wakers to call after every borrow is released.
fn cancel_tree(node: &Arc<Node>, wakers: &mut Vec<Waker>) {
    let mut stack = vec![node.clone()];
    while let Some(node) = stack.pop() {
        let children = {
            let mut st = node.state.borrow_mut();
            if st.cancelled {
                continue;
            }
            st.cancelled = true;
            wakers.extend(st.waiters.grant_all(|_| ()));
            std::mem::take(&mut st.children)
        };
        // Reverse so that children are cancelled in creation order.
        stack.extend(children.iter().rev().filter_map(Weak::upgrade));
    }
}

impl CancelToken {
    /// A token not cancelled yet.
    ///
    /// ```
    /// assert!(!sim::sync::CancelToken::new().is_cancelled());
    /// ```
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Cancels this token and every token derived from it; wakes all their waiters. Cancelling
    /// again does nothing.
    ///
    /// ```
    /// let token = sim::sync::CancelToken::new();
    /// let child = token.child_token();
    /// token.cancel();
    /// assert!(child.is_cancelled());
    /// ```
    #[track_caller]
    pub fn cancel(&self) {
        crate::rt::primitives::signal("CancelToken::cancel", None, std::panic::Location::caller());
        let mut wakers = Vec::new();
        cancel_tree(&self.node, &mut wakers);
        for w in wakers {
            w.wake();
        }
    }

    /// True once this token (or an ancestor) was cancelled.
    ///
    /// ```
    /// let token = sim::sync::CancelToken::new();
    /// let clone = token.clone();
    /// clone.cancel();
    /// assert!(token.is_cancelled()); // clones share one flag
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.node.state.borrow().cancelled
    }

    /// A new token cancelled when this one is (already cancelled if this one is); cancelling
    /// the child leaves this one alone.
    ///
    /// ```
    /// let parent = sim::sync::CancelToken::new();
    /// let child = parent.child_token();
    /// child.cancel();
    /// assert!(!parent.is_cancelled());
    /// ```
    pub fn child_token(&self) -> CancelToken {
        let child = CancelToken::new();
        let mut st = self.node.state.borrow_mut();
        if st.cancelled {
            child.node.state.borrow_mut().cancelled = true;
        } else {
            if st.children.len() >= st.sweep_at {
                st.children.retain(|c| c.strong_count() > 0);
                st.sweep_at = (st.children.len() * 2).max(8);
            }
            st.children.push(Arc::downgrade(&child.node));
        }
        child
    }

    /// Waits until the token is cancelled (returns at once, after a preemption point, if it
    /// already is).
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut sim = sim::Sim::new(0);
    /// sim.run(async {
    ///     let token = sim::sync::CancelToken::new();
    ///     let t = token.clone();
    ///     sim::spawn(async move {
    ///         sim::time::sleep(Duration::from_secs(5)).await;
    ///         t.cancel();
    ///     });
    ///     token.cancelled().await;
    ///     assert_eq!(sim::time::elapsed(), Duration::from_secs(5));
    /// }).unwrap();
    /// ```
    ///
    /// # Panics
    /// When awaited outside a simulation.
    #[track_caller]
    pub fn cancelled(&self) -> Cancelled<'_> {
        Cancelled {
            token: self,
            slot: WaitSlot::new("CancelToken::cancelled", Location::caller()),
        }
    }

    /// A guard that cancels this token when dropped (e.g. when the task holding it is
    /// aborted), unless [`disarm`](CancelGuard::disarm)ed.
    ///
    /// ```
    /// let token = sim::sync::CancelToken::new();
    /// drop(token.clone().drop_guard());
    /// assert!(token.is_cancelled());
    ///
    /// let token = sim::sync::CancelToken::new();
    /// let _same = token.clone().drop_guard().disarm();
    /// assert!(!token.is_cancelled());
    /// ```
    pub fn drop_guard(self) -> CancelGuard {
        CancelGuard { token: Some(self) }
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// Future of [`CancelToken::cancelled`].
#[must_use = "futures do nothing unless awaited"]
pub struct Cancelled<'a> {
    token: &'a CancelToken,
    slot: WaitSlot,
}

impl Future for Cancelled<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.slot.preempt(cx) {
            return Poll::Pending;
        }
        {
            let mut st = this.token.node.state.borrow_mut();
            if st.cancelled {
                // Cancelling granted every waiter: this takes the grant (and leaves the list).
                let _ = this.slot.cancel(&mut st.waiters);
                return Poll::Ready(());
            }
            match this.slot.poll(&mut st.waiters, cx.waker()) {
                // Only cancelling grants, and that sets the flag checked above.
                Handed::Grant(()) => return Poll::Ready(()),
                Handed::NotYet => {}
                Handed::NotQueued => this.slot.join(&mut st.waiters, cx.waker(), ()),
            }
        }
        this.slot.note(None);
        Poll::Pending
    }
}

impl Drop for Cancelled<'_> {
    fn drop(&mut self) {
        if self.slot.is_waiting() {
            let _ = self
                .slot
                .cancel(&mut self.token.node.state.borrow_mut().waiters);
        }
    }
}

/// Cancels its [`CancelToken`] when dropped; from [`CancelToken::drop_guard`].
#[must_use = "the token is cancelled as soon as this is dropped"]
pub struct CancelGuard {
    token: Option<CancelToken>,
}

impl CancelGuard {
    /// Gives the token back without cancelling it.
    pub fn disarm(mut self) -> CancelToken {
        self.token
            .take()
            .expect("a CancelGuard holds its token until dropped")
    }
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        if let Some(t) = self.token.take() {
            t.cancel();
        }
    }
}

impl fmt::Debug for CancelGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelGuard")
            .field("token", &self.token)
            .finish()
    }
}
