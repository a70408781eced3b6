//! The latest value, and a signal when it changes (tokio's `sync::watch`).
//!
//! The value is kept under a standard `RwLock` (a [`Ref`] holds its read guard, as tokio's
//! does, so do not hold one across an await); change notifications go through a `sim`
//! `Notify`, so every `changed().await` is a preemption point and a named wait.
//!
//! ```
//! # use seedloop_tokio as tokio;
//! # tokio::__seedloop::doc_run(async {
//! use tokio::sync::watch;
//! let (tx, mut rx) = watch::channel("starting");
//! tokio::spawn(async move { tx.send("ready").unwrap() });
//! rx.changed().await.unwrap();
//! assert_eq!(*rx.borrow_and_update(), "ready");
//! assert!(rx.changed().await.is_err()); // the sender is gone
//! # });
//! ```

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard};

/// The errors of this module.
pub mod error {
    use std::fmt;

    pub use tokio::sync::watch::error::SendError;

    /// The sender is gone (tokio's `watch::error::RecvError`).
    #[derive(Debug, Clone)]
    pub struct RecvError(pub(super) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}
}

use error::{RecvError, SendError};

struct Shared<T> {
    value: RwLock<T>,
    counts: Mutex<Counts>,
    /// Receivers waiting in `changed()`.
    changed: sim::sync::Notify,
    /// Senders waiting in `closed()`.
    closed: sim::sync::Notify,
}

struct Counts {
    version: u64,
    senders: usize,
    receivers: usize,
}

impl<T> Shared<T> {
    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read(&self) -> RwLockReadGuard<'_, T> {
        self.value.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn bump(&self) {
        self.counts().version += 1;
        self.changed.notify_waiters();
    }
}

/// A channel holding `init`.
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        counts: Mutex::new(Counts {
            version: 0,
            senders: 1,
            receivers: 1,
        }),
        changed: sim::sync::Notify::new(),
        closed: sim::sync::Notify::new(),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, seen: 0 },
    )
}

/// A borrowed value; holds a read lock, so do not keep it across an await.
pub struct Ref<'a, T> {
    inner: RwLockReadGuard<'a, T>,
    has_changed: bool,
}

impl<T> Ref<'_, T> {
    /// True when the value was new to the receiver that borrowed it.
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// The receiving half; clone it for more.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    seen: u64,
}

impl<T> Receiver<T> {
    /// The current value, without marking it seen.
    pub fn borrow(&self) -> Ref<'_, T> {
        let version = self.shared.counts().version;
        Ref {
            inner: self.shared.read(),
            has_changed: version != self.seen,
        }
    }

    /// The current value, marking it seen.
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let version = self.shared.counts().version;
        let has_changed = version != self.seen;
        self.seen = version;
        Ref {
            inner: self.shared.read(),
            has_changed,
        }
    }

    /// True when a value not yet seen is there.
    ///
    /// # Errors
    /// [`RecvError`] when the sender is gone.
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let c = self.shared.counts();
        if c.senders == 0 {
            return Err(RecvError(()));
        }
        Ok(c.version != self.seen)
    }

    /// Marks the current value unseen.
    pub fn mark_changed(&mut self) {
        self.seen = self.seen.wrapping_sub(1);
        if self.seen == self.shared.counts().version {
            self.seen = self.seen.wrapping_sub(1);
        }
    }

    /// Marks the current value seen.
    pub fn mark_unchanged(&mut self) {
        self.seen = self.shared.counts().version;
    }

    /// True once the sender is gone.
    pub fn is_closed(&self) -> bool {
        self.shared.counts().senders == 0
    }

    /// Waits for a value not yet seen, and marks it seen. A preemption point, also when one is
    /// already there.
    ///
    /// # Errors
    /// [`RecvError`] when the sender is gone and every value was seen.
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        sim::task::maybe_yield().await;
        loop {
            let notified = self.shared.changed.notified();
            {
                let c = self.shared.counts();
                if c.version != self.seen {
                    self.seen = c.version;
                    return Ok(());
                }
                if c.senders == 0 {
                    return Err(RecvError(()));
                }
            }
            notified.await;
        }
    }

    /// Waits until the value satisfies `f` (checking the current one first) and returns it,
    /// marked seen.
    ///
    /// # Errors
    /// [`RecvError`] when the sender is gone first.
    pub async fn wait_for(
        &mut self,
        mut f: impl FnMut(&T) -> bool,
    ) -> Result<Ref<'_, T>, RecvError> {
        sim::task::maybe_yield().await;
        loop {
            let notified = self.shared.changed.notified();
            let (version, senders) = {
                let c = self.shared.counts();
                (c.version, c.senders)
            };
            let ok = f(&self.shared.read());
            if ok {
                let has_changed = version != self.seen;
                self.seen = version;
                return Ok(Ref {
                    inner: self.shared.read(),
                    has_changed,
                });
            }
            self.seen = version;
            if senders == 0 {
                return Err(RecvError(()));
            }
            notified.await;
        }
    }

    /// True when both watch the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.counts().receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let last = {
            let mut c = self.shared.counts();
            c.receivers -= 1;
            c.receivers == 0
        };
        if last {
            self.shared.closed.notify_waiters();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Receiver")
            .field("value", &*self.borrow())
            .finish()
    }
}

/// The sending half.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// A sender with no receiver yet ([`Sender::subscribe`] makes them).
    pub fn new(init: T) -> Sender<T> {
        let (tx, _) = channel(init);
        tx
    }

    /// Replaces the value and notifies the receivers.
    ///
    /// # Errors
    /// The value back when there is no receiver.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.counts().receivers == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Replaces the value (receivers or not), notifies, and returns the old one.
    pub fn send_replace(&self, value: T) -> T {
        let old = {
            let mut v = self
                .shared
                .value
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            std::mem::replace(&mut *v, value)
        };
        self.shared.bump();
        old
    }

    /// Modifies the value in place and notifies.
    pub fn send_modify<F: FnOnce(&mut T)>(&self, modify: F) {
        self.send_if_modified(|v| {
            modify(v);
            true
        });
    }

    /// Modifies the value in place; notifies when `modify` returns true.
    pub fn send_if_modified<F: FnOnce(&mut T) -> bool>(&self, modify: F) -> bool {
        let modified = {
            let mut v = self
                .shared
                .value
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            modify(&mut v)
        };
        if modified {
            self.shared.bump();
        }
        modified
    }

    /// The current value.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            inner: self.shared.read(),
            has_changed: false,
        }
    }

    /// True when there is no receiver.
    pub fn is_closed(&self) -> bool {
        self.shared.counts().receivers == 0
    }

    /// Waits until there is no receiver.
    pub async fn closed(&self) {
        loop {
            let notified = self.shared.closed.notified();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }

    /// A new receiver, which has seen the current value.
    pub fn subscribe(&self) -> Receiver<T> {
        let version = {
            let mut c = self.shared.counts();
            c.receivers += 1;
            c.version
        };
        Receiver {
            shared: self.shared.clone(),
            seen: version,
        }
    }

    /// How many receivers exist.
    pub fn receiver_count(&self) -> usize {
        self.shared.counts().receivers
    }

    /// How many senders exist.
    pub fn sender_count(&self) -> usize {
        self.shared.counts().senders
    }

    /// True when both send into the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.counts().senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let last = {
            let mut c = self.shared.counts();
            c.senders -= 1;
            c.senders == 0
        };
        if last {
            self.shared.changed.notify_waiters();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Sender")
            .field("value", &*self.borrow())
            .finish()
    }
}
