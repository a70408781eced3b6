//! tokio's API on seedloop's simulation (compiled under `--cfg seedloop` only).

pub mod fs;
pub mod io;
mod macros;
pub mod net;
pub mod process;
pub mod runtime;
pub mod signal;
pub mod sync;
pub mod task;
#[cfg(test)]
mod tests;
pub mod time;

#[doc(hidden)]
#[path = "support.rs"]
pub mod __seedloop;

pub use seedloop_tokio_macros::{main, test};
pub use task::spawn;
pub use tokio::task_local;
