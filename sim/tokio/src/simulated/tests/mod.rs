//! Behaviour of the simulated API (run with `RUSTFLAGS="--cfg seedloop" cargo test -p
//! seedloop-tokio`).

#![allow(
    clippy::arc_with_non_send_sync,
    reason = "tests share tokio types in Arcs as tokio code does; they are Send once sim's are"
)]

mod io_net;
mod select_join;
mod sync;
mod task_time;

use std::future::Future;

/// Runs `f` in one simulation with `strategy`.
fn run_with<F: Future>(seed: u64, strategy: sim::Strategy, f: F) -> F::Output {
    let mut sim = sim::Sim::builder().seed(seed).strategy(strategy).build();
    match sim.run(f) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

/// Runs `f` in one simulation under the random strategy.
fn run<F: Future>(seed: u64, f: F) -> F::Output {
    run_with(seed, sim::Strategy::random(), f)
}

/// The message of a panic caught from `f`.
fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("it panics");
    if let Some(s) = err.downcast_ref::<String>() {
        return s.clone();
    }
    err.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .unwrap_or_default()
}
