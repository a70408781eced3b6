//! seedloop scenarios (in progress).

pub mod buggy;
