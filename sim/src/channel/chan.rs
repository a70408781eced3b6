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

    /// Wakes them in the order they were pushed.
    pub(crate) fn wake(self) {
        if let Some(w) = self.one {
            w.wake();
        }
        for w in self.more {
            w.wake();
        }
    }
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
    putters: WaitList<()>,
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

    /// Reserves a slot for a newcomer if one is free and nobody is ahead. `Err` when closed.
    /// Room for one more reservation. A rendezvous channel (capacity 0) has room only for a
    /// value some waiting getter will take: one reservation per waiting getter.
    fn has_room(&self) -> bool {
        if self.cap == 0 {
            self.reserved < self.getters.waiting()
        } else {
            self.occupied() < self.cap
        }
    }

    pub(crate) fn try_reserve(&mut self) -> Result<bool, ()> {
        if self.closed {
            return Err(());
        }
        if self.putters.is_empty() && self.has_room() {
            self.reserved += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Writes `v` into a slot reserved by the caller; gives `v` back if the channel closed.
    pub(crate) fn commit(&mut self, v: T, wk: &mut Wakes) -> Result<(), T> {
        self.reserved -= 1;
        if self.closed {
            self.release_slot(wk);
            return Err(v);
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
        self.reserved -= 1;
        self.release_slot(wk);
    }

    /// A slot came free: hand it to the oldest waiting putter.
    fn release_slot(&mut self, wk: &mut Wakes) {
        if self.has_room() {
            if let Ok(w) = self.putters.grant_front(()) {
                self.reserved += 1;
                wk.push(w);
            }
        }
    }

    /// Puts a putter at the back of the line.
    pub(crate) fn join_putter(&mut self, slot: &mut WaitSlot, waker: &Waker) {
        slot.join(&mut self.putters, waker, ());
    }

    /// A waiting putter's turn: `Grant` once it was handed a slot (the caller then holds a
    /// reservation).
    pub(crate) fn poll_putter(&mut self, slot: &mut WaitSlot, waker: &Waker) -> Handed<()> {
        slot.poll(&mut self.putters, waker)
    }

    /// A putter's future was dropped: it leaves the line, passing on a slot it was handed.
    pub(crate) fn cancel_putter(&mut self, slot: &mut WaitSlot, wk: &mut Wakes) {
        if slot.cancel(&mut self.putters).is_some() {
            self.unreserve(wk);
        }
    }

    // ----- getting --------------------------------------------------------------------------

    /// Takes the oldest buffered item, if any.
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
        let n = self.putters.waiting();
        wk.extend(self.putters.grant_all(|_| ()));
        self.reserved += n;
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
