//! The catalogue's scenarios: verdicts of every scenario, the real-world programs' own tests, and
//! the main job (`cargo explore`) that sweeps them.
//!
//! One binary with a module per file (linking one binary per file dominated a cold test run).

mod explore;
mod realworld;
mod verdicts;
