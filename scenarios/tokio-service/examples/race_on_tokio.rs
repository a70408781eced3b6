//! The planted race of `tokio_service::bank` on tokio's own current-thread runtime, 1,000 times:
//!
//! ```sh
//! cargo run -p tokio-service --example race_on_tokio
//! ```
//!
//! prints how many runs lost an update (none: an uncontended `lock().await` never yields, so the
//! two deposits never interleave between their read and their write). Under `--cfg seedloop`
//! `tests/service/race.rs` finds the same race within the default 64 seeds.

#![forbid(unsafe_code)]

fn main() {
    const RUNS: u32 = 1_000;
    let mut lost = 0;
    for _ in 0..RUNS {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime");
        if rt.block_on(tokio_service::bank::two_deposits()) != 2 {
            lost += 1;
        }
    }
    println!("tokio current-thread runtime: {lost} lost updates in {RUNS} runs");
}
