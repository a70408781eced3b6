//! The four guards of an [`RwLock`]: shared or exclusive, borrowing the lock or owning an `Arc`
//! of it. A reader holds a clone of the value's `Arc`; the writer holds the only one.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::rwlock::{LEAKED, RwLock};

const HELD: &str = "an RwLock guard holds its value until dropped";

fn exclusive<T>(value: &mut Option<Arc<T>>) -> &mut T {
    // Every reader dropped its clone before it released its permit, and the writer holds them
    // all: this `Arc` is the only one.
    Arc::get_mut(value.as_mut().expect(HELD)).expect(LEAKED)
}

/// Shared access to an [`RwLock`]'s value; released when dropped.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let lock = sim::sync::RwLock::new(5);
///     let r: sim::sync::RwLockReadGuard<'_, i32> = lock.read().await;
///     assert_eq!(*r, 5);
/// }).unwrap();
/// ```
pub struct RwLockReadGuard<'a, T> {
    lock: &'a RwLock<T>,
    value: Option<Arc<T>>,
}

/// Exclusive access to an [`RwLock`]'s value; released when dropped.
///
/// ```
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let lock = sim::sync::RwLock::new(5);
///     let mut w: sim::sync::RwLockWriteGuard<'_, i32> = lock.write().await;
///     *w = 6;
///     let r = sim::sync::RwLockWriteGuard::downgrade(w); // still no writer can enter
///     assert_eq!(*r, 6);
/// }).unwrap();
/// ```
pub struct RwLockWriteGuard<'a, T> {
    lock: &'a RwLock<T>,
    value: Option<Arc<T>>,
}

/// Shared access through an `Arc` of the lock ([`RwLock::read_owned`]).
///
/// ```
/// use std::sync::Arc;
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let lock = Arc::new(sim::sync::RwLock::new(1));
///     let r = lock.clone().read_owned().await;
///     assert!(Arc::ptr_eq(sim::sync::OwnedRwLockReadGuard::rwlock(&r), &lock));
/// }).unwrap();
/// ```
pub struct OwnedRwLockReadGuard<T> {
    lock: Arc<RwLock<T>>,
    value: Option<Arc<T>>,
}

/// Exclusive access through an `Arc` of the lock ([`RwLock::write_owned`]).
///
/// ```
/// use std::sync::Arc;
/// let mut sim = sim::Sim::new(0);
/// sim.run(async {
///     let lock = Arc::new(sim::sync::RwLock::new(1));
///     let mut w = lock.clone().write_owned().await;
///     *w += 1;
///     let r = sim::sync::OwnedRwLockWriteGuard::downgrade(w);
///     assert_eq!(*r, 2);
/// }).unwrap();
/// ```
pub struct OwnedRwLockWriteGuard<T> {
    lock: Arc<RwLock<T>>,
    value: Option<Arc<T>>,
}

impl<'a, T> RwLockReadGuard<'a, T> {
    pub(super) fn new(lock: &'a RwLock<T>, value: Arc<T>) -> Self {
        RwLockReadGuard {
            lock,
            value: Some(value),
        }
    }
}

impl<'a, T> RwLockWriteGuard<'a, T> {
    pub(super) fn new(lock: &'a RwLock<T>, value: Arc<T>) -> Self {
        RwLockWriteGuard {
            lock,
            value: Some(value),
        }
    }

    /// Turns exclusive access into shared access without letting a writer in between (waiting
    /// readers at the front of the queue may then enter).
    pub fn downgrade(mut guard: Self) -> RwLockReadGuard<'a, T> {
        // The guard's drop then releases nothing: the reader's permit stays taken.
        let value = guard.value.take().expect(HELD);
        guard.lock.put(value.clone());
        guard.lock.permits.release(guard.lock.max - 1);
        RwLockReadGuard::new(guard.lock, value)
    }
}

impl<T> OwnedRwLockReadGuard<T> {
    pub(super) fn new(lock: Arc<RwLock<T>>, value: Arc<T>) -> Self {
        OwnedRwLockReadGuard {
            lock,
            value: Some(value),
        }
    }

    /// The lock this guard reads.
    pub fn rwlock(guard: &Self) -> &Arc<RwLock<T>> {
        &guard.lock
    }
}

impl<T> OwnedRwLockWriteGuard<T> {
    pub(super) fn new(lock: Arc<RwLock<T>>, value: Arc<T>) -> Self {
        OwnedRwLockWriteGuard {
            lock,
            value: Some(value),
        }
    }

    /// The lock this guard writes.
    pub fn rwlock(guard: &Self) -> &Arc<RwLock<T>> {
        &guard.lock
    }

    /// Exclusive access becomes shared access, with no writer in between.
    pub fn downgrade(mut guard: Self) -> OwnedRwLockReadGuard<T> {
        let value = guard.value.take().expect(HELD);
        guard.lock.put(value.clone());
        guard.lock.permits.release(guard.lock.max - 1);
        OwnedRwLockReadGuard::new(guard.lock.clone(), value)
    }
}

macro_rules! guard_impls {
    ($name:ident [$($lt:lifetime)?], mut: $mutable:tt, release: $release:expr) => {
        impl<$($lt,)? T> Deref for $name<$($lt,)? T> {
            type Target = T;
            fn deref(&self) -> &T {
                self.value.as_deref().expect(HELD)
            }
        }

        impl<$($lt,)? T: fmt::Debug> fmt::Debug for $name<$($lt,)? T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }

        impl<$($lt,)? T: fmt::Display> fmt::Display for $name<$($lt,)? T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&**self, f)
            }
        }

        impl<$($lt,)? T> Drop for $name<$($lt,)? T> {
            fn drop(&mut self) {
                let release: fn(&RwLock<T>, Option<Arc<T>>) = $release;
                release(&self.lock, self.value.take());
            }
        }

        guard_impls!(@mut $mutable $name [$($lt)?]);
    };
    (@mut true $name:ident [$($lt:lifetime)?]) => {
        impl<$($lt,)? T> DerefMut for $name<$($lt,)? T> {
            fn deref_mut(&mut self) -> &mut T {
                exclusive(&mut self.value)
            }
        }
    };
    (@mut false $name:ident [$($lt:lifetime)?]) => {};
}

/// A reader drops its share before its permit goes back (so a writer finds the only `Arc`).
fn release_read<T>(lock: &RwLock<T>, value: Option<Arc<T>>) {
    drop(value);
    lock.permits.release(1);
}

/// A writer puts the value back, then lets the next ones in. (No value: it was downgraded, and
/// the reader it became holds the last permit.)
fn release_write<T>(lock: &RwLock<T>, value: Option<Arc<T>>) {
    if let Some(v) = value {
        lock.put(v);
        lock.permits.release(lock.max);
    }
}

guard_impls!(RwLockReadGuard['a], mut: false, release: release_read);
guard_impls!(RwLockWriteGuard['a], mut: true, release: release_write);
guard_impls!(OwnedRwLockReadGuard[], mut: false, release: release_read);
guard_impls!(OwnedRwLockWriteGuard[], mut: true, release: release_write);
