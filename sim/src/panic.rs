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
use std::fmt;
use std::sync::Once;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static LAST_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub(crate) fn install_hook() {
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

/// A caught panic: message, where it happened, and the payload for `resume_unwind`.
pub struct Panic {
    message: String,
    location: Option<String>,
    payload: Box<dyn Any + Send>,
}

impl Panic {
    /// Wraps a payload from `catch_unwind`, picking up the location the hook recorded.
    pub(crate) fn from_payload(payload: Box<dyn Any + Send>) -> Self {
        let message = payload_message(&*payload);
        let location = LAST_LOCATION.with(|c| c.borrow_mut().take());
        Panic {
            message,
            location,
            payload,
        }
    }

    /// The panic message (`"<non-string panic payload>"` when it was not a string).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// `file:line:column` of the `panic!`, when known.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The original payload, e.g. for `std::panic::resume_unwind`.
    pub fn into_payload(self) -> Box<dyn Any + Send> {
        self.payload
    }

    /// Re-raises this panic in the current task. `resume_unwind` skips the panic hook, so the
    /// location is handed over here for the executor's report of the re-raised panic.
    pub(crate) fn resume(self) -> ! {
        LAST_LOCATION.with(|c| *c.borrow_mut() = self.location);
        std::panic::resume_unwind(self.payload)
    }
}

impl fmt::Debug for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Panic")
            .field("message", &self.message)
            .field("location", &self.location)
            .finish()
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(l) => write!(f, "'{}' at {l}", self.message),
            None => write!(f, "'{}'", self.message),
        }
    }
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}
