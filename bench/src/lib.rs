//! Benchmark workloads for seedloop, tokio (current-thread runtime, paused clock) and futures'
//! `LocalPool`, written once and run on each executor, plus the side-by-side table the
//! `core` bench prints.
//!
//! Every workload returns a checksum computed from what the tasks did, so a benchmark that
//! silently skipped work would be caught (see the tests at the bottom of each module).

#![forbid(unsafe_code)]

pub mod local_pool;
pub mod seedloop;
pub mod table;
pub mod tokio_rt;
pub mod workload;
