//! Property: under any script of puts, gets (waiting and not), aborts and yields, a `Queue` and
//! an mpsc channel lose nothing and duplicate nothing, and no waiter is left stuck.

use std::future::{Future, poll_fn};
use std::task::Poll;

use crate::channel_support::{Record, fifo, random};
use proptest::prelude::*;
use sim::channel::{Queue, mpsc};

#[derive(Clone, Debug)]
enum Op {
    /// Spawn a task that puts a fresh item and records it if the put succeeded.
    Put,
    /// Spawn a task that gets an item and records it.
    Get,
    PutNowait,
    GetNowait,
    /// Abort the n-th spawned task (modulo how many there are).
    Abort(usize),
    Yield,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Put),
        3 => Just(Op::Get),
        1 => Just(Op::PutNowait),
        1 => Just(Op::GetNowait),
        2 => (0..64usize).prop_map(Op::Abort),
        3 => Just(Op::Yield),
    ]
}

/// Runs `script` on a Queue(maxsize); returns (items confirmed put, items got).
fn run_queue(mut sim: sim::Sim, maxsize: usize, script: Vec<Op>) -> (Vec<u32>, Vec<u32>) {
    let (put, got) = (Record::default(), Record::default());
    let (p, g) = (put.clone(), got.clone());
    sim.run(async move {
        let q = Queue::new(maxsize);
        let mut tasks = Vec::new();
        for (id, op) in script.into_iter().enumerate() {
            let id = id as u32;
            match op {
                Op::Put => {
                    let (q, p) = (q.clone(), p.clone());
                    tasks.push(sim::spawn(async move {
                        if q.put(id).await.is_ok() {
                            p.push(id);
                        }
                    }));
                }
                Op::Get => {
                    let (q, g) = (q.clone(), g.clone());
                    tasks.push(sim::spawn(async move {
                        if let Ok(v) = q.get().await {
                            g.push(v);
                        }
                    }));
                }
                Op::PutNowait => {
                    if q.put_nowait(id).is_ok() {
                        p.push(id);
                    }
                }
                Op::GetNowait => {
                    if let Ok(v) = q.get_nowait() {
                        g.push(v);
                    }
                }
                Op::Abort(n) => {
                    if !tasks.is_empty() {
                        tasks[n % tasks.len()].abort();
                    }
                }
                Op::Yield => sim::task::yield_now().await,
            }
            assert!(maxsize == 0 || q.qsize() <= maxsize, "qsize over maxsize");
        }
        // Graceful shutdown fails every blocked waiter; then nothing may be stuck.
        q.shutdown(false);
        for t in tasks {
            let _ = t.await;
        }
        while let Ok(v) = q.get_nowait() {
            g.push(v);
        }
    })
    .expect("the run completes: no waiter stuck");
    (put.get(), got.get())
}

/// The same script on an mpsc channel. Its one receiver cannot be shared by tasks, so a `Get`
/// is a `recv` that main polls once and abandons (drops) if it did not complete at once.
fn run_mpsc(mut sim: sim::Sim, cap: usize, script: Vec<Op>) -> (Vec<u32>, Vec<u32>) {
    let (put, got) = (Record::default(), Record::default());
    let (p, g) = (put.clone(), got.clone());
    sim.run(async move {
        let (tx, mut rx) = mpsc::channel(cap);
        let mut tasks = Vec::new();
        for (id, op) in script.into_iter().enumerate() {
            let id = id as u32;
            match op {
                Op::Put => {
                    let (tx, p) = (tx.clone(), p.clone());
                    tasks.push(sim::spawn(async move {
                        if tx.send(id).await.is_ok() {
                            p.push(id);
                        }
                    }));
                }
                // Poll a `recv` once; if it must wait, let the others run (a sender may hand
                // it a value meanwhile), then drop it without polling again.
                Op::Get => {
                    let mut fut = Box::pin(rx.recv());
                    let first = poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await;
                    match first {
                        Poll::Ready(Some(v)) => g.push(v),
                        Poll::Ready(None) => {}
                        Poll::Pending => sim::task::yield_now().await,
                    }
                }
                Op::PutNowait => {
                    if tx.try_send(id).is_ok() {
                        p.push(id);
                    }
                }
                Op::GetNowait => {
                    if let Ok(v) = rx.try_recv() {
                        g.push(v);
                    }
                }
                Op::Abort(n) => {
                    if !tasks.is_empty() {
                        tasks[n % tasks.len()].abort();
                    }
                }
                Op::Yield => sim::task::yield_now().await,
            }
        }
        drop(tx);
        // Drain while the senders finish.
        while let Some(v) = rx.recv().await {
            g.push(v);
        }
        for t in tasks {
            let _ = t.await;
        }
    })
    .expect("the run completes: no waiter stuck");
    (put.get(), got.get())
}

fn same_items(mut put: Vec<u32>, mut got: Vec<u32>) -> Result<(), TestCaseError> {
    put.sort_unstable();
    got.sort_unstable();
    prop_assert_eq!(put, got, "items lost or duplicated");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn queue_loses_and_duplicates_nothing(
        maxsize in 0..4usize,
        seed in 0..1000u64,
        script in proptest::collection::vec(op(), 0..40),
    ) {
        let (p, g) = run_queue(fifo(), maxsize, script.clone());
        same_items(p, g)?;
        let (p, g) = run_queue(random(seed), maxsize, script);
        same_items(p, g)?;
    }

    #[test]
    fn mpsc_loses_and_duplicates_nothing(
        cap in 1..4usize,
        seed in 0..1000u64,
        script in proptest::collection::vec(op(), 0..40),
    ) {
        let (p, g) = run_mpsc(fifo(), cap, script.clone());
        same_items(p, g)?;
        let (p, g) = run_mpsc(random(seed), cap, script);
        same_items(p, g)?;
    }
}
