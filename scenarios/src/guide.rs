//! The asyncio guide's examples (`shared/seed/`), one scenario each. Their exact output under the
//! Fifo strategy is asserted in `tests/tests/guide_traces.rs`; here, each checks the part that
//! must hold under every interleaving.

use std::time::Duration;

use sim::time::{now, sleep, timeout};

use crate::{Expect, Outcome, Scenario, ensure, program};

const SECOND: Duration = Duration::from_secs(1);

/// `loop.run_until_complete(asyncio.sleep(1))`: the run ends at t=1s.
pub async fn event_loop() -> Outcome {
    sleep(SECOND).await;
    ensure(now().as_nanos() == 1_000_000_000, || {
        format!("ended at t={}", now())
    })
}

/// `my_coroutine`: Start, sleep 2 s, End.
pub async fn my_coroutine() -> Outcome {
    sim::log!("Start");
    sleep(2 * SECOND).await;
    sim::log!("End");
    ensure(now().as_nanos() == 2_000_000_000, || {
        format!("End at t={}", now())
    })
}

/// `say_hello`: Hello, then World one second later.
pub async fn say_hello() -> Outcome {
    sim::log!("Hello");
    sleep(SECOND).await;
    sim::log!("World");
    ensure(now().as_nanos() == 1_000_000_000, || {
        format!("World at t={}", now())
    })
}

