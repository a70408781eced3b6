//! Shared helpers for seedloop's cross-crate tests, and the README's example as a doctest.
#![doc = include_str!("../../README.md")]
