//! # scenarios — programs seedloop runs, learns from and must judge correctly
//!
//! Each [`Scenario`] is a small async program written against `sim`'s public API, as a user would
//! write it, plus an invariant: its run function returns `Err(what went wrong)` when the
//! invariant breaks (or panics, or deadlocks). Correct programs must pass under every strategy
//! and seed; programs with a planted bug must be caught within the seed budget the catalogue
//! states.
//!
//! ```
//! let all = scenarios::catalogue();
//! assert!(all.iter().any(|s| s.name == "guide/gather"));
//! let gather = scenarios::find("guide/gather").unwrap();
//! let mut sim = sim::Sim::new(3);
//! assert_eq!(sim.run((gather.run)()).unwrap(), Ok(()));
//! ```

#![forbid(unsafe_code)]

pub mod buggy;
pub mod explore;
pub mod guide;
pub mod io;
pub mod limits;
pub mod realworld;

use std::future::Future;
use std::pin::Pin;

/// What a scenario's run resolves to: `Ok(())`, or the invariant that broke.
pub type Outcome = Result<(), String>;

/// A boxed scenario program.
pub type Program = Pin<Box<dyn Future<Output = Outcome>>>;

/// What the harness must conclude about a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Passes under every strategy and seed.
    Passes,
    /// Has a planted bug: some strategy must catch it within `within` schedules.
    Caught {
        /// The seed budget in which a failure must be found.
        within: u64,
    },
}

/// One program of the catalogue.
#[derive(Clone, Copy)]
pub struct Scenario {
    /// Unique name, `group/name`.
    pub name: &'static str,
    /// One line: what the program does (and, for buggy ones, the bug).
    pub description: &'static str,
    /// The book chapter that discusses it.
    pub chapter: &'static str,
    /// The verdict the harness must reach.
    pub expect: Expect,
    /// Builds a fresh run of the program (call it inside a simulation).
    pub run: fn() -> Program,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("name", &self.name)
            .field("expect", &self.expect)
            .finish()
    }
}

/// Every scenario, in a stable order.
pub fn catalogue() -> Vec<Scenario> {
    let mut all = Vec::new();
    all.extend(guide::scenarios());
    all.extend(limits::scenarios());
    all.extend(realworld::scenarios());
    all.extend(io::scenarios());
    all.extend(buggy::scenarios());
    all
}

/// The scenario called `name`.
pub fn find(name: &str) -> Option<Scenario> {
    catalogue().into_iter().find(|s| s.name == name)
}

/// Boxes a program (shorthand for catalogue entries).
pub fn program(fut: impl Future<Output = Outcome> + 'static) -> Program {
    Box::pin(fut)
}

/// `Err` with a message unless `cond` holds.
pub fn ensure(cond: bool, what: impl FnOnce() -> String) -> Outcome {
    if cond { Ok(()) } else { Err(what()) }
}
