//! The procedural macros of `seedloop-tokio` under `--cfg seedloop`: `select!`, `join!` and
//! `try_join!` (reached through `seedloop-tokio`'s `macro_rules!` wrappers, which pass the
//! crate's path first), and the `#[main]` and `#[test]` attributes.
//!
//! Use them through `seedloop-tokio` (as `tokio::select!`, `#[tokio::test]`...), which
//! documents them.

#![forbid(unsafe_code)]

mod attr;
mod join;
mod select;

use proc_macro::TokenStream;

/// `select!`'s expansion; the input starts with `{ <crate path> }`.
#[proc_macro]
pub fn select_impl(input: TokenStream) -> TokenStream {
    select::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `join!`'s expansion; the input starts with `{ <crate path> }`.
#[proc_macro]
pub fn join_impl(input: TokenStream) -> TokenStream {
    join::expand(input.into(), false)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `try_join!`'s expansion; the input starts with `{ <crate path> }`.
#[proc_macro]
pub fn try_join_impl(input: TokenStream) -> TokenStream {
    join::expand(input.into(), true)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `#[tokio::main]`: the function's body runs as one simulation (seed `SEEDLOOP_SEED`, default
/// 0, printed on stderr for `main`). tokio's arguments (`flavor`, `worker_threads`,
/// `start_paused`, ...) are accepted; `crate = "path"` names the facade crate.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    attr::main(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `#[tokio::test]`: the `async fn` becomes a `#[test]` whose body is swept over seeds by
/// seedloop's harness (as `#[harness::test]`). tokio's arguments are accepted; `crate =
/// "path"` names the facade crate.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    attr::test(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
