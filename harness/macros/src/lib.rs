//! `#[harness::test]`: an `async fn` as a `#[test]` swept by `harness::check`.
//!
//! Use it through the `harness` crate (`#[harness::test]`), which documents it.

#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{ToTokens, quote};
use syn::parse::Parser;
use syn::{Expr, ExprLit, ItemFn, Lit, parse_macro_input};

/// Turns `async fn name() { .. }` into a `#[test] fn name()` that runs the body under
/// `harness::Check`. Options: `strategy = "<name>"` or `strategy = <sim::Strategy expression>`;
/// any other `name = value` calls the `Check` builder method `name(value)` (`seeds = 100`,
/// `max_steps = 10_000`, `max_time = Duration::from_secs(5)`, `regressions = false`, ...).
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    let func = parse_macro_input!(item as ItemFn);
    let mut calls: Vec<Tokens> = Vec::new();
    let parser = syn::meta::parser(|meta| {
        let key = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let value: Expr = meta.value()?.parse()?;
        match key.as_str() {
            "strategy" => match &value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => calls.push(quote!(.strategy(
                    ::harness::parse_strategy(#s).unwrap_or_else(|e| {
                        ::core::panic!("#[harness::test(strategy = {:?})]: expected {}", #s, e)
                    })
                ))),
                _ => calls.push(quote!(.strategy(#value))),
            },
            _ => {
                // Every other option is the `harness::Check` builder method of that name.
                let method = meta
                    .path
                    .get_ident()
                    .ok_or_else(|| meta.error("expected `option = value`, e.g. `seeds = 100`"))?;
                calls.push(quote!(.#method(#value)));
            }
        }
        Ok(())
    });
    if let Err(e) = parser.parse(args) {
        return e.to_compile_error().into();
    }
    if func.sig.asyncness.is_none() {
        return syn::Error::new_spanned(
            func.sig.fn_token,
            "#[harness::test] goes on an `async fn`; for a plain fn use #[test] and harness::check",
        )
        .to_compile_error()
        .into();
    }
    if !func.sig.inputs.is_empty() {
        return syn::Error::new_spanned(
            &func.sig.inputs,
            "#[harness::test] functions take no arguments: each seed runs the body afresh",
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
    quote! {
        #[test]
        #(#attrs)*
        #vis fn #name() {
            #inner
            ::harness::Check::new() #(#calls)* .run(__seedloop_body)
        }
    }
    .into()
}
