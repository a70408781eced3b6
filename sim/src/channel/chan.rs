//! The buffer and the two wait lists shared by every multi-value channel (`mpsc`, `Queue`).
//!
//! Model: a channel holds *slots*. A slot is occupied by an item in the buffer, by an item handed
//! to a getter that has not taken it yet (*in flight*), or by a reservation handed to a putter
//! that has not written its value yet. `occupied() <= cap` always.
//!
//! Invariants:
//! - getters wait only while the buffer is empty, so an item always goes to the oldest waiting
//!   getter, never to a newcomer (no barging);
//! - putters are served in order: a newcomer may not take a free slot while older putters wait;
//! - every freed slot is handed at once to the oldest waiting putter (a reservation); a putter
//!   whose future is dropped with an untaken reservation passes it on; a putter's value enters
//!   the channel only when its future writes it, so a dropped `put` never delivered its value;
//! - a getter whose future is dropped with an untaken item passes the item to the next waiting
//!   getter, or puts it back at the front of the buffer: nothing is lost or duplicated.
//!
//! Methods that would wake a task push its waker into a [`Wakes`]; the caller wakes them after
//! releasing its `RefCell` borrow. Methods never drop an item: items leave by return value, so
//! a user `Drop` never runs under the borrow either.

use std::collections::VecDeque;
use std::task::Waker;

use crate::rt::primitives::{Handed, WaitList, WaitSlot};

/// Wakers collected under a borrow, woken after it is released.
#[derive(Default)]
pub(crate) struct Wakes {
    one: Option<Waker>,
    more: Vec<Waker>,
}

impl Wakes {
    pub(crate) fn push(&mut self, w: Waker) {
        if self.one.is_none() {
            self.one = Some(w);
        } else {
            self.more.push(w);
        }
    }

    pub(crate) fn extend(&mut self, ws: Vec<Waker>) {
        for w in ws {
            self.push(w);
        }
    }

    /// Wakes them in the order they were pushed. (Most operations wake nobody: that case is
    /// a test, inlined, with nothing to drop.)
    #[inline]
    pub(crate) fn wake(self) {
        // An empty `Wakes` is dropped, not forgotten: forgetting it saved stream 2% of its
        // instructions but changed the bench binary's inlining, at 10% of the scale row.
        if self.one.is_some() {
            self.wake_all();
        }
    }

    #[inline(never)]
    fn wake_all(self) {
        if let Some(w) = self.one {
            w.wake();
        }
        for w in self.more {
            w.wake();
        }
    }
}

/// What a waiting putter is handed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PutGrant {
    /// The slots it asked for are reserved for it.
    Slots,
    /// The channel closed while it waited: it holds nothing.
    Closed,
}

/// What a waiting getter is handed.
pub(crate) enum Grant<T> {
    Item(T),
    /// The channel closed while it waited: look again (a returned item may be there), else end.
    Closed,
}

pub(crate) struct Chan<T> {
    buf: VecDeque<T>,
    cap: usize,
    in_flight: usize,
    reserved: usize,
    getters: WaitList<Grant<T>>,
    /// Each waiting putter with the number of slots it asks for.
    putters: WaitList<PutGrant, usize>,
    /// Senders waiting for the channel to close (`Sender::closed`).
    pub(crate) closers: WaitList<()>,
    closed: bool,
}

impl<T> Chan<T> {
    /// A channel of `cap` slots (`usize::MAX`: unbounded).
    pub(crate) fn new(cap: usize) -> Self {
        Chan {
            buf: VecDeque::new(),
            cap,
            in_flight: 0,
            reserved: 0,
            getters: WaitList::default(),
            putters: WaitList::default(),
            closers: WaitList::default(),
            closed: false,
        }
    }

    fn occupied(&self) -> usize {
        self.buf.len() + self.in_flight + self.reserved
    }

    /// Items put and not yet taken by a getter (buffered or in flight).
    pub(crate) fn len(&self) -> usize {
        self.buf.len() + self.in_flight
    }

    /// True when a put would wait: no free slot, or older putters are first in line.
    pub(crate) fn is_full(&self) -> bool {
        self.occupied() >= self.cap || !self.putters.is_empty()
    }

    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Slots not occupied (for unbounded channels, `usize::MAX - occupied`).
    pub(crate) fn free(&self) -> usize {
        self.cap.saturating_sub(self.occupied())
    }

