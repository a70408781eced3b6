//! seedloop scenarios (in progress).
