//! `sim` primitives created on first use, so that the facade's types have tokio's `const fn`
//! constructors (`Mutex::const_new`, `Semaphore::const_new`...) for statics: `sim`'s own
//! constructors are not `const`.

use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

/// A `sim::sync::Semaphore` made on first use.
pub(crate) struct LazySemaphore {
    cell: OnceLock<sim::sync::Semaphore>,
    name: Option<&'static str>,
    permits: usize,
}

impl LazySemaphore {
    pub(crate) const fn new(name: Option<&'static str>, permits: usize) -> LazySemaphore {
        LazySemaphore {
            cell: OnceLock::new(),
            name,
            permits,
        }
    }

    /// Made now (the non-`const` constructors, so that the first use costs nothing extra).
    pub(crate) fn eager(name: Option<&'static str>, permits: usize) -> LazySemaphore {
        let lazy = LazySemaphore::new(name, permits);
        let _ = lazy.cell.set(lazy.make());
        lazy
    }

    fn make(&self) -> sim::sync::Semaphore {
        match self.name {
            Some(name) => sim::sync::Semaphore::named(name, self.permits),
            None => sim::sync::Semaphore::new(self.permits),
        }
    }
}

impl Deref for LazySemaphore {
    type Target = sim::sync::Semaphore;
    fn deref(&self) -> &sim::sync::Semaphore {
        self.cell.get_or_init(|| self.make())
    }
}

/// A `sim::sync::Notify` made on first use.
pub(crate) struct LazyNotify {
    cell: OnceLock<sim::sync::Notify>,
}

impl LazyNotify {
    pub(crate) const fn new() -> LazyNotify {
        LazyNotify {
            cell: OnceLock::new(),
        }
    }
}

impl Deref for LazyNotify {
    type Target = sim::sync::Notify;
    fn deref(&self) -> &sim::sync::Notify {
        self.cell.get_or_init(sim::sync::Notify::new)
    }
}

impl fmt::Debug for LazySemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Debug for LazyNotify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
