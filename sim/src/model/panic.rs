//! A caught panic as a value: its message, where it happened, and its payload.
//!
//! The executor catches panics per task (see `rt::panic_hook` for how the location is
//! recorded without printing); this is what it hands on, inside a [`crate::JoinError`] or a
//! [`crate::SimError`].

use std::any::Any;
use std::fmt;

/// A caught panic: message, where it happened, and the payload for `resume_unwind`.
pub struct Panic {
    message: String,
    location: Option<String>,
    payload: Box<dyn Any + Send>,
}

impl Panic {
    /// Wraps a payload from `catch_unwind` and the location the panic hook recorded.
    pub(crate) fn new(payload: Box<dyn Any + Send>, location: Option<String>) -> Self {
        let message = payload_message(&*payload);
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

    /// The location and the payload, to re-raise the panic.
    pub(crate) fn into_parts(self) -> (Option<String>, Box<dyn Any + Send>) {
        (self.location, self.payload)
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
