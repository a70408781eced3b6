//! seedloop's side-by-side benchmark against its peers: tokio (current-thread runtime, paused
//! clock), futures' `LocalPool`, shuttle, madsim, and seedloop through its own tokio facade, every system running the same workloads
//! (`shared::workload`), measured by the same code (`shared::measure`), printed as one table
//! with ratios and goals ([`table`]). `bench/README.md` says what each row measures and how to
//! run it.
//!
//! seedloop, tokio and `LocalPool` run in the bench process; shuttle, madsim and the tokio facade
//! run in their own processes (`bench/peers/*`, packages outside the workspace: madsim needs
//! `--cfg madsim`, the facade `--cfg seedloop`), driven over a line protocol
//! ([`shared::protocol`], [`peer`]). The facade's process answers both columns of its row,
//! through the facade and through `sim` directly ([`rows::Answers`]). Memory peaks are taken in a fresh
//! process per system, the bench binary itself for the in-process systems ([`InProc::answer`]).

#![forbid(unsafe_code)]

pub mod local_pool;
pub mod peer;
pub mod rows;
pub mod runner;
pub mod seedloop;
pub mod shared;
pub mod table;
pub mod tokio_rt;

use shared::protocol::{self, NoEquivalent, Reply, Request};
use sim::TraceLevel;

/// Live heap bytes, from the bench binary's counting allocator.
pub type LiveBytes = fn() -> usize;

/// A system that runs inside the bench process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InProc {
    /// seedloop at a trace level (`None`: `Sim`'s default level).
    Seedloop(Option<TraceLevel>),
    /// tokio's current-thread runtime, paused clock.
    Tokio,
    /// futures' `LocalPool`.
    LocalPool,
}

impl InProc {
    /// The name used on the command line of a child process (`--child NAME`).
    ///
    /// ```
    /// use seedloop_bench::InProc;
    /// for s in [InProc::Seedloop(None), InProc::Seedloop(Some(sim::TraceLevel::Decisions)), InProc::Tokio, InProc::LocalPool] {
    ///     assert_eq!(InProc::from_name(s.name()), Some(s));
    /// }
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            InProc::Seedloop(None) => "seedloop-default",
            InProc::Seedloop(Some(TraceLevel::Decisions)) => "seedloop-decisions",
            InProc::Seedloop(Some(_)) => "seedloop-full",
            InProc::Tokio => "tokio",
            InProc::LocalPool => "localpool",
        }
    }

    /// The system of a [`InProc::name`].
    pub fn from_name(name: &str) -> Option<InProc> {
        Some(match name {
            "seedloop-default" => InProc::Seedloop(None),
            "seedloop-decisions" => InProc::Seedloop(Some(TraceLevel::Decisions)),
            "seedloop-full" => InProc::Seedloop(Some(TraceLevel::Full)),
            "tokio" => InProc::Tokio,
            "localpool" => InProc::LocalPool,
            _ => return None,
        })
    }

    /// Whether this system has `workload`.
    pub fn probe(self, workload: &str) -> Result<(), NoEquivalent> {
        match self {
            InProc::Seedloop(_) => seedloop::probe(workload),
            InProc::Tokio => tokio_rt::probe(workload),
            InProc::LocalPool => local_pool::probe(workload),
        }
    }

    /// Runs `workload` once at `size`; its checksum.
    pub fn run(self, workload: &str, size: u64) -> Result<u64, NoEquivalent> {
        match self {
            InProc::Seedloop(level) => seedloop::run(level, workload, size),
            InProc::Tokio => tokio_rt::run(workload, size),
            InProc::LocalPool => local_pool::run(workload, size),
        }
    }

    /// Live heap bytes per parked task, `n` tasks.
    pub fn parked(self, n: u64, live: LiveBytes) -> u64 {
        match self {
            InProc::Seedloop(level) => seedloop::parked_bytes(level, n, live),
            InProc::Tokio => tokio_rt::parked_bytes(n, live),
            InProc::LocalPool => local_pool::parked_bytes(n, live),
        }
    }

    /// Answers a protocol request (in the bench process, or in a child started with `--child`).
    ///
    /// ```
    /// use seedloop_bench::{InProc, shared::protocol::{Reply, Request}};
    /// let req = Request::parse("time spawn_join 100").unwrap();
    /// let Reply::Ok(ns, sum) = InProc::Tokio.answer(&req, || 0) else { panic!() };
    /// assert!(ns > 0.0);
    /// assert_eq!(sum, 4950);
    /// ```
    pub fn answer(self, req: &Request, live: LiveBytes) -> Reply {
        protocol::answer(
            req,
            |w| self.probe(w),
            |w, size| self.run(w, size),
            |n| Ok((self.parked(n, live), n)),
        )
    }
}
