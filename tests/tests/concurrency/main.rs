//! Combinators: gather, task groups, wait, shield, select.
//!
//! One test binary per area, each test file a module: linking one binary per file dominated
//! a cold `cargo test --workspace`.

mod concurrency_api_gaps;
mod concurrency_common;
mod concurrency_gather;
mod concurrency_shield_select;
mod concurrency_task_group;
mod concurrency_wait;
