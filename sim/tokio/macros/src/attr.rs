//! `#[main]` and `#[test]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::{Expr, ExprLit, ItemFn, Lit, Path};

/// The facade's path: `crate = "..."`, or `::tokio`. Every other tokio argument is accepted
/// (and has no effect on a simulation).
fn crate_path(args: TokenStream) -> syn::Result<Path> {
    let mut krate: Path = syn::parse_quote!(::tokio);
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("crate") {
            let value: Expr = meta.value()?.parse()?;
            match value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => {
                    krate = s.parse()?;
                    Ok(())
                }
                other => Err(syn::Error::new_spanned(
                    other,
                    "expected a string: `crate = \"path::to::tokio\"`",
                )),
            }
        } else if meta.input.peek(syn::Token![=]) {
            // flavor, worker_threads, start_paused, unhandled_panic, ...
            let _: Expr = meta.value()?.parse()?;
            Ok(())
        } else {
            Ok(())
        }
    });
    parser.parse2(args)?;
    Ok(krate)
}

pub(crate) fn main(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let krate = crate_path(args)?;
    let mut func: ItemFn = syn::parse2(item)?;
    if func.sig.asyncness.take().is_none() {
        return Err(syn::Error::new_spanned(
            func.sig.fn_token,
            "the `async` keyword is missing from the function declaration",
        ));
    }
    let body = &func.block;
    let run = if func.sig.ident == "main" && func.sig.inputs.is_empty() {
        quote!(main)
    } else {
        quote!(block_on)
    };
    let attrs = &func.attrs;
    let vis = &func.vis;
    let sig = &func.sig;
    Ok(quote! {
        #(#attrs)*
        #vis #sig {
            #krate::__seedloop::#run(async move #body)
        }
    })
}

pub(crate) fn test(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let krate = crate_path(args)?;
    let func: ItemFn = syn::parse2(item)?;
    if func.sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            func.sig.fn_token,
            "the `async` keyword is missing from the function declaration",
        ));
    }
    if !func.sig.inputs.is_empty() {
        return Err(syn::Error::new_spanned(
            &func.sig.inputs,
            "the test function cannot accept arguments",
        ));
    }
    let attrs = &func.attrs;
    let vis = &func.vis;
    let name = &func.sig.ident;
    let mut body = func.clone();
    body.attrs.clear();
    body.vis = syn::Visibility::Inherited;
    body.sig.ident = syn::Ident::new("__seedloop_body", name.span());
    Ok(quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            #body
            // cargo sets CARGO_TARGET_TMPDIR only when it compiles integration tests: the
            // printed commands name the right target.
            #krate::__seedloop::test(
                __seedloop_body,
                ::core::option_env!("CARGO_TARGET_TMPDIR").is_some(),
            )
        }
    })
}
