//! Synchronisation primitives (`sim::sync`) and channels (`sim::channel`).
//!
//! One test binary per area, each test file a module: linking one binary per file dominated
//! a cold `cargo test --workspace`.

mod channel_broadcast;
mod channel_model;
mod channel_mpsc;
mod channel_mpsc_many;
mod channel_oneshot;
mod channel_preemption;
mod channel_queue;
mod channel_support;
mod channel_watch;
mod sync_api_gaps;
mod sync_barrier;
mod sync_cancel_token;
mod sync_common;
mod sync_condvar;
mod sync_condvar_explore;
mod sync_event;
mod sync_mutex;
mod sync_notify;
mod sync_rwlock;
mod sync_semaphore;
