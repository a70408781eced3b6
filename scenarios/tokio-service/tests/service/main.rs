//! The service's test suite. `cargo test -p tokio-service` runs it on tokio's runtime;
//! `RUSTFLAGS="--cfg seedloop" cargo test -p tokio-service --target-dir target/seedloop` runs
//! every `#[tokio::test]` over 64 seeds of seedloop's simulation, unchanged, plus the modules
//! that only make sense there (the planted race, determinism across processes).

#![forbid(unsafe_code)]

mod api;
mod auto_traits;
#[cfg(seedloop)]
mod determinism;
#[cfg(seedloop)]
mod race;
mod send_bounds;
