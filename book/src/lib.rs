//! The book's samples, compiled and run as doctests.
