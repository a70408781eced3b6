//! The asyncio guide's limitation, "not for CPU-bound tasks", as a pair of programs: a heartbeat
//! that must tick every 100 ms next to a computation that holds the event loop
//! (`sim::task::block_for`) — in one piece (starves the heartbeat: must be caught), or in chunks
//! separated by a 1 ms sleep (passes).
//!
//! Why a sleep and not `yield_now` between chunks: after a yield the worker is runnable again at
//! once, and only a fair (FIFO) scheduler guarantees the heartbeat runs before the next chunk. An
//! exploring strategy may pick the worker several times in a row, and seedloop finds that
//! interleaving within a few seeds. A short sleep leaves the heartbeat the only runnable task.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use sim::time::{Instant, interval, now};

use crate::{Expect, Outcome, Scenario, program};

const TICK: Duration = Duration::from_millis(100);
/// The longest gap between heartbeats the program tolerates.
const MAX_GAP: Duration = Duration::from_millis(200);

async fn heartbeat_next_to(work: impl std::future::Future<Output = ()> + 'static) -> Outcome {
    let beats: Rc<RefCell<Vec<Instant>>> = Rc::default();
    let b = beats.clone();
    let heart = sim::spawn_named("heartbeat", async move {
        let mut iv = interval(TICK);
        for _ in 0..12 {
            iv.tick().await;
            b.borrow_mut().push(now());
        }
    });
    let worker = sim::spawn_named("worker", work);
    worker.await.map_err(|e| e.to_string())?;
    heart.await.map_err(|e| e.to_string())?;
    let beats = beats.borrow();
    for pair in beats.windows(2) {
        let gap = pair[1] - pair[0];
        if gap > MAX_GAP {
            return Err(format!(
                "heartbeat starved: no beat between t={} and t={} ({} ms)",
                pair[0],
                pair[1],
                gap.as_millis()
            ));
        }
    }
    Ok(())
}

/// One second of computation without an await: the heartbeat misses ten beats.
pub async fn cpu_bound_blocks_the_loop() -> Outcome {
    heartbeat_next_to(async {
        sim::task::yield_now().await;
        sim::task::block_for(Duration::from_secs(1));
    })
    .await
}

/// The same second in 50 ms chunks with a 1 ms sleep between them: the heartbeat keeps time.
pub async fn cpu_bound_in_chunks() -> Outcome {
    heartbeat_next_to(async {
        for _ in 0..20 {
            sim::task::block_for(Duration::from_millis(50));
            sim::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
}

/// The catalogue entries.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "limits/cpu-bound",
            description: "1 s of computation without an await starves a 100 ms heartbeat",
            chapter: "real-world",
            expect: Expect::Caught { within: 1 },
            run: || program(cpu_bound_blocks_the_loop()),
        },
        Scenario {
            name: "limits/cpu-bound-chunked",
            description: "the same work in 50 ms chunks with a 1 ms sleep between them keeps the heartbeat",
            chapter: "real-world",
            expect: Expect::Passes,
            run: || program(cpu_bound_in_chunks()),
        },
    ]
}