    // ----- putting --------------------------------------------------------------------------

    /// Room for `n` more reservations. A rendezvous channel (capacity 0) has room only for
    /// values some waiting getter will take: one reservation per waiting getter.
    fn has_room(&self, n: usize) -> bool {
        if self.cap == 0 {
            self.reserved + n <= self.getters.waiting()
        } else {
            self.occupied() + n <= self.cap
        }
    }

    /// Reserves a slot for a newcomer if one is free and nobody is ahead. `Err` when closed.
    pub(crate) fn try_reserve(&mut self) -> Result<bool, ()> {
        self.try_reserve_n(1)
    }

    /// Reserves `n` slots at once for a newcomer if they are free and nobody is ahead. `Err`
    /// when closed.
    pub(crate) fn try_reserve_n(&mut self, n: usize) -> Result<bool, ()> {
        if self.closed {
            return Err(());
        }
        // Nothing to wait for when nothing is asked (tokio's `try_reserve_many(0)`).
        if n == 0 || (self.putters.is_empty() && self.has_room(n)) {
            self.reserved += n;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Writes `v` into a slot reserved by the caller; gives `v` back if the channel closed.
    #[inline]
    pub(crate) fn commit(&mut self, v: T, wk: &mut Wakes) -> Result<(), T> {
        self.reserved -= 1;
        if self.closed {
            self.release_slot(wk);
            return Err(v);
        }
        if self.getters.is_empty() {
            self.buf.push_back(v);
            return Ok(());
        }
        match self.getters.grant_front(Grant::Item(v)) {
            Ok(w) => {
                self.in_flight += 1;
                wk.push(w);
            }
            Err(g) => {
                if let Grant::Item(v) = g {
                    self.buf.push_back(v);
                }
            }
        }
        Ok(())
    }

    /// Gives back a reservation the caller will not use.
    pub(crate) fn unreserve(&mut self, wk: &mut Wakes) {
        self.unreserve_n(1, wk);
    }

    /// Gives back `n` reserved slots the caller will not use.
    pub(crate) fn unreserve_n(&mut self, n: usize, wk: &mut Wakes) {
        self.reserved -= n;
        self.release_slot(wk);
    }

    /// Slots came free: hand them to the waiting putters, oldest first, as long as the oldest
    /// one's request fits (a big request at the front holds back smaller ones behind it).
    #[inline]
    fn release_slot(&mut self, wk: &mut Wakes) {
        if !self.putters.is_empty() {
            self.hand_free_slots(wk);
        }
    }

    /// [`release_slot`](Self::release_slot) with putters waiting.
    #[inline(never)]
    fn hand_free_slots(&mut self, wk: &mut Wakes) {
        while let Some(&n) = self.putters.front_meta() {
            if !self.has_room(n) {
                break;
            }
            match self.putters.grant_front(PutGrant::Slots) {
                Ok(w) => {
                    self.reserved += n;
                    wk.push(w);
                }
                Err(_) => break,
            }
        }
    }

    /// Puts a putter asking for `n` slots at the back of the line.
    pub(crate) fn join_putter(&mut self, slot: &mut WaitSlot, waker: &Waker, n: usize) {
        slot.join(&mut self.putters, waker, n);
    }

    /// A waiting putter's turn: `Grant(Slots)` once it was handed its slots (the caller then
    /// holds the reservations), `Grant(Closed)` when the channel closed first.
    pub(crate) fn poll_putter(&mut self, slot: &mut WaitSlot, waker: &Waker) -> Handed<PutGrant> {
        slot.poll(&mut self.putters, waker)
    }

    /// A putter of `n` slots leaves the line (its future was dropped), passing on the slots it
    /// was handed; leaving the front may also let smaller requests behind it through.
    pub(crate) fn cancel_putter(&mut self, slot: &mut WaitSlot, n: usize, wk: &mut Wakes) {
        if slot.cancel(&mut self.putters) == Some(PutGrant::Slots) {
            self.reserved -= n;
        }
        self.release_slot(wk);
    }

    // ----- getting --------------------------------------------------------------------------

    /// Takes the oldest buffered item, if any.
    #[inline]
    pub(crate) fn try_take(&mut self, wk: &mut Wakes) -> Option<T> {
        let v = self.buf.pop_front()?;
        self.release_slot(wk);
        Some(v)
    }

    /// Puts a getter at the back of the line.
    pub(crate) fn join_getter(&mut self, slot: &mut WaitSlot, waker: &Waker, wk: &mut Wakes) {
        debug_assert!(
            self.buf.is_empty(),
            "a getter waits only on an empty buffer"
        );
        slot.join(&mut self.getters, waker, ());
        if self.cap == 0 {
            // A rendezvous: a waiting putter may now hand its value to this getter.
            self.release_slot(wk);
        }
    }

    /// A waiting getter's turn: what it was handed, if anything yet.
    #[inline]
    pub(crate) fn poll_getter(
        &mut self,
        slot: &mut WaitSlot,
        waker: &Waker,
        wk: &mut Wakes,
    ) -> Handed<Grant<T>> {
        let h = slot.poll(&mut self.getters, waker);
        if let Handed::Grant(Grant::Item(_)) = h {
            self.in_flight -= 1;
            self.release_slot(wk);
        }
        h
    }

    /// A getter's future was dropped: it leaves the line; an item it was handed goes to the next
    /// waiting getter or back to the front of the buffer.
    pub(crate) fn cancel_getter(&mut self, slot: &mut WaitSlot, wk: &mut Wakes) {
        if let Some(Grant::Item(v)) = slot.cancel(&mut self.getters) {
            match self.getters.grant_front(Grant::Item(v)) {
                Ok(w) => wk.push(w),
                Err(g) => {
                    self.in_flight -= 1;
                    if let Grant::Item(v) = g {
                        self.buf.push_front(v);
                    }
                }
            }
        }
    }

    // ----- closing --------------------------------------------------------------------------

    /// No more puts: waiting putters are woken to fail, waiting getters to find the buffer empty.
    /// Items already put stay and can still be taken.
    pub(crate) fn close(&mut self, wk: &mut Wakes) {
        if self.closed {
            return;
        }
        self.closed = true;
        wk.extend(self.putters.grant_all(|_| PutGrant::Closed));
        wk.extend(self.getters.grant_all(|_| Grant::Closed));
        wk.extend(self.closers.grant_all(|_| ()));
    }

    /// Waiting getters and putters (asyncio tests read a queue's waiter counts).
    pub(crate) fn waiting(&self) -> (usize, usize) {
        (self.getters.waiting(), self.putters.waiting())
    }

    /// Takes every item out (buffered, and handed to getters that have not taken it yet), for
    /// the caller to drop after releasing its borrow.
    pub(crate) fn drain(&mut self) -> Vec<T> {
        let mut out: Vec<T> = self.buf.drain(..).collect();
        for g in self.getters.grants_mut() {
            if let Grant::Item(v) = std::mem::replace(g, Grant::Closed) {
                out.push(v);
            }
        }
        self.in_flight = 0;
        out
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::task::{Wake, Waker};

    use super::Wakes;

    struct Log(u8, Arc<Mutex<Vec<u8>>>);
    impl Wake for Log {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }

    fn waker(n: u8, log: &Arc<Mutex<Vec<u8>>>) -> Waker {
        Waker::from(Arc::new(Log(n, log.clone())))
    }

    /// Every pushed waker, the first or a later one, is woken once, in order; an empty `Wakes`
    /// wakes nobody.
    #[test]
    fn wakes_wakes_each_pushed_waker_once_in_order() {
        let log = Arc::new(Mutex::new(Vec::new()));
        Wakes::default().wake();
        assert!(log.lock().unwrap().is_empty());
        let mut one = Wakes::default();
        one.push(waker(1, &log));
        one.wake();
        assert_eq!(*log.lock().unwrap(), [1]);
        let mut three = Wakes::default();
        three.push(waker(2, &log));
        three.extend(vec![waker(3, &log), waker(4, &log)]);
        three.wake();
        assert_eq!(*log.lock().unwrap(), [1, 2, 3, 4]);
    }
}
