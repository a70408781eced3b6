//! Simulated hosts, network and disk, and the I/O scenarios.
//!
//! One test binary per area, each test file a module: linking one binary per file dominated
//! a cold `cargo test --workspace`.

mod fs_crash;
mod fs_durability;
mod fs_faults;
mod io_scenarios;
mod net_datagram;
mod net_hold;
mod net_hosts;
mod net_http;
mod net_stream;
mod net_stream_bytes;
