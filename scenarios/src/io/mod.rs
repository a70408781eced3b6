//! Programs over the simulated network and disk (`sim::net`, `sim::fs`), each with an invariant
//! checked under every interleaving and every fault decision:
//!
//! | program | invariant | planted bug |
//! |---|---|---|
//! | [`kv`] | every write a replica acknowledged survives its crash and restart | the replica acknowledges before `sync_all` (group commit) |
//! | [`chat`] | every client receives every line sent after it connected, in order | — |
//!
//! ```
//! use scenarios::io::{Version, chat};
//! let mut sim = sim::Sim::new(1);
//! let report = sim.run(chat::run()).unwrap().unwrap();
//! assert_eq!(report.lines, chat::CLIENTS * chat::LINES_EACH);
//! ```

pub mod chat;
pub mod kv;

pub use crate::realworld::Version;

use crate::{Expect, Program, Scenario, program};

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
            chapter: "io",
            expect,
            run,
        }
    }
    vec![
        s(
            "io/kv-store",
            "two replicas with a write-ahead log serve a client over streams; one crashes at a seeded instant and recovers from its log; every acknowledged write survives",
            Expect::Passes,
            || program(async { kv::run(Version::Correct).await.map(drop) }),
        ),
        s(
            "io/kv-store-ack-before-sync",
            "bug: a replica acknowledges a write before sync_all (a group commit syncs later), so a crash loses acknowledged writes",
            Expect::Caught { within: 16 },
            || program(async { kv::run(Version::Buggy).await.map(drop) }),
        ),
        s(
            "io/chat-server",
            "clients on four hosts connect at seeded instants to a chat server over streams and post lines; the server broadcasts each line",
            Expect::Passes,
            || program(async { chat::run().await.map(drop) }),
        ),
    ]
}
