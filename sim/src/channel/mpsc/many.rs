//! Reserving several slots of a bounded channel at once (tokio's `reserve_many`): the
//! [`ReserveMany`] future and the [`PermitIterator`] it gives.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Sender;
use super::bounded::Permit;
use super::error::SendError;
use crate::channel::chan::Wakes;
use crate::channel::pending::PendingPut;

/// Future of [`Sender::reserve_many`].
#[must_use = "futures do nothing unless awaited"]
pub struct ReserveMany<'a, T> {
    tx: &'a Sender<T>,
    wait: PendingPut,
    n: usize,
    done: bool,
    site: &'static Location<'static>,
}

impl<'a, T> ReserveMany<'a, T> {
    pub(super) fn new(tx: &'a Sender<T>, n: usize, site: &'static Location<'static>) -> Self {
        ReserveMany {
            tx,
            wait: PendingPut::many(n),
            n,
            done: false,
            site,
        }
    }
}

impl<'a, T> Future for ReserveMany<'a, T> {
    type Output = Result<PermitIterator<'a, T>, SendError<()>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // Polling again would reserve slots nobody holds.
        assert!(
            !this.done,
            "mpsc::ReserveMany polled after it completed: a reserve future completes once"
        );
        if this.n > this.tx.most_at_once() {
            // It could never be served: tokio fails it at once.
            this.done = true;
            return Poll::Ready(Err(SendError(())));
        }
        let at = this.tx.at(this.site);
        let r = std::task::ready!(this.wait.poll(&this.tx.shared().chan, cx, at));
        this.done = true;
        Poll::Ready(match r {
            Ok(()) => Ok(PermitIterator::new(this.tx, this.n)),
            Err(()) => Err(SendError(())),
        })
    }
}

impl<T> Drop for ReserveMany<'_, T> {
    fn drop(&mut self) {
        self.wait.cancel(&self.tx.shared().chan);
    }
}

impl<T> fmt::Debug for ReserveMany<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReserveMany")
            .field("n", &self.n)
            .field("waiting", &self.wait.is_waiting())
            .finish()
    }
}

/// Slots reserved together by [`Sender::reserve_many`] or [`Sender::try_reserve_many`]: an
/// iterator of one [`Permit`] per slot. The slots it has not handed out go back to the channel
/// (to the next waiting sender) when it is dropped.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (tx, mut rx) = sim::channel::mpsc::channel(3);
///     let mut permits = tx.reserve_many(2).await.unwrap();
///     assert_eq!(permits.len(), 2);
///     assert_eq!(tx.capacity(), 1);
///     permits.next().unwrap().send('a');
///     drop(permits); // the second slot goes back
///     assert_eq!(tx.capacity(), 2);
///     assert_eq!(rx.recv().await, Some('a'));
/// }).unwrap();
/// ```
pub struct PermitIterator<'a, T> {
    tx: &'a Sender<T>,
    n: usize,
}

impl<'a, T> PermitIterator<'a, T> {
    pub(super) fn new(tx: &'a Sender<T>, n: usize) -> Self {
        PermitIterator { tx, n }
    }
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        if self.n == 0 {
            return None;
        }
        self.n -= 1;
        Some(Permit::new(self.tx))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.n, Some(self.n))
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> std::iter::FusedIterator for PermitIterator<'_, T> {}

impl<T> Drop for PermitIterator<'_, T> {
    fn drop(&mut self) {
        let n = std::mem::take(&mut self.n);
        if n > 0 {
            let mut wk = Wakes::default();
            self.tx.shared().chan.borrow_mut().unreserve_n(n, &mut wk);
            wk.wake();
        }
    }
}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("n", &self.n)
            .finish()
    }
}
