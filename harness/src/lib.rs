//! seedloop harness: seed sweeps, reports, replay (in progress).

pub mod explore;
#[cfg(feature = "proptest")]
pub mod proptest;
