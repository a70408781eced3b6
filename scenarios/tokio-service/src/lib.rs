//! A small TCP service written against plain tokio: a key-value store with expiring keys,
//! blocking waits, publish/subscribe, a read-only switch, a connection limit, idle timeouts and
//! graceful shutdown, plus its client. Its tests (`tests/service.rs`) run on real tokio with
//! `cargo test`, and, unchanged, over 64 seeds of seedloop's simulation with
//! `RUSTFLAGS="--cfg seedloop" cargo test`, because its `tokio` dependency is `seedloop-tokio`.
//!
//! The protocol is one command per line, one reply line per command (plus `MSG` lines pushed
//! to subscribers):
//!
//! | command | reply |
//! |---|---|
//! | `PING` | `PONG` |
//! | `SET key value`, `SETEX key millis value` | `OK` (or `ERR readonly`) |
//! | `GET key` | `VALUE v` or `NIL` |
//! | `DEL key` | `DELETED 0/1` |
//! | `INCR key` | `VALUE n` |
//! | `WAIT key millis` | `VALUE v` once the key exists, or `TIMEOUT` |
//! | `SUB topic` | `SUBSCRIBED topic`, then `MSG topic text` lines |
//! | `PUB topic text` | `PUBLISHED n` (receivers reached) |
//! | `READONLY on/off` | `OK` |
//! | `STATS` | `STATS connections=c commands=n` |
//! | `QUIT` | `BYE` |
//!
//! `bank` holds the planted race of seedloop's tokio chapter.

#![forbid(unsafe_code)]

pub mod bank;
mod client;
mod server;
mod store;

pub use client::Client;
pub use server::{Config, Server, ServerHandle, Summary};
