//! `join!` and `try_join!`: the futures polled in place, in rotating order (`biased;`: in
//! order), until all are done (or, for `try_join!`, one fails).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Token};

use crate::select::crate_prefix;

pub(crate) fn expand(input: TokenStream, tries: bool) -> syn::Result<TokenStream> {
    let parser = |input: ParseStream<'_>| {
        let krate = crate_prefix(input)?;
        let biased = if input.peek(syn::Ident) && input.fork().parse::<syn::Ident>()? == "biased" {
            input.parse::<syn::Ident>()?;
            input.parse::<Token![;]>()?;
            true
        } else {
            false
        };
        let futs = Punctuated::<Expr, Token![,]>::parse_terminated(input)?;
        Ok((krate, biased, futs))
    };
    let (krate, biased, futs) = parser.parse2(input)?;
    let n = futs.len();
    if n == 0 {
        return Ok(if tries {
            quote!(async { ::core::result::Result::<(), _>::Ok(()) }.await)
        } else {
            quote!(async {}.await)
        });
    }
    let skip = syn::Ident::new("__skip", Span::call_site());
    let names: Vec<_> = (0..n)
        .map(|i| format_ident!("__seedloop_fut{}", i))
        .collect();
    let decls = futs.iter().zip(&names).map(|(f, name)| {
        quote! {
            let mut #name = ::core::pin::pin!(#krate::__seedloop::maybe_done(
                ::core::future::IntoFuture::into_future(#f)
            ));
        }
    });
    let arms = names.iter().enumerate().map(|(i, name)| {
        let fail = if tries {
            quote! {
                if let ::core::option::Option::Some(__r) = #name.as_mut().output_mut() {
                    if #krate::__seedloop::is_err(__r) {
                        let __r = #name.as_mut().take_output().expect("checked above");
                        return ::core::task::Poll::Ready(::core::result::Result::Err(
                            #krate::__seedloop::err(__r),
                        ));
                    }
                }
            }
        } else {
            quote!()
        };
        quote! {
            #i => {
                if ::core::future::Future::poll(#name.as_mut(), __cx).is_pending() {
                    __done = false;
                }
                #fail
            }
        }
    });
    let outputs = names.iter().map(|name| {
        let take = quote!(#name.as_mut().take_output().expect("each output is taken once"));
        if tries {
            quote!(#krate::__seedloop::ok(#take))
        } else {
            take
        }
    });
    let result = if tries {
        quote!(::core::result::Result::Ok(( #(#outputs,)* )))
    } else {
        quote!(( #(#outputs,)* ))
    };
    let index = if n == 1 {
        quote!(0usize)
    } else {
        quote!((#skip + __k) % #n)
    };
    let rotate = if biased || n == 1 {
        quote!()
    } else {
        quote!(__skip = (__skip + 1) % #n;)
    };
    Ok(quote! {{
        #(#decls)*
        #[allow(unused_mut)]
        let mut #skip: usize = 0;
        #krate::__seedloop::poll_fn(move |__cx| {
            let mut __done = true;
            for __k in 0..#n {
                match #index {
                    #(#arms)*
                    _ => ::core::unreachable!(),
                }
            }
            #rotate
            if __done {
                ::core::task::Poll::Ready(#result)
            } else {
                ::core::task::Poll::Pending
            }
        })
        .await
    }})
}
