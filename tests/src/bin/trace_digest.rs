//! Prints the trace digest of SEMANTICS case 43's program ([`seedloop_tests::yielders`]) under
//! the Random strategy for the seed given as the only argument, so a test can check that another
//! process reproduces the in-process trace.

#![forbid(unsafe_code)]

fn main() {
    let arg = std::env::args()
        .nth(1)
        .expect("usage: trace_digest <seed>: the seed is missing");
    let seed: u64 = arg
        .parse()
        .unwrap_or_else(|e| panic!("trace_digest: `{arg}` is not a u64 seed: {e}"));
    println!("{:016x}", seedloop_tests::yielders_trace(seed).digest());
}
