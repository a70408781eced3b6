//! The futures of [`Queue::put`], [`Queue::get`] and [`Queue::join`].

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::{Queue, QueueShutDown};
use crate::channel::pending::{PendingGet, PendingPut};
use crate::rt::primitives::{Handed, WaitSlot};

/// Future of [`Queue::put`]: `Ok(())` once the item is in the queue, or the item back in
/// [`QueueShutDown`].
#[must_use = "futures do nothing unless awaited"]
pub struct Put<'a, T> {
    queue: &'a Queue<T>,
    item: Option<T>,
    wait: PendingPut,
    site: &'static Location<'static>,
}

// The item is moved out by `Option::take`, never pinned in place.
impl<T> Unpin for Put<'_, T> {}

impl<'a, T> Put<'a, T> {
    pub(super) fn new(queue: &'a Queue<T>, item: T, site: &'static Location<'static>) -> Self {
        Put {
            queue,
            item: Some(item),
            wait: PendingPut::default(),
            site,
        }
    }
}

impl<T> Future for Put<'_, T> {
    type Output = Result<(), QueueShutDown<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(
            this.item.is_some(),
            "Queue::put polled after it completed: a put future completes once"
        );
        let inner = &this.queue.inner;
        let at = this.queue.site("Queue::put", this.site);
        let r = ready!(this.wait.poll_put(&inner.chan, cx, at, &mut this.item));
        if r.is_ok() {
            inner.tasks.borrow_mut().unfinished += 1;
        }
        Poll::Ready(r.map_err(QueueShutDown))
    }
}

impl<T> Drop for Put<'_, T> {
    fn drop(&mut self) {
        self.wait.cancel(&self.queue.inner.chan);
    }
}

impl<T> fmt::Debug for Put<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put")
            .field("waiting", &self.wait.is_waiting())
            .finish()
    }
}

/// Future of [`Queue::get`]: the oldest item, or [`QueueShutDown`] once the queue is shut down
/// and empty.
#[must_use = "futures do nothing unless awaited"]
pub struct Get<'a, T> {
    queue: &'a Queue<T>,
    wait: PendingGet,
    done: bool,
    site: &'static Location<'static>,
}

impl<'a, T> Get<'a, T> {
    pub(super) fn new(queue: &'a Queue<T>, site: &'static Location<'static>) -> Self {
        Get {
            queue,
            wait: PendingGet::default(),
            done: false,
            site,
        }
    }
}

impl<T> Future for Get<'_, T> {
    type Output = Result<T, QueueShutDown>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // Polling again would take a second item nobody receives.
        assert!(
            !this.done,
            "Queue::get polled after it completed: a get future completes once"
        );
        let at = this.queue.site("Queue::get", this.site);
        let r = ready!(this.wait.poll(&this.queue.inner.chan, cx, at));
        this.done = true;
        Poll::Ready(r.ok_or(QueueShutDown(())))
    }
}

impl<T> Drop for Get<'_, T> {
    fn drop(&mut self) {
        self.wait.cancel(&self.queue.inner.chan);
    }
}

impl<T> fmt::Debug for Get<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Get")
    }
}

/// Future of [`Queue::join`].
#[must_use = "futures do nothing unless awaited"]
pub struct Join<'a, T> {
    queue: &'a Queue<T>,
    slot: WaitSlot,
}

impl<'a, T> Join<'a, T> {
    pub(super) fn new(queue: &'a Queue<T>, site: &'static Location<'static>) -> Self {
        Join {
            queue,
            slot: WaitSlot::new("Queue::join", site),
        }
    }
}

impl<T> Future for Join<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.slot.preempt_named(cx, this.queue.inner.name.as_ref()) {
            return Poll::Pending;
        }
        let mut t = this.queue.inner.tasks.borrow_mut();
        match this.slot.poll(&mut t.joiners, cx.waker()) {
            Handed::Grant(()) => return Poll::Ready(()),
            Handed::NotYet => {}
            Handed::NotQueued => {
                if t.unfinished == 0 {
                    return Poll::Ready(());
                }
                this.slot.join(&mut t.joiners, cx.waker(), ());
            }
        }
        drop(t);
        this.slot.note(this.queue.inner.name.as_ref());
        Poll::Pending
    }
}

impl<T> Drop for Join<'_, T> {
    fn drop(&mut self) {
        if self.slot.is_waiting() {
            // Joiners are released all at once: a dropped one has nothing to pass on.
            let _ = self
                .slot
                .cancel(&mut self.queue.inner.tasks.borrow_mut().joiners);
        }
    }
}

impl<T> fmt::Debug for Join<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join")
            .field("waiting", &self.slot.is_waiting())
            .finish()
    }
}
