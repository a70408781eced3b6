//! The asyncio guide's examples (`/work/shared/seed/`), each reproduced exactly under Fifo: the
//! printed lines (as `sim::log!` lines), their virtual times, and the results. Their order-free
//! parts (results, times of causally ordered lines) also hold under every seed of the sweep.
//!
//! The guide's `aiohttp` example needs a network and is not reproduced here.

use std::fmt;

use seedloop_tests::{SWEEP, at, fifo, random, secs, trace_lines};
use sim::Sim;
use sim::time::{now, sleep};

/// Runs `program` under Fifo and every seed of the sweep, returning the Fifo run's output and
/// its log lines (`text@time`). `check` sees every run's output and log lines.
fn run_guide<T, F, Fut>(program: F, check: impl Fn(&T, &[String])) -> (T, Vec<String>)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let run = |mut sim: Sim| {
        let out = sim.run(program()).unwrap_or_else(|e| panic!("{e}"));
        let lines = trace_lines(sim.trace());
        check(&out, &lines);
        (out, lines)
    };
    for seed in SWEEP {
        run(random(seed));
    }
    run(fifo())
}

#[test]
fn event_loop_run_until_complete_sleep_1() {
    // loop.run_until_complete(asyncio.sleep(1))
    let mut sim = fifo();
    sim.run(sleep(secs(1))).unwrap();
    assert_eq!(sim.trace().stats().end_time, at(secs(1)));
}

async fn my_coroutine() {
    sim::log!("Start");
    sleep(secs(2)).await;
    sim::log!("End");
}

#[test]
fn coroutines_my_coroutine() {
    let (_, lines) = run_guide(my_coroutine, |_, lines| {
        assert_eq!(lines, ["Start@0s", "End@2s"]);
    });
    assert_eq!(lines, ["Start@0s", "End@2s"]);
}

async fn say_hello() {
    sim::log!("Hello");
    sleep(secs(1)).await;
    sim::log!("World");
}

#[test]
fn creating_and_running_coroutines_say_hello() {
    let (_, lines) = run_guide(say_hello, |_, lines| {
        assert_eq!(lines, ["Hello@0s", "World@1s"]);
    });
    assert_eq!(lines, ["Hello@0s", "World@1s"]);
}

async fn task(name: &'static str, delay: u64) -> &'static str {
    sim::log!("Task {name} started");
    sleep(secs(delay)).await;
    sim::log!("Task {name} finished");
    name
}

/// `asyncio.gather(task("A", 2), task("B", 1), task("C", 3))`, as spawn + awaiting the handles
/// in argument order.
async fn gather_main() -> (Vec<&'static str>, sim::time::Instant) {
    let handles = [
        sim::spawn(task("A", 2)),
        sim::spawn(task("B", 1)),
        sim::spawn(task("C", 3)),
    ];
    let mut results = Vec::new();
    for h in handles {
        results.push(h.await.unwrap());
    }
    (results, now())
}

#[test]
fn running_multiple_coroutines_concurrently_gather() {
    let (out, lines) = run_guide(gather_main, |(results, t), lines| {
        assert_eq!(results, &["A", "B", "C"]);
        assert_eq!(*t, at(secs(3)));
        let mut finished: Vec<&String> = lines.iter().filter(|l| l.contains("finished")).collect();
        finished.sort();
        assert_eq!(
            finished,
            [
                "Task A finished@2s",
                "Task B finished@1s",
                "Task C finished@3s"
            ]
        );
    });
    assert_eq!(out, (vec!["A", "B", "C"], at(secs(3))));
    assert_eq!(
        lines,
        [
            "Task A started@0s",
            "Task B started@0s",
            "Task C started@0s",
            "Task B finished@1s",
            "Task A finished@2s",
            "Task C finished@3s",
        ]
    );
}

async fn display(number: u32) {
    sleep(secs(2)).await;
    sim::log!("Number: {number}");
}

async fn create_task_main() {
    let task1 = sim::spawn(display(1));
    let task2 = sim::spawn(display(2));
    task1.await.unwrap();
    task2.await.unwrap();
}

#[test]
fn using_tasks_create_task_display() {
    let (_, lines) = run_guide(create_task_main, |_, lines| {
        let mut sorted = lines.to_vec();
        sorted.sort();
        assert_eq!(sorted, ["Number: 1@2s", "Number: 2@2s"]);
    });
    assert_eq!(lines, ["Number: 1@2s", "Number: 2@2s"]);
}

/// Python's `ValueError`, as a Rust error value.
#[derive(Debug)]
struct ValueError(&'static str);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for ValueError {}

async fn risky() -> Result<(), ValueError> {
    Err(ValueError("Oops!"))
}

async fn risky_main() {
    match risky().await {
        Ok(()) => sim::log!("no error"),
        Err(e) => sim::log!("Caught: {e}"),
    }
}

#[test]
fn exception_handling_risky_as_a_result() {
    let (_, lines) = run_guide(risky_main, |_, lines| {
        assert_eq!(lines, ["Caught: Oops!@0s"]);
    });
    assert_eq!(lines, ["Caught: Oops!@0s"]);
}

async fn risky_panicking() {
    if now() == sim::time::Instant::ZERO {
        panic!("Oops!");
    }
}

async fn risky_task_main() {
    match sim::spawn(risky_panicking()).await {
        Ok(()) => sim::log!("no error"),
        Err(e) if e.is_panic() => sim::log!("Caught: {}", e.panic_message().unwrap_or("?")),
        Err(e) => sim::log!("unexpected: {e}"),
    }
}

#[test]
fn exception_handling_risky_as_a_panic_caught_through_a_join_handle() {
    // The panic was observed by its joiner, so the run itself succeeds.
    let (_, lines) = run_guide(risky_task_main, |_, lines| {
        assert_eq!(lines, ["Caught: Oops!@0s"]);
    });
    assert_eq!(lines, ["Caught: Oops!@0s"]);
}
