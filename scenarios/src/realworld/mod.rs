//! Real-world programs from the asyncio guide's use-case list, each small but real, each with an
//! invariant its run checks under every interleaving:
//!
//! | program | invariant | planted bug |
//! |---|---|---|
//! | [`web_server`] | at most `LIMIT` requests in flight, every request answered once, with its own response | the handler keeps the current request in a server-wide slot across an await |
//! | [`chat_room`] | each member receives every message sent while it was a member, in order, nothing else | a leaving member drops its inbox without draining it |
//! | [`scraper`] | every URL fetched, or failed after `MAX_ATTEMPTS` attempts that each really failed at the site; at most `LIMIT` in flight; done within a computed bound | the per-fetch timeout also covers the wait for a slot |
//! | [`sensors`] | every on-time reading counted once in the rolling aggregate, late ones dropped | a read-modify-write of the aggregate across an await (lost update) |
//! | [`pool`] | no connection held by two users, the pool whole at the end, timed-out acquirers get an error | a connection handed to an acquirer that times out at that instant is leaked |
//! | [`rate_limiter`] | no window of the API's length holds more calls than it allows | the limiter checks for a token, awaits, then takes it (check-then-act) |
//!
//! Each module's `run(Version)` returns a report of what happened (for exact assertions in
//! `tests/realworld.rs`) or the broken invariant; the catalogue entries wrap it.
//!
//! ```
//! use scenarios::realworld::{Version, rate_limiter};
//! let mut sim = sim::Sim::new(5);
//! let report = sim.run(rate_limiter::run(Version::Correct)).unwrap().unwrap();
//! assert_eq!(report.calls.len(), 24);
//! ```

pub mod chat_room;
pub mod pool;
pub mod rate_limiter;
pub mod scraper;
pub mod sensors;
pub mod web_server;

use std::future::Future;

use crate::{Expect, Outcome, Program, Scenario, program};

/// Which version of a program to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// The program as it should be written.
    Correct,
    /// The same program with its planted bug (described in its module).
    Buggy,
}

/// Drops a run's report: the catalogue only needs the verdict.
fn verdict<R>(run: impl Future<Output = Result<R, String>> + 'static) -> Program {
    program(async move { run.await.map(|_| ()) as Outcome })
}

/// The catalogue entries.
pub fn scenarios() -> Vec<Scenario> {
    fn s(
        name: &'static str,
        description: &'static str,
        expect: Expect,
        run: fn() -> Program,
    ) -> Scenario {
        Scenario {
            name,
            description,
            chapter: "real-world",
            expect,
            run,
        }
    }
    use Version::{Buggy, Correct};
    vec![
        s(
            "realworld/web-server",
            "a server answers requests arriving at seeded times, at most 3 at once (Semaphore)",
            Expect::Passes,
            || verdict(web_server::run(Correct)),
        ),
        s(
            "realworld/web-server-shared-context",
            "bug: the handler keeps the current request in a server-wide slot across an await, so a concurrent request's response goes to the wrong client",
            Expect::Caught { within: 4 },
            || verdict(web_server::run(Buggy)),
        ),
        s(
            "realworld/chat-room",
            "members join and leave a room while two posters broadcast; each member gets exactly what was sent while it was in",
            Expect::Passes,
            || verdict(chat_room::run(Correct)),
        ),
        s(
            "realworld/chat-room-lost-on-leave",
            "bug: a leaving member unsubscribes and drops its inbox without draining it, losing a message broadcast in the same instant",
            Expect::Caught { within: 12 },
            || verdict(chat_room::run(Buggy)),
        ),
        s(
            "realworld/scraper",
            "a scraper fetches 12 URLs, 3 at a time, with seeded latencies and failures, a timeout per fetch and bounded retries",
            Expect::Passes,
            || verdict(scraper::run(Correct)),
        ),
        s(
            "realworld/scraper-timeout-covers-queue",
            "bug: the per-fetch timeout also covers the wait for a slot, so queued URLs burn retries without reaching the server",
            Expect::Caught { within: 4 },
            || verdict(scraper::run(Buggy)),
        ),
        s(
            "realworld/sensors",
            "four sensors report every 50 ms with a deadline per reading; the gateway keeps a rolling mean of on-time readings",
            Expect::Passes,
            || verdict(sensors::run(Correct)),
        ),
        s(
            "realworld/sensors-lost-update",
            "bug: the gateway reads the rolling aggregate, awaits the archive, then writes it back: a concurrent reading is lost",
            Expect::Caught { within: 12 },
            || verdict(sensors::run(Buggy)),
        ),
        s(
            "realworld/pool",
            "eight users share a pool of three connections with an acquire timeout; handed-off connections survive a timeout",
            Expect::Passes,
            || verdict(pool::run(Correct)),
        ),
        s(
            "realworld/pool-leak-on-timeout",
            "bug: a connection handed to an acquirer whose timeout fires in the same instant is dropped with it: the pool shrinks",
            Expect::Caught { within: 16 },
            || verdict(pool::run(Buggy)),
        ),
        s(
            "realworld/rate-limiter",
            "six clients call an API through a token bucket; no second holds more calls than the API allows",
            Expect::Passes,
            || verdict(rate_limiter::run(Correct)),
        ),
        s(
            "realworld/rate-limiter-check-then-act",
            "bug: the limiter checks for a token, awaits an HTTP connection, then takes it: clients that passed the check together all call",
            Expect::Caught { within: 8 },
            || verdict(rate_limiter::run(Buggy)),
        ),
    ]
}
