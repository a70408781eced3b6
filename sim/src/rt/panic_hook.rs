//! Catching task panics quietly and remembering where they happened.
//!
//! A panic inside a simulated task is part of the program under test, not a crash of the test:
//! the executor catches it per task. The default panic hook would print every caught panic to
//! stderr, which buries a sweep's report under thousands of lines, so seedloop installs (once per
//! process) a hook that, on a thread currently running a simulation, records the message and
//! location for the report instead of printing; on every other thread it defers to the previous
//! hook unchanged.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::sync::Once;

use crate::model::Panic;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static LAST_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let loc = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                LAST_LOCATION.with(|c| *c.borrow_mut() = loc);
            } else {
                previous(info);
            }
        }));
    });
}

/// Marks this thread as running a simulation until the guard drops.
pub(crate) struct QuietGuard {
    was: bool,
}

impl QuietGuard {
    pub(crate) fn new() -> Self {
        install_hook();
        QuietGuard {
            was: QUIET.with(|q| q.replace(true)),
        }
    }
}

impl Drop for QuietGuard {
    fn drop(&mut self) {
        QUIET.with(|q| q.set(self.was));
    }
}

/// Wraps a payload from `catch_unwind`, picking up the location the hook recorded.
pub(crate) fn caught(payload: Box<dyn Any + Send>) -> Panic {
    let location = LAST_LOCATION.with(|c| c.borrow_mut().take());
    Panic::new(payload, location)
}

/// Re-raises `panic` in the current task. `resume_unwind` skips the panic hook, so the location
/// is handed over here for the executor's report of the re-raised panic.
pub(crate) fn resume(panic: Panic) -> ! {
    let (location, payload) = panic.into_parts();
    LAST_LOCATION.with(|c| *c.borrow_mut() = location);
    std::panic::resume_unwind(payload)
}
