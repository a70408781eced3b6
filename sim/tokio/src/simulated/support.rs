//! What the macros and attributes expand to. Not a public API: the paths may change.

use std::future::Future;
use std::panic::resume_unwind;

pub use futures::future::{MaybeDone, maybe_done};
pub use harness;
pub use seedloop_tokio_macros::{join_impl, select_impl, try_join_impl};
pub use sim;
pub use std::future::poll_fn;

/// The strategy and seed of a single run (`#[tokio::main]`, `block_on`): `SEEDLOOP_SEED`
/// (default 0) and `SEEDLOOP_STRATEGY` (default random).
fn single_run() -> (u64, sim::Strategy) {
    let env = harness::Env::from_process();
    let seed = match std::env::var(harness::env::SEED) {
        Err(_) => 0,
        Ok(text) => text.trim().parse::<u64>().unwrap_or_else(|_| {
            panic!(
                "{}={text:?} is not a seed: give a whole number, e.g. {}=7",
                harness::env::SEED,
                harness::env::SEED
            )
        }),
    };
    let strategy = env.strategy().unwrap_or_else(sim::Strategy::random);
    (seed, strategy)
}

/// Runs `future` as one simulation; `api` names the caller in errors.
///
/// # Panics
/// Inside a simulation; when the run fails (a panic of the future is resumed as it was).
#[track_caller]
pub fn run_one<F: Future>(api: &str, future: F, announce: bool) -> F::Output {
    if sim::in_simulation() {
        panic!(
            "{api} was called inside a running simulation: the simulated thread cannot block on \
             another runtime. `.await` the future (or tokio::spawn it) instead"
        );
    }
    let (seed, strategy) = single_run();
    if announce {
        eprintln!(
            "seedloop: running `main` in a simulation with seed {seed} (strategy {}); set {} to \
             run another",
            strategy.name(),
            harness::env::SEED
        );
    }
    let mut sim = sim::Sim::builder().seed(seed).strategy(strategy).build();
    match sim.run(future) {
        Ok(v) => v,
        Err(e) if e.is_main_panic() => {
            eprintln!("seedloop: {api} (seed {seed}): {}", e.headline());
            match e.into_panic() {
                Some(p) => resume_unwind(p),
                None => panic!("{api}: the simulated program panicked"),
            }
        }
        Err(e) => panic!("seedloop: {api} (seed {seed}) failed:\n{e}"),
    }
}

/// `#[tokio::main]` on `fn main`: one simulation, its seed printed on stderr.
#[track_caller]
pub fn main<F: Future>(future: F) -> F::Output {
    run_one("#[tokio::main]", future, true)
}

/// `#[tokio::main]` on another function: one simulation.
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    run_one("#[tokio::main]", future, false)
}

/// `#[tokio::test]`: the body swept over seeds by `harness`, as `#[harness::test]` does;
/// `integration` tells whether the test was compiled as an integration test. A failure panics
/// with harness's report, whose commands rebuild with `--cfg seedloop` (without it the test
/// would run on real tokio and ignore the token) in the same target directory.
///
/// # Panics
/// With the report when a run fails, or inside a simulation.
#[track_caller]
pub fn test<F, Fut>(body: F, integration: bool)
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: harness::TestOutput,
{
    if sim::in_simulation() {
        panic!("a #[tokio::test] function was called inside a running simulation");
    }
    let mut check = harness::Check::new()
        .__integration_test(integration)
        .cargo_env(CFG_ENV);
    for arg in target_dir_args() {
        check = check.cargo_arg(arg);
    }
    let outcome = check.explore(body);
    if let Some(text) = outcome.failure_text() {
        panic!("{text}");
    }
}

/// What the printed commands set so that they build the simulated API.
pub const CFG_ENV: &str = "RUSTFLAGS=\"--cfg seedloop\"";

/// `--target-dir <dir>` when this test binary was built outside the default `target` directory
/// (as with the separate directory the cfg build wants): the printed line then rebuilds nothing
/// and does not invalidate the normal build. cargo marks a target directory's root with
/// `CACHEDIR.TAG`.
fn target_dir_args() -> Vec<String> {
    let Ok(exe) = std::env::current_exe() else {
        return Vec::new();
    };
    let Some(dir) = exe
        .ancestors()
        .skip(1)
        .find(|d| d.join("CACHEDIR.TAG").is_file())
    else {
        return Vec::new();
    };
    if dir.file_name().is_some_and(|n| n == "target") {
        return Vec::new();
    }
    let shown = dir.display().to_string();
    let shown = if shown.contains(char::is_whitespace) {
        format!("\"{shown}\"")
    } else {
        shown
    };
    vec!["--target-dir".to_string(), shown]
}

/// Runs a documentation example in one simulation (seed 0).
///
/// # Panics
/// When the run fails.
#[track_caller]
pub fn doc_run<F: Future>(future: F) -> F::Output {
    match sim::Sim::new(0).run(future) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

/// The branch a `select!` polls first: a recorded choice among the enabled ones (the first
/// under Fifo, and outside a simulation).
pub fn select_start(n: u32, disabled: u64) -> u32 {
    let enabled: Vec<u32> = (0..n).filter(|i| disabled & (1 << i) == 0).collect();
    match enabled.len() {
        0 => 0,
        1 => enabled[0],
        k if sim::in_simulation() => enabled[sim::task::branch(k as u32) as usize],
        _ => enabled[0],
    }
}

/// True when `r` is an error (`try_join!` stops at the first).
pub fn is_err<T, E>(r: &Result<T, E>) -> bool {
    r.is_err()
}

/// The value of a result known to be `Ok`.
///
/// # Panics
/// On an `Err` (never, as the macro checks first).
pub fn ok<T, E>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(_) => unreachable!("try_join! takes Ok values only"),
    }
}

/// The error of a result known to be `Err`.
///
/// # Panics
/// On an `Ok` (never, as the macro checks first).
pub fn err<T, E>(r: Result<T, E>) -> E {
    match r {
        Err(e) => e,
        Ok(_) => unreachable!("try_join! stops at an Err only"),
    }
}
