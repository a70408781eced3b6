//! Every chapter of the seedloop book, included as documentation so that `cargo test` compiles
//! and runs each of its Rust samples (rustdoc treats them as doctests). A chapter that stops
//! compiling, or whose printed output drifts from what the code produces, fails the build.

#![forbid(unsafe_code)]

#[doc = include_str!("src/introduction.md")]
pub mod introduction {}

#[doc = include_str!("src/event-loop.md")]
pub mod event_loop {}

#[doc = include_str!("src/tasks.md")]
pub mod tasks {}

#[doc = include_str!("src/concurrency.md")]
pub mod concurrency {}

#[doc = include_str!("src/cancellation.md")]
pub mod cancellation {}

#[doc = include_str!("src/failures.md")]
pub mod failures {}

#[doc = include_str!("src/sync.md")]
pub mod sync {}

#[doc = include_str!("src/queues.md")]
pub mod queues {}

#[doc = include_str!("src/io.md")]
pub mod io {}

#[doc = include_str!("src/finding-bugs.md")]
pub mod finding_bugs {}

#[doc = include_str!("src/replay-shrink.md")]
pub mod replay_shrink {}

#[doc = include_str!("src/proptest-insta.md")]
pub mod proptest_insta {}

#[doc = include_str!("src/strategies.md")]
pub mod strategies {}

#[doc = include_str!("src/ci.md")]
pub mod ci {}

#[doc = include_str!("src/real-world.md")]
pub mod real_world {}

#[doc = include_str!("src/tokio.md")]
pub mod tokio_chapter {}

#[doc = include_str!("src/how-it-works.md")]
pub mod how_it_works {}
