//! Tasks, time, lifecycle, cancellation, failures, misuse, determinism and the guide's programs.
//!
//! One test binary per area, each test file a module: linking one binary per file dominated
//! a cold `cargo test --workspace`.

mod bounded;
mod cancel;
mod cancellable;
mod determinism;
mod failures;
mod guide;
mod guide_traces;
mod handles;
mod layout;
mod leftovers;
mod lifecycle;
mod log_args;
mod misuse;
mod reuse;
mod spin;
mod tasks;
mod time;
