//! The harness (checks, tokens, regressions, shrinking, sharding, snapshots) and the strategies.
//!
//! One test binary per area, each test file a module: linking one binary per file dominated
//! a cold `cargo test --workspace`.

mod child;
mod common;
mod harness_check;
mod harness_env;
mod harness_faults;
mod harness_foreign;
mod harness_hang;
mod harness_options;
mod harness_regressions;
mod harness_reports;
mod harness_roundtrip;
mod harness_saves;
mod harness_sharding;
mod harness_shrink;
mod harness_snapshot;
mod harness_token_fuzz;
mod harness_tokens;
mod harness_tracing;
mod seedloop_facade;
mod seedloop_outside;
mod strategies_cancel;
mod strategies_chrome;
mod strategies_explore;
mod strategies_pct;
mod strategies_proptest;
