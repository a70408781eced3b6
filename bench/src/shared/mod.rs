//! What the bench and its peer processes share, `std` only: the peer packages
//! (`bench/peers/*`, outside the workspace) include this directory by path, so every system runs
//! the same workload definitions and is measured by the same code.

pub mod measure;
pub mod protocol;
pub mod workload;