/// The guide's `task(name, delay)`.
pub async fn task(name: &'static str, delay: u64) -> &'static str {
    sim::log!("Task {name} started");
    sleep(Duration::from_secs(delay)).await;
    sim::log!("Task {name} finished");
    name
}

/// `gather(task("A", 2), task("B", 1), task("C", 3))`: results in argument order at t=3s.
pub async fn gather() -> Outcome {
    let handles = [
        sim::spawn(task("A", 2)),
        sim::spawn(task("B", 1)),
        sim::spawn(task("C", 3)),
    ];
    let mut names = Vec::new();
    for h in handles {
        names.push(h.await.map_err(|e| e.to_string())?);
    }
    ensure(names == ["A", "B", "C"], || format!("results {names:?}"))?;
    ensure(now().as_nanos() == 3_000_000_000, || {
        format!("gather returned at t={}", now())
    })
}

/// `create_task(display(1))`, `create_task(display(2))`: both print at t=2s.
pub async fn create_task() -> Outcome {
    async fn display(n: u32) -> u64 {
        sleep(2 * SECOND).await;
        sim::log!("Number: {n}");
        now().as_nanos()
    }
    let t1 = sim::spawn(display(1));
    let t2 = sim::spawn(display(2));
    let a = t1.await.map_err(|e| e.to_string())?;
    let b = t2.await.map_err(|e| e.to_string())?;
    ensure(a == 2_000_000_000 && b == 2_000_000_000, || {
        format!("printed at {a} ns and {b} ns")
    })
}

/// `fetch(url)` over the simulated network: an HTTP GET to a server on host `example.com`,
/// every link latency seeded in 5..=50 ms. Connecting and the request each take a round trip,
/// so the page arrives within 20..=200 ms.
pub async fn fetch() -> Outcome {
    use sim::net::{self, NetConfig, http};
    async fn fetch(url: &str) -> std::io::Result<String> {
        Ok(http::get(url).await?.text())
    }
    net::configure(
        NetConfig::default().latency(Duration::from_millis(5)..=Duration::from_millis(50)),
    );
    net::host("example.com").spawn(http::serve(
        "0.0.0.0:443",
        |req: http::Request| async move {
            http::Response::ok(format!("<html>https://example.com{}</html>", req.path()))
        },
    ));
    let html = fetch("https://example.com")
        .await
        .map_err(|e| e.to_string())?;
    sim::log!("{html}");
    ensure(html == "<html>https://example.com/</html>", || html.clone())?;
    ensure(now() <= sim::time::Instant::from_nanos(200_000_000), || {
        format!("took until t={}", now())
    })
}

/// `risky()` raises `ValueError("Oops!")`; main catches it: `Caught: Oops!`.
pub async fn risky() -> Outcome {
    async fn risky() -> Result<(), String> {
        Err("Oops!".to_string())
    }
    match risky().await {
        Err(e) => {
            sim::log!("Caught: {e}");
            ensure(e == "Oops!", || e.clone())
        }
        Ok(()) => Err("risky() did not fail".into()),
    }
}

/// The cooking analogy: boiling (10 min) while chopping (5 min) takes max(a, b), not a + b.
pub async fn cooking() -> Outcome {
    async fn step(what: &'static str, minutes: u64) {
        sim::log!("start {what}");
        sleep(Duration::from_secs(minutes * 60)).await;
        sim::log!("done {what}");
    }
    let water = sim::spawn(step("boiling water", 10));
    step("chopping vegetables", 5).await;
    water.await.map_err(|e| e.to_string())?;
    ensure(now().as_nanos() == 600 * 1_000_000_000, || {
        format!("dinner at t={}", now())
    })
}

/// The guide's cancellation example (`cancel_me`): aborting a sleeper runs its cleanup at once
/// and releases its timer.
pub async fn cancel_me() -> Outcome {
    struct Cleanup;
    impl Drop for Cleanup {
        fn drop(&mut self) {
            sim::log!("cancel_me(): cancel sleep");
        }
    }
    let task = sim::spawn(async {
        let _cleanup = Cleanup;
        sim::log!("cancel_me(): before sleep");
        sleep(3600 * SECOND).await;
        sim::log!("cancel_me(): after sleep");
    });
    sleep(SECOND).await;
    task.abort();
    let cancelled = task.await.is_err_and(|e| e.is_cancelled());
    ensure(cancelled, || "the task was not cancelled".into())?;
    ensure(now().as_nanos() == 1_000_000_000, || {
        format!("main resumed at t={}", now())
    })
}

/// `wait_for(eternity(), timeout=1.0)`: a timeout cancels the slow operation at the deadline.
pub async fn wait_for() -> Outcome {
    let r = timeout(SECOND, sleep(3600 * SECOND)).await;
    ensure(r.is_err(), || "the timeout did not fire".into())?;
    ensure(now().as_nanos() == 1_000_000_000, || {
        format!("timed out at t={}", now())
    })
}

/// The catalogue entries.
pub fn scenarios() -> Vec<Scenario> {
    fn s(
        name: &'static str,
        description: &'static str,
        chapter: &'static str,
        run: fn() -> crate::Program,
    ) -> Scenario {
        Scenario {
            name,
            description,
            chapter,
            expect: Expect::Passes,
            run,
        }
    }
    vec![
        s(
            "guide/event-loop",
            "run_until_complete(sleep(1)) ends at t=1s",
            "event-loop",
            || program(event_loop()),
        ),
        s(
            "guide/my-coroutine",
            "Start, sleep 2 s, End",
            "tasks",
            || program(my_coroutine()),
        ),
        s(
            "guide/say-hello",
            "Hello, then World one second later",
            "tasks",
            || program(say_hello()),
        ),
        s(
            "guide/gather",
            "gather A(2s) B(1s) C(3s): argument order at t=3s",
            "concurrency",
            || program(gather()),
        ),
        s(
            "guide/create-task",
            "two display tasks both print at t=2s",
            "tasks",
            || program(create_task()),
        ),
        s(
            "guide/fetch",
            "fetch a page over simulated HTTP from a server host with seeded latency",
            "io",
            || program(fetch()),
        ),
        s(
            "guide/risky",
            "an error caught by the caller: Caught: Oops!",
            "failures",
            || program(risky()),
        ),
        s(
            "guide/cooking",
            "chop while the water boils: max(a, b), not a + b",
            "introduction",
            || program(cooking()),
        ),
        s(
            "guide/cancel-me",
            "abort a sleeping task: cleanup runs at once, its timer is released",
            "cancellation",
            || program(cancel_me()),
        ),
        s(
            "guide/wait-for",
            "a timeout cancels a slow operation at the deadline",
            "cancellation",
            || program(wait_for()),
        ),
    ]
}
