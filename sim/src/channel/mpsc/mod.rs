//! Multi-producer, single-consumer channels: bounded ([`channel`]) and unbounded
//! ([`unbounded_channel`]), with tokio's names and a FIFO, hand-off model.
//!
//! # Model
//!
//! A bounded channel has `capacity` slots. A send takes a slot if one is free and no earlier
//! sender is waiting; otherwise it joins a FIFO line of senders, and each slot that comes free
//! (when the receiver takes a value) is handed straight to the oldest waiting sender, which then
//! writes its value. A value sent while the receiver waits is handed straight to it.
//!
//! # Invariants
//!
//! - **FIFO, no barging**: values are received in the order their sends completed; blocked
//!   senders complete in the order they blocked; a newcomer never overtakes a waiting sender.
//! - **Cancellation is drop, and loses nothing**: a dropped `send` future never delivered its
//!   value (it is dropped with the future), and a slot it had been handed passes to the next
//!   sender. A dropped `recv` future that had been handed a value puts it back at the front.
//! - **Every operation is a preemption point**: `send().await` and `recv().await` let an
//!   exploring strategy switch tasks on their first poll, even when they can complete at once.
//! - **Closing**: when every sender is dropped, or the receiver calls [`Receiver::close`], sends
//!   fail (giving the value back) and the receiver gets what is buffered, then `None`. Dropping
//!   the receiver drops what is buffered.
//!
//! The receiver is a futures [`Stream`](futures::Stream); bounded and unbounded senders are
//! futures [`Sink`](futures::Sink)s.
//!
//! ```
//! use sim::channel::mpsc;
//! let mut sim = sim::Sim::new(7);
//! let got = sim.run(async {
//!     let (tx, mut rx) = mpsc::channel(1);
//!     for p in 0..2u32 {
//!         let tx = tx.clone();
//!         sim::spawn(async move {
//!             for i in 0..3 { tx.send((p, i)).await.unwrap(); }
//!         });
//!     }
//!     drop(tx);
//!     let mut got = Vec::new();
//!     while let Some(v) = rx.recv().await { got.push(v); }
//!     got
//! }).unwrap();
//! assert_eq!(got.len(), 6);
//! for p in 0..2 {
//!     let mine: Vec<u32> = got.iter().filter(|v| v.0 == p).map(|v| v.1).collect();
//!     assert_eq!(mine, [0, 1, 2]); // FIFO per producer, under every seed
//! }
//! ```

mod bounded;
pub mod error;
mod extra;
mod many;
mod receiver;
mod unbounded;

use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use bounded::{Permit, Reserve, Send, Sender};
pub use error::{SendError, TryRecvError, TrySendError};
pub use extra::{Closed, OwnedPermit, ReserveOwned, WeakSender, WeakUnboundedSender};
pub use many::{PermitIterator, ReserveMany};
pub use receiver::{Receiver, Recv};
pub use unbounded::UnboundedSender;

use super::chan::{Chan, Wakes};
use crate::sync::cell::StateCell;

/// The receiving half of an [`unbounded_channel`] (the same type as a bounded one's).
pub type UnboundedReceiver<T> = Receiver<T>;

/// What both halves share.
pub(super) struct Shared<T> {
    pub(super) chan: StateCell<Chan<T>>,
    senders: AtomicUsize,
    pub(super) weak_senders: AtomicUsize,
}

impl<T> Shared<T> {
    fn new(cap: usize) -> Arc<Self> {
        Arc::new(Shared {
            chan: StateCell::new(Chan::new(cap)),
            senders: AtomicUsize::new(1),
            weak_senders: AtomicUsize::new(0),
        })
    }

    fn add_sender(&self) {
        self.senders.fetch_add(1, Ordering::Relaxed);
    }

    /// A weak sender becomes a sender, unless every sender is gone (the channel is closed).
    pub(super) fn upgrade(&self) -> bool {
        let n = self.senders.load(Ordering::Relaxed);
        if n == 0 {
            return false;
        }
        self.senders.store(n + 1, Ordering::Relaxed);
        true
    }

    pub(super) fn sender_count(&self) -> usize {
        self.senders.load(Ordering::Relaxed)
    }

    pub(super) fn weak_count(&self) -> usize {
        self.weak_senders.load(Ordering::Relaxed)
    }

    /// The last sender closes the channel.
    fn drop_sender(&self) {
        if self.senders.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.close();
        }
    }

    fn close(&self) {
        let mut wk = Wakes::default();
        self.chan.borrow_mut().close(&mut wk);
        wk.wake();
    }
}

/// A bounded channel of `capacity` slots: `send` waits while all are taken.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (tx, mut rx) = sim::channel::mpsc::channel(2);
///     tx.send("a").await.unwrap();
///     tx.send("b").await.unwrap();
///     assert!(tx.try_send("c").is_err()); // full
///     assert_eq!(rx.recv().await, Some("a"));
/// }).unwrap();
/// ```
///
/// # Panics
/// When `capacity` is 0 (a rendezvous channel is not supported; use capacity 1).
#[track_caller]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "mpsc::channel(0): the capacity must be at least 1 (use unbounded_channel() for no \
         limit, rendezvous_channel() for none)"
    );
    let shared = Shared::new(capacity);
    let site = Location::caller();
    (
        Sender::new(shared.clone(), site),
        Receiver::new(shared, site),
    )
}

/// A rendezvous channel: capacity 0, so a `send` completes only when a receiver is waiting for
/// the value, and hands it over directly (no buffer); `try_send` succeeds only then. (tokio's
/// `channel(0)` panics; Go's unbuffered channels and trio's `open_memory_channel(0)` work like
/// this.)
///
/// ```
/// use std::time::Duration;
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (tx, mut rx) = sim::channel::mpsc::rendezvous_channel();
///     assert!(tx.try_send(1).is_err()); // nobody is receiving yet
///     let sender = sim::spawn(async move {
///         tx.send(2).await.unwrap(); // waits for the receiver
///         sim::time::now()
///     });
///     sim::time::sleep(Duration::from_secs(1)).await;
///     assert_eq!(rx.recv().await, Some(2));
///     assert_eq!(sender.await.unwrap(), sim::time::Instant::from_nanos(1_000_000_000));
/// }).unwrap();
/// ```
#[track_caller]
pub fn rendezvous_channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Shared::new(0);
    let site = Location::caller();
    (
        Sender::new(shared.clone(), site),
        Receiver::new(shared, site),
    )
}

/// An unbounded channel: [`UnboundedSender::send`] never waits.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let (tx, mut rx) = sim::channel::mpsc::unbounded_channel();
///     for i in 0..1000 { tx.send(i).unwrap(); }
///     drop(tx);
///     let mut n = 0;
///     while let Some(i) = rx.recv().await { assert_eq!(i, n); n += 1; }
///     assert_eq!(n, 1000);
/// }).unwrap();
/// ```
#[track_caller]
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let shared = Shared::new(usize::MAX);
    let site = Location::caller();
    (
        UnboundedSender::new(shared.clone()),
        Receiver::new(shared, site),
    )
}
