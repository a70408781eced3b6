//! The runtime: one run, and the only code that mutates run state.

pub(crate) mod panic_hook;
