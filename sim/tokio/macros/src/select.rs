//! `select!`: tokio's syntax, with the first branch polled chosen by the simulation.
//!
//! ```text
//! select! {
//!     [biased;]
//!     <pattern> = <future> [, if <precondition>] => <handler>[,]
//!     ...
//!     [else => <handler>[,]]
//! }
//! ```
//!
//! Every future is created (in order), preconditions disable branches, and each poll tries the
//! enabled branches starting from a recorded choice (`biased;`: the first). A branch whose output
//! does not match its pattern is disabled and the others go on. The futures are dropped before
//! the chosen handler runs, so handlers may use what the futures borrowed.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream, Parser};
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Token};

/// The `{ <crate path> }` group the `macro_rules!` wrapper puts first.
pub(crate) fn crate_prefix(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    let content;
    syn::braced!(content in input);
    content.parse()
}

struct Branch {
    pat: Pat,
    fut: Expr,
    cond: Option<Expr>,
    handler: Expr,
}

struct Select {
    krate: TokenStream,
    biased: bool,
    branches: Vec<Branch>,
    otherwise: Option<Expr>,
}

/// True for handlers that need no comma after them (`{ ... }`, `if`, `match`, loops).
fn block_like(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Block(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::Loop(_)
            | Expr::While(_)
            | Expr::ForLoop(_)
            | Expr::Unsafe(_)
    )
}

fn parse_handler(input: ParseStream<'_>) -> syn::Result<Expr> {
    let handler: Expr = input.parse()?;
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    } else if !block_like(&handler) && !input.is_empty() {
        return Err(input.error("expected `,` after a select! branch's handler"));
    }
    Ok(handler)
}

impl Parse for Select {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let krate = crate_prefix(input)?;
        let mut biased = false;
        if input.peek(syn::Ident) && input.fork().parse::<syn::Ident>()? == "biased" {
            input.parse::<syn::Ident>()?;
            input.parse::<Token![;]>()?;
            biased = true;
        }
        let mut branches = Vec::new();
        let mut otherwise = None;
        while !input.is_empty() {
            if input.peek(Token![else]) {
                input.parse::<Token![else]>()?;
                input.parse::<Token![=>]>()?;
                otherwise = Some(parse_handler(input)?);
                continue;
            }
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let fut: Expr = input.parse()?;
            let cond = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            input.parse::<Token![=>]>()?;
            let handler = parse_handler(input)?;
            branches.push(Branch {
                pat,
                fut,
                cond,
                handler,
            });
        }
        if branches.len() > 64 {
            return Err(input.error("select! supports at most 64 branches"));
        }
        if branches.is_empty() && otherwise.is_none() {
            return Err(input.error("select! needs at least one branch"));
        }
        Ok(Select {
            krate,
            biased,
            branches,
            otherwise,
        })
    }
}

/// The pattern made to match a reference to the output without binding by value: `ref`/`mut`
/// binding modes go (the default binding mode of a reference takes over).
struct Clean;

impl VisitMut for Clean {
    fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
        p.by_ref = None;
        p.mutability = None;
        syn::visit_mut::visit_pat_ident_mut(self, p);
    }
}

pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let s = Select::parse.parse2(input)?;
    let krate = &s.krate;
    let n = s.branches.len();
    let n32 = n as u32;
    let all: u64 = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    let otherwise = match &s.otherwise {
        Some(e) => quote!(#e),
        None => quote!(::core::panic!(
            "all branches are disabled and there is no else branch"
        )),
    };
    if n == 0 {
        return Ok(quote!({ #otherwise }));
    }
    let futs: Vec<_> = (0..n)
        .map(|i| format_ident!("__seedloop_fut{}", i))
        .collect();
    let variants: Vec<_> = (0..n).map(|i| format_ident!("_{}", i)).collect();
    let generics: Vec<_> = (0..n).map(|i| format_ident!("T{}", i)).collect();
    let conds = s.branches.iter().enumerate().map(|(i, b)| match &b.cond {
        Some(c) => quote!(if !(#c) { __disabled |= 1u64 << #i; }),
        None => quote!(),
    });
    let decls = s.branches.iter().zip(&futs).map(|(b, f)| {
        let e = &b.fut;
        quote! {
            let mut #f = ::core::pin::pin!(::core::future::IntoFuture::into_future(#e));
        }
    });
    let polls = s.branches.iter().enumerate().map(|(i, b)| {
        let f = &futs[i];
        let v = &variants[i];
        let mut clean = b.pat.clone();
        Clean.visit_pat_mut(&mut clean);
        quote! {
            #i => {
                if let ::core::task::Poll::Ready(__out) =
                    ::core::future::Future::poll(#f.as_mut(), __cx)
                {
                    #[allow(unused_variables, unreachable_patterns, clippy::redundant_pattern_matching)]
                    let __matches = match &__out {
                        #clean => true,
                        _ => false,
                    };
                    if __matches {
                        return ::core::task::Poll::Ready(__Out::#v(__out));
                    }
                    __disabled |= 1u64 << #i;
                }
            }
        }
    });
    let handlers = s.branches.iter().enumerate().map(|(i, b)| {
        let v = &variants[i];
        let p = &b.pat;
        let h = &b.handler;
        quote!(__Out::#v(#p) => #h,)
    });
    // One branch needs no rotation (and `x % 1` would draw a lint in the caller's crate).
    let index = if n == 1 {
        quote!(0usize)
    } else {
        quote!(((__start + __k) % #n32) as usize)
    };
    let start = if s.biased {
        quote!(0u32)
    } else {
        quote!(#krate::__seedloop::select_start(#n32, __disabled))
    };
    Ok(quote! {{
        enum __Out<#(#generics,)*> {
            #(#variants(#generics),)*
            Disabled,
        }
        #[allow(unused_mut)]
        let mut __disabled: u64 = 0;
        #(#conds)*
        let __output = {
            #(#decls)*
            #krate::__seedloop::poll_fn(|__cx| {
                if __disabled == #all {
                    return ::core::task::Poll::Ready(__Out::Disabled);
                }
                let __start = #start;
                for __k in 0..#n32 {
                    let __i = #index;
                    if __disabled & (1u64 << __i) != 0 {
                        continue;
                    }
                    match __i {
                        #(#polls)*
                        _ => ::core::unreachable!(),
                    }
                }
                if __disabled == #all {
                    ::core::task::Poll::Ready(__Out::Disabled)
                } else {
                    ::core::task::Poll::Pending
                }
            })
            .await
        };
        #[allow(unreachable_patterns, unused_variables)]
        match __output {
            #(#handlers)*
            __Out::Disabled => #otherwise,
            _ => ::core::unreachable!("a select! branch's output no longer matches its pattern"),
        }
    }})
}
