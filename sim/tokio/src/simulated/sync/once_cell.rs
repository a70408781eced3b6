//! `OnceCell`: a value set once, with async initialisation serialised by a `sim` semaphore.

use std::fmt;
use std::future::Future;
use std::sync::OnceLock;

use super::lazy::LazySemaphore;

pub use tokio::sync::SetError;

/// A cell written at most once (tokio's `sync::OnceCell`). Concurrent `get_or_init` calls run
/// one initialiser at a time; the others wait (a preemption point) and see its value.
///
/// ```
/// # use seedloop_tokio as tokio;
/// # tokio::__seedloop::doc_run(async {
/// let cell = tokio::sync::OnceCell::new();
/// assert_eq!(*cell.get_or_init(|| async { 1 }).await, 1);
/// assert_eq!(*cell.get_or_init(|| async { 2 }).await, 1);
/// assert!(cell.set(3).is_err());
/// # });
/// ```
pub struct OnceCell<T> {
    value: OnceLock<T>,
    init: LazySemaphore,
}

impl<T> OnceCell<T> {
    /// An empty cell.
    pub fn new() -> OnceCell<T> {
        OnceCell {
            value: OnceLock::new(),
            init: LazySemaphore::eager(None, 1),
        }
    }

    /// An empty cell, in a `const` context (a `static`; see
    /// [`Mutex::const_new`](super::Mutex::const_new) about statics in a sweep).
    ///
    /// ```
    /// # use seedloop_tokio as tokio;
    /// use tokio::sync::OnceCell;
    /// static CONFIG: OnceCell<u32> = OnceCell::const_new();
    /// # tokio::__seedloop::doc_run(async {
    /// assert_eq!(*CONFIG.get_or_init(|| async { 5 }).await, 5);
    /// # });
    /// ```
    pub const fn const_new() -> OnceCell<T> {
        OnceCell {
            value: OnceLock::new(),
            init: LazySemaphore::new(None, 1),
        }
    }

    /// A cell holding `value` if it is `Some`.
    pub fn new_with(value: Option<T>) -> OnceCell<T> {
        let cell = OnceCell::new();
        if let Some(v) = value {
            let _ = cell.value.set(v);
        }
        cell
    }

    /// True once a value is set.
    pub fn initialized(&self) -> bool {
        self.value.get().is_some()
    }

    /// The value, if set.
    pub fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// The value, mutably, if set.
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.value.get_mut()
    }

    /// Sets the value if the cell is empty and nobody is initialising it.
    ///
    /// # Errors
    /// The value back, as `AlreadyInitializedError` or `InitializingError`.
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        if self.initialized() {
            return Err(SetError::AlreadyInitializedError(value));
        }
        let Ok(permit) = self.init.try_acquire() else {
            return Err(SetError::InitializingError(value));
        };
        let r = self
            .value
            .set(value)
            .map_err(SetError::AlreadyInitializedError);
        drop(permit);
        r
    }

    /// The value, initialised by `f` if the cell is empty (one initialiser at a time).
    pub async fn get_or_init<F, Fut>(&self, f: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        if let Some(v) = self.value.get() {
            return v;
        }
        let permit = self.init.acquire().await;
        if self.value.get().is_none() {
            let v = f().await;
            let _ = self.value.set(v);
        }
        drop(permit);
        self.value.get().expect("initialised above")
    }

    /// Like [`OnceCell::get_or_init`] with a fallible initialiser; an error leaves the cell
    /// empty.
    ///
    /// # Errors
    /// The initialiser's error.
    pub async fn get_or_try_init<E, F, Fut>(&self, f: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(v) = self.value.get() {
            return Ok(v);
        }
        let permit = self.init.acquire().await;
        if self.value.get().is_none() {
            let v = f().await?;
            let _ = self.value.set(v);
        }
        drop(permit);
        Ok(self.value.get().expect("initialised above"))
    }

    /// The value, consuming the cell.
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }

    /// Takes the value out, leaving the cell empty.
    pub fn take(&mut self) -> Option<T> {
        self.value.take()
    }
}

impl<T> Default for OnceCell<T> {
    fn default() -> Self {
        OnceCell::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceCell")
            .field("value", &self.get())
            .finish()
    }
}

impl<T: Clone> Clone for OnceCell<T> {
    fn clone(&self) -> Self {
        OnceCell::new_with(self.get().cloned())
    }
}

impl<T: PartialEq> PartialEq for OnceCell<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for OnceCell<T> {}

impl<T> From<T> for OnceCell<T> {
    fn from(value: T) -> Self {
        OnceCell::new_with(Some(value))
    }
}
