//! I/O: real tokio's traits and helpers (`AsyncRead`, `AsyncWrite`, `AsyncReadExt`,
//! `AsyncBufReadExt`, `BufReader`, `BufWriter`, `Lines`, `split`, `copy`, `duplex`, ...), so
//! code and crates written against them (tokio-util's codecs) work on the simulated sockets and
//! files unchanged.
//!
//! Only the standard streams differ, because tokio's need its blocking thread pool: here
//! [`stdout`] and [`stderr`] write synchronously (output does not affect the run), and
//! [`stdin`] fails, since a simulation must not wait for a person to type.
//!
//! Note that real tokio types that wait (`duplex`, `split`'s halves) are not `sim` primitives:
//! awaiting them is deterministic but never a preemption point.

mod stdio;

pub use stdio::{Stderr, Stdin, Stdout, stderr, stdin, stdout};
pub use tokio::io::*;
