//! The catalogue's scenarios: verdicts of every scenario, and the real-world programs' own tests.
//!
//! One binary with a module per file (linking one binary per file dominated a cold test run).

mod realworld;
mod verdicts;
