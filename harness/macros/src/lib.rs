//! `#[harness::test]` and `#[seedloop::test]`: an `async fn` as a `#[test]` swept by
//! `harness::check`.
//!
//! Use it through the `seedloop` crate (`#[seedloop::test]`) or the `harness` crate
//! (`#[harness::test]`), which document it. The two entry points differ only in the path the
//! expansion names the harness by, so that a crate depending on `seedloop` alone (or on
//! `harness` alone) compiles the expansion; `crate = "path"` overrides that path for a renamed
//! dependency or another facade.

#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{ToTokens, quote};
use syn::parse::Parser;
use syn::{Expr, ExprLit, ItemFn, Lit, LitStr, Path, parse_macro_input};

/// The `Check` builder methods the attribute calls by name; every other key is a run option,
/// passed as text to `Check::option`.
const BUILDER_METHODS: &[&str] = &[
    "seeds",
    "strategy",
    "max_steps",
    "max_time",
    "fail_on_leftover_tasks",
    "options",
    "env",
    "regressions_dir",
    "regressions",
    "shrink",
    "shrink_budget",
    "keep_going",
    "progress_after",
    "faults",
    "test_name",
];

/// Turns `async fn name() { .. }` into a `#[test] fn name()` that runs the body under
/// `harness::Check`; the expansion names the harness as `::harness`.
///
/// Options: `strategy = "<name>"` or `strategy = <sim::Strategy expression>`; a `Check`
/// builder method by name (`seeds = 100`, `max_steps = 10_000`, `max_time =
/// Duration::from_secs(5)`, `regressions = false`, ...); any other `name = literal` is a run
/// option set from text with `Check::option("name", "text")` (`max_poll_time = "100ms"`,
/// `fail_on_unobserved_panic = false`), which panics naming the valid options when `name` is
/// not one of them.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args, item, quote!(::harness), "harness")
}

/// `#[seedloop::test]`: [`macro@test`] with the expansion naming the harness as
/// `::seedloop::harness`, so that a crate depending on `seedloop` alone compiles it.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn seedloop_test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args, item, quote!(::seedloop::harness), "seedloop")
}

fn expand(args: TokenStream, item: TokenStream, default_root: Tokens, shown: &str) -> TokenStream {
    let func = parse_macro_input!(item as ItemFn);
    let mut root = default_root;
    // Options are collected first and expanded once `crate = ..` (which may come last) is known.
    let mut options: Vec<(syn::Ident, Expr)> = Vec::new();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("crate") {
            let path: LitStr = meta.value()?.parse()?;
            let path: Path = path.parse()?;
            root = path.into_token_stream();
            return Ok(());
        }
        let Some(ident) = meta.path.get_ident().cloned() else {
            return Err(meta.error("expected `option = value`, e.g. `seeds = 100`"));
        };
        let value: Expr = meta.value()?.parse()?;
        options.push((ident, value));
        Ok(())
    });
    if let Err(e) = parser.parse(args) {
        return e.to_compile_error().into();
    }
    let mut calls: Vec<Tokens> = Vec::new();
    for (ident, value) in options {
        match option_call(&root, shown, &ident, &value) {
            Ok(call) => calls.push(call),
            Err(e) => return e.to_compile_error().into(),
        }
    }
    if func.sig.asyncness.is_none() {
        return syn::Error::new_spanned(
            func.sig.fn_token,
            format!(
                "#[{shown}::test] goes on an `async fn`; for a plain fn use #[test] and \
                 {shown}::check"
            ),
        )
        .to_compile_error()
        .into();
    }
    if !func.sig.inputs.is_empty() {
        return syn::Error::new_spanned(
            &func.sig.inputs,
            format!("#[{shown}::test] functions take no arguments: each seed runs the body afresh"),
        )
        .to_compile_error()
        .into();
    }
    let attrs = &func.attrs;
    let vis = &func.vis;
    let name = &func.sig.ident;
    let mut inner = func.clone();
    inner.attrs.clear();
    inner.vis = syn::Visibility::Inherited;
    inner.sig.ident = syn::Ident::new("__seedloop_body", name.span());
    let inner = inner.into_token_stream();
    // The full path to the built-in attribute: a user's `use seedloop::test;` would otherwise
    // make a bare `#[test]` in the expansion name this macro again.
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            #inner
            // cargo sets CARGO_TARGET_TMPDIR only when it compiles integration tests and
            // benches: what tells `tests/bank.rs` from the unit tests of a crate `bank`, whose
            // binaries cargo names alike.
            #root::Check::new()
                .__integration_test(::core::option_env!("CARGO_TARGET_TMPDIR").is_some())
                #(#calls)* .run(__seedloop_body)
        }
    }
    .into()
}

/// The builder call for one `key = value` of the attribute.
fn option_call(root: &Tokens, shown: &str, key: &syn::Ident, value: &Expr) -> syn::Result<Tokens> {
    let name = key.to_string();
    if name == "strategy" {
        if let Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) = value
        {
            let attr = format!("#[{shown}::test(strategy = {:?})]", s.value());
            return Ok(quote!(.strategy(
                #root::parse_strategy(#s).unwrap_or_else(|e| {
                    ::core::panic!("{}: expected {}", #attr, e)
                })
            )));
        }
    }
    if BUILDER_METHODS.contains(&name.as_str()) {
        return Ok(quote!(.#key(#value)));
    }
    let text = literal_text(value).ok_or_else(|| {
        syn::Error::new_spanned(
            value,
            format!(
                "`{name}` is not a `Check` builder method ({}), so it is a run option set from \
                 text: write a literal, e.g. `{name} = \"100ms\"`, `{name} = 5` or \
                 `{name} = false`",
                BUILDER_METHODS.join(", ")
            ),
        )
    })?;
    Ok(quote!(.option(#name, #text)))
}

/// A literal's value as the text `RunOptions::set` reads: strings as written, numbers without
/// separators or suffix, `true`/`false`; `None` for anything else.
fn literal_text(value: &Expr) -> Option<String> {
    match value {
        Expr::Lit(ExprLit { lit, .. }) => match lit {
            Lit::Str(s) => Some(s.value()),
            Lit::Int(i) => Some(i.base10_digits().to_string()),
            Lit::Bool(b) => Some(b.value.to_string()),
            _ => None,
        },
        _ => None,
    }
}
